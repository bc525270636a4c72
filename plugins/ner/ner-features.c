/* ner-features.c — NER features: the word and its neighbours, shapes, affixes,
 * position in the sentence, gazetteer membership (with the token's position
 * inside the matched phrase), and what the rest of the document says about
 * the word (is it also written in lower case, or capitalised mid-sentence;
 * which words surround its other occurrences), and, with word clusters,
 * prefixes of the cluster paths of the word and its neighbours.  Every feature is a hash of a
 * template number and a string, so nothing is allocated per token.
 *
 * Memory: what is kept for the whole document is one small record per word
 * type (DocType; a DocContext more for the types written capitalised), not
 * per token.  A sentence's words are described (Word, gazetteer marks) when
 * the sentence is needed, into buffers the size of the longest sentence:
 * once to collect the document's types, once more for its features.  So a
 * document costs about its number of word types plus its longest sentence,
 * and a 60 MB record no longer needs gigabytes.  Beside that, a doc keeps a
 * fixed memo of word descriptions (512 KB) from one document to the next. */
#include "ner-features.h"
#include "names.h"

#include <stdlib.h>
#include <string.h>

enum {
  T_BIAS = 1, T_WORD, T_LOWER, T_SHAPE, T_SHORT_SHAPE, T_PREFIX, T_SUFFIX = T_PREFIX + 4,
  T_PREV = T_SUFFIX + 4, T_NEXT, T_PREV2, T_NEXT2, T_PREV_SHAPE, T_NEXT_SHAPE,
  T_PREV_WORD_PAIR, T_NEXT_WORD_PAIR, T_FIRST_SHAPE, T_GAZ, T_GAZ_PREV, T_GAZ_NEXT,
  T_DOC_FLAG, T_DOC_FLAG_FIRST, T_DOC_PREV, T_DOC_NEXT, T_HISTORY, T_HISTORY_POS,
  T_CLUSTER, T_CLUSTER_PREV, T_CLUSTER_NEXT, T_NEWS_CASE,
  T_SENT_CASE_SHAPE, T_SENT_CASE_CLUSTER,
};

/* Cluster features: prefixes of the word's path, coarse to fine (the whole
 * path when shorter), and one prefix for each neighbour; the first
 * MAX_CLUSTER_BITS bits are packed into an integer once per word. */
#define MAX_CLUSTER_BITS 20
static const guint8 cluster_prefixes[] = { 4, 6, 10, 20 };
#define NEIGHBOUR_CLUSTER_PREFIX 6

#define MAX_WORD 64
#define DOC_CONTEXTS 4   /* neighbours remembered per word type */
#define DOC_HISTORY 4    /* earlier entity tags remembered per word type */

typedef struct {
  gboolean capitalised;        /* starts with an upper-case letter */
  gboolean lower_initial;      /* starts with a lower-case ASCII letter */
  gboolean has_lower;          /* has a lower-case ASCII letter */
  gboolean is_i;               /* the word "I" (or "i"): capitalised anywhere in a sentence */
  /* Hashes of what the features use, computed once per word: a word's
   * strings serve its own features and those of its neighbours. */
  guint64 word_hash, lower_hash, shape_hash, short_hash;
  guint64 prefix[4], suffix[4];   /* lower case, 1 to 4 bytes; 0 if shorter */
  guint32 cluster, cluster_len;   /* the first bits of the cluster path, first highest; 0 bits: none */
  guint8 news_case;               /* how the word is written here and in news, when they differ; 0: the same */
} Word;

/* A word's description remembered by its spelling (words of up to
 * MEMO_WORD bytes), in a direct-mapped table kept from one document to the
 * next: most tokens are words seen before, and describing a word (a dozen
 * hashes) and finding its cluster (three dependent reads in the clusters'
 * tables) cost more than finding it here. */
#define MEMO_WORD 15
#define MEMO_SLOTS 4096
typedef struct {
  Word w;
  guint8 len;                  /* 0: empty */
  char word[MEMO_WORD];
} WordMemo;

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
  DOC_N_FLAGS = 8,             /* the flags above are features; the ones below are not */
  DOC_STARTS_ENTITY = 1 << 8,  /* an entity tagged in the document starts with this word */
};

typedef struct {
  guint64 key;
  guint32 flags;
  guint32 context;             /* 1 + index into the contexts, 0 = none (never capitalised) */
} DocType;

/* What only capitalised types need: the words around them, earlier tags. */
typedef struct {
  guint64 prev[DOC_CONTEXTS], next[DOC_CONTEXTS];
  guint16 history[DOC_HISTORY];   /* tags (indices) given to this word earlier in the document */
  guint8 n_prev, n_next, n_history;
} DocContext;

/* Tags longer than this are not remembered (as when they were kept in 8 bytes). */
#define HISTORY_MAX_TAG 7
/* Tables bigger than this are not kept from one document to the next. */
#define KEEP_TYPES 65536

