/* runner.c — the scheduler: one source thread, N workers, one sink thread.
 *
 *   source ──work queue──▶ workers (decode, transforms, sink prepare) ──done queue──▶ sink
 *
 * The source numbers its batches; the sink thread puts them back in that order
 * before any sink sees them, so output does not depend on the worker count.
 * Memory is bounded by a count of batches in flight: the source takes a slot
 * before reading a batch and the sink thread gives it back after writing it,
 * so a slow sink stalls the source instead of filling memory.
 *
 * Failures: a record a stage fails leaves the flow and is written, in order, to
 * the dead-letter file by the sink thread.  A stage returning FALSE (or any
 * record failure under on-error=fail) is fatal: batches after the failing one
 * are dropped, earlier ones still reach the sinks, and sinks are finished.  A
 * dead letter that cannot be written stops the run the same way (with its own
 * exit code): going on would lose every later failure too.
 */
#include "runner.h"
#include "log.h"
#include "batch-private.h"
#include "record-deferred.h"
#include "core.h"
#include "shard.h"
#include "state.h"
#include "output-private.h"

#include <docpipe/output.h>
#include <glib-unix.h>
#include <errno.h>
#include <sys/resource.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define WARN_LIMIT 10

typedef struct {
  guint64 in, out, failed;
  guint64 skipped;         /* inputs a source skipped */
  gint64 usec;
} StageStats;

typedef struct {
  DpStageConfig *config;
  gpointer *instances;     /* one per worker, or the same shared one everywhere */
  guint n_instances;       /* distinct instances */
} Stage;

typedef struct {
  DpRunner *runner;
  guint index;
  StageStats *stats;       /* per stage */
  GThread *thread;
} Worker;

struct _DpRunner {
  DpPipeline *pipeline;
  DpRunOptions opts;
  Stage *stages;
  guint n_stages;
  guint n_workers, batch_size, max_in_flight;
  gboolean fail_fast;
  Worker *workers;
  StageStats *stats;        /* merged, per stage */

  GAsyncQueue *work, *done;
  GMutex lock;
  GCond slot_freed;
  guint in_flight;

  gint stopping;            /* atomic: a signal asked us to stop reading */
  gint cancel;              /* atomic: stopping or fatal; what sources poll */
  int signal;
  gboolean fatal;           /* under lock */
  guint64 fatal_seq;
  GError *fatal_error;
  char *fatal_stage;

  guint64 dead;             /* dead letters written */
  guint64 dead_lost;        /* dead letters that could not be written */
  char *dead_path;
  DpOutput *dead_out;       /* opened at the first failure */
  GError *dead_error;       /* why dead letters could not be written */

  DpProgressCounts shown;   /* under lock: records and bytes out, dead letters, input read (the sink thread's view) */
  DpState *state;           /* incremental runs (state.c), or NULL */
  guint shard_k, shard_n;   /* this run's shard; shard_n 0: no sharding */
  gsize skipped;            /* atomic: records the state says are done */
  gsize other_shards;       /* atomic: records of other shards */
  /* With a state file, the outputs replaced through a temporary file
   * (output-private.h): those opened and not yet renamed, DpOutput* -> target. */
  DpOutputHooks output_hooks;
  GHashTable *unrenamed;    /* under unrenamed_lock; NULL without a state file */
  GMutex unrenamed_lock;
  gboolean finishing;       /* finish_all is running: renames are the run's commit */
  guint renames;            /* recorded so far (DOCPIPE_TEST_DIE_AT_RENAME) */

  gpointer end_batch;       /* atomic: the empty batch whose seq is the batch count */
  GMainLoop *loop;
  gint64 start_usec;
};

/* Tells workers there is no more work (only its address matters). */
static char end_of_work_tag;
#define END_OF_WORK ((DpBatch *) &end_of_work_tag)

/* ---- creation -------------------------------------------------------------- */

static gboolean
create_instance (DpStageConfig *sc, gpointer *out, GError **error)
{
  if (!sc->ref->info->create)
    return (*out = NULL, TRUE);
  g_autoptr (GError) local = NULL;
  *out = sc->ref->info->create (sc->params, &local);
  if (local)
    {
      g_set_error (error, local->domain, local->code, "stage '%s': %s", sc->name, local->message);
      if (*out && sc->ref->info->destroy)
        sc->ref->info->destroy (*out);
      *out = NULL;
      return FALSE;
    }
  return TRUE;
}

/* ---- the state and the output files ------------------------------------------
 *
 * A run killed after its writers renamed their files and before the state's
 * update would leave output the state does not know of.  So each rename in
 * finish_all is recorded first, with the files still to be renamed
 * (state.c, "A run killed while it commits").  Only finish_all's renames are
 * the run's commit: a file replaced during the run or after (--stats) is not
 * the documents' output. */

static void
output_opened (DpOutput *out, const char *target, gpointer data)
{
  DpRunner *r = data;
  g_mutex_lock (&r->unrenamed_lock);
  g_hash_table_insert (r->unrenamed, out, g_strdup (target));
  g_mutex_unlock (&r->unrenamed_lock);
}

