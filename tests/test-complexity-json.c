/* test-complexity-json.c — the record's JSON edge (core/record-json.c and the
 * offset conversions in core/record.c) grows linearly with its input.
 *
 * Each case builds an input at 1x and 8x and compares CPU time (complexity.h),
 * never a wall-clock limit: writing a non-ASCII record with tens of thousands
 * of spans in any order (in text order, reversed, shuffled, with nested spans,
 * mapped onto the original text after a rewrite), reading such records back,
 * and reading hostile shapes of JSON (runs of escapes, \u escapes, tiny spans,
 * nesting as deep as allowed, huge meta).  It is its own program so that CI's
 * valgrind pass, which runs only the unit tests, leaves it out.
 */
#include <docpipe/alignment.h>
#include <docpipe/record.h>

#include "complexity.h"

#include <string.h>

/* ---- records with many spans ------------------------------------------------ */

typedef enum { ORDER_FORWARD, ORDER_REVERSED, ORDER_RANDOM } Order;

typedef struct {
  Order order;
  gboolean nested;     /* every span carries nested spans elsewhere in the text */
  gboolean original;   /* the text is rewritten, output maps spans onto the original */
} Shape;

/* Words of 1- to 4-byte characters, so that bytes and code points differ throughout. */
static void
append_text (GString *text, gsize size)
{
  static const char *const words[] = {
    "Zo\xc3\xab", "\xc3\xa9tait", "\xc3\xa0", "K\xc3\xb6ln", "\xe2\x80\x9cprobably\xe2\x80\x9d",
    "\xf0\x9f\x98\x80", "na\xc3\xafve", "\xc5\x8c" "e", "said", "Z\xc3\xbcrich",
  };
  for (guint i = 0; text->len < size; i++)
    {
      g_string_append (text, words[i % G_N_ELEMENTS (words)]);
      g_string_append_c (text, ' ');
    }
}

/* The byte ranges of the words of @text, in text order. */
static GArray *
word_ranges (const char *text, gsize len)
{
  GArray *words = g_array_new (FALSE, FALSE, sizeof (gsize) * 2);
  gsize start = 0;
  for (gsize i = 0; i <= len; i++)
    if (i == len || text[i] == ' ')
      {
        if (i > start)
          {
            gsize w[2] = { start, i };
            g_array_append_val (words, w);
          }
        start = i + 1;
      }
  return words;
}

/* 0 … n-1 in @order (the same shuffle every run). */
static guint *
permutation (guint n, Order order)
{
  guint *p = g_new (guint, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    p[i] = order == ORDER_REVERSED ? n - 1 - i : i;
  if (order == ORDER_RANDOM)
    {
      g_autoptr (GRand) rand = g_rand_new_with_seed (15);
      for (guint i = n; i > 1; i--)
        {
          guint j = (guint) g_rand_int_range (rand, 0, (gint32) i), t = p[i - 1];
          p[i - 1] = p[j];
          p[j] = t;
        }
    }
  return p;
}

static JsonObject *
nested_span (const gsize *w)
{
  JsonObject *obj = json_object_new ();
  json_object_set_int_member (obj, "start", (gint64) w[0]);
  json_object_set_int_member (obj, "end", (gint64) w[1]);
  return obj;
}

/* Rewrites the record's text as a normalizer would: "ë" becomes "e" and every
 * emoji is deleted, so the alignment has segments of all kinds throughout. */
static void
rewrite (DpRecord *rec)
{
  gsize len;
  const char *text = dp_record_get_text (rec, &len);
  DpTextBuilder *b = dp_text_builder_new (text, len);
  gsize run = 0;
  for (gsize i = 0; i < len; i++)
    if (memcmp (text + i, "\xc3\xab", MIN (2, len - i)) == 0 || (guchar) text[i] == 0xf0)
      {
        dp_text_builder_copy (b, run, i - run);
        gsize n = (guchar) text[i] == 0xf0 ? 4 : 2;
        dp_text_builder_replace (b, i, n, n == 4 ? "" : "e", -1);
        run = i + n;
        i += n - 1;
      }
  dp_text_builder_copy (b, run, len - run);
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_record_apply_text (rec, b, &error));
  g_assert_no_error (error);
}

