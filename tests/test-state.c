/* test-state.c — incremental runs and sharding in process: K/N parsing, the
 * published shard formula, dropping records from a batch, the pipeline
 * fingerprint, content hashes, and the state file's life cycle (what a run
 * that never commits its output, or is killed, leaves behind; a run that
 * starts while another commits).  The same
 * features through the docpipe binary are in test-incremental.c. */
#include "state.h"
#include "shard.h"
#include "batch-private.h"
#include "core.h"
#include "test-util.h"

#include "test-sqlite.h"

#include <glib/gstdio.h>

/* ---- shards ------------------------------------------------------------------ */

static void
test_shard_parse (void)
{
  const struct { const char *text; guint k, n; } good[] = {
    { "0/1", 0, 1 }, { "3/4", 3, 4 }, { "0/1000000", 0, 1000000 }, { "07/10", 7, 10 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      guint k = 99, n = 99;
      g_autoptr (GError) error = NULL;
      g_assert_true (dp_shard_parse (good[i].text, &k, &n, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (k, ==, good[i].k);
      g_assert_cmpuint (n, ==, good[i].n);
    }
  const char *const bad[] = { "", "4/4", "5/4", "1", "a/b", "1/b", "-1/3", "1/-3", "+1/3", "1/0", "0/0",
                              "0/1000001", " 1/3", "1/3 ", "1/3/5", "1.0/3", "99999999999999999999/3" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_false (dp_shard_parse (bad[i], NULL, NULL, &error));
      g_assert_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_VALUE);
      /* The message quotes the value it refuses. */
      g_autofree char *quoted = g_strdup_printf ("'%s'", bad[i]);
      g_assert_nonnull (strstr (error->message, quoted));
    }
}

/* The formula docs/operations.md publishes, so that other tools can split
 * the same way: these were computed with Python's hashlib
 * (int.from_bytes(sha256(id).digest()[:8], "big") % N).  A change here
 * would move documents between shards of runs already done. */
static void
test_shard_formula (void)
{
  const struct { const char *id; guint n4, n7, n1m; } known[] = {
    { "a", 2, 4, 962250 },
    { "01-iaea-inspectors-turned-away", 2, 0, 139474 },
    { "t0", 0, 3, 281908 },
    { "", 0, 1, 261652 },
    { "donn\xc3\xa9" "es/\xc3\xa9.txt", 0, 4, 729764 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    {
      g_assert_cmpuint (dp_shard_of (known[i].id, 4), ==, known[i].n4);
      g_assert_cmpuint (dp_shard_of (known[i].id, 7), ==, known[i].n7);
      g_assert_cmpuint (dp_shard_of (known[i].id, 1000000), ==, known[i].n1m);
      g_assert_cmpuint (dp_shard_of (known[i].id, 1), ==, 0);
    }
}

/* Similar ids (t0 … t9999) spread evenly: every shard gets its share
 * within 15% (over 4 standard deviations of a uniform spread at 16 shards). */
static void
test_shard_balance (void)
{
  const guint n_ids = 10000, shards[] = { 3, 4, 16 };
  for (guint s = 0; s < G_N_ELEMENTS (shards); s++)
    {
      guint n = shards[s];
      g_autofree guint *count = g_new0 (guint, n);
      for (guint i = 0; i < n_ids; i++)
        {
          g_autofree char *id = g_strdup_printf ("t%u", i);
          guint k = dp_shard_of (id, n);
          g_assert_cmpuint (k, <, n);
          count[k]++;
        }
      for (guint k = 0; k < n; k++)
        {
          g_assert_cmpuint (count[k], >=, n_ids / n * 85 / 100);
          g_assert_cmpuint (count[k], <=, n_ids / n * 115 / 100);
        }
    }
}

/* ---- batches ------------------------------------------------------------------ */

static DpBatch *
batch_of (guint n, const char *prefix)
{
  DpBatch *b = dp_batch_new (0);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("%s%u", prefix, i);
      g_autofree char *text = g_strdup_printf ("Text of document %u.", i);
      g_autoptr (GError) error = NULL;
      DpRecord *rec = dp_record_new (id, "test", text, -1, &error);
      g_assert_no_error (error);
      dp_batch_add (b, rec);
    }
  dp_batch_seal (b);
  return b;
}

static gboolean
keep_even (DpRecord *rec, gpointer data)
{
  (void) data;
  const char *id = dp_record_get_id (rec);
  return (id[strlen (id) - 1] - '0') % 2 == 0;
}

static void
test_batch_drop (void)
{
  DpBatch *b = batch_of (7, "r");
  g_assert_cmpuint (dp_batch_drop (b, keep_even, NULL), ==, 3);
  g_assert_cmpuint (dp_batch_get_size (b), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *id = g_strdup_printf ("r%u", 2 * i);
      g_assert_cmpstr (dp_record_get_id (dp_batch_get (b, i)), ==, id);
    }
  /* A record failed afterwards keeps its place in the input (r4 was 5th). */
  dp_batch_fail (b, 2, "broken");
  g_assert_cmpuint (dp_batch_sweep (b, "stage"), ==, 1);
  DpDeadRecord *d = g_ptr_array_index (dp_batch_get_dead (b), 0);
  g_assert_cmpstr (dp_record_get_id (d->rec), ==, "r4");
  g_assert_cmpuint (d->position, ==, 4);
  dp_batch_free (b);
}

/* ---- fingerprint and content hash --------------------------------------------- */

static DpPipeline *
pipeline (const char *expr, const char *const *overrides)
{
  DpLoadOptions lo = { DP_TEST_PLUGINS, overrides };
  g_autoptr (GError) error = NULL;
  DpPipeline *pl = dp_pipeline_parse_expression (expr, &lo, &error);
  g_assert_no_error (error);
  return pl;
}

static char *
fingerprint_of (const char *expr, const char *const *overrides)
{
  g_autoptr (DpPipeline) pl = pipeline (expr, overrides);
  return dp_state_fingerprint (pl);
}

static void
test_fingerprint (void)
{
  const char *base_expr = "reader path=in ! normalizer ! writer path=out.jsonl";
  g_autofree char *base = fingerprint_of (base_expr, NULL);
  g_assert_cmpuint (strlen (base), ==, 64);
  /* Where documents come from and where output goes, run settings, and a
   * value written another way: the same pipeline. */
  const char *same[] = {
    "reader path=elsewhere/*.txt ! normalizer ! writer path=/tmp/other.jsonl",
    "reader path=in max-record-size=0067108864 ! normalizer ! writer path=out.jsonl",
    "reader path=in ! normalizer ! writer path=out.jsonl span-text=yes",
  };
  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    {
      g_autofree char *f = fingerprint_of (same[i], NULL);
      g_assert_cmpstr (f, ==, base);
    }
  const char *const settings[] = { "pipeline.workers=3", "pipeline.batch-size=7", "pipeline.name=x", NULL };
  g_autofree char *with_settings = fingerprint_of (base_expr, settings);
  g_assert_cmpstr (with_settings, ==, base);
  /* What changes output: another parameter, another stage, another order. */
  const char *other[] = {
    "reader path=in ! normalizer ! writer path=out.jsonl span-text=false",
    "reader path=in format=jsonl ! normalizer ! writer path=out.jsonl",
    "reader path=in ! writer path=out.jsonl",
    "reader path=in ! normalizer ! normalizer ! writer path=out.jsonl",
  };
  for (guint i = 0; i < G_N_ELEMENTS (other); i++)
    {
      g_autofree char *f = fingerprint_of (other[i], NULL);
      g_assert_cmpstr (f, !=, base);
    }
}

static char *
hash_of (const char *id, const char *source, const char *text, const char *meta_key)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpRecord) rec = dp_record_new (id, source, text, -1, &error);
  g_assert_no_error (error);
  if (meta_key)
    json_object_set_string_member (dp_record_get_meta (rec), meta_key, "x");
  char *hash = dp_state_content_hash (rec);
  /* The source is back in place. */
  g_assert_cmpstr (dp_record_get_source (rec), ==, source);
  return hash;
}

static void
test_content_hash (void)
{
  g_autofree char *a = hash_of ("d", "/corpus/d.txt", "Some text.", NULL);
  g_autofree char *moved = hash_of ("d", "/elsewhere/d.txt", "Some text.", NULL);
  g_autofree char *edited = hash_of ("d", "/corpus/d.txt", "Some text!", NULL);
  g_autofree char *meta = hash_of ("d", "/corpus/d.txt", "Some text.", "title");
  g_assert_cmpuint (strlen (a), ==, 64);
  g_assert_cmpstr (a, ==, moved);
  g_assert_cmpstr (a, !=, edited);
  g_assert_cmpstr (a, !=, meta);
}

/* ---- the state file ------------------------------------------------------------ */

/* One run over a batch of @n records: returns how many the state let through;
 * the sinks take them all, and the run ends with @commit (or never ends, as
 * a killed run does, when @end is FALSE). */
static guint
run_once (DpPipeline *pl, const char *path, guint n, gboolean full, gboolean end, gboolean commit)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpState) st = dp_state_open (path, pl, full, NULL, &error);
  g_assert_no_error (error);
  DpBatch *b = batch_of (n, "doc");
  dp_state_select (st, b);
  guint passed = dp_batch_get_size (b);
  dp_state_add_done (st, b);
  dp_batch_free (b);
  if (end)
    {
      DpStateRunSummary sum = { n, passed, n - passed, 0, 0, 0 };
      g_assert_true (dp_state_end_run (st, commit, &sum, &error));
      g_assert_no_error (error);
    }
  return passed;
}

