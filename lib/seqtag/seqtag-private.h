/* seqtag-private.h — what the model, the decoder and the trainer share. */
#pragma once

#include "seqtag.h"

#define DP_SEQ_NEG_INF (G_MININT32 / 4)

struct _DpSeqModel {
  GMappedFile *mapped;     /* the file, when loaded */
  gpointer owned;          /* the arrays' memory, when built by training */
  guint n_tags;
  char **tag_names;
  guint32 n_features;
  guint64 capacity;        /* hash slots, a power of two */
  const guint64 *keys;     /* feature hash per slot, 0 = empty */
  const guint32 *rows;     /* weight row per slot */
  const gint16 *weights;   /* n_features x n_tags */
  const gint32 *trans;     /* (n_tags + 1) x n_tags; the last row is "from the start" */
  float scale;             /* weight units per perceptron unit */
  guint8 *allowed;         /* (n_tags + 1) x n_tags, from the tag names */
  guint8 *can_end;         /* n_tags */
};

/* Which transitions BILOU allows, from the tag names; for the model or a trainer. */
void dp_seq_constraints (char **tag_names, guint n_tags, guint8 **allowed, guint8 **can_end);

/* Viterbi over per-token scores (n x n_tags) and transition scores
 * ((n_tags + 1) x n_tags, last row from the start). */
void dp_seq_viterbi (const gint32 *scores, guint n, guint n_tags, const gint32 *trans,
                     const guint8 *allowed, const guint8 *can_end, guint16 *tags);

/* Builds a model from finished arrays (takes @owned, which holds them all). */
DpSeqModel *dp_seq_model_new_owned (char **tag_names, guint n_tags, guint32 n_features,
                                    guint64 capacity, gpointer owned, const guint64 *keys,
                                    const guint32 *rows, const gint16 *weights,
                                    const gint32 *trans, float scale);
