/* test-report.c — the report stage's pieces in process: escaping, a record's
 * data block and facts, the overview's counts, and the stage through the
 * harness (limits, the policy's hashes, an output only on success).  The
 * page in a browser: test-report-browser.py. */
#include "test-util.h"

#include <docpipe/harness.h>

#include "doc.h"
#include "escape.h"
#include "overview.h"
#include "page.h"

/* Strings that would end or change a data block, a script or an attribute. */
static const char *const hostile[] = {
  "</script><script>alert(1)</script>", "<!-- <script>", "\"><img src=x onerror=alert(1)>",
  "javascript:alert(1)", "</textarea>", "line\u2028separator\u2029paragraph",
  "quote \" backslash \\ tab \t nl \n cr \r nul-free \x01\x1f\x7f", "&amp; &lt; ]]> </style>",
  "\U0001F600 astral", "", NULL
};

static void
test_html_escape (void)
{
  g_autoptr (GString) out = g_string_new (NULL);
  rp_html_append (out, "<a href=\"x\">'&b</a>", -1);
  g_assert_cmpstr (out->str, ==, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;b&lt;/a&gt;");
  g_string_truncate (out, 0);
  rp_html_append (out, "a<b", 2);
  g_assert_cmpstr (out->str, ==, "a&lt;");
  for (guint i = 0; hostile[i]; i++)
    {
      g_string_truncate (out, 0);
      rp_html_append (out, hostile[i], -1);
      g_assert_null (strpbrk (out->str, "<>\"'"));
    }
}

static void
test_json_escape (void)
{
  for (guint i = 0; hostile[i]; i++)
    {
      g_autoptr (GString) out = g_string_new (NULL);
      rp_json_append (out, hostile[i], -1);
      g_assert_null (strpbrk (out->str, "<>&"));
      g_assert_null (strstr (out->str, "\u2028"));
      g_assert_null (strstr (out->str, "\u2029"));
      for (const char *p = out->str; *p; p++)
        g_assert_cmpint ((guchar) *p, >=, 0x20);
      /* It is still JSON, for the same string. */
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GError) error = NULL;
      g_assert_true (json_parser_load_from_data (parser, out->str, (gssize) out->len, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (json_node_get_string (json_parser_get_root (parser)), ==, hostile[i]);
    }
  g_autoptr (GString) out = g_string_new (NULL);
  rp_json_append (out, "</script>", -1);
  g_assert_cmpstr (out->str, ==, "\"\\u003c/script\\u003e\"");
}

static void
test_json_cut (void)
{
  g_autoptr (GString) out = g_string_new (NULL);
  rp_json_append_cut (out, "abc", 3);
  g_assert_cmpstr (out->str, ==, "\"abc\"");
  g_string_truncate (out, 0);
  /* é is two bytes: a cut at 2 falls inside it and moves before it. */
  rp_json_append_cut (out, "aé<b", 2);
  g_assert_cmpstr (out->str, ==, "\"a…\"");
  g_string_truncate (out, 0);
  rp_json_append_cut (out, "aé<b", 3);
  g_assert_cmpstr (out->str, ==, "\"aé…\"");
}

static DpRecord *
record (const char *json)
{
  g_autoptr (GError) error = NULL;
  DpRecord *rec = dp_record_new ("x", "test", "", 0, &error);
  g_assert_no_error (error);
  g_assert_true (dp_record_load_json (rec, json, strlen (json), &error));
  g_assert_no_error (error);
  return rec;
}

static JsonObject *
parse_object (const char *s, gsize len, JsonParser **keep)
{
  g_autoptr (GError) error = NULL;
  *keep = json_parser_new ();
  g_assert_true (json_parser_load_from_data (*keep, s, (gssize) len, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (*keep));
}

/* Text with an astral character (two UTF-16 units, one code point, four
 * bytes) before the spans: the data block counts UTF-16 units. */
static const char doc_json[] =
  "{\"id\":\"a\",\"text\":\"\\ud83d\\ude00 Ana Lima said that Brazil and Peru agreed last month.\","
  "\"meta\":{\"title\":\"<b>T</b>\",\"date\":\"2026-02-03T10:00\",\"n\":3,\"list\":[1]},"
  "\"layers\":{\"entities\":["
  "{\"start\":2,\"end\":10,\"label\":\"PER\",\"canonical\":\"Ana Lima\",\"cluster\":1},"
  "{\"start\":21,\"end\":27,\"label\":\"LOC\",\"canonical\":\"Brazil\"},"
  "{\"start\":32,\"end\":36,\"label\":\"LOC\"},"
  "{\"start\":44,\"end\":54,\"label\":\"DATE\"},"
  "{\"start\":21,\"end\":27,\"label\":\"LOC\",\"canonical\":\"Brazil\"}],"
  "\"claims\":[{\"start\":16,\"end\":54,\"act\":\"assert\",\"kind\":\"indirect\","
  "\"cue\":{\"start\":11,\"end\":15},\"speaker\":{\"start\":2,\"end\":10,\"entity\":\"entities-1\",\"canonical\":\"Ana Lima\"},"
  "\"hedges\":[{\"start\":16,\"end\":20}]},"
  "{\"start\":0,\"end\":1,\"act\":null}]}}";

static void
test_doc (void)
{
  g_autoptr (DpRecord) rec = record (doc_json);
  g_autoptr (RpDoc) doc = rp_doc_new (rec);
  g_assert_null (strpbrk (doc->json->str, "<>&"));
  g_autoptr (JsonParser) p = NULL;
  JsonObject *o = parse_object (doc->json->str, doc->json->len, &p);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, "a");
  JsonArray *e = json_object_get_array_member (o, "e");
  g_assert_cmpuint (json_array_get_length (e), ==, 5);
  /* Code point 2 is UTF-16 unit 3. */
  JsonArray *e0 = json_array_get_array_element (e, 0);
  g_assert_cmpint (json_array_get_int_element (e0, 0), ==, 3);
  g_assert_cmpint (json_array_get_int_element (e0, 1), ==, 11);
  g_assert_cmpstr (json_array_get_string_element (e0, 3), ==, "Ana Lima");
  g_assert_cmpint (json_array_get_int_element (e0, 4), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (e0, 5), ==, "entities-1");
  /* Without a canonical name, the entity's words stand for it. */
  g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (e, 2), 3), ==, "Peru");
  g_assert_true (json_array_get_null_element (json_array_get_array_element (e, 2), 4));
  JsonArray *c0 = json_array_get_array_element (json_object_get_array_member (o, "c"), 0);
  g_assert_cmpint (json_array_get_int_element (c0, 0), ==, 17);
  g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (c0, 4), 0), ==, 12);
  g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (c0, 5), 2), ==, "entities-1");
  g_assert_cmpint (json_array_get_length (json_array_get_array_element (c0, 6)), ==, 1);
  /* meta: scalars as text, structures only named. */
  JsonArray *meta = json_object_get_array_member (o, "meta");
  g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (meta, 2), 1), ==, "3");
  g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (meta, 3), 1), ==,
                   "(structured value, not shown)");

  /* The facts: distinct entities, the date's first ten characters, the claim's
   * speaker linked to its entity, the entities it is about (not the DATE, not
   * the speaker, Brazil once), a claim without act counted as "other". */
  g_assert_cmpstr (doc->title, ==, "<b>T</b>");
  g_assert_cmpstr (doc->date, ==, "2026-02-03");
  g_assert_cmpuint (doc->entities->len, ==, 4);
  g_assert_cmpuint (((RpDocEntity *) doc->entities->pdata[1])->mentions, ==, 2);
  g_assert_cmpuint (doc->mentions, ==, 5);
  g_assert_cmpuint (doc->claims->len, ==, 2);
  RpDocClaim *c = doc->claims->pdata[0];
  g_assert_cmpstr (c->speaker, ==, "Ana Lima");
  g_assert_cmpint (c->speaker_entity, ==, 0);
  g_assert_cmpuint (c->mentioned->len, ==, 2);
  g_assert_cmpuint (g_array_index (c->mentioned, guint, 0), ==, 1);
  g_assert_cmpuint (g_array_index (c->mentioned, guint, 1), ==, 2);
  RpDocClaim *c1 = doc->claims->pdata[1];
  g_assert_null (c1->speaker);
  g_assert_cmpstr (c1->act, ==, "other");
  g_assert_cmpuint (doc->layers->len, ==, 2);
}