struct _DpNerDoc {
  const DpGazetteer *gaz;
  const DpClusters *clusters;
  /* The document: words[i] / lens[i], or text + tokens[i] when words is NULL. */
  const char *const *words;
  const gsize *lens;
  const char *text;
  const DpToken *tokens;
  guint n;
  const guint32 *sentence_starts;
  guint n_sentences;
  /* The sentence described in w and marks, and how fully. */
  guint current;
  gboolean current_full;
  Word *w;
  guint32 *marks;              /* x 4 per word: gazetteer list bits per position B, I, L, U */
  guint w_size;
  WordMemo *memo;              /* MEMO_SLOTS */
  guint32 *index;              /* open addressing on lower_hash: 1 + index into types, 0 = empty */
  guint index_mask;            /* slots - 1 (a power of two minus one) */
  DocType *types;              /* the document's word types, densely */
  guint n_types, types_size;
  DocContext *contexts;
  guint n_contexts, contexts_size;
  const char *const *tag_names;   /* from dp_ner_doc_remember(), for the history features */
  GArray *tagged;              /* Tagged, for dp_ner_doc_propagate() */
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

/* Fills @out for a word: lower case, shape (Xxxx capped at 4 of a kind:
 * "Xxxxx" for Larijani), short shape (runs collapsed: "Xx", "X.X.", "d,d"). */
static void
describe (const char *w, gsize len, Word *out)
{
  len = MIN (len, MAX_WORD - 1);
  char lower[MAX_WORD], shape[MAX_WORD], short_shape[16];
  gsize shape_len = 0, short_len = 0, lower_len = 0;
  char last = 0;
  guint run = 0;
  gboolean has_lower = FALSE;
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) w[i];
      has_lower |= g_ascii_islower (c);
      lower[lower_len++] = dp_name_lower ((char) c);
      if (c >= 0x80 && (c & 0xC0) == 0x80)
        continue;   /* one class per character, not per byte */
      char k = char_class (c);
      run = k == last ? run + 1 : 1;
      if (run <= 4)
        shape[shape_len++] = k;
      if (k != last && short_len < sizeof short_shape)
        short_shape[short_len++] = k;
      last = k;
    }
  out->capitalised = len > 0 && g_ascii_isupper (w[0]);
  out->lower_initial = len > 0 && g_ascii_islower (w[0]);
  out->has_lower = has_lower;
  out->is_i = lower_len == 1 && lower[0] == 'i';
  out->word_hash = dp_seq_hash (T_WORD, w, len);
  out->lower_hash = dp_gaz_lower_hash (lower, lower_len);   /* = dp_gaz_word_hash (w, len) */
  out->shape_hash = dp_seq_hash (T_SHAPE, shape, shape_len);
  out->short_hash = dp_seq_hash (T_SHORT_SHAPE, short_shape, short_len);
  for (guint k = 1; k <= 4; k++)
    {
      gboolean fits = k <= lower_len;
      out->prefix[k - 1] = fits ? dp_seq_hash (T_PREFIX + k - 1, lower, k) : 0;
      out->suffix[k - 1] = fits ? dp_seq_hash (T_SUFFIX + k - 1, lower + lower_len - k, k) : 0;
    }
}

/* The case of a spelling: lower-case initial, capitalised, all capitals, other. */
enum { CASE_LOWER = 1, CASE_TITLE, CASE_CAPS, CASE_OTHER, CASE_UNKNOWN };

static guint8
case_class (const char *w, gsize len)
{
  gboolean lower = FALSE;
  for (gsize i = 0; i < len; i++)
    lower |= g_ascii_islower (w[i]);
  if (len && g_ascii_islower (w[0]))
    return CASE_LOWER;
  if (len && g_ascii_isupper (w[0]))
    return lower ? CASE_TITLE : CASE_CAPS;
  return CASE_OTHER;
}

/* A word written otherwise than news writes it ("florida", "LARIJANI",
 * "Regime"), or not among the news words at all: which case here and which
 * there, a name-likeness that does not depend on the case of this text. */
static guint8
news_case (const char *w, gsize len, const char *spelling, gsize spelling_len)
{
  if (spelling && spelling_len == len && memcmp (w, spelling, len) == 0)
    return 0;
  guint8 here = case_class (w, len);
  if (here == CASE_OTHER)
    return 0;
  return (guint8) (here * 8 + (spelling ? case_class (spelling, spelling_len) : CASE_UNKNOWN));
}

/* One token's features, collected before they go to the sequence at once. */
typedef struct {
  guint64 h[256];
  guint n;
} Buf;

/* A feature from a template and a hash the word already has. */
static inline void
put (Buf *b, guint32 template_id, guint64 h)
{
  if (b->n < G_N_ELEMENTS (b->h))
    b->h[b->n++] = dp_seq_hash_mix (h, template_id);
}

/* A feature from a template and a short string. */
static inline void
put_str (Buf *b, guint32 template_id, const char *s, gsize len)
{
  if (b->n < G_N_ELEMENTS (b->h))
    b->h[b->n++] = dp_seq_hash (template_id, s, len);
}

/* For each token of a sentence, which lists a phrase covering it is on, and
 * where in the phrase it stands (B, I, L, or U for one word). */
static void
gazetteer_marks (const DpGazetteer *gaz, const Word *w, guint n, guint32 *marks /* n x 4 */)
{
  memset (marks, 0, (gsize) n * 4 * sizeof (guint32));
  if (!gaz)
    return;
  for (guint i = 0; i < n; i++)
    {
      guint64 h = w[i].lower_hash;
      for (guint k = 1; k <= DP_GAZ_MAX_WORDS && i + k <= n; k++)
        {
          if (k > 1)
            h = dp_gaz_phrase_extend (h, w[i + k - 1].lower_hash);
          gboolean longer;
          guint32 bits = dp_gazetteer_lookup_hash (gaz, h, &longer);
          if (bits && k == 1)
            marks[i * 4 + 3] |= bits;
          else if (bits)
            {
              marks[i * 4 + 0] |= bits;
              for (guint j = i + 1; j + 1 < i + k; j++)
                marks[j * 4 + 1] |= bits;
              marks[(i + k - 1) * 4 + 2] |= bits;
            }
          if (!longer)
            break;
        }
    }
}

