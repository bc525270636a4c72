/* test-security.c — the claims docs/security.md makes, checked through the
 * docpipe binary:
 *
 *   - record ids, sources and span ids never choose where anything is
 *     written (every writer format, the report, the state file, dead letters);
 *   - plugins load only from the configured search path, never from the
 *     current directory or the input's, whatever LTDL_LIBRARY_PATH says;
 *   - files are created under the umask and replaced files keep their mode
 *     (and, as root, their owner);
 *   - nothing a record holds reaches standard error unescaped, in any log
 *     format, on any path (warnings, a fatal stage error, dead letters on -);
 *   - a run killed while writing leaves TARGET.docpipe-tmp-XXXXXX, which the
 *     next run writing TARGET removes, and so does the next run writing
 *     another file in that directory (a file per run with `state`), but
 *     never the one a live run is writing, a look-alike name or a link.
 */
#include "test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/stat.h>

#define PLANTED_MARKER "planted-plugin-loaded"

/* ---- helpers -------------------------------------------------------------------- */

typedef struct {
  const char *cwd;
  const char *const *env;      /* NAME=VALUE to set, NAME alone to unset */
  const char *stdin_text;
} RunIn;

static GSubprocess *
spawn_in (const RunIn *how, const char *const *args, GSubprocessFlags extra)
{
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                 | G_SUBPROCESS_FLAGS_STDERR_PIPE | extra);
  if (how && how->cwd)
    g_subprocess_launcher_set_cwd (l, how->cwd);
  for (guint i = 0; how && how->env && how->env[i]; i++)
    {
      const char *eq = strchr (how->env[i], '=');
      g_autofree char *name = eq ? g_strndup (how->env[i], eq - how->env[i]) : g_strdup (how->env[i]);
      if (eq)
        g_subprocess_launcher_setenv (l, name, eq + 1, TRUE);
      else
        g_subprocess_launcher_unsetenv (l, name);
    }
  g_autoptr (GPtrArray) argv = dp_test_docpipe_argv (args);
  g_autoptr (GError) error = NULL;
  GSubprocess *p = g_subprocess_launcher_spawnv (l, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  return p;
}

static DpTestResult
run_in (const RunIn *how, const char *const *args)
{
  GSubprocessFlags in = how && how->stdin_text ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0;
  g_autoptr (GSubprocess) p = spawn_in (how, args, in);
  return dp_test_communicate (p, how ? how->stdin_text : NULL);
}

static void
write_file (const char *path, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static char *
make_subdir (const char *dir, const char *name)
{
  char *sub = g_build_filename (dir, name, NULL);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  return sub;
}

/* Every path under @dir (relative, sorted, joined with ','), not following links. */
static GPtrArray *tree_paths;
static const char *tree_root;

static int
collect_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st, (void) flag, (void) ftw;
  if (strcmp (path, tree_root) != 0)
    g_ptr_array_add (tree_paths, g_strdup (path + strlen (tree_root) + 1));
  return 0;
}

static char *
list_tree (const char *dir)
{
  tree_paths = g_ptr_array_new_with_free_func (g_free);
  tree_root = dir;
  nftw (dir, collect_entry, 16, FTW_PHYS);
  g_ptr_array_sort (tree_paths, dp_test_compare_strings);
  g_ptr_array_add (tree_paths, NULL);
  char *joined = g_strjoinv (",", (char **) tree_paths->pdata);
  g_ptr_array_unref (tree_paths);
  return joined;
}

/* ---- ids and paths from input ------------------------------------------------------- */

/* Records whose ids, sources and span ids look like paths (relative ones that
 * climb, an absolute one into this test's directory, with newlines and NULs)
 * go through every writer, the report, the state file and the dead letters;
 * afterwards the directory holds exactly the files the pipeline named. */
