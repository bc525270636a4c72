/* loader.c — finding, loading and checking stage plugins (libltdl).
 *
 * The registry scans the plugin directories in priority order, opens every
 * shared object there, checks its descriptor (ABI, sizes, stage tables) before
 * using anything else in it, and maps stage names to the first plugin that
 * provides them.  Plugins that cannot be used are remembered with a message
 * that says why, so "unknown plugin" errors can point at the real cause.
 */
#include "loader.h"
#include "params-private.h"
#include "core.h"

#include <dlfcn.h>
#include <gmodule.h>
#include <ltdl.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (dp-config-error-quark, dp_config_error)

struct _DpRegistry {
  GPtrArray *plugins;     /* DpPlugin* */
  GHashTable *stages;     /* name -> DpStageRef* */
  GPtrArray *problems;    /* char*: why a file was refused */
  GStrv dirs;
};

/* Plugins stay mapped once loaded (as GStreamer's do): a plugin may keep
 * caches in static memory (compiled patterns, tables) that would dangle, and
 * show up as leaks, if its code were unmapped under them. */
static void
plugin_free (gpointer p)
{
  DpPlugin *plugin = p;
  g_free (plugin->path);
  g_free (plugin->data_dir);
  g_free (plugin);
}

static gboolean
ltdl_ready (void)
{
  static gsize once = 0;
  static gboolean ok = FALSE;
  if (g_once_init_enter (&once))
    {
      ok = lt_dlinit () == 0;
      g_once_init_leave (&once, 1);
    }
  return ok;
}

static gboolean
valid_name (const char *name)
{
  if (!name || !g_ascii_isalpha (*name))
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

static gboolean
check_stage (const DpStageInfo *info, GError **error)
{
  if (!valid_name (info->name))
    return g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PLUGIN,
                        "a stage has an invalid name"), FALSE;
  const char *why = NULL;
  switch (info->kind)
    {
    case DP_STAGE_SOURCE:
      why = info->read ? NULL : "a source without a read callback";
      break;
    case DP_STAGE_TRANSFORM:
      why = info->process ? (info->prepare ? "a transform with a prepare callback" : NULL)
                          : "a transform without a process callback";
      break;
    case DP_STAGE_SINK:
      why = info->process ? NULL : "a sink without a process callback";
      break;
    default:
      why = "an unknown kind";
    }
  if (!why && (!info->description || !*info->description))
    why = "no description";
  if (why)
    return g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PLUGIN,
                        "stage '%s' has %s", info->name, why), FALSE;
  if (!dp_param_specs_check (info->params, error))
    {
      g_prefix_error (error, "stage '%s': ", info->name);
      return FALSE;
    }
  return TRUE;
}

gboolean
dp_plugin_check_descriptor (const DpPluginDescriptor *d, const char *path, GError **error)
{
  /* Only the two version fields are read before the versions are known to match. */
  if (d->abi_major != DP_ABI_MAJOR)
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PLUGIN,
                   "%s was built for docpipe plugin ABI %u.%u; this docpipe needs ABI %d.x — "
                   "rebuild it against the installed SDK",
                   path, d->abi_major, d->abi_minor, DP_ABI_MAJOR);
      return FALSE;
    }
  if (d->abi_minor > DP_ABI_MINOR)
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PLUGIN,
                   "%s was built for docpipe plugin ABI %u.%u; this docpipe (%s) provides ABI %d.%d — "
                   "rebuild it against the installed SDK, or upgrade docpipe",
                   path, d->abi_major, d->abi_minor, DP_VERSION, DP_ABI_MAJOR, DP_ABI_MINOR);
      return FALSE;
    }
  if (d->struct_size != sizeof (DpPluginDescriptor) || d->stage_info_size != sizeof (DpStageInfo))
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PLUGIN,
                   "%s: plugin descriptor sizes (%u, %u) do not match ABI %d.%d (%u, %u); "
                   "the plugin was built with mismatched headers",
                   path, d->struct_size, d->stage_info_size, DP_ABI_MAJOR, DP_ABI_MINOR,
                   (guint) sizeof (DpPluginDescriptor), (guint) sizeof (DpStageInfo));
      return FALSE;
    }
  if (!valid_name (d->name) || !d->version || !d->license || !d->description || !d->stages
      || !d->stages[0])
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PLUGIN,
                   "%s: plugin descriptor lacks a name, version, licence, description or stages",
                   path);
      return FALSE;
    }
  for (guint i = 0; d->stages[i]; i++)
    if (!check_stage (d->stages[i], error))
      {
        g_prefix_error (error, "%s: plugin '%s': ", path, d->name);
        return FALSE;
      }
  return TRUE;
}

