/* seqtag.h — a sequence labeller: averaged structured perceptron, Viterbi
 * decoding over BILOU tags, and a versioned, memory-mapped model file.
 *
 * It knows nothing about words: callers (the NER stage, later the claim
 * tagger) turn each token into a list of hashed features, and seqtag learns
 * and applies one weight per (feature, tag) plus tag-to-tag transitions.
 * Internal to docpipe's plugins, not part of the public SDK.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DP_SEQ_ERROR (dp_seq_error_quark ())
GQuark dp_seq_error_quark (void);

typedef enum {
  DP_SEQ_ERROR_IO,       /* the file cannot be read or written */
  DP_SEQ_ERROR_FORMAT,   /* not a model file, another version, truncated or corrupted */
} DpSeqError;

/* ---- features -------------------------------------------------------------- */

/* The features of one sequence, token by token. */
typedef struct {
  GArray *hashes;    /* guint64 */
  GArray *starts;    /* guint32: token i's features are hashes[starts[i] .. starts[i+1]) */
} DpSeqFeatures;

void  dp_seq_features_init (DpSeqFeatures *f);
void  dp_seq_features_clear (DpSeqFeatures *f);
void  dp_seq_features_reset (DpSeqFeatures *f);
/* Starts the next token; its features follow. */
void  dp_seq_features_next_token (DpSeqFeatures *f);
void  dp_seq_features_add (DpSeqFeatures *f, guint64 hash);
/* Starts the next token with its @n features at once (the fast way). */
void  dp_seq_features_add_token (DpSeqFeatures *f, const guint64 *hashes, guint n);
guint dp_seq_features_n_tokens (const DpSeqFeatures *f);

/* Hashes @len bytes of @s under a feature template number, e.g.
 * dp_seq_hash (TEMPLATE_WORD, word, len).  Never returns 0. */
guint64 dp_seq_hash (guint32 template_id, const char *s, gsize len);
/* Combines a hash with another value (conjunctions of features).  Inline:
 * the claims model's roles tagger calls it some 80 times per token. */
static inline guint64
dp_seq_hash_mix (guint64 h, guint64 v)
{
  h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 29;
  return h ? h : 1;
}

/* ---- models ---------------------------------------------------------------- */

typedef struct _DpSeqModel DpSeqModel;

/* Maps the file read-only and checks it (magic, version, sizes, checksum). */
DpSeqModel *dp_seq_model_load (const char *path, GError **error);
gboolean    dp_seq_model_save (const DpSeqModel *model, const char *path, GError **error);
void        dp_seq_model_free (DpSeqModel *model);

guint       dp_seq_model_n_tags (const DpSeqModel *model);
const char *dp_seq_model_tag_name (const DpSeqModel *model, guint tag);
/* The tag's index, or -1. */
int         dp_seq_model_tag_index (const DpSeqModel *model, const char *name);
guint       dp_seq_model_n_features (const DpSeqModel *model);
/* Free text stored with the model: how it was trained, on what ("" if none). */
const char *dp_seq_model_get_meta (const DpSeqModel *model);
void        dp_seq_model_set_meta (DpSeqModel *model, const char *meta);

/* Best tag sequence (Viterbi, respecting BILOU constraints between tags named
 * B-X, I-X, L-X, U-X and O).  @tags has room for one tag per token.
 * Thread-safe: a model may be shared by all workers. */
void        dp_seq_model_decode (const DpSeqModel *model, const DpSeqFeatures *f, guint16 *tags);
/* The same with @bias[tag] (perceptron units; NULL: none) added to every
 * token's score for that tag: a knob between precision and recall, e.g. a
 * positive bias on B-X and U-X finds more X. */
void        dp_seq_model_decode_biased (const DpSeqModel *model, const DpSeqFeatures *f,
                                        const float *bias, guint16 *tags);
/* The largest bias decoding adds, in the model's weight units (a bias times
 * the model's scale): far beyond what a token's features can add up to (one
 * int16 row each), far inside the int32 sums of the scores.  Decoding clamps
 * a larger one to it. */
#define DP_SEQ_MAX_BIAS_UNITS (1 << 24)
/* Whether @bias (perceptron units) is one @model can decode with as it is:
 * finite, a float, and within DP_SEQ_MAX_BIAS_UNITS once scaled.  A bias
 * read from a file (a model's meta) is checked with this at load. */
gboolean    dp_seq_model_bias_fits (const DpSeqModel *model, double bias);

/* ---- training -------------------------------------------------------------- */

typedef struct _DpSeqTrainer DpSeqTrainer;

/* @tags: the tag names, NULL-terminated, "O" first by convention. */
DpSeqTrainer *dp_seq_trainer_new (const char *const *tags);
void          dp_seq_trainer_free (DpSeqTrainer *trainer);
/* Adds one training sequence (copied) with its gold tags. */
void          dp_seq_trainer_add (DpSeqTrainer *trainer, const DpSeqFeatures *f, const guint16 *gold);
guint         dp_seq_trainer_n_sequences (const DpSeqTrainer *trainer);

typedef void (*DpSeqEpochFunc) (guint epoch, guint mistakes, guint tokens, gpointer user_data);

/* Trains for @epochs passes over the sequences in an order shuffled by
 * @seed (the same seed gives the same model), averages the weights, and
 * keeps features seen at least @min_count times. */
DpSeqModel *dp_seq_trainer_train (DpSeqTrainer *trainer, guint epochs, guint32 seed, guint min_count,
                                  DpSeqEpochFunc on_epoch, gpointer user_data);

/* The same, @runs times with seeds @seed, @seed + 1 …, averaging the runs'
 * weights: a steadier model than any single run (less dependent on the
 * order the data came in), for @runs times the training time. */
DpSeqModel *dp_seq_trainer_train_runs (DpSeqTrainer *trainer, guint epochs, guint32 seed, guint runs,
                                       guint min_count, DpSeqEpochFunc on_epoch, gpointer user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpSeqModel, dp_seq_model_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpSeqTrainer, dp_seq_trainer_free)

G_END_DECLS