static void
output_dropped (DpOutput *out, gpointer data)
{
  DpRunner *r = data;
  g_mutex_lock (&r->unrenamed_lock);
  g_hash_table_remove (r->unrenamed, out);
  g_mutex_unlock (&r->unrenamed_lock);
}

static gboolean
output_committing (DpOutput *out, const char *target, const struct stat *sb, gpointer data, GError **error)
{
  DpRunner *r = data;
  g_mutex_lock (&r->unrenamed_lock);
  g_hash_table_remove (r->unrenamed, out);
  g_autoptr (GPtrArray) others = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter it;
  gpointer other;
  g_hash_table_iter_init (&it, r->unrenamed);
  while (g_hash_table_iter_next (&it, NULL, &other))
    g_ptr_array_add (others, g_strdup (other));
  g_ptr_array_add (others, NULL);
  g_mutex_unlock (&r->unrenamed_lock);
  if (!r->finishing || !r->state)
    return TRUE;
  g_mutex_lock (&r->lock);
  gboolean fatal = r->fatal;
  g_mutex_unlock (&r->lock);
  /* A failing run marks nothing; nor may its recorded commits, if it dies. */
  if (fatal)
    return dp_state_cancel_commits (r->state, error);
  if (!dp_state_prepare_commit (r->state, target, sb, (const char *const *) others->pdata, error))
    return FALSE;
  /* For tests only (tests/test-writer-kill.c, docs/reliability.md): die as a
   * SIGKILL would once the N-th rename is recorded, before it is done. */
  const char *die_at = g_getenv ("DOCPIPE_TEST_DIE_AT_RENAME");
  if (die_at && ++r->renames == g_ascii_strtoull (die_at, NULL, 10))
    raise (SIGKILL);
  return TRUE;
}

static void
watch_outputs (DpRunner *r)
{
  r->unrenamed = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  g_mutex_init (&r->unrenamed_lock);
  r->output_hooks = (DpOutputHooks) { output_opened, output_committing, output_dropped, r };
  dp_output_set_hooks (&r->output_hooks);
}

static void
unwatch_outputs (DpRunner *r)
{
  if (!r->unrenamed)
    return;
  dp_output_set_hooks (NULL);
  g_clear_pointer (&r->unrenamed, g_hash_table_unref);
  g_mutex_clear (&r->unrenamed_lock);
}

/* Sharding and incremental runs: which documents this run processes. */
static gboolean
open_selection (DpRunner *r, GError **error)
{
  DpParams *settings = r->pipeline->settings;
  const char *shard = r->opts.shard ? r->opts.shard : dp_params_get_string (settings, "shard");
  if (shard && !dp_shard_parse (shard, &r->shard_k, &r->shard_n, error))
    return FALSE;
  const char *state = dp_params_get_path (settings, "state");
  return !state || (r->state = dp_state_open (state, r->pipeline, r->opts.full, shard, error));
}

DpRunner *
dp_runner_new (DpPipeline *pipeline, const DpRunOptions *opts, GError **error)
{
  g_autoptr (DpRunner) r = g_new0 (DpRunner, 1);
  r->pipeline = pipeline;
  r->opts = *opts;
  gint64 workers = dp_params_get_int (pipeline->settings, "workers");
  r->n_workers = workers > 0 ? (guint) workers : MAX (1, g_get_num_processors ());
  r->batch_size = (guint) dp_params_get_int (pipeline->settings, "batch-size");
  gint64 depth = dp_params_get_int (pipeline->settings, "queue-depth");
  r->max_in_flight = depth > 0 ? (guint) depth : 2 * r->n_workers + 2;
  r->fail_fast = dp_params_get_enum (pipeline->settings, "on-error") == 1;
  const char *dead = dp_params_get_path (pipeline->settings, "dead-letter");
  r->dead_path = dead ? g_strdup (dead)
                      : g_strdup_printf ("%s-dead-letter.jsonl",
                                         dp_params_get_string (pipeline->settings, "name"));
  g_mutex_init (&r->lock);
  g_cond_init (&r->slot_freed);
  r->work = g_async_queue_new ();
  r->done = g_async_queue_new ();

  /* Sinks open their files when created, before the state is open. */
  if (dp_params_get_path (pipeline->settings, "state"))
    watch_outputs (r);
  r->n_stages = pipeline->stages->len;
  r->stages = g_new0 (Stage, r->n_stages);
  r->stats = g_new0 (StageStats, r->n_stages);
  for (guint s = 0; s < r->n_stages; s++)
    {
      Stage *st = &r->stages[s];
      st->config = g_ptr_array_index (pipeline->stages, s);
      const DpStageInfo *info = st->config->ref->info;
      gboolean per_worker = info->kind == DP_STAGE_TRANSFORM && !(info->flags & DP_STAGE_SHAREABLE);
      st->instances = g_new0 (gpointer, r->n_workers);
      st->n_instances = per_worker ? r->n_workers : 1;
      for (guint w = 0; w < st->n_instances; w++)
        {
          if (!create_instance (st->config, &st->instances[w], error))
            return NULL;
          /* A partially created stage is cleaned up by dp_runner_free. */
        }
      for (guint w = st->n_instances; w < r->n_workers; w++)
        st->instances[w] = st->instances[0];
    }
  if (!open_selection (r, error))
    return NULL;
  return g_steal_pointer (&r);
}

