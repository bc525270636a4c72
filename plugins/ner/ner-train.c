/* ner-train.c — trains and evaluates the NER model (docpipe-ner-train).
 *
 *   docpipe-ner-train train --gazetteers DIR [--clusters FILE] --out MODEL [--epochs N] [--seed S]
 *                           [--min-count K] [--folds F] [--dev FILE] TRAIN-FILE...
 *   docpipe-ner-train cv    (the train options) [--cv K] TRAIN-FILE...
 *   docpipe-ner-train eval  --gazetteers DIR [--clusters FILE] --model MODEL [--types LIST]
 *                           [--tags-out FILE] FILE...
 *   docpipe-ner-train info  MODEL
 *
 * Training files are CoNLL-2003, Universal NER or GMB (see iob.c); the same
 * seed and files give the same model.  eval prints conlleval-style precision,
 * recall and F1, overall and per type.
 *
 * The tagger reads its own earlier decisions: a word's features include the
 * tags it got earlier in the document (ner-features.c).  To train those
 * features on realistic decisions, not on the gold tags, training first
 * tags each part of the training data with a model trained on the other
 * parts (F folds, "jackknifing"), then trains the final model on features
 * computed from those decisions.
 *
 * cv scores settings without the dev set: the fully annotated documents
 * (CoNLL) are split into K parts; each part is tagged, as the stage does, by
 * a model trained (the whole recipe above) on everything else, and the
 * scores of all parts are summed.  --case-copies N adds a lower-cased copy
 * of every Nth document and an upper-cased copy of the one after it; a
 * copy always falls in its original's fold, so no document is tagged by a
 * model that saw it in other letters (--copy-case lower or upper: that copy
 * only, of every Nth document).  GMB files (a name with "gmb") train as data
 * whose MISC is partial, like UNER's: completed, and never cross-validated.
 */
#include "ner-features.h"
#include "iob.h"

#include <stdio.h>
#include <string.h>

static char *opt_gaz, *opt_clusters, *opt_out, *opt_model, *opt_dev, *opt_types, *opt_tags_out, *opt_copy_case;
static gboolean opt_propagate = FALSE, opt_fix = TRUE;
static gint opt_epochs = 10, opt_seed = 1, opt_min_count = 1, opt_folds = 5, opt_runs = 1, opt_cv = 4,
            opt_case_copies = 0;

