/* test-seqtag.c — the sequence labeller: learning a small tagging task we
 * generate ourselves to a fixed score, deterministic training, BILOU-valid
 * decoding, scoring with any number of tags and the vectorised Viterbi
 * against plain reference code, and the model file (round trip; truncated,
 * corrupted, foreign, future and full-table files refused with a clear
 * error). */
#include "seqtag-private.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static const char *const tags[] = { "O", "B-PER", "I-PER", "L-PER", "U-PER", "B-LOC", "I-LOC", "L-LOC", "U-LOC", NULL };
enum { O, B_PER, I_PER, L_PER, U_PER, B_LOC, I_LOC, L_LOC, U_LOC };

static const char *const first[] = { "Ali", "Kim", "Hassan", "Maria", "Choe", "Amara", "Lukas", "Grace" };
static const char *const last[] = { "Larijani", "Rouhani", "Okafor", "Reinholt", "Wanjiru", "Yong-nam", "Thae-bok" };
static const char *const places[] = { "Tehran", "Pyongyang", "Geneva", "Nairobi", "Seoul", "Zurich", "Tallinn" };
static const char *const places2[] = { "New York", "Addis Ababa", "Hong Kong" };
static const char *const filler[] = { "the", "talks", "said", "on", "Tuesday", "officials", "that", "met", "with", "visited" };

typedef struct {
  GPtrArray *words;
  GArray *gold;     /* guint16 */
} Sentence;

static void
push (Sentence *s, const char *w, guint16 tag)
{
  g_ptr_array_add (s->words, (gpointer) w);
  g_array_append_val (s->gold, tag);
}

static void
push_phrase (Sentence *s, const char *phrase, guint16 b, guint16 i, guint16 l, guint16 u)
{
  g_auto (GStrv) parts = g_strsplit (phrase, " ", -1);
  guint n = g_strv_length (parts);
  for (guint k = 0; k < n; k++)
    push (s, g_intern_string (parts[k]), n == 1 ? u : k == 0 ? b : k == n - 1 ? l : i);
}

/* Sentences like "officials said Ali Larijani met Kim in Tehran on Tuesday". */
static Sentence
generate (GRand *r)
{
  Sentence s = { g_ptr_array_new (), g_array_new (FALSE, FALSE, sizeof (guint16)) };
  guint parts = (guint) g_rand_int_range (r, 2, 6);
  for (guint p = 0; p < parts; p++)
    {
      switch (g_rand_int_range (r, 0, 5))
        {
        case 0:
          {
            g_autofree char *name = g_strdup_printf ("%s %s", first[g_rand_int_range (r, 0, 8)], last[g_rand_int_range (r, 0, 7)]);
            push_phrase (&s, name, B_PER, I_PER, L_PER, U_PER);
            break;
          }
        case 1:
          push_phrase (&s, first[g_rand_int_range (r, 0, 8)], B_PER, I_PER, L_PER, U_PER);
          break;
        case 2:
          push (&s, "in", O);
          push_phrase (&s, places[g_rand_int_range (r, 0, 7)], B_LOC, I_LOC, L_LOC, U_LOC);
          break;
        case 3:
          push (&s, "in", O);
          push_phrase (&s, places2[g_rand_int_range (r, 0, 3)], B_LOC, I_LOC, L_LOC, U_LOC);
          break;
        default:
          push (&s, filler[g_rand_int_range (r, 0, 10)], O);
        }
      push (&s, filler[g_rand_int_range (r, 0, 10)], O);
    }
  return s;
}

static void
sentence_clear (Sentence *s)
{
  g_ptr_array_unref (s->words);
  g_array_unref (s->gold);
}

