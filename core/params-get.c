/* params-get.c — the accessors a stage calls on its validated parameters
 * (public API in docpipe/params.h).  Building and validating DpParams is the
 * core's business (params.c, in its private library).
 */
#include "params-private.h"

#include <string.h>

static const DpParamValue *
get (const DpParams *params, const char *name, DpParamType type)
{
  int i = dp_params_find (params, name);
  if (i < 0 || params->specs[i].type != type)
    {
      g_critical ("stage '%s' asked for %s parameter '%s', which its table does not declare",
                  params->instance, dp_param_type_to_string (type), name);
      return NULL;
    }
  return &params->values[i];
}

const char *
dp_params_get_string (const DpParams *params, const char *name)
{
  const DpParamValue *v = get (params, name, DP_PARAM_STRING);
  return v && v->set ? v->str : NULL;
}

gint64
dp_params_get_int (const DpParams *params, const char *name)
{
  const DpParamValue *v = get (params, name, DP_PARAM_INT);
  return v ? v->i : 0;
}

double
dp_params_get_double (const DpParams *params, const char *name)
{
  const DpParamValue *v = get (params, name, DP_PARAM_DOUBLE);
  return v ? v->d : 0.0;
}

gboolean
dp_params_get_bool (const DpParams *params, const char *name)
{
  const DpParamValue *v = get (params, name, DP_PARAM_BOOL);
  return v ? v->b : FALSE;
}

int
dp_params_get_enum (const DpParams *params, const char *name)
{
  const DpParamValue *v = get (params, name, DP_PARAM_ENUM);
  return v && v->set ? v->e : -1;
}

const char *
dp_params_get_path (const DpParams *params, const char *name)
{
  const DpParamValue *v = get (params, name, DP_PARAM_PATH);
  return v && v->set ? v->str : NULL;
}

gboolean
dp_params_is_set (const DpParams *params, const char *name)
{
  int i = dp_params_find (params, name);
  return i >= 0 && params->values[i].set;
}

const char *dp_params_get_instance_name (const DpParams *params) { return params->instance; }
const char *dp_params_get_base_dir (const DpParams *params) { return params->base_dir; }

const char *dp_plugin_get_data_dir (const DpParams *params) { return params->data_dir; }
