/* model.c — the claims model's features, decoding and files (see model.h).
 *
 * Features are hashes (lib/seqtag): a word, its neighbours, its shape, the
 * entity label over it, whether it is inside a quotation, the cue lexicon's
 * verdict.  The roles tagger conjoins each with where the word stands from
 * the cue (before, in, after; how far; how many commas and quotation marks
 * lie between; which sentence), which is what decides source from content:
 * "X said Y" and "Y, X said" differ only there.
 *
 * Costs are bounded per token: the cue tagger reads each token at most once
 * (windows of CUE_WINDOW tokens around trigger words, merged), the roles
 * tagger a window of at most ROLE_BEFORE + ROLE_AFTER tokens per cue, and a
 * token is inside at most one cue, so a record costs time linear in its
 * length.
 */
#include "model.h"

#include "cues.h"
#include "files.h"
#include "quotes.h"

#include <string.h>

/* The roles window: sentences around the cue's, at most this many tokens
 * either side of it. */
#define ROLE_BEFORE 60
#define ROLE_AFTER 90
#define ROLE_EDGE 4            /* a cue this near its sentence's edge reads the next sentence over */
#define MAX_ENTITY_TOKENS 64
#define WORD_BYTES 40          /* longer words are hashed on their first bytes */
/* The cue tagger reads this many tokens either side of a trigger (a cue
 * word, a quotation mark, a lexicon cue); a cue is never far from one. */
#define CUE_WINDOW 6
/* Merged windows are cut at this many tokens: a sentence that is all
 * triggers (a text of nothing but quotation marks) would otherwise be one
 * window, and its features and lattice hundreds of times the text's size. */
#define CUE_WINDOW_MAX 512
#define CLUSTER_LOOKED_UP (1u << 30)
#define NEXT_UNKNOWN 0xFF

const char *const dp_claims_cue_tags[] = { "O", "B-CUE", "I-CUE", "L-CUE", "U-CUE", NULL };
const char *const dp_claims_role_tags[] = {
  "O", "B-SRC", "I-SRC", "L-SRC", "U-SRC", "B-CON", "I-CON", "L-CON", "U-CON", NULL };

enum {
  T_W = 1, T_WM1, T_WP1, T_WM2, T_WP2, T_BIM, T_BIP, T_SUF, T_SHAPE, T_LEX, T_ENT, T_ENTM1, T_ENTP1,
  T_QUOTE, T_NEXT, T_POS, T_WQ, T_BIAS, T_CL4, T_CL8, T_CL12, T_CL20, T_CLM1, T_CLP1, T_SUBJ, T_SUF2, T_SUFN, T_TRI, T_CLW, T_STEM,
  R_BIAS = 40, R_W, R_WM1, R_WP1, R_SHAPE, R_ENT, R_QUOTE, R_CUE, R_CUEDIST, R_COMMAS, R_MARKS, R_SENT,
  R_LEX, R_PARA, R_NEXTCUE, R_ENTB, R_BIGRAM, R_CLUSTER, R_OTHERCUE, R_PT, R_PTBI, R_PTW, R_CLAUSE,
};

struct _DpClaimsModel {
  guint32 serial;                      /* unique in the process: names the model in the cluster cache */
  const DpClusters *clusters;          /* those it was loaded with (borrowed), or NULL */
  DpSeqModel *cue, *roles;
  const DpSeqModel *pos;               /* the POS tagger, or NULL */
  DpSeqModel *pos_owned;               /* the same, when loaded with the model */
  GHashTable *cue_words;
  GHashTable *cue_hashes;              /* the cue words' hashes (guint64 *), as the view's word[] */
  guint64 *cue_hash_data;
  int tag_b, tag_l, tag_u;             /* of the cue tagger */
  float *cue_bias;                     /* per cue tag */
};

/* ---- the view ---------------------------------------------------------------------- */

/* Lower-cases an ASCII word into @buf (other bytes as they are). */
static gsize
lower (const char *text, const DpToken *t, char *buf)
{
  gsize len = MIN ((gsize) (t->end - t->start), WORD_BYTES);
  for (gsize i = 0; i < len; i++)
    buf[i] = dp_cue_ascii_lower (text[t->start + i]);
  return len;
}

static guint64
word_hash (const DpClaimsView *v, guint i)
{
  return v->word[i];
}

static void
view_entities (DpClaimsView *v, DpRecord *rec)
{
  DpLayer *layer = dp_record_get_layer (rec, "entities");
  for (guint k = 0; layer && k < dp_layer_get_size (layer); k++)
    {
      DpSpan *sp = dp_layer_get_span (layer, k);
      gsize start = dp_span_get_start (sp), end = dp_span_get_end (sp);
      const char *label = dp_span_get_label (sp);
      guint64 h = dp_seq_hash (T_ENT, label ? label : "", label ? strlen (label) : 0);
      guint lo = 0, hi = v->n;   /* the first token ending after the span's start */
      while (lo < hi)
        {
          guint mid = (lo + hi) / 2;
          if (v->toks[mid].end <= start)
            lo = mid + 1;
          else
            hi = mid;
        }
      for (guint i = lo; i < v->n && v->toks[i].start < end && i < lo + MAX_ENTITY_TOKENS; i++)
        if (!v->ent[i])
          v->ent[i] = h;
    }
}

static void
view_quotes_and_cues (DpClaimsView *v, const GArray *given_quotes, const GArray *given_cues)
{
  g_autoptr (GArray) found_quotes = NULL, found_cues = NULL;
  const GArray *quotes = given_quotes, *cues = given_cues;
  if (!quotes)
    {
      quotes = found_quotes = g_array_new (FALSE, FALSE, sizeof (DpQuote));
      dp_quotes_find (v->text, v->toks, v->n, found_quotes);
    }
  if (!cues)
    {
      cues = found_cues = g_array_new (FALSE, FALSE, sizeof (DpCue));
      dp_cues_find (v->text, v->toks, v->n, found_cues);
    }
  for (guint q = 0; q < quotes->len; q++)
    {
      const DpQuote *qt = &g_array_index (quotes, DpQuote, q);
      if (q == 0 || qt->group != g_array_index (quotes, DpQuote, q - 1).group)
        g_array_append_val (v->quote_spans, ((DpClaimsQuoteSpan) { qt->open_tok, qt->close_tok }));
      g_array_index (v->quote_spans, DpClaimsQuoteSpan, v->quote_spans->len - 1).close_tok = qt->close_tok;
      for (guint i = qt->open_tok; i <= qt->close_tok && i < v->n; i++)
        {
          v->in_quote[i] = 1;
          v->quote[i] = (gint32) v->quote_spans->len - 1;
        }
    }
  for (guint k = 0; k < cues->len; k++)
    {
      const DpCue *cue = &g_array_index (cues, DpCue, k);
      for (guint i = cue->first; i <= cue->last && i < v->n; i++)
        v->lex_cue[i] = (guint8) (cue->act + 1);
    }
}

