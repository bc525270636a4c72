/* bench-normalize.c — throughput of the normalizer with its default settings,
 * and its cost on single long documents.
 *
 * Usage: bench-normalize [FILE]        (JSON lines with a "text" member;
 *                                       default: the shared news corpus)
 *        bench-normalize --long [FILE]
 *
 * The first form normalizes every text of the corpus: records are created
 * before each timed run, so only normalization (both passes, alignment and
 * metadata) is measured; the median of 5 runs is reported.  It does so again
 * with records that carry a layer with a span per token (the layers move onto
 * the normalized text).
 *
 * --long joins the corpus's hard-wrapped texts into one document of 5, 10, 20 and 40 MB
 * (with join-hyphens on and off), and builds documents of 256 KB to 1 MB made
 * of hard-wrapped lines that all end in a hyphenated word (the worst case of
 * the joined-word lookup); it prints the median CPU time of 3 runs of each,
 * which shows how the cost grows with one document's size.
 */
#include "normalize.h"
#include "docmeta.h"
#include "corpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPETITIONS 5
#define LONG_REPETITIONS 3

static double
cpu_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* The median CPU time of normalizing @text as one record. */
static double
time_one (const GString *text, const DpNormalizeOptions *opts)
{
  double times[LONG_REPETITIONS];
  for (int rep = 0; rep < LONG_REPETITIONS; rep++)
    {
      g_autoptr (DpRecord) rec = dp_record_new ("b", "bench", text->str, (gssize) text->len, NULL);
      double t0 = cpu_seconds ();
      if (!dp_normalize_record (rec, opts, NULL))
        exit (1);
      gsize len;
      const char *out = dp_record_get_text (rec, &len);
      dp_docmeta_extract (out, len, dp_record_get_meta (rec));
      times[rep] = cpu_seconds () - t0;
    }
  return bench_median (times, LONG_REPETITIONS);
}

/* Hard-wrapped lines of random lower-case words, each ending in a word
 * hyphenated across the line break whose joined form occurs nowhere. */
static void
build_hyphens (GString *out, gsize size)
{
  GRand *rand = g_rand_new_with_seed (15);
  while (out->len < size)
    {
      gsize line = out->len;
      while (out->len - line < 50)
        {
          for (int k = g_rand_int_range (rand, 3, 9); k > 0; k--)
            g_string_append_c (out, (char) ('a' + g_rand_int_range (rand, 0, 26)));
          g_string_append_c (out, ' ');
        }
      for (int k = 0; k < 6; k++)
        g_string_append_c (out, (char) ('a' + g_rand_int_range (rand, 0, 26)));
      g_string_append (out, "-\n");
    }
  g_rand_free (rand);
}

/* Whether no line of @text is longer than reflow's limit for wrapped lines:
 * the joined document is then re-flowed, as wire copy is. */
static gboolean
hard_wrapped (const char *text)
{
  for (const char *p = text, *nl; *p; p = nl + 1)
    {
      nl = strchrnul (p, '\n');
      if (nl - p > 100)
        return FALSE;
      if (!*nl)
        break;
    }
  return TRUE;
}

static int
bench_long (const char *path)
{
  gsize bytes;
  g_autoptr (GPtrArray) texts = bench_load_texts (path, &bytes);
  DpNormalizeOptions opts, no_join;
  dp_normalize_options_init (&opts);
  dp_normalize_options_init (&no_join);
  no_join.join_hyphens = FALSE;
  printf ("one document, median CPU seconds of %d runs\n", LONG_REPETITIONS);
  static const gsize mb[] = { 5, 10, 20, 40 };
  for (guint m = 0; m < G_N_ELEMENTS (mb); m++)
    {
      g_autoptr (GString) doc = g_string_new (NULL);
      for (guint i = 0; doc->len < mb[m] * 1000 * 1000; i = (i + 1) % texts->len)
        if (hard_wrapped (g_ptr_array_index (texts, i)))
          {
            g_string_append (doc, g_ptr_array_index (texts, i));
            g_string_append (doc, "\n\n");
          }
      printf ("corpus joined, %2" G_GSIZE_FORMAT " MB: %8.3f s   join-hyphens = false: %8.3f s\n",
              mb[m], time_one (doc, &opts), time_one (doc, &no_join));
      fflush (stdout);
    }
  static const gsize kb[] = { 256, 512, 1024 };
  for (guint k = 0; k < G_N_ELEMENTS (kb); k++)
    {
      g_autoptr (GString) doc = g_string_new (NULL);
      build_hyphens (doc, kb[k] * 1024);
      printf ("line-end hyphens, %4" G_GSIZE_FORMAT " KB: %8.3f s\n", kb[k], time_one (doc, &opts));
      fflush (stdout);
    }
  return 0;
}


/* Normalizes every text of the corpus; with @layers each record first gets a
 * layer with a span per token, which the normalizer moves onto its result. */
static double
time_corpus (GPtrArray *texts, gboolean layers, gsize *out_bytes)
{
  DpNormalizeOptions opts;
  dp_normalize_options_init (&opts);
  double times[REPETITIONS];
  for (int rep = 0; rep < REPETITIONS; rep++)
    {
      g_autoptr (GPtrArray) recs = g_ptr_array_new_with_free_func ((GDestroyNotify) dp_record_free);
      for (guint i = 0; i < texts->len; i++)
        {
          DpRecord *rec = dp_record_new ("b", "bench", g_ptr_array_index (texts, i), -1, NULL);
          guint n = 0;
          const DpToken *tokens = layers ? dp_record_tokens (rec, &n) : NULL;
          DpLayer *layer = layers ? dp_record_ensure_layer (rec, "tokens") : NULL;
          for (guint k = 0; k < n; k++)
            dp_layer_add_span (layer, tokens[k].start, tokens[k].end, NULL, NULL);
          g_ptr_array_add (recs, rec);
        }
      gint64 t0 = g_get_monotonic_time ();
      *out_bytes = 0;
      for (guint i = 0; i < recs->len; i++)
        {
          DpRecord *rec = g_ptr_array_index (recs, i);
          if (!dp_normalize_record (rec, &opts, NULL))
            exit (1);
          gsize len;
          const char *text = dp_record_get_text (rec, &len);
          dp_docmeta_extract (text, len, dp_record_get_meta (rec));
          *out_bytes += len;
        }
      times[rep] = (g_get_monotonic_time () - t0) / 1e6;
    }
  return bench_median (times, REPETITIONS);
}

int
main (int argc, char **argv)
{
  gboolean lng = argc > 1 && g_strcmp0 (argv[1], "--long") == 0;
  const char *path = argc > 1 + lng ? argv[1 + lng] : "../shared/data/corpus/news.jsonl";
  if (lng)
    return bench_long (path);
  gsize bytes, out_bytes;
  g_autoptr (GPtrArray) texts = bench_load_texts (path, &bytes);
  double median = time_corpus (texts, FALSE, &out_bytes);
  printf ("file:       %s\ntexts:      %u\nbytes:      %" G_GSIZE_FORMAT " in, %" G_GSIZE_FORMAT " out\n",
          path, texts->len, bytes, out_bytes);
  printf ("median:     %.3f s over %d runs\nthroughput: %.1f MB/s on one core\n",
          median, REPETITIONS, bytes / median / 1e6);
  median = time_corpus (texts, TRUE, &out_bytes);
  printf ("with a layer of a span per token: %.3f s, %.1f MB/s\n", median, bytes / median / 1e6);
  return 0;
}