static const GOptionEntry entries[] = {
  { "gazetteers", 'g', 0, G_OPTION_ARG_FILENAME, &opt_gaz, "Directory of gazetteer lists", "DIR" },
  { "clusters", 'w', 0, G_OPTION_ARG_FILENAME, &opt_clusters, "Word clusters file (bits<TAB>word)", "FILE" },
  { "out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out, "Where to write the trained model", "MODEL" },
  { "model", 'm', 0, G_OPTION_ARG_FILENAME, &opt_model, "Model to evaluate", "MODEL" },
  { "dev", 'd', 0, G_OPTION_ARG_FILENAME, &opt_dev, "Score this file with the trained model", "FILE" },
  { "epochs", 'e', 0, G_OPTION_ARG_INT, &opt_epochs, "Passes over the training data (default 10)", "N" },
  { "seed", 's', 0, G_OPTION_ARG_INT, &opt_seed, "Shuffling seed (default 1)", "S" },
  { "min-count", 'c', 0, G_OPTION_ARG_INT, &opt_min_count, "Keep features seen at least K times (default 1)", "K" },
  { "types", 't', 0, G_OPTION_ARG_STRING, &opt_types, "Score only these types, e.g. PER,ORG,LOC for data without MISC (default: all)", "LIST" },
  { "runs", 'r', 0, G_OPTION_ARG_INT, &opt_runs, "Train the final model R times with seeds S, S+1 … and average them (default 1)", "R" },
  { "propagate", 'p', 0, G_OPTION_ARG_NONE, &opt_propagate, "Score with document consistency on (as the stage does)", NULL },
  { "no-fix", 0, G_OPTION_FLAG_REVERSE, G_OPTION_ARG_NONE, &opt_fix, "With --propagate: leave out the stage's corrections of entity ends (dp_ner_doc_fix_entities)", NULL },
  { "folds", 'f', 0, G_OPTION_ARG_INT, &opt_folds, "Folds for the decisions history features are trained on (default 5; 1 = none)", "F" },
  { "cv", 'k', 0, G_OPTION_ARG_INT, &opt_cv, "cv: parts of the fully annotated documents to cross-validate on (default 4)", "K" },
  { "case-copies", 'a', 0, G_OPTION_ARG_INT, &opt_case_copies, "Also train on lower- and upper-cased copies of every Nth document (default 0: none)", "N" },
  { "copy-case", 0, 0, G_OPTION_ARG_STRING, &opt_copy_case, "With --case-copies: which copies, lower, upper or both (default both: a lower-cased copy of every Nth document, an upper-cased one of the next; lower or upper: that copy of every Nth)", "WHICH" },
  { "tags-out", 'T', 0, G_OPTION_ARG_FILENAME, &opt_tags_out, "eval: write each token with its gold label and the predicted BILOU tag to FILE, to read the errors", "FILE" },
  { NULL }
};

/* All sentences of all files, grouped into documents. */
typedef struct {
  GPtrArray *files;      /* GPtrArray of DpIobSentence*, owning */
  GPtrArray *sents;      /* DpIobSentence*, borrowed, in file order */
  GArray *doc_starts;    /* guint: first sentence of each document, then sents->len */
  GArray *origin;        /* guint per document: itself, or the document it is a case copy of */
  guint n_tokens;
} Corpus;

typedef struct {
  DpGazetteer *gaz;
  DpClusters *clusters;
  DpNerDoc *doc;
  DpSeqFeatures f;
  GArray *lens;          /* gsize */
  GPtrArray *words;      /* the document's words, borrowed from the sentences */
  GArray *starts;        /* guint32 sentence starts */
  guint64 n_features;    /* features computed for tagging, for the per-token figure eval prints */
} Featurizer;

static void
corpus_add_file (Corpus *c, const char *path, const DpGazetteer *gaz)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *s = dp_iob_read_with (path, gaz, &error);
  if (!s)
    {
      g_printerr ("docpipe-ner-train: %s\n", error->message);
      exit (1);
    }
  g_ptr_array_add (c->files, s);
  for (guint i = 0; i < s->len; i++)
    {
      DpIobSentence *sent = g_ptr_array_index (s, i);
      if (sent->doc_start || i == 0)
        g_array_append_val (c->doc_starts, c->sents->len);
      g_ptr_array_add (c->sents, sent);
      c->n_tokens += sent->words->len;
    }
}

static void
corpus_init (Corpus *c, char **paths, guint n, const DpGazetteer *gaz)
{
  c->files = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  c->sents = g_ptr_array_new ();
  c->doc_starts = g_array_new (FALSE, FALSE, sizeof (guint));
  c->n_tokens = 0;
  for (guint i = 0; i < n; i++)
    corpus_add_file (c, paths[i], gaz);
  g_array_append_val (c->doc_starts, c->sents->len);
  c->origin = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint d = 0; d + 1 < c->doc_starts->len; d++)
    g_array_append_val (c->origin, d);
}

/* Lower-cased copies of every Nth document, upper-cased copies of the next
 * (@lower, @upper both); or one kind only, of every Nth. */
static void
corpus_add_case_copies (Corpus *c, guint every, gboolean lower, gboolean upper)
{
  guint n_docs = c->doc_starts->len - 1, n_sents = c->sents->len;
  g_array_set_size (c->doc_starts, n_docs);   /* drops the end mark */
  for (guint d = 0; d < n_docs && every > 0; d++)
    {
      guint k = d % every;
      if (lower && upper ? k > 1 : k != 0)
        continue;
      guint first = g_array_index (c->doc_starts, guint, d);
      guint end = d + 1 < n_docs ? g_array_index (c->doc_starts, guint, d + 1) : n_sents;
      GPtrArray *copy = dp_iob_recase (c->sents, first, end, lower && upper ? k == 1 : upper);
      g_ptr_array_add (c->files, copy);
      g_array_append_val (c->doc_starts, c->sents->len);
      g_array_append_val (c->origin, d);
      for (guint i = 0; i < copy->len; i++)
        {
          DpIobSentence *sent = g_ptr_array_index (copy, i);
          g_ptr_array_add (c->sents, sent);
          c->n_tokens += sent->words->len;
        }
    }
  g_array_append_val (c->doc_starts, c->sents->len);
}