/* ---- the cluster cache ---------------------------------------------------------------- */

/* Looking a word up in the clusters costs several cache misses (their
 * tables, entries and text are megabytes, beside the models), about a
 * tenth of the stage's time; the words of news are few and frequent.  So
 * each thread keeps the last word seen per slot, with its exact spelling,
 * for the model named by its serial (never reused, so a freed model's
 * entries cannot answer for another's clusters). */
#define CLUSTER_CACHE_SLOTS 4096     /* 128 KB a thread */
#define CLUSTER_CACHE_WORD 23        /* longer words are looked up every time */

struct _DpClaimsClusterSlot {
  guint32 serial;                    /* the model's, 0 for an empty slot */
  guint32 cluster;                   /* as cluster_path() gives it */
  guint8 len;
  char word[CLUSTER_CACHE_WORD];
};
typedef DpClaimsClusterSlot ClusterSlot;

static GPrivate cluster_cache_key = G_PRIVATE_INIT (g_free);
static gint model_serials;           /* atomic: the last serial given */

static ClusterSlot *
cluster_cache (void)
{
  ClusterSlot *cache = g_private_get (&cluster_cache_key);
  if (!cache)
    {
      cache = g_new0 (ClusterSlot, CLUSTER_CACHE_SLOTS);
      g_private_set (&cluster_cache_key, cache);
    }
  return cache;
}

/* The first 20 bits of the cluster path of @word (| 1 << 31 if it has one). */
static guint32
cluster_path (const DpClusters *clusters, const char *word, gsize n)
{
  guint32 c = 0;
  gsize len = 0;
  const char *path = clusters ? dp_clusters_lookup (clusters, word, n, &len) : NULL;
  for (guint b = 0; path && b < 20; b++)
    c = c << 1 | (b < len && path[b] == '1');
  if (path)
    c |= 1u << 31;
  return c;
}

/* cluster_path() of token @i, through the thread's cache when the view has
 * one.  The slot is chosen by the lower-cased word's hash and whether it is
 * capitalised ("said" and "Said" may differ: the clusters are looked up
 * by exact spelling first); the spelling in the slot decides. */
static guint32
cluster_cached (const DpClaimsView *v, guint i)
{
  const char *word = v->text + v->toks[i].start;
  gsize n = v->toks[i].end - v->toks[i].start;
  if (!v->cluster_cache || n > CLUSTER_CACHE_WORD)
    return cluster_path (v->clusters, word, n);
  guint64 h = v->word[i] ^ (word[0] >= 'A' && word[0] <= 'Z' ? 0x9E3779B97F4A7C15ULL : 0);
  ClusterSlot *s = &v->cluster_cache[(h ^ h >> 32) & (CLUSTER_CACHE_SLOTS - 1)];
  if (s->serial == v->cluster_serial && s->len == n && memcmp (s->word, word, n) == 0)
    return s->cluster;
  guint32 c = cluster_path (v->clusters, word, n);
  s->serial = v->cluster_serial;
  s->cluster = c;
  s->len = (guint8) n;
  memcpy (s->word, word, n);
  return c;
}

/* The first 20 bits of token @i's cluster path (| 1 << 31 if the word has
 * one), looked up the first time a feature asks: most tokens are never
 * read by the model. */
static guint32
cluster_of (const DpClaimsView *v, guint i)
{
  guint32 c = v->cluster[i];
  if (c & CLUSTER_LOOKED_UP)
    return c & ~CLUSTER_LOOKED_UP;
  c = cluster_cached (v, i);
  v->cluster[i] = c | CLUSTER_LOOKED_UP;
  return c;
}

void
dp_claims_view_init (DpClaimsView *v, DpRecord *rec, const DpClaimsModel *model, const DpClusters *clusters,
                     const GArray *quotes, const GArray *cues)
{
  memset (v, 0, sizeof *v);
  v->text = dp_record_get_text (rec, NULL);
  v->toks = dp_record_tokens (rec, &v->n);
  v->sents = dp_record_sentences (rec, &v->n_sents);
  v->tok_sent = g_new0 (guint, MAX (v->n, 1));
  v->in_quote = g_new0 (guint8, MAX (v->n, 1));
  v->quote = g_new (gint32, MAX (v->n, 1));
  for (guint i = 0; i < v->n; i++)
    v->quote[i] = -1;
  v->quote_spans = g_array_new (FALSE, FALSE, sizeof (DpClaimsQuoteSpan));
  v->ent = g_new0 (guint64, MAX (v->n, 1));
  v->lex_cue = g_new0 (guint8, MAX (v->n, 1));
  v->trigger = g_new0 (guint8, MAX (v->n, 1));
  v->word = g_new (guint64, MAX (v->n, 1));
  for (guint i = 0; i < v->n; i++)
    {
      char buf[WORD_BYTES];
      v->word[i] = dp_seq_hash (T_W, buf, lower (v->text, &v->toks[i], buf));
    }
  v->cluster = g_new0 (guint32, MAX (v->n, 1));
  v->shape = g_new0 (guint64, MAX (v->n, 1));
  v->next = g_new (guint8, MAX (v->n, 1));
  memset (v->next, NEXT_UNKNOWN, MAX (v->n, 1));
  v->clusters = clusters;
  if (model && clusters && clusters == model->clusters)
    {
      v->cluster_cache = cluster_cache ();
      v->cluster_serial = model->serial;
    }
  if (model && model->pos)
    dp_claims_view_set_pos (v, model->pos);
  for (guint s = 0; s < v->n_sents; s++)
    for (guint i = 0; i < v->sents[s].n_tokens; i++)
      v->tok_sent[v->sents[s].first_token + i] = s;
  view_entities (v, rec);
  view_quotes_and_cues (v, quotes, cues);
  for (guint i = 0; i < v->n; i++)
    v->trigger[i] = v->toks[i].kind == DP_TOKEN_QUOTE || v->lex_cue[i] || !model
                    || g_hash_table_contains (model->cue_hashes, &v->word[i]);
}

void
dp_claims_view_clear (DpClaimsView *v)
{
  g_free (v->tok_sent);
  g_free (v->in_quote);
  g_free (v->quote);
  if (v->quote_spans)
    g_array_unref (v->quote_spans);
  g_free (v->ent);
  g_free (v->lex_cue);
  g_free (v->trigger);
  g_free (v->word);
  g_free (v->cluster);
  g_free (v->shape);
  g_free (v->next);
  g_free (v->pos);
  if (v->pos_scratch)
    {
      dp_seq_features_clear (v->pos_scratch);
      g_free (v->pos_scratch);
    }
  memset (v, 0, sizeof *v);
}

