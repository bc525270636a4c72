/* seqtag.c — features, decoding and the model file.
 *
 * A model is a hash table from feature hashes to rows of int16 weights (one
 * per tag) plus int32 transition weights.  Scoring a token adds the rows of
 * its features; Viterbi picks the best tag sequence allowed by BILOU.  The
 * file holds the same arrays as memory, 8-byte aligned after a fixed header,
 * so loading is a mmap and a checksum, not a parse.
 *
 * Each hash-table slot is one u64: the feature hash's top 40 bits and, in
 * the low 24 bits, its row + 1 (0 = empty slot).  The slot index comes from
 * the hash's low bits, so the two parts are independent; one cache line
 * read finds a feature, where separate key and row arrays cost two, and
 * that is most of the time spent scoring.
 *
 * File layout (little-endian; the models we ship are built on x86-64):
 *   header   magic "DPSEQTAG", version, n_tags, n_features, capacity_log2,
 *            scale, names_size, meta_size, checksum of everything after it
 *   names    the tag names, NUL-terminated one after another, padded to 8
 *   meta     free text about the model (how it was trained), padded to 8
 *   slots    capacity x u64
 *   weights  n_features x n_tags x i16 (padded)
 *   trans    (n_tags + 1) x n_tags x i32
 */
#include "seqtag-private.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

G_DEFINE_QUARK (dp-seq-error-quark, dp_seq_error)

#define MAGIC "DPSEQTAG"
#define VERSION 2
#define MAX_TAGS 256

typedef struct {
  char magic[8];
  guint32 version;
  guint32 n_tags;
  guint32 n_features;
  guint32 capacity_log2;
  float scale;
  guint32 names_size;
  guint32 meta_size;
  guint32 reserved;
  guint64 checksum;
} Header;

G_STATIC_ASSERT (sizeof (Header) == 48);

/* ---- features -------------------------------------------------------------- */

void
dp_seq_features_init (DpSeqFeatures *f)
{
  f->hashes = g_array_new (FALSE, FALSE, sizeof (guint64));
  f->starts = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint32 zero = 0;
  g_array_append_val (f->starts, zero);
}

void
dp_seq_features_clear (DpSeqFeatures *f)
{
  g_clear_pointer (&f->hashes, g_array_unref);
  g_clear_pointer (&f->starts, g_array_unref);
}

void
dp_seq_features_reset (DpSeqFeatures *f)
{
  g_array_set_size (f->hashes, 0);
  g_array_set_size (f->starts, 1);
}

/* starts[] holds one more entry than there are tokens: the last one is the
 * end of the token being filled, moved along as its features arrive. */
void
dp_seq_features_next_token (DpSeqFeatures *f)
{
  guint32 end = f->hashes->len;
  g_array_append_val (f->starts, end);
}

void
dp_seq_features_add (DpSeqFeatures *f, guint64 hash)
{
  g_return_if_fail (f->starts->len > 1);
  g_array_append_val (f->hashes, hash);
  g_array_index (f->starts, guint32, f->starts->len - 1) = f->hashes->len;
}

void
dp_seq_features_add_token (DpSeqFeatures *f, const guint64 *hashes, guint n)
{
  g_array_append_vals (f->hashes, hashes, n);
  guint32 end = f->hashes->len;
  g_array_append_val (f->starts, end);
}

guint dp_seq_features_n_tokens (const DpSeqFeatures *f) { return f->starts->len - 1; }

/* 64-bit FNV-1a with a final avalanche: fast enough for short strings and
 * well spread for the power-of-two table. */
guint64
dp_seq_hash (guint32 template_id, const char *s, gsize len)
{
  guint64 h = 0xcbf29ce484222325ULL ^ ((guint64) template_id * 0x9E3779B97F4A7C15ULL);
  for (gsize i = 0; i < len; i++)
    h = (h ^ (guchar) s[i]) * 0x100000001b3ULL;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h ? h : 1;
}

/* ---- constraints and Viterbi ----------------------------------------------- */

static char
bilou_prefix (const char *name, const char **type)
{
  if (name[0] && name[1] == '-' && strchr ("BILU", name[0]))
    {
      *type = name + 2;
      return name[0];
    }
  *type = NULL;
  return strcmp (name, "O") == 0 ? 'O' : '?';
}

