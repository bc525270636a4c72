/* batch-flow.c — the runner's side of a batch: creation, sequence numbers,
 * sealing, dropping records a run does not process, and sweeping failed
 * records into the dead list after each stage,
 * keeping each record's original position so dead letters come out in input
 * order.  Part of the core's private library: plugins only see batch.h.
 */
#include "batch-private.h"

static void
dead_free (gpointer p)
{
  DpDeadRecord *d = p;
  dp_record_free (d->rec);
  g_free (d->stage);
  g_free (d->message);
  g_free (d);
}

DpBatch *
dp_batch_new (guint64 seq)
{
  DpBatch *batch = g_new0 (DpBatch, 1);
  batch->seq = seq;
  batch->records = g_ptr_array_new_with_free_func ((GDestroyNotify) dp_record_free);
  batch->positions = g_array_new (FALSE, FALSE, sizeof (guint));
  return batch;
}

void
dp_batch_free (DpBatch *batch)
{
  if (!batch)
    return;
  if (batch->data)
    g_array_unref (batch->data);
  g_ptr_array_unref (batch->records);
  g_array_unref (batch->positions);
  if (batch->failures)
    g_ptr_array_unref (batch->failures);
  if (batch->dead)
    g_ptr_array_unref (batch->dead);
  g_free (batch);
}

guint64 dp_batch_get_seq (const DpBatch *batch) { return batch->seq; }

void dp_batch_set_cancel_flag (DpBatch *batch, const gint *flag) { batch->cancel = flag; }

gboolean
dp_batch_get_input_progress (const DpBatch *batch, guint64 *done, guint64 *total)
{
  *done = batch->input_done;
  *total = batch->input_total;
  return batch->has_input;
}


void
dp_batch_seal (DpBatch *batch)
{
  g_array_set_size (batch->positions, batch->records->len);
  for (guint i = 0; i < batch->records->len; i++)
    g_array_index (batch->positions, guint, i) = i;
}

static gint
by_position (gconstpointer a, gconstpointer b)
{
  const DpDeadRecord *x = *(DpDeadRecord *const *) a, *y = *(DpDeadRecord *const *) b;
  return x->position < y->position ? -1 : x->position > y->position;
}

guint
dp_batch_sweep (DpBatch *batch, const char *stage)
{
  if (!batch->failures)
    return 0;
  if (batch->positions->len != batch->records->len)
    dp_batch_seal (batch);
  guint kept = 0, swept = 0;
  for (guint i = 0; i < batch->records->len; i++)
    {
      char *message = i < batch->failures->len ? g_ptr_array_index (batch->failures, i) : NULL;
      DpRecord *rec = g_ptr_array_index (batch->records, i);
      guint pos = g_array_index (batch->positions, guint, i);
      if (!message)
        {
          g_ptr_array_index (batch->records, kept) = rec;
          g_array_index (batch->positions, guint, kept) = pos;
          kept++;
          continue;
        }
      if (!batch->dead)
        batch->dead = g_ptr_array_new_with_free_func (dead_free);
      DpDeadRecord *d = g_new (DpDeadRecord, 1);
      d->rec = rec;
      d->position = pos;
      d->stage = g_strdup (stage);
      d->message = message;
      g_ptr_array_index (batch->failures, i) = NULL;   /* now owned by d */
      g_ptr_array_add (batch->dead, d);
      swept++;
    }
  /* Shrink without freeing the records that moved. */
  g_ptr_array_set_free_func (batch->records, NULL);
  g_ptr_array_set_size (batch->records, kept);
  g_ptr_array_set_free_func (batch->records, (GDestroyNotify) dp_record_free);
  g_array_set_size (batch->positions, kept);
  g_clear_pointer (&batch->failures, g_ptr_array_unref);
  if (swept)
    g_ptr_array_sort (batch->dead, by_position);
  return swept;
}

guint
dp_batch_drop (DpBatch *batch, DpBatchKeepFunc keep, gpointer data)
{
  g_return_val_if_fail (batch->failures == NULL, 0);
  if (batch->positions->len != batch->records->len)
    dp_batch_seal (batch);
  guint kept = 0;
  for (guint i = 0; i < batch->records->len; i++)
    {
      DpRecord *rec = g_ptr_array_index (batch->records, i);
      if (!keep (rec, data))
        {
          dp_record_free (rec);
          continue;
        }
      g_ptr_array_index (batch->records, kept) = rec;
      g_array_index (batch->positions, guint, kept) = g_array_index (batch->positions, guint, i);
      kept++;
    }
  guint dropped = batch->records->len - kept;
  /* The records that stayed moved down: shrink without freeing them. */
  g_ptr_array_set_free_func (batch->records, NULL);
  g_ptr_array_set_size (batch->records, kept);
  g_ptr_array_set_free_func (batch->records, (GDestroyNotify) dp_record_free);
  g_array_set_size (batch->positions, kept);
  return dropped;
}

GPtrArray *
dp_batch_get_dead (DpBatch *batch)
{
  return batch->dead;
}

gsize
dp_batch_get_text_bytes (const DpBatch *batch)
{
  gsize n = 0;
  for (guint i = 0; i < batch->records->len; i++)
    {
      gsize len;
      dp_record_get_text (g_ptr_array_index (batch->records, i), &len);
      n += len;
    }
  return n;
}