void
dp_claims_view_set_pos (DpClaimsView *v, const DpSeqModel *pos)
{
  g_free (v->pos);
  v->pos = g_new0 (guint8, MAX (v->n, 1));
  v->pos_model = pos;
  if (!v->pos_scratch)
    {
      v->pos_scratch = g_new (DpSeqFeatures, 1);
      dp_seq_features_init (v->pos_scratch);
    }
}

/* Token @i's part of speech (tag + 1; 0 without a tagger, 1 out of range),
 * tagged the first time a feature asks, from the words of its sentence
 * around it. */
static guint
pos_of (const DpClaimsView *v, guint i)
{
  if (!v->pos_model || i >= v->n)
    return 1;
  if (v->pos[i])
    return v->pos[i];
  const DpSentence *s = &v->sents[v->tok_sent[i]];
  guint a = s->first_token, b = a + s->n_tokens;
  DpPosWord win[DP_POS_WINDOW];
  for (int d = -2; d <= 2; d++)
    {
      gint64 j = (gint64) i + d;
      win[d + 2] = j >= (gint64) a && j < (gint64) b
                   ? (DpPosWord) { v->text + v->toks[j].start, v->toks[j].end - v->toks[j].start }
                   : (DpPosWord) { NULL, 0 };
    }
  guint16 t = dp_pos_tag (v->pos_model, win, v->pos_scratch);
  v->pos[i] = (guint8) MIN (t + 2u, 255u);
  return v->pos[i];
}

/* ---- token descriptions ------------------------------------------------------------- */

/* A coarse shape: Xx, x, X, d, or the punctuation itself. */
static guint64
shape_of (const DpClaimsView *v, guint i)
{
  const DpToken *t = &v->toks[i];
  const char *s = v->text + t->start;
  char c[2] = { 'x', 0 };
  switch (t->kind)
    {
    case DP_TOKEN_WORD:
      c[0] = g_ascii_isupper (s[0]) ? (t->end - t->start > 1 && g_ascii_isupper (s[1]) ? 'X' : 'C') : 'x';
      break;
    case DP_TOKEN_NUMBER:
      c[0] = 'd';
      break;
    case DP_TOKEN_QUOTE:
      c[0] = '"';
      break;
    default:
      return dp_seq_hash (T_SHAPE, s, MIN ((gsize) (t->end - t->start), 4));
    }
  return dp_seq_hash (T_SHAPE, c, 1);
}

/* Token @i's shape hash, worked out the first time a feature asks: the
 * roles tagger asks twice per token of every cue window that holds it. */
static guint64
shape_hash (const DpClaimsView *v, guint i)
{
  if (!v->shape[i])
    v->shape[i] = shape_of (v, i);   /* never 0: dp_seq_hash() is not */
  return v->shape[i];
}

/* Always inline: with a literal @w its length is known where it is called,
 * and most tokens differ from it by length (features ask this dozens of
 * times per token). */
G_ALWAYS_INLINE static inline gboolean
tok_is (const DpClaimsView *v, guint i, const char *w)
{
  return i < v->n && dp_cue_tok_is (v->text, &v->toks[i], w);
}

static guint next_kind_of (const DpClaimsView *v, guint i);

/* What follows token @i (see next_kind_of), worked out the first time a
 * feature asks: the cue tagger asks five times per token, the roles tagger
 * once per token of a cue's window about the cue. */
static guint
next_kind (const DpClaimsView *v, guint i)
{
  if (v->next[i] == NEXT_UNKNOWN)
    v->next[i] = (guint8) next_kind_of (v, i);
  return v->next[i];
}

/* What follows token @i: that, a quotation mark, a colon, a comma, to, other. */
static guint
next_kind_of (const DpClaimsView *v, guint i)
{
  if (i + 1 >= v->n)
    return 0;
  if (tok_is (v, i + 1, "that"))
    return 1;
  if (v->toks[i + 1].kind == DP_TOKEN_QUOTE)
    return 2;
  if (tok_is (v, i + 1, ":"))
    return 3;
  if (tok_is (v, i + 1, ","))
    return 4;
  if (tok_is (v, i + 1, "to"))
    return 5;
  return 6;
}

/* ---- the cue tagger ---------------------------------------------------------------- */

/* A crude stem: the word without -s, -es, -ed, -ing, -ment, -tion ("pledged",
 * "pledges", "pledging" are "pledg"), so that a rare verb's forms share
 * what was learnt about any of them. */
static gsize
stem_len (const char *w, gsize len)
{
  static const char *const ends[] = { "ments", "ment", "tions", "tion", "ing", "ed", "es", "s" };
  for (gsize k = 0; k < G_N_ELEMENTS (ends); k++)
    {
      gsize n = strlen (ends[k]);
      if (len > n + 2 && memcmp (w + len - n, ends[k], n) == 0)
        return len - n;
    }
  return len;
}

static const char *const pronouns[] = { "he", "she", "they", "i", "we", "you", "it", "who", NULL };

/* What stands before a word as its likely subject, a few words back in its
 * sentence: 1 a pronoun, 2 an entity, 3 a plural or definite noun phrase's
 * end, 0 nothing found before a comma or the sentence's start. */
static guint
subject_before (const DpClaimsView *v, guint i, guint a)
{
  for (guint j = i, steps = 0; j-- > a && steps < 4; steps++)
    {
      if (tok_is (v, j, ",") || v->toks[j].kind == DP_TOKEN_QUOTE)
        return 0;
      for (const char *const *p = pronouns; *p && v->toks[j].end - v->toks[j].start <= 4; p++)   /* the longest: "they" */
        if (tok_is (v, j, *p))
          return 1;
      if (v->ent[j])
        return 2;
    }
  return 0;
}

#define MAX_FEATURES 40

