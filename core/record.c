/* record.c — the document record: fields, layers of spans, cached tokens.
 *
 * Records are created by sources (possibly "deferred": raw bytes plus a decode
 * function that a worker thread runs later) and travel through the pipeline in
 * batches.  Spans are stored with byte offsets; the JSON edge (record-json.c)
 * converts them to code points with the cursor kept here, which makes the usual
 * in-order conversions linear in the text length.
 */
#include "record-private.h"

#include <string.h>

G_DEFINE_QUARK (dp-record-error-quark, dp_record_error)

struct _DpSpan {
  gsize start, end;
  const char *label;     /* in the record's string chunk */
  JsonObject *attrs;     /* NULL until used */
  DpLayer *layer;
  guint index;
};

struct _DpLayer {
  char *name;
  GPtrArray *spans;      /* DpSpan*, owned */
  DpRecord *rec;
};

static void
span_free (gpointer p)
{
  DpSpan *span = p;
  if (span->attrs)
    json_object_unref (span->attrs);
  g_free (span);
}

static void
layer_free (gpointer p)
{
  DpLayer *layer = p;
  g_ptr_array_unref (layer->spans);
  g_free (layer->name);
  g_free (layer);
}

static void
record_drop_analysis (DpRecord *rec)
{
  g_clear_pointer (&rec->tokens, g_array_unref);
  g_clear_pointer (&rec->sentences, g_array_unref);
  g_clear_pointer (&rec->layers, g_ptr_array_unref);
  rec->ascii = DP_TRI_UNKNOWN;
  rec->cur_byte = rec->cur_char = 0;
}

static gboolean
check_utf8 (const char *text, gsize len, GError **error)
{
  const char *bad;
  if (g_utf8_validate_len (text, len, &bad))
    return TRUE;
  g_set_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_INVALID_UTF8,
               "text is not valid UTF-8 (byte offset %" G_GSIZE_FORMAT ")",
               (gsize) (bad - text));
  return FALSE;
}

static DpRecord *
record_alloc (const char *id, const char *source)
{
  DpRecord *rec = g_new0 (DpRecord, 1);
  rec->id = g_strdup (id);
  rec->source = g_strdup (source);
  rec->ascii = DP_TRI_UNKNOWN;
  rec->original_ascii = DP_TRI_UNKNOWN;
  return rec;
}

DpRecord *
dp_record_new (const char *id, const char *source, const char *text, gssize len,
               GError **error)
{
  g_autoptr (DpRecord) rec = record_alloc (id, source);
  if (!dp_record_set_text (rec, text ? text : "", text ? len : 0, error))
    return NULL;
  return g_steal_pointer (&rec);
}

DpRecord *
dp_record_new_deferred (const char *source, char *raw, gsize len, DpRecordDecodeFunc decode)
{
  DpRecord *rec = record_alloc (NULL, source);
  rec->raw = raw;
  rec->raw_len = len;
  rec->decode = decode;
  return rec;
}

/* A new text wholesale: no alignment to the old one. */
static void
record_drop_alignment (DpRecord *rec)
{
  g_clear_pointer (&rec->align, g_array_unref);
  g_clear_pointer (&rec->original, g_free);
  rec->original_len = 0;
  rec->original_ascii = DP_TRI_UNKNOWN;
  rec->ocur_byte = rec->ocur_char = 0;
}

void
dp_record_free (DpRecord *rec)
{
  if (!rec)
    return;
  record_drop_analysis (rec);
  record_drop_alignment (rec);
  g_free (rec->id);
  g_free (rec->source);
  g_free (rec->text);
  g_free (rec->raw);
  if (rec->meta)
    json_object_unref (rec->meta);
  if (rec->strings)
    g_string_chunk_free (rec->strings);
  g_free (rec);
}

gboolean
dp_record_decode (DpRecord *rec, GError **error)
{
  if (!rec->decode)
    return TRUE;
  if (!rec->decode (rec, rec->raw, rec->raw_len, error))
    return FALSE;
  rec->decode = NULL;
  g_clear_pointer (&rec->raw, g_free);
  rec->raw_len = 0;
  if (!rec->text)
    rec->text = g_strdup ("");
  if (!rec->id)
    rec->id = g_strdup (rec->source ? rec->source : "");
  return TRUE;
}