/* After B-X or I-X comes I-X or L-X; after anything else, O, B-Y or U-Y. */
static gboolean
transition_ok (const char *from, const char *to)
{
  const char *ft = NULL, *tt = NULL;
  char f = from ? bilou_prefix (from, &ft) : 'O';
  char t = bilou_prefix (to, &tt);
  if (f == '?' || t == '?')
    return TRUE;
  gboolean inside = f == 'B' || f == 'I';
  if (inside)
    return (t == 'I' || t == 'L') && strcmp (ft, tt) == 0;
  return t == 'O' || t == 'B' || t == 'U';
}

void
dp_seq_constraints_init (DpSeqConstraints *c, char **tag_names, guint n_tags)
{
  c->allowed = g_new (guint8, (n_tags + 1) * n_tags);
  c->can_end = g_new (guint8, n_tags);
  c->preds = g_new (guint16, (gsize) n_tags * n_tags);
  c->n_preds = g_new0 (guint16, n_tags);
  for (guint p = 0; p <= n_tags; p++)
    for (guint t = 0; t < n_tags; t++)
      c->allowed[p * n_tags + t] = transition_ok (p < n_tags ? tag_names[p] : NULL, tag_names[t]);
  /* Listed too, for Viterbi: BILOU allows few (only B-X and I-X before I-X),
   * so walking the list skips most of the square. */
  for (guint t = 0; t < n_tags; t++)
    for (guint p = 0; p < n_tags; p++)
      if (c->allowed[p * n_tags + t])
        c->preds[t * n_tags + c->n_preds[t]++] = (guint16) p;
  for (guint t = 0; t < n_tags; t++)
    {
      const char *type;
      char k = bilou_prefix (tag_names[t], &type);
      c->can_end[t] = k != 'B' && k != 'I';
    }
}

void
dp_seq_constraints_clear (DpSeqConstraints *c)
{
  g_clear_pointer (&c->allowed, g_free);
  g_clear_pointer (&c->can_end, g_free);
  g_clear_pointer (&c->preds, g_free);
  g_clear_pointer (&c->n_preds, g_free);
}

#define SMALL_TAGS 32
#define SMALL_BACK 8192
#define SMALL_TOKENS 128
#define SMALL_FEATURES 8192

void
dp_seq_viterbi (const gint32 *scores, guint n, guint n_tags, const gint32 *trans,
                const DpSeqConstraints *c, guint16 *tags)
{
  if (n == 0)
    return;
  /* Working memory on the stack for the usual sizes: this runs once per
   * sentence, and allocating per sentence showed in profiles. */
  guint16 back_s[SMALL_BACK];
  gint32 delta_s[2 * SMALL_TAGS];
  g_autofree gint32 *delta_h = n_tags <= SMALL_TAGS ? NULL : g_new (gint32, 2 * n_tags);
  g_autofree guint16 *back_h = (gsize) n * n_tags <= SMALL_BACK ? NULL : g_new (guint16, (gsize) n * n_tags);
  guint16 *back = back_h ? back_h : back_s;   /* where each tag's best path came from */
  gint32 *delta = delta_h ? delta_h : delta_s; /* best score of a path ending in each tag */
  gint32 *cur = delta, *prev = delta + n_tags;
  const gint32 *start = trans + (gsize) n_tags * n_tags;
  const guint8 *from_start = c->allowed + (gsize) n_tags * n_tags;
  for (guint t = 0; t < n_tags; t++)
    cur[t] = from_start[t] ? start[t] + scores[t] : DP_SEQ_NEG_INF;
  for (guint i = 1; i < n; i++)
    {
      gint32 *tmp = prev;
      prev = cur;
      cur = tmp;
      gint32 top = DP_SEQ_NEG_INF;
      for (guint t = 0; t < n_tags; t++)
        {
          gint32 best = DP_SEQ_NEG_INF;
          guint16 arg = 0;
          const guint16 *pt = c->preds + t * n_tags;
          for (guint k = 0; k < c->n_preds[t]; k++)
            {
              guint p = pt[k];
              if (prev[p] == DP_SEQ_NEG_INF)
                continue;
              gint32 s = prev[p] + trans[p * n_tags + t];
              if (s > best)
                best = s, arg = (guint16) p;
            }
          cur[t] = best == DP_SEQ_NEG_INF ? best : best + scores[(gsize) i * n_tags + t];
          back[(gsize) i * n_tags + t] = arg;
          top = MAX (top, cur[t]);
        }
      /* Keep the numbers small: only differences matter. */
      for (guint t = 0; t < n_tags && top != DP_SEQ_NEG_INF; t++)
        if (cur[t] != DP_SEQ_NEG_INF)
          cur[t] = MAX (cur[t] - top, DP_SEQ_NEG_INF + 1);
    }
  guint16 last = 0;
  gint32 best = G_MININT32;
  for (guint t = 0; t < n_tags; t++)
    if (c->can_end[t] && cur[t] > best)
      best = cur[t], last = (guint16) t;
  tags[n - 1] = last;
  for (guint i = n - 1; i > 0; i--)
    tags[i - 1] = back[(gsize) i * n_tags + tags[i]];
}