static void
corpus_clear (Corpus *c)
{
  g_ptr_array_unref (c->sents);
  g_ptr_array_unref (c->files);
  g_array_unref (c->doc_starts);
  g_array_unref (c->origin);
}

static guint corpus_n_docs (const Corpus *c) { return c->doc_starts->len - 1; }
static guint doc_first (const Corpus *c, guint d) { return g_array_index (c->doc_starts, guint, d); }
static guint doc_end (const Corpus *c, guint d) { return g_array_index (c->doc_starts, guint, d + 1); }
static DpIobSentence *sentence (const Corpus *c, guint i) { return g_ptr_array_index (c->sents, i); }
static guint doc_origin (const Corpus *c, guint d) { return g_array_index (c->origin, guint, d); }

static void
load_document (Featurizer *fz, const Corpus *c, guint d)
{
  g_ptr_array_set_size (fz->words, 0);
  g_array_set_size (fz->lens, 0);
  g_array_set_size (fz->starts, 0);
  for (guint s = doc_first (c, d); s < doc_end (c, d); s++)
    {
      DpIobSentence *sent = sentence (c, s);
      guint32 at = fz->words->len;
      g_array_append_val (fz->starts, at);
      for (guint i = 0; i < sent->words->len; i++)
        {
          const char *w = g_ptr_array_index (sent->words, i);
          gsize len = strlen (w);
          g_ptr_array_add (fz->words, (gpointer) w);
          g_array_append_val (fz->lens, len);
        }
    }
  guint32 total = fz->words->len;
  g_array_append_val (fz->starts, total);
  dp_ner_doc_set (fz->doc, (const char *const *) fz->words->pdata, (const gsize *) fz->lens->data,
                  total, (const guint32 *) fz->starts->data, doc_end (c, d) - doc_first (c, d));
}

/* Tags document @d with @model, sentence after sentence, as the stage does;
 * the tags go to @tags[sentence index]. */
static void
tag_document (Featurizer *fz, DpSeqModel *model, const Corpus *c, guint d, guint16 **tags, gboolean propagate)
{
  load_document (fz, c, d);
  const char *const *names = dp_iob_bilou_tags ();
  for (guint s = doc_first (c, d); s < doc_end (c, d); s++)
    {
      dp_ner_doc_features (fz->doc, s - doc_first (c, d), &fz->f);
      fz->n_features += fz->f.hashes->len;
      dp_seq_model_decode (model, &fz->f, tags[s]);
      dp_ner_doc_remember (fz->doc, s - doc_first (c, d), tags[s], names);
    }
  if (!propagate)
    return;
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (guint16));
  for (guint s = doc_first (c, d); s < doc_end (c, d); s++)
    g_array_append_vals (all, tags[s], sentence (c, s)->words->len);
  dp_ner_doc_propagate (fz->doc, (guint16 *) all->data, names);
  if (opt_fix)
    dp_ner_doc_fix_entities (fz->doc, (guint16 *) all->data, names);
  guint at = 0;
  for (guint s = doc_first (c, d); s < doc_end (c, d); s++)
    {
      memcpy (tags[s], &g_array_index (all, guint16, at), sentence (c, s)->words->len * sizeof (guint16));
      at += sentence (c, s)->words->len;
    }
}

static guint16 **
tags_new (const Corpus *c)
{
  guint16 **tags = g_new (guint16 *, c->sents->len);
  for (guint i = 0; i < c->sents->len; i++)
    tags[i] = g_new0 (guint16, sentence (c, i)->words->len);
  return tags;
}

