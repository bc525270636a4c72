/* test-writer-kill.c — what SIGKILL and SIGTERM at random moments leave,
 * for every writer, with and without a state file.
 *
 * Runs writing a new version of the same documents are signalled after
 * random delays (spread over a whole run's measured length), then run again
 * to the end (the re-run).  Versions A and B alternate, so every run has
 * something to change.  Checked after each signal:
 *
 *  - JSON lines, gzip, CSV: each file is byte for byte the complete old or
 *    the complete new output (CSV's three files all old or all new, except
 *    when a kill lands between their renames: counted as "mixed"); under SIGTERM docpipe may instead stop
 *    gracefully (docs/cli.md "Signals": exit 143, the records read so far
 *    written and the file renamed into place), and the file is then a
 *    well-formed prefix of the new output holding whole batches, with no
 *    temporary file beside it.  A SIGTERM before the pipeline runs (start-up)
 *    kills as its default action does; one that comes once reading has
 *    stopped waits, and the run ends as it would have.
 *  - SQLite: SQLite's own checks pass and every document is wholly old or
 *    wholly new (the writer commits batch by batch).
 *  - With `state` (writer to SQLite, or to a JSON-lines file per run as
 *    docs/operations.md advises): some documents always fail (dead
 *    letters).  After the re-run every good document is in the output
 *    exactly once, in its new version; the state marks exactly those, each
 *    by the killed run (if it finished gracefully, or died after its file
 *    got its name: the re-run's start finds that out) or by the re-run; the
 *    failed ones are retried by the re-run and processed once fixed.
 *
 * After each re-run, no temporary file may be left in the directory: stale
 * NAME.docpipe-tmp-XXXXXX files are removed by the next run writing any file
 * there (a killed run's file per run included, which no later run writes),
 * and SQLite's journals (the state's, the database's) by SQLite.
 *
 * Each test prints one "KILL-ROW" line (tests/kill/run.sh makes the table).
 * DP_TEST_KILLS=N sets the signals sent per test (default 10: ctest's share);
 * G_TEST_SEED / --seed repeats a sequence of delays.
 * Not a unit test for valgrind: it runs docpipe hundreds of times.
 */
#include "writer-util.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#define PLUGIN_PATH DP_TEST_PLUGINS ":" DP_TEST_FIXTURES_GOOD
#define N_DOCS 3008   /* 94 batches of 32 */
#define BATCH 32
/* State tests: documents whose number is 17 modulo 600 contain BAD and fail. */
#define BAD_EVERY 600
#define BAD_AT 17
#define N_BAD 5
#define N_GOOD (N_DOCS - N_BAD)

/* Under AddressSanitizer a run is several times slower and the point is
 * memory errors: fewer signals keep the test within its time. */
#ifdef __SANITIZE_ADDRESS__
#define DEFAULT_KILLS 4
#else
#define DEFAULT_KILLS 10
#endif

typedef enum { OLD, COMPLETE, PARTIAL, MIXED } Outcome;

/* One test's counts: one row of tests/kill/run.sh's table. */
typedef struct {
  const char *name;
  int signum;
  guint kills;
  guint died;          /* ended by the signal itself */
  guint interrupted;   /* stopped gracefully: exit 143 */
  guint finished;      /* ended as without a signal: it came too late (SIGTERM: once reading stopped) */
  guint outcome[4];    /* the target afterwards: old intact, new complete, new partial (committed),
                        * CSV's first files new and the others old (killed between renames) */
  guint reruns;        /* re-runs that completed the job */
  guint temps;         /* temporary files left after the re-run */
  guint lost, dup;     /* documents, after the re-run */
  guint recovered;     /* killed runs whose documents the re-run's start found complete and made done */
} Tally;

static guint
n_kills (void)
{
  const char *env = g_getenv ("DP_TEST_KILLS");
  guint64 n;
  if (env && g_ascii_string_to_unsigned (env, 10, 1, 100000, &n, NULL))
    return (guint) n;
  return DEFAULT_KILLS;
}

static void
tally_report (const Tally *t)
{
  g_test_message ("KILL-ROW %s %s %u %u %u %u %u %u %u %u %u %u %u %u %u", t->name,
                  t->signum == SIGKILL ? "KILL" : "TERM", t->kills, t->died, t->interrupted, t->finished,
                  t->outcome[OLD], t->outcome[COMPLETE], t->outcome[PARTIAL], t->outcome[MIXED], t->reruns,
                  t->temps, t->lost, t->dup, t->recovered);
}

/* The test tested something: some signal came before its run ended (with a
 * handful of signals all may come late, so only from 5 on). */
static void
check_some_took_effect (const Tally *t)
{
  if (t->kills >= 5)
    g_assert_cmpuint (t->died + t->interrupted, >, 0);
}

/* ---- inputs and runs ---------------------------------------------------------- */

static gboolean
is_bad (guint i)
{
  return i % BAD_EVERY == BAD_AT;
}

/* Version A: two entities, no claim; version B: three entities and a claim.
 * With @bad, some documents contain BAD (the state tests fail them). */
