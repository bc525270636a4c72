/* bench-json.c — writing annotated records as JSON: the core's hand-written
 * writer (dp_record_to_json) against json-glib's generator.
 *
 * Usage: bench-json ANNOTATED.jsonl
 *
 * The file holds records that already carry layers (bench/run.sh makes one
 * with the news pipeline).  Every record is loaded up front; then, on one
 * thread, each way of writing all of them is timed five times and the median
 * reported:
 *   - core: dp_record_to_json, what the writer stage does;
 *   - json-glib: the same record turned into a JsonNode tree (offsets
 *     converted to code points, nested spans too) and written by JsonGenerator,
 *     which is what using json-glib for output would cost;
 *   - json-glib generator only: JsonGenerator over trees built beforehand,
 *     the least json-glib could cost if records were kept as trees.
 * Then one synthetic record, 80 KB of non-ASCII text with 16,000 spans, the
 * shape that made output quadratic (issue 15): the median of five writes.
 */
#include "corpus.h"

#include <docpipe/record.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPETITIONS 5

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static GPtrArray *
load_records (const char *path, gsize *n_spans)
{
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr (GError) error = NULL;
  if (!g_file_get_contents (path, &data, &len, &error))
    {
      g_printerr ("bench-json: %s\n", error->message);
      exit (1);
    }
  GPtrArray *recs = g_ptr_array_new_with_free_func ((GDestroyNotify) dp_record_free);
  *n_spans = 0;
  for (char *line = data, *next; line < data + len; line = next)
    {
      char *eol = memchr (line, '\n', (gsize) (data + len - line));
      next = eol ? eol + 1 : data + len;
      DpRecord *rec = dp_record_new (NULL, NULL, NULL, 0, NULL);
      if (!dp_record_load_json (rec, line, (gsize) ((eol ? eol : next) - line), &error))
        {
          g_printerr ("bench-json: %s: %s\n", path, error->message);
          exit (1);
        }
      for (guint l = 0; l < dp_record_get_n_layers (rec); l++)
        *n_spans += dp_layer_get_size (dp_record_get_layer_nth (rec, l));
      g_ptr_array_add (recs, rec);
    }
  return recs;
}

/* ---- records as json-glib trees --------------------------------------------- */

static JsonNode *attrs_node (DpRecord *rec, JsonNode *node);

/* A nested span's offsets converted, like the core's writer does. */
static JsonNode *
object_node (DpRecord *rec, JsonObject *src)
{
  JsonObject *dst = json_object_new ();
  JsonNode *s = json_object_get_member (src, "start"), *e = json_object_get_member (src, "end");
  gboolean span = s && e && JSON_NODE_HOLDS_VALUE (s) && JSON_NODE_HOLDS_VALUE (e);
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;
  json_object_iter_init_ordered (&iter, src);
  while (json_object_iter_next_ordered (&iter, &name, &node))
    if (span && (strcmp (name, "start") == 0 || strcmp (name, "end") == 0))
      json_object_set_int_member (dst, name, (gint64) dp_record_byte_to_char (rec, (gsize) json_node_get_int (node)));
    else
      json_object_set_member (dst, name, attrs_node (rec, node));
  return json_node_init_object (json_node_alloc (), dst);
}

static JsonNode *
attrs_node (DpRecord *rec, JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return object_node (rec, json_node_get_object (node));
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *src = json_node_get_array (node), *dst = json_array_new ();
      for (guint i = 0; i < json_array_get_length (src); i++)
        json_array_add_element (dst, attrs_node (rec, json_array_get_element (src, i)));
      return json_node_init_array (json_node_alloc (), dst);
    }
  return json_node_ref (node);
}

static JsonNode *
span_node (DpRecord *rec, DpSpan *span)
{
  static const char *const skip[] = { "id", "start", "end", "label", "text", NULL };
  JsonObject *obj = json_object_new ();
  g_autofree char *id = dp_span_dup_id (span);
  json_object_set_string_member (obj, "id", id);
  gsize start = dp_record_byte_to_char (rec, dp_span_get_start (span));
  gsize end = dp_record_byte_to_char (rec, dp_span_get_end (span));
  json_object_set_int_member (obj, "start", (gint64) start);
  json_object_set_int_member (obj, "end", (gint64) end);
  if (dp_span_get_label (span))
    json_object_set_string_member (obj, "label", dp_span_get_label (span));
  JsonObject *attrs = dp_span_peek_attrs (span);
  if (attrs)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *node;
      json_object_iter_init_ordered (&iter, attrs);
      while (json_object_iter_next_ordered (&iter, &name, &node))
        if (!g_strv_contains (skip, name))
          json_object_set_member (obj, name, attrs_node (rec, node));
    }
  return json_node_init_object (json_node_alloc (), obj);
}

