/* decode.c — raw bytes to records, in the worker threads: the text of a file
 * in whatever encoding it is in, and one line of JSON lines.
 *
 * A file's encoding is found in this order: a byte-order mark (UTF-8, or
 * UTF-16 LE/BE, converted); valid UTF-8 as it is; the encoding a page
 * declares (HTML); the `encoding` parameter; and last the invalid-utf8
 * policy (repair to U+FFFD, or refuse).  Conversions go through GLib's iconv
 * wrapper, an invalid sequence becoming U+FFFD and counting as invalid.
 */
#include "reader.h"

#include <errno.h>
#include <string.h>

#define REPLACEMENT "\xEF\xBF\xBD"

/* Replaces invalid UTF-8 (and NUL bytes) with U+FFFD; returns the number of
 * replacements, and the repaired text in *out (left alone when there were none). */
static guint
repair_utf8 (const char *raw, gsize len, GString **out)
{
  guint bad = 0;
  GString *s = NULL;
  const char *p = raw, *end = raw + len, *stop;
  while (!g_utf8_validate_len (p, end - p, &stop))
    {
      if (!s)
        s = g_string_sized_new (len + 16);
      g_string_append_len (s, p, stop - p);
      g_string_append (s, REPLACEMENT);
      bad++;
      p = stop + 1;
    }
  if (s)
    {
      g_string_append_len (s, p, end - p);
      if (*out)
        g_string_free (*out, TRUE);
      *out = s;
    }
  return bad;
}

gboolean
reader_check_encoding (const char *name, GError **error)
{
  GIConv cd = g_iconv_open ("UTF-8", name);
  if (cd == (GIConv) -1)
    {
      g_set_error (error, G_CONVERT_ERROR, G_CONVERT_ERROR_NO_CONVERSION,
                   "encoding '%s' is not supported by this system's iconv", name);
      return FALSE;
    }
  g_iconv_close (cd);
  return TRUE;
}

/* @raw from @charset to UTF-8; an invalid or incomplete sequence becomes one
 * U+FFFD and conversion goes on @unit bytes later.  FALSE if @charset is unknown. */
static gboolean
convert (const char *raw, gsize len, const char *charset, gsize unit, GString **out, guint *bad)
{
  GIConv cd = g_iconv_open ("UTF-8", charset);
  if (cd == (GIConv) -1)
    return FALSE;
  GString *s = g_string_sized_new (len + len / 2 + 16);
  char *in = (char *) raw;
  gsize left = len;
  char buf[16384];
  /* (Converting to UTF-8, a stateful source encoding has no shift state to flush.) */
  while (left > 0)
    {
      char *o = buf;
      gsize room = sizeof buf;
      gsize rc = g_iconv (cd, &in, &left, &o, &room);
      int e = errno;
      g_string_append_len (s, buf, o - buf);
      if (rc != (gsize) -1 || e == E2BIG)
        continue;
      g_string_append (s, REPLACEMENT);
      (*bad)++;
      gsize step = e == EINVAL ? left : MIN (unit, left);   /* EINVAL: cut short at the end */
      in += step;
      left -= step;
    }
  g_iconv_close (cd);
  *bad += repair_utf8 (s->str, s->len, &s);   /* a NUL decoded from UTF-16 */
  *out = s;
  return TRUE;
}

static gboolean
is_utf8_name (const char *charset)
{
  return g_ascii_strcasecmp (charset, "utf-8") == 0 || g_ascii_strcasecmp (charset, "utf8") == 0;
}

/* Bytes that are not valid UTF-8: the declared charset, then the reader's
 * encoding, then U+FFFD for each invalid sequence. */
static void
decode_fallback (const Reader *r, const char *raw, gsize len, const char *charset,
                 GString **out, guint *bad, const char **used)
{
  const char *tries[] = { charset, r->encoding };
  for (guint i = 0; i < G_N_ELEMENTS (tries); i++)
    if (tries[i] && !is_utf8_name (tries[i]) && convert (raw, len, tries[i], 1, out, bad))
      {
        *used = tries[i];
        return;
      }
  *bad = repair_utf8 (raw, len, out);
}