static guint32
any_mark (const guint32 *m)
{
  return m[0] | m[1] | m[2] | m[3];
}

/* The path's first @bits bits (all of it when shorter), or nothing. */
static void
put_cluster (Buf *b, guint32 template_id, const Word *w, guint bits)
{
  if (!w->cluster_len)
    return;
  guint32 p = MIN (w->cluster_len, bits);
  put (b, template_id, (guint64) p << 32 | w->cluster >> (w->cluster_len - p));
}

static void
put_gazetteer (Buf *b, guint32 template_id, const guint32 *mark)
{
  for (guint pos = 0; pos < 4; pos++)
    for (guint32 bits = mark[pos]; bits; bits &= bits - 1)
      put (b, template_id, (guint64) (g_bit_nth_lsf (bits, -1) * 4 + pos + 1));
}

/* ---- the document ------------------------------------------------------------ */

DpNerDoc *
dp_ner_doc_new (const DpGazetteer *gaz, const DpClusters *clusters)
{
  DpNerDoc *doc = g_new0 (DpNerDoc, 1);
  doc->gaz = gaz;
  doc->clusters = clusters;
  doc->current = G_MAXUINT;
  doc->memo = g_new0 (WordMemo, MEMO_SLOTS);
  return doc;
}

void
dp_ner_doc_free (DpNerDoc *doc)
{
  if (!doc)
    return;
  g_free (doc->w);
  g_free (doc->marks);
  g_free (doc->memo);
  g_free (doc->index);
  g_free (doc->types);
  g_free (doc->contexts);
  if (doc->tagged)
    g_array_unref (doc->tagged);
  g_free (doc);
}

/* Word @i of the document. */
static inline const char *
word_at (const DpNerDoc *doc, guint i, gsize *len)
{
  if (doc->words)
    {
      *len = doc->lens[i];
      return doc->words[i];
    }
  *len = doc->tokens[i].end - doc->tokens[i].start;
  return doc->text + doc->tokens[i].start;
}

/* ---- word types ---- */

static DocType *
find_type (const DpNerDoc *doc, guint64 key)
{
  for (guint slot = (guint) key & doc->index_mask;; slot = (slot + 1) & doc->index_mask)
    {
      guint32 i = doc->index[slot];
      if (!i)
        return NULL;
      if (doc->types[i - 1].key == key)
        return &doc->types[i - 1];
    }
}

static void
index_insert (DpNerDoc *doc, guint64 key, guint32 value)
{
  guint slot = (guint) key & doc->index_mask;
  while (doc->index[slot])
    slot = (slot + 1) & doc->index_mask;
  doc->index[slot] = value;
}

/* At most half the slots are used, so probes stay short and one is always free. */
static void
grow_index (DpNerDoc *doc)
{
  guint slots = (doc->index_mask + 1) * 2;
  g_free (doc->index);
  doc->index = g_new0 (guint32, slots);
  doc->index_mask = slots - 1;
  for (guint i = 0; i < doc->n_types; i++)
    index_insert (doc, doc->types[i].key, i + 1);
}

/* The type for @key, added if new.  Pointers into the types are only good
 * until the next call. */
static DocType *
ensure_type (DpNerDoc *doc, guint64 key)
{
  DocType *t = find_type (doc, key);
  if (t)
    return t;
  if (doc->n_types == doc->types_size)
    {
      doc->types_size = MAX (1024, 2 * doc->types_size);
      doc->types = g_renew (DocType, doc->types, doc->types_size);
    }
  if (2 * (doc->n_types + 1) > doc->index_mask + 1)
    grow_index (doc);
  t = &doc->types[doc->n_types++];
  *t = (DocType) { .key = key };
  index_insert (doc, key, doc->n_types);
  return t;
}

static DocContext *
context_of (DpNerDoc *doc, DocType *t)
{
  if (!t->context)
    {
      if (doc->n_contexts == doc->contexts_size)
        {
          doc->contexts_size = MAX (256, 2 * doc->contexts_size);
          doc->contexts = g_renew (DocContext, doc->contexts, doc->contexts_size);
        }
      memset (&doc->contexts[doc->n_contexts], 0, sizeof (DocContext));
      t->context = ++doc->n_contexts;
    }
  return &doc->contexts[t->context - 1];
}

/* Empties the tables for a new document, giving back what a big one took. */
static void
reset_types (DpNerDoc *doc)
{
  if (doc->types_size > KEEP_TYPES)
    {
      g_clear_pointer (&doc->types, g_free);
      g_clear_pointer (&doc->contexts, g_free);
      doc->types_size = doc->contexts_size = 0;
    }
  /* Small to start with (most documents have a few hundred types); it
   * doubles as types come, and a big one is not kept for the next document. */
  guint slots = 1024;
  if (!doc->index || doc->index_mask + 1 != slots)
    {
      g_free (doc->index);
      doc->index = g_new (guint32, slots);
      doc->index_mask = slots - 1;
    }
  memset (doc->index, 0, slots * sizeof (guint32));
  doc->n_types = doc->n_contexts = 0;
}

static void
remember (guint64 *list, guint8 *n, guint64 h)
{
  for (guint i = 0; i < *n; i++)
    if (list[i] == h)
      return;
  if (*n < DOC_CONTEXTS)
    list[(*n)++] = h;
}