static JsonNode *
record_node (DpRecord *rec)
{
  JsonObject *obj = json_object_new ();
  json_object_set_string_member (obj, "id", dp_record_get_id (rec));
  json_object_set_string_member (obj, "source", dp_record_get_source (rec));
  json_object_set_string_member (obj, "text", dp_record_get_text (rec, NULL));
  json_object_set_object_member (obj, "meta", json_object_ref (dp_record_get_meta (rec)));
  if (dp_record_get_n_layers (rec))
    {
      JsonObject *layers = json_object_new ();
      for (guint l = 0; l < dp_record_get_n_layers (rec); l++)
        {
          DpLayer *layer = dp_record_get_layer_nth (rec, l);
          JsonArray *spans = json_array_sized_new (dp_layer_get_size (layer));
          for (guint i = 0; i < dp_layer_get_size (layer); i++)
            json_array_add_element (spans, span_node (rec, dp_layer_get_span (layer, i)));
          json_object_set_array_member (layers, dp_layer_get_name (layer), spans);
        }
      json_object_set_object_member (obj, "layers", layers);
    }
  return json_node_init_object (json_node_alloc (), obj);
}

/* ---- the ways of writing ----------------------------------------------------- */

typedef enum { WRITE_CORE, WRITE_JSON_GLIB, WRITE_GENERATOR_ONLY } Way;

/* Writes every record once; returns the bytes written. */
static gsize
write_all (GPtrArray *recs, GPtrArray *trees, Way way, JsonGenerator *gen, GString *out)
{
  gsize bytes = 0;
  for (guint i = 0; i < recs->len; i++)
    {
      g_string_truncate (out, 0);
      if (way == WRITE_CORE)
        dp_record_to_json (g_ptr_array_index (recs, i), out, DP_JSON_DEFAULT);
      else
        {
          JsonNode *tree = way == WRITE_JSON_GLIB ? record_node (g_ptr_array_index (recs, i))
                                                  : json_node_ref (g_ptr_array_index (trees, i));
          json_generator_set_root (gen, tree);
          json_generator_to_gstring (gen, out);
          json_node_unref (tree);
        }
      bytes += out->len + 1;
    }
  return bytes;
}

static double
time_way (GPtrArray *recs, GPtrArray *trees, Way way, gsize *bytes)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (GString) out = g_string_sized_new (1 << 20);
  double t[REPETITIONS];
  for (int r = 0; r < REPETITIONS; r++)
    {
      double t0 = now ();
      *bytes = write_all (recs, trees, way, gen, out);
      t[r] = now () - t0;
    }
  return bench_median (t, REPETITIONS);
}

/* ---- the synthetic record ------------------------------------------------------ */

static DpRecord *
many_spans_record (void)
{
  static const char *const words[] = { "Zo\xc3\xab", "K\xc3\xb6ln", "na\xc3\xafve", "said", "\xc3\xa0" };
  g_autoptr (GString) text = g_string_new (NULL);
  for (guint i = 0; text->len < 80 * 1000; i++)
    g_string_append_printf (text, "%s ", words[i % G_N_ELEMENTS (words)]);
  DpRecord *rec = dp_record_new ("synthetic", "bench", text->str, (gssize) text->len, NULL);
  DpLayer *layer = dp_record_ensure_layer (rec, "words");
  guint n = 0;
  for (gsize i = 0, start = 0; i <= text->len && n < 16000; i++)
    if (i == text->len || text->str[i] == ' ')
      {
        dp_layer_add_span (layer, start, i, "W", NULL);
        start = i + 1;
        n++;
      }
  return rec;
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      g_printerr ("usage: bench-json ANNOTATED.jsonl\n");
      return 2;
    }
  gsize n_spans, bytes;
  g_autoptr (GPtrArray) recs = load_records (argv[1], &n_spans);
  printf ("%u records, %" G_GSIZE_FORMAT " spans, one thread, medians of %d\n", recs->len, n_spans, REPETITIONS);

  double core = time_way (recs, NULL, WRITE_CORE, &bytes);
  printf ("core writer               %8.1f MB/s  %.3f s  (%" G_GSIZE_FORMAT " bytes)\n", bytes / core / 1e6, core, bytes);
  double glib = time_way (recs, NULL, WRITE_JSON_GLIB, &bytes);
  printf ("json-glib, tree + write   %8.1f MB/s  %.3f s  (%" G_GSIZE_FORMAT " bytes)  %.2fx the core's time\n",
          bytes / glib / 1e6, glib, bytes, glib / core);
  g_autoptr (GPtrArray) trees = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  for (guint i = 0; i < recs->len; i++)
    g_ptr_array_add (trees, record_node (g_ptr_array_index (recs, i)));
  double gen = time_way (recs, trees, WRITE_GENERATOR_ONLY, &bytes);
  printf ("json-glib, generator only %8.1f MB/s  %.3f s  %.2fx the core's time\n", bytes / gen / 1e6, gen, gen / core);

  g_autoptr (GPtrArray) one = g_ptr_array_new_with_free_func ((GDestroyNotify) dp_record_free);
  g_ptr_array_add (one, many_spans_record ());
  double synth = time_way (one, NULL, WRITE_CORE, &bytes);
  printf ("one record, 80 KB non-ASCII text, 16,000 spans: %.4f s per write\n", synth);
  return 0;
}