/* Word, neighbours, shape: enough to learn the task. */
static void
featurize (const Sentence *s, DpSeqFeatures *f)
{
  dp_seq_features_reset (f);
  for (guint i = 0; i < s->words->len; i++)
    {
      const char *w = g_ptr_array_index (s->words, i);
      const char *prev = i > 0 ? g_ptr_array_index (s->words, i - 1) : "<s>";
      const char *next = i + 1 < s->words->len ? g_ptr_array_index (s->words, i + 1) : "</s>";
      dp_seq_features_next_token (f);
      dp_seq_features_add (f, dp_seq_hash (0, "bias", 4));
      dp_seq_features_add (f, dp_seq_hash (1, w, strlen (w)));
      dp_seq_features_add (f, dp_seq_hash (2, prev, strlen (prev)));
      dp_seq_features_add (f, dp_seq_hash (3, next, strlen (next)));
      dp_seq_features_add (f, dp_seq_hash (4, g_ascii_isupper (w[0]) ? "X" : "x", 1));
    }
}

static DpSeqModel *
train (guint32 seed, guint n)
{
  g_autoptr (DpSeqTrainer) t = dp_seq_trainer_new (tags);
  GRand *r = g_rand_new_with_seed (42);
  DpSeqFeatures f;
  dp_seq_features_init (&f);
  for (guint k = 0; k < n; k++)
    {
      Sentence s = generate (r);
      featurize (&s, &f);
      dp_seq_trainer_add (t, &f, (const guint16 *) s.gold->data);
      sentence_clear (&s);
    }
  dp_seq_features_clear (&f);
  g_rand_free (r);
  g_assert_cmpuint (dp_seq_trainer_n_sequences (t), ==, n);
  return dp_seq_trainer_train (t, 5, seed, 1, NULL, NULL);
}

/* Exact-match entity F1 and token accuracy on fresh sentences. */
static void
evaluate (DpSeqModel *m, double *f1, double *accuracy)
{
  GRand *r = g_rand_new_with_seed (7);
  DpSeqFeatures f;
  dp_seq_features_init (&f);
  guint tp = 0, gold_n = 0, pred_n = 0, right = 0, tokens = 0;
  for (guint k = 0; k < 300; k++)
    {
      Sentence s = generate (r);
      featurize (&s, &f);
      g_autofree guint16 *pred = g_new (guint16, s.words->len);
      dp_seq_model_decode (m, &f, pred);
      const guint16 *gold = (const guint16 *) s.gold->data;
      guint gs = 0, ps = 0;
      for (guint i = 0; i < s.words->len; i++)
        {
          right += pred[i] == gold[i];
          tokens++;
          const char *gn = tags[gold[i]], *pn = tags[pred[i]];
          if (gn[0] == 'B' || gn[0] == 'U')
            gs = i, gold_n++;
          if (pn[0] == 'B' || pn[0] == 'U')
            ps = i, pred_n++;
          gboolean gend = gn[0] == 'L' || gn[0] == 'U', pend = pn[0] == 'L' || pn[0] == 'U';
          if (gend && pend && gs == ps && strcmp (gn + 1, pn + 1) == 0)
            {
              gboolean same = TRUE;
              for (guint j = gs; j <= i; j++)
                same &= pred[j] == gold[j];
              tp += same;
            }
        }
      sentence_clear (&s);
    }
  dp_seq_features_clear (&f);
  g_rand_free (r);
  double p = pred_n ? (double) tp / pred_n : 0, rc = gold_n ? (double) tp / gold_n : 0;
  *f1 = p + rc > 0 ? 2 * p * rc / (p + rc) : 0;
  *accuracy = (double) right / tokens;
}

static void
test_learns_task (void)
{
  g_autoptr (DpSeqModel) m = train (1, 400);
  double f1, acc;
  evaluate (m, &f1, &acc);
  g_test_message ("F1 %.4f, token accuracy %.4f, %u features", f1, acc, dp_seq_model_n_features (m));
  g_assert_cmpfloat (f1, >=, 0.97);
  g_assert_cmpfloat (acc, >=, 0.98);
}

static char *tmp_dir;

static char *
tmp_path (const char *name)
{
  if (!tmp_dir)
    tmp_dir = g_dir_make_tmp ("docpipe-seqtag-XXXXXX", NULL);
  return g_build_filename (tmp_dir, name, NULL);
}