/* ---- sentences ---- */

/* describe() and the word's cluster. */
static void
describe_fully (const DpNerDoc *doc, const char *word, gsize len, Word *w)
{
  describe (word, len, w);
  gsize path_len = 0, spelling_len = 0;
  const char *spelling = NULL;
  const char *path = dp_clusters_lookup_spelling (doc->clusters, word, len, &path_len, &spelling, &spelling_len);
  w->news_case = doc->clusters ? news_case (word, len, spelling, spelling_len) : 0;
  w->cluster = w->cluster_len = 0;
  for (; path && w->cluster_len < MIN (path_len, MAX_CLUSTER_BITS); w->cluster_len++)
    w->cluster = w->cluster << 1 | (path[w->cluster_len] == '1');
}

/* The memo's slot for a short word, or NULL. */
static WordMemo *
memo_slot (DpNerDoc *doc, const char *word, gsize len)
{
  if (len == 0 || len > MEMO_WORD)
    return NULL;
  return &doc->memo[dp_seq_hash (0, word, len) % MEMO_SLOTS];
}

/* Describes the @n words missing from the memo (@word, @len; sentence
 * positions @at) into doc->w and the memo, their clusters' reads started
 * for all of them at once. */
static void
describe_misses (DpNerDoc *doc, const char *const *word, const gsize *len, const guint *at, guint n)
{
  dp_clusters_warm (doc->clusters, word, len, n);
  for (guint k = 0; k < n; k++)
    {
      Word *w = &doc->w[at[k]];
      describe_fully (doc, word[k], len[k], w);
      WordMemo *slot = memo_slot (doc, word[k], len[k]);
      if (slot)
        {
          slot->w = *w;
          slot->len = (guint8) len[k];
          memcpy (slot->word, word[k], len[k]);
        }
    }
}

/* Describes words [@a, @a + @n) of the document into doc->w: a short
 * word found in the memo (same bytes) as it was the first time, the others
 * afresh.  The memo's slots are found and prefetched a batch of words at a
 * time, before they are read. */
static void
describe_words (DpNerDoc *doc, guint a, guint n)
{
  enum { BATCH = 32 };
  const char *miss_word[BATCH];
  gsize miss_len[BATCH];
  guint miss_at[BATCH], n_miss = 0;
  WordMemo *slot[BATCH];
  for (guint b = 0; b < n; b += BATCH)
    {
      guint end = MIN (n, b + BATCH);
      for (guint i = b; i < end; i++)
        {
          gsize len;
          const char *word = word_at (doc, a + i, &len);
          slot[i - b] = memo_slot (doc, word, len);
          if (slot[i - b])
            __builtin_prefetch (slot[i - b]);
        }
      for (guint i = b; i < end; i++)
        {
          gsize len;
          const char *word = word_at (doc, a + i, &len);
          const WordMemo *m = slot[i - b];
          if (m && m->len == len && memcmp (m->word, word, len) == 0)
            {
              doc->w[i] = m->w;
              continue;
            }
          miss_word[n_miss] = word, miss_len[n_miss] = len, miss_at[n_miss++] = i;
        }
      describe_misses (doc, miss_word, miss_len, miss_at, n_miss);
      n_miss = 0;
    }
}

/* Describes sentence @s into doc->w and doc->marks.  @full: everything the
 * features use; else only what collect_types() needs (case, lower-case hash
 * and the gazetteer marks), which is cheaper. */
static void
load_sentence (DpNerDoc *doc, guint s, gboolean full)
{
  if (doc->current == s && (doc->current_full || !full))
    return;
  guint a = doc->sentence_starts[s], n = doc->sentence_starts[s + 1] - a;
  if (n > doc->w_size)
    {
      g_free (doc->w);
      g_free (doc->marks);
      doc->w_size = MAX (n, 2 * doc->w_size);
      doc->w = g_new (Word, doc->w_size);
      doc->marks = g_new (guint32, (gsize) doc->w_size * 4);
    }
  for (guint i = 0; i < n && !full; i++)
    {
      Word *w = &doc->w[i];
      gsize len;
      const char *word = word_at (doc, a + i, &len);
      len = MIN (len, MAX_WORD - 1);
      w->capitalised = len > 0 && g_ascii_isupper (word[0]);
      w->lower_initial = len > 0 && g_ascii_islower (word[0]);
      w->lower_hash = dp_gaz_word_hash (word, len);
    }
  if (full)
    describe_words (doc, a, n);
  gazetteer_marks (doc->gaz, doc->w, n, doc->marks);
  doc->current = s;
  doc->current_full = full;
}

/* One pass over the document collecting, per word type, the DOC_ flags and
 * the words around its capitalised occurrences. */
