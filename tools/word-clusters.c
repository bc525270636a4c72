/* word-clusters.c — Brown word clusters from unlabeled text, for the NER's
 * cluster features (plugins/ner/clusters.c reads the output).
 *
 *   word-clusters [--clusters C] [--min-count K] [--max-vocab V] [--source TEXT]
 *                 [--jsonl FILE]... [--conll FILE]... --out FILE
 *
 * plugins/ner/data/clusters.txt was built from the project root with
 *
 *   cmake --build build --target word-clusters
 *   nice build/bin/word-clusters -c 1000 -k 3 --jsonl ../shared/data/corpus/news.jsonl \
 *        --conll ../shared/data/ner/conll2003/train.iob2 -o plugins/ner/data/clusters.txt \
 *        --source "..."   (the text in the file's header)
 *
 * in about eight minutes on one core.  Never give it text that a tagger is
 * scored on (CoNLL dev or test): the clusters would leak it.
 *
 * --jsonl files hold one JSON object per line whose "text" member is tokenized
 * and split into sentences with docpipe's own tokenizer (the one the NER stage
 * sees); --conll files are already tokenized (first column, blank line between
 * sentences, -DOCSTART- lines skipped; labels are never read).
 *
 * The algorithm is the windowed agglomerative clustering of Brown et al.
 * (1992) in the form Liang (2005) describes.  Words are sorted by frequency;
 * the C most frequent start as clusters of their own; every further word is
 * added as cluster C+1 and then the pair of clusters whose merge loses the
 * least mutual information between adjacent clusters is merged.  When every
 * word is in, the C clusters are merged down to one, and those last merges
 * are the hierarchy: a cluster's bit string is its path from the root (0 for
 * the first, 1 for the second of each merged pair).  Words in one of the C
 * clusters share its bit string.
 *
 * Bigrams do not cross sentence boundaries or words below the vocabulary
 * cut-off.  Probabilities use fixed marginals (each word's counts as left and
 * right member of a bigram over the whole vocabulary), so adding a word never
 * changes the terms of the clusters already present.  Words never next to
 * another kept word get no cluster (any would be an arbitrary tie).  The same
 * input and settings give the same file.
 *
 * Speed: each step costs O(C^2).  The merge loss of a pair (i, j) is kept as
 * u(i) + u(j) + M(i,j): the per-cluster parts u absorb every change that is
 * separable, so after a merge only the pairs touching the neighbours of the
 * sparser of the two merged clusters need their M updated, and after adding a
 * word only the pairs touching its neighbours.  --check N recomputes every
 * loss from scratch each N steps and prints the largest drift (for testing).
 *
 * Output: a '#' header (source, command, settings), then `bits<TAB>word` lines
 * in decreasing word frequency, so the first line for a lower-cased form is
 * its most frequent spelling.
 */
#include <docpipe/tokens.h>
#include <json-glib/json-glib.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BREAK G_MAXUINT32
#define MAX_WORD_BYTES 63   /* longer words get no cluster: the features cap words there */

static char **opt_jsonl, **opt_conll, *opt_out, *opt_source;
static gint opt_clusters = 500, opt_min_count = 3, opt_max_vocab = 100000, opt_check = 0;

