/* test-record.c — the record model (core/record.c) and its JSON edge
 * (core/record-json.c): construction and UTF-8 checks, fields, layers and
 * spans, byte <-> code-point offsets, JSON output (exact strings), JSON input
 * (round trips, field errors, nesting limits), deferred records, and the
 * token / sentence caches.  Expected values are written out by hand. */
#include "record-private.h"
#include "record-deferred.h"
#include <docpipe/alignment.h>

#include <string.h>

/* A text with 1-, 2-, 3- and 4-byte characters:
 *   char:  a  é    “    😀    b
 *   byte:  0  1-2  3-5  6-9   10     (11 bytes, 5 characters) */
#define MIXED "a\xc3\xa9\xe2\x80\x9c\xf0\x9f\x98\x80" "b"

static DpRecord *
new_record (const char *text)
{
  g_autoptr (GError) error = NULL;
  DpRecord *rec = dp_record_new ("r1", "src.txt", text, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rec);
  return rec;
}

static char *
to_json (DpRecord *rec, DpJsonFlags flags)
{
  GString *out = g_string_new (NULL);
  dp_record_to_json (rec, out, flags);
  return g_string_free (out, FALSE);
}

/* Loads @json into a fresh record, expecting success. */
static DpRecord *
load (const char *json)
{
  g_autoptr (GError) error = NULL;
  DpRecord *rec = new_record ("");
  gboolean ok = dp_record_load_json (rec, json, strlen (json), &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  return rec;
}

/* Loads @json into a fresh record, expecting the error @code. */
static void
assert_load_fails (const char *json, gsize len, DpRecordError code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpRecord) rec = new_record ("");
  g_assert_false (dp_record_load_json (rec, json, len, &error));
  g_assert_error (error, DP_RECORD_ERROR, (gint) code);
  g_assert_nonnull (error->message);
}

/* ---- construction and fields ----------------------------------------------- */

static void
test_new_invalid_utf8 (void)
{
  static const struct { const char *text; gssize len; } bad[] = {
    { "ab\xff", -1 },
    { "\xc3", -1 },                       /* truncated 2-byte sequence */
    { "\xc3\xa9", 1 },                    /* len cuts "é" in half */
    { "\xed\xa0\x80", -1 },               /* UTF-16 surrogate */
    { "a\0b", 3 },                        /* embedded NUL */
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      DpRecord *rec = dp_record_new ("id", "src", bad[i].text, bad[i].len, &error);
      g_assert_null (rec);
      g_assert_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_INVALID_UTF8);
    }
}

static void
test_new_empty (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpRecord) rec = dp_record_new ("id", "src", "", -1, &error);
  g_assert_no_error (error);
  gsize len = 99;
  g_assert_cmpstr (dp_record_get_text (rec, &len), ==, "");
  g_assert_cmpuint (len, ==, 0);

  g_autoptr (DpRecord) rec2 = dp_record_new (NULL, NULL, NULL, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dp_record_get_text (rec2, &len), ==, "");
  g_assert_cmpuint (len, ==, 0);
  g_assert_cmpstr (dp_record_get_id (rec2), ==, "");
  g_assert_cmpstr (dp_record_get_source (rec2), ==, "");

  /* An explicit length stops before the end of the buffer. */
  g_autoptr (DpRecord) rec3 = dp_record_new ("id", "src", "abcdef", 3, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dp_record_get_text (rec3, &len), ==, "abc");
  g_assert_cmpuint (len, ==, 3);
}