void
dp_claims_cue_features (const DpClaimsView *v, guint s, guint lo, guint hi, DpSeqFeatures *f)
{
  guint a = v->sents[s].first_token, b = a + v->sents[s].n_tokens;
  guint64 bias = dp_seq_hash (T_BIAS, "", 0);
  dp_seq_features_reset (f);
  for (guint i = lo; i < hi; i++)
    {
      guint64 h[MAX_FEATURES];
      guint k = 0;
      guint64 w = word_hash (v, i);
      guint64 wm1 = i > a ? word_hash (v, i - 1) : 1, wp1 = i + 1 < b ? word_hash (v, i + 1) : 1;
      char buf[WORD_BYTES];
      gsize len = lower (v->text, &v->toks[i], buf);
      guint64 suf3 = dp_seq_hash (T_SUF, buf + (len > 3 ? len - 3 : 0), MIN (len, 3));
      h[k++] = bias;
      h[k++] = w;
      h[k++] = dp_seq_hash_mix (T_WM1, wm1);
      h[k++] = dp_seq_hash_mix (T_WP1, wp1);
      h[k++] = dp_seq_hash_mix (T_WM2, i > a + 1 ? word_hash (v, i - 2) : 1);
      h[k++] = dp_seq_hash_mix (T_WP2, i + 2 < b ? word_hash (v, i + 2) : 1);
      h[k++] = dp_seq_hash_mix (dp_seq_hash_mix (T_BIM, wm1), w);
      h[k++] = dp_seq_hash_mix (dp_seq_hash_mix (T_BIP, w), wp1);
      h[k++] = suf3;
      h[k++] = shape_hash (v, i);
      h[k++] = dp_seq_hash_mix (T_LEX, v->lex_cue[i]);
      h[k++] = dp_seq_hash_mix (dp_seq_hash_mix (T_LEX, v->lex_cue[i]), next_kind (v, i));
      h[k++] = dp_seq_hash_mix (T_ENT, v->ent[i]);
      h[k++] = dp_seq_hash_mix (T_ENTM1, i > a ? v->ent[i - 1] : 1);
      h[k++] = dp_seq_hash_mix (T_ENTP1, i + 1 < b ? v->ent[i + 1] : 1);
      h[k++] = dp_seq_hash_mix (T_QUOTE, v->in_quote[i]);
      h[k++] = dp_seq_hash_mix (dp_seq_hash_mix (T_WQ, w), v->in_quote[i]);
      h[k++] = dp_seq_hash_mix (dp_seq_hash_mix (T_NEXT, w), next_kind (v, i));
      h[k++] = dp_seq_hash_mix (T_POS, MIN (i - a, 3));
      guint32 c = cluster_of (v, i);
      h[k++] = dp_seq_hash_mix (T_CL4, c >> 16);
      h[k++] = dp_seq_hash_mix (T_CL8, c >> 12);
      h[k++] = dp_seq_hash_mix (T_CL12, c >> 8);
      h[k++] = dp_seq_hash_mix (T_CL20, c);
      h[k++] = dp_seq_hash_mix (dp_seq_hash_mix (T_CL8, c >> 12), next_kind (v, i));
      h[k++] = dp_seq_hash_mix (T_CLM1, i > a ? cluster_of (v, i - 1) >> 14 : 1);
      h[k++] = dp_seq_hash_mix (T_CLP1, i + 1 < b ? cluster_of (v, i + 1) >> 14 : 1);
      guint subj = subject_before (v, i, a);
      h[k++] = dp_seq_hash_mix (dp_seq_hash_mix (T_SUBJ, w), subj);
      h[k++] = dp_seq_hash_mix (dp_seq_hash_mix (T_SUBJ, c >> 12), subj);
      h[k++] = dp_seq_hash (T_SUF2, buf + (len > 2 ? len - 2 : 0), MIN (len, 2));
      h[k++] = dp_seq_hash_mix (dp_seq_hash_mix (T_TRI, w), dp_seq_hash_mix (wp1, i + 2 < b ? word_hash (v, i + 2) : 1));
      h[k++] = dp_seq_hash_mix (dp_seq_hash_mix (T_CLW, w), i > a ? cluster_of (v, i - 1) >> 12 : 1);
      h[k++] = dp_seq_hash_mix (dp_seq_hash_mix (T_CLW, w), (i + 1 < b ? cluster_of (v, i + 1) >> 12 : 1) + 3);
      h[k++] = dp_seq_hash_mix (dp_seq_hash_mix (T_SUFN, suf3), next_kind (v, i));
      guint64 stem = dp_seq_hash (T_STEM, buf, stem_len (buf, len));
      h[k++] = stem;
      h[k++] = dp_seq_hash_mix (stem, next_kind (v, i));
      dp_seq_features_add_token (f, h, k);
    }
}

/* ---- the roles tagger -------------------------------------------------------------- */

void
dp_claims_role_window (const DpClaimsView *v, guint cue_first, guint cue_last, guint *lo, guint *hi)
{
  guint s0 = v->tok_sent[cue_first], s1 = v->tok_sent[cue_last];
  /* a cue at the edge of its sentence ("He added:", "…, she said.") may
   * have its content in the next or the previous one */
  if (s0 > 0 && cue_first < v->sents[s0].first_token + ROLE_EDGE)
    s0--;
  if (s1 + 1 < v->n_sents && cue_last + ROLE_EDGE >= v->sents[s1].first_token + v->sents[s1].n_tokens)
    s1++;
  guint a = v->sents[s0].first_token, b = v->sents[s1].first_token + v->sents[s1].n_tokens;
  *lo = MAX (a, cue_first > ROLE_BEFORE ? cue_first - ROLE_BEFORE : 0);
  *hi = MIN (b, cue_last + 1 + ROLE_AFTER);
}

static guint
bucket (guint d)
{
  static const guint8 b[] = { 0, 1, 2, 3, 4, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 7 };
  return d < G_N_ELEMENTS (b) ? b[d] : d <= 25 ? 8 : 9;
}

typedef struct {
  guint dir;          /* 0 before the cue, 1 in it, 2 after */
  guint dist;         /* bucketed */
  guint commas;       /* commas between it and the cue, at most 3 */
  guint marks;        /* quotation marks between, at most 3 */
  guint sent;         /* sentence relative to the cue's, 0..4 */
  guint para;         /* a paragraph break between */
  guint cues;         /* another cue of the lexicon between, at most 1 */
  guint clause;       /* clause starts between (", which", "and" + verb), at most 2 */
} Rel;

/* Whether a clause starts at token @i: a relative pronoun after a comma
 * (", which"), a conjunction before a verb ("and vowed"), a participle after
 * a comma (", arguing").  Where a content after its cue tends to end. */
static gboolean
clause_starts (const DpClaimsView *v, guint i)
{
  static const char *const rel_pronouns[] = { "which", "who", "whom", "whose", "where", "while", NULL };
  gboolean comma = i > 0 && tok_is (v, i - 1, ",");
  if (comma)
    for (guint k = 0; rel_pronouns[k]; k++)
      if (tok_is (v, i, rel_pronouns[k]))
        return TRUE;
  if (!v->pos_model)
    return FALSE;
  if ((tok_is (v, i, "and") || tok_is (v, i, "but")) && i + 1 < v->n && v->tok_sent[i + 1] == v->tok_sent[i])
    {
      guint p = pos_of (v, i + 1);
      return p > 1 && dp_seq_model_tag_name (v->pos_model, p - 2)[0] == 'V';
    }
  if (comma)
    {
      guint p = pos_of (v, i);
      return p > 1 && strcmp (dp_seq_model_tag_name (v->pos_model, p - 2), "VBG") == 0;
    }
  return FALSE;
}

