/* pipeline.c — pipeline files and expressions, validated before anything runs.
 *
 * Pipeline files use GLib's key-file syntax: [pipeline] holds run settings and
 * every other group, in file order, is a stage instance.  GKeyFile parses the
 * values; a separate line scan remembers where each group and key was written
 * (GKeyFile keeps no line numbers) and catches what GKeyFile would silently
 * merge, such as a group or key given twice.  Files and `-e` expressions both
 * become a list of groups of entries, which one validator checks: every problem
 * is collected, so `docpipe check` shows them all at once.
 */
#include "pipeline.h"
#include "core.h"
#include "shard.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bounds on what a pipeline may ask of the loader, so that a hostile or broken
 * file (or -e, --set, ${VAR}) is refused with a message instead of taking
 * time or memory without end.  Real pipelines are a few dozen lines. */
#define MAX_PIPELINE_BYTES (1024 * 1024)   /* a file or an -e expression */
#define MAX_STAGES 256
#define MAX_KEYS 256                      /* per group */
#define MAX_VALUE_BYTES (64 * 1024)       /* one value after ${VAR} expansion */
#define MAX_EXPANDED_BYTES (4 * 1024 * 1024)  /* all values after expansion */
#define MAX_OVERRIDES 1024                /* --set */
#define MAX_PROBLEMS 100                  /* reported; the rest are counted */
#define MAX_QUOTE 60                      /* characters of input quoted in a message */

typedef struct {
  char *key, *value, *where;
} Entry;

typedef struct {
  char *name, *where;
  GPtrArray *entries;   /* Entry* */
  gboolean full;        /* MAX_KEYS reached (reported once) */
} Group;

static void
entry_free (gpointer p)
{
  Entry *e = p;
  g_free (e->key);
  g_free (e->value);
  g_free (e->where);
  g_free (e);
}

static void
group_free (gpointer p)
{
  Group *g = p;
  g_ptr_array_unref (g->entries);
  g_free (g->name);
  g_free (g->where);
  g_free (g);
}

static Group *
group_new (const char *name, char *where)
{
  Group *g = g_new0 (Group, 1);
  g->name = g_strdup (name);
  g->where = where;
  g->entries = g_ptr_array_new_with_free_func (entry_free);
  return g;
}

/* FALSE if @key is new and the group already has MAX_KEYS keys. */
static gboolean
group_set (Group *g, const char *key, const char *value, const char *where)
{
  for (guint i = 0; i < g->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (g->entries, i);
      if (strcmp (e->key, key) == 0)
        {
          g_free (e->value);
          g_free (e->where);
          e->value = g_strdup (value);
          e->where = g_strdup (where);
          return TRUE;
        }
    }
  if (g->entries->len >= MAX_KEYS)
    return FALSE;
  Entry *e = g_new (Entry, 1);
  e->key = g_strdup (key);
  e->value = g_strdup (value);
  e->where = g_strdup (where);
  g_ptr_array_add (g->entries, e);
  return TRUE;
}

static const char *
group_get (Group *g, const char *key, const char **where)
{
  for (guint i = 0; i < g->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (g->entries, i);
      if (strcmp (e->key, key) == 0)
        {
          if (where)
            *where = e->where;
          return e->value;
        }
    }
  return NULL;
}

/* ---- settings -------------------------------------------------------------- */

static const char *const on_error_choices[] = { "skip", "fail", NULL };

