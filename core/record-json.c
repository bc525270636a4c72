/* record-json.c — records to and from their JSON form (docs/record-format.md).
 *
 * This is the edge where byte offsets become code-point offsets and back.
 * Output is written by hand into a GString, on the hot path of every pipeline:
 * on annotated records, building json-glib's tree and running its generator
 * takes 3.5-4.6 times as long, the generator alone 1.4-1.6 times
 * (docs/benchmarks.md, bench/bench-json.c).
 * Input: the common record line is parsed by record-json-parse.c; what it
 * declines goes through json-glib, but only once json-check.c has found it
 * valid JSON (json-glib leaks on what it rejects).
 */
#include "record-private.h"
#include <docpipe/alignment.h>

#include <math.h>
#include <string.h>

/* ---- output ---------------------------------------------------------------- */

static const char hex[] = "0123456789abcdef";

#define ONES G_GUINT64_CONSTANT (0x0101010101010101)
#define HIGHS G_GUINT64_CONSTANT (0x8080808080808080)

/* Whether one of the 8 bytes at @s needs escaping (a quote, a backslash, a
 * control character).  Texts are long and have few of those: put_string
 * skips them a word at a time, which made it about 3 times faster. */
static inline gboolean
word_needs_escape (const char *s)
{
  guint64 w;
  memcpy (&w, s, 8);
  guint64 quote = w ^ (ONES * '"'), bslash = w ^ (ONES * '\\');
  guint64 t = ((quote - ONES) & ~quote) | ((bslash - ONES) & ~bslash) | ((w - ONES * 0x20) & ~w);
  return (t & HIGHS) != 0;
}

static void
put_string (GString *out, const char *s, gsize len)
{
  g_string_append_c (out, '"');
  gsize run = 0;
  for (gsize i = 0; i < len; i++)
    {
      while (len - i >= 8 && !word_needs_escape (s + i))
        i += 8;
      if (i >= len)
        break;
      guchar c = (guchar) s[i];
      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      g_string_append_len (out, s + run, (gssize) (i - run));
      run = i + 1;
      switch (c)
        {
        case '"': g_string_append_len (out, "\\\"", 2); break;
        case '\\': g_string_append_len (out, "\\\\", 2); break;
        case '\n': g_string_append_len (out, "\\n", 2); break;
        case '\t': g_string_append_len (out, "\\t", 2); break;
        case '\r': g_string_append_len (out, "\\r", 2); break;
        default:
          {
            char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            g_string_append_len (out, esc, 6);
          }
        }
    }
  g_string_append_len (out, s + run, (gssize) (len - run));
  g_string_append_c (out, '"');
}

static void
put_cstring (GString *out, const char *s)
{
  put_string (out, s, strlen (s));
}

void
dp_json_append_string (GString *out, const char *s, gssize len)
{
  put_string (out, s, len < 0 ? strlen (s) : (gsize) len);
}

/* Decimal digits without printf's format parsing: offsets are written for
 * every span, and printf was a tenth of the writer's time. */
static void
put_int (GString *out, gint64 v)
{
  char buf[24];
  gsize i = sizeof buf;
  guint64 u = v < 0 ? 0 - (guint64) v : (guint64) v;
  do
    buf[--i] = (char) ('0' + u % 10);
  while (u /= 10);
  if (v < 0)
    buf[--i] = '-';
  g_string_append_len (out, buf + i, (gssize) (sizeof buf - i));
}

static void
put_double (GString *out, double d)
{
  if (!isfinite (d))
    {
      g_string_append_len (out, "null", 4);
      return;
    }
  /* Shortest of 15 or 17 significant digits that reads back exactly. */
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd (buf, sizeof buf, "%.15g", d);
  if (g_ascii_strtod (buf, NULL) != d)
    g_ascii_formatd (buf, sizeof buf, "%.17g", d);
  g_string_append (out, buf);
  if (!strpbrk (buf, ".eE"))
    g_string_append_len (out, ".0", 2);
}

static void put_node (GString *out, JsonNode *node, DpRecord *spans_of, DpJsonFlags flags);

/* An object with integer "start" and "end" inside span attributes is a nested
 * span (a claim's cue, content, speaker): its offsets are converted too. */
static gboolean
is_nested_span (JsonObject *obj)
{
  JsonNode *s = json_object_get_member (obj, "start");
  JsonNode *e = json_object_get_member (obj, "end");
  return s && e && JSON_NODE_HOLDS_VALUE (s) && JSON_NODE_HOLDS_VALUE (e)
         && json_node_get_value_type (s) == G_TYPE_INT64
         && json_node_get_value_type (e) == G_TYPE_INT64;
}

