/* test-runner.c — the runner and CLI end to end: exit codes, dead letters,
 * on-error policies, determinism across worker counts, bounded memory under a
 * slow sink, signals, and outputs and inputs that are not regular files.
 * Every test runs the real docpipe binary with the build tree's plugins and
 * the fixture stages; waits are on output, not sleeps.  Tests that matter for
 * permissions run again as nobody when the suite runs as root; device nodes
 * are copies made with mknod in a temporary directory, never /dev's.
 */
#include "test-util.h"
#include "writer-util.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define PLUGIN_PATH DP_TEST_PLUGINS ":" DP_TEST_FIXTURES_GOOD

typedef struct {
  const char *stdin_text;
  const char *cwd;          /* NULL: the test's */
  gboolean as_nobody;       /* drop root privileges in the child */
  gboolean limit_memory;    /* hostile input: fail at 2 GB rather than take the machine's memory */
} RunOptions;

#define MEMORY_LIMIT_MB 2048

/* In the child: a CPU limit, so that a regression on hostile input (a
 * symlink cycle, an endless device) fails the test instead of hanging it, a
 * memory limit if asked, and for as_nobody, the user nobody. */
static void
child_setup (gpointer data)
{
  const RunOptions *o = data;
  struct rlimit cpu = { 60, 60 };
  setrlimit (RLIMIT_CPU, &cpu);
#ifndef __SANITIZE_ADDRESS__
  /* (AddressSanitizer reserves terabytes of address space; it gets hard_rss_limit_mb instead.) */
  struct rlimit as = { (rlim_t) MEMORY_LIMIT_MB << 20, (rlim_t) MEMORY_LIMIT_MB << 20 };
  if (o->limit_memory)
    setrlimit (RLIMIT_AS, &as);
#endif
  if (o->as_nobody && !dp_test_become_nobody ())
    _exit (99);
}

static GSubprocess *
spawn (const RunOptions *o, GSubprocessFlags flags, const char *const *args)
{
  g_autoptr (GPtrArray) argv = dp_test_docpipe_argv (args);
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, (gpointer) o, NULL);
  if (o->limit_memory)
    {
      g_autofree char *asan = g_strdup_printf ("%s:hard_rss_limit_mb=%d", g_getenv ("ASAN_OPTIONS") ?: "",
                                               MEMORY_LIMIT_MB);
      g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan, TRUE);
    }
  if (o->cwd)
    g_subprocess_launcher_set_cwd (launcher, o->cwd);
  g_autoptr (GError) error = NULL;
  GSubprocess *p = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  return p;
}

/* Runs docpipe with @args (NULL-terminated) and waits for it. */
static DpTestResult
run_with (const RunOptions *o, const char *const *args)
{
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE
                           | (o->stdin_text ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0);
  g_autoptr (GSubprocess) p = spawn (o, flags, args);
  return dp_test_communicate (p, o->stdin_text);
}

#define RUN(stdin_text, ...) run_with (&(RunOptions) { stdin_text }, (const char *const[]) { __VA_ARGS__, NULL })
#define RUN_OPTS(opts, ...) run_with (opts, (const char *const[]) { __VA_ARGS__, NULL })

static guint
count_lines (const char *text)
{
  guint n = 0;
  for (const char *p = text; p && *p; p++)
    n += *p == '\n';
  return n;
}

static char *
tmp_dir (void)
{
  return dp_test_make_tmp_dir ("docpipe-test-XXXXXX");
}

/* The ids of a JSON-lines text, in order, joined with ','. */
static char *
ids_of (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GString) ids = g_string_new (NULL);
  for (guint i = 0; lines[i]; i++)
    if (*lines[i])
      {
        g_autoptr (JsonObject) obj = dp_test_parse_object (lines[i]);
        g_string_append_printf (ids, "%s%s", ids->len ? "," : "", json_object_get_string_member (obj, "id"));
      }
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

/* ---- exit codes ------------------------------------------------------------ */

static void
test_ok (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "out.jsonl", NULL);
  g_autofree char *expr = g_strdup_printf ("ticker count=25 ! writer path=%s", out);
  DpTestResult r = RUN (NULL, "run", "-q", "-P", PLUGIN_PATH, "-e", expr, "--set", "pipeline.batch-size=4");
  g_assert_cmpint (r.status, ==, 0);
  g_autofree char *text = dp_test_read_file (out);
  g_assert_cmpuint (count_lines (text), ==, 25);
  g_autofree char *ids = ids_of (text);
  g_assert_true (g_str_has_prefix (ids, "t0,t1,t2,t3,t4,"));
  g_assert_true (g_str_has_suffix (ids, ",t23,t24"));
  /* Only the renamed file is left: no temporary debris. */
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (d), ==, "out.jsonl");
  g_assert_null (g_dir_read_name (d));
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

static void
test_usage_errors (void)
{
  DpTestResult r = RUN (NULL, "frobnicate");
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "unknown command 'frobnicate'"));
  dp_test_result_clear (&r);

  r = RUN (NULL, "run");
  g_assert_cmpint (r.status, ==, 2);
  dp_test_result_clear (&r);

  r = RUN (NULL, "run", "/nonexistent/x.pipeline");
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "/nonexistent/x.pipeline"));
  dp_test_result_clear (&r);

  r = RUN (NULL, "run", "--no-such-option", "-e", "ticker ! writer");
  g_assert_cmpint (r.status, ==, 2);
  dp_test_result_clear (&r);

  r = RUN (NULL, "run", "-P", PLUGIN_PATH, "-e", "ticker cuont=3 ! writer");
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "-e:stage 1: stage 'ticker': unknown key 'cuont' (did you mean 'count'?)"));
  dp_test_result_clear (&r);

  r = RUN (NULL, "--version");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "docpipe "));
  dp_test_result_clear (&r);
}

static void
test_create_failure (void)
{
  DpTestResult r = RUN (NULL, "run", "-P", PLUGIN_PATH, "-e", "ticker ! fail-create ! writer");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "stage 'fail-create': model file not found"));
  g_assert_cmpstr (r.out, ==, "");
  dp_test_result_clear (&r);

  /* Paths the stage tables mark as inputs and outputs are checked before any
   * stage is created, as `docpipe check` does (test-config.c has the details). */
  r = RUN (NULL, "run", "-e", "reader path=/nonexistent/dir/x.txt ! writer");
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "stage 'reader': key 'path': /nonexistent/dir/x.txt: no such file"));
  dp_test_result_clear (&r);

  r = RUN (NULL, "run", "-P", PLUGIN_PATH, "-e", "ticker ! writer path=/nonexistent/dir/out.jsonl");
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "stage 'writer': key 'path': /nonexistent/dir/out.jsonl: "
                                   "directory /nonexistent/dir does not exist"));
  dp_test_result_clear (&r);
}

/* ---- failures -------------------------------------------------------------- */

