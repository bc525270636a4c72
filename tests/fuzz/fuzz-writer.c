/* fuzz-writer.c — libFuzzer target: the writer stage (plugins/writer) given
 * hostile records, in each of its formats: CSV, SQLite and JSON lines.
 *
 * The input is read as a little program that builds up to six records
 * through the SDK: ids and sources with commas, quotes, line breaks and
 * formula characters (and duplicates), meta members of every JSON type under
 * awkward names (date, id, meta …), and layers (entities, claims, others)
 * whose spans carry attributes of the wrong types and nested spans (cue,
 * speaker, hedges) with offsets out of range, reversed, negative or inside a
 * character.  The first byte picks the format and csv-formulas; the stage is
 * loaded from writer.so and run as a pipeline runs it (prepare, process, in
 * two batches, finish), into a temporary directory.  Checked: no crash or
 * sanitizer report; no batch fails, a record only with a message (SQLite
 * refuses a claim whose speaker names no entity of the record); CSV: each
 * of the three files is valid UTF-8 and parses back (RFC 4180) with every
 * row as wide as its header, one documents row per record written, one
 * entities and claims row per span, and with escaping on no text cell
 * starts with = + - @ unless it is a number; SQLite: PRAGMA
 * integrity_check says ok and the documents table has one row per distinct
 * id; JSON lines: one line per record, each loads again as a record.
 */
#include "batch-private.h"
#include "loader.h"
#include "params-private.h"

#include <docpipe/docpipe.h>
#include <sqlite3.h>
#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"

#define check fuzz_check

enum { FMT_CSV, FMT_SQLITE, FMT_JSONL };

static DpPlugin *plugin;
static DpStageRef writer;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  (void) argc, (void) argv;
  g_autoptr (GError) error = NULL;
  plugin = dp_plugin_open (DP_FUZZ_WRITER_PLUGIN, &error);
  check (plugin != NULL, error ? error->message : "no plugin");
  writer = (DpStageRef) { plugin, plugin->descriptor->stages[0] };
  check (writer.info && g_str_equal (writer.info->name, "writer"), "no writer stage");
  return 0;
}

/* ---- building records from bytes ------------------------------------------- */

typedef struct {
  const guint8 *p, *end;
} Bytes;

static guint
take (Bytes *b)
{
  return b->p < b->end ? *b->p++ : 0;
}

static const char *const words[] = {
  "", "a", "=1+1", "-2", "+x", "@SUM(A1)", "a,b", "\"q\"", "line\nbreak", "cr\rlf",
  "date", "id", "meta", "source", "2024-03-01", "26-FEB-1987", "March 3, 2021", "\t tab", "é", "\xE2\x80\x8B",
};

/* A string: one of the awkward words, or up to 15 bytes of input made valid. */
static char *
take_string (Bytes *b)
{
  guint n = take (b);
  if (n < 2 * G_N_ELEMENTS (words))
    return g_strdup (words[n % G_N_ELEMENTS (words)]);
  n &= 15;
  n = MIN (n, (guint) (b->end - b->p));
  char *s = fuzz_make_valid (b->p, n);
  b->p += n;
  return s;
}

static gint64
take_int (Bytes *b, gsize len)
{
  switch (take (b) & 7)
    {
    case 0: return -1;
    case 1: return (gint64) len + 1;
    case 2: return G_MAXINT64;
    case 3: return G_MININT64;
    case 4: return (gint64) len;
    default: return take (b) % (len + 2);
    }
}

static JsonNode *take_node (Bytes *b, gsize len, guint depth);

/* A node owning @o (json_node_init_object() would take a second reference). */
static JsonNode *
object_node (JsonObject *o)
{
  JsonNode *n = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (n, o);
  return n;
}

/* A nested span, maybe well-formed, maybe not. */
static JsonNode *
take_span_object (Bytes *b, gsize len)
{
  JsonObject *o = json_object_new ();
  guint shape = take (b);
  if (shape & 1)
    json_object_set_int_member (o, "start", take_int (b, len));
  else if (shape & 2)
    json_object_set_string_member (o, "start", "0");
  if (shape & 4)
    json_object_set_int_member (o, "end", take_int (b, len));
  else if (shape & 8)
    json_object_set_double_member (o, "end", 1.5);
  if (shape & 16)
    json_object_set_member (o, "entity", take_node (b, len, 2));
  if (shape & 32)
    json_object_set_member (o, "canonical", take_node (b, len, 2));
  return object_node (o);
}

