/* test-cli.c — the command line a newcomer meets: help, suggestions for
 * mistyped commands, --version after any command, hints for pipe-like
 * separators in expressions, and the "docpipe:" prefix on every line docpipe
 * writes to stderr.  Each test runs the real docpipe binary of the build tree.
 */
#include "test-util.h"

#include <docpipe/version.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#define PLUGIN_PATH DP_TEST_PLUGINS ":" DP_TEST_FIXTURES_GOOD

static DpTestResult
run_argv (const char *const *args)
{
  g_autoptr (GPtrArray) argv = dp_test_docpipe_argv (args);
  g_autoptr (GError) error = NULL;
  /* stdin is a pipe closed at once, so a run that reads it never waits. */
  g_autoptr (GSubprocess) p = g_subprocess_newv ((const char *const *) argv->pdata,
                                                 G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE
                                                 | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
  g_assert_no_error (error);
  DpTestResult r = dp_test_communicate (p, "");
  /* Every command here ends by itself: a signal is a crash, not a status. */
  g_assert_true (g_subprocess_get_if_exited (p));
  return r;
}

#define RUN(...) run_argv ((const char *const[]) { __VA_ARGS__, NULL })

/* The timestamp `run` puts before each line when stderr is not a terminal:
 * ISO 8601 local time with milliseconds and the offset. */
#define TIMESTAMP_RE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}[+-][0-9]{2}:[0-9]{2} "

/* Every line of @err starts with "docpipe:" (after a timestamp, for `run`),
 * and there is at least one. */
static void
assert_prefixed (const char *err)
{
  g_assert_cmpstr (err, !=, "");
  g_autoptr (GRegex) stamp = g_regex_new (TIMESTAMP_RE, 0, 0, NULL);
  g_auto (GStrv) lines = g_strsplit (err, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (*lines[i] || lines[i + 1])
      {
        g_autofree char *line = g_regex_replace_literal (stamp, lines[i], -1, 0, "", 0, NULL);
        if (!g_str_has_prefix (line, "docpipe: "))
          g_error ("stderr line without the 'docpipe: ' prefix: '%s'\nin:\n%s", lines[i], err);
      }
}

/* ---- help ------------------------------------------------------------------ */

static void
test_help (void)
{
  DpTestResult r = RUN ("help");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_nonnull (strstr (r.out, "Usage:\n  docpipe [OPTION…] COMMAND"));
  g_assert_nonnull (strstr (r.out, "  run "));
  g_assert_nonnull (strstr (r.out, "  check "));
  g_assert_nonnull (strstr (r.out, "  plugins "));
  g_assert_nonnull (strstr (r.out, "  help "));
  /* The same text as --help. */
  DpTestResult h = RUN ("--help");
  g_assert_cmpint (h.status, ==, 0);
  g_assert_cmpstr (h.out, ==, r.out);
  dp_test_result_clear (&h);
  dp_test_result_clear (&r);
}

static void
test_help_command (void)
{
  static const struct { const char *command, *usage, *option; } cases[] = {
    { "run", "docpipe run [OPTION…] FILE | -e EXPR", "--stats=FILE" },
    { "check", "docpipe check [OPTION…] FILE | -e EXPR", "--expression=EXPR" },
    { "plugins", "docpipe plugins [OPTION…] [STAGE]", "--json" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      DpTestResult r = RUN ("help", cases[i].command);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_cmpstr (r.err, ==, "");
      g_assert_nonnull (strstr (r.out, cases[i].usage));
      g_assert_nonnull (strstr (r.out, cases[i].option));
      /* Identical to COMMAND --help. */
      DpTestResult h = RUN (cases[i].command, "--help");
      g_assert_cmpint (h.status, ==, 0);
      g_assert_cmpstr (h.out, ==, r.out);
      dp_test_result_clear (&h);
      dp_test_result_clear (&r);
    }

  DpTestResult r = RUN ("help", "rn");
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_cmpstr (r.err, ==, "docpipe: unknown command 'rn' (did you mean 'run'?)\n");
  dp_test_result_clear (&r);

  r = RUN ("help", "run", "check");
  g_assert_cmpint (r.status, ==, 2);
  assert_prefixed (r.err);
  dp_test_result_clear (&r);
}

/* ---- unknown commands ------------------------------------------------------ */

static void
test_unknown_command (void)
{
  static const struct { const char *typed, *meant; } cases[] = {
    { "rn", "run" }, { "runn", "run" }, { "chek", "check" }, { "plugin", "plugins" }, { "hlep", "help" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      DpTestResult r = RUN (cases[i].typed);
      g_assert_cmpint (r.status, ==, 2);
      g_autofree char *want = g_strdup_printf ("docpipe: unknown command '%s' (did you mean '%s'?)\n",
                                               cases[i].typed, cases[i].meant);
      g_assert_cmpstr (r.err, ==, want);
      g_assert_cmpstr (r.out, ==, "");
      dp_test_result_clear (&r);
    }
  /* Nothing close: the list of commands instead. */
  DpTestResult r = RUN ("frobnicate");
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.err, ==, "docpipe: unknown command 'frobnicate' (commands: run, check, plugins, help)\n");
  dp_test_result_clear (&r);
}

/* ---- --version after any command ------------------------------------------- */

static void
test_version_everywhere (void)
{
  g_autofree char *want = g_strdup_printf ("docpipe %s (plugin ABI %d.%d)\n", DP_VERSION, DP_ABI_MAJOR, DP_ABI_MINOR);
  const char *const commands[] = { "run", "check", "plugins", "help" };
  DpTestResult top = RUN ("--version");
  g_assert_cmpint (top.status, ==, 0);
  g_assert_cmpstr (top.out, ==, want);
  dp_test_result_clear (&top);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      DpTestResult r = RUN (commands[i], "--version");
      g_assert_cmpint (r.status, ==, 0);
      g_assert_cmpstr (r.out, ==, want);
      g_assert_cmpstr (r.err, ==, "");
      dp_test_result_clear (&r);
    }
  /* Even with a pipeline given: nothing is loaded or run. */
  DpTestResult r = RUN ("run", "-e", "reader path=/nonexistent ! writer", "--version");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, want);
  g_assert_cmpstr (r.err, ==, "");
  dp_test_result_clear (&r);
}

/* ---- expressions written with another tool's separators -------------------- */

static void
test_separator_hints (void)
{
  static const struct { const char *expr, *err; } cases[] = {
    { "ticker count=1 | writer",
      "docpipe: error: -e:stage 1: expected KEY=VALUE or '!', got '|' (stages are separated by '!')\n" },
    { "ticker count=1 -> writer",
      "docpipe: error: -e:stage 1: expected KEY=VALUE or '!', got '->' (stages are separated by '!')\n" },
    { "ticker , writer",
      "docpipe: error: -e:stage 1: expected KEY=VALUE or '!', got ',' (stages are separated by '!')\n" },
    { "ticker count=1, writer",
      "docpipe: error: -e:stage 1: expected KEY=VALUE, got 'writer' (stages are separated by '!', not ',')\n" },
    { "| ticker ! writer",
      "docpipe: error: -e: expected a stage type, got '|' (stages are separated by '!')\n" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      DpTestResult r = RUN ("check", "-P", PLUGIN_PATH, "-e", cases[i].expr);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_cmpstr (r.err, ==, cases[i].err);
      dp_test_result_clear (&r);
    }
  /* The stage after the separator is still checked: one problem each. */
  DpTestResult r = RUN ("check", "-P", PLUGIN_PATH, "-e", "ticker count=1 | writer ! writer pth=x");
  g_assert_cmpint (r.status, ==, 2);
  g_assert_cmpstr (r.err, ==,
                   "docpipe: error: -e:stage 1: expected KEY=VALUE or '!', got '|' (stages are separated by '!')\n");
  dp_test_result_clear (&r);
}

/* ---- the "docpipe:" prefix ------------------------------------------------- */

static char *
write_tmp (const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), name, NULL);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
test_error_prefix (void)
{
  g_autofree char *bad = write_tmp ("docpipe-test-cli-bad.pipeline",
                                    "[read]\nplugin = ticker\ncuont = 3\n[x]\nplugin = wrtier\n[write]\nplugin = writer\n");
  const char *const *cases[] = {
    /* configuration: several problems, one per line */
    (const char *const[]) { "check", "-P", PLUGIN_PATH, bad, NULL },
    (const char *const[]) { "run", "-P", PLUGIN_PATH, bad, NULL },
    /* a refused plugin's note */
    (const char *const[]) { "check", "-P", DP_TEST_FIXTURES_BAD, "-e", "reader path=- ! future ! writer", NULL },
    /* files that cannot be read, expressions that cannot be parsed */
    (const char *const[]) { "check", "/nonexistent/x.pipeline", NULL },
    (const char *const[]) { "check", "-e", "reader 'path=-", NULL },
    /* usage */
    (const char *const[]) { "run", NULL },
    (const char *const[]) { "run", "--no-such-option", NULL },
    (const char *const[]) { "--no-such-option", NULL },
    (const char *const[]) { "plugins", "a", "b", NULL },
    (const char *const[]) { "plugins", "-P", PLUGIN_PATH, "readr", NULL },
    /* runtime: a stage that cannot be created, one that fails */
    (const char *const[]) { "run", "-e", "reader path=/nonexistent/dir/x.txt ! writer", NULL },
    (const char *const[]) { "run", "-P", PLUGIN_PATH, "-e", "ticker ! fail-create ! writer", NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      DpTestResult r = run_argv (cases[i]);
      g_assert_cmpint (r.status, !=, 0);
      assert_prefixed (r.err);
      dp_test_result_clear (&r);
    }
  /* The configuration errors themselves, exactly. */
  DpTestResult r = RUN ("check", "-P", PLUGIN_PATH, bad);
  g_assert_cmpint (r.status, ==, 2);
  g_autofree char *want = g_strdup_printf (
    "docpipe: error: %s:3: stage 'read': unknown key 'cuont' (did you mean 'count'?)\n"
    "docpipe: error: %s:5: stage 'x': unknown plugin 'wrtier' (did you mean 'writer'?)\n", bad, bad);
  g_assert_cmpstr (r.err, ==, want);
  dp_test_result_clear (&r);

  r = RUN ("check", "-P", DP_TEST_FIXTURES_BAD, "-e", "reader path=- ! future ! writer");
  g_assert_cmpint (r.status, ==, 2);
  g_assert_true (g_str_has_prefix (r.err, "docpipe: error: -e:stage 2: stage 'future': unknown plugin 'future'"));
  g_assert_nonnull (strstr (r.err, "\ndocpipe: note: "));
  dp_test_result_clear (&r);
  g_remove (bad);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/help-command", test_help_command);
  g_test_add_func ("/cli/unknown-command", test_unknown_command);
  g_test_add_func ("/cli/version-everywhere", test_version_everywhere);
  g_test_add_func ("/cli/separator-hints", test_separator_hints);
  g_test_add_func ("/cli/error-prefix", test_error_prefix);
  return g_test_run ();
}