const char *
dp_record_get_raw (const DpRecord *rec, gsize *len)
{
  if (len)
    *len = rec->raw_len;
  return rec->raw;
}

const char *dp_record_get_id (const DpRecord *rec) { return rec->id ? rec->id : ""; }
const char *dp_record_get_source (const DpRecord *rec) { return rec->source ? rec->source : ""; }

void
dp_record_set_id (DpRecord *rec, const char *id)
{
  char *old = rec->id;
  rec->id = g_strdup (id);
  g_free (old);
}

void
dp_record_set_source (DpRecord *rec, const char *source)
{
  char *old = rec->source;
  rec->source = g_strdup (source);
  g_free (old);
}

const char *
dp_record_get_text (const DpRecord *rec, gsize *len)
{
  if (len)
    *len = rec->len;
  return rec->text ? rec->text : "";
}

gboolean
dp_record_set_text (DpRecord *rec, const char *text, gssize len, GError **error)
{
  gsize n = len < 0 ? strlen (text) : (gsize) len;
  if (n > DP_RECORD_MAX_TEXT)
    {
      g_set_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_TOO_LARGE,
                   "text of %" G_GSIZE_FORMAT " bytes exceeds the limit of %u bytes",
                   n, (guint) DP_RECORD_MAX_TEXT);
      return FALSE;
    }
  if (!check_utf8 (text, n, error))
    return FALSE;
  char *copy = g_malloc (n + 1);
  memcpy (copy, text, n);
  copy[n] = '\0';
  record_drop_analysis (rec);
  record_drop_alignment (rec);
  g_free (rec->text);
  rec->text = copy;
  rec->len = n;
  return TRUE;
}

void
dp_record_take_text (DpRecord *rec, char *text, gsize len)
{
  record_drop_analysis (rec);
  g_free (rec->text);
  rec->text = text;
  rec->len = len;
}

JsonObject *
dp_record_get_meta (DpRecord *rec)
{
  if (!rec->meta)
    rec->meta = json_object_new ();
  return rec->meta;
}

void
dp_record_take_meta (DpRecord *rec, JsonObject *meta)
{
  if (rec->meta)
    json_object_unref (rec->meta);
  rec->meta = meta;
}

/* ---- tokens ---------------------------------------------------------------- */

const DpToken *
dp_record_tokens (DpRecord *rec, guint *n_tokens)
{
  if (!rec->tokens)
    {
      rec->tokens = g_array_sized_new (FALSE, FALSE, sizeof (DpToken), rec->len / 5 + 1);
      dp_tokenize (dp_record_get_text (rec, NULL), rec->len, rec->tokens);
    }
  if (n_tokens)
    *n_tokens = rec->tokens->len;
  return (const DpToken *) rec->tokens->data;
}

const DpSentence *
dp_record_sentences (DpRecord *rec, guint *n_sentences)
{
  if (!rec->sentences)
    {
      guint n;
      const DpToken *tokens = dp_record_tokens (rec, &n);
      rec->sentences = g_array_sized_new (FALSE, FALSE, sizeof (DpSentence), n / 20 + 1);
      dp_split_sentences (dp_record_get_text (rec, NULL), rec->len, tokens, n, rec->sentences);
    }
  if (n_sentences)
    *n_sentences = rec->sentences->len;
  return (const DpSentence *) rec->sentences->data;
}

/* ---- layers ---------------------------------------------------------------- */

DpLayer *
dp_record_get_layer (DpRecord *rec, const char *name)
{
  for (guint i = 0; rec->layers && i < rec->layers->len; i++)
    {
      DpLayer *layer = g_ptr_array_index (rec->layers, i);
      if (strcmp (layer->name, name) == 0)
        return layer;
    }
  return NULL;
}

DpLayer *
dp_record_ensure_layer (DpRecord *rec, const char *name)
{
  DpLayer *layer = dp_record_get_layer (rec, name);
  if (layer)
    return layer;
  if (!rec->layers)
    rec->layers = g_ptr_array_new_with_free_func (layer_free);
  layer = g_new0 (DpLayer, 1);
  layer->name = g_strdup (name);
  layer->spans = g_ptr_array_new_with_free_func (span_free);
  layer->rec = rec;
  g_ptr_array_add (rec->layers, layer);
  return layer;
}