static JsonNode *
take_node (Bytes *b, gsize len, guint depth)
{
  guint kind = take (b) % 8;
  if (depth > 3 && kind >= 5)
    kind = 0;
  switch (kind)
    {
    case 0: return json_node_init_null (json_node_alloc ());
    case 1: return json_node_init_int (json_node_alloc (), take_int (b, len));
    case 2: return json_node_init_double (json_node_alloc (), take (b) / 3.0);
    case 3: return json_node_init_boolean (json_node_alloc (), take (b) & 1);
    case 4:
      {
        g_autofree char *s = take_string (b);
        return json_node_init_string (json_node_alloc (), s);
      }
    case 5: return take_span_object (b, len);
    case 6:
      {
        JsonArray *a = json_array_new ();
        for (guint i = take (b) % 4; i > 0; i--)
          json_array_add_element (a, take_node (b, len, depth + 1));
        JsonNode *n = json_node_new (JSON_NODE_ARRAY);
        json_node_take_array (n, a);
        return n;
      }
    default:
      {
        JsonObject *o = json_object_new ();
        for (guint i = take (b) % 4; i > 0; i--)
          {
            g_autofree char *key = take_string (b);
            json_object_set_member (o, key, take_node (b, len, depth + 1));
          }
        return object_node (o);
      }
    }
}

static const char *const layer_names[] = { "entities", "claims", "tokens", "" };
static const char *const attr_names[] = {
  "id", "canonical", "cluster", "cue", "speaker", "hedges", "kind", "act", "start", "end",
};

static void
add_spans (Bytes *b, DpRecord *rec, gsize len)
{
  for (guint l = take (b) % 3; l > 0; l--)
    {
      DpLayer *layer = dp_record_ensure_layer (rec, layer_names[take (b) % G_N_ELEMENTS (layer_names)]);
      for (guint s = take (b) % 5; s > 0; s--)
        {
          gint64 start = take_int (b, len), end = take_int (b, len);
          g_autofree char *label = take (b) & 1 ? take_string (b) : NULL;
          DpSpan *span = start >= 0 && end >= 0
                         ? dp_layer_add_span (layer, (gsize) start, (gsize) end, label, NULL) : NULL;
          if (!span)
            continue;   /* the SDK refuses spans outside the text: nested ones are not checked */
          for (guint a = take (b) % 6; a > 0; a--)
            {
              const char *name = attr_names[take (b) % G_N_ELEMENTS (attr_names)];
              guint how = take (b) % 3;
              if (how == 0)
                dp_span_set_attr_int (span, name, take_int (b, len));
              else if (how == 1)
                {
                  g_autofree char *v = take_string (b);
                  dp_span_set_attr_string (span, name, v);
                }
              else
                json_object_set_member (dp_span_get_attrs (span), name, take_node (b, len, 0));
            }
        }
    }
}

static DpRecord *
take_record (Bytes *b)
{
  g_autofree char *id = take_string (b);
  g_autofree char *source = take_string (b);
  guint want = take (b) * 2;   /* (MIN evaluates its arguments twice) */
  guint n = MIN (want, (guint) (b->end - b->p));
  g_autofree char *text = fuzz_make_valid (b->p, n);
  b->p += n;
  DpRecord *rec = dp_record_new (id, source, text, -1, NULL);
  check (rec != NULL, "a valid record refused");
  gsize len = strlen (text);
  for (guint m = take (b) % 5; m > 0; m--)
    {
      g_autofree char *key = take_string (b);
      json_object_set_member (dp_record_get_meta (rec), key, take_node (b, len, 0));
    }
  add_spans (b, rec, len);
  return rec;
}

/* ---- checking what was written ----------------------------------------------- */