static void
test_ids_never_choose_paths (void)
{
  g_autofree char *root = dp_test_make_tmp_dir ("docpipe-security-XXXXXX");
  g_autofree char *in_dir = make_subdir (root, "in");
  g_autofree char *work = make_subdir (root, "work");
  g_autofree char *out_dir = make_subdir (work, "out");
  g_autofree char *abs_id = g_build_filename (root, "escaped-absolute", NULL);
  g_autoptr (GString) input = g_string_new (NULL);
  /* As JSON string contents. */
  const char *ids[] = { "../../escaped-up", "../escaped-up-one", "out/../../escaped-dot", "escaped\\nnewline",
                        "escaped\\u0000nul", "escaped/sub/dir", ".", "..", "", abs_id,
                        "</script><img src=x onerror=alert(1)>" };
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    /* A failed one in three: dead letters get the same ids. */
    g_string_append_printf (input, "{\"id\":\"%s\",\"source\":\"../../escaped-source-%u\",\"text\":\"%s Iran met Iraq.\","
                                   "\"layers\":{\"entities\":[{\"id\":\"../../escaped-span-%u\",\"start\":4,"
                                   "\"end\":8,\"label\":\"LOC\"}]}}\n",
                            ids[i], i, i % 3 == 2 ? "BAD" : "Ok.", i);
  g_autofree char *in = g_build_filename (in_dir, "in.jsonl", NULL);
  write_file (in, input->str);
  g_autofree char *expr = g_strdup_printf (
    "reader path=%s ! fail-some fail-text=BAD ! writer path=out/o.jsonl ! writer path=out/o.csv "
    "! writer path=out/o.sqlite ! report path=out/r.html", in);
  const char *env[] = { "DOCPIPE_PLUGIN_PATH=" DP_TEST_FIXTURES_GOOD, NULL };
  RunIn how = { work, env, NULL };
  const char *args[] = { "run", "-q", "-e", expr, "-s", "pipeline.state=out/state.sqlite",
                         "-s", "pipeline.dead-letter=out/dead.jsonl", NULL };
  DpTestResult r = run_in (&how, args);
  g_assert_cmpint (r.status, ==, 3);   /* dead letters, nothing else wrong */
  dp_test_result_clear (&r);
  /* The ids are in the output, as data. */
  g_autofree char *out_path = g_build_filename (out_dir, "o.jsonl", NULL);
  g_autofree char *out = dp_test_read_file (out_path);
  g_assert_nonnull (strstr (out, "\"id\":\"../escaped-up-one\""));
  g_assert_nonnull (strstr (out, "\"id\":\"escaped\\nnewline\""));
  g_assert_nonnull (strstr (out, abs_id));
  /* The report, read in a browser, has ids as text, never as markup. */
  g_autofree char *report_path = g_build_filename (out_dir, "r.html", NULL);
  g_autofree char *report = dp_test_read_file (report_path);
  g_assert_null (strstr (report, "<img src=x"));
  g_assert_null (strstr (report, "</script><img"));
  g_assert_nonnull (strstr (report, "onerror=alert(1)"));   /* it is there, as text */
  /* Again: this run looks the ids up in the state file and skips them. */
  r = run_in (&how, args);
  g_assert_cmpint (r.status, ==, 3);
  dp_test_result_clear (&r);

  g_autofree char *tree = list_tree (root);
  g_assert_cmpstr (tree, ==, "in,in/in.jsonl,work,work/out,work/out/dead.jsonl,work/out/o-claims.csv,"
                             "work/out/o-documents.csv,work/out/o-entities.csv,work/out/o.jsonl,work/out/o.sqlite,"
                             "work/out/r.html,work/out/state.sqlite");
  g_autofree char *dead_path = g_build_filename (out_dir, "dead.jsonl", NULL);
  g_autofree char *dead = dp_test_read_file (dead_path);
  g_assert_nonnull (strstr (dead, "\"id\":\"out/../../escaped-dot\""));
  dp_test_remove_tree (root);
}

/* ---- plugins only from the search path ------------------------------------------------- */