static void
test_doc_without_layers (void)
{
  g_autoptr (DpRecord) rec = record ("{\"id\":\"b\",\"text\":\"</script>\"}");
  g_autoptr (RpDoc) doc = rp_doc_new (rec);
  g_assert_cmpstr (doc->json->str, ==,
                   "{\"id\":\"b\",\"src\":\"test\",\"meta\":[],\"text\":\"\\u003c/script\\u003e\","
                   "\"e\":[],\"c\":[],\"layers\":[]}");
  g_assert_null (doc->date);
  g_assert_cmpuint (doc->entities->len + doc->claims->len + doc->layers->len, ==, 0);
}

static void
test_overview (void)
{
  g_autoptr (RpOverview) ov = rp_overview_new ();
  g_autoptr (DpRecord) r1 = record (doc_json);
  g_autoptr (DpRecord) r2 = record ("{\"id\":\"b\",\"text\":\"Peru.\",\"meta\":{\"date\":\"2026-01-01\"},"
                                    "\"layers\":{\"entities\":[{\"start\":0,\"end\":4,\"label\":\"LOC\"}]}}");
  g_autoptr (DpRecord) r3 = record ("{\"id\":\"c\",\"text\":\"x\"}");
  g_autoptr (RpDoc) d1 = rp_doc_new (r1);
  g_autoptr (RpDoc) d2 = rp_doc_new (r2);
  g_autoptr (RpDoc) d3 = rp_doc_new (r3);
  rp_overview_add (ov, d1, TRUE, 0);
  rp_overview_add (ov, d2, TRUE, 1);
  rp_overview_omit (ov, d3->json->len);
  rp_overview_add (ov, d3, FALSE, 0);
  g_autoptr (GString) out = g_string_new (NULL);
  rp_overview_write (ov, out, "{\"title\":\"t\"}");
  g_assert_null (strpbrk (out->str, "<>&"));
  g_autoptr (JsonParser) p = NULL;
  JsonObject *o = parse_object (out->str, out->len, &p);
  JsonObject *run = json_object_get_object_member (o, "run");
  g_assert_cmpstr (json_object_get_string_member (run, "title"), ==, "t");
  g_assert_cmpint (json_object_get_int_member (run, "docs"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (run, "embedded"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (run, "omitted"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (run, "claims"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (run, "mentions"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (run, "undated"), ==, 1);
  /* LOC: Brazil twice and Peru in document a, Peru in b. */
  JsonArray *loc = json_array_get_array_element (json_object_get_array_member (o, "labels"), 1);
  g_assert_cmpstr (json_array_get_string_element (loc, 0), ==, "LOC");
  g_assert_cmpint (json_array_get_int_element (loc, 1), ==, 4);
  g_assert_cmpint (json_array_get_int_element (loc, 2), ==, 2);
  JsonArray *peru = json_array_get_array_element (json_object_get_array_member (o, "ents"), 2);
  g_assert_cmpstr (json_array_get_string_element (peru, 0), ==, "Peru");
  g_assert_cmpint (json_array_get_int_element (peru, 2), ==, 2);
  JsonArray *spk = json_array_get_array_element (json_object_get_array_member (o, "spks"), 0);
  g_assert_cmpstr (json_array_get_string_element (spk, 0), ==, "Ana Lima");
  g_assert_cmpint (json_array_get_int_element (spk, 1), ==, 0);
  g_assert_cmpint (json_array_get_int_element (spk, 2), ==, 1);
  /* Dates in date order, whatever order they came in. */
  JsonArray *dates = json_object_get_array_member (o, "dates");
  g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (dates, 0), 0), ==, "2026-01-01");
  g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (dates, 1), 2), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "edges")), ==, 2);
  JsonArray *docs = json_object_get_array_member (o, "docs");
  g_assert_cmpuint (json_array_get_length (docs), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (docs, 0), 2), ==, "<b>T</b>");
}

