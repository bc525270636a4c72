/* params.c — building and validating stage parameters from a stage's static table.
 *
 * The pipeline loader creates a DpParams per stage instance from the stage's
 * DpParamSpec table, fills it key by key with dp_params_set() (which parses and
 * range-checks), and hands it to the stage's create callback.  `docpipe check`
 * runs the same validation without creating anything.  This is the core's
 * side, in its private library; the accessors stages call are in params-get.c
 * (libdocpipe).
 */
#include "params-private.h"
#include "core.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <glob.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static guint
count_specs (const DpParamSpec *specs)
{
  guint n = 0;
  while (specs && specs[n].name)
    n++;
  return n;
}

static gboolean
parse_bool (const char *s, gboolean *out)
{
  static const char *const yes[] = { "true", "yes", "on", "1", NULL };
  static const char *const no[] = { "false", "no", "off", "0", NULL };
  for (guint i = 0; yes[i]; i++)
    if (g_ascii_strcasecmp (s, yes[i]) == 0)
      return (*out = TRUE, TRUE);
  for (guint i = 0; no[i]; i++)
    if (g_ascii_strcasecmp (s, no[i]) == 0)
      return (*out = FALSE, TRUE);
  return FALSE;
}

static gboolean
in_range (const DpParamSpec *spec, double v)
{
  return spec->min == spec->max || (v >= spec->min && v <= spec->max);
}

static gboolean
range_error (const DpParamSpec *spec, const char *value, GError **error)
{
  g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_VALUE,
               "key '%s': %s is out of range [%g, %g]", spec->name, value, spec->min, spec->max);
  return FALSE;
}

/* Parses @text for @spec into @v; paths resolve against @base_dir. */
static gboolean
parse_value (const DpParamSpec *spec, const char *base_dir, const char *text, DpParamValue *v,
             GError **error)
{
  switch (spec->type)
    {
    case DP_PARAM_STRING:
      break;
    case DP_PARAM_PATH:
      if (!*text)
        break;
      g_free (v->str);
      v->str = (strcmp (text, "-") == 0 || !base_dir) ? g_strdup (text)
                                                        : g_canonicalize_filename (text, base_dir);
      v->set = TRUE;
      return TRUE;
    case DP_PARAM_INT:
      {
        char *end;
        errno = 0;
        gint64 i = g_ascii_strtoll (text, &end, 10);
        if (!*text || *end || errno)
          goto bad;
        if (!in_range (spec, (double) i))
          return range_error (spec, text, error);
        v->i = i;
        break;
      }
    case DP_PARAM_DOUBLE:
      {
        char *end;
        errno = 0;
        double d = g_ascii_strtod (text, &end);
        if (!*text || *end || errno || !isfinite (d))
          goto bad;
        if (!in_range (spec, d))
          return range_error (spec, text, error);
        v->d = d;
        break;
      }
    case DP_PARAM_BOOL:
      if (!parse_bool (text, &v->b))
        goto bad;
      break;
    case DP_PARAM_ENUM:
      {
        int k = -1;
        for (int i = 0; spec->choices && spec->choices[i]; i++)
          if (strcmp (spec->choices[i], text) == 0)
            k = i;
        if (k < 0)
          {
            g_autofree char *list = g_strjoinv (", ", (char **) spec->choices);
            const char *guess = dp_did_you_mean (text, spec->choices, g_strv_length ((char **) spec->choices));
            g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_VALUE,
                         "key '%s': '%s' is not one of: %s%s%s%s", spec->name, text, list,
                         guess ? " (did you mean '" : "", guess ? guess : "", guess ? "'?)" : "");
            return FALSE;
          }
        v->e = k;
        break;
      }
    default:
      goto bad;
    }
  g_free (v->str);
  v->str = g_strdup (text);
  v->set = TRUE;
  return TRUE;

bad:
  g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_VALUE,
               "key '%s': '%s' is not a valid %s", spec->name, text,
               dp_param_type_to_string (spec->type));
  return FALSE;
}

gboolean
dp_param_specs_check (const DpParamSpec *specs, GError **error)
{
  for (guint i = 0; specs && specs[i].name; i++)
    {
      const DpParamSpec *spec = &specs[i];
      DpParamValue v = { 0 };
      if (spec->type < DP_PARAM_STRING || spec->type > DP_PARAM_PATH || !spec->help || !*spec->help
          || (spec->type == DP_PARAM_ENUM && (!spec->choices || !spec->choices[0])))
        {
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PLUGIN,
                       "parameter '%s' has an invalid type, no help text or no choices",
                       spec->name);
          return FALSE;
        }
      const guint known = DP_PARAM_INPUT | DP_PARAM_OUTPUT;
      if ((spec->flags & ~known) || (spec->flags && spec->type != DP_PARAM_PATH)
          || (spec->flags & known) == known || spec->reserved[0] || spec->reserved[1])
        {
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PLUGIN,
                       "parameter '%s' has invalid flags (only paths take them: input or output, "
                       "not both) or non-zero reserved fields", spec->name);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        if (strcmp (specs[j].name, spec->name) == 0)
          {
            g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PLUGIN,
                         "parameter '%s' is declared twice", spec->name);
            return FALSE;
          }
      gboolean ok = !spec->default_value || parse_value (spec, NULL, spec->default_value, &v, error);
      g_free (v.str);
      if (!ok)
        {
          g_prefix_error (error, "default of ");
          return FALSE;
        }
    }
  return TRUE;
}

