/* bench-claims.c — the cost of the claims stage's trained model on one core.
 *
 * Usage: bench-claims [FILE]   (JSON lines with a "text" member; default:
 * the shared news corpus).  The texts are run through the shipped NER first
 * (not timed: the model reads its entities), then the shipped claims model
 * (the view: words, clusters, quotations, lexicon cues, entities; the cue
 * tagger; the roles tagger for every cue) over every record, 5 times.
 * Reports the median thread CPU time (steadier than wall time on a busy
 * machine) and wall time, MB/s of the texts per core, tokens, and the cues
 * and roles-tagger tokens the model decoded.  The rules, the speakers and
 * the layer the stage writes are not included: compare with the stage's own
 * seconds in `docpipe run --stats` for those.  CLAIMS_MODEL=DIR in the
 * environment times another model (e.g. one trained with other settings).
 */
#include "model.h"
#include "tagger.h"
#include "corpus.h"

#include <docpipe/docpipe.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define REPETITIONS 5

static double
thread_cpu_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void
die (const char *what, GError *error)
{
  g_printerr ("bench-claims: %s: %s\n", what, error->message);
  exit (1);
}

/* The records with the NER's entities, as the claims stage gets them. */
static GPtrArray *
annotated_records (GPtrArray *texts, guint64 *tokens)
{
  const char *data = DP_NER_SOURCE_DATA_DIR;
  g_autofree char *model = g_build_filename (data, "en-news.dpm", NULL);
  g_autofree char *gaz = g_build_filename (data, "gazetteers", NULL);
  g_autofree char *clusters = g_build_filename (data, "clusters.txt", NULL);
  g_autofree char *aliases = g_build_filename (data, "aliases.tsv", NULL);
  DpNerOptions opts = { .model = model, .gazetteers = gaz, .clusters = clusters, .aliases = aliases,
                        .rules = TRUE, .link = TRUE };
  g_autoptr (GError) error = NULL;
  g_autoptr (DpNerTagger) tagger = dp_ner_tagger_new (&opts, &error);
  if (!tagger)
    die ("ner", error);
  g_autoptr (DpNerScratch) scratch = dp_ner_scratch_new (tagger);
  GPtrArray *recs = g_ptr_array_new_with_free_func ((GDestroyNotify) dp_record_free);
  *tokens = 0;
  for (guint i = 0; i < texts->len; i++)
    {
      DpRecord *rec = dp_record_new ("b", "bench", g_ptr_array_index (texts, i), -1, NULL);
      if (!dp_ner_tagger_annotate (tagger, scratch, rec, &error))
        die ("ner", error);
      guint n;
      dp_record_tokens (rec, &n);
      *tokens += n;
      g_ptr_array_add (recs, rec);
    }
  return recs;
}

int
main (int argc, char **argv)
{
  const char *path = argc > 1 ? argv[1] : "../shared/data/corpus/news.jsonl";
  g_autofree char *clusters_path = g_build_filename (DP_NER_SOURCE_DATA_DIR, "clusters.txt", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpClusters) clusters = dp_clusters_load (clusters_path, &error);
  if (!clusters)
    die ("clusters", error);
  const char *dir = g_getenv ("CLAIMS_MODEL") ? g_getenv ("CLAIMS_MODEL") : DP_CLAIMS_SOURCE_DATA_DIR;
  g_autoptr (DpClaimsModel) model = dp_claims_model_load (dir, clusters, &error);
  if (!model)
    die ("claims model", error);
  gsize bytes;
  guint64 tokens;
  g_autoptr (GPtrArray) texts = bench_load_texts (path, &bytes);
  g_autoptr (GPtrArray) recs = annotated_records (texts, &tokens);

  double cpu[REPETITIONS], wall[REPETITIONS];
  guint64 claims = 0;
  g_autoptr (GArray) preds = g_array_new (FALSE, FALSE, sizeof (DpClaimsPred));
  for (int rep = 0; rep < REPETITIONS; rep++)
    {
      gint64 t0 = g_get_monotonic_time ();
      double c0 = thread_cpu_seconds ();
      claims = 0;
      for (guint i = 0; i < recs->len; i++)
        {
          DpClaimsView v;
          dp_claims_view_init (&v, g_ptr_array_index (recs, i), model, clusters, NULL, NULL);
          g_array_set_size (preds, 0);
          dp_claims_model_predict (model, &v, preds);
          claims += preds->len;
          dp_claims_view_clear (&v);
        }
      cpu[rep] = thread_cpu_seconds () - c0;
      wall[rep] = (g_get_monotonic_time () - t0) / 1e6;
    }
  double c = bench_median (cpu, REPETITIONS), w = bench_median (wall, REPETITIONS);
  printf ("file:        %s\ntexts:       %u (%" G_GSIZE_FORMAT " bytes, %" G_GUINT64_FORMAT " tokens), %"
          G_GUINT64_FORMAT " claims from the model\n", path, texts->len, bytes, tokens, claims);
  printf ("model CPU:   %.3f s median of %d (min %.3f, max %.3f): %.1f MB/s per core, %.0f tokens/s\n",
          c, REPETITIONS, cpu[0], cpu[REPETITIONS - 1], bytes / c / 1e6, tokens / c);
  printf ("model wall:  %.3f s median of %d\n", w, REPETITIONS);
  return 0;
}
