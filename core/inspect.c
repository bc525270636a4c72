/* inspect.c — describes stages from their descriptors and parameter tables,
 * as text for people and as JSON for tools (like gst-inspect). */
#include "inspect.h"
#include "params-private.h"
#include "core.h"

#include <string.h>

static const char *
kind_name (DpStageKind kind)
{
  return kind == DP_STAGE_SOURCE ? "source" : kind == DP_STAGE_SINK ? "sink" : "transform";
}

static char *
join_or_none (const char *const *list)
{
  return list && list[0] ? g_strjoinv (", ", (char **) list) : g_strdup ("(none)");
}

static void
add_strv (JsonBuilder *jb, const char *name, const char *const *list)
{
  json_builder_set_member_name (jb, name);
  json_builder_begin_array (jb);
  for (guint i = 0; list && list[i]; i++)
    json_builder_add_string_value (jb, list[i]);
  json_builder_end_array (jb);
}

static void
add_string (JsonBuilder *jb, const char *name, const char *value)
{
  json_builder_set_member_name (jb, name);
  if (value)
    json_builder_add_string_value (jb, value);
  else
    json_builder_add_null_value (jb);
}

static void
stage_to_json (JsonBuilder *jb, const DpStageRef *ref)
{
  const DpStageInfo *info = ref->info;
  const DpPluginDescriptor *d = ref->plugin->descriptor;
  json_builder_begin_object (jb);
  add_string (jb, "name", info->name);
  add_string (jb, "kind", kind_name (info->kind));
  add_string (jb, "description", info->description);
  add_string (jb, "plugin", d->name);
  add_string (jb, "plugin_version", d->version);
  add_string (jb, "license", d->license);
  add_string (jb, "path", ref->plugin->path);
  add_strv (jb, "requires", info->requires);
  add_strv (jb, "provides", info->provides);
  json_builder_set_member_name (jb, "shareable");
  json_builder_add_boolean_value (jb, (info->flags & DP_STAGE_SHAREABLE) != 0);
  json_builder_set_member_name (jb, "parameters");
  json_builder_begin_array (jb);
  for (const DpParamSpec *p = info->params; p && p->name; p++)
    {
      json_builder_begin_object (jb);
      add_string (jb, "name", p->name);
      add_string (jb, "type", dp_param_type_to_string (p->type));
      add_string (jb, "default", p->default_value);
      json_builder_set_member_name (jb, "required");
      json_builder_add_boolean_value (jb, p->required);
      add_string (jb, "help", p->help);
      if (p->type == DP_PARAM_ENUM)
        add_strv (jb, "choices", p->choices);
      if (p->flags)
        add_string (jb, "path_role", (p->flags & DP_PARAM_INPUT) ? "input" : "output");
      if ((p->type == DP_PARAM_INT || p->type == DP_PARAM_DOUBLE) && p->min != p->max)
        {
          json_builder_set_member_name (jb, "min");
          json_builder_add_double_value (jb, p->min);
          json_builder_set_member_name (jb, "max");
          json_builder_add_double_value (jb, p->max);
        }
      json_builder_end_object (jb);
    }
  json_builder_end_array (jb);
  json_builder_end_object (jb);
}