DpParams *
dp_params_new (const char *instance, const char *base_dir, const DpParamSpec *specs)
{
  DpParams *params = g_new0 (DpParams, 1);
  params->instance = g_strdup (instance);
  params->base_dir = g_strdup (base_dir);
  params->specs = specs;
  params->n = count_specs (specs);
  params->values = g_new0 (DpParamValue, params->n + 1);
  for (guint i = 0; i < params->n; i++)
    if (specs[i].default_value)
      {
        /* Defaults were checked when the plugin was loaded. */
        g_autoptr (GError) error = NULL;
        if (!parse_value (&specs[i], base_dir, specs[i].default_value, &params->values[i], &error))
          g_critical ("%s", error->message);
      }
  return params;
}

void
dp_params_set_data_dir (DpParams *params, const char *data_dir)
{
  g_free (params->data_dir);
  params->data_dir = g_strdup (data_dir);
}

void
dp_params_free (DpParams *params)
{
  if (!params)
    return;
  g_free (params->data_dir);
  for (guint i = 0; i < params->n; i++)
    g_free (params->values[i].str);
  g_free (params->values);
  g_free (params->instance);
  g_free (params->base_dir);
  g_free (params);
}

gboolean
dp_params_set (DpParams *params, const char *key, const char *value, GError **error)
{
  return dp_params_set_from (params, key, value, params->base_dir, error);
}

gboolean
dp_params_set_from (DpParams *params, const char *key, const char *value, const char *base_dir,
                    GError **error)
{
  int i = dp_params_find (params, key);
  if (i < 0)
    {
      if (params->n == 0)
        {
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_KEY,
                       "unknown key '%s' (this stage takes no parameters)", key);
          return FALSE;
        }
      g_autofree const char **names = g_new0 (const char *, params->n + 1);
      for (guint k = 0; k < params->n; k++)
        names[k] = params->specs[k].name;
      const char *guess = dp_did_you_mean (key, names, params->n);
      g_autofree char *list = g_strjoinv (", ", (char **) names);
      if (guess)
        g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_KEY,
                     "unknown key '%s' (did you mean '%s'?)", key, guess);
      else
        g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_KEY,
                     "unknown key '%s' (known keys: %s)", key, list);
      return FALSE;
    }
  params->values[i].given = TRUE;
  return parse_value (&params->specs[i], base_dir, value, &params->values[i], error);
}

/* ---- what `check` can know about paths --------------------------------------- */

static gboolean
has_glob (const char *path)
{
  return strpbrk (path, "*?[") != NULL;
}

static gboolean
check_input (const char *path, GError **error)
{
  if (has_glob (path))
    {
      glob_t g;
      int rc = glob (path, GLOB_NOSORT, NULL, &g);
      globfree (&g);
      if (rc != 0)
        return g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: matches no files", path), FALSE;
      return TRUE;
    }
  GStatBuf st;
  int mode = R_OK;
  if (g_stat (path, &st) == 0 && S_ISDIR (st.st_mode))
    mode |= X_OK;
  if (g_access (path, mode) != 0)
    {
      int e = errno;
      return g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: %s", path,
                          e == ENOENT ? "no such file or directory" : g_strerror (e)), FALSE;
    }
  return TRUE;
}

static gboolean
check_output (const char *path, GError **error)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR, "%s is a directory", path), FALSE;
  g_autofree char *dir = g_path_get_dirname (path);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: directory %s does not exist",
                        path, dir), FALSE;
  return TRUE;
}

guint
dp_params_check_paths (const DpParams *params, GPtrArray *problems)
{
  guint found = 0;
  for (guint i = 0; i < params->n; i++)
    {
      const DpParamSpec *spec = &params->specs[i];
      const char *path = params->values[i].set ? params->values[i].str : NULL;
      if (spec->type != DP_PARAM_PATH || !spec->flags || !path || !*path || strcmp (path, "-") == 0)
        continue;
      g_autoptr (GError) error = NULL;
      if ((spec->flags & DP_PARAM_INPUT) ? check_input (path, &error) : check_output (path, &error))
        continue;
      g_ptr_array_add (problems, g_strdup_printf ("key '%s': %s", spec->name, error->message));
      found++;
    }
  return found;
}

gboolean
dp_params_check_required (const DpParams *params, GError **error)
{
  for (guint i = 0; i < params->n; i++)
    if (params->specs[i].required && !params->values[i].set && !params->values[i].given)
      {
        g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_MISSING,
                     "missing required key '%s' (%s)", params->specs[i].name, params->specs[i].help);
        return FALSE;
      }
  return TRUE;
}

/* ---- "did you mean" -------------------------------------------------------- */

/* Edit distance counting a swap of neighbours as one edit (typos are often swaps). */
static guint
edit_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  if (la > 64 || lb > 64)
    return G_MAXUINT;
  guint d[65][65];
  for (gsize i = 0; i <= la; i++)
    d[i][0] = (guint) i;
  for (gsize j = 0; j <= lb; j++)
    d[0][j] = (guint) j;
  for (gsize i = 1; i <= la; i++)
    for (gsize j = 1; j <= lb; j++)
      {
        guint cost = a[i - 1] == b[j - 1] ? 0 : 1;
        d[i][j] = MIN (MIN (d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
          d[i][j] = MIN (d[i][j], d[i - 2][j - 2] + 1);
      }
  return d[la][lb];
}

const char *
dp_did_you_mean (const char *word, const char *const *candidates, guint n)
{
  const char *best = NULL;
  guint best_d = G_MAXUINT;
  for (guint i = 0; i < n; i++)
    {
      guint d = edit_distance (word, candidates[i]);
      if (d < best_d)
        best_d = d, best = candidates[i];
    }
  /* Close enough to be a typo: at most a third of the word, and never more than 3 edits. */
  return best && best_d <= MIN (3, MAX (1, strlen (word) / 3)) ? best : NULL;
}
