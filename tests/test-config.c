/* test-config.c — pipeline validation (core/pipeline.c, core/params.c):
 * pipeline files with every kind of mistake, each reported as
 * "FILE:LINE: stage 'NAME': …" at the right line and all at once; ${VAR}
 * expansion; paths relative to the pipeline file; --set overrides; inline
 * `-e` expressions; stage order and layer checks; and `docpipe check`'s exit
 * status.  Plugins come from the build tree and the good fixtures only. */
#include "pipeline.h"
#include "core.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLUGIN_PATH DP_TEST_PLUGINS ":" DP_TEST_FIXTURES_GOOD

static char *tmpdir;

static const DpLoadOptions opts = { PLUGIN_PATH, NULL };

/* Writes @text to NAME in the temporary directory; returns its path. */
static char *
write_file (const char *name, const char *text)
{
  char *path = g_build_filename (tmpdir, name, NULL);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

static DpPipeline *
load_ok (const char *name, const char *text, const DpLoadOptions *lo)
{
  g_autofree char *path = write_file (name, text);
  g_autoptr (GError) error = NULL;
  DpPipeline *pl = dp_pipeline_load_file (path, lo, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pl);
  return pl;
}

/* @text with every "@" replaced by @path. */
static char *
subst (const char *text, const char *path)
{
  g_auto (GStrv) parts = g_strsplit (text, "@", -1);
  return g_strjoinv (path, parts);
}

static guint
count_lines (const char *s)
{
  guint n = 1;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

/* Checks that @message contains every @expect (NULL-terminated, "@" standing
 * for @file), none of @absent, and has @n_lines problems. */
static void
assert_problems (const char *message, const char *file, const char *const *expect,
                 const char *absent, guint n_lines)
{
  for (guint i = 0; expect[i]; i++)
    {
      g_autofree char *want = subst (expect[i], file);
      if (!strstr (message, want))
        g_error ("expected «%s» in:\n%s", want, message);
    }
  if (absent && strstr (message, absent))
    g_error ("did not expect «%s» in:\n%s", absent, message);
  if (n_lines && count_lines (message) != n_lines)
    g_error ("expected %u problems, got %u:\n%s", n_lines, count_lines (message), message);
}

/* ---- table: files that must be refused ----------------------------------------- */

typedef struct {
  const char *name;
  const char *text;
  const char *expect[5];   /* substrings; "@" is the file's path */
  const char *absent;      /* a substring that must not appear, or NULL */
  guint n_lines;           /* number of problems reported */
} BadCase;

static const BadCase bad_cases[] = {
  { "unknown-key-guess",
    "[read]\n"
    "plugin = reader\n"
    "path = in.txt\n"
    "pth = x\n"
    "\n"
    "[write]\n"
    "plugin = writer\n",
    { "@:4: stage 'read': unknown key 'pth' (did you mean 'path'?)" }, NULL, 1 },

  { "unknown-key-list",
    "[read]\n"
    "plugin = reader\n"
    "path = in.txt\n"
    "[write]\n"
    "plugin = writer\n"
    "colour = blue\n",
    { "@:6: stage 'write': unknown key 'colour' (known keys: path, format, compress, span-text, offsets, meta-columns, csv-formulas, date-field, run-label)" }, "did you mean", 1 },

  { "unknown-key-no-params",
    "[read]\n"
    "plugin = ticker\n"
    "[caps]\n"
    "plugin = capitals\n"
    "mode = fast\n"
    "[out]\n"
    "plugin = slow-sink\n",
    { "@:5: stage 'caps': unknown key 'mode' (this stage takes no parameters)" }, NULL, 1 },

  { "bad-int",
    "[read]\n"
    "plugin = reader\n"
    "path = in.txt\n"
    "max-record-size = abc\n"
    "[write]\n"
    "plugin = writer\n",
    { "@:4: stage 'read': key 'max-record-size': 'abc' is not a valid int" }, NULL, 1 },

  { "bad-int-trailing",
    "[read]\n"
    "plugin = ticker\n"
    "count = 12x\n"
    "[out]\n"
    "plugin = slow-sink\n",
    { "@:3: stage 'read': key 'count': '12x' is not a valid int" }, NULL, 1 },

  { "bad-bool",
    "[read]\n"
    "plugin = reader\n"
    "path = in.txt\n"
    "[write]\n"
    "plugin = writer\n"
    "span-text = maybe\n",
    { "@:6: stage 'write': key 'span-text': 'maybe' is not a valid bool" }, NULL, 1 },

  { "bad-enum-guess",
    "[read]\n"
    "plugin = reader\n"
    "format = jsnl\n"
    "path = in.txt\n"
    "[write]\n"
    "plugin = writer\n",
    { "@:3: stage 'read': key 'format': 'jsnl' is not one of: auto, text, jsonl, html (did you mean 'jsonl'?)" },
    NULL, 1 },

  { "bad-enum-no-guess",
    "[read]\n"
    "plugin = reader\n"
    "path = in.txt\n"
    "format = xml\n"
    "[write]\n"
    "plugin = writer\n",
    { "@:4: stage 'read': key 'format': 'xml' is not one of: auto, text, jsonl, html" }, "did you mean", 1 },

  { "out-of-range",
    "[read]\n"
    "plugin = ticker\n"
    "count = -5\n"
    "delay-ms = 60001\n"
    "[out]\n"
    "plugin = slow-sink\n",
    { "@:3: stage 'read': key 'count': -5 is out of range [0, 1e+12]",
      "@:4: stage 'read': key 'delay-ms': 60001 is out of range [0, 60000]" }, NULL, 2 },

  { "missing-required",
    "# the reader has no path\n"
    "\n"
    "[read]\n"
    "plugin = reader\n"
    "format = text\n"
    "\n"
    "[write]\n"
    "plugin = writer\n",
    { "@:3: stage 'read': missing required key 'path'" }, NULL, 1 },

  { "missing-plugin",
    "[read]\n"
    "plugin = reader\n"
    "path = in.txt\n"
    "\n"
    "[write]\n"
    "path = out.jsonl\n",
    { "@:5: stage 'write': missing key 'plugin'" }, NULL, 1 },

  { "unknown-plugin-guess",
    "[read]\n"
    "plugin = reader\n"
    "path = in.txt\n"
    "\n"
    "[write]\n"
    "path = -\n"
    "plugin = wrtier\n",
    { "@:7: stage 'write': unknown plugin 'wrtier' (did you mean 'writer'?)" }, NULL, 1 },

  { "unknown-plugin-list",
    "[read]\n"
    "plugin = zzzzzz\n",
    { "@:2: stage 'read': unknown plugin 'zzzzzz' (available: capitals, ", "reader", "ticker", "writer)" },
    "did you mean", 1 },

  { "layer-not-provided",
    "[read]\n"
    "plugin = ticker\n"
    "[need]\n"
    "plugin = needs-capitals\n"
    "[caps]\n"
    "plugin = capitals\n"
    "[out]\n"
    "plugin = slow-sink\n",
    { "@:3: stage 'need': requires layer 'capitals', which no earlier stage provides" }, NULL, 1 },

  { "first-not-source",
    "[caps]\n"
    "plugin = capitals\n"
    "[read]\n"
    "plugin = reader\n"
    "path = in.txt\n"
    "[write]\n"
    "plugin = writer\n",
    { "@:1: stage 'caps': the first stage must be a source (such as reader), not 'capitals'",
      "@:3: stage 'read': only the first stage may be a source ('reader' is one)" }, NULL, 2 },

  { "source-not-first",
    "[read]\n"
    "plugin = reader\n"
    "path = in.txt\n"
    "[tick]\n"
    "plugin = ticker\n"
    "[write]\n"
    "plugin = writer\n",
    { "@:4: stage 'tick': only the first stage may be a source ('ticker' is one)" }, NULL, 1 },

  { "transform-after-sink",
    "[read]\n"
    "plugin = reader\n"
    "path = in.txt\n"
    "[write]\n"
    "plugin = writer\n"
    "[caps]\n"
    "plugin = capitals\n",
    { "@:6: stage 'caps': a transform cannot follow a sink" }, NULL, 1 },

  { "no-stages",
    "[pipeline]\n"
    "workers = 2\n",
    { "@: the pipeline has no stages" }, NULL, 1 },

  { "duplicate-group",
    "[read]\n"
    "plugin = reader\n"
    "path = in.txt\n"
    "\n"
    "[read]\n"
    "plugin = writer\n",
    { "@:5: group [read] appears twice (first at @:1)" }, NULL, 1 },

  { "duplicate-key",
    "[read]\n"
    "plugin = reader\n"
    "path = in.txt\n"
    "format = text\n"
    "path = other.txt\n"
    "[write]\n"
    "plugin = writer\n",
    { "@:5: key 'path' appears twice in [read]" }, NULL, 1 },

  /* GKeyFile gives up at the first line; only that line is reported, not every key after it. */
  { "key-before-group",
    "# settings\n"
    "workers = 4\n"
    "[read]\n"
    "plugin = reader\n"
    "path = in.txt\n"
    "[write]\n"
    "plugin = writer\n",
    { "@:2: key 'workers' comes before any [group]" }, "does not have", 1 },

  { "malformed-line",
    "[read]\n"
    "plugin = reader\n"
    "path in.txt\n"
    "[write]\n"
    "plugin = writer\n",
    { "@:3: expected 'key = value', '[group]' or '# comment', got 'path in.txt'" }, "does not have", 1 },

  { "empty-key",
    "[read]\n"
    "plugin = reader\n"
    "= in.txt\n"
    "[write]\n"
    "plugin = writer\n",
    { "@:3: expected 'key = value', '[group]' or '# comment', got '= in.txt'" }, NULL, 1 },

  { "malformed-group",
    "[read]\n"
    "plugin = reader\n"
    "path = in.txt\n"
    "[write\n"
    "plugin = writer\n",
    { "@:4: malformed group header '[write'" }, "does not have", 1 },

  { "pipeline-not-first",
    "[read]\n"
    "plugin = reader\n"
    "path = in.txt\n"
    "[pipeline]\n"
    "workers = 2\n"
    "[write]\n"
    "plugin = writer\n",
    { "@:4: [pipeline] must be the first group" }, NULL, 1 },

  { "settings",
    "[pipeline]\n"
    "workers = -1\n"
    "on-error = maybe\n"
    "batch-size = 0\n"
    "colour = red\n"
    "[read]\n"
    "plugin = reader\n"
    "path = in.txt\n"
    "[write]\n"
    "plugin = writer\n",
    { "@:2: [pipeline]: key 'workers': -1 is out of range [0, 1024]",
      "@:3: [pipeline]: key 'on-error': 'maybe' is not one of: skip, fail",
      "@:4: [pipeline]: key 'batch-size': 0 is out of range [1, 1e+06]",
      "@:5: [pipeline]: unknown key 'colour'" }, NULL, 4 },

  { "several",
    "[pipeline]\n"
    "name = several\n"
    "\n"
    "[read]\n"
    "plugin = reader\n"
    "pth = in.txt\n"
    "format = jsonl\n"
    "\n"
    "[caps]\n"
    "plugin = capitals\n"
    "\n"
    "[write]\n"
    "plugin = writer\n"
    "span-text = perhaps\n"
    "colour = blue\n",
    { "@:6: stage 'read': unknown key 'pth' (did you mean 'path'?)",
      "@:4: stage 'read': missing required key 'path'",
      "@:14: stage 'write': key 'span-text': 'perhaps' is not a valid bool",
      "@:15: stage 'write': unknown key 'colour'" }, NULL, 4 },

  { "unset-var",
    "[read]\n"
    "plugin = reader\n"
    "path = ${DP_TEST_SURELY_UNSET}/in.txt\n"
    "[write]\n"
    "plugin = writer\n",
    { "@:3: stage 'read': environment variable 'DP_TEST_SURELY_UNSET' is not set" }, NULL, 1 },

  { "unterminated-var",
    "[read]\n"
    "plugin = reader\n"
    "path = ${HOME/in.txt\n"
    "[write]\n"
    "plugin = writer\n",
    { "@:3: stage 'read': unterminated '${' in '${HOME/in.txt'" }, NULL, 1 },
};

static void
test_bad_files (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      const BadCase *c = &bad_cases[i];
      g_autofree char *name = g_strconcat (c->name, ".pipeline", NULL);
      g_autofree char *path = write_file (name, c->text);
      g_autoptr (GError) error = NULL;
      g_test_message ("case %s", c->name);
      g_autoptr (DpPipeline) pl = dp_pipeline_load_file (path, &opts, &error);
      g_assert_null (pl);
      g_assert_nonnull (error);
      g_assert_true (error->domain == DP_CONFIG_ERROR);
      assert_problems (error->message, path, c->expect, c->absent, c->n_lines);
    }
}

static void
test_unreadable_files (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *missing = g_build_filename (tmpdir, "no-such.pipeline", NULL);
  g_assert_null (dp_pipeline_load_file (missing, &opts, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  g_autofree char *bad = write_file ("latin1.pipeline", "[read]\nplugin = reader\npath = caf\xe9\n");
  g_assert_null (dp_pipeline_load_file (bad, &opts, &error));
  g_assert_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_SYNTAX);
  g_assert_nonnull (strstr (error->message, "not valid UTF-8"));
}

/* ---- files that must be accepted --------------------------------------------------- */

static DpStageConfig *
stage (DpPipeline *pl, guint i)
{
  g_assert_cmpuint (i, <, pl->stages->len);
  return g_ptr_array_index (pl->stages, i);
}

static void
test_valid_file (void)
{
  g_autoptr (DpPipeline) pl = load_ok ("full.pipeline",
    "# a complete pipeline\n"
    "[pipeline]\n"
    "name = full\n"
    "workers = 2\n"
    "batch-size = 10\n"
    "on-error = fail\n"
    "\n"
    "[input]\n"
    "plugin = reader\n"
    "path = corpus/in.jsonl\n"
    "format = jsonl\n"
    "invalid-utf8 = reject\n"
    "max-record-size = 1000\n"
    "\n"
    "[caps]\n"
    "plugin = capitals\n"
    "\n"
    "[need]\n"
    "plugin = needs-capitals\n"
    "\n"
    "[gate]\n"
    "plugin = fail-some\n"
    "fail-ids = a,b\n"
    "\n"
    "[output]\n"
    "plugin = writer\n"
    "span-text = no\n", &opts);

  g_assert_cmpstr (dp_params_get_string (pl->settings, "name"), ==, "full");
  g_assert_cmpint (dp_params_get_int (pl->settings, "workers"), ==, 2);
  g_assert_cmpint (dp_params_get_int (pl->settings, "batch-size"), ==, 10);
  g_assert_cmpint (dp_params_get_enum (pl->settings, "on-error"), ==, 1);
  g_assert_cmpint (dp_params_get_int (pl->settings, "queue-depth"), ==, 0);   /* default */

  static const struct { const char *name, *type; guint line; } want[] = {
    { "input", "reader", 8 }, { "caps", "capitals", 15 }, { "need", "needs-capitals", 18 },
    { "gate", "fail-some", 21 }, { "output", "writer", 25 },
  };
  g_assert_cmpuint (pl->stages->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      DpStageConfig *sc = stage (pl, i);
      g_autofree char *where = g_strdup_printf ("%s/full.pipeline:%u", tmpdir, want[i].line);
      g_assert_cmpstr (sc->name, ==, want[i].name);
      g_assert_cmpstr (sc->ref->info->name, ==, want[i].type);
      g_assert_cmpstr (sc->where, ==, where);
      g_assert_cmpstr (dp_params_get_instance_name (sc->params), ==, want[i].name);
    }
  DpParams *in = stage (pl, 0)->params;
  g_autofree char *in_path = g_build_filename (tmpdir, "corpus", "in.jsonl", NULL);
  g_assert_cmpstr (dp_params_get_path (in, "path"), ==, in_path);
  g_assert_cmpint (dp_params_get_enum (in, "format"), ==, 2);
  g_assert_cmpint (dp_params_get_enum (in, "invalid-utf8"), ==, 1);
  g_assert_cmpint (dp_params_get_int (in, "max-record-size"), ==, 1000);
  g_assert_cmpstr (dp_params_get_string (stage (pl, 3)->params, "fail-ids"), ==, "a,b");
  g_assert_false (dp_params_get_bool (stage (pl, 4)->params, "span-text"));
  /* The writer's default path "-" stays "-", not a file in the pipeline's directory. */
  g_assert_cmpstr (dp_params_get_path (stage (pl, 4)->params, "path"), ==, "-");
}

static void
test_default_name (void)
{
  g_autoptr (DpPipeline) pl = load_ok ("news.daily.pipeline",
                                       "[read]\nplugin = ticker\n[out]\nplugin = slow-sink\n", &opts);
  /* No [pipeline] group: the name comes from the file, without its extension. */
  g_assert_cmpstr (dp_params_get_string (pl->settings, "name"), ==, "news.daily");
  g_assert_cmpint (dp_params_get_int (pl->settings, "batch-size"), ==, 64);
  g_assert_cmpuint (pl->stages->len, ==, 2);
}

static void
test_env_expansion (void)
{
  g_setenv ("DP_TEST_DATA", "/data/set", TRUE);
  g_setenv ("DP_TEST_FMT", "jsonl", TRUE);
  g_unsetenv ("DP_TEST_UNSET_A");
  g_setenv ("DP_TEST_EMPTY", "", TRUE);
  g_autoptr (DpPipeline) pl = load_ok ("env.pipeline",
    "[pipeline]\n"
    "name = run-${DP_TEST_FMT}-${DP_TEST_UNSET_A:-x}\n"
    "[read]\n"
    "plugin = reader\n"
    "path = ${DP_TEST_DATA}/in.txt\n"
    "format = ${DP_TEST_FMT:-text}\n"
    "[write]\n"
    "plugin = writer\n"
    "path = ${DP_TEST_UNSET_A:-/out/default.jsonl}\n"
    "[w2]\n"
    "plugin = writer\n"
    "path = ${DP_TEST_EMPTY:-empty-means-default.jsonl}\n", &opts);
  g_assert_cmpstr (dp_params_get_string (pl->settings, "name"), ==, "run-jsonl-x");
  g_assert_cmpstr (dp_params_get_path (stage (pl, 0)->params, "path"), ==, "/data/set/in.txt");
  g_assert_cmpint (dp_params_get_enum (stage (pl, 0)->params, "format"), ==, 2);
  g_assert_cmpstr (dp_params_get_path (stage (pl, 1)->params, "path"), ==, "/out/default.jsonl");
  g_autofree char *rel = g_build_filename (tmpdir, "empty-means-default.jsonl", NULL);
  g_assert_cmpstr (dp_params_get_path (stage (pl, 2)->params, "path"), ==, rel);
  g_unsetenv ("DP_TEST_DATA");
  g_unsetenv ("DP_TEST_FMT");
  g_unsetenv ("DP_TEST_EMPTY");
}

static void
test_relative_paths (void)
{
  g_autoptr (DpPipeline) pl = load_ok ("paths.pipeline",
    "[read]\n"
    "plugin = reader\n"
    "path = ../shared/./in.txt\n"
    "[w1]\n"
    "plugin = writer\n"
    "path = out/result.jsonl\n"
    "[w2]\n"
    "plugin = writer\n"
    "path = /abs/result.jsonl\n"
    "[w3]\n"
    "plugin = writer\n"
    "path = -\n", &opts);
  g_autofree char *parent = g_path_get_dirname (tmpdir);
  g_autofree char *shared = g_build_filename (parent, "shared", "in.txt", NULL);
  g_autofree char *out = g_build_filename (tmpdir, "out", "result.jsonl", NULL);
  g_assert_cmpstr (dp_params_get_path (stage (pl, 0)->params, "path"), ==, shared);
  g_assert_cmpstr (dp_params_get_path (stage (pl, 1)->params, "path"), ==, out);
  g_assert_cmpstr (dp_params_get_path (stage (pl, 2)->params, "path"), ==, "/abs/result.jsonl");
  g_assert_cmpstr (dp_params_get_path (stage (pl, 3)->params, "path"), ==, "-");
  g_assert_cmpstr (dp_params_get_base_dir (stage (pl, 0)->params), ==, tmpdir);
  g_assert_cmpstr (pl->base_dir, ==, tmpdir);

  /* A relative pipeline path still resolves against the file's directory, not the cwd. */
  g_autofree char *cwd = g_get_current_dir ();
  g_assert_cmpint (g_chdir (parent), ==, 0);
  g_autofree char *base = g_path_get_basename (tmpdir);
  g_autofree char *relfile = g_build_filename (base, "paths.pipeline", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpPipeline) pl2 = dp_pipeline_load_file (relfile, &opts, &error);
  g_assert_cmpint (g_chdir (cwd), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpstr (dp_params_get_path (stage (pl2, 1)->params, "path"), ==, out);
  g_assert_cmpstr (pl2->file, ==, relfile);
}

static const char overrides_file[] =
  "[read]\n"
  "plugin = reader\n"
  "path = in.txt\n"
  "[write]\n"
  "plugin = writer\n";

static void
test_overrides (void)
{
  const char *const sets[] = { "read.path=/x", "pipeline.workers=3", "write.span-text=off",
                               "read.format=text", NULL };
  DpLoadOptions lo = { PLUGIN_PATH, sets };
  g_autoptr (DpPipeline) pl = load_ok ("overrides.pipeline", overrides_file, &lo);
  g_assert_cmpstr (dp_params_get_path (stage (pl, 0)->params, "path"), ==, "/x");
  g_assert_cmpint (dp_params_get_enum (stage (pl, 0)->params, "format"), ==, 1);
  g_assert_false (dp_params_get_bool (stage (pl, 1)->params, "span-text"));
  /* There was no [pipeline] group: --set pipeline.KEY creates one. */
  g_assert_cmpint (dp_params_get_int (pl->settings, "workers"), ==, 3);
  g_assert_cmpstr (dp_params_get_string (pl->settings, "name"), ==, "overrides");
  g_assert_cmpuint (pl->stages->len, ==, 2);

  /* Relative override paths were typed in a shell: they resolve against the
   * current directory, not the file's.  The value may contain '=' and '.'. */
  const char *const sets2[] = { "read.path=a=b.txt", "pipeline.workers=5", NULL };
  DpLoadOptions lo2 = { PLUGIN_PATH, sets2 };
  g_autoptr (DpPipeline) pl2 = load_ok ("overrides2.pipeline",
                                        "[pipeline]\nworkers = 1\n\n" "[read]\nplugin = reader\npath = in.txt\n"
                                        "[write]\nplugin = writer\n", &lo2);
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *ab = g_build_filename (cwd, "a=b.txt", NULL);
  g_assert_cmpstr (dp_params_get_path (stage (pl2, 0)->params, "path"), ==, ab);
  g_assert_cmpint (dp_params_get_int (pl2->settings, "workers"), ==, 5);
}

static void
test_override_errors (void)
{
  g_autofree char *path = write_file ("override-errors.pipeline", overrides_file);
  static const struct { const char *set; const char *expect; } cases[] = {
    { "nope.path=1", "--set nope.path=1: the pipeline has no stage 'nope'" },
    { "foo", "--set foo: expected STAGE.KEY=VALUE" },
    { "read=1", "--set read=1: expected STAGE.KEY=VALUE" },
    { ".path=1", "--set .path=1: expected STAGE.KEY=VALUE" },
    { "read.=1", "--set read.=1: expected STAGE.KEY=VALUE" },
    { "read.format=xml", "--set: stage 'read': key 'format': 'xml' is not one of: auto, text, jsonl, html" },
    { "write.colour=red", "--set: stage 'write': unknown key 'colour'" },
    { "pipeline.workers=-1", "--set: [pipeline]: key 'workers': -1 is out of range [0, 1024]" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *const sets[] = { cases[i].set, NULL };
      DpLoadOptions lo = { PLUGIN_PATH, sets };
      g_autoptr (GError) error = NULL;
      g_autoptr (DpPipeline) pl = dp_pipeline_load_file (path, &lo, &error);
      g_assert_null (pl);
      g_assert_nonnull (error);
      const char *expect[] = { cases[i].expect, NULL };
      assert_problems (error->message, path, expect, NULL, 1);
    }
}

/* ---- expressions ------------------------------------------------------------------- */

static DpPipeline *
expr_ok (const char *expr)
{
  g_autoptr (GError) error = NULL;
  DpPipeline *pl = dp_pipeline_parse_expression (expr, &opts, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pl);
  return pl;
}

static void
test_expression (void)
{
  g_autoptr (DpPipeline) pl = expr_ok ("reader path=- ! writer path=-");
  g_assert_cmpuint (pl->stages->len, ==, 2);
  g_assert_cmpstr (stage (pl, 0)->name, ==, "reader");
  g_assert_cmpstr (stage (pl, 1)->name, ==, "writer");
  g_assert_cmpstr (stage (pl, 0)->ref->info->name, ==, "reader");
  g_assert_cmpstr (dp_params_get_path (stage (pl, 0)->params, "path"), ==, "-");
  g_assert_cmpstr (dp_params_get_string (pl->settings, "name"), ==, "inline");
  g_assert_cmpstr (pl->file, ==, "-e");

  /* Same type twice: unique instance names; shell quoting; relative paths from the cwd. */
  g_autoptr (DpPipeline) pl2 = expr_ok ("reader 'path=in dir/a.txt' format=text ! capitals ! "
                                        "writer ! writer path=copy.jsonl ! writer path=-");
  g_assert_cmpuint (pl2->stages->len, ==, 5);
  g_assert_cmpstr (stage (pl2, 1)->name, ==, "capitals");
  g_assert_cmpstr (stage (pl2, 2)->name, ==, "writer");
  g_assert_cmpstr (stage (pl2, 3)->name, ==, "writer-2");
  g_assert_cmpstr (stage (pl2, 4)->name, ==, "writer-3");
  g_assert_cmpstr (stage (pl2, 3)->ref->info->name, ==, "writer");
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *in = g_build_filename (cwd, "in dir", "a.txt", NULL);
  g_autofree char *copy = g_build_filename (cwd, "copy.jsonl", NULL);
  g_assert_cmpstr (dp_params_get_path (stage (pl2, 0)->params, "path"), ==, in);
  g_assert_cmpstr (dp_params_get_path (stage (pl2, 3)->params, "path"), ==, copy);

  /* Overrides address expression stages by their generated names. */
  const char *const sets[] = { "writer-2.path=/o.jsonl", NULL };
  DpLoadOptions lo = { PLUGIN_PATH, sets };
  g_autoptr (GError) error = NULL;
  g_autoptr (DpPipeline) pl3 = dp_pipeline_parse_expression ("ticker ! slow-sink ! writer ! writer", &lo, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dp_params_get_path (stage (pl3, 3)->params, "path"), ==, "/o.jsonl");
}

static void
test_expression_errors (void)
{
  static const struct { const char *expr; const char *expect[4]; guint n_lines; } cases[] = {
    { "reader ! ! writer", { "-e: empty stage before '!' (stage 2)" }, 1 },
    { "! reader path=-", { "-e: empty stage before '!' (stage 1)" }, 1 },
    { "reader path", { "-e:stage 1: expected KEY=VALUE, got 'path'" }, 1 },
    { "reader path=- ! writer =x", { "-e:stage 2: expected KEY=VALUE, got '=x'" }, 1 },
    { "reader path=- !", { "-e: the expression ends with '!'" }, 1 },
    /* Separators of other tools: a hint, then the next stage is read as one. */
    { "reader path=- | writer", { "-e:stage 1: expected KEY=VALUE or '!', got '|' (stages are separated by '!')" }, 1 },
    { "reader path=- -> writer ! writer pth=x",
      { "-e:stage 1: expected KEY=VALUE or '!', got '->' (stages are separated by '!')" }, 1 },
    { "reader path=- | writer |", { "-e:stage 1: expected KEY=VALUE or '!', got '|' (stages are separated by '!')",
                                    "-e:stage 2: expected KEY=VALUE or '!', got '|' (stages are separated by '!')" }, 2 },
    { "| reader path=-", { "-e: expected a stage type, got '|' (stages are separated by '!')" }, 1 },
    { "reader path=a, writer", { "-e:stage 1: expected KEY=VALUE, got 'writer' (stages are separated by '!', not ',')" }, 1 },
    { "reader path=- ! writer !", { "-e: the expression ends with '!'" }, 1 },
    { "reader 'path=-", { "-e: " }, 1 },                                   /* unbalanced quote */
    { "", { "-e: " }, 1 },
    { "reader pth=- ! wrtier", { "-e:stage 1: stage 'reader': unknown key 'pth' (did you mean 'path'?)",
                                 "-e:stage 1: stage 'reader': missing required key 'path'",
                                 "-e:stage 2: stage 'wrtier': unknown plugin 'wrtier' (did you mean 'writer'?)" }, 3 },
    { "capitals ! reader path=- ! writer",
      { "-e:stage 1: stage 'capitals': the first stage must be a source",
        "-e:stage 2: stage 'reader': only the first stage may be a source" }, 2 },
    { "ticker ! needs-capitals ! capitals ! slow-sink",
      { "-e:stage 2: stage 'needs-capitals': requires layer 'capitals', which no earlier stage provides" }, 1 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_test_message ("expression: %s", cases[i].expr);
      g_autoptr (DpPipeline) pl = dp_pipeline_parse_expression (cases[i].expr, &opts, &error);
      g_assert_null (pl);
      g_assert_nonnull (error);
      g_assert_true (error->domain == DP_CONFIG_ERROR);
      assert_problems (error->message, "-e", cases[i].expect, NULL, cases[i].n_lines);
    }
}

/* -e and --set are taken as bytes (G_OPTION_ARG_FILENAME): bytes that are
 * not UTF-8 are refused before a message can quote them (found by
 * fuzz-pipeline: the messages carried the invalid bytes). */
static void
test_not_utf8 (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpPipeline) pl = dp_pipeline_parse_expression ("ticker ! wr\xE9ter", &opts, &error);
  g_assert_null (pl);
  g_assert_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_SYNTAX);
  g_assert_cmpstr (error->message, ==, "-e: not valid UTF-8");
  g_clear_error (&error);

  const char *sets[] = { "writer.path=-", "wr\xE9ter", NULL };
  DpLoadOptions lo = { PLUGIN_PATH, sets };
  g_autoptr (DpPipeline) pl2 = dp_pipeline_parse_expression ("ticker ! writer", &lo, &error);
  g_assert_null (pl2);
  g_assert_nonnull (error);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_cmpstr (error->message, ==, "--set value 2 of 2: not valid UTF-8");
}

static void
test_layer_order_ok (void)
{
  g_autoptr (DpPipeline) pl = load_ok ("layers.pipeline",
    "[read]\nplugin = ticker\n"
    "[caps]\nplugin = capitals\n"
    "[need]\nplugin = needs-capitals\n"
    "[out]\nplugin = slow-sink\n"
    "[out2]\nplugin = writer\n", &opts);
  g_assert_cmpuint (pl->stages->len, ==, 5);
  g_assert_cmpstr (stage (pl, 2)->name, ==, "need");
}

/* ---- the command line ------------------------------------------------------------- */

static int
run_check (const char *file, char **out, char **err)
{
  const char *argv[] = { DP_TEST_DOCPIPE, "check", "--plugin-path", PLUGIN_PATH, file, NULL };
  int status = -1;
  g_autoptr (GError) error = NULL;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);
  g_autoptr (GError) exit_error = NULL;
  if (g_spawn_check_wait_status (status, &exit_error))
    return 0;
  g_assert_true (exit_error->domain == G_SPAWN_EXIT_ERROR);   /* exited, not killed */
  return exit_error->code;
}

static void
test_cli_check (void)
{
  g_free (write_file ("in.txt", "x"));
  g_autofree char *good = write_file ("cli-good.pipeline",
                                      "[pipeline]\nname = cli\n[read]\nplugin = reader\npath = in.txt\n"
                                      "[caps]\nplugin = capitals\n[write]\nplugin = writer\n");
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint (run_check (good, &out, &err), ==, 0);
  g_autofree char *want = g_strdup_printf ("%s: OK: read (reader) ! caps (capitals) ! write (writer)\n", good);
  g_assert_cmpstr (out, ==, want);
  g_assert_cmpstr (err, ==, "");

  g_autofree char *bad = write_file ("cli-bad.pipeline",
                                     "[read]\nplugin = reader\npath = in.txt\n\n[write]\nplugin = writer\npth = x\n");
  g_autofree char *out2 = NULL, *err2 = NULL;
  g_assert_cmpint (run_check (bad, &out2, &err2), ==, 2);
  g_autofree char *want2 = g_strdup_printf ("docpipe: error: %s:7: stage 'write': unknown key 'pth' (did you mean 'path'?)\n", bad);
  g_assert_cmpstr (err2, ==, want2);
  g_assert_cmpstr (out2, ==, "");
}

/* ---- paths that check can verify (DP_PARAM_INPUT / DP_PARAM_OUTPUT) ---------------- */

static const char paths_pipeline[] =
  "[pipeline]\n"                          /* 1 */
  "dead-letter = nodir/dead.jsonl\n"
  "[read]\n"                              /* 3 */
  "plugin = reader\n"
  "path = missing.txt\n"
  "[norm]\n"                              /* 6 */
  "plugin = normalizer\n"
  "drop-lines = no-patterns.txt\n"
  "[ner]\n"                               /* 9 */
  "plugin = ner\n"
  "model = in.txt/en.dpm\n"
  "gazetteer = @/no-names.tsv\n"
  "clusters =\n"
  "[write]\n"                             /* 14 */
  "plugin = writer\n"
  "path = nodir/out.jsonl\n"
  "[write2]\n"                            /* 17 */
  "plugin = writer\n"
  "path = @\n";

static void
test_check_paths (void)
{
  g_free (write_file ("in.txt", "x"));
  g_autofree char *text = subst (paths_pipeline, tmpdir);
  g_autoptr (DpPipeline) pl = load_ok ("paths.pipeline", text, &opts);
  g_autoptr (GError) error = NULL;
  g_assert_false (dp_pipeline_check_paths (pl, &error));
  g_autofree char *file = g_build_filename (tmpdir, "paths.pipeline", NULL);
  const char *const expect[] = {
    "@/paths.pipeline: [pipeline]: key 'dead-letter': @/nodir/dead.jsonl: directory @/nodir does not exist",
    "@/paths.pipeline:3: stage 'read': key 'path': @/missing.txt: no such file or directory",
    "@/paths.pipeline:6: stage 'norm': key 'drop-lines': @/no-patterns.txt: no such file or directory",
    "@/paths.pipeline:9: stage 'ner': key 'model': @/in.txt/en.dpm: Not a directory",
    "@/paths.pipeline:9: stage 'ner': key 'gazetteer': @/no-names.tsv: no such file or directory",
    "@/paths.pipeline:14: stage 'write': key 'path': @/nodir/out.jsonl: directory @/nodir does not exist",
    "@/paths.pipeline:17: stage 'write2': key 'path': @ is a directory",
  };
  g_auto (GStrv) lines = g_strsplit (error->message, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (expect));
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      g_autofree char *want = subst (expect[i], tmpdir);
      g_assert_cmpstr (lines[i], ==, want);
    }
}

static void
test_check_paths_ok (void)
{
  g_free (write_file ("in.txt", "x"));
  g_free (write_file ("in2.txt", "y"));
  const char *const ok[] = {
    "reader path=- ! writer path=-",
    "reader path=in.txt ! writer path=out.jsonl",
    "reader path=in*.txt ! writer",                       /* a glob that matches */
    "reader path=. ! ner clusters= aliases= ! writer",    /* a directory; "" for none */
    "reader path=in.txt ! writer path=/dev/stdout",
  };
  const char *const bad[][2] = {
    { "reader path=*.nothing ! writer", "key 'path': @/*.nothing: matches no files" },
    { "reader path=in.txt ! ner gazetteers=no-lists ! writer", "key 'gazetteers': @/no-lists: no such file" },
    { "reader path=in.txt ! writer path=a/b/c.jsonl", "directory @/a/b does not exist" },
  };
  g_autofree char *cwd = g_get_current_dir ();
  g_assert_cmpint (g_chdir (tmpdir), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (DpPipeline) pl = dp_pipeline_parse_expression (ok[i], &opts, &error);
      g_assert_no_error (error);
      g_assert_true (dp_pipeline_check_paths (pl, &error));
      g_assert_no_error (error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (DpPipeline) pl = dp_pipeline_parse_expression (bad[i][0], &opts, &error);
      g_assert_no_error (error);
      g_assert_false (dp_pipeline_check_paths (pl, &error));
      g_autofree char *real = realpath (tmpdir, NULL);
      g_autofree char *want = subst (bad[i][1], real);
      if (!strstr (error->message, want))
        g_error ("expected '%s' in: %s", want, error->message);
    }
  g_assert_cmpint (g_chdir (cwd), ==, 0);
}

/* As a user (root reads everything), a file without read permission. */
static void
test_check_paths_unreadable (void)
{
  if (geteuid () == 0)
    {
      g_test_skip ("root reads every file");
      return;
    }
  g_autofree char *secret = write_file ("secret.dpm", "x");
  g_assert_cmpint (g_chmod (secret, 0), ==, 0);
  g_autofree char *expr = g_strdup_printf ("reader path=- ! ner model=%s ! writer", secret);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpPipeline) pl = dp_pipeline_parse_expression (expr, &opts, &error);
  g_assert_no_error (error);
  g_assert_false (dp_pipeline_check_paths (pl, &error));
  g_assert_nonnull (strstr (error->message, "key 'model': "));
  g_assert_nonnull (strstr (error->message, "Permission denied"));
}

/* A plugin's table may put flags on paths only, one of input and output. */
static void
test_param_flags_checked (void)
{
  const DpParamSpec on_int[] = { { "n", DP_PARAM_INT, NULL, FALSE, "A number of things", .flags = DP_PARAM_INPUT }, { NULL } };
  const DpParamSpec both[] = { { "p", DP_PARAM_PATH, NULL, FALSE, "A path to something", .flags = DP_PARAM_INPUT | DP_PARAM_OUTPUT }, { NULL } };
  const DpParamSpec unknown[] = { { "p", DP_PARAM_PATH, NULL, FALSE, "A path to something", .flags = 1 << 7 }, { NULL } };
  const DpParamSpec fine[] = { { "p", DP_PARAM_PATH, NULL, FALSE, "A path to something", .flags = DP_PARAM_OUTPUT }, { NULL } };
  const DpParamSpec *const bad[] = { on_int, both, unknown };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_false (dp_param_specs_check (bad[i], &error));
      g_assert_nonnull (strstr (error->message, "invalid flags"));
    }
  g_assert_true (dp_param_specs_check (fine, NULL));
}

