/* overview.c — counting the run for the report's overview (overview.h).
 *
 * The index block it writes:
 *   {"run":{…,"docs":N,"embedded":M,"omitted":K,"omitted_bytes":B,"claims":C,"mentions":E,
 *           "undated":U,"layers":[[name,docs,spans],…]},
 *    "labels":[[label,mentions,docs],…], "acts":[act,…],
 *    "ents":[[canonical,label index,docs,mentions],…],
 *    "spks":[[name,entity index|-1,claims,[claims per act index…]],…],
 *    "dates":[[YYYY-MM-DD,docs,claims],…]  (in date order),
 *    "edges":[[speaker index,entity index,claims],…]  (heaviest first, at most RP_MAX_EDGES),
 *    "docs":[[n,id,title|null,date|null,[entity…],[speaker…],[label…],[act…],claims,mentions],…]}
 */
#include "overview.h"
#include "escape.h"

#include <string.h>

/* The graph shows at most 50 or so nodes; the heaviest edges are plenty. */
#define RP_MAX_EDGES 2000

/* A name with its index in a table, and the table itself. */
typedef struct {
  GHashTable *index;      /* key → index + 1 */
  GPtrArray *items;
} Table;

typedef struct {
  char *label, *canonical;
  guint label_ix;
  guint64 docs, mentions;
} Entity;

typedef struct {
  char *name;
  int entity;
  guint64 claims;
  GArray *acts;           /* guint64 per act index */
} Speaker;

typedef struct {
  char *name;
  guint64 a, b;           /* labels: mentions, docs; dates: docs, claims; layers: docs, spans */
} Count;

struct _RpOverview {
  Table entities, speakers, labels, acts, dates, layers;
  GHashTable *edges;      /* (speaker << 32 | entity) → claims */
  GString *rows;
  guint64 docs, embedded, omitted, omitted_bytes, claims, mentions, undated;
};

static void
table_init (Table *t, GDestroyNotify free_item)
{
  t->index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  t->items = g_ptr_array_new_with_free_func (free_item);
}

static void
table_clear (Table *t)
{
  g_hash_table_unref (t->index);
  g_ptr_array_unref (t->items);
}

/* The index of @key, or -1 when @make is NULL and it is new; else the new
 * item @make (@data) returns is added. */
static int
table_get (Table *t, const char *key, gpointer (*make) (gconstpointer), gconstpointer data)
{
  gpointer v = g_hash_table_lookup (t->index, key);
  if (v)
    return GPOINTER_TO_INT (v) - 1;
  if (!make)
    return -1;
  g_ptr_array_add (t->items, make (data));
  g_hash_table_insert (t->index, g_strdup (key), GINT_TO_POINTER ((int) t->items->len));
  return (int) t->items->len - 1;
}

static gpointer
count_new (gconstpointer name)
{
  Count *c = g_new0 (Count, 1);
  c->name = g_strdup (name);
  return c;
}

static void
count_free (gpointer p)
{
  g_free (((Count *) p)->name);
  g_free (p);
}

static gpointer
entity_new (gconstpointer p)
{
  const RpDocEntity *d = p;
  Entity *e = g_new0 (Entity, 1);
  e->label = g_strdup (d->label);
  e->canonical = g_strdup (d->canonical);
  return e;
}

static void
entity_free (gpointer p)
{
  Entity *e = p;
  g_free (e->label);
  g_free (e->canonical);
  g_free (e);
}

static gpointer
speaker_new (gconstpointer name)
{
  Speaker *s = g_new0 (Speaker, 1);
  s->name = g_strdup (name);
  s->entity = -1;
  s->acts = g_array_new (FALSE, TRUE, sizeof (guint64));
  return s;
}

static void
speaker_free (gpointer p)
{
  Speaker *s = p;
  g_free (s->name);
  g_array_unref (s->acts);
  g_free (s);
}

