/* state.c — incremental runs: which documents a pipeline has already processed.
 *
 * The state is an SQLite file (schema in docs/operations.md).  A document is
 * done when a run of the same pipeline (the same fingerprint) processed the
 * same id with the same content (hash) and every sink took it.  Workers look
 * documents up right after decoding and drop the done ones before any
 * transform; the sink thread notes the ones every sink took.
 *
 * When the state is written: a run's output is only final when the sinks
 * finish (the writer renames its temporary file over the target then; a
 * killed run leaves the old file).  So documents the sinks took go to a
 * TEMPORARY table, one transaction per batch, and move into the state in one
 * transaction after every sink finished without error.  A run killed at any
 * moment leaves the state as it was (its temporary table dies with its
 * connection): the state never says done of a document whose output was
 * lost; the next run does the killed run's documents again.  A run that fails
 * (exit 1 or 4) marks nothing either.  Dead-lettered documents never reach
 * the sinks, so they are retried by the next run.
 *
 * A run killed while it commits: between the writer's rename and the end of
 * the run's transaction, the output is complete but the state knows nothing
 * of it.  So just before each rename (the runner's hook on DpOutput,
 * output-private.h) the run records, in one transaction, the target and its
 * temporary file's identity (device, inode, size, mtime: a rename keeps
 * them), the targets it has opened and not yet renamed (no identity yet), and
 * the first time its done documents (state_pending).  The run's end deletes
 * these rows.  The next run to open the state finds rows of a run that never
 * finished: if every target it recorded now is the very file it renamed,
 * its output is complete and its documents become done; otherwise (killed
 * before a rename, or a file replaced since) they are not.  The rows go
 * either way.  A run still alive and committing may be seen too: dropping
 * its rows does not change what its own end marks (its temporary table),
 * and its later commits record themselves (and its documents) again.
 *
 * Several runs may share one state file on one machine (shards run side by
 * side): SQLite's locks serialise their writes, WAL lets them read meanwhile.
 */
#include <sys/stat.h>
#include "state.h"
#include "batch-private.h"
#include "record-private.h"
#include "core.h"

#include <sqlite3.h>
#include <string.h>

#define STATE_SCHEMA "1"
/* How long a run waits for another run holding the state file's write lock. */
#define BUSY_TIMEOUT_MS 60000

#define DP_STATE_ERROR (dp_state_error_quark ())
static GQuark dp_state_error_quark (void);
G_DEFINE_QUARK (dp-state-error-quark, dp_state_error)

struct _DpState {
  char *path;
  sqlite3 *db;
  GMutex lock;             /* one connection: workers look up, the sink thread adds */
  sqlite3_stmt *lookup, *add;
  char *fingerprint;
  gboolean full;
  gint64 run;              /* this run's row in state_runs */
  GError *error;           /* the first failure during the run (under lock) */
};

static const char schema_sql[] =
  "CREATE TABLE IF NOT EXISTS state_info ("
  "  key TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "INSERT OR IGNORE INTO state_info VALUES ('schema', '" STATE_SCHEMA "');"
  "CREATE TABLE IF NOT EXISTS state_runs ("
  "  id INTEGER PRIMARY KEY, pipeline TEXT NOT NULL, fingerprint TEXT NOT NULL, shard TEXT,"
  "  full INTEGER NOT NULL, started TEXT NOT NULL, finished TEXT, exit_code INTEGER,"
  "  read INTEGER, processed INTEGER, skipped INTEGER, failed INTEGER, other_shards INTEGER,"
  "  marked_done INTEGER);"
  "CREATE TABLE IF NOT EXISTS state_documents ("
  "  id TEXT PRIMARY KEY, hash TEXT NOT NULL, fingerprint TEXT NOT NULL,"
  "  run INTEGER NOT NULL REFERENCES state_runs (id), done TEXT NOT NULL);"
  /* A run that is replacing its output files (see "A run killed while it
   * commits" below); both emptied by the run's end or the next run's start. */
  "CREATE TABLE IF NOT EXISTS state_commits ("
  "  run INTEGER NOT NULL REFERENCES state_runs (id), target TEXT NOT NULL,"
  "  dev INTEGER, ino INTEGER, size INTEGER, mtime_ns INTEGER, PRIMARY KEY (run, target));"
  "CREATE TABLE IF NOT EXISTS state_pending ("
  "  run INTEGER NOT NULL REFERENCES state_runs (id), id TEXT NOT NULL, hash TEXT NOT NULL,"
  "  PRIMARY KEY (run, id));";

