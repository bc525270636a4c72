/* alignment.c — text rewrites that map back to the text as first read.
 *
 * An alignment is a list of segments covering the output text without gaps,
 * in order.  A segment either maps byte for byte (a copy, or a replacement of
 * the same length such as "\n" -> " ") or as a whole (a replacement of another
 * length: "&amp;" -> "&", NBSP -> " ", a deletion leaves no segment at all, an
 * insertion has an empty source).  Source bytes no segment covers were deleted.
 * Rewrites compose: a second rewrite's segments are cut along the first's so
 * that offsets still reach the original text exactly.
 */
#include "alignment-private.h"
#include "record-private.h"

#include <string.h>

struct _DpTextBuilder {
  const char *src;
  gsize src_len;
  gsize pos;           /* next source byte not yet consumed */
  GString *out;
  GArray *segs;        /* DpSeg */
  gboolean broken;     /* a piece cut a character or inserted invalid UTF-8 */
};

/* Appends a segment, merging byte-for-byte segments that continue each other. */
static void
push_seg (GArray *segs, gsize out, gsize out_len, gsize src, gsize src_end, gboolean linear)
{
  if (out_len == 0)
    return;
  if (segs->len > 0 && linear)
    {
      DpSeg *last = &g_array_index (segs, DpSeg, segs->len - 1);
      if (last->linear && last->src_end == src && last->out + last->out_len == out)
        {
          last->out_len += out_len;
          last->src_end = src_end;
          return;
        }
    }
  DpSeg seg = { (guint32) out, (guint32) out_len, (guint32) src, (guint32) src_end, linear };
  g_array_append_val (segs, seg);
}

DpTextBuilder *
dp_text_builder_new (const char *src, gsize src_len)
{
  DpTextBuilder *b = g_new0 (DpTextBuilder, 1);
  b->src = src;
  b->src_len = src_len;
  b->out = g_string_sized_new (src_len + 16);
  b->segs = g_array_new (FALSE, FALSE, sizeof (DpSeg));
  return b;
}

void
dp_text_builder_free (DpTextBuilder *b)
{
  if (!b)
    return;
  g_string_free (b->out, TRUE);
  g_array_unref (b->segs);
  g_free (b);
}

/* The source is valid UTF-8, so the output is too if no piece starts or ends
 * inside a character and every inserted text is valid: checking that is much
 * cheaper than validating the whole output. */
static gboolean
on_boundary (const DpTextBuilder *b, gsize at)
{
  return at >= b->src_len || ((guchar) b->src[at] & 0xC0) != 0x80;
}

void
dp_text_builder_copy (DpTextBuilder *b, gsize src_start, gsize len)
{
  g_return_if_fail (src_start >= b->pos && src_start + len <= b->src_len);
  b->broken |= !on_boundary (b, src_start) || !on_boundary (b, src_start + len);
  push_seg (b->segs, b->out->len, len, src_start, src_start + len, TRUE);
  g_string_append_len (b->out, b->src + src_start, (gssize) len);
  b->pos = src_start + len;
}

/* A replacement maps byte for byte only if its characters line up with the
 * ones it replaces ("\n" -> " " does; one 3-byte prime -> three apostrophes
 * does not). */
static gboolean
same_boundaries (const char *a, const char *b, gsize n)
{
  for (gsize k = 1; k < n; k++)
    if ((((guchar) a[k] & 0xC0) == 0x80) != (((guchar) b[k] & 0xC0) == 0x80))
      return FALSE;
  return TRUE;
}

void
dp_text_builder_replace (DpTextBuilder *b, gsize src_start, gsize src_len, const char *text, gssize len)
{
  g_return_if_fail (src_start >= b->pos && src_start + src_len <= b->src_len);
  gsize n = len < 0 ? strlen (text) : (gsize) len;
  b->broken |= !on_boundary (b, src_start) || !on_boundary (b, src_start + src_len)
               || !g_utf8_validate_len (text, n, NULL);
  push_seg (b->segs, b->out->len, n, src_start, src_start + src_len,
            n == src_len && same_boundaries (b->src + src_start, text, n));
  g_string_append_len (b->out, text, (gssize) n);
  b->pos = src_start + src_len;
}

const char *
dp_text_builder_peek (const DpTextBuilder *b, gsize *len)
{
  if (len)
    *len = b->out->len;
  return b->out->str;
}

gsize dp_text_builder_get_src_pos (const DpTextBuilder *b) { return b->pos; }

/* ---- mapping --------------------------------------------------------------- */