static const DpParamSpec settings_specs[] = {
  { "name", DP_PARAM_STRING, NULL, FALSE, "Pipeline name, used in messages and the default dead-letter file name" },
  { "workers", DP_PARAM_INT, "0", FALSE, "Worker threads for transform stages; 0 means one per CPU core", NULL, 0, 1024 },
  { "batch-size", DP_PARAM_INT, "64", FALSE, "Records per batch handed to a stage", NULL, 1, 1000000 },
  { "queue-depth", DP_PARAM_INT, "0", FALSE, "Batches in flight at most (bounds memory); 0 means 2 per worker plus 2", NULL, 0, 100000 },
  { "on-error", DP_PARAM_ENUM, "skip", FALSE, "What a record failure does: skip (dead-letter it and go on) or fail (stop the run)", on_error_choices },
  { "dead-letter", DP_PARAM_PATH, NULL, FALSE, "JSON-lines file that failed records are appended to (default: NAME-dead-letter.jsonl in the current directory; - for stderr)",
    .flags = DP_PARAM_OUTPUT },
  { "plugin-path", DP_PARAM_STRING, NULL, FALSE, "Extra plugin directories, colon-separated, relative to the pipeline file" },
  { "lock", DP_PARAM_PATH, NULL, FALSE, "Lock file: a run started while another holds it exits at once with code 75 (docs/operations.md)",
    .flags = DP_PARAM_OUTPUT },
  { "state", DP_PARAM_PATH, NULL, FALSE, "SQLite file remembering the documents this pipeline processed: later runs skip them unless changed (docs/operations.md)",
    .flags = DP_PARAM_OUTPUT },
  { "shard", DP_PARAM_STRING, NULL, FALSE, "K/N: process only the documents whose id hashes to shard K of N (0 <= K < N; docs/operations.md)" },
  { NULL }
};

const DpParamSpec *dp_pipeline_settings_specs (void) { return settings_specs; }

/* ---- problems -------------------------------------------------------------- */

typedef struct {
  GString *text;
  guint count;
  gsize expanded;     /* bytes of values after ${VAR} expansion so far */
} Problems;

static void G_GNUC_PRINTF (2, 3)
problem (Problems *p, const char *format, ...)
{
  if (p->count++ >= MAX_PROBLEMS)
    return;
  va_list ap;
  va_start (ap, format);
  if (p->count > 1)
    g_string_append_c (p->text, '\n');
  g_string_append_vprintf (p->text, format, ap);
  va_end (ap);
}

static gboolean
problems_to_error (Problems *p, GError **error)
{
  if (p->count == 0)
    return TRUE;
  if (p->count > MAX_PROBLEMS)
    g_string_append_printf (p->text, "\n… and %u more problems", p->count - MAX_PROBLEMS);
  g_set_error_literal (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_VALUE, p->text->str);
  return FALSE;
}

/* At most MAX_QUOTE characters of @s, for quoting input in a message. */
static char *
shorten (const char *s)
{
  if (g_utf8_strlen (s, MAX_QUOTE + 1) <= MAX_QUOTE)
    return g_strdup (s);
  g_autofree char *head = g_utf8_substring (s, 0, MAX_QUOTE);
  return g_strconcat (head, "…", NULL);
}

/* group_set(), reporting once per group that it has too many keys. */
static void
group_put (Group *g, const char *key, const char *value, const char *where, Problems *p)
{
  if (group_set (g, key, value, where) || g->full)
    return;
  g->full = TRUE;
  problem (p, "%s: [%s] has more than %d keys; no stage takes that many", where, g->name, MAX_KEYS);
}

/* ---- ${VAR} expansion ------------------------------------------------------ */

/* Expands ${VAR} and ${VAR:-default} from the environment, refusing results
 * longer than MAX_VALUE_BYTES (${BIG}${BIG}… would otherwise multiply). */
static char *
expand_env (const char *value, GError **error)
{
  GString *out = g_string_new (NULL);
  const char *p = value;
  while (*p)
    {
      if (out->len > MAX_VALUE_BYTES)
        break;
      const char *start = strstr (p, "${");
      if (!start)
        break;
      const char *close = strchr (start, '}');
      if (!close)
        {
          g_autofree char *shown = shorten (value);
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_VALUE, "unterminated '${' in '%s'", shown);
          return (g_string_free (out, TRUE), NULL);
        }
      g_string_append_len (out, p, start - p);
      g_autofree char *inner = g_strndup (start + 2, close - start - 2);
      char *dflt = strstr (inner, ":-");
      if (dflt)
        *dflt = '\0', dflt += 2;
      const char *env = g_getenv (inner);
      if (env && *env)
        g_string_append (out, env);
      else if (dflt)
        g_string_append (out, dflt);
      else
        {
          g_autofree char *shown = shorten (inner);
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_VALUE,
                       "environment variable '%s' is not set", shown);
          return (g_string_free (out, TRUE), NULL);
        }
      p = close + 1;
    }
  if (out->len + strlen (p) > MAX_VALUE_BYTES)
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_VALUE,
                   "the value is longer than %d KiB after ${VAR} expansion", MAX_VALUE_BYTES / 1024);
      return (g_string_free (out, TRUE), NULL);
    }
  g_string_append (out, p);
  return g_string_free (out, FALSE);
}