static void
collect_types (DpNerDoc *doc)
{
  reset_types (doc);
  for (guint s = 0; s < doc->n_sentences; s++)
    {
      load_sentence (doc, s, FALSE);
      guint n = doc->sentence_starts[s + 1] - doc->sentence_starts[s];
      const Word *w = doc->w;
      const guint32 *marks = doc->marks;
      for (guint i = 0; i < n; i++)
        {
          const Word *me = &w[i];
          gboolean first = i == 0, has_prev = !first, has_next = i + 1 < n;
          DocType *t = ensure_type (doc, me->lower_hash);
          if (!me->capitalised)
            {
              if (me->lower_initial)
                t->flags |= DOC_LOWER;
              continue;
            }
          gboolean cap_prev = has_prev && w[i - 1].capitalised;
          gboolean cap_next = has_next && w[i + 1].capitalised;
          if (!first)
            t->flags |= DOC_CAP_MID;
          if (has_prev && any_mark (marks + (gsize) (i - 1) * 4) & (1u << DP_GAZ_TITLE))
            t->flags |= DOC_AFTER_TITLE;
          if (has_prev && marks[(gsize) (i - 1) * 4 + 3] & (1u << DP_GAZ_FIRST_NAME) && cap_prev)
            t->flags |= DOC_AFTER_FIRST;
          if (has_next && any_mark (marks + (gsize) (i + 1) * 4) & (1u << DP_GAZ_ORG_WORD))
            t->flags |= DOC_BEFORE_ORG;
          if (!first)
            t->flags |= cap_prev ? DOC_RUN_INSIDE : cap_next ? DOC_RUN_FIRST : DOC_ALONE;
          DocContext *c = context_of (doc, t);
          if (has_prev)
            remember (c->prev, &c->n_prev, w[i - 1].lower_hash);
          if (has_next)
            remember (c->next, &c->n_next, w[i + 1].lower_hash);
        }
    }
}

static void
set_document (DpNerDoc *doc, guint n, const guint32 *sentence_starts, guint n_sentences)
{
  doc->n = n;
  doc->sentence_starts = sentence_starts;
  doc->n_sentences = n_sentences;
  doc->current = G_MAXUINT;
  doc->tag_names = NULL;
  /* A long sentence once must not pin its buffers for the documents after. */
  if (doc->w_size > KEEP_TYPES)
    {
      g_clear_pointer (&doc->w, g_free);
      g_clear_pointer (&doc->marks, g_free);
      doc->w_size = 0;
    }
  collect_types (doc);
}

void
dp_ner_doc_set (DpNerDoc *doc, const char *const *words, const gsize *lens, guint n,
                const guint32 *sentence_starts, guint n_sentences)
{
  doc->words = words;
  doc->lens = lens;
  doc->text = NULL;
  doc->tokens = NULL;
  set_document (doc, n, sentence_starts, n_sentences);
}

void
dp_ner_doc_set_tokens (DpNerDoc *doc, const char *text, const DpToken *tokens, guint n,
                       const guint32 *sentence_starts, guint n_sentences)
{
  doc->words = NULL;
  doc->lens = NULL;
  doc->text = text;
  doc->tokens = tokens;
  set_document (doc, n, sentence_starts, n_sentences);
}

static void
put_doc_features (const DpNerDoc *doc, const Word *me, gboolean first, Buf *b)
{
  if (!me->capitalised)
    return;
  const DocType *t = find_type (doc, me->lower_hash);
  if (!t)
    return;
  for (guint32 bits = t->flags & ((1u << DOC_N_FLAGS) - 1); bits; bits &= bits - 1)
    put (b, first ? T_DOC_FLAG_FIRST : T_DOC_FLAG, (guint64) g_bit_nth_lsf (bits, -1) + 1);
  if (!t->context)
    return;
  const DocContext *c = &doc->contexts[t->context - 1];
  for (guint k = 0; k < c->n_prev; k++)
    put (b, T_DOC_PREV, c->prev[k]);
  for (guint k = 0; k < c->n_next; k++)
    put (b, T_DOC_NEXT, c->next[k]);
  for (guint k = 0; k < c->n_history; k++)
    {
      const char *tag = doc->tag_names[c->history[k]];
      put_str (b, T_HISTORY_POS, tag, strlen (tag));
      put_str (b, T_HISTORY, tag + 2, strlen (tag + 2));
    }
}

void
dp_ner_doc_remember (DpNerDoc *doc, guint s, const guint16 *tags, const char *const *tag_names)
{
  guint n = doc->sentence_starts[s + 1] - doc->sentence_starts[s];
  load_sentence (doc, s, FALSE);
  doc->tag_names = tag_names;
  for (guint i = 0; i < n; i++)
    {
      const char *tag = tag_names[tags[i]];
      const Word *me = &doc->w[i];
      gsize tag_len = strlen (tag);
      if (!me->capitalised || tag_len < 3 || tag_len > HISTORY_MAX_TAG)
        continue;
      DocContext *c = context_of (doc, ensure_type (doc, me->lower_hash));
      gboolean known = FALSE;
      for (guint k = 0; k < c->n_history && !known; k++)
        known = c->history[k] == tags[i];
      if (!known && c->n_history < DOC_HISTORY)
        c->history[c->n_history++] = tags[i];
    }
}

/* How a sentence is written: normally (0), without capitals but for its
 * first word and "I" (1: web text, or a sentence that names nothing), or in
 * capitals (2: a headline).  In such sentences the case of a word says little,
 * and the features below let the model learn them apart. */
static guint
sentence_case (const Word *w, guint n)
{
  gboolean any_lower = FALSE, caps_inside = FALSE;
  for (guint i = 0; i < n; i++)
    {
      any_lower |= w[i].has_lower;
      caps_inside |= i > 0 && w[i].capitalised && !w[i].is_i;
    }
  if (!any_lower)
    return 2;
  return caps_inside ? 0 : 1;
}

static const Word boundary = { .word_hash = 1, .lower_hash = 1,
                               .shape_hash = 1, .short_hash = 1 };