static void
test_dead_letters (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *dead = g_build_filename (dir, "dead.jsonl", NULL);
  g_autofree char *stats = g_build_filename (dir, "stats.json", NULL);
  g_autofree char *set_dead = g_strdup_printf ("pipeline.dead-letter=%s", dead);
  DpTestResult r = RUN (NULL, "run", "-P", PLUGIN_PATH, "--stats", stats, "--set", set_dead,
                  "--set", "pipeline.batch-size=7", "--set", "pipeline.workers=3",
                  "-e", "ticker count=200 ! fail-some fail-ids=t150,t3 fail-text='Record 77 ' ! writer");
  g_assert_cmpint (r.status, ==, 3);
  g_assert_cmpuint (count_lines (r.out), ==, 197);
  g_autofree char *ids = ids_of (r.out);
  g_assert_null (strstr (ids, "t3,"));
  g_assert_nonnull (strstr (ids, "t2,t4,"));
  g_assert_nonnull (strstr (ids, "t76,t78,"));
  g_assert_nonnull (strstr (r.err, "3 records failed"));

  /* Dead letters in input order, each with its stage, error and the record. */
  g_autofree char *dl = dp_test_read_file (dead);
  g_auto (GStrv) lines = g_strsplit (dl, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  const char *expect_ids[] = { "t3", "t77", "t150" };
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (JsonObject) obj = dp_test_parse_object (lines[i]);
      g_assert_cmpstr (json_object_get_string_member (obj, "id"), ==, expect_ids[i]);
      g_assert_cmpstr (json_object_get_string_member (obj, "stage"), ==, "fail-some");
      g_assert_true (json_object_has_member (obj, "error"));
      JsonObject *rec = json_object_get_object_member (obj, "record");
      g_assert_true (g_str_has_prefix (json_object_get_string_member (rec, "text"), "Record "));
    }

  g_autofree char *st = dp_test_read_file (stats);
  g_autoptr (JsonObject) s = dp_test_parse_object (st);
  g_assert_cmpint (json_object_get_int_member (s, "exit_code"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (s, "records_in"), ==, 200);
  g_assert_cmpint (json_object_get_int_member (s, "records_out"), ==, 197);
  g_assert_cmpint (json_object_get_int_member (s, "records_failed"), ==, 3);
  JsonArray *stages = json_object_get_array_member (s, "stages");
  g_assert_cmpuint (json_array_get_length (stages), ==, 3);
  JsonObject *fail = json_array_get_object_element (stages, 1);
  g_assert_cmpstr (json_object_get_string_member (fail, "name"), ==, "fail-some");
  g_assert_cmpint (json_object_get_int_member (fail, "records_in"), ==, 200);
  g_assert_cmpint (json_object_get_int_member (fail, "records_out"), ==, 197);
  g_assert_cmpint (json_object_get_int_member (fail, "records_failed"), ==, 3);
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

static void
test_bad_input_flows_on (void)
{
  /* Bad lines are dead-lettered by the source; good ones flow. */
  const char *input =
    "{\"id\":\"a\",\"text\":\"fine\"}\n"
    "{\"id\":\"b\",\"text\":\n"
    "not json at all\n"
    "\n"
    "{\"id\":\"c\",\"title\":\"kept\",\"text\":\"also fine\"}\n";
  g_autofree char *dir = tmp_dir ();
  g_autofree char *stats = g_build_filename (dir, "stats.json", NULL);
  DpTestResult r = RUN (input, "run", "--stats", stats, "--set", "pipeline.dead-letter=-", "-e", "reader path=- ! writer");
  g_assert_cmpint (r.status, ==, 3);
  /* The blank line is no record; the two bad ones are the reader's failures. */
  g_autofree char *st = dp_test_read_file (stats);
  g_autoptr (JsonObject) s = dp_test_parse_object (st);
  JsonObject *reader = json_array_get_object_element (json_object_get_array_member (s, "stages"), 0);
  g_assert_cmpint (json_object_get_int_member (reader, "records_in"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (reader, "records_out"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (reader, "records_failed"), ==, 2);
  dp_test_remove_tree (dir);
  g_assert_cmpuint (count_lines (r.out), ==, 2);
  g_assert_nonnull (strstr (r.out, "\"meta\":{\"title\":\"kept\"}"));
  g_assert_nonnull (strstr (r.err, "\"source\":\"<stdin>:2\""));
  g_assert_nonnull (strstr (r.err, "\"source\":\"<stdin>:3\""));
  g_assert_nonnull (strstr (r.err, "\"raw\":\"not json at all\""));
  dp_test_result_clear (&r);
}

static void
test_invalid_utf8 (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "latin1.txt", NULL);
  g_assert_true (g_file_set_contents (path, "Z\xfcrich and Gen\xe8ve\n", -1, NULL));
  g_autofree char *expr = g_strdup_printf ("reader path=%s ! writer", path);

  /* replace (the default): U+FFFD for each bad byte, counted in meta */
  DpTestResult r = RUN (NULL, "-q", "run", "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"text\":\"Z\xef\xbf\xbdrich and Gen\xef\xbf\xbdve\\n\""));
  g_assert_nonnull (strstr (r.out, "\"meta\":{\"invalid_utf8\":2}"));
  dp_test_result_clear (&r);

  /* reject: dead-lettered with the exact bytes, in base64 since they are not UTF-8 */
  g_autofree char *expr2 = g_strdup_printf ("reader path=%s invalid-utf8=reject ! writer", path);
  r = RUN (NULL, "run", "--set", "pipeline.dead-letter=-", "-e", expr2);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_cmpstr (r.out, ==, "");
  g_autofree char *b64 = g_base64_encode ((const guchar *) "Z\xfcrich and Gen\xe8ve\n", strlen ("Z\xfcrich and Gen\xe8ve\n"));
  g_autofree char *expect = g_strdup_printf ("\"raw_base64\":\"%s\"", b64);
  g_assert_nonnull (strstr (r.err, expect));
  g_assert_nonnull (strstr (r.err, "2 invalid UTF-8 sequences (invalid-utf8 = reject)"));
  dp_test_result_clear (&r);

  /* A file name that is not UTF-8 still gives a valid UTF-8 id and source. */
  g_autofree char *sub = g_build_filename (dir, "sub", NULL);
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  g_autofree char *odd = g_build_filename (sub, "caf\xe9.txt", NULL);
  g_assert_true (g_file_set_contents (odd, "Coffee.\n", -1, NULL));
  g_autofree char *expr3 = g_strdup_printf ("reader path=%s ! writer", sub);
  /* Non-ASCII in an expression works whatever the locale (tests run in C). */
  g_autofree char *cafe = g_build_filename (dir, "caf\xc3\xa9.txt", NULL);
  g_assert_true (g_file_set_contents (cafe, "Caf\xc3\xa9.\n", -1, NULL));
  g_autofree char *expr4 = g_strdup_printf ("reader path=%s ! writer", cafe);
  r = RUN (NULL, "run", "-e", expr4);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "{\"id\":\"caf\xc3\xa9\""));
  dp_test_result_clear (&r);
  r = RUN (NULL, "run", "-e", expr3);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_utf8_validate (r.out, -1, NULL));
  g_assert_nonnull (strstr (r.out, "{\"id\":\"caf\xef\xbf\xbd\""));
  dp_test_result_clear (&r);
  g_remove (odd);
  g_rmdir (sub);
  dp_test_remove_tree (dir);
}

static void
test_on_error_fail (void)
{
  DpTestResult r = RUN (NULL, "run", "-P", PLUGIN_PATH, "--set", "pipeline.on-error=fail",
                  "--set", "pipeline.dead-letter=-", "--set", "pipeline.batch-size=10",
                  "-e", "ticker count=100 ! fail-some fail-ids=t42 ! writer");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "record 't42' (ticker) failed and on-error = fail"));
  g_assert_nonnull (strstr (r.err, "\"id\":\"t42\",\"source\":\"ticker\",\"stage\":\"fail-some\""));
  /* Batches before the failing one are written, nothing from it or after. */
  g_autofree char *ids = ids_of (r.out);
  g_assert_true (g_str_has_suffix (ids, ",t39"));
  dp_test_result_clear (&r);
}

