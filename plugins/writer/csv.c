/* csv.c — the writer's CSV format (csv.h).
 *
 * Three files, each replaced in one step at the end of the run through
 * DpOutput.  Entities and claims rows depend on nothing but their record, so
 * they are encoded in the workers (prepare); a documents row depends on the
 * columns, which the first batch fixes, so those are encoded in input order.
 */
#include "csv.h"
#include "flat.h"

#include <string.h>

#define EOL "\r\n"

struct _WrCsv {
  DpOutput *docs, *entities, *claims;
  GPtrArray *columns;        /* the documents' meta columns; NULL until fixed */
  GHashTable *column_set;    /* the same, for lookups */
  gboolean escape;
};

typedef struct {
  GString *entities, *claims;
} Encoded;

static const char *const reserved_columns[] = { "id", "source", "meta", NULL };

void
wr_csv_append_cell (GString *out, const char *s, gssize len, gboolean escape_formulas)
{
  if (!s)
    return;
  gsize n = len < 0 ? strlen (s) : (gsize) len;
  gboolean formula = escape_formulas && n > 0 && strchr ("=+-@\t\r", s[0]);
  gboolean quote = formula;
  for (gsize i = 0; i < n && !quote; i++)
    quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
  if (!quote)
    {
      g_string_append_len (out, s, (gssize) n);
      return;
    }
  g_string_append_c (out, '"');
  if (formula)
    g_string_append_c (out, '\'');
  const char *p = s, *end = s + n;
  const char *q;
  while ((q = memchr (p, '"', (gsize) (end - p))))
    {
      g_string_append_len (out, p, q - p + 1);
      g_string_append_c (out, '"');
      p = q + 1;
    }
  g_string_append_len (out, p, end - p);
  g_string_append_c (out, '"');
}

char *
wr_csv_table_path (const char *path, const char *table)
{
  gsize n = strlen (path);
  if (n > 4 && g_ascii_strcasecmp (path + n - 4, ".csv") == 0)
    n -= 4;
  return g_strdup_printf ("%.*s-%s.csv", (int) n, path, table);
}

static void
cell (WrCsv *w, GString *out, const char *s, gssize len)
{
  wr_csv_append_cell (out, s, len, w->escape);
  g_string_append_c (out, ',');
}

static void
slice_cell (WrCsv *w, GString *out, WrSlice s)
{
  cell (w, out, s.ptr, s.ptr ? (gssize) s.len : 0);
}

static void
int_cell (GString *out, gint64 v)
{
  g_string_append_printf (out, "%" G_GINT64_FORMAT ",", v);
}

/* Replaces the row's last comma with the line end. */
static void
end_row (GString *out)
{
  g_string_truncate (out, out->len - 1);
  g_string_append (out, EOL);
}

/* The cells an entities or claims row starts with. */
static void
span_cells (WrCsv *w, GString *out, DpRecord *rec, const char *id, gint64 start, gint64 end)
{
  cell (w, out, dp_record_get_id (rec), -1);
  cell (w, out, id, -1);
  int_cell (out, start);
  int_cell (out, end);
}

static void
encode_entities (WrCsv *w, DpRecord *rec, GString *out)
{
  DpLayer *layer = dp_record_get_layer (rec, "entities");
  for (guint i = 0; layer && i < dp_layer_get_size (layer); i++)
    {
      WrEntity e;
      wr_entity_init (&e, rec, dp_layer_get_span (layer, i));
      span_cells (w, out, rec, e.id, e.start, e.end);
      cell (w, out, e.label, -1);
      slice_cell (w, out, e.text);
      cell (w, out, e.canonical, -1);
      if (e.has_cluster)
        int_cell (out, e.cluster);
      else
        g_string_append_c (out, ',');
      end_row (out);
      wr_entity_clear (&e);
    }
}