static void
test_fields (void)
{
  g_autoptr (DpRecord) rec = new_record (MIXED);
  g_assert_cmpstr (dp_record_get_id (rec), ==, "r1");
  g_assert_cmpstr (dp_record_get_source (rec), ==, "src.txt");
  gsize len;
  g_assert_cmpstr (dp_record_get_text (rec, &len), ==, MIXED);
  g_assert_cmpuint (len, ==, 11);

  dp_record_set_id (rec, "other");
  dp_record_set_source (rec, "elsewhere");
  g_assert_cmpstr (dp_record_get_id (rec), ==, "other");
  g_assert_cmpstr (dp_record_get_source (rec), ==, "elsewhere");
  /* Setting a field to its own value must not read freed memory. */
  dp_record_set_id (rec, dp_record_get_id (rec));
  g_assert_cmpstr (dp_record_get_id (rec), ==, "other");

  g_autoptr (GError) error = NULL;
  g_assert_true (dp_record_set_text (rec, "new text", -1, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (dp_record_get_text (rec, &len), ==, "new text");
  g_assert_cmpuint (len, ==, 8);

  JsonObject *meta = dp_record_get_meta (rec);
  g_assert_nonnull (meta);
  g_assert_true (dp_record_get_meta (rec) == meta);
  g_assert_cmpuint (json_object_get_size (meta), ==, 0);
}

static void
test_set_text_drops_layers (void)
{
  g_autoptr (DpRecord) rec = new_record ("Hello world");
  g_autoptr (GError) error = NULL;
  DpLayer *layer = dp_record_ensure_layer (rec, "entities");
  g_assert_nonnull (dp_layer_add_span (layer, 0, 5, "X", &error));
  guint n;
  dp_record_tokens (rec, &n);
  g_assert_cmpuint (n, ==, 2);

  /* A failed set_text changes nothing. */
  g_assert_false (dp_record_set_text (rec, "bad \xff", -1, &error));
  g_assert_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_INVALID_UTF8);
  g_clear_error (&error);
  g_assert_cmpstr (dp_record_get_text (rec, NULL), ==, "Hello world");
  g_assert_cmpuint (dp_record_get_n_layers (rec), ==, 1);

  g_assert_true (dp_record_set_text (rec, "One", -1, &error));
  g_assert_cmpuint (dp_record_get_n_layers (rec), ==, 0);
  g_assert_null (dp_record_get_layer (rec, "entities"));
  dp_record_tokens (rec, &n);
  g_assert_cmpuint (n, ==, 1);

  g_autofree char *json = to_json (rec, DP_JSON_DEFAULT);
  g_assert_cmpstr (json, ==, "{\"id\":\"r1\",\"source\":\"src.txt\",\"text\":\"One\",\"meta\":{}}");
}

/* ---- spans and layers -------------------------------------------------------- */

static void
test_span_bounds (void)
{
  g_autoptr (DpRecord) rec = new_record (MIXED);
  DpLayer *layer = dp_record_ensure_layer (rec, "entities");
  static const struct { gsize start, end; } bad[] = {
    { 0, 12 },    /* past the end (11 bytes) */
    { 12, 12 },
    { 3, 1 },     /* start > end */
    { 2, 3 },     /* starts inside "é" */
    { 0, 2 },     /* ends inside "é" */
    { 4, 6 },     /* starts inside "“" */
    { 7, 10 },    /* starts inside the emoji */
    { 6, 9 },     /* ends inside the emoji */
    { 0, 8 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_null (dp_layer_add_span (layer, bad[i].start, bad[i].end, "X", &error));
      g_assert_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_BAD_SPAN);
    }
  g_assert_cmpuint (dp_layer_get_size (layer), ==, 0);

  static const struct { gsize start, end; } good[] = {
    { 0, 0 }, { 0, 11 }, { 11, 11 }, { 1, 3 }, { 3, 6 }, { 6, 10 }, { 10, 11 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      DpSpan *span = dp_layer_add_span (layer, good[i].start, good[i].end, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (span);
      g_assert_cmpuint (dp_span_get_start (span), ==, good[i].start);
      g_assert_cmpuint (dp_span_get_end (span), ==, good[i].end);
      g_assert_null (dp_span_get_label (span));
      g_assert_null (dp_span_peek_attrs (span));
    }
  g_assert_cmpuint (dp_layer_get_size (layer), ==, G_N_ELEMENTS (good));
  /* Spans keep the order they were added in. */
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_cmpuint (dp_span_get_start (dp_layer_get_span (layer, i)), ==, good[i].start);
}

static void
test_span_ids (void)
{
  g_autoptr (DpRecord) rec = new_record ("Alice met Bob in Paris");
  g_autoptr (GError) error = NULL;
  DpLayer *layer = dp_record_ensure_layer (rec, "entities");
  DpSpan *s1 = dp_layer_add_span (layer, 0, 5, "PER", &error);
  DpSpan *s2 = dp_layer_add_span (layer, 10, 13, "PER", &error);
  DpSpan *s3 = dp_layer_add_span (layer, 17, 22, "LOC", &error);
  DpSpan *s4 = dp_layer_add_span (layer, 0, 0, "X", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dp_span_get_label (s1), ==, "PER");
  g_assert_cmpstr (dp_span_get_label (s3), ==, "LOC");

  /* An explicit string "id" attribute wins; other types do not. */
  json_object_set_string_member (dp_span_get_attrs (s2), "id", "bob");
  json_object_set_int_member (dp_span_get_attrs (s4), "id", 7);
  g_assert_nonnull (dp_span_peek_attrs (s2));
  g_assert_null (dp_span_peek_attrs (s3));

  g_autofree char *id1 = dp_span_dup_id (s1);
  g_autofree char *id2 = dp_span_dup_id (s2);
  g_autofree char *id3 = dp_span_dup_id (s3);
  g_autofree char *id4 = dp_span_dup_id (s4);
  g_assert_cmpstr (id1, ==, "entities-1");
  g_assert_cmpstr (id2, ==, "bob");
  g_assert_cmpstr (id3, ==, "entities-3");
  g_assert_cmpstr (id4, ==, "entities-4");

  DpLayer *claims = dp_record_ensure_layer (rec, "claims");
  DpSpan *c1 = dp_layer_add_span (claims, 0, 22, NULL, &error);
  g_autofree char *cid = dp_span_dup_id (c1);
  g_assert_cmpstr (cid, ==, "claims-1");

  /* The layer's whole name, so ids stay valid UTF-8. */
  DpLayer *equipes = dp_record_ensure_layer (rec, "\xc3\xa9quipes");
  DpSpan *q1 = dp_layer_add_span (equipes, 0, 5, NULL, &error);
  g_autofree char *qid = dp_span_dup_id (q1);
  g_assert_cmpstr (qid, ==, "\xc3\xa9quipes-1");
}

/* Every "id" in @json's layers, checked to be unique; returns how many. */
static guint
assert_unique_span_ids (const char *json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  JsonObject *layers = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "layers");
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GList) names = json_object_get_members (layers);
  for (GList *l = names; l; l = l->next)
    {
      JsonArray *spans = json_object_get_array_member (layers, l->data);
      for (guint i = 0; i < json_array_get_length (spans); i++)
        {
          const char *id = json_object_get_string_member (json_array_get_object_element (spans, i), "id");
          if (!g_hash_table_add (seen, (gpointer) id))
            g_error ("span id \"%s\" appears twice in %s", id, json);
        }
    }
  return g_hash_table_size (seen);
}

/* A third party's "capitalized" layer and the "claims" layer both start with
 * "c": their generated ids must still differ. */
static void
test_span_ids_layers_sharing_a_letter (void)
{
  g_autoptr (DpRecord) rec = new_record ("Alice met Bob in Paris");
  g_autoptr (GError) error = NULL;
  DpSpan *cap = dp_layer_add_span (dp_record_ensure_layer (rec, "capitalized"), 0, 5, "CAP", &error);
  DpSpan *claim = dp_layer_add_span (dp_record_ensure_layer (rec, "claims"), 0, 22, NULL, &error);
  g_assert_no_error (error);
  g_autofree char *cap_id = dp_span_dup_id (cap);
  g_autofree char *claim_id = dp_span_dup_id (claim);
  g_assert_cmpstr (cap_id, !=, claim_id);

  g_autoptr (GString) out = g_string_new (NULL);
  dp_record_to_json (rec, out, DP_JSON_DEFAULT);
  g_assert_cmpuint (assert_unique_span_ids (out->str), ==, 2);
}

/* An id given to one span is never generated for another: the generated one
 * moves aside, the given one keeps its value, and both survive a round trip. */
static void
test_span_ids_avoid_given_ids (void)
{
  g_autoptr (DpRecord) rec = new_record ("Alice met Bob in Paris");
  g_autoptr (GError) error = NULL;
  DpLayer *entities = dp_record_ensure_layer (rec, "entities");
  DpSpan *e1 = dp_layer_add_span (entities, 0, 5, "PER", &error);
  DpSpan *e2 = dp_layer_add_span (entities, 10, 13, "PER", &error);
  DpLayer *claims = dp_record_ensure_layer (rec, "claims");
  DpSpan *c1 = dp_layer_add_span (claims, 0, 22, NULL, &error);
  DpSpan *c2 = dp_layer_add_span (claims, 0, 13, NULL, &error);
  g_assert_no_error (error);
  json_object_set_string_member (dp_span_get_attrs (c1), "id", "entities-2");
  g_autofree char *e2_id = dp_span_dup_id (e2);
  g_assert_cmpstr (e2_id, ==, "entities-2~2");

  /* Given later, through an attribute object kept from before: seen on output. */
  JsonObject *attrs = dp_span_get_attrs (c2);
  g_autofree char *e1_before = dp_span_dup_id (e1);
  g_assert_cmpstr (e1_before, ==, "entities-1");
  json_object_set_string_member (attrs, "id", "entities-1");
  g_autoptr (GString) out = g_string_new (NULL);
  dp_record_to_json (rec, out, DP_JSON_DEFAULT);
  g_assert_cmpuint (assert_unique_span_ids (out->str), ==, 4);
  g_assert_nonnull (strstr (out->str, "{\"id\":\"entities-1~2\",\"start\":0,\"end\":5,"));
  g_assert_nonnull (strstr (out->str, "{\"id\":\"entities-2\",\"start\":0,\"end\":22}"));

  /* Read back, every id is given; written again, nothing changes. */
  g_autoptr (DpRecord) back = dp_record_new (NULL, NULL, NULL, 0, &error);
  g_assert_true (dp_record_load_json (back, out->str, out->len, &error));
  g_assert_no_error (error);
  g_autoptr (GString) again = g_string_new (NULL);
  dp_record_to_json (back, again, DP_JSON_DEFAULT);
  g_assert_cmpstr (again->str, ==, out->str);

  /* The moved-aside form is avoided too when it is taken. */
  json_object_set_string_member (dp_span_get_attrs (c2), "id", "entities-2~2");
  g_autofree char *e2_third = dp_span_dup_id (e2);
  g_assert_cmpstr (e2_third, ==, "entities-2~3");

  /* A layer removed takes its given ids with it. */
  g_assert_true (dp_record_remove_layer (rec, "claims"));
  g_autofree char *e2_free = dp_span_dup_id (e2);
  g_assert_cmpstr (e2_free, ==, "entities-2");
}

/* Spans of "Alice met Bob in Paris" with attributes set through the setters
 * (@compact) or on the JsonObject: a replaced value keeps its place, NULL is
 * null, "text" is not written over the span's own, an "id" is the span's id. */
static DpRecord *
record_with_attrs (gboolean compact)
{
  DpRecord *rec = new_record ("Alice met Bob in Paris");
  g_autoptr (GError) error = NULL;
  DpLayer *layer = dp_record_ensure_layer (rec, "entities");
  DpSpan *a = dp_layer_add_span (layer, 0, 5, "PER", &error);
  DpSpan *b = dp_layer_add_span (layer, 10, 13, "PER", &error);
  DpSpan *c = dp_layer_add_span (layer, 17, 22, "LOC", &error);
  g_assert_no_error (error);
  if (compact)
    {
      dp_span_set_attr_string (a, "canonical", "Alice");
      dp_span_set_attr_int (a, "cluster", -3);
      dp_span_set_attr_string (a, "canonical", "Alice B.");
      dp_span_set_attr_string (a, "text", "not written");
      dp_span_set_attr_string (b, "gone", NULL);
      dp_span_set_attr_string (b, "id", "entities-3");
      dp_span_set_attr_string (c, "quote", "\"Paris\"\n");
    }
  else
    {
      JsonObject *o = dp_span_get_attrs (a);
      json_object_set_string_member (o, "canonical", "Alice");
      json_object_set_int_member (o, "cluster", -3);
      json_object_set_string_member (o, "canonical", "Alice B.");
      json_object_set_string_member (o, "text", "not written");
      json_object_set_null_member (dp_span_get_attrs (b), "gone");
      json_object_set_string_member (dp_span_get_attrs (b), "id", "entities-3");
      json_object_set_string_member (dp_span_get_attrs (c), "quote", "\"Paris\"\n");
    }
  return rec;
}

/* Attributes kept compactly are written as the same JsonObject members would
 * be, and become that object, in the same order, when a stage asks for it. */
/* Past the few attributes kept compactly, the setters go on in a JsonObject:
 * the output is the same, in the order they were set, with replaced values in
 * place. */
static void
test_span_attr_setters_many (void)
{
  g_autoptr (DpRecord) rec = new_record ("Alice");
  DpSpan *span = dp_layer_add_span (dp_record_ensure_layer (rec, "l"), 0, 5, NULL, NULL);
  g_autoptr (GString) want = g_string_new ("\"layers\":{\"l\":[{\"id\":\"l-1\",\"start\":0,\"end\":5");
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *name = g_strdup_printf ("k%u", i);
      if (i % 2)
        dp_span_set_attr_int (span, name, i);
      else
        dp_span_set_attr_string (span, name, "v");
      if (i == 0)
        g_string_append (want, ",\"k0\":\"again\"");   /* replaced below, where it stands */
      else
        g_string_append_printf (want, i % 2 ? ",\"k%u\":%u" : ",\"k%u\":\"v\"", i, i);
    }
  dp_span_set_attr_string (span, "k0", "again");
  g_string_append (want, "}]}}");
  g_autofree char *json = to_json (rec, DP_JSON_DEFAULT);
  g_assert_true (g_str_has_suffix (json, want->str));
  const DpAttr *unused;
  g_assert_cmpuint (dp_span_get_compact_attrs (span, &unused), ==, 0);
}

/* dp_span_get_attr_string() answers the same for attributes kept compactly
 * and in a JsonObject, and leaves compact ones compact. */
static void
test_span_get_attr_string (void)
{
  for (int compact = 0; compact < 2; compact++)
    {
      g_autoptr (DpRecord) rec = record_with_attrs (compact);
      DpLayer *layer = dp_record_get_layer (rec, "entities");
      DpSpan *a = dp_layer_get_span (layer, 0), *b = dp_layer_get_span (layer, 1);
      g_assert_cmpstr (dp_span_get_attr_string (a, "canonical"), ==, "Alice B.");
      g_assert_null (dp_span_get_attr_string (a, "cluster"));   /* an integer */
      g_assert_null (dp_span_get_attr_string (a, "absent"));
      g_assert_null (dp_span_get_attr_string (b, "gone"));      /* null */
      g_assert_cmpstr (dp_span_get_attr_string (b, "id"), ==, "entities-3");
      g_assert_null (dp_span_get_attr_string (dp_layer_add_span (layer, 0, 0, NULL, NULL), "canonical"));
      const DpAttr *unused;
      g_assert_cmpuint (dp_span_get_compact_attrs (a, &unused), ==, (compact ? 3 : 0));
    }
  /* a member that is an object is no string */
  g_autoptr (DpRecord) rec = record_with_attrs (FALSE);
  DpSpan *a = dp_layer_get_span (dp_record_get_layer (rec, "entities"), 0);
  json_object_set_object_member (dp_span_get_attrs (a), "canonical", json_object_new ());
  g_assert_null (dp_span_get_attr_string (a, "canonical"));
}

