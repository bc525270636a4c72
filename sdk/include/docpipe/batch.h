/* docpipe/batch.h — a batch of records handed to a stage in one call.
 *
 * Sources append records to an empty batch; transforms and sinks see only the
 * records still alive.  A stage that cannot process one record marks it failed
 * with dp_batch_fail(): the core takes it out of the flow and, depending on the
 * pipeline's on-error policy, writes it to the dead-letter file or stops the run.
 */
#pragma once

#include <docpipe/export.h>
#include <docpipe/record.h>

G_BEGIN_DECLS

typedef struct _DpBatch DpBatch;

DP_API guint     dp_batch_get_size (const DpBatch *batch);
DP_API DpRecord *dp_batch_get (DpBatch *batch, guint i);

/* Sources: appends a record; the batch takes ownership. */
DP_API void      dp_batch_add (DpBatch *batch, DpRecord *rec);

/* Marks record @i as failed with a message (printf-style).  It stays readable
 * until the stage returns; later stages never see it. */
DP_API void      dp_batch_fail (DpBatch *batch, guint i, const char *format, ...) G_GNUC_PRINTF (3, 4);
/* The same with a GError (consumed). */
DP_API void      dp_batch_fail_error (DpBatch *batch, guint i, GError *error);
DP_API gboolean  dp_batch_is_failed (const DpBatch *batch, guint i);

/* Sources: TRUE once the run is stopping (SIGINT/SIGTERM or a fatal error).  A
 * source that may block (a pipe, a socket) should wait in short slices and
 * return what it has, or nothing, when this becomes TRUE. */
DP_API gboolean  dp_batch_is_cancelled (const DpBatch *batch);

/* Sources, optional (ABI 2.1): how far through its input the source is, for
 * the progress line's size, percentage and time left.  @done: input bytes
 * consumed so far (all files, as stored: compressed bytes for a compressed
 * file); @total: the input's size in the same unit, 0 when it cannot be known
 * (a pipe, standard input).  Call it on each batch read; the figures of the
 * last batch the sinks have written are shown. */
DP_API void      dp_batch_set_input_progress (DpBatch *batch, guint64 done, guint64 total);
/* Sources (ABI 2.1): counts @n inputs (files) skipped without making a record of them,
 * such as binary files met in a directory; the run's --stats summary reports
 * the total as "inputs_skipped".  A skipped input is not a failure. */
DP_API void      dp_batch_note_skipped (DpBatch *batch, guint n);

/* Sinks: data a stage's prepare() computed in a worker, for its process() to use
 * in the sink thread.  @key is usually the stage instance pointer. */
DP_API void      dp_batch_set_data (DpBatch *batch, gconstpointer key, gpointer data,
                             GDestroyNotify destroy);
DP_API gpointer  dp_batch_get_data (DpBatch *batch, gconstpointer key);

G_END_DECLS
