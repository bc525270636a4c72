/* record.c — the document record: fields, layers of spans, cached tokens.
 *
 * Records are created by sources (possibly "deferred": raw bytes plus a decode
 * function that a worker thread runs later) and travel through the pipeline in
 * batches.  Spans are stored with byte offsets; the JSON edge (record-json.c)
 * converts them to code points with the index kept here, which makes every
 * conversion cost a bounded walk whatever order spans come in.
 */
#include "record-private.h"

#include <string.h>

G_DEFINE_QUARK (dp-record-error-quark, dp_record_error)

struct _DpSpan {
  gsize start, end;
  const char *label;     /* in the record's string chunk */
  JsonObject *attrs;     /* NULL until dp_span_get_attrs() */
  DpAttr *compact;       /* attributes set by the setters while attrs is NULL (record-private.h) */
  DpLayer *layer;
  guint index;
  guint n_compact;
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
  g_free (span->compact);
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

/* Forgets what was known of a text's offsets (when the text changes). */
static void
offsets_reset (DpOffsets *o)
{
  o->ascii = DP_TRI_UNKNOWN;
  o->cur_byte = o->cur_char = 0;
  g_clear_pointer (&o->marks, g_array_unref);
}

static void
record_drop_analysis (DpRecord *rec)
{
  dp_record_drop_token_cache (rec);
  g_clear_pointer (&rec->layer_names, g_hash_table_unref);
  g_clear_pointer (&rec->layers, g_ptr_array_unref);
  dp_record_forget_span_ids (rec);
  offsets_reset (&rec->offsets);
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
  rec->offsets.ascii = DP_TRI_UNKNOWN;
  rec->original_offsets.ascii = DP_TRI_UNKNOWN;
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
dp_record_new_deferred (const char *source, char *raw, gsize len, DpRecordDecodeFunc decode,
                        gpointer user_data)
{
  DpRecord *rec = record_alloc (NULL, source);
  rec->raw = raw;
  rec->raw_len = len;
  rec->decode = decode;
  rec->decode_data = user_data;
  return rec;
}

/* A new text wholesale: no alignment to the old one. */
static void
record_drop_alignment (DpRecord *rec)
{
  g_clear_pointer (&rec->align, g_array_unref);
  g_clear_pointer (&rec->original, g_free);
  rec->original_len = 0;
  offsets_reset (&rec->original_offsets);
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

void
dp_record_drop_token_cache (DpRecord *rec)
{
  g_clear_pointer (&rec->tokens, g_array_unref);
  g_clear_pointer (&rec->sentences, g_array_unref);
}

/* ---- layers ---------------------------------------------------------------- */

/* Layers are found by name through an index: input decides how many there are. */
DpLayer *
dp_record_get_layer (DpRecord *rec, const char *name)
{
  return rec->layer_names ? g_hash_table_lookup (rec->layer_names, name) : NULL;
}

DpLayer *
dp_record_ensure_layer (DpRecord *rec, const char *name)
{
  DpLayer *layer = dp_record_get_layer (rec, name);
  if (layer)
    return layer;
  if (!rec->layers)
    {
      rec->layers = g_ptr_array_new_with_free_func (layer_free);
      rec->layer_names = g_hash_table_new (g_str_hash, g_str_equal);   /* keys: the layers' names */
    }
  layer = g_new0 (DpLayer, 1);
  layer->name = g_strdup (name);
  layer->spans = g_ptr_array_new_with_free_func (span_free);
  layer->rec = rec;
  g_ptr_array_add (rec->layers, layer);
  g_hash_table_insert (rec->layer_names, layer->name, layer);
  return layer;
}

gboolean
dp_record_remove_layer (DpRecord *rec, const char *name)
{
  DpLayer *layer = dp_record_get_layer (rec, name);
  guint i;
  if (!layer || !g_ptr_array_find (rec->layers, layer, &i))
    return FALSE;
  g_hash_table_remove (rec->layer_names, name);
  g_ptr_array_remove_index (rec->layers, i);   /* keeps the others' order */
  dp_record_forget_span_ids (rec);
  return TRUE;
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
  span->compact = NULL;
  span->n_compact = 0;
  span->layer = layer;
  span->index = layer->spans->len;
  g_ptr_array_add (layer->spans, span);
  return span;
}

typedef struct {
  gsize start, end;
  gboolean keep;
  char *id;      /* the id it had, for a survivor whose position changes */
} SpanFate;

static void
span_fate_clear (gpointer p)
{
  g_free (((SpanFate *) p)->id);
}

/* Every span's fate is decided, and the ids of the survivors that change
 * position read, before any span is freed or renumbered: a generated id is
 * computed over all the record's spans as they were. */
static GArray *
decide_span_fates (DpRecord *rec, DpSpanMoveFunc move, gpointer data)
{
  GArray *fates = g_array_new (FALSE, FALSE, sizeof (SpanFate));
  g_array_set_clear_func (fates, span_fate_clear);
  for (guint l = 0; l < dp_record_get_n_layers (rec); l++)
    {
      DpLayer *layer = g_ptr_array_index (rec->layers, l);
      guint kept = 0;
      for (guint i = 0; i < layer->spans->len; i++)
        {
          DpSpan *span = g_ptr_array_index (layer->spans, i);
          SpanFate f = { span->start, span->end, FALSE, NULL };
          f.keep = move (layer->name, span, &f.start, &f.end, data);
          if (f.keep)
            {
              if (span->index != kept)
                f.id = dp_span_dup_id (span);
              kept++;
            }
          g_array_append_val (fates, f);
        }
    }
  return fates;
}

static GHashTable *record_taken_ids (DpRecord *rec);

void
dp_record_move_spans (DpRecord *rec, DpSpanMoveFunc move, gpointer data)
{
  g_autoptr (GArray) fates = decide_span_fates (rec, move, data);
  /* Spans are about to be freed: nothing may keep pointing at them. */
  dp_record_forget_span_ids (rec);
  guint k = 0;
  for (guint l = 0; l < dp_record_get_n_layers (rec); l++)
    {
      DpLayer *layer = g_ptr_array_index (rec->layers, l);
      GPtrArray *kept = g_ptr_array_new_full (layer->spans->len, span_free);
      for (guint i = 0; i < layer->spans->len; i++)
        {
          DpSpan *span = g_ptr_array_index (layer->spans, i);
          SpanFate *f = &g_array_index (fates, SpanFate, k++);
          if (!f->keep)
            {
              span_free (span);
              continue;
            }
          span->start = f->start;
          span->end = f->end;
          span->index = kept->len;
          g_ptr_array_add (kept, span);
          /* Others may refer to a span by its generated id (a claim's
           * speaker): a span that moved keeps the one it had. */
          if (f->id)
            dp_span_set_attr_string (span, "id", f->id);
        }
      g_ptr_array_set_free_func (layer->spans, NULL);
      g_ptr_array_unref (layer->spans);
      layer->spans = kept;
    }
}

gsize dp_span_get_start (const DpSpan *span) { return span->start; }
gsize dp_span_get_end (const DpSpan *span) { return span->end; }
const char *dp_span_get_label (const DpSpan *span) { return span->label; }

/* ---- attributes ------------------------------------------------------------ */

/* A span's attributes are either compact (set through the setters, which is
 * how the NER annotates every entity) or a JsonObject, never both: the first
 * dp_span_get_attrs() or dp_span_peek_attrs() moves the compact ones into a
 * new object, in the same order, and the span keeps the object, which its
 * caller may change.  Output is the same either way (record-json.c). */

/* Notes that the span may have been given an id (see record_taken_ids()). */
static void
span_ids_dirty (DpSpan *span)
{
  DpRecord *rec = span->layer->rec;
  if (rec->taken_ids)
    {
      if (!rec->ids_dirty)
        rec->ids_dirty = g_ptr_array_new ();
      g_ptr_array_add (rec->ids_dirty, span);
    }
}

static void
span_materialize_attrs (DpSpan *span)
{
  if (span->attrs)
    return;
  span->attrs = json_object_new ();
  for (guint i = 0; i < span->n_compact; i++)
    {
      const DpAttr *a = &span->compact[i];
      if (a->kind == DP_ATTR_STRING)
        json_object_set_string_member (span->attrs, a->name, a->v.s);
      else if (a->kind == DP_ATTR_INT)
        json_object_set_int_member (span->attrs, a->name, a->v.i);
      else
        json_object_set_null_member (span->attrs, a->name);
    }
  g_clear_pointer (&span->compact, g_free);
  span->n_compact = 0;
}

JsonObject *
dp_span_peek_attrs (const DpSpan *span)
{
  /* Building the object from compact attributes changes no observable state. */
  if (span->n_compact)
    span_materialize_attrs ((DpSpan *) span);
  return span->attrs;
}

const char *
dp_span_get_attr_string (const DpSpan *span, const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);
  if (span->attrs)
    {
      JsonNode *node = json_object_get_member (span->attrs, name);
      return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
             ? json_node_get_string (node) : NULL;
    }
  for (guint i = 0; i < span->n_compact; i++)
    if (strcmp (span->compact[i].name, name) == 0)
      return span->compact[i].kind == DP_ATTR_STRING ? span->compact[i].v.s : NULL;
  return NULL;
}

JsonObject *
dp_span_peek_json_attrs (const DpSpan *span)
{
  return span->attrs;
}

guint
dp_span_get_compact_attrs (const DpSpan *span, const DpAttr **attrs)
{
  *attrs = span->compact;
  return span->n_compact;
}

JsonObject *
dp_span_get_attrs (DpSpan *span)
{
  span_ids_dirty (span);   /* the caller may give the span an id */
  span_materialize_attrs (span);
  return span->attrs;
}

/* A span keeps at most this many attributes compactly; beyond, they move into
 * its JsonObject, so that a span given thousands (hostile input) is not
 * searched along a list for each one. */
#define SPAN_COMPACT_MAX 16

/* The compact entry named @name, added at the end if new (as a JsonObject
 * keeps a replaced member in its place); NULL once the span holds its
 * attributes in a JsonObject, which the caller then sets instead. */
static DpAttr *
compact_attr (DpSpan *span, const char *name)
{
  if (span->n_compact >= SPAN_COMPACT_MAX)
    span_materialize_attrs (span);
  if (span->attrs)
    return NULL;
  for (guint i = 0; i < span->n_compact; i++)
    if (strcmp (span->compact[i].name, name) == 0)
      return &span->compact[i];
  span->compact = g_renew (DpAttr, span->compact, span->n_compact + 1);
  DpAttr *a = &span->compact[span->n_compact++];
  a->name = g_string_chunk_insert_const (span->layer->rec->strings, name);
  return a;
}

void
dp_span_set_attr_string (DpSpan *span, const char *name, const char *value)
{
  g_return_if_fail (name != NULL);
  if (strcmp (name, "id") == 0)
    span_ids_dirty (span);
  DpAttr *a = compact_attr (span, name);
  if (!a)
    {
      json_object_set_string_member (span->attrs, name, value);
      return;
    }
  /* Interned: an entity's canonical name recurs with every mention. */
  a->kind = value ? DP_ATTR_STRING : DP_ATTR_NULL;
  a->v.s = value ? g_string_chunk_insert_const (span->layer->rec->strings, value) : NULL;
}

void
dp_span_set_attr_int (DpSpan *span, const char *name, gint64 value)
{
  g_return_if_fail (name != NULL);
  DpAttr *a = compact_attr (span, name);
  if (!a)
    {
      json_object_set_int_member (span->attrs, name, value);
      return;
    }
  a->kind = DP_ATTR_INT;
  a->v.i = value;
}

/* ---- span ids -------------------------------------------------------------- */

/* A span without an "id" attribute is called "<layer>-<n>", n its 1-based
 * position in the layer ("entities-3").  Layer names are unique in a record
 * and the number follows the name's last '-', so no two generated ids are
 * equal.  They could only clash with an id given to another span ("c1" given
 * to a claim cannot, "claims-2" given to an entity could): then the first of
 * "<layer>-<n>~2", "~3", … that is given to no span is used, a form no
 * undisturbed generated id has. */

/* The span's string "id" attribute, or NULL. */
static const char *
span_given_id (const DpSpan *span)
{
  for (guint i = 0; i < span->n_compact; i++)
    if (strcmp (span->compact[i].name, "id") == 0)
      return span->compact[i].kind == DP_ATTR_STRING ? span->compact[i].v.s : NULL;
  JsonNode *node = span->attrs ? json_object_get_member (span->attrs, "id") : NULL;
  if (node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

/* Whether @id is the span's own generated id: true of every span of a record
 * read back from JSON, and harmless, since no other span can be given it. */
static gboolean
is_own_id (const DpSpan *span, const char *id)
{
  gsize n = strlen (span->layer->name);
  char num[16];
  g_snprintf (num, sizeof num, "%u", span->index + 1);
  return strncmp (id, span->layer->name, n) == 0 && id[n] == '-' && strcmp (id + n + 1, num) == 0;
}

/* Adds the span's given id to @taken if a generated id could equal it (it
 * ends in a digit) and it is not the span's own. */
static void
taken_ids_add (GHashTable *taken, const DpSpan *span)
{
  const char *id = span_given_id (span);
  gsize n = id ? strlen (id) : 0;
  if (n && g_ascii_isdigit (id[n - 1]) && !is_own_id (span, id))
    g_hash_table_add (taken, g_strdup (id));
}

/* The ids given to spans, collected once.  Only a span whose attributes were
 * handed out since can have been given one: those are looked at again, so a
 * stage that alternates dp_span_get_attrs() and dp_span_dup_id() stays linear.
 * (An id taken away still counts as given until the next output, which starts
 * afresh: at worst a "~2" that was not needed.) */
static GHashTable *
record_taken_ids (DpRecord *rec)
{
  if (!rec->taken_ids)
    {
      rec->taken_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint l = 0; l < dp_record_get_n_layers (rec); l++)
        {
          DpLayer *layer = g_ptr_array_index (rec->layers, l);
          for (guint i = 0; i < layer->spans->len; i++)
            taken_ids_add (rec->taken_ids, g_ptr_array_index (layer->spans, i));
        }
    }
  else
    for (guint i = 0; rec->ids_dirty && i < rec->ids_dirty->len; i++)
      taken_ids_add (rec->taken_ids, g_ptr_array_index (rec->ids_dirty, i));
  if (rec->ids_dirty)
    g_ptr_array_set_size (rec->ids_dirty, 0);
  return rec->taken_ids;
}

void
dp_record_forget_span_ids (DpRecord *rec)
{
  g_clear_pointer (&rec->taken_ids, g_hash_table_unref);
  g_clear_pointer (&rec->ids_dirty, g_ptr_array_unref);
}

char *
dp_span_dup_id (const DpSpan *span)
{
  const char *given = span_given_id (span);
  if (given)
    return g_strdup (given);
  GHashTable *taken = record_taken_ids (span->layer->rec);
  char *id = g_strdup_printf ("%s-%u", span->layer->name, span->index + 1);
  for (guint k = 2; g_hash_table_contains (taken, id); k++)
    {
      g_free (id);
      id = g_strdup_printf ("%s-%u~%u", span->layer->name, span->index + 1, k);
    }
  return id;
}

/* ---- offsets --------------------------------------------------------------- */

/* Conversions between byte and code-point offsets must stay cheap in any order:
 * spans are added out of order, overlap, nest in attributes, and map through
 * an alignment onto the original text.  The number of characters that start
 * before every OFFSET_STEP-th byte is recorded, as far into the text as
 * queries have reached, so a conversion walks at most about OFFSET_STEP bytes
 * from a mark, or fewer from the last position converted (the usual case of
 * spans in text order).  The characters before byte x are the bytes in
 * [0, x) that do not continue a UTF-8 sequence, which also gives the right
 * answer for an offset inside a character. */
#define OFFSET_STEP 512

/* One text and its conversion state. */
typedef struct {
  const char *text;
  gsize len;
  DpOffsets *o;
} TextView;

static inline gboolean
starts_char (char c)
{
  return ((guchar) c & 0xC0) != 0x80;
}

static gsize
count_chars (const char *text, gsize from, gsize to)
{
  gsize n = 0;
  for (gsize i = from; i < to; i++)
    n += starts_char (text[i]);
  return n;
}

static gboolean
view_is_ascii (TextView v)
{
  if (v.o->ascii == DP_TRI_UNKNOWN)
    {
      v.o->ascii = DP_TRI_TRUE;
      for (gsize i = 0; i < v.len; i++)
        if ((guchar) v.text[i] >= 0x80)
          {
            v.o->ascii = DP_TRI_FALSE;
            break;
          }
    }
  return v.o->ascii == DP_TRI_TRUE;
}

static gsize
mark_at (TextView v, gsize k)
{
  return g_array_index (v.o->marks, gsize, k);
}

/* Records one more mark, if the text reaches its byte; FALSE if it does not. */
static gboolean
marks_grow (TextView v)
{
  if (!v.o->marks)
    {
      gsize zero = 0;
      v.o->marks = g_array_sized_new (FALSE, FALSE, sizeof (gsize), v.len / OFFSET_STEP + 1);
      g_array_append_val (v.o->marks, zero);
      return TRUE;
    }
  gsize k = v.o->marks->len;
  if (k * OFFSET_STEP > v.len)
    return FALSE;
  gsize n = mark_at (v, k - 1) + count_chars (v.text, (k - 1) * OFFSET_STEP, k * OFFSET_STEP);
  g_array_append_val (v.o->marks, n);
  return TRUE;
}

static gsize
view_byte_to_char (TextView v, gsize byte_offset)
{
  gsize x = MIN (byte_offset, v.len);
  if (view_is_ascii (v))
    return x;
  gsize k = x / OFFSET_STEP;
  while (!v.o->marks || v.o->marks->len <= k)
    marks_grow (v);
  gsize mark = k * OFFSET_STEP, cur = v.o->cur_byte, n;
  if (cur <= x && x - cur <= x - mark)
    n = v.o->cur_char + count_chars (v.text, cur, x);
  else if (cur > x && cur - x < x - mark)
    n = v.o->cur_char - count_chars (v.text, x, cur);
  else
    n = mark_at (v, k) + count_chars (v.text, mark, x);
  v.o->cur_byte = x;
  v.o->cur_char = n;
  return n;
}

/* The last mark with at most @c characters before it (marks strictly increase:
 * every OFFSET_STEP bytes hold at least one character start). */
static gsize
mark_before_char (TextView v, gsize c)
{
  if (!v.o->marks)
    marks_grow (v);
  while (mark_at (v, v.o->marks->len - 1) <= c && marks_grow (v))
    ;
  gsize lo = 0, hi = v.o->marks->len;
  while (hi - lo > 1)
    {
      gsize mid = lo + (hi - lo) / 2;
      if (mark_at (v, mid) <= c)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

/* From byte @p with @n characters before it, the byte where character @c
 * starts (or the end of the text after its last one); FALSE past the end. */
static gboolean
walk_to_char (TextView v, gsize p, gsize n, gsize c, gsize *byte_offset)
{
  if (n > c)
    {
      while (n > c)
        n -= starts_char (v.text[--p]);
      *byte_offset = p;
      return TRUE;
    }
  for (; p < v.len; p++)
    if (starts_char (v.text[p]))
      {
        if (n == c)
          break;
        n++;
      }
  *byte_offset = p;
  return n == c;
}

static gboolean
view_char_to_byte (TextView v, gsize char_offset, gsize *byte_offset)
{
  if (view_is_ascii (v))
    {
      *byte_offset = char_offset;
      return char_offset <= v.len;
    }
  gsize k = mark_before_char (v, char_offset), from_mark = char_offset - mark_at (v, k);
  gsize cur = v.o->cur_char;
  gsize from_cur = cur > char_offset ? cur - char_offset : char_offset - cur;
  gboolean ok = from_cur < from_mark
                ? walk_to_char (v, v.o->cur_byte, cur, char_offset, byte_offset)
                : walk_to_char (v, k * OFFSET_STEP, mark_at (v, k), char_offset, byte_offset);
  if (!ok)
    return FALSE;
  v.o->cur_byte = *byte_offset;
  v.o->cur_char = char_offset;
  return TRUE;
}

static TextView
text_view (DpRecord *rec)
{
  return (TextView) { dp_record_get_text (rec, NULL), rec->len, &rec->offsets };
}

gsize
dp_record_byte_to_char (DpRecord *rec, gsize byte_offset)
{
  return view_byte_to_char (text_view (rec), byte_offset);
}

gsize
dp_record_original_byte_to_char (DpRecord *rec, gsize byte_offset)
{
  if (!rec->align)
    return dp_record_byte_to_char (rec, byte_offset);
  TextView v = { rec->original, rec->original_len, &rec->original_offsets };
  return view_byte_to_char (v, byte_offset);
}

gboolean
dp_record_char_to_byte (DpRecord *rec, gsize char_offset, gsize *byte_offset)
{
  return view_char_to_byte (text_view (rec), char_offset, byte_offset);
}