static void
test_span_attr_setters (void)
{
  static const char *expected =
    "{\"id\":\"r1\",\"source\":\"src.txt\",\"text\":\"Alice met Bob in Paris\",\"meta\":{},"
    "\"layers\":{\"entities\":["
    "{\"id\":\"entities-1\",\"start\":0,\"end\":5,\"label\":\"PER\",\"canonical\":\"Alice B.\",\"cluster\":-3},"
    "{\"id\":\"entities-3\",\"start\":10,\"end\":13,\"label\":\"PER\",\"gone\":null},"
    "{\"id\":\"entities-3~2\",\"start\":17,\"end\":22,\"label\":\"LOC\",\"quote\":\"\\\"Paris\\\"\\n\"}]}}";
  g_autoptr (DpRecord) object = record_with_attrs (FALSE);
  g_autoptr (DpRecord) compact = record_with_attrs (TRUE);
  g_autofree char *from_object = to_json (object, DP_JSON_DEFAULT);
  g_autofree char *from_compact = to_json (compact, DP_JSON_DEFAULT);
  g_assert_cmpstr (from_object, ==, expected);
  g_assert_cmpstr (from_compact, ==, expected);

  /* The object handed out holds them; what is set there, or through the
   * setters afterwards, is written. */
  DpLayer *layer = dp_record_get_layer (compact, "entities");
  DpSpan *a = dp_layer_get_span (layer, 0);
  const DpAttr *unused;
  g_assert_cmpuint (dp_span_get_compact_attrs (a, &unused), ==, 3);
  JsonObject *attrs = dp_span_peek_attrs (a);
  g_assert_nonnull (attrs);
  g_assert_cmpuint (dp_span_get_compact_attrs (a, &unused), ==, 0);
  g_autoptr (GList) names = json_object_get_members (attrs);
  g_assert_cmpuint (g_list_length (names), ==, 3);
  g_assert_cmpstr (names->data, ==, "canonical");
  g_assert_cmpstr (names->next->data, ==, "cluster");
  g_assert_cmpint (json_object_get_int_member (attrs, "cluster"), ==, -3);
  g_assert_true (dp_span_get_attrs (a) == attrs);
  g_autofree char *materialized = to_json (compact, DP_JSON_DEFAULT);
  g_assert_cmpstr (materialized, ==, expected);
  json_object_remove_member (attrs, "cluster");
  dp_span_set_attr_int (a, "score", 7);
  g_autofree char *changed = to_json (compact, DP_JSON_DEFAULT);
  g_assert_nonnull (strstr (changed, "\"canonical\":\"Alice B.\",\"score\":7}"));

  /* A span without attributes has none to peek at. */
  g_assert_null (dp_span_peek_attrs (dp_layer_add_span (layer, 0, 0, NULL, NULL)));

  /* Read back, scalar attributes are kept compactly too ("id" among them);
   * an object among them makes them a JsonObject, in the same order. */
  g_autoptr (DpRecord) back = load (expected);
  DpSpan *first = dp_layer_get_span (dp_record_get_layer (back, "entities"), 0);
  g_assert_cmpuint (dp_span_get_compact_attrs (first, &unused), ==, 3);
  g_assert_null (dp_span_peek_json_attrs (first));
  g_autofree char *again = to_json (back, DP_JSON_DEFAULT);
  g_assert_cmpstr (again, ==, expected);
  static const char *mixed =
    "{\"id\":\"r1\",\"source\":\"s\",\"text\":\"ab\",\"meta\":{},\"layers\":{\"x\":["
    "{\"id\":\"x-1\",\"start\":0,\"end\":2,\"a\":\"s\",\"n\":{\"start\":1,\"end\":2},\"b\":2,\"c\":1.5}]}}";
  g_autoptr (DpRecord) with_object = load (mixed);
  DpSpan *x = dp_layer_get_span (dp_record_get_layer (with_object, "x"), 0);
  g_assert_cmpuint (dp_span_get_compact_attrs (x, &unused), ==, 0);
  g_autofree char *mixed_again = to_json (with_object, DP_JSON_DEFAULT);
  g_assert_cmpstr (mixed_again, ==, mixed);
}

static void
test_layer_order (void)
{
  g_autoptr (DpRecord) rec = new_record ("text");
  g_assert_cmpuint (dp_record_get_n_layers (rec), ==, 0);
  g_assert_null (dp_record_get_layer (rec, "zeta"));
  DpLayer *zeta = dp_record_ensure_layer (rec, "zeta");
  DpLayer *alpha = dp_record_ensure_layer (rec, "alpha");
  DpLayer *mid = dp_record_ensure_layer (rec, "mid");
  g_assert_true (dp_record_ensure_layer (rec, "alpha") == alpha);
  g_assert_true (dp_record_get_layer (rec, "zeta") == zeta);
  g_assert_cmpuint (dp_record_get_n_layers (rec), ==, 3);
  g_assert_true (dp_record_get_layer_nth (rec, 0) == zeta);
  g_assert_true (dp_record_get_layer_nth (rec, 1) == alpha);
  g_assert_true (dp_record_get_layer_nth (rec, 2) == mid);
  g_assert_cmpstr (dp_layer_get_name (mid), ==, "mid");

  g_autofree char *json = to_json (rec, DP_JSON_DEFAULT);
  g_assert_cmpstr (json, ==,
                   "{\"id\":\"r1\",\"source\":\"src.txt\",\"text\":\"text\",\"meta\":{},"
                   "\"layers\":{\"zeta\":[],\"alpha\":[],\"mid\":[]}}");

  /* Removing one keeps the others in order; ensuring it again starts empty. */
  g_assert_nonnull (dp_layer_add_span (alpha, 0, 4, "X", NULL));
  g_assert_true (dp_record_remove_layer (rec, "alpha"));
  g_assert_false (dp_record_remove_layer (rec, "alpha"));
  g_assert_cmpuint (dp_record_get_n_layers (rec), ==, 2);
  g_assert_true (dp_record_get_layer_nth (rec, 1) == mid);
  g_assert_cmpuint (dp_layer_get_size (dp_record_ensure_layer (rec, "alpha")), ==, 0);
  g_assert_true (dp_record_get_layer_nth (rec, 2) == dp_record_get_layer (rec, "alpha"));
}

/* ---- offsets ----------------------------------------------------------------- */

static void
test_offsets_in_order (void)
{
  g_autoptr (DpRecord) rec = new_record (MIXED);
  static const gsize bytes[] = { 0, 1, 3, 6, 10, 11 };
  for (gsize c = 0; c < G_N_ELEMENTS (bytes); c++)
    g_assert_cmpuint (dp_record_byte_to_char (rec, bytes[c]), ==, c);
  for (gsize c = 0; c < G_N_ELEMENTS (bytes); c++)
    {
      gsize b = 999;
      g_assert_true (dp_record_char_to_byte (rec, c, &b));
      g_assert_cmpuint (b, ==, bytes[c]);
    }
  gsize b = 999;
  g_assert_false (dp_record_char_to_byte (rec, 6, &b));
  g_assert_false (dp_record_char_to_byte (rec, 100, &b));
  /* Byte offsets past the end clamp to the character count. */
  g_assert_cmpuint (dp_record_byte_to_char (rec, 50), ==, 5);
}

static void
test_offsets_random_order (void)
{
  g_autoptr (DpRecord) rec = new_record (MIXED);
  static const gsize bytes[] = { 0, 1, 3, 6, 10, 11 };
  /* Backwards and jumping queries reset the cursor; answers must not depend on history. */
  static const gsize order[] = { 4, 1, 5, 0, 3, 3, 2, 5, 1, 4, 0, 2 };
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      gsize c = order[i], b = 999;
      g_assert_cmpuint (dp_record_byte_to_char (rec, bytes[c]), ==, c);
      g_assert_true (dp_record_char_to_byte (rec, c, &b));
      g_assert_cmpuint (b, ==, bytes[c]);
      /* A failed query past the end must not disturb the cursor either. */
      g_assert_false (dp_record_char_to_byte (rec, 6 + c, &b));
      gsize other = order[(i + 5) % G_N_ELEMENTS (order)];
      g_assert_true (dp_record_char_to_byte (rec, other, &b));
      g_assert_cmpuint (b, ==, bytes[other]);
      g_assert_cmpuint (dp_record_byte_to_char (rec, bytes[c]), ==, c);
    }
}

/* Over a text many times the conversion index's step, every answer in a
 * shuffled order of queries matches one counted from the start. */
static void
test_offsets_long_text_any_order (void)
{
  static const char *const pieces[] = { "a", "\xc3\xa9", "\xe2\x80\x9c", "\xf0\x9f\x98\x80", "bc" };
  g_autoptr (GString) text = g_string_new (NULL);
  for (guint i = 0; text->len < 6000; i++)
    g_string_append (text, pieces[(i * 7 + i / 13) % G_N_ELEMENTS (pieces)]);
  g_autoptr (DpRecord) rec = new_record (text->str);
  gsize len = text->len, chars = (gsize) g_utf8_strlen (text->str, -1);
  /* before[x]: characters that start before byte x; start[c]: where character c starts. */
  g_autofree gsize *before = g_new0 (gsize, len + 1);
  g_autofree gsize *start = g_new0 (gsize, chars + 1);
  for (gsize x = 0, c = 0; x <= len; x++)
    {
      before[x] = c;
      if (x < len && ((guchar) text->str[x] & 0xC0) != 0x80)
        start[c++] = x;
    }
  start[chars] = len;
  g_autoptr (GRand) rand = g_rand_new_with_seed (15);
  for (guint i = 0; i < 20000; i++)
    {
      gsize x = (gsize) g_rand_int_range (rand, 0, (gint32) len + 40);
      g_assert_cmpuint (dp_record_byte_to_char (rec, x), ==, before[MIN (x, len)]);
      gsize c = (gsize) g_rand_int_range (rand, 0, (gint32) chars + 10), b = 0;
      g_assert_cmpint (dp_record_char_to_byte (rec, c, &b), ==, c <= chars);
      if (c <= chars)
        g_assert_cmpuint (b, ==, start[c]);
    }

  /* Rewritten, the text as first read converts the same way (DP_JSON_ORIGINAL). */
  DpTextBuilder *builder = dp_text_builder_new (dp_record_get_text (rec, NULL), len);
  dp_text_builder_copy (builder, 1, len - 1);   /* drops the leading "a" */
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_record_apply_text (rec, builder, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 20000; i++)
    {
      gsize x = (gsize) g_rand_int_range (rand, 0, (gint32) len + 40);
      g_assert_cmpuint (dp_record_original_byte_to_char (rec, x), ==, before[MIN (x, len)]);
      g_assert_cmpuint (dp_record_byte_to_char (rec, x), ==, before[MIN (x + 1, len)] - 1);
    }
}

static void
test_offsets_mid_character (void)
{
  g_autoptr (DpRecord) rec = new_record (MIXED);
  /* A byte offset inside a character is a caller's mistake, but it must not
   * leave the cursor inside a character and skew the next, valid, queries. */
  dp_record_byte_to_char (rec, 2);
  g_assert_cmpuint (dp_record_byte_to_char (rec, 3), ==, 2);
  dp_record_byte_to_char (rec, 7);
  g_assert_cmpuint (dp_record_byte_to_char (rec, 10), ==, 4);
  gsize b;
  dp_record_byte_to_char (rec, 4);
  g_assert_true (dp_record_char_to_byte (rec, 4, &b));
  g_assert_cmpuint (b, ==, 10);
}