/* ---- models ---------------------------------------------------------------- */

static gint64
find_row (const DpSeqModel *m, guint64 h)
{
  guint64 mask = m->capacity - 1, key = h & DP_SEQ_KEY_MASK;
  for (guint64 slot = h & mask;; slot = (slot + 1) & mask)
    {
      guint64 e = m->slots[slot];
      if ((e & DP_SEQ_KEY_MASK) == key && e)
        return (gint64) (e & DP_SEQ_ROW_MASK) - 1;
      if (e == 0)
        return -1;
    }
}

typedef gint16 DpSeqV8s __attribute__ ((vector_size (16)));
typedef gint32 DpSeqV8i __attribute__ ((vector_size (32)));
typedef gint16 DpSeqV4s __attribute__ ((vector_size (8)));
typedef gint32 DpSeqV4i __attribute__ ((vector_size (16)));

/* out[t] += the sum of the rows of features [a, b) (row -1: none), for the
 * n_tags = 8 * @nv + 0..7 tags.  The sums are kept in registers, eight tags
 * to a vector, then four, then one by one: adding each row into memory
 * made every addition wait for the one before (10 % of the claims model's
 * time).  @nv is a constant where this is inlined, so the loops unroll. */
G_ALWAYS_INLINE static inline void
sum_rows (const gint16 *weights, guint nt, const gint32 *rows, guint32 a, guint32 b, gint32 *out, guint nv)
{
  DpSeqV8i acc[3] = { { 0 } };
  DpSeqV4i acc4 = { 0 };
  gint32 s[3] = { 0 };
  guint rest = nt - nv * 8, has4 = rest >= 4, ns = rest - (has4 ? 4 : 0);
  for (guint32 k = a; k < b; k++)
    {
      if (rows[k] < 0)
        continue;
      const gint16 *w = weights + (gsize) rows[k] * nt;
      for (guint c = 0; c < nv; c++, w += 8)
        {
          DpSeqV8s x;
          memcpy (&x, w, sizeof x);
          acc[c] += __builtin_convertvector (x, DpSeqV8i);
        }
      if (has4)
        {
          DpSeqV4s x;
          memcpy (&x, w, sizeof x);
          acc4 += __builtin_convertvector (x, DpSeqV4i);
          w += 4;
        }
      for (guint j = 0; j < ns; j++)
        s[j] += w[j];
    }
  for (guint c = 0; c < nv; c++, out += 8)
    {
      DpSeqV8i o;
      memcpy (&o, out, sizeof o);
      o += acc[c];
      memcpy (out, &o, sizeof o);
    }
  if (has4)
    {
      DpSeqV4i o;
      memcpy (&o, out, sizeof o);
      o += acc4;
      memcpy (out, &o, sizeof o);
      out += 4;
    }
  for (guint j = 0; j < ns; j++)
    out[j] += s[j];
}

#define SUM_TOKENS(nv) \
  for (guint i = 0; i < n; i++) \
    sum_rows (m->weights, nt, rows, starts[i], starts[i + 1], scores + (gsize) i * nt, (nv))

/* Scores every token under every tag.  The table lookups are memory-bound,
 * so the slot of a feature AHEAD places ahead is prefetched while this one
 * is looked up, and each weight row, both its ends (a row may straddle
 * cache lines), as soon as its slot is read: a whole pass ahead of its use.
 * On the claims model that was 10 % faster than prefetching rows a few
 * features ahead, and AHEAD 32 a few % faster than 8.  Tried and not kept,
 * no faster: reusing the row of a feature equal to the previous token's in
 * the same place (half the claims roles tagger's); blocks of 128 or 512
 * features; a branch-free probe of the first two slots; huge pages. */
