/* bench-normalize.c — throughput of the normalizer with its default settings.
 *
 * Usage: bench-normalize [FILE]   (JSON lines with a "text" member; default:
 * the shared news corpus).  Records are created before each timed run, so
 * only normalization (both passes, alignment and metadata) is measured; the
 * median of 5 runs is reported.
 */
#include "normalize.h"
#include "docmeta.h"

#include <stdio.h>

#define REPETITIONS 5

static GPtrArray *
load_texts (const char *path, gsize *bytes)
{
  g_autofree char *data = NULL;
  g_autoptr (GError) error = NULL;
  if (!g_file_get_contents (path, &data, NULL, &error))
    {
      g_printerr ("bench-normalize: %s\n", error->message);
      exit (1);
    }
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (GStrv) lines = g_strsplit (data, "\n", -1);
  *bytes = 0;
  for (guint i = 0; lines[i]; i++)
    if (*lines[i] && json_parser_load_from_data (parser, lines[i], -1, NULL))
      {
        const char *t = json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "text");
        g_ptr_array_add (texts, g_strdup (t));
        *bytes += strlen (t);
      }
  return texts;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  const char *path = argc > 1 ? argv[1] : "../shared/data/corpus/news.jsonl";
  gsize bytes;
  g_autoptr (GPtrArray) texts = load_texts (path, &bytes);
  DpNormalizeOptions opts;
  dp_normalize_options_init (&opts);
  double times[REPETITIONS];
  gsize out_bytes = 0;
  for (int rep = 0; rep < REPETITIONS; rep++)
    {
      g_autoptr (GPtrArray) recs = g_ptr_array_new_with_free_func ((GDestroyNotify) dp_record_free);
      for (guint i = 0; i < texts->len; i++)
        g_ptr_array_add (recs, dp_record_new ("b", "bench", g_ptr_array_index (texts, i), -1, NULL));
      gint64 t0 = g_get_monotonic_time ();
      out_bytes = 0;
      for (guint i = 0; i < recs->len; i++)
        {
          DpRecord *rec = g_ptr_array_index (recs, i);
          if (!dp_normalize_record (rec, &opts, NULL))
            return 1;
          gsize len;
          const char *text = dp_record_get_text (rec, &len);
          dp_docmeta_extract (text, len, dp_record_get_meta (rec));
          out_bytes += len;
        }
      times[rep] = (g_get_monotonic_time () - t0) / 1e6;
    }
  qsort (times, REPETITIONS, sizeof (double), compare_doubles);
  double median = times[REPETITIONS / 2];
  printf ("file:       %s\ntexts:      %u\nbytes:      %" G_GSIZE_FORMAT " in, %" G_GSIZE_FORMAT " out\n",
          path, texts->len, bytes, out_bytes);
  printf ("median:     %.3f s over %d runs (min %.3f, max %.3f)\nthroughput: %.1f MB/s on one core\n",
          median, REPETITIONS, times[0], times[REPETITIONS - 1], bytes / median / 1e6);
  return 0;
}
