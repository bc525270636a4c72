/* ner-features.c — NER features: the word and its neighbours, shapes, affixes,
 * position in the sentence and gazetteer membership (with the position of
 * the token inside the matched phrase).  Every feature is a hash of a
 * template number and a string, so nothing is allocated per token. */
#include "ner-features.h"

#include <string.h>

enum {
  T_BIAS = 1, T_WORD, T_LOWER, T_SHAPE, T_SHORT_SHAPE, T_PREFIX, T_SUFFIX = T_PREFIX + 4,
  T_PREV = T_SUFFIX + 4, T_NEXT, T_PREV2, T_NEXT2, T_PREV_SHAPE, T_NEXT_SHAPE,
  T_PREV_WORD_PAIR, T_NEXT_WORD_PAIR, T_FIRST_SHAPE, T_GAZ, T_GAZ_PREV, T_GAZ_NEXT,
};

#define MAX_WORD 64

typedef struct {
  char lower[MAX_WORD];
  gsize lower_len;
  char shape[MAX_WORD];        /* Xxxx -> "Xxxx" capped at 4 of a kind */
  gsize shape_len;
  char short_shape[16];        /* runs collapsed: "Xx", "X.X.", "d,d" */
  gsize short_len;
} Word;

static char
char_class (guchar c)
{
  if (g_ascii_isupper (c))
    return 'X';
  if (g_ascii_islower (c) || c >= 0x80)
    return 'x';
  if (g_ascii_isdigit (c))
    return 'd';
  return (char) c;
}

static void
describe (const char *w, gsize len, Word *out)
{
  len = MIN (len, MAX_WORD - 1);
  out->lower_len = out->shape_len = out->short_len = 0;
  char last = 0;
  guint run = 0;
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) w[i];
      out->lower[out->lower_len++] = g_ascii_tolower (c);
      if (c >= 0x80 && (c & 0xC0) == 0x80)
        continue;   /* one class per character, not per byte */
      char k = char_class (c);
      run = k == last ? run + 1 : 1;
      if (run <= 4)
        out->shape[out->shape_len++] = k;
      if (k != last && out->short_len < sizeof out->short_shape - 1)
        out->short_shape[out->short_len++] = k;
      last = k;
    }
}

static void
add (DpSeqFeatures *f, guint32 template_id, const char *s, gsize len)
{
  dp_seq_features_add (f, dp_seq_hash (template_id, s, len));
}

static void
add_pair (DpSeqFeatures *f, guint32 template_id, const Word *a, const Word *b)
{
  guint64 h = dp_seq_hash (template_id, a->lower, a->lower_len);
  dp_seq_features_add (f, dp_seq_hash_mix (h, dp_seq_hash (0, b->lower, b->lower_len)));
}

/* For each token, which lists a phrase covering it is on, and where in the
 * phrase it stands (B, I, L, or U for one word). */
static void
gazetteer_marks (const DpGazetteer *gaz, const char *const *words, const gsize *lens, guint n,
                 guint32 *marks /* n x 4: bits per position B, I, L, U */)
{
  memset (marks, 0, (gsize) n * 4 * sizeof (guint32));
  if (!gaz)
    return;
  for (guint i = 0; i < n; i++)
    for (guint k = 1; k <= DP_GAZ_MAX_WORDS && i + k <= n; k++)
      {
        guint32 bits = dp_gazetteer_lookup (gaz, words + i, lens + i, k);
        if (!bits)
          continue;
        if (k == 1)
          marks[i * 4 + 3] |= bits;
        else
          {
            marks[i * 4 + 0] |= bits;
            for (guint j = i + 1; j + 1 < i + k; j++)
              marks[j * 4 + 1] |= bits;
            marks[(i + k - 1) * 4 + 2] |= bits;
          }
      }
}

static void
add_gazetteer (DpSeqFeatures *f, guint32 template_id, const guint32 *mark)
{
  for (guint pos = 0; pos < 4; pos++)
    for (guint l = 0; l < DP_GAZ_N_LISTS; l++)
      if (mark[pos] & (1u << l))
        {
          char key[2] = { (char) ('A' + l), "BILU"[pos] };
          add (f, template_id, key, 2);
        }
}

static const Word boundary = { "<s>", 3, "<s>", 3, "<s>", 3 };

void
dp_ner_features (const DpGazetteer *gaz, const char *const *words, const gsize *lens, guint n,
                 DpSeqFeatures *out)
{
  dp_seq_features_reset (out);
  if (n == 0)
    return;
  g_autofree Word *w = g_new (Word, n);
  g_autofree guint32 *marks = g_new (guint32, (gsize) n * 4);
  for (guint i = 0; i < n; i++)
    describe (words[i], lens[i], &w[i]);
  gazetteer_marks (gaz, words, lens, n, marks);
  for (guint i = 0; i < n; i++)
    {
      const Word *me = &w[i];
      const Word *p1 = i > 0 ? &w[i - 1] : &boundary, *n1 = i + 1 < n ? &w[i + 1] : &boundary;
      const Word *p2 = i > 1 ? &w[i - 2] : &boundary, *n2 = i + 2 < n ? &w[i + 2] : &boundary;
      dp_seq_features_next_token (out);
      add (out, T_BIAS, "", 0);
      add (out, T_WORD, words[i], MIN (lens[i], MAX_WORD - 1));
      add (out, T_LOWER, me->lower, me->lower_len);
      add (out, T_SHAPE, me->shape, me->shape_len);
      add (out, T_SHORT_SHAPE, me->short_shape, me->short_len);
      for (guint k = 1; k <= 4 && k <= me->lower_len; k++)
        {
          add (out, T_PREFIX + k - 1, me->lower, k);
          add (out, T_SUFFIX + k - 1, me->lower + me->lower_len - k, k);
        }
      add (out, T_PREV, p1->lower, p1->lower_len);
      add (out, T_NEXT, n1->lower, n1->lower_len);
      add (out, T_PREV2, p2->lower, p2->lower_len);
      add (out, T_NEXT2, n2->lower, n2->lower_len);
      add (out, T_PREV_SHAPE, p1->short_shape, p1->short_len);
      add (out, T_NEXT_SHAPE, n1->short_shape, n1->short_len);
      add_pair (out, T_PREV_WORD_PAIR, p1, me);
      add_pair (out, T_NEXT_WORD_PAIR, me, n1);
      if (i == 0)
        add (out, T_FIRST_SHAPE, me->short_shape, me->short_len);
      add_gazetteer (out, T_GAZ, marks + (gsize) i * 4);
      if (i > 0)
        add_gazetteer (out, T_GAZ_PREV, marks + (gsize) (i - 1) * 4);
      if (i + 1 < n)
        add_gazetteer (out, T_GAZ_NEXT, marks + (gsize) (i + 1) * 4);
    }
}