/* The build tree's plugins read their data from the source tree; installed
 * ones from DATADIR/docpipe/NAME, found relative to the plugin file so that an
 * installation can be moved (as the binary finds its plugins). */
char *
dp_plugin_data_dir_for (const char *path, const char *name)
{
  g_autofree char *abs = g_canonicalize_filename (path, NULL);
  g_autofree char *dir = g_path_get_dirname (abs);
  g_autofree char *real = realpath (dir, NULL);
  g_autofree char *build = realpath (DP_BUILD_PLUGIN_DIR, NULL);
  if (real && build && strcmp (real, build) == 0)
    return g_build_filename (DP_SOURCE_PLUGIN_DIR, name, "data", NULL);
  g_autofree char *rel = g_build_filename (real ? real : dir, DP_DATA_DIR_FROM_PLUGIN_DIR, name, NULL);
  return g_canonicalize_filename (rel, NULL);
}

/* Why @path did not load.  libltdl reports most failures as "file not
 * found"; dlopen() says which library or symbol is missing. */
static char *
load_failure (const char *path)
{
  const char *lt_why = lt_dlerror ();
  g_autofree char *fallback = g_strdup (lt_why ? lt_why : "unknown error");
  void *handle = dlopen (path, RTLD_NOW | RTLD_LOCAL);
  if (handle)
    {
      dlclose (handle);
      return g_steal_pointer (&fallback);
    }
  const char *why = dlerror ();
  if (!why)
    return g_steal_pointer (&fallback);
  /* dlerror() starts with the path, which the caller's message already has. */
  if (g_str_has_prefix (why, path) && g_str_has_prefix (why + strlen (path), ": "))
    why += strlen (path) + 2;
  return g_strdup (why);
}

DpPlugin *
dp_plugin_open (const char *path, GError **error)
{
  if (!ltdl_ready ())
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PLUGIN, "libltdl failed to initialise");
      return NULL;
    }
  lt_dladvise advise;
  lt_dladvise_init (&advise);
  lt_dladvise_local (&advise);
  lt_dlhandle handle = lt_dlopenadvise (path, advise);
  lt_dladvise_destroy (&advise);
  if (!handle)
    {
      g_autofree char *why = load_failure (path);
      /* A plugin bound at load time (-z now, LD_BIND_NOW) that calls what
       * another ABI exported fails here, before its descriptor can be read. */
      gboolean old_api = why && strstr (why, "undefined symbol: dp_");
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PLUGIN, "%s: cannot load plugin: %s%s",
                   path, why ? why : "unknown error",
                   old_api ? " (a docpipe function this version does not provide: the plugin was "
                             "probably built for another plugin ABI — rebuild it against the installed SDK)"
                           : "");
      return NULL;
    }
  const DpPluginDescriptor *d = lt_dlsym (handle, DP_PLUGIN_SYMBOL);
  if (!d)
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PLUGIN,
                   "%s: not a docpipe plugin (no '%s' symbol; was it defined with DP_PLUGIN_DEFINE?)",
                   path, DP_PLUGIN_SYMBOL);
      lt_dlclose (handle);
      return NULL;
    }
  if (!dp_plugin_check_descriptor (d, path, error))
    {
      lt_dlclose (handle);
      return NULL;
    }
  DpPlugin *plugin = g_new0 (DpPlugin, 1);
  plugin->path = g_strdup (path);
  plugin->handle = handle;
  plugin->descriptor = d;
  plugin->data_dir = dp_plugin_data_dir_for (path, d->name);
  return plugin;
}