/* RFC 4180 with CRLF or LF line ends; returns the rows (GPtrArray of GPtrArray of char*). */
static GPtrArray *
parse_csv (const char *s, gsize len)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *row = NULL;
  gsize i = 0;
  while (i < len)
    {
      if (!row)
        row = g_ptr_array_new_with_free_func (g_free);
      GString *cell = g_string_new (NULL);
      if (s[i] == '"')
        {
          for (i++;; i++)
            {
              check (i < len, "CSV: a quoted cell never ends");
              if (s[i] == '"' && i + 1 < len && s[i + 1] == '"')
                g_string_append_c (cell, '"'), i++;
              else if (s[i] == '"')
                break;
              else
                g_string_append_c (cell, s[i]);
            }
          i++;
          check (i >= len || s[i] == ',' || s[i] == '\r' || s[i] == '\n', "CSV: text after a closing quote");
        }
      else
        for (; i < len && s[i] != ',' && s[i] != '\r' && s[i] != '\n'; i++)
          {
            check (s[i] != '"', "CSV: a quote inside an unquoted cell");
            g_string_append_c (cell, s[i]);
          }
      g_ptr_array_add (row, g_string_free (cell, FALSE));
      if (i < len && s[i] == ',')
        {
          i++;
          continue;
        }
      if (i < len && s[i] == '\r')
        {
          i++;
          check (i < len && s[i] == '\n', "CSV: a lone CR ends a row");
        }
      i++;
      g_ptr_array_add (rows, row);
      row = NULL;
    }
  check (row == NULL, "CSV: the last row has no line end");
  return rows;
}

static gboolean
is_number (const char *s)
{
  char *end;
  g_ascii_strtod (s, &end);
  return *s && !*end;
}

/* Parses one table; returns its rows after the header. */
static guint
check_table (const char *path, const char *table, gboolean escape)
{
  g_autofree char *name = g_strdup_printf ("%s-%s.csv", path, table);
  g_autofree char *text = NULL;
  gsize len;
  check (g_file_get_contents (name, &text, &len, NULL), "CSV: a table was not written");
  check (g_utf8_validate_len (text, len, NULL), "CSV: not valid UTF-8");
  g_autoptr (GPtrArray) rows = parse_csv (text, len);
  check (rows->len >= 1, "CSV: no header");
  guint width = ((GPtrArray *) g_ptr_array_index (rows, 0))->len;
  for (guint r = 1; r < rows->len; r++)
    {
      GPtrArray *row = g_ptr_array_index (rows, r);
      check (row->len == width, "CSV: a row is not as wide as the header");
      for (guint c = 0; escape && c < row->len; c++)
        {
          const char *cell = g_ptr_array_index (row, c);
          check (!strchr ("=+-@", cell[0]) || !cell[0] || is_number (cell), "CSV: a formula not escaped");
        }
    }
  return rows->len - 1;
}

static guint
count_layer (GPtrArray *recs, const char *name)
{
  guint n = 0;
  for (guint i = 0; i < recs->len; i++)
    {
      DpLayer *l = dp_record_get_layer (g_ptr_array_index (recs, i), name);
      n += l ? dp_layer_get_size (l) : 0;
    }
  return n;
}

static void
check_sqlite (const char *path, GPtrArray *recs)
{
  sqlite3 *db = NULL;
  check (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK, "SQLite: cannot open");
  sqlite3_stmt *st = NULL;
  check (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK
         && sqlite3_step (st) == SQLITE_ROW, "SQLite: integrity_check did not run");
  check (strcmp ((const char *) sqlite3_column_text (st, 0), "ok") == 0, "SQLite: integrity_check failed");
  sqlite3_finalize (st);
  check (sqlite3_prepare_v2 (db, "SELECT count(*) FROM documents", -1, &st, NULL) == SQLITE_OK
         && sqlite3_step (st) == SQLITE_ROW, "SQLite: no documents table");
  g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < recs->len; i++)
    g_hash_table_add (ids, (gpointer) dp_record_get_id (g_ptr_array_index (recs, i)));
  check (sqlite3_column_int64 (st, 0) == g_hash_table_size (ids), "SQLite: not one document per distinct id");
  sqlite3_finalize (st);
  sqlite3_close (db);
}