/* A span in the text the output shows: the current one, or with
 * DP_JSON_ORIGINAL the text as first read (mapped through the alignment). */
typedef struct {
  gsize start, end;
} Range;

static Range
view_range (DpRecord *rec, gsize start, gsize end, DpJsonFlags flags)
{
  Range r = { start, end };
  if (flags & DP_JSON_ORIGINAL)
    dp_record_map_to_original (rec, start, end, &r.start, &r.end);
  return r;
}

static void
put_offsets (GString *out, DpRecord *rec, Range r, DpJsonFlags flags)
{
  gsize (*to_char) (DpRecord *, gsize) = (flags & DP_JSON_ORIGINAL) ? dp_record_original_byte_to_char
                                                                    : dp_record_byte_to_char;
  /* Start before end (two statements: C leaves the order of arguments open),
   * so spans in text order move the conversion cursor forward only. */
  gsize start = to_char (rec, r.start);
  gsize end = to_char (rec, r.end);
  g_string_append_len (out, "\"start\":", 8);
  put_int (out, (gint64) start);
  g_string_append_len (out, ",\"end\":", 7);
  put_int (out, (gint64) end);
}

static void
put_span_text (GString *out, DpRecord *rec, Range r, DpJsonFlags flags)
{
  if (flags & DP_JSON_SPAN_TEXT)
    {
      const char *text = (flags & DP_JSON_ORIGINAL) ? dp_record_get_original_text (rec, NULL) : rec->text;
      g_string_append_len (out, ",\"text\":", 8);
      put_string (out, text + r.start, r.end - r.start);
    }
}

/* Writes the members of @obj (after a comma if @comma), skipping @skip. */
static void
put_members (GString *out, JsonObject *obj, gboolean comma, const char *const *skip,
             DpRecord *spans_of, DpJsonFlags flags)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;
  json_object_iter_init_ordered (&iter, obj);
  while (json_object_iter_next_ordered (&iter, &name, &node))
    {
      if (skip && g_strv_contains (skip, name))
        continue;
      if (comma)
        g_string_append_c (out, ',');
      comma = TRUE;
      put_cstring (out, name);
      g_string_append_c (out, ':');
      put_node (out, node, spans_of, flags);
    }
}

static void
put_nested_span (GString *out, JsonObject *obj, DpRecord *rec, DpJsonFlags flags)
{
  static const char *const skip[] = { "start", "end", "text", NULL };
  gint64 start = json_object_get_int_member (obj, "start");
  gint64 end = json_object_get_int_member (obj, "end");
  g_string_append_c (out, '{');
  if (start >= 0 && dp_record_check_span (rec, (gsize) start, (gsize) end, NULL))
    {
      Range r = view_range (rec, (gsize) start, (gsize) end, flags);
      put_offsets (out, rec, r, flags);
      put_span_text (out, rec, r, flags);
    }
  else
    g_string_append_len (out, "\"start\":null,\"end\":null", 23);
  put_members (out, obj, TRUE, skip, rec, flags);
  g_string_append_c (out, '}');
}

/* @spans_of: the record whose offsets nested spans refer to, or NULL outside layers. */
static void
put_node (GString *out, JsonNode *node, DpRecord *spans_of, DpJsonFlags flags)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *obj = json_node_get_object (node);
        if (spans_of && is_nested_span (obj))
          {
            put_nested_span (out, obj, spans_of, flags);
            return;
          }
        g_string_append_c (out, '{');
        put_members (out, obj, FALSE, NULL, spans_of, flags);
        g_string_append_c (out, '}');
        return;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *arr = json_node_get_array (node);
        guint n = json_array_get_length (arr);
        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i)
              g_string_append_c (out, ',');
            put_node (out, json_array_get_element (arr, i), spans_of, flags);
          }
        g_string_append_c (out, ']');
        return;
      }
    case JSON_NODE_NULL:
      g_string_append_len (out, "null", 4);
      return;
    case JSON_NODE_VALUE:
      break;
    }
  GType type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    put_cstring (out, json_node_get_string (node));
  else if (type == G_TYPE_INT64)
    put_int (out, json_node_get_int (node));
  else if (type == G_TYPE_DOUBLE)
    put_double (out, json_node_get_double (node));
  else if (type == G_TYPE_BOOLEAN)
    g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
  else
    g_string_append_len (out, "null", 4);
}

/* Writes a span's compact attributes (record-private.h) as put_members()
 * writes the same members of a JsonObject, without building one. */