static void
tags_free (const Corpus *c, guint16 **tags)
{
  for (guint i = 0; i < c->sents->len; i++)
    g_free (tags[i]);
  g_free (tags);
}

/* The types --types leaves out, as DpIobScore.skip bits. */
static guint
skipped_types (void)
{
  if (!opt_types)
    return 0;
  guint keep = 0;
  g_auto (GStrv) names = g_strsplit (opt_types, ",", -1);
  for (guint i = 0; names[i]; i++)
    {
      int t = dp_iob_type_index (g_strstrip (names[i]));
      if (t < 0)
        {
          g_printerr ("docpipe-ner-train: --types: unknown type '%s' (PER, ORG, LOC, MISC)\n", names[i]);
          exit (2);
        }
      keep |= 1u << t;
    }
  return ~keep & 0xF;
}

/* word, gold label and predicted tag per line, a blank line after each
 * sentence, for reading a model's errors. */
static void
write_tags (const Corpus *c, guint16 *const *tags, const char *path)
{
  g_autoptr (GString) out = g_string_new (NULL);
  const char *const *names = dp_iob_bilou_tags ();
  for (guint i = 0; i < c->sents->len; i++)
    {
      const DpIobSentence *s = sentence (c, i);
      for (guint k = 0; k < s->words->len; k++)
        g_string_append_printf (out, "%s %s %s\n", (const char *) g_ptr_array_index (s->words, k),
                                (const char *) g_ptr_array_index (s->labels, k), names[tags[i][k]]);
      g_string_append_c (out, '\n');
    }
  g_autoptr (GError) error = NULL;
  if (!g_file_set_contents (path, out->str, (gssize) out->len, &error))
    {
      g_printerr ("docpipe-ner-train: %s\n", error->message);
      exit (1);
    }
}

static void
evaluate (Featurizer *fz, DpSeqModel *model, const char *path)
{
  Corpus c;
  corpus_init (&c, (char **) &path, 1, fz->gaz);
  guint16 **tags = tags_new (&c);
  gint64 t0 = g_get_monotonic_time ();
  fz->n_features = 0;
  for (guint d = 0; d < corpus_n_docs (&c); d++)
    tag_document (fz, model, &c, d, tags, opt_propagate);
  double secs = (g_get_monotonic_time () - t0) / 1e6;
  DpIobScore score = { .skip = skipped_types () };
  for (guint i = 0; i < c.sents->len; i++)
    dp_iob_score_add (&score, sentence (&c, i), tags[i]);
  printf ("%s:\n%u tokens in %.2f s (%.0f tokens/s, features and decoding)\n", path, c.n_tokens, secs,
          c.n_tokens / secs);
  printf ("%.1f features per token\n", (double) fz->n_features / MAX (c.n_tokens, 1));
  dp_iob_score_print (&score, stdout);
  if (opt_tags_out)
    write_tags (&c, tags, opt_tags_out);
  tags_free (&c, tags);
  corpus_clear (&c);
}

static void
on_epoch (guint epoch, guint mistakes, guint tokens, gpointer data)
{
  g_printerr ("%sepoch %u: %u of %u tokens wrong (%.2f%%)\n", (const char *) data, epoch, mistakes, tokens,
              100.0 * mistakes / tokens);
}

/* Data without MISC annotations (Universal NER) would teach the model that
 * nationalities, events and products are O.  Where a model trained on the
 * fully annotated data finds a MISC entity on tokens such data leaves O,
 * the gold tags take it. */
static void
complete_misc (guint16 *gold, const guint16 *pred, guint n)
{
  const char *const *names = dp_iob_bilou_tags ();
  for (guint i = 0; i < n; i++)
    {
      const char *p = names[pred[i]];
      if (!g_str_has_suffix (p, "-MISC") || (p[0] != 'B' && p[0] != 'U'))
        continue;
      guint end = i;
      while (names[pred[end]][0] != 'U' && names[pred[end]][0] != 'L' && end + 1 < n)
        end++;
      gboolean free_ = TRUE;
      for (guint k = i; k <= end; k++)
        free_ &= gold[k] == 0;
      if (free_)
        for (guint k = i; k <= end; k++)
          gold[k] = pred[k];
      i = end;
    }
}

