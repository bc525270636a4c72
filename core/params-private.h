/* params-private.h — DpParams's layout (shared by params-get.c in libdocpipe and
 * params.c in the private core library) and building and validating DpParams. */
#pragma once

#include <docpipe/params.h>

#include <string.h>

typedef struct {
  gboolean set;
  gboolean given; /* a value was given, even one refused: then it is not "missing" */
  char *str;      /* string, path (resolved), enum (the choice) */
  gint64 i;
  double d;
  gboolean b;
  int e;
} DpParamValue;

struct _DpParams {
  char *instance;
  char *base_dir;
  char *data_dir;       /* the plugin's (dp_plugin_get_data_dir), or NULL */
  const DpParamSpec *specs;
  guint n;
  DpParamValue *values;
};

/* The row named @name, or -1. */
static inline int
dp_params_find (const DpParams *params, const char *name)
{
  for (guint i = 0; i < params->n; i++)
    if (strcmp (params->specs[i].name, name) == 0)
      return (int) i;
  return -1;
}

static inline const char *
dp_param_type_to_string (DpParamType type)
{
  switch (type)
    {
    case DP_PARAM_STRING: return "string";
    case DP_PARAM_INT: return "int";
    case DP_PARAM_DOUBLE: return "double";
    case DP_PARAM_BOOL: return "bool";
    case DP_PARAM_ENUM: return "enum";
    case DP_PARAM_PATH: return "path";
    }
  return "?";
}

DpParams *dp_params_new (const char *instance, const char *base_dir, const DpParamSpec *specs);
void      dp_params_free (DpParams *params);
/* Parses @value by the row named @key.  Errors name the key; the caller adds file, line and stage. */
gboolean  dp_params_set (DpParams *params, const char *key, const char *value, GError **error);
/* The same, with relative paths resolved against @base_dir instead (--set values
 * are typed in a shell, so they are relative to the current directory). */
gboolean  dp_params_set_from (DpParams *params, const char *key, const char *value,
                              const char *base_dir, GError **error);
gboolean  dp_params_check_required (const DpParams *params, GError **error);
/* What can be known about DP_PARAM_INPUT/OUTPUT paths without creating the
 * stage (they exist, can be read, their directory exists): appends a message
 * naming the key and the path to @problems (char*) per problem; returns how many. */
guint     dp_params_check_paths (const DpParams *params, GPtrArray *problems);
/* What dp_plugin_get_data_dir() returns (the loader knows the plugin's file). */
void      dp_params_set_data_dir (DpParams *params, const char *data_dir);
/* Checks a table's own rows (defaults parse, enums have choices …): a plugin bug, caught at load. */
gboolean  dp_param_specs_check (const DpParamSpec *specs, GError **error);
/* The closest of @candidates to @word, or NULL if none is close enough. */
const char *dp_did_you_mean (const char *word, const char *const *candidates, guint n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpParams, dp_params_free)