static void
test_fatal_stage (void)
{
  DpTestResult r = RUN (NULL, "run", "-P", PLUGIN_PATH, "--set", "pipeline.batch-size=8",
                  "--set", "pipeline.workers=4",
                  "-e", "ticker count=400 ! fail-some fatal-id=t100 ! writer");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "stage 'fail-some': fatal failure on record 't100'"));
  /* Output is an in-order prefix ending before the failing batch (t96..t103). */
  g_autofree char *ids = ids_of (r.out);
  g_assert_true (g_str_has_suffix (ids, ",t95"));
  dp_test_result_clear (&r);
}

/* ---- determinism ----------------------------------------------------------- */

static char *
make_corpus (const char *dir, guint n)
{
  static const char *const texts[] = {
    "Ali Larijani met Choe Thae-bok in Tehran on February 19.",
    "« Nous refusons », a déclaré le ministre à Genève — selon l’AFP.",
    "KOMID shipped Hwasong-11A parts via Air Koryo, officials said.",
    "😀 emoji before Names and after: Ünïcödé Zürich.",
  };
  g_autoptr (GString) s = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (JsonBuilder) jb = json_builder_new ();
      json_builder_begin_object (jb);
      json_builder_set_member_name (jb, "id");
      g_autofree char *id = g_strdup_printf ("doc%u", i);
      json_builder_add_string_value (jb, id);
      json_builder_set_member_name (jb, "text");
      g_autofree char *text = g_strdup_printf ("%s Item %u. %s", texts[i % 4], i, texts[(i * 7) % 4]);
      json_builder_add_string_value (jb, text);
      json_builder_set_member_name (jb, "n");
      json_builder_add_int_value (jb, i);
      json_builder_end_object (jb);
      g_autoptr (JsonNode) root = json_builder_get_root (jb);
      g_autofree char *line = json_to_string (root, FALSE);
      g_string_append_printf (s, "%s\n", line);
      if (i % 97 == 5)
        g_string_append (s, "{broken\n");
      /* Lines the fast parser declines to json-glib, among those it takes. */
      if (i % 89 == 7)
        g_string_append_printf (s, "{\"id\":\"x%u\",\"text\":\"a\\u0000b Item\",\"score\":%u.5}\n", i, i);
    }
  char *path = g_build_filename (dir, "corpus.jsonl", NULL);
  g_file_set_contents (path, s->str, -1, NULL);
  return path;
}

static void
test_determinism (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *corpus = make_corpus (dir, 3000);
  g_autofree char *first_out = NULL, *first_dead = NULL;
  const char *workers[] = { "1", "2", "3", "8" };
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      g_autofree char *dead = g_strdup_printf ("%s/dead-%s.jsonl", dir, workers[i]);
      g_autofree char *set_dead = g_strdup_printf ("pipeline.dead-letter=%s", dead);
      g_autofree char *set_workers = g_strdup_printf ("pipeline.workers=%s", workers[i]);
      /* A second sink writes gzip, compressed in pieces in the workers. */
      g_autofree char *gz = g_strdup_printf ("%s/out-%s.jsonl.gz", dir, workers[i]);
      g_autofree char *expr = g_strdup_printf ("reader path=%s ! capitals ! fail-some fail-text=Item\\ 1234. ! writer ! writer path=%s",
                                               corpus, gz);
      DpTestResult r = RUN (NULL, "run", "-q", "-P", PLUGIN_PATH, "--set", set_workers, "--set", set_dead,
                      "--set", "pipeline.batch-size=16", "-e", expr);
      g_assert_cmpint (r.status, ==, 3);
      g_assert_cmpuint (count_lines (r.out), ==, 2999 + 34);
      g_autofree char *dl = dp_test_read_file (dead);
      g_autofree char *gz_bytes = NULL, *first_gz_path = g_strdup_printf ("%s/out-1.jsonl.gz", dir);
      gsize gz_len, first_gz_len;
      g_autofree char *first_gz = NULL;
      g_assert_true (g_file_get_contents (gz, &gz_bytes, &gz_len, NULL));
      g_assert_true (g_file_get_contents (first_gz_path, &first_gz, &first_gz_len, NULL));
      g_assert_true (gz_len == first_gz_len && memcmp (gz_bytes, first_gz, gz_len) == 0);
      g_autofree char *unzipped = wt_gunzip (gz);
      g_assert_cmpstr (unzipped, ==, r.out);
      g_assert_cmpuint (count_lines (dl), ==, 31 + 1);
      if (!first_out)
        {
          first_out = g_steal_pointer (&r.out);
          first_dead = g_steal_pointer (&dl);
          /* Code-point offsets: "😀" is one character, so "Names" spans [15, 20). */
          g_assert_nonnull (strstr (first_out, "{\"id\":\"capitals-1\",\"start\":15,\"end\":20,\"label\":\"CAP\",\"text\":\"Names\"}"));
        }
      else
        {
          g_assert_cmpstr (r.out, ==, first_out);
          g_assert_cmpstr (dl, ==, first_dead);
        }
      dp_test_result_clear (&r);
    }
  dp_test_remove_tree (dir);
}

/* ---- memory bound ---------------------------------------------------------- */

static void
test_backpressure (void)
{
  /* 20,000 records of 20 kB: 400 MB if nothing held the source back. */
  g_autofree char *dir = tmp_dir ();
  g_autofree char *stats = g_build_filename (dir, "stats.json", NULL);
  DpTestResult r = RUN (NULL, "run", "-P", PLUGIN_PATH, "--stats", stats, "--set", "pipeline.batch-size=16",
                  "--set", "pipeline.queue-depth=4",
                  "-e", "ticker count=20000 text-size=20000 ! slow-sink delay-ms=1");
  g_assert_cmpint (r.status, ==, 0);
  g_autofree char *st = dp_test_read_file (stats);
  g_autoptr (JsonObject) s = dp_test_parse_object (st);
  g_assert_cmpint (json_object_get_int_member (s, "records_out"), ==, 20000);
  gint64 rss = json_object_get_int_member (s, "peak_rss_kb");
  g_test_message ("peak RSS %" G_GINT64_FORMAT " kB", rss);
#ifndef __SANITIZE_ADDRESS__
  g_assert_cmpint (rss, <, 100 * 1024);
#else
  /* AddressSanitizer's quarantine holds freed memory back; the bound is checked in normal builds. */
  (void) rss;
#endif
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

/* ---- signals --------------------------------------------------------------- */

/* Starts an endless paced pipeline, waits for its first output line, signals
 * it, and returns the exit code and everything it wrote. */
static int
interrupt_run (const char *expr, int signum, char **out_text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                                &error, DP_TEST_DOCPIPE, "run", "-q", "-P", PLUGIN_PATH,
                                                "--set", "pipeline.batch-size=2", "-e", expr, NULL);
  g_assert_no_error (error);
  g_autoptr (GDataInputStream) in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (p));
  g_autoptr (GString) all = g_string_new (NULL);
  gsize len;
  char *line = g_data_input_stream_read_line (in, &len, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_string_append_printf (all, "%s\n", line);
  g_free (line);
  g_subprocess_send_signal (p, signum);
  while ((line = g_data_input_stream_read_line (in, &len, NULL, &error)))
    {
      g_string_append_printf (all, "%s\n", line);
      g_free (line);
    }
  g_assert_no_error (error);
  g_subprocess_wait (p, NULL, &error);
  g_assert_no_error (error);
  *out_text = g_string_free (g_steal_pointer (&all), FALSE);
  return dp_test_exit_code (p);
}

static void
test_sigint (void)
{
  g_autofree char *out = NULL;
  int code = interrupt_run ("ticker count=0 delay-ms=10 ! writer", SIGINT, &out);
  g_assert_cmpint (code, ==, 130);
  /* Every line written is a whole record, in order from the first. */
  g_autofree char *ids = ids_of (out);
  g_assert_true (g_str_has_prefix (ids, "t0,t1"));
}