static const GOptionEntry entries[] = {
  { "jsonl", 'j', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_jsonl, "JSON lines with a \"text\" member (repeatable)", "FILE" },
  { "conll", 'n', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_conll, "Words of a CoNLL file, first column (repeatable)", "FILE" },
  { "out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out, "Where to write the clusters", "FILE" },
  { "source", 0, 0, G_OPTION_ARG_STRING, &opt_source, "What the text is, for the header (provenance, licence)", "TEXT" },
  { "clusters", 'c', 0, G_OPTION_ARG_INT, &opt_clusters, "Number of clusters C (default 500)", "C" },
  { "min-count", 'k', 0, G_OPTION_ARG_INT, &opt_min_count, "Cluster words seen at least K times (default 3)", "K" },
  { "max-vocab", 'v', 0, G_OPTION_ARG_INT, &opt_max_vocab, "At most the V most frequent words (default 100000)", "V" },
  { "check", 0, 0, G_OPTION_ARG_INT, &opt_check, "Every N steps, check the incremental losses (slow)", "N" },
  { NULL }
};

/* ---- reading the corpus ------------------------------------------------------ */

typedef struct {
  GHashTable *ids;      /* word -> id + 1 */
  GPtrArray *words;     /* id -> word */
  GArray *counts;       /* id -> guint64 */
  GArray *text;         /* guint32 ids, BREAK between sentences */
  guint64 n_tokens;
} Corpus;

static void
corpus_add (Corpus *c, const char *w, gsize len)
{
  if (len == 0 || len > MAX_WORD_BYTES)
    {
      guint32 brk = BREAK;
      g_array_append_val (c->text, brk);
      return;
    }
  char key[MAX_WORD_BYTES + 1];
  memcpy (key, w, len);
  key[len] = '\0';
  guint32 id = GPOINTER_TO_UINT (g_hash_table_lookup (c->ids, key));
  if (id == 0)
    {
      char *copy = g_strdup (key);
      g_ptr_array_add (c->words, copy);
      guint64 zero = 0;
      g_array_append_val (c->counts, zero);
      id = c->words->len;
      g_hash_table_insert (c->ids, copy, GUINT_TO_POINTER (id));
    }
  id--;
  g_array_index (c->counts, guint64, id)++;
  g_array_append_val (c->text, id);
  c->n_tokens++;
}

static void
corpus_break (Corpus *c)
{
  guint32 brk = BREAK;
  if (c->text->len && g_array_index (c->text, guint32, c->text->len - 1) != BREAK)
    g_array_append_val (c->text, brk);
}

static gboolean
read_jsonl (Corpus *c, const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize size;
  if (!g_file_get_contents (path, &data, &size, error))
    return FALSE;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GArray) tokens = g_array_new (FALSE, FALSE, sizeof (DpToken));
  g_autoptr (GArray) sentences = g_array_new (FALSE, FALSE, sizeof (DpSentence));
  guint line_no = 0;
  for (char *line = data, *next; line && *line; line = next)
    {
      line_no++;
      char *nl = strchr (line, '\n');
      next = nl ? nl + 1 : NULL;
      if (nl)
        *nl = '\0';
      if (!*line)
        continue;
      g_autoptr (GError) local = NULL;
      if (!json_parser_load_from_data (parser, line, -1, &local))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s:%u: %s", path, line_no, local->message);
          return FALSE;
        }
      JsonNode *root = json_parser_get_root (parser);
      JsonObject *obj = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
      const char *text = obj && json_object_has_member (obj, "text")
                         ? json_object_get_string_member_with_default (obj, "text", NULL) : NULL;
      if (!text)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s:%u: no \"text\" string", path, line_no);
          return FALSE;
        }
      gsize len = strlen (text);
      g_array_set_size (tokens, 0);
      g_array_set_size (sentences, 0);
      dp_tokenize (text, len, tokens);
      dp_split_sentences (text, len, (const DpToken *) tokens->data, tokens->len, sentences);
      for (guint s = 0; s < sentences->len; s++)
        {
          const DpSentence *sent = &g_array_index (sentences, DpSentence, s);
          for (guint32 k = sent->first_token; k < sent->first_token + sent->n_tokens; k++)
            {
              const DpToken *t = &g_array_index (tokens, DpToken, k);
              corpus_add (c, text + t->start, t->end - t->start);
            }
          corpus_break (c);
        }
    }
  return TRUE;
}

static gboolean
read_conll (Corpus *c, const char *path, GError **error)
{
  g_autofree char *data = NULL;
  if (!g_file_get_contents (path, &data, NULL, error))
    return FALSE;
  for (char *line = data, *next; line && *line; line = next)
    {
      char *nl = strchr (line, '\n');
      next = nl ? nl + 1 : NULL;
      if (nl)
        *nl = '\0';
      gsize len = strcspn (line, " \t\r");
      if (len == 0)
        corpus_break (c);
      else if (!g_str_has_prefix (line, "-DOCSTART-"))
        corpus_add (c, line, len);
    }
  corpus_break (c);
  return TRUE;
}

/* ---- the vocabulary and its bigrams ------------------------------------------ */

typedef struct {
  guint32 other;
  guint32 count;
} Neighbour;

typedef struct {
  guint V;                  /* words, most frequent first */
  char **words;             /* borrowed from the corpus */
  guint64 *counts;
  double *left_total;       /* bigrams with the word on the left */
  double *right_total;      /* ... on the right */
  guint32 *right_start;     /* word w's right neighbours: right[right_start[w] .. right_start[w+1]) */
  Neighbour *right;
  guint32 *left_start;
  Neighbour *left;
  guint64 n_bigrams;
} Vocab;

static const guint64 *sort_counts;
static char **sort_words;