/* A record of about @size bytes of text with one span per word, added in the shape's order. */
static DpRecord *
annotated_record (gsize size, const Shape *shape)
{
  g_autoptr (GString) text = g_string_new (NULL);
  append_text (text, size);
  g_autoptr (GError) error = NULL;
  DpRecord *rec = dp_record_new ("big", "test", text->str, (gssize) text->len, &error);
  g_assert_no_error (error);
  if (shape->original)
    rewrite (rec);
  gsize len;
  const char *now = dp_record_get_text (rec, &len);
  g_autoptr (GArray) words = word_ranges (now, len);
  g_autofree guint *order = permutation (words->len, shape->order);
  DpLayer *layer = dp_record_ensure_layer (rec, "words");
  for (guint i = 0; i < words->len; i++)
    {
      const gsize *w = &g_array_index (words, gsize, 2 * order[i]);
      DpSpan *span = dp_layer_add_span (layer, w[0], w[1], "W", &error);
      g_assert_no_error (error);
      if (!shape->nested)
        continue;
      /* A cue far away and parts at both ends: conversions jump about the text. */
      JsonObject *attrs = dp_span_get_attrs (span);
      guint n = words->len;
      json_object_set_object_member (attrs, "cue",
                                     nested_span (&g_array_index (words, gsize, 2 * ((order[i] * 7919u) % n))));
      JsonArray *parts = json_array_new ();
      json_array_add_object_element (parts, nested_span (&g_array_index (words, gsize, 2 * (order[i] / 2))));
      json_array_add_object_element (parts, nested_span (&g_array_index (words, gsize, 2 * (n - 1 - order[i]))));
      json_object_set_array_member (attrs, "parts", parts);
    }
  return rec;
}

static DpJsonFlags
shape_flags (const Shape *shape)
{
  return DP_JSON_SPAN_TEXT | (shape->original ? DP_JSON_ORIGINAL : 0);
}

/* The size to build goes in @input's length: the record is built (untimed)
 * by the work function itself, so a text of that many bytes is what it gets. */
static void
build_size (GString *input, gsize size, gpointer data)
{
  (void) data;
  g_string_set_size (input, size);
}

static void
work_write (const GString *input, gpointer data)
{
  const Shape *shape = data;
  g_autoptr (DpRecord) rec = annotated_record (input->len, shape);
  g_autoptr (GString) out = g_string_new (NULL);
  dp_record_to_json (rec, out, shape_flags (shape));
  g_assert_cmpuint (out->len, >, input->len);
}

static void
test_write (gconstpointer data)
{
  const Shape *shape = data;
  dp_test_assert_linear (g_test_get_path (), 32 * 1024, build_size, work_write, (gpointer) shape);
}

/* ---- reading ---------------------------------------------------------------- */

static void
build_json (GString *input, gsize size, gpointer data)
{
  const Shape *shape = data;
  g_autoptr (DpRecord) rec = annotated_record (size, shape);
  dp_record_to_json (rec, input, shape_flags (shape));
}

