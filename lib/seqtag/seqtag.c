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
 * the hash's low bits, so the two parts are independent.  Decoding does not
 * read the file's arrays: loading builds from them a table that answers
 * every lookup exactly as the slots do, probe for probe, with fewer cache
 * misses (see "The table decoding reads" below): a bit and a key byte per
 * slot, in cache, and each occupied slot's word and row together in one
 * aligned entry.  It takes about the file's size, in huge pages, and the
 * file's pages are let go.
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
#include <math.h>
#include <string.h>
#include <sys/mman.h>
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
  for (guint p = 0; p <= n_tags; p++)
    for (guint t = 0; t < n_tags; t++)
      c->allowed[p * n_tags + t] = transition_ok (p < n_tags ? tag_names[p] : NULL, tag_names[t]);
  for (guint t = 0; t < n_tags; t++)
    {
      const char *type;
      char k = bilou_prefix (tag_names[t], &type);
      c->can_end[t] = k != 'B' && k != 'I';
    }
  /* The same as lanes of vectors, and which vectors of successors each
   * tag has at all (BILOU: B-X and I-X only the one or two of I-X, L-X). */
  c->n_vectors = (n_tags + DP_SEQ_LANES - 1) / DP_SEQ_LANES;
  guint width = c->n_vectors * DP_SEQ_LANES, words = (c->n_vectors + 63) / 64;
  c->allowed_lanes = g_new0 (gint32, (gsize) n_tags * width);
  c->vectors_of = g_new0 (guint64, (gsize) n_tags * words);
  for (guint p = 0; p < n_tags; p++)
    for (guint t = 0; t < n_tags; t++)
      if (c->allowed[p * n_tags + t])
        {
          c->allowed_lanes[(gsize) p * width + t] = -1;
          c->vectors_of[(gsize) p * words + t / DP_SEQ_LANES / 64] |= 1ULL << (t / DP_SEQ_LANES % 64);
        }
}

void
dp_seq_constraints_clear (DpSeqConstraints *c)
{
  g_clear_pointer (&c->allowed, g_free);
  g_clear_pointer (&c->can_end, g_free);
  g_clear_pointer (&c->allowed_lanes, g_free);
  g_clear_pointer (&c->vectors_of, g_free);
}

#define SMALL_TAGS 32
#define SMALL_BACK 8192
#define SMALL_TOKENS 128
#define SMALL_FEATURES 8192

/* Runtime dispatch: the hot loops are compiled twice, for x86-64-v3 (AVX2,
 * POPCNT) and for the baseline, and the loader picks one for the CPU. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define DP_SEQ_CLONES __attribute__ ((target_clones ("arch=x86-64-v3", "default")))
#else
#define DP_SEQ_CLONES
#endif

/* Vectors are passed between always-inlined functions only: no call, so no
 * ABI (an out-of-line call between the AVX clone and a function built for
 * the baseline would pass them differently, as -O0 showed). */
#pragma GCC diagnostic ignored "-Wpsabi"

typedef gint32 DpSeqLanes __attribute__ ((vector_size (DP_SEQ_LANES * 4)));
typedef guint32 DpSeqULanes __attribute__ ((vector_size (DP_SEQ_LANES * 4)));
typedef gint16 DpSeqLanes16 __attribute__ ((vector_size (DP_SEQ_LANES * 2)));

G_ALWAYS_INLINE static inline DpSeqLanes
lanes_load (const gint32 *p)
{
  DpSeqLanes v;
  memcpy (&v, p, sizeof v);
  return v;
}

G_ALWAYS_INLINE static inline void
lanes_store (gint32 *p, DpSeqLanes v)
{
  memcpy (p, &v, sizeof v);
}

G_ALWAYS_INLINE static inline DpSeqLanes
lanes_pick (DpSeqLanes mask, DpSeqLanes yes, DpSeqLanes no)
{
  return (yes & mask) | (no & ~mask);
}

