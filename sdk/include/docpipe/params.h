/* docpipe/params.h — stage parameters, declared once in a static table.
 *
 * A stage lists its parameters in an array of DpParamSpec ending with an
 * all-zero row.  The core validates a pipeline's keys against that table
 * (unknown key, wrong type, out of range, missing required value), documents
 * the stage from it (`docpipe plugins NAME`) and hands the stage's create
 * callback a DpParams holding validated, typed values.  A stage without a table
 * accepts no keys at all.
 */
#pragma once

#include <docpipe/export.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  DP_PARAM_STRING = 1,
  DP_PARAM_INT,      /* gint64, optional [min, max] */
  DP_PARAM_DOUBLE,   /* optional [min, max] */
  DP_PARAM_BOOL,     /* true/false, yes/no, on/off, 1/0 */
  DP_PARAM_ENUM,     /* one of a NULL-terminated list of choices */
  DP_PARAM_PATH,     /* a file path; relative paths resolve against the pipeline file's directory; "-" is kept */
} DpParamType;

/* What `docpipe check` (and `run`, before it starts anything) verifies about a
 * DP_PARAM_PATH value, without creating the stage.  "-" and "" always pass. */
typedef enum {
  DP_PARAM_INPUT = 1 << 0,    /* read: must exist and be readable (a file or a
                               * directory), or be a glob matching something */
  DP_PARAM_OUTPUT = 1 << 1,   /* written: its directory must exist */
} DpParamFlags;

typedef struct {
  const char *name;           /* lower-case, words joined by '-' */
  DpParamType type;
  const char *default_value;  /* textual default, or NULL for none */
  gboolean required;          /* the pipeline must give a value */
  const char *help;           /* one sentence for `docpipe plugins STAGE` */
  const char *const *choices; /* DP_PARAM_ENUM: the allowed values, NULL-terminated */
  double min, max;            /* DP_PARAM_INT/DOUBLE: range, ignored when min == max */
  guint flags;                /* DpParamFlags (ABI 2.0) */
  gpointer reserved[2];       /* zero; room to grow without an ABI break */
} DpParamSpec;

typedef struct _DpParams DpParams;

/* Accessors for validated values.  Asking for a name the table does not declare
 * is a programming error (g_critical) and returns a zero value. */
DP_API const char *dp_params_get_string (const DpParams *params, const char *name); /* NULL if unset */
DP_API gint64      dp_params_get_int (const DpParams *params, const char *name);
DP_API double      dp_params_get_double (const DpParams *params, const char *name);
DP_API gboolean    dp_params_get_bool (const DpParams *params, const char *name);
/* DP_PARAM_ENUM: the index of the chosen value in the choices array (-1 if unset). */
DP_API int         dp_params_get_enum (const DpParams *params, const char *name);
/* DP_PARAM_PATH: the resolved path (NULL if unset). */
DP_API const char *dp_params_get_path (const DpParams *params, const char *name);
DP_API gboolean    dp_params_is_set (const DpParams *params, const char *name);

/* The stage instance's name (the pipeline group), for messages. */
DP_API const char *dp_params_get_instance_name (const DpParams *params);
/* The directory relative paths resolve against (the pipeline file's directory). */
DP_API const char *dp_params_get_base_dir (const DpParams *params);
/* The plugin's own data directory (models, word lists …), without a trailing
 * slash: plugins/NAME/data in the source tree when the plugin runs from the
 * build tree, else DATADIR/docpipe/NAME found relative to the installed plugin
 * file (so an installation can be moved), where NAME is the plugin's name in
 * DP_PLUGIN_DEFINE.  NULL when the core does not know where the plugin came
 * from.  The directory need not exist.  Owned by @params: copy it in create(). */
DP_API const char *dp_plugin_get_data_dir (const DpParams *params);

G_END_DECLS