void
dp_runner_free (DpRunner *r)
{
  if (!r)
    return;
  for (guint s = 0; r->stages && s < r->n_stages; s++)
    {
      Stage *st = &r->stages[s];
      for (guint w = 0; w < st->n_instances; w++)
        if (st->instances[w] && st->config->ref->info->destroy)
          st->config->ref->info->destroy (st->instances[w]);
      g_free (st->instances);
    }
  unwatch_outputs (r);
  g_free (r->stages);
  g_free (r->stats);
  g_free (r->workers);
  g_async_queue_unref (r->work);
  g_async_queue_unref (r->done);
  g_mutex_clear (&r->lock);
  g_cond_clear (&r->slot_freed);
  g_clear_error (&r->fatal_error);
  g_free (r->fatal_stage);
  g_free (r->dead_path);
  dp_state_free (r->state);
  dp_output_free (r->dead_out);
  g_clear_error (&r->dead_error);
  g_free (r);
}

/* ---- shared state ---------------------------------------------------------- */

/* Stops the run at batch @seq: later batches are dropped.  @error (NULL when
 * the reason is reported elsewhere) names what failed in @stage. */
static void
set_fatal (DpRunner *r, guint64 seq, const char *stage, GError *error)
{
  g_mutex_lock (&r->lock);
  if (!r->fatal || seq < r->fatal_seq)
    {
      g_clear_error (&r->fatal_error);
      g_free (r->fatal_stage);
      r->fatal_error = error;
      r->fatal_stage = g_strdup (stage);
      r->fatal_seq = seq;
      error = NULL;
    }
  r->fatal = TRUE;
  g_atomic_int_set (&r->cancel, 1);
  g_cond_broadcast (&r->slot_freed);
  g_mutex_unlock (&r->lock);
  g_clear_error (&error);
}

/* Whether batch @seq comes after a fatal failure (and is dropped unprocessed). */
static gboolean
after_fatal (DpRunner *r, guint64 seq)
{
  g_mutex_lock (&r->lock);
  gboolean drop = r->fatal && seq > r->fatal_seq;
  g_mutex_unlock (&r->lock);
  return drop;
}

static gboolean
take_slot (DpRunner *r)
{
  g_mutex_lock (&r->lock);
  while (r->in_flight >= r->max_in_flight && !r->fatal && !g_atomic_int_get (&r->stopping))
    g_cond_wait (&r->slot_freed, &r->lock);
  gboolean go = !r->fatal && !g_atomic_int_get (&r->stopping);
  if (go)
    r->in_flight++;
  g_mutex_unlock (&r->lock);
  return go;
}

static void
give_slot (DpRunner *r)
{
  g_mutex_lock (&r->lock);
  r->in_flight--;
  g_cond_signal (&r->slot_freed);
  g_mutex_unlock (&r->lock);
}

/* Sweeps a stage's failures; under on-error=fail the first one is fatal. */
static void
sweep (DpRunner *r, DpBatch *b, guint s, StageStats *stats)
{
  guint failed = dp_batch_sweep (b, r->stages[s].config->name);
  stats->failed += failed;
  if (failed && r->fail_fast)
    {
      DpDeadRecord *d = g_ptr_array_index (dp_batch_get_dead (b), 0);
      set_fatal (r, dp_batch_get_seq (b), d->stage,
                 g_error_new (DP_CONFIG_ERROR, 0, "record '%s' (%s) failed and on-error = fail: %s",
                              dp_record_get_id (d->rec), dp_record_get_source (d->rec), d->message));
    }
}

/* Runs one callback on a batch with timing and statistics. */
static gboolean
run_stage (DpRunner *r, guint s, gpointer self, DpBatch *b, StageStats *stats,
           gboolean (*fn) (gpointer, DpBatch *, GError **))
{
  GError *error = NULL;
  stats->in += dp_batch_get_size (b);
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok = fn (self, b, &error);
  stats->usec += g_get_monotonic_time () - t0;
  if (!ok)
    {
      if (!error)
        error = g_error_new_literal (DP_CONFIG_ERROR, 0, "failed without saying why");
      set_fatal (r, dp_batch_get_seq (b), r->stages[s].config->name, error);
      return FALSE;
    }
  sweep (r, b, s, stats);
  stats->out += dp_batch_get_size (b);
  return TRUE;
}

/* ---- threads --------------------------------------------------------------- */

