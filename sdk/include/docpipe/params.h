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

typedef struct {
  const char *name;           /* lower-case, words joined by '-' */
  DpParamType type;
  const char *default_value;  /* textual default, or NULL for none */
  gboolean required;          /* the pipeline must give a value */
  const char *help;           /* one sentence for `docpipe plugins STAGE` */
  const char *const *choices; /* DP_PARAM_ENUM: the allowed values, NULL-terminated */
  double min, max;            /* DP_PARAM_INT/DOUBLE: range, ignored when min == max */
} DpParamSpec;

typedef struct _DpParams DpParams;

/* Accessors for validated values.  Asking for a name the table does not declare
 * is a programming error (g_critical) and returns a zero value. */
const char *dp_params_get_string (const DpParams *params, const char *name); /* NULL if unset */
gint64      dp_params_get_int (const DpParams *params, const char *name);
double      dp_params_get_double (const DpParams *params, const char *name);
gboolean    dp_params_get_bool (const DpParams *params, const char *name);
/* DP_PARAM_ENUM: the index of the chosen value in the choices array (-1 if unset). */
int         dp_params_get_enum (const DpParams *params, const char *name);
/* DP_PARAM_PATH: the resolved path (NULL if unset). */
const char *dp_params_get_path (const DpParams *params, const char *name);
gboolean    dp_params_is_set (const DpParams *params, const char *name);

/* The stage instance's name (the pipeline group), for messages. */
const char *dp_params_get_instance_name (const DpParams *params);
/* The directory relative paths resolve against (the pipeline file's directory). */
const char *dp_params_get_base_dir (const DpParams *params);

G_END_DECLS
