/* fuzz-pipeline.c — libFuzzer target: pipeline files, `-e` expressions and
 * `--set` values (core/pipeline.c, core/params.c), with the build tree's
 * plugins, as `docpipe check` loads them.
 *
 * The first byte's low bit says file or expression; the rest, split at NUL
 * bytes, is the pipeline (a file's text, or an expression) and then up to
 * eight --set values.  Three environment variables are set for ${VAR}.
 * Inputs naming plugin-path are skipped: a pipeline may legitimately load
 * plugins from any directory, and the fuzzer must not dlopen the system's
 * libraries.  Checked: no crash, sanitizer report or GLib critical; a
 * pipeline is returned, or NULL with a DP_CONFIG_ERROR or G_FILE_ERROR
 * whose message is non-empty valid UTF-8; a pipeline written back as a
 * file (every value set, as GKeyFile escapes it) loads again to the same
 * pipeline; checking its paths never crashes.
 */
#include "core.h"
#include "pipeline.h"

#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"

#define check fuzz_check
#define MAX_SETS 8

static DpRegistry *keep;   /* keeps the plugins mapped between runs */

/* Criticals are bugs (a g_return_if_fail tripped): findings.  The rest
 * (no sink, unknown plugin notes) is noise at this rate. */
static GLogWriterOutput
quiet_writer (GLogLevelFlags level, const GLogField *fields, gsize n, gpointer user_data)
{
  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    {
      g_log_writer_standard_streams (level, fields, n, user_data);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  (void) argc, (void) argv;
  g_log_set_writer_func (quiet_writer, NULL, NULL);
  g_unsetenv ("DOCPIPE_PLUGIN_PATH");
  g_setenv ("FUZZ_A", "a", TRUE);
  g_setenv ("FUZZ_EMPTY", "", TRUE);
  g_setenv ("FUZZ_DOLLAR", "$", TRUE);
  g_auto (GStrv) dirs = dp_plugin_dirs (NULL, NULL);
  keep = dp_registry_new ((const char *const *) dirs);
  return 0;
}

/* A value as a pipeline file would give it; "${" written so that it
 * expands to itself. */
static char *
param_text (const DpParamSpec *spec, const DpParamValue *v)
{
  g_autofree char *s = NULL;
  switch (spec->type)
    {
    case DP_PARAM_STRING:
    case DP_PARAM_PATH:
      s = g_strdup (v->str);
      break;
    case DP_PARAM_ENUM:
      s = g_strdup (v->e >= 0 && spec->choices ? spec->choices[v->e] : v->str);
      break;
    case DP_PARAM_INT:
      s = g_strdup_printf ("%" G_GINT64_FORMAT, v->i);
      break;
    case DP_PARAM_DOUBLE:
      s = g_malloc (G_ASCII_DTOSTR_BUF_SIZE);
      g_ascii_dtostr (s, G_ASCII_DTOSTR_BUF_SIZE, v->d);
      break;
    case DP_PARAM_BOOL:
      s = g_strdup (v->b ? "true" : "false");
      break;
    }
  if (!s)
    return NULL;
  g_auto (GStrv) parts = g_strsplit (s, "${", -1);
  return g_strjoinv ("${FUZZ_DOLLAR}{", parts);
}

static void
put_params (GKeyFile *kf, const char *group, const DpParams *params)
{
  for (guint i = 0; i < params->n; i++)
    if (params->values[i].set)
      {
        g_autofree char *text = param_text (&params->specs[i], &params->values[i]);
        if (text)
          g_key_file_set_string (kf, group, params->specs[i].name, text);
      }
}

/* The pipeline as a file's text, or NULL when a group name cannot be one. */
static char *
serialise (const DpPipeline *pl)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  put_params (kf, "pipeline", pl->settings);
  for (guint s = 0; s < pl->stages->len; s++)
    {
      const DpStageConfig *sc = g_ptr_array_index (pl->stages, s);
      for (const char *p = sc->name; *p; p++)
        if (*p == '[' || *p == ']' || g_ascii_iscntrl (*p))
          return NULL;
      g_key_file_set_string (kf, sc->name, "plugin", sc->ref->info->name);
      put_params (kf, sc->name, sc->params);
    }
  return g_key_file_to_data (kf, NULL, NULL);
}

static void
check_error (const GError *error)
{
  check (error != NULL, "NULL without an error");
  check (error->domain == DP_CONFIG_ERROR || error->domain == G_FILE_ERROR, "an error of another domain");
  check (*error->message && g_utf8_validate (error->message, -1, NULL), "an empty or invalid UTF-8 message");
}

/* Written back and loaded again, the same pipeline. */
static void
check_round_trip (DpPipeline *pl)
{
  g_autofree char *text = serialise (pl);
  if (!text)
    return;
  g_autofree char *path = fuzz_write_file ("again.pipeline", text, strlen (text));
  g_autoptr (GError) error = NULL;
  g_autoptr (DpPipeline) again = dp_pipeline_load_file (path, NULL, &error);
  if (!again)
    g_printerr ("%s\n---\n%s\n", error->message, text);
  check (again != NULL, "a pipeline written back does not load");
  g_autofree char *text2 = serialise (again);
  if (g_strcmp0 (text, text2) != 0)
    g_printerr ("%s\n---\n%s\n", text, text2);
  check (g_strcmp0 (text, text2) == 0, "a pipeline written back loads as another");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size == 0 || memmem (data, size, "plugin-path", 11))
    return 0;
  gboolean expression = data[0] & 1;
  g_autofree char *copy = g_malloc (size);   /* NUL-terminated parts */
  memcpy (copy, data + 1, size - 1);
  copy[size - 1] = '\0';
  const char *end = copy + size - 1;
  const char *sets[MAX_SETS + 1] = { NULL };
  guint n_sets = 0;
  for (const char *p = copy + strlen (copy) + 1; p < end && n_sets < MAX_SETS; p += strlen (p) + 1)
    sets[n_sets++] = p;
  DpLoadOptions opts = { .overrides = sets };

  g_autoptr (GError) error = NULL;
  g_autoptr (DpPipeline) pl = NULL;
  if (expression)
    pl = dp_pipeline_parse_expression (copy, &opts, &error);
  else
    {
      g_autofree char *path = fuzz_write_file ("fuzz.pipeline", copy, strlen (copy));
      pl = dp_pipeline_load_file (path, &opts, &error);
    }
  if (!pl)
    {
      check_error (error);
      return 0;
    }
  check (error == NULL, "a pipeline with an error set");
  check (pl->settings && pl->stages && pl->stages->len <= 256, "a pipeline without settings or stages");
  check_round_trip (pl);
  g_autoptr (GError) paths = NULL;
  if (!dp_pipeline_check_paths (pl, &paths))
    check_error (paths);
  return 0;
}