static void
test_sigterm_renames_output (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "out.jsonl", NULL);
  /* The file sink writes nothing to stdout, so tee the records there too. */
  g_autofree char *expr = g_strdup_printf ("ticker count=0 delay-ms=10 ! writer ! writer path=%s", path);
  g_autofree char *out = NULL;
  int code = interrupt_run (expr, SIGTERM, &out);
  g_assert_cmpint (code, ==, 143);
  g_autofree char *file = dp_test_read_file (path);
  g_assert_cmpstr (file, ==, out);
  g_assert_cmpuint (count_lines (file), >=, 2);
  dp_test_remove_tree (dir);
}

static void
test_sigint_on_idle_stdin (void)
{
  /* A stream that delivers one record and then stays silent: the record comes
   * out at once, and SIGINT still ends the run cleanly. */
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                                &error, DP_TEST_DOCPIPE, "run", "-q", "-e",
                                                "reader path=- ! writer", NULL);
  g_assert_no_error (error);
  const char *line = "{\"id\":\"only\",\"text\":\"One record.\"}\n";
  g_output_stream_write_all (g_subprocess_get_stdin_pipe (p), line, strlen (line), NULL, NULL, &error);
  g_output_stream_flush (g_subprocess_get_stdin_pipe (p), NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GDataInputStream) in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (p));
  gsize len;
  g_autofree char *out = g_data_input_stream_read_line (in, &len, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (out, "{\"id\":\"only\""));
  g_subprocess_send_signal (p, SIGINT);
  g_subprocess_wait (p, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dp_test_exit_code (p), ==, 130);
}

/* ---- plugins command ------------------------------------------------------- */

static void
test_plugins_command (void)
{
  DpTestResult r = RUN (NULL, "plugins");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "reader"));
  g_assert_nonnull (strstr (r.out, "writer"));
  dp_test_result_clear (&r);

  r = RUN (NULL, "plugins", "reader");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Stage reader (source)"));
  g_assert_nonnull (strstr (r.out, "max-record-size"));
  g_assert_nonnull (strstr (r.out, "path, required, read (checked: must exist)"));
  dp_test_result_clear (&r);

  r = RUN (NULL, "plugins", "--json", "writer");
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (JsonObject) obj = dp_test_parse_object (r.out);
  g_assert_cmpstr (json_object_get_string_member (obj, "kind"), ==, "sink");
  JsonArray *params = json_object_get_array_member (obj, "parameters");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (params, 0), "name"), ==, "path");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (params, 0), "path_role"), ==, "output");
  g_assert_false (json_object_has_member (json_array_get_object_element (params, 1), "path_role"));
  dp_test_result_clear (&r);

  r = RUN (NULL, "plugins", "wrtier");
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "did you mean 'writer'"));
  dp_test_result_clear (&r);

  r = RUN (NULL, "plugins", "-P", DP_TEST_FIXTURES_BAD);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "was built for docpipe plugin ABI 1.1; this docpipe needs ABI 2.x"));
  dp_test_result_clear (&r);
}

static void
test_normalizer_original_offsets (void)
{
  /* Soft hyphen, zero-width space, NBSP, guillemets, an entity: the normalized
   * words map back onto exactly their characters in the text as read. */
  const char *input =
    "{\"id\":\"n1\",\"text\":\"Teh\\u00adran and \\u00abPyong\\u200byang\\u00bb met  in\\u00a0Geneva &amp; Bern.\"}\n";
  DpTestResult r = RUN (input, "run", "-P", PLUGIN_PATH, "-e", "reader path=- ! normalizer ! capitals ! writer offsets=original");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"text\":\"Teh\xc2\xadran and \xc2\xabPyong\xe2\x80\x8byang\xc2\xbb met  in\xc2\xa0Geneva &amp; Bern.\""));
  g_assert_nonnull (strstr (r.out, "{\"id\":\"capitals-1\",\"start\":0,\"end\":7,\"label\":\"CAP\",\"text\":\"Teh\xc2\xadran\"}"));
  g_assert_nonnull (strstr (r.out, "{\"id\":\"capitals-2\",\"start\":13,\"end\":23,\"label\":\"CAP\",\"text\":\"Pyong\xe2\x80\x8byang\"}"));
  g_assert_nonnull (strstr (r.out, "{\"id\":\"capitals-3\",\"start\":33,\"end\":39,\"label\":\"CAP\",\"text\":\"Geneva\"}"));
  g_assert_nonnull (strstr (r.out, "{\"id\":\"capitals-4\",\"start\":46,\"end\":50,\"label\":\"CAP\",\"text\":\"Bern\"}"));
  dp_test_result_clear (&r);

  /* The default shows the normalized text and offsets into it. */
  r = RUN (input, "run", "-P", PLUGIN_PATH, "-e", "reader path=- ! normalizer ! capitals ! writer");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"text\":\"Tehran and \xc2\xabPyongyang\xc2\xbb met in Geneva & Bern.\""));
  g_assert_nonnull (strstr (r.out, "{\"id\":\"capitals-2\",\"start\":12,\"end\":21,\"label\":\"CAP\",\"text\":\"Pyongyang\"}"));
  dp_test_result_clear (&r);
}

static void
test_normalizer_drop_lines_file (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *rules = g_build_filename (dir, "drop.txt", NULL);
  g_assert_true (g_file_set_contents (rules, "# our own furniture\n^ADVERT\n", -1, NULL));
  g_autofree char *expr = g_strdup_printf ("reader path=- ! normalizer drop-lines=%s ! writer", rules);
  DpTestResult r = RUN ("{\"id\":\"a\",\"text\":\"Body.\\nADVERT buy now\\nMore.\"}\n", "run", "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"text\":\"Body.\\nMore.\""));
  g_assert_nonnull (strstr (r.out, "\"dropped_lines\":[\"ADVERT buy now\"]"));
  dp_test_result_clear (&r);

  /* A pattern that does not compile names the file and line.  The run stops
   * before reading anything, so no input is piped in: writing to a process
   * that has exited would kill this test with SIGPIPE. */
  g_assert_true (g_file_set_contents (rules, "# ok\n^fine$\n([\n", -1, NULL));
  g_autofree char *input = g_build_filename (dir, "in.jsonl", NULL);
  g_assert_true (g_file_set_contents (input, "{\"text\":\"x\"}\n", -1, NULL));
  g_free (expr);
  expr = g_strdup_printf ("reader path=%s ! normalizer drop-lines=%s ! writer", input, rules);
  r = RUN (NULL, "run", "-e", expr);
  g_assert_cmpint (r.status, ==, 1);
  g_autofree char *where = g_strdup_printf ("stage 'normalizer': %s:3:", rules);
  g_assert_nonnull (strstr (r.err, where));
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

/* The shipped news pipeline runs all five stages: every sample comes out with
 * entities and claims, and claims' speakers point into the entities layer. */