static int
by_frequency (const void *a, const void *b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  if (sort_counts[x] != sort_counts[y])
    return sort_counts[x] > sort_counts[y] ? -1 : 1;
  return strcmp (sort_words[x], sort_words[y]);
}

static int
by_u64 (const void *a, const void *b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return x < y ? -1 : x > y;
}

/* Sorted (first << 32 | second) keys -> CSR lists indexed by first. */
static void
build_lists (guint64 *keys, gsize n, guint V, guint32 **start_out, Neighbour **list_out, double *totals)
{
  qsort (keys, n, sizeof *keys, by_u64);
  guint32 *start = g_new0 (guint32, V + 1);
  GArray *list = g_array_new (FALSE, FALSE, sizeof (Neighbour));
  for (gsize i = 0; i < n;)
    {
      gsize j = i;
      while (j < n && keys[j] == keys[i])
        j++;
      Neighbour nb = { (guint32) keys[i], (guint32) (j - i) };
      guint32 first = (guint32) (keys[i] >> 32);
      g_array_append_val (list, nb);
      start[first + 1]++;
      totals[first] += (double) (j - i);
      i = j;
    }
  for (guint w = 0; w < V; w++)
    start[w + 1] += start[w];
  *start_out = start;
  *list_out = (Neighbour *) g_array_free (list, FALSE);
}

static void
build_vocab (Corpus *c, Vocab *v)
{
  guint n = c->words->len;
  guint32 *order = g_new (guint32, n);
  for (guint i = 0; i < n; i++)
    order[i] = i;
  sort_counts = (const guint64 *) c->counts->data;
  sort_words = (char **) c->words->pdata;
  qsort (order, n, sizeof *order, by_frequency);
  guint V = 0;
  while (V < n && V < (guint) opt_max_vocab && sort_counts[order[V]] >= (guint64) opt_min_count)
    V++;
  guint32 *rank = g_new (guint32, n);
  for (guint i = 0; i < n; i++)
    rank[order[i]] = i < V ? i : BREAK;
  v->V = V;
  v->words = g_new (char *, V);
  v->counts = g_new (guint64, V);
  for (guint i = 0; i < V; i++)
    {
      v->words[i] = sort_words[order[i]];
      v->counts[i] = sort_counts[order[i]];
    }
  /* Bigrams of kept words. */
  GArray *fwd = g_array_new (FALSE, FALSE, sizeof (guint64));
  GArray *bwd = g_array_new (FALSE, FALSE, sizeof (guint64));
  const guint32 *t = (const guint32 *) c->text->data;
  for (guint i = 0; i + 1 < c->text->len; i++)
    {
      if (t[i] == BREAK || t[i + 1] == BREAK)
        continue;
      guint32 a = rank[t[i]], b = rank[t[i + 1]];
      if (a == BREAK || b == BREAK)
        continue;
      guint64 k = (guint64) a << 32 | b, kb = (guint64) b << 32 | a;
      g_array_append_val (fwd, k);
      g_array_append_val (bwd, kb);
    }
  v->n_bigrams = fwd->len;
  v->left_total = g_new0 (double, V);
  v->right_total = g_new0 (double, V);
  build_lists ((guint64 *) fwd->data, fwd->len, V, &v->right_start, &v->right, v->left_total);
  build_lists ((guint64 *) bwd->data, bwd->len, V, &v->left_start, &v->left, v->right_total);
  g_array_unref (fwd);
  g_array_unref (bwd);
  g_free (rank);
  g_free (order);
}

/* ---- Brown clustering -------------------------------------------------------- */

#define FTAB 65536
static double ftab[FTAB];   /* n log n */

static inline double
f (guint32 n)
{
  return n < FTAB ? ftab[n] : (double) n * log ((double) n);
}

/* q(x, y) for count n between clusters with log marginals lx (left) and ly (right),
 * in units of counts: mutual information times the number of bigrams, up to a
 * term that is the same for every clustering of the same words. */
static inline double
q (guint32 n, double lx, double ly)
{
  return n ? f (n) - n * (lx + ly) : 0.0;
}

static inline double
g (guint32 x, guint32 y)   /* what f loses by adding counts: f(x) + f(y) - f(x + y) */
{
  return f (x) + f (y) - f (x + y);
}

static inline double
safe_log (double x)
{
  return x > 0 ? log (x) : 0.0;
}