static gpointer
source_thread (gpointer data)
{
  DpRunner *r = data;
  Stage *st = &r->stages[0];
  const DpStageInfo *info = st->config->ref->info;
  guint64 seq = 0;
  while (take_slot (r))
    {
      DpBatch *b = dp_batch_new (seq);
      dp_batch_set_cancel_flag (b, &r->cancel);
      GError *error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      gboolean ok = info->read (st->instances[0], b, r->batch_size, &error);
      r->stats[0].usec += g_get_monotonic_time () - t0;
      r->stats[0].skipped += b->skipped;
      dp_batch_seal (b);
      if (!ok || dp_batch_get_size (b) == 0)
        {
          if (!ok)
            set_fatal (r, seq, st->config->name,
                       error ? error : g_error_new_literal (DP_CONFIG_ERROR, 0, "read failed"));
          dp_batch_free (b);
          give_slot (r);
          break;
        }
      r->stats[0].out += dp_batch_get_size (b);
      seq++;
      g_async_queue_push (r->work, b);
    }
  for (guint w = 0; w < r->n_workers; w++)
    g_async_queue_push (r->work, END_OF_WORK);
  /* An empty batch numbered with the count tells the sink thread when to stop. */
  DpBatch *end = dp_batch_new (seq);
  g_atomic_pointer_set (&r->end_batch, end);
  g_async_queue_push (r->done, end);
  return NULL;
}

static void
decode_all (DpBatch *b)
{
  for (guint i = 0; i < dp_batch_get_size (b); i++)
    {
      GError *e = NULL;
      if (!dp_record_decode (dp_batch_get (b, i), &e))
        dp_batch_fail_error (b, i, e);
    }
}

static gboolean
in_my_shard (DpRecord *rec, gpointer data)
{
  DpRunner *r = data;
  return dp_shard_of (dp_record_get_id (rec), r->shard_n) == r->shard_k;
}

/* Records of other shards, and those the state says are done, go no further
 * (ids and contents are only known once decoded). */
static void
select_records (DpRunner *r, DpBatch *b)
{
  if (r->shard_n > 1)
    g_atomic_pointer_add (&r->other_shards, dp_batch_drop (b, in_my_shard, r));
  if (r->state)
    g_atomic_pointer_add (&r->skipped, dp_state_select (r->state, b));
}

/* How many records sink @s's prepare() saw (+1, so that 0 means "not
 * prepared"), kept on the batch under a key of the core's own. */
static void
mark_prepared (DpRunner *r, guint s, DpBatch *b)
{
  dp_batch_set_data (b, &r->stages[s], GUINT_TO_POINTER (dp_batch_get_size (b) + 1), NULL);
}

static void
work_on (Worker *w, DpBatch *b)
{
  DpRunner *r = w->runner;
  /* Decoding is the source's work done here: its time and failures count there. */
  gint64 t0 = g_get_monotonic_time ();
  decode_all (b);
  sweep (r, b, 0, &w->stats[0]);
  select_records (r, b);
  w->stats[0].usec += g_get_monotonic_time () - t0;
  for (guint s = 1; s < r->n_stages; s++)
    {
      const DpStageInfo *info = r->stages[s].config->ref->info;
      gpointer self = r->stages[s].instances[w->index];
      if (info->kind == DP_STAGE_TRANSFORM)
        {
          if (!run_stage (r, s, self, b, &w->stats[s], info->process))
            return;
        }
      else if (info->kind == DP_STAGE_SINK && info->prepare)
        {
          /* prepare's time counts for the sink; its record counts are the sink thread's. */
          StageStats scratch = { 0 };
          if (!run_stage (r, s, self, b, &scratch, info->prepare))
            return;
          w->stats[s].usec += scratch.usec;
          w->stats[s].failed += scratch.failed;
          mark_prepared (r, s, b);
        }
      if (after_fatal (r, dp_batch_get_seq (b)))
        return;
    }
}

static gpointer
worker_thread (gpointer data)
{
  Worker *w = data;
  DpRunner *r = w->runner;
  DpBatch *b;
  while ((b = g_async_queue_pop (r->work)) != END_OF_WORK)
    {
      if (!after_fatal (r, dp_batch_get_seq (b)))
        work_on (w, b);
      g_async_queue_push (r->done, b);
    }
  return NULL;
}

/* ---- dead letters ---------------------------------------------------------- */

/* One dead-letter line: where the record came from, which stage failed it and
 * why, and the record itself so nothing is lost (or its raw input if it never
 * decoded; base64 when those bytes are not UTF-8). */