/* `check` reports what `run` would fail on, and `run` says the same before starting. */
static void
test_cli_check_paths (void)
{
  g_autofree char *path = write_file ("cli-paths.pipeline",
                                      "[read]\nplugin = reader\npath = gone.txt\n[write]\nplugin = writer\n"
                                      "path = nodir/out.jsonl\n");
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint (run_check (path, &out, &err), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_autofree char *want = subst ("docpipe: error: @/cli-paths.pipeline:1: stage 'read': key 'path': @/gone.txt: no such file or directory\n"
                                 "docpipe: error: @/cli-paths.pipeline:4: stage 'write': key 'path': @/nodir/out.jsonl: directory @/nodir does not exist\n",
                                 tmpdir);
  g_assert_cmpstr (err, ==, want);

  /* Plain: without the timestamps `run` puts before its messages in a pipe. */
  const char *argv[] = { DP_TEST_DOCPIPE, "run", "--log-format=plain", "--plugin-path", PLUGIN_PATH, path, NULL };
  g_autofree char *rout = NULL, *rerr = NULL;
  int status = -1;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                               &rout, &rerr, &status, NULL));
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 2);
  g_assert_cmpstr (rerr, ==, want);
  g_assert_cmpstr (rout, ==, "");
}

/* ---- bounds: hostile pipeline files, expressions, --set and ${VAR} ---------------------- */