/* ---- validation ------------------------------------------------------------ */

/* Applies a group's entries (except "plugin") to @params, reporting each problem. */
static void
apply_entries (Group *g, DpParams *params, const char *label, Problems *p)
{
  for (guint i = 0; i < g->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (g->entries, i);
      if (strcmp (e->key, "plugin") == 0 && strcmp (g->name, "pipeline") != 0)
        continue;
      g_autoptr (GError) error = NULL;
      g_autofree char *value = expand_env (e->value, &error);
      g_autofree char *cwd = strcmp (e->where, "--set") == 0 ? g_get_current_dir () : NULL;
      gsize before = p->expanded;
      p->expanded += value ? strlen (value) : 0;
      if (p->expanded > MAX_EXPANDED_BYTES)
        {
          if (before <= MAX_EXPANDED_BYTES)
            problem (p, "%s: %s: the pipeline's values exceed %d MiB in all after ${VAR} expansion",
                     e->where, label, MAX_EXPANDED_BYTES / (1024 * 1024));
          continue;
        }
      if (!value)
        {
          problem (p, "%s: %s: %s", e->where, label, error->message);
          /* The key was given: pass it on unexpanded (the pipeline is refused
           * anyway) so that a required key is not also reported missing. */
          dp_params_set (params, e->key, e->value, NULL);
        }
      else if (!dp_params_set_from (params, e->key, value, cwd ? cwd : dp_params_get_base_dir (params),
                                    &error))
        problem (p, "%s: %s: %s", e->where, label, error->message);
    }
  g_autoptr (GError) error = NULL;
  if (!dp_params_check_required (params, &error))
    problem (p, "%s: %s: %s", g->where, label, error->message);
}

/* A shard setting must be usable before anything runs (and `check` says so). */
static void
check_shard (Group *settings, DpParams *params, Problems *p)
{
  const char *where = NULL, *shard = dp_params_get_string (params, "shard");
  g_autoptr (GError) error = NULL;
  if (shard && !dp_shard_parse (shard, NULL, NULL, &error))
    {
      group_get (settings, "shard", &where);
      problem (p, "%s: [pipeline]: key 'shard': %s", where ? where : settings->where, error->message);
    }
}

static void
unknown_plugin (DpPipeline *pl, Group *g, const char *plugin, const char *where, Problems *p)
{
  g_autoptr (GPtrArray) names = dp_registry_list (pl->registry);
  const char *guess = dp_did_you_mean (plugin, (const char *const *) names->pdata, names->len);
  g_autoptr (GString) msg = g_string_new (NULL);
  g_string_printf (msg, "%s: stage '%s': unknown plugin '%s'", where, g->name, plugin);
  if (guess)
    g_string_append_printf (msg, " (did you mean '%s'?)", guess);
  else if (names->len)
    {
      g_ptr_array_add (names, NULL);
      g_autofree char *list = g_strjoinv (", ", (char **) names->pdata);
      g_string_append_printf (msg, " (available: %s)", list);
    }
  const GPtrArray *refused = dp_registry_get_problems (pl->registry);
  for (guint i = 0; i < refused->len; i++)
    g_string_append_printf (msg, "\n  note: %s", (char *) g_ptr_array_index (refused, i));
  problem (p, "%s", msg->str);
}

