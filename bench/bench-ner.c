/* bench-ner.c — throughput of the NER (the ner stage's work) on one core.
 *
 * Usage: bench-ner [FILE]   (JSON lines with a "text" member; default: the
 * shared news corpus).  Uses the shipped model and lists.  Reports, as the
 * median of 5 runs:
 *   - the whole stage per record: tokenizing and sentence splitting,
 *     features, decoding, date rules, overlaps, linking, the layer;
 *   - the model alone (features and decoding over pre-tokenized text);
 *   - model load time (median of 5 loads).
 * The stage's CPU time is given too (the thread's, median of 5): on a busy
 * machine it is the steadier figure to compare builds with.
 * Records are created before each timed run; tokens are counted by the
 * core's tokenizer, so tokens/s here and in the stage mean the same thing.
 * NORULES=1 and NOLINK=1 in the environment turn the rules and linking off,
 * to see what they cost; STAGE_ONLY=1 skips the model-alone runs (for a
 * profile of the stage alone); NER_MODEL=FILE times another model.
 */
#include "tagger.h"
#include "ner-features.h"
#include "corpus.h"

#include <docpipe/docpipe.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define REPETITIONS 5

static double
thread_cpu_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static GPtrArray *
make_records (GPtrArray *texts)
{
  GPtrArray *recs = g_ptr_array_new_with_free_func ((GDestroyNotify) dp_record_free);
  for (guint i = 0; i < texts->len; i++)
    g_ptr_array_add (recs, dp_record_new ("b", "bench", g_ptr_array_index (texts, i), -1, NULL));
  return recs;
}

/* The model alone: features and Viterbi over every sentence, tokens given. */
static double
time_model_only (const char *model_path, const char *gaz_dir, const char *clusters_path, GPtrArray *recs)
{
  g_autoptr (DpSeqModel) model = dp_seq_model_load (model_path, NULL);
  g_autoptr (DpGazetteer) gaz = dp_gazetteer_load (gaz_dir, NULL);
  g_autoptr (DpClusters) clusters = dp_clusters_load (clusters_path, NULL);
  g_autoptr (DpNerDoc) doc = dp_ner_doc_new (gaz, clusters);
  const char **names = g_new0 (const char *, dp_seq_model_n_tags (model) + 1);
  for (guint t = 0; t < dp_seq_model_n_tags (model); t++)
    names[t] = dp_seq_model_tag_name (model, t);
  DpSeqFeatures f;
  dp_seq_features_init (&f);
  g_autoptr (GArray) words = g_array_new (FALSE, FALSE, sizeof (const char *));
  g_autoptr (GArray) lens = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr (GArray) starts = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr (GArray) tags = g_array_new (FALSE, FALSE, sizeof (guint16));
  gint64 t0 = g_get_monotonic_time ();
  for (guint r = 0; r < recs->len; r++)
    {
      DpRecord *rec = g_ptr_array_index (recs, r);
      const char *text = dp_record_get_text (rec, NULL);
      guint n, ns;
      const DpToken *tok = dp_record_tokens (rec, &n);
      const DpSentence *sent = dp_record_sentences (rec, &ns);
      g_array_set_size (words, n);
      g_array_set_size (lens, n);
      g_array_set_size (starts, ns + 1);
      for (guint i = 0; i < n; i++)
        {
          g_array_index (words, const char *, i) = text + tok[i].start;
          g_array_index (lens, gsize, i) = tok[i].end - tok[i].start;
        }
      for (guint k = 0; k < ns; k++)
        g_array_index (starts, guint32, k) = sent[k].first_token;
      g_array_index (starts, guint32, ns) = n;
      dp_ner_doc_set (doc, (const char *const *) words->data, (const gsize *) lens->data, n,
                      (const guint32 *) starts->data, ns);
      for (guint k = 0; k < ns; k++)
        {
          g_array_set_size (tags, sent[k].n_tokens);
          dp_ner_doc_features (doc, k, &f);
          dp_seq_model_decode (model, &f, (guint16 *) tags->data);
          dp_ner_doc_remember (doc, k, (guint16 *) tags->data, names);
        }
    }
  double secs = (g_get_monotonic_time () - t0) / 1e6;
  dp_seq_features_clear (&f);
  g_free (names);
  return secs;
}