static char *
make_input (const char *dir, const char *name, char version, gboolean bad)
{
  g_autoptr (GString) s = g_string_new (NULL);
  for (guint i = 0; i < N_DOCS; i++)
    {
      g_string_append_printf (s, "{\"id\":\"doc-%u\",\"text\":\"%c: Iran and North Korea met in Tehran, "
                                 "the minister said, on day %u of the talks. Filler text to give the record "
                                 "some weight, as a news article would have, and then some more of it.%s\","
                                 "\"date\":\"2024-01-%02u\",\"layers\":{\"entities\":["
                                 "{\"start\":3,\"end\":7,\"label\":\"LOC\",\"canonical\":\"Iran\"},"
                                 "{\"start\":12,\"end\":23,\"label\":\"LOC\",\"canonical\":\"North Korea\"}",
                              i, version, i, bad && is_bad (i) ? " BAD" : "", i % 28 + 1);
      if (version == 'B')
        g_string_append (s, ",{\"start\":31,\"end\":37,\"label\":\"LOC\",\"canonical\":\"Tehran\"}],"
                            "\"claims\":[{\"start\":3,\"end\":37,\"cue\":{\"start\":53,\"end\":57},"
                            "\"speaker\":{\"start\":39,\"end\":51,\"entity\":null},\"kind\":\"indirect\","
                            "\"act\":\"report\",\"hedges\":[]}]}}\n");
      else
        g_string_append (s, "]}}\n");
    }
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, s->str, (gssize) s->len, &error);
  g_assert_no_error (error);
  return path;
}

/* A run's arguments.  @state, @dead and @stats may be NULL. */
typedef struct {
  const char *input, *target, *state, *dead, *stats;
} Job;

static GPtrArray *
job_argv (const Job *j)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  const char *fail = j->state ? " ! fail-some fail-text=BAD" : "";
  g_ptr_array_add (argv, g_strdup (DP_TEST_DOCPIPE));
  g_ptr_array_add (argv, g_strdup ("run"));
  g_ptr_array_add (argv, g_strdup ("-q"));
  g_ptr_array_add (argv, g_strdup ("-P"));
  g_ptr_array_add (argv, g_strdup (PLUGIN_PATH));
  g_ptr_array_add (argv, g_strdup ("-e"));
  g_ptr_array_add (argv, g_strdup_printf ("reader path=%s%s ! writer path=%s", j->input, fail, j->target));
  g_ptr_array_add (argv, g_strdup ("-s"));
  g_ptr_array_add (argv, g_strdup ("pipeline.workers=2"));
  g_ptr_array_add (argv, g_strdup ("-s"));
  g_ptr_array_add (argv, g_strdup_printf ("pipeline.batch-size=%d", BATCH));
  if (j->state)
    {
      g_ptr_array_add (argv, g_strdup ("-s"));
      g_ptr_array_add (argv, g_strdup_printf ("pipeline.state=%s", j->state));
    }
  if (j->dead)
    {
      g_ptr_array_add (argv, g_strdup ("-s"));
      g_ptr_array_add (argv, g_strdup_printf ("pipeline.dead-letter=%s", j->dead));
    }
  if (j->stats)
    {
      g_ptr_array_add (argv, g_strdup ("--stats"));
      g_ptr_array_add (argv, g_strdup (j->stats));
    }
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* A run dies with the test: one blocked on a FIFO must not outlive a failure. */
static void
die_with_parent (gpointer data)
{
  (void) data;
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocessLauncher *
job_launcher (void)
{
  GSubprocessLauncher *l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                                      | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (l, die_with_parent, NULL, NULL);
  return l;
}

static GSubprocess *
job_start (const Job *j)
{
  g_autoptr (GPtrArray) argv = job_argv (j);
  g_autoptr (GSubprocessLauncher) l = job_launcher ();
  g_autoptr (GError) error = NULL;
  GSubprocess *p = g_subprocess_launcher_spawnv (l, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  return p;
}

/* Runs to the end with exit code @code; returns how long it took (us). */
static gint64
job_complete (const Job *j, int code)
{
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (GSubprocess) p = job_start (j);
  g_subprocess_wait (p, NULL, NULL);
  g_assert_cmpint (dp_test_exit_code (p), ==, code);
  return g_get_monotonic_time () - t0;
}

typedef enum { DIED, INTERRUPTED, FINISHED } Ending;

/* Starts a run and sends it @signum after @delay us (it may end first).
 * Checks the exit code the signal allows (docs/cli.md). */
static Ending
job_signal (const Job *j, int signum, gint64 delay, Tally *t)
{
  g_autoptr (GSubprocess) p = job_start (j);
  g_usleep ((gulong) delay);
  g_subprocess_send_signal (p, signum);
  g_subprocess_wait (p, NULL, NULL);
  int code = dp_test_exit_code (p);
  Ending e;
  t->kills++;
  if (g_subprocess_get_if_signaled (p))
    {
      g_assert_cmpint (g_subprocess_get_term_sig (p), ==, signum);
      e = DIED, t->died++;
    }
  else if (code == 143)
    {
      g_assert_cmpint (signum, ==, SIGTERM);
      e = INTERRUPTED, t->interrupted++;
    }
  else
    {
      if (code != 0 && !(j->state && code == 3))
        g_error ("a run signalled after %" G_GINT64_FORMAT " us exited with %d", delay, code);
      e = FINISHED, t->finished++;
    }
  return e;
}

static gint64
random_delay (gint64 took)
{
  return g_test_rand_int_range (0, (gint32) MIN (took, G_MAXINT32));
}

/* ---- the directory -------------------------------------------------------------- */

/* Ours (and older docpipes' TARGET.tmp-XXXXXX), and SQLite's. */
static gboolean
is_temp (const char *name)
{
  return strstr (name, ".docpipe-tmp-") || strstr (name, ".tmp-") || g_str_has_suffix (name, "-wal")
         || g_str_has_suffix (name, "-shm") || g_str_has_suffix (name, "-journal");
}

/* The temporary files in @dir; any other name must start with one of
 * @allowed (a killed run leaves nothing else). */
static GPtrArray *
list_temps (const char *dir, const char *const *allowed)
{
  GPtrArray *temps = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      if (is_temp (name))
        {
          g_ptr_array_add (temps, g_strdup (name));
          continue;
        }
      gboolean ok = FALSE;
      for (guint i = 0; allowed[i] && !ok; i++)
        ok = g_str_has_prefix (name, allowed[i]);
      if (!ok)
        g_error ("unexpected %s in %s", name, dir);
    }
  return temps;
}

static guint
count_temps (const char *dir, const char *const *allowed)
{
  g_autoptr (GPtrArray) temps = list_temps (dir, allowed);
  return temps->len;
}

/* ---- JSON lines, gzip, CSV --------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *target;          /* the path the writer is given */
  const char *const *files;    /* the files it writes (beside the target) */
  gboolean gzip;
  int signum;
} FileCase;