#define N_ROLE_TEMPLATES (R_CLAUSE - R_BIAS + 1)

/* Each roles template conjoined with where the word stands (before, in,
 * after the cue), hashed once per cue window rather than once per feature. */
typedef guint64 RoleBases[3][N_ROLE_TEMPLATES];

static void
role_bases (RoleBases b)
{
  for (guint dir = 0; dir < 3; dir++)
    for (guint t = 0; t < N_ROLE_TEMPLATES; t++)
      b[dir][t] = dp_seq_hash_mix (R_BIAS + t, dir);
}

/* Template @t conjoined with the word's place (@base: its row of RoleBases)
 * and the value @v. */
static inline guint64
rel (const guint64 *base, guint t, guint64 v)
{
  return dp_seq_hash_mix (base[t - R_BIAS], v);
}

static guint
role_token (const DpClaimsView *v, guint i, guint cf, guint cl, const Rel *r, guint64 cue_w, guint64 cue_stem,
            const RoleBases bases, guint64 *h)
{
  const guint64 *base = bases[r->dir];
  guint k = 0;
  guint64 w = word_hash (v, i);
  guint64 dist = r->dist;
  h[k++] = rel (base, R_BIAS, dist);
  h[k++] = rel (base, R_BIAS, 100 + r->commas * 10 + r->marks);
  h[k++] = rel (base, R_SENT, r->sent);
  h[k++] = rel (base, R_PARA, r->para);
  h[k++] = rel (base, R_W, w);
  h[k++] = rel (base, R_W, dp_seq_hash_mix (w, dist));
  h[k++] = rel (base, R_WM1, i > 0 ? word_hash (v, i - 1) : 1);
  h[k++] = rel (base, R_WP1, i + 1 < v->n ? word_hash (v, i + 1) : 1);
  h[k++] = rel (base, R_SHAPE, shape_hash (v, i));
  h[k++] = rel (base, R_SHAPE, dp_seq_hash_mix (shape_hash (v, i), dist));
  h[k++] = rel (base, R_ENT, dp_seq_hash_mix (v->ent[i], MIN (dist, 4)));
  h[k++] = rel (base, R_ENTB, dp_seq_hash_mix (v->ent[i], i > 0 && v->ent[i - 1] == v->ent[i]));
  h[k++] = rel (base, R_QUOTE, v->in_quote[i] * 2 + v->in_quote[cf]);
  h[k++] = rel (base, R_QUOTE, dp_seq_hash_mix (v->in_quote[i], r->marks));
  h[k++] = rel (base, R_CUE, cue_w);
  h[k++] = rel (base, R_CUE, cue_stem);
  h[k++] = rel (base, R_CUEDIST, dp_seq_hash_mix (cue_stem, dist));
  h[k++] = rel (base, R_CUEDIST, dp_seq_hash_mix (cue_w, dist));
  h[k++] = rel (base, R_CUEDIST, dp_seq_hash_mix (cue_w, 100 + r->commas * 10 + r->marks));
  h[k++] = rel (base, R_COMMAS, dp_seq_hash_mix (w, r->commas));
  h[k++] = rel (base, R_LEX, (i < cf || i > cl) ? v->lex_cue[i] : 0);
  h[k++] = rel (base, R_NEXTCUE, dp_seq_hash_mix (cue_w, next_kind (v, cl)));
  guint64 wp1 = i + 1 < v->n ? word_hash (v, i + 1) : 1, wm1 = i > 0 ? word_hash (v, i - 1) : 1;
  h[k++] = rel (base, R_BIGRAM, dp_seq_hash_mix (w, wp1));
  h[k++] = rel (base, R_BIGRAM, dp_seq_hash_mix (wm1, w) + 1);
  h[k++] = rel (base, R_CLUSTER, dp_seq_hash_mix (cluster_of (v, i) >> 12, MIN (dist, 4)));
  h[k++] = rel (base, R_CLUSTER, dp_seq_hash_mix (i + 1 < v->n ? cluster_of (v, i + 1) >> 12 : 1, 77));
  h[k++] = rel (base, R_OTHERCUE, r->cues * 10 + MIN (r->commas, 1));
  h[k++] = rel (base, R_OTHERCUE, dp_seq_hash_mix (w, r->cues));
  if (v->pos_model && r->dir == 2)   /* after the cue: tagged only there, for speed */
    {
      /* parts of speech say where a clause starts (", which" WDT, "and
       * vowed" CC VBD), so where a content ends */
      guint pt = pos_of (v, i), ptp1 = i + 1 < v->n ? pos_of (v, i + 1) : 0, ptm1 = i > 0 ? pos_of (v, i - 1) : 0;
      h[k++] = rel (base, R_PT, dp_seq_hash_mix (pt, MIN (dist, 4)));
      h[k++] = rel (base, R_PTBI, dp_seq_hash_mix (pt, ptp1));
      h[k++] = rel (base, R_PTBI, dp_seq_hash_mix (ptm1, pt) + 7);
      h[k++] = rel (base, R_PTW, dp_seq_hash_mix (w, ptp1));
    }
  h[k++] = rel (base, R_CLAUSE, dp_seq_hash_mix (r->clause, MIN (r->commas, 2)));
  h[k++] = rel (base, R_CLAUSE, dp_seq_hash_mix (w, r->clause) + 1);
  return k;
}

