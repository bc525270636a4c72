/* ner-train.c — trains and evaluates the NER model (docpipe-ner-train).
 *
 *   docpipe-ner-train train --gazetteers DIR --out MODEL [--epochs N] [--seed S]
 *                           [--min-count K] [--dev FILE] TRAIN-FILE...
 *   docpipe-ner-train eval  --gazetteers DIR --model MODEL FILE...
 *
 * Training files are CoNLL-2003, Universal NER or GMB (see iob.c); the same
 * seed and files give the same model.  eval prints conlleval-style precision,
 * recall and F1, overall and per type.
 */
#include "ner-features.h"
#include "iob.h"

#include <stdio.h>
#include <string.h>

static char *opt_gaz, *opt_out, *opt_model, *opt_dev;
static gint opt_epochs = 10, opt_seed = 1, opt_min_count = 1;

static const GOptionEntry entries[] = {
  { "gazetteers", 'g', 0, G_OPTION_ARG_FILENAME, &opt_gaz, "Directory of gazetteer lists", "DIR" },
  { "out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out, "Where to write the trained model", "MODEL" },
  { "model", 'm', 0, G_OPTION_ARG_FILENAME, &opt_model, "Model to evaluate", "MODEL" },
  { "dev", 'd', 0, G_OPTION_ARG_FILENAME, &opt_dev, "Score this file after each epoch's model is built", "FILE" },
  { "epochs", 'e', 0, G_OPTION_ARG_INT, &opt_epochs, "Passes over the training data (default 10)", "N" },
  { "seed", 's', 0, G_OPTION_ARG_INT, &opt_seed, "Shuffling seed (default 1)", "S" },
  { "min-count", 'c', 0, G_OPTION_ARG_INT, &opt_min_count, "Keep features seen at least K times (default 1)", "K" },
  { NULL }
};

typedef struct {
  DpGazetteer *gaz;
  DpSeqFeatures f;
} Featurizer;

static void
featurize (Featurizer *fz, const DpIobSentence *s)
{
  guint n = s->words->len;
  g_autofree gsize *lens = g_new (gsize, n);
  for (guint i = 0; i < n; i++)
    lens[i] = strlen (g_ptr_array_index (s->words, i));
  dp_ner_features (fz->gaz, (const char *const *) s->words->pdata, lens, n, &fz->f);
}

static double
evaluate (Featurizer *fz, DpSeqModel *model, GPtrArray *sents, gboolean print)
{
  DpIobScore score = { { 0 } };
  gint64 t0 = g_get_monotonic_time ();
  guint tokens = 0;
  for (guint i = 0; i < sents->len; i++)
    {
      DpIobSentence *s = g_ptr_array_index (sents, i);
      featurize (fz, s);
      g_autofree guint16 *pred = g_new (guint16, s->words->len);
      dp_seq_model_decode (model, &fz->f, pred);
      dp_iob_score_add (&score, s, pred);
      tokens += s->words->len;
    }
  double secs = (g_get_monotonic_time () - t0) / 1e6;
  if (print)
    fprintf (stdout, "%u tokens in %.2f s (%.0f tokens/s, features and decoding)\n", tokens, secs, tokens / secs);
  return dp_iob_score_print (&score, print ? stdout : fopen ("/dev/null", "w"));
}

static GPtrArray *
read_or_die (const char *path)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *s = dp_iob_read (path, &error);
  if (!s)
    {
      g_printerr ("docpipe-ner-train: %s\n", error->message);
      exit (1);
    }
  return s;
}

static void
on_epoch (guint epoch, guint mistakes, guint tokens, gpointer data)
{
  g_printerr ("epoch %u: %u of %u tokens wrong (%.2f%%)\n", epoch, mistakes, tokens, 100.0 * mistakes / tokens);
}

static int
train (Featurizer *fz, int argc, char **argv)
{
  if (!opt_out || argc < 3)
    {
      g_printerr ("docpipe-ner-train train: needs --out MODEL and training files\n");
      return 2;
    }
  g_autoptr (DpSeqTrainer) trainer = dp_seq_trainer_new (dp_iob_bilou_tags ());
  for (int a = 2; a < argc; a++)
    {
      g_autoptr (GPtrArray) sents = read_or_die (argv[a]);
      guint tokens = 0;
      for (guint i = 0; i < sents->len; i++)
        {
          DpIobSentence *s = g_ptr_array_index (sents, i);
          featurize (fz, s);
          g_autofree guint16 *gold = g_new (guint16, s->words->len);
          dp_iob_to_bilou (s, gold);
          dp_seq_trainer_add (trainer, &fz->f, gold);
          tokens += s->words->len;
        }
      g_printerr ("%s: %u sentences, %u tokens\n", argv[a], sents->len, tokens);
    }
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (DpSeqModel) model = dp_seq_trainer_train (trainer, (guint) opt_epochs, (guint32) opt_seed,
                                                       (guint) opt_min_count, on_epoch, NULL);
  g_printerr ("trained in %.1f s: %u features\n", (g_get_monotonic_time () - t0) / 1e6,
              dp_seq_model_n_features (model));
  g_autoptr (GError) error = NULL;
  if (!dp_seq_model_save (model, opt_out, &error))
    {
      g_printerr ("docpipe-ner-train: %s\n", error->message);
      return 1;
    }
  if (opt_dev)
    {
      g_autoptr (GPtrArray) dev = read_or_die (opt_dev);
      printf ("%s:\n", opt_dev);
      evaluate (fz, model, dev, TRUE);
    }
  return 0;
}

static int
eval (Featurizer *fz, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (DpSeqModel) model = opt_model ? dp_seq_model_load (opt_model, &error) : NULL;
  if (!model)
    {
      g_printerr ("docpipe-ner-train eval: %s\n", error ? error->message : "needs --model MODEL");
      return 2;
    }
  printf ("model loaded in %.1f ms\n", (g_get_monotonic_time () - t0) / 1e3);
  for (int a = 2; a < argc; a++)
    {
      g_autoptr (GPtrArray) sents = read_or_die (argv[a]);
      printf ("%s:\n", argv[a]);
      evaluate (fz, model, sents, TRUE);
    }
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new ("train|eval FILE...");
  g_option_context_set_summary (ctx, "Train or evaluate docpipe's NER model on IOB files.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc < 2)
    {
      g_printerr ("docpipe-ner-train: %s\n", error ? error->message : "train or eval?");
      return 2;
    }
  Featurizer fz = { NULL };
  if (opt_gaz && !(fz.gaz = dp_gazetteer_load (opt_gaz, &error)))
    {
      g_printerr ("docpipe-ner-train: %s\n", error->message);
      return 1;
    }
  dp_seq_features_init (&fz.f);
  int code = strcmp (argv[1], "train") == 0 ? train (&fz, argc, argv)
           : strcmp (argv[1], "eval") == 0 ? eval (&fz, argc, argv) : 2;
  dp_seq_features_clear (&fz.f);
  dp_gazetteer_free (fz.gaz);
  return code;
}
