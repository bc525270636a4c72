/* claims-train.c — trains and cross-validates the claims model
 * (docpipe-claims-train).
 *
 *   docpipe-claims-train --gold DIR --records FILE [--clusters FILE] [--out DIR]
 *                        [--folds F] [--epochs N] [--seed S] [--runs R] [--min-count K]
 *                        [--cue-bias B] [--gate-rate R] [--oracle-cues] [--show-errors]
 *                        [--dev-gold DIR --dev-records FILE]
 *                        [--pos-data CONLL [--pos-dev CONLL] | --pos-model FILE]
 *
 * The defaults are the settings of the shipped model, chosen by 4-fold
 * cross-validation on PolNeAR train (docs/models.md).
 *
 * --gold is PolNeAR-format data (text/NAME.txt, attributions/NAME.ann); --records
 * the same articles as JSON lines after `reader ! normalizer ! ner ! writer
 * offsets=original`, so that the model trains on the entities the stage
 * will see (docs/models.md gives the commands).  With --folds F > 1 the
 * articles are split in F parts and each part is tagged by a model trained
 * on the others; the scores of all parts together are printed with the
 * rules of ../shared/README.md (what docpipe-claims-eval prints): the figure
 * to choose features and settings by.  --out trains on all articles and
 * writes the model; --dev-* scores it on other data.
 *
 * --pos-data trains the part-of-speech tagger the model's features use (pos.c)
 * on CoNLL-2003-style columns (the shipped one on CoNLL-2003 train), and
 * --out writes it as pos.dpm beside the model; --pos-model uses one already
 * trained.
 */
#include "cues.h"
#include "model.h"
#include "polnear.h"
#include "pos.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static char *opt_clusters, *opt_gold, *opt_records, *opt_out, *opt_dev_gold, *opt_dev_records;
static char *opt_pos_data, *opt_pos_dev, *opt_pos_model;
static gint opt_pos_epochs = 5, opt_pos_min_count = 3;
static DpSeqModel *pos;
static gboolean opt_oracle, opt_show_errors;
static DpClusters *clusters;
static double opt_cue_bias = 20;
#define MAX_CUE_BIAS 1000
static double opt_gate_rate = 0.1;
static gint opt_epochs = 8, opt_seed = 1, opt_min_count = 10, opt_folds = 1, opt_runs = 1;

