/* seqtag-private.h — what the model, the decoder and the trainer share. */
#pragma once

#include "seqtag.h"

#define DP_SEQ_NEG_INF (G_MININT32 / 4)
#define DP_SEQ_ROW_MASK 0xFFFFFFULL            /* the low 24 bits of a slot: row + 1 */
#define DP_SEQ_KEY_MASK (~DP_SEQ_ROW_MASK)     /* the top 40: the feature hash's */
#define DP_SEQ_MAX_ROWS (DP_SEQ_ROW_MASK - 1)

typedef struct {
  guint8 *allowed;         /* (n_tags + 1) x n_tags: allowed[from * n_tags + to]; the last row is "from the start" */
  guint8 *can_end;         /* n_tags */
  /* For the vectorised Viterbi: tags padded to DP_SEQ_LANES lanes a vector. */
  guint n_vectors;         /* vectors per row of tags */
  gint32 *allowed_lanes;   /* n_tags x n_vectors * DP_SEQ_LANES: -1 where allowed[from * n_tags + to], else 0 */
  guint64 *vectors_of;     /* n_tags x ceil(n_vectors / 64): the vectors where a tag has a successor, as bits */
} DpSeqConstraints;

#define DP_SEQ_LANES 8

/* Where a feature's row is found: a bit per hash slot (occupied or not),
 * and the number of occupied slots before each group of 64. */
typedef struct {
  guint64 bits;
  guint64 before;
} DpSeqSlotGroup;

struct _DpSeqModel {
  GMappedFile *mapped;     /* the file, when loaded */
  gpointer owned;          /* the arrays' memory, when built by training */
  guint n_tags;
  char **tag_names;
  guint32 n_features;
  guint64 capacity;        /* hash slots, a power of two */
  const guint64 *slots;    /* hash's top 40 bits | (row + 1); 0 = empty */
  char *meta;              /* how the model was made, or NULL */
  const gint16 *weights;   /* n_features x n_tags */
  const gint32 *trans;     /* (n_tags + 1) x n_tags; the last row is "from the start" */
  float scale;             /* weight units per perceptron unit */
  DpSeqConstraints c;      /* from the tag names */
  /* The table decoding reads, built from slots and weights: each occupied
   * slot, in slot order, as one entry of entry_size bytes (its slot word,
   * then its row), found through the groups' bits and the key bytes.
   * See seqtag.c. */
  const DpSeqSlotGroup *groups;   /* max (capacity / 64, 1) */
  const guint8 *key_bytes; /* capacity: bits 24-31 of each occupied slot's key */
  const guint8 *entries;   /* occupied slots x entry_size, aligned to 64 */
  gsize entry_size;        /* a power of two up to 64, then multiples of 64 */
  gpointer table_map;      /* the mapping holding key bytes, groups and entries */
  gsize table_map_size;
  gint32 *trans_padded;    /* trans, each row padded to whole vectors of tags */
};

/* Which transitions BILOU allows, from the tag names; for the model or a trainer. */
void dp_seq_constraints_init (DpSeqConstraints *c, char **tag_names, guint n_tags);
void dp_seq_constraints_clear (DpSeqConstraints *c);

/* Viterbi over per-token scores (n x n_tags) and transition scores
 * ((n_tags + 1) x n_tags, last row from the start). */
void dp_seq_viterbi (const gint32 *scores, guint n, guint n_tags, const gint32 *trans,
                     const DpSeqConstraints *c, guint16 *tags);

/* The file's checksum of @len bytes (of everything after the header). */
guint64 dp_seq_checksum (const guchar *p, gsize len);

/* Builds a model from finished arrays (takes @owned, which holds them all). */
DpSeqModel *dp_seq_model_new_owned (char **tag_names, guint n_tags, guint32 n_features,
                                    guint64 capacity, gpointer owned, const guint64 *slots,
                                    const gint16 *weights, const gint32 *trans, float scale);
