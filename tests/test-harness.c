/* test-harness.c — libdocpipe-harness against the build tree's plugins and the
 * fixture stages: stages found by file and by directory, parameters validated
 * as a pipeline's are, records in and out as JSON, per-record failures with
 * their messages, stage failures, sources, sinks and finish.
 */
#include "harness-util.h"

#include <glib/gstdio.h>
#include <string.h>

#define FIXTURES DP_TEST_FIXTURES_GOOD "/fixtures.so"

static char *
id_of (const char *line)
{
  g_autoptr (JsonObject) obj = dp_test_parse_object (line);
  return g_strdup (json_object_get_string_member (obj, "id"));
}

/* A shipped plugin, found in a plugin directory by stage name. */
static void
test_normalizer (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new_parse (DP_TEST_PLUGINS, "normalizer html-entities=true", &error);
  g_assert_no_error (error);
  ht_push_ok (h, "{\"id\":\"n1\",\"text\":\"Fish &amp; chips, caf&eacute;.\"}");
  ht_push_ok (h, "{\"id\":\"n2\",\"text\":\"Nothing to do.\",\"meta\":{\"lang\":\"en\"}}");
  g_assert_cmpuint (dp_harness_get_n_output (h), ==, 0);   /* nothing runs before process */
  ht_process_ok (h);
  g_assert_cmpuint (dp_harness_get_n_output (h), ==, 2);
  g_assert_cmpuint (dp_harness_get_n_failed (h), ==, 0);
  g_autofree char *a = dp_harness_pull (h);
  g_autofree char *b = dp_harness_pull (h);
  g_assert_null (dp_harness_pull (h));
  g_autoptr (JsonObject) oa = dp_test_parse_object (a);
  g_autoptr (JsonObject) ob = dp_test_parse_object (b);
  g_assert_cmpstr (json_object_get_string_member (oa, "id"), ==, "n1");
  g_assert_cmpstr (json_object_get_string_member (oa, "text"), ==, "Fish & chips, café.");
  g_assert_cmpstr (json_object_get_string_member (oa, "source"), ==, "<harness>:1");
  g_assert_cmpstr (json_object_get_string_member (ob, "text"), ==, "Nothing to do.");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (ob, "meta"), "lang"), ==, "en");
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  /* Finished: no more records. */
  g_assert_false (dp_harness_push (h, "{\"text\":\"late\"}", &error));
  g_assert_nonnull (strstr (error->message, "already finished"));
}

/* A plugin file and one of its several stages; records failed one by one. */
static void
test_failed_records (void)
{
  g_autoptr (GError) error = NULL;
  const char *const params[] = { "fail-ids=b,d", NULL };
  g_autoptr (DpHarness) h = dp_harness_new (FIXTURES, "fail-some", params, &error);
  g_assert_no_error (error);
  for (const char *id = "abcde"; *id; id++)
    {
      g_autofree char *json = g_strdup_printf ("{\"id\":\"%c\",\"text\":\"Record %c.\"}", *id, *id);
      ht_push_ok (h, json);
    }
  ht_process_ok (h);
  g_assert_cmpuint (dp_harness_get_n_output (h), ==, 3);
  g_assert_cmpuint (dp_harness_get_n_failed (h), ==, 2);
  const char *const live[] = { "a", "c", "e" };
  for (guint i = 0; i < G_N_ELEMENTS (live); i++)
    {
      g_autofree char *line = dp_harness_pull (h);
      g_autofree char *id = id_of (line);
      g_assert_cmpstr (id, ==, live[i]);
    }
  const char *const dead[] = { "b", "d" };
  for (guint i = 0; i < G_N_ELEMENTS (dead); i++)
    {
      g_autofree char *message = NULL;
      g_autofree char *line = dp_harness_pull_failed (h, &message);
      g_autofree char *id = id_of (line);
      g_assert_cmpstr (id, ==, dead[i]);
      g_autofree char *want = g_strdup_printf ("record '%s' is on the fail list", dead[i]);
      g_assert_cmpstr (message, ==, want);
    }
  char *message = (char *) "not reset";   /* set to NULL when nothing is left */
  g_assert_null (dp_harness_pull_failed (h, &message));
  g_assert_null (message);

  /* A second batch is a batch of its own. */
  ht_push_ok (h, "{\"id\":\"f\",\"text\":\"F.\"}");
  ht_process_ok (h);
  g_autofree char *f = dp_harness_pull (h);
  g_autofree char *fid = id_of (f);
  g_assert_cmpstr (fid, ==, "f");
  /* Processing with nothing pushed calls nothing. */
  ht_process_ok (h);
  g_assert_cmpuint (dp_harness_get_n_output (h), ==, 0);
}