static const GOptionEntry entries[] = {
  { "gold", 'g', 0, G_OPTION_ARG_FILENAME, &opt_gold, "PolNeAR-format training data", "DIR" },
  { "records", 'r', 0, G_OPTION_ARG_FILENAME, &opt_records, "The same articles as JSON lines with entities", "FILE" },
  { "clusters", 'w', 0, G_OPTION_ARG_FILENAME, &opt_clusters, "Word clusters file (the NER's clusters.txt)", "FILE" },
  { "out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out, "Train on all and write the model here", "DIR" },
  { "folds", 'f', 0, G_OPTION_ARG_INT, &opt_folds, "Cross-validate over F folds first (default 1: none)", "F" },
  { "epochs", 'e', 0, G_OPTION_ARG_INT, &opt_epochs, "Passes over the training data (default 8)", "N" },
  { "seed", 's', 0, G_OPTION_ARG_INT, &opt_seed, "Shuffling seed (default 1)", "S" },
  { "runs", 'R', 0, G_OPTION_ARG_INT, &opt_runs, "Average R runs with seeds S, S+1 … (default 1)", "R" },
  { "min-count", 'c', 0, G_OPTION_ARG_INT, &opt_min_count, "Keep features seen at least K times (default 10)", "K" },
  { "cue-bias", 'b', 0, G_OPTION_ARG_DOUBLE, &opt_cue_bias, "Added to the score of starting a cue: more cues, fewer missed (default 20)", "B" },
  { "gate-rate", 0, 0, G_OPTION_ARG_DOUBLE, &opt_gate_rate, "A word opens the model's way into a sentence if it began a cue in this share of its occurrences (default 0.1)", "R" },
  { "oracle-cues", 0, 0, G_OPTION_ARG_NONE, &opt_oracle, "Score the roles tagger alone: give it the gold cues", NULL },
  { "show-errors", 0, 0, G_OPTION_ARG_NONE, &opt_show_errors, "On stderr: each gold cue the model missed (with --oracle-cues: each content it got wrong)", NULL },
  { "dev-gold", 0, 0, G_OPTION_ARG_FILENAME, &opt_dev_gold, "Score the trained model on this PolNeAR-format data", "DIR" },
  { "dev-records", 0, 0, G_OPTION_ARG_FILENAME, &opt_dev_records, "… with these records", "FILE" },
  { "pos-data", 0, 0, G_OPTION_ARG_FILENAME, &opt_pos_data, "Train the part-of-speech tagger on these CoNLL columns (word POS …)", "FILE" },
  { "pos-dev", 0, 0, G_OPTION_ARG_FILENAME, &opt_pos_dev, "… and print its accuracy on these", "FILE" },
  { "pos-epochs", 0, 0, G_OPTION_ARG_INT, &opt_pos_epochs, "The tagger's passes over its data (default 5)", "N" },
  { "pos-min-count", 0, 0, G_OPTION_ARG_INT, &opt_pos_min_count, "The tagger keeps features seen at least K times (default 3)", "K" },
  { "pos-model", 0, 0, G_OPTION_ARG_FILENAME, &opt_pos_model, "Use this part-of-speech tagger (a pos.dpm) instead", "FILE" },
  { NULL }
};

/* One article: its record, the view the model sees, its gold. */
typedef struct {
  DpRecord *rec;
  DpClaimsView view;
  const DpnDocument *gold;         /* the first annotator's copy */
  GPtrArray *copies;               /* every copy: trained on and scored against */
  guint32 *tok_char_start, *tok_char_end;   /* tokens in code points */
} Doc;

static void
doc_free (gpointer p)
{
  Doc *d = p;
  dp_claims_view_clear (&d->view);
  dp_record_free (d->rec);
  g_free (d->tok_char_start);
  g_free (d->tok_char_end);
  g_ptr_array_unref (d->copies);
  g_free (d);
}

/* ---- loading ------------------------------------------------------------------------ */

static GHashTable *
gold_by_article (GPtrArray *gold)
{
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < gold->len; i++)
    {
      DpnDocument *d = gold->pdata[i];
      GPtrArray *copies = g_hash_table_lookup (t, d->article);
      if (!copies)
        g_hash_table_insert (t, d->article, copies = g_ptr_array_new ());
      g_ptr_array_add (copies, d);
    }
  return t;
}

static Doc *
doc_new (const char *line, gsize len, GHashTable *by_article, GError **error)
{
  g_autoptr (DpRecord) rec = dp_record_new (NULL, NULL, "", 0, error);
  if (!rec || !dp_record_load_json (rec, line, len, error))
    return NULL;
  GPtrArray *copies = g_hash_table_lookup (by_article, dp_record_get_id (rec));
  if (!copies)
    return NULL;
  const DpnDocument *gold = copies->pdata[0];
  gsize tlen;
  const char *text = dp_record_get_text (rec, &tlen);
  if (tlen != strlen (gold->text) || memcmp (text, gold->text, tlen) != 0)
    {
      g_set_error (error, DPN_ERROR, DPN_ERROR_PARSE, "%s: the record's text is not the article's "
                   "(write the records with offsets=original)", gold->article);
      return NULL;
    }
  Doc *d = g_new0 (Doc, 1);
  d->rec = g_steal_pointer (&rec);
  d->gold = gold;
  d->copies = g_ptr_array_ref (copies);
  dp_claims_view_init (&d->view, d->rec, NULL, clusters, NULL, NULL);
  if (pos)
    dp_claims_view_set_pos (&d->view, pos);
  d->tok_char_start = g_new (guint32, MAX (d->view.n, 1));
  d->tok_char_end = g_new (guint32, MAX (d->view.n, 1));
  for (guint i = 0; i < d->view.n; i++)
    {
      d->tok_char_start[i] = (guint32) dp_record_byte_to_char (d->rec, d->view.toks[i].start);
      d->tok_char_end[i] = (guint32) dp_record_byte_to_char (d->rec, d->view.toks[i].end);
    }
  return d;
}

