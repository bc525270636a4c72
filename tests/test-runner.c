/* test-runner.c — the runner and CLI end to end: exit codes, dead letters,
 * on-error policies, determinism across worker counts, bounded memory under a
 * slow sink, and signals.  Every test runs the real docpipe binary with the
 * build tree's plugins and the fixture stages; waits are on output, not sleeps.
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>

#define PLUGIN_PATH DP_TEST_PLUGINS ":" DP_TEST_FIXTURES_GOOD

typedef struct {
  int status;       /* exit code, or 128 + signal */
  char *out, *err;
} Result;

static void
result_clear (Result *r)
{
  g_free (r->out);
  g_free (r->err);
}

static int
exit_code (GSubprocess *p)
{
  if (g_subprocess_get_if_exited (p))
    return g_subprocess_get_exit_status (p);
  return 128 + g_subprocess_get_term_sig (p);
}

/* Runs docpipe with @args (NULL-terminated) and optional stdin text. */
static Result
run_argv (const char *stdin_text, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) DP_TEST_DOCPIPE);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_autoptr (GError) error = NULL;
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE
                           | (stdin_text ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0);
  g_autoptr (GSubprocess) p = g_subprocess_newv ((const char *const *) argv->pdata, flags, &error);
  g_assert_no_error (error);
  Result r = { 0 };
  g_subprocess_communicate_utf8 (p, stdin_text, NULL, &r.out, &r.err, &error);
  g_assert_no_error (error);
  r.status = exit_code (p);
  return r;
}

#define RUN(stdin_text, ...) run_argv (stdin_text, (const char *const[]) { __VA_ARGS__, NULL })

static guint
count_lines (const char *text)
{
  guint n = 0;
  for (const char *p = text; p && *p; p++)
    n += *p == '\n';
  return n;
}

static char *
read_file (const char *path)
{
  char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static JsonObject *
parse_object (const char *line)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
tmp_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("docpipe-test-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static void
remove_tree (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_remove (path);
    }
  g_rmdir (dir);
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
        g_autoptr (JsonObject) obj = parse_object (lines[i]);
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
  Result r = RUN (NULL, "run", "-q", "-P", PLUGIN_PATH, "-e", expr, "--set", "pipeline.batch-size=4");
  g_assert_cmpint (r.status, ==, 0);
  g_autofree char *text = read_file (out);
  g_assert_cmpuint (count_lines (text), ==, 25);
  g_autofree char *ids = ids_of (text);
  g_assert_true (g_str_has_prefix (ids, "t0,t1,t2,t3,t4,"));
  g_assert_true (g_str_has_suffix (ids, ",t23,t24"));
  /* Only the renamed file is left: no temporary debris. */
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (d), ==, "out.jsonl");
  g_assert_null (g_dir_read_name (d));
  result_clear (&r);
  remove_tree (dir);
}

static void
test_usage_errors (void)
{
  Result r = RUN (NULL, "frobnicate");
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "unknown command 'frobnicate'"));
  result_clear (&r);

  r = RUN (NULL, "run");
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);

  r = RUN (NULL, "run", "/nonexistent/x.pipeline");
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "/nonexistent/x.pipeline"));
  result_clear (&r);

  r = RUN (NULL, "run", "--no-such-option", "-e", "ticker ! writer");
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);

  r = RUN (NULL, "run", "-P", PLUGIN_PATH, "-e", "ticker cuont=3 ! writer");
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "-e:stage 1: stage 'ticker': unknown key 'cuont' (did you mean 'count'?)"));
  result_clear (&r);

  r = RUN (NULL, "--version");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "docpipe "));
  result_clear (&r);
}

static void
test_create_failure (void)
{
  Result r = RUN (NULL, "run", "-P", PLUGIN_PATH, "-e", "ticker ! fail-create ! writer");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "stage 'fail-create': model file not found"));
  g_assert_cmpstr (r.out, ==, "");
  result_clear (&r);

  r = RUN (NULL, "run", "-e", "reader path=/nonexistent/dir/x.txt ! writer");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "stage 'reader': /nonexistent/dir/x.txt: no such file"));
  result_clear (&r);

  r = RUN (NULL, "run", "-P", PLUGIN_PATH, "-e", "ticker ! writer path=/nonexistent/dir/out.jsonl");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "stage 'writer': cannot create /nonexistent/dir/out.jsonl"));
  result_clear (&r);
}