typedef struct {
  const Vocab *v;
  guint K;                  /* slots: C + 1 */
  guint m;                  /* slots in use */
  guint32 *B, *BT;          /* K x K bigram counts between slots and their transpose */
  double *Q;                /* K x K q(i, k) */
  double *M;                /* K x K, symmetric: the merge loss of (i, j) is s[i] + h[i] + s[j] + h[j] + M */
  double *s, *h, *nl, *nr, *lnl, *lnr;
  guint32 *node;            /* slot -> tree node */
  guint32 *parent;          /* tree node -> parent node (union-find during phase 1) */
  guint32 *node_slot;       /* root node -> slot */
  guint32 *child;           /* node -> its two children (phase 2 merges only) */
  guint32 n_nodes;
  guint8 *mark;
  guint32 *touch;
  double *d, *e;
  guint32 *row_c, *col_c;
} Brown;

#define AT(X, i, k) ((X)[(gsize) (i) * b->K + (k)])

static guint32
find (Brown *b, guint32 x)
{
  while (b->parent[x] != x)
    {
      b->parent[x] = b->parent[b->parent[x]];
      x = b->parent[x];
    }
  return x;
}

static double
slot_s (Brown *b, guint i)
{
  double sum = -AT (b->Q, i, i);
  for (guint k = 0; k < b->m; k++)
    sum += AT (b->Q, i, k) + AT (b->Q, k, i);
  return sum;
}

/* The pair part of the loss of merging i and j, from scratch (without h). */
static double
pair_true (Brown *b, guint i, guint j)
{
  double l1 = safe_log (b->nl[i] + b->nl[j]), l2 = safe_log (b->nr[i] + b->nr[j]);
  const guint32 *bi = &AT (b->B, i, 0), *bj = &AT (b->B, j, 0);
  const guint32 *ti = &AT (b->BT, i, 0), *tj = &AT (b->BT, j, 0);
  double fsum = 0, rsum = 0, csum = 0, lsum = 0;
  for (guint k = 0; k < b->m; k++)
    {
      if (k == i || k == j)
        continue;
      guint32 n = bi[k] + bj[k];   /* ij then k */
      if (n)
        {
          fsum += f (n);
          rsum += n;
          lsum += n * b->lnr[k];
        }
      n = ti[k] + tj[k];           /* k then ij */
      if (n)
        {
          fsum += f (n);
          csum += n;
          lsum += n * b->lnl[k];
        }
    }
  double a = fsum - rsum * l1 - csum * l2 - lsum;
  a += q (bi[i] + bi[j] + bj[i] + bj[j], l1, l2);
  return -AT (b->Q, i, j) - AT (b->Q, j, i) - a;
}

static void
set_q_slot (Brown *b, guint i)
{
  for (guint k = 0; k < b->m; k++)
    {
      AT (b->Q, i, k) = q (AT (b->B, i, k), b->lnl[i], b->lnr[k]);
      AT (b->Q, k, i) = q (AT (b->B, k, i), b->lnl[k], b->lnr[i]);
    }
}

/* After slot i's counts are set: its s, h and M row. */
static void
fresh_slot (Brown *b, guint i)
{
  b->s[i] = slot_s (b, i);
  b->h[i] = 0;
  for (guint j = 0; j < b->m; j++)
    if (j != i)
      AT (b->M, i, j) = AT (b->M, j, i) = pair_true (b, i, j) - b->h[j];
}