static gboolean
doc_lacks_misc (const Corpus *c, guint d)
{
  return sentence (c, doc_first (c, d))->no_misc;
}

/* What train_model() trains on. */
typedef struct {
  guint fold, folds;      /* the documents not in fold @fold of @folds (all when @folds is 1) */
  guint cv_fold, cv_folds;   /* and not held out for cross-validation (none when @cv_folds is 0) */
  gboolean full_only;     /* only documents annotated for every type */
  guint16 **misc;         /* per sentence, MISC found by a model for complete_misc(), or NULL */
  guint16 **history;      /* per sentence, the decisions history features come from, or NULL */
  guint runs;
} Plan;

/* Is document @d (or the one it copies) held out by cross-validation? */
static gboolean
cv_held_out (const Corpus *c, const Plan *plan, guint d)
{
  guint o = doc_origin (c, d);
  return plan->cv_folds > 1 && !doc_lacks_misc (c, o) && o % plan->cv_folds == plan->cv_fold;
}

static DpSeqModel *
train_model (Featurizer *fz, const Corpus *c, const Plan *plan, const char *what)
{
  guint fold = plan->fold, folds = plan->folds;
  guint16 **history = plan->history;
  g_autoptr (DpSeqTrainer) trainer = dp_seq_trainer_new (dp_iob_bilou_tags ());
  const char *const *names = dp_iob_bilou_tags ();
  for (guint d = 0; d < corpus_n_docs (c); d++)
    {
      if ((folds > 1 && doc_origin (c, d) % folds == fold) || (plan->full_only && doc_lacks_misc (c, d))
          || cv_held_out (c, plan, d))
        continue;
      load_document (fz, c, d);
      for (guint s = doc_first (c, d); s < doc_end (c, d); s++)
        {
          DpIobSentence *sent = sentence (c, s);
          dp_ner_doc_features (fz->doc, s - doc_first (c, d), &fz->f);
          g_autofree guint16 *gold = g_new (guint16, sent->words->len);
          dp_iob_to_bilou (sent, gold);
          if (plan->misc && sent->no_misc)
            complete_misc (gold, plan->misc[s], sent->words->len);
          dp_seq_trainer_add (trainer, &fz->f, gold);
          if (history)
            dp_ner_doc_remember (fz->doc, s - doc_first (c, d), history[s], names);
        }
    }
  gint64 t0 = g_get_monotonic_time ();
  DpSeqModel *model = dp_seq_trainer_train_runs (trainer, (guint) opt_epochs, (guint32) opt_seed, plan->runs,
                                                 (guint) opt_min_count, on_epoch, (gpointer) what);
  g_printerr ("%strained in %.1f s: %u features\n", what, (g_get_monotonic_time () - t0) / 1e6,
              dp_seq_model_n_features (model));
  return model;
}

/* What the model file records about its making: the command and the data. */
static char *
describe_training (int argc, char **argv, const Corpus *c, const Featurizer *fz)
{
  GString *meta = g_string_new ("trained by: docpipe-ner-train");
  g_string_append_printf (meta, " train --epochs %d --seed %d --runs %d --min-count %d --folds %d", opt_epochs,
                          opt_seed, opt_runs, opt_min_count, opt_folds);
  if (opt_case_copies)
    g_string_append_printf (meta, " --case-copies %d%s%s", opt_case_copies, opt_copy_case ? " --copy-case " : "",
                            opt_copy_case ? opt_copy_case : "");
  for (int a = 2; a < argc; a++)
    {
      g_autofree char *base = g_path_get_basename (argv[a]);
      g_autofree char *dir = g_path_get_dirname (argv[a]);
      g_autofree char *parent = g_path_get_basename (dir);
      g_string_append_printf (meta, " %s/%s", parent, base);
    }
  g_string_append_printf (meta, "\ndata: %u documents, %u sentences, %u tokens\n", corpus_n_docs (c),
                          c->sents->len, c->n_tokens);
  if (fz->gaz)
    g_string_append_printf (meta, "gazetteers: %016" G_GINT64_MODIFIER "x\n", dp_gazetteer_fingerprint (fz->gaz));
  if (fz->clusters)
    g_string_append_printf (meta, "clusters: %016" G_GINT64_MODIFIER "x\n", dp_clusters_fingerprint (fz->clusters));
  return g_string_free (meta, FALSE);
}