/* The last segment whose output starts at or before @x (or before it, if @strict). */
static guint
seg_at (const GArray *segs, gsize x, gboolean strict)
{
  guint lo = 0, hi = segs->len;
  while (hi - lo > 1)
    {
      guint mid = (lo + hi) / 2;
      gsize out = g_array_index (segs, DpSeg, mid).out;
      if (strict ? out < x : out <= x)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

gsize
dp_alignment_map_start (const GArray *segs, gsize x)
{
  if (segs->len == 0)
    return 0;
  const DpSeg *s = &g_array_index (segs, DpSeg, seg_at (segs, x, FALSE));
  if (x >= s->out + s->out_len)   /* at the very end of the text */
    return s->src_end;
  return s->linear ? s->src + (x - s->out) : s->src;
}

gsize
dp_alignment_map_end (const GArray *segs, gsize x)
{
  if (segs->len == 0)
    return 0;
  const DpSeg *s = &g_array_index (segs, DpSeg, seg_at (segs, x, TRUE));
  if (x <= s->out)                /* at the very start of the text */
    return s->src;
  if (x > s->out + s->out_len)
    x = s->out + s->out_len;
  return s->linear ? s->src + (x - s->out) : s->src_end;
}

/* Segments of (new -> mid) composed with (mid -> original): each maps as
 * mapping through the second and then the first would. */
static GArray *
compose (const GArray *first, const GArray *second)
{
  /* The first rewrite changed nothing (a pass with nothing to do): the
   * second's segments are the answer, without a copy of them. */
  const DpSeg *only = first->len == 1 ? &g_array_index (first, DpSeg, 0) : NULL;
  if (only && only->linear && only->out == 0 && only->src == 0)
    return g_array_ref ((GArray *) second);
  GArray *segs = g_array_new (FALSE, FALSE, sizeof (DpSeg));
  guint j = 0;
  for (guint i = 0; i < second->len; i++)
    {
      const DpSeg *s = &g_array_index (second, DpSeg, i);
      if (!s->linear)
        {
          push_seg (segs, s->out, s->out_len, dp_alignment_map_start (first, s->src),
                    dp_alignment_map_end (first, s->src_end), FALSE);
          continue;
        }
      /* Cut a byte-for-byte segment along the first alignment's segments. */
      gsize lo = s->src, hi = s->src_end;
      if (j >= first->len)
        j = first->len ? first->len - 1 : 0;
      while (j > 0 && g_array_index (first, DpSeg, j).out > lo)
        j--;
      for (; j < first->len; j++)
        {
          const DpSeg *f = &g_array_index (first, DpSeg, j);
          if (f->out + f->out_len <= lo)
            continue;
          if (f->out >= hi)
            break;
          gsize a = MAX (lo, f->out), e = MIN (hi, f->out + f->out_len);
          gsize out = s->out + (a - s->src);
          if (f->linear)
            push_seg (segs, out, e - a, f->src + (a - f->out), f->src + (e - f->out), TRUE);
          else
            push_seg (segs, out, e - a, f->src, f->src_end, FALSE);
        }
    }
  return segs;
}

/* ---- moving spans onto the new text ---------------------------------------- */

/* A rewrite's segments are in source order (the builder consumes its source
 * in order), so where an offset of the old text lands in the new one is a
 * binary search away: spans move in O(spans × log segments). */

/* The first segment whose source ends after @x, skipping insertions; len if none. */
static guint
first_seg_after (const GArray *segs, gsize x)
{
  guint lo = 0, hi = segs->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (segs, DpSeg, mid).src_end > x)
        hi = mid;
      else
        lo = mid + 1;
    }
  while (lo < segs->len && g_array_index (segs, DpSeg, lo).src == g_array_index (segs, DpSeg, lo).src_end)
    lo++;
  return lo;
}

/* The last segment whose source starts before @x, skipping insertions; -1 if none. */
static gint64
last_seg_before (const GArray *segs, gsize x)
{
  guint lo = 0, hi = segs->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (segs, DpSeg, mid).src < x)
        lo = mid + 1;
      else
        hi = mid;
    }
  gint64 k = (gint64) lo - 1;
  while (k >= 0 && g_array_index (segs, DpSeg, k).src == g_array_index (segs, DpSeg, k).src_end)
    k--;
  return k;
}

/* Where a span of the old text starting at @x starts in the new text: at the
 * same character if it was copied, at the start of the piece that replaced
 * it, or where the text after it begins if it was deleted. */
static gsize
forward_start (const GArray *segs, gsize x, gsize new_len)
{
  guint k = first_seg_after (segs, x);
  if (k >= segs->len)
    return new_len;
  const DpSeg *s = &g_array_index (segs, DpSeg, k);
  return s->linear && x > s->src ? s->out + (x - s->src) : s->out;
}

