/* bench-normalize.c — throughput of the normalizer with its default settings.
 *
 * Usage: bench-normalize [FILE]   (JSON lines with a "text" member; default:
 * the shared news corpus).  Records are created before each timed run, so
 * only normalization (both passes, alignment and metadata) is measured; the
 * median of 5 runs is reported.
 */
#include "normalize.h"
#include "docmeta.h"
#include "corpus.h"

#include <stdio.h>

#define REPETITIONS 5


int
main (int argc, char **argv)
{
  const char *path = argc > 1 ? argv[1] : "../shared/data/corpus/news.jsonl";
  gsize bytes;
  g_autoptr (GPtrArray) texts = bench_load_texts (path, &bytes);
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
  double median = bench_median (times, REPETITIONS);
  printf ("file:       %s\ntexts:      %u\nbytes:      %" G_GSIZE_FORMAT " in, %" G_GSIZE_FORMAT " out\n",
          path, texts->len, bytes, out_bytes);
  printf ("median:     %.3f s over %d runs (min %.3f, max %.3f)\nthroughput: %.1f MB/s on one core\n",
          median, REPETITIONS, times[0], times[REPETITIONS - 1], bytes / median / 1e6);
  return 0;
}
