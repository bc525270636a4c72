/* ner-features.c — NER features: the word and its neighbours, shapes, affixes,
 * position in the sentence, gazetteer membership (with the token's position
 * inside the matched phrase), and what the rest of the document says about
 * the word (is it also written in lower case, or capitalised mid-sentence;
 * which words surround its other occurrences), and, with word clusters,
 * prefixes of the cluster paths of the word and its neighbours.  Every feature is a hash of a
 * template number and a string, so nothing is allocated per token. */
#include "ner-features.h"
#include "names.h"

#include <stdlib.h>
#include <string.h>

enum {
  T_BIAS = 1, T_WORD, T_LOWER, T_SHAPE, T_SHORT_SHAPE, T_PREFIX, T_SUFFIX = T_PREFIX + 4,
  T_PREV = T_SUFFIX + 4, T_NEXT, T_PREV2, T_NEXT2, T_PREV_SHAPE, T_NEXT_SHAPE,
  T_PREV_WORD_PAIR, T_NEXT_WORD_PAIR, T_FIRST_SHAPE, T_GAZ, T_GAZ_PREV, T_GAZ_NEXT,
  T_DOC_FLAG, T_DOC_FLAG_FIRST, T_DOC_PREV, T_DOC_NEXT, T_HISTORY, T_HISTORY_POS,
  T_CLUSTER, T_CLUSTER_PREV, T_CLUSTER_NEXT,
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
  char lower[MAX_WORD];
  guint8 lower_len;
  gboolean capitalised;        /* starts with an upper-case letter */
  /* Hashes of what the features use, computed once per word: a word's
   * strings serve its own features and those of its neighbours. */
  guint64 word_hash, lower_hash, shape_hash, short_hash;
  guint64 prefix[4], suffix[4];   /* lower case, 1 to 4 bytes; 0 if shorter */
  guint32 cluster, cluster_len;   /* the first bits of the cluster path, first highest; 0 bits: none */
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
  DOC_N_FLAGS = 8,             /* the flags above are features; the ones below are not */
  DOC_STARTS_ENTITY = 1 << 8,  /* an entity tagged in the document starts with this word */
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
  const DpClusters *clusters;
  const char *const *words;
  const gsize *lens;
  guint n;
  const guint32 *sentence_starts;
  guint n_sentences;
  Word *w;
  guint32 *marks;              /* n x 4: gazetteer list bits per position B, I, L, U */
  guint w_size;
  guint32 *index;              /* open addressing on lower_hash: 1 + index into types, 0 = empty */
  guint index_mask;            /* slots in use - 1 (a power of two minus one) */
  guint index_size;            /* slots allocated */
  DocType *types;              /* the document's word types, densely */
  guint n_types, types_size;
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
  char shape[MAX_WORD], short_shape[16];
  gsize shape_len = 0, short_len = 0, lower_len = 0;
  char last = 0;
  guint run = 0;
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) w[i];
      out->lower[lower_len++] = dp_name_lower ((char) c);
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
  out->lower_len = (guint8) lower_len;
  out->capitalised = len > 0 && g_ascii_isupper (w[0]);
  out->word_hash = dp_seq_hash (T_WORD, w, len);
  out->lower_hash = dp_gaz_word_hash (w, len);
  out->shape_hash = dp_seq_hash (T_SHAPE, shape, shape_len);
  out->short_hash = dp_seq_hash (T_SHORT_SHAPE, short_shape, short_len);
  for (guint k = 1; k <= 4; k++)
    {
      gboolean fits = k <= lower_len;
      out->prefix[k - 1] = fits ? dp_seq_hash (T_PREFIX + k - 1, out->lower, k) : 0;
      out->suffix[k - 1] = fits ? dp_seq_hash (T_SUFFIX + k - 1, out->lower + lower_len - k, k) : 0;
    }
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
  return doc;
}

void
dp_ner_doc_free (DpNerDoc *doc)
{
  if (!doc)
    return;
  g_free (doc->w);
  g_free (doc->marks);
  g_free (doc->index);
  g_free (doc->types);
  if (doc->tagged)
    g_array_unref (doc->tagged);
  g_free (doc);
}