/* The page's policy allows its script and stylesheet by their hashes: a
 * wrong hash would leave the page blank in a browser. */
static void
assert_hash_allowed (const char *page, const char *open, const char *close, const char *directive)
{
  const char *start = strstr (page, open);
  while (start && strstr (start + 1, open))
    start = strstr (start + 1, open);   /* the last one: the script after the data blocks */
  g_assert_nonnull (start);
  start += strlen (open);
  const char *end = strstr (start, close);
  g_assert_nonnull (end);
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, (const guchar *) start, end - start);
  guint8 digest[32];
  gsize len = sizeof digest;
  g_checksum_get_digest (sum, digest, &len);
  g_autofree char *b64 = g_base64_encode (digest, len);
  g_autofree char *want = g_strdup_printf ("%s &#39;sha256-%s&#39;;", directive, b64);
  g_assert_nonnull (strstr (page, want));
}

static void
test_stage (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("report-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "r.html", NULL);
  g_autofree char *desc = g_strdup_printf ("report path=%s max-documents=2 title='<i>x</i>'", path);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new_parse (DP_TEST_PLUGINS "/report.so", desc, &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_push (h, doc_json, &error));
  g_assert_true (dp_harness_push (h, "{\"id\":\"b\",\"text\":\"</script><!--\\u2028\"}", &error));
  g_assert_true (dp_harness_push (h, "{\"id\":\"c\",\"text\":\"qqzz-omitted\"}", &error));
  g_assert_true (dp_harness_process (h, &error));
  g_assert_no_error (error);
  /* Nothing at the path until the run finishes. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  g_autofree char *page = NULL;
  g_assert_true (g_file_get_contents (path, &page, NULL, &error));
  g_assert_nonnull (strstr (page, "<title>&lt;i&gt;x&lt;/i&gt;</title>"));
  g_assert_nonnull (strstr (page, "content=\"default-src &#39;none&#39;; script-src"));
  g_assert_nonnull (strstr (page, "id=\"d1\">"));
  g_assert_null (strstr (page, "id=\"d2\">"));
  g_assert_null (strstr (page, "qqzz-omitted"));
  g_assert_nonnull (strstr (page, "\"docs\":3,\"embedded\":2,\"omitted\":1"));
  /* Outside our own two blocks, no script and no style. */
  g_auto (GStrv) plain = g_strsplit (page, "<script>", -1);
  g_assert_cmpuint (g_strv_length (plain) - 1, ==, 1);
  g_auto (GStrv) scripts = g_strsplit (page, "<script", -1);
  g_assert_cmpuint (g_strv_length (scripts) - 1, ==, 2 + 1 + 1);
  assert_hash_allowed (page, "<script>", "</script>", "script-src");
  assert_hash_allowed (page, "<style>", "</style>", "style-src");
  dp_test_remove_tree (dir);
}

/* max-size: the first document whose data block would pass the limit, and
 * every later one, even a small one, is left out and counted as such. */
static void
test_stage_max_size (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("report-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "r.html", NULL);
  g_autofree char *desc = g_strdup_printf ("report path=%s max-size=1", path);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new_parse (DP_TEST_PLUGINS "/report.so", desc, &error);
  g_assert_no_error (error);
  g_autofree char *big = g_strnfill (600 * 1024, 'a');
  g_autofree char *rec = g_strdup_printf ("{\"id\":\"big\",\"text\":\"%s\"}", big);
  g_assert_true (dp_harness_push (h, rec, &error));
  g_assert_true (dp_harness_push (h, rec, &error));
  g_assert_true (dp_harness_push (h, "{\"id\":\"small\",\"text\":\"s\"}", &error));
  g_assert_true (dp_harness_process (h, &error));
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
  g_autofree char *page = NULL;
  g_assert_true (g_file_get_contents (path, &page, NULL, &error));
  g_assert_nonnull (strstr (page, "id=\"d0\">"));
  g_assert_null (strstr (page, "id=\"d1\">"));
  g_assert_nonnull (strstr (page, "\"docs\":3,\"embedded\":1,\"omitted\":2,\"omitted_bytes\":"));
  dp_test_remove_tree (dir);
}

/* A report whose run fails leaves an existing file as it was. */
static void
test_stage_unfinished (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("report-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "r.html", NULL);
  g_assert_true (g_file_set_contents (path, "old", -1, NULL));
  g_autofree char *desc = g_strdup_printf ("report path=%s", path);
  g_autoptr (GError) error = NULL;
  DpHarness *h = dp_harness_new_parse (DP_TEST_PLUGINS "/report.so", desc, &error);
  g_assert_no_error (error);
  g_assert_true (dp_harness_push (h, doc_json, &error));
  g_assert_true (dp_harness_process (h, &error));
  dp_harness_free (h);
  g_autofree char *page = NULL;
  g_assert_true (g_file_get_contents (path, &page, NULL, &error));
  g_assert_cmpstr (page, ==, "old");
  dp_test_remove_tree (dir);
}

static void
test_page_assets (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RpPage) page = rp_page_new (&error);
  g_assert_no_error (error);
  g_autoptr (GString) tail = g_string_new (NULL);
  g_autoptr (GString) index = g_string_new ("{}");
  rp_page_tail (page, tail, index);
  /* The script and stylesheet cannot end their own elements early. */
  const char *script = strstr (tail->str, "<script>") + strlen ("<script>");
  g_assert_true (g_str_has_suffix (tail->str, "</script>\n</body>\n</html>\n"));
  g_assert_cmpuint ((gsize) (strstr (script, "</script") - tail->str), ==, tail->len - strlen ("</script>\n</body>\n</html>\n"));
  g_assert_null (strstr (script, "<!--"));
  g_autoptr (GString) head = g_string_new (NULL);
  rp_page_head (page, head, "t");
  const char *style = strstr (head->str, "<style>");
  g_assert_nonnull (style);
  g_assert_true (strstr (style, "</style") == strstr (style, "</style>\n</head>"));
  g_assert_null (strstr (head->str, "<!--"));
  g_assert_nonnull (strstr (rp_page_get_csp (page), "default-src 'none'"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/report/escape/html", test_html_escape);
  g_test_add_func ("/report/escape/json", test_json_escape);
  g_test_add_func ("/report/escape/json-cut", test_json_cut);
  g_test_add_func ("/report/doc", test_doc);
  g_test_add_func ("/report/doc/without-layers", test_doc_without_layers);
  g_test_add_func ("/report/overview", test_overview);
  g_test_add_func ("/report/page/assets", test_page_assets);
  g_test_add_func ("/report/stage", test_stage);
  g_test_add_func ("/report/stage/max-size", test_stage_max_size);
  g_test_add_func ("/report/stage/unfinished", test_stage_unfinished);
  return g_test_run ();
}