static void
put_dead (GString *line, DpDeadRecord *d)
{
  g_string_append (line, "{\"id\":");
  dp_json_append_string (line, dp_record_get_id (d->rec), -1);
  g_string_append (line, ",\"source\":");
  dp_json_append_string (line, dp_record_get_source (d->rec), -1);
  g_string_append (line, ",\"stage\":");
  dp_json_append_string (line, d->stage, -1);
  g_string_append (line, ",\"error\":");
  dp_json_append_string (line, d->message, -1);
  gsize raw_len;
  const char *raw = dp_record_get_raw (d->rec, &raw_len);
  if (raw && g_utf8_validate_len (raw, raw_len, NULL))
    {
      g_string_append (line, ",\"raw\":");
      dp_json_append_string (line, raw, (gssize) raw_len);
    }
  else if (raw)
    {
      g_autofree char *b64 = g_base64_encode ((const guchar *) raw, raw_len);
      g_string_append_printf (line, ",\"raw_base64\":\"%s\"", b64);
    }
  else
    {
      g_string_append (line, ",\"record\":");
      dp_record_to_json (d->rec, line, DP_JSON_DEFAULT);
    }
  g_string_append (line, "}\n");
}

static void
lose_dead_letters (DpRunner *r, guint64 seq, GError *error)
{
  if (!r->dead_error)
    r->dead_error = error;
  else
    g_error_free (error);
  set_fatal (r, seq, NULL, NULL);
}

static DpOutput *
open_dead_letters (DpRunner *r, GError **error)
{
  if (strcmp (r->dead_path, "-") == 0)
    return dp_output_open_fd (STDERR_FILENO, "<stderr>");
  return dp_output_open (r->dead_path, DP_OUTPUT_APPEND, error);
}

static void
warn_dead (DpRunner *r, DpDeadRecord *d)
{
  /* Structured, so a JSON log line carries the record, its source and the stage. */
  const char *id = dp_record_get_id (d->rec), *source = dp_record_get_source (d->rec);
  if (r->dead + r->dead_lost < WARN_LIMIT && !r->opts.quiet)
    g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "DP_RECORD", id, "DP_SOURCE", source,
                      "DP_STAGE", d->stage, "MESSAGE", "%s: %s%s%sfailed in stage '%s': %s", source,
                      *id ? "record '" : "", id, *id ? "' " : "", d->stage, d->message);
}

/* Each dead letter is one write() on an O_APPEND descriptor, so runs sharing
 * the file never interleave inside a line (stdio would split long lines). */
static void
write_dead (DpRunner *r, DpBatch *b)
{
  GPtrArray *dead = dp_batch_get_dead (b);
  if (!dead || dead->len == 0)
    return;
  GError *error = NULL;
  if (!r->dead_out && !r->dead_error && !(r->dead_out = open_dead_letters (r, &error)))
    lose_dead_letters (r, dp_batch_get_seq (b), error);
  g_autoptr (GString) line = g_string_new (NULL);
  gboolean on_stderr = strcmp (r->dead_path, "-") == 0;
  for (guint i = 0; i < dead->len; i++)
    {
      DpDeadRecord *d = g_ptr_array_index (dead, i);
      warn_dead (r, d);
      g_string_truncate (line, 0);
      put_dead (line, d);
      if (on_stderr)
        {
          /* The same JSON, with C1 and direction controls escaped too: it
           * goes to a terminal, like the log. */
          g_autofree char *safe = dp_log_escape (line->str, TRUE);
          g_string_assign (line, safe);
        }
      if (!r->dead_error && !dp_output_write (r->dead_out, line->str, line->len, &error))
        lose_dead_letters (r, dp_batch_get_seq (b), error);
      if (r->dead_error)
        r->dead_lost++;
      else
        r->dead++;
    }
  g_ptr_array_set_size (dead, 0);
}

/* Dead letters on disk are synced before the run reports success. */
static void
commit_dead (DpRunner *r)
{
  if (r->dead_out && !r->dead_error)
    dp_output_commit (r->dead_out, &r->dead_error);
}

/* ---- sink thread ----------------------------------------------------------- */

/* The progress line's figures after batch @b (whose records were written
 * when @written). */
static void
note_progress (DpRunner *r, DpBatch *b, gboolean written)
{
  guint64 done, total;
  gboolean has_input = dp_batch_get_input_progress (b, &done, &total);
  g_mutex_lock (&r->lock);
  if (written)
    {
      r->shown.records += dp_batch_get_size (b);
      r->shown.text_bytes += dp_batch_get_text_bytes (b);
    }
  r->shown.dead = r->dead + r->dead_lost;
  if (has_input)
    r->shown.input_done = done, r->shown.input_total = total;
  g_mutex_unlock (&r->lock);
}