void
dp_claims_role_features (const DpClaimsView *v, guint cf, guint cl, guint lo, guint hi, DpSeqFeatures *f)
{
  dp_seq_features_reset (f);
  guint64 cue_w = dp_seq_hash_mix (word_hash (v, cf), cl > cf ? word_hash (v, cl) : 0);
  char buf[WORD_BYTES];
  gsize len = lower (v->text, &v->toks[cl], buf);   /* the cue's last word: its verb, mostly */
  guint64 cue_stem = dp_seq_hash (T_STEM, buf, stem_len (buf, len)) + 1;
  /* commas, quotation marks and paragraph breaks between each token and the
   * cue: counted outwards from the cue, once */
  guint n = hi - lo;
  /* on the stack for the usual windows (a cue is a few words): this runs
   * once per cue */
  Rel rels_s[ROLE_BEFORE + ROLE_AFTER + 16];
  g_autofree Rel *rels_h = n <= G_N_ELEMENTS (rels_s) ? NULL : g_new (Rel, n);
  Rel *rels = rels_h ? rels_h : rels_s;
  RoleBases bases;
  role_bases (bases);
  guint cs = v->tok_sent[cf];
  for (guint i = cf; i <= cl; i++)
    rels[i - lo] = (Rel) { 1, 0, 0, 0, 2, 0, 0 };
  Rel r = { 0 };
  for (guint i = cf; i-- > lo;)
    {
      r.commas += tok_is (v, i + 1, ",") && r.commas < 3;
      r.marks += v->toks[i + 1].kind == DP_TOKEN_QUOTE && r.marks < 3;
      r.para |= (v->toks[i + 1].flags & DP_TOKEN_FLAG_PARAGRAPH_BEFORE) != 0;
      r.cues |= i + 1 < cf && v->lex_cue[i + 1] != 0;
      rels[i - lo] = (Rel) { 0, bucket (cf - i), r.commas, r.marks, 2 - MIN (cs - v->tok_sent[i], 2), r.para, r.cues };
    }
  r = (Rel) { 0 };
  for (guint i = cl + 1; i < hi; i++)
    {
      r.commas += tok_is (v, i - 1, ",") && i - 1 > cl && r.commas < 3;
      r.marks += v->toks[i - 1].kind == DP_TOKEN_QUOTE && i - 1 > cl && r.marks < 3;
      r.para |= (v->toks[i].flags & DP_TOKEN_FLAG_PARAGRAPH_BEFORE) != 0;
      r.cues |= i - 1 > cl && v->lex_cue[i - 1] != 0;
      r.clause += i - 1 > cl && r.clause < 2 && clause_starts (v, i - 1);
      rels[i - lo] = (Rel) { 2, bucket (i - cl), r.commas, r.marks, 2 + MIN (v->tok_sent[i] - cs, 2), r.para, r.cues,
                             r.clause };
    }
  for (guint i = lo; i < hi; i++)
    {
      guint64 h[MAX_FEATURES];
      guint k = role_token (v, i, cf, cl, &rels[i - lo], cue_w, cue_stem, bases, h);
      dp_seq_features_add_token (f, h, k);
    }
}

/* ---- decoding ---------------------------------------------------------------------- */

/* The segments of one type ("SRC", "CON") in @tags: the hull of them all for
 * content, the one nearest the cue for the source.  Viterbi keeps to BILOU,
 * so a segment is a U, or a B up to its L. */
static gboolean
segment (const DpSeqModel *m, const guint16 *tags, guint lo, guint n, const char *type, guint cf,
         gboolean nearest, guint *first, guint *last)
{
  gboolean found = FALSE;
  guint best = G_MAXUINT;
  for (guint i = 0; i < n; i++)
    {
      const char *name = dp_seq_model_tag_name (m, tags[i]);
      if ((name[0] != 'B' && name[0] != 'U') || strcmp (name + 2, type) != 0)
        continue;
      guint j = i;
      while (name[0] == 'B' && j + 1 < n && dp_seq_model_tag_name (m, tags[j])[0] != 'L')
        j++;
      guint a = lo + i, b = lo + j;
      guint d = b < cf ? cf - b : a - cf;
      if (!nearest)
        {
          *first = found ? *first : a;
          *last = b;
        }
      else if (d < best)
        {
          best = d;
          *first = a;
          *last = b;
        }
      found = TRUE;
      i = j;
    }
  return found;
}

/* "'…,' he said. '…'": a quotation right after the cue and its speaker
 * (a few words of the sentence between, no paragraph break) goes on with the
 * one before it: the index of its quotation, or -1. */
static gint32
continuation (const DpClaimsView *v, const DpClaimsPred *p, gint32 before)
{
  guint from = MAX (p->cue_last, p->src_first <= p->src_last ? p->src_last : 0) + 1;
  for (guint j = from; j < v->n && j <= from + 8; j++)
    {
      if (v->toks[j].flags & DP_TOKEN_FLAG_PARAGRAPH_BEFORE)
        return -1;
      gint32 q = v->quote[j];
      if (q >= 0)
        return q != before && g_array_index (v->quote_spans, DpClaimsQuoteSpan, q).open_tok == j ? q : -1;
    }
  return -1;
}

/* Content that starts or ends inside a quotation takes all of it, marks
 * included, over sentences and paragraphs the window did not reach: the
 * quotation marks say where it ends better than the model can.  Not when the
 * cue itself is inside that quotation (someone quoted as saying "I told
 * them …").  A quotation before the cue takes the one split from it by the
 * cue along, as annotators do. */
static void
extend_to_quotes (const DpClaimsView *v, DpClaimsPred *p)
{
  gint32 qa = v->quote[p->con_first], qb = v->quote[p->con_last], qc = v->quote[p->cue_first];
  /* a quotation other than the cue's does not hold the cue */
  if (qa >= 0 && qa != qc)
    p->con_first = MIN (p->con_first, g_array_index (v->quote_spans, DpClaimsQuoteSpan, qa).open_tok);
  if (qb >= 0 && qb != qc)
    {
      p->con_last = MAX (p->con_last, g_array_index (v->quote_spans, DpClaimsQuoteSpan, qb).close_tok);
      gint32 next;
      if (p->con_last < p->cue_first && qc < 0 && (next = continuation (v, p, qb)) >= 0)
        p->con_last = g_array_index (v->quote_spans, DpClaimsQuoteSpan, next).close_tok;
    }
}

static void
predict_roles (const DpClaimsModel *m, const DpClaimsView *v, guint cf, guint cl, DpSeqFeatures *f,
               GArray *tags, GArray *out)
{
  guint lo, hi;
  dp_claims_role_window (v, cf, cl, &lo, &hi);
  dp_claims_role_features (v, cf, cl, lo, hi, f);
  g_array_set_size (tags, hi - lo);
  dp_seq_model_decode (m->roles, f, (guint16 *) tags->data);
  DpClaimsPred p = { cf, cl, 0, 0, 1, 0 };
  if (!segment (m->roles, (guint16 *) tags->data, lo, hi - lo, "CON", cf, FALSE, &p.con_first, &p.con_last))
    return;
  if (!segment (m->roles, (guint16 *) tags->data, lo, hi - lo, "SRC", cf, TRUE, &p.src_first, &p.src_last))
    p.src_first = 1, p.src_last = 0;
  extend_to_quotes (v, &p);
  g_array_append_val (out, p);
}

void
dp_claims_model_predict_cue (const DpClaimsModel *m, const DpClaimsView *v, guint cf, guint cl, GArray *out)
{
  DpSeqFeatures f;
  dp_seq_features_init (&f);
  g_autoptr (GArray) tags = g_array_new (FALSE, FALSE, sizeof (guint16));
  predict_roles (m, v, cf, cl, &f, tags, out);
  dp_seq_features_clear (&f);
}