/* Copies the planted plugin (its constructor leaves a marker file; it
 * provides a stage 'planted') into @dir under names a careless loader would
 * take for the stages a pipeline names. */
static void
plant (const char *dir)
{
  static const char *const names[] = { "reader.so", "writer.so", "libreader.so", "libwriter.so", "planted.so",
                                       "fixtures.so", NULL };
  g_autofree char *src = g_build_filename (DP_TEST_FIXTURES_PLANTED, "planted.so", NULL);
  g_autofree char *bytes = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (src, &bytes, &len, NULL));
  for (guint i = 0; names[i]; i++)
    {
      g_autofree char *dst = g_build_filename (dir, names[i], NULL);
      g_assert_true (g_file_set_contents (dst, bytes, (gssize) len, NULL));
    }
}

static void
test_plugins_only_from_search_path (void)
{
  g_autofree char *root = dp_test_make_tmp_dir ("docpipe-security-XXXXXX");
  g_autofree char *cwd = make_subdir (root, "cwd");
  g_autofree char *in_dir = make_subdir (root, "in");
  plant (cwd);
  plant (in_dir);
  g_autofree char *in = g_build_filename (in_dir, "in.jsonl", NULL);
  write_file (in, "{\"id\":\"a\",\"text\":\"Iran met Iraq.\"}\n");
  g_autofree char *pipeline = g_build_filename (in_dir, "p.pipeline", NULL);
  g_autofree char *pipeline_text = g_strdup_printf ("[read]\nplugin = reader\npath = in.jsonl\n\n"
                                                    "[write]\nplugin = writer\npath = %s/out.jsonl\n", root);
  write_file (pipeline, pipeline_text);
  g_autofree char *marker = g_build_filename (root, PLANTED_MARKER, NULL);
  g_autofree char *marker_env = g_strdup_printf ("DP_TEST_PLANTED_MARKER=%s", marker);
  g_autofree char *ltdl = g_strdup_printf ("LTDL_LIBRARY_PATH=%s:%s:.", cwd, in_dir);
  g_autofree char *ld = g_strdup_printf ("LD_LIBRARY_PATH=%s:%s:.", cwd, in_dir);
  g_autofree char *expr = g_strdup_printf ("reader path=%s ! writer path=-", in);

  /* Empty entries in a path list mean the current directory to some
   * programs (PATH); here they mean nothing. */
  const char *const plugin_paths[] = { "DOCPIPE_PLUGIN_PATH", "DOCPIPE_PLUGIN_PATH=", "DOCPIPE_PLUGIN_PATH=:",
                                       "DOCPIPE_PLUGIN_PATH=::" };
  for (guint i = 0; i < G_N_ELEMENTS (plugin_paths); i++)
    {
      const char *env[] = { plugin_paths[i], marker_env, ltdl, ld, NULL };
      RunIn how = { cwd, env, NULL };
      const char *runs[][6] = {
        { "run", "-q", "-e", expr, NULL },
        { "run", "-q", "-P", ":", "-e", expr },
        { "run", "-q", pipeline, NULL },
        { "check", pipeline, NULL },
        { "plugins", NULL },
      };
      for (guint k = 0; k < G_N_ELEMENTS (runs); k++)
        {
          const char *args[7] = { 0 };
          memcpy (args, runs[k], sizeof runs[k]);
          DpTestResult r = run_in (&how, args);
          g_assert_cmpint (r.status, ==, 0);
          g_assert_null (strstr (r.out, "planted"));
          g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
          dp_test_result_clear (&r);
        }
    }

  /* The control: the test would see a load.  Named on the search path, the
   * plugin's constructor runs and its stage is listed. */
  g_autofree char *named = g_strdup_printf ("DOCPIPE_PLUGIN_PATH=%s", cwd);
  const char *env[] = { named, marker_env, NULL };
  RunIn how = { cwd, env, NULL };
  const char *args[] = { "plugins", NULL };
  DpTestResult r = run_in (&how, args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "planted"));
  g_assert_true (g_file_test (marker, G_FILE_TEST_EXISTS));
  dp_test_result_clear (&r);
  dp_test_remove_tree (root);
}