gboolean
dp_record_remove_layer (DpRecord *rec, const char *name)
{
  for (guint i = 0; rec->layers && i < rec->layers->len; i++)
    if (strcmp (((DpLayer *) g_ptr_array_index (rec->layers, i))->name, name) == 0)
      {
        g_ptr_array_remove_index (rec->layers, i);   /* keeps the others' order */
        return TRUE;
      }
  return FALSE;
}

guint dp_record_get_n_layers (const DpRecord *rec) { return rec->layers ? rec->layers->len : 0; }

DpLayer *
dp_record_get_layer_nth (DpRecord *rec, guint i)
{
  g_return_val_if_fail (i < dp_record_get_n_layers (rec), NULL);
  return g_ptr_array_index (rec->layers, i);
}

const char *dp_layer_get_name (const DpLayer *layer) { return layer->name; }
guint dp_layer_get_size (const DpLayer *layer) { return layer->spans->len; }

DpSpan *
dp_layer_get_span (DpLayer *layer, guint i)
{
  g_return_val_if_fail (i < layer->spans->len, NULL);
  return g_ptr_array_index (layer->spans, i);
}

/* TRUE if @off is inside the text and not in the middle of a UTF-8 sequence. */
static gboolean
on_boundary (const DpRecord *rec, gsize off)
{
  return off == rec->len
         || (off < rec->len && ((guchar) rec->text[off] & 0xC0) != 0x80);
}

gboolean
dp_record_check_span (const DpRecord *rec, gsize start, gsize end, GError **error)
{
  if (start > end || end > rec->len || !on_boundary (rec, start) || !on_boundary (rec, end))
    {
      g_set_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_BAD_SPAN,
                   "span [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ") is not a valid byte range "
                   "of a text of %" G_GSIZE_FORMAT " bytes",
                   start, end, rec->len);
      return FALSE;
    }
  return TRUE;
}

DpSpan *
dp_layer_add_span (DpLayer *layer, gsize start, gsize end, const char *label, GError **error)
{
  DpRecord *rec = layer->rec;
  if (!dp_record_check_span (rec, start, end, error))
    return NULL;
  if (!rec->strings)
    rec->strings = g_string_chunk_new (256);
  DpSpan *span = g_new (DpSpan, 1);
  span->start = start;
  span->end = end;
  span->label = label ? g_string_chunk_insert_const (rec->strings, label) : NULL;
  span->attrs = NULL;
  span->layer = layer;
  span->index = layer->spans->len;
  g_ptr_array_add (layer->spans, span);
  return span;
}

/* Moves the spans of @layer; returns the survivors whose position changed,
 * each followed by the id it had (a g_free'd string). */
static GPtrArray *
layer_move_spans (DpLayer *layer, DpSpanMoveFunc move, gpointer data)
{
  GPtrArray *kept = g_ptr_array_new_full (layer->spans->len, span_free);
  GPtrArray *shifted = g_ptr_array_new ();
  for (guint i = 0; i < layer->spans->len; i++)
    {
      DpSpan *span = g_ptr_array_index (layer->spans, i);
      if (!move (layer->name, span, &span->start, &span->end, data))
        {
          span_free (span);
          continue;
        }
      if (span->index != kept->len)
        {
          g_ptr_array_add (shifted, span);
          g_ptr_array_add (shifted, dp_span_dup_id (span));
        }
      g_ptr_array_add (kept, span);
    }
  g_ptr_array_set_free_func (layer->spans, NULL);
  g_ptr_array_unref (layer->spans);
  layer->spans = kept;
  return shifted;
}

void
dp_record_move_spans (DpRecord *rec, DpSpanMoveFunc move, gpointer data)
{
  for (guint l = 0; rec->layers && l < rec->layers->len; l++)
    {
      DpLayer *layer = g_ptr_array_index (rec->layers, l);
      g_autoptr (GPtrArray) shifted = layer_move_spans (layer, move, data);
      /* A span's generated id comes from its position, which changed: others
       * may refer to it by that id (a claim's speaker), so it keeps it.  The
       * ids were all read before any is set. */
      for (guint i = 0; i < shifted->len; i += 2)
        {
          DpSpan *span = g_ptr_array_index (shifted, i);
          g_autofree char *id = g_ptr_array_index (shifted, i + 1);
          json_object_set_string_member (dp_span_get_attrs (span), "id", id);
        }
      for (guint i = 0; i < layer->spans->len; i++)
        ((DpSpan *) g_ptr_array_index (layer->spans, i))->index = i;
    }
}