static void
encode_claims (WrCsv *w, DpRecord *rec, GString *out)
{
  DpLayer *layer = dp_record_get_layer (rec, "claims");
  g_autoptr (GString) hedges = g_string_new (NULL);
  for (guint i = 0; layer && i < dp_layer_get_size (layer); i++)
    {
      WrClaim c;
      wr_claim_init (&c, rec, dp_layer_get_span (layer, i));
      span_cells (w, out, rec, c.id, c.start, c.end);
      slice_cell (w, out, c.content);
      slice_cell (w, out, c.cue);
      slice_cell (w, out, c.speaker);
      cell (w, out, c.speaker_entity, -1);
      cell (w, out, c.speaker_canonical, -1);
      cell (w, out, c.kind, -1);
      cell (w, out, c.act, -1);
      g_string_truncate (hedges, 0);
      wr_hedges_join (rec, c.hedges, hedges);
      cell (w, out, hedges->str, (gssize) hedges->len);
      end_row (out);
      wr_claim_clear (&c);
    }
}

static void
encoded_free (gpointer p)
{
  Encoded *e = p;
  g_string_free (e->entities, TRUE);
  g_string_free (e->claims, TRUE);
  g_free (e);
}

gboolean
wr_csv_prepare (WrCsv *w, DpBatch *batch, GError **error)
{
  Encoded *e = g_new (Encoded, 1);
  e->entities = g_string_sized_new (4096);
  e->claims = g_string_sized_new (4096);
  for (guint i = 0; i < dp_batch_get_size (batch); i++)
    {
      DpRecord *rec = dp_batch_get (batch, i);
      dp_record_drop_token_cache (rec);
      encode_entities (w, rec, e->entities);
      encode_claims (w, rec, e->claims);
    }
  dp_batch_set_data (batch, w, e, encoded_free);
  return TRUE;
}

static void
add_column (WrCsv *w, const char *name)
{
  if (g_strv_contains (reserved_columns, name) || g_hash_table_contains (w->column_set, name))
    return;
  char *copy = g_strdup (name);
  g_ptr_array_add (w->columns, copy);
  g_hash_table_add (w->column_set, copy);
}

static gboolean
write_header (WrCsv *w, GError **error)
{
  g_autoptr (GString) header = g_string_new ("id,source,");
  for (guint c = 0; c < w->columns->len; c++)
    cell (w, header, g_ptr_array_index (w->columns, c), -1);
  g_string_append (header, "meta" EOL);
  return dp_output_write (w->docs, header->str, header->len, error);
}

/* The columns are fixed once, so every row of the file has the same ones:
 * the members the first batch's records have, in the order met. */
static gboolean
fix_columns (WrCsv *w, DpBatch *batch, GError **error)
{
  w->columns = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; batch && i < dp_batch_get_size (batch); i++)
    {
      g_autoptr (GList) names = json_object_get_members (dp_record_get_meta (dp_batch_get (batch, i)));
      for (GList *l = names; l; l = l->next)
        add_column (w, l->data);
    }
  return write_header (w, error);
}

static void
encode_document (WrCsv *w, DpRecord *rec, GString *out)
{
  JsonObject *meta = dp_record_get_meta (rec);
  cell (w, out, dp_record_get_id (rec), -1);
  cell (w, out, dp_record_get_source (rec), -1);
  g_autoptr (GString) value = g_string_new (NULL);
  for (guint c = 0; c < w->columns->len; c++)
    {
      JsonNode *n = json_object_get_member (meta, g_ptr_array_index (w->columns, c));
      g_string_truncate (value, 0);
      if (n)
        wr_meta_value (n, value);
      /* A number stays a number: only text is escaped as a formula. */
      if (n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) != G_TYPE_STRING)
        wr_csv_append_cell (out, value->str, (gssize) value->len, FALSE), g_string_append_c (out, ',');
      else
        cell (w, out, value->str, (gssize) value->len);
    }
  /* The members without a column of their own, as one JSON object. */
  g_autoptr (JsonObject) rest = NULL;
  g_autoptr (GList) names = json_object_get_members (meta);
  for (GList *l = names; l; l = l->next)
    if (!g_hash_table_contains (w->column_set, l->data))
      {
        if (!rest)
          rest = json_object_new ();
        json_object_set_member (rest, l->data, json_node_copy (json_object_get_member (meta, l->data)));
      }
  if (rest)
    {
      g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), rest);
      g_autofree char *json = json_to_string (node, FALSE);
      cell (w, out, json, -1);
    }
  else
    g_string_append_c (out, ',');
  end_row (out);
}

