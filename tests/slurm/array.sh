#!/bin/sh
# array.sh — a real single-node Slurm cluster on localhost runs the news
# pipeline as a 4-task job array, each task one shard (--shard
# $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT); the shards' outputs, merged,
# must equal one run over the whole corpus, with no document twice.
#
#   sh tests/slurm/array.sh DOCPIPE SOURCE_DIR
#
# It starts munged, slurmctld and slurmd itself, with a minimal slurm.conf in
# a temporary directory (as root: SlurmUser root, no accounting, no cgroups),
# on ports of its own, and stops them on exit.  Without Debian's slurm-wlm
# and munge, or as another user than root, it exits 77 (ctest: skipped).
set -eu
docpipe=$1
src=$2
SKIP=77

skip() { echo "SKIP: $*"; exit $SKIP; }
for tool in munged slurmctld slurmd sbatch sinfo; do
  command -v "$tool" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
  command -v "$tool" >/dev/null 2>&1 ||
    skip "$tool not found: install Debian's slurm-wlm and munge (apt-get install slurm-wlm munge) to run this test"
done
[ "$(id -u)" -eq 0 ] || skip "starts munged, slurmctld and slurmd as root; run as root"

tmp=$(mktemp -d /tmp/docpipe-slurm.XXXXXX)
chmod 755 "$tmp"
pids=""
cleanup() {
  status=$?
  for pid in $pids; do kill "$pid" 2>/dev/null || true; done
  for pid in $pids; do
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ $status -ne 0 ] && [ $status -ne $SKIP ]; then
    for log in "$tmp"/*.log; do [ -f "$log" ] && { echo "== $log"; tail -n 20 "$log"; }; done
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Ports of our own, so that a Slurm already running here is left alone.
base=$((20000 + $$ % 20000))
ctld_port=$base
slurmd_port=$((base + 1))
node=$(hostname -s)
cpus=$(nproc)

# munge: its own key, socket and files.
dd if=/dev/urandom of="$tmp/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$tmp/munge.key"
munged --foreground --force --key-file="$tmp/munge.key" --socket="$tmp/munge.sock" \
  --pid-file="$tmp/munged.pid" --log-file="$tmp/munged.log" --seed-file="$tmp/munged.seed" \
  >"$tmp/munged.out.log" 2>&1 &
pids="$pids $!"

mkdir -p "$tmp/state" "$tmp/spool"
cat > "$tmp/slurm.conf" <<CONF
ClusterName=docpipe-test
MailProg=/bin/true
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge.sock
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$tmp/slurm.conf"

# munged must answer before the daemons start.
i=0
until [ -S "$tmp/munge.sock" ]; do
  i=$((i + 1)); [ $i -lt 100 ] || { echo "FAIL: munged did not start"; exit 1; }; sleep 0.1
done
slurmctld -D -c -f "$SLURM_CONF" >"$tmp/slurmctld.out.log" 2>&1 &
pids="$pids $!"
slurmd -D -N "$node" -f "$SLURM_CONF" >"$tmp/slurmd.out.log" 2>&1 &
pids="$pids $!"

i=0
until sinfo -h -o %T 2>/dev/null | grep -q idle; do
  i=$((i + 1)); [ $i -lt 300 ] || { echo "FAIL: the node never became idle"; sinfo || true; exit 1; }; sleep 0.1
done

# Each task runs one shard of the news pipeline.  Shards count from 0, as
# SLURM_ARRAY_TASK_ID does in --array=0-3.
cat > "$tmp/shard.sh" <<JOB
#!/bin/sh
exec "$docpipe" run -q --shard "\$SLURM_ARRAY_TASK_ID/\$SLURM_ARRAY_TASK_COUNT" \
  --set write.path="$tmp/shard-\$SLURM_ARRAY_TASK_ID.jsonl" --set pipeline.dead-letter="$tmp/dead.jsonl" \
  "$src/pipelines/news.pipeline"
JOB
sbatch --quiet --wait --array=0-3 --chdir="$tmp" --output="$tmp/task-%a.log" "$tmp/shard.sh" ||
  { echo "FAIL: the job array failed"; cat "$tmp"/task-*.log; exit 1; }

for k in 0 1 2 3; do
  [ -f "$tmp/shard-$k.jsonl" ] || { echo "FAIL: task $k wrote no output"; cat "$tmp/task-$k.log"; exit 1; }
done
# Merging JSON lines is concatenation.
cat "$tmp"/shard-0.jsonl "$tmp"/shard-1.jsonl "$tmp"/shard-2.jsonl "$tmp"/shard-3.jsonl > "$tmp/merged.jsonl"
"$docpipe" run -q --set write.path="$tmp/single.jsonl" --set pipeline.dead-letter="$tmp/dead.jsonl" \
  "$src/pipelines/news.pipeline"

n=$(wc -l < "$tmp/single.jsonl")
[ "$n" -gt 0 ] || { echo "FAIL: the single run wrote nothing"; exit 1; }
ids=$(sed 's/^{"id":"\([^"]*\)".*/\1/' "$tmp/merged.jsonl" | sort)
dups=$(printf '%s\n' "$ids" | uniq -d)
[ -z "$dups" ] || { echo "FAIL: documents in two shards: $dups"; exit 1; }
sort "$tmp/merged.jsonl" > "$tmp/merged.sorted"
sort "$tmp/single.jsonl" > "$tmp/single.sorted"
cmp -s "$tmp/merged.sorted" "$tmp/single.sorted" ||
  { echo "FAIL: the merged shards differ from a single run"; diff "$tmp/merged.sorted" "$tmp/single.sorted" | head -c 2000; exit 1; }
nonempty=0
for k in 0 1 2 3; do [ -s "$tmp/shard-$k.jsonl" ] && nonempty=$((nonempty + 1)); done
echo "PASS: 4 array tasks wrote $n documents between them ($nonempty non-empty shards), equal to a single run"