static void
test_offsets_ascii_and_empty (void)
{
  g_autoptr (DpRecord) rec = new_record ("abc");
  gsize b;
  g_assert_cmpuint (dp_record_byte_to_char (rec, 2), ==, 2);
  g_assert_cmpuint (dp_record_byte_to_char (rec, 9), ==, 3);
  g_assert_true (dp_record_char_to_byte (rec, 3, &b));
  g_assert_cmpuint (b, ==, 3);
  g_assert_false (dp_record_char_to_byte (rec, 4, &b));

  /* The ASCII shortcut is recomputed when the text changes. */
  g_assert_true (dp_record_set_text (rec, MIXED, -1, NULL));
  g_assert_cmpuint (dp_record_byte_to_char (rec, 6), ==, 3);
  g_assert_true (dp_record_char_to_byte (rec, 4, &b));
  g_assert_cmpuint (b, ==, 10);

  g_autoptr (DpRecord) empty = new_record ("");
  g_assert_cmpuint (dp_record_byte_to_char (empty, 0), ==, 0);
  g_assert_true (dp_record_char_to_byte (empty, 0, &b));
  g_assert_cmpuint (b, ==, 0);
  g_assert_false (dp_record_char_to_byte (empty, 1, &b));
}

/* ---- JSON output ------------------------------------------------------------- */

/* "Café “Zoë” 😀 ok":
 *   char: C0 a1 f2 é3 ␠4 “5 Z6 o7 ë8 ”9 ␠10 😀11 ␠12 o13 k14      (15 characters)
 *   byte: C0 a1 f2 é3 ␠5 “6 Z9 o10 ë11 ”13 ␠16 😀17 ␠21 o22 k23   (24 bytes) */
#define CAFE "Caf\xc3\xa9 \xe2\x80\x9cZo\xc3\xab\xe2\x80\x9d \xf0\x9f\x98\x80 ok"

static DpRecord *
build_sample (void)
{
  g_autoptr (GError) error = NULL;
  DpRecord *rec = new_record (CAFE);
  g_assert_cmpuint (strlen (CAFE), ==, 24);

  JsonObject *meta = dp_record_get_meta (rec);
  json_object_set_string_member (meta, "lang", "fr");
  json_object_set_int_member (meta, "pages", 3);
  json_object_set_double_member (meta, "ratio", 0.1);
  json_object_set_double_member (meta, "whole", 2.0);
  json_object_set_double_member (meta, "neg", -1.5e-7);
  json_object_set_boolean_member (meta, "ok", TRUE);
  json_object_set_boolean_member (meta, "bad", FALSE);
  json_object_set_null_member (meta, "none");
  JsonObject *nested = json_object_new ();
  JsonArray *arr = json_array_new ();
  json_array_add_int_element (arr, 1);
  json_array_add_double_element (arr, 2.5);
  json_array_add_string_element (arr, "x");
  json_object_set_array_member (nested, "a", arr);
  json_object_set_object_member (nested, "b", json_object_new ());
  json_object_set_object_member (meta, "nested", nested);

  DpLayer *ents = dp_record_ensure_layer (rec, "entities");
  g_assert_nonnull (dp_layer_add_span (ents, 0, 5, "ORG", &error));      /* Café */
  g_assert_nonnull (dp_layer_add_span (ents, 9, 13, "PER", &error));     /* Zoë */

  DpLayer *claims = dp_record_ensure_layer (rec, "claims");
  DpSpan *claim = dp_layer_add_span (claims, 6, 16, NULL, &error);      /* “Zoë” */
  g_assert_no_error (error);
  JsonObject *attrs = dp_span_get_attrs (claim);
  JsonObject *cue = json_object_new ();                                 /* 😀 */
  json_object_set_int_member (cue, "start", 17);
  json_object_set_int_member (cue, "end", 21);
  json_object_set_object_member (attrs, "cue", cue);
  JsonArray *parts = json_array_new ();
  JsonObject *p1 = json_object_new ();                                  /* Café */
  json_object_set_int_member (p1, "start", 0);
  json_object_set_int_member (p1, "end", 5);
  json_object_set_string_member (p1, "role", "a");
  json_array_add_object_element (parts, p1);
  JsonObject *p2 = json_object_new ();                                  /* ok */
  json_object_set_int_member (p2, "start", 22);
  json_object_set_int_member (p2, "end", 24);
  json_array_add_object_element (parts, p2);
  json_object_set_array_member (attrs, "parts", parts);
  json_object_set_double_member (attrs, "score", 0.1);
  json_object_set_string_member (attrs, "id", "c-main");
  return rec;
}

#define SAMPLE_HEAD \
  "{\"id\":\"r1\",\"source\":\"src.txt\",\"text\":\"" CAFE "\"," \
  "\"meta\":{\"lang\":\"fr\",\"pages\":3,\"ratio\":0.1,\"whole\":2.0,\"neg\":-1.5e-07," \
  "\"ok\":true,\"bad\":false,\"none\":null,\"nested\":{\"a\":[1,2.5,\"x\"],\"b\":{}}},"

static void
test_to_json (void)
{
  g_autoptr (DpRecord) rec = build_sample ();
  g_autofree char *json = to_json (rec, DP_JSON_DEFAULT);
  g_assert_cmpstr (json, ==,
                   SAMPLE_HEAD
                   "\"layers\":{"
                   "\"entities\":[{\"id\":\"entities-1\",\"start\":0,\"end\":4,\"label\":\"ORG\"},"
                                 "{\"id\":\"entities-2\",\"start\":6,\"end\":9,\"label\":\"PER\"}],"
                   "\"claims\":[{\"id\":\"c-main\",\"start\":5,\"end\":10,"
                                "\"cue\":{\"start\":11,\"end\":12},"
                                "\"parts\":[{\"start\":0,\"end\":4,\"role\":\"a\"},{\"start\":13,\"end\":15}],"
                                "\"score\":0.1}]}}");

  /* Output appends; it does not replace what is in the string. */
  g_autoptr (GString) out = g_string_new ("X");
  dp_record_to_json (rec, out, DP_JSON_DEFAULT);
  g_assert_cmpuint (out->len, ==, strlen (json) + 1);
  g_assert_true (out->str[0] == 'X');
}

static void
test_to_json_span_text (void)
{
  g_autoptr (DpRecord) rec = build_sample ();
  g_autofree char *json = to_json (rec, DP_JSON_SPAN_TEXT);
  g_assert_cmpstr (json, ==,
                   SAMPLE_HEAD
                   "\"layers\":{"
                   "\"entities\":[{\"id\":\"entities-1\",\"start\":0,\"end\":4,\"label\":\"ORG\",\"text\":\"Caf\xc3\xa9\"},"
                                 "{\"id\":\"entities-2\",\"start\":6,\"end\":9,\"label\":\"PER\",\"text\":\"Zo\xc3\xab\"}],"
                   "\"claims\":[{\"id\":\"c-main\",\"start\":5,\"end\":10,"
                                "\"text\":\"\xe2\x80\x9cZo\xc3\xab\xe2\x80\x9d\","
                                "\"cue\":{\"start\":11,\"end\":12,\"text\":\"\xf0\x9f\x98\x80\"},"
                                "\"parts\":[{\"start\":0,\"end\":4,\"text\":\"Caf\xc3\xa9\",\"role\":\"a\"},"
                                           "{\"start\":13,\"end\":15,\"text\":\"ok\"}],"
                                "\"score\":0.1}]}}");
}

static void
test_to_json_escapes (void)
{
  g_autoptr (DpRecord) rec = new_record ("q\"b\\s/\n\t\r\x01\x1f\x7f" "\xc3\xa9");
  dp_record_set_id (rec, "id\"1");
  dp_record_set_source (rec, "C:\\dir\\f.txt");
  json_object_set_string_member (dp_record_get_meta (rec), "k\"\n", "v\b\f");
  g_autofree char *json = to_json (rec, DP_JSON_DEFAULT);
  g_assert_cmpstr (json, ==,
                   "{\"id\":\"id\\\"1\",\"source\":\"C:\\\\dir\\\\f.txt\","
                   "\"text\":\"q\\\"b\\\\s/\\n\\t\\r\\u0001\\u001f\x7f\xc3\xa9\","
                   "\"meta\":{\"k\\\"\\n\":\"v\\u0008\\u000c\"}}");

  /* What we write, json-glib reads back to the same strings. */
  g_autoptr (DpRecord) back = load (json);
  g_assert_cmpstr (dp_record_get_text (back, NULL), ==, dp_record_get_text (rec, NULL));
  g_assert_cmpstr (dp_record_get_id (back), ==, "id\"1");
  g_assert_cmpstr (dp_record_get_source (back), ==, "C:\\dir\\f.txt");
}

static void
test_to_json_doubles (void)
{
  static const struct { double d; const char *text; } cases[] = {
    { 0.1, "0.1" },
    { 0.3, "0.3" },
    { 0.1 + 0.2, "0.30000000000000004" },
    { 1.0, "1.0" },
    { -2.0, "-2.0" },
    { 0.0, "0.0" },
    { 1e21, "1e+21" },
    { 123456.789, "123456.789" },
    { 1.0 / 3.0, "0.33333333333333331" },   /* 15 digits do not read back: 17 */
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (DpRecord) rec = new_record ("");
      json_object_set_double_member (dp_record_get_meta (rec), "d", cases[i].d);
      g_autofree char *json = to_json (rec, DP_JSON_DEFAULT);
      g_autofree char *want = g_strdup_printf (
        "{\"id\":\"r1\",\"source\":\"src.txt\",\"text\":\"\",\"meta\":{\"d\":%s}}", cases[i].text);
      g_assert_cmpstr (json, ==, want);
      /* and it reads back as the same double */
      g_autoptr (DpRecord) back = load (json);
      g_assert_cmpfloat (json_object_get_double_member (dp_record_get_meta (back), "d"), ==, cases[i].d);
    }
}

/* ---- JSON input -------------------------------------------------------------- */

static void
test_round_trip (void)
{
  g_autoptr (DpRecord) rec = build_sample ();
  for (int flags = DP_JSON_DEFAULT; flags <= DP_JSON_SPAN_TEXT; flags++)
    {
      g_autofree char *first = to_json (rec, flags);
      g_autoptr (DpRecord) back = load (first);
      g_autofree char *second = to_json (back, flags);
      g_assert_cmpstr (second, ==, first);

      /* The loaded record holds byte offsets, like one built through the API. */
      DpLayer *ents = dp_record_get_layer (back, "entities");
      g_assert_nonnull (ents);
      g_assert_cmpuint (dp_layer_get_size (ents), ==, 2);
      g_assert_cmpuint (dp_span_get_start (dp_layer_get_span (ents, 1)), ==, 9);
      g_assert_cmpuint (dp_span_get_end (dp_layer_get_span (ents, 1)), ==, 13);
      g_assert_cmpstr (dp_span_get_label (dp_layer_get_span (ents, 1)), ==, "PER");
      DpSpan *claim = dp_layer_get_span (dp_record_get_layer (back, "claims"), 0);
      g_assert_null (dp_span_get_label (claim));
      JsonObject *cue = json_object_get_object_member (dp_span_peek_attrs (claim), "cue");
      g_assert_cmpint (json_object_get_int_member (cue, "start"), ==, 17);
      g_assert_cmpint (json_object_get_int_member (cue, "end"), ==, 21);
      g_assert_false (json_object_has_member (cue, "text"));
      g_autofree char *cid = dp_span_dup_id (claim);
      g_assert_cmpstr (cid, ==, "c-main");
    }
}

