/* test-incremental.c — incremental runs (`state = FILE`, --full) and
 * sharding (--shard K/N) through the docpipe binary: what a re-run
 * processes, what a killed, interrupted or failed run leaves in the state,
 * dead letters retried, and N shard runs adding up to one full run. */
#include "test-sqlite.h"
#include "test-util.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <utime.h>

#define PLUGIN_PATH DP_TEST_PLUGINS ":" DP_TEST_FIXTURES_GOOD

typedef struct {
  char *dir, *docs, *state;
} Corpus;

static void
write_file (const char *path, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static void
put_doc (Corpus *c, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (c->docs, name, NULL);
  write_file (path, text);
}

static Corpus
corpus_new (guint n)
{
  Corpus c;
  c.dir = dp_test_make_tmp_dir ("docpipe-incremental-XXXXXX");
  c.docs = g_build_filename (c.dir, "docs", NULL);
  c.state = g_build_filename (c.dir, "state.db", NULL);
  g_assert_cmpint (g_mkdir (c.docs, 0755), ==, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("d%u.txt", i);
      g_autofree char *text = g_strdup_printf ("Document %u. Officials in Geneva said on Monday that talks resumed.\n", i);
      put_doc (&c, name, text);
    }
  return c;
}

static void
corpus_free (Corpus *c)
{
  dp_test_remove_tree (c->dir);
  g_free (c->dir);
  g_free (c->docs);
  g_free (c->state);
}

/* ---- running ----------------------------------------------------------------- */

typedef struct {
  int status;
  char *ids;          /* the output's ids, sorted, joined with ',' */
  char *err;
  gint64 out, skipped, failed, other_shards;   /* from --stats */
} Run;

static void
run_clear (Run *r)
{
  g_free (r->ids);
  g_free (r->err);
}

/* Runs `docpipe run -e @expr` with --stats, the corpus's state and @extra
 * arguments (NULL-terminated); the output must go to @c->dir/out.jsonl. */
static Run
run_expr (Corpus *c, const char *expr, const char *const *extra)
{
  g_autofree char *stats = g_build_filename (c->dir, "stats.json", NULL);
  g_autofree char *out = g_build_filename (c->dir, "out.jsonl", NULL);
  g_autofree char *dead = g_build_filename (c->dir, "dead.jsonl", NULL);
  g_autofree char *state_set = g_strdup_printf ("pipeline.state=%s", c->state);
  g_autofree char *dead_set = g_strdup_printf ("pipeline.dead-letter=%s", dead);
  remove (out);
  remove (stats);
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  const char *fixed[] = { "run", "-P", PLUGIN_PATH, "-e", expr, "--stats", stats, "--set", state_set,
                          "--set", dead_set };
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (args, (gpointer) fixed[i]);
  for (guint i = 0; extra && extra[i]; i++)
    g_ptr_array_add (args, (gpointer) extra[i]);
  g_ptr_array_add (args, NULL);
  DpTestResult t = dp_test_run (DP_TEST_DOCPIPE, (const char *const *) args->pdata);
  Run r = { t.status, NULL, g_steal_pointer (&t.err) };
  g_autofree char *text = NULL;
  r.ids = g_file_get_contents (out, &text, NULL, NULL) ? dp_test_sorted_ids (text) : g_strdup ("(no output)");
  g_autofree char *stats_text = NULL;
  if (g_file_get_contents (stats, &stats_text, NULL, NULL))
    {
      g_autoptr (JsonObject) s = dp_test_parse_object (stats_text);
      r.out = json_object_get_int_member (s, "records_out");
      r.skipped = json_object_get_int_member (s, "records_skipped");
      r.failed = json_object_get_int_member (s, "records_failed");
      r.other_shards = json_object_get_int_member (s, "records_other_shards");
    }
  dp_test_result_clear (&t);
  return r;
}

static char *
plain_expr (Corpus *c, const char *writer_params)
{
  g_autofree char *out = g_build_filename (c->dir, "out.jsonl", NULL);
  return g_strdup_printf ("reader path=%s ! normalizer ! writer path=%s %s", c->docs, out, writer_params);
}

/* Runs the plain pipeline and checks which documents it processed. */
#define CHECK_RUN(c, writer_params, extra, expect_ids, expect_skipped)                \
  G_STMT_START {                                                                      \
    g_autofree char *expr_ = plain_expr (c, writer_params);                          \
    Run r_ = run_expr (c, expr_, extra);                                              \
    if (r_.status != 0)                                                               \
      g_printerr ("%s", r_.err);                                                      \
    g_assert_cmpint (r_.status, ==, 0);                                               \
    if (expect_ids)                                                                   \
      g_assert_cmpstr (r_.ids, ==, (const char *) expect_ids);                        \
    g_assert_cmpint (r_.skipped, ==, expect_skipped);                                 \
    run_clear (&r_);                                                                  \
  } G_STMT_END

/* ---- incremental runs ---------------------------------------------------------- */

static void
test_reruns (void)
{
  Corpus c = corpus_new (6);
  const char *all = "d0,d1,d2,d3,d4,d5";
  CHECK_RUN (&c, "", NULL, all, 0);
  /* Nothing new: nothing processed, and the output is an empty file. */
  CHECK_RUN (&c, "", NULL, "", 6);

  /* A touched file has the same content: still done. */
  g_autofree char *d2 = g_build_filename (c.docs, "d2.txt", NULL);
  g_assert_cmpint (utime (d2, &(struct utimbuf) { 1000000000, 1000000000 }), ==, 0);
  CHECK_RUN (&c, "", NULL, "", 6);
  /* A changed file, then a new one: exactly that one. */
  put_doc (&c, "d2.txt", "Document 2, revised. Officials in Geneva said on Tuesday that talks failed.\n");
  CHECK_RUN (&c, "", NULL, "d2", 5);
  put_doc (&c, "d6.txt", "Document 6. A new one.\n");
  CHECK_RUN (&c, "", NULL, "d6", 6);

  /* Output elsewhere is the same pipeline (each run may write a file of its own). */
  g_autofree char *elsewhere = g_build_filename (c.dir, "other.jsonl", NULL);
  g_autofree char *expr = g_strdup_printf ("reader path=%s ! normalizer ! writer path=%s", c.docs, elsewhere);
  Run r = run_expr (&c, expr, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpint (r.out, ==, 0);
  g_assert_cmpint (r.skipped, ==, 7);
  g_assert_nonnull (strstr (r.err, "7 documents read: 0 processed, 7 skipped"));
  run_clear (&r);

  /* A changed parameter is another pipeline: everything again, once. */
  const char *all7 = "d0,d1,d2,d3,d4,d5,d6";
  CHECK_RUN (&c, "span-text=false", NULL, all7, 0);
  CHECK_RUN (&c, "span-text=false", NULL, "", 7);
  /* --full: everything, and the state stays right afterwards. */
  CHECK_RUN (&c, "span-text=false", ((const char *[]) { "--full", NULL }), all7, 0);
  CHECK_RUN (&c, "span-text=false", NULL, "", 7);
  corpus_free (&c);
}

static void
test_dead_letters_retried (void)
{
  Corpus c = corpus_new (3);
  put_doc (&c, "d1.txt", "Document 1 is BAD.\n");
  g_autofree char *out = g_build_filename (c.dir, "out.jsonl", NULL);
  g_autofree char *expr = g_strdup_printf ("reader path=%s ! fail-some fail-text=BAD ! writer path=%s", c.docs, out);
  Run r = run_expr (&c, expr, NULL);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_cmpstr (r.ids, ==, "d0,d2");
  run_clear (&r);
  /* The failed one is tried again (and fails again); the others are done. */
  r = run_expr (&c, expr, NULL);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_cmpstr (r.ids, ==, "");
  g_assert_cmpint (r.failed, ==, 1);
  g_assert_cmpint (r.skipped, ==, 2);
  run_clear (&r);
  /* Mended, it goes through, once. */
  put_doc (&c, "d1.txt", "Document 1 is fine.\n");
  r = run_expr (&c, expr, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.ids, ==, "d1");
  run_clear (&r);
  r = run_expr (&c, expr, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.ids, ==, "");
  g_assert_cmpint (r.skipped, ==, 3);
  run_clear (&r);
  corpus_free (&c);
}

#define SLOW_DOCS 200

/* A paced pipeline over SLOW_DOCS documents, its records teed to stdout too. */
static char *
slow_expr (Corpus *c)
{
  g_autofree char *out = g_build_filename (c->dir, "out.jsonl", NULL);
  return g_strdup_printf ("reader path=%s ! slow-sink delay-ms=10 ! writer ! writer path=%s", c->docs, out);
}

/* Starts the slow pipeline with the corpus's state; returns once @lines
 * records came out (so they went through every sink), the process running. */
static GSubprocess *
start_slow (Corpus *c, guint lines)
{
  g_autofree char *expr = slow_expr (c);
  g_autofree char *state_set = g_strdup_printf ("pipeline.state=%s", c->state);
  g_autoptr (GError) error = NULL;
  GSubprocess *p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                     DP_TEST_DOCPIPE, "run", "-P", PLUGIN_PATH, "-e", expr, "--set", state_set,
                                     "--set", "pipeline.batch-size=2", NULL);
  g_assert_no_error (error);
  g_autoptr (GDataInputStream) in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (p));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);
  for (guint i = 0; i < lines; i++)
    {
      gsize len;
      g_autofree char *line = g_data_input_stream_read_line (in, &len, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (line);
    }
  return p;
}

