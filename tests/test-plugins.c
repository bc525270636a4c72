/* test-plugins.c — the plugin loader and a conformance check of every stage we ship.
 *
 * Loader: a plugin built for another ABI, a shared object without a
 * descriptor, a broken parameter table and a file that is not a library are
 * each refused with a message that names the file and the reason.
 * Conformance (as GStreamer's generic tests do for its elements): every stage
 * in the build tree has a valid descriptor and documented parameters, can be
 * created with its defaults, handles an empty batch and is destroyed cleanly.
 */
#include "loader.h"
#include "pipeline.h"
#include "batch-private.h"
#include "core.h"

#include <glib/gstdio.h>
#include <string.h>

static void
test_abi_mismatch (void)
{
  g_autoptr (GError) error = NULL;
  DpPlugin *plugin = dp_plugin_open (DP_TEST_FIXTURES_BAD "/badabi.so", &error);
  g_assert_null (plugin);
  g_assert_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PLUGIN);
  g_assert_cmpstr (error->message, ==,
                   DP_TEST_FIXTURES_BAD "/badabi.so was built for docpipe plugin ABI 1.1; this docpipe "
                   "needs ABI 2.x — rebuild it against the installed SDK");
}

/* Bound at load time, the old plugin fails in dlopen (a symbol 2.0 hides);
 * the message still says what to do. */
static void
test_abi_mismatch_bind_now (void)
{
  const char *argv[] = { DP_TEST_DOCPIPE, "plugins", "-P", DP_TEST_FIXTURES_BAD, NULL };
  g_auto (GStrv) env = g_environ_setenv (g_get_environ (), "LD_BIND_NOW", "1", TRUE);
  g_autofree char *out = NULL, *err = NULL;
  int status = -1;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "badabi.so: cannot load plugin: "));
  g_assert_nonnull (strstr (err, "undefined symbol: dp_record_get_raw"));
  g_assert_nonnull (strstr (err, "probably built for another plugin ABI — rebuild it against the installed SDK"));
}

/* A plugin built for a newer minor ABI may use functions this docpipe lacks. */
static void
test_abi_newer_minor (void)
{
  static const DpStageInfo *const none[] = { NULL };
  DpPluginDescriptor d = { .abi_major = DP_ABI_MAJOR, .abi_minor = DP_ABI_MINOR + 1,
                           .struct_size = sizeof d, .stage_info_size = sizeof (DpStageInfo),
                           .name = "newer", .version = "1", .license = "MIT", .description = "x",
                           .stages = none };
  g_autoptr (GError) error = NULL;
  g_assert_false (dp_plugin_check_descriptor (&d, "newer.so", &error));
  g_autofree char *expected = g_strdup_printf (
    "newer.so was built for docpipe plugin ABI %d.%d; this docpipe (%s) provides ABI %d.%d — "
    "rebuild it against the installed SDK, or upgrade docpipe",
    DP_ABI_MAJOR, DP_ABI_MINOR + 1, DP_VERSION, DP_ABI_MAJOR, DP_ABI_MINOR);
  g_assert_cmpstr (error->message, ==, expected);
}

/* dp_plugin_get_data_dir(): the source tree's plugins/NAME/data for the build
 * tree's plugins; DATADIR/docpipe/NAME relative to an installed plugin. */