/* One token's step: for every tag, the best predecessor (the first of the
 * highest, as walking the predecessors in order finds it) and its score.
 * Vectorised over the tags (DP_SEQ_LANES to a vector) for each possible
 * predecessor, in order; a lane takes a predecessor where the transition is
 * allowed and the score is higher than the best so far, so it gives what
 * the scalar walk over each tag's predecessor list gives, tie for tie.
 * Sums wrap in unsigned lanes: a disallowed lane may overflow, harmlessly.
 * Vectors without a successor of the predecessor are skipped (BILOU: B-X
 * and I-X have theirs in one); with @nv a constant (up to 4 vectors, 32
 * tags) the sums stay in registers. */
G_ALWAYS_INLINE static inline void
viterbi_step (const gint32 *prev, const gint32 *trans, const DpSeqConstraints *c, guint n_tags,
              DpSeqLanes *best, DpSeqLanes *arg, guint nv)
{
  guint width = nv * DP_SEQ_LANES, words = (nv + 63) / 64;
  const DpSeqLanes neg_inf = (DpSeqLanes) { 0 } + DP_SEQ_NEG_INF;
  for (guint v = 0; v < nv; v++)
    best[v] = neg_inf, arg[v] = (DpSeqLanes) { 0 };
  for (guint p = 0; p < n_tags; p++)
    {
      DpSeqULanes from = (DpSeqULanes) { 0 } + (guint32) prev[p];
      DpSeqLanes which = (DpSeqLanes) { 0 } + (gint32) p;
      DpSeqLanes live = (DpSeqLanes) { 0 } + (prev[p] == DP_SEQ_NEG_INF ? 0 : -1);
      const gint32 *row = trans + (gsize) p * width, *ok = c->allowed_lanes + (gsize) p * width;
      const guint64 *vectors = c->vectors_of + (gsize) p * words;
      for (guint v = 0; v < nv; v++)
        {
          if (!(vectors[v / 64] >> (v % 64) & 1))
            continue;
          DpSeqLanes s = (DpSeqLanes) (from + (DpSeqULanes) lanes_load (row + v * DP_SEQ_LANES));
          DpSeqLanes take = (s > best[v]) & lanes_load (ok + v * DP_SEQ_LANES) & live;
          best[v] = lanes_pick (take, s, best[v]);
          arg[v] = lanes_pick (take, which, arg[v]);
        }
    }
}

/* The rest of a token's step: its scores added, back pointers kept, and the
 * highest score of the row. */
G_ALWAYS_INLINE static inline gint32
viterbi_finish (const gint32 *row, guint n_tags, const DpSeqLanes *best, const DpSeqLanes *arg, gint32 *cur,
                guint16 *back, guint nv)
{
  const DpSeqLanes neg_inf = (DpSeqLanes) { 0 } + DP_SEQ_NEG_INF;
  DpSeqLanes top = neg_inf;
  for (guint v = 0; v < nv; v++)
    {
      DpSeqLanes sc = lanes_load (row + v * DP_SEQ_LANES);
      DpSeqLanes none = best[v] == neg_inf;
      DpSeqLanes d = lanes_pick (none, best[v], (DpSeqLanes) ((DpSeqULanes) best[v] + (DpSeqULanes) sc));
      lanes_store (cur + v * DP_SEQ_LANES, d);
      top = lanes_pick (d > top, d, top);
      DpSeqLanes16 a = __builtin_convertvector (arg[v], DpSeqLanes16);
      memcpy (back + v * DP_SEQ_LANES, &a, sizeof a);
    }
  gint32 high = DP_SEQ_NEG_INF;
  for (guint l = 0; l < DP_SEQ_LANES; l++)
    high = MAX (high, top[l]);
  return high;
}

#define VITERBI_ROW(nv) \
  do \
    { \
      DpSeqLanes b_[nv], a_[nv]; \
      viterbi_step (prev, tp, c, n_tags, b_, a_, nv); \
      high = viterbi_finish (row, n_tags, b_, a_, cur, back + (gsize) i * width, nv); \
    } \
  while (0)

/* Viterbi with every row padded to whole vectors (width tags): the scores
 * (n x width; what the padding holds does not matter), transitions (@tp,
 * (n_tags + 1) x width), deltas and back pointers (n x width). */