/* Tags the cues in tokens [lo, hi) of sentence @s and the roles of each. */
static void
predict_window (const DpClaimsModel *m, const DpClaimsView *v, guint s, guint lo, guint hi, DpSeqFeatures *f,
                GArray *tags, DpSeqFeatures *rf, GArray *role_tags, GArray *out)
{
  dp_claims_cue_features (v, s, lo, hi, f);
  guint n = hi - lo;
  g_array_set_size (tags, n);
  guint16 *t = (guint16 *) tags->data;
  dp_seq_model_decode_biased (m->cue, f, m->cue_bias, t);
  for (guint i = 0; i < n; i++)
    {
      if (t[i] != m->tag_b && t[i] != m->tag_u)
        continue;
      guint j = i;
      while (t[i] == m->tag_b && j + 1 < n && t[j] != m->tag_l)
        j++;
      predict_roles (m, v, lo + i, lo + j, rf, role_tags, out);
      i = j;
    }
}

void
dp_claims_model_predict (const DpClaimsModel *m, const DpClaimsView *v, GArray *out)
{
  DpSeqFeatures f, rf;
  dp_seq_features_init (&f);
  dp_seq_features_init (&rf);
  g_autoptr (GArray) tags = g_array_new (FALSE, FALSE, sizeof (guint16));
  g_autoptr (GArray) role_tags = g_array_new (FALSE, FALSE, sizeof (guint16));
  for (guint s = 0; s < v->n_sents; s++)
    {
      guint a = v->sents[s].first_token, b = a + v->sents[s].n_tokens;
      /* windows of CUE_WINDOW tokens around each trigger, merged, at most
       * CUE_WINDOW_MAX long */
      for (guint i = a; i < b;)
        {
          if (!v->trigger[i])
            {
              i++;
              continue;
            }
          guint lo = i > a + CUE_WINDOW ? i - CUE_WINDOW : a, hi = MIN (b, i + CUE_WINDOW + 1);
          for (guint j = i + 1; j < hi; j++)
            if (v->trigger[j])
              hi = MIN (MIN (b, j + CUE_WINDOW + 1), lo + CUE_WINDOW_MAX);
          predict_window (m, v, s, lo, hi, &f, tags, &rf, role_tags, out);
          i = hi;
        }
    }
  dp_seq_features_clear (&rf);
  dp_seq_features_clear (&f);
}

/* ---- files ------------------------------------------------------------------------- */

static const char bias_key[] = "cue-bias=";

DpClaimsModel *
dp_claims_model_new (DpSeqModel *cue, DpSeqModel *roles, GHashTable *cue_words, float cue_bias)
{
  DpClaimsModel *m = g_new0 (DpClaimsModel, 1);
  m->serial = (guint32) g_atomic_int_add (&model_serials, 1) + 1;
  m->cue = cue;
  m->roles = roles;
  m->cue_words = cue_words;
  m->cue_hashes = g_hash_table_new (g_int64_hash, g_int64_equal);
  m->cue_hash_data = g_new (guint64, g_hash_table_size (cue_words) + 1);
  GHashTableIter it;
  gpointer key;
  guint n = 0;
  g_hash_table_iter_init (&it, cue_words);
  while (g_hash_table_iter_next (&it, &key, NULL))
    {
      const char *w = key;
      m->cue_hash_data[n] = dp_seq_hash (T_W, w, MIN (strlen (w), WORD_BYTES));
      g_hash_table_add (m->cue_hashes, &m->cue_hash_data[n++]);
    }
  m->tag_b = dp_seq_model_tag_index (cue, "B-CUE");
  m->tag_l = dp_seq_model_tag_index (cue, "L-CUE");
  m->tag_u = dp_seq_model_tag_index (cue, "U-CUE");
  m->cue_bias = g_new0 (float, dp_seq_model_n_tags (cue));
  m->cue_bias[m->tag_b] = m->cue_bias[m->tag_u] = cue_bias;
  if (!strstr (dp_seq_model_get_meta (cue), bias_key))
    {
      g_autofree char *meta = g_strdup_printf ("%s%s%s%g\n", dp_seq_model_get_meta (cue),
                                               *dp_seq_model_get_meta (cue) ? "\n" : "", bias_key, cue_bias);
      dp_seq_model_set_meta (cue, meta);
    }
  return m;
}

static gboolean
check_tags (DpSeqModel *m, const char *const *tags, const char *path, GError **error)
{
  guint n = 0;
  for (; tags[n]; n++)
    if (dp_seq_model_tag_index (m, tags[n]) < 0)
      break;
  if (tags[n] == NULL && n == dp_seq_model_n_tags (m))
    return TRUE;
  g_set_error (error, DP_SEQ_ERROR, DP_SEQ_ERROR_FORMAT, "%s: not a claims model (its tags differ)", path);
  return FALSE;
}

static GHashTable *
load_words (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  if (!dp_ner_check_regular_file (path, error) || !g_file_get_contents (path, &data, NULL, error))
    return NULL;
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto (GStrv) lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (lines[i][0] && lines[i][0] != '#')
      g_hash_table_add (set, g_strdup (lines[i]));
  return set;
}

static const char clusters_key[] = "clusters=";
static const char pos_key[] = "pos=";

guint64
dp_claims_pos_fingerprint (const DpSeqModel *pos)
{
  guint64 h = dp_seq_hash (0, dp_seq_model_get_meta (pos), strlen (dp_seq_model_get_meta (pos)));
  h = dp_seq_hash_mix (h, dp_seq_model_n_features (pos));
  for (guint t = 0; t < dp_seq_model_n_tags (pos); t++)
    h = dp_seq_hash_mix (h, dp_seq_hash (1, dp_seq_model_tag_name (pos, t), strlen (dp_seq_model_tag_name (pos, t))));
  return h;
}

void
dp_claims_model_set_pos (DpClaimsModel *m, const DpSeqModel *pos)
{
  m->pos = pos;
  g_autofree char *meta = g_strdup_printf ("%s%s%016" G_GINT64_MODIFIER "x\n", dp_seq_model_get_meta (m->cue), pos_key,
                                           dp_claims_pos_fingerprint (pos));
  dp_seq_model_set_meta (m->cue, meta);
}

/* The POS tagger a model trained with one needs: pos.dpm in @dir, the one it
 * was trained with.  TRUE with *@out NULL for a model trained without. */