static DocType *
doc_type (DpNerDoc *doc, guint64 key)
{
  for (guint slot = (guint) key & doc->index_mask;; slot = (slot + 1) & doc->index_mask)
    {
      guint32 i = doc->index[slot];
      if (i && doc->types[i - 1].key == key)
        return &doc->types[i - 1];
      if (!i)
        {
          /* Never full: there are at most as many types as words, and
           * twice as many slots. */
          DocType *t = &doc->types[doc->n_types++];
          memset (t, 0, sizeof *t);
          t->key = key;
          doc->index[slot] = doc->n_types;
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
  if (want > doc->index_size)
    {
      g_free (doc->index);
      doc->index = g_new (guint32, want);
      doc->index_size = want;
    }
  if (doc->n + 1 > doc->types_size)
    {
      g_free (doc->types);
      doc->types_size = MAX (doc->n + 1, 2 * doc->types_size);
      doc->types = g_new (DocType, doc->types_size);
    }
  memset (doc->index, 0, want * sizeof (guint32));
  doc->index_mask = want - 1;
  doc->n_types = 0;
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
    {
      Word *w = &doc->w[i];
      describe (words[i], lens[i], w);
      gsize path_len = 0;
      const char *path = dp_clusters_lookup (doc->clusters, words[i], lens[i], &path_len);
      w->cluster = w->cluster_len = 0;
      for (; path && w->cluster_len < MIN (path_len, MAX_CLUSTER_BITS); w->cluster_len++)
        w->cluster = w->cluster << 1 | (path[w->cluster_len] == '1');
    }
  for (guint s = 0; s < n_sentences; s++)
    {
      guint a = sentence_starts[s], b = sentence_starts[s + 1];
      gazetteer_marks (doc->gaz, doc->w + a, b - a, doc->marks + (gsize) a * 4);
    }
  collect_types (doc);
}

static void
put_doc_features (DpNerDoc *doc, guint i, gboolean first, Buf *b)
{
  const Word *me = &doc->w[i];
  if (!me->capitalised)
    return;
  const DocType *t = doc_type (doc, me->lower_hash);
  for (guint32 bits = t->flags & ((1u << DOC_N_FLAGS) - 1); bits; bits &= bits - 1)
    put (b, first ? T_DOC_FLAG_FIRST : T_DOC_FLAG, (guint64) g_bit_nth_lsf (bits, -1) + 1);
  for (guint k = 0; k < t->n_prev; k++)
    put (b, T_DOC_PREV, t->prev[k]);
  for (guint k = 0; k < t->n_next; k++)
    put (b, T_DOC_NEXT, t->next[k]);
  for (guint k = 0; k < t->n_history; k++)
    {
      const char *tag = t->history[k];
      put_str (b, T_HISTORY_POS, tag, strlen (tag));
      put_str (b, T_HISTORY, tag + 2, strlen (tag + 2));
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

static const Word boundary = { .lower = "<s>", .lower_len = 3, .word_hash = 1, .lower_hash = 1,
                               .shape_hash = 1, .short_hash = 1 };

void
dp_ner_doc_features (DpNerDoc *doc, guint s, DpSeqFeatures *out)
{
  dp_seq_features_reset (out);
  guint a = doc->sentence_starts[s], n = doc->sentence_starts[s + 1] - a;
  const Word *w = doc->w + a;
  const guint32 *marks = doc->marks + (gsize) a * 4;
  Buf b;
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
      put_doc_features (doc, a + i, i == 0, &b);
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
      if (doc->w[i].capitalised && len <= PROPAGATE_MAX_WORDS)
        {
          guint64 chain = doc->w[i].word_hash;
          for (guint k = 1; k < len; k++)
            chain = dp_seq_hash_mix (chain, doc->w[i + k].word_hash);
          Tagged t = { span_key (chain, len), i, len, FALSE };
          g_array_append_val (found, t);
          doc_type (doc, doc->w[i].lower_hash)->flags |= DOC_STARTS_ENTITY;
          *max_len = MAX (*max_len, len);
        }
      i += len;
    }
  g_array_sort (found, by_key);
  Tagged *t = (Tagged *) found->data;
  for (guint k = 1; k < found->len; k++)
    if (t[k].key == t[k - 1].key && memcmp (tags + t[k].first, tags + t[k - 1].first, t[k].len * sizeof *tags))
      {
        for (guint j = k; j > 0 && t[j - 1].key == t[k].key; j--)
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
        if (!doc->w[i].capitalised || tags[i] != 0
            || !(doc_type (doc, doc->w[i].lower_hash)->flags & DOC_STARTS_ENTITY))
          continue;
        guint longest = 0, n = MIN (max_len, doc->sentence_starts[s + 1] - i);
        const Tagged *best = NULL;
        guint64 chain = doc->w[i].word_hash;
        for (guint len = 1; len <= n && tags[i + len - 1] == 0; len++)
          {
            if (len > 1)
              chain = dp_seq_hash_mix (chain, doc->w[i + len - 1].word_hash);
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