static DpStageConfig *
build_stage (DpPipeline *pl, Group *g, Problems *p)
{
  const char *where = NULL;
  const char *plugin = group_get (g, "plugin", &where);
  if (!plugin)
    {
      problem (p, "%s: stage '%s': missing key 'plugin' (the stage type, e.g. reader, ner, writer)",
               g->where, g->name);
      return NULL;
    }
  const DpStageRef *ref = dp_registry_lookup (pl->registry, plugin);
  if (!ref)
    {
      unknown_plugin (pl, g, plugin, where, p);
      return NULL;
    }
  DpStageConfig *sc = g_new0 (DpStageConfig, 1);
  sc->name = g_strdup (g->name);
  sc->where = g_strdup (g->where);
  sc->ref = ref;
  sc->params = dp_stage_ref_new_params (ref, g->name, pl->base_dir);
  g_autofree char *label = g_strdup_printf ("stage '%s'", g->name);
  apply_entries (g, sc->params, label, p);
  return sc;
}

static void
stage_config_free (gpointer p)
{
  DpStageConfig *sc = p;
  dp_params_free (sc->params);
  g_free (sc->name);
  g_free (sc->where);
  g_free (sc);
}

/* Sources first, sinks last, every required layer provided upstream. */
static void
check_structure (DpPipeline *pl, Problems *p)
{
  if (pl->stages->len == 0)
    {
      problem (p, "%s: the pipeline has no stages", pl->file);
      return;
    }
  g_autoptr (GHashTable) provided = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean seen_sink = FALSE;
  for (guint i = 0; i < pl->stages->len; i++)
    {
      DpStageConfig *sc = g_ptr_array_index (pl->stages, i);
      const DpStageInfo *info = sc->ref->info;
      if ((info->kind == DP_STAGE_SOURCE) != (i == 0))
        problem (p, i == 0 ? "%s: stage '%s': the first stage must be a source (such as reader), not '%s'"
                           : "%s: stage '%s': only the first stage may be a source ('%s' is one)",
                 sc->where, sc->name, info->name);
      if (info->kind == DP_STAGE_TRANSFORM && seen_sink)
        problem (p, "%s: stage '%s': a transform cannot follow a sink", sc->where, sc->name);
      seen_sink |= info->kind == DP_STAGE_SINK;
      for (guint r = 0; info->requires && info->requires[r]; r++)
        if (!g_hash_table_contains (provided, info->requires[r]))
          problem (p, "%s: stage '%s': requires layer '%s', which no earlier stage provides",
                   sc->where, sc->name, info->requires[r]);
      for (guint r = 0; info->provides && info->provides[r]; r++)
        g_hash_table_add (provided, (gpointer) info->provides[r]);
    }
  if (!seen_sink)
    g_warning ("%s: the pipeline has no sink: records are processed and then discarded",
               pl->file);
}

static void
apply_overrides (GPtrArray *groups, const char *const *overrides, Problems *p)
{
  guint n = overrides ? g_strv_length ((char **) overrides) : 0;
  if (n > MAX_OVERRIDES)
    {
      problem (p, "--set given %u times; at most %d overrides are taken (use a pipeline file)",
               n, MAX_OVERRIDES);
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      if (!g_utf8_validate (overrides[i], -1, NULL))
        {
          problem (p, "--set value %u of %u: not valid UTF-8", i + 1, n);
          continue;
        }
      const char *eq = strchr (overrides[i], '=');
      const char *dot = eq ? memchr (overrides[i], '.', eq - overrides[i]) : NULL;
      g_autofree char *shown = shorten (overrides[i]);
      if (!dot || dot == overrides[i] || dot + 1 == eq)
        {
          problem (p, "--set %s: expected STAGE.KEY=VALUE", shown);
          continue;
        }
      g_autofree char *stage = g_strndup (overrides[i], dot - overrides[i]);
      g_autofree char *key = g_strndup (dot + 1, eq - dot - 1);
      Group *target = NULL;
      for (guint k = 0; k < groups->len && !target; k++)
        if (strcmp (((Group *) g_ptr_array_index (groups, k))->name, stage) == 0)
          target = g_ptr_array_index (groups, k);
      if (!target && strcmp (stage, "pipeline") == 0)
        {
          target = group_new ("pipeline", g_strdup ("--set"));
          g_ptr_array_insert (groups, 0, target);
        }
      if (!target)
        {
          g_autofree char *shown_stage = shorten (stage);
          problem (p, "--set %s: the pipeline has no stage '%s'", shown, shown_stage);
          continue;
        }
      group_put (target, key, eq + 1, "--set", p);
    }
}