static void
remove_tmp_dir (void)
{
  g_autoptr (GDir) d = tmp_dir ? g_dir_open (tmp_dir, 0, NULL) : NULL;
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
      g_remove (path);
    }
  if (tmp_dir)
    g_rmdir (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
}

static char *
read_all (const char *path, gsize *len)
{
  char *data = NULL;
  g_assert_true (g_file_get_contents (path, &data, len, NULL));
  return data;
}

static void
test_deterministic (void)
{
  g_autoptr (DpSeqModel) a = train (5, 200);
  g_autoptr (DpSeqModel) b = train (5, 200);
  g_autoptr (DpSeqModel) c = train (6, 200);
  g_autofree char *pa = tmp_path ("a.model"), *pb = tmp_path ("b.model"), *pc = tmp_path ("c.model");
  g_assert_true (dp_seq_model_save (a, pa, NULL));
  g_assert_true (dp_seq_model_save (b, pb, NULL));
  g_assert_true (dp_seq_model_save (c, pc, NULL));
  gsize la, lb, lc;
  g_autofree char *da = read_all (pa, &la), *db = read_all (pb, &lb), *dc = read_all (pc, &lc);
  g_assert_true (la == lb && memcmp (da, db, la) == 0);
  /* Another seed shuffles differently: not the same weights. */
  g_assert_false (la == lc && memcmp (da, dc, la) == 0);
}

static void
test_round_trip (void)
{
  g_autoptr (DpSeqModel) m = train (1, 200);
  g_autofree char *path = tmp_path ("rt.model");
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_seq_model_save (m, path, &error));
  g_autoptr (DpSeqModel) loaded = dp_seq_model_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dp_seq_model_n_tags (loaded), ==, 9);
  g_assert_cmpstr (dp_seq_model_tag_name (loaded, 4), ==, "U-PER");
  g_assert_cmpint (dp_seq_model_tag_index (loaded, "L-LOC"), ==, L_LOC);
  g_assert_cmpint (dp_seq_model_tag_index (loaded, "X"), ==, -1);
  g_assert_cmpuint (dp_seq_model_n_features (loaded), ==, dp_seq_model_n_features (m));
  GRand *r = g_rand_new_with_seed (99);
  DpSeqFeatures f;
  dp_seq_features_init (&f);
  for (guint k = 0; k < 100; k++)
    {
      Sentence s = generate (r);
      featurize (&s, &f);
      g_autofree guint16 *x = g_new (guint16, s.words->len), *y = g_new (guint16, s.words->len);
      dp_seq_model_decode (m, &f, x);
      dp_seq_model_decode (loaded, &f, y);
      g_assert_cmpmem (x, s.words->len * 2, y, s.words->len * 2);
      sentence_clear (&s);
    }
  dp_seq_features_clear (&f);
  g_rand_free (r);
}

static void
assert_refused (const char *path, const char *why)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpSeqModel) m = dp_seq_model_load (path, &error);
  g_assert_null (m);
  g_assert_error (error, DP_SEQ_ERROR, DP_SEQ_ERROR_FORMAT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, why));
  g_assert_true (g_str_has_prefix (error->message, path));
}