static void
test_state_life (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-state-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "state.db", NULL);
  g_autoptr (DpPipeline) pl = pipeline ("reader path=in ! writer path=out.jsonl", NULL);
  const char *done_sql = "SELECT count(*) FROM state_documents";

  /* A killed run (never ends) and a failed one (output not committed) mark nothing. */
  g_assert_cmpuint (run_once (pl, path, 5, FALSE, FALSE, FALSE), ==, 5);
  g_assert_cmpint (dp_test_sqlite_count (path, done_sql), ==, 0);
  g_assert_cmpuint (run_once (pl, path, 5, FALSE, TRUE, FALSE), ==, 5);
  g_assert_cmpint (dp_test_sqlite_count (path, done_sql), ==, 0);
  /* A run whose output was committed marks its documents; the next skips them. */
  g_assert_cmpuint (run_once (pl, path, 5, FALSE, TRUE, TRUE), ==, 5);
  g_assert_cmpint (dp_test_sqlite_count (path, done_sql), ==, 5);
  g_assert_cmpuint (run_once (pl, path, 5, FALSE, TRUE, TRUE), ==, 0);
  /* New documents only. */
  g_assert_cmpuint (run_once (pl, path, 8, FALSE, TRUE, TRUE), ==, 3);
  /* --full skips nothing. */
  g_assert_cmpuint (run_once (pl, path, 8, TRUE, TRUE, TRUE), ==, 8);
  /* Another pipeline: everything again. */
  g_autoptr (DpPipeline) other = pipeline ("reader path=in ! writer path=out.jsonl span-text=false", NULL);
  g_assert_cmpuint (run_once (other, path, 8, FALSE, TRUE, TRUE), ==, 8);
  g_assert_cmpuint (run_once (other, path, 8, FALSE, TRUE, TRUE), ==, 0);
  /* Every run is noted, the killed one without an end. */
  g_assert_cmpint (dp_test_sqlite_count (path, "SELECT count(*) FROM state_runs"), ==, 8);
  g_assert_cmpint (dp_test_sqlite_count (path, "SELECT count(*) FROM state_runs WHERE finished IS NULL"), ==, 1);
  g_assert_cmpint (dp_test_sqlite_count (path, "SELECT sum(marked_done) FROM state_runs"), ==, 5 + 3 + 8 + 8);
  dp_test_remove_tree (dir);
}