/* ---- failures -------------------------------------------------------------- */

static void
test_dead_letters (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *dead = g_build_filename (dir, "dead.jsonl", NULL);
  g_autofree char *stats = g_build_filename (dir, "stats.json", NULL);
  g_autofree char *set_dead = g_strdup_printf ("pipeline.dead-letter=%s", dead);
  Result r = RUN (NULL, "run", "-P", PLUGIN_PATH, "--stats", stats, "--set", set_dead,
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
  g_autofree char *dl = read_file (dead);
  g_auto (GStrv) lines = g_strsplit (dl, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  const char *expect_ids[] = { "t3", "t77", "t150" };
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (JsonObject) obj = parse_object (lines[i]);
      g_assert_cmpstr (json_object_get_string_member (obj, "id"), ==, expect_ids[i]);
      g_assert_cmpstr (json_object_get_string_member (obj, "stage"), ==, "fail-some");
      g_assert_true (json_object_has_member (obj, "error"));
      JsonObject *rec = json_object_get_object_member (obj, "record");
      g_assert_true (g_str_has_prefix (json_object_get_string_member (rec, "text"), "Record "));
    }

  g_autofree char *st = read_file (stats);
  g_autoptr (JsonObject) s = parse_object (st);
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
  result_clear (&r);
  remove_tree (dir);
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
  Result r = RUN (input, "run", "--stats", stats, "--set", "pipeline.dead-letter=-", "-e", "reader path=- ! writer");
  g_assert_cmpint (r.status, ==, 3);
  /* The blank line is no record; the two bad ones are the reader's failures. */
  g_autofree char *st = read_file (stats);
  g_autoptr (JsonObject) s = parse_object (st);
  JsonObject *reader = json_array_get_object_element (json_object_get_array_member (s, "stages"), 0);
  g_assert_cmpint (json_object_get_int_member (reader, "records_in"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (reader, "records_out"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (reader, "records_failed"), ==, 2);
  remove_tree (dir);
  g_assert_cmpuint (count_lines (r.out), ==, 2);
  g_assert_nonnull (strstr (r.out, "\"meta\":{\"title\":\"kept\"}"));
  g_assert_nonnull (strstr (r.err, "\"source\":\"<stdin>:2\""));
  g_assert_nonnull (strstr (r.err, "\"source\":\"<stdin>:3\""));
  g_assert_nonnull (strstr (r.err, "\"raw\":\"not json at all\""));
  result_clear (&r);
}

static void
test_invalid_utf8 (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "latin1.txt", NULL);
  g_assert_true (g_file_set_contents (path, "Z\xfcrich and Gen\xe8ve\n", -1, NULL));
  g_autofree char *expr = g_strdup_printf ("reader path=%s ! writer", path);

  /* replace (the default): U+FFFD for each bad byte, counted in meta */
  Result r = RUN (NULL, "-q", "run", "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"text\":\"Z\xef\xbf\xbdrich and Gen\xef\xbf\xbdve\\n\""));
  g_assert_nonnull (strstr (r.out, "\"meta\":{\"invalid_utf8\":2}"));
  result_clear (&r);

  /* reject: dead-lettered with the exact bytes, in base64 since they are not UTF-8 */
  g_autofree char *expr2 = g_strdup_printf ("reader path=%s invalid-utf8=reject ! writer", path);
  r = RUN (NULL, "run", "--set", "pipeline.dead-letter=-", "-e", expr2);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_cmpstr (r.out, ==, "");
  g_autofree char *b64 = g_base64_encode ((const guchar *) "Z\xfcrich and Gen\xe8ve\n", strlen ("Z\xfcrich and Gen\xe8ve\n"));
  g_autofree char *expect = g_strdup_printf ("\"raw_base64\":\"%s\"", b64);
  g_assert_nonnull (strstr (r.err, expect));
  g_assert_nonnull (strstr (r.err, "2 invalid UTF-8 sequences (invalid-utf8 = reject)"));
  result_clear (&r);

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
  result_clear (&r);
  r = RUN (NULL, "run", "-e", expr3);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_utf8_validate (r.out, -1, NULL));
  g_assert_nonnull (strstr (r.out, "{\"id\":\"caf\xef\xbf\xbd\""));
  result_clear (&r);
  g_remove (odd);
  g_rmdir (sub);
  remove_tree (dir);
}