static void
put_compact_attrs (GString *out, const DpSpan *span, const char *const *skip)
{
  const DpAttr *a;
  guint n = dp_span_get_compact_attrs (span, &a);
  for (guint i = 0; i < n; i++)
    {
      if (g_strv_contains (skip, a[i].name))
        continue;
      g_string_append_c (out, ',');
      put_cstring (out, a[i].name);
      g_string_append_c (out, ':');
      if (a[i].kind == DP_ATTR_STRING)
        put_cstring (out, a[i].v.s);
      else if (a[i].kind == DP_ATTR_INT)
        put_int (out, a[i].v.i);
      else
        g_string_append_len (out, "null", 4);
    }
}

static void
put_span (GString *out, DpSpan *span, DpRecord *rec, DpJsonFlags flags)
{
  static const char *const skip[] = { "id", "start", "end", "label", "text", NULL };
  g_autofree char *id = dp_span_dup_id (span);
  g_string_append_len (out, "{\"id\":", 6);
  put_cstring (out, id);
  g_string_append_c (out, ',');
  Range r = view_range (rec, dp_span_get_start (span), dp_span_get_end (span), flags);
  put_offsets (out, rec, r, flags);
  if (dp_span_get_label (span))
    {
      g_string_append_len (out, ",\"label\":", 9);
      put_cstring (out, dp_span_get_label (span));
    }
  put_span_text (out, rec, r, flags);
  JsonObject *attrs = dp_span_peek_json_attrs (span);
  if (attrs)
    put_members (out, attrs, TRUE, skip, rec, flags);
  else
    put_compact_attrs (out, span, skip);
  g_string_append_c (out, '}');
}

void
dp_record_to_json (DpRecord *rec, GString *out, DpJsonFlags flags)
{
  /* A stage may have set "id" attributes through objects it kept. */
  dp_record_forget_span_ids (rec);
  g_string_append_len (out, "{\"id\":", 6);
  put_cstring (out, dp_record_get_id (rec));
  g_string_append_len (out, ",\"source\":", 10);
  put_cstring (out, dp_record_get_source (rec));
  g_string_append_len (out, ",\"text\":", 8);
  gsize len;
  const char *text = (flags & DP_JSON_ORIGINAL) ? dp_record_get_original_text (rec, &len)
                                                : dp_record_get_text (rec, &len);
  put_string (out, text, len);
  g_string_append_len (out, ",\"meta\":{", 9);
  if (rec->meta)
    put_members (out, rec->meta, FALSE, NULL, NULL, flags);
  g_string_append_c (out, '}');
  if (dp_record_get_n_layers (rec) > 0)
    {
      g_string_append_len (out, ",\"layers\":{", 11);
      for (guint l = 0; l < dp_record_get_n_layers (rec); l++)
        {
          DpLayer *layer = dp_record_get_layer_nth (rec, l);
          if (l)
            g_string_append_c (out, ',');
          put_cstring (out, dp_layer_get_name (layer));
          g_string_append_len (out, ":[", 2);
          for (guint i = 0; i < dp_layer_get_size (layer); i++)
            {
              if (i)
                g_string_append_c (out, ',');
              put_span (out, dp_layer_get_span (layer, i), rec, flags);
            }
          g_string_append_c (out, ']');
        }
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, '}');
}

/* ---- input ----------------------------------------------------------------- */

static void
parser_unref (gpointer p)
{
  g_object_unref (p);
}

/* One parser per thread: creating a GObject per record costs more than parsing a short one. */
static JsonParser *
thread_parser (void)
{
  static GPrivate key = G_PRIVATE_INIT (parser_unref);
  JsonParser *parser = g_private_get (&key);
  if (!parser)
    {
      parser = json_parser_new ();
      g_private_set (&key, parser);
    }
  return parser;
}

static gboolean
field_error (GError **error, const char *what)
{
  g_set_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_FIELD, "%s", what);
  return FALSE;
}

static gboolean
node_is (JsonNode *node, GType type)
{
  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* Converts the code-point offsets of a span object (and of nested spans in
 * its attributes) to bytes, in a mutable copy. */
static JsonNode *convert_node (DpRecord *rec, JsonNode *node, GError **error);

static gboolean
convert_offsets (DpRecord *rec, JsonObject *src, gsize *start, gsize *end, GError **error)
{
  gint64 s = json_object_get_int_member (src, "start");
  gint64 e = json_object_get_int_member (src, "end");
  if (s < 0 || e < s || !dp_record_char_to_byte (rec, (gsize) s, start)
      || !dp_record_char_to_byte (rec, (gsize) e, end))
    {
      g_set_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_BAD_SPAN,
                   "span [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") is outside the text",
                   s, e);
      return FALSE;
    }
  return TRUE;
}