/* ---- hashes ----------------------------------------------------------------- */

/* Each value as its type reads it, so "5" and "05" are the same setting. */
static void
put_param (GString *desc, const DpParamSpec *spec, const DpParamValue *v)
{
  g_string_append_printf (desc, "  %s", spec->name);
  if (!v->set)
    {
      g_string_append (desc, " unset\n");
      return;
    }
  char num[G_ASCII_DTOSTR_BUF_SIZE];
  const char *text = v->str;
  if (spec->type == DP_PARAM_INT)
    {
      g_snprintf (num, sizeof num, "%" G_GINT64_FORMAT, v->i);
      text = num;
    }
  else if (spec->type == DP_PARAM_DOUBLE)
    text = g_ascii_dtostr (num, sizeof num, v->d);
  else if (spec->type == DP_PARAM_BOOL)
    text = v->b ? "true" : "false";
  else if (spec->type == DP_PARAM_ENUM)
    text = spec->choices[v->e];
  /* Length-prefixed: no value can pass for another's end. */
  g_string_append_printf (desc, "=%zu:%s\n", strlen (text ? text : ""), text ? text : "");
}

/* Where documents come from and where output goes do not change what a
 * document's output is: moving the corpus or writing each run's output to a
 * new file must not make every document new. */
static gboolean
is_location (const DpStageInfo *info, const DpParamSpec *spec)
{
  if (spec->type != DP_PARAM_PATH)
    return FALSE;
  return (spec->flags & DP_PARAM_OUTPUT)
         || (info->kind == DP_STAGE_SOURCE && (spec->flags & DP_PARAM_INPUT));
}

char *
dp_state_fingerprint (const DpPipeline *pl)
{
  g_autoptr (GString) desc = g_string_new ("docpipe pipeline fingerprint " STATE_SCHEMA "\n");
  for (guint s = 0; s < pl->stages->len; s++)
    {
      const DpStageConfig *sc = g_ptr_array_index (pl->stages, s);
      const DpStageInfo *info = sc->ref->info;
      const DpPluginDescriptor *d = sc->ref->plugin->descriptor;
      g_string_append_printf (desc, "stage %s of plugin %s %s\n", info->name, d->name, d->version);
      const DpParams *params = sc->params;
      for (guint i = 0; i < params->n; i++)
        if (!is_location (info, &params->specs[i]))
          put_param (desc, &params->specs[i], &params->values[i]);
    }
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, desc->str, desc->len);
}

char *
dp_state_content_hash (DpRecord *rec)
{
  /* Where the document was found is not its content. */
  char *source = rec->source;
  rec->source = NULL;
  g_autoptr (GString) json = g_string_sized_new (rec->len + 256);
  dp_record_to_json (rec, json, DP_JSON_DEFAULT);
  rec->source = source;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) json->str, json->len);
}

/* ---- SQLite ------------------------------------------------------------------ */

static gboolean
sql_error (DpState *st, const char *what, GError **error)
{
  g_set_error (error, DP_STATE_ERROR, sqlite3_errcode (st->db), "state %s: %s: %s", st->path, what,
               sqlite3_errmsg (st->db));
  return FALSE;
}

static gboolean
exec (DpState *st, const char *sql, const char *what, GError **error)
{
  return sqlite3_exec (st->db, sql, NULL, NULL, NULL) == SQLITE_OK || sql_error (st, what, error);
}

static gboolean
prepare (DpState *st, const char *sql, sqlite3_stmt **stmt, GError **error)
{
  return sqlite3_prepare_v2 (st->db, sql, -1, stmt, NULL) == SQLITE_OK
         || sql_error (st, "preparing a statement", error);
}