gboolean
reader_to_utf8 (const Reader *r, const char *raw, gsize len, const char *charset,
                char **out, gsize *out_len, gsize *skip, guint *bad,
                const char **used, GError **error)
{
  g_autoptr (GString) s = NULL;
  *out = NULL;
  *out_len = 0;
  *skip = 0;
  *bad = 0;
  *used = NULL;
  if (len >= 2 && (memcmp (raw, "\xFF\xFE", 2) == 0 || memcmp (raw, "\xFE\xFF", 2) == 0))
    {
      *used = raw[0] == '\xFF' ? "UTF-16LE" : "UTF-16BE";
      convert (raw + 2, len - 2, *used, 2, &s, bad);
    }
  else
    {
      /* A byte-order mark is an encoding detail, not text. */
      if (len >= 3 && memcmp (raw, "\xEF\xBB\xBF", 3) == 0)
        *skip = 3;
      if (!g_utf8_validate_len (raw + *skip, len - *skip, NULL))
        decode_fallback (r, raw + *skip, len - *skip, charset, &s, bad, used);
    }
  if (*bad && r->reject_utf8)
    {
      g_set_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_INVALID_UTF8,
                   "%u invalid %s sequence%s (invalid-utf8 = reject)", *bad, *used ? *used : "UTF-8",
                   *bad == 1 ? "" : "s");
      return FALSE;
    }
  if (s)
    {
      *out_len = s->len;
      *out = g_string_free (g_steal_pointer (&s), FALSE);
    }
  return TRUE;
}

void
reader_note_decoding (DpRecord *rec, guint bad, const char *used)
{
  if (bad)
    json_object_set_int_member (dp_record_get_meta (rec), "invalid_utf8", bad);
  if (used)
    json_object_set_string_member (dp_record_get_meta (rec), "encoding", used);
}

/* Decode callbacks (DpRecordDecodeFunc): @user_data is the reader, which the
 * core destroys only after every record has been decoded. */
gboolean
reader_decode_text (DpRecord *rec, const char *raw, gsize len, gpointer user_data, GError **error)
{
  g_autofree char *text = NULL;
  gsize n, skip;
  guint bad;
  const char *used;
  if (!reader_to_utf8 (user_data, raw, len, NULL, &text, &n, &skip, &bad, &used, error))
    return FALSE;
  if (!dp_record_set_text (rec, text ? text : raw + skip, text ? (gssize) n : (gssize) (len - skip), error))
    return FALSE;
  reader_note_decoding (rec, bad, used);
  return TRUE;
}

/* ---- JSON lines --------------------------------------------------------------- */

/* The bytes a renamed line is wrapped in (load_renamed). */
#define WRAP_HEAD "{\"meta\":"
#define WRAP_TAIL ",\"text\":\"\"}"

static gboolean
field_error (GError **error, const char *what, const char *field)
{
  g_set_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_FIELD, "\"%s\" %s", field, what);
  return FALSE;
}

/* Takes the id from @node (a string or an integer; absent or null: none). */
static gboolean
take_id (DpRecord *rec, JsonNode *node, const char *field, GError **error)
{
  if (!node || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    dp_record_set_id (rec, json_node_get_string (node));
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      g_autofree char *num = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      dp_record_set_id (rec, num);
    }
  else
    return field_error (error, "(the id-field) is neither a string nor an integer", field);
  return TRUE;
}

/* Moves the line's fields out of meta, where load_renamed put them all:
 * the text and id fields and "source" to theirs, a "meta" object's members
 * first, and every other field after them. */