static void
test_on_error_fail (void)
{
  Result r = RUN (NULL, "run", "-P", PLUGIN_PATH, "--set", "pipeline.on-error=fail",
                  "--set", "pipeline.dead-letter=-", "--set", "pipeline.batch-size=10",
                  "-e", "ticker count=100 ! fail-some fail-ids=t42 ! writer");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "record 't42' (ticker) failed and on-error = fail"));
  g_assert_nonnull (strstr (r.err, "\"id\":\"t42\",\"source\":\"ticker\",\"stage\":\"fail-some\""));
  /* Batches before the failing one are written, nothing from it or after. */
  g_autofree char *ids = ids_of (r.out);
  g_assert_true (g_str_has_suffix (ids, ",t39"));
  result_clear (&r);
}

static void
test_fatal_stage (void)
{
  Result r = RUN (NULL, "run", "-P", PLUGIN_PATH, "--set", "pipeline.batch-size=8",
                  "--set", "pipeline.workers=4",
                  "-e", "ticker count=400 ! fail-some fatal-id=t100 ! writer");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "stage 'fail-some': fatal failure on record 't100'"));
  /* Output is an in-order prefix ending before the failing batch (t96..t103). */
  g_autofree char *ids = ids_of (r.out);
  g_assert_true (g_str_has_suffix (ids, ",t95"));
  result_clear (&r);
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
      g_autofree char *expr = g_strdup_printf ("reader path=%s ! capitals ! fail-some fail-text=Item\\ 1234. ! writer", corpus);
      Result r = RUN (NULL, "run", "-q", "-P", PLUGIN_PATH, "--set", set_workers, "--set", set_dead,
                      "--set", "pipeline.batch-size=16", "-e", expr);
      g_assert_cmpint (r.status, ==, 3);
      g_assert_cmpuint (count_lines (r.out), ==, 2999);
      g_autofree char *dl = read_file (dead);
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
      result_clear (&r);
    }
  remove_tree (dir);
}

/* ---- memory bound ---------------------------------------------------------- */

static void
test_backpressure (void)
{
  /* 20,000 records of 20 kB: 400 MB if nothing held the source back. */
  g_autofree char *dir = tmp_dir ();
  g_autofree char *stats = g_build_filename (dir, "stats.json", NULL);
  Result r = RUN (NULL, "run", "-P", PLUGIN_PATH, "--stats", stats, "--set", "pipeline.batch-size=16",
                  "--set", "pipeline.queue-depth=4",
                  "-e", "ticker count=20000 text-size=20000 ! slow-sink delay-ms=1");
  g_assert_cmpint (r.status, ==, 0);
  g_autofree char *st = read_file (stats);
  g_autoptr (JsonObject) s = parse_object (st);
  g_assert_cmpint (json_object_get_int_member (s, "records_out"), ==, 20000);
  gint64 rss = json_object_get_int_member (s, "peak_rss_kb");
  g_test_message ("peak RSS %" G_GINT64_FORMAT " kB", rss);
#ifndef __SANITIZE_ADDRESS__
  g_assert_cmpint (rss, <, 100 * 1024);
#else
  /* AddressSanitizer's quarantine holds freed memory back; the bound is checked in normal builds. */
  (void) rss;
#endif
  result_clear (&r);
  remove_tree (dir);
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
  return exit_code (p);
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
  g_autofree char *file = read_file (path);
  g_assert_cmpstr (file, ==, out);
  g_assert_cmpuint (count_lines (file), >=, 2);
  remove_tree (dir);
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
  g_assert_cmpint (exit_code (p), ==, 130);
}

/* ---- plugins command ------------------------------------------------------- */