static void
test_news_pipeline (void)
{
  DpTestResult r = RUN (NULL, "run", DP_TEST_SRCDIR "/pipelines/news.pipeline");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpuint (count_lines (r.out), ==, 12);
  g_autofree char *ids = ids_of (r.out);
  g_assert_true (g_str_has_prefix (ids, "01-"));
  g_auto (GStrv) lines = g_strsplit (r.out, "\n", -1);
  guint linked = 0;
  for (guint i = 0; lines[i] && *lines[i]; i++)
    {
      g_autoptr (JsonObject) obj = dp_test_parse_object (lines[i]);
      JsonObject *layers = json_object_get_object_member (obj, "layers");
      g_assert_true (json_object_has_member (layers, "entities"));
      g_assert_true (json_object_has_member (layers, "claims"));
      JsonArray *claims = json_object_get_array_member (layers, "claims");
      g_assert_cmpuint (json_array_get_length (claims), >, 0);
      for (guint k = 0; k < json_array_get_length (claims); k++)
        {
          JsonNode *sp = json_object_get_member (json_array_get_object_element (claims, k), "speaker");
          if (JSON_NODE_HOLDS_OBJECT (sp) && !json_object_get_null_member (json_node_get_object (sp), "entity"))
            linked++;
        }
    }
  g_assert_cmpuint (linked, >, 0);
  dp_test_result_clear (&r);
}

/* The id -> text of every record of a JSON-lines output. */
static GHashTable *
texts_of (const char *out)
{
  GHashTable *texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (*lines[i])
      {
        g_autoptr (JsonObject) obj = dp_test_parse_object (lines[i]);
        g_hash_table_insert (texts, g_strdup (json_object_get_string_member (obj, "id")),
                             g_strdup (json_object_get_string_member (obj, "text")));
      }
  return texts;
}

/* samples/news.jsonl holds the same articles as the .txt files beside it (see
 * samples/news/README.md): an article edited in one must be edited in both. */
static void
test_samples_jsonl (void)
{
  DpTestResult t = RUN (NULL, "run", "-q", "-e", "reader path=" DP_TEST_SRCDIR "/samples/news/*.txt ! writer");
  DpTestResult j = RUN (NULL, "run", "-q", "-e", "reader path=" DP_TEST_SRCDIR "/samples/news.jsonl ! writer");
  g_assert_cmpint (t.status, ==, 0);
  g_assert_cmpint (j.status, ==, 0);
  g_autoptr (GHashTable) from_txt = texts_of (t.out);
  g_autoptr (GHashTable) from_jsonl = texts_of (j.out);
  g_assert_cmpuint (g_hash_table_size (from_txt), ==, 12);
  g_assert_cmpuint (g_hash_table_size (from_jsonl), ==, g_hash_table_size (from_txt));
  GHashTableIter it;
  gpointer id, text;
  g_hash_table_iter_init (&it, from_txt);
  while (g_hash_table_iter_next (&it, &id, &text))
    {
      g_test_message ("%s", (char *) id);
      g_assert_cmpstr (g_hash_table_lookup (from_jsonl, id), ==, text);
    }
  dp_test_result_clear (&t);
  dp_test_result_clear (&j);
}

/* ---- outputs: devices, FIFOs, links, descriptors ------------------------------ */

/* Tests taking a flag run as the current user, and again as nobody when that
 * is root.  TRUE: skip this run. */
static gboolean
skip_as_nobody (gboolean as_nobody)
{
  if (!as_nobody || geteuid () == 0)
    return FALSE;
  g_test_skip ("not root: ran as this user already");
  return TRUE;
}

static gboolean
skip_unless_root (void)
{
  if (geteuid () == 0)
    return FALSE;
  g_test_skip ("needs root to make device nodes (mknod)");
  return TRUE;
}

/* A temporary directory the child can write in. */
static char *
run_dir (gboolean as_nobody)
{
  char *dir = tmp_dir ();
  if (as_nobody)
    g_assert_cmpint (chown (dir, DP_TEST_NOBODY, DP_TEST_NOBODY), ==, 0);
  return dir;
}

/* A copy of a memory device (1, @minor: 3 null, 5 zero, 7 full) in @dir. */
static char *
make_device (const char *dir, const char *name, guint minor)
{
  char *path = g_build_filename (dir, name, NULL);
  g_assert_cmpint (mknod (path, S_IFCHR | 0666, makedev (1, minor)), ==, 0);
  g_assert_cmpint (g_chmod (path, 0666), ==, 0);
  return path;
}

static void
assert_device (const char *path, guint minor)
{
  GStatBuf st;
  g_assert_cmpint (g_lstat (path, &st), ==, 0);
  g_assert_true (S_ISCHR (st.st_mode));
  g_assert_cmpuint (minor (st.st_rdev), ==, minor);
}

