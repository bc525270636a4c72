#!/bin/sh
# hours.sh — fuzzing time and executions per target from tests/fuzz/hours.tsv
# (the ledger run.sh --ledger appends to), and the totals.
exec awk -F '\t' 'NR > 1 { s[$2] += $3; e[$2] += $4; f[$2] += $5; S += $3; E += $4; F += $5 }
  END { printf "%-18s %9s %8s %14s %9s\n", "target", "seconds", "minutes", "executions", "findings";
        for (t in s) printf "%-18s %9d %8.1f %14d %9d\n", t, s[t], s[t] / 60, e[t], f[t] | "sort";
        close ("sort");
        printf "%-18s %9d %8.1f %14d %9d\n", "total", S, S / 60, E, F }' "$(dirname "$0")/hours.tsv"
