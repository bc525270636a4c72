/* test-ops.c — unattended runs through the real docpipe binary: -j, the
 * progress line (on a pseudo-terminal, in a file, forced), the lock (a second
 * run refused while the first holds it, a killed run's lock taken over), and
 * the log formats (timestamps in a pipe, JSON lines).
 *
 * A run is kept going for as long as a test needs by reading a FIFO the test
 * writes to, or slowed by the slow-sink fixture; nothing waits on the clock.
 */
#include "test-util.h"
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#define PLUGIN_PATH DP_TEST_PLUGINS ":" DP_TEST_FIXTURES_GOOD
/* ISO 8601 local time, milliseconds, offset; then the message. */
#define TIMESTAMP_RE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}[+-][0-9]{2}:[0-9]{2} docpipe"
#define EXIT_LOCKED 75

static char *tmpdir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static char *
write_tmp (const char *name, const char *text)
{
  char *path = tmp_path (name);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* @n JSON lines, the line numbered @bad (0: none) not JSON. */
static char *
write_jsonl (const char *name, guint n, guint bad)
{
  g_autoptr (GString) s = g_string_new (NULL);
  for (guint i = 1; i <= n; i++)
    if (i == bad)
      g_string_append (s, "this line is not JSON\n");
    else
      g_string_append_printf (s, "{\"id\":\"d%u\",\"text\":\"Document number %u says hello.\"}\n", i, i);
  return write_tmp (name, s->str);
}

/* Runs docpipe in @tmpdir (dead letters land there) with stderr a pipe. */
static DpTestResult
run_docpipe (const char *const *args)
{
  g_autoptr (GPtrArray) argv = dp_test_docpipe_argv (args);
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                 | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (l, tmpdir);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_launcher_spawnv (l, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  return dp_test_communicate (p, NULL);
}

#define RUN(...) run_docpipe ((const char *const[]) { __VA_ARGS__, NULL })

static JsonObject *
read_stats (const char *path)
{
  g_autofree char *text = dp_test_read_file (path);
  return dp_test_parse_object (text);
}

/* ---- -j ---------------------------------------------------------------------- */

static void
test_workers_option (void)
{
  g_autofree char *in = write_jsonl ("j.jsonl", 300, 0);
  g_autofree char *stats = tmp_path ("j-stats.json");
  g_autofree char *out_j = tmp_path ("j-out.jsonl"), *out_set = tmp_path ("set-out.jsonl");
  g_autofree char *expr_j = g_strdup_printf ("reader path=%s ! writer path=%s", in, out_j);
  g_autofree char *expr_set = g_strdup_printf ("reader path=%s ! writer path=%s", in, out_set);

  DpTestResult r = RUN ("run", "-j", "3", "--stats", stats, "-e", expr_j);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (JsonObject) s1 = read_stats (stats);
  g_assert_cmpint (json_object_get_int_member (s1, "workers"), ==, 3);
  dp_test_result_clear (&r);

  r = RUN ("run", "--set", "pipeline.workers=3", "--stats", stats, "-e", expr_set);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (JsonObject) s2 = read_stats (stats);
  g_assert_cmpint (json_object_get_int_member (s2, "workers"), ==, 3);
  dp_test_result_clear (&r);
  g_autofree char *a = dp_test_read_file (out_j), *b = dp_test_read_file (out_set);
  g_assert_cmpstr (a, ==, b);

  /* Both: -j wins, whatever the order on the line. */
  r = RUN ("run", "--workers=2", "-s", "pipeline.workers=5", "--stats", stats, "-e", expr_j);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (JsonObject) s3 = read_stats (stats);
  g_assert_cmpint (json_object_get_int_member (s3, "workers"), ==, 2);
  dp_test_result_clear (&r);

  /* Out of the setting's range: a usage error naming -j. */
  r = RUN ("run", "-j", "5000", "-e", expr_j);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "-j/--workers: '5000' is not a number from 0 to 1024"));
  dp_test_result_clear (&r);
  r = RUN ("run", "-j", "two", "-e", expr_j);
  g_assert_cmpint (r.status, ==, 2);
  dp_test_result_clear (&r);
}