static char *
load_error_file (const char *path, const DpLoadOptions *lo)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpPipeline) pl = dp_pipeline_load_file (path, lo, &error);
  g_assert_null (pl);
  g_assert_nonnull (error);
  return g_strdup (error->message);
}

static char *
load_error (const char *name, const char *text, const DpLoadOptions *lo)
{
  g_autofree char *path = write_file (name, text);
  return load_error_file (path, lo);
}

static void
assert_has (const char *message, const char *want)
{
  if (!strstr (message, want))
    g_error ("expected '%s' in: %.400s", want, message);
}

static void
test_limits_file (void)
{
  /* Over 1 MiB, even of comments. */
  g_autoptr (GString) big = g_string_new ("[read]\nplugin = reader\npath = -\n");
  while (big->len <= 1024 * 1024)
    g_string_append (big, "# padding padding padding padding padding padding padding padding\n");
  g_autofree char *big_path = write_file ("big.pipeline", big->str);
  g_autofree char *msg = load_error_file (big_path, &opts);
  g_autofree char *want = g_strdup_printf ("%s: larger than 1 MiB", big_path);
  assert_has (msg, want);

  /* Thousands of stages: refused at the 257th, the rest not read. */
  g_autoptr (GString) stages = g_string_new (NULL);
  for (guint i = 0; i < 5000; i++)
    g_string_append_printf (stages, "[s%u]\nplugin = ticker\n", i);
  g_autofree char *msg2 = load_error ("stages.pipeline", stages->str, &opts);
  assert_has (msg2, "stages.pipeline:513: more than 256 stages; the rest of the file is not read");
  g_assert_cmpuint (count_lines (msg2), ==, 1);

  /* Thousands of keys in one group: one message, not one per key. */
  g_autoptr (GString) keys = g_string_new ("[read]\nplugin = reader\npath = -\n");
  for (guint i = 0; i < 5000; i++)
    g_string_append_printf (keys, "key%u = %u\n", i, i);
  g_autofree char *msg3 = load_error ("keys.pipeline", keys->str, &opts);
  assert_has (msg3, "keys.pipeline:258: [read] has more than 256 keys; no stage takes that many");

  /* Thousands of bad lines: the first 100 problems, then a count. */
  g_autoptr (GString) junk = g_string_new ("[read]\nplugin = reader\npath = -\n");
  for (guint i = 0; i < 500; i++)
    g_string_append (junk, "not a key\n");
  g_autofree char *msg4 = load_error ("junk.pipeline", junk->str, &opts);
  g_assert_cmpuint (count_lines (msg4), ==, 101);
  assert_has (msg4, "\n… and 400 more problems");

  /* A line is quoted shortened. */
  g_autoptr (GString) longline = g_string_new ("[read]\nplugin = reader\npath = -\n");
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (longline, 'x');
  g_autofree char *msg5 = load_error ("longline.pipeline", longline->str, &opts);
  g_assert_cmpuint (strlen (msg5), <, 400);
  assert_has (msg5, "got 'xxxxxxxxxx");
  assert_has (msg5, "…'");
}

