/* loader.h — plugin loading and the registry of available stages. */
#pragma once

#include <docpipe/plugin.h>

typedef struct {
  char *path;
  gpointer handle;                       /* lt_dlhandle */
  const DpPluginDescriptor *descriptor;
  char *data_dir;                        /* what dp_plugin_get_data_dir() returns */
} DpPlugin;

typedef struct {
  DpPlugin *plugin;
  const DpStageInfo *info;
} DpStageRef;

typedef struct _DpRegistry DpRegistry;

/* Opens one plugin file and checks its descriptor. */
DpPlugin *dp_plugin_open (const char *path, GError **error);
void      dp_plugin_close (DpPlugin *plugin);
gboolean  dp_plugin_check_descriptor (const DpPluginDescriptor *d, const char *path, GError **error);
/* The data directory of plugin @name loaded from @path (see dp_plugin_get_data_dir()). */
char     *dp_plugin_data_dir_for (const char *path, const char *name);

/* Plugin directories in search order: --plugin-path, $DOCPIPE_PLUGIN_PATH, the
 * pipeline's plugin-path, then the build tree's or the installation's. */
GStrv     dp_plugin_dirs (const char *cli_path, const char *pipeline_path);

/* Parameters for an instance of the stage, with its table's defaults and the
 * plugin's data directory: what create() expects, once filled and checked. */
DpParams   *dp_stage_ref_new_params (const DpStageRef *ref, const char *instance, const char *base_dir);

DpRegistry *dp_registry_new (const char *const *dirs);
void        dp_registry_free (DpRegistry *reg);
const DpStageRef *dp_registry_lookup (DpRegistry *reg, const char *stage);
GPtrArray  *dp_registry_list (DpRegistry *reg);          /* sorted stage names, free the array only */
const GPtrArray *dp_registry_get_problems (DpRegistry *reg);
const char *const *dp_registry_get_dirs (DpRegistry *reg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpRegistry, dp_registry_free)