static void
add_word (Brown *b, guint32 w)
{
  const Vocab *v = b->v;
  guint m = b->m, z = m;   /* the new slot */
  for (guint k = 0; k <= m; k++)
    AT (b->B, z, k) = AT (b->B, k, z) = AT (b->BT, z, k) = AT (b->BT, k, z) = 0;
  for (guint32 r = v->right_start[w]; r < v->right_start[w + 1]; r++)
    {
      guint32 o = v->right[r].other;
      if (o > w)
        continue;
      guint t = o == w ? z : b->node_slot[find (b, o)];
      AT (b->B, z, t) += v->right[r].count;
    }
  for (guint32 r = v->left_start[w]; r < v->left_start[w + 1]; r++)
    {
      guint32 o = v->left[r].other;
      if (o >= w)
        continue;
      AT (b->B, b->node_slot[find (b, o)], z) += v->left[r].count;
    }
  for (guint k = 0; k <= m; k++)
    {
      AT (b->BT, k, z) = AT (b->B, z, k);
      AT (b->BT, z, k) = AT (b->B, k, z);
    }
  b->nl[z] = v->left_total[w];
  b->nr[z] = v->right_total[w];
  b->lnl[z] = safe_log (b->nl[z]);
  b->lnr[z] = safe_log (b->nr[z]);
  b->node[z] = w;
  b->parent[w] = w;
  b->node_slot[w] = z;
  b->m = m + 1;
  set_q_slot (b, z);

  /* Pairs of old slots touching the new word's neighbours. */
  guint nt = 0;
  for (guint k = 0; k < m; k++)
    {
      b->mark[k] = AT (b->B, k, z) || AT (b->B, z, k);
      if (b->mark[k])
        b->touch[nt++] = k;
    }
  for (guint ti = 0; ti < nt; ti++)
    {
      guint i = b->touch[ti];
      for (guint j = 0; j < m; j++)
        {
          if (j == i || (b->mark[j] && j < i))
            continue;
          double da = 0;
          guint32 x = AT (b->B, i, z) + AT (b->B, j, z);
          if (x)
            da += f (x) - x * (log (b->nl[i] + b->nl[j]) + b->lnr[z]);
          guint32 y = AT (b->B, z, i) + AT (b->B, z, j);
          if (y)
            da += f (y) - y * (b->lnl[z] + log (b->nr[i] + b->nr[j]));
          AT (b->M, i, j) -= da;
          AT (b->M, j, i) = AT (b->M, i, j);
        }
    }
  for (guint k = 0; k < m; k++)
    b->s[k] += AT (b->Q, k, z) + AT (b->Q, z, k);
  fresh_slot (b, z);
}

static void
move_slot (Brown *b, guint from, guint to)
{
  guint m = b->m;
  for (guint k = 0; k < m; k++)
    {
      if (k == from || k == to)
        continue;
      AT (b->B, to, k) = AT (b->B, from, k);
      AT (b->B, k, to) = AT (b->B, k, from);
      AT (b->BT, to, k) = AT (b->BT, from, k);
      AT (b->BT, k, to) = AT (b->BT, k, from);
      AT (b->Q, to, k) = AT (b->Q, from, k);
      AT (b->Q, k, to) = AT (b->Q, k, from);
      AT (b->M, to, k) = AT (b->M, from, k);
      AT (b->M, k, to) = AT (b->M, k, from);
    }
  AT (b->B, to, to) = AT (b->B, from, from);
  AT (b->BT, to, to) = AT (b->BT, from, from);
  AT (b->Q, to, to) = AT (b->Q, from, from);
  b->s[to] = b->s[from];
  b->h[to] = b->h[from];
  b->nl[to] = b->nl[from];
  b->nr[to] = b->nr[from];
  b->lnl[to] = b->lnl[from];
  b->lnr[to] = b->lnr[from];
  b->node[to] = b->node[from];
  b->node_slot[b->node[to]] = to;
}

static guint
nonzeros (Brown *b, guint t)
{
  guint n = 0;
  for (guint k = 0; k < b->m; k++)
    n += AT (b->B, t, k) || AT (b->B, k, t);
  return n;
}