/* One version's complete output: each file's bytes and (gunzipped) text. */
typedef struct {
  GBytes *raw[4];
  char *text[4];
} Complete;

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

static char *
read_text (const FileCase *c, const char *path)
{
  return c->gzip ? wt_gunzip (path) : dp_test_read_file (path);
}

static void
complete_load (Complete *v, const FileCase *c, const char *dir)
{
  for (guint f = 0; c->files[f]; f++)
    {
      g_autofree char *path = g_build_filename (dir, c->files[f], NULL);
      v->raw[f] = read_bytes (path);
      v->text[f] = read_text (c, path);
      g_assert_nonnull (v->text[f]);
    }
}

static void
complete_clear (Complete *v)
{
  for (guint f = 0; f < G_N_ELEMENTS (v->raw); f++)
    {
      g_clear_pointer (&v->raw[f], g_bytes_unref);
      g_clear_pointer (&v->text[f], g_free);
    }
}

static guint
count_lines (const char *text)
{
  guint n = 0;
  for (const char *p = text; (p = strchr (p, '\n')); p++)
    n++;
  return n;
}

/* Whether @text is the first whole lines of @complete, and how many
 * documents they hold (CSV: after the header; the first file has one
 * document a line, the others @complete's number of rows per document). */
static gboolean
is_prefix (const char *text, const char *complete, gboolean csv, guint f, guint *docs)
{
  /* No document yet: the CSV tables' headers alone.  The documents table's
   * meta columns come from the first batch, so with none its header differs
   * from the complete file's (a SIGTERM before the first record). */
  if (csv && count_lines (text) == 1 && g_str_has_suffix (text, "\r\n") && (f == 0 || *docs == 0))
    return (*docs = 0, TRUE);
  if (!g_str_has_prefix (complete, text) || (*text && !g_str_has_suffix (text, "\n")))
    return FALSE;
  guint rows = count_lines (text), all = count_lines (complete);
  if (csv && rows == 0)
    return FALSE;   /* the header is always written */
  rows -= csv, all -= csv;
  if (f == 0)
    return (*docs = rows, TRUE);
  /* rows / docs == all / N_DOCS */
  return (guint64) rows * N_DOCS == (guint64) all * *docs;
}

/* Whether @docs documents are whole batches, as a run stopped by @signum
 * commits them.  A graceful stop finishes the records the reader had read
 * when the signal came, so its last batch may be short (about 1 stop in 300
 * came in the middle of a read). */
static gboolean
whole_batches (int signum, guint docs)
{
  return signum == SIGTERM || docs % BATCH == 0;
}

/* What a signalled run left: the complete old or new output, or (SIGTERM,
 * graceful) a committed prefix of the new one, holding whole batches. */
static Outcome
files_outcome (const FileCase *c, const char *dir, const Complete *old, const Complete *new, gint64 delay)
{
  guint n_files = g_strv_length ((char **) c->files);
  guint n_old = 0, n_new = 0, n_prefix = 0, docs = 0;
  gboolean first_new = TRUE;   /* the new files come before the old ones */
  for (guint f = 0; f < n_files; f++)
    {
      g_autofree char *path = g_build_filename (dir, c->files[f], NULL);
      g_autoptr (GBytes) raw = read_bytes (path);
      if (g_bytes_equal (raw, old->raw[f]))
        n_old++;
      else if (g_bytes_equal (raw, new->raw[f]))
        first_new &= n_old == 0, n_new++;
      else
        {
          g_autofree char *text = read_text (c, path);   /* NULL: not a whole gzip stream */
          if (text && is_prefix (text, new->text[f], !c->gzip && n_files > 1, f, &docs)
              && whole_batches (c->signum, docs))
            n_prefix++;
          else
            g_error ("%s after a signal at %" G_GINT64_FORMAT " us is neither the old file, nor the new "
                     "one, nor a prefix of it", c->files[f], delay);
        }
    }
  if (n_old == n_files)
    return OLD;
  if (n_new == n_files)
    return COMPLETE;
  /* A committed prefix: every file (a prefix may be whole when the first file is). */
  if (n_old == 0)
    return PARTIAL;
  /* CSV's three files are renamed one after another, in their order: a kill
   * in the microseconds between two renames leaves the first ones new. */
  if (n_prefix == 0 && first_new)
    return MIXED;
  g_error ("after a signal at %" G_GINT64_FORMAT " us, %u files are old and %u new or partial", delay, n_old,
           n_new + n_prefix);
}