/* ---- permissions ------------------------------------------------------------------------- */

static const char *const created_files[] = { "o.jsonl", "o-documents.csv", "o-entities.csv", "o-claims.csv",
                                             "o.sqlite", "r.html", "state.sqlite", "dead.jsonl", "stats.json",
                                             NULL };

static void
run_all_writers (const char *dir)
{
  g_autofree char *in = g_build_filename (dir, "in.jsonl", NULL);
  if (!g_file_test (in, G_FILE_TEST_EXISTS))
    write_file (in, "{\"id\":\"a\",\"text\":\"Iran met Iraq.\"}\n{\"id\":\"b\",\"text\":\"BAD\"}\n");
  g_autofree char *expr = g_strdup_printf ("reader path=in.jsonl ! fail-some fail-text=BAD ! writer path=o.jsonl "
                                           "! writer path=o.csv ! writer path=o.sqlite ! report path=r.html");
  const char *env[] = { "DOCPIPE_PLUGIN_PATH=" DP_TEST_FIXTURES_GOOD, NULL };
  RunIn how = { dir, env, NULL };
  const char *args[] = { "run", "-q", "--full", "--stats", "stats.json", "-e", expr, "-s", "pipeline.state=state.sqlite",
                         "-s", "pipeline.dead-letter=dead.jsonl", NULL };
  DpTestResult r = run_in (&how, args);
  g_assert_cmpint (r.status, ==, 3);
  dp_test_result_clear (&r);
}

/* New files get 0666 (SQLite: 0644) less the umask, whatever the umask. */
static void
test_permissions_follow_umask (void)
{
  static const mode_t masks[] = { 077, 027, 022, 002 };
  for (guint m = 0; m < G_N_ELEMENTS (masks); m++)
    {
      g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-security-XXXXXX");
      mode_t old = umask (masks[m]);
      run_all_writers (dir);
      umask (old);
      g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
      const char *name;
      guint seen = 0;
      while ((name = g_dir_read_name (d)))
        {
          if (strcmp (name, "in.jsonl") == 0)
            continue;
          g_autofree char *path = g_build_filename (dir, name, NULL);
          GStatBuf st;
          g_assert_cmpint (g_lstat (path, &st), ==, 0);
          g_assert_true (S_ISREG (st.st_mode));
          if ((st.st_mode & masks[m]) != 0 || (st.st_mode & 0111) != 0)
            g_error ("%s has mode %04o under umask %03o", name, st.st_mode & 07777, masks[m]);
          g_assert_cmpint (st.st_mode & 0600, ==, 0600);
          seen += g_strv_contains (created_files, name);
        }
      g_assert_cmpuint (seen, ==, g_strv_length ((char **) created_files));
      dp_test_remove_tree (dir);
    }
}

/* Files that exist keep their mode, and as root their owner, when a run
 * replaces (or, SQLite and dead letters, updates) them. */
static void
test_permissions_kept (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-security-XXXXXX");
  run_all_writers (dir);
  gboolean root = geteuid () == 0;
  for (guint i = 0; created_files[i]; i++)
    {
      g_autofree char *path = g_build_filename (dir, created_files[i], NULL);
      g_assert_cmpint (g_chmod (path, i % 2 ? 0600 : 0640), ==, 0);
      if (root)
        g_assert_cmpint (chown (path, DP_TEST_NOBODY, DP_TEST_NOBODY), ==, 0);
    }
  mode_t old = umask (0);   /* would make new files 0666 */
  run_all_writers (dir);
  umask (old);
  for (guint i = 0; created_files[i]; i++)
    {
      g_autofree char *path = g_build_filename (dir, created_files[i], NULL);
      GStatBuf st;
      g_assert_cmpint (g_stat (path, &st), ==, 0);
      if ((st.st_mode & 07777) != (i % 2 ? 0600u : 0640u))
        g_error ("%s has mode %04o after the run", created_files[i], st.st_mode & 07777);
      if (root)
        g_assert_cmpint (st.st_uid, ==, DP_TEST_NOBODY);
    }
  dp_test_remove_tree (dir);
}

