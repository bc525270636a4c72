/* train.c — the averaged structured perceptron (Collins 2002) behind seqtag.
 *
 * Training keeps integer weights (each update adds or subtracts one), decodes
 * every sequence with them, and on a mistake rewards the gold tags' features
 * and transitions and penalises the predicted ones.  The model uses the
 * average of the weights over all steps, which generalises far better than
 * the last ones; the usual bookkeeping trick makes that average cheap:
 * alongside w keep u += step * delta, and the average is w - u / step.
 * Averages are finally scaled into int16 so the model is small and scoring
 * is integer adds.
 */
#include "seqtag-private.h"

#include <math.h>
#include <string.h>

typedef struct {
  guint32 n;           /* tokens */
  guint64 *hashes;
  guint32 *starts;     /* n + 1 */
  guint16 *gold;
} Example;

/* An open-addressing map from feature hash to a u32 (a count, then a row). */
typedef struct {
  guint64 *keys;
  guint32 *values;
  guint64 capacity, size;
} Map;

struct _DpSeqTrainer {
  char **tags;
  guint n_tags;
  GPtrArray *examples;   /* Example* */
  DpSeqConstraints c;
};

/* ---- the map --------------------------------------------------------------- */

static void
map_init (Map *m, guint64 capacity)
{
  m->capacity = capacity;
  m->size = 0;
  m->keys = g_new0 (guint64, capacity);
  m->values = g_new0 (guint32, capacity);
}

static void
map_clear (Map *m)
{
  g_free (m->keys);
  g_free (m->values);
}

static guint64
map_slot (const Map *m, guint64 h)
{
  guint64 mask = m->capacity - 1, s = h & mask;
  while (m->keys[s] != 0 && m->keys[s] != h)
    s = (s + 1) & mask;
  return s;
}

static void map_grow (Map *m);

static guint32 *
map_get_or_add (Map *m, guint64 h)
{
  if ((m->size + 1) * 2 > m->capacity)
    map_grow (m);
  guint64 s = map_slot (m, h);
  if (m->keys[s] == 0)
    {
      m->keys[s] = h;
      m->size++;
    }
  return &m->values[s];
}

static void
map_grow (Map *m)
{
  Map bigger;
  map_init (&bigger, m->capacity * 2);
  for (guint64 s = 0; s < m->capacity; s++)
    if (m->keys[s])
      *map_get_or_add (&bigger, m->keys[s]) = m->values[s];
  map_clear (m);
  *m = bigger;
}

static gint64
map_find (const Map *m, guint64 h)
{
  guint64 s = map_slot (m, h);
  return m->keys[s] ? (gint64) m->values[s] : -1;
}

/* ---- trainer --------------------------------------------------------------- */

static void
example_free (gpointer p)
{
  Example *e = p;
  g_free (e->hashes);
  g_free (e->starts);
  g_free (e->gold);
  g_free (e);
}

DpSeqTrainer *
dp_seq_trainer_new (const char *const *tags)
{
  DpSeqTrainer *t = g_new0 (DpSeqTrainer, 1);
  t->tags = g_strdupv ((char **) tags);
  t->n_tags = g_strv_length (t->tags);
  t->examples = g_ptr_array_new_with_free_func (example_free);
  dp_seq_constraints_init (&t->c, t->tags, t->n_tags);
  return t;
}

void
dp_seq_trainer_free (DpSeqTrainer *t)
{
  if (!t)
    return;
  g_strfreev (t->tags);
  g_ptr_array_unref (t->examples);
  dp_seq_constraints_clear (&t->c);
  g_free (t);
}

void
dp_seq_trainer_add (DpSeqTrainer *t, const DpSeqFeatures *f, const guint16 *gold)
{
  Example *e = g_new (Example, 1);
  e->n = dp_seq_features_n_tokens (f);
  e->hashes = g_memdup2 (f->hashes->data, f->hashes->len * sizeof (guint64));
  e->starts = g_memdup2 (f->starts->data, (e->n + 1) * sizeof (guint32));
  e->gold = g_memdup2 (gold, e->n * sizeof (guint16));
  for (guint i = 0; i < e->n; i++)
    g_return_if_fail (gold[i] < t->n_tags);
  g_ptr_array_add (t->examples, e);
}

guint dp_seq_trainer_n_sequences (const DpSeqTrainer *t) { return t->examples->len; }

/* ---- the perceptron -------------------------------------------------------- */

typedef struct {
  guint n_tags;
  Map rows;            /* feature -> row */
  guint32 n_rows;
  gint32 *w;           /* n_rows x n_tags, then (n_tags + 1) x n_tags transitions */
  gint64 *u;           /* the same shape: sum of step * delta */
  gint64 step;
} Perceptron;