gboolean
wr_csv_write (WrCsv *w, DpBatch *batch, GError **error)
{
  if (!w->columns && !fix_columns (w, batch, error))
    return FALSE;
  Encoded *e = dp_batch_get_data (batch, w);
  if (!e)
    {
      wr_csv_prepare (w, batch, error);
      e = dp_batch_get_data (batch, w);
    }
  g_autoptr (GString) docs = g_string_sized_new (1024);
  for (guint i = 0; i < dp_batch_get_size (batch); i++)
    encode_document (w, dp_batch_get (batch, i), docs);
  return dp_output_write (w->docs, docs->str, docs->len, error)
         && dp_output_write (w->entities, e->entities->str, e->entities->len, error)
         && dp_output_write (w->claims, e->claims->str, e->claims->len, error);
}

static DpOutput *
open_table (const char *path, const char *table, const char *header, GError **error)
{
  g_autofree char *name = wr_csv_table_path (path, table);
  DpOutput *out = dp_output_open (name, DP_OUTPUT_REPLACE, error);
  if (out && header && !dp_output_write (out, header, strlen (header), error))
    g_clear_pointer (&out, dp_output_free);
  return out;
}

WrCsv *
wr_csv_open (const char *path, const char *const *meta_columns, gboolean escape_formulas, GError **error)
{
  if (strcmp (path, "-") == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "format = csv writes three files (PATH-documents.csv, PATH-entities.csv, PATH-claims.csv): give a path, not -");
      return NULL;
    }
  g_autoptr (WrCsv) w = g_new0 (WrCsv, 1);
  w->escape = escape_formulas;
  w->column_set = g_hash_table_new (g_str_hash, g_str_equal);
  if (!(w->docs = open_table (path, "documents", NULL, error))
      || !(w->entities = open_table (path, "entities",
                                     "document_id,span_id,start,end,label,text,canonical,cluster" EOL, error))
      || !(w->claims = open_table (path, "claims",
                                   "document_id,claim_id,start,end,content,cue,speaker_text,speaker_entity,"
                                   "speaker_canonical,kind,act,hedges" EOL, error)))
    return NULL;
  if (meta_columns)
    {
      w->columns = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; meta_columns[i]; i++)
        add_column (w, meta_columns[i]);
      if (!write_header (w, error))
        return NULL;
    }
  return g_steal_pointer (&w);
}

/* Each file is replaced in one step; the three one after another.  All
 * three are synced first, so the renames follow each other at once: a run
 * killed between them (which would leave new documents beside old entities)
 * has microseconds to hit, not the time the disk takes to sync two files. */
gboolean
wr_csv_commit (WrCsv *w, GError **error)
{
  if (!w->columns && !fix_columns (w, NULL, error))
    return FALSE;
  return dp_output_sync (w->docs, error) && dp_output_sync (w->entities, error)
         && dp_output_sync (w->claims, error) && dp_output_commit (w->docs, error)
         && dp_output_commit (w->entities, error) && dp_output_commit (w->claims, error);
}

void
wr_csv_free (WrCsv *w)
{
  if (!w)
    return;
  dp_output_free (w->docs);
  dp_output_free (w->entities);
  dp_output_free (w->claims);
  if (w->columns)
    g_ptr_array_unref (w->columns);
  g_hash_table_unref (w->column_set);
  g_free (w);
}
