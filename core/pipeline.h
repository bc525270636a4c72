/* pipeline.h — a validated pipeline: settings plus stage instances' configuration. */
#pragma once

#include "loader.h"
#include "params-private.h"

typedef struct {
  char *name;              /* instance name (the group) */
  char *where;             /* "FILE:LINE" of its group, for messages */
  const DpStageRef *ref;   /* plugin and stage info */
  DpParams *params;        /* validated */
} DpStageConfig;

typedef struct {
  char *file;              /* as given, for messages ("-e" for expressions) */
  char *base_dir;          /* relative paths resolve here */
  DpParams *settings;      /* the [pipeline] group */
  GPtrArray *stages;       /* DpStageConfig*, in file order */
  DpRegistry *registry;
} DpPipeline;

typedef struct {
  const char *plugin_path;        /* --plugin-path */
  const char *const *overrides;   /* --set STAGE.KEY=VALUE, NULL-terminated */
} DpLoadOptions;

/* Both report every problem found, one per line, each as "FILE:LINE: stage 'x': …". */
DpPipeline *dp_pipeline_load_file (const char *path, const DpLoadOptions *opts, GError **error);
DpPipeline *dp_pipeline_parse_expression (const char *expr, const DpLoadOptions *opts, GError **error);
void        dp_pipeline_free (DpPipeline *pipeline);
/* What `check` and `run` verify before anything is created: every path a
 * stage reads (DP_PARAM_INPUT) exists and is readable or, as a glob, matches;
 * every path it writes (DP_PARAM_OUTPUT) has an existing directory.  Reports
 * every problem, one per line, as "FILE:LINE: stage 'x': key 'k': …". */
gboolean    dp_pipeline_check_paths (const DpPipeline *pipeline, GError **error);

/* The [pipeline] group's parameter table. */
const DpParamSpec *dp_pipeline_settings_specs (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpPipeline, dp_pipeline_free)