RpOverview *
rp_overview_new (void)
{
  RpOverview *ov = g_new0 (RpOverview, 1);
  table_init (&ov->entities, entity_free);
  table_init (&ov->speakers, speaker_free);
  table_init (&ov->labels, count_free);
  table_init (&ov->acts, count_free);
  table_init (&ov->dates, count_free);
  table_init (&ov->layers, count_free);
  ov->edges = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  ov->rows = g_string_new (NULL);
  return ov;
}

void
rp_overview_free (RpOverview *ov)
{
  if (!ov)
    return;
  table_clear (&ov->entities);
  table_clear (&ov->speakers);
  table_clear (&ov->labels);
  table_clear (&ov->acts);
  table_clear (&ov->dates);
  table_clear (&ov->layers);
  g_hash_table_unref (ov->edges);
  g_string_free (ov->rows, TRUE);
  g_free (ov);
}

/* ---- adding a document ---------------------------------------------------------- */

static void
add_edge (RpOverview *ov, guint speaker, guint entity)
{
  gint64 key = (gint64) ((guint64) speaker << 32 | entity);
  guint64 *w = g_hash_table_lookup (ov->edges, &key);
  if (!w)
    {
      w = g_new0 (guint64, 1);
      g_hash_table_insert (ov->edges, g_memdup2 (&key, sizeof key), w);
    }
  (*w)++;
}

static void
int_list (GString *out, GArray *ix)
{
  g_string_append_c (out, '[');
  for (guint i = 0; i < ix->len; i++)
    g_string_append_printf (out, i ? ",%u" : "%u", g_array_index (ix, guint, i));
  g_string_append_c (out, ']');
}

/* A document's distinct labels, speakers or acts, in order of first sight. */
typedef struct {
  GArray *list;           /* guint */
  GHashTable *seen;
} Set;

static void
set_init (Set *s)
{
  s->list = g_array_new (FALSE, FALSE, sizeof (guint));
  s->seen = g_hash_table_new (NULL, NULL);
}

static void
set_clear (Set *s)
{
  g_array_unref (s->list);
  g_hash_table_unref (s->seen);
}

/* TRUE if @v was not in @s yet. */
static gboolean
add_once (Set *s, guint v)
{
  if (!g_hash_table_add (s->seen, GUINT_TO_POINTER (v + 1)))
    return FALSE;
  g_array_append_val (s->list, v);
  return TRUE;
}

/* Global entity indices of the document's entities; counts mentions, documents, labels. */
static GArray *
add_entities (RpOverview *ov, const RpDoc *doc, Set *labels)
{
  GArray *ix = g_array_sized_new (FALSE, FALSE, sizeof (guint), doc->entities->len);
  for (guint i = 0; i < doc->entities->len; i++)
    {
      const RpDocEntity *d = doc->entities->pdata[i];
      g_autofree char *key = g_strconcat (d->label, "\t", d->canonical, NULL);
      guint e = (guint) table_get (&ov->entities, key, entity_new, d);
      Entity *ent = ov->entities.items->pdata[e];
      guint l = (guint) table_get (&ov->labels, d->label, count_new, d->label);
      Count *lc = ov->labels.items->pdata[l];
      ent->label_ix = l;
      ent->docs++;
      ent->mentions += d->mentions;
      lc->a += d->mentions;
      if (add_once (labels, l))
        lc->b++;
      g_array_append_val (ix, e);
    }
  return ix;
}

static void
add_claims (RpOverview *ov, const RpDoc *doc, GArray *ents, Set *spks, Set *acts)
{
  for (guint i = 0; i < doc->claims->len; i++)
    {
      const RpDocClaim *c = doc->claims->pdata[i];
      guint act = (guint) table_get (&ov->acts, c->act, count_new, c->act);
      add_once (acts, act);
      if (!c->speaker)
        continue;
      guint s = (guint) table_get (&ov->speakers, c->speaker, speaker_new, c->speaker);
      Speaker *sp = ov->speakers.items->pdata[s];
      if (sp->entity < 0 && c->speaker_entity >= 0)
        sp->entity = (int) g_array_index (ents, guint, c->speaker_entity);
      sp->claims++;
      if (sp->acts->len <= act)
        g_array_set_size (sp->acts, act + 1);
      g_array_index (sp->acts, guint64, act)++;
      add_once (spks, s);
      for (guint m = 0; m < c->mentioned->len; m++)
        add_edge (ov, s, g_array_index (ents, guint, g_array_index (c->mentioned, guint, m)));
    }
}

