/* pos.c — the claims model's part-of-speech tagger (see pos.h): features,
 * tagging one token, loading, and training on CoNLL-2003 columns. */
#include "pos.h"

#include "cues.h"
#include "files.h"

#include <string.h>

#define POS_WORD_BYTES 40
#define POS_META "pos-tagger"

enum { P_BIAS = 200, P_W, P_WM1, P_WP1, P_WM2, P_WP2, P_SUF1, P_SUF2, P_SUF3, P_SUF4, P_SHAPE, P_BIM, P_BIP, P_FIRST };

/* The lower-cased word (its first POS_WORD_BYTES bytes) in @buf. */
static gsize
lower_word (const DpPosWord *w, char *buf)
{
  gsize len = MIN (w->len, POS_WORD_BYTES);
  for (gsize i = 0; i < len; i++)
    buf[i] = dp_cue_ascii_lower (w->s[i]);
  return len;
}

static guint64
word_hash (guint32 t, const DpPosWord *w)
{
  char buf[POS_WORD_BYTES];
  return w->len ? dp_seq_hash (t, buf, lower_word (w, buf)) : dp_seq_hash (t, "<none>", 6);
}

/* Capitals, digits, hyphens and the first byte of punctuation: "Xx", "x-x",
 * "d", "X.", ... with repeats squeezed. */
static guint64
shape (const DpPosWord *w)
{
  char buf[8];
  gsize n = 0;
  for (gsize i = 0; i < w->len && n < sizeof buf; i++)
    {
      guchar ch = (guchar) w->s[i];
      char c = g_ascii_isupper (ch) ? 'X' : g_ascii_islower (ch) ? 'x' : g_ascii_isdigit (ch) ? 'd'
               : ch >= 0x80 ? 'u' : (char) ch;
      if (n == 0 || buf[n - 1] != c)
        buf[n++] = c;
    }
  return dp_seq_hash (P_SHAPE, buf, n);
}

guint
dp_pos_features (const DpPosWord win[DP_POS_WINDOW], guint64 *h)
{
  const DpPosWord *w = &win[2];
  char buf[POS_WORD_BYTES];
  gsize len = lower_word (w, buf);
  guint k = 0;
  guint64 wh = word_hash (P_W, w), wm1 = word_hash (P_WM1, &win[1]), wp1 = word_hash (P_WP1, &win[3]);
  h[k++] = dp_seq_hash (P_BIAS, "", 0);
  h[k++] = wh;
  h[k++] = wm1;
  h[k++] = wp1;
  h[k++] = word_hash (P_WM2, &win[0]);
  h[k++] = word_hash (P_WP2, &win[4]);
  h[k++] = dp_seq_hash_mix (dp_seq_hash_mix (P_BIM, wm1), wh);
  h[k++] = dp_seq_hash_mix (dp_seq_hash_mix (P_BIP, wh), wp1);
  static const guint32 suf[] = { P_SUF1, P_SUF2, P_SUF3, P_SUF4 };
  for (gsize n = 1; n <= 4 && n <= len; n++)
    h[k++] = dp_seq_hash (suf[n - 1], buf + len - n, n);
  guint64 sh = shape (w);
  h[k++] = sh;
  h[k++] = dp_seq_hash_mix (dp_seq_hash_mix (P_FIRST, sh), win[1].len == 0);
  return k;
}

guint16
dp_pos_tag (const DpSeqModel *pos, const DpPosWord win[DP_POS_WINDOW], DpSeqFeatures *scratch)
{
  guint64 h[DP_POS_MAX_FEATURES];
  guint k = dp_pos_features (win, h);
  dp_seq_features_reset (scratch);
  dp_seq_features_add_token (scratch, h, k);
  guint16 tag = 0;
  dp_seq_model_decode (pos, scratch, &tag);
  return tag;
}

DpSeqModel *
dp_pos_load (const char *path, GError **error)
{
  if (!dp_ner_check_regular_file (path, error))
    return NULL;
  g_autoptr (DpSeqModel) m = dp_seq_model_load (path, error);
  if (!m)
    return NULL;
  if (!g_str_has_prefix (dp_seq_model_get_meta (m), POS_META) || dp_seq_model_tag_index (m, "NN") < 0
      || dp_seq_model_tag_index (m, "VB") < 0 || dp_seq_model_tag_index (m, "IN") < 0)
    {
      g_set_error (error, DP_SEQ_ERROR, DP_SEQ_ERROR_FORMAT, "%s: not a part-of-speech model", path);
      return NULL;
    }
  return g_steal_pointer (&m);
}

/* ---- CoNLL columns ---------------------------------------------------------------- */

typedef struct {
  GPtrArray *words, *tags;   /* char*, per token; NULL words end sentences */
} Conll;