static void
test_limits_values (void)
{
  g_autofree char *chunk = g_strnfill (60 * 1024, 'a');
  g_setenv ("DP_TEST_BIG", chunk, TRUE);
  /* ${VAR}${VAR}: one value over 64 KiB. */
  g_autofree char *msg = load_error ("bomb.pipeline",
                                     "[read]\nplugin = reader\npath = ${DP_TEST_BIG}${DP_TEST_BIG}\n"
                                     "[write]\nplugin = writer\n", &opts);
  assert_has (msg, "bomb.pipeline:3: stage 'read': the value is longer than 64 KiB after ${VAR} expansion");
  g_assert_cmpuint (strlen (msg), <, 1000);

  /* Many values under the limit each, 4 MiB in all. */
  g_autoptr (GString) many = g_string_new (NULL);
  for (guint s = 0; s < 2; s++)
    {
      g_string_append_printf (many, "[s%u]\nplugin = %s\n", s, s ? "writer" : "reader");
      for (guint i = 0; i < 40; i++)
        g_string_append_printf (many, "k%u = ${DP_TEST_BIG}\n", i);
    }
  g_autofree char *msg2 = load_error ("many.pipeline", many->str, &opts);
  assert_has (msg2, "the pipeline's values exceed 4 MiB in all after ${VAR} expansion");
  g_unsetenv ("DP_TEST_BIG");
}