static void
test_bad_files (void)
{
  g_autoptr (DpSeqModel) m = train (1, 50);
  g_autofree char *good = tmp_path ("good.model"), *bad = tmp_path ("bad.model");
  g_assert_true (dp_seq_model_save (m, good, NULL));
  gsize len;
  g_autofree char *data = read_all (good, &len);

  g_assert_true (g_file_set_contents (bad, data, (gssize) len / 2, NULL));
  assert_refused (bad, "truncated");
  g_assert_true (g_file_set_contents (bad, data, 10, NULL));
  assert_refused (bad, "too short");
  g_assert_true (g_file_set_contents (bad, "", 0, NULL));
  assert_refused (bad, "too short");
  g_assert_true (g_file_set_contents (bad, "{\"not\": \"a model, but long enough to have a header\"}", -1, NULL));
  assert_refused (bad, "wrong magic");

  g_autofree char *flipped = g_memdup2 (data, len);
  flipped[len - 3] ^= 0x40;
  g_assert_true (g_file_set_contents (bad, flipped, (gssize) len, NULL));
  assert_refused (bad, "checksum");

  g_autofree char *future = g_memdup2 (data, len);
  future[8] = 99;   /* the version field */
  g_assert_true (g_file_set_contents (bad, future, (gssize) len, NULL));
  assert_refused (bad, "version 99");

  /* Every slot taken (a good checksum over it): a probe for a feature the
   * model lacks would never end, so the file is refused. */
  g_autofree char *full = g_memdup2 (data, len);
  guint32 names_size, meta_size, log2;
  memcpy (&log2, full + 20, 4);
  memcpy (&names_size, full + 28, 4);
  memcpy (&meta_size, full + 32, 4);
  guint64 *slots = (guint64 *) (full + 48 + ((names_size + 7) & ~7u) + ((meta_size + 7) & ~7u));
  for (guint64 s = 0; s < (1ULL << log2); s++)
    if (!slots[s])
      slots[s] = (0xABCDEF0000000000ULL + (s << 24)) | 1;
  guint64 sum = dp_seq_checksum ((const guchar *) full + 48, len - 48);
  memcpy (full + 40, &sum, 8);
  g_assert_true (g_file_set_contents (bad, full, (gssize) len, NULL));
  assert_refused (bad, "no empty slot");

  g_autoptr (GError) error = NULL;
  g_assert_null (dp_seq_model_load ("/nonexistent/x.model", &error));
  g_assert_error (error, DP_SEQ_ERROR, DP_SEQ_ERROR_IO);
}

/* Scores that would prefer an invalid sequence still decode to a valid one. */
static void
test_bilou_constraints (void)
{
  char **names = g_strdupv ((char **) tags);
  DpSeqConstraints c;
  dp_seq_constraints_init (&c, names, 9);
  const guint8 *allowed = c.allowed, *can_end = c.can_end;
  g_assert_true (allowed[O * 9 + B_PER]);
  g_assert_false (allowed[O * 9 + I_PER]);
  g_assert_false (allowed[B_PER * 9 + L_LOC]);
  g_assert_true (allowed[B_PER * 9 + L_PER]);
  g_assert_false (allowed[9 * 9 + L_PER]);     /* cannot start inside an entity */
  g_assert_false (can_end[B_LOC]);
  gint32 scores[3 * 9] = { 0 };
  scores[0 * 9 + I_PER] = 100;   /* wants I-PER first: impossible */
  scores[1 * 9 + O] = 100;
  scores[2 * 9 + B_LOC] = 100;   /* wants to end on B-LOC: impossible */
  gint32 trans[10 * 9] = { 0 };
  guint16 out[3];
  dp_seq_viterbi (scores, 3, 9, trans, &c, out);
  for (guint i = 0; i < 3; i++)
    {
      guint from = i == 0 ? 9 : out[i - 1];
      g_assert_true (allowed[from * 9 + out[i]]);
    }
  g_assert_true (can_end[out[2]]);
  dp_seq_constraints_clear (&c);
  g_strfreev (names);
}

/* A model of @nt tags (not BILOU: every transition allowed) with random
 * weights and transitions and @nf features in @capacity slots, built as
 * training builds one.  Every other feature shares the home slot and the
 * low 32 bits of its hash with the one before: the probe meets keys that
 * look alike in the bits it checks first. */