static GPtrArray *
load_docs (const char *gold_dir, const char *records, GPtrArray **gold_out, GError **error)
{
  g_autoptr (GPtrArray) gold = dpn_corpus_load (gold_dir, error);
  if (!gold)
    return NULL;
  g_autofree char *data = NULL;
  gsize size;
  if (!g_file_get_contents (records, &data, &size, error))
    return NULL;
  g_autoptr (GHashTable) by_article = gold_by_article (gold);
  GPtrArray *docs = g_ptr_array_new_with_free_func (doc_free);
  for (char *line = data, *nl; line < data + size; line = nl + 1)
    {
      nl = memchr (line, '\n', data + size - line);
      if (!nl)
        nl = data + size;
      GError *local = NULL;
      Doc *d = nl > line ? doc_new (line, nl - line, by_article, &local) : NULL;
      if (local)
        {
          g_propagate_prefixed_error (error, local, "%s: ", records);
          g_ptr_array_unref (docs);
          return NULL;
        }
      if (d)
        g_ptr_array_add (docs, d);
    }
  *gold_out = g_steal_pointer (&gold);
  return docs;
}

/* ---- gold tags ---------------------------------------------------------------------- */

/* Marks with @mark the tokens overlapping the code-point ranges @r. */
static void
mark_tokens (const Doc *d, const GArray *r, guint8 *marks, guint8 mark)
{
  for (guint k = 0; k < r->len; k++)
    {
      const DpnRange *rg = &g_array_index (r, DpnRange, k);
      for (guint i = 0; i < d->view.n; i++)
        if (d->tok_char_start[i] < rg->end && d->tok_char_end[i] > rg->start && marks[i] < mark)
          marks[i] = mark;
    }
}

/* BILOU tags from per-token marks (0 = O; each maximal run of one mark is a
 * segment of type @types[mark - 1]). */
static void
marks_to_tags (const guint8 *marks, guint n, const char *const *tag_names, const char *const *types,
               guint16 *tags)
{
  for (guint i = 0; i < n;)
    {
      if (!marks[i])
        {
          tags[i++] = 0;
          continue;
        }
      guint j = i;
      while (j + 1 < n && marks[j + 1] == marks[i])
        j++;
      for (guint k = i; k <= j; k++)
        {
          char want[16];
          char p = i == j ? 'U' : k == i ? 'B' : k == j ? 'L' : 'I';
          g_snprintf (want, sizeof want, "%c-%s", p, types[marks[i] - 1]);
          for (guint t = 0; tag_names[t]; t++)
            if (strcmp (tag_names[t], want) == 0)
              tags[k] = (guint16) t;
        }
      i = j + 1;
    }
}

/* The first cue fragment's tokens, or FALSE if it covers none. */
static gboolean
cue_tokens (const Doc *d, const DpnAttribution *a, guint *first, guint *last)
{
  if (a->cue->len == 0)
    return FALSE;
  const DpnRange *r = &g_array_index (a->cue, DpnRange, 0);
  gboolean found = FALSE;
  for (guint i = 0; i < d->view.n; i++)
    if (d->tok_char_start[i] < r->end && d->tok_char_end[i] > r->start)
      {
        *first = found ? *first : i;
        *last = i;
        found = TRUE;
      }
  return found;
}

/* Counts, per lower-cased word, how often it occurs and how often it is
 * the first word of a cue that is no filler ("claimed" in "also claimed"):
 * [0] and [1] of a guint pair. */