/* Sinks see batches in input order; nothing at or after a fatal failure. */
static void
deliver (DpRunner *r, DpBatch *b)
{
  guint64 seq = dp_batch_get_seq (b);
  g_mutex_lock (&r->lock);
  gboolean dropped = r->fatal && seq > r->fatal_seq, failing_batch = r->fatal && seq == r->fatal_seq;
  g_mutex_unlock (&r->lock);
  if (dropped)
    return;
  for (guint s = 1; s < r->n_stages && !failing_batch; s++)
    {
      Stage *st = &r->stages[s];
      const DpStageInfo *info = st->config->ref->info;
      if (info->kind != DP_STAGE_SINK)
        continue;
      /* Records pass through every sink in order.  A record an earlier sink
       * failed has left the batch, but this sink's prepare() saw it in a
       * worker: prepare again on what is left, so it is not written here. */
      guint prepared = GPOINTER_TO_UINT (dp_batch_get_data (b, st));
      if (info->prepare && prepared != dp_batch_get_size (b) + 1)
        {
          StageStats scratch = { 0 };
          if (!run_stage (r, s, st->instances[0], b, &scratch, info->prepare))
            break;
          r->stats[s].usec += scratch.usec;
          r->stats[s].failed += scratch.failed;
        }
      if (!run_stage (r, s, st->instances[0], b, &r->stats[s], info->process))
        break;
    }
  /* What is left went through every sink; done once the sinks commit. */
  if (r->state && !failing_batch)
    dp_state_add_done (r->state, b);
  write_dead (r, b);
  note_progress (r, b, !failing_batch);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gpointer
sink_thread (gpointer data)
{
  DpRunner *r = data;
  g_autoptr (GHashTable) pending = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint64 next = 0, total = G_MAXUINT64;
  while (next < total)
    {
      DpBatch *b = g_async_queue_pop (r->done);
      if (b == g_atomic_pointer_get (&r->end_batch))
        {
          total = dp_batch_get_seq (b);
          dp_batch_free (b);
        }
      else
        g_hash_table_insert (pending, GSIZE_TO_POINTER (dp_batch_get_seq (b)), b);
      while ((b = g_hash_table_lookup (pending, GSIZE_TO_POINTER (next))))
        {
          g_hash_table_remove (pending, GSIZE_TO_POINTER (next));
          deliver (r, b);
          dp_batch_free (b);
          give_slot (r);
          next++;
        }
    }
  g_idle_add (quit_loop, r->loop);
  return NULL;
}

/* ---- signals, progress, the run ------------------------------------------- */

static gboolean
on_signal (DpRunner *r, int signum)
{
  if (g_atomic_int_get (&r->stopping))
    {
      g_printerr ("\ndocpipe: interrupted again; exiting without flushing\n");
      _exit (signum == SIGINT ? DP_EXIT_SIGINT : DP_EXIT_SIGTERM);
    }
  if (!r->opts.quiet)
    g_printerr ("docpipe: %s received; finishing the records in flight (again to abort)\n",
                signum == SIGINT ? "SIGINT" : "SIGTERM");
  g_mutex_lock (&r->lock);
  r->signal = signum;
  g_atomic_int_set (&r->stopping, 1);
  g_atomic_int_set (&r->cancel, 1);
  g_cond_broadcast (&r->slot_freed);
  g_mutex_unlock (&r->lock);
  return G_SOURCE_CONTINUE;
}

static gboolean on_sigint (gpointer data) { return on_signal (data, SIGINT); }
static gboolean on_sigterm (gpointer data) { return on_signal (data, SIGTERM); }

static double
elapsed (DpRunner *r)
{
  return (g_get_monotonic_time () - r->start_usec) / 1e6;
}

static void
progress_counts (DpRunner *r, DpProgressCounts *c)
{
  g_mutex_lock (&r->lock);
  *c = r->shown;
  g_mutex_unlock (&r->lock);
  c->seconds = elapsed (r);
}

static gboolean
on_tick (gpointer data)
{
  DpRunner *r = data;
  DpProgressCounts c;
  progress_counts (r, &c);
  dp_progress_update (r->opts.progress, &c);
  return G_SOURCE_CONTINUE;
}

static void
merge_stats (DpRunner *r)
{
  for (guint w = 0; w < r->n_workers; w++)
    for (guint s = 0; s < r->n_stages; s++)
      {
        StageStats *from = &r->workers[w].stats[s], *to = &r->stats[s];
        to->in += from->in;
        to->out += from->out;
        to->failed += from->failed;
        to->usec += from->usec;
      }
  /* The source's "in" is what it read; what survived decoding is its "out". */
  r->stats[0].in = r->stats[0].out;
  r->stats[0].out -= r->stats[0].failed;
}

static void
finish_all (DpRunner *r)
{
  for (guint s = 0; s < r->n_stages; s++)
    {
      Stage *st = &r->stages[s];
      const DpStageInfo *info = st->config->ref->info;
      for (guint w = 0; info->finish && w < st->n_instances; w++)
        {
          GError *error = NULL;
          gint64 t0 = g_get_monotonic_time ();
          if (!info->finish (st->instances[w], &error))
            set_fatal (r, 0, st->config->name,
                       error ? error : g_error_new_literal (DP_CONFIG_ERROR, 0, "finish failed"));
          r->stats[s].usec += g_get_monotonic_time () - t0;
        }
    }
}

static int
exit_code (DpRunner *r)
{
  if (r->dead_error)
    return DP_EXIT_DEAD_LETTERS_LOST;
  if (r->fatal)
    return DP_EXIT_FAILURE;
  if (r->signal)
    return r->signal == SIGINT ? DP_EXIT_SIGINT : DP_EXIT_SIGTERM;
  return r->dead ? DP_EXIT_DEAD_LETTERS : DP_EXIT_OK;
}

static gboolean
write_stats (DpRunner *r, double seconds, int code, GError **error)
{
  g_autoptr (JsonBuilder) jb = json_builder_new ();
  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "pipeline");
  json_builder_add_string_value (jb, dp_params_get_string (r->pipeline->settings, "name"));
  json_builder_set_member_name (jb, "exit_code");
  json_builder_add_int_value (jb, code);
  json_builder_set_member_name (jb, "workers");
  json_builder_add_int_value (jb, r->n_workers);
  json_builder_set_member_name (jb, "seconds");
  json_builder_add_double_value (jb, seconds);
  json_builder_set_member_name (jb, "records_in");
  json_builder_add_int_value (jb, (gint64) r->stats[0].in);
  json_builder_set_member_name (jb, "records_out");
  json_builder_add_int_value (jb, (gint64) r->shown.records);
  json_builder_set_member_name (jb, "inputs_skipped");
  json_builder_add_int_value (jb, (gint64) r->stats[0].skipped);
  json_builder_set_member_name (jb, "records_failed");
  json_builder_add_int_value (jb, (gint64) (r->dead + r->dead_lost));
  json_builder_set_member_name (jb, "records_failed_unsaved");
  json_builder_add_int_value (jb, (gint64) r->dead_lost);
  json_builder_set_member_name (jb, "records_skipped");
  json_builder_add_int_value (jb, (gint64) r->skipped);
  json_builder_set_member_name (jb, "records_other_shards");
  json_builder_add_int_value (jb, (gint64) r->other_shards);
  json_builder_set_member_name (jb, "text_bytes_out");
  json_builder_add_int_value (jb, (gint64) r->shown.text_bytes);
  json_builder_set_member_name (jb, "records_per_second");
  json_builder_add_double_value (jb, seconds > 0 ? r->shown.records / seconds : 0);
  json_builder_set_member_name (jb, "mb_per_second");
  json_builder_add_double_value (jb, seconds > 0 ? r->shown.text_bytes / 1e6 / seconds : 0);
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  json_builder_set_member_name (jb, "peak_rss_kb");
  json_builder_add_int_value (jb, ru.ru_maxrss);
  json_builder_set_member_name (jb, "stages");
  json_builder_begin_array (jb);
  for (guint s = 0; s < r->n_stages; s++)
    {
      json_builder_begin_object (jb);
      json_builder_set_member_name (jb, "name");
      json_builder_add_string_value (jb, r->stages[s].config->name);
      json_builder_set_member_name (jb, "plugin");
      json_builder_add_string_value (jb, r->stages[s].config->ref->info->name);
      json_builder_set_member_name (jb, "records_in");
      json_builder_add_int_value (jb, (gint64) r->stats[s].in);
      json_builder_set_member_name (jb, "records_out");
      json_builder_add_int_value (jb, (gint64) r->stats[s].out);
      json_builder_set_member_name (jb, "records_failed");
      json_builder_add_int_value (jb, (gint64) r->stats[s].failed);
      json_builder_set_member_name (jb, "seconds");
      json_builder_add_double_value (jb, r->stats[s].usec / 1e6);
      json_builder_end_object (jb);
    }
  json_builder_end_array (jb);
  json_builder_end_object (jb);
  g_autoptr (JsonNode) root = json_builder_get_root (jb);
  g_autofree char *text = json_to_string (root, TRUE);
  g_autofree char *line = g_strconcat (text, "\n", NULL);
  g_autoptr (DpOutput) out = dp_output_open (r->opts.stats_path, DP_OUTPUT_REPLACE, error);
  return out && dp_output_write (out, line, strlen (line), error) && dp_output_commit (out, error);
}