/* Where a span of the old text ending at @x ends in the new text. */
static gsize
forward_end (const GArray *segs, gsize x)
{
  gint64 k = last_seg_before (segs, x);
  if (k < 0)
    return 0;
  const DpSeg *s = &g_array_index (segs, DpSeg, (guint) k);
  return s->linear ? s->out + (MIN (x, s->src_end) - s->src) : s->out + s->out_len;
}

typedef struct {
  const GArray *segs;    /* the rewrite's: new text -> old text */
  gsize old_len, new_len;
  GHashTable *dropped;   /* layer name -> number of spans dropped */
} SpanMove;

/* Maps [*start, *end) of the old text onto the new one; FALSE if all the text
 * it covered was deleted. */
static gboolean
move_range (const SpanMove *m, gsize *start, gsize *end)
{
  gsize s = forward_start (m->segs, *start, m->new_len);
  if (*start == *end)
    {
      *end = *start = s;
      return TRUE;
    }
  gsize e = forward_end (m->segs, *end);
  if (e <= s)
    return FALSE;
  *start = s;
  *end = e;
  return TRUE;
}

static void
count_dropped (const SpanMove *m, const char *layer)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (m->dropped, layer));
  g_hash_table_insert (m->dropped, (gpointer) layer, GUINT_TO_POINTER (n + 1));
}

/* The same test as the JSON edge's: integer "start" and "end". */
static gboolean
is_nested_span (JsonObject *obj)
{
  JsonNode *s = json_object_get_member (obj, "start");
  JsonNode *e = json_object_get_member (obj, "end");
  return s && e && JSON_NODE_HOLDS_VALUE (s) && JSON_NODE_HOLDS_VALUE (e)
         && json_node_get_value_type (s) == G_TYPE_INT64 && json_node_get_value_type (e) == G_TYPE_INT64;
}

static void move_nested_in_object (const SpanMove *m, const char *layer, JsonObject *obj);

/* Moves a nested span and those inside it; FALSE if it is to be dropped.
 * Offsets that do not describe a range of the old text are left alone, as
 * the JSON edge leaves them (it writes them as null). */
static gboolean
move_nested_span (const SpanMove *m, const char *layer, JsonObject *obj)
{
  gint64 s = json_object_get_int_member (obj, "start"), e = json_object_get_int_member (obj, "end");
  if (s >= 0 && e >= s && (guint64) e <= m->old_len)
    {
      gsize start = (gsize) s, end = (gsize) e;
      if (!move_range (m, &start, &end))
        return FALSE;
      json_object_set_int_member (obj, "start", (gint64) start);
      json_object_set_int_member (obj, "end", (gint64) end);
    }
  move_nested_in_object (m, layer, obj);
  return TRUE;
}

/* Whether @node is a nested span that was dropped (else it was moved, with
 * everything inside it). */
static gboolean
move_nested_node (const SpanMove *m, const char *layer, JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *obj = json_node_get_object (node);
      if (!is_nested_span (obj))
        {
          move_nested_in_object (m, layer, obj);
          return FALSE;
        }
      if (move_nested_span (m, layer, obj))
        return FALSE;
      count_dropped (m, layer);
      return TRUE;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr (JsonArray) kept = NULL;
      guint n = json_array_get_length (array);
      for (guint i = 0; i < n; i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          gboolean drop = move_nested_node (m, layer, item);
          if (drop && !kept)
            {
              kept = json_array_sized_new (n);
              for (guint k = 0; k < i; k++)
                json_array_add_element (kept, json_node_copy (json_array_get_element (array, k)));
            }
          else if (!drop && kept)
            json_array_add_element (kept, json_node_copy (item));
        }
      if (kept)   /* one new array rather than a removal (a shift) per dropped item */
        json_node_set_array (node, kept);
    }
  return FALSE;
}

static void
move_nested_in_object (const SpanMove *m, const char *layer, JsonObject *obj)
{
  g_autoptr (GList) names = json_object_get_members (obj);
  for (GList *l = names; l; l = l->next)
    {
      const char *name = l->data;
      if (strcmp (name, "start") != 0 && strcmp (name, "end") != 0
          && move_nested_node (m, layer, json_object_get_member (obj, name)))
        json_object_remove_member (obj, name);
    }
}