static DpSeqModel *
random_model (GRand *r, guint nt, guint nf, guint64 capacity, guint64 *hashes)
{
  gsize slots_size = capacity * 8, weights_size = (gsize) nf * nt * 2, trans_size = (gsize) (nt + 1) * nt * 4;
  guchar *owned = g_malloc0 (slots_size + weights_size + trans_size);
  guint64 *slots = (guint64 *) owned;
  gint16 *weights = (gint16 *) (owned + slots_size);
  gint32 *trans = (gint32 *) (owned + slots_size + weights_size);
  for (guint f = 0; f < nf; f++)
    {
      hashes[f] = ((guint64) g_rand_int (r) << 32 | g_rand_int (r)) | 1;
      if (f % 2 == 1)
        hashes[f] = (hashes[f] & ~0xFFFFFFFFULL) | (hashes[f - 1] & 0xFFFFFFFFULL);
      guint64 slot = hashes[f] & (capacity - 1);
      while (slots[slot])
        slot = (slot + 1) & (capacity - 1);
      slots[slot] = (hashes[f] & DP_SEQ_KEY_MASK) | (f + 1);
    }
  for (gsize k = 0; k < (gsize) nf * nt; k++)
    weights[k] = (gint16) g_rand_int_range (r, -3000, 3000);
  for (gsize k = 0; k < (gsize) (nt + 1) * nt; k++)
    trans[k] = g_rand_int_range (r, -2000, 2000);
  char **names = g_new0 (char *, nt + 1);
  for (guint t = 0; t < nt; t++)
    names[t] = g_strdup_printf ("T%u", t);
  return dp_seq_model_new_owned (names, nt, nf, capacity, owned, slots, weights, trans, 1);
}

/* Viterbi as plainly as it can be written, the reference the decoder
 * must agree with tie for tie: every predecessor in order, the first of
 * the best kept; scores kept small by subtracting each row's best. */
static void
reference_viterbi (const gint32 *scores, guint n, guint nt, const gint32 *trans, const guint8 *allowed,
                   const guint8 *can_end, guint16 *out)
{
  g_autofree gint32 *cur = g_new (gint32, nt), *prev = g_new (gint32, nt);
  g_autofree guint16 *back = g_new0 (guint16, (gsize) n * nt);
  for (guint t = 0; t < nt; t++)
    cur[t] = allowed[nt * nt + t] ? trans[nt * nt + t] + scores[t] : DP_SEQ_NEG_INF;
  for (guint i = 1; i < n; i++)
    {
      memcpy (prev, cur, nt * sizeof *cur);
      gint32 top = DP_SEQ_NEG_INF;
      for (guint t = 0; t < nt; t++)
        {
          gint32 best = DP_SEQ_NEG_INF;
          guint16 arg = 0;
          for (guint p = 0; p < nt; p++)
            if (allowed[p * nt + t] && prev[p] != DP_SEQ_NEG_INF && prev[p] + trans[p * nt + t] > best)
              best = prev[p] + trans[p * nt + t], arg = (guint16) p;
          cur[t] = best == DP_SEQ_NEG_INF ? best : best + scores[(gsize) i * nt + t];
          back[(gsize) i * nt + t] = arg;
          top = MAX (top, cur[t]);
        }
      for (guint t = 0; t < nt && top != DP_SEQ_NEG_INF; t++)
        if (cur[t] != DP_SEQ_NEG_INF)
          cur[t] = MAX (cur[t] - top, DP_SEQ_NEG_INF + 1);
    }
  gint32 best = G_MININT32;
  out[n - 1] = 0;
  for (guint t = 0; t < nt; t++)
    if (can_end[t] && cur[t] > best)
      best = cur[t], out[n - 1] = (guint16) t;
  for (guint i = n - 1; i > 0; i--)
    out[i - 1] = back[(gsize) i * nt + out[i]];
}