void
dp_ner_doc_features (DpNerDoc *doc, guint s, DpSeqFeatures *out)
{
  dp_seq_features_reset (out);
  guint n = doc->sentence_starts[s + 1] - doc->sentence_starts[s];
  load_sentence (doc, s, TRUE);
  const Word *w = doc->w;
  const guint32 *marks = doc->marks;
  Buf b;
  guint sent_case = sentence_case (w, n);
  for (guint i = 0; i < n; i++)
    {
      const Word *me = &w[i];
      const Word *p1 = i > 0 ? &w[i - 1] : &boundary, *n1 = i + 1 < n ? &w[i + 1] : &boundary;
      const Word *p2 = i > 1 ? &w[i - 2] : &boundary, *n2 = i + 2 < n ? &w[i + 2] : &boundary;
      b.n = 0;
      put (&b, T_BIAS, 1);
      put (&b, T_WORD, me->word_hash);
      put (&b, T_LOWER, me->lower_hash);
      put (&b, T_SHAPE, me->shape_hash);
      put (&b, T_SHORT_SHAPE, me->short_hash);
      for (guint k = 0; k < 4 && me->prefix[k]; k++)
        {
          put (&b, T_PREFIX + k, me->prefix[k]);
          put (&b, T_SUFFIX + k, me->suffix[k]);
        }
      put (&b, T_PREV, p1->lower_hash);
      put (&b, T_NEXT, n1->lower_hash);
      put (&b, T_PREV2, p2->lower_hash);
      put (&b, T_NEXT2, n2->lower_hash);
      put (&b, T_PREV_SHAPE, p1->short_hash);
      put (&b, T_NEXT_SHAPE, n1->short_hash);
      put (&b, T_PREV_WORD_PAIR, dp_seq_hash_mix (p1->lower_hash, me->lower_hash));
      put (&b, T_NEXT_WORD_PAIR, dp_seq_hash_mix (me->lower_hash, n1->lower_hash));
      if (i == 0)
        put (&b, T_FIRST_SHAPE, me->short_hash);
      put_gazetteer (&b, T_GAZ, marks + (gsize) i * 4);
      if (i > 0)
        put_gazetteer (&b, T_GAZ_PREV, marks + (gsize) (i - 1) * 4);
      if (i + 1 < n)
        put_gazetteer (&b, T_GAZ_NEXT, marks + (gsize) (i + 1) * 4);
      for (guint k = 0; k < G_N_ELEMENTS (cluster_prefixes); k++)
        {
          put_cluster (&b, T_CLUSTER, me, cluster_prefixes[k]);
          if (me->cluster_len <= cluster_prefixes[k])
            break;
        }
      if (i > 0)
        put_cluster (&b, T_CLUSTER_PREV, p1, NEIGHBOUR_CLUSTER_PREFIX);
      if (i + 1 < n)
        put_cluster (&b, T_CLUSTER_NEXT, n1, NEIGHBOUR_CLUSTER_PREFIX);
      if (me->news_case)
        put (&b, T_NEWS_CASE, me->news_case);
      if (sent_case)
        {
          put (&b, T_SENT_CASE_SHAPE, me->short_hash + sent_case);
          if (me->cluster_len)
            put (&b, T_SENT_CASE_CLUSTER,
                 (guint64) sent_case << 40 | (guint64) MIN (me->cluster_len, 10) << 32
                   | me->cluster >> (me->cluster_len - MIN (me->cluster_len, 10)));
        }
      put_doc_features (doc, me, i == 0, &b);
      dp_seq_features_add_token (out, b.h, b.n);
    }
}

/* ---- consistency -------------------------------------------------------------- */

#define PROPAGATE_MAX_WORDS 6

typedef struct {
  guint64 key;       /* span_key() of the entity's words */
  guint32 first;     /* a word where the entity starts (tags are copied from there) */
  guint32 len;
  gboolean mixed;    /* the same words were tagged differently elsewhere */
} Tagged;

static guint64
span_key (guint64 chain, guint n)
{
  return dp_seq_hash_mix (chain, n);
}

static gint
by_key (gconstpointer a, gconstpointer b)
{
  guint64 x = ((const Tagged *) a)->key, y = ((const Tagged *) b)->key;
  return x < y ? -1 : x > y;
}

/* A word's hashes and case, as describe() makes them, for the passes over
 * the whole document (which keeps no Word per token). */
static gboolean
capitalised_at (const DpNerDoc *doc, guint i)
{
  gsize len;
  const char *w = word_at (doc, i, &len);
  return len > 0 && g_ascii_isupper (w[0]);
}

static guint64
word_hash_at (const DpNerDoc *doc, guint i)
{
  gsize len;
  const char *w = word_at (doc, i, &len);
  return dp_seq_hash (T_WORD, w, MIN (len, MAX_WORD - 1));
}

static guint64
lower_hash_at (const DpNerDoc *doc, guint i)
{
  gsize len;
  const char *w = word_at (doc, i, &len);
  return dp_gaz_word_hash (w, MIN (len, MAX_WORD - 1));
}

/* The entities tagged in the document, sorted by key, the same words with
 * different tags marked mixed; their first words are flagged in the types. */