static void
check_files (gconstpointer data)
{
  const FileCase *c = data;
  Tally t = { .name = c->name, .signum = c->signum };
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-kill-XXXXXX");
  g_autofree char *target = g_build_filename (dir, c->target, NULL);
  char *in[2] = { make_input (dir, "in-A.jsonl", 'A', FALSE), make_input (dir, "in-B.jsonl", 'B', FALSE) };
  const char *const allowed[] = { "in-", "out", NULL };
  Complete complete[2] = { 0 };
  /* The complete B, then the complete A in place. */
  Job b = { in[1], target }, a = { in[0], target };
  gint64 took = job_complete (&b, 0);
  complete_load (&complete[1], c, dir);
  took = MAX (took, job_complete (&a, 0));
  complete_load (&complete[0], c, dir);
  for (guint f = 0; c->files[f]; f++)
    g_assert_false (g_bytes_equal (complete[0].raw[f], complete[1].raw[f]));
  guint kills = n_kills ();
  for (guint k = 0; k < kills; k++)
    {
      guint cur = (k + 1) % 2;   /* B first: the target holds A */
      Job j = { in[cur], target };
      gint64 delay = random_delay (took);
      Ending e = job_signal (&j, c->signum, delay, &t);
      Outcome o = files_outcome (c, dir, &complete[!cur], &complete[cur], delay);
      t.outcome[o]++;
      if (o == PARTIAL && e != INTERRUPTED)
        g_error ("a partial output after a run that %s (signal at %" G_GINT64_FORMAT " us)",
                 e == DIED ? "died" : "finished", delay);
      if (o == MIXED && e != DIED)
        g_error ("old and new files after a run that did not die (signal at %" G_GINT64_FORMAT " us)", delay);
      /* A graceful stop cleans up after itself at once. */
      if (e != DIED)
        g_assert_cmpuint (count_temps (dir, allowed), ==, 0);
      /* The re-run: the new output, complete; nothing stale left. */
      job_complete (&j, 0);
      g_assert_cmpint (files_outcome (c, dir, &complete[!cur], &complete[cur], delay), ==, COMPLETE);
      t.reruns++;
      t.temps += count_temps (dir, allowed);
      g_assert_cmpuint (t.temps, ==, 0);
    }
  tally_report (&t);
  check_some_took_effect (&t);
  complete_clear (&complete[0]);
  complete_clear (&complete[1]);
  g_free (in[0]);
  g_free (in[1]);
  dp_test_remove_tree (dir);
}

/* ---- SQLite -------------------------------------------------------------------------- */

/* Every document wholly A or wholly B (its text and its number of entities
 * and claims agree), @n_docs of them; SQLite's own checks pass.  Returns
 * how many are in version @version. */
static guint
check_database (const char *path, guint n_docs, char version)
{
  sqlite3 *db = wt_db_open (path);
  g_autofree char *ok = wt_db_query (db, "PRAGMA integrity_check");
  g_assert_cmpstr (ok, ==, "integrity_check\nok\n");
  g_assert_cmpint (wt_db_int (db, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  g_assert_cmpint (wt_db_int (db, "SELECT count(*) FROM documents"), ==, n_docs);
  gint64 mixed = wt_db_int (db,
      "SELECT count(*) FROM (SELECT substr(d.text, 1, 1) AS v, "
      "(SELECT count(*) FROM entities e WHERE e.document_id = d.id) AS ne, "
      "(SELECT count(*) FROM claims c WHERE c.document_id = d.id) AS nc FROM documents d) "
      "WHERE NOT ((v = 'A' AND ne = 2 AND nc = 0) OR (v = 'B' AND ne = 3 AND nc = 1))");
  g_assert_cmpint (mixed, ==, 0);
  g_assert_cmpint (wt_db_int (db, "SELECT count(*) FROM documents WHERE text LIKE '%BAD%'"), ==, 0);
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM documents WHERE text LIKE '%c%%'", version);
  guint n = (guint) wt_db_int (db, sql);
  sqlite3_close (db);
  return n;
}

static Outcome
db_outcome (guint n_new, guint n_docs)
{
  return n_new == 0 ? OLD : n_new == n_docs ? COMPLETE : PARTIAL;
}

static void
check_sqlite (gconstpointer data)
{
  int signum = GPOINTER_TO_INT (data);
  Tally t = { .name = "sqlite", .signum = signum };
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-kill-XXXXXX");
  g_autofree char *target = g_build_filename (dir, "out.sqlite", NULL);
  char *in[2] = { make_input (dir, "in-A.jsonl", 'A', FALSE), make_input (dir, "in-B.jsonl", 'B', FALSE) };
  const char *const allowed[] = { "in-", "out.sqlite", NULL };
  Job b = { in[1], target }, a = { in[0], target };
  gint64 took = job_complete (&b, 0);
  took = MAX (took, job_complete (&a, 0));
  guint kills = n_kills ();
  for (guint k = 0; k < kills; k++)
    {
      guint cur = (k + 1) % 2;
      char version = cur ? 'B' : 'A';
      Job j = { in[cur], target };
      gint64 delay = random_delay (took);
      job_signal (&j, signum, delay, &t);
      guint n_new = check_database (target, N_DOCS, version);
      /* Whole batches: every run's batches hold the same documents. */
      g_assert_true (whole_batches (signum, n_new));
      t.outcome[db_outcome (n_new, N_DOCS)]++;
      job_complete (&j, 0);
      g_assert_cmpuint (check_database (target, N_DOCS, version), ==, N_DOCS);
      t.reruns++;
      t.temps += count_temps (dir, allowed);
      g_assert_cmpuint (t.temps, ==, 0);
    }
  tally_report (&t);
  check_some_took_effect (&t);
  g_free (in[0]);
  g_free (in[1]);
  dp_test_remove_tree (dir);
}

/* ---- with a state file ------------------------------------------------------------- */

typedef struct {
  const char *name;
  gboolean sqlite;   /* else a JSON-lines file per run */
  int signum;
} StateCase;

typedef struct {
  gint64 out, skipped, failed;
} Stats;

static Stats
read_stats (const char *path)
{
  g_autofree char *text = dp_test_read_file (path);
  g_autoptr (JsonObject) s = dp_test_parse_object (text);
  return (Stats) { json_object_get_int_member (s, "records_out"), json_object_get_int_member (s, "records_skipped"),
                   json_object_get_int_member (s, "records_failed") };
}

static gint64
state_int (const char *state, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gint64
state_int (const char *state, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree char *sql = g_strdup_vprintf (format, ap);
  va_end (ap);
  sqlite3 *db = wt_db_open (state);
  sqlite3_busy_timeout (db, 60000);   /* docpipe may be writing it */
  gint64 n = wt_db_int (db, sql);
  sqlite3_close (db);
  return n;
}

/* Counts each id of the JSON-lines file at @path in @seen (checking its
 * version); FALSE if there is no such file. */
static gboolean
count_ids (const char *path, char version, GHashTable *seen)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (*lines[i])
      {
        g_autoptr (JsonObject) obj = dp_test_parse_object (lines[i]);
        const char *id = json_object_get_string_member (obj, "id");
        g_assert_cmpint (json_object_get_string_member (obj, "text")[0], ==, version);
        guint n = GPOINTER_TO_UINT (g_hash_table_lookup (seen, id));
        g_hash_table_insert (seen, g_strdup (id), GUINT_TO_POINTER (n + 1));
      }
  return TRUE;
}

/* The ids of the failed documents, sorted, joined with ','. */
static char *
bad_ids (void)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < N_DOCS; i++)
    if (is_bad (i))
      g_ptr_array_add (ids, g_strdup_printf ("doc-%u", i));
  g_ptr_array_sort (ids, dp_test_compare_strings);
  g_ptr_array_add (ids, NULL);
  return g_strjoinv (",", (char **) ids->pdata);
}