static DpPipeline *
build (const char *file, const char *base_dir, GPtrArray *groups, const DpLoadOptions *opts,
       GError **error)
{
  Problems p = { g_string_new (NULL), 0 };
  apply_overrides (groups, opts ? opts->overrides : NULL, &p);

  g_autoptr (DpPipeline) pl = g_new0 (DpPipeline, 1);
  pl->file = g_strdup (file);
  pl->base_dir = g_strdup (base_dir);
  pl->settings = dp_params_new ("pipeline", base_dir, settings_specs);
  pl->stages = g_ptr_array_new_with_free_func (stage_config_free);

  Group *settings = groups->len ? g_ptr_array_index (groups, 0) : NULL;
  if (settings && strcmp (settings->name, "pipeline") == 0)
    {
      apply_entries (settings, pl->settings, "[pipeline]", &p);
      check_shard (settings, pl->settings, &p);
    }
  else
    settings = NULL;
  if (!dp_params_is_set (pl->settings, "name") && strcmp (file, "-e") == 0)
    dp_params_set (pl->settings, "name", "inline", NULL);
  else if (!dp_params_is_set (pl->settings, "name"))
    {
      g_autofree char *base = g_path_get_basename (file);
      char *dot = strrchr (base, '.');
      if (dot && dot != base)
        *dot = '\0';
      dp_params_set (pl->settings, "name", base, NULL);
    }

  /* plugin-path entries are relative to the pipeline file, like every path. */
  g_autoptr (GString) extra = g_string_new (NULL);
  g_auto (GStrv) parts = g_strsplit (dp_params_get_string (pl->settings, "plugin-path") ?: "", ":", -1);
  for (guint i = 0; parts[i]; i++)
    if (*parts[i])
      {
        g_autofree char *dir = g_path_is_absolute (parts[i]) ? g_strdup (parts[i])
                                                               : g_build_filename (base_dir, parts[i], NULL);
        g_string_append_printf (extra, "%s%s", extra->len ? ":" : "", dir);
      }
  g_auto (GStrv) dirs = dp_plugin_dirs (opts ? opts->plugin_path : NULL, extra->str);
  pl->registry = dp_registry_new ((const char *const *) dirs);

  gboolean stages_ok = TRUE;
  for (guint i = settings ? 1 : 0; i < groups->len; i++)
    {
      Group *g = g_ptr_array_index (groups, i);
      if (strcmp (g->name, "pipeline") == 0)
        {
          problem (&p, "%s: [pipeline] must be the first group", g->where);
          continue;
        }
      DpStageConfig *sc = build_stage (pl, g, &p);
      if (sc)
        g_ptr_array_add (pl->stages, sc);
      else
        stages_ok = FALSE;
    }
  if (stages_ok)
    check_structure (pl, &p);

  gboolean ok = problems_to_error (&p, error);
  g_string_free (p.text, TRUE);
  return ok ? g_steal_pointer (&pl) : NULL;
}

gboolean
dp_pipeline_check_paths (const DpPipeline *pl, GError **error)
{
  Problems p = { g_string_new (NULL), 0 };
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  dp_params_check_paths (pl->settings, found);
  for (guint i = 0; i < found->len; i++)
    problem (&p, "%s: [pipeline]: %s", pl->file, (char *) g_ptr_array_index (found, i));
  for (guint s = 0; s < pl->stages->len; s++)
    {
      DpStageConfig *sc = g_ptr_array_index (pl->stages, s);
      g_ptr_array_set_size (found, 0);
      dp_params_check_paths (sc->params, found);
      for (guint i = 0; i < found->len; i++)
        problem (&p, "%s: stage '%s': %s", sc->where, sc->name, (char *) g_ptr_array_index (found, i));
    }
  gboolean ok = problems_to_error (&p, error);
  g_string_free (p.text, TRUE);
  return ok;
}