DP_SEQ_CLONES static void
viterbi_padded (const gint32 *scores, guint n, guint n_tags, const gint32 *tp, const DpSeqConstraints *c,
                guint16 *back, gint32 *delta, DpSeqLanes *best, DpSeqLanes *arg, guint16 *tags)
{
  guint nv = c->n_vectors, width = nv * DP_SEQ_LANES;
  gint32 *cur = delta, *prev = delta + width;
  const gint32 *start = tp + (gsize) n_tags * width;
  const guint8 *from_start = c->allowed + (gsize) n_tags * n_tags;
  const DpSeqLanes neg_inf = (DpSeqLanes) { 0 } + DP_SEQ_NEG_INF;
  for (guint t = 0; t < width; t++)
    cur[t] = t < n_tags && from_start[t] ? start[t] + scores[t] : DP_SEQ_NEG_INF;
  for (guint i = 1; i < n; i++)
    {
      gint32 *tmp = prev;
      prev = cur;
      cur = tmp;
      const gint32 *row = scores + (gsize) i * width;
      gint32 high;
      switch (nv)
        {
        case 1: VITERBI_ROW (1); break;
        case 2: VITERBI_ROW (2); break;
        case 3: VITERBI_ROW (3); break;
        case 4: VITERBI_ROW (4); break;
        default:
          viterbi_step (prev, tp, c, n_tags, best, arg, nv);
          high = viterbi_finish (row, n_tags, best, arg, cur, back + (gsize) i * width, nv);
        }
      /* Keep the numbers small: only differences matter. */
      if (high == DP_SEQ_NEG_INF)
        continue;
      const DpSeqLanes floor = neg_inf + 1, h = (DpSeqLanes) { 0 } + high;
      for (guint v = 0; v < nv; v++)
        {
          DpSeqLanes d = lanes_load (cur + v * DP_SEQ_LANES), x = (DpSeqLanes) ((DpSeqULanes) d - (DpSeqULanes) h);
          x = lanes_pick (x > floor, x, floor);
          lanes_store (cur + v * DP_SEQ_LANES, lanes_pick (d == neg_inf, d, x));
        }
    }
  guint16 last = 0;
  gint32 top = G_MININT32;
  for (guint t = 0; t < n_tags; t++)
    if (c->can_end[t] && cur[t] > top)
      top = cur[t], last = (guint16) t;
  tags[n - 1] = last;
  for (guint i = n - 1; i > 0; i--)
    tags[i - 1] = back[(gsize) i * width + tags[i]];
}

/* Viterbi over padded scores and transitions (see viterbi_padded), with
 * working memory on the stack for the usual sizes: this runs once per
 * sentence, and allocating per sentence showed in profiles. */
static void
viterbi_run (const gint32 *scores, guint n, guint n_tags, const gint32 *tp, const DpSeqConstraints *c,
             guint16 *tags)
{
  guint nv = c->n_vectors, width = nv * DP_SEQ_LANES;
  gboolean small = n_tags <= SMALL_TAGS;
  guint16 back_s[SMALL_BACK];
  gint32 delta_s[2 * SMALL_TAGS];
  DpSeqLanes best_s[SMALL_TAGS / DP_SEQ_LANES], arg_s[SMALL_TAGS / DP_SEQ_LANES];
  g_autofree gint32 *delta_h = small ? NULL : g_new (gint32, 2 * width);
  DpSeqLanes *best_h = small ? NULL : g_aligned_alloc (nv, sizeof (DpSeqLanes), sizeof (DpSeqLanes));
  DpSeqLanes *arg_h = small ? NULL : g_aligned_alloc (nv, sizeof (DpSeqLanes), sizeof (DpSeqLanes));
  g_autofree guint16 *back_h = (gsize) n * width <= SMALL_BACK ? NULL : g_new (guint16, (gsize) n * width);
  viterbi_padded (scores, n, n_tags, tp, c, back_h ? back_h : back_s, small ? delta_s : delta_h,
                  small ? best_s : best_h, small ? arg_s : arg_h, tags);
  g_aligned_free (best_h);
  g_aligned_free (arg_h);
}