static gint32 *
trans_w (Perceptron *p)
{
  return p->w + (gsize) p->n_rows * p->n_tags;
}

/* Rows for the features seen at least @min_count times, in first-seen order
 * (deterministic for a given training set). */
static void
assign_rows (Perceptron *p, GPtrArray *examples, guint min_count)
{
  Map counts;
  map_init (&counts, 1 << 16);
  for (guint e = 0; e < examples->len; e++)
    {
      Example *ex = g_ptr_array_index (examples, e);
      for (guint32 k = 0; k < ex->starts[ex->n]; k++)
        (*map_get_or_add (&counts, ex->hashes[k]))++;
    }
  map_init (&p->rows, 1 << 16);
  for (guint e = 0; e < examples->len; e++)
    {
      Example *ex = g_ptr_array_index (examples, e);
      for (guint32 k = 0; k < ex->starts[ex->n]; k++)
        {
          guint64 h = ex->hashes[k];
          if (map_find (&counts, h) >= (gint64) min_count && map_find (&p->rows, h) < 0)
            *map_get_or_add (&p->rows, h) = p->n_rows++;
        }
    }
  map_clear (&counts);
}

static void
score (Perceptron *p, const Example *ex, gint32 *scores)
{
  guint nt = p->n_tags;
  memset (scores, 0, (gsize) ex->n * nt * sizeof (gint32));
  for (guint i = 0; i < ex->n; i++)
    for (guint32 k = ex->starts[i]; k < ex->starts[i + 1]; k++)
      {
        gint64 r = map_find (&p->rows, ex->hashes[k]);
        if (r < 0)
          continue;
        const gint32 *w = p->w + (gsize) r * nt;
        for (guint t = 0; t < nt; t++)
          scores[(gsize) i * nt + t] += w[t];
      }
}

static void
bump (Perceptron *p, gsize index, gint32 delta)
{
  p->w[index] += delta;
  p->u[index] += p->step * delta;
}

/* Rewards @tags' features and transitions by @delta (+1 gold, -1 predicted). */
static void
update (Perceptron *p, const Example *ex, const guint16 *tags, gint32 delta)
{
  guint nt = p->n_tags;
  gsize trans0 = (gsize) p->n_rows * nt;
  for (guint i = 0; i < ex->n; i++)
    {
      for (guint32 k = ex->starts[i]; k < ex->starts[i + 1]; k++)
        {
          gint64 r = map_find (&p->rows, ex->hashes[k]);
          if (r >= 0)
            bump (p, (gsize) r * nt + tags[i], delta);
        }
      guint from = i == 0 ? nt : tags[i - 1];
      bump (p, trans0 + (gsize) from * nt + tags[i], delta);
    }
}

static guint
train_one (DpSeqTrainer *t, Perceptron *p, const Example *ex, gint32 *scores, guint16 *pred)
{
  score (p, ex, scores);
  dp_seq_viterbi (scores, ex->n, t->n_tags, trans_w (p), &t->c, pred);
  guint wrong = 0;
  for (guint i = 0; i < ex->n; i++)
    wrong += pred[i] != ex->gold[i];
  if (wrong)
    {
      update (p, ex, ex->gold, +1);
      update (p, ex, pred, -1);
    }
  p->step++;
  return wrong;
}

/* Adds the run's averaged weights, times @share, to @avg. */
static void
accumulate (const Perceptron *p, double *avg, gsize n, double share)
{
  for (gsize i = 0; i < n; i++)
    avg[i] += share * (p->w[i] - (double) p->u[i] / (double) MAX (p->step, 1));
}

/* Scales the averaged weights into a model, leaving out the features whose
 * weights all round to zero: they cannot change a decision. */