/* Merges slots a < b2 into slot a; the last slot moves into b2. */
static void
merge (Brown *b, guint a, guint b2, gboolean record)
{
  guint m = b->m;
  double nlc = b->nl[a] + b->nl[b2], nrc = b->nr[a] + b->nr[b2];
  double lnlc = safe_log (nlc), lnrc = safe_log (nrc);
  for (guint k = 0; k < m; k++)
    {
      b->row_c[k] = AT (b->B, a, k) + AT (b->B, b2, k);
      b->col_c[k] = AT (b->B, k, a) + AT (b->B, k, b2);
    }
  guint32 self = AT (b->B, a, a) + AT (b->B, a, b2) + AT (b->B, b2, a) + AT (b->B, b2, b2);
  for (guint k = 0; k < m; k++)
    {
      if (k == a || k == b2)
        continue;
      b->d[k] = q (b->col_c[k], b->lnl[k], lnrc) + q (b->row_c[k], lnlc, b->lnr[k])
                - AT (b->Q, k, a) - AT (b->Q, a, k) - AT (b->Q, k, b2) - AT (b->Q, b2, k);
      b->e[k] = AT (b->B, k, a) * (b->lnr[a] - lnrc) + AT (b->B, k, b2) * (b->lnr[b2] - lnrc)
                + AT (b->B, a, k) * (b->lnl[a] - lnlc) + AT (b->B, b2, k) * (b->lnl[b2] - lnlc);
    }
  /* Pair terms: only pairs touching the neighbours of the sparser cluster. */
  guint t = nonzeros (b, a) <= nonzeros (b, b2) ? a : b2;
  guint nt = 0;
  for (guint k = 0; k < m; k++)
    {
      b->mark[k] = k != a && k != b2 && (AT (b->B, k, t) || AT (b->B, t, k));
      if (b->mark[k])
        b->touch[nt++] = k;
    }
  for (guint ti = 0; ti < nt; ti++)
    {
      guint i = b->touch[ti];
      for (guint j = 0; j < m; j++)
        {
          if (j == i || j == a || j == b2 || (b->mark[j] && j < i))
            continue;
          double gain = 0;
          guint32 x = AT (b->B, i, a) + AT (b->B, j, a), y = AT (b->B, i, b2) + AT (b->B, j, b2);
          if (x && y)
            gain += g (x, y);
          x = AT (b->B, a, i) + AT (b->B, a, j);
          y = AT (b->B, b2, i) + AT (b->B, b2, j);
          if (x && y)
            gain += g (x, y);
          AT (b->M, i, j) += gain;
          AT (b->M, j, i) = AT (b->M, i, j);
        }
    }
  for (guint k = 0; k < m; k++)
    if (k != a && k != b2)
      {
        b->s[k] += b->d[k];
        b->h[k] -= b->e[k];
      }
  /* The merged cluster goes into slot a. */
  for (guint k = 0; k < m; k++)
    {
      if (k == a || k == b2)
        continue;
      AT (b->B, a, k) = AT (b->BT, k, a) = b->row_c[k];
      AT (b->B, k, a) = AT (b->BT, a, k) = b->col_c[k];
    }
  AT (b->B, a, a) = AT (b->BT, a, a) = self;
  b->nl[a] = nlc;
  b->nr[a] = nrc;
  b->lnl[a] = lnlc;
  b->lnr[a] = lnrc;
  guint32 n = b->n_nodes++;
  b->parent[n] = n;
  b->parent[b->node[a]] = b->parent[b->node[b2]] = n;
  if (record)
    {
      b->child[2 * n] = b->node[a];
      b->child[2 * n + 1] = b->node[b2];
    }
  b->node[a] = n;
  b->node_slot[n] = a;
  if (b2 != m - 1)
    move_slot (b, m - 1, b2);
  b->m = m - 1;
  set_q_slot (b, a);
  fresh_slot (b, a);
}

static double
loss (Brown *b, guint i, guint j)
{
  return b->s[i] + b->h[i] + b->s[j] + b->h[j] + AT (b->M, i, j);
}

static void
best_pair (Brown *b, guint *bi, guint *bj)
{
  double best = INFINITY;
  for (guint i = 0; i < b->m; i++)
    {
      double ui = b->s[i] + b->h[i];
      const double *row = &AT (b->M, i, 0);
      for (guint j = i + 1; j < b->m; j++)
        {
          double l = ui + b->s[j] + b->h[j] + row[j];
          if (l < best)
            {
              best = l;
              *bi = i;
              *bj = j;
            }
        }
    }
}

static void
check (Brown *b, guint step)
{
  double worst = 0, scale = 1;
  for (guint i = 0; i < b->m; i++)
    {
      double s = slot_s (b, i);
      worst = MAX (worst, fabs (s - b->s[i]));
      for (guint j = i + 1; j < b->m; j++)
        {
          double want = s + slot_s (b, j) + pair_true (b, i, j);
          scale = MAX (scale, fabs (want));
          worst = MAX (worst, fabs (want - loss (b, i, j)));
        }
    }
  g_printerr ("check at step %u: largest drift %.3g (losses up to %.3g)\n", step, worst, scale);
}

static void
brown_init (Brown *b, const Vocab *v, guint C)
{
  b->v = v;
  b->K = C + 1;
  gsize kk = (gsize) b->K * b->K;
  b->B = g_new0 (guint32, kk);
  b->BT = g_new0 (guint32, kk);
  b->Q = g_new0 (double, kk);
  b->M = g_new0 (double, kk);
  b->s = g_new0 (double, b->K);
  b->h = g_new0 (double, b->K);
  b->nl = g_new0 (double, b->K);
  b->nr = g_new0 (double, b->K);
  b->lnl = g_new0 (double, b->K);
  b->lnr = g_new0 (double, b->K);
  b->d = g_new0 (double, b->K);
  b->e = g_new0 (double, b->K);
  b->node = g_new0 (guint32, b->K);
  b->mark = g_new0 (guint8, b->K);
  b->touch = g_new0 (guint32, b->K);
  b->row_c = g_new0 (guint32, b->K);
  b->col_c = g_new0 (guint32, b->K);
  b->parent = g_new0 (guint32, 2 * (gsize) v->V);
  b->node_slot = g_new0 (guint32, 2 * (gsize) v->V);
  b->child = g_new0 (guint32, 4 * (gsize) v->V);
  b->n_nodes = v->V;
  for (guint32 n = 0; n < FTAB; n++)
    ftab[n] = n ? n * log ((double) n) : 0.0;
}