static GArray *
tagged_entities (DpNerDoc *doc, const guint16 *tags, const char *const *tag_names, guint *max_len)
{
  if (!doc->tagged)
    doc->tagged = g_array_new (FALSE, FALSE, sizeof (Tagged));
  GArray *found = doc->tagged;
  g_array_set_size (found, 0);
  for (guint i = 0; i < doc->n;)
    {
      char c = tag_names[tags[i]][0];
      guint len = 1;
      if (c == 'B')
        while (i + len < doc->n && tag_names[tags[i + len - 1]][0] != 'L')
          len++;
      else if (c != 'U')
        {
          i++;
          continue;
        }
      if (len <= PROPAGATE_MAX_WORDS && capitalised_at (doc, i))
        {
          guint64 chain = word_hash_at (doc, i);
          for (guint k = 1; k < len; k++)
            chain = dp_seq_hash_mix (chain, word_hash_at (doc, i + k));
          Tagged t = { span_key (chain, len), i, len, FALSE };
          g_array_append_val (found, t);
          ensure_type (doc, lower_hash_at (doc, i))->flags |= DOC_STARTS_ENTITY;
          *max_len = MAX (*max_len, len);
        }
      i += len;
    }
  g_array_sort (found, by_key);
  Tagged *t = (Tagged *) found->data;
  for (guint k = 1; k < found->len; k++)
    if (t[k].key == t[k - 1].key && memcmp (tags + t[k].first, tags + t[k - 1].first, t[k].len * sizeof *tags))
      {
        /* Back to the first of these words, or to one marked already (all
         * before it are): linear however often an entity repeats. */
        for (guint j = k; j > 0 && t[j - 1].key == t[k].key && !t[j - 1].mixed; j--)
          t[j - 1].mixed = TRUE;
        t[k].mixed = TRUE;
      }
  return found;
}

void
dp_ner_doc_propagate (DpNerDoc *doc, guint16 *tags, const char *const *tag_names)
{
  guint max_len = 0;
  GArray *found = tagged_entities (doc, tags, tag_names, &max_len);
  for (guint s = 0; s < doc->n_sentences && found->len; s++)
    for (guint i = doc->sentence_starts[s]; i < doc->sentence_starts[s + 1]; i++)
      {
        if (tags[i] != 0 || !capitalised_at (doc, i))
          continue;
        const DocType *type = find_type (doc, lower_hash_at (doc, i));
        if (!type || !(type->flags & DOC_STARTS_ENTITY))
          continue;
        guint longest = 0, n = MIN (max_len, doc->sentence_starts[s + 1] - i);
        const Tagged *best = NULL;
        guint64 chain = word_hash_at (doc, i);
        for (guint len = 1; len <= n && tags[i + len - 1] == 0; len++)
          {
            if (len > 1)
              chain = dp_seq_hash_mix (chain, word_hash_at (doc, i + len - 1));
            Tagged key = { .key = span_key (chain, len) };
            const Tagged *t = bsearch (&key, found->data, found->len, sizeof (Tagged), by_key);
            if (t && !t->mixed)
              best = t, longest = len;
          }
        if (best)
          {
            memcpy (tags + i, tags + best->first, longest * sizeof *tags);
            i += longest - 1;
          }
      }
}

/* ---- entity ends ----------------------------------------------------------------
 *
 * What the model gets wrong on names it has no data for, corrected by what the
 * lists say about the words (the seed articles' "Iran Air" as LOC, "Kim
 * Regime" as PER, "KCNA" as LOC are instances, not the rules' subjects). */

#define PLACE_LISTS (1u << DP_GAZ_COUNTRY | 1u << DP_GAZ_CAPITAL | 1u << DP_GAZ_CITY | 1u << DP_GAZ_SUBDIVISION)
/* Places organisations are named after; the lists of cities and
 * subdivisions hold too many common words ("West", "Central"). */
#define NAMESAKE_LISTS (1u << DP_GAZ_COUNTRY | 1u << DP_GAZ_CAPITAL)
#define NAME_LISTS (1u << DP_GAZ_FIRST_NAME | 1u << DP_GAZ_SURNAME)

static guint32
lists_at (const DpNerDoc *doc, guint i)
{
  return doc->gaz ? dp_gazetteer_lookup_hash (doc->gaz, lower_hash_at (doc, i), NULL) : 0;
}

/* A capitalised word news writes in lower case: its capitalised spelling is
 * not among the clusters' words (seen 3 times or more in news) but its
 * lower-case one is ("Regime", "Government"; not "Brown" or "Rouhani"). */
static gboolean
common_noun_at (const DpNerDoc *doc, guint i)
{
  gsize len;
  const char *w = word_at (doc, i, &len);
  if (!doc->clusters || len < 2 || len >= MAX_WORD || !g_ascii_isupper (w[0]) || !g_ascii_islower (w[1]))
    return FALSE;
  char lower[MAX_WORD];
  for (gsize k = 0; k < len; k++)
    lower[k] = dp_name_lower (w[k]);
  return !dp_clusters_has_spelling (doc->clusters, w, len) && dp_clusters_has_spelling (doc->clusters, lower, len);
}

/* An acronym of three to five capitals ("KCNA", not "U.S." or "UK"), in a
 * sentence not written in capitals (a headline's "BOMBAY" is no acronym). */
static gboolean
acronym_at (const DpNerDoc *doc, guint i, gboolean sentence_has_lower)
{
  gsize len;
  const char *w = word_at (doc, i, &len);
  if (len < 3 || len > 5 || !sentence_has_lower)
    return FALSE;
  for (gsize k = 0; k < len; k++)
    if (!g_ascii_isupper (w[k]))
      return FALSE;
  return TRUE;
}

static gboolean
is_the (const DpNerDoc *doc, guint i)
{
  gsize len;
  const char *w = word_at (doc, i, &len);
  return len == 3 && g_ascii_strncasecmp (w, "the", 3) == 0;
}