/* Rows of @n_tags copied into rows of @width (the rest zero). */
static void
pad_rows (const gint32 *from, gsize rows, guint n_tags, guint width, gint32 *to)
{
  for (gsize r = 0; r < rows; r++)
    {
      memcpy (to + r * width, from + r * n_tags, n_tags * sizeof *to);
      memset (to + r * width + n_tags, 0, (width - n_tags) * sizeof *to);
    }
}

void
dp_seq_viterbi (const gint32 *scores, guint n, guint n_tags, const gint32 *trans,
                const DpSeqConstraints *c, guint16 *tags)
{
  if (n == 0)
    return;
  guint width = c->n_vectors * DP_SEQ_LANES;
  gint32 trans_s[(SMALL_TAGS + 1) * SMALL_TAGS], scores_s[SMALL_TOKENS * SMALL_TAGS];
  g_autofree gint32 *trans_h = n_tags <= SMALL_TAGS ? NULL : g_new (gint32, (gsize) (n_tags + 1) * width);
  g_autofree gint32 *scores_h = n_tags <= SMALL_TAGS && n <= SMALL_TOKENS ? NULL : g_new (gint32, (gsize) n * width);
  gint32 *tp = trans_h ? trans_h : trans_s, *sp = scores_h ? scores_h : scores_s;
  pad_rows (trans, n_tags + 1, n_tags, width, tp);
  pad_rows (scores, n, n_tags, width, sp);
  viterbi_run (sp, n, n_tags, tp, c, tags);
}

/* ---- models ---------------------------------------------------------------- */

/* The table decoding reads.  A lookup is the slot table's own linear probe,
 * slot for slot, so it finds what the slots say (the same row, the same
 * answer for a hash not in the model), but it reads little of the table:
 * the slot's bit says whether it is occupied (a group of 64 bits and a
 * count of the occupied slots before it), a byte of the key says whether it
 * may hold the feature (bits 24-31 of the hash, the low end of the key), and
 * only then the count leads to the entry, which holds the slot word and the
 * row together, aligned.  Bits and key bytes are 1.25 bytes a slot, in
 * cache; a feature the model lacks usually costs no entry read, and one it
 * has costs the one cache line of its entry, where a slot and a separate
 * row cost two or three, and a slot taken by another feature one more. */
static inline guint8
key_byte (guint64 h)
{
  return (guint8) (h >> 24);
}

/* The entry of the first slot from @slot on that may hold @h (NULL at an
 * empty slot), and that slot in @at. */
static inline const guint8 *
candidate (const DpSeqModel *m, guint64 h, guint64 slot, guint64 *at)
{
  guint64 mask = m->capacity - 1;
  guint8 kb = key_byte (h);
  for (;; slot = (slot + 1) & mask)
    {
      const DpSeqSlotGroup *g = &m->groups[slot / 64];
      guint64 bit = 1ULL << (slot % 64);
      if (!(g->bits & bit))
        return NULL;
      *at = slot;
      if (m->key_bytes[slot] == kb)
        return m->entries + (g->before + (guint64) __builtin_popcountll (g->bits & (bit - 1))) * m->entry_size;
    }
}

/* Does entry @e hold hash @h? */
static inline gboolean
entry_is (const guint8 *e, guint64 h)
{
  guint64 word;
  memcpy (&word, e, sizeof word);
  return (word & DP_SEQ_KEY_MASK) == (h & DP_SEQ_KEY_MASK);
}

/* The row of hash @h; NULL if not in the model. */
static const gint16 *
find_row (const DpSeqModel *m, guint64 h)
{
  guint64 mask = m->capacity - 1, at;
  for (guint64 slot = h & mask;; slot = (at + 1) & mask)
    {
      /* On a key with the same byte but another key, on from the slot after. */
      const guint8 *e = candidate (m, h, slot, &at);
      if (!e || entry_is (e, h))
        return e ? (const gint16 *) (e + 8) : NULL;
    }
}

/* Entries of @nt tags: the slot word and the row in a power of two of
 * bytes, so that none straddles a cache line, or whole lines beyond 64. */