/* ---- nothing unescaped on the terminal ------------------------------------------------- */

/* The bytes a hostile record could use on a terminal: C0 controls other than
 * the line's own newline, DEL, C1 controls (UTF-8 C2 80..9F), line
 * separators and direction overrides (E2 80 A8..AE, E2 81 A6..A9). */
static void
assert_terminal_safe (const char *text, guint expected_lines, const char *what)
{
  guint lines = 0;
  for (const guchar *p = (const guchar *) text; *p; p++)
    {
      gboolean bad = (*p < 0x20 && *p != '\n') || *p == 0x7f
                     || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
                     || (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0xa8 && p[2] <= 0xae)
                     || (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9);
      if (bad)
        g_error ("%s: an unescaped byte 0x%02x at %u in:\n%s", what, *p, (guint) (p - (const guchar *) text), text);
      lines += *p == '\n';
    }
  if (lines != expected_lines)
    g_error ("%s: %u lines instead of %u:\n%s", what, lines, expected_lines, text);
  g_assert_true (g_utf8_validate (text, -1, NULL));
}

#define HOSTILE "a\\nb\\r\\u001b]0;title\\u0007\\u001b[2J\\u009b31m\\u202egnp.exe\\u2028x\\u007f\\t"

static void
test_messages_escaped (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-security-XXXXXX");
  g_autofree char *in = g_build_filename (dir, "in.jsonl", NULL);
  /* Two failing records (the id, then the source hostile) and one good one. */
  write_file (in, "{\"id\":\"" HOSTILE "\",\"text\":\"BAD\"}\n"
                  "{\"id\":\"ok\",\"text\":\"fine\"}\n"
                  "{\"id\":\"s\",\"source\":\"" HOSTILE "\",\"text\":\"BAD\"}\n");
  const char *env[] = { "DOCPIPE_PLUGIN_PATH=" DP_TEST_FIXTURES_GOOD, NULL };
  RunIn how = { dir, env, NULL };
  const char *expr = "reader path=in.jsonl ! fail-some fail-text=BAD ! writer path=out.jsonl";
  const char *formats[] = { "plain", "text", "json" };
  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      /* Two warnings and the summary; a fatal error (which quotes the record) and the summary. */
      const char *skip[] = { "run", "--log-format", formats[f], "-e", expr, NULL };
      const char *fail[] = { "run", "--log-format", formats[f], "-e", expr, "-s", "pipeline.on-error=fail", NULL };
      const char *dead_stderr[] = { "run", "--log-format", formats[f], "-e", expr, "-s", "pipeline.dead-letter=-", NULL };
      struct { const char *const *args; int status; guint lines; } runs[] = {
        { skip, 3, 3 }, { fail, 1, 4 }, { dead_stderr, 3, 5 },
      };
      for (guint k = 0; k < G_N_ELEMENTS (runs); k++)
        {
          DpTestResult r = run_in (&how, runs[k].args);
          g_autofree char *what = g_strdup_printf ("--log-format %s, run %u", formats[f], k);
          g_assert_cmpint (r.status, ==, runs[k].status);
          /* --on-error=fail: the first failure stops the run; how many of the
           * batch's others were warned about first is not fixed. */
          if (runs[k].args == fail)
            {
              guint n = 0;
              for (const char *p = r.err; *p; p++)
                n += *p == '\n';
              runs[k].lines = n;
              /* One line: the fatal message quotes the whole id, escaped. */
              gboolean json = strcmp (formats[f], "json") == 0;
              if (!strstr (r.err, json ? "stage 'fail-some': record 'a\\\\nb\\\\r\\\\"
                                       : "stage 'fail-some': record 'a\\nb\\r\\"))
                g_error ("%s: no whole fatal line in:\n%s", what, r.err);
            }
          assert_terminal_safe (r.err, runs[k].lines, what);
          if (strcmp (formats[f], "json") == 0 || runs[k].args == dead_stderr)
            {
              g_auto (GStrv) lines = g_strsplit (r.err, "\n", -1);
              for (guint i = 0; lines[i] && *lines[i]; i++)
                if (*lines[i] == '{')
                  {
                    g_autoptr (JsonObject) o = dp_test_parse_object (lines[i]);
                    /* The exact id survives in JSON, escaped only as JSON escapes. */
                    if (json_object_has_member (o, "record") && json_object_has_member (o, "stage")
                        && !json_object_has_member (o, "error"))
                      g_assert_true (strcmp (json_object_get_string_member (o, "record"), "s") == 0
                                     || g_str_has_prefix (json_object_get_string_member (o, "record"), "a\nb\r\033]0;"));
                    if (json_object_has_member (o, "error") && strcmp (json_object_get_string_member (o, "id"), "s") != 0)
                      g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "id"), "a\nb\r\033]0;"));
                  }
                else if (strcmp (formats[f], "json") == 0)
                  g_error ("%s: not a JSON line: %s", what, lines[i]);
            }
          if (strcmp (formats[f], "json") != 0)
            g_assert_nonnull (strstr (r.err, "record 'a\\nb\\r\\x1b]0;title\\x07\\x1b[2J\\u009b31m\\u202egnp.exe\\u2028x\\x7f\\t'"));
          dp_test_result_clear (&r);
        }
    }
  dp_test_remove_tree (dir);
}