static void
conll_clear (Conll *c)
{
  g_clear_pointer (&c->words, g_ptr_array_unref);
  g_clear_pointer (&c->tags, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Conll, conll_clear)

/* Penn Treebank's tags, a few merged so that there are at most 32 (the
 * decoder's fast path; the claims model needs no finer): punctuation other
 * than , . : is SYM; FW NN; UH and LS SYM; PDT DT; WP$ WP; RBS RBR; JJS
 * JJR; EX PRP. */
static const char *
pos_tag_name (const char *tag)
{
  static const char *const map[][2] = {
    { "(", "SYM" }, { ")", "SYM" }, { "\"", "SYM" }, { "''", "SYM" }, { "``", "SYM" }, { "$", "SYM" }, { "#", "SYM" },
    { "LS", "SYM" }, { "UH", "SYM" }, { "NN|SYM", "SYM" }, { "FW", "NN" }, { "PDT", "DT" }, { "WP$", "WP" },
    { "RBS", "RBR" }, { "JJS", "JJR" }, { "EX", "PRP" } };
  for (gsize k = 0; k < G_N_ELEMENTS (map); k++)
    if (strcmp (tag, map[k][0]) == 0)
      return map[k][1];
  return tag;
}

static gboolean
conll_read (const char *path, Conll *c, GError **error)
{
  g_autofree char *data = NULL;
  if (!dp_ner_check_regular_file (path, error) || !g_file_get_contents (path, &data, NULL, error))
    return FALSE;
  c->words = g_ptr_array_new_with_free_func (g_free);
  c->tags = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_strchomp (lines[i]);
      if (!lines[i][0] || g_str_has_prefix (lines[i], "-DOCSTART-"))
        {
          if (c->words->len && c->words->pdata[c->words->len - 1])
            {
              g_ptr_array_add (c->words, NULL);
              g_ptr_array_add (c->tags, NULL);
            }
          continue;
        }
      g_auto (GStrv) cols = g_strsplit_set (lines[i], " \t", 3);
      if (!cols[0] || !cols[1] || !cols[0][0] || !cols[1][0])
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: expected a word and its POS tag", path, i + 1);
          return FALSE;
        }
      g_ptr_array_add (c->words, g_strdup (cols[0]));
      g_ptr_array_add (c->tags, g_strdup (pos_tag_name (cols[1])));
    }
  if (c->words->len && c->words->pdata[c->words->len - 1])
    {
      g_ptr_array_add (c->words, NULL);
      g_ptr_array_add (c->tags, NULL);
    }
  return TRUE;
}

/* The window of token @i of the sentence that ends before the NULL after it. */
static void
conll_window (const Conll *c, guint i, guint sent_first, DpPosWord win[DP_POS_WINDOW])
{
  for (int d = -2; d <= 2; d++)
    {
      gint64 j = (gint64) i + d;
      const char *w = j >= (gint64) sent_first && j < (gint64) c->words->len ? c->words->pdata[j] : NULL;
      if (d == 2 && !win[3].len)
        w = NULL;   /* past the sentence's end */
      win[d + 2] = (DpPosWord) { w, w ? strlen (w) : 0 };
    }
}

static int
str_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

DpSeqModel *
dp_pos_train (const char *conll_path, guint epochs, guint32 seed, guint min_count, GError **error)
{
  g_auto (Conll) c = { 0 };
  if (!conll_read (conll_path, &c, error))
    return NULL;
  /* the tags, sorted, so that the same data gives the same file */
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < c.tags->len; i++)
    if (c.tags->pdata[i])
      g_hash_table_add (seen, c.tags->pdata[i]);
  if (g_hash_table_size (seen) == 0 || g_hash_table_size (seen) > G_MAXUINT16)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: no tagged words", conll_path);
      return NULL;
    }
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init (&it, seen);
  while (g_hash_table_iter_next (&it, &key, NULL))
    g_ptr_array_add (names, key);
  g_ptr_array_sort (names, str_cmp);
  g_autoptr (GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint t = 0; t < names->len; t++)
    g_hash_table_insert (index, names->pdata[t], GUINT_TO_POINTER (t));
  g_ptr_array_add (names, NULL);
  g_autoptr (DpSeqTrainer) tr = dp_seq_trainer_new ((const char *const *) names->pdata);
  DpSeqFeatures f;
  dp_seq_features_init (&f);
  for (guint i = 0, first = 0; i < c.words->len; i++)
    {
      if (!c.words->pdata[i])
        {
          first = i + 1;
          continue;
        }
      DpPosWord win[DP_POS_WINDOW];
      conll_window (&c, i, first, win);
      guint64 h[DP_POS_MAX_FEATURES];
      guint k = dp_pos_features (win, h);
      dp_seq_features_reset (&f);
      dp_seq_features_add_token (&f, h, k);
      guint16 gold = (guint16) GPOINTER_TO_UINT (g_hash_table_lookup (index, c.tags->pdata[i]));
      dp_seq_trainer_add (tr, &f, &gold);
    }
  dp_seq_features_clear (&f);
  DpSeqModel *m = dp_seq_trainer_train (tr, epochs, seed, min_count, NULL, NULL);
  g_autofree char *base = g_path_get_basename (conll_path);
  g_autofree char *meta = g_strdup_printf ("%s: per-token Penn Treebank tags, trained on the POS column of %s "
                                           "(%u tokens): epochs=%u seed=%u min-count=%u",
                                           POS_META, base, dp_seq_trainer_n_sequences (tr), epochs, seed, min_count);
  dp_seq_model_set_meta (m, meta);
  return m;
}

double
dp_pos_accuracy (const DpSeqModel *pos, const char *conll_path, GError **error)
{
  g_auto (Conll) c = { 0 };
  if (!conll_read (conll_path, &c, error))
    return -1;
  DpSeqFeatures f;
  dp_seq_features_init (&f);
  guint right = 0, all = 0;
  for (guint i = 0, first = 0; i < c.words->len; i++)
    {
      if (!c.words->pdata[i])
        {
          first = i + 1;
          continue;
        }
      DpPosWord win[DP_POS_WINDOW];
      conll_window (&c, i, first, win);
      guint16 t = dp_pos_tag (pos, win, &f);
      right += strcmp (dp_seq_model_tag_name (pos, t), c.tags->pdata[i]) == 0;
      all++;
    }
  dp_seq_features_clear (&f);
  return all ? (double) right / all : 0;
}