/* A run's commit as its runner makes it (state.c "A run killed while it
 * commits"): @path's temporary file is recorded, then renamed over it. */
static void
commit_file (DpState *st, const char *path, gboolean rename_it)
{
  g_autofree char *tmp = g_strconcat (path, ".docpipe-tmp-XXXXXX", NULL);
  int fd = g_mkstemp (tmp);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "{}\n", 3), ==, 3);
  struct stat sb;
  g_assert_cmpint (fstat (fd, &sb), ==, 0);
  close (fd);
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_state_prepare_commit (st, path, &sb, NULL, &error));
  g_assert_no_error (error);
  if (rename_it)
    g_assert_cmpint (g_rename (tmp, path), ==, 0);
  else
    g_unlink (tmp);
}

static DpState *
open_with_done (DpPipeline *pl, const char *path, guint n)
{
  g_autoptr (GError) error = NULL;
  DpState *st = dp_state_open (path, pl, FALSE, NULL, &error);
  g_assert_no_error (error);
  DpBatch *b = batch_of (n, "doc");
  dp_state_select (st, b);
  dp_state_add_done (st, b);
  dp_batch_free (b);
  return st;
}

static void
end_run (DpState *st, gboolean commit)
{
  DpStateRunSummary sum = { 0 };
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_state_end_run (st, commit, &sum, &error));
  g_assert_no_error (error);
}

/* Runs sharing the state file: one that starts while another commits may
 * settle the other's records (as if it had died) and must not change what
 * the live run's end marks.  Its output not yet renamed: the records are
 * dropped, and the live run's end still marks its documents; renamed: its
 * documents are made done at once, and its end marks them again. */