static DpRecord *
load_record (const GString *input)
{
  g_autoptr (GError) error = NULL;
  DpRecord *rec = dp_record_new (NULL, NULL, NULL, 0, &error);
  gboolean ok = dp_record_load_json (rec, input->str, input->len, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  return rec;
}

static void
work_load (const GString *input, gpointer data)
{
  (void) data;
  g_autoptr (DpRecord) rec = load_record (input);
}

static void
test_load (gconstpointer data)
{
  dp_test_assert_linear (g_test_get_path (), 32 * 1024, build_json, work_load, (gpointer) data);
}

/* ---- hostile JSON --------------------------------------------------------------- */

/* Appends `"layers":{"t":[…]}` with one span per unit of @unit_chars code points,
 * @n units, in shuffled order, the last member of an object already open. */
static void
append_shuffled_spans (GString *json, guint n, guint unit_chars, guint span_chars)
{
  g_autofree guint *order = permutation (n, ORDER_RANDOM);
  g_string_append (json, ",\"layers\":{\"t\":[");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (json, "%s{\"start\":%u,\"end\":%u}", i ? "," : "",
                            order[i] * unit_chars, order[i] * unit_chars + span_chars);
  g_string_append (json, "]}");
}

/* A text that is nothing but escapes, mixed with shuffled spans over it. */
static void
build_escapes (GString *json, gsize size, gpointer data)
{
  (void) data;
  /* 7 code points: newline, tab, quote, backslash, é, 😀, space. */
  static const char unit[] = "\\n\\t\\\"\\\\\\u00e9\\ud83d\\ude00 ";
  guint n = (guint) (size / (sizeof unit - 1)) + 1;
  g_string_append (json, "{\"id\":\"e\",\"text\":\"");
  for (guint i = 0; i < n; i++)
    g_string_append_len (json, unit, sizeof unit - 1);
  g_string_append_c (json, '"');
  append_shuffled_spans (json, n, 7, 6);
  g_string_append_c (json, '}');
}

/* \u escapes json-glib would turn into invalid text (NUL, lone surrogates):
 * each is rewritten before parsing. */
static void
build_bad_unicode_escapes (GString *json, gsize size, gpointer data)
{
  (void) data;
  g_string_append (json, "{\"text\":\"");
  while (json->len < size)
    g_string_append (json, "\\u0000\\ud800x\\udc00\\u00e9");
  g_string_append (json, "\"}");
}

/* A span on every code point, and an empty one at each, in shuffled order. */
static void
build_tiny_spans (GString *json, gsize size, gpointer data)
{
  (void) data;
  g_autoptr (GString) text = g_string_new (NULL);
  append_text (text, size / 16);
  guint chars = (guint) g_utf8_strlen (text->str, (gssize) text->len);
  g_string_append (json, "{\"text\":");
  dp_json_append_string (json, text->str, (gssize) text->len);
  append_shuffled_spans (json, chars, 1, 1);
  g_string_truncate (json, json->len - 1);   /* reopen the layers object for a second layer */
  g_autofree guint *order = permutation (chars, ORDER_RANDOM);
  g_string_append (json, ",\"empty\":[");
  for (guint i = 0; i < chars; i++)
    g_string_append_printf (json, "%s{\"start\":%u,\"end\":%u}", i ? "," : "", order[i], order[i]);
  g_string_append (json, "]}}");
}

/* Many subtrees nested almost as deep as allowed: in meta, as arrays, and in
 * span attributes, as nested spans inside nested spans (each converted). */
static void
build_deep (GString *json, gsize size, gpointer data)
{
  (void) data;
  const guint depth = 500;
  g_autoptr (GString) text = g_string_new (NULL);
  append_text (text, 4096);
  guint chars = (guint) g_utf8_strlen (text->str, (gssize) text->len);
  guint trees = (guint) (size / (depth * 20)) + 1;
  g_string_append (json, "{\"text\":");
  dp_json_append_string (json, text->str, (gssize) text->len);
  g_string_append (json, ",\"meta\":{\"deep\":[");
  for (guint t = 0; t < trees; t++)
    {
      g_string_append (json, t ? "," : "");
      for (guint d = 0; d < depth - 5; d++)
        g_string_append_c (json, '[');
      for (guint d = 0; d < depth - 5; d++)
        g_string_append_c (json, ']');
    }
  g_string_append (json, "]},\"layers\":{\"t\":[");
  for (guint t = 0; t < trees; t++)
    {
      g_string_append_printf (json, "%s{\"start\":0,\"end\":1", t ? "," : "");
      for (guint d = 0; d < depth - 5; d++)
        g_string_append_printf (json, ",\"n\":{\"start\":%u,\"end\":%u", (t * 31 + d * 97) % chars,
                                (t * 31 + d * 97) % chars);
      for (guint d = 0; d < depth - 5; d++)
        g_string_append_c (json, '}');
      g_string_append_c (json, '}');
    }
  g_string_append (json, "]}}");
}

/* Meta with very many members, given both inside "meta" and as unknown top-level fields. */
static void
build_huge_meta (GString *json, gsize size, gpointer data)
{
  (void) data;
  g_string_append (json, "{\"text\":\"caf\xc3\xa9\",\"meta\":{");
  guint n = (guint) (size / 40) + 1;
  for (guint i = 0; i < n; i++)
    g_string_append_printf (json, "%s\"key %u\":\"value \xc3\xa9 %u\"", i ? "," : "", i, i);
  g_string_append (json, "}");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (json, ",\"field %u\":[%u,{\"start\":%u,\"end\":%u}]", i, i, i, i + 1);
  g_string_append (json, "}");
}

/* Very many layers of one span each. */
static void
build_many_layers (GString *json, gsize size, gpointer data)
{
  (void) data;
  g_string_append (json, "{\"text\":\"caf\xc3\xa9\",\"layers\":{");
  guint n = (guint) (size / 40) + 1;
  for (guint i = 0; i < n; i++)
    g_string_append_printf (json, "%s\"layer %u\":[{\"start\":%u,\"end\":4}]", i ? "," : "", i, i % 4);
  g_string_append (json, "}}");
}

/* One span with very many attributes of the kinds kept compactly (strings,
 * integers, nulls). */
static void
build_many_span_attrs (GString *json, gsize size, gpointer data)
{
  (void) data;
  g_string_append (json, "{\"text\":\"caf\xc3\xa9\",\"layers\":{\"l\":[{\"start\":0,\"end\":4");
  guint n = (guint) (size / 16) + 1;
  for (guint i = 0; i < n; i++)
    g_string_append_printf (json, i % 3 ? ",\"k%u\":\"v\"" : ",\"k%u\":%u", i, i);
  g_string_append (json, "}]}}");
}

/* The same member over and over, in meta, at the top and in a span. */
static void
build_duplicate_keys (GString *json, gsize size, gpointer data)
{
  (void) data;
  guint n = (guint) (size / 30) + 1;
  g_string_append (json, "{\"text\":\"caf\xc3\xa9\",\"meta\":{");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (json, "%s\"k\":%u", i ? "," : "", i);
  g_string_append (json, "}");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (json, ",\"top\":%u", i);
  g_string_append (json, ",\"layers\":{\"t\":[{\"start\":0,\"end\":4");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (json, ",\"a\":{\"start\":%u,\"end\":4}", i % 4);
  g_string_append (json, "}]}}");
}

/* Numbers of very many digits: a fraction json-check.c must read as a double
 * to see that it is finite. */
static void
build_long_numbers (GString *json, gsize size, gpointer data)
{
  (void) data;
  g_string_append (json, "{\"text\":\"caf\xc3\xa9\",\"meta\":{\"n\":[");
  for (int k = 0; k < 4; k++)
    {
      g_string_append (json, k ? ",-0." : "0.");
      for (gsize i = 0; i < size / 4; i++)
        g_string_append_c (json, (char) ('0' + (i * 7 + k) % 10));
      g_string_append (json, "e-5");
    }
  g_string_append (json, "]}}");
}

typedef struct {
  const char *path;
  DpTestBuildFunc build;
} Hostile;

static const Hostile hostile[] = {
  { "/complexity/json/load/hostile/escape-runs", build_escapes },
  { "/complexity/json/load/hostile/bad-unicode-escapes", build_bad_unicode_escapes },
  { "/complexity/json/load/hostile/tiny-spans", build_tiny_spans },
  { "/complexity/json/load/hostile/deep-nesting", build_deep },
  { "/complexity/json/load/hostile/huge-meta", build_huge_meta },
  { "/complexity/json/load/hostile/many-layers", build_many_layers },
  { "/complexity/json/load/hostile/many-span-attributes", build_many_span_attrs },
  { "/complexity/json/load/hostile/duplicate-keys", build_duplicate_keys },
  { "/complexity/json/load/hostile/long-numbers", build_long_numbers },
};

/* @work on @h's inputs grows linearly.  It runs once on a small input first,
 * so that one-time costs (json-glib's parser, the first allocations) do not
 * stop the base size from growing. */
static void
assert_hostile_linear (const Hostile *h, DpTestWorkFunc work)
{
  {
    g_autoptr (GString) input = g_string_new (NULL);
    h->build (input, 4096, NULL);
    work (input, NULL);
  }
  dp_test_assert_linear (h->path, 64 * 1024, h->build, work, NULL);
}

static void
test_hostile (gconstpointer data)
{
  assert_hostile_linear (data, work_load);
}

/* Writing what the hostile inputs load to: escapes and huge meta on output. */
static void
work_load_and_write (const GString *input, gpointer data)
{
  (void) data;
  g_autoptr (DpRecord) rec = load_record (input);
  g_autoptr (GString) out = g_string_new (NULL);
  for (int i = 0; i < 4; i++)
    {
      g_string_truncate (out, 0);
      dp_record_to_json (rec, out, DP_JSON_SPAN_TEXT);
    }
}

static void
test_hostile_write (gconstpointer data)
{
  assert_hostile_linear (data, work_load_and_write);
}

/* ---- span ids ------------------------------------------------------------------ */

/* A stage that links spans, as a claims stage would: for every span it takes
 * the attributes and stores another span's id.  Neither call may rescan the
 * record's spans each time. */
static void
work_link_spans (const GString *input, gpointer data)
{
  (void) data;
  g_autoptr (GError) error = NULL;
  g_autoptr (DpRecord) rec = dp_record_new ("r", "test", input->str, (gssize) input->len, &error);
  g_assert_no_error (error);
  g_autoptr (GArray) words = word_ranges (input->str, input->len);
  DpLayer *mentions = dp_record_ensure_layer (rec, "mentions");
  DpLayer *links = dp_record_ensure_layer (rec, "links");
  for (guint i = 0; i < words->len; i++)
    {
      const gsize *w = &g_array_index (words, gsize, 2 * i);
      DpSpan *mention = dp_layer_add_span (mentions, w[0], w[1], NULL, &error);
      if (i % 4 == 0)   /* some spans carry ids of their own */
        json_object_set_string_member (dp_span_get_attrs (mention), "id", "given");
      DpSpan *link = dp_layer_add_span (links, w[0], w[1], NULL, &error);
      JsonObject *attrs = dp_span_get_attrs (link);
      g_autofree char *target = dp_span_dup_id (mention);
      json_object_set_string_member (attrs, "target", target);
    }
  g_assert_no_error (error);
}

static void
build_text (GString *input, gsize size, gpointer data)
{
  (void) data;
  append_text (input, size);
}

static void
test_link_spans (void)
{
  dp_test_assert_linear (g_test_get_path (), 16 * 1024, build_text, work_link_spans, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  static const struct {
    const char *name;
    Shape shape;
  } shapes[] = {
    { "in-order", { ORDER_FORWARD, FALSE, FALSE } },
    { "reversed", { ORDER_REVERSED, FALSE, FALSE } },
    { "random", { ORDER_RANDOM, FALSE, FALSE } },
    { "nested", { ORDER_FORWARD, TRUE, FALSE } },
    { "nested-random", { ORDER_RANDOM, TRUE, FALSE } },
    { "original", { ORDER_FORWARD, FALSE, TRUE } },
    { "original-random-nested", { ORDER_RANDOM, TRUE, TRUE } },
  };
  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      g_autofree char *write = g_strdup_printf ("/complexity/json/write/%s", shapes[i].name);
      g_test_add_data_func (write, &shapes[i].shape, test_write);
      if (shapes[i].shape.original)
        continue;   /* what DP_JSON_ORIGINAL writes loads as any record */
      g_autofree char *load = g_strdup_printf ("/complexity/json/load/%s", shapes[i].name);
      g_test_add_data_func (load, &shapes[i].shape, test_load);
    }
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    g_test_add_data_func (hostile[i].path, &hostile[i], test_hostile);
  static const Hostile hostile_write[] = {
    { "/complexity/json/write/hostile/escape-runs", build_escapes },
    { "/complexity/json/write/hostile/huge-meta", build_huge_meta },
    { "/complexity/json/write/hostile/many-layers", build_many_layers },
    { "/complexity/json/write/hostile/many-span-attributes", build_many_span_attrs },
  };
  for (guint i = 0; i < G_N_ELEMENTS (hostile_write); i++)
    g_test_add_data_func (hostile_write[i].path, &hostile_write[i], test_hostile_write);
  g_test_add_func ("/complexity/span-ids/attributes-and-ids-alternating", test_link_spans);
  return g_test_run ();
}