static gboolean
move_span (const char *layer, DpSpan *span, gsize *start, gsize *end, gpointer data)
{
  const SpanMove *m = data;
  if (!move_range (m, start, end))
    {
      count_dropped (m, layer);
      return FALSE;
    }
  /* Compact attributes are never nested spans: left as they are. */
  JsonObject *attrs = dp_span_peek_json_attrs (span);
  if (attrs)
    move_nested_in_object (m, layer, attrs);
  return TRUE;
}

/* Adds the spans dropped to meta "dropped_spans" (layer -> count), where a
 * user finds them next to the record's output. */
static void
note_dropped (DpRecord *rec, GHashTable *dropped)
{
  if (g_hash_table_size (dropped) == 0)
    return;
  JsonObject *meta = dp_record_get_meta (rec);
  JsonNode *node = json_object_get_member (meta, "dropped_spans");
  if (!node || !JSON_NODE_HOLDS_OBJECT (node))
    json_object_set_object_member (meta, "dropped_spans", json_object_new ());
  JsonObject *counts = json_object_get_object_member (meta, "dropped_spans");
  GHashTableIter it;
  gpointer layer, n;
  g_hash_table_iter_init (&it, dropped);
  while (g_hash_table_iter_next (&it, &layer, &n))
    {
      JsonNode *old = json_object_get_member (counts, layer);
      gint64 before = old && JSON_NODE_HOLDS_VALUE (old) && json_node_get_value_type (old) == G_TYPE_INT64
                      ? json_node_get_int (old) : 0;
      json_object_set_int_member (counts, layer, before + GPOINTER_TO_UINT (n));
    }
}

/* ---- records --------------------------------------------------------------- */

gboolean
dp_record_apply_text (DpRecord *rec, DpTextBuilder *b, GError **error)
{
  g_return_val_if_fail (b->src == dp_record_get_text (rec, NULL) && b->src_len == rec->len, FALSE);
  if (b->out->len > DP_RECORD_MAX_TEXT)
    {
      g_set_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_TOO_LARGE,
                   "rewritten text of %" G_GSIZE_FORMAT " bytes exceeds the limit of %u bytes",
                   b->out->len, (guint) DP_RECORD_MAX_TEXT);
      dp_text_builder_free (b);
      return FALSE;
    }
  if (b->broken)
    {
      g_set_error_literal (error, DP_RECORD_ERROR, DP_RECORD_ERROR_INVALID_UTF8,
                           "rewritten text is not valid UTF-8 (a piece cut a character, or inserted text is invalid)");
      dp_text_builder_free (b);
      return FALSE;
    }
  /* The first rewrite keeps the text it replaces as the original; later ones
   * compose with the alignment already there. */
  GArray *segs = rec->align ? compose (rec->align, b->segs) : g_array_ref (b->segs);
  char *original = rec->align ? g_steal_pointer (&rec->original) : g_steal_pointer (&rec->text);
  gsize original_len = rec->align ? rec->original_len : rec->len;
  g_clear_pointer (&rec->align, g_array_unref);
  gsize len = b->out->len;
  /* The layers move onto the new text; the tokens are computed afresh. */
  GPtrArray *layers = g_steal_pointer (&rec->layers);
  GHashTable *layer_names = g_steal_pointer (&rec->layer_names);
  dp_record_take_text (rec, g_string_free (g_steal_pointer (&b->out), FALSE), len);
  b->out = g_string_new (NULL);
  rec->layers = layers;
  rec->layer_names = layer_names;
  rec->original = original;
  rec->original_len = original_len;
  rec->align = segs;
  if (layers)
    {
      g_autoptr (GHashTable) dropped = g_hash_table_new (g_str_hash, g_str_equal);
      SpanMove m = { b->segs, b->src_len, len, dropped };
      dp_record_move_spans (rec, move_span, &m);
      note_dropped (rec, dropped);
    }
  dp_text_builder_free (b);
  return TRUE;
}

const char *
dp_record_get_original_text (const DpRecord *rec, gsize *len)
{
  if (!rec->align)
    return dp_record_get_text (rec, len);
  if (len)
    *len = rec->original_len;
  return rec->original;
}

gboolean dp_record_has_alignment (const DpRecord *rec) { return rec->align != NULL; }

void
dp_record_map_to_original (const DpRecord *rec, gsize start, gsize end, gsize *orig_start, gsize *orig_end)
{
  if (!rec->align)
    {
      *orig_start = start;
      *orig_end = end;
      return;
    }
  *orig_start = dp_alignment_map_start (rec->align, start);
  *orig_end = start == end ? *orig_start : dp_alignment_map_end (rec->align, end);
  if (*orig_end < *orig_start)
    *orig_end = *orig_start;
}