static gboolean
load_pos (DpSeqModel *cue, const char *dir, DpSeqModel **out, GError **error)
{
  *out = NULL;
  const char *p = strstr (dp_seq_model_get_meta (cue), pos_key);
  if (!p)
    return TRUE;
  guint64 want = g_ascii_strtoull (p + strlen (pos_key), NULL, 16);
  g_autofree char *path = g_build_filename (dir, "pos.dpm", NULL);
  GError *local = NULL;
  g_autoptr (DpSeqModel) pos = dp_pos_load (path, &local);
  if (!pos)
    {
      g_propagate_prefixed_error (error, local, "the claims model needs its part-of-speech tagger: ");
      return FALSE;
    }
  if (dp_claims_pos_fingerprint (pos) != want)
    {
      g_set_error (error, DP_SEQ_ERROR, DP_SEQ_ERROR_FORMAT,
                   "%s: not the part-of-speech tagger the claims model was trained with", path);
      return FALSE;
    }
  *out = g_steal_pointer (&pos);
  return TRUE;
}

void
dp_claims_model_describe (DpClaimsModel *m, const char *how, const DpClusters *clusters)
{
  g_autofree char *meta = g_strdup_printf ("%s\n%s%s%016" G_GINT64_MODIFIER "x\n", how, dp_seq_model_get_meta (m->cue),
                                           clusters_key, clusters ? dp_clusters_fingerprint (clusters) : 0);
  dp_seq_model_set_meta (m->cue, meta);
}

static gboolean
check_clusters (DpSeqModel *cue, const DpClusters *clusters, const char *path, GError **error)
{
  const char *c = strstr (dp_seq_model_get_meta (cue), clusters_key);
  guint64 want = c ? g_ascii_strtoull (c + strlen (clusters_key), NULL, 16) : 0;
  guint64 have = clusters ? dp_clusters_fingerprint (clusters) : 0;
  if (want == have)
    return TRUE;
  g_set_error (error, DP_SEQ_ERROR, DP_SEQ_ERROR_FORMAT, "%s: %s", path,
               want && have ? "the model was trained with other word clusters than the ones given"
               : want ? "the model was trained with word clusters, but none were given"
               : "the model was trained without word clusters, but some were given (clusters=\"\" for none)");
  return FALSE;
}

/* The cue bias in @cue's meta ("cue-bias=B"; 0 without one).  The meta is
 * the file's to say: a bias decoding cannot add as it is (not a number,
 * infinite, or past DP_SEQ_MAX_BIAS_UNITS once scaled, which would overflow
 * the conversion to the scores' int32) refuses the model. */
static gboolean
read_bias (DpSeqModel *cue, const char *path, float *out, GError **error)
{
  *out = 0;
  const char *meta = dp_seq_model_get_meta (cue), *b = meta;
  /* the key starts a line (dp_claims_model_new writes it so; a training
   * description before it may hold anything) */
  while ((b = strstr (b, bias_key)) && b != meta && b[-1] != '\n')
    b++;
  if (!b)
    return TRUE;
  b += strlen (bias_key);
  g_autofree char *text = g_strstrip (g_strndup (b, strcspn (b, "\n")));
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);
  if (end != text && *end == '\0' && dp_seq_model_bias_fits (cue, v))
    {
      *out = (float) v;
      return TRUE;
    }
  g_autofree char *shown = g_strescape (text, NULL);
  g_set_error (error, DP_SEQ_ERROR, DP_SEQ_ERROR_FORMAT,
               "%s: cue-bias=%s in the model's meta is not a usable bias (a finite number that, in the model's "
               "weight units, is at most %d in absolute value)", path, shown, DP_SEQ_MAX_BIAS_UNITS);
  return FALSE;
}

DpClaimsModel *
dp_claims_model_load (const char *dir, const DpClusters *clusters, GError **error)
{
  g_autofree char *cue_path = g_build_filename (dir, "cue.dpm", NULL);
  g_autofree char *roles_path = g_build_filename (dir, "roles.dpm", NULL);
  g_autofree char *words_path = g_build_filename (dir, "cue-words.txt", NULL);
  g_autoptr (DpSeqModel) cue = dp_seq_model_load (cue_path, error);
  float bias = 0;
  if (!cue || !check_tags (cue, dp_claims_cue_tags, cue_path, error)
      || !check_clusters (cue, clusters, cue_path, error) || !read_bias (cue, cue_path, &bias, error))
    return NULL;
  g_autoptr (DpSeqModel) roles = dp_seq_model_load (roles_path, error);
  if (!roles || !check_tags (roles, dp_claims_role_tags, roles_path, error))
    return NULL;
  g_autoptr (DpSeqModel) pos = NULL;
  if (!load_pos (cue, dir, &pos, error))
    return NULL;
  GHashTable *words = load_words (words_path, error);
  if (!words)
    return NULL;
  DpClaimsModel *m = dp_claims_model_new (g_steal_pointer (&cue), g_steal_pointer (&roles), words, bias);
  m->pos = m->pos_owned = g_steal_pointer (&pos);
  m->clusters = clusters;
  return m;
}

void
dp_claims_model_free (DpClaimsModel *m)
{
  if (!m)
    return;
  dp_seq_model_free (m->cue);
  dp_seq_model_free (m->roles);
  dp_seq_model_free (m->pos_owned);
  g_clear_pointer (&m->cue_words, g_hash_table_unref);
  g_clear_pointer (&m->cue_hashes, g_hash_table_unref);
  g_free (m->cue_hash_data);
  g_free (m->cue_bias);
  g_free (m);
}

static int
str_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

gboolean
dp_claims_model_save (const DpClaimsModel *m, const char *dir, GError **error)
{
  g_autofree char *cue_path = g_build_filename (dir, "cue.dpm", NULL);
  g_autofree char *roles_path = g_build_filename (dir, "roles.dpm", NULL);
  g_autofree char *words_path = g_build_filename (dir, "cue-words.txt", NULL);
  g_autofree char *pos_path = g_build_filename (dir, "pos.dpm", NULL);
  g_autoptr (GPtrArray) words = g_ptr_array_new ();
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, m->cue_words);
  while (g_hash_table_iter_next (&it, &key, NULL))
    g_ptr_array_add (words, key);
  g_ptr_array_sort (words, str_cmp);
  g_autoptr (GString) s = g_string_new ("# words that started a cue in training: sentences without one (or a quotation mark) skip the model\n");
  for (guint i = 0; i < words->len; i++)
    g_string_append_printf (s, "%s\n", (const char *) words->pdata[i]);
  return g_mkdir_with_parents (dir, 0755) == 0
         && dp_seq_model_save (m->cue, cue_path, error) && dp_seq_model_save (m->roles, roles_path, error)
         && (!m->pos || dp_seq_model_save (m->pos, pos_path, error))
         && g_file_set_contents (words_path, s->str, (gssize) s->len, error);
}
