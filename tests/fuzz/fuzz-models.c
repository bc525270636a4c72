/* fuzz-models.c — libFuzzer target: the model and data loaders the ner and
 * claims stages read at start-up, on any file.
 *
 * The first byte picks the loader; the rest becomes the file(s), written to
 * a temporary directory:
 *   0  lib/seqtag's dp_seq_model_load.  Unless bit 3 is set, the header's
 *      magic and version are made right and its checksum is computed, so
 *      that the search gets past them to the sizes, names and rows.
 *   1  the NER's word clusters (dp_clusters_load).
 *   2  the claims model directory (dp_claims_model_load): cue-words.txt up
 *      to a NUL byte, then cue.dpm fixed up as in 0 (the shipped one if
 *      nothing follows); roles.dpm is the shipped one.  The cue model's
 *      meta carries the cue bias ("cue-bias=B", a line of it: the seeds
 *      have one, fuzz-models.dict has numbers that do not fit), and a
 *      model that loads is applied to a few sentences, so decoding adds the
 *      bias it read.
 * Checked: no crash or sanitizer report; failure is a GError with a message
 * naming the file; a loaded model has tags with names, finds each by name,
 * and decodes a sequence of features taken from the input to tags in range,
 * with and without a bias (a float from the input); looked-up clusters are
 * non-empty bit strings; a loaded claims model finds attributions inside
 * the text, and frees.
 * With DP_FUZZ_WRITE_SEEDS=DIR in the environment the target writes small
 * valid inputs for each loader there (trained on the spot) and exits:
 * tests/fuzz/run.sh seeds the corpus so.
 */
#include "clusters.h"
#include "model.h"
#include "seqtag-private.h"   /* dp_seq_checksum, to fix the header up */

#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"

#define check fuzz_check
#define HEADER_SIZE 48

/* @data as a model file, fixed up unless @raw. */
static char *
write_model (const char *name, const guint8 *data, gsize len, gboolean raw)
{
  g_autofree guint8 *copy = g_memdup2 (data, len);
  if (!raw && len >= HEADER_SIZE)
    {
      guint32 version = 2;
      memcpy (copy, "DPSEQTAG", 8);
      memcpy (copy + 8, &version, 4);
      guint64 sum = dp_seq_checksum (copy + HEADER_SIZE, len - HEADER_SIZE);
      memcpy (copy + 40, &sum, 8);
    }
  return fuzz_write_file (name, copy, len);
}

static void
check_error (const GError *error, const char *name)
{
  check (error && *error->message, "failed without a message");
  check (strstr (error->message, name) != NULL, "the message does not name the file");
}

static void
check_model (const DpSeqModel *m, const guint8 *data, gsize len)
{
  guint n = dp_seq_model_n_tags (m);
  check (n > 0, "a model without tags");
  for (guint t = 0; t < n; t++)
    {
      const char *name = dp_seq_model_tag_name (m, t);
      check (name != NULL && g_utf8_validate (name, -1, NULL), "a tag without a valid name");
      int found = dp_seq_model_tag_index (m, name);
      check (found >= 0 && (guint) found <= t && g_str_equal (dp_seq_model_tag_name (m, (guint) found), name),
             "a tag not found by its name");
    }
  check (g_utf8_validate (dp_seq_model_get_meta (m), -1, NULL), "meta not valid UTF-8");
  DpSeqFeatures f;
  dp_seq_features_init (&f);
  guint tokens = 0;
  for (gsize i = 0; i + 8 <= len && tokens < 64; i += 8)
    {
      guint64 h;
      memcpy (&h, data + i, 8);
      if (i % 24 == 0)
        dp_seq_features_next_token (&f), tokens++;
      dp_seq_features_add (&f, h | 1);
    }
  if (tokens)
    {
      g_autofree guint16 *tags = g_new0 (guint16, tokens);
      dp_seq_model_decode (m, &f, tags);
      for (guint i = 0; i < tokens; i++)
        check (tags[i] < n, "a decoded tag out of range");
      /* a bias from the input's last bytes, any float (NaN, infinite, huge) */
      g_autofree float *bias = g_new0 (float, n);
      memcpy (&bias[n - 1], data + len - sizeof (float), sizeof (float));
      dp_seq_model_decode_biased (m, &f, bias, tags);
      for (guint i = 0; i < tokens; i++)
        check (tags[i] < n, "a decoded tag out of range (biased)");
    }
  dp_seq_features_clear (&f);
}