/* ---- temporary files of killed runs ------------------------------------------------------ */

/* The names in @dir that are TARGET.docpipe-tmp-XXXXXX files. */
static guint
count_temps (const char *dir, const char *target)
{
  g_autofree char *prefix = g_strconcat (target, ".docpipe-tmp-", NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;
  while ((name = g_dir_read_name (d)))
    n += g_str_has_prefix (name, prefix);
  return n;
}

/* The size of the one TARGET.docpipe-tmp-XXXXXX in @dir, or -1. */
static goffset
temp_size (const char *dir, const char *target)
{
  g_autofree char *prefix = g_strconcat (target, ".docpipe-tmp-", NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (d)))
    if (g_str_has_prefix (name, prefix))
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        GStatBuf st;
        return g_stat (path, &st) == 0 ? st.st_size : -1;
      }
  return -1;
}

static guint
count_lines (const char *path)
{
  g_autofree char *text = dp_test_read_file (path);
  guint n = 0;
  for (const char *p = text; *p; p++)
    n += *p == '\n';
  return n;
}

/* Starts a run reading a FIFO (held open by the test, so the run waits for
 * more) and returns once part of its output is in its temporary file; *@sent
 * is the number of records written to the FIFO.  @state: the state file, or NULL. */
static GSubprocess *
start_blocked_run (const char *dir, const char *target, const char *state, int *fifo_fd, guint *sent)
{
  g_autofree char *fifo = g_build_filename (dir, "in.fifo", NULL);
  if (!g_file_test (fifo, G_FILE_TEST_EXISTS))
    g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  /* Read-write: opening does not wait for the reader, and the run sees no
   * end.  Non-blocking: a full pipe is only a pause. */
  *fifo_fd = open (fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  g_assert_cmpint (*fifo_fd, >=, 0);
  g_autofree char *expr = g_strdup_printf ("reader path=in.fifo format=jsonl ! writer path=%s", target);
  RunIn how = { dir, NULL, NULL };
  g_autofree char *state_set = g_strdup_printf ("pipeline.state=%s", state ? state : "");
  const char *args[] = { "run", "-q", "-e", expr, "-s", "pipeline.batch-size=1", state ? "-s" : NULL, state_set, NULL };
  GSubprocess *p = spawn_in (&how, args, 0);
  /* The reader reads ahead: records go in until the writer has written some.
   * No time limit: ctest's timeout ends a run that never writes. */
  *sent = 0;
  while (temp_size (dir, target) <= 0)
    {
      g_autofree char *line = g_strdup_printf ("{\"id\":\"f%u\",\"text\":\"Iran met Iraq.\"}\n", *sent);
      gssize n = write (*fifo_fd, line, strlen (line));
      if (n < 0 && errno == EAGAIN)
        g_usleep (2000);
      else
        {
          g_assert_cmpint (n, ==, (gssize) strlen (line));
          ++*sent;
        }
    }
  return p;
}

/* A new directory holding in.jsonl, 200 documents. */
static char *
make_input_dir (void)
{
  char *dir = dp_test_make_tmp_dir ("docpipe-security-XXXXXX");
  g_autofree char *in = g_build_filename (dir, "in.jsonl", NULL);
  g_autoptr (GString) input = g_string_new (NULL);
  for (guint i = 0; i < 200; i++)
    g_string_append_printf (input, "{\"id\":\"d%u\",\"text\":\"Iran met Iraq.\"}\n", i);
  write_file (in, input->str);
  return dir;
}

static void
test_killed_run_temp_cleaned (void)
{
  g_autofree char *dir = make_input_dir ();
  g_autofree char *out = g_build_filename (dir, "out.jsonl", NULL);
  RunIn how = { dir, NULL, NULL };
  const char *complete[] = { "run", "-q", "-e", "reader path=in.jsonl ! writer path=out.jsonl", NULL };

  /* SIGKILL mid-write leaves a temporary file beside the target (and the next
   * killed run's start removed the first's). */
  guint sent;
  for (guint k = 0; k < 2; k++)
    {
      int fifo_fd;
      g_autoptr (GSubprocess) p = start_blocked_run (dir, "out.jsonl", NULL, &fifo_fd, &sent);
      g_subprocess_send_signal (p, SIGKILL);
      g_subprocess_wait (p, NULL, NULL);
      g_assert_true (g_subprocess_get_if_signaled (p));
      close (fifo_fd);
      g_assert_cmpuint (count_temps (dir, "out.jsonl"), ==, 1);
    }
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  /* The next run writing the target removes them and writes it whole. */
  DpTestResult r = run_in (&how, complete);
  g_assert_cmpint (r.status, ==, 0);
  dp_test_result_clear (&r);
  g_assert_cmpuint (count_temps (dir, "out.jsonl"), ==, 0);
  g_assert_cmpuint (count_lines (out), ==, 200);

  /* A live run's temporary file is not stale: a run writing the same target
   * meanwhile leaves it, and the live run still completes over it. */
  int fifo_fd;
  g_autoptr (GSubprocess) live = start_blocked_run (dir, "out.jsonl", NULL, &fifo_fd, &sent);
  r = run_in (&how, complete);
  g_assert_cmpint (r.status, ==, 0);
  dp_test_result_clear (&r);
  g_assert_cmpuint (count_temps (dir, "out.jsonl"), ==, 1);
  close (fifo_fd);   /* the end of its input */
  g_autoptr (GError) error = NULL;
  g_subprocess_wait_check (live, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_temps (dir, "out.jsonl"), ==, 0);
  g_assert_cmpuint (count_lines (out), ==, sent);
  dp_test_remove_tree (dir);
}

/* With `state` and a file per run (docs/operations.md), no later run writes
 * a killed run's target again: the next run writing any file in that
 * directory removes its temporary file.  It leaves a live run's, names that
 * only look like ours, and a link with our name (and the file it points to).
 * Once every run has ended, the state's own files (SQLite's -wal, -shm) are
 * gone too. */
static void
test_per_run_temp_cleaned (void)
{
  g_autofree char *dir = make_input_dir ();
  const char *const planted[] = { "out-0.jsonl.docpipe-tmp-Ab3xZ", "out-0.jsonl.docpipe-tmp-Ab3xZ9.bak",
                                  "out-0.jsonl.tmp-Ab3xZ9", "precious.jsonl", NULL };
  for (guint i = 0; planted[i]; i++)
    {
      g_autofree char *p = g_build_filename (dir, planted[i], NULL);
      write_file (p, "not docpipe's\n");
    }
  g_autofree char *sym = g_build_filename (dir, "out-s.jsonl.docpipe-tmp-LiNk00", NULL);
  g_assert_cmpint (symlink ("precious.jsonl", sym), ==, 0);

  /* A run killed mid-write leaves its file per run's temporary file. */
  int fifo_fd;
  guint sent;
  g_autoptr (GSubprocess) killed = start_blocked_run (dir, "out-1.jsonl", "state.db", &fifo_fd, &sent);
  g_subprocess_send_signal (killed, SIGKILL);
  g_subprocess_wait (killed, NULL, NULL);
  g_assert_true (g_subprocess_get_if_signaled (killed));
  close (fifo_fd);
  g_assert_cmpuint (count_temps (dir, "out-1.jsonl"), ==, 1);

  /* The next run, into a file of its own, while another run is writing. */
  g_autoptr (GSubprocess) live = start_blocked_run (dir, "out-live.jsonl", "state.db", &fifo_fd, &sent);
  RunIn how = { dir, NULL, NULL };
  const char *next[] = { "run", "-q", "-e", "reader path=in.jsonl ! writer path=out-2.jsonl",
                         "-s", "pipeline.state=state.db", NULL };
  DpTestResult r = run_in (&how, next);
  g_assert_cmpint (r.status, ==, 0);
  dp_test_result_clear (&r);
  g_assert_cmpuint (count_temps (dir, "out-1.jsonl"), ==, 0);
  g_assert_cmpuint (count_temps (dir, "out-live.jsonl"), ==, 1);
  for (guint i = 0; planted[i]; i++)
    {
      g_autofree char *p = g_build_filename (dir, planted[i], NULL);
      g_autofree char *text = dp_test_read_file (p);
      g_assert_cmpstr (text, ==, "not docpipe's\n");
    }
  GStatBuf st;
  g_assert_cmpint (g_lstat (sym, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  g_autofree char *out2 = g_build_filename (dir, "out-2.jsonl", NULL);
  g_assert_cmpuint (count_lines (out2), ==, 200);

  /* The live run completes; then only the planted files and the outputs are left. */
  close (fifo_fd);
  g_autoptr (GError) error = NULL;
  g_subprocess_wait_check (live, NULL, &error);
  g_assert_no_error (error);
  g_autofree char *live_out = g_build_filename (dir, "out-live.jsonl", NULL);
  g_assert_cmpuint (count_lines (live_out), ==, sent);
  g_autofree char *names = dp_test_list_dir (dir);
  g_assert_cmpstr (names, ==, "in.fifo,in.jsonl,out-0.jsonl.docpipe-tmp-Ab3xZ,out-0.jsonl.docpipe-tmp-Ab3xZ9.bak,"
                   "out-0.jsonl.tmp-Ab3xZ9,out-2.jsonl,out-live.jsonl,out-s.jsonl.docpipe-tmp-LiNk00,"
                   "precious.jsonl,state.db");
  dp_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/security/ids-never-choose-paths", test_ids_never_choose_paths);
  g_test_add_func ("/security/plugins-only-from-search-path", test_plugins_only_from_search_path);
  g_test_add_func ("/security/permissions-follow-umask", test_permissions_follow_umask);
  g_test_add_func ("/security/permissions-kept", test_permissions_kept);
  g_test_add_func ("/security/messages-escaped", test_messages_escaped);
  g_test_add_func ("/security/killed-run-temp-cleaned", test_killed_run_temp_cleaned);
  g_test_add_func ("/security/per-run-temp-cleaned", test_per_run_temp_cleaned);
  return g_test_run ();
}