/* The summary of an incremental or sharded run; the state learns which
 * documents are done only now, once every sink has committed its output
 * (state.c says why).  Returns the exit code, 1 if the state failed. */
static int
end_selection (DpRunner *r, int code)
{
  if (!r->state && !r->shard_n)
    return code;
  guint64 failed = r->dead + r->dead_lost;
  if (!r->opts.quiet)
    {
      g_autoptr (GString) line = g_string_new (NULL);
      g_string_printf (line, "docpipe: %" G_GUINT64_FORMAT " document%s read: %" G_GUINT64_FORMAT " processed",
                       r->stats[0].in, r->stats[0].in == 1 ? "" : "s", r->shown.records);
      if (r->state)
        g_string_append_printf (line, ", %" G_GSIZE_FORMAT " skipped (done before; state %s%s)", r->skipped,
                                dp_state_get_path (r->state), r->opts.full ? ", --full" : "");
      if (r->shard_n)
        g_string_append_printf (line, ", %" G_GSIZE_FORMAT " in other shards (shard %u/%u)", r->other_shards,
                                r->shard_k, r->shard_n);
      g_string_append_printf (line, ", %" G_GUINT64_FORMAT " failed", failed);
      g_printerr ("%s\n", line->str);
    }
  g_autoptr (GError) error = NULL;
  DpStateRunSummary sum = { r->stats[0].in, r->shown.records, r->skipped, failed, r->other_shards, code };
  if (r->state && r->fatal && !r->opts.quiet)
    g_printerr ("docpipe: the run failed: state %s is not updated; its documents will be processed again\n",
                dp_state_get_path (r->state));
  if (r->state && !dp_state_end_run (r->state, !r->fatal, &sum, &error))
    {
      g_autofree char *why = dp_log_escape (error->message, FALSE);
      g_printerr ("docpipe: error: %s; the documents of this run will be processed again\n", why);
      if (code == DP_EXIT_OK || code == DP_EXIT_DEAD_LETTERS)
        code = DP_EXIT_FAILURE;
    }
  return code;
}