static void
test_limits_cli (void)
{
  /* --set thousands of times. */
  g_autoptr (GPtrArray) sets = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < 2000; i++)
    g_ptr_array_add (sets, g_strdup_printf ("read.k%u=1", i));
  g_ptr_array_add (sets, NULL);
  DpLoadOptions lo = { PLUGIN_PATH, (const char *const *) sets->pdata };
  g_autofree char *msg = load_error ("sets.pipeline", "[read]\nplugin = reader\npath = -\n[write]\nplugin = writer\n", &lo);
  g_assert_cmpstr (msg, ==, "--set given 2000 times; at most 1024 overrides are taken (use a pipeline file)");

  /* Under the --set limit but over the key limit. */
  g_ptr_array_set_size (sets, 0);
  for (guint i = 0; i < 1000; i++)
    g_ptr_array_add (sets, g_strdup_printf ("read.k%u=1", i));
  g_ptr_array_add (sets, NULL);
  DpLoadOptions lo2 = { PLUGIN_PATH, (const char *const *) sets->pdata };
  g_autofree char *msg2 = load_error ("sets2.pipeline", "[read]\nplugin = reader\npath = -\n[write]\nplugin = writer\n", &lo2);
  assert_has (msg2, "--set: [read] has more than 256 keys");

  /* An enormous --set value. */
  g_autofree char *long_path = g_strnfill (100 * 1024, 'p');
  g_autofree char *long_set = g_strconcat ("read.path=", long_path, NULL);
  const char *const one[] = { long_set, NULL };
  DpLoadOptions lo3 = { PLUGIN_PATH, one };
  g_autofree char *msg3 = load_error ("sets3.pipeline", "[read]\nplugin = reader\npath = -\n[write]\nplugin = writer\n", &lo3);
  g_assert_cmpstr (msg3, ==, "--set: stage 'read': the value is longer than 64 KiB after ${VAR} expansion");

  /* Expressions: too long, too many stages. */
  g_autofree char *huge = g_strnfill (1024 * 1024 + 1, 'a');
  g_autoptr (GError) error = NULL;
  g_assert_null (dp_pipeline_parse_expression (huge, &opts, &error));
  g_assert_cmpstr (error->message, ==, "-e: longer than 1 MiB; write a pipeline file");
  g_clear_error (&error);
  g_autoptr (GString) expr = g_string_new ("ticker");
  for (guint i = 0; i < 3000; i++)
    g_string_append (expr, " ! writer");
  g_assert_null (dp_pipeline_parse_expression (expr->str, &opts, &error));
  g_assert_cmpstr (error->message, ==, "-e: more than 256 stages; the rest of the expression is not read");
}