static void
test_state_commit_seen_live (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-state-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "state.db", NULL);
  g_autofree char *out1 = g_build_filename (dir, "out-1.jsonl", NULL);
  g_autofree char *out2 = g_build_filename (dir, "out-2.jsonl", NULL);
  g_autoptr (DpPipeline) pl = pipeline ("reader path=in ! writer path=out.jsonl", NULL);
  const char *done_by_1 = "SELECT count(*) FROM state_documents WHERE run = 1";
  const char *records = "SELECT (SELECT count(*) FROM state_commits) + (SELECT count(*) FROM state_pending)";

  DpState *live = open_with_done (pl, path, 5);
  commit_file (live, out1, FALSE);
  g_assert_cmpint (dp_test_sqlite_count (path, records), ==, 1 + 5);
  DpState *other = open_with_done (pl, path, 0);
  g_assert_cmpint (dp_test_sqlite_count (path, records), ==, 0);
  g_assert_cmpint (dp_test_sqlite_count (path, done_by_1), ==, 0);
  end_run (live, TRUE);
  g_assert_cmpint (dp_test_sqlite_count (path, done_by_1), ==, 5);
  end_run (other, FALSE);
  dp_state_free (live);
  dp_state_free (other);

  /* Run 3, with 3 new documents of 8, renamed when run 4 starts. */
  live = open_with_done (pl, path, 8);
  commit_file (live, out2, TRUE);
  other = open_with_done (pl, path, 0);
  g_assert_cmpint (dp_test_sqlite_count (path, records), ==, 0);
  g_assert_cmpint (dp_test_sqlite_count (path, "SELECT count(*) FROM state_documents WHERE run = 3"), ==, 3);
  g_assert_cmpint (dp_test_sqlite_count (path, "SELECT marked_done FROM state_runs WHERE id = 3"), ==, 3);
  end_run (live, TRUE);
  end_run (other, FALSE);
  dp_state_free (live);
  dp_state_free (other);
  g_assert_cmpint (dp_test_sqlite_count (path, "SELECT count(*) FROM state_documents"), ==, 8);
  g_assert_cmpint (dp_test_sqlite_count (path, "SELECT count(*) FROM state_documents WHERE run = 3"), ==, 3);
  g_assert_cmpint (dp_test_sqlite_count (path, records), ==, 0);

  /* A state file from before these tables gets them. */
  sqlite3 *db;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE state_commits; DROP TABLE state_pending", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);
  g_assert_cmpuint (run_once (pl, path, 9, FALSE, TRUE, TRUE), ==, 1);
  g_assert_cmpint (dp_test_sqlite_count (path, records), ==, 0);
  dp_test_remove_tree (dir);
}

static void
test_state_refused (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-state-XXXXXX");
  g_autoptr (DpPipeline) pl = pipeline ("reader path=in ! writer path=out.jsonl", NULL);
  g_autoptr (GError) error = NULL;

  g_autofree char *junk = g_build_filename (dir, "junk.db", NULL);
  g_assert_true (g_file_set_contents (junk, "this is no database, just some text that is long enough", -1, NULL));
  g_assert_null (dp_state_open (junk, pl, FALSE, NULL, &error));
  g_assert_nonnull (strstr (error->message, junk));
  g_clear_error (&error);

  g_assert_null (dp_state_open ("-", pl, FALSE, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* A file a newer docpipe wrote is refused, not misread. */
  g_autofree char *newer = g_build_filename (dir, "newer.db", NULL);
  sqlite3 *db;
  g_assert_cmpint (sqlite3_open (newer, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE state_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                                     "INSERT INTO state_info VALUES ('schema', '2')", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_null (dp_state_open (newer, pl, FALSE, NULL, &error));
  g_assert_nonnull (strstr (error->message, "schema '2'"));
  dp_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/shard/parse", test_shard_parse);
  g_test_add_func ("/shard/formula", test_shard_formula);
  g_test_add_func ("/shard/balance", test_shard_balance);
  g_test_add_func ("/batch/drop", test_batch_drop);
  g_test_add_func ("/state/fingerprint", test_fingerprint);
  g_test_add_func ("/state/content-hash", test_content_hash);
  g_test_add_func ("/state/life", test_state_life);
  g_test_add_func ("/state/refused", test_state_refused);
  g_test_add_func ("/state/commit-seen-live", test_state_commit_seen_live);
  return g_test_run ();
}