static void
count_cue_words (const Doc *d, const guint8 *marks, GHashTable *counts)
{
  gboolean head_seen = FALSE;
  for (guint i = 0; i < d->view.n; i++)
    {
      gsize len = MIN ((gsize) (d->view.toks[i].end - d->view.toks[i].start), 40);
      g_autofree char *w = g_ascii_strdown (d->view.text + d->view.toks[i].start, (gssize) len);
      guint *c = g_hash_table_lookup (counts, w);
      if (!c)
        g_hash_table_insert (counts, g_strdup (w), c = g_new0 (guint, 2));
      c[0]++;
      head_seen = marks[i] && i > 0 && marks[i - 1] && head_seen;
      if (marks[i] && !head_seen && !dp_cue_is_filler (d->view.text, &d->view.toks[i]))
        {
          c[1]++;
          head_seen = TRUE;
        }
    }
}

static void
add_cue_examples (DpSeqTrainer *tr, const Doc *d, const DpnDocument *gold, GHashTable *counts)
{
  g_autofree guint8 *marks = g_new0 (guint8, MAX (d->view.n, 1));
  for (guint k = 0; k < gold->attributions->len; k++)
    {
      const DpnAttribution *a = gold->attributions->pdata[k];
      mark_tokens (d, a->cue, marks, 1);
    }
  count_cue_words (d, marks, counts);
  static const char *const types[] = { "CUE" };
  g_autofree guint16 *tags = g_new0 (guint16, MAX (d->view.n, 1));
  marks_to_tags (marks, d->view.n, dp_claims_cue_tags, types, tags);
  DpSeqFeatures f;
  dp_seq_features_init (&f);
  for (guint s = 0; s < d->view.n_sents; s++)
    {
      guint a = d->view.sents[s].first_token;
      dp_claims_cue_features (&d->view, s, a, a + d->view.sents[s].n_tokens, &f);
      dp_seq_trainer_add (tr, &f, tags + d->view.sents[s].first_token);
    }
  dp_seq_features_clear (&f);
}

static void
add_role_examples (DpSeqTrainer *tr, const Doc *d, const DpnDocument *gold)
{
  static const char *const types[] = { "SRC", "CON" };
  DpSeqFeatures f;
  dp_seq_features_init (&f);
  g_autofree guint8 *marks = g_new0 (guint8, MAX (d->view.n, 1));
  g_autofree guint16 *tags = g_new0 (guint16, MAX (d->view.n, 1));
  for (guint k = 0; k < gold->attributions->len; k++)
    {
      const DpnAttribution *a = gold->attributions->pdata[k];
      guint cf = 0, cl = 0, lo, hi;
      if (!cue_tokens (d, a, &cf, &cl))
        continue;
      dp_claims_role_window (&d->view, cf, cl, &lo, &hi);
      memset (marks, 0, d->view.n);
      mark_tokens (d, a->source, marks, 1);
      mark_tokens (d, a->content, marks, 2);
      for (guint i = cf; i <= cl; i++)
        marks[i] = 0;
      marks_to_tags (marks + lo, hi - lo, dp_claims_role_tags, types, tags);
      dp_claims_role_features (&d->view, cf, cl, lo, hi, &f);
      dp_seq_trainer_add (tr, &f, tags);
    }
  dp_seq_features_clear (&f);
}

/* ---- training and scoring ----------------------------------------------------------- */

static void
on_epoch (guint epoch, guint mistakes, guint tokens, gpointer user_data)
{
  g_printerr ("  %s epoch %u: %u mistakes in %u tokens\n", (const char *) user_data, epoch, mistakes, tokens);
}