/* The whole recipe on the documents @cv leaves in: MISC completed for the
 * data that lacks it, history decisions jackknifed, the final model. */
static DpSeqModel *
build_model (Featurizer *fz, const Corpus *c, const Plan *cv)
{
  Plan plan = { .folds = 1, .runs = 1, .cv_fold = cv->cv_fold, .cv_folds = cv->cv_folds };
  gboolean partial = FALSE;
  for (guint d = 0; d < corpus_n_docs (c); d++)
    partial |= doc_lacks_misc (c, d);
  if (partial)
    {
      /* MISC for the data that lacks it, from a model of the data that has it. */
      Plan full = plan;
      full.full_only = TRUE;
      g_autoptr (DpSeqModel) m = train_model (fz, c, &full, "MISC for partial data: ");
      plan.misc = tags_new (c);
      for (guint d = 0; d < corpus_n_docs (c); d++)
        if (doc_lacks_misc (c, d))
          tag_document (fz, m, c, d, plan.misc, FALSE);
    }
  if (opt_folds > 1)
    {
      plan.history = tags_new (c);
      for (plan.fold = 0, plan.folds = (guint) opt_folds; plan.fold < plan.folds; plan.fold++)
        {
          g_autofree char *what = g_strdup_printf ("fold %u/%u: ", plan.fold + 1, plan.folds);
          guint16 **history = plan.history;
          plan.history = NULL;
          g_autoptr (DpSeqModel) m = train_model (fz, c, &plan, what);
          plan.history = history;
          for (guint d = 0; d < corpus_n_docs (c); d++)
            if (doc_origin (c, d) % plan.folds == plan.fold && !cv_held_out (c, &plan, d))
              tag_document (fz, m, c, d, plan.history, FALSE);
        }
    }
  plan.fold = 0, plan.folds = 1, plan.runs = (guint) MAX (opt_runs, 1);
  DpSeqModel *model = train_model (fz, c, &plan, "");
  if (plan.history)
    tags_free (c, plan.history);
  if (plan.misc)
    tags_free (c, plan.misc);
  return model;
}

static gboolean
load_training (Corpus *c, int argc, char **argv, const char *what, const DpGazetteer *gaz)
{
  gboolean lower = !opt_copy_case || strcmp (opt_copy_case, "both") == 0 || strcmp (opt_copy_case, "lower") == 0;
  gboolean upper = !opt_copy_case || strcmp (opt_copy_case, "both") == 0 || strcmp (opt_copy_case, "upper") == 0;
  if (!lower && !upper)
    {
      g_printerr ("docpipe-ner-train %s: --copy-case: '%s' is not lower, upper or both\n", what, opt_copy_case);
      return FALSE;
    }
  if (argc < 3 || opt_folds < 1 || opt_case_copies < 0)
    {
      g_printerr ("docpipe-ner-train %s: needs training files (and --folds ≥ 1, --case-copies ≥ 0)\n", what);
      return FALSE;
    }
  corpus_init (c, argv + 2, (guint) argc - 2, gaz);
  if (opt_case_copies > 0)
    corpus_add_case_copies (c, (guint) MAX (opt_case_copies, lower && upper ? 2 : 1), lower, upper);
  g_printerr ("%u documents, %u sentences, %u tokens\n", corpus_n_docs (c), c->sents->len, c->n_tokens);
  return TRUE;
}

