/* doc.c — a record's data block and overview facts (doc.h).
 *
 * The data block, one JSON object:
 *   {"id":…,"src":…,"meta":[[key,value],…],"text":…,
 *    "e":[[start,end,label,canonical,cluster|null,id],…],
 *    "c":[[start,end,act,kind,[cs,ce]|null,[ss,se,entity-id|null,name]|null,[[hs,he],…],id],…],
 *    "layers":[[name,spans],…]}
 * Offsets count UTF-16 code units; every string goes through rp_json_append.
 */
#include "doc.h"
#include "escape.h"

#include <string.h>

typedef struct {
  gsize start, end;
} Range;

typedef struct {
  Range r;
  const char *label, *canonical;
  gboolean has_cluster;
  gint64 cluster;
  char *id;
  guint dent;             /* index into RpDoc.entities */
} Ent;

typedef struct {
  Range r, cue, spk;
  gboolean has_cue, has_spk;
  const char *act, *kind, *spk_entity, *spk_canonical;
  GArray *hedges;         /* Range */
  char *id;
} Claim;

/* ---- attributes, read without assuming their types ------------------------------ */

static const char *
attr_string (JsonObject *o, const char *name)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  if (!n || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static gboolean
node_int (JsonNode *n, gint64 *v)
{
  if (!n || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *v = json_node_get_int (n);
  return TRUE;
}

/* A nested span (an object with integer start and end, byte offsets in memory)
 * in @n, clamped to the text. */
static gboolean
node_range (JsonNode *n, gsize text_len, Range *r)
{
  gint64 s, e;
  if (!n || !JSON_NODE_HOLDS_OBJECT (n))
    return FALSE;
  JsonObject *o = json_node_get_object (n);
  if (!node_int (json_object_get_member (o, "start"), &s)
      || !node_int (json_object_get_member (o, "end"), &e) || s < 0 || e < s)
    return FALSE;
  r->start = MIN ((gsize) s, text_len);
  r->end = MIN ((gsize) e, text_len);
  return TRUE;
}

/* ---- byte offsets to UTF-16 offsets ---------------------------------------------- */

typedef struct {
  gsize byte;
  gsize *slot;
} Pos;

static gint
pos_cmp (gconstpointer a, gconstpointer b)
{
  gsize x = ((const Pos *) a)->byte, y = ((const Pos *) b)->byte;
  return x < y ? -1 : x > y;
}

static void
add_pos (GArray *pos, Range *r)
{
  Pos p = { r->start, &r->start }, q = { r->end, &r->end };
  g_array_append_val (pos, p);
  g_array_append_val (pos, q);
}

/* Rewrites every offset listed in @pos from bytes to UTF-16 code units: one
 * walk over the text in offset order. */
static void
to_utf16 (const char *text, gsize len, GArray *pos)
{
  g_array_sort (pos, pos_cmp);
  gsize b = 0, u = 0;
  for (guint i = 0; i < pos->len; i++)
    {
      Pos *p = &g_array_index (pos, Pos, i);
      while (b < p->byte && b < len)
        {
          gunichar c = g_utf8_get_char (text + b);
          u += c >= 0x10000 ? 2 : 1;
          b = (gsize) (g_utf8_next_char (text + b) - text);
        }
      *p->slot = u;
    }
}

/* ---- reading the layers ---------------------------------------------------------- */

static void
ent_clear (gpointer p)
{
  g_free (((Ent *) p)->id);
}

static void
claim_clear (gpointer p)
{
  Claim *c = p;
  g_free (c->id);
  if (c->hedges)
    g_array_unref (c->hedges);
}

static void
doc_entity_free (gpointer p)
{
  RpDocEntity *e = p;
  g_free (e->label);
  g_free (e->canonical);
  g_free (e);
}

static void
doc_claim_free (gpointer p)
{
  RpDocClaim *c = p;
  g_free (c->speaker);
  g_free (c->act);
  g_array_unref (c->mentioned);
  g_free (c);
}

static void
doc_layer_free (gpointer p)
{
  RpDocLayer *l = p;
  g_free (l->name);
  g_free (l);
}

/* The document's entry for (label, canonical), made on first sight. */
static guint
doc_entity (RpDoc *doc, GHashTable *seen, const char *label, const char *canonical)
{
  g_autofree char *key = g_strconcat (label, "\t", canonical, NULL);
  gpointer v;
  if (g_hash_table_lookup_extended (seen, key, NULL, &v))
    return GPOINTER_TO_UINT (v);
  RpDocEntity *e = g_new0 (RpDocEntity, 1);
  e->label = g_strdup (label);
  e->canonical = g_strdup (canonical);
  g_ptr_array_add (doc->entities, e);
  g_hash_table_insert (seen, g_steal_pointer (&key), GUINT_TO_POINTER (doc->entities->len - 1));
  return doc->entities->len - 1;
}

static void
read_entities (RpDoc *doc, DpRecord *rec, GArray *ents, GHashTable *by_id, GArray *pos)
{
  DpLayer *layer = dp_record_get_layer (rec, "entities");
  const char *text = dp_record_get_text (rec, NULL);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; layer && i < dp_layer_get_size (layer); i++)
    {
      DpSpan *span = dp_layer_get_span (layer, i);
      JsonObject *a = dp_span_peek_attrs (span);
      Ent e = { { dp_span_get_start (span), dp_span_get_end (span) } };
      e.label = dp_span_get_label (span) ? dp_span_get_label (span) : "";
      e.canonical = attr_string (a, "canonical");
      e.has_cluster = a && node_int (json_object_get_member (a, "cluster"), &e.cluster);
      e.id = dp_span_dup_id (span);
      g_autofree char *own = NULL;
      if (!e.canonical)
        e.canonical = own = g_strndup (text + e.r.start, e.r.end - e.r.start);
      e.dent = doc_entity (doc, seen, e.label, e.canonical);
      e.canonical = ((RpDocEntity *) doc->entities->pdata[e.dent])->canonical;
      ((RpDocEntity *) doc->entities->pdata[e.dent])->mentions++;
      g_array_append_val (ents, e);
    }
  /* Pointers into @ents are stable only once it stops growing. */
  for (guint i = 0; i < ents->len; i++)
    {
      Ent *e = &g_array_index (ents, Ent, i);
      g_hash_table_insert (by_id, e->id, GUINT_TO_POINTER (i + 1));
      add_pos (pos, &e->r);
    }
  doc->mentions = ents->len;
}

static void
read_claim (Claim *c, DpSpan *span, gsize len)
{
  JsonObject *a = dp_span_peek_attrs (span);
  c->r = (Range) { dp_span_get_start (span), dp_span_get_end (span) };
  c->id = dp_span_dup_id (span);
  c->act = attr_string (a, "act");
  c->kind = attr_string (a, "kind");
  c->hedges = g_array_new (FALSE, FALSE, sizeof (Range));
  if (!a)
    return;
  c->has_cue = node_range (json_object_get_member (a, "cue"), len, &c->cue);
  JsonNode *spk = json_object_get_member (a, "speaker");
  c->has_spk = node_range (spk, len, &c->spk);
  if (c->has_spk)
    {
      c->spk_entity = attr_string (json_node_get_object (spk), "entity");
      c->spk_canonical = attr_string (json_node_get_object (spk), "canonical");
    }
  JsonNode *h = json_object_get_member (a, "hedges");
  if (h && JSON_NODE_HOLDS_ARRAY (h))
    {
      JsonArray *arr = json_node_get_array (h);
      for (guint i = 0; i < json_array_get_length (arr); i++)
        {
          Range r;
          if (node_range (json_array_get_element (arr, i), len, &r))
            g_array_append_val (c->hedges, r);
        }
    }
}

gboolean
rp_doc_label_is_about (const char *label)
{
  static const char *const not_about[] = { "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY",
                                           "CARDINAL", "ORDINAL", NULL };
  return !g_strv_contains (not_about, label);
}

static gint
ent_start_cmp (gconstpointer a, gconstpointer b, gpointer data)
{
  GArray *ents = data;
  gsize x = g_array_index (ents, Ent, *(const guint *) a).r.start;
  gsize y = g_array_index (ents, Ent, *(const guint *) b).r.start;
  return x < y ? -1 : x > y ? 1 : (int) *(const guint *) a - (int) *(const guint *) b;
}

/* Entity indices in order of their start, so that a claim finds the entities
 * inside it without looking at all of them. */
static GArray *
order_by_start (GArray *ents)
{
  GArray *ix = g_array_sized_new (FALSE, FALSE, sizeof (guint), ents->len);
  for (guint i = 0; i < ents->len; i++)
    g_array_append_val (ix, i);
  g_array_sort_with_data (ix, ent_start_cmp, ents);
  return ix;
}

/* The first position in @by_start whose entity starts at or after @start. */
static guint
first_at (GArray *ents, GArray *by_start, gsize start)
{
  guint lo = 0, hi = by_start->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (ents, Ent, g_array_index (by_start, guint, mid)).r.start < start)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* The overview's facts about one claim: who (linked to which entity), the act,
 * and the entities its content mentions (the speaker's own left out). */
static RpDocClaim *
claim_facts (const Claim *c, const char *text, GArray *ents, GArray *by_start, GHashTable *by_id)
{
  RpDocClaim *f = g_new0 (RpDocClaim, 1);
  f->speaker_entity = -1;
  f->act = g_strdup (c->act ? c->act : "other");
  f->mentioned = g_array_new (FALSE, FALSE, sizeof (guint));
  if (c->has_spk)
    {
      guint i = c->spk_entity ? GPOINTER_TO_UINT (g_hash_table_lookup (by_id, c->spk_entity)) : 0;
      const Ent *linked = i ? &g_array_index (ents, Ent, i - 1) : NULL;
      if (linked)
        f->speaker_entity = (int) linked->dent;
      if (c->spk_canonical)
        f->speaker = g_strdup (c->spk_canonical);
      else if (linked)
        f->speaker = g_strdup (linked->canonical);
      else
        f->speaker = g_strndup (text + c->spk.start, c->spk.end - c->spk.start);
    }
  g_autoptr (GHashTable) once = g_hash_table_new (NULL, NULL);
  for (guint k = first_at (ents, by_start, c->r.start); k < by_start->len; k++)
    {
      const Ent *e = &g_array_index (ents, Ent, g_array_index (by_start, guint, k));
      if (e->r.start >= c->r.end)
        break;
      if (e->r.end > c->r.end || (int) e->dent == f->speaker_entity
          || !rp_doc_label_is_about (e->label)
          || !g_hash_table_add (once, GUINT_TO_POINTER (e->dent + 1)))
        continue;
      g_array_append_val (f->mentioned, e->dent);
    }
  return f;
}

static void
read_claims (RpDoc *doc, DpRecord *rec, GArray *claims, GArray *ents, GHashTable *by_id, GArray *pos)
{
  DpLayer *layer = dp_record_get_layer (rec, "claims");
  gsize len;
  const char *text = dp_record_get_text (rec, &len);
  for (guint i = 0; layer && i < dp_layer_get_size (layer); i++)
    {
      Claim c = { 0 };
      read_claim (&c, dp_layer_get_span (layer, i), len);
      g_array_append_val (claims, c);
    }
  g_autoptr (GArray) by_start = order_by_start (ents);
  for (guint i = 0; i < claims->len; i++)
    {
      Claim *c = &g_array_index (claims, Claim, i);
      g_ptr_array_add (doc->claims, claim_facts (c, text, ents, by_start, by_id));
      add_pos (pos, &c->r);
      if (c->has_cue)
        add_pos (pos, &c->cue);
      if (c->has_spk)
        add_pos (pos, &c->spk);
      for (guint h = 0; h < c->hedges->len; h++)
        add_pos (pos, &g_array_index (c->hedges, Range, h));
    }
}

/* ---- writing the data block ------------------------------------------------------- */

static void
append_range (GString *out, const Range *r)
{
  g_string_append_printf (out, "%" G_GSIZE_FORMAT ",%" G_GSIZE_FORMAT, r->start, r->end);
}

static void
append_str_or_null (GString *out, const char *s)
{
  if (s)
    rp_json_append (out, s, -1);
  else
    g_string_append (out, "null");
}

/* Scalars are shown as they are; objects and arrays only by name. */
static void
append_meta (GString *out, JsonObject *meta)
{
  g_string_append (out, "\"meta\":[");
  g_autoptr (GList) members = json_object_get_members (meta);
  gboolean first = TRUE;
  for (GList *l = members; l; l = l->next)
    {
      JsonNode *n = json_object_get_member (meta, l->data);
      g_autofree char *value = NULL;
      if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
        value = g_strdup (json_node_get_string (n));
      else if (JSON_NODE_HOLDS_VALUE (n))
        value = json_to_string (n, FALSE);
      else
        value = g_strdup (JSON_NODE_HOLDS_NULL (n) ? "null" : "(structured value, not shown)");
      g_string_append (out, first ? "[" : ",[");
      rp_json_append_cut (out, l->data, RP_META_MAX);
      g_string_append_c (out, ',');
      rp_json_append_cut (out, value, RP_META_MAX);
      g_string_append_c (out, ']');
      first = FALSE;
    }
  g_string_append (out, "],");
}

static void
append_entities (GString *out, GArray *ents)
{
  g_string_append (out, ",\"e\":[");
  for (guint i = 0; i < ents->len; i++)
    {
      const Ent *e = &g_array_index (ents, Ent, i);
      g_string_append (out, i ? ",[" : "[");
      append_range (out, &e->r);
      g_string_append_c (out, ',');
      rp_json_append (out, e->label, -1);
      g_string_append_c (out, ',');
      rp_json_append (out, e->canonical, -1);
      if (e->has_cluster)
        g_string_append_printf (out, ",%" G_GINT64_FORMAT ",", e->cluster);
      else
        g_string_append (out, ",null,");
      rp_json_append (out, e->id, -1);
      g_string_append_c (out, ']');
    }
  g_string_append_c (out, ']');
}

static void
append_claim (GString *out, const Claim *c, const RpDocClaim *f)
{
  g_string_append_c (out, '[');
  append_range (out, &c->r);
  g_string_append_c (out, ',');
  rp_json_append (out, f->act, -1);
  g_string_append_c (out, ',');
  append_str_or_null (out, c->kind);
  g_string_append (out, c->has_cue ? ",[" : ",null");
  if (c->has_cue)
    {
      append_range (out, &c->cue);
      g_string_append_c (out, ']');
    }
  g_string_append (out, c->has_spk ? ",[" : ",null");
  if (c->has_spk)
    {
      append_range (out, &c->spk);
      g_string_append_c (out, ',');
      append_str_or_null (out, c->spk_entity);
      g_string_append_c (out, ',');
      rp_json_append (out, f->speaker, -1);
      g_string_append_c (out, ']');
    }
  g_string_append (out, ",[");
  for (guint h = 0; h < c->hedges->len; h++)
    {
      g_string_append (out, h ? ",[" : "[");
      append_range (out, &g_array_index (c->hedges, Range, h));
      g_string_append_c (out, ']');
    }
  g_string_append (out, "],");
  rp_json_append (out, c->id, -1);
  g_string_append_c (out, ']');
}

static void
append_layers (GString *out, RpDoc *doc, DpRecord *rec)
{
  g_string_append (out, ",\"layers\":[");
  for (guint i = 0; i < dp_record_get_n_layers (rec); i++)
    {
      DpLayer *layer = dp_record_get_layer_nth (rec, i);
      RpDocLayer *l = g_new0 (RpDocLayer, 1);
      l->name = g_strdup (dp_layer_get_name (layer));
      l->spans = dp_layer_get_size (layer);
      g_ptr_array_add (doc->layers, l);
      g_string_append (out, i ? ",[" : "[");
      rp_json_append (out, l->name, -1);
      g_string_append_printf (out, ",%u]", l->spans);
    }
  g_string_append_c (out, ']');
}

static void
read_meta (RpDoc *doc, JsonObject *meta)
{
  const char *title = attr_string (meta, "title");
  const char *date = attr_string (meta, "date");
  if (title)
    doc->title = g_utf8_make_valid (title, MIN (strlen (title), RP_META_MAX));
  if (date && strlen (date) >= 10 && g_ascii_isdigit (date[0]) && g_ascii_isdigit (date[1])
      && g_ascii_isdigit (date[2]) && g_ascii_isdigit (date[3]) && date[4] == '-'
      && g_ascii_isdigit (date[5]) && g_ascii_isdigit (date[6]) && date[7] == '-'
      && g_ascii_isdigit (date[8]) && g_ascii_isdigit (date[9]))
    doc->date = g_strndup (date, 10);
}

RpDoc *
rp_doc_new (DpRecord *rec)
{
  RpDoc *doc = g_new0 (RpDoc, 1);
  doc->entities = g_ptr_array_new_with_free_func (doc_entity_free);
  doc->claims = g_ptr_array_new_with_free_func (doc_claim_free);
  doc->layers = g_ptr_array_new_with_free_func (doc_layer_free);
  doc->id = g_strdup (dp_record_get_id (rec));
  JsonObject *meta = dp_record_get_meta (rec);
  read_meta (doc, meta);

  gsize len;
  const char *text = dp_record_get_text (rec, &len);
  g_autoptr (GArray) ents = g_array_new (FALSE, FALSE, sizeof (Ent));
  g_array_set_clear_func (ents, ent_clear);
  g_autoptr (GArray) claims = g_array_new (FALSE, FALSE, sizeof (Claim));
  g_array_set_clear_func (claims, claim_clear);
  g_autoptr (GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GArray) pos = g_array_new (FALSE, FALSE, sizeof (Pos));
  read_entities (doc, rec, ents, by_id, pos);
  read_claims (doc, rec, claims, ents, by_id, pos);
  to_utf16 (text, len, pos);

  GString *out = doc->json = g_string_sized_new (len + len / 8 + 256);
  g_string_append (out, "{\"id\":");
  rp_json_append (out, doc->id, -1);
  g_string_append (out, ",\"src\":");
  rp_json_append (out, dp_record_get_source (rec) ? dp_record_get_source (rec) : "", -1);
  g_string_append_c (out, ',');
  append_meta (out, meta);
  g_string_append (out, "\"text\":");
  rp_json_append (out, text, (gssize) len);
  append_entities (out, ents);
  g_string_append (out, ",\"c\":[");
  for (guint i = 0; i < claims->len; i++)
    {
      if (i)
        g_string_append_c (out, ',');
      append_claim (out, &g_array_index (claims, Claim, i), doc->claims->pdata[i]);
    }
  g_string_append_c (out, ']');
  append_layers (out, doc, rec);
  g_string_append_c (out, '}');
  return doc;
}

void
rp_doc_free (RpDoc *doc)
{
  if (!doc)
    return;
  if (doc->json)
    g_string_free (doc->json, TRUE);
  g_free (doc->id);
  g_free (doc->title);
  g_free (doc->date);
  g_ptr_array_unref (doc->entities);
  g_ptr_array_unref (doc->claims);
  g_ptr_array_unref (doc->layers);
  g_free (doc);
}