static void
fuzz_seqtag (const guint8 *data, gsize len, gboolean raw)
{
  g_autofree char *path = write_model ("model.dpm", data, len, raw);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpSeqModel) m = dp_seq_model_load (path, &error);
  if (!m)
    return check_error (error, "model.dpm");
  check_model (m, data, len);
}

static void
fuzz_clusters (const guint8 *data, gsize len)
{
  g_autofree char *path = fuzz_write_file ("clusters.txt", data, len);
  g_autoptr (GError) error = NULL;
  DpClusters *c = dp_clusters_load (path, &error);
  if (!c)
    return check_error (error, "clusters.txt");
  /* Every word of the input, looked up. */
  g_autofree char *text = g_strndup ((const char *) data, len);
  g_auto (GStrv) words = g_strsplit_set (text, " \t\n", 64);
  for (guint i = 0; words[i]; i++)
    {
      gsize bits_len = 0;
      const char *bits = dp_clusters_lookup (c, words[i], strlen (words[i]), &bits_len);
      check (!bits || (bits_len > 0 && bits_len <= len), "a cluster of no bits or beyond the file");
    }
  dp_clusters_free (c);
}

/* A loaded claims model on sentences with the seeds' cue words and a
 * quotation: the cue tagger runs, with the bias the model's meta gave. */
static void
apply_claims_model (const DpClaimsModel *m)
{
  static const char text[] = "Officials said on Monday that the talks would resume. \"We will respond,\" he told "
                             "reporters. The agency says prices rose.";
  g_autoptr (DpRecord) rec = dp_record_new ("r", "fuzz", text, -1, NULL);
  check (rec != NULL, "cannot make a record");
  DpClaimsView v;
  dp_claims_view_init (&v, rec, m, NULL, NULL, NULL);
  g_autoptr (GArray) preds = g_array_new (FALSE, FALSE, sizeof (DpClaimsPred));
  dp_claims_model_predict (m, &v, preds);
  for (guint i = 0; i < preds->len; i++)
    {
      const DpClaimsPred *p = &g_array_index (preds, DpClaimsPred, i);
      check (p->cue_first <= p->cue_last && p->cue_last < v.n && p->con_first <= p->con_last && p->con_last < v.n
             && (p->src_first > p->src_last || p->src_last < v.n), "an attribution outside the text");
    }
  dp_claims_view_clear (&v);
}

static void
fuzz_claims_dir (const guint8 *data, gsize len, gboolean raw)
{
  const guint8 *nul = memchr (data, 0, len);
  gsize words_len = nul ? (gsize) (nul - data) : len;
  g_free (fuzz_write_file ("cue-words.txt", data, words_len));
  g_autofree char *cue = g_build_filename (fuzz_tmp (), "cue.dpm", NULL);
  g_autofree char *roles = g_build_filename (fuzz_tmp (), "roles.dpm", NULL);
  g_unlink (cue);
  if (nul && words_len + 1 < len)
    g_free (write_model ("cue.dpm", nul + 1, len - words_len - 1, raw));
  else
    check (symlink (DP_FUZZ_CLAIMS_DATA_DIR "/cue.dpm", cue) == 0, "cannot link cue.dpm");
  if (!g_file_test (roles, G_FILE_TEST_EXISTS))
    check (symlink (DP_FUZZ_CLAIMS_DATA_DIR "/roles.dpm", roles) == 0, "cannot link roles.dpm");
  g_autoptr (GError) error = NULL;
  DpClaimsModel *m = dp_claims_model_load (fuzz_tmp (), NULL, &error);
  if (!m)
    {
      check (error && *error->message, "failed without a message");
      return;
    }
  apply_claims_model (m);
  dp_claims_model_free (m);
}