/* The ids of a dead-letter file, sorted, joined with ','. */
static char *
dead_ids (const char *path)
{
  g_autofree char *text = dp_test_read_file (path);
  return dp_test_sorted_ids (text);
}

/* One signalled run and its re-run, checked (see the top of the file). */
static void
state_round (const StateCase *c, const char *dir, char *const in[2], guint k, gint64 took, Tally *t)
{
  guint cur = (k + 1) % 2;
  char version = cur ? 'B' : 'A';
  g_autofree char *state = g_build_filename (dir, "state.db", NULL);
  g_autofree char *stats = g_build_filename (dir, "stats.json", NULL);
  g_autofree char *killed_out = c->sqlite ? g_build_filename (dir, "out.sqlite", NULL)
                                          : g_strdup_printf ("%s/out-%u.jsonl", dir, k);
  g_autofree char *rerun_out = c->sqlite ? g_strdup (killed_out) : g_strdup_printf ("%s/out-%u-re.jsonl", dir, k);
  g_autofree char *killed_dead = g_strdup_printf ("%s/dead-%u.jsonl", dir, k);
  g_autofree char *rerun_dead = g_strdup_printf ("%s/dead-%u-re.jsonl", dir, k);
  gint64 base = state_int (state, "SELECT max(id) FROM state_runs");

  Job j = { in[cur], killed_out, state, killed_dead, NULL };
  gint64 delay = random_delay (took);
  Ending e = job_signal (&j, c->signum, delay, t);
  gint64 killed_id = state_int (state, "SELECT coalesce(max(id), 0) FROM state_runs WHERE id > %" G_GINT64_FORMAT,
                                base);
  gboolean killed_wrote = FALSE;
  if (c->sqlite)
    t->outcome[db_outcome (check_database (killed_out, N_GOOD, version), N_GOOD)]++;
  else
    {
      g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      killed_wrote = count_ids (killed_out, version, seen);
      /* The file is renamed into place at the end, or by a graceful stop. */
      if (killed_wrote && g_hash_table_size (seen) < N_GOOD && e != INTERRUPTED)
        g_error ("a run that %s left %u documents (signal at %" G_GINT64_FORMAT " us)",
                 e == DIED ? "died" : "finished", g_hash_table_size (seen), delay);
      t->outcome[!killed_wrote ? OLD : g_hash_table_size (seen) == N_GOOD ? COMPLETE : PARTIAL]++;
    }
  gint64 marked = killed_id ? state_int (state, "SELECT count(*) FROM state_documents WHERE run = %" G_GINT64_FORMAT,
                                         killed_id) : 0;
  /* A run the state does not say finished marked nothing. */
  if (killed_id && state_int (state, "SELECT finished IS NULL FROM state_runs WHERE id = %" G_GINT64_FORMAT,
                              killed_id))
    g_assert_cmpint (marked, ==, 0);

  /* The re-run: does what the signalled run did not, retries the failures.
   * A run killed once its file had its name (between the rename and the
   * state's update) has its documents made done by the re-run's start. */
  Job r = { in[cur], rerun_out, state, rerun_dead, stats };
  g_remove (stats);
  job_complete (&r, 3);
  t->reruns++;
  if (killed_id && !marked)
    {
      marked = state_int (state, "SELECT count(*) FROM state_documents WHERE run = %" G_GINT64_FORMAT, killed_id);
      g_assert_true (marked == 0 || (e == DIED && killed_wrote && marked == N_GOOD));
      t->recovered += marked > 0;
    }
  g_assert_cmpint (state_int (state, "SELECT count(*) FROM state_commits"), ==, 0);
  g_assert_cmpint (state_int (state, "SELECT count(*) FROM state_pending"), ==, 0);
  Stats s = read_stats (stats);
  g_assert_cmpint (s.failed, ==, N_BAD);
  g_assert_cmpint (s.skipped, ==, marked);
  g_assert_cmpint (s.out + s.skipped, ==, N_GOOD);
  g_autofree char *want_dead = bad_ids ();
  g_autofree char *got_dead = dead_ids (rerun_dead);
  g_assert_cmpstr (got_dead, ==, want_dead);
  /* The state: every good document done in this version, by one of the two runs. */
  g_assert_cmpint (state_int (state, "SELECT count(*) FROM state_documents"), ==, N_GOOD);
  g_assert_cmpint (state_int (state, "SELECT count(*) FROM state_documents WHERE run <= %" G_GINT64_FORMAT, base),
                   ==, 0);
  g_assert_cmpint (state_int (state, "SELECT count(*) FROM state_runs WHERE finished IS NULL AND id > %"
                                     G_GINT64_FORMAT " AND id != %" G_GINT64_FORMAT, base, killed_id), ==, 0);
  if (c->sqlite)
    {
      guint n = check_database (rerun_out, N_GOOD, version);
      t->lost += N_GOOD - n;
    }
  else
    {
      g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      count_ids (killed_out, version, seen);
      g_assert_true (count_ids (rerun_out, version, seen));
      guint dup = 0, lost = 0;
      for (guint i = 0; i < N_DOCS; i++)
        {
          g_autofree char *id = g_strdup_printf ("doc-%u", i);
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (seen, id));
          if (is_bad (i))
            g_assert_cmpuint (n, ==, 0);
          else
            lost += n == 0, dup += n > 1 ? n - 1 : 0;
        }
      t->lost += lost;
      t->dup += dup;
    }
  g_assert_cmpuint (t->lost, ==, 0);
  g_assert_cmpuint (t->dup, ==, 0);
  /* Nothing stale left, a killed run's own file's temporary file included. */
  const char *const allowed[] = { "in-", "out", "state.db", "dead-", "stats.json", NULL };
  t->temps += count_temps (dir, allowed);
  g_assert_cmpuint (t->temps, ==, 0);
}

