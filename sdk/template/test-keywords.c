/* test-keywords.c — the keywords stage's own tests, run in-process with
 * docpipe's test harness (docpipe/harness.h): records go in as JSON lines,
 * come out as JSON lines, no pipeline, files or threads involved.
 *
 *   ./test-keywords [PATH/TO/keywords.so]      (default: ./keywords.so)
 *
 * Copy and adapt it along with keywords.c.
 */
#include <docpipe/harness.h>

#include <string.h>

static const char *plugin_path = "./keywords.so";

static DpHarness *
new_stage (const char *description)
{
  g_autoptr (GError) error = NULL;
  DpHarness *h = dp_harness_new_parse (plugin_path, description, &error);
  g_assert_no_error (error);
  return h;
}

/* Pushes one JSON record through the stage and returns what comes out. */
static char *
run_one (DpHarness *h, const char *json)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_harness_push (h, json, &error));
  g_assert_no_error (error);
  g_assert_true (dp_harness_process (h, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dp_harness_get_n_failed (h), ==, 0);
  char *out = dp_harness_pull (h);
  g_assert_nonnull (out);
  return out;
}

static JsonObject *
parse_object (const char *line)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* The record's keywords as "start-end:text" items (code-point offsets, as in the JSON). */
static char *
keywords_of (const char *line)
{
  g_autoptr (JsonObject) rec = parse_object (line);
  g_autoptr (GString) out = g_string_new (NULL);
  JsonObject *layers = json_object_has_member (rec, "layers") ? json_object_get_object_member (rec, "layers") : NULL;
  JsonArray *spans = layers && json_object_has_member (layers, "keywords")
                       ? json_object_get_array_member (layers, "keywords") : NULL;
  for (guint i = 0; spans && i < json_array_get_length (spans); i++)
    {
      JsonObject *s = json_array_get_object_element (spans, i);
      g_assert_cmpstr (json_object_get_string_member (s, "label"), ==, "KEYWORD");
      g_string_append_printf (out, "%s%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT ":%s", out->len ? " " : "",
                              json_object_get_int_member (s, "start"), json_object_get_int_member (s, "end"),
                              json_object_get_string_member (s, "text"));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_tags_keywords (void)
{
  g_autoptr (DpHarness) h = new_stage ("keywords words=Iran,IAEA");
  g_autofree char *out = run_one (h, "{\"id\":\"a\",\"text\":\"Iran and the IAEA met in Vienna; iran said no.\"}");
  g_autofree char *kw = keywords_of (out);
  g_assert_cmpstr (kw, ==, "0-4:Iran 13-17:IAEA 33-37:iran");
  /* Offsets count characters, not bytes. */
  g_autofree char *out2 = run_one (h, "{\"id\":\"b\",\"text\":\"Über Iran\"}");
  g_autofree char *kw2 = keywords_of (out2);
  g_assert_cmpstr (kw2, ==, "5-9:Iran");
}

/* The stage's output fed back to it (a second run over a processed file)
 * gives the same layer, not the keywords twice. */
static void
test_rerun_does_not_double (void)
{
  g_autoptr (DpHarness) h = new_stage ("keywords words=iran");
  g_autofree char *once = run_one (h, "{\"id\":\"a\",\"text\":\"Iran, Iran.\"}");
  g_autofree char *twice = run_one (h, once);
  g_autofree char *kw_once = keywords_of (once);
  g_autofree char *kw_twice = keywords_of (twice);
  g_assert_cmpstr (kw_once, ==, "0-4:Iran 6-10:Iran");
  g_assert_cmpstr (kw_twice, ==, kw_once);
  g_assert_cmpstr (twice, ==, once);
}

static void
test_parameters (void)
{
  g_autoptr (GError) error = NULL;
  g_assert_null (dp_harness_new_parse (plugin_path, "keywords", &error));
  g_assert_nonnull (strstr (error->message, "missing required key 'words'"));
  g_clear_error (&error);
  g_assert_null (dp_harness_new_parse (plugin_path, "keywords words=x wrds=y", &error));
  g_assert_nonnull (strstr (error->message, "unknown key 'wrds' (did you mean 'words'?)"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc > 1)
    plugin_path = argv[1];
  g_test_add_func ("/keywords/tags-keywords", test_tags_keywords);
  g_test_add_func ("/keywords/rerun-does-not-double", test_rerun_does_not_double);
  g_test_add_func ("/keywords/parameters", test_parameters);
  return g_test_run ();
}