static gboolean
take_fields (const Reader *r, DpRecord *rec, GError **error)
{
  const char *tf = r->text_field ? r->text_field : "text", *idf = r->id_field ? r->id_field : "id";
  JsonObject *all = dp_record_get_meta (rec);
  JsonNode *text = json_object_get_member (all, tf);
  if (!text)
    {
      g_set_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_FIELD, "no \"%s\" field (the text-field)", tf);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_VALUE (text) || json_node_get_value_type (text) != G_TYPE_STRING)
    return field_error (error, "(the text-field) is not a string", tf);
  JsonNode *source = json_object_get_member (all, "source");
  if (source && !JSON_NODE_HOLDS_NULL (source)
      && (!JSON_NODE_HOLDS_VALUE (source) || json_node_get_value_type (source) != G_TYPE_STRING))
    return field_error (error, "is not a string", "source");
  JsonNode *inner = json_object_get_member (all, "meta");
  if (inner && !JSON_NODE_HOLDS_NULL (inner) && !JSON_NODE_HOLDS_OBJECT (inner))
    return field_error (error, "is not an object", "meta");
  if (!take_id (rec, json_object_get_member (all, idf), idf, error)
      || !dp_record_set_text (rec, json_node_get_string (text), -1, error))
    return FALSE;
  if (source && !JSON_NODE_HOLDS_NULL (source))
    dp_record_set_source (rec, json_node_get_string (source));

  /* Meta is rebuilt in place (the record owns it): emptied, then refilled. */
  g_autoptr (JsonObject) copy = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;
  json_object_iter_init_ordered (&iter, all);
  while (json_object_iter_next_ordered (&iter, &name, &node))
    json_object_set_member (copy, name, json_node_ref (node));
  JsonObject *meta = all;
  GList *names = json_object_get_members (meta);
  for (GList *l = names; l; l = l->next)
    json_object_remove_member (meta, l->data);
  g_list_free (names);
  inner = json_object_get_member (copy, "meta");
  if (inner && JSON_NODE_HOLDS_OBJECT (inner))
    {
      json_object_iter_init_ordered (&iter, json_node_get_object (inner));
      while (json_object_iter_next_ordered (&iter, &name, &node))
        json_object_set_member (meta, name, json_node_ref (node));
    }
  json_object_iter_init_ordered (&iter, copy);
  while (json_object_iter_next_ordered (&iter, &name, &node))
    if (strcmp (name, tf) != 0 && strcmp (name, idf) != 0 && strcmp (name, "source") != 0
        && strcmp (name, "meta") != 0)
      json_object_set_member (meta, name, json_node_ref (node));
  return TRUE;
}

/* A line whose text or id is in another field: the line is wrapped as the
 * meta of an empty record, so the core's loader (its nesting limit, its
 * escape repairs) parses it, and the fields are then moved where they go. */
static gboolean
load_renamed (const Reader *r, DpRecord *rec, const char *raw, gsize len, GError **error)
{
  const char *p = raw;
  while (p < raw + len && g_ascii_isspace (*p))
    p++;
  if (p == raw + len || *p != '{')
    {
      g_set_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_FIELD, "not a JSON object");
      return FALSE;
    }
  g_autoptr (GString) wrapped = g_string_sized_new (len + 32);
  g_string_append (wrapped, WRAP_HEAD);
  g_string_append_len (wrapped, raw, len);
  g_string_append (wrapped, WRAP_TAIL);
  GError *local = NULL;
  if (dp_record_load_json (rec, wrapped->str, wrapped->len, &local))
    return take_fields (r, rec, error);
  /* Not JSON: the error as the line alone gives it, in its own columns. */
  if (g_error_matches (local, DP_RECORD_ERROR, DP_RECORD_ERROR_PARSE)
      && !dp_record_load_json (rec, raw, len, error))
    {
      g_clear_error (&local);
      return FALSE;
    }
  g_propagate_error (error, local);
  return FALSE;
}

static gboolean
load_line (const Reader *r, DpRecord *rec, const char *raw, gsize len, GError **error)
{
  if (r->text_field || r->id_field)
    return load_renamed (r, rec, raw, len, error);
  return dp_record_load_json (rec, raw, len, error);
}

/* json-glib refuses input that is not UTF-8, so valid lines (nearly all) are
 * parsed without a separate validation pass; only a failed line is checked. */
gboolean
reader_decode_jsonl (DpRecord *rec, const char *raw, gsize len, gpointer user_data, GError **error)
{
  const Reader *r = user_data;
  GError *first = NULL;
  if (load_line (r, rec, raw, len, &first))
    return TRUE;
  if (g_utf8_validate_len (raw, len, NULL))
    {
      g_propagate_error (error, first);
      return FALSE;
    }
  g_clear_error (&first);
  g_autofree char *fixed = NULL;
  gsize n, skip;
  guint bad;
  const char *used;
  if (!reader_to_utf8 (r, raw, len, NULL, &fixed, &n, &skip, &bad, &used, error)
      || !load_line (r, rec, fixed, n, error))
    return FALSE;
  reader_note_decoding (rec, bad, used);
  return TRUE;
}