void
dp_pipeline_free (DpPipeline *pl)
{
  if (!pl)
    return;
  if (pl->stages)
    g_ptr_array_unref (pl->stages);
  dp_params_free (pl->settings);
  dp_registry_free (pl->registry);
  g_free (pl->file);
  g_free (pl->base_dir);
  g_free (pl);
}

/* ---- files ----------------------------------------------------------------- */

static char *
strip_key (const char *line, gsize len)
{
  /* "key[locale] = value": the key is what precedes '[' or '='. */
  gsize n = strcspn (line, "=[");
  if (n > len)
    n = len;
  return g_strstrip (g_strndup (line, n));
}

/* Scans @text for groups and keys with their line numbers, reporting malformed
 * lines and duplicates; returns the groups with GKeyFile-parsed values.
 * @kf_failed: GKeyFile stopped at a syntax error, so keys after it are missing. */
static GPtrArray *
scan_file (const char *file, const char *text, GKeyFile *kf, gboolean kf_failed, Problems *p)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func (group_free);
  Group *current = NULL;
  gboolean bad_group = FALSE;   /* after a malformed header, its keys are not "before any group" */
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint n = 0; lines[n]; n++)
    {
      char *line = g_strstrip (lines[n]);
      g_autofree char *where = g_strdup_printf ("%s:%u", file, n + 1);
      if (!*line || *line == '#')
        continue;
      if (*line == '[')
        {
          char *close = strchr (line, ']');
          if (!close || close[1] || close == line + 1)
            {
              g_autofree char *shown = shorten (line);
              problem (p, "%s: malformed group header '%s'", where, shown);
              current = NULL;
              bad_group = TRUE;
              continue;
            }
          gboolean has_settings = groups->len
                                  && strcmp (((Group *) g_ptr_array_index (groups, 0))->name, "pipeline") == 0;
          if (groups->len - has_settings >= MAX_STAGES)
            {
              problem (p, "%s: more than %d stages; the rest of the file is not read", where, MAX_STAGES);
              break;
            }
          g_autofree char *name = g_strndup (line + 1, close - line - 1);
          for (guint i = 0; i < groups->len; i++)
            if (strcmp (((Group *) g_ptr_array_index (groups, i))->name, name) == 0)
              problem (p, "%s: group [%s] appears twice (first at %s); name each stage instance uniquely",
                       where, name, ((Group *) g_ptr_array_index (groups, i))->where);
          current = group_new (name, g_strdup (where));
          g_ptr_array_add (groups, current);
          bad_group = FALSE;
          continue;
        }
      if (!strchr (line, '=') || *line == '=')   /* "= value" has no key */
        {
          g_autofree char *shown = shorten (line);
          problem (p, "%s: expected 'key = value', '[group]' or '# comment', got '%s'", where, shown);
          continue;
        }
      g_autofree char *key = strip_key (line, strlen (line));
      if (!current)
        {
          if (!bad_group)
            problem (p, "%s: key '%s' comes before any [group]", where, key);
          continue;
        }
      if (strchr (line, '[') && strchr (line, '[') < strchr (line, '='))
        continue;   /* localised variants (key[fr]) are GKeyFile's business, not ours */
      if (group_get (current, key, NULL))
        {
          problem (p, "%s: key '%s' appears twice in [%s]", where, key, current->name);
          continue;
        }
      g_autoptr (GError) error = NULL;
      g_autofree char *value = g_key_file_get_string (kf, current->name, key, &error);
      /* After a syntax error GKeyFile has none of the later keys; the error
       * itself is reported (here or by the caller), not once per key. */
      if (value)
        group_put (current, key, value, where, p);
      else if (!kf_failed)
        problem (p, "%s: %s", where, error->message);
    }
  return groups;
}

static gboolean
file_error (const char *path, int e, GError **error)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: %s", path, g_strerror (e));
  return FALSE;
}