static DpSeqModel *
build_model (DpSeqTrainer *t, Perceptron *p, const double *avg)
{
  guint nt = t->n_tags;
  gsize n_weights = (gsize) p->n_rows * nt, n_trans = (gsize) (nt + 1) * nt;
  double top = 1e-9;
  for (gsize i = 0; i < n_weights + n_trans; i++)
    top = MAX (top, fabs (avg[i]));
  float scale = (float) (32000.0 / top);
  /* Quantize, and number the rows that keep something. */
  g_autofree gint16 *q = g_new (gint16, MAX (n_weights, 1));
  g_autofree guint32 *renumber = g_new (guint32, MAX (p->n_rows, 1));
  guint32 kept = 0;
  for (guint32 r = 0; r < p->n_rows; r++)
    {
      gboolean any = FALSE;
      for (guint tg = 0; tg < nt; tg++)
        any |= (q[(gsize) r * nt + tg] = (gint16) lrint (avg[(gsize) r * nt + tg] * scale)) != 0;
      renumber[r] = any ? kept++ : G_MAXUINT32;
    }
  g_assert (kept <= DP_SEQ_MAX_ROWS);
  guint64 capacity = 16;
  while (capacity < (guint64) kept * 2)
    capacity *= 2;
  gsize size = capacity * 8 + n_trans * 4 + (gsize) kept * nt * 2 + 16;
  guchar *owned = g_malloc0 (size);
  guint64 *slots = (guint64 *) owned;
  gint32 *trans = (gint32 *) (owned + capacity * 8);
  gint16 *weights = (gint16 *) (owned + capacity * 8 + n_trans * 4);
  for (guint64 s = 0; s < p->rows.capacity; s++)
    {
      guint64 h = p->rows.keys[s];
      guint32 r = h ? renumber[p->rows.values[s]] : G_MAXUINT32;
      if (r == G_MAXUINT32)
        continue;
      guint64 slot = h & (capacity - 1);
      while (slots[slot])
        slot = (slot + 1) & (capacity - 1);
      slots[slot] = (h & DP_SEQ_KEY_MASK) | (r + 1);
      memcpy (weights + (gsize) r * nt, q + (gsize) p->rows.values[s] * nt, nt * sizeof (gint16));
    }
  for (gsize i = 0; i < n_trans; i++)
    trans[i] = (gint32) lrint (avg[n_weights + i] * scale);
  return dp_seq_model_new_owned (g_strdupv (t->tags), nt, kept, capacity, owned, slots, weights, trans, scale);
}

/* One run: @epochs passes in an order shuffled by @seed, from zero weights. */
static void
run (DpSeqTrainer *t, Perceptron *p, gsize n, guint epochs, guint32 seed, DpSeqEpochFunc on_epoch,
     gpointer user_data)
{
  memset (p->w, 0, n * sizeof *p->w);
  memset (p->u, 0, n * sizeof *p->u);
  p->step = 1;
  guint longest = 1;
  for (guint e = 0; e < t->examples->len; e++)
    longest = MAX (longest, ((Example *) g_ptr_array_index (t->examples, e))->n);
  g_autofree gint32 *scores = g_new (gint32, (gsize) longest * t->n_tags);
  g_autofree guint16 *pred = g_new (guint16, longest);
  g_autofree guint *order = g_new (guint, MAX (t->examples->len, 1));
  for (guint e = 0; e < t->examples->len; e++)
    order[e] = e;
  GRand *rand = g_rand_new_with_seed (seed);
  for (guint epoch = 0; epoch < epochs; epoch++)
    {
      for (guint e = t->examples->len; e > 1; e--)
        {
          guint j = (guint) g_rand_int_range (rand, 0, (gint32) e);
          guint tmp = order[e - 1];
          order[e - 1] = order[j];
          order[j] = tmp;
        }
      guint wrong = 0, tokens = 0;
      for (guint e = 0; e < t->examples->len; e++)
        {
          Example *ex = g_ptr_array_index (t->examples, order[e]);
          wrong += train_one (t, p, ex, scores, pred);
          tokens += ex->n;
        }
      if (on_epoch)
        on_epoch (epoch + 1, wrong, tokens, user_data);
    }
  g_rand_free (rand);
}

DpSeqModel *
dp_seq_trainer_train (DpSeqTrainer *t, guint epochs, guint32 seed, guint min_count,
                      DpSeqEpochFunc on_epoch, gpointer user_data)
{
  return dp_seq_trainer_train_runs (t, epochs, seed, 1, min_count, on_epoch, user_data);
}

DpSeqModel *
dp_seq_trainer_train_runs (DpSeqTrainer *t, guint epochs, guint32 seed, guint runs, guint min_count,
                           DpSeqEpochFunc on_epoch, gpointer user_data)
{
  Perceptron p = { .n_tags = t->n_tags, .step = 1 };
  assign_rows (&p, t->examples, MAX (min_count, 1));
  gsize n = (gsize) (p.n_rows + t->n_tags + 1) * t->n_tags;
  p.w = g_new0 (gint32, n);
  p.u = g_new0 (gint64, n);
  g_autofree double *avg = g_new0 (double, n);
  runs = MAX (runs, 1);
  for (guint r = 0; r < runs; r++)
    {
      run (t, &p, n, epochs, seed + r, on_epoch, user_data);
      accumulate (&p, avg, n, 1.0 / runs);
    }
  DpSeqModel *model = build_model (t, &p, avg);
  map_clear (&p.rows);
  g_free (p.w);
  g_free (p.u);
  return model;
}