/* Copies @src's members except @skip into @dst, converting nested spans. */
static gboolean
copy_members (DpRecord *rec, JsonObject *dst, JsonObject *src, const char *const *skip,
              GError **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;
  json_object_iter_init_ordered (&iter, src);
  while (json_object_iter_next_ordered (&iter, &name, &node))
    {
      if (skip && g_strv_contains (skip, name))
        continue;
      JsonNode *copy = convert_node (rec, node, error);
      if (!copy)
        return FALSE;
      json_object_set_member (dst, name, copy);
    }
  return TRUE;
}

/* Copies a span's attributes from @src: strings, integers and nulls through
 * the setters, which keep them compactly (a record read back with many
 * entities would otherwise cost a JsonObject each), anything else into the
 * span's JsonObject, in the same order either way. */
static gboolean
copy_span_attrs (DpRecord *rec, DpSpan *span, JsonObject *src, const char *const *skip,
                 GError **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;
  json_object_iter_init_ordered (&iter, src);
  while (json_object_iter_next_ordered (&iter, &name, &node))
    {
      if (g_strv_contains (skip, name))
        continue;
      if (node_is (node, G_TYPE_STRING))
        dp_span_set_attr_string (span, name, json_node_get_string (node));
      else if (node_is (node, G_TYPE_INT64))
        dp_span_set_attr_int (span, name, json_node_get_int (node));
      else if (JSON_NODE_HOLDS_NULL (node))
        dp_span_set_attr_string (span, name, NULL);
      else
        {
          JsonNode *copy = convert_node (rec, node, error);
          if (!copy)
            return FALSE;
          json_object_set_member (dp_span_get_attrs (span), name, copy);
        }
    }
  return TRUE;
}

static JsonNode *
convert_node (DpRecord *rec, JsonNode *node, GError **error)
{
  static const char *const skip[] = { "start", "end", "text", NULL };
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *src = json_node_get_object (node);
      g_autoptr (JsonObject) dst = json_object_new ();
      if (is_nested_span (src))
        {
          gsize start, end;
          if (!convert_offsets (rec, src, &start, &end, error))
            return NULL;
          json_object_set_int_member (dst, "start", (gint64) start);
          json_object_set_int_member (dst, "end", (gint64) end);
          if (!copy_members (rec, dst, src, skip, error))
            return NULL;
        }
      else if (!copy_members (rec, dst, src, NULL, error))
        return NULL;
      return json_node_init_object (json_node_alloc (), dst);
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *src = json_node_get_array (node);
      g_autoptr (JsonArray) dst = json_array_sized_new (json_array_get_length (src));
      for (guint i = 0; i < json_array_get_length (src); i++)
        {
          JsonNode *copy = convert_node (rec, json_array_get_element (src, i), error);
          if (!copy)
            return NULL;
          json_array_add_element (dst, copy);
        }
      return json_node_init_array (json_node_alloc (), dst);
    }
  return json_node_copy (node);
}