static void
check_state (gconstpointer data)
{
  const StateCase *c = data;
  Tally t = { .name = c->name, .signum = c->signum };
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-kill-XXXXXX");
  char *in[2] = { make_input (dir, "in-A.jsonl", 'A', TRUE), make_input (dir, "in-B.jsonl", 'B', TRUE) };
  g_autofree char *state = g_build_filename (dir, "state.db", NULL);
  g_autofree char *out = g_build_filename (dir, c->sqlite ? "out.sqlite" : "out-first.jsonl", NULL);
  g_autofree char *dead = g_build_filename (dir, "dead-first.jsonl", NULL);
  /* The first run, A; its time is the longest any later run takes. */
  Job first = { in[0], out, state, dead, NULL };
  gint64 took = job_complete (&first, 3);
  guint kills = n_kills ();
  for (guint k = 0; k < kills; k++)
    state_round (c, dir, in, k, took, &t);
  /* The failed documents, fixed, are all the next run does. */
  guint last = kills % 2;   /* the version of the last round */
  g_autofree char *fixed = make_input (dir, "in-fixed.jsonl", last ? 'B' : 'A', FALSE);
  g_autofree char *fixed_out = g_build_filename (dir, c->sqlite ? "out.sqlite" : "out-fixed.jsonl", NULL);
  g_autofree char *fixed_dead = g_build_filename (dir, "dead-fixed.jsonl", NULL);
  g_autofree char *stats = g_build_filename (dir, "stats.json", NULL);
  Job f = { fixed, fixed_out, state, fixed_dead, stats };
  job_complete (&f, 0);
  Stats s = read_stats (stats);
  g_assert_cmpint (s.out, ==, N_BAD);
  g_assert_cmpint (s.skipped, ==, N_GOOD);
  g_assert_cmpint (state_int (state, "SELECT count(*) FROM state_documents"), ==, N_DOCS);
  if (c->sqlite)
    g_assert_cmpuint (check_database (fixed_out, N_DOCS, last ? 'B' : 'A'), ==, N_DOCS);
  tally_report (&t);
  check_some_took_effect (&t);
  g_free (in[0]);
  g_free (in[1]);
  dp_test_remove_tree (dir);
}

/* SIGTERM once the state is updated, while docpipe waits to write its
 * --stats (a FIFO nobody reads yet): the signal comes after reading stopped,
 * so the run ends as it would have (exit 0, the stats written).  It used to
 * die of it: the signal's handler was removed before the state was updated,
 * so the same SIGTERM a moment earlier left the output written and its
 * documents not marked done. */