/* Trains on the docs outside fold @fold of @folds (on all when @folds is 1). */
static DpClaimsModel *
train (GPtrArray *docs, guint fold, guint folds)
{
  g_autoptr (DpSeqTrainer) cue_tr = dp_seq_trainer_new (dp_claims_cue_tags);
  g_autoptr (DpSeqTrainer) role_tr = dp_seq_trainer_new (dp_claims_role_tags);
  GHashTable *counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < docs->len; i++)
    if (folds <= 1 || i % folds != fold)
      {
        {
          const Doc *d = docs->pdata[i];
          for (guint c = 0; c < d->copies->len; c++)   /* every annotator's copy */
            {
              add_cue_examples (cue_tr, d, d->copies->pdata[c], counts);
              add_role_examples (role_tr, d, d->copies->pdata[c]);
            }
        }
      }
  DpSeqModel *cue = dp_seq_trainer_train_runs (cue_tr, opt_epochs, opt_seed, opt_runs, opt_min_count, on_epoch, "cue");
  DpSeqModel *roles = dp_seq_trainer_train_runs (role_tr, opt_epochs, opt_seed, opt_runs, opt_min_count, on_epoch, "roles");
  /* the gate: words that began a cue at least twice, and in at least
   * opt_gate_rate of their occurrences */
  GHashTable *words = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, counts);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      const guint *c = value;
      if (c[1] >= 2 && c[1] >= opt_gate_rate * c[0])
        g_hash_table_add (words, g_strdup (key));
    }
  g_hash_table_unref (counts);
  DpClaimsModel *m = dp_claims_model_new (cue, roles, words, (float) opt_cue_bias);
  if (pos)
    dp_claims_model_set_pos (m, pos);
  return m;
}

static GArray *
char_range (const Doc *d, guint first, guint last)
{
  GArray *r = g_array_new (FALSE, FALSE, sizeof (DpnRange));
  if (first <= last)
    {
      DpnRange x = { d->tok_char_start[first], d->tok_char_end[last] };
      g_array_append_val (r, x);
    }
  return r;
}

/* Cue finding alone, against the first annotator's copy. */
static guint cue_gold, cue_pred, cue_hit;

static void
tally_cues (Doc *d, GArray *preds)
{
  for (guint k = 0; k < d->gold->attributions->len; k++)
    {
      guint cf = 0, cl = 0;
      if (!cue_tokens (d, d->gold->attributions->pdata[k], &cf, &cl))
        continue;
      cue_gold++;
      gboolean hit = FALSE;
      for (guint j = 0; j < preds->len && !hit; j++)
        {
          const DpClaimsPred *p = &g_array_index (preds, DpClaimsPred, j);
          hit = p->cue_first <= cl && p->cue_last >= cf;
        }
      cue_hit += hit;
      if (!hit && opt_show_errors)
        {
          guint a = cf > 8 ? cf - 8 : 0, b = MIN (cl + 8, d->view.n - 1);
          g_printerr ("MISSED [%.*s] in: %.*s\n", (int) (d->view.toks[cl].end - d->view.toks[cf].start),
                      d->view.text + d->view.toks[cf].start, (int) (d->view.toks[b].end - d->view.toks[a].start),
                      d->view.text + d->view.toks[a].start);
        }
    }
  cue_pred += preds->len;
}

/* A gold content the roles tagger got wrong for its gold cue, on stderr. */
static void
show_oracle (const Doc *d, const DpnAttribution *a, const DpClaimsPred *p)
{
  g_autoptr (GArray) pc = p ? char_range (d, p->con_first, p->con_last) : g_array_new (FALSE, FALSE, sizeof (DpnRange));
  if (p && dpn_content_matches (a->content, pc))
    return;
  g_autoptr (GArray) hull = dpn_ranges_hull (a->content);
  if (hull->len == 0)
    return;
  const DpnRange *g = &g_array_index (hull, DpnRange, 0);
  const char *t = d->gold->text;
  const char *gs = g_utf8_offset_to_pointer (t, g->start), *ge = g_utf8_offset_to_pointer (t, g->end);
  g_printerr ("GOLD %.*s\n", (int) MIN (ge - gs, 300), gs);
  if (p)
    {
      const char *ps = d->view.text + d->view.toks[p->con_first].start, *pe = d->view.text + d->view.toks[p->con_last].end;
      g_printerr ("PRED %.*s\n", (int) MIN (pe - ps, 300), ps);
    }
  else
    g_printerr ("PRED none\n");
  const char *cs = d->view.text + d->view.toks[p ? p->cue_first : 0].start;
  g_printerr ("CUE  %.*s\n\n", 20, cs);
}