/* Runs a statement that returns no rows, then frees it. */
static gboolean
step_once (DpState *st, sqlite3_stmt *stmt, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);
  gboolean ok = rc == SQLITE_DONE || rc == SQLITE_ROW || sql_error (st, what, error);
  sqlite3_finalize (stmt);
  return ok;
}

static gboolean
rollback (DpState *st)
{
  sqlite3_exec (st->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

static char *
now_iso8601 (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

/* A file another docpipe wrote with a newer layout is refused rather than misread. */
static gboolean
check_schema (DpState *st, GError **error)
{
  sqlite3_stmt *stmt;
  if (!prepare (st, "SELECT value FROM state_info WHERE key = 'schema'", &stmt, error))
    return FALSE;
  gboolean ok = sqlite3_step (stmt) == SQLITE_ROW
                && g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), STATE_SCHEMA) == 0;
  if (!ok)
    g_set_error (error, DP_STATE_ERROR, 0, "state %s: written with state schema '%s'; this docpipe reads '%s'",
                 st->path, sqlite3_column_text (stmt, 0) ? (const char *) sqlite3_column_text (stmt, 0) : "?",
                 STATE_SCHEMA);
  sqlite3_finalize (stmt);
  return ok;
}

/* ---- runs killed while they committed --------------------------------------- */

/* Sets @complete: whether every target run @run recorded is the file it renamed there. */
static gboolean
commits_complete (DpState *st, gint64 run, gboolean *complete_out, GError **error)
{
  sqlite3_stmt *stmt;
  if (!prepare (st, "SELECT target, dev, ino, size, mtime_ns FROM state_commits WHERE run = ?1", &stmt, error))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run);
  gboolean complete = TRUE;
  while (complete && sqlite3_step (stmt) == SQLITE_ROW)
    {
      struct stat now;
      complete = sqlite3_column_type (stmt, 2) != SQLITE_NULL
                 && stat ((const char *) sqlite3_column_text (stmt, 0), &now) == 0
                 && sqlite3_column_int64 (stmt, 1) == (sqlite3_int64) now.st_dev
                 && sqlite3_column_int64 (stmt, 2) == (sqlite3_int64) now.st_ino
                 && sqlite3_column_int64 (stmt, 3) == (sqlite3_int64) now.st_size
                 && sqlite3_column_int64 (stmt, 4) == (sqlite3_int64) now.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000)
                                                        + now.st_mtim.tv_nsec;
    }
  sqlite3_finalize (stmt);
  *complete_out = complete;
  return TRUE;
}

static gboolean
run_statement (DpState *st, const char *sql, gint64 run, const char *text, const char *what, GError **error)
{
  sqlite3_stmt *stmt;
  if (!prepare (st, sql, &stmt, error))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run);
  if (text)
    sqlite3_bind_text (stmt, 2, text, -1, SQLITE_TRANSIENT);
  return step_once (st, stmt, what, error);
}