static void
score_tokens (const DpSeqModel *m, const DpSeqFeatures *f, gint32 *scores, gint32 *rows)
{
  guint n = dp_seq_features_n_tokens (f), nt = m->n_tags;
  const guint64 *hashes = (const guint64 *) f->hashes->data;
  const guint32 *starts = (const guint32 *) f->starts->data;
  guint32 total = starts[n];
  guint64 mask = m->capacity - 1;
  enum { AHEAD = 32 };
  for (guint32 k = 0; k < total; k++)
    {
      if (k + AHEAD < total)
        __builtin_prefetch (&m->slots[hashes[k + AHEAD] & mask]);
      rows[k] = (gint32) find_row (m, hashes[k]);
      if (rows[k] >= 0)
        {
          __builtin_prefetch (m->weights + (gsize) rows[k] * nt);
          __builtin_prefetch (m->weights + (gsize) rows[k] * nt + nt - 1);
        }
    }
  switch (nt / 8)
    {
    case 0: SUM_TOKENS (0); break;
    case 1: SUM_TOKENS (1); break;
    case 2: SUM_TOKENS (2); break;
    case 3: SUM_TOKENS (3); break;
    default:
      for (guint i = 0; i < n; i++)
        {
          gint32 *row = scores + (gsize) i * nt;
          for (guint32 k = starts[i]; k < starts[i + 1]; k++)
            {
              if (rows[k] < 0)
                continue;
              const gint16 *w = m->weights + (gsize) rows[k] * nt;
              for (guint t = 0; t < nt; t++)
                row[t] += w[t];
            }
        }
    }
}

void
dp_seq_model_decode (const DpSeqModel *m, const DpSeqFeatures *f, guint16 *tags)
{
  dp_seq_model_decode_biased (m, f, NULL, tags);
}

void
dp_seq_model_decode_biased (const DpSeqModel *m, const DpSeqFeatures *f, const float *bias, guint16 *tags)
{
  guint n = dp_seq_features_n_tokens (f);
  if (n == 0)
    return;
  gint32 scores_s[SMALL_TOKENS * SMALL_TAGS], rows_s[SMALL_FEATURES];
  gboolean small = n <= SMALL_TOKENS && m->n_tags <= SMALL_TAGS;
  g_autofree gint32 *scores_h = small ? NULL : g_new (gint32, (gsize) n * m->n_tags);
  g_autofree gint32 *rows_h = f->hashes->len <= SMALL_FEATURES ? NULL : g_new (gint32, f->hashes->len);
  gint32 *scores = small ? scores_s : scores_h, *rows = rows_h ? rows_h : rows_s;
  memset (scores, 0, (gsize) n * m->n_tags * sizeof *scores);
  score_tokens (m, f, scores, rows);
  for (guint t = 0; bias && t < m->n_tags; t++)
    {
      gint32 b = (gint32) (bias[t] * m->scale);
      for (guint i = 0; b && i < n; i++)
        scores[(gsize) i * m->n_tags + t] += b;
    }
  dp_seq_viterbi (scores, n, m->n_tags, m->trans, &m->c, tags);
}

guint dp_seq_model_n_tags (const DpSeqModel *m) { return m->n_tags; }
const char *dp_seq_model_tag_name (const DpSeqModel *m, guint tag) { return tag < m->n_tags ? m->tag_names[tag] : NULL; }
guint dp_seq_model_n_features (const DpSeqModel *m) { return m->n_features; }

int
dp_seq_model_tag_index (const DpSeqModel *m, const char *name)
{
  for (guint t = 0; t < m->n_tags; t++)
    if (strcmp (m->tag_names[t], name) == 0)
      return (int) t;
  return -1;
}

static void
finish_model (DpSeqModel *m)
{
  dp_seq_constraints_init (&m->c, m->tag_names, m->n_tags);
}

const char *dp_seq_model_get_meta (const DpSeqModel *m) { return m->meta ? m->meta : ""; }

void
dp_seq_model_set_meta (DpSeqModel *m, const char *meta)
{
  g_free (m->meta);
  m->meta = g_strdup (meta);
}

DpSeqModel *
dp_seq_model_new_owned (char **tag_names, guint n_tags, guint32 n_features, guint64 capacity,
                        gpointer owned, const guint64 *slots, const gint16 *weights,
                        const gint32 *trans, float scale)
{
  DpSeqModel *m = g_new0 (DpSeqModel, 1);
  m->tag_names = tag_names;
  m->n_tags = n_tags;
  m->n_features = n_features;
  m->capacity = capacity;
  m->owned = owned;
  m->slots = slots;
  m->weights = weights;
  m->trans = trans;
  m->scale = scale;
  finish_model (m);
  return m;
}