int
dp_runner_run (DpRunner *r)
{
  g_debug ("running '%s': %u workers, batches of %u, at most %u batches in flight",
           dp_params_get_string (r->pipeline->settings, "name"), r->n_workers, r->batch_size,
           r->max_in_flight);
  r->loop = g_main_loop_new (NULL, FALSE);
  guint sigint = g_unix_signal_add (SIGINT, on_sigint, r);
  guint sigterm = g_unix_signal_add (SIGTERM, on_sigterm, r);
  guint tick = r->opts.progress ? g_timeout_add (dp_progress_interval (r->opts.progress), on_tick, r) : 0;
  r->start_usec = g_get_monotonic_time ();

  r->workers = g_new0 (Worker, r->n_workers);
  GThread *source = g_thread_new ("dp-source", source_thread, r);
  for (guint w = 0; w < r->n_workers; w++)
    {
      r->workers[w].runner = r;
      r->workers[w].index = w;
      r->workers[w].stats = g_new0 (StageStats, r->n_stages);
      r->workers[w].thread = g_thread_new ("dp-worker", worker_thread, &r->workers[w]);
    }
  GThread *sink = g_thread_new ("dp-sink", sink_thread, r);
  g_main_loop_run (r->loop);

  g_thread_join (sink);
  g_thread_join (source);
  for (guint w = 0; w < r->n_workers; w++)
    g_thread_join (r->workers[w].thread);
  merge_stats (r);
  r->finishing = TRUE;
  finish_all (r);
  r->finishing = FALSE;
  /* For tests only (tests/test-writer-kill.c, docs/reliability.md): die as a
   * SIGKILL would between the writers' renames and the state's update. */
  if (r->state && g_strcmp0 (g_getenv ("DOCPIPE_TEST_DIE_AFTER_COMMIT"), "1") == 0)
    raise (SIGKILL);
  commit_dead (r);
  double seconds = elapsed (r);
  if (tick)
    {
      DpProgressCounts c;
      progress_counts (r, &c);
      dp_progress_finish (r->opts.progress, &c);
      g_source_remove (tick);
    }
  g_main_loop_unref (r->loop);
  for (guint w = 0; w < r->n_workers; w++)
    g_free (r->workers[w].stats);

  /* A stage's message may quote a record: one line, whatever the record holds. */
  if (r->fatal_error)
    {
      g_autofree char *why = dp_log_escape (r->fatal_error->message, FALSE);
      g_printerr ("docpipe: error: stage '%s': %s\n", r->fatal_stage, why);
    }
  if (r->dead_error && r->dead_lost)
    g_printerr ("docpipe: error: cannot save dead letters: %s; %" G_GUINT64_FORMAT " failed record%s lost\n",
                r->dead_error->message, r->dead_lost, r->dead_lost == 1 ? "" : "s");
  else if (r->dead_error)
    g_printerr ("docpipe: error: cannot save dead letters: %s\n", r->dead_error->message);
  else if (r->dead && !r->opts.quiet)
    g_printerr ("docpipe: %" G_GUINT64_FORMAT " record%s failed; see %s\n", r->dead,
                r->dead == 1 ? "" : "s", strcmp (r->dead_path, "-") ? r->dead_path : "stderr");
  int code = end_selection (r, exit_code (r));
  g_autoptr (GError) error = NULL;
  if (r->opts.stats_path && !write_stats (r, seconds, code, &error))
    {
      g_printerr ("docpipe: error: cannot write stats: %s\n", error->message);
      /* 1 wins over a signal's code and over 3 (dead letters); only 4 wins over it. */
      if (code != DP_EXIT_DEAD_LETTERS_LOST)
        code = DP_EXIT_FAILURE;
    }
  /* Only now: removing the last source of a signal gives it back its default
   * action, and a SIGTERM between the writer's rename and the state's update
   * would then kill the run with its documents written but not marked done
   * (written again by the next run).  Until here a signal that comes after
   * reading stopped waits, undispatched: the run ends as it would have. */
  g_source_remove (sigint);
  g_source_remove (sigterm);
  return code;
}