static void
test_load_fields (void)
{
  /* Numeric id becomes a string; unknown top-level fields go to meta after meta's own. */
  g_autoptr (DpRecord) rec = load ("{\"lang\":\"de\",\"id\":42,\"text\":\"hi\",\"meta\":{\"a\":1},"
                                   "\"source\":\"s.jsonl\",\"extra\":[true]}");
  g_assert_cmpstr (dp_record_get_id (rec), ==, "42");
  g_assert_cmpstr (dp_record_get_source (rec), ==, "s.jsonl");
  g_assert_cmpstr (dp_record_get_text (rec, NULL), ==, "hi");
  g_autofree char *json = to_json (rec, DP_JSON_DEFAULT);
  g_assert_cmpstr (json, ==,
                   "{\"id\":\"42\",\"source\":\"s.jsonl\",\"text\":\"hi\","
                   "\"meta\":{\"a\":1,\"lang\":\"de\",\"extra\":[true]}}");

  /* Only "text" is required; a null id, meta or layers is as good as none. */
  g_autoptr (DpRecord) bare = load ("{\"text\":\"x\",\"id\":null,\"meta\":null,\"layers\":null}");
  g_autofree char *bare_json = to_json (bare, DP_JSON_DEFAULT);
  g_assert_cmpstr (bare_json, ==, "{\"id\":\"r1\",\"source\":\"src.txt\",\"text\":\"x\",\"meta\":{}}");
}

