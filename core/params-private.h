/* params-private.h — building and validating DpParams (the core side of params.h). */
#pragma once

#include <docpipe/params.h>

DpParams *dp_params_new (const char *instance, const char *base_dir, const DpParamSpec *specs);
void      dp_params_free (DpParams *params);
/* Parses @value by the row named @key.  Errors name the key; the caller adds file, line and stage. */
gboolean  dp_params_set (DpParams *params, const char *key, const char *value, GError **error);
/* The same, with relative paths resolved against @base_dir instead (--set values
 * are typed in a shell, so they are relative to the current directory). */
gboolean  dp_params_set_from (DpParams *params, const char *key, const char *value,
                              const char *base_dir, GError **error);
gboolean  dp_params_check_required (const DpParams *params, GError **error);
/* Checks a table's own rows (defaults parse, enums have choices …): a plugin bug, caught at load. */
gboolean  dp_param_specs_check (const DpParamSpec *specs, GError **error);
const char *dp_param_type_to_string (DpParamType type);
/* The closest of @candidates to @word, or NULL if none is close enough. */
const char *dp_did_you_mean (const char *word, const char *const *candidates, guint n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpParams, dp_params_free)