/* Pipeline "files" that are not regular files must not hang or fill memory. */
static void
test_limits_not_regular (void)
{
  g_autofree char *msg = load_error_file (tmpdir, &opts);
  g_autofree char *want = g_strdup_printf ("%s: is a directory, not a pipeline file", tmpdir);
  g_assert_cmpstr (msg, ==, want);

  /* A FIFO nobody writes to reads as empty. */
  g_autofree char *fifo = g_build_filename (tmpdir, "fifo.pipeline", NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_autofree char *msg2 = load_error_file (fifo, &opts);
  g_autofree char *want2 = g_strdup_printf ("%s: the pipeline has no stages", fifo);
  g_assert_cmpstr (msg2, ==, want2);

  /* A device that never ends (a /dev/zero of our own, made as root). */
  g_autofree char *zero = g_build_filename (tmpdir, "zero.pipeline", NULL);
  if (mknod (zero, S_IFCHR | 0600, makedev (1, 5)) != 0)
    {
      g_test_message ("no device node (not root): %s", g_strerror (errno));
      return;
    }
  g_autofree char *msg3 = load_error_file (zero, &opts);
  g_autofree char *want3 = g_strdup_printf ("%s: larger than 1 MiB", zero);
  assert_has (msg3, want3);
}

/* ---- set-up ------------------------------------------------------------------------ */

static void
remove_tmpdir (void)
{
  g_autoptr (GDir) dir = g_dir_open (tmpdir, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *path = g_build_filename (tmpdir, name, NULL);
      g_remove (path);
    }
  g_rmdir (tmpdir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_autoptr (GError) error = NULL;
  tmpdir = g_dir_make_tmp ("docpipe-test-config-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/config/bad-files", test_bad_files);
  g_test_add_func ("/config/unreadable-files", test_unreadable_files);
  g_test_add_func ("/config/valid-file", test_valid_file);
  g_test_add_func ("/config/default-name", test_default_name);
  g_test_add_func ("/config/env-expansion", test_env_expansion);
  g_test_add_func ("/config/relative-paths", test_relative_paths);
  g_test_add_func ("/config/layer-order-ok", test_layer_order_ok);
  g_test_add_func ("/config/overrides", test_overrides);
  g_test_add_func ("/config/not-utf8", test_not_utf8);
  g_test_add_func ("/config/override-errors", test_override_errors);
  g_test_add_func ("/config/expression", test_expression);
  g_test_add_func ("/config/expression-errors", test_expression_errors);
  g_test_add_func ("/config/cli-check", test_cli_check);
  g_test_add_func ("/config/check-paths", test_check_paths);
  g_test_add_func ("/config/check-paths-ok", test_check_paths_ok);
  g_test_add_func ("/config/check-paths-unreadable", test_check_paths_unreadable);
  g_test_add_func ("/config/param-flags-checked", test_param_flags_checked);
  g_test_add_func ("/config/cli-check-paths", test_cli_check_paths);
  g_test_add_func ("/config/limits-file", test_limits_file);
  g_test_add_func ("/config/limits-values", test_limits_values);
  g_test_add_func ("/config/limits-cli", test_limits_cli);
  g_test_add_func ("/config/limits-not-regular", test_limits_not_regular);
  int status = g_test_run ();

  remove_tmpdir ();
  g_free (tmpdir);
  return status;
}