static void
brown_free (Brown *b)
{
  g_free (b->B);
  g_free (b->BT);
  g_free (b->Q);
  g_free (b->M);
  g_free (b->s);
  g_free (b->h);
  g_free (b->nl);
  g_free (b->nr);
  g_free (b->lnl);
  g_free (b->lnr);
  g_free (b->d);
  g_free (b->e);
  g_free (b->node);
  g_free (b->mark);
  g_free (b->touch);
  g_free (b->row_c);
  g_free (b->col_c);
  g_free (b->parent);
  g_free (b->node_slot);
  g_free (b->child);
}

static void
vocab_free (Vocab *v)
{
  g_free (v->words);
  g_free (v->counts);
  g_free (v->left_total);
  g_free (v->right_total);
  g_free (v->right_start);
  g_free (v->right);
  g_free (v->left_start);
  g_free (v->left);
}

static void
corpus_free (Corpus *c)
{
  g_hash_table_unref (c->ids);
  g_ptr_array_set_free_func (c->words, g_free);
  g_ptr_array_unref (c->words);
  g_array_unref (c->counts);
  g_array_unref (c->text);
}

/* Bit strings of the phase-2 tree, root first. */
static void
assign_bits (Brown *b, guint32 root, GPtrArray *bits_of_node)
{
  GPtrArray *stack = g_ptr_array_new ();
  GArray *nodes = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_array_append_val (nodes, root);
  g_ptr_array_add (stack, g_strdup (""));
  while (nodes->len)
    {
      guint32 n = g_array_index (nodes, guint32, nodes->len - 1);
      char *path = g_ptr_array_steal_index (stack, stack->len - 1);
      g_array_set_size (nodes, nodes->len - 1);
      if (n >= b->v->V && b->child[2 * n] != b->child[2 * n + 1])
        {
          for (guint c = 0; c < 2; c++)
            {
              g_array_append_val (nodes, b->child[2 * n + c]);
              g_ptr_array_add (stack, g_strconcat (path, c ? "1" : "0", NULL));
            }
          g_free (path);
        }
      else
        g_ptr_array_index (bits_of_node, n) = path;
    }
  g_ptr_array_unref (stack);
  g_array_unref (nodes);
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- Brown word clusters");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  GString *cmd = g_string_new (NULL);
  for (int i = 0; i < argc; i++)
    {
      gboolean plain = argv[i][0] && strspn (argv[i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                      "0123456789-_./=,+:") == strlen (argv[i]);
      g_autofree char *quoted = plain ? g_strdup (argv[i]) : g_shell_quote (argv[i]);
      g_string_append_printf (cmd, "%s%s", i ? " " : "", quoted);
    }
  g_autofree char *command = g_string_free (cmd, FALSE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || !opt_out || (!opt_jsonl && !opt_conll)
      || opt_clusters < 2)
    {
      g_printerr ("word-clusters: %s\n", error ? error->message : "needs --out and --jsonl or --conll files");
      return 2;
    }
  gint64 t0 = g_get_monotonic_time ();
  Corpus c = { g_hash_table_new (g_str_hash, g_str_equal), g_ptr_array_new (),
               g_array_new (FALSE, FALSE, sizeof (guint64)), g_array_new (FALSE, FALSE, sizeof (guint32)), 0 };
  for (guint i = 0; opt_jsonl && opt_jsonl[i]; i++)
    if (!read_jsonl (&c, opt_jsonl[i], &error))
      {
        g_printerr ("word-clusters: %s\n", error->message);
        return 1;
      }
  for (guint i = 0; opt_conll && opt_conll[i]; i++)
    if (!read_conll (&c, opt_conll[i], &error))
      {
        g_printerr ("word-clusters: %s\n", error->message);
        return 1;
      }
  Vocab v = { 0 };
  build_vocab (&c, &v);
  g_printerr ("%" G_GUINT64_FORMAT " tokens, %u word types, %u with count >= %d kept, %" G_GUINT64_FORMAT
              " bigrams (%.1f s)\n", c.n_tokens, c.words->len, v.V, opt_min_count, v.n_bigrams,
              (g_get_monotonic_time () - t0) / 1e6);
  if (v.n_bigrams >= G_MAXUINT32 / 2)
    {
      g_printerr ("word-clusters: too many bigrams for 32-bit counts\n");
      return 1;
    }
  /* Words never next to another kept word carry no information: any cluster
   * would be an arbitrary tie, so they get none. */
  guint isolated = 0;
  for (guint32 w = 0; w < v.V; w++)
    isolated += v.left_total[w] + v.right_total[w] == 0;
  if (isolated)
    g_printerr ("%u words never next to another kept word: left out\n", isolated);
  if (v.V - isolated < 2)
    {
      g_printerr ("word-clusters: fewer than two words to cluster\n");
      return 1;
    }
  guint C = MIN ((guint) opt_clusters, v.V - isolated);
  Brown b = { 0 };
  brown_init (&b, &v, C);

  /* Phase 1: the C most frequent words, then one word in, one merge. */
  gint64 t1 = g_get_monotonic_time ();
  guint step = 0;
  for (guint32 w = 0; w < v.V; w++)
    {
      if (v.left_total[w] + v.right_total[w] == 0)
        continue;
      add_word (&b, w);
      if (b.m > C)
        {
          guint i = 0, j = 1;
          best_pair (&b, &i, &j);
          merge (&b, i, j, FALSE);
        }
      step++;
      if (opt_check && step % (guint) opt_check == 0)
        check (&b, step);
      if (w % 2000 == 0 && w)
        g_printerr ("  %u of %u words in (%.0f s)\n", w, v.V, (g_get_monotonic_time () - t1) / 1e6);
    }
  guint32 *cluster = g_new (guint32, v.V);
  for (guint32 w = 0; w < v.V; w++)
    cluster[w] = v.left_total[w] + v.right_total[w] > 0 ? find (&b, w) : BREAK;
  /* Phase 2: the hierarchy over the C clusters. */
  while (b.m > 1)
    {
      guint i = 0, j = 1;
      best_pair (&b, &i, &j);
      merge (&b, i, j, TRUE);
      step++;
      if (opt_check && step % (guint) opt_check == 0)
        check (&b, step);
    }
  double secs = (g_get_monotonic_time () - t1) / 1e6;
  g_printerr ("clustered in %.1f s\n", secs);

  GPtrArray *bits = g_ptr_array_new_full (b.n_nodes, g_free);
  g_ptr_array_set_size (bits, b.n_nodes);
  assign_bits (&b, b.node[0], bits);
  FILE *out = fopen (opt_out, "w");
  if (!out)
    {
      g_printerr ("word-clusters: cannot write %s\n", opt_out);
      return 1;
    }
  fprintf (out, "# Brown word clusters for docpipe's NER (bits<TAB>word, most frequent words first).\n"
                "# source: %s\n"
                "# built by: %s\n"
                "# settings: %u clusters, words seen >= %d times (at most %d), %" G_GUINT64_FORMAT " tokens,"
                " %u words, %" G_GUINT64_FORMAT " bigrams\n",
           opt_source ? opt_source : "unlabeled text (see the command)", command,
           C, opt_min_count, opt_max_vocab, c.n_tokens, v.V - isolated, v.n_bigrams);
  guint max_len = 0;
  for (guint32 w = 0; w < v.V; w++)
    {
      if (cluster[w] == BREAK)
        continue;
      const char *path = g_ptr_array_index (bits, cluster[w]);
      if (!path)
        g_error ("no bit string for word %u", w);
      max_len = MAX (max_len, strlen (path));
      fprintf (out, "%s\t%s\n", *path ? path : "0", v.words[w]);
    }
  if (fclose (out) != 0)
    {
      g_printerr ("word-clusters: cannot write %s\n", opt_out);
      return 1;
    }
  g_printerr ("wrote %u words in %u clusters to %s (longest bit string %u)\n", v.V - isolated, C, opt_out, max_len);
  g_ptr_array_unref (bits);
  g_free (cluster);
  brown_free (&b);
  vocab_free (&v);
  corpus_free (&c);
  g_strfreev (opt_jsonl);
  g_strfreev (opt_conll);
  g_free (opt_out);
  g_free (opt_source);
  return 0;
}