static void
score_doc (const DpClaimsModel *m, Doc *d, DpnScores *scores)
{
  DpClaimsView *v = &d->view;
  dp_claims_view_clear (v);
  dp_claims_view_init (v, d->rec, m, clusters, NULL, NULL);
  g_autoptr (GArray) preds = g_array_new (FALSE, FALSE, sizeof (DpClaimsPred));
  if (opt_oracle)
    for (guint k = 0; k < d->gold->attributions->len; k++)
      {
        guint cf = 0, cl = 0;
        const DpnAttribution *a = d->gold->attributions->pdata[k];
        if (!cue_tokens (d, a, &cf, &cl))
          continue;
        guint before = preds->len;
        dp_claims_model_predict_cue (m, v, cf, cl, preds);
        if (opt_show_errors)
          show_oracle (d, a, preds->len > before ? &g_array_index (preds, DpClaimsPred, before) : NULL);
      }
  else
    dp_claims_model_predict (m, v, preds);
  tally_cues (d, preds);
  g_autoptr (GPtrArray) claims = g_ptr_array_new_with_free_func ((GDestroyNotify) dpn_claim_free);
  for (guint k = 0; k < preds->len; k++)
    {
      const DpClaimsPred *p = &g_array_index (preds, DpClaimsPred, k);
      DpnClaim *c = dpn_claim_new ();
      g_array_unref (c->content);
      g_array_unref (c->cue);
      g_array_unref (c->speaker);
      c->content = char_range (d, p->con_first, p->con_last);
      c->cue = char_range (d, p->cue_first, p->cue_last);
      c->speaker = char_range (d, p->src_first, p->src_last);
      g_ptr_array_add (claims, c);
    }
  for (guint i = 0; i < d->copies->len; i++)   /* every annotator's copy of the article */
    dpn_score_document (d->copies->pdata[i], d->gold->text, d->gold->n_chars, claims, scores);
}

static void
print_scores (const char *what, const DpnScores *s)
{
  guint a = DPN_N_KINDS;
  double p = s->pred[a] ? (double) s->matched_pred[a] / s->pred[a] : 0;
  double r = s->gold[a] ? (double) s->matched_gold[a] / s->gold[a] : 0;
  printf ("%s: gold %u predicted %u  P %.4f R %.4f F1 %.4f  cue %.4f speaker %.4f\n", what, s->gold[a],
          s->pred[a], p, r, p + r > 0 ? 2 * p * r / (p + r) : 0,
          s->matched_gold[a] ? (double) s->cue_ok[a] / s->matched_gold[a] : 0,
          s->matched_gold[a] ? (double) s->speaker_ok[a] / s->matched_gold[a] : 0);
  printf ("  cues: gold %u predicted %u found %u (recall %.3f)\n", cue_gold, cue_pred, cue_hit,
          cue_gold ? (double) cue_hit / cue_gold : 0);
  cue_gold = cue_pred = cue_hit = 0;
  for (guint k = 0; k < DPN_N_KINDS; k++)
    printf ("  %-8s gold %5u recall %.3f\n", dpn_kind_name (k), s->gold[k],
            s->gold[k] ? (double) s->matched_gold[k] / s->gold[k] : 0);
}