/* The rest of the slow pipeline's run, to its end. */
static Run
finish_slow (Corpus *c)
{
  g_autofree char *expr = slow_expr (c);
  const char *extra[] = { "--set", "pipeline.batch-size=2", NULL };
  return run_expr (c, expr, extra);
}

/* A killed run's output is lost (the writer never renamed it into place), so
 * the state must not call any of its documents done, however many batches
 * went through the sinks. */
static void
test_killed_run (void)
{
  Corpus c = corpus_new (SLOW_DOCS);
  g_autoptr (GSubprocess) p = start_slow (&c, 40);
  g_subprocess_force_exit (p);
  g_subprocess_wait (p, NULL, NULL);
  g_assert_cmpint (dp_test_exit_code (p), ==, 128 + SIGKILL);
  g_autofree char *out = g_build_filename (c.dir, "out.jsonl", NULL);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_cmpint (dp_test_sqlite_count (c.state, "SELECT count(*) FROM state_documents"), ==, 0);
  /* The run is noted, unfinished. */
  g_assert_cmpint (dp_test_sqlite_count (c.state, "SELECT count(*) FROM state_runs WHERE finished IS NULL"), ==, 1);
  /* So the next run does every document. */
  Run r = finish_slow (&c);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpint (r.out, ==, SLOW_DOCS);
  g_assert_cmpint (r.skipped, ==, 0);
  run_clear (&r);
  corpus_free (&c);
}

