/* batch-private.h — the runner's side of a batch: sequence numbers and failures. */
#pragma once

#include <docpipe/batch.h>

typedef struct {
  DpRecord *rec;
  guint position;      /* index in the batch as the source produced it */
  char *stage;         /* instance name of the stage that failed it */
  char *message;
} DpDeadRecord;

DpBatch *dp_batch_new (guint64 seq);
/* @flag (atomic, owned by the runner) is what dp_batch_is_cancelled() reads. */
void     dp_batch_set_cancel_flag (DpBatch *batch, const gint *flag);
void     dp_batch_free (DpBatch *batch);
guint64  dp_batch_get_seq (const DpBatch *batch);
/* Called once the source has filled the batch: numbers the records' positions. */
void     dp_batch_seal (DpBatch *batch);
/* Moves the records failed by @stage out of the flow; returns how many. */
guint    dp_batch_sweep (DpBatch *batch, const char *stage);
/* Failed records in their original order. */
GPtrArray *dp_batch_get_dead (DpBatch *batch);   /* DpDeadRecord* */
gsize    dp_batch_get_text_bytes (const DpBatch *batch);