static void
check_jsonl (const char *path, guint n_records)
{
  g_autofree char *text = NULL;
  check (g_file_get_contents (path, &text, NULL, NULL), "JSONL: not written");
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);
  check (n == n_records + 1 && !*lines[n - 1], "JSONL: not one line per record");
  for (guint i = 0; i + 1 < n; i++)
    {
      g_autoptr (DpRecord) rec = dp_record_new (NULL, "x", "", 0, NULL);
      g_autoptr (GError) error = NULL;
      if (!dp_record_load_json (rec, lines[i], strlen (lines[i]), &error))
        g_printerr ("%s\n%s\n", error->message, lines[i]);
      check (error == NULL, "JSONL: a line does not load again");
    }
}

/* ---- running the stage ----------------------------------------------------------- */

static void
run_batch (gpointer self, GPtrArray *recs, guint from, guint to, GHashTable *failed)
{
  DpBatch *batch = dp_batch_new (0);
  for (guint i = from; i < to; i++)
    dp_batch_add (batch, g_ptr_array_index (recs, i));
  g_autoptr (GError) error = NULL;
  check (!writer.info->prepare || writer.info->prepare (self, batch, &error), error ? error->message : "prepare");
  check (writer.info->process (self, batch, &error), error ? error->message : "process failed");
  /* A record the table cannot hold (a claim's speaker naming no entity of
   * the record, for SQLite's foreign key) is dead-lettered with a message. */
  for (guint i = 0; i < dp_batch_get_size (batch); i++)
    if (dp_batch_is_failed (batch, i))
      {
        const char *message = g_ptr_array_index (batch->failures, i);
        check (message && *message, "a record failed without a message");
        g_hash_table_add (failed, dp_batch_get (batch, i));
      }
  while (batch->records->len)
    g_ptr_array_steal_index (batch->records, batch->records->len - 1);   /* the records stay ours */
  dp_batch_free (batch);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  guint format = data[0] % 3;
  gboolean escape = !(data[0] & 4);
  Bytes b = { data + 1, data + size };
  g_autoptr (GPtrArray) recs = g_ptr_array_new_with_free_func ((GDestroyNotify) dp_record_free);
  for (guint n = 1 + take (&b) % 6; n > 0; n--)
    g_ptr_array_add (recs, take_record (&b));

  static const char *const names[] = { "out", "out.sqlite", "out.jsonl" };
  static const char *const formats[] = { "csv", "sqlite", "jsonl" };
  g_autofree char *path = g_build_filename (fuzz_tmp (), names[format], NULL);
  g_unlink (path);   /* a fresh database each time */
  g_autoptr (GError) error = NULL;
  g_autoptr (DpParams) params = dp_stage_ref_new_params (&writer, "writer", fuzz_tmp ());
  check (dp_params_set (params, "path", path, &error) && dp_params_set (params, "format", formats[format], &error)
         && dp_params_set (params, "csv-formulas", escape ? "escape" : "keep", &error)
         && dp_params_check_required (params, &error), "parameters refused");
  gpointer self = writer.info->create (params, &error);
  check (self != NULL, error ? error->message : "create failed");
  guint half = recs->len / 2;
  g_autoptr (GHashTable) failed = g_hash_table_new (NULL, NULL);
  run_batch (self, recs, 0, half, failed);
  run_batch (self, recs, half, recs->len, failed);
  /* From here on, the records written. */
  for (guint i = recs->len; i-- > 0;)
    if (g_hash_table_contains (failed, g_ptr_array_index (recs, i)))
      g_ptr_array_remove_index (recs, i);
  check (writer.info->finish (self, &error), error ? error->message : "finish failed");
  writer.info->destroy (self);

  if (format == FMT_CSV)
    {
      check (check_table (path, "documents", escape) == recs->len, "CSV: not one documents row per record");
      check (check_table (path, "entities", escape) == count_layer (recs, "entities"),
             "CSV: not one entities row per entity");
      check (check_table (path, "claims", escape) == count_layer (recs, "claims"), "CSV: not one claims row per claim");
    }
  else if (format == FMT_SQLITE)
    check_sqlite (path, recs);
  else
    check_jsonl (path, recs->len);
  return 0;
}