gsize dp_span_get_start (const DpSpan *span) { return span->start; }
gsize dp_span_get_end (const DpSpan *span) { return span->end; }
const char *dp_span_get_label (const DpSpan *span) { return span->label; }
JsonObject *dp_span_peek_attrs (const DpSpan *span) { return span->attrs; }

JsonObject *
dp_span_get_attrs (DpSpan *span)
{
  if (!span->attrs)
    span->attrs = json_object_new ();
  return span->attrs;
}

char *
dp_span_dup_id (const DpSpan *span)
{
  if (span->attrs && json_object_has_member (span->attrs, "id"))
    {
      JsonNode *node = json_object_get_member (span->attrs, "id");
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
    }
  /* The first character, not the first byte: a layer named "équipes" must not
   * give ids that are invalid UTF-8. */
  const char *name = span->layer->name;
  int first = *name ? (int) (g_utf8_next_char (name) - name) : 0;
  return g_strdup_printf ("%.*s%u", first, name, span->index + 1);
}

/* ---- offsets --------------------------------------------------------------- */

/* A text with a remembered position, so conversions in text order are linear. */
typedef struct {
  const char *text;
  gsize len;
  DpTri *ascii;
  gsize *cur_byte, *cur_char;
} Cursor;

static gboolean
cursor_is_ascii (Cursor c)
{
  if (*c.ascii == DP_TRI_UNKNOWN)
    {
      *c.ascii = DP_TRI_TRUE;
      for (gsize i = 0; i < c.len; i++)
        if ((guchar) c.text[i] >= 0x80)
          {
            *c.ascii = DP_TRI_FALSE;
            break;
          }
    }
  return *c.ascii == DP_TRI_TRUE;
}

static gsize
cursor_byte_to_char (Cursor c, gsize byte_offset)
{
  if (byte_offset > c.len)
    byte_offset = c.len;
  if (cursor_is_ascii (c))
    return byte_offset;
  if (byte_offset < *c.cur_byte)
    *c.cur_byte = *c.cur_char = 0;
  const char *p = c.text + *c.cur_byte, *end = c.text + byte_offset;
  gsize n = *c.cur_char;
  while (p < end)
    {
      p = g_utf8_next_char (p);
      n++;
    }
  /* Where the walk stopped, not @byte_offset: an offset inside a character
   * would otherwise leave the cursor there and skew every later answer. */
  *c.cur_byte = (gsize) (p - c.text);
  *c.cur_char = n;
  return n;
}

static Cursor
text_cursor (DpRecord *rec)
{
  return (Cursor) { dp_record_get_text (rec, NULL), rec->len, &rec->ascii, &rec->cur_byte, &rec->cur_char };
}

static gboolean
record_is_ascii (DpRecord *rec)
{
  return cursor_is_ascii (text_cursor (rec));
}

gsize
dp_record_byte_to_char (DpRecord *rec, gsize byte_offset)
{
  return cursor_byte_to_char (text_cursor (rec), byte_offset);
}

gsize
dp_record_original_byte_to_char (DpRecord *rec, gsize byte_offset)
{
  if (!rec->align)
    return dp_record_byte_to_char (rec, byte_offset);
  Cursor c = { rec->original, rec->original_len, &rec->original_ascii, &rec->ocur_byte, &rec->ocur_char };
  return cursor_byte_to_char (c, byte_offset);
}

gboolean
dp_record_char_to_byte (DpRecord *rec, gsize char_offset, gsize *byte_offset)
{
  if (record_is_ascii (rec))
    {
      *byte_offset = char_offset;
      return char_offset <= rec->len;
    }
  if (char_offset < rec->cur_char)
    rec->cur_byte = rec->cur_char = 0;
  const char *p = rec->text + rec->cur_byte, *end = rec->text + rec->len;
  gsize n = rec->cur_char;
  while (n < char_offset && p < end)
    {
      p = g_utf8_next_char (p);
      n++;
    }
  if (n < char_offset)
    return FALSE;
  rec->cur_byte = (gsize) (p - rec->text);
  rec->cur_char = n;
  *byte_offset = rec->cur_byte;
  return TRUE;
}