/* process() returning FALSE: the stage's error, naming it. */
static void
test_stage_failure (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new_parse (FIXTURES, "fail-some fatal-id=x", &error);
  g_assert_no_error (error);
  ht_push_ok (h, "{\"id\":\"ok\",\"text\":\"Fine.\"}");
  ht_push_ok (h, "{\"id\":\"x\",\"text\":\"Boom.\"}");
  g_assert_false (dp_harness_process (h, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "stage 'fail-some': fatal failure on record 'x'");
  g_assert_cmpuint (dp_harness_get_n_output (h), ==, 0);
}

static void
assert_new_fails (const char *plugin, const char *description, const char *expect)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new_parse (plugin, description, &error);
  g_assert_null (h);
  g_assert_nonnull (error);
  if (!strstr (error->message, expect))
    g_error ("expected «%s» in «%s»", expect, error->message);
}

static void
test_creation_errors (void)
{
  /* Parameters: validated exactly as a pipeline's, every problem at once. */
  assert_new_fails (DP_TEST_PLUGINS, "normalizer unicod=nfc", "stage 'normalizer': unknown key 'unicod' (did you mean 'unicode'?)");
  assert_new_fails (DP_TEST_PLUGINS, "normalizer unicode=nfd", "stage 'normalizer': key 'unicode': 'nfd' is not one of: nfc, nfkc");
  assert_new_fails (DP_TEST_PLUGINS, "normalizer reflow", "stage 'normalizer': expected KEY=VALUE, got 'reflow'");
  assert_new_fails (DP_TEST_PLUGINS, "reader", "stage 'reader': missing required key 'path'");
  assert_new_fails (FIXTURES, "ticker count=x delay-ms=-1",
                    "stage 'ticker': key 'count': 'x' is not a valid int\nstage 'ticker': key 'delay-ms'");
  /* create() failing. */
  assert_new_fails (FIXTURES, "fail-create", "stage 'fail-create': model file not found");
  /* Finding the stage. */
  assert_new_fails (DP_TEST_PLUGINS, "normaliser", "no stage 'normaliser' (did you mean 'normalizer'?)");
  assert_new_fails (DP_TEST_PLUGINS, "zzz", "no stage 'zzz' (available: ");
  assert_new_fails (FIXTURES, "tikcer", "plugin 'fixtures' has no stage 'tikcer' (did you mean 'ticker'?)");
  assert_new_fails ("/nonexistent/x.so", "ticker", "/nonexistent/x.so: cannot load plugin");
  assert_new_fails (DP_TEST_FIXTURES_BAD "/badabi.so", "future", "was built for docpipe plugin ABI 1.1; this docpipe needs ABI 2.x");
  assert_new_fails (DP_TEST_FIXTURES_BAD, "future", "note: ");
  assert_new_fails (FIXTURES, "ticker 'count=1", "'ticker 'count=1': ");

  g_autoptr (GError) error = NULL;
  g_assert_null (dp_harness_new (FIXTURES, NULL, NULL, &error));
  g_assert_nonnull (strstr (error->message, "has several stages (ticker, fail-some"));
  g_clear_error (&error);
  g_assert_null (dp_harness_new (DP_TEST_PLUGINS, NULL, NULL, &error));
  g_assert_nonnull (strstr (error->message, "is a directory: name the stage"));
  g_clear_error (&error);
  /* A plugin file with one stage needs no name. */
  g_autoptr (DpHarness) h = dp_harness_new (DP_TEST_PLUGINS "/normalizer.so", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (h);
}

static void
test_bad_records (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new_parse (FIXTURES, "capitals", &error);
  g_assert_no_error (error);
  g_assert_false (dp_harness_push (h, "{\"id\":\"a\"}", &error));
  g_assert_cmpstr (error->message, ==, "<harness>:1: no \"text\" field");
  g_clear_error (&error);
  g_assert_false (dp_harness_push (h, "not json", &error));
  g_assert_true (g_str_has_prefix (error->message, "<harness>:2: invalid JSON"));
  g_clear_error (&error);
  /* Rejected records are not in the batch. */
  ht_process_ok (h);
  g_assert_cmpuint (dp_harness_get_n_output (h), ==, 0);
}

/* Layers in and out, and the JSON flags. */
static void
test_layers_and_flags (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new_parse (FIXTURES, "capitals", &error);
  g_assert_no_error (error);
  ht_push_ok (h, "{\"id\":\"a\",\"text\":\"Über Bonn\"}");
  ht_process_ok (h);
  g_autofree char *line = dp_harness_pull (h);
  g_autoptr (JsonObject) obj = dp_test_parse_object (line);
  JsonArray *caps = json_object_get_array_member (json_object_get_object_member (obj, "layers"), "capitals");
  g_assert_cmpuint (json_array_get_length (caps), ==, 2);
  JsonObject *second = json_array_get_object_element (caps, 1);
  /* Code points, not bytes, as the writer writes them; span text by default. */
  g_assert_cmpint (json_object_get_int_member (second, "start"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (second, "end"), ==, 9);
  g_assert_cmpstr (json_object_get_string_member (second, "text"), ==, "Bonn");

  dp_harness_set_json_flags (h, DP_JSON_DEFAULT);
  ht_push_ok (h, "{\"id\":\"b\",\"text\":\"Bonn\"}");
  ht_process_ok (h);
  g_autofree char *line2 = dp_harness_pull (h);
  g_assert_null (strstr (line2, "\"text\":\"Bonn\"}"));
  g_assert_nonnull (strstr (line2, "\"start\":0,\"end\":4"));
}

static void
test_source (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new_parse (FIXTURES, "ticker count=7", &error);
  g_assert_no_error (error);
  dp_harness_set_batch_size (h, 3);
  g_assert_false (dp_harness_push (h, "{\"text\":\"x\"}", &error));
  g_assert_nonnull (strstr (error->message, "is a source"));
  g_clear_error (&error);
  ht_process_ok (h);
  g_assert_cmpuint (dp_harness_get_n_output (h), ==, 7);
  for (guint i = 0; i < 7; i++)
    {
      g_autofree char *line = dp_harness_pull (h);
      g_autofree char *id = id_of (line);
      g_autofree char *want = g_strdup_printf ("t%u", i);
      g_assert_cmpstr (id, ==, want);
    }
}

/* A source whose records are decoded later: bad lines are its failures, with their raw text. */
static void
test_source_decode (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-harness-XXXXXX");
  g_autofree char *in = g_build_filename (dir, "in.jsonl", NULL);
  g_file_set_contents (in, "{\"id\":\"a\",\"text\":\"A.\"}\nnot json\n{\"id\":\"c\",\"text\":\"C.\"}\n", -1, &error);
  g_assert_no_error (error);
  const char *const params[] = { "format=jsonl", NULL };
  g_autofree char *path_param = g_strdup_printf ("path=%s", in);
  const char *const all[] = { params[0], path_param, NULL };
  g_autoptr (DpHarness) h = dp_harness_new (DP_TEST_PLUGINS, "reader", all, &error);
  g_assert_no_error (error);
  ht_process_ok (h);
  g_assert_cmpuint (dp_harness_get_n_output (h), ==, 2);
  g_assert_cmpuint (dp_harness_get_n_failed (h), ==, 1);
  g_autofree char *message = NULL;
  g_autofree char *raw = dp_harness_pull_failed (h, &message);
  g_assert_cmpstr (raw, ==, "not json");
  g_assert_nonnull (strstr (message, "invalid JSON"));
  g_remove (in);
  g_rmdir (dir);
}

/* A sink: prepare, process, and its output after finish. */
static void
test_sink (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-harness-XXXXXX");
  g_autofree char *out = g_build_filename (dir, "out.jsonl", NULL);
  g_autofree char *desc = g_strdup_printf ("writer 'path=%s'", out);
  g_autoptr (DpHarness) h = dp_harness_new_parse (DP_TEST_PLUGINS, desc, &error);
  g_assert_no_error (error);
  ht_push_ok (h, "{\"id\":\"a\",\"text\":\"A.\"}");
  ht_push_ok (h, "{\"id\":\"b\",\"text\":\"B.\"}");
  ht_process_ok (h);
  ht_push_ok (h, "{\"id\":\"c\",\"text\":\"C.\"}");
  ht_process_ok (h);
  g_assert_cmpuint (dp_harness_get_n_output (h), ==, 3);   /* what the sink accepted */
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  g_autofree char *text = dp_test_read_file (out);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_autofree char *c = id_of (lines[2]);
  g_assert_cmpstr (c, ==, "c");
  g_remove (out);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/harness/normalizer", test_normalizer);
  g_test_add_func ("/harness/failed-records", test_failed_records);
  g_test_add_func ("/harness/stage-failure", test_stage_failure);
  g_test_add_func ("/harness/creation-errors", test_creation_errors);
  g_test_add_func ("/harness/bad-records", test_bad_records);
  g_test_add_func ("/harness/layers-and-flags", test_layers_and_flags);
  g_test_add_func ("/harness/source", test_source);
  g_test_add_func ("/harness/source-decode", test_source_decode);
  g_test_add_func ("/harness/sink", test_sink);
  return g_test_run ();
}