static gboolean
load_layer (DpRecord *rec, const char *name, JsonNode *node, GError **error)
{
  static const char *const skip[] = { "start", "end", "label", "text", NULL };
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_FIELD,
                   "layer \"%s\" is not an array", name);
      return FALSE;
    }
  DpLayer *layer = dp_record_ensure_layer (rec, name);
  JsonArray *items = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *item = json_array_get_element (items, i);
      JsonObject *obj = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;
      if (!obj || !is_nested_span (obj))
        {
          g_set_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_FIELD,
                       "layer \"%s\" item %u has no integer \"start\" and \"end\"", name, i);
          return FALSE;
        }
      gsize start, end;
      JsonNode *label = json_object_get_member (obj, "label");
      if (label && !node_is (label, G_TYPE_STRING) && !JSON_NODE_HOLDS_NULL (label))
        {
          g_set_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_FIELD,
                       "layer \"%s\" item %u: \"label\" is not a string", name, i);
          return FALSE;
        }
      if (!convert_offsets (rec, obj, &start, &end, error))
        {
          g_prefix_error (error, "layer \"%s\" item %u: ", name, i);
          return FALSE;
        }
      DpSpan *span = dp_layer_add_span (layer, start, end,
                                        node_is (label, G_TYPE_STRING) ? json_node_get_string (label) : NULL,
                                        error);
      if (!span)
        return FALSE;
      if (json_object_get_size (obj) > 2 + (label != NULL)
          && !copy_span_attrs (rec, span, obj, skip, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
load_layers (DpRecord *rec, JsonNode *layers, GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (layers))
    return field_error (error, "\"layers\" is not an object");
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;
  json_object_iter_init_ordered (&iter, json_node_get_object (layers));
  while (json_object_iter_next_ordered (&iter, &name, &node))
    if (!load_layer (rec, name, node, error))
      return FALSE;
  return TRUE;
}

gboolean
dp_record_load_fields (DpRecord *rec, JsonObject *root, char *given_text, gsize given_len, GError **error)
{
  if (given_text)
    dp_record_take_text (rec, given_text, given_len);
  else
    {
      JsonNode *text = json_object_get_member (root, "text");
      if (!node_is (text, G_TYPE_STRING))
        return field_error (error, text ? "\"text\" is not a string" : "no \"text\" field");
      if (!dp_record_set_text (rec, json_node_get_string (text), -1, error))
        return FALSE;
    }

  JsonNode *id = json_object_get_member (root, "id");
  if (node_is (id, G_TYPE_STRING))
    dp_record_set_id (rec, json_node_get_string (id));
  else if (node_is (id, G_TYPE_INT64))
    {
      g_autofree char *num = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (id));
      dp_record_set_id (rec, num);
    }
  else if (id && !JSON_NODE_HOLDS_NULL (id))
    return field_error (error, "\"id\" is neither a string nor an integer");

  JsonNode *source = json_object_get_member (root, "source");
  if (node_is (source, G_TYPE_STRING))
    dp_record_set_source (rec, json_node_get_string (source));
  else if (source && !JSON_NODE_HOLDS_NULL (source))
    return field_error (error, "\"source\" is not a string");

  /* Everything else is meta: a "meta" object's members first, then unknown fields.
   * Meta is kept as given, not through copy_members(): an object with integer
   * "start" and "end" there is not a span (output writes meta unconverted), so
   * converting it would shift it on every round trip or reject the record. */
  JsonObject *meta = dp_record_get_meta (rec);
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;
  JsonNode *m = json_object_get_member (root, "meta");
  if (m && JSON_NODE_HOLDS_OBJECT (m))
    {
      json_object_iter_init_ordered (&iter, json_node_get_object (m));
      while (json_object_iter_next_ordered (&iter, &name, &node))
        json_object_set_member (meta, name, json_node_ref (node));
    }
  else if (m && !JSON_NODE_HOLDS_NULL (m))
    return field_error (error, "\"meta\" is not an object");

  static const char *const known[] = { "id", "source", "text", "meta", "layers", NULL };
  json_object_iter_init_ordered (&iter, root);
  while (json_object_iter_next_ordered (&iter, &name, &node))
    if (!g_strv_contains (known, name))
      json_object_set_member (meta, name, json_node_ref (node));

  JsonNode *layers = json_object_get_member (root, "layers");
  return !layers || JSON_NODE_HOLDS_NULL (layers) || load_layers (rec, layers, error);
}

gboolean
dp_record_load_json (DpRecord *rec, const char *json, gsize len, GError **error)
{
  DpFastLoad fast = dp_record_load_json_fast (rec, json, len, error);
  if (fast != DP_FAST_DECLINED)
    return fast == DP_FAST_LOADED;
  return dp_record_load_json_glib (rec, json, len, error);
}

gboolean
dp_record_load_json_glib (DpRecord *rec, const char *json, gsize len, GError **error)
{
  guint bad;
  if (!dp_json_check (json, len, NULL, &bad, error))
    return FALSE;
  g_autofree char *fixed = NULL;
  if (bad)
    {
      fixed = g_memdup2 (json, len);
      dp_json_check (json, len, fixed, &bad, NULL);
      json = fixed;
    }
  JsonParser *parser = thread_parser ();
  g_autoptr (GError) local = NULL;
  if (!json_parser_load_from_data (parser, json, (gssize) len, &local))
    {
      /* Not expected once the check has passed (fuzz-record-json aborts on
       * it); json-glib says "<data>:LINE:COL: Parse error: …". */
      const char *msg = local->message;
      if (g_str_has_prefix (msg, "<data>:1:"))
        msg += strlen ("<data>:1:");
      g_set_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_PARSE, "invalid JSON at column %s", msg);
      return FALSE;
    }
  JsonNode *root = json_parser_get_root (parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    return field_error (error, "not a JSON object");
  /* Keep the tree alive on its own: the parser is reused for the next record. */
  g_autoptr (JsonObject) obj = json_object_ref (json_node_get_object (root));
  return dp_record_load_fields (rec, obj, NULL, 0, error);
}

gboolean
dp_record_decode_json (DpRecord *rec, const char *raw, gsize len, gpointer user_data,
                       GError **error)
{
  return dp_record_load_json (rec, raw, len, error);
}