static void
add_row (RpOverview *ov, const RpDoc *doc, guint n, GArray *ents, Set *spks,
         Set *labels, Set *acts)
{
  GString *r = ov->rows;
  g_string_append_printf (r, "%s[%u,", r->len ? "," : "", n);
  rp_json_append (r, doc->id, -1);
  g_string_append_c (r, ',');
  if (doc->title)
    rp_json_append (r, doc->title, -1);
  else
    g_string_append (r, "null");
  g_string_append_c (r, ',');
  if (doc->date)
    rp_json_append (r, doc->date, -1);
  else
    g_string_append (r, "null");
  g_string_append_c (r, ',');
  int_list (r, ents);
  g_string_append_c (r, ',');
  int_list (r, spks->list);
  g_string_append_c (r, ',');
  int_list (r, labels->list);
  g_string_append_c (r, ',');
  int_list (r, acts->list);
  g_string_append_printf (r, ",%u,%u]", doc->claims->len, doc->mentions);
}

void
rp_overview_add (RpOverview *ov, const RpDoc *doc, gboolean embedded, guint n)
{
  Set labels, spks, acts;
  set_init (&labels);
  set_init (&spks);
  set_init (&acts);
  g_autoptr (GArray) ents = add_entities (ov, doc, &labels);
  add_claims (ov, doc, ents, &spks, &acts);
  ov->docs++;
  ov->claims += doc->claims->len;
  ov->mentions += doc->mentions;
  if (doc->date)
    {
      int di = table_get (&ov->dates, doc->date, count_new, doc->date);
      Count *d = ov->dates.items->pdata[di];
      d->a++;
      d->b += doc->claims->len;
    }
  else
    ov->undated++;
  for (guint i = 0; i < doc->layers->len; i++)
    {
      const RpDocLayer *l = doc->layers->pdata[i];
      int li = table_get (&ov->layers, l->name, count_new, l->name);
      Count *c = ov->layers.items->pdata[li];
      c->a++;
      c->b += l->spans;
    }
  if (embedded)
    {
      ov->embedded++;
      add_row (ov, doc, n, ents, &spks, &labels, &acts);
    }
  set_clear (&labels);
  set_clear (&spks);
  set_clear (&acts);
}

void
rp_overview_omit (RpOverview *ov, gsize bytes)
{
  ov->omitted++;
  ov->omitted_bytes += bytes;
}

/* ---- writing the index ------------------------------------------------------------ */

static void
write_counts (GString *out, const char *name, Table *t, gboolean with_numbers)
{
  g_string_append_printf (out, ",\"%s\":[", name);
  for (guint i = 0; i < t->items->len; i++)
    {
      Count *c = t->items->pdata[i];
      g_string_append (out, i ? "," : "");
      if (with_numbers)
        g_string_append_c (out, '[');
      rp_json_append (out, c->name, -1);
      if (with_numbers)
        g_string_append_printf (out, ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "]", c->a, c->b);
    }
  g_string_append_c (out, ']');
}

static void
write_entities (GString *out, Table *t)
{
  g_string_append (out, ",\"ents\":[");
  for (guint i = 0; i < t->items->len; i++)
    {
      Entity *e = t->items->pdata[i];
      g_string_append (out, i ? ",[" : "[");
      rp_json_append (out, e->canonical, -1);
      g_string_append_printf (out, ",%u,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "]",
                              e->label_ix, e->docs, e->mentions);
    }
  g_string_append_c (out, ']');
}