static guint16
tag_named (const char *const *tag_names, char bilou, const char *type)
{
  for (guint16 t = 0; tag_names[t]; t++)
    if (tag_names[t][0] == bilou && strcmp (tag_names[t] + 2, type) == 0)
      return t;
  return 0;
}

/* Tags words [@i, @i + @len) as one entity of @type. */
static void
retag (guint16 *tags, guint i, guint len, const char *type, const char *const *tag_names)
{
  if (len == 1)
    {
      tags[i] = tag_named (tag_names, 'U', type);
      return;
    }
  tags[i] = tag_named (tag_names, 'B', type);
  for (guint k = 1; k + 1 < len; k++)
    tags[i + k] = tag_named (tag_names, 'I', type);
  tags[i + len - 1] = tag_named (tag_names, 'L', type);
}

/* Is one of words [@i, @i + @len) an organisation word ("Air", "Bank")? */
static gboolean
has_org_word (const DpNerDoc *doc, guint i, guint len)
{
  for (guint k = i; k < i + len; k++)
    if (lists_at (doc, k) & 1u << DP_GAZ_ORG_WORD)
      return TRUE;
  return FALSE;
}

/* Do words [@i, @i + @len) start a title that goes on after them
 * ("Brigadier" of "Brigadier General"), before @end? */
static gboolean
title_goes_on (const DpNerDoc *doc, guint i, guint len, guint end)
{
  if (!doc->gaz)
    return FALSE;
  guint64 h = lower_hash_at (doc, i);
  for (guint k = 1; k <= DP_GAZ_MAX_WORDS && i + k <= end; k++)
    {
      if (k > 1)
        h = dp_gaz_phrase_extend (h, lower_hash_at (doc, i + k - 1));
      gboolean longer = FALSE;
      guint32 bits = dp_gazetteer_lookup_hash (doc->gaz, h, &longer);
      if (k > len && (bits & 1u << DP_GAZ_TITLE))
        return TRUE;
      if (!longer)
        break;
    }
  return FALSE;
}

/* - A place or person whose name starts with a place and ends with an
 *   organisation word is an organisation named after the place ("Iran Air",
 *   "Korea Development Bank"; not "West Bank").
 * - A person's name of two words or more with an organisation word in it,
 *   not starting with a first name, is an organisation's ("Air Koryo",
 *   "Bank Melli"; not "Tomas Post"): in CoNLL-2003 and UNER train 974 names
 *   with such a word are ORG, 3 PER.
 * - A person's name does not stop inside a title: "Brigadier" of
 *   "Brigadier General Hossein Dehghan" is none.
 * - A name after "the" that ends in a capitalised common noun is no
 *   person's: "the Kim Regime" is PER "Kim" and a noun.  Without the article
 *   the same test would cut surnames that are nouns too ("Mike Pence",
 *   "Lonnie Bunch", "Bin Laden": news has "pence", not "Pence").
 * - A bare acronym on no list of places is not a place ("KCNA"); country
 *   codes ("USA", "DPRK") are on the countries list. */
static void
fix_entity (const DpNerDoc *doc, guint16 *tags, guint i, guint len, guint end, gboolean sentence_has_lower,
            gboolean after_the, const char *const *tag_names)
{
  const char *type = tag_names[tags[i]] + 2;
  gboolean per = strcmp (type, "PER") == 0, loc = strcmp (type, "LOC") == 0;
  guint last = i + len - 1;
  if ((per || loc) && len >= 2 && (lists_at (doc, i) & NAMESAKE_LISTS)
      && (lists_at (doc, last) & 1u << DP_GAZ_ORG_WORD))
    retag (tags, i, len, "ORG", tag_names);
  else if (per && len >= 2 && !(lists_at (doc, i) & 1u << DP_GAZ_FIRST_NAME) && has_org_word (doc, i, len))
    retag (tags, i, len, "ORG", tag_names);
  else if (per && title_goes_on (doc, i, len, end))
    memset (tags + i, 0, len * sizeof *tags);
  else if (per && len >= 2 && after_the && !(lists_at (doc, last) & NAME_LISTS) && common_noun_at (doc, last))
    {
      retag (tags, i, len - 1, "PER", tag_names);
      tags[last] = 0;
    }
  else if (loc && len == 1 && acronym_at (doc, i, sentence_has_lower) && !(lists_at (doc, i) & PLACE_LISTS))
    retag (tags, i, 1, "ORG", tag_names);
}

void
dp_ner_doc_fix_entities (DpNerDoc *doc, guint16 *tags, const char *const *tag_names)
{
  if (!tag_named (tag_names, 'U', "ORG") || !tag_named (tag_names, 'U', "PER"))
    return;   /* a model of other types */
  for (guint s = 0; s < doc->n_sentences; s++)
    {
      guint end = doc->sentence_starts[s + 1];
      gboolean has_lower = FALSE;
      for (guint i = doc->sentence_starts[s]; i < end && !has_lower; i++)
        {
          gsize len;
          const char *w = word_at (doc, i, &len);
          has_lower = len > 0 && g_ascii_islower (w[0]);
        }
      for (guint i = doc->sentence_starts[s]; i < end;)
        {
          char c = tag_names[tags[i]][0];
          guint len = 1;
          if (c == 'B')
            while (i + len < end && tag_names[tags[i + len - 1]][0] != 'L')
              len++;
          if (c == 'B' || c == 'U')
            fix_entity (doc, tags, i, len, end, has_lower, i > doc->sentence_starts[s] && is_the (doc, i - 1), tag_names);
          i += len;
        }
    }
}