int
main (int argc, char **argv)
{
  const char *path = argc > 1 ? argv[1] : "../shared/data/corpus/news.jsonl";
  const char *data = DP_NER_SOURCE_DATA_DIR;
  g_autofree char *model = g_strdup (g_getenv ("NER_MODEL"));
  if (!model)
    model = g_build_filename (data, "en-news.dpm", NULL);
  g_autofree char *gaz = g_build_filename (data, "gazetteers", NULL);
  g_autofree char *clusters = g_build_filename (data, "clusters.txt", NULL);
  g_autofree char *aliases = g_build_filename (data, "aliases.tsv", NULL);
  DpNerOptions opts = { .model = model, .gazetteers = gaz, .clusters = clusters, .aliases = aliases,
                        .rules = !g_getenv ("NORULES"), .link = !g_getenv ("NOLINK") };
  gsize bytes;
  g_autoptr (GPtrArray) texts = bench_load_texts (path, &bytes);

  double load[REPETITIONS];
  for (int rep = 0; rep < REPETITIONS; rep++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr (DpSeqModel) m = dp_seq_model_load (model, NULL);
      load[rep] = (g_get_monotonic_time () - t0) / 1e3;
      g_assert (m);
    }

  g_autoptr (GError) error = NULL;
  g_autoptr (DpNerTagger) tagger = dp_ner_tagger_new (&opts, &error);
  if (!tagger)
    {
      g_printerr ("bench-ner: %s\n", error->message);
      return 1;
    }
  g_autoptr (DpNerScratch) scratch = dp_ner_scratch_new (tagger);
  double stage[REPETITIONS], stage_cpu[REPETITIONS], alone[REPETITIONS];
  guint64 tokens = 0, entities = 0;
  for (int rep = 0; rep < REPETITIONS; rep++)
    {
      g_autoptr (GPtrArray) recs = make_records (texts);
      gint64 t0 = g_get_monotonic_time ();
      double c0 = thread_cpu_seconds ();
      for (guint i = 0; i < recs->len; i++)
        if (!dp_ner_tagger_annotate (tagger, scratch, g_ptr_array_index (recs, i), &error))
          {
            g_printerr ("bench-ner: %s\n", error->message);
            return 1;
          }
      stage[rep] = (g_get_monotonic_time () - t0) / 1e6;
      stage_cpu[rep] = thread_cpu_seconds () - c0;
      tokens = entities = 0;
      for (guint i = 0; i < recs->len; i++)
        {
          guint n;
          dp_record_tokens (g_ptr_array_index (recs, i), &n);
          tokens += n;
          entities += dp_layer_get_size (dp_record_get_layer (g_ptr_array_index (recs, i), "entities"));
        }
      alone[rep] = g_getenv ("STAGE_ONLY") ? 0 : time_model_only (model, gaz, clusters, recs);   /* tokens already cached on the records */
    }
  double s = bench_median (stage, REPETITIONS), a = bench_median (alone, REPETITIONS);
  printf ("file:        %s\ntexts:       %u (%" G_GSIZE_FORMAT " bytes, %" G_GUINT64_FORMAT " tokens, %"
          G_GUINT64_FORMAT " entities)\n", path, texts->len, bytes, tokens, entities);
  printf ("stage:       %.3f s median of %d (min %.3f, max %.3f): %.0f tokens/s, %.1f MB/s on one core\n",
          s, REPETITIONS, stage[0], stage[REPETITIONS - 1], tokens / s, bytes / s / 1e6);
  double c = bench_median (stage_cpu, REPETITIONS);
  printf ("stage CPU:   %.3f s median of %d: %.0f tokens per CPU second, %.1f MB/s\n", c, REPETITIONS, tokens / c,
          bytes / c / 1e6);
  printf ("model only:  %.3f s: %.0f tokens/s (features + decoding, tokens given)\n", a, tokens / a);
  printf ("model load:  %.2f ms median of %d\n", bench_median (load, REPETITIONS), REPETITIONS);
  return 0;
}