static gboolean
run (GError **error)
{
  g_autoptr (GPtrArray) gold = NULL;
  g_autoptr (GPtrArray) docs = load_docs (opt_gold, opt_records, &gold, error);
  if (!docs)
    return FALSE;
  g_printerr ("%u articles\n", docs->len);
  if ((guint) opt_folds > MAX (docs->len, 1))
    {
      g_set_error (error, DPN_ERROR, DPN_ERROR_PARSE, "--folds %d: more folds than the %u articles", opt_folds,
                   docs->len);
      return FALSE;
    }
  if (opt_folds > 1)
    {
      DpnScores scores = { 0 };
      for (guint k = 0; k < (guint) opt_folds; k++)
        {
          g_autoptr (DpClaimsModel) m = train (docs, k, opt_folds);
          for (guint i = k; i < docs->len; i += opt_folds)
            score_doc (m, docs->pdata[i], &scores);
        }
      print_scores ("cross-validation", &scores);
    }
  if (!opt_out && !opt_dev_gold)
    return TRUE;
  g_autoptr (DpClaimsModel) m = train (docs, 0, 1);
  if (opt_dev_gold)
    {
      g_autoptr (GPtrArray) dev_gold = NULL;
      g_autoptr (GPtrArray) dev = load_docs (opt_dev_gold, opt_dev_records, &dev_gold, error);
      if (!dev)
        return FALSE;
      DpnScores scores = { 0 };
      for (guint i = 0; i < dev->len; i++)
        score_doc (m, dev->pdata[i], &scores);
      print_scores ("dev", &scores);
    }
  g_autofree char *how = g_strdup_printf ("docpipe-claims-train on %u articles of %s: epochs=%d seed=%d runs=%d "
                                          "min-count=%d", docs->len, opt_gold, opt_epochs, opt_seed, opt_runs,
                                          opt_min_count);
  dp_claims_model_describe (m, how, clusters);
  return !opt_out || dp_claims_model_save (m, opt_out, error);
}

/* What is wrong with the options, or NULL. */
static const char *
usage_problem (void)
{
  if (!opt_gold || !opt_records)
    return "--gold and --records are required";
  if ((opt_dev_gold != NULL) != (opt_dev_records != NULL))
    return "--dev-gold and --dev-records go together";
  if (opt_pos_data && opt_pos_model)
    return "--pos-data and --pos-model exclude each other";
  if (opt_pos_dev && !opt_pos_data)
    return "--pos-dev needs --pos-data";
  if (opt_pos_epochs < 1 || opt_pos_min_count < 1)
    return "--pos-epochs and --pos-min-count must be at least 1";
  if (opt_folds < 1 || opt_epochs < 1 || opt_runs < 1)
    return "--folds, --epochs and --runs must be at least 1";
  /* A model keeps its bias as a float, and decoding adds it in weight units
   * (at most DP_SEQ_MAX_BIAS_UNITS, about 45000 with the shipped model's
   * scale): a bias far past what can change a decision is a mistake. */
  if (!(fabs (opt_cue_bias) <= MAX_CUE_BIAS))
    return "--cue-bias must be a number between -1000 and 1000";
  return NULL;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- train the claims model on PolNeAR-format data");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  const char *problem = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || (problem = usage_problem ()))
    {
      fprintf (stderr, "docpipe-claims-train: %s\n", error ? error->message : problem);
      return 2;
    }
  if (opt_clusters && !(clusters = dp_clusters_load (opt_clusters, &error)))
    {
      fprintf (stderr, "docpipe-claims-train: %s\n", error->message);
      return 1;
    }
  if (opt_pos_data)
    {
      g_printerr ("training the part-of-speech tagger on %s\n", opt_pos_data);
      pos = dp_pos_train (opt_pos_data, (guint) opt_pos_epochs, 1, (guint) opt_pos_min_count, &error);
      double acc = pos && opt_pos_dev ? dp_pos_accuracy (pos, opt_pos_dev, &error) : 0;
      if (!pos || acc < 0)
        {
          fprintf (stderr, "docpipe-claims-train: %s\n", error->message);
          g_clear_pointer (&pos, dp_seq_model_free);
          return 1;
        }
      if (opt_pos_dev)
        printf ("part-of-speech accuracy on %s: %.4f (%u features)\n", opt_pos_dev, acc, dp_seq_model_n_features (pos));
    }
  else if (opt_pos_model && !(pos = dp_pos_load (opt_pos_model, &error)))
    {
      fprintf (stderr, "docpipe-claims-train: %s\n", error->message);
      return 1;
    }
  if (!run (&error))
    {
      fprintf (stderr, "docpipe-claims-train: %s\n", error->message);
      g_clear_pointer (&pos, dp_seq_model_free);
      return 1;
    }
  g_clear_pointer (&pos, dp_seq_model_free);
  return 0;
}