static void
test_data_dir (void)
{
  DpLoadOptions opts = { DP_TEST_PLUGINS ":" DP_TEST_FIXTURES_GOOD, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (DpPipeline) pl = dp_pipeline_parse_expression ("ticker ! ner ! writer", &opts, &error);
  g_assert_no_error (error);
  DpStageConfig *ner = g_ptr_array_index (pl->stages, 1);
  g_autofree char *src_data = g_canonicalize_filename (DP_TEST_SRCDIR "/plugins/ner/data", NULL);
  g_assert_cmpstr (dp_plugin_get_data_dir (ner->params), ==, src_data);
  g_assert_true (g_file_test (dp_plugin_get_data_dir (ner->params), G_FILE_TEST_IS_DIR));

  /* A plugin outside the build tree: as if installed in PREFIX/LIBDIR/docpipe/plugins. */
  DpStageConfig *ticker = g_ptr_array_index (pl->stages, 0);
  const char *dir = dp_plugin_get_data_dir (ticker->params);
  g_assert_true (g_str_has_suffix (dir, "/docpipe/fixtures"));
  g_assert_false (g_str_has_prefix (dir, DP_TEST_SRCDIR "/plugins"));
  g_autofree char *installed = dp_plugin_data_dir_for ("/opt/dp/lib/docpipe/plugins/keywords.so", "keywords");
  g_assert_true (g_str_has_prefix (installed, "/opt/"));
  g_assert_true (g_str_has_suffix (installed, "/docpipe/keywords"));
  g_assert_null (strstr (installed, ".."));
}

static void
test_no_descriptor (void)
{
  g_autoptr (GError) error = NULL;
  g_assert_null (dp_plugin_open (DP_TEST_FIXTURES_BAD "/nodesc.so", &error));
  g_assert_nonnull (strstr (error->message, "nodesc.so: not a docpipe plugin (no 'dp_plugin_descriptor' symbol"));
}

static void
test_bad_table (void)
{
  g_autoptr (GError) error = NULL;
  g_assert_null (dp_plugin_open (DP_TEST_FIXTURES_BAD "/badtable.so", &error));
  g_assert_nonnull (strstr (error->message, "plugin 'badtable': stage 'badtable': default of key 'size': 'large' is not a valid int"));
}

static void
test_not_a_library (void)
{
  g_autofree char *dir = g_dir_make_tmp ("docpipe-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "garbage.so", NULL);
  g_assert_true (g_file_set_contents (path, "this is not an ELF file\n", -1, NULL));
  g_autoptr (GError) error = NULL;
  g_assert_null (dp_plugin_open (path, &error));
  g_autofree char *prefix = g_strdup_printf ("%s: cannot load plugin: ", path);
  g_assert_true (g_str_has_prefix (error->message, prefix));

  /* A registry over the directory lists the refusal and offers no stages. */
  const char *dirs[] = { dir, NULL };
  g_autoptr (DpRegistry) reg = dp_registry_new (dirs);
  g_assert_cmpuint (dp_registry_get_problems (reg)->len, ==, 1);
  g_autoptr (GPtrArray) names = dp_registry_list (reg);
  g_assert_cmpuint (names->len, ==, 0);
  g_remove (path);
  g_rmdir (dir);
}

static void
test_unknown_plugin_explains_refusals (void)
{
  DpLoadOptions opts = { DP_TEST_PLUGINS ":" DP_TEST_FIXTURES_BAD, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (DpPipeline) pl = dp_pipeline_parse_expression ("reader path=- ! future ! writer", &opts, &error);
  g_assert_null (pl);
  g_assert_nonnull (strstr (error->message, "-e:stage 2: stage 'future': unknown plugin 'future'"));
  g_assert_nonnull (strstr (error->message, "note: " DP_TEST_FIXTURES_BAD "/badabi.so was built for docpipe plugin ABI 1.1"));
}

static void
test_search_order (void)
{
  /* The first directory that provides a stage wins; the fixture dir has no reader. */
  const char *dirs[] = { DP_TEST_FIXTURES_GOOD, DP_TEST_PLUGINS, NULL };
  g_autoptr (DpRegistry) reg = dp_registry_new (dirs);
  g_assert_true (g_str_has_prefix (dp_registry_lookup (reg, "ticker")->plugin->path, DP_TEST_FIXTURES_GOOD));
  g_assert_true (g_str_has_prefix (dp_registry_lookup (reg, "reader")->plugin->path, DP_TEST_PLUGINS));
  g_assert_null (dp_registry_lookup (reg, "no-such-stage"));
}

static void
test_dirs_order (void)
{
  /* --plugin-path, then $DOCPIPE_PLUGIN_PATH, then the pipeline's, then the build tree. */
  g_setenv ("DOCPIPE_PLUGIN_PATH", "/env/a::/env/b", TRUE);
  g_auto (GStrv) dirs = dp_plugin_dirs ("/cli/a:/cli/b", "/pipeline/a");
  g_unsetenv ("DOCPIPE_PLUGIN_PATH");
  const char *expected[] = { "/cli/a", "/cli/b", "/env/a", "/env/b", "/pipeline/a" };
  g_assert_cmpuint (g_strv_length (dirs), ==, G_N_ELEMENTS (expected) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (dirs[i], ==, expected[i]);
  /* The test binary runs from the build tree's bin/, so the last entry is the build
   * tree's plugin directory; never the current directory. */
  g_assert_cmpstr (dirs[G_N_ELEMENTS (expected)], ==, DP_TEST_PLUGINS);
  for (guint i = 0; dirs[i]; i++)
    g_assert_true (g_path_is_absolute (dirs[i]));
}

/* Gives every required parameter a harmless value. */
static void
fill_required (DpParams *params, const DpParamSpec *specs, const char *file)
{
  for (const DpParamSpec *p = specs; p && p->name; p++)
    if (p->required)
      {
        g_autoptr (GError) error = NULL;
        const char *value = p->type == DP_PARAM_PATH ? file
                          : p->type == DP_PARAM_ENUM ? p->choices[0]
                          : p->type == DP_PARAM_BOOL ? "false"
                          : p->type == DP_PARAM_STRING ? "x" : "1";
        g_assert_true (dp_params_set (params, p->name, value, &error));
        g_assert_no_error (error);
      }
}

static void
check_stage (const DpStageRef *ref, const char *file)
{
  const DpStageInfo *info = ref->info;
  g_test_message ("stage %s", info->name);
  g_assert_true (info->description && *info->description);
  for (const DpParamSpec *p = info->params; p && p->name; p++)
    g_assert_true (p->help && strlen (p->help) > 10);

  g_autoptr (DpParams) params = dp_stage_ref_new_params (ref, info->name, g_get_tmp_dir ());
  fill_required (params, info->params, file);
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_params_check_required (params, &error));
  gpointer self = info->create ? info->create (params, &error) : NULL;
  g_assert_no_error (error);

  DpBatch *batch = dp_batch_new (0);
  switch (info->kind)
    {
    case DP_STAGE_SOURCE:
      g_assert_true (info->read (self, batch, 4, &error));
      break;
    case DP_STAGE_SINK:
      if (info->prepare)
        g_assert_true (info->prepare (self, batch, &error));
      G_GNUC_FALLTHROUGH;
    case DP_STAGE_TRANSFORM:
      g_assert_true (info->process (self, batch, &error));
      break;
    }
  g_assert_no_error (error);
  dp_batch_free (batch);
  if (info->finish)
    g_assert_true (info->finish (self, &error));
  g_assert_no_error (error);
  if (info->destroy && self)
    info->destroy (self);
}

static void
test_conformance (void)
{
  g_autofree char *dir = g_dir_make_tmp ("docpipe-test-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "input.txt", NULL);
  g_assert_true (g_file_set_contents (file, "A short document.\n", -1, NULL));
  const char *dirs[] = { DP_TEST_PLUGINS, NULL };
  g_autoptr (DpRegistry) reg = dp_registry_new (dirs);
  g_assert_cmpuint (dp_registry_get_problems (reg)->len, ==, 0);
  g_autoptr (GPtrArray) names = dp_registry_list (reg);
  g_assert_cmpuint (names->len, >=, 2);
  for (guint i = 0; i < names->len; i++)
    check_stage (dp_registry_lookup (reg, g_ptr_array_index (names, i)), file);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_remove (path);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/plugins/abi-mismatch", test_abi_mismatch);
  g_test_add_func ("/plugins/abi-newer-minor", test_abi_newer_minor);
  g_test_add_func ("/plugins/abi-mismatch-bind-now", test_abi_mismatch_bind_now);
  g_test_add_func ("/plugins/data-dir", test_data_dir);
  g_test_add_func ("/plugins/no-descriptor", test_no_descriptor);
  g_test_add_func ("/plugins/bad-table", test_bad_table);
  g_test_add_func ("/plugins/not-a-library", test_not_a_library);
  g_test_add_func ("/plugins/unknown-plugin-explains-refusals", test_unknown_plugin_explains_refusals);
  g_test_add_func ("/plugins/search-order", test_search_order);
  g_test_add_func ("/plugins/dirs-order", test_dirs_order);
  g_test_add_func ("/plugins/conformance", test_conformance);
  return g_test_run ();
}
