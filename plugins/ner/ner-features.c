/* ner-features.c — NER features: the word and its neighbours, shapes, affixes,
 * position in the sentence, gazetteer membership (with the token's position
 * inside the matched phrase), and what the rest of the document says about
 * the word (is it also written in lower case, or capitalised mid-sentence;
 * which words surround its other occurrences).  Every feature is a hash of a
 * template number and a string, so nothing is allocated per token. */
#include "ner-features.h"

#include <string.h>

enum {
  T_BIAS = 1, T_WORD, T_LOWER, T_SHAPE, T_SHORT_SHAPE, T_PREFIX, T_SUFFIX = T_PREFIX + 4,
  T_PREV = T_SUFFIX + 4, T_NEXT, T_PREV2, T_NEXT2, T_PREV_SHAPE, T_NEXT_SHAPE,
  T_PREV_WORD_PAIR, T_NEXT_WORD_PAIR, T_FIRST_SHAPE, T_GAZ, T_GAZ_PREV, T_GAZ_NEXT,
  T_DOC_FLAG, T_DOC_FLAG_FIRST, T_DOC_PREV, T_DOC_NEXT, T_HISTORY, T_HISTORY_POS,
};

#define MAX_WORD 64
#define DOC_CONTEXTS 4   /* neighbours remembered per word type */
#define DOC_HISTORY 4    /* earlier entity tags remembered per word type */

typedef struct {
  char lower[MAX_WORD];
  guint8 lower_len;
  guint8 shape_len;
  guint8 short_len;
  gboolean capitalised;        /* starts with an upper-case letter */
  char shape[MAX_WORD];        /* Xxxx -> "Xxxx" capped at 4 of a kind */
  char short_shape[16];        /* runs collapsed: "Xx", "X.X.", "d,d" */
  guint64 lower_hash;
} Word;

/* What the document says about one word type (keyed by its lower case). */
enum {
  DOC_LOWER = 1 << 0,          /* also written in lower case */
  DOC_CAP_MID = 1 << 1,        /* capitalised after the first word of a sentence */
  DOC_AFTER_TITLE = 1 << 2,    /* some capitalised occurrence follows a title (Mr., President) */
  DOC_AFTER_FIRST = 1 << 3,    /* … follows a first name */
  DOC_BEFORE_ORG = 1 << 4,     /* … precedes an organisation word (Corp, Ministry) */
  DOC_RUN_FIRST = 1 << 5,      /* … starts a run of capitalised words */
  DOC_RUN_INSIDE = 1 << 6,     /* … is inside or ends such a run */
  DOC_ALONE = 1 << 7,          /* … stands alone: no capitalised neighbour */
  DOC_N_FLAGS = 8
};

typedef struct {
  guint64 key;
  guint32 flags;
  guint32 n_prev, n_next;
  guint64 prev[DOC_CONTEXTS], next[DOC_CONTEXTS];
  guint32 n_history;
  char history[DOC_HISTORY][8];   /* tags given to this word earlier in the document: "B-PER" */
} DocType;

struct _DpNerDoc {
  const DpGazetteer *gaz;
  const char *const *words;
  const gsize *lens;
  guint n;
  const guint32 *sentence_starts;
  guint n_sentences;
  Word *w;
  guint32 *marks;              /* n x 4: gazetteer list bits per position B, I, L, U */
  guint w_size;
  DocType *types;              /* open addressing on lower_hash, 0 = empty */
  guint types_size;            /* a power of two */
};

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
  out->capitalised = len > 0 && g_ascii_isupper (w[0]);
  out->lower_hash = dp_seq_hash (0, out->lower, out->lower_len);
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
  dp_seq_features_add (f, dp_seq_hash_mix (h, b->lower_hash));
}

/* For each token of a sentence, which lists a phrase covering it is on, and
 * where in the phrase it stands (B, I, L, or U for one word). */
