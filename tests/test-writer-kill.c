/* test-writer-kill.c — every writer's output survives SIGKILL at any moment.
 *
 * For each format a complete output of version A is written first; then runs
 * writing version B of the same documents are killed after random delays
 * (spread over a whole run's measured length).  After each kill a JSON lines,
 * gzip or CSV target must be byte for byte the complete A or the complete B,
 * and a database must pass SQLite's own checks with every document wholly A
 * or wholly B (its text and its number of entities and claims agree); runs
 * writing A and B by turns are killed there, so the database mixes both.  The
 * temporary files a killed run leaves beside its target (TARGET.tmp-XXXXXX)
 * are the only other thing allowed in the directory.
 *
 * Not a unit test for valgrind: it runs docpipe some 80 times.
 * G_TEST_SEED / --seed repeats a sequence of delays.
 */
#include "writer-util.h"

#include <glib/gstdio.h>
#include <signal.h>

#define N_DOCS 3008   /* 94 batches of 32 */
/* Under AddressSanitizer a run is several times slower and the point is
 * memory errors: fewer kills keep the test within its time. */
#ifdef __SANITIZE_ADDRESS__
#define KILLS 6
#else
#define KILLS 20
#endif

/* Version A: two entities, no claim; version B: three entities and a claim. */
static char *
make_input (const char *dir, char version)
{
  g_autoptr (GString) s = g_string_new (NULL);
  for (guint i = 0; i < N_DOCS; i++)
    {
      g_string_append_printf (s, "{\"id\":\"doc-%u\",\"text\":\"%c: Iran and North Korea met in Tehran, "
                                 "the minister said, on day %u of the talks. Filler text to give the record "
                                 "some weight, as a news article would have, and then some more of it.\","
                                 "\"date\":\"2024-01-%02u\",\"layers\":{\"entities\":["
                                 "{\"start\":3,\"end\":7,\"label\":\"LOC\",\"canonical\":\"Iran\"},"
                                 "{\"start\":12,\"end\":23,\"label\":\"LOC\",\"canonical\":\"North Korea\"}",
                              i, version, i, i % 28 + 1);
      if (version == 'B')
        g_string_append (s, ",{\"start\":31,\"end\":37,\"label\":\"LOC\",\"canonical\":\"Tehran\"}],"
                            "\"claims\":[{\"start\":3,\"end\":37,\"cue\":{\"start\":53,\"end\":57},"
                            "\"speaker\":{\"start\":39,\"end\":51,\"entity\":null},\"kind\":\"indirect\","
                            "\"act\":\"report\",\"hedges\":[]}]}}\n");
      else
        g_string_append (s, "]}}\n");
    }
  char *path = g_strdup_printf ("%s/in-%c.jsonl", dir, version);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, s->str, (gssize) s->len, &error);
  g_assert_no_error (error);
  return path;
}

static GSubprocess *
start (const char *input, const char *target)
{
  g_autofree char *expr = g_strdup_printf ("reader path=%s ! writer path=%s", input, target);
  g_autoptr (GError) error = NULL;
  GSubprocess *p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                     DP_TEST_DOCPIPE, "run", "-q", "-e", expr, "-s", "pipeline.workers=2",
                                     "-s", "pipeline.batch-size=32", NULL);
  g_assert_no_error (error);
  return p;
}

/* Runs to the end; returns how long it took, in microseconds. */
static gint64
run_complete (const char *input, const char *target)
{
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (GSubprocess) p = start (input, target);
  g_autoptr (GError) error = NULL;
  g_subprocess_wait_check (p, NULL, &error);
  g_assert_no_error (error);
  return g_get_monotonic_time () - t0;
}

/* Starts a run and kills it after @delay microseconds (or lets it end first). */
static gboolean
run_killed (const char *input, const char *target, gint64 delay)
{
  g_autoptr (GSubprocess) p = start (input, target);
  g_usleep ((gulong) delay);
  g_subprocess_send_signal (p, SIGKILL);
  g_subprocess_wait (p, NULL, NULL);
  return g_subprocess_get_if_signaled (p);
}

/* Removes what killed runs left beside their targets: only temporary files. */
static void
remove_leftovers (const char *dir, const char *const *keep)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      if (g_strv_contains (keep, name) || g_str_has_prefix (name, "in-"))
        continue;
      if (!strstr (name, ".tmp-"))
        g_error ("a killed run left %s in %s", name, dir);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
}

typedef struct {
  const char *target;          /* the path the writer is given */
  const char *const *files;    /* the files it writes (beside the target) */
  gboolean gzip;
} FileCase;