void
dp_plugin_close (DpPlugin *plugin)
{
  if (plugin)
    plugin_free (plugin);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Plugin files in @dir, sorted so the scan is deterministic. */
static GPtrArray *
list_plugin_files (const char *dir)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    if (g_str_has_suffix (name, "." G_MODULE_SUFFIX))
      g_ptr_array_add (files, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (files, compare_strings);
  return files;
}

static void
registry_add (DpRegistry *reg, DpPlugin *plugin)
{
  g_ptr_array_add (reg->plugins, plugin);
  for (guint i = 0; plugin->descriptor->stages[i]; i++)
    {
      const DpStageInfo *info = plugin->descriptor->stages[i];
      if (g_hash_table_contains (reg->stages, info->name))
        continue;   /* an earlier directory wins */
      DpStageRef *ref = g_new (DpStageRef, 1);
      ref->plugin = plugin;
      ref->info = info;
      g_hash_table_insert (reg->stages, (gpointer) info->name, ref);
    }
}

DpRegistry *
dp_registry_new (const char *const *dirs)
{
  DpRegistry *reg = g_new0 (DpRegistry, 1);
  reg->plugins = g_ptr_array_new_with_free_func (plugin_free);
  reg->stages = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  reg->problems = g_ptr_array_new_with_free_func (g_free);
  reg->dirs = g_strdupv ((char **) dirs);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; dirs && dirs[i]; i++)
    {
      g_autofree char *canon = g_canonicalize_filename (dirs[i], NULL);
      if (!g_hash_table_add (seen, g_strdup (canon)))
        continue;
      g_debug ("searching plugins in %s", canon);
      g_autoptr (GPtrArray) files = list_plugin_files (canon);
      for (guint f = 0; f < files->len; f++)
        {
          g_autoptr (GError) error = NULL;
          DpPlugin *plugin = dp_plugin_open (g_ptr_array_index (files, f), &error);
          if (plugin)
            {
              g_debug ("loaded plugin %s %s from %s", plugin->descriptor->name,
                       plugin->descriptor->version, plugin->path);
              registry_add (reg, plugin);
            }
          else
            g_ptr_array_add (reg->problems, g_strdup (error->message));
        }
    }
  return reg;
}

void
dp_registry_free (DpRegistry *reg)
{
  if (!reg)
    return;
  g_hash_table_unref (reg->stages);
  g_ptr_array_unref (reg->plugins);
  g_ptr_array_unref (reg->problems);
  g_strfreev (reg->dirs);
  g_free (reg);
}

const DpStageRef *
dp_registry_lookup (DpRegistry *reg, const char *stage)
{
  return g_hash_table_lookup (reg->stages, stage);
}

GPtrArray *
dp_registry_list (DpRegistry *reg)
{
  GPtrArray *names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;
  g_hash_table_iter_init (&iter, reg->stages);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, key);
  g_ptr_array_sort (names, compare_strings);
  return names;
}

DpParams *
dp_stage_ref_new_params (const DpStageRef *ref, const char *instance, const char *base_dir)
{
  DpParams *params = dp_params_new (instance, base_dir, ref->info->params);
  dp_params_set_data_dir (params, ref->plugin->data_dir);
  return params;
}

const GPtrArray *dp_registry_get_problems (DpRegistry *reg) { return reg->problems; }
const char *const *dp_registry_get_dirs (DpRegistry *reg) { return (const char *const *) reg->dirs; }

/* ---- where to look --------------------------------------------------------- */

static char *
exe_dir (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  return exe ? g_path_get_dirname (exe) : NULL;
}

static void
add_path_list (GPtrArray *dirs, const char *list)
{
  g_auto (GStrv) parts = g_strsplit (list ? list : "", ":", -1);
  for (guint i = 0; parts[i]; i++)
    if (*parts[i])
      g_ptr_array_add (dirs, g_strdup (parts[i]));
}

GStrv
dp_plugin_dirs (const char *cli_path, const char *pipeline_path)
{
  GPtrArray *dirs = g_ptr_array_new ();
  add_path_list (dirs, cli_path);
  add_path_list (dirs, g_getenv ("DOCPIPE_PLUGIN_PATH"));
  add_path_list (dirs, pipeline_path);
  /* Run from the build tree: its plugins, never an installed copy's. */
  g_autofree char *here = exe_dir ();
  g_autofree char *build_bin = g_canonicalize_filename (DP_BUILD_BIN_DIR, NULL);
  if (here && strcmp (here, build_bin) == 0)
    g_ptr_array_add (dirs, g_strdup (DP_BUILD_PLUGIN_DIR));
  else if (here)
    g_ptr_array_add (dirs, g_build_filename (here, DP_PLUGIN_DIR_FROM_BIN, NULL));
  g_ptr_array_add (dirs, NULL);
  return (GStrv) g_ptr_array_free (dirs, FALSE);
}