/* Tag names: BILOU over @types types (4 * types + 1 tags), or @nt plain ones. */
static char **
tag_set (guint types, guint nt)
{
  GPtrArray *names = g_ptr_array_new ();
  if (types)
    {
      g_ptr_array_add (names, g_strdup ("O"));
      for (guint k = 0; k < types; k++)
        for (const char *b = "BILU"; *b; b++)
          g_ptr_array_add (names, g_strdup_printf ("%c-T%u", *b, k));
    }
  else
    for (guint t = 0; t < nt; t++)
      g_ptr_array_add (names, g_strdup_printf ("T%u", t));
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

/* The vectorised Viterbi against the reference, on random scores and
 * transitions, BILOU and free tag sets of 1 to 65 tags (whole vectors,
 * parts of one, more than the unrolled cases), short and long sequences,
 * and values from a narrow range, where ties are everywhere. */
static void
test_viterbi_matches_reference (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (11);
  static const guint bilou[] = { 1, 2, 3, 4, 5, 7, 8, 10, 16 };
  static const guint plain[] = { 1, 2, 3, 7, 8, 9, 16, 17, 31, 32, 33, 41, 65 };
  guint checked = 0;
  for (guint set = 0; set < G_N_ELEMENTS (bilou) + G_N_ELEMENTS (plain); set++)
    {
      gboolean is_bilou = set < G_N_ELEMENTS (bilou);
      g_auto (GStrv) names = is_bilou ? tag_set (bilou[set], 0) : tag_set (0, plain[set - G_N_ELEMENTS (bilou)]);
      guint nt = g_strv_length (names);
      DpSeqConstraints c;
      dp_seq_constraints_init (&c, names, nt);
      for (guint round = 0; round < 40; round++)
        {
          guint n = round == 0 ? 1 : round % 10 == 9 ? (guint) g_rand_int_range (r, 200, 700) : (guint) g_rand_int_range (r, 2, 60);
          gint32 range = round % 3 == 0 ? 3 : round % 3 == 1 ? 100 : 3000000;
          g_autofree gint32 *scores = g_new (gint32, (gsize) n * nt), *trans = g_new (gint32, (gsize) (nt + 1) * nt);
          for (gsize k = 0; k < (gsize) n * nt; k++)
            scores[k] = g_rand_int_range (r, -range, range + 1);
          for (gsize k = 0; k < (gsize) (nt + 1) * nt; k++)
            trans[k] = g_rand_int_range (r, -range, range + 1);
          g_autofree guint16 *want = g_new (guint16, n), *got = g_new (guint16, n);
          reference_viterbi (scores, n, nt, trans, c.allowed, c.can_end, want);
          dp_seq_viterbi (scores, n, nt, trans, &c, got);
          for (guint i = 0; i < n; i++)
            if (want[i] != got[i])
              g_error ("%u tags, %u tokens, range %d: token %u is %u, the reference says %u", nt, n, range, i,
                       got[i], want[i]);
          checked += n;
        }
      dp_seq_constraints_clear (&c);
    }
  g_test_message ("%u tokens decoded as the reference decodes them", checked);
}

/* Decoding finds each feature's row through the slot bits, key bytes and
 * entries, and adds the rows with vectors of eight and four tags and the
 * rest one by one: whatever the number of tags, and in a sparse table or a
 * crowded one (long probes, keys alike in their first bits, features
 * absent but for their top bits), it must give what adding the rows of
 * the slot table one tag at a time and the reference Viterbi give. */
static void
test_scores_every_tag_count (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (7);
  static const guint counts[] = { 1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 16, 17, 21, 24, 27, 28, 29, 31, 32, 33, 41, 60, 61 };
  for (guint c = 0; c < 2 * G_N_ELEMENTS (counts); c++)
    {
      guint nt = counts[c / 2], nf = 200, n = 40;
      guint64 hashes[200];
      g_autoptr (DpSeqModel) m = random_model (r, nt, nf, c % 2 ? 256 : 1024, hashes);
      DpSeqFeatures f;
      dp_seq_features_init (&f);
      g_autofree gint32 *scores = g_new0 (gint32, (gsize) n * nt);
      for (guint i = 0; i < n; i++)
        {
          dp_seq_features_next_token (&f);
          guint k = (guint) g_rand_int_range (r, 0, 12);
          for (guint j = 0; j < k; j++)
            {
              guint row = (guint) g_rand_int_range (r, 0, nf);
              gboolean absent = g_rand_int_range (r, 0, 4) == 0;
              dp_seq_features_add (&f, absent ? hashes[row] ^ 0x5555000000000000ULL : hashes[row]);
              for (guint t = 0; !absent && t < nt; t++)
                scores[(gsize) i * nt + t] += m->weights[(gsize) row * nt + t];
            }
        }
      g_autofree guint16 *want = g_new (guint16, n), *got = g_new (guint16, n);
      reference_viterbi (scores, n, nt, m->trans, m->c.allowed, m->c.can_end, want);
      dp_seq_model_decode (m, &f, got);
      for (guint i = 0; i < n; i++)
        if (want[i] != got[i])
          g_error ("%u tags, token %u: decoded tag %u, the scores say %u", nt, i, got[i], want[i]);
      /* With a bias per tag, added to every token's score. */
      g_autofree float *bias = g_new (float, nt);
      for (guint t = 0; t < nt; t++)
        bias[t] = (float) g_rand_int_range (r, -2000, 2000);
      for (gsize k = 0; k < (gsize) n * nt; k++)
        scores[k] += (gint32) (bias[k % nt] * m->scale);
      reference_viterbi (scores, n, nt, m->trans, m->c.allowed, m->c.can_end, want);
      dp_seq_model_decode_biased (m, &f, bias, got);
      g_assert_cmpmem (want, n * sizeof *want, got, n * sizeof *got);
      dp_seq_features_clear (&f);
    }
}

/* Training keeps transitions in the weights' int16 range; a file with a
 * larger one (corrupt, or made to harm, with a checksum to match) is
 * refused: Viterbi's int32 sums would overflow (found by fuzz-models). */
static void
test_transition_out_of_range (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (3);
  guint64 hashes[10];
  g_autoptr (DpSeqModel) m = random_model (r, 3, 10, 64, hashes);
  g_autofree char *path = tmp_path ("big-transition.model");
  ((gint32 *) m->trans)[2] = G_MAXINT16;
  g_assert_true (dp_seq_model_save (m, path, NULL));
  g_autoptr (DpSeqModel) ok = dp_seq_model_load (path, NULL);
  g_assert_nonnull (ok);
  ((gint32 *) m->trans)[4] = -G_MAXINT16 - 1;
  g_assert_true (dp_seq_model_save (m, path, NULL));
  assert_refused (path, "a transition weight is out of range");
}

/* The header's scale turns a bias into weight units: a file whose scale is
 * not a positive finite number is refused (a NaN or infinite one made every
 * bias, even 0, a conversion of NaN to int32). */
static void
test_scale_out_of_range (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (9);
  guint64 hashes[10];
  g_autoptr (DpSeqModel) m = random_model (r, 3, 10, 64, hashes);
  g_autofree char *path = tmp_path ("bad-scale.model");
  static const float scales[] = { NAN, INFINITY, -INFINITY, 0, -1 };
  for (guint i = 0; i < G_N_ELEMENTS (scales); i++)
    {
      m->scale = scales[i];   /* outside the checksum: the header */
      g_assert_true (dp_seq_model_save (m, path, NULL));
      assert_refused (path, "the weight scale is not a positive finite number");
    }
}

/* A bias past what int32 scores hold decodes as the largest one does (every
 * token takes the tag), not as whatever the float's conversion to int32
 * gives (on x86 the most negative int32: the tag never taken), and a NaN
 * one as none. */
static void
test_bias_out_of_range (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (13);
  guint nt = 4, n = 30;
  guint64 hashes[40];
  g_autoptr (DpSeqModel) m = random_model (r, nt, 40, 128, hashes);
  DpSeqFeatures f;
  dp_seq_features_init (&f);
  for (guint i = 0; i < n; i++)
    {
      dp_seq_features_next_token (&f);
      dp_seq_features_add (&f, hashes[i % 40]);
    }
  g_autofree guint16 *plain = g_new (guint16, n), *got = g_new (guint16, n);
  dp_seq_model_decode (m, &f, plain);
  static const float huge[] = { 1e30f, INFINITY, (float) DP_SEQ_MAX_BIAS_UNITS };
  for (guint k = 0; k < G_N_ELEMENTS (huge); k++)
    {
      float bias[4] = { 0, 0, huge[k], 0 };
      dp_seq_model_decode_biased (m, &f, bias, got);
      for (guint i = 0; i < n; i++)
        g_assert_cmpuint (got[i], ==, 2);
      float against[4] = { -huge[k], 0, -huge[k], -huge[k] };
      dp_seq_model_decode_biased (m, &f, against, got);
      for (guint i = 0; i < n; i++)
        g_assert_cmpuint (got[i], ==, 1);
    }
  float nan_bias[4] = { NAN, NAN, NAN, NAN };
  dp_seq_model_decode_biased (m, &f, nan_bias, got);
  g_assert_cmpmem (got, n * sizeof *got, plain, n * sizeof *plain);
  g_assert_true (dp_seq_model_bias_fits (m, 20));
  g_assert_true (dp_seq_model_bias_fits (m, -DP_SEQ_MAX_BIAS_UNITS));
  g_assert_false (dp_seq_model_bias_fits (m, DP_SEQ_MAX_BIAS_UNITS * 2.0));
  g_assert_false (dp_seq_model_bias_fits (m, NAN));
  g_assert_false (dp_seq_model_bias_fits (m, -INFINITY));
  g_assert_false (dp_seq_model_bias_fits (m, 1e300));
  dp_seq_features_clear (&f);
}

/* Tag names become the labels of spans written out: a name that is not
 * UTF-8 makes the file unusable (found by fuzz-models). */
static void
test_tag_name_not_utf8 (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (5);
  guint64 hashes[10];
  g_autoptr (DpSeqModel) m = random_model (r, 3, 10, 64, hashes);
  g_autofree char *path = tmp_path ("bad-name.model");
  g_free (m->tag_names[1]);
  m->tag_names[1] = g_strdup ("B-\xC3(");
  g_assert_true (dp_seq_model_save (m, path, NULL));
  assert_refused (path, "bad tag names");
}

static void
test_features (void)
{
  DpSeqFeatures f;
  dp_seq_features_init (&f);
  g_assert_cmpuint (dp_seq_features_n_tokens (&f), ==, 0);
  dp_seq_features_next_token (&f);
  dp_seq_features_add (&f, 11);
  dp_seq_features_add (&f, 12);
  dp_seq_features_next_token (&f);      /* a token without features */
  dp_seq_features_next_token (&f);
  dp_seq_features_add (&f, 13);
  g_assert_cmpuint (dp_seq_features_n_tokens (&f), ==, 3);
  const guint32 *starts = (const guint32 *) f.starts->data;
  g_assert_cmpuint (starts[0], ==, 0);
  g_assert_cmpuint (starts[1], ==, 2);
  g_assert_cmpuint (starts[2], ==, 2);
  g_assert_cmpuint (starts[3], ==, 3);
  dp_seq_features_reset (&f);
  g_assert_cmpuint (dp_seq_features_n_tokens (&f), ==, 0);
  dp_seq_features_clear (&f);
  g_assert_cmpuint (dp_seq_hash (1, "Iran", 4), !=, dp_seq_hash (2, "Iran", 4));
  g_assert_cmpuint (dp_seq_hash (1, "Iran", 4), ==, dp_seq_hash (1, "Iran", 4));
  g_assert_cmpuint (dp_seq_hash (1, "", 0), !=, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/seqtag/features", test_features);
  g_test_add_func ("/seqtag/bilou-constraints", test_bilou_constraints);
  g_test_add_func ("/seqtag/learns-task", test_learns_task);
  g_test_add_func ("/seqtag/deterministic", test_deterministic);
  g_test_add_func ("/seqtag/round-trip", test_round_trip);
  g_test_add_func ("/seqtag/bad-files", test_bad_files);
  g_test_add_func ("/seqtag/scores-every-tag-count", test_scores_every_tag_count);
  g_test_add_func ("/seqtag/viterbi-matches-reference", test_viterbi_matches_reference);
  g_test_add_func ("/seqtag/transition-out-of-range", test_transition_out_of_range);
  g_test_add_func ("/seqtag/tag-name-not-utf8", test_tag_name_not_utf8);
  g_test_add_func ("/seqtag/scale-out-of-range", test_scale_out_of_range);
  g_test_add_func ("/seqtag/bias-out-of-range", test_bias_out_of_range);
  int status = g_test_run ();
  remove_tmp_dir ();
  return status;
}