/* Reads at most MAX_PIPELINE_BYTES of @fd, refusing more. */
static char *
read_at_most (int fd, const char *path, gsize *len, GError **error)
{
  g_autoptr (GString) buf = g_string_sized_new (4096);
  char chunk[16384];
  for (;;)
    {
      ssize_t n = read (fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return file_error (path, errno, error), NULL;
      if (n == 0)
        break;
      if (buf->len + (gsize) n > MAX_PIPELINE_BYTES)
        {
          g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_SYNTAX,
                       "%s: larger than %d MiB; a pipeline file is a few dozen lines", path,
                       MAX_PIPELINE_BYTES / (1024 * 1024));
          return NULL;
        }
      g_string_append_len (buf, chunk, n);
    }
  *len = buf->len;
  return g_string_free (g_steal_pointer (&buf), FALSE);
}

/* A pipeline file's text.  Regular files, and pipes (docpipe run <(…)) and
 * character devices read up to the size limit: opened without waiting for a
 * writer, so a FIFO nobody writes to reads as empty instead of hanging, and
 * /dev/zero stops at the limit. */
static char *
read_pipeline_file (const char *path, gsize *len, GError **error)
{
  int fd = g_open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0)
    return file_error (path, errno, error), NULL;
  GStatBuf st;
  char *text = NULL;
  if (fstat (fd, &st) != 0)
    file_error (path, errno, error);
  else if (S_ISDIR (st.st_mode))
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR, "%s: is a directory, not a pipeline file", path);
  else if (!S_ISREG (st.st_mode) && !S_ISFIFO (st.st_mode) && !S_ISCHR (st.st_mode))
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not a regular file, pipe or character device", path);
  else if (S_ISREG (st.st_mode) && st.st_size > MAX_PIPELINE_BYTES)
    g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_SYNTAX,
                 "%s: larger than %d MiB; a pipeline file is a few dozen lines", path,
                 MAX_PIPELINE_BYTES / (1024 * 1024));
  else if (fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK) != 0)
    file_error (path, errno, error);
  else
    text = read_at_most (fd, path, len, error);
  close (fd);
  return text;
}

/* A pipeline file is UTF-8 text: the first bad byte is reported with its
 * line and column, so that an editor can find it. */
static gboolean
validate_text (const char *path, const char *text, gsize len, GError **error)
{
  const char *bad;
  if (g_utf8_validate_len (text, len, &bad))
    return TRUE;
  guint line = 1;
  const char *line_start = text;
  for (const char *p = text; p < bad; p++)
    if (*p == '\n')
      line++, line_start = p + 1;
  guint column = (guint) g_utf8_strlen (line_start, bad - line_start) + 1;
  if (*bad == '\0')
    g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_SYNTAX,
                 "%s:%u: a NUL byte at column %u (a pipeline file is text)", path, line, column);
  else
    g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_SYNTAX,
                 "%s:%u: not valid UTF-8 (byte 0x%02X at column %u)", path, line, (guchar) *bad, column);
  return FALSE;
}

DpPipeline *
dp_pipeline_load_file (const char *path, const DpLoadOptions *opts, GError **error)
{
  gsize len = 0;
  g_autofree char *text = read_pipeline_file (path, &len, error);
  if (!text)
    return NULL;
  if (!validate_text (path, text, len, error))
    return NULL;
  Problems p = { g_string_new (NULL), 0 };
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) kf_error = NULL;
  /* On a syntax error GKeyFile stops; the line scan below says where. */
  g_key_file_load_from_data (kf, text, len, G_KEY_FILE_NONE, &kf_error);
  g_autoptr (GPtrArray) groups = scan_file (path, text, kf, kf_error != NULL, &p);
  if (kf_error && p.count == 0)
    problem (&p, "%s: %s", path, kf_error->message);
  if (!problems_to_error (&p, error))
    {
      g_string_free (p.text, TRUE);
      return NULL;
    }
  g_string_free (p.text, TRUE);
  g_autofree char *abs = g_canonicalize_filename (path, NULL);
  g_autofree char *dir = g_path_get_dirname (abs);
  return build (path, dir, groups, opts, error);
}

/* ---- expressions ----------------------------------------------------------- */

/* Words people separate stages with in other tools (shell pipes, GStreamer
 * habits half-remembered, arrows): reported with a hint, and then taken as the
 * stage boundary they were meant to be, so the next stage is checked too. */