/* ---- progress ------------------------------------------------------------------ */

/* A run of 50 batches through a sink taking @delay_ms per batch (20: about a
 * second, several progress updates), a bad line in the middle for a warning. */
static char *
slow_expression (guint delay_ms)
{
  g_autofree char *in = write_jsonl ("slow.jsonl", 50, 25);
  return g_strdup_printf ("reader path=%s ! slow-sink delay-ms=%u", in, delay_ms);
}

/* Runs docpipe with its stderr on a pseudo-terminal; returns what the
 * terminal received (the line discipline turns \n into \r\n). */
static char *
run_on_pty (const char *const *args, int *status)
{
  int master = posix_openpt (O_RDWR | O_NOCTTY);
  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  int slave = open (ptsname (master), O_RDWR | O_NOCTTY);
  g_assert_cmpint (slave, >=, 0);

  g_autoptr (GPtrArray) argv = dp_test_docpipe_argv (args);
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_cwd (l, tmpdir);
  g_subprocess_launcher_take_stderr_fd (l, slave);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_launcher_spawnv (l, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_clear_object (&l);   /* closes our copy of the slave: EIO once docpipe is gone */

  GString *seen = g_string_new (NULL);
  char buf[4096];
  ssize_t n;
  while ((n = read (master, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_string_append_len (seen, buf, n);
  close (master);
  g_subprocess_wait (p, NULL, &error);
  g_assert_no_error (error);
  *status = dp_test_exit_code (p);
  return g_string_free (seen, FALSE);
}

/* Each docpipe message on the terminal starts a line of its own: at the
 * start, after a newline, or after the progress line was erased. */
static void
assert_messages_on_own_lines (const char *seen)
{
  for (const char *m = strstr (seen, "docpipe: "); m; m = strstr (m + 1, "docpipe: "))
    if (m != seen && m[-1] != '\n' && !g_str_has_prefix (m - 4, "\r\033[K"))
      g_error ("a message garbled with the progress line at offset %d:\n%s", (int) (m - seen), g_strescape (seen, NULL));
}

static void
test_progress_terminal (void)
{
  g_autofree char *expr = slow_expression (20);
  int status;
  g_autofree char *seen = run_on_pty ((const char *const[]) { "run", "-P", PLUGIN_PATH, "-s", "pipeline.batch-size=1",
                                                              "-s", "pipeline.dead-letter=dead.jsonl", "-e", expr, NULL },
                                      &status);
  g_assert_cmpint (status, ==, 3);
  /* Redrawn in place: records, MB (of the input's size), MB/s, the dead
   * letter, a percentage and the time left. */
  const char *line = strstr (seen, "\r");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (seen, " records  "));
  g_assert_nonnull (strstr (seen, " MB/s"));
  g_assert_nonnull (strstr (seen, "%  ETA "));
  g_assert_nonnull (strstr (seen, " dead-lettered"));
  /* The warning about the bad line, and the summary, on lines of their own. */
  g_assert_nonnull (strstr (seen, "docpipe: warning: "));
  assert_messages_on_own_lines (seen);
  /* Erased at the end: nothing of it after the last erase. */
  const char *last_records = g_strrstr (seen, " records  ");
  const char *last_erase = g_strrstr (seen, "\r\033[K");
  g_assert_nonnull (last_erase);
  g_assert_true (last_erase > last_records);
  /* No timestamps on a terminal. */
  g_assert_true (g_str_has_prefix (strstr (seen, "docpipe: warning"), "docpipe: warning"));
  g_autoptr (GRegex) stamp = g_regex_new ("[0-9]{4}-[0-9]{2}-[0-9]{2}T", 0, 0, NULL);
  g_assert_false (g_regex_match (stamp, seen, 0, NULL));

  /* --no-progress on a terminal: messages only. */
  g_free (expr);
  expr = slow_expression (2);
  g_autofree char *quiet = run_on_pty ((const char *const[]) { "run", "-P", PLUGIN_PATH, "--no-progress", "-s",
                                                               "pipeline.batch-size=1", "-s", "pipeline.dead-letter=dead.jsonl",
                                                               "-e", expr, NULL },
                                       &status);
  g_assert_cmpint (status, ==, 3);
  g_assert_null (strstr (quiet, " records  "));
  g_assert_null (strstr (quiet, "\033[K"));
  g_assert_nonnull (strstr (quiet, "docpipe: warning: "));
}

static void
test_progress_not_terminal (void)
{
  g_autofree char *expr = slow_expression (2);
  /* stderr a pipe (cron, a log file): no progress at all. */
  DpTestResult r = RUN ("run", "-P", PLUGIN_PATH, "-s", "pipeline.batch-size=1", "-s", "pipeline.dead-letter=dead.jsonl",
                        "-e", expr);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_null (strstr (r.err, "records"));
  g_assert_null (strstr (r.err, "\r"));
  g_assert_nonnull (strstr (r.err, "docpipe: warning: "));
  dp_test_result_clear (&r);

  /* --progress forces it, as plain log lines (the last one at the end). */
  r = RUN ("run", "--progress", "-P", PLUGIN_PATH, "-s", "pipeline.batch-size=1", "-s", "pipeline.dead-letter=dead.jsonl",
           "-e", expr);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_null (strstr (r.err, "\r"));
  g_assert_nonnull (strstr (r.err, "docpipe: info: progress: 49 records  "));
  g_assert_nonnull (strstr (r.err, "1 dead-lettered  100%"));
  dp_test_result_clear (&r);
}

/* What the line says: percentage and time left only with a known size. */
static void
test_progress_format (void)
{
  DpProgressCounts c = { .records = 1200, .text_bytes = 3000000, .dead = 0, .seconds = 2.0 };
  g_autofree char *unknown = dp_progress_format (&c);
  g_assert_cmpstr (unknown, ==, "1200 records  3.0 MB  1.5 MB/s");

  /* A quarter of 80 MB in 10 s: 30 s to go, at the same rate. */
  c = (DpProgressCounts) { .records = 5000, .text_bytes = 1, .dead = 2, .input_done = 20000000,
                           .input_total = 80000000, .seconds = 10.0 };
  g_autofree char *known = dp_progress_format (&c);
  g_assert_cmpstr (known, ==, "5000 records  20.0/80.0 MB  2.0 MB/s  2 dead-lettered  25%  ETA 0:30");

  /* Hours; and an input that grew past its size at the start stays at 100%. */
  c.input_done = 1000000, c.seconds = 100.0;
  g_autofree char *slow = dp_progress_format (&c);
  g_assert_nonnull (strstr (slow, "1%  ETA 2:11:40"));
  c.input_done = 90000000;
  g_autofree char *grown = dp_progress_format (&c);
  g_assert_nonnull (strstr (grown, "100%  ETA 0:00"));
}

/* ---- logs -------------------------------------------------------------------- */

static void
test_log_timestamps (void)
{
  g_autofree char *in = write_jsonl ("ts.jsonl", 5, 3);
  g_autofree char *expr = g_strdup_printf ("reader path=%s ! writer path=ts-out.jsonl", in);
  DpTestResult r = RUN ("run", "-s", "pipeline.dead-letter=dead.jsonl", "-e", expr);
  g_assert_cmpint (r.status, ==, 3);
  g_autoptr (GRegex) stamp = g_regex_new (TIMESTAMP_RE, 0, 0, NULL);
  g_auto (GStrv) lines = g_strsplit (r.err, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);   /* the warning, the summary, "" */
  for (guint i = 0; lines[i] && *lines[i]; i++)
    if (!g_regex_match (stamp, lines[i], 0, NULL))
      g_error ("no timestamp: '%s'", lines[i]);
  g_assert_nonnull (strstr (lines[0], " docpipe: warning: "));
  dp_test_result_clear (&r);

  /* plain: the terminal's form, in a pipe too. */
  r = RUN ("run", "--log-format=plain", "-s", "pipeline.dead-letter=dead.jsonl", "-e", expr);
  g_assert_true (g_str_has_prefix (r.err, "docpipe: warning: "));
  dp_test_result_clear (&r);

  r = RUN ("run", "--log-format=xml", "-e", expr);
  g_assert_cmpint (r.status, ==, 2);
  dp_test_result_clear (&r);
}

static JsonObject *
log_line (const char *line)
{
  JsonObject *o = dp_test_parse_object (line);
  for (guint k = 0; k < 4; k++)
    {
      const char *member = (const char *[]) { "time", "level", "domain", "message" }[k];
      if (!json_object_has_member (o, member))
        g_error ("no '%s' in %s", member, line);
    }
  return o;
}

static void
test_log_json (void)
{
  g_autofree char *in = write_jsonl ("js.jsonl", 5, 3);
  g_autofree char *expr = g_strdup_printf ("reader path=%s ! writer path=js-out.jsonl", in);
  DpTestResult r = RUN ("run", "--log-format", "json", "--progress", "-s", "pipeline.dead-letter=dead.jsonl", "-e", expr);
  g_assert_cmpint (r.status, ==, 3);
  g_auto (GStrv) lines = g_strsplit (r.err, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);   /* warning, progress, summary, "" */
  g_autoptr (GRegex) stamp = g_regex_new ("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}[+-][0-9]{2}:[0-9]{2}$", 0, 0, NULL);
  for (guint i = 0; lines[i] && *lines[i]; i++)
    {
      g_autoptr (JsonObject) o = log_line (lines[i]);
      g_assert_true (g_regex_match (stamp, json_object_get_string_member (o, "time"), 0, NULL));
      g_assert_cmpstr (json_object_get_string_member (o, "domain"), ==, "docpipe");
    }
  /* The dead-lettered line: its source and the stage as fields. */
  g_autoptr (JsonObject) warning = log_line (lines[0]);
  g_assert_cmpstr (json_object_get_string_member (warning, "level"), ==, "warning");
  g_autofree char *source = g_strdup_printf ("%s:3", in);
  g_assert_cmpstr (json_object_get_string_member (warning, "source"), ==, source);
  g_assert_cmpstr (json_object_get_string_member (warning, "stage"), ==, "reader");
  g_assert_nonnull (strstr (json_object_get_string_member (warning, "message"), "invalid JSON"));
  /* Progress with its figures as numbers. */
  g_autoptr (JsonObject) progress = log_line (lines[1]);
  g_assert_cmpint (json_object_get_int_member (progress, "records"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (progress, "dead_lettered"), ==, 1);
  g_assert_cmpfloat (json_object_get_double_member (progress, "percent"), ==, 100.0);
  g_autoptr (JsonObject) summary = log_line (lines[2]);
  g_assert_cmpstr (json_object_get_string_member (summary, "level"), ==, "info");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (summary, "message"), "1 record failed"));
  dp_test_result_clear (&r);

  /* A record's id, when it has one; configuration errors are JSON too. */
  r = RUN ("run", "--log-format=json", "-P", PLUGIN_PATH, "-s", "pipeline.dead-letter=dead.jsonl", "-e",
           "ticker count=5 ! fail-some fail-ids=t2 ! writer path=js2.jsonl");
  g_assert_cmpint (r.status, ==, 3);
  g_auto (GStrv) failed_lines = g_strsplit (r.err, "\n", -1);
  g_autoptr (JsonObject) failed = log_line (failed_lines[0]);
  g_assert_cmpstr (json_object_get_string_member (failed, "record"), ==, "t2");
  g_assert_cmpstr (json_object_get_string_member (failed, "stage"), ==, "fail-some");
  dp_test_result_clear (&r);

  r = RUN ("run", "--log-format=json", "-e", "reader path=/nonexistent/x.txt ! writer");
  g_assert_cmpint (r.status, ==, 2);
  g_auto (GStrv) config_lines = g_strsplit (r.err, "\n", -1);
  g_assert_cmpuint (g_strv_length (config_lines), ==, 2);
  g_autoptr (JsonObject) config = log_line (config_lines[0]);
  g_assert_cmpstr (json_object_get_string_member (config, "level"), ==, "error");
  g_assert_nonnull (strstr (json_object_get_string_member (config, "message"), "/nonexistent/x.txt"));
  dp_test_result_clear (&r);
}

/* ---- the lock ------------------------------------------------------------------ */

typedef struct {
  GSubprocess *proc;
  int fifo;       /* the write end of its input */
} HeldRun;

/* Starts a run that reads the FIFO @fifo under lock @lock, and returns once it
 * reads (it took the lock before opening its input). */
static HeldRun
start_held_run (const char *fifo, const char *lock, const char *out)
{
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_autofree char *expr = g_strdup_printf ("reader path=%s format=jsonl ! writer path=%s", fifo, out);
  g_autoptr (GPtrArray) argv = dp_test_docpipe_argv ((const char *const[]) { "run", "--lock", lock, "-e", expr, NULL });
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (l, tmpdir);
  g_autoptr (GError) error = NULL;
  HeldRun h = { g_subprocess_launcher_spawnv (l, (const char *const *) argv->pdata, &error), -1 };
  g_assert_no_error (error);
  /* A FIFO opens for writing only once someone reads it. */
  while ((h.fifo = open (fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
    {
      g_assert_cmpint (errno, ==, ENXIO);
      if (!g_subprocess_get_identifier (h.proc))
        g_error ("the first run ended before reading its input");
      g_usleep (10000);
    }
  return h;
}

static void
test_lock_busy (void)
{
  g_autofree char *fifo = tmp_path ("busy.fifo"), *lock = tmp_path ("busy.lock"), *out = tmp_path ("busy-out.jsonl");
  HeldRun first = start_held_run (fifo, lock, out);
  g_autofree char *holder = dp_test_read_file (lock);
  g_autofree char *pid = g_strdup_printf ("%s\n", g_subprocess_get_identifier (first.proc));
  g_assert_cmpstr (holder, ==, pid);

  /* The second, through the pipeline setting (relative to its file): refused at once. */
  g_autofree char *in = write_jsonl ("busy.jsonl", 3, 0);
  g_autofree char *pipeline = write_tmp ("busy.pipeline", "[pipeline]\nlock = busy.lock\n[read]\nplugin = reader\n"
                                                          "path = busy.jsonl\n[write]\nplugin = writer\npath = busy2.jsonl\n");
  DpTestResult r = RUN ("run", pipeline);
  g_assert_cmpint (r.status, ==, EXIT_LOCKED);
  g_autofree char *want = g_strdup_printf ("docpipe: error: another run holds the lock %s (pid %s); not started", lock,
                                           g_subprocess_get_identifier (first.proc));
  g_assert_nonnull (strstr (r.err, want));
  g_autofree char *second_out = tmp_path ("busy2.jsonl");
  g_assert_false (g_file_test (second_out, G_FILE_TEST_EXISTS));
  dp_test_result_clear (&r);

  /* The first ends normally: the lock is free (and the file empty). */
  const char line[] = "{\"id\":\"x\",\"text\":\"held\"}\n";
  g_assert_cmpint (write (first.fifo, line, sizeof line - 1), ==, sizeof line - 1);
  close (first.fifo);
  DpTestResult fr = dp_test_communicate (first.proc, NULL);
  g_assert_cmpint (fr.status, ==, 0);
  dp_test_result_clear (&fr);
  g_object_unref (first.proc);
  g_autofree char *after = dp_test_read_file (lock);
  g_assert_cmpstr (after, ==, "");
  r = RUN ("run", pipeline);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  dp_test_result_clear (&r);
}

static void
test_lock_stale (void)
{
  g_autofree char *fifo = tmp_path ("stale.fifo"), *lock = tmp_path ("stale.lock"), *out = tmp_path ("stale-out.jsonl");
  HeldRun first = start_held_run (fifo, lock, out);
  g_autofree char *pid = g_strdup (g_subprocess_get_identifier (first.proc));
  g_subprocess_send_signal (first.proc, SIGKILL);
  g_autoptr (GError) error = NULL;
  g_subprocess_wait (first.proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dp_test_exit_code (first.proc), ==, 128 + SIGKILL);
  close (first.fifo);
  g_object_unref (first.proc);
  /* The killed run's pid is still in the file; its lock is gone with it. */
  g_autofree char *left = dp_test_read_file (lock);
  g_autofree char *want_left = g_strdup_printf ("%s\n", pid);
  g_assert_cmpstr (left, ==, want_left);

  g_autofree char *in = write_jsonl ("stale.jsonl", 3, 0);
  g_autofree char *expr = g_strdup_printf ("reader path=%s ! writer path=stale2.jsonl", in);
  DpTestResult r = RUN ("run", "--lock", lock, "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  g_autofree char *note = g_strdup_printf ("lock %s: taken over from pid %s", lock, pid);
  g_assert_nonnull (strstr (r.err, note));
  dp_test_result_clear (&r);
  g_autofree char *emptied = dp_test_read_file (lock);
  g_assert_cmpstr (emptied, ==, "");
}

static void
test_lock_bad_file (void)
{
  DpTestResult r = RUN ("run", "--lock", "/nonexistent/dir/x.lock", "-e", "reader path=- ! writer");
  g_assert_cmpint (r.status, ==, 2);   /* like any output path whose directory is missing */
  g_assert_nonnull (strstr (r.err, "key 'lock': /nonexistent/dir/x.lock: directory /nonexistent/dir does not exist"));
  dp_test_result_clear (&r);
  g_autofree char *dir = tmp_path ("a-directory");
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  r = RUN ("run", "--lock", dir, "-e", "reader path=- ! writer");
  g_assert_cmpint (r.status, ==, 2);
  dp_test_result_clear (&r);
  /* Only a regular file is locked: a FIFO would be shared with whoever else uses it. */
  g_autofree char *fifo = tmp_path ("lock.fifo");
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  r = RUN ("run", "--lock", fifo, "-e", "reader path=- ! writer");
  g_assert_cmpint (r.status, ==, 1);
  g_autofree char *want = g_strdup_printf ("docpipe: error: lock file %s: not a regular file", fifo);
  g_assert_nonnull (strstr (r.err, want));
  dp_test_result_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("DOCPIPE_PLUGIN_PATH", "", TRUE);
  tmpdir = dp_test_make_tmp_dir ("docpipe-ops-XXXXXX");
  g_test_add_func ("/ops/workers", test_workers_option);
  g_test_add_func ("/ops/progress/format", test_progress_format);
  g_test_add_func ("/ops/progress/terminal", test_progress_terminal);
  g_test_add_func ("/ops/progress/not-terminal", test_progress_not_terminal);
  g_test_add_func ("/ops/log/timestamps", test_log_timestamps);
  g_test_add_func ("/ops/log/json", test_log_json);
  g_test_add_func ("/ops/lock/busy", test_lock_busy);
  g_test_add_func ("/ops/lock/stale", test_lock_stale);
  g_test_add_func ("/ops/lock/bad-file", test_lock_bad_file);
  int status = g_test_run ();
  dp_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