static void
write_speakers (GString *out, Table *t, guint n_acts)
{
  g_string_append (out, ",\"spks\":[");
  for (guint i = 0; i < t->items->len; i++)
    {
      Speaker *s = t->items->pdata[i];
      g_string_append (out, i ? ",[" : "[");
      rp_json_append (out, s->name, -1);
      g_string_append_printf (out, ",%d,%" G_GUINT64_FORMAT ",[", s->entity, s->claims);
      for (guint a = 0; a < n_acts; a++)
        g_string_append_printf (out, a ? ",%" G_GUINT64_FORMAT : "%" G_GUINT64_FORMAT,
                                a < s->acts->len ? g_array_index (s->acts, guint64, a) : 0);
      g_string_append (out, "]]");
    }
  g_string_append_c (out, ']');
}

static gint
count_name_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(Count *const *) a)->name, (*(Count *const *) b)->name);
}

typedef struct {
  guint64 key, weight;
} Edge;

static gint
edge_cmp (gconstpointer a, gconstpointer b)
{
  const Edge *x = a, *y = b;
  if (x->weight != y->weight)
    return x->weight > y->weight ? -1 : 1;
  return x->key < y->key ? -1 : x->key > y->key;
}

static void
write_edges (GString *out, GHashTable *edges)
{
  g_autoptr (GArray) all = g_array_sized_new (FALSE, FALSE, sizeof (Edge), g_hash_table_size (edges));
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, edges);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      Edge e = { (guint64) *(gint64 *) k, *(guint64 *) v };
      g_array_append_val (all, e);
    }
  g_array_sort (all, edge_cmp);
  g_string_append (out, ",\"edges\":[");
  for (guint i = 0; i < MIN (all->len, RP_MAX_EDGES); i++)
    {
      Edge *e = &g_array_index (all, Edge, i);
      g_string_append_printf (out, "%s[%u,%u,%" G_GUINT64_FORMAT "]", i ? "," : "",
                              (guint) (e->key >> 32), (guint) (e->key & 0xffffffffu), e->weight);
    }
  g_string_append_c (out, ']');
}

void
rp_overview_write (RpOverview *ov, GString *out, const char *run_json)
{
  /* @run_json is "{…}": the totals go in before its closing brace. */
  gsize run_len = strlen (run_json);
  g_string_append (out, "{\"run\":");
  g_string_append_len (out, run_json, (gssize) (run_len - 1));
  g_string_append_printf (out, "%s\"docs\":%" G_GUINT64_FORMAT ",\"embedded\":%" G_GUINT64_FORMAT
                          ",\"omitted\":%" G_GUINT64_FORMAT ",\"omitted_bytes\":%" G_GUINT64_FORMAT
                          ",\"claims\":%" G_GUINT64_FORMAT ",\"mentions\":%" G_GUINT64_FORMAT
                          ",\"undated\":%" G_GUINT64_FORMAT,
                          run_len > 2 ? "," : "", ov->docs, ov->embedded, ov->omitted,
                          ov->omitted_bytes, ov->claims, ov->mentions, ov->undated);
  g_string_append (out, ",\"layers\":[");
  for (guint i = 0; i < ov->layers.items->len; i++)
    {
      Count *c = ov->layers.items->pdata[i];
      g_string_append (out, i ? ",[" : "[");
      rp_json_append (out, c->name, -1);
      g_string_append_printf (out, ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "]", c->a, c->b);
    }
  g_string_append (out, "]}");
  write_counts (out, "labels", &ov->labels, TRUE);
  write_counts (out, "acts", &ov->acts, FALSE);
  write_entities (out, &ov->entities);
  write_speakers (out, &ov->speakers, ov->acts.items->len);
  /* Sorting the table's items would break the indices the rows hold; dates
   * are not referred to by index, so a sorted copy of the pointers does. */
  g_autoptr (GPtrArray) dates = g_ptr_array_copy (ov->dates.items, NULL, NULL);
  g_ptr_array_set_free_func (dates, NULL);
  g_ptr_array_sort (dates, count_name_cmp);
  Table sorted = { NULL, dates };
  write_counts (out, "dates", &sorted, TRUE);
  write_edges (out, ov->edges);
  g_string_append (out, ",\"docs\":[");
  g_string_append_len (out, ov->rows->str, (gssize) ov->rows->len);
  g_string_append (out, "]}");
}