/* SIGTERM: the records in flight are finished and the output committed, so
 * exactly the documents in the output are done, and the next run does the rest. */
static void
test_interrupted_run (void)
{
  Corpus c = corpus_new (SLOW_DOCS);
  g_autoptr (GSubprocess) p = start_slow (&c, 20);
  g_subprocess_send_signal (p, SIGTERM);
  g_autoptr (GError) error = NULL;
  g_autofree char *rest = NULL;
  g_subprocess_communicate_utf8 (p, NULL, NULL, &rest, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dp_test_exit_code (p), ==, 143);
  g_autofree char *out = g_build_filename (c.dir, "out.jsonl", NULL);
  g_autofree char *text = dp_test_read_file (out);
  g_autofree char *ids = dp_test_sorted_ids (text);
  g_auto (GStrv) parts = g_strsplit (ids, ",", -1);
  guint n = g_strv_length (parts);
  g_assert_cmpuint (n, >=, 20);
  g_assert_cmpuint (n, <, SLOW_DOCS);
  g_assert_cmpint (dp_test_sqlite_count (c.state, "SELECT count(*) FROM state_documents"), ==, n);
  Run r = finish_slow (&c);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpint (r.out, ==, SLOW_DOCS - n);
  g_assert_cmpint (r.skipped, ==, n);
  /* Between them, the two outputs hold every document once. */
  g_autofree char *second = dp_test_read_file (out);
  g_autofree char *both = g_strconcat (text, second, NULL);
  g_autofree char *all_ids = dp_test_sorted_ids (both);
  g_auto (GStrv) all = g_strsplit (all_ids, ",", -1);
  g_assert_cmpuint (g_strv_length (all), ==, SLOW_DOCS);
  for (guint i = 1; all[i]; i++)
    g_assert_cmpstr (all[i - 1], !=, all[i]);
  run_clear (&r);
  corpus_free (&c);
}