static gsize
entry_size_for (guint nt)
{
  gsize need = 8 + (gsize) nt * 2, size = 16;
  while (size < need && size < 64)
    size *= 2;
  return size >= need ? size : (need + 63) & ~(gsize) 63;
}

/* Zeroed memory for the table, in huge pages where the system gives them
 * (madvise mode): its reads land anywhere in megabytes, and with 4 KB pages
 * most of them would miss the TLB too.  Mapped, not allocated: a mapping
 * is zero already (clearing it again cost more than the rest of loading). */
#define HUGE_PAGE ((gsize) 2 * 1024 * 1024)

static guint8 *
table_alloc (DpSeqModel *m, gsize size)
{
  gboolean huge = size >= HUGE_PAGE;
  gsize align = huge ? HUGE_PAGE : 4096;
  size = (size + align - 1) & ~(align - 1);
  gsize len = huge ? size + HUGE_PAGE : size;
  guint8 *base = mmap (NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED)
    g_error ("seqtag: cannot map %" G_GSIZE_FORMAT " bytes for a model's table", len);
  guint8 *mem = (guint8 *) (((guintptr) base + align - 1) & ~(guintptr) (align - 1));
#ifdef MADV_HUGEPAGE
  if (huge)
    madvise (mem, size, MADV_HUGEPAGE);
#endif
  m->table_map = base;
  m->table_map_size = len;
  return mem;
}

/* Builds the groups and entries from the slots and weights.  FALSE if no
 * slot is empty: a probe for a feature the model lacks would never end. */
static gboolean
build_table (DpSeqModel *m)
{
  guint64 n_groups = MAX (m->capacity / 64, 1), occupied = 0;
  for (guint64 s = 0; s < m->capacity; s++)
    occupied += m->slots[s] != 0;
  if (occupied == m->capacity)
    return FALSE;
  m->entry_size = entry_size_for (m->n_tags);
  gsize groups_size = (n_groups * sizeof (DpSeqSlotGroup) + 63) & ~(gsize) 63;
  gsize bytes_size = (m->capacity + 63) & ~(gsize) 63;
  guint8 *mem = table_alloc (m, groups_size + bytes_size + occupied * m->entry_size);
  DpSeqSlotGroup *groups = (DpSeqSlotGroup *) mem;
  guint8 *key_bytes = mem + groups_size;
  guint8 *entries = key_bytes + bytes_size;
  guint64 rank = 0;
  enum { AHEAD = 16 };   /* rows are read in no order: prefetched */
  for (guint64 s = 0; s < m->capacity; s++)
    {
      if (s + AHEAD < m->capacity && m->slots[s + AHEAD])
        __builtin_prefetch (m->weights + (gsize) ((m->slots[s + AHEAD] & DP_SEQ_ROW_MASK) - 1) * m->n_tags);
      if (s % 64 == 0)
        groups[s / 64].before = rank;
      if (!m->slots[s])
        continue;
      groups[s / 64].bits |= 1ULL << (s % 64);
      key_bytes[s] = key_byte (m->slots[s]);
      guint8 *e = entries + rank++ * m->entry_size;
      memcpy (e, &m->slots[s], 8);
      memcpy (e + 8, m->weights + (gsize) ((m->slots[s] & DP_SEQ_ROW_MASK) - 1) * m->n_tags, m->n_tags * 2);
    }
  m->groups = groups;
  m->key_bytes = key_bytes;
  m->entries = entries;
  return TRUE;
}

typedef gint16 DpSeqV8s __attribute__ ((vector_size (16)));
typedef gint32 DpSeqV8i __attribute__ ((vector_size (32)));
typedef gint16 DpSeqV4s __attribute__ ((vector_size (8)));
typedef gint32 DpSeqV4i __attribute__ ((vector_size (16)));

/* out[t] += the sum of the rows of features [a, b) (NULL: none), for the
 * n_tags = 8 * @nv + 0..7 tags.  The sums are kept in registers, eight tags
 * to a vector, then four, then one by one: adding each row into memory
 * made every addition wait for the one before (10 % of the claims model's
 * time).  @nv is a constant where this is inlined, so the loops unroll.
 * @first[k] is feature k's candidate entry (NULL: not in the model), almost
 * always its own. */