/* A file's bytes, NULs and all (gzip). */
static GBytes *
read_bytes (const char *path)
{
  char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;
  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static void
check_files (gconstpointer data)
{
  const FileCase *c = data;
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-kill-XXXXXX");
  g_autofree char *in_a = make_input (dir, 'A');
  g_autofree char *in_b = make_input (dir, 'B');
  g_autofree char *target = g_build_filename (dir, c->target, NULL);
  guint n = g_strv_length ((char **) c->files);
  /* The complete B, then the complete A in place. */
  gint64 took = run_complete (in_b, target);
  g_autoptr (GPtrArray) complete_b = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (GPtrArray) complete_a = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (guint f = 0; f < n; f++)
    {
      g_autofree char *path = g_build_filename (dir, c->files[f], NULL);
      g_ptr_array_add (complete_b, read_bytes (path));
    }
  took = MAX (took, run_complete (in_a, target));
  for (guint f = 0; f < n; f++)
    {
      g_autofree char *path = g_build_filename (dir, c->files[f], NULL);
      g_ptr_array_add (complete_a, read_bytes (path));
      g_assert_false (g_bytes_equal (g_ptr_array_index (complete_a, f), g_ptr_array_index (complete_b, f)));
    }
  guint killed = 0;
  for (guint k = 0; k < KILLS; k++)
    {
      gint64 delay = g_test_rand_int_range (0, (gint32) MIN (took, G_MAXINT32));
      killed += run_killed (in_b, target, delay);
      remove_leftovers (dir, c->files);
      for (guint f = 0; f < n; f++)
        {
          g_autofree char *path = g_build_filename (dir, c->files[f], NULL);
          g_autoptr (GBytes) raw = read_bytes (path);
          GBytes *a = g_ptr_array_index (complete_a, f), *b = g_ptr_array_index (complete_b, f);
          if (!g_bytes_equal (raw, a) && !g_bytes_equal (raw, b))
            g_error ("%s after a kill at %" G_GINT64_FORMAT " us is neither the old nor the new file",
                     c->files[f], delay);
          if (c->gzip)
            {
              g_autofree char *text = wt_gunzip (path);
              g_assert_nonnull (text);   /* a whole gzip stream */
            }
          /* Back to A for the next kill. */
          gsize len;
          const char *bytes = g_bytes_get_data (a, &len);
          g_file_set_contents (path, bytes, (gssize) len, NULL);
        }
    }
  g_test_message ("%s: %u of %u runs killed before they ended (a run takes %" G_GINT64_FORMAT " ms)",
                  c->target, killed, KILLS, took / 1000);
  g_assert_cmpuint (killed, >, 0);
  dp_test_remove_tree (dir);
}

/* Every document wholly A or wholly B; SQLite's own checks pass. */
static void
check_database (const char *path, guint *n_b)
{
  sqlite3 *db = wt_db_open (path);
  g_autofree char *ok = wt_db_query (db, "PRAGMA integrity_check");
  g_assert_cmpstr (ok, ==, "integrity_check\nok\n");
  g_assert_cmpint (wt_db_int (db, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  g_assert_cmpint (wt_db_int (db, "SELECT count(*) FROM documents"), ==, N_DOCS);
  gint64 mixed = wt_db_int (db,
      "SELECT count(*) FROM (SELECT substr(d.text, 1, 1) AS v, "
      "(SELECT count(*) FROM entities e WHERE e.document_id = d.id) AS ne, "
      "(SELECT count(*) FROM claims c WHERE c.document_id = d.id) AS nc FROM documents d) "
      "WHERE NOT ((v = 'A' AND ne = 2 AND nc = 0) OR (v = 'B' AND ne = 3 AND nc = 1))");
  g_assert_cmpint (mixed, ==, 0);
  *n_b = (guint) wt_db_int (db, "SELECT count(*) FROM documents WHERE text LIKE 'B%'");
  /* Whole batches only: every run's batches hold the same documents, so the
   * B documents are a multiple of the batch size. */
  g_assert_cmpuint (*n_b % 32, ==, 0);
  sqlite3_close (db);
}

static void
test_sqlite (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-kill-XXXXXX");
  g_autofree char *in_a = make_input (dir, 'A');
  g_autofree char *in_b = make_input (dir, 'B');
  g_autofree char *target = g_build_filename (dir, "out.sqlite", NULL);
  gint64 took = run_complete (in_b, target);
  took = MAX (took, run_complete (in_a, target));
  guint killed = 0, partial = 0;
  /* Killed runs write B and A by turns, so each finds documents to change. */
  for (guint k = 0; k < KILLS; k++)
    {
      gint64 delay = g_test_rand_int_range (0, (gint32) MIN (took, G_MAXINT32));
      killed += run_killed (k % 2 ? in_a : in_b, target, delay);
      guint n_b;
      check_database (target, &n_b);
      partial += n_b > 0 && n_b < N_DOCS;
    }
  g_test_message ("sqlite: %u of %u runs killed, %u of them with A and B mixed (a run takes %" G_GINT64_FORMAT " ms)",
                  killed, KILLS, partial, took / 1000);
  g_assert_cmpuint (killed, >, 0);
  dp_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  static const char *const jsonl[] = { "out.jsonl", NULL };
  static const char *const gz[] = { "out.jsonl.gz", NULL };
  static const char *const csv[] = { "out-documents.csv", "out-entities.csv", "out-claims.csv", NULL };
  static const FileCase cases[] = {
    { "out.jsonl", jsonl, FALSE },
    { "out.jsonl.gz", gz, TRUE },
    { "out.csv", csv, FALSE },
  };
  g_test_add_data_func ("/writer-kill/jsonl", &cases[0], check_files);
  g_test_add_data_func ("/writer-kill/gzip", &cases[1], check_files);
  g_test_add_data_func ("/writer-kill/csv", &cases[2], check_files);
  g_test_add_func ("/writer-kill/sqlite", test_sqlite);
  return g_test_run ();
}