void
dp_seq_model_free (DpSeqModel *m)
{
  if (!m)
    return;
  if (m->mapped)
    g_mapped_file_unref (m->mapped);
  g_free (m->owned);
  g_free (m->meta);
  g_strfreev (m->tag_names);
  dp_seq_constraints_clear (&m->c);
  g_free (m);
}

/* ---- the file -------------------------------------------------------------- */

static gsize
pad8 (gsize n)
{
  return (n + 7) & ~(gsize) 7;
}

/* A word-at-a-time checksum: fast enough to check a 20 MB model in a few ms. */
static guint64
checksum (const guchar *p, gsize len)
{
  guint64 h = 0x84222325cbf29ce4ULL ^ len;
  gsize i = 0;
  for (; i + 8 <= len; i += 8)
    {
      guint64 w;
      memcpy (&w, p + i, 8);
      h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
      h ^= h >> 31;
    }
  for (; i < len; i++)
    h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

typedef struct {
  gsize names, meta, slots, weights, trans, total;   /* offsets after the header */
} Layout;

static Layout
layout (guint32 names_size, guint32 meta_size, guint64 capacity, guint32 n_features, guint32 n_tags)
{
  Layout l;
  l.names = 0;
  l.meta = pad8 (names_size);
  l.slots = l.meta + pad8 (meta_size);
  l.weights = l.slots + capacity * 8;
  l.trans = l.weights + pad8 ((gsize) n_features * n_tags * 2);
  l.total = l.trans + (gsize) (n_tags + 1) * n_tags * 4;
  return l;
}

static gboolean
format_error (GError **error, const char *path, const char *what)
{
  g_set_error (error, DP_SEQ_ERROR, DP_SEQ_ERROR_FORMAT, "%s: not a usable docpipe model: %s", path, what);
  return FALSE;
}

/* Reads the tag names; NULL if they are not n_tags NUL-terminated UTF-8
 * strings (they become the labels of the spans stages write). */
static char **
read_names (const char *p, gsize size, guint n_tags)
{
  GPtrArray *names = g_ptr_array_new ();
  gsize i = 0;
  while (i < size && p[i] && names->len < n_tags)
    {
      const char *end = memchr (p + i, '\0', size - i);
      if (!end || !g_utf8_validate_len (p + i, (gsize) (end - p) - i, NULL))
        break;
      g_ptr_array_add (names, g_strdup (p + i));
      i = (gsize) (end - p) + 1;
    }
  g_ptr_array_add (names, NULL);
  char **strv = (char **) g_ptr_array_free (names, FALSE);
  if (g_strv_length (strv) != n_tags)
    g_clear_pointer (&strv, g_strfreev);
  return strv;
}

DpSeqModel *
dp_seq_model_load (const char *path, GError **error)
{
  g_autoptr (GError) local = NULL;
  GStatBuf st;
  if (g_stat (path, &st) == 0 && !S_ISREG (st.st_mode))
    {
      /* Mapping a FIFO would wait for a writer forever. */
      g_set_error (error, DP_SEQ_ERROR, DP_SEQ_ERROR_IO, "%s: not a regular file", path);
      return NULL;
    }
  GMappedFile *mapped = g_mapped_file_new (path, FALSE, &local);
  if (!mapped)
    {
      g_set_error (error, DP_SEQ_ERROR, DP_SEQ_ERROR_IO, "%s", local->message);
      return NULL;
    }
  gsize size = g_mapped_file_get_length (mapped);
  const guchar *data = (const guchar *) g_mapped_file_get_contents (mapped);
  Header h;
  if (size < sizeof h)
    return g_mapped_file_unref (mapped), format_error (error, path, "file too short"), NULL;
  memcpy (&h, data, sizeof h);
  if (memcmp (h.magic, MAGIC, 8) != 0)
    return g_mapped_file_unref (mapped), format_error (error, path, "wrong magic number"), NULL;
  if (h.version != VERSION)
    {
      g_set_error (error, DP_SEQ_ERROR, DP_SEQ_ERROR_FORMAT,
                   "%s: model format version %u, this docpipe reads version %d", path, h.version, VERSION);
      g_mapped_file_unref (mapped);
      return NULL;
    }
  if (h.n_tags == 0 || h.n_tags > MAX_TAGS || h.capacity_log2 > 30 || h.names_size > 65536
      || h.meta_size > (1u << 20) || (1ULL << h.capacity_log2) < h.n_features || h.n_features > DP_SEQ_MAX_ROWS)
    return g_mapped_file_unref (mapped), format_error (error, path, "impossible sizes in the header"), NULL;
  guint64 capacity = 1ULL << h.capacity_log2;
  Layout l = layout (h.names_size, h.meta_size, capacity, h.n_features, h.n_tags);
  if (size != sizeof h + l.total)
    return g_mapped_file_unref (mapped), format_error (error, path, "truncated, or has extra bytes"), NULL;
  const guchar *payload = data + sizeof h;
  if (checksum (payload, l.total) != h.checksum)
    return g_mapped_file_unref (mapped), format_error (error, path, "checksum mismatch (corrupted)"), NULL;
  char **names = read_names ((const char *) payload, h.names_size, h.n_tags);
  if (!names)
    return g_mapped_file_unref (mapped), format_error (error, path, "bad tag names"), NULL;
  /* Every row index must be inside the weights. */
  const guint64 *slots = (const guint64 *) (payload + l.slots);
  for (guint64 s = 0; s < capacity; s++)
    if (slots[s] && ((slots[s] & DP_SEQ_ROW_MASK) == 0 || (slots[s] & DP_SEQ_ROW_MASK) > h.n_features))
      {
        g_strfreev (names);
        g_mapped_file_unref (mapped);
        format_error (error, path, "a feature row is out of range");
        return NULL;
      }
  /* Training scales transitions into the weights' int16 range; larger ones
   * would overflow Viterbi's int32 sums (a corrupt or hostile file). */
  const gint32 *trans = (const gint32 *) (payload + l.trans);
  for (gsize i = 0; i < (gsize) (h.n_tags + 1) * h.n_tags; i++)
    if (trans[i] < -G_MAXINT16 || trans[i] > G_MAXINT16)
      {
        g_strfreev (names);
        g_mapped_file_unref (mapped);
        format_error (error, path, "a transition weight is out of range");
        return NULL;
      }
  DpSeqModel *m = dp_seq_model_new_owned (names, h.n_tags, h.n_features, capacity, NULL, slots,
                                          (const gint16 *) (payload + l.weights),
                                          (const gint32 *) (payload + l.trans), h.scale);
  m->mapped = mapped;
  const char *meta = (const char *) payload + l.meta;
  if (h.meta_size)
    m->meta = g_utf8_make_valid (meta, strnlen (meta, h.meta_size));
  return m;
}

gboolean
dp_seq_model_save (const DpSeqModel *m, const char *path, GError **error)
{
  g_autoptr (GString) names = g_string_new (NULL);
  for (guint t = 0; t < m->n_tags; t++)
    g_string_append_len (names, m->tag_names[t], (gssize) strlen (m->tag_names[t]) + 1);
  guint32 log2 = 0;
  while ((1ULL << log2) < m->capacity)
    log2++;
  guint32 meta_size = m->meta ? (guint32) strlen (m->meta) : 0;
  Layout l = layout ((guint32) names->len, meta_size, m->capacity, m->n_features, m->n_tags);
  g_autofree guchar *buf = g_malloc0 (sizeof (Header) + l.total);
  guchar *payload = buf + sizeof (Header);
  memcpy (payload + l.names, names->str, names->len);
  if (meta_size)
    memcpy (payload + l.meta, m->meta, meta_size);
  memcpy (payload + l.slots, m->slots, m->capacity * 8);
  memcpy (payload + l.weights, m->weights, (gsize) m->n_features * m->n_tags * 2);
  memcpy (payload + l.trans, m->trans, (gsize) (m->n_tags + 1) * m->n_tags * 4);
  Header h = { .version = VERSION, .n_tags = m->n_tags, .n_features = m->n_features,
               .capacity_log2 = log2, .scale = m->scale, .names_size = (guint32) names->len,
               .meta_size = meta_size };
  memcpy (h.magic, MAGIC, 8);
  h.checksum = checksum (payload, l.total);
  memcpy (buf, &h, sizeof h);
  g_autoptr (GError) local = NULL;
  if (!g_file_set_contents (path, (const char *) buf, (gssize) (sizeof h + l.total), &local))
    {
      g_set_error (error, DP_SEQ_ERROR, DP_SEQ_ERROR_IO, "%s", local->message);
      return FALSE;
    }
  return TRUE;
}
