/* batch-private.h — the batch's layout, shared by batch.c (in libdocpipe) and
 * the runner's side of a batch (batch-flow.c, in the private core library). */
#pragma once

#include <docpipe/batch.h>

struct _DpBatch {
  guint64 seq;
  GPtrArray *records;     /* live DpRecord*, owned */
  GArray *positions;      /* guint per live record: its original position */
  GPtrArray *failures;    /* char* message per live record or NULL; NULL if none failed */
  GPtrArray *dead;        /* DpDeadRecord*, NULL until used */
  GArray *data;           /* Attached (batch.c), NULL until used */
  const gint *cancel;     /* the runner's stop flag, or NULL */
  gboolean has_input;     /* the source said how far through its input it is: */
  guint64 input_done, input_total;   /* bytes read, of (0: unknown) */
  guint64 skipped;        /* inputs the source skipped (dp_batch_note_skipped) */
};

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
/* Takes the records @keep refuses out of the flow and frees them: not
 * failures, only records this run does not process (another shard's, or done
 * in an earlier run).  Call it between stages (no failures pending); returns
 * how many went. */
typedef gboolean (*DpBatchKeepFunc) (DpRecord *rec, gpointer data);
guint    dp_batch_drop (DpBatch *batch, DpBatchKeepFunc keep, gpointer data);
/* Failed records in their original order. */
GPtrArray *dp_batch_get_dead (DpBatch *batch);   /* DpDeadRecord* */
gsize    dp_batch_get_text_bytes (const DpBatch *batch);
/* What the source gave dp_batch_set_input_progress() for this batch; FALSE if nothing. */
gboolean dp_batch_get_input_progress (const DpBatch *batch, guint64 *done, guint64 *total);