static void
print_stage (const DpStageRef *ref)
{
  const DpStageInfo *info = ref->info;
  const DpPluginDescriptor *d = ref->plugin->descriptor;
  g_autofree char *req = join_or_none (info->requires);
  g_autofree char *prov = join_or_none (info->provides);
  g_print ("Stage %s (%s)\n  %s\n\n", info->name, kind_name (info->kind), info->description);
  g_print ("Plugin:      %s %s (%s)\n  %s\n  %s\n", d->name, d->version, d->license, d->description,
           ref->plugin->path);
  g_print ("Requires:    %s\nProvides:    %s\nInstances:   %s\n\nParameters:\n", req, prov,
           info->kind != DP_STAGE_TRANSFORM ? "one (sources and sinks run in their own thread)"
           : info->flags & DP_STAGE_SHAREABLE ? "one, shared by all workers"
                                              : "one per worker");
  if (!info->params || !info->params->name)
    g_print ("  (none)\n");
  for (const DpParamSpec *p = info->params; p && p->name; p++)
    {
      g_autoptr (GString) extra = g_string_new (NULL);
      if (p->required)
        g_string_append (extra, ", required");
      if (p->flags & DP_PARAM_INPUT)
        g_string_append (extra, ", read (checked: must exist)");
      if (p->flags & DP_PARAM_OUTPUT)
        g_string_append (extra, ", written (checked: its directory must exist)");
      if (p->default_value)
        g_string_append_printf (extra, ", default: %s", *p->default_value ? p->default_value : "\"\"");
      if (p->type == DP_PARAM_ENUM)
        {
          g_autofree char *choices = g_strjoinv ("|", (char **) p->choices);
          g_string_append_printf (extra, ", one of: %s", choices);
        }
      if ((p->type == DP_PARAM_INT || p->type == DP_PARAM_DOUBLE) && p->min != p->max)
        g_string_append_printf (extra, p->type == DP_PARAM_INT ? ", range: %.0f..%.0f" : ", range: %g..%g",
                                p->min, p->max);
      g_print ("  %-16s %s%s\n  %16s %s\n", p->name, dp_param_type_to_string (p->type), extra->str,
               "", p->help);
    }
}

int
dp_cli_plugins (DpRegistry *reg, const char *stage, gboolean json)
{
  g_autoptr (GPtrArray) names = dp_registry_list (reg);
  const GPtrArray *problems = dp_registry_get_problems (reg);
  for (guint i = 0; i < problems->len; i++)
    g_printerr ("docpipe: warning: %s\n", (char *) g_ptr_array_index (problems, i));
  if (stage && !dp_registry_lookup (reg, stage))
    {
      const char *guess = dp_did_you_mean (stage, (const char *const *) names->pdata, names->len);
      g_printerr ("docpipe: no stage named '%s'%s%s%s\n", stage, guess ? " (did you mean '" : "",
                  guess ? guess : "", guess ? "'?)" : "");
      return DP_EXIT_USAGE;
    }
  if (json)
    {
      g_autoptr (JsonBuilder) jb = json_builder_new ();
      if (stage)
        stage_to_json (jb, dp_registry_lookup (reg, stage));
      else
        {
          json_builder_begin_array (jb);
          for (guint i = 0; i < names->len; i++)
            stage_to_json (jb, dp_registry_lookup (reg, g_ptr_array_index (names, i)));
          json_builder_end_array (jb);
        }
      g_autoptr (JsonNode) root = json_builder_get_root (jb);
      g_autofree char *text = json_to_string (root, TRUE);
      g_print ("%s\n", text);
      return DP_EXIT_OK;
    }
  if (stage)
    {
      print_stage (dp_registry_lookup (reg, stage));
      return DP_EXIT_OK;
    }
  int name_w = 0, plugin_w = 0;
  for (guint i = 0; i < names->len; i++)
    {
      const DpStageRef *ref = dp_registry_lookup (reg, g_ptr_array_index (names, i));
      name_w = MAX (name_w, (int) strlen (ref->info->name));
      plugin_w = MAX (plugin_w, (int) strlen (ref->plugin->descriptor->name));
    }
  for (guint i = 0; i < names->len; i++)
    {
      const DpStageRef *ref = dp_registry_lookup (reg, g_ptr_array_index (names, i));
      g_print ("%-*s  %-9s  %-*s  %s\n", name_w, ref->info->name, kind_name (ref->info->kind),
               plugin_w, ref->plugin->descriptor->name, ref->info->description);
    }
  if (names->len == 0)
    {
      const char *const *dirs = dp_registry_get_dirs (reg);
      g_autofree char *list = g_strjoinv (":", (char **) dirs);
      g_printerr ("docpipe: no plugins found (searched %s)\n", list);
    }
  return DP_EXIT_OK;
}