/* Inside begin_run's transaction: settles the runs that died committing. */
static gboolean
recover_commits (DpState *st, GError **error)
{
  sqlite3_stmt *stmt;
  if (!prepare (st, "SELECT DISTINCT c.run FROM state_commits c JOIN state_runs r ON r.id = c.run"
                    " WHERE r.finished IS NULL", &stmt, error))
    return FALSE;
  g_autoptr (GArray) runs = g_array_new (FALSE, FALSE, sizeof (gint64));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 run = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (runs, run);
    }
  sqlite3_finalize (stmt);
  g_autofree char *now = now_iso8601 ();
  for (guint i = 0; i < runs->len; i++)
    {
      gint64 run = g_array_index (runs, gint64, i);
      gboolean complete;
      if (!commits_complete (st, run, &complete, error))
        return FALSE;
      if (complete
          && (!run_statement (st, "INSERT OR REPLACE INTO state_documents (id, hash, fingerprint, run, done)"
                                  " SELECT p.id, p.hash, r.fingerprint, p.run, ?2 FROM state_pending p"
                                  " JOIN state_runs r ON r.id = p.run WHERE p.run = ?1",
                              run, now, "marking a killed run's documents done", error)
              || !run_statement (st, "UPDATE state_runs SET marked_done = changes () WHERE id = ?1", run, NULL,
                                 "noting a killed run's documents", error)))
        return FALSE;
      g_debug ("state %s: run %" G_GINT64_FORMAT " died committing; its output is %s", st->path, run,
               complete ? "complete: its documents are done" : "not complete: its documents are not done");
      if (!run_statement (st, "DELETE FROM state_pending WHERE run = ?1", run, NULL, "settling a killed run", error)
          || !run_statement (st, "DELETE FROM state_commits WHERE run = ?1", run, NULL, "settling a killed run",
                             error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
begin_run (DpState *st, const DpPipeline *pl, const char *shard, GError **error)
{
  if (!exec (st, "BEGIN IMMEDIATE", "locking", error))
    return FALSE;
  if (!exec (st, schema_sql, "creating the tables", error) || !check_schema (st, error)
      || !recover_commits (st, error))
    return rollback (st);
  sqlite3_stmt *stmt;
  if (!prepare (st, "INSERT INTO state_runs (pipeline, fingerprint, shard, full, started) "
                    "VALUES (?1, ?2, ?3, ?4, ?5)", &stmt, error))
    return rollback (st);
  g_autofree char *now = now_iso8601 ();
  sqlite3_bind_text (stmt, 1, dp_params_get_string (pl->settings, "name"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, st->fingerprint, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, shard, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 4, st->full);
  sqlite3_bind_text (stmt, 5, now, -1, SQLITE_STATIC);
  if (!step_once (st, stmt, "noting the run", error))
    return rollback (st);
  st->run = sqlite3_last_insert_rowid (st->db);
  return exec (st, "COMMIT", "noting the run", error);
}

DpState *
dp_state_open (const char *path, const DpPipeline *pl, gboolean full, const char *shard,
               GError **error)
{
  if (strcmp (path, "-") == 0)
    {
      g_set_error (error, DP_STATE_ERROR, 0, "state: '-' is not a file; give the state file's path");
      return NULL;
    }
  g_autoptr (DpState) st = g_new0 (DpState, 1);
  g_mutex_init (&st->lock);
  st->path = g_strdup (path);
  st->full = full;
  st->fingerprint = dp_state_fingerprint (pl);
  if (sqlite3_open_v2 (path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                       NULL) != SQLITE_OK)
    {
      sql_error (st, "opening", error);
      return NULL;
    }
  sqlite3_busy_timeout (st->db, BUSY_TIMEOUT_MS);
  /* WAL lets runs sharing the file look documents up while one commits; a
   * file system without shared memory keeps the rollback journal, which works too. */
  if (!exec (st, "PRAGMA journal_mode = WAL", "opening", error)
      || !begin_run (st, pl, shard, error)
      || !exec (st, "CREATE TEMPORARY TABLE state_done (id TEXT PRIMARY KEY, hash TEXT NOT NULL)",
                "creating the run's table", error)
      || !prepare (st, "SELECT 1 FROM state_documents WHERE id = ?1 AND hash = ?2 AND fingerprint = ?3",
                   &st->lookup, error)
      || !prepare (st, "INSERT OR REPLACE INTO temp.state_done (id, hash) VALUES (?1, ?2)", &st->add, error))
    return NULL;
  sqlite3_bind_text (st->lookup, 3, st->fingerprint, -1, SQLITE_STATIC);
  return g_steal_pointer (&st);
}

const char *dp_state_get_path (const DpState *st) { return st->path; }

/* Under lock: keeps the first failure, which dp_state_end_run() reports. */
static void
note_error (DpState *st, const char *what)
{
  if (!st->error)
    sql_error (st, what, &st->error);
}

/* ---- during the run -------------------------------------------------------- */

typedef struct {
  DpState *st;
  GHashTable *hashes;    /* DpRecord* -> its content hash */
} Selection;

/* Under lock. */
static gboolean
keep_unless_done (DpRecord *rec, gpointer data)
{
  Selection *sel = data;
  DpState *st = sel->st;
  sqlite3_bind_text (st->lookup, 1, dp_record_get_id (rec), -1, SQLITE_STATIC);
  sqlite3_bind_text (st->lookup, 2, g_hash_table_lookup (sel->hashes, rec), -1, SQLITE_STATIC);
  int rc = sqlite3_step (st->lookup);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    note_error (st, "looking a document up");
  sqlite3_reset (st->lookup);
  if (rc != SQLITE_ROW)
    return TRUE;
  g_hash_table_remove (sel->hashes, rec);
  return FALSE;
}

guint
dp_state_select (DpState *st, DpBatch *batch)
{
  /* Hashing is the costly part, and needs no lock. */
  GHashTable *hashes = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  for (guint i = 0; i < dp_batch_get_size (batch); i++)
    {
      DpRecord *rec = dp_batch_get (batch, i);
      g_hash_table_insert (hashes, rec, dp_state_content_hash (rec));
    }
  guint dropped = 0;
  if (!st->full)
    {
      Selection sel = { st, hashes };
      g_mutex_lock (&st->lock);
      /* One read transaction per batch: one file lock instead of one per document. */
      gboolean in_transaction = sqlite3_exec (st->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
      dropped = dp_batch_drop (batch, keep_unless_done, &sel);
      if (in_transaction)
        sqlite3_exec (st->db, "COMMIT", NULL, NULL, NULL);
      g_mutex_unlock (&st->lock);
    }
  dp_batch_set_data (batch, st, hashes, (GDestroyNotify) g_hash_table_unref);
  return dropped;
}

/* Under lock. */
static gboolean
add_batch (DpState *st, DpBatch *batch, GHashTable *hashes)
{
  if (sqlite3_exec (st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
    return FALSE;
  for (guint i = 0; i < dp_batch_get_size (batch); i++)
    {
      DpRecord *rec = dp_batch_get (batch, i);
      const char *hash = g_hash_table_lookup (hashes, rec);
      if (!hash)
        continue;
      sqlite3_bind_text (st->add, 1, dp_record_get_id (rec), -1, SQLITE_STATIC);
      sqlite3_bind_text (st->add, 2, hash, -1, SQLITE_STATIC);
      int rc = sqlite3_step (st->add);
      sqlite3_reset (st->add);
      if (rc != SQLITE_DONE)
        return FALSE;
    }
  return sqlite3_exec (st->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
}

void
dp_state_add_done (DpState *st, DpBatch *batch)
{
  GHashTable *hashes = dp_batch_get_data (batch, st);
  if (!hashes || dp_batch_get_size (batch) == 0)
    return;
  g_mutex_lock (&st->lock);
  if (!st->error && !add_batch (st, batch, hashes))
    {
      note_error (st, "noting processed documents");
      rollback (st);
    }
  g_mutex_unlock (&st->lock);
}

/* ---- commits (see "A run killed while it commits" above) ------------------------- */

static gboolean
forget_commits (DpState *st, GError **error)
{
  return run_statement (st, "DELETE FROM state_pending WHERE run = ?1", st->run, NULL, "forgetting commits", error)
         && run_statement (st, "DELETE FROM state_commits WHERE run = ?1", st->run, NULL, "forgetting commits",
                           error);
}

static gboolean
note_target (DpState *st, const char *target, const struct stat *sb, GError **error)
{
  sqlite3_stmt *stmt;
  if (!prepare (st, sb ? "INSERT OR REPLACE INTO state_commits VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                       : "INSERT OR IGNORE INTO state_commits (run, target) VALUES (?1, ?2)", &stmt, error))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, st->run);
  sqlite3_bind_text (stmt, 2, target, -1, SQLITE_STATIC);
  if (sb)
    {
      sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) sb->st_dev);
      sqlite3_bind_int64 (stmt, 4, (sqlite3_int64) sb->st_ino);
      sqlite3_bind_int64 (stmt, 5, (sqlite3_int64) sb->st_size);
      sqlite3_bind_int64 (stmt, 6, (sqlite3_int64) sb->st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000)
                                   + sb->st_mtim.tv_nsec);
    }
  return step_once (st, stmt, "noting an output", error);
}

/* The run's done documents, unless they are there already (a run that is
 * seen committing by another's start may have lost them). */
static gboolean
note_pending (DpState *st, GError **error)
{
  sqlite3_stmt *stmt;
  if (!prepare (st, "SELECT EXISTS (SELECT 1 FROM state_pending WHERE run = ?1)", &stmt, error))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, st->run);
  gboolean there = sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return there
         || run_statement (st, "INSERT INTO state_pending (run, id, hash) SELECT ?1, id, hash FROM temp.state_done",
                           st->run, NULL, "noting the run's documents", error);
}

gboolean
dp_state_prepare_commit (DpState *st, const char *target, const struct stat *sb, const char *const *others,
                         GError **error)
{
  if (!exec (st, "BEGIN IMMEDIATE", "locking", error))
    return FALSE;
  if (!note_target (st, target, sb, error))
    return rollback (st);
  for (guint i = 0; others && others[i]; i++)
    if (!note_target (st, others[i], NULL, error))
      return rollback (st);
  if (!note_pending (st, error) || !exec (st, "COMMIT", "noting an output", error))
    return rollback (st);
  return TRUE;
}

gboolean
dp_state_cancel_commits (DpState *st, GError **error)
{
  if (!exec (st, "BEGIN IMMEDIATE", "locking", error))
    return FALSE;
  if (!forget_commits (st, error) || !exec (st, "COMMIT", "forgetting commits", error))
    return rollback (st);
  return TRUE;
}

/* ---- the end ----------------------------------------------------------------- */

static gboolean
mark_done (DpState *st, const char *now, GError **error)
{
  sqlite3_stmt *stmt;
  if (!prepare (st, "INSERT OR REPLACE INTO state_documents (id, hash, fingerprint, run, done) "
                    "SELECT id, hash, ?1, ?2, ?3 FROM temp.state_done", &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, st->fingerprint, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, st->run);
  sqlite3_bind_text (stmt, 3, now, -1, SQLITE_STATIC);
  return step_once (st, stmt, "marking documents done", error);
}

static gboolean
note_summary (DpState *st, const char *now, const DpStateRunSummary *sum, gint64 marked,
              GError **error)
{
  sqlite3_stmt *stmt;
  if (!prepare (st, "UPDATE state_runs SET finished = ?1, exit_code = ?2, read = ?3, processed = ?4,"
                    " skipped = ?5, failed = ?6, other_shards = ?7, marked_done = ?8 WHERE id = ?9",
                &stmt, error))
    return FALSE;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, sum->exit_code);
  sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) sum->read);
  sqlite3_bind_int64 (stmt, 4, (sqlite3_int64) sum->processed);
  sqlite3_bind_int64 (stmt, 5, (sqlite3_int64) sum->skipped);
  sqlite3_bind_int64 (stmt, 6, (sqlite3_int64) sum->failed);
  sqlite3_bind_int64 (stmt, 7, (sqlite3_int64) sum->other_shards);
  sqlite3_bind_int64 (stmt, 8, marked);
  sqlite3_bind_int64 (stmt, 9, st->run);
  return step_once (st, stmt, "noting the run's end", error);
}

gboolean
dp_state_end_run (DpState *st, gboolean output_committed, const DpStateRunSummary *summary,
                  GError **error)
{
  /* The threads are gone: no lock needed. */
  gboolean mark = output_committed && !st->error;
  g_autofree char *now = now_iso8601 ();
  if (!exec (st, "BEGIN IMMEDIATE", "locking", error))
    return FALSE;
  if (mark && !mark_done (st, now, error))
    return rollback (st);
  gint64 marked = mark ? sqlite3_changes (st->db) : 0;
  if (!note_summary (st, now, summary, marked, error) || !forget_commits (st, error)
      || !exec (st, "COMMIT", "committing", error))
    return rollback (st);
  if (st->error)
    {
      g_propagate_error (error, g_steal_pointer (&st->error));
      return FALSE;
    }
  return TRUE;
}

void
dp_state_free (DpState *st)
{
  if (!st)
    return;
  sqlite3_finalize (st->lookup);
  sqlite3_finalize (st->add);
  sqlite3_close (st->db);
  g_mutex_clear (&st->lock);
  g_clear_error (&st->error);
  g_free (st->fingerprint);
  g_free (st->path);
  g_free (st);
}