static void
test_writer_to_device (gconstpointer data)
{
  gboolean as_nobody = GPOINTER_TO_INT (data);
  if (skip_as_nobody (as_nobody) || skip_unless_root ())
    return;
  g_autofree char *dir = run_dir (as_nobody);
  g_autofree char *null = make_device (dir, "null", 3);
  g_autofree char *expr = g_strdup_printf ("ticker count=50 ! writer path=%s", null);
  RunOptions o = { .as_nobody = as_nobody };
  DpTestResult r = RUN_OPTS (&o, "run", "-P", PLUGIN_PATH, "-e", expr);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpint (r.status, ==, 0);
  /* Written in place: the node is still the device, and nothing was left beside it. */
  assert_device (null, 3);
  g_autofree char *names = dp_test_list_dir (dir);
  g_assert_cmpstr (names, ==, "null");
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

static void
test_writer_to_fifo (gconstpointer data)
{
  gboolean as_nobody = GPOINTER_TO_INT (data);
  if (skip_as_nobody (as_nobody))
    return;
  g_autofree char *dir = run_dir (as_nobody);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_assert_cmpint (mkfifo (fifo, 0666), ==, 0);
  g_assert_cmpint (g_chmod (fifo, 0666), ==, 0);
  /* Holding the read end open lets the run open the FIFO at once; what it
   * writes (less than a pipe buffer) waits in the FIFO until the run ends. */
  int fd = open (fifo, O_RDONLY | O_NONBLOCK);
  g_assert_cmpint (fd, >=, 0);
  g_autofree char *expr = g_strdup_printf ("ticker count=20 ! writer path=%s", fifo);
  RunOptions o = { .as_nobody = as_nobody };
  DpTestResult r = RUN_OPTS (&o, "run", "-P", PLUGIN_PATH, "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (GString) got = g_string_new (NULL);
  char buf[4096];
  ssize_t n;
  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (got, buf, n);
  close (fd);
  g_assert_cmpuint (count_lines (got->str), ==, 20);
  g_autofree char *ids = ids_of (got->str);
  g_assert_true (g_str_has_prefix (ids, "t0,t1,t2,"));
  GStatBuf st;
  g_assert_cmpint (g_lstat (fifo, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));
  g_autofree char *names = dp_test_list_dir (dir);
  g_assert_cmpstr (names, ==, "fifo");
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

static void
test_writer_through_symlink (gconstpointer data)
{
  gboolean as_nobody = GPOINTER_TO_INT (data);
  if (skip_as_nobody (as_nobody))
    return;
  g_autofree char *dir = run_dir (as_nobody);
  g_autofree char *real = g_build_filename (dir, "real.jsonl", NULL);
  g_autofree char *link_path = g_build_filename (dir, "out.jsonl", NULL);
  g_assert_true (g_file_set_contents (real, "old\n", -1, NULL));
  g_assert_cmpint (g_chmod (real, 0640), ==, 0);
  if (as_nobody)
    g_assert_cmpint (chown (real, DP_TEST_NOBODY, DP_TEST_NOBODY), ==, 0);
  g_assert_cmpint (symlink ("real.jsonl", link_path), ==, 0);
  g_autofree char *expr = g_strdup_printf ("ticker count=7 ! writer path=%s", link_path);
  RunOptions o = { .as_nobody = as_nobody };
  DpTestResult r = RUN_OPTS (&o, "run", "-P", PLUGIN_PATH, "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  /* The link's target got the records and kept its mode; the link is still a link. */
  g_autofree char *text = dp_test_read_file (real);
  g_assert_cmpuint (count_lines (text), ==, 7);
  GStatBuf st;
  g_assert_cmpint (g_stat (real, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  g_assert_cmpint (g_lstat (link_path, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  g_autofree char *names = dp_test_list_dir (dir);
  g_assert_cmpstr (names, ==, "out.jsonl,real.jsonl");
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

static void
test_stats_to_stdout (gconstpointer data)
{
  gboolean as_nobody = GPOINTER_TO_INT (data);
  if (skip_as_nobody (as_nobody))
    return;
  g_autofree char *dir = run_dir (as_nobody);
  g_autofree char *out = g_build_filename (dir, "out.jsonl", NULL);
  g_autofree char *expr = g_strdup_printf ("ticker count=3 ! writer path=%s", out);
  /* /dev/stdout is tried as nobody only: as root, a regression would replace
   * the system's /dev/stdout (it happened); the /proc and /dev/fd names fail
   * safely instead. */
  const char *names[] = { "-", "/dev/fd/1", "/proc/self/fd/1", as_nobody ? "/dev/stdout" : NULL };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (names[i])
      {
        g_test_message ("--stats=%s", names[i]);
        g_autofree char *opt = g_strdup_printf ("--stats=%s", names[i]);
        RunOptions o = { .cwd = dir, .as_nobody = as_nobody };
        DpTestResult r = RUN_OPTS (&o, "run", "-q", "-P", PLUGIN_PATH, opt, "-e", expr);
        g_assert_cmpstr (r.err, ==, "");
        g_assert_cmpint (r.status, ==, 0);
        g_assert_true (g_str_has_prefix (r.out, "{"));
        g_autoptr (JsonObject) stats = dp_test_parse_object (r.out);
        g_assert_cmpint (json_object_get_int_member (stats, "records_out"), ==, 3);
        dp_test_result_clear (&r);
      }
  /* Nothing but the writer's file: no file named "-", no temporary debris. */
  g_autofree char *listing = dp_test_list_dir (dir);
  g_assert_cmpstr (listing, ==, "out.jsonl");
  dp_test_remove_tree (dir);
}

static void
test_records_and_stats_share_stdout (void)
{
  /* Records and then the summary, both on the one standard output. */
  DpTestResult r = RUN (NULL, "run", "-q", "-P", PLUGIN_PATH, "--stats=/dev/fd/1", "-e", "ticker count=2 ! writer");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "{\"id\":\"t0\""));
  const char *summary = strstr (r.out, "\n{\n");
  g_assert_nonnull (summary);
  g_autoptr (JsonObject) stats = dp_test_parse_object (summary + 1);
  g_assert_cmpint (json_object_get_int_member (stats, "records_out"), ==, 2);
  dp_test_result_clear (&r);
}

/* ---- dead letters that cannot be written ----------------------------------------- */

static void
check_dead_letters_lost (const char *dead, gboolean as_nobody, const char *reason)
{
  g_autofree char *dir = run_dir (as_nobody);
  g_autofree char *out = g_build_filename (dir, "out.jsonl", NULL);
  g_autofree char *stats = g_build_filename (dir, "stats.json", NULL);
  g_autofree char *set_dead = g_strdup_printf ("pipeline.dead-letter=%s", dead);
  g_autofree char *expr = g_strdup_printf ("ticker count=100 ! fail-some fail-ids=t55,t56 ! writer path=%s", out);
  RunOptions o = { .as_nobody = as_nobody };
  DpTestResult r = RUN_OPTS (&o, "run", "-P", PLUGIN_PATH, "--stats", stats, "--set", set_dead,
                       "--set", "pipeline.batch-size=10", "--set", "pipeline.workers=2", "-e", expr);
  g_assert_cmpint (r.status, ==, 4);
  g_assert_nonnull (strstr (r.err, "docpipe: error: cannot save dead letters: "));
  g_autofree char *expect = g_strdup_printf ("%s: %s; 2 failed records lost\n", dead, reason);
  g_assert_nonnull (strstr (r.err, expect));
  /* The dead letters went nowhere else. */
  g_assert_null (strstr (r.err, "\"stage\":\"fail-some\""));
  /* The run stopped after the batch it could not dead-letter; the output is
   * complete up to there. */
  g_autofree char *text = dp_test_read_file (out);
  g_autofree char *ids = ids_of (text);
  g_assert_true (g_str_has_suffix (ids, ",t54,t57,t58,t59"));
  g_autofree char *st = dp_test_read_file (stats);
  g_autoptr (JsonObject) s = dp_test_parse_object (st);
  g_assert_cmpint (json_object_get_int_member (s, "exit_code"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (s, "records_failed"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (s, "records_failed_unsaved"), ==, 2);
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

static void
test_dead_letters_missing_dir (gconstpointer data)
{
  gboolean as_nobody = GPOINTER_TO_INT (data);
  if (skip_as_nobody (as_nobody))
    return;
  g_autofree char *dir = tmp_dir ();
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  /* Known before the run: refused as a configuration error, nothing is run. */
  g_autofree char *dead = g_build_filename (dir, "no-such-dir", "dead.jsonl", NULL);
  g_autofree char *out = g_build_filename (dir, "out.jsonl", NULL);
  g_autofree char *set_dead = g_strdup_printf ("pipeline.dead-letter=%s", dead);
  g_autofree char *expr = g_strdup_printf ("ticker count=100 ! fail-some fail-ids=t55 ! writer path=%s", out);
  RunOptions o = { .as_nobody = as_nobody };
  DpTestResult r = RUN_OPTS (&o, "run", "-P", PLUGIN_PATH, "--set", set_dead, "-e", expr);
  g_assert_cmpint (r.status, ==, 2);
  g_autofree char *expect = g_strdup_printf ("key 'dead-letter': %s: directory %s/no-such-dir does not exist", dead, dir);
  g_assert_nonnull (strstr (r.err, expect));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

static void
test_dead_letters_unwritable_dir (void)
{
  if (geteuid () != 0)
    {
      /* Root may write anywhere; a user may not write a directory mode 0555. */
      g_autofree char *dir = tmp_dir ();
      g_assert_cmpint (g_chmod (dir, 0555), ==, 0);
      g_autofree char *dead = g_build_filename (dir, "dead.jsonl", NULL);
      check_dead_letters_lost (dead, FALSE, "Permission denied");
      g_chmod (dir, 0755);
      dp_test_remove_tree (dir);
      return;
    }
  g_autofree char *dir = tmp_dir ();   /* root's, mode 0700: nobody may not write it */
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  g_autofree char *dead = g_build_filename (dir, "dead.jsonl", NULL);
  check_dead_letters_lost (dead, TRUE, "Permission denied");
  dp_test_remove_tree (dir);
}

static void
test_dead_letters_full_device (gconstpointer data)
{
  gboolean as_nobody = GPOINTER_TO_INT (data);
  if (skip_as_nobody (as_nobody) || skip_unless_root ())
    return;
  g_autofree char *dir = tmp_dir ();
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  g_autofree char *full = make_device (dir, "full", 7);
  check_dead_letters_lost (full, as_nobody, "No space left on device");
  assert_device (full, 7);
  dp_test_remove_tree (dir);
}

static void
test_dead_letters_shared (void)
{
  /* Two runs append long dead letters (about 30 kB each, more than stdio's
   * buffer) to one file at once: every line must come out whole. */
  g_autofree char *dir = tmp_dir ();
  g_autofree char *dead = g_build_filename (dir, "shared-dead.jsonl", NULL);
  g_autofree char *set_dead = g_strdup_printf ("pipeline.dead-letter=%s", dead);
  RunOptions o = { 0 };
  const char *const args[] = { "run", "-q", "-P", PLUGIN_PATH, "--set", set_dead,
                               "--set", "pipeline.batch-size=3", "-e",
                               "ticker count=300 text-size=30000 ! fail-some fail-text=Record ! writer", NULL };
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE;
  g_autoptr (GSubprocess) one = spawn (&o, flags, args);
  g_autoptr (GSubprocess) two = spawn (&o, flags, args);
  g_autoptr (GError) error = NULL;
  g_subprocess_wait (one, NULL, &error);
  g_subprocess_wait (two, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dp_test_exit_code (one), ==, 3);
  g_assert_cmpint (dp_test_exit_code (two), ==, 3);
  g_autofree char *text = dp_test_read_file (dead);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 600 + 1);
  for (guint i = 0; i < 600; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      if (!json_parser_load_from_data (parser, lines[i], -1, NULL))
        g_error ("line %u of the shared dead-letter file is not a whole JSON object: %.60s…", i + 1, lines[i]);
    }
  dp_test_remove_tree (dir);
}

/* ---- inputs: directory trees with links, FIFOs, devices --------------------------- */

static void
test_reader_symlink_cycles (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *tree = g_build_filename (dir, "tree", NULL);
  g_autofree char *sub = g_build_filename (tree, "sub", NULL);
  g_autofree char *outside = g_build_filename (dir, "outside", NULL);
  g_assert_cmpint (g_mkdir (tree, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (outside, 0755), ==, 0);
  const char *files[][2] = {
    { "tree/a.txt", "Alpha." }, { "tree/sub/b.txt", "Beta." }, { "outside/c.txt", "Gamma." },
  };
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i][0], NULL);
      g_assert_true (g_file_set_contents (path, files[i][1], -1, NULL));
    }
  const char *links[][2] = {
    { "tree/loop", "." },                 /* a cycle: 41 copies of each record before */
    { "tree/loop2", "." },                /* two cycles: a walk without end before */
    { "tree/sub/up", ".." },              /* a cycle through the parent */
    { "tree/alias.txt", "a.txt" },        /* a second name for a file: read once */
    { "tree/sub/again.txt", "../a.txt" },
    { "tree/sublink", "sub" },            /* a second name for a directory: walked once */
    { "tree/ext", "../outside" },         /* a directory outside the tree: walked */
    { "tree/dangling.txt", "nothing" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    {
      g_autofree char *path = g_build_filename (dir, links[i][0], NULL);
      g_assert_cmpint (symlink (links[i][1], path), ==, 0);
    }
  g_autofree char *expr = g_strdup_printf ("reader path=%s ! writer", tree);
  RunOptions o = { .limit_memory = TRUE };
  DpTestResult r = RUN_OPTS (&o, "run", "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  g_autofree char *ids = ids_of (r.out);
  g_assert_cmpstr (ids, ==, "a,ext/c,sub/b");
  /* Cycles and dangling links are reported, with their paths. */
  g_autofree char *loop = g_strdup_printf ("reader: %s/loop: a link back to %s, which is being read (a cycle); skipped",
                                           tree, tree);
  g_assert_nonnull (strstr (r.err, loop));
  g_autofree char *up = g_strdup_printf ("reader: %s/sub/up: a link back to %s", tree, tree);
  g_assert_nonnull (strstr (r.err, up));
  g_assert_nonnull (strstr (r.err, "dangling.txt: a symbolic link to nothing; skipped"));

  /* A glob naming one file twice reads it once. */
  g_autofree char *glob_expr = g_strdup_printf ("reader path=%s/*.txt ! writer", tree);
  r = (dp_test_result_clear (&r), RUN_OPTS (&o, "run", "-q", "-e", glob_expr));
  g_assert_cmpint (r.status, ==, 0);
  g_autofree char *glob_ids = ids_of (r.out);
  g_assert_cmpstr (glob_ids, ==, "a");
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

static void
test_reader_link_lattice (void)
{
  /* d0 … d19, each with two links to the next: 2^20 paths to the one file at
   * the bottom, and as many records before. */
  g_autofree char *dir = tmp_dir ();
  for (guint i = 0; i <= 20; i++)
    {
      g_autofree char *d = g_strdup_printf ("%s/d%u", dir, i);
      g_assert_cmpint (g_mkdir (d, 0755), ==, 0);
      if (i == 20)
        {
          g_autofree char *file = g_build_filename (d, "bottom.txt", NULL);
          g_assert_true (g_file_set_contents (file, "The bottom.", -1, NULL));
          break;
        }
      g_autofree char *next = g_strdup_printf ("../d%u", i + 1);
      g_autofree char *x = g_build_filename (d, "x", NULL);
      g_autofree char *y = g_build_filename (d, "y", NULL);
      g_assert_cmpint (symlink (next, x), ==, 0);
      g_assert_cmpint (symlink (next, y), ==, 0);
    }
  g_autofree char *expr = g_strdup_printf ("reader path=%s/d0 ! writer", dir);
  RunOptions o = { .limit_memory = TRUE };
  DpTestResult r = RUN_OPTS (&o, "run", "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpuint (count_lines (r.out), ==, 1);
  g_assert_nonnull (strstr (r.out, "\"text\":\"The bottom.\""));
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

typedef struct {
  char *path;
  gsize size;
} FifoFeed;

/* Writes @size bytes of text (no newline) into a FIFO, until the reader stops reading. */
static gpointer
feed_fifo (gpointer data)
{
  FifoFeed *f = data;
  int fd = open (f->path, O_WRONLY);
  g_assert_cmpint (fd, >=, 0);
  char block[4096];
  memset (block, 'a', sizeof block);
  for (gsize sent = 0; sent < f->size; sent += sizeof block)
    if (write (fd, block, sizeof block) < 0)
      break;   /* EPIPE: the reader had enough */
  close (fd);
  return NULL;
}

static void
test_reader_fifo (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *fifo = g_build_filename (dir, "in.txt", NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_autofree char *stats = g_build_filename (dir, "stats.json", NULL);
  g_autofree char *expr = g_strdup_printf ("reader path=%s max-record-size=1048576 ! writer", fifo);

  /* Small: one text record. */
  FifoFeed small = { fifo, 8192 };
  GThread *feeder = g_thread_new ("feed", feed_fifo, &small);
  DpTestResult r = RUN (NULL, "run", "-q", "-e", expr);
  g_thread_join (feeder);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpuint (count_lines (r.out), ==, 1);
  dp_test_result_clear (&r);

  /* More than max-record-size: dead-lettered, naming the FIFO, without
   * reading the rest (the file size says nothing on a FIFO). */
  FifoFeed big = { fifo, 8 << 20 };
  feeder = g_thread_new ("feed", feed_fifo, &big);
  RunOptions o = { .limit_memory = TRUE };
  r = RUN_OPTS (&o, "run", "--stats", stats, "--set", "pipeline.dead-letter=-", "-e", expr);
  g_thread_join (feeder);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_cmpstr (r.out, ==, "");
  g_autofree char *expect = g_strdup_printf ("{\"id\":\"in\",\"source\":\"%s\",\"stage\":\"reader\","
                                             "\"error\":\"input exceeds max-record-size (1048576 bytes); "
                                             "the rest was not read\"", fifo);
  g_assert_nonnull (strstr (r.err, expect));
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

static void
assert_small_rss (const char *stats_path)
{
  g_autofree char *st = dp_test_read_file (stats_path);
  g_autoptr (JsonObject) s = dp_test_parse_object (st);
  gint64 rss = json_object_get_int_member (s, "peak_rss_kb");
  g_test_message ("peak RSS %" G_GINT64_FORMAT " kB", rss);
#ifndef __SANITIZE_ADDRESS__
  g_assert_cmpint (rss, <, 100 * 1024);
#endif
}

static void
test_reader_endless_device_text (void)
{
  if (skip_unless_root ())
    return;
  g_autofree char *dir = tmp_dir ();
  g_autofree char *zero = make_device (dir, "zero", 5);
  g_autofree char *stats = g_build_filename (dir, "stats.json", NULL);
  g_autofree char *expr = g_strdup_printf ("reader path=%s format=text max-record-size=4194304 ! writer", zero);
  RunOptions o = { .limit_memory = TRUE };
  DpTestResult r = RUN_OPTS (&o, "run", "--stats", stats, "--set", "pipeline.dead-letter=-", "-e", expr);
  g_assert_cmpint (r.status, ==, 3);
  g_autofree char *expect = g_strdup_printf ("{\"id\":\"zero\",\"source\":\"%s\",\"stage\":\"reader\","
                                             "\"error\":\"input exceeds max-record-size (4194304 bytes)", zero);
  g_assert_nonnull (strstr (r.err, expect));
  assert_small_rss (stats);
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

static void
test_reader_endless_device_lines (void)
{
  /* One line without end: its dead letter comes out as soon as it passes the
   * limit, the rest of it is skipped in bounded memory, and SIGINT ends the run. */
  if (skip_unless_root ())
    return;
  g_autofree char *dir = tmp_dir ();
  g_autofree char *zero = make_device (dir, "zero", 5);
  g_autofree char *stats = g_build_filename (dir, "stats.json", NULL);
  g_autofree char *expr = g_strdup_printf ("reader path=%s format=jsonl max-record-size=4194304 ! writer", zero);
  RunOptions o = { .limit_memory = TRUE };
  const char *const args[] = { "run", "-q", "--stats", stats, "--set", "pipeline.dead-letter=/dev/fd/1",
                               "-e", expr, NULL };
  g_autoptr (GSubprocess) p = spawn (&o, G_SUBPROCESS_FLAGS_STDOUT_PIPE, args);
  g_autoptr (GDataInputStream) in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (p));
  g_autoptr (GError) error = NULL;
  gsize len;
  g_autofree char *line = g_data_input_stream_read_line (in, &len, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_autofree char *expect = g_strdup_printf ("{\"id\":\"%s:1\",\"source\":\"%s:1\",\"stage\":\"reader\","
                                             "\"error\":\"line exceeds max-record-size (4194304 bytes)\"",
                                             zero, zero);
  g_assert_true (g_str_has_prefix (line, expect));
  g_subprocess_send_signal (p, SIGINT);
  g_subprocess_wait (p, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dp_test_exit_code (p), ==, 130);
  assert_small_rss (stats);
  dp_test_remove_tree (dir);
}

static void
test_reader_long_line_then_more (void)
{
  /* An over-long line in the middle of a file costs only itself. */
  g_autofree char *dir = tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "in.jsonl", NULL);
  g_autoptr (GString) s = g_string_new ("{\"id\":\"first\",\"text\":\"x\"}\n{\"id\":\"long\",\"text\":\"");
  for (guint i = 0; i < 300000; i++)
    g_string_append (s, "long ");
  g_string_append (s, "\"}\r\n{\"id\":\"last\",\"text\":\"y\"}");
  g_assert_true (g_file_set_contents (path, s->str, s->len, NULL));
  g_autofree char *expr = g_strdup_printf ("reader path=%s max-record-size=100000 ! writer", path);
  DpTestResult r = RUN (NULL, "run", "--set", "pipeline.dead-letter=-", "-e", expr);
  g_assert_cmpint (r.status, ==, 3);
  g_autofree char *ids = ids_of (r.out);
  g_assert_cmpstr (ids, ==, "first,last");
  g_autofree char *expect = g_strdup_printf ("\"source\":\"%s:2\",\"stage\":\"reader\","
                                             "\"error\":\"line exceeds max-record-size (100000 bytes)\"", path);
  g_assert_nonnull (strstr (r.err, expect));
  g_autofree char *last = g_strdup_printf ("\"source\":\"%s:3\"", path);
  g_assert_nonnull (strstr (r.out, last));
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* Feeding a FIFO the run stops reading must give EPIPE, not kill the test. */
  signal (SIGPIPE, SIG_IGN);
  g_test_add_func ("/runner/ok", test_ok);
  g_test_add_func ("/runner/usage-errors", test_usage_errors);
  g_test_add_func ("/runner/create-failure", test_create_failure);
  g_test_add_func ("/runner/dead-letters", test_dead_letters);
  g_test_add_func ("/runner/bad-input-flows-on", test_bad_input_flows_on);
  g_test_add_func ("/runner/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/runner/on-error-fail", test_on_error_fail);
  g_test_add_func ("/runner/fatal-stage", test_fatal_stage);
  g_test_add_func ("/runner/determinism", test_determinism);
  g_test_add_func ("/runner/backpressure", test_backpressure);
  g_test_add_func ("/runner/sigint", test_sigint);
  g_test_add_func ("/runner/sigterm-renames-output", test_sigterm_renames_output);
  g_test_add_func ("/runner/sigint-on-idle-stdin", test_sigint_on_idle_stdin);
  g_test_add_func ("/runner/plugins-command", test_plugins_command);
  g_test_add_func ("/runner/normalizer-original-offsets", test_normalizer_original_offsets);
  g_test_add_func ("/runner/normalizer-drop-lines-file", test_normalizer_drop_lines_file);
  g_test_add_func ("/runner/news-pipeline", test_news_pipeline);
  g_test_add_func ("/runner/samples-jsonl", test_samples_jsonl);
  const struct { const char *path; GTestDataFunc fn; } per_user[] = {
    { "/runner/output/writer-to-device", test_writer_to_device },
    { "/runner/output/writer-to-fifo", test_writer_to_fifo },
    { "/runner/output/writer-through-symlink", test_writer_through_symlink },
    { "/runner/output/stats-to-stdout", test_stats_to_stdout },
    { "/runner/dead-letters/missing-dir", test_dead_letters_missing_dir },
    { "/runner/dead-letters/full-device", test_dead_letters_full_device },
  };
  for (guint i = 0; i < G_N_ELEMENTS (per_user); i++)
    {
      g_autofree char *as_nobody = g_strdup_printf ("%s/as-nobody", per_user[i].path);
      g_test_add_data_func (per_user[i].path, GINT_TO_POINTER (FALSE), per_user[i].fn);
      g_test_add_data_func (as_nobody, GINT_TO_POINTER (TRUE), per_user[i].fn);
    }
  g_test_add_func ("/runner/output/records-and-stats-share-stdout", test_records_and_stats_share_stdout);
  g_test_add_func ("/runner/dead-letters/unwritable-dir", test_dead_letters_unwritable_dir);
  g_test_add_func ("/runner/dead-letters/shared", test_dead_letters_shared);
  g_test_add_func ("/runner/reader/symlink-cycles", test_reader_symlink_cycles);
  g_test_add_func ("/runner/reader/link-lattice", test_reader_link_lattice);
  g_test_add_func ("/runner/reader/fifo", test_reader_fifo);
  g_test_add_func ("/runner/reader/endless-device-text", test_reader_endless_device_text);
  g_test_add_func ("/runner/reader/endless-device-lines", test_reader_endless_device_lines);
  g_test_add_func ("/runner/reader/long-line-then-more", test_reader_long_line_then_more);
  return g_test_run ();
}