/* A run that fails (exit 1) marks nothing done, even the batches it wrote. */
static void
test_failed_run (void)
{
  Corpus c = corpus_new (8);
  g_autofree char *out = g_build_filename (c.dir, "out.jsonl", NULL);
  g_autofree char *expr = g_strdup_printf ("reader path=%s ! fail-some fatal-id=d6 ! writer path=%s", c.docs, out);
  const char *extra[] = { "--set", "pipeline.batch-size=1", "--set", "pipeline.workers=1", NULL };
  Run r = run_expr (&c, expr, extra);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "is not updated"));
  run_clear (&r);
  g_assert_cmpint (dp_test_sqlite_count (c.state, "SELECT count(*) FROM state_documents"), ==, 0);
  g_assert_cmpint (dp_test_sqlite_count (c.state, "SELECT exit_code FROM state_runs"), ==, 1);
  corpus_free (&c);
}

static void
test_state_errors (void)
{
  Corpus c = corpus_new (2);
  g_autofree char *out = g_build_filename (c.dir, "out.jsonl", NULL);
  g_autofree char *expr = g_strdup_printf ("reader path=%s ! writer path=%s", c.docs, out);
  /* A state file in a directory that does not exist: `check` and `run` say so. */
  g_autofree char *missing = g_strdup_printf ("pipeline.state=%s/no/such/dir/state.db", c.dir);
  DpTestResult t = dp_test_run (DP_TEST_DOCPIPE, (const char *[]) { "check", "-e", expr, "--set", missing, NULL });
  g_assert_cmpint (t.status, ==, 2);
  g_assert_nonnull (strstr (t.err, "key 'state'"));
  dp_test_result_clear (&t);
  /* Not a database: the run stops before reading, naming the file. */
  write_file (c.state, "not a database, only text, but long enough to be looked at");
  Run r = run_expr (&c, expr, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, c.state));
  g_assert_cmpstr (r.ids, ==, "(no output)");
  run_clear (&r);
  corpus_free (&c);
}

/* ---- shards -------------------------------------------------------------------- */

/* One run, no state, optionally a shard: its output lines. */
static char *
shard_run (Corpus *c, const char *expr, const char *shard, gint64 *other)
{
  g_autofree char *stats = g_build_filename (c->dir, "stats.json", NULL);
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  const char *fixed[] = { "run", "-q", "-P", PLUGIN_PATH, "-e", expr, "--stats", stats };
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (args, (gpointer) fixed[i]);
  if (shard)
    {
      g_ptr_array_add (args, "--shard");
      g_ptr_array_add (args, (gpointer) shard);
    }
  g_ptr_array_add (args, NULL);
  DpTestResult t = dp_test_run (DP_TEST_DOCPIPE, (const char *const *) args->pdata);
  g_assert_cmpint (t.status, ==, 0);
  g_autofree char *stats_text = dp_test_read_file (stats);
  g_autoptr (JsonObject) s = dp_test_parse_object (stats_text);
  *other = json_object_get_int_member (s, "records_other_shards");
  g_assert_cmpint (json_object_get_int_member (s, "records_in"), ==,
                   json_object_get_int_member (s, "records_out") + *other);
  g_free (t.err);
  return t.out;
}

static gint
compare_lines (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static char *
sorted_lines (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);
  qsort (lines, n, sizeof (char *), compare_lines);
  return g_strjoinv ("\n", lines);
}