static gboolean
is_foreign_separator (const char *word)
{
  static const char *const seps[] = { "|", "||", ",", "->", "=>", ">", ";", "&&", NULL };
  return g_strv_contains (seps, word);
}

/* "reader path=- ! ner ! writer path=-": stages separated by '!', each a
 * stage type followed by KEY=VALUE words (shell quoting applies). */
DpPipeline *
dp_pipeline_parse_expression (const char *expr, const DpLoadOptions *opts, GError **error)
{
  g_auto (GStrv) argv = NULL;
  g_autoptr (GError) local = NULL;
  if (strlen (expr) > MAX_PIPELINE_BYTES)
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_SYNTAX,
                   "-e: longer than %d MiB; write a pipeline file", MAX_PIPELINE_BYTES / (1024 * 1024));
      return NULL;
    }
  /* Taken as bytes from the command line; messages quote it, and a file's
   * text must be UTF-8 too. */
  if (!g_utf8_validate (expr, -1, NULL))
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_SYNTAX, "-e: not valid UTF-8");
      return NULL;
    }
  if (!g_shell_parse_argv (expr, NULL, &argv, &local))
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_SYNTAX, "-e: %s", local->message);
      return NULL;
    }
  Problems p = { g_string_new (NULL), 0 };
  g_autoptr (GPtrArray) groups = g_ptr_array_new_with_free_func (group_free);
  g_autoptr (GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Group *current = NULL;
  guint n_stage = 0;
  gboolean foreign_end = FALSE;   /* the last word was a reported foreign separator */
  for (guint i = 0; argv[i]; i++)
    {
      foreign_end = FALSE;
      if (strcmp (argv[i], "!") == 0)
        {
          if (!current)
            problem (&p, "-e: empty stage before '!' (stage %u)", n_stage + 1);
          current = NULL;
          continue;
        }
      if (is_foreign_separator (argv[i]))
        {
          if (current)
            problem (&p, "%s: expected KEY=VALUE or '!', got '%s' (stages are separated by '!')",
                     current->where, argv[i]);
          else
            problem (&p, "-e: expected a stage type, got '%s' (stages are separated by '!')", argv[i]);
          current = NULL;
          foreign_end = TRUE;
          continue;
        }
      if (!current && n_stage == MAX_STAGES)
        {
          problem (&p, "-e: more than %d stages; the rest of the expression is not read", MAX_STAGES);
          current = g_ptr_array_index (groups, groups->len - 1);   /* not "ends with '!'" */
          break;
        }
      if (!current)
        {
          g_autofree char *where = g_strdup_printf ("-e:stage %u", ++n_stage);
          g_autofree char *name = g_strdup (argv[i]);
          for (guint k = 2; g_hash_table_contains (used, name); k++)
            g_free (name), name = g_strdup_printf ("%s-%u", argv[i], k);
          g_hash_table_add (used, g_strdup (name));
          current = group_new (name, g_steal_pointer (&where));
          group_set (current, "plugin", argv[i], current->where);
          g_ptr_array_add (groups, current);
          continue;
        }
      const char *eq = strchr (argv[i], '=');
      if (!eq || eq == argv[i])
        {
          /* "reader path=a.txt, writer": the ',' stuck to the previous value. */
          gboolean comma = !eq && i > 0 && g_str_has_suffix (argv[i - 1], ",");
          problem (&p, "%s: expected KEY=VALUE, got '%s'%s", current->where, argv[i],
                   comma ? " (stages are separated by '!', not ',')" : "");
          continue;
        }
      g_autofree char *key = g_strndup (argv[i], eq - argv[i]);
      group_put (current, key, eq + 1, current->where, &p);
    }
  if (!current && n_stage > 0 && !foreign_end)
    problem (&p, "-e: the expression ends with '!'");
  gboolean ok = problems_to_error (&p, error);
  g_string_free (p.text, TRUE);
  if (!ok)
    return NULL;
  g_autofree char *cwd = g_get_current_dir ();
  return build ("-e", cwd, groups, opts, error);
}