static void
test_load_meta_untouched (void)
{
  /* Meta is written back out untouched: an object that looks like a span
   * there is not converted to bytes, nor checked against the text. */
  const char *json = "{\"id\":\"m\",\"source\":\"s\",\"text\":\"\xc3\xa9\xc3\xa9 x\","
                     "\"meta\":{\"range\":{\"start\":1,\"end\":3},\"far\":{\"start\":0,\"end\":99}},"
                     "\"page\":{\"start\":1,\"end\":2}}";
  g_autoptr (DpRecord) rec = load (json);
  JsonObject *range = json_object_get_object_member (dp_record_get_meta (rec), "range");
  g_assert_cmpint (json_object_get_int_member (range, "start"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (range, "end"), ==, 3);
  g_autofree char *out = to_json (rec, DP_JSON_DEFAULT);
  g_assert_cmpstr (out, ==,
                   "{\"id\":\"m\",\"source\":\"s\",\"text\":\"\xc3\xa9\xc3\xa9 x\","
                   "\"meta\":{\"range\":{\"start\":1,\"end\":3},\"far\":{\"start\":0,\"end\":99},"
                   "\"page\":{\"start\":1,\"end\":2}}}");
}

static void
test_load_errors (void)
{
  static const struct { const char *json; DpRecordError code; } cases[] = {
    { "{\"id\":\"x\"}", DP_RECORD_ERROR_FIELD },
    { "{}", DP_RECORD_ERROR_FIELD },
    { "{\"text\":5}", DP_RECORD_ERROR_FIELD },
    { "{\"text\":null}", DP_RECORD_ERROR_FIELD },
    { "{\"text\":[\"a\"]}", DP_RECORD_ERROR_FIELD },
    { "[1,2]", DP_RECORD_ERROR_FIELD },
    { "\"text\"", DP_RECORD_ERROR_FIELD },
    { "42", DP_RECORD_ERROR_FIELD },
    { "{\"text\":\"a\",\"id\":1.5}", DP_RECORD_ERROR_FIELD },
    { "{\"text\":\"a\",\"meta\":[]}", DP_RECORD_ERROR_FIELD },
    { "{\"text\":\"a\",\"source\":42}", DP_RECORD_ERROR_FIELD },
    { "{\"text\":\"abc\",\"layers\":{\"e\":[{\"start\":0,\"end\":1,\"label\":7}]}}", DP_RECORD_ERROR_FIELD },
    { "{\"text\":\"abc\",\"layers\":[]}", DP_RECORD_ERROR_FIELD },
    { "{\"text\":\"abc\",\"layers\":{\"e\":{}}}", DP_RECORD_ERROR_FIELD },
    { "{\"text\":\"abc\",\"layers\":{\"e\":[5]}}", DP_RECORD_ERROR_FIELD },
    { "{\"text\":\"abc\",\"layers\":{\"e\":[{\"start\":0}]}}", DP_RECORD_ERROR_FIELD },
    { "{\"text\":\"abc\",\"layers\":{\"e\":[{\"start\":0,\"end\":\"2\"}]}}", DP_RECORD_ERROR_FIELD },
    { "{\"text\":\"abc\",\"layers\":{\"e\":[{\"start\":0,\"end\":1.5}]}}", DP_RECORD_ERROR_FIELD },
    /* "é" is one character: end 2 is outside the text although it is 2 bytes long */
    { "{\"text\":\"\xc3\xa9\",\"layers\":{\"e\":[{\"start\":0,\"end\":2}]}}", DP_RECORD_ERROR_BAD_SPAN },
    { "{\"text\":\"abc\",\"layers\":{\"e\":[{\"start\":-1,\"end\":2}]}}", DP_RECORD_ERROR_BAD_SPAN },
    { "{\"text\":\"abc\",\"layers\":{\"e\":[{\"start\":2,\"end\":1}]}}", DP_RECORD_ERROR_BAD_SPAN },
    /* a nested span in the attributes is checked too */
    { "{\"text\":\"abc\",\"layers\":{\"c\":[{\"start\":0,\"end\":1,\"cue\":{\"start\":1,\"end\":9}}]}}",
      DP_RECORD_ERROR_BAD_SPAN },
    { "{\"text\":", DP_RECORD_ERROR_PARSE },
    { "{\"text\":\"a\",}", DP_RECORD_ERROR_PARSE },
    { "{text:\"a\"}", DP_RECORD_ERROR_PARSE },
    { "", DP_RECORD_ERROR_FIELD },                /* no value, so not an object */
    /* json-glib takes these but gets them wrong: wraps, makes infinite */
    { "{\"text\":\"a\",\"n\":12345678901234567890}", DP_RECORD_ERROR_PARSE },
    { "{\"text\":\"a\",\"n\":-9223372036854775809}", DP_RECORD_ERROR_PARSE },
    { "{\"text\":\"a\",\"n\":1e400}", DP_RECORD_ERROR_PARSE },
    /* json-glib takes these, RFC 8259 does not */
    { "{\"text\":\"a\",\"n\":012}", DP_RECORD_ERROR_PARSE },
    { "{\"text\":\"a\",\"n\":1.}", DP_RECORD_ERROR_PARSE },
    { "{\"text\":\"a\",\"n\":.5}", DP_RECORD_ERROR_PARSE },
    { "{\"text\":\"a\",\"n\":+1}", DP_RECORD_ERROR_PARSE },
    { "{\"text\":\"a\",\"n\":[1,]}", DP_RECORD_ERROR_PARSE },
    { "{\"text\":\"a\",\"n\":[,1]}", DP_RECORD_ERROR_PARSE },
    { "{\"text\":\"a\",\"n\":nul}", DP_RECORD_ERROR_PARSE },
    { "{\"text\":\"a\",\"n\":True}", DP_RECORD_ERROR_PARSE },
    { "{\"text\":\"a\",\"n\":'x'}", DP_RECORD_ERROR_PARSE },
    { "{\"text\":\"a\xff\"}", DP_RECORD_ERROR_PARSE },
    { "{\"text\":\"a\xed\xa0\x80\"}", DP_RECORD_ERROR_PARSE },
    { "{\"text\":\"a\"", DP_RECORD_ERROR_PARSE },
    { "{\"text\":\"a", DP_RECORD_ERROR_PARSE },
    /* json-glib alone would keep the first value and drop the rest */
    { "{\"text\":\"a\"} {\"text\":\"b\"}", DP_RECORD_ERROR_PARSE },
    { "{\"text\":\"a\"}[1]", DP_RECORD_ERROR_PARSE },
    { "{\"text\":\"a\"} x", DP_RECORD_ERROR_PARSE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u: %s", i, cases[i].json);
      assert_load_fails (cases[i].json, strlen (cases[i].json), cases[i].code);
    }
}

static char *
nest (const char *prefix, const char *open, guint n, const char *middle, const char *close,
      const char *suffix)
{
  GString *s = g_string_new (prefix);
  for (guint i = 0; i < n; i++)
    g_string_append (s, open);
  g_string_append (s, middle);
  for (guint i = 0; i < n; i++)
    g_string_append (s, close);
  g_string_append (s, suffix);
  return g_string_free (s, FALSE);
}

static void
test_load_deep_nesting (void)
{
  g_autofree char *arrays = nest ("", "[", 100000, "", "]", "");
  assert_load_fails (arrays, strlen (arrays), DP_RECORD_ERROR_TOO_LARGE);
  g_autofree char *objects = nest ("", "{\"a\":", 100000, "1", "}", "");
  assert_load_fails (objects, strlen (objects), DP_RECORD_ERROR_TOO_LARGE);
  /* unterminated, as an attacker would send it */
  g_autofree char *open = nest ("{\"text\":\"x\",\"m\":", "[", 100000, "", "", "");
  assert_load_fails (open, strlen (open), DP_RECORD_ERROR_TOO_LARGE);

  /* The limit is 512 levels, the record object included. */
  g_autofree char *ok = nest ("{\"text\":\"x\",\"m\":", "[", 511, "", "]", "}");
  g_autoptr (DpRecord) rec = load (ok);
  g_assert_true (json_object_has_member (dp_record_get_meta (rec), "m"));
  g_autofree char *over = nest ("{\"text\":\"x\",\"m\":", "[", 512, "", "]", "}");
  assert_load_fails (over, strlen (over), DP_RECORD_ERROR_TOO_LARGE);
}

static void
test_load_brackets_in_strings (void)
{
  /* 100,000 brackets inside strings (one after an escaped quote) are text, not nesting. */
  g_autofree char *brackets = nest ("", "[{", 50000, "", "", "");
  g_autofree char *json = g_strdup_printf ("{\"text\":\"\\\"%s\",\"k\":\"\\\\\",\"t\":\"%s\"}",
                                           brackets, brackets);
  g_autoptr (DpRecord) rec = load (json);
  gsize len;
  const char *text = dp_record_get_text (rec, &len);
  g_assert_cmpuint (len, ==, 100001);
  g_assert_true (text[0] == '"');
  g_assert_cmpstr (text + 1, ==, brackets);
  g_assert_cmpstr (json_object_get_string_member (dp_record_get_meta (rec), "k"), ==, "\\");
}

static void
test_deferred (void)
{
  const char *json = "{\"id\":\"d1\",\"text\":\"Zo\xc3\xab sang\",\"layers\":{\"e\":[{\"start\":0,\"end\":3}]}}";
  gsize json_len = strlen (json);
  g_autoptr (DpRecord) rec = dp_record_new_deferred ("in.jsonl", g_strdup (json), json_len,
                                                     dp_record_decode_json, NULL);
  gsize len = 0;
  g_assert_true (dp_record_get_raw (rec, &len) != NULL);
  g_assert_cmpstr (dp_record_get_raw (rec, NULL), ==, json);
  g_assert_cmpuint (len, ==, json_len);
  g_assert_cmpstr (dp_record_get_source (rec), ==, "in.jsonl");

  g_autoptr (GError) error = NULL;
  g_assert_true (dp_record_decode (rec, &error));
  g_assert_no_error (error);
  g_assert_null (dp_record_get_raw (rec, &len));
  g_assert_cmpuint (len, ==, 0);
  g_assert_cmpstr (dp_record_get_id (rec), ==, "d1");
  g_assert_cmpstr (dp_record_get_text (rec, NULL), ==, "Zo\xc3\xab sang");
  DpSpan *span = dp_layer_get_span (dp_record_get_layer (rec, "e"), 0);
  g_assert_cmpuint (dp_span_get_end (span), ==, 4);
  /* Decoding again is a no-op. */
  g_assert_true (dp_record_decode (rec, &error));
  g_assert_cmpstr (dp_record_get_id (rec), ==, "d1");

  /* Without an id, the record is named after its source. */
  const char *anon = "{\"text\":\"t\"}";
  g_autoptr (DpRecord) rec2 = dp_record_new_deferred ("in.jsonl:7", g_strdup (anon), strlen (anon),
                                                      dp_record_decode_json, NULL);
  g_assert_true (dp_record_decode (rec2, &error));
  g_assert_cmpstr (dp_record_get_id (rec2), ==, "in.jsonl:7");

  /* A failed decode keeps the raw bytes (for the dead-letter file) and can be reported. */
  const char *bad = "{\"text\":";
  g_autoptr (DpRecord) rec3 = dp_record_new_deferred ("in.jsonl:8", g_strdup (bad), strlen (bad),
                                                      dp_record_decode_json, NULL);
  g_assert_false (dp_record_decode (rec3, &error));
  g_assert_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_PARSE);
  g_assert_cmpstr (dp_record_get_raw (rec3, &len), ==, bad);
  g_assert_cmpuint (len, ==, strlen (bad));

  /* A decoded (non-deferred) record has no raw bytes. */
  g_autoptr (DpRecord) plain = new_record ("x");
  g_assert_null (dp_record_get_raw (plain, NULL));
  g_assert_true (dp_record_decode (plain, NULL));
}

/* A decode callback sees the user data its source gave (ABI 2.0), so one
 * function serves every mode of a source. */
static gboolean
decode_with_prefix (DpRecord *rec, const char *raw, gsize len, gpointer user_data, GError **error)
{
  g_autofree char *text = g_strdup_printf ("%s%.*s", (const char *) user_data, (int) len, raw);
  return dp_record_set_text (rec, text, -1, error);
}

static void
test_deferred_user_data (void)
{
  static const char upper[] = "UP:", lower[] = "low:";
  g_autoptr (DpRecord) a = dp_record_new_deferred ("a", g_strdup ("x"), 1, decode_with_prefix, (gpointer) upper);
  g_autoptr (DpRecord) b = dp_record_new_deferred ("b", g_strdup ("y"), 1, decode_with_prefix, (gpointer) lower);
  g_assert_true (dp_record_decode (a, NULL));
  g_assert_true (dp_record_decode (b, NULL));
  g_assert_cmpstr (dp_record_get_text (a, NULL), ==, "UP:x");
  g_assert_cmpstr (dp_record_get_text (b, NULL), ==, "low:y");
}

/* ---- tokens and sentences ------------------------------------------------------ */

static void
test_tokens_cached (void)
{
  g_autoptr (DpRecord) rec = new_record ("Hello world. Bye now.");
  guint n = 0, ns = 0;
  const DpToken *t1 = dp_record_tokens (rec, &n);
  g_assert_cmpuint (n, ==, 6);
  g_assert_cmpuint (t1[1].start, ==, 6);
  g_assert_cmpuint (t1[1].end, ==, 11);
  const DpToken *t2 = dp_record_tokens (rec, NULL);
  g_assert_true (t1 == t2);

  const DpSentence *s1 = dp_record_sentences (rec, &ns);
  g_assert_cmpuint (ns, ==, 2);
  g_assert_cmpuint (s1[1].start, ==, 13);
  g_assert_cmpuint (s1[1].end, ==, 21);
  g_assert_cmpuint (s1[1].first_token, ==, 3);
  g_assert_cmpuint (s1[1].n_tokens, ==, 3);
  g_assert_true (dp_record_sentences (rec, NULL) == s1);
  /* Computing sentences did not recompute tokens. */
  g_assert_true (dp_record_tokens (rec, NULL) == t1);

  g_assert_true (dp_record_set_text (rec, "One.", -1, NULL));
  const DpToken *t3 = dp_record_tokens (rec, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (t3[0].end, ==, 3);
  dp_record_sentences (rec, &ns);
  g_assert_cmpuint (ns, ==, 1);
  g_assert_true (dp_record_tokens (rec, NULL) == t3);
}

/* Dropped (as the writer does before encoding), the caches are computed
 * again, the same, when asked for; layers and text are untouched. */
static void
test_token_cache_dropped (void)
{
  g_autoptr (DpRecord) rec = new_record ("Hello world. Bye now.");
  g_autoptr (GError) error = NULL;
  g_assert_nonnull (dp_layer_add_span (dp_record_ensure_layer (rec, "x"), 0, 5, "A", &error));
  guint n = 0, ns = 0;
  const DpToken *tokens = dp_record_tokens (rec, &n);
  g_autofree DpToken *before = g_memdup2 (tokens, n * sizeof (DpToken));
  dp_record_sentences (rec, &ns);
  dp_record_drop_token_cache (rec);
  g_assert_null (rec->tokens);
  g_assert_null (rec->sentences);
  dp_record_drop_token_cache (rec);   /* twice is harmless */
  guint n2 = 0, ns2 = 0;
  const DpToken *after = dp_record_tokens (rec, &n2);
  g_assert_cmpuint (n2, ==, n);
  g_assert_cmpmem (after, n2 * sizeof (DpToken), before, n * sizeof (DpToken));
  dp_record_sentences (rec, &ns2);
  g_assert_cmpuint (ns2, ==, ns);
  g_assert_cmpuint (dp_layer_get_size (dp_record_get_layer (rec, "x")), ==, 1);
  g_assert_cmpstr (dp_record_get_text (rec, NULL), ==, "Hello world. Bye now.");
}

/* json-glib would end the string at an escaped NUL and drop the rest of the text. */
static void
test_load_nul_escape (void)
{
  const char *json = "{\"text\":\"a\\u0000b \\\\u0000 c\",\"k\":\"x\\u0000y\"}";
  g_autoptr (GError) error = NULL;
  g_autoptr (DpRecord) rec = dp_record_new (NULL, NULL, "", 0, &error);
  g_assert_true (dp_record_load_json (rec, json, strlen (json), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (dp_record_get_text (rec, NULL), ==, "a\xEF\xBF\xBD" "b \\u0000 c");
  g_assert_cmpstr (json_object_get_string_member (dp_record_get_meta (rec), "k"), ==, "x\xEF\xBF\xBDy");
}

/* Unpaired surrogate escapes would make json-glib produce invalid UTF-8. */
static void
test_load_surrogate_escapes (void)
{
  const char *json = "{\"text\":\"a\\ud800b \\udc00 \\ud83d\\ude00 \\uD83D\",\"m\":[\"\\ud800\\u0041\"]}";
  g_autoptr (GError) error = NULL;
  g_autoptr (DpRecord) rec = dp_record_new (NULL, NULL, "", 0, &error);
  g_assert_true (dp_record_load_json (rec, json, strlen (json), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (dp_record_get_text (rec, NULL), ==,
                   "a\xEF\xBF\xBD" "b \xEF\xBF\xBD \xF0\x9F\x98\x80 \xEF\xBF\xBD");
  g_autoptr (GString) out = g_string_new (NULL);
  dp_record_to_json (rec, out, DP_JSON_DEFAULT);
  g_assert_true (g_utf8_validate (out->str, out->len, NULL));
  g_assert_nonnull (strstr (out->str, "\"m\":[\"\xEF\xBF\xBD" "A\"]"));
}

/* Malformed escapes: json-glib lets some through (\uDb!5 became a lone
 * surrogate, invalid UTF-8, found by fuzz-record-json), so they are refused. */
static void
test_load_bad_escapes (void)
{
  const char *bad[] = {
    "{\"text\":\"a\\Cb\"}", "{\"text\":\"a\\ b\"}", "{\"text\":\"\\uDb!5D\"}",
    "{\"text\":\"\\u12\"}", "{\"text\":\"x\\u\"}", "{\"text\":\"x\\",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (DpRecord) rec = dp_record_new (NULL, NULL, "", 0, NULL);
      g_assert_false (dp_record_load_json (rec, bad[i], strlen (bad[i]), &error));
      g_assert_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_PARSE);
    }
  /* Every valid escape still loads. */
  const char *good = "{\"text\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9\"}";
  g_autoptr (DpRecord) rec = dp_record_new (NULL, NULL, "", 0, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_record_load_json (rec, good, strlen (good), &error));
  g_assert_cmpstr (dp_record_get_text (rec, NULL), ==, "\" \\ / \b \f \n \r \t \xC3\xA9");
}

/* ---- the fast parser against json-glib's path ------------------------------ */

typedef struct {
  const char *line;
  DpFastLoad expect;   /* what the fast parser does with it */
} FastCase;

static const FastCase fast_cases[] = {
  { "{\"id\":\"a\",\"text\":\"hello\"}", DP_FAST_LOADED },
  { " \t{ \"id\" : 42 , \"source\" : \"s.txt\" , \"text\" : \"x\" }\r\n ", DP_FAST_LOADED },
  { "{\"id\":-7,\"text\":\"\",\"title\":\"T\",\"n\":0,\"ok\":true,\"no\":false,\"z\":null}", DP_FAST_LOADED },
  { "{\"text\":\"t\",\"meta\":{\"a\":[1,[2,{}],{\"b\":\"c\",\"start\":1,\"end\":2}],\"e\":[]},\"a\":\"top\"}", DP_FAST_LOADED },
  { "{\"text\":\"t\",\"meta\":{\"a\":\"inner\"},\"a\":\"outer wins\"}", DP_FAST_LOADED },
  { "{\"text\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\u20AC \\ud83d\\ude00 \\u0001 end\"}", DP_FAST_LOADED },
  { "{\"text\":\"Z\xC3\xBCrich \xE2\x80\x94 \xF0\x9F\x98\x80\",\"id\":\"\xC3\xA9\"}", DP_FAST_LOADED },
  { "{\"id\":\"a\",\"text\":\"t\",\"layers\":null}", DP_FAST_LOADED },
  { "{\"id\":\"a\",\"text\":\"abc\",\"layers\":{\"x\":[{\"start\":0,\"end\":1}]}}", DP_FAST_LOADED },
  { "{\"text\":\"\u00e9t\u00e9 Kim said\",\"layers\":{\"entities\":[{\"id\":\"entities-1\",\"start\":4,\"end\":7,"
    "\"label\":\"PER\",\"text\":\"Kim\",\"canonical\":\"Kim\",\"cluster\":3,\"source\":null}],"
    "\"claims\":[{\"start\":0,\"end\":3,\"label\":null,\"cue\":{\"start\":8,\"end\":12,\"text\":\"said\"},"
    "\"speaker\":{\"start\":4,\"end\":7,\"entity\":\"entities-1\"},\"hedges\":[],\"ok\":true}],\"empty\":[]}}", DP_FAST_LOADED },
  { "{\"text\":\"abc\",\"layers\":{\"x\":[{\"start\":2,\"end\":1}]}}", DP_FAST_FAILED },
  { "{\"text\":\"abc\",\"layers\":{\"x\":[{\"start\":0,\"end\":1,\"c\":{\"start\":1,\"end\":9}}]}}", DP_FAST_FAILED },
  { "{\"text\":\"abc\",\"layers\":{\"x\":[{\"start\":0}]}}", DP_FAST_FAILED },
  { "{\"text\":\"abc\",\"layers\":{\"x\":[{\"start\":0,\"end\":1,\"label\":2}]}}", DP_FAST_FAILED },
  { "{\"text\":\"abc\",\"layers\":[]}", DP_FAST_FAILED },
  { "{\"text\":\"abc\",\"layers\":{\"x\":{}}}", DP_FAST_FAILED },
  { "{\"text\":\"abc\",\"layers\":{\"x\":[{\"start\":0,\"end\":1,\"w\":0.5}]}}", DP_FAST_DECLINED },
  { "{\"text\":\"t\",\"score\":1.5}", DP_FAST_DECLINED },
  { "{\"text\":\"t\",\"score\":1e3}", DP_FAST_DECLINED },
  { "{\"text\":\"t\",\"big\":12345678901234567890}", DP_FAST_DECLINED },
  { "{\"text\":\"t\",\"n\":007}", DP_FAST_DECLINED },
  { "{\"text\":\"t\",\"n\":-0}", DP_FAST_DECLINED },
  { "{\"text\":\"a\\u0000b\"}", DP_FAST_DECLINED },
  { "{\"text\":\"a\\ud83d b\"}", DP_FAST_DECLINED },
  { "{\"text\":\"a\\ude00 b\"}", DP_FAST_DECLINED },
  { "{\"text\":\"a\\x b\"}", DP_FAST_DECLINED },
  { "{\"text\":\"a\\u12\"}", DP_FAST_DECLINED },
  { "{\"text\":\"a\tb\"}", DP_FAST_DECLINED },
  { "{\"text\":\"a\xFF b\"}", DP_FAST_DECLINED },
  { "{\"text\":\"a\",\"text\":\"b\"}", DP_FAST_DECLINED },
  { "{\"text\":\"a\",\"m\":{\"k\":1,\"k\":2}}", DP_FAST_DECLINED },
  { "{\"text\":\"a\"} {\"text\":\"b\"}", DP_FAST_DECLINED },
  { "{\"text\":\"a\",}", DP_FAST_DECLINED },
  { "{\"text\":\"a\"", DP_FAST_DECLINED },
  { "{\"text\":\"a", DP_FAST_DECLINED },
  { "{}", DP_FAST_DECLINED },
  { "[1]", DP_FAST_DECLINED },
  { "", DP_FAST_DECLINED },
  { "{\"id\":\"a\"}", DP_FAST_DECLINED },
  { "{\"text\":5}", DP_FAST_DECLINED },
  { "{\"text\":\"t\",\"x\":tru}", DP_FAST_DECLINED },
  { "{\"text\":\"t\",\"id\":true}", DP_FAST_FAILED },
  { "{\"text\":\"t\",\"source\":3}", DP_FAST_FAILED },
  { "{\"text\":\"t\",\"meta\":[1]}", DP_FAST_FAILED },
};

/* Loads @line both ways and checks that they agree: success, the error, and
 * the record written back. */
static guint fast_taken;   /* lines the fast parser loaded or failed */

static void
check_fast_agrees (const char *line, gsize len, DpFastLoad expect)
{
  g_autoptr (DpRecord) fast = dp_record_new ("", "", "", 0, NULL);
  g_autoptr (DpRecord) slow = dp_record_new ("", "", "", 0, NULL);
  /* Loading is for fresh records: no text yet, as a deferred record has. */
  g_clear_pointer (&fast->text, g_free);
  g_clear_pointer (&slow->text, g_free);
  g_autoptr (GError) fe = NULL, se = NULL;
  DpFastLoad got = dp_record_load_json_fast (fast, line, len, &fe);
  if ((int) expect >= 0 && got != expect)
    g_error ("fast parser: %d, not %d, on %s", got, expect, line);
  /* Declined lines are json-glib's alone (it leaks on some broken ones). */
  if (got == DP_FAST_DECLINED)
    return;
  gboolean sok = dp_record_load_json_glib (slow, line, len, &se);
  fast_taken++;
  g_assert_cmpint (got == DP_FAST_LOADED, ==, sok);
  if (!sok)
    {
      g_assert_cmpstr (fe->message, ==, se->message);
      return;
    }
  g_autoptr (GString) a = g_string_new (NULL), b = g_string_new (NULL);
  dp_record_to_json (fast, a, DP_JSON_DEFAULT);
  dp_record_to_json (slow, b, DP_JSON_DEFAULT);
  g_assert_cmpstr (a->str, ==, b->str);
}

static void
test_load_fast_agrees (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (fast_cases); i++)
    check_fast_agrees (fast_cases[i].line, strlen (fast_cases[i].line), fast_cases[i].expect);
  /* 40 levels of nesting: declined (json-glib's path has its own limit). */
  g_autoptr (GString) deep = g_string_new ("{\"text\":\"t\",\"d\":");
  for (guint i = 0; i < 40; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 40; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  check_fast_agrees (deep->str, deep->len, DP_FAST_DECLINED);
  /* Every special byte at every position of strings around the 8-byte
   * words the scanner reads: loaded as json-glib loads them. */
  static const char *const specials[] = { "\\\"", "\\\\", "\\n", "\\u00e9", "\xC3\xA9", "\xF0\x9F\x98\x80", NULL };
  for (guint n = 0; n < 20; n++)
    for (guint at = 0; at <= n; at++)
      for (guint k = 0; specials[k]; k++)
        {
          g_autoptr (GString) text = g_string_new (NULL);
          for (guint i = 0; i < n; i++)
            {
              if (i == at)
                g_string_append (text, specials[k]);
              g_string_append_c (text, (char) ('a' + i % 26));
            }
          g_autofree char *line = g_strdup_printf ("{\"id\":\"%s\",\"text\":\"%s\"}", text->str, text->str);
          check_fast_agrees (line, strlen (line), DP_FAST_LOADED);
        }
}

/* Random edits of record lines (a fixed seed): whatever the fast parser
 * takes, it loads as json-glib's path does, or fails with the same error. */
static void
test_load_fast_mutations (void)
{
  fast_taken = 0;
  static const char *const seeds[] = {
    "{\"id\":\"r1\",\"source\":\"f:1\",\"text\":\"Kim said \\\"no\\\" \\u00e9\\n\",\"meta\":{\"a\":[1,-2,true,null,{\"b\":\"c\"}]},\"n\":12}",
    "{\"text\":\"abcdef Kim\",\"layers\":{\"e\":[{\"id\":\"e-1\",\"start\":7,\"end\":10,\"label\":\"PER\",\"cluster\":1,"
    "\"c\":{\"start\":0,\"end\":3,\"x\":[]}}]}}",
  };
  static const char pieces[] = "{}[]\",:\\u0123456789-.eEtfnl \xC3\xA9\x01";
  GRand *rand = g_rand_new_with_seed (19);
  for (guint i = 0; i < 20000; i++)
    {
      g_autoptr (GString) line = g_string_new (seeds[i % G_N_ELEMENTS (seeds)]);
      for (guint k = g_rand_int_range (rand, 1, 4); k > 0; k--)
        {
          guint at = g_rand_int_range (rand, 0, (gint32) line->len);
          char c = pieces[g_rand_int_range (rand, 0, sizeof pieces - 1)];
          switch (g_rand_int_range (rand, 0, 3))
            {
            case 0: line->str[at] = c; break;
            case 1: g_string_insert_c (line, at, c); break;
            default: g_string_erase (line, at, 1); break;
            }
        }
      check_fast_agrees (line->str, line->len, (DpFastLoad) -1);
    }
  g_rand_free (rand);
  /* Most edits break the line; enough of them must still be taken. */
  g_test_message ("%u of 20000 edited lines taken by the fast parser", fast_taken);
  g_assert_cmpuint (fast_taken, >, 1000);
}

/* The output side's word-at-a-time scan, against escaping byte by byte. */
static void
test_to_json_escapes_every_position (void)
{
  static const char specials[] = { '"', '\\', '\n', '\t', '\r', 0x01, 0x1f, 0x7f, (char) 0xc3, ' ' };
  for (guint n = 1; n < 24; n++)
    for (guint at = 0; at < n; at++)
      for (guint k = 0; k < G_N_ELEMENTS (specials); k++)
        {
          char s[32];
          for (guint i = 0; i < n; i++)
            s[i] = (char) ('A' + i);
          s[at] = specials[k];
          g_autoptr (GString) want = g_string_new ("\"");
          for (guint i = 0; i < n; i++)
            {
              guchar c = (guchar) s[i];
              if (c == '"' || c == '\\')
                g_string_append_printf (want, "\\%c", c);
              else if (c == '\n')
                g_string_append (want, "\\n");
              else if (c == '\t')
                g_string_append (want, "\\t");
              else if (c == '\r')
                g_string_append (want, "\\r");
              else if (c < 0x20)
                g_string_append_printf (want, "\\u%04x", c);
              else
                g_string_append_c (want, (char) c);
            }
          g_string_append_c (want, '"');
          g_autoptr (GString) got = g_string_new (NULL);
          dp_json_append_string (got, s, n);
          g_assert_cmpstr (got->str, ==, want->str);
        }
}

/* A line starting with another value than an object: json-glib 1.6 took a
 * second value after it and leaked that (seen by LeakSanitizer and valgrind
 * with G_SLICE=always-malloc, which main() sets; found by fuzz-record-json). */
static void
test_value_then_object (void)
{
  static const char *const lines[] = {
    "1{\"text\":\"a\",\"meta\":{\"k\":[1,2]}}", "\"s\"{\"text\":\"a\"}", " [1]{\"text\":\"a\"}",
    "null {\"text\":\"a\"}", "true{\"text\":\"a\"}", "-2{\"text\":\"a\"}", "$e{\"text\":\"a\"}",
    ".5{\"text\":\"a\"}",
  };
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (DpRecord) rec = new_record ("");
      g_assert_false (dp_record_load_json (rec, lines[i], strlen (lines[i]), &error));
      g_assert_true (error->domain == DP_RECORD_ERROR);   /* the fast path words some itself */
    }
  assert_load_fails ("not json", 8, DP_RECORD_ERROR_PARSE);
}

/* Anything after the record's object is refused before json-glib sees it:
 * json-glib read on after an object it had rejected ("{/}/}{}") and leaked
 * what it built (found by fuzz-record-json).  A valid object followed by
 * blanks still loads. */
static void
test_text_after_object (void)
{
  static const struct { const char *line, *message; } lines[] = {
    { "{/}/}{}", "invalid JSON at byte 1: expected a member name in quotes, found '/'" },
    { "{ /}/}{\"a\":1}", "invalid JSON at byte 2: expected a member name in quotes, found '/'" },
    { "{\"text\":\"t\"/}/}{}", "invalid JSON at byte 11: expected ',' or '}', found '/'" },
    { "{\"text\":\"a}\"}}", "invalid JSON at byte 13: text after the record's object" },
    { "{\"text\":\"a\\\"}\"} x", "invalid JSON at byte 16: text after the record's object" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (DpRecord) rec = new_record ("");
      g_assert_false (dp_record_load_json_glib (rec, lines[i].line, strlen (lines[i].line), &error));
      g_assert_cmpstr (error->message, ==, lines[i].message);
    }
  /* Blanks only: nothing read past them (found by fuzz-record-json under
   * ASan, in the first version of this check). */
  g_autoptr (GError) blank_error = NULL;
  g_autoptr (DpRecord) blank = new_record ("");
  g_autofree char *space = g_malloc (1);   /* one byte, no NUL: ASan sees a read past it */
  space[0] = ' ';
  g_assert_false (dp_record_load_json_glib (blank, space, 1, &blank_error));
  const char *ok = "{\"text\":\"a}\\\"{\",\"meta\":{\"k\":[1,{}]}}  \t";
  g_autoptr (GError) error = NULL;
  g_autoptr (DpRecord) rec = new_record ("");
  g_assert_true (dp_record_load_json_glib (rec, ok, strlen (ok), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (dp_record_get_text (rec, NULL), ==, "a}\"{");
}

/* Every syntax error is found by our own check, with our own message, before
 * json-glib sees the line: json-glib leaked on malformed objects shape after
 * shape (the first line here: 152 bytes, found by fuzz-record-json; valgrind
 * and LeakSanitizer see it with G_SLICE=always-malloc, which main() sets). */
static void
test_grammar_before_json_glib (void)
{
  static const struct { const char *line, *message; } lines[] = {
    { "{\"d\": \"ce alarm\",/\".\\udebeir/\".\\udebeir\\udebE\\udebe\\U\": \"ce\\e alarm\"U\"Irs\"}",
      "invalid JSON at byte 17: expected a member name in quotes, found '/'" },
    { "{\"text\":\"a\",\"m\":{\"k\":[1,2,{\"x\":}]}}", "invalid JSON at byte 31: expected a value, found '}'" },
    { "{\"text\":\"a\",\"m\":{\"k\" 1}}", "invalid JSON at byte 21: expected ':' after a member name, found '1'" },
    { "{\"text\":\"a\",\"m\":[1 2]}", "invalid JSON at byte 19: expected ',' or ']', found '2'" },
    { "{\"text\":\"a\",\"m\":-}", "invalid JSON at byte 17: expected a digit, found '}'" },
    { "{\"text\":\"a\",\"m\":1e+}", "invalid JSON at byte 19: expected a digit in the exponent, found '}'" },
    { "{\"text\":\"a\",\"m\":007}", "invalid JSON at byte 16: a number with a leading zero" },
    { "{\"text\":\"a\",\"m\":{\"k\":[tru]}}", "invalid JSON at byte 22: expected a value, found 't'" },
    { "{\"text\":\"a\",\"m\":\"\x80\"}", "invalid JSON at byte 17: invalid UTF-8 in a string" },
    { "{\"text\":\"a\",\"m\":[{}", "invalid JSON at byte 19: expected ',' or ']', found the end of the line" },
    { "{\"text\":\"a\",\"m\":\"abc", "invalid JSON at byte 16: a string that is not closed" },
    { "$e{\"text\":\"a\"}", "invalid JSON at byte 0: expected a value, found '$'" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (DpRecord) rec = new_record ("");
      g_assert_false (dp_record_load_json_glib (rec, lines[i].line, strlen (lines[i].line), &error));
      g_assert_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_PARSE);
      g_assert_cmpstr (error->message, ==, lines[i].message);
    }
  /* What json-glib accepts in a string and RFC 8259 does not (a raw tab),
   * and a byte-order mark before the object, still load. */
  const char *lenient = "\xef\xbb\xbf {\"text\":\"a\tb\",\"n\":[-0,1.5E+3,9223372036854775807,-9223372036854775808]}";
  g_autoptr (DpRecord) rec = load (lenient);
  g_assert_cmpstr (dp_record_get_text (rec, NULL), ==, "a\tb");
}

int
main (int argc, char **argv)
{
  /* GLib's slice allocator would hide leaks of JSON nodes from valgrind and
   * LeakSanitizer. */
  g_setenv ("G_SLICE", "always-malloc", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/record/json/value-then-object", test_value_then_object);
  g_test_add_func ("/record/json/text-after-object", test_text_after_object);
  g_test_add_func ("/record/json/grammar-before-json-glib", test_grammar_before_json_glib);
  g_test_add_func ("/record/new/invalid-utf8", test_new_invalid_utf8);
  g_test_add_func ("/record/new/empty", test_new_empty);
  g_test_add_func ("/record/fields", test_fields);
  g_test_add_func ("/record/set-text-drops-layers", test_set_text_drops_layers);
  g_test_add_func ("/record/span/bounds", test_span_bounds);
  g_test_add_func ("/record/span/ids", test_span_ids);
  g_test_add_func ("/record/span/ids/layers-sharing-a-letter", test_span_ids_layers_sharing_a_letter);
  g_test_add_func ("/record/span/ids/avoid-given-ids", test_span_ids_avoid_given_ids);
  g_test_add_func ("/record/span/attr-setters", test_span_attr_setters);
  g_test_add_func ("/record/span/attr-setters-many", test_span_attr_setters_many);
  g_test_add_func ("/record/span/get-attr-string", test_span_get_attr_string);
  g_test_add_func ("/record/tokens/cache-dropped", test_token_cache_dropped);
  g_test_add_func ("/record/layer/order", test_layer_order);
  g_test_add_func ("/record/offsets/in-order", test_offsets_in_order);
  g_test_add_func ("/record/offsets/random-order", test_offsets_random_order);
  g_test_add_func ("/record/offsets/long-text-any-order", test_offsets_long_text_any_order);
  g_test_add_func ("/record/offsets/mid-character", test_offsets_mid_character);
  g_test_add_func ("/record/offsets/ascii-and-empty", test_offsets_ascii_and_empty);
  g_test_add_func ("/record/json/output", test_to_json);
  g_test_add_func ("/record/json/output-span-text", test_to_json_span_text);
  g_test_add_func ("/record/json/escapes", test_to_json_escapes);
  g_test_add_func ("/record/json/doubles", test_to_json_doubles);
  g_test_add_func ("/record/json/round-trip", test_round_trip);
  g_test_add_func ("/record/json/load-fields", test_load_fields);
  g_test_add_func ("/record/json/meta-untouched", test_load_meta_untouched);
  g_test_add_func ("/record/json/load-errors", test_load_errors);
  g_test_add_func ("/record/json/deep-nesting", test_load_deep_nesting);
  g_test_add_func ("/record/json/brackets-in-strings", test_load_brackets_in_strings);
  g_test_add_func ("/record/json/nul-escape", test_load_nul_escape);
  g_test_add_func ("/record/json/surrogate-escapes", test_load_surrogate_escapes);
  g_test_add_func ("/record/json/bad-escapes", test_load_bad_escapes);
  g_test_add_func ("/record/json/fast-parser-agrees", test_load_fast_agrees);
  g_test_add_func ("/record/json/fast-parser-mutations", test_load_fast_mutations);
  g_test_add_func ("/record/json/escapes-every-position", test_to_json_escapes_every_position);
  g_test_add_func ("/record/deferred", test_deferred);
  g_test_add_func ("/record/deferred-user-data", test_deferred_user_data);
  g_test_add_func ("/record/tokens-cached", test_tokens_cached);
  return g_test_run ();
}