G_ALWAYS_INLINE static inline void
sum_rows (const DpSeqModel *m, guint nt, const guint64 *hashes, const guint8 *const *first, guint32 a, guint32 b,
          gint32 *out, guint nv)
{
  DpSeqV8i acc[3] = { { 0 } };
  DpSeqV4i acc4 = { 0 };
  gint32 s[3] = { 0 };
  guint rest = nt - nv * 8, has4 = rest >= 4, ns = rest - (has4 ? 4 : 0);
  for (guint32 k = a; k < b; k++)
    {
      const guint8 *e = first[k];
      if (!e)
        continue;
      const gint16 *w = entry_is (e, hashes[k]) ? (const gint16 *) (e + 8) : find_row (m, hashes[k]);
      if (!w)
        continue;
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
    sum_rows (m, nt, hashes, first, starts[i], starts[i + 1], scores + (gsize) i * width, (nv))

/* Scores every token under every tag, into rows of @width.  The entries
 * are memory-bound, so a first pass finds each feature's candidate entry
 * (from the slot bits and key bytes, in cache) and prefetches it (both ends
 * when it spans lines), a whole pass ahead of its use; the second pass
 * checks the key and sums. */
DP_SEQ_CLONES static void
score_tokens (const DpSeqModel *m, const DpSeqFeatures *f, gint32 *scores, guint width, const guint8 **first)
{
  guint n = dp_seq_features_n_tokens (f), nt = m->n_tags;
  const guint64 *hashes = (const guint64 *) f->hashes->data;
  const guint32 *starts = (const guint32 *) f->starts->data;
  guint32 total = starts[n];
  guint64 mask = m->capacity - 1;
  gsize tail = m->entry_size - 1;
  for (guint32 k = 0; k < total; k++)
    {
      guint64 at;
      const guint8 *e = candidate (m, hashes[k], hashes[k] & mask, &at);
      first[k] = e;
      if (e)
        {
          __builtin_prefetch (e);
          __builtin_prefetch (e + tail);
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
          gint32 *row = scores + (gsize) i * width;
          for (guint32 k = starts[i]; k < starts[i + 1]; k++)
            {
              const gint16 *w = find_row (m, hashes[k]);
              for (guint t = 0; w && t < nt; t++)
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

gboolean
dp_seq_model_bias_fits (const DpSeqModel *m, double bias)
{
  return isfinite (bias) && fabs (bias) <= G_MAXFLOAT && fabsf ((float) bias * m->scale) <= DP_SEQ_MAX_BIAS_UNITS;
}

/* @bias in weight units.  A float out of int32's range converts to anything
 * (undefined behaviour; on x86 a huge positive bias became the most negative
 * int32), so a bias past DP_SEQ_MAX_BIAS_UNITS is clamped to it, and NaN
 * adds nothing.  The product is a float's, as it always was, so that a
 * model decodes as it did. */
static gint32
bias_units (const DpSeqModel *m, float bias)
{
  float b = bias * m->scale;
  if (isnan (b))
    return 0;
  return (gint32) CLAMP (b, (float) -DP_SEQ_MAX_BIAS_UNITS, (float) DP_SEQ_MAX_BIAS_UNITS);
}

void
dp_seq_model_decode_biased (const DpSeqModel *m, const DpSeqFeatures *f, const float *bias, guint16 *tags)
{
  guint n = dp_seq_features_n_tokens (f);
  if (n == 0)
    return;
  guint width = m->c.n_vectors * DP_SEQ_LANES;
  gint32 scores_s[SMALL_TOKENS * SMALL_TAGS];
  const guint8 *first_s[SMALL_FEATURES];
  gboolean small = n <= SMALL_TOKENS && m->n_tags <= SMALL_TAGS;
  g_autofree gint32 *scores_h = small ? NULL : g_new (gint32, (gsize) n * width);
  g_autofree const guint8 **first_h = f->hashes->len <= SMALL_FEATURES ? NULL : g_new (const guint8 *, f->hashes->len);
  gint32 *scores = small ? scores_s : scores_h;
  memset (scores, 0, (gsize) n * width * sizeof *scores);
  score_tokens (m, f, scores, width, first_h ? first_h : first_s);
  for (guint t = 0; bias && t < m->n_tags; t++)
    {
      gint32 b = bias_units (m, bias[t]);
      for (guint i = 0; b && i < n; i++)
        scores[(gsize) i * width + t] += b;
    }
  viterbi_run (scores, n, m->n_tags, m->trans_padded, &m->c, tags);
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
  guint width = m->c.n_vectors * DP_SEQ_LANES;
  m->trans_padded = g_new (gint32, (gsize) (m->n_tags + 1) * width);
  pad_rows (m->trans, m->n_tags + 1, m->n_tags, width, m->trans_padded);
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
  /* Training leaves at least half the slots empty. */
  gboolean built = build_table (m);
  g_assert (built);
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
  if (m->table_map)
    munmap (m->table_map, m->table_map_size);
  g_free (m->trans_padded);
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
guint64
dp_seq_checksum (const guchar *p, gsize len)
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
  if (dp_seq_checksum (payload, l.total) != h.checksum)
    return g_mapped_file_unref (mapped), format_error (error, path, "checksum mismatch (corrupted)"), NULL;
  char **names = read_names ((const char *) payload, h.names_size, h.n_tags);
  if (!names)
    return g_mapped_file_unref (mapped), format_error (error, path, "bad tag names"), NULL;
  /* Every row index must be inside the weights. */
  const guint64 *slots = (const guint64 *) (payload + l.slots);
  guint64 occupied = 0;
  const char *bad = NULL;
  for (guint64 s = 0; s < capacity && !bad; s++)
    if (slots[s] && ((slots[s] & DP_SEQ_ROW_MASK) == 0 || (slots[s] & DP_SEQ_ROW_MASK) > h.n_features))
      bad = "a feature row is out of range";
    else
      occupied += slots[s] != 0;
  /* A probe for a feature the model lacks ends at an empty slot. */
  if (!bad && occupied == capacity)
    bad = "the feature table has no empty slot";
  /* Training scales transitions into the weights' int16 range; larger ones
   * would overflow Viterbi's int32 sums (a corrupt or hostile file). */
  const gint32 *trans = (const gint32 *) (payload + l.trans);
  for (gsize i = 0; i < (gsize) (h.n_tags + 1) * h.n_tags && !bad; i++)
    if (trans[i] < -G_MAXINT16 || trans[i] > G_MAXINT16)
      bad = "a transition weight is out of range";
  /* The scale turns a bias into weight units (dp_seq_model_decode_biased):
   * training makes it positive and finite. */
  if (!bad && !(isfinite (h.scale) && h.scale > 0))
    bad = "the weight scale is not a positive finite number";
  if (bad)
    {
      g_strfreev (names);
      g_mapped_file_unref (mapped);
      format_error (error, path, bad);
      return NULL;
    }
  DpSeqModel *m = dp_seq_model_new_owned (names, h.n_tags, h.n_features, capacity, NULL, slots,
                                          (const gint16 *) (payload + l.weights), trans, h.scale);
  m->mapped = mapped;
  const char *meta = (const char *) payload + l.meta;
  if (h.meta_size)
    m->meta = g_utf8_make_valid (meta, strnlen (meta, h.meta_size));
#ifdef MADV_DONTNEED
  /* Decoding reads the table built from the file, not the file: its pages,
   * read once by the checksum and the build, need not stay resident (read
   * again from the file if saving the model ever asks for them). */
  madvise ((gpointer) data, size, MADV_DONTNEED);
#endif
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
  h.checksum = dp_seq_checksum (payload, l.total);
  memcpy (buf, &h, sizeof h);
  g_autoptr (GError) local = NULL;
  if (!g_file_set_contents (path, (const char *) buf, (gssize) (sizeof h + l.total), &local))
    {
      g_set_error (error, DP_SEQ_ERROR, DP_SEQ_ERROR_IO, "%s", local->message);
      return FALSE;
    }
  return TRUE;
}