static int
train (Featurizer *fz, int argc, char **argv)
{
  Corpus c;
  if (!opt_out)
    {
      g_printerr ("docpipe-ner-train train: needs --out MODEL\n");
      return 2;
    }
  if (!load_training (&c, argc, argv, "train", fz->gaz))
    return 2;
  Plan all = { 0 };
  g_autoptr (DpSeqModel) model = build_model (fz, &c, &all);
  g_autofree char *meta = describe_training (argc, argv, &c, fz);
  dp_seq_model_set_meta (model, meta);
  corpus_clear (&c);
  g_autoptr (GError) error = NULL;
  if (!dp_seq_model_save (model, opt_out, &error))
    {
      g_printerr ("docpipe-ner-train: %s\n", error->message);
      return 1;
    }
  if (opt_dev)
    evaluate (fz, model, opt_dev);
  return 0;
}

/* K-fold cross-validation over the fully annotated documents: each part
 * tagged as the stage does (with --propagate, its consistency pass too) by
 * a model of the rest. */
static int
cross_validate (Featurizer *fz, int argc, char **argv)
{
  Corpus c;
  if (opt_cv < 2)
    {
      g_printerr ("docpipe-ner-train cv: --cv must be at least 2\n");
      return 2;
    }
  if (!load_training (&c, argc, argv, "cv", fz->gaz))
    return 2;
  guint16 **tags = tags_new (&c);
  DpIobScore score = { .skip = skipped_types () };
  for (guint k = 0; k < (guint) opt_cv; k++)
    {
      Plan cv = { .cv_fold = k, .cv_folds = (guint) opt_cv };
      g_autoptr (DpSeqModel) model = build_model (fz, &c, &cv);
      DpIobScore part = { .skip = score.skip };
      for (guint d = 0; d < corpus_n_docs (&c); d++)
        if (doc_origin (&c, d) == d && cv_held_out (&c, &cv, d))
          {
            tag_document (fz, model, &c, d, tags, opt_propagate);
            for (guint s = doc_first (&c, d); s < doc_end (&c, d); s++)
              {
                dp_iob_score_add (&part, sentence (&c, s), tags[s]);
                dp_iob_score_add (&score, sentence (&c, s), tags[s]);
              }
          }
      printf ("part %u/%d:\n", k + 1, opt_cv);
      dp_iob_score_print (&part, stdout);
    }
  printf ("%d-fold cross-validation, all parts:\n", opt_cv);
  dp_iob_score_print (&score, stdout);
  tags_free (&c, tags);
  corpus_clear (&c);
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
    evaluate (fz, model, argv[a]);
  return 0;
}

static int
info (int argc, char **argv)
{
  for (int a = 2; a < argc; a++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (DpSeqModel) model = dp_seq_model_load (argv[a], &error);
      if (!model)
        {
          g_printerr ("docpipe-ner-train info: %s\n", error->message);
          return 1;
        }
      printf ("%s: %u tags, %u features\n%s", argv[a], dp_seq_model_n_tags (model),
              dp_seq_model_n_features (model), dp_seq_model_get_meta (model));
    }
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new ("train|cv|eval|info FILE...");
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
  if (opt_clusters && !(fz.clusters = dp_clusters_load (opt_clusters, &error)))
    {
      g_printerr ("docpipe-ner-train: %s\n", error->message);
      return 1;
    }
  dp_seq_features_init (&fz.f);
  fz.doc = dp_ner_doc_new (fz.gaz, fz.clusters);
  fz.words = g_ptr_array_new ();
  fz.lens = g_array_new (FALSE, FALSE, sizeof (gsize));
  fz.starts = g_array_new (FALSE, FALSE, sizeof (guint32));
  int code = strcmp (argv[1], "train") == 0 ? train (&fz, argc, argv)
           : strcmp (argv[1], "eval") == 0 ? eval (&fz, argc, argv)
           : strcmp (argv[1], "cv") == 0 ? cross_validate (&fz, argc, argv)
           : strcmp (argv[1], "info") == 0 ? info (argc, argv) : 2;
  dp_seq_features_clear (&fz.f);
  dp_ner_doc_free (fz.doc);
  g_ptr_array_unref (fz.words);
  g_array_unref (fz.lens);
  g_array_unref (fz.starts);
  dp_gazetteer_free (fz.gaz);
  dp_clusters_free (fz.clusters);
  return code;
}