/* ---- seeds -------------------------------------------------------------------- */

static DpSeqModel *
tiny_model (const char *const *tags, const char *meta)
{
  g_autoptr (DpSeqTrainer) tr = dp_seq_trainer_new (tags);
  guint n_tags = g_strv_length ((char **) tags);
  DpSeqFeatures f;
  dp_seq_features_init (&f);
  for (guint s = 0; s < 4; s++)
    {
      dp_seq_features_reset (&f);
      guint16 gold[5];
      for (guint t = 0; t < 5; t++)
        {
          dp_seq_features_next_token (&f);
          dp_seq_features_add (&f, dp_seq_hash (1, "w", 1) + s * 5 + t);
          gold[t] = (guint16) ((s + t) % n_tags == 1 ? 4 % n_tags : 0);   /* U-… or O */
        }
      dp_seq_trainer_add (tr, &f, gold);
    }
  dp_seq_features_clear (&f);
  DpSeqModel *m = dp_seq_trainer_train (tr, 3, 1, 1, NULL, NULL);
  dp_seq_model_set_meta (m, meta);
  return m;
}

static void
write_seed (const char *dir, const char *name, guint8 mode, const char *head, gsize head_len,
            DpSeqModel *m)
{
  g_autoptr (GString) s = g_string_new_len ((const char *) &mode, 1);
  g_string_append_len (s, head, (gssize) head_len);
  if (m)
    {
      g_autofree char *tmp = g_build_filename (fuzz_tmp (), "seed.dpm", NULL);
      g_autofree char *bytes = NULL;
      gsize n = 0;
      check (dp_seq_model_save (m, tmp, NULL) && g_file_get_contents (tmp, &bytes, &n, NULL), "cannot save a seed");
      g_string_append_len (s, bytes, (gssize) n);
    }
  g_autofree char *path = g_build_filename (dir, name, NULL);
  check (g_file_set_contents (path, s->str, (gssize) s->len, NULL), "cannot write a seed");
}

static void
write_seeds (const char *dir)
{
  static const char *const bilou[] = { "O", "B-X", "I-X", "L-X", "U-X", NULL };
  g_autoptr (DpSeqModel) m = tiny_model (bilou, "trained on nothing");
  write_seed (dir, "seqtag", 0, NULL, 0, m);
  g_autoptr (DpSeqModel) cue = tiny_model (dp_claims_cue_tags, "cue-bias=0.5");
  static const char words[] = "# cue words\nsaid\nsays\ntold\n";
  write_seed (dir, "claims-dir", 2, words, sizeof words, cue);   /* the NUL ends the words */
  /* room for any number in place of the bias's digits */
  g_autoptr (DpSeqModel) wide = tiny_model (dp_claims_cue_tags, "trained on nothing\ncue-bias=20.000000000000\n");
  write_seed (dir, "claims-bias", 2, words, sizeof words, wide);
  write_seed (dir, "claims-words", 2, words, sizeof words - 1, NULL);
  static const char clusters[] = "# clusters\n0110\tthe\n0111\tThe\n10\tsaid\n110\tReuters\n";
  write_seed (dir, "clusters", 1, clusters, sizeof clusters - 1, NULL);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  (void) argc, (void) argv;
  const char *seeds = g_getenv ("DP_FUZZ_WRITE_SEEDS");
  if (seeds)
    {
      write_seeds (seeds);
      exit (0);
    }
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  gboolean raw = data[0] & 8;
  switch (data[0] % 3)
    {
    case 0: fuzz_seqtag (data + 1, size - 1, raw); break;
    case 1: fuzz_clusters (data + 1, size - 1); break;
    default: fuzz_claims_dir (data + 1, size - 1, raw); break;
    }
  return 0;
}
