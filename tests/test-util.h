/* test-util.h — helpers the GLib test programs share: running the build
 * tree's docpipe binary and collecting its status and output, temporary
 * directories (listed and removed), reading files and JSON objects, records
 * loaded from and written to JSON, and becoming the user nobody.
 *
 * The helpers assert what they need (removing a tree is best effort), so a
 * test reads as its steps.  The header is included by test programs built
 * with docpipe_test() (tests/CMakeLists.txt), which defines DP_TEST_DOCPIPE.
 */
#pragma once

#include <docpipe/docpipe.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include <ftw.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The user and group nobody, which tests run as when the suite runs as root. */
#define DP_TEST_NOBODY 65534

/* ---- running docpipe ----------------------------------------------------------- */

typedef struct {
  int status;       /* exit code, or 128 + signal */
  char *out, *err;
} DpTestResult;

static inline void
dp_test_result_clear (DpTestResult *r)
{
  g_free (r->out);
  g_free (r->err);
}

/* docpipe's argv: the build tree's binary, then @args (NULL-terminated); the
 * array ends with NULL, ready for g_subprocess_*v. */
static inline GPtrArray *
dp_test_docpipe_argv (const char *const *args)
{
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) DP_TEST_DOCPIPE);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  return argv;
}

static inline int
dp_test_exit_code (GSubprocess *p)
{
  if (g_subprocess_get_if_exited (p))
    return g_subprocess_get_exit_status (p);
  return 128 + g_subprocess_get_term_sig (p);
}

/* Feeds @stdin_text (NULL: nothing) to @p, waits for it and collects its output. */
static inline DpTestResult
dp_test_communicate (GSubprocess *p, const char *stdin_text)
{
  g_autoptr (GError) error = NULL;
  DpTestResult r = { 0 };
  g_subprocess_communicate_utf8 (p, stdin_text, NULL, &r.out, &r.err, &error);
  g_assert_no_error (error);
  r.status = dp_test_exit_code (p);
  return r;
}

/* Runs @program with @args (NULL-terminated), no input; collects its output. */
static inline DpTestResult
dp_test_run (const char *program, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) program);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_newv ((const char *const *) argv->pdata,
                                                 G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  return dp_test_communicate (p, NULL);
}

/* ---- files ---------------------------------------------------------------------- */

static inline char *
dp_test_make_tmp_dir (const char *template)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  return dir;
}

static inline int
dp_test_remove_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st, (void) flag, (void) ftw;
  remove (path);
  return 0;
}

/* Removes @dir and everything under it, without following symlinks (tests
 * leave symlinks, FIFOs and device nodes there). */
static inline void
dp_test_remove_tree (const char *dir)
{
  nftw (dir, dp_test_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static inline char *
dp_test_read_file (const char *path)
{
  char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static inline gint
dp_test_compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The names in @dir, sorted and joined with ','.  (Each is copied: readdir
 * may reuse its buffer for the next entry.) */
static inline char *
dp_test_list_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)))
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, dp_test_compare_strings);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (",", (char **) names->pdata);
}

/* ---- JSON and records ----------------------------------------------------------- */

/* @line as a JSON object (a new reference). */
static inline JsonObject *
dp_test_parse_object (const char *line)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* The "id" members of @text's JSON lines, sorted and joined with commas. */
static inline char *
dp_test_sorted_ids (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; lines[i]; i++)
    if (*lines[i])
      {
        g_autoptr (JsonObject) obj = dp_test_parse_object (lines[i]);
        g_ptr_array_add (ids, g_strdup (json_object_get_string_member (obj, "id")));
      }
  g_ptr_array_sort (ids, dp_test_compare_strings);
  g_ptr_array_add (ids, NULL);
  return g_strjoinv (",", (char **) ids->pdata);
}

/* A record loaded from @json, which is expected to be valid. */
static inline DpRecord *
dp_test_record_from_json (const char *json)
{
  g_autoptr (GError) error = NULL;
  DpRecord *rec = dp_record_new ("r", "test", "", -1, &error);
  g_assert_no_error (error);
  g_assert_true (dp_record_load_json (rec, json, strlen (json), &error));
  g_assert_no_error (error);
  return rec;
}

/* @rec as a JSON line, with each span's text. */
static inline char *
dp_test_record_to_json (DpRecord *rec)
{
  GString *out = g_string_new (NULL);
  dp_record_to_json (rec, out, DP_JSON_SPAN_TEXT);
  return g_string_free (out, FALSE);
}

/* ---- users ---------------------------------------------------------------------- */

/* Drops every privilege for the user nobody: supplementary groups, group,
 * user.  Only plain system calls, so that a child_setup may call it. */
static inline gboolean
dp_test_become_nobody (void)
{
  return setgroups (0, NULL) == 0 && setgid (DP_TEST_NOBODY) == 0 && setuid (DP_TEST_NOBODY) == 0;
}