/* The union of the N shards' outputs is one full run's, no document twice. */
static void
check_shards_add_up (Corpus *c, const char *expr)
{
  gint64 other = 0;
  g_autofree char *full = shard_run (c, expr, NULL, &other);
  g_assert_cmpint (other, ==, 0);
  g_autofree char *full_sorted = sorted_lines (full);
  g_autofree char *full_ids = dp_test_sorted_ids (full);
  g_assert_cmpstr (full, !=, "");
  const guint counts[] = { 1, 3, 4 };
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      g_autoptr (GString) merged = g_string_new (NULL);
      guint nonempty = 0;
      for (guint k = 0; k < counts[i]; k++)
        {
          g_autofree char *shard = g_strdup_printf ("%u/%u", k, counts[i]);
          g_autofree char *part = shard_run (c, expr, shard, &other);
          nonempty += *part != '\0';
          g_string_append (merged, part);
        }
      g_autofree char *merged_sorted = sorted_lines (merged->str);
      g_autofree char *merged_ids = dp_test_sorted_ids (merged->str);
      g_assert_cmpstr (merged_ids, ==, full_ids);   /* each id once */
      g_assert_cmpstr (merged_sorted, ==, full_sorted);
      /* Not everything in one shard. */
      g_assert_cmpuint (nonempty, >=, MIN (counts[i], 2));
    }
}

static void
test_shards_add_up (void)
{
  Corpus c = corpus_new (0);
  /* The sample articles through the normalizer … */
  g_autofree char *expr = g_strdup_printf ("reader path=%s/samples/news/*.txt ! normalizer ! writer",
                                           DP_TEST_SRCDIR);
  check_shards_add_up (&c, expr);
  /* … and 60 JSON records, ids from the input. */
  g_autoptr (GString) jsonl = g_string_new (NULL);
  for (guint i = 0; i < 60; i++)
    g_string_append_printf (jsonl, "{\"id\":\"rec-%u\",\"text\":\"Record %u said nothing.\"}\n", i, i);
  g_autofree char *in = g_build_filename (c.dir, "in.jsonl", NULL);
  write_file (in, jsonl->str);
  g_autofree char *expr2 = g_strdup_printf ("reader path=%s ! writer", in);
  check_shards_add_up (&c, expr2);
  corpus_free (&c);
}

/* Shards sharing one state file: afterwards a run of all of them has nothing to do. */
static void
test_shards_share_state (void)
{
  Corpus c = corpus_new (12);
  CHECK_RUN (&c, "", ((const char *[]) { "--shard", "0/2", NULL }), NULL, 0);
  CHECK_RUN (&c, "", ((const char *[]) { "--shard", "1/2", NULL }), NULL, 0);
  g_autofree char *expr = plain_expr (&c, "");
  Run r = run_expr (&c, expr, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpint (r.out, ==, 0);
  g_assert_cmpint (r.skipped, ==, 12);
  run_clear (&r);
  corpus_free (&c);
}

static void
test_shard_usage (void)
{
  const char *const bad[] = { "4/4", "1", "a/3", "-1/3", "1/0", "0/1000001", "" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      DpTestResult t = dp_test_run (DP_TEST_DOCPIPE, (const char *[]) { "run", "--shard", bad[i], "-e",
                                                                      "reader path=- ! writer", NULL });
      g_assert_cmpint (t.status, ==, 2);
      g_autofree char *quoted = g_strdup_printf ("--shard '%s'", bad[i]);
      g_assert_nonnull (strstr (t.err, quoted));
      dp_test_result_clear (&t);
    }
  /* The setting is checked before anything runs, by `check` too. */
  const char *const commands[] = { "check", "run" };
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      DpTestResult t = dp_test_run (DP_TEST_DOCPIPE, (const char *[]) { commands[i], "--set", "pipeline.shard=3/3",
                                                                      "-e", "reader path=- ! writer", NULL });
      g_assert_cmpint (t.status, ==, 2);
      g_assert_nonnull (strstr (t.err, "key 'shard': '3/3'"));
      dp_test_result_clear (&t);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/incremental/reruns", test_reruns);
  g_test_add_func ("/incremental/dead-letters-retried", test_dead_letters_retried);
  g_test_add_func ("/incremental/killed-run", test_killed_run);
  g_test_add_func ("/incremental/interrupted-run", test_interrupted_run);
  g_test_add_func ("/incremental/failed-run", test_failed_run);
  g_test_add_func ("/incremental/state-errors", test_state_errors);
  g_test_add_func ("/shard/add-up", test_shards_add_up);
  g_test_add_func ("/shard/share-state", test_shards_share_state);
  g_test_add_func ("/shard/usage", test_shard_usage);
  return g_test_run ();
}