static void
gazetteer_marks (const DpGazetteer *gaz, const char *const *words, const gsize *lens, guint n,
                 guint32 *marks /* n x 4 */)
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

static guint32
any_mark (const guint32 *m)
{
  return m[0] | m[1] | m[2] | m[3];
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

/* ---- the document ------------------------------------------------------------ */

DpNerDoc *
dp_ner_doc_new (const DpGazetteer *gaz)
{
  DpNerDoc *doc = g_new0 (DpNerDoc, 1);
  doc->gaz = gaz;
  return doc;
}

void
dp_ner_doc_free (DpNerDoc *doc)
{
  if (!doc)
    return;
  g_free (doc->w);
  g_free (doc->marks);
  g_free (doc->types);
  g_free (doc);
}

static DocType *
doc_type (DpNerDoc *doc, guint64 key)
{
  guint mask = doc->types_size - 1;
  for (guint slot = (guint) key & mask;; slot = (slot + 1) & mask)
    {
      DocType *t = &doc->types[slot];
      if (t->key == key)
        return t;
      if (t->key == 0)
        {
          t->key = key;
          return t;
        }
    }
}

static void
remember (guint64 *list, guint32 *n, guint64 h)
{
  for (guint i = 0; i < *n; i++)
    if (list[i] == h)
      return;
  if (*n < DOC_CONTEXTS)
    list[(*n)++] = h;
}

/* One pass over the document collecting, per word type, the DOC_ flags and
 * the words around its capitalised occurrences. */
static void
collect_types (DpNerDoc *doc)
{
  guint want = 16;
  while (want < doc->n * 2)
    want *= 2;
  if (want > doc->types_size)
    {
      g_free (doc->types);
      doc->types = g_new (DocType, want);
      doc->types_size = want;
    }
  memset (doc->types, 0, doc->types_size * sizeof (DocType));
  for (guint s = 0; s < doc->n_sentences; s++)
    for (guint i = doc->sentence_starts[s]; i < doc->sentence_starts[s + 1]; i++)
      {
        const Word *me = &doc->w[i];
        gboolean first = i == doc->sentence_starts[s];
        gboolean has_prev = !first, has_next = i + 1 < doc->sentence_starts[s + 1];
        DocType *t = doc_type (doc, me->lower_hash);
        if (!me->capitalised)
          {
            if (me->lower_len && g_ascii_islower (me->lower[0]) && doc->words[i][0] == me->lower[0])
              t->flags |= DOC_LOWER;
            continue;
          }
        gboolean cap_prev = has_prev && doc->w[i - 1].capitalised;
        gboolean cap_next = has_next && doc->w[i + 1].capitalised;
        if (!first)
          t->flags |= DOC_CAP_MID;
        if (has_prev && any_mark (doc->marks + (gsize) (i - 1) * 4) & (1u << DP_GAZ_TITLE))
          t->flags |= DOC_AFTER_TITLE;
        if (has_prev && doc->marks[(gsize) (i - 1) * 4 + 3] & (1u << DP_GAZ_FIRST_NAME) && cap_prev)
          t->flags |= DOC_AFTER_FIRST;
        if (has_next && any_mark (doc->marks + (gsize) (i + 1) * 4) & (1u << DP_GAZ_ORG_WORD))
          t->flags |= DOC_BEFORE_ORG;
        if (!first)
          t->flags |= cap_prev ? DOC_RUN_INSIDE : cap_next ? DOC_RUN_FIRST : DOC_ALONE;
        if (has_prev)
          remember (t->prev, &t->n_prev, doc->w[i - 1].lower_hash);
        if (has_next)
          remember (t->next, &t->n_next, doc->w[i + 1].lower_hash);
      }
}

void
dp_ner_doc_set (DpNerDoc *doc, const char *const *words, const gsize *lens, guint n,
                const guint32 *sentence_starts, guint n_sentences)
{
  doc->words = words;
  doc->lens = lens;
  doc->n = n;
  doc->sentence_starts = sentence_starts;
  doc->n_sentences = n_sentences;
  if (n > doc->w_size)
    {
      g_free (doc->w);
      g_free (doc->marks);
      doc->w_size = MAX (n, 2 * doc->w_size);
      doc->w = g_new (Word, doc->w_size);
      doc->marks = g_new (guint32, (gsize) doc->w_size * 4);
    }
  for (guint i = 0; i < n; i++)
    describe (words[i], lens[i], &doc->w[i]);
  for (guint s = 0; s < n_sentences; s++)
    {
      guint a = sentence_starts[s], b = sentence_starts[s + 1];
      gazetteer_marks (doc->gaz, words + a, lens + a, b - a, doc->marks + (gsize) a * 4);
    }
  collect_types (doc);
}

static void
add_doc_features (DpNerDoc *doc, guint i, gboolean first, DpSeqFeatures *out)
{
  const Word *me = &doc->w[i];
  if (!me->capitalised)
    return;
  const DocType *t = doc_type (doc, me->lower_hash);
  for (guint b = 0; b < DOC_N_FLAGS; b++)
    if (t->flags & (1u << b))
      {
        char key = (char) ('a' + b);
        add (out, first ? T_DOC_FLAG_FIRST : T_DOC_FLAG, &key, 1);
      }
  for (guint k = 0; k < t->n_prev; k++)
    dp_seq_features_add (out, dp_seq_hash_mix (T_DOC_PREV, t->prev[k]));
  for (guint k = 0; k < t->n_next; k++)
    dp_seq_features_add (out, dp_seq_hash_mix (T_DOC_NEXT, t->next[k]));
  for (guint k = 0; k < t->n_history; k++)
    {
      const char *tag = t->history[k];
      add (out, T_HISTORY_POS, tag, strlen (tag));
      add (out, T_HISTORY, tag + 2, strlen (tag + 2));
    }
}

void
dp_ner_doc_remember (DpNerDoc *doc, guint s, const guint16 *tags, const char *const *tag_names)
{
  guint a = doc->sentence_starts[s], n = doc->sentence_starts[s + 1] - a;
  for (guint i = 0; i < n; i++)
    {
      const char *tag = tag_names[tags[i]];
      const Word *me = &doc->w[a + i];
      if (!me->capitalised || strlen (tag) < 3 || strlen (tag) >= sizeof doc->types->history[0])
        continue;
      DocType *t = doc_type (doc, me->lower_hash);
      gboolean known = FALSE;
      for (guint k = 0; k < t->n_history && !known; k++)
        known = strcmp (t->history[k], tag) == 0;
      if (!known && t->n_history < DOC_HISTORY)
        strcpy (t->history[t->n_history++], tag);
    }
}

static const Word boundary = { .lower = "<s>", .lower_len = 3, .shape_len = 3, .short_len = 3,
                               .shape = "<s>", .short_shape = "<s>", .lower_hash = 1 };

void
dp_ner_doc_features (DpNerDoc *doc, guint s, DpSeqFeatures *out)
{
  dp_seq_features_reset (out);
  guint a = doc->sentence_starts[s], n = doc->sentence_starts[s + 1] - a;
  const Word *w = doc->w + a;
  const guint32 *marks = doc->marks + (gsize) a * 4;
  for (guint i = 0; i < n; i++)
    {
      const Word *me = &w[i];
      const Word *p1 = i > 0 ? &w[i - 1] : &boundary, *n1 = i + 1 < n ? &w[i + 1] : &boundary;
      const Word *p2 = i > 1 ? &w[i - 2] : &boundary, *n2 = i + 2 < n ? &w[i + 2] : &boundary;
      dp_seq_features_next_token (out);
      add (out, T_BIAS, "", 0);
      add (out, T_WORD, doc->words[a + i], MIN (doc->lens[a + i], MAX_WORD - 1));
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
      add_doc_features (doc, a + i, i == 0, out);
    }
}