static void
test_term_while_finishing (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-kill-XXXXXX");
  g_autofree char *in = make_input (dir, "in-A.jsonl", 'A', FALSE);
  g_autofree char *out = g_build_filename (dir, "out.jsonl", NULL);
  g_autofree char *state = g_build_filename (dir, "state.db", NULL);
  g_autofree char *fifo = g_build_filename (dir, "stats.fifo", NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  Job j = { in, out, state, NULL, fifo };
  g_autoptr (GSubprocess) p = job_start (&j);
  /* The run is done with the state once it says so; it then blocks opening the FIFO. */
  for (guint waited = 0;; waited++)
    {
      if (g_file_test (state, G_FILE_TEST_EXISTS)
          && state_int (state, "SELECT count(*) FROM sqlite_master WHERE name = 'state_runs'")
          && state_int (state, "SELECT count(*) FROM state_runs WHERE finished IS NOT NULL"))
        break;
      if (waited == 60000)
        g_error ("the run never finished with its state");
      g_usleep (1000);
    }
  /* kill(2) itself, not g_subprocess_send_signal(): that one sends from
   * GLib's worker thread some time after it returns, which could be after
   * the FIFO below is opened and the run has ended. */
  g_assert_cmpint (kill ((pid_t) g_ascii_strtoll (g_subprocess_get_identifier (p), NULL, 10), SIGTERM), ==, 0);
  /* Non-blocking: if the run died, nobody will ever open the other end. */
  int fd = open (fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_subprocess_wait (p, NULL, NULL);
  g_assert_false (g_subprocess_get_if_signaled (p));
  g_assert_cmpint (g_subprocess_get_exit_status (p), ==, 0);
  /* It has exited: what it wrote is in the pipe. */
  g_autoptr (GString) stats = g_string_new (NULL);
  char buf[4096];
  ssize_t n;
  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (stats, buf, n);
  close (fd);
  g_autoptr (JsonObject) obj = dp_test_parse_object (stats->str);
  g_assert_cmpint (json_object_get_int_member (obj, "records_out"), ==, N_DOCS);
  g_assert_cmpint (state_int (state, "SELECT count(*) FROM state_documents"), ==, N_DOCS);
  dp_test_remove_tree (dir);
}

/* ---- a run killed while it commits, deterministically ------------------------ */

typedef enum { TAMPER_NONE, TAMPER_REPLACE } Tamper;

typedef struct {
  const char *ext, *first;     /* the writer's path is DIR/out-RUN.EXT; DIR/out-RUN.FIRST a file it writes */
  const char *knob;            /* DOCPIPE_TEST_DIE_AFTER_COMMIT or DOCPIPE_TEST_DIE_AT_RENAME */
  const char *value;
  gboolean renamed;            /* whether @first got its name */
  Tamper tamper;               /* what happens to @first before the next run */
  gboolean redo;               /* whether the next run must process the documents again */
} DieCase;

/* A run with a state and a file per run dies by SIGKILL where @c's test-only
 * knob says (core/runner.c): after its writer's renames (before the state's
 * update), or once the state recorded a rename, before it.  The next run,
 * writing its own file, processes the documents again only if the killed
 * run's files did not all get their names (or one was replaced since).
 * Before the state recorded renames, the next run always did them again:
 * every document twice in the first case. */
static void
test_die_while_committing (gconstpointer data)
{
  const DieCase *c = data;
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-kill-XXXXXX");
  g_autofree char *in = make_input (dir, "in-A.jsonl", 'A', FALSE);
  g_autofree char *state = g_build_filename (dir, "state.db", NULL);
  g_autofree char *stats = g_build_filename (dir, "stats.json", NULL);
  g_autofree char *out1 = g_strdup_printf ("%s/out-1%s", dir, c->ext);
  g_autofree char *out2 = g_strdup_printf ("%s/out-2%s", dir, c->ext);
  g_autofree char *first = g_strdup_printf ("%s/out-1%s", dir, c->first);

  Job j = { in, out1, state, NULL, NULL };
  g_autoptr (GPtrArray) argv = job_argv (&j);
  g_autoptr (GSubprocessLauncher) l = job_launcher ();
  g_subprocess_launcher_setenv (l, c->knob, c->value, TRUE);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_launcher_spawnv (l, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_wait (p, NULL, NULL);
  g_assert_true (g_subprocess_get_if_signaled (p));
  g_assert_cmpint (g_subprocess_get_term_sig (p), ==, SIGKILL);
  g_assert_cmpint (state_int (state, "SELECT count(*) FROM state_documents"), ==, 0);
  g_assert_true (g_file_test (first, G_FILE_TEST_EXISTS) == c->renamed);
  if (c->tamper == TAMPER_REPLACE)
    {
      /* The same bytes, another file: not the one the run renamed. */
      g_autofree char *text = dp_test_read_file (first);
      g_autofree char *copy = g_strconcat (first, ".copy", NULL);
      g_assert_true (g_file_set_contents (copy, text, -1, NULL));
      g_assert_cmpint (g_rename (copy, first), ==, 0);
    }

  Job next = { in, out2, state, NULL, stats };
  job_complete (&next, 0);
  Stats s = read_stats (stats);
  g_assert_cmpint (s.out, ==, c->redo ? N_DOCS : 0);
  g_assert_cmpint (s.skipped, ==, c->redo ? 0 : N_DOCS);
  g_assert_cmpint (state_int (state, "SELECT count(*) FROM state_documents WHERE run = 1"), ==, c->redo ? 0 : N_DOCS);
  g_assert_cmpint (state_int (state, "SELECT count(*) FROM state_documents WHERE run = 2"), ==, c->redo ? N_DOCS : 0);
  g_assert_cmpint (state_int (state, "SELECT coalesce(marked_done, -1) FROM state_runs WHERE id = 1"), ==,
                   c->redo ? -1 : N_DOCS);
  g_assert_cmpint (state_int (state, "SELECT count(*) FROM state_commits"), ==, 0);
  g_assert_cmpint (state_int (state, "SELECT count(*) FROM state_pending"), ==, 0);
  /* The killed run's temporary files are gone too. */
  const char *const allowed[] = { "in-", "out", "state.db", "stats.json", NULL };
  g_assert_cmpuint (count_temps (dir, allowed), ==, 0);
  dp_test_remove_tree (dir);
}

/* The writer's three CSV tables are synced before the first is renamed, so
 * the renames come one right after another.  They used to be synced and
 * renamed in turn, and a kill while the second file was syncing (a wide
 * window on a busy disk) left new documents beside old entities and claims.
 * The order is read from syncspy's log (tests/fixtures/syncspy.c). */
static void
test_csv_renames_together (void)
{
#ifdef __SANITIZE_ADDRESS__
  g_test_skip ("AddressSanitizer's runtime must come first in LD_PRELOAD");
  return;
#endif
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-kill-XXXXXX");
  g_autofree char *in = make_input (dir, "in-A.jsonl", 'A', FALSE);
  g_autofree char *out = g_build_filename (dir, "out.csv", NULL);
  g_autofree char *log = g_build_filename (dir, "spy.log", NULL);
  Job j = { in, out };
  g_autoptr (GPtrArray) argv = job_argv (&j);
  g_autoptr (GSubprocessLauncher) l = job_launcher ();
  g_subprocess_launcher_setenv (l, "LD_PRELOAD", DP_TEST_SYNCSPY, TRUE);
  g_subprocess_launcher_setenv (l, "DP_SYNCSPY_LOG", log, TRUE);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_launcher_spawnv (l, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (p, NULL, &error);
  g_assert_no_error (error);
  g_autofree char *text = dp_test_read_file (log);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint syncs = 0, renames = 0;
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], "fsync "))
      {
        if (renames)
          g_error ("a CSV file synced between two renames:\n%s", text);
        syncs++;
      }
    else if (g_str_has_prefix (lines[i], "rename "))
      renames++;
  g_assert_cmpuint (syncs, ==, 3);
  g_assert_cmpuint (renames, ==, 3);
  dp_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  static const char *const jsonl[] = { "out.jsonl", NULL };
  static const char *const gz[] = { "out.jsonl.gz", NULL };
  static const char *const csv[] = { "out-documents.csv", "out-entities.csv", "out-claims.csv", NULL };
  static const FileCase files[] = {
    { "jsonl", "out.jsonl", jsonl, FALSE, SIGKILL },
    { "jsonl", "out.jsonl", jsonl, FALSE, SIGTERM },
    { "gzip", "out.jsonl.gz", gz, TRUE, SIGKILL },
    { "gzip", "out.jsonl.gz", gz, TRUE, SIGTERM },
    { "csv", "out.csv", csv, FALSE, SIGKILL },
    { "csv", "out.csv", csv, FALSE, SIGTERM },
  };
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_strdup_printf ("/writer-kill/%s/%s", files[i].name,
                                               files[i].signum == SIGKILL ? "kill" : "term");
      g_test_add_data_func (path, &files[i], check_files);
    }
  g_test_add_data_func ("/writer-kill/sqlite/kill", GINT_TO_POINTER (SIGKILL), check_sqlite);
  g_test_add_data_func ("/writer-kill/sqlite/term", GINT_TO_POINTER (SIGTERM), check_sqlite);
  static const StateCase states[] = {
    { "state-jsonl", FALSE, SIGKILL },
    { "state-jsonl", FALSE, SIGTERM },
    { "state-sqlite", TRUE, SIGKILL },
    { "state-sqlite", TRUE, SIGTERM },
  };
  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autofree char *path = g_strdup_printf ("/writer-kill/%s/%s", states[i].name,
                                               states[i].signum == SIGKILL ? "kill" : "term");
      g_test_add_data_func (path, &states[i], check_state);
    }
  static const DieCase dies[] = {
    { ".jsonl", ".jsonl", "DOCPIPE_TEST_DIE_AFTER_COMMIT", "1", TRUE, TAMPER_NONE, FALSE },
    { ".jsonl", ".jsonl", "DOCPIPE_TEST_DIE_AFTER_COMMIT", "1", TRUE, TAMPER_REPLACE, TRUE },
    { ".jsonl", ".jsonl", "DOCPIPE_TEST_DIE_AT_RENAME", "1", FALSE, TAMPER_NONE, TRUE },
    { ".csv", "-documents.csv", "DOCPIPE_TEST_DIE_AFTER_COMMIT", "1", TRUE, TAMPER_NONE, FALSE },
    { ".csv", "-documents.csv", "DOCPIPE_TEST_DIE_AT_RENAME", "2", TRUE, TAMPER_NONE, TRUE },
  };
  static const char *const die_names[] = { "renamed", "renamed-then-replaced", "before-rename",
                                            "csv-renamed", "csv-between-renames" };
  for (guint i = 0; i < G_N_ELEMENTS (dies); i++)
    {
      g_autofree char *path = g_strdup_printf ("/writer-kill/die-committing/%s", die_names[i]);
      g_test_add_data_func (path, &dies[i], test_die_while_committing);
    }
  g_test_add_func ("/writer-kill/term-while-finishing", test_term_while_finishing);
  g_test_add_func ("/writer-kill/csv-renames-together", test_csv_renames_together);
  return g_test_run ();
}