static void
test_plugins_command (void)
{
  Result r = RUN (NULL, "plugins");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "reader"));
  g_assert_nonnull (strstr (r.out, "writer"));
  result_clear (&r);

  r = RUN (NULL, "plugins", "reader");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Stage reader (source)"));
  g_assert_nonnull (strstr (r.out, "max-record-size"));
  g_assert_nonnull (strstr (r.out, "path, required"));
  result_clear (&r);

  r = RUN (NULL, "plugins", "--json", "writer");
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (JsonObject) obj = parse_object (r.out);
  g_assert_cmpstr (json_object_get_string_member (obj, "kind"), ==, "sink");
  JsonArray *params = json_object_get_array_member (obj, "parameters");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (params, 0), "name"), ==, "path");
  result_clear (&r);

  r = RUN (NULL, "plugins", "wrtier");
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "did you mean 'writer'"));
  result_clear (&r);

  r = RUN (NULL, "plugins", "-P", DP_TEST_FIXTURES_BAD);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "was built for docpipe plugin ABI 2.0"));
  result_clear (&r);
}

static void
test_normalizer_original_offsets (void)
{
  /* Soft hyphen, zero-width space, NBSP, guillemets, an entity: the normalized
   * words map back onto exactly their characters in the text as read. */
  const char *input =
    "{\"id\":\"n1\",\"text\":\"Teh\\u00adran and \\u00abPyong\\u200byang\\u00bb met  in\\u00a0Geneva &amp; Bern.\"}\n";
  Result r = RUN (input, "run", "-P", PLUGIN_PATH, "-e", "reader path=- ! normalizer ! capitals ! writer offsets=original");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"text\":\"Teh\xc2\xadran and \xc2\xabPyong\xe2\x80\x8byang\xc2\xbb met  in\xc2\xa0Geneva &amp; Bern.\""));
  g_assert_nonnull (strstr (r.out, "{\"id\":\"capitals-1\",\"start\":0,\"end\":7,\"label\":\"CAP\",\"text\":\"Teh\xc2\xadran\"}"));
  g_assert_nonnull (strstr (r.out, "{\"id\":\"capitals-2\",\"start\":13,\"end\":23,\"label\":\"CAP\",\"text\":\"Pyong\xe2\x80\x8byang\"}"));
  g_assert_nonnull (strstr (r.out, "{\"id\":\"capitals-3\",\"start\":33,\"end\":39,\"label\":\"CAP\",\"text\":\"Geneva\"}"));
  g_assert_nonnull (strstr (r.out, "{\"id\":\"capitals-4\",\"start\":46,\"end\":50,\"label\":\"CAP\",\"text\":\"Bern\"}"));
  result_clear (&r);

  /* The default shows the normalized text and offsets into it. */
  r = RUN (input, "run", "-P", PLUGIN_PATH, "-e", "reader path=- ! normalizer ! capitals ! writer");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"text\":\"Tehran and \xc2\xabPyongyang\xc2\xbb met in Geneva & Bern.\""));
  g_assert_nonnull (strstr (r.out, "{\"id\":\"capitals-2\",\"start\":12,\"end\":21,\"label\":\"CAP\",\"text\":\"Pyongyang\"}"));
  result_clear (&r);
}

static void
test_normalizer_drop_lines_file (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *rules = g_build_filename (dir, "drop.txt", NULL);
  g_assert_true (g_file_set_contents (rules, "# our own furniture\n^ADVERT\n", -1, NULL));
  g_autofree char *expr = g_strdup_printf ("reader path=- ! normalizer drop-lines=%s ! writer", rules);
  Result r = RUN ("{\"id\":\"a\",\"text\":\"Body.\\nADVERT buy now\\nMore.\"}\n", "run", "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"text\":\"Body.\\nMore.\""));
  g_assert_nonnull (strstr (r.out, "\"dropped_lines\":[\"ADVERT buy now\"]"));
  result_clear (&r);

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
  result_clear (&r);
  remove_tree (dir);
}

static void
test_news_pipeline (void)
{
  Result r = RUN (NULL, "run", DP_TEST_SRCDIR "/pipelines/news.pipeline");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpuint (count_lines (r.out), ==, 12);
  g_autofree char *ids = ids_of (r.out);
  g_assert_true (g_str_has_prefix (ids, "01-"));
  result_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
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
  return g_test_run ();
}
