/* batch.c — batches as stages see them (public API in docpipe/batch.h).
 *
 * Stages see only live records (contiguous, so index loops stay simple) and
 * mark failures; the runner's side (creating, sealing, sweeping failures into
 * the dead list) is in batch-flow.c, part of the core's private library.
 */
#include "batch-private.h"

#include <stdarg.h>

typedef struct {
  gconstpointer key;
  gpointer data;
  GDestroyNotify destroy;
} Attached;

static void
attached_clear (gpointer p)
{
  Attached *a = p;
  if (a->destroy)
    a->destroy (a->data);
}

void
dp_batch_note_skipped (DpBatch *batch, guint n)
{
  batch->skipped += n;
}

gboolean
dp_batch_is_cancelled (const DpBatch *batch)
{
  return batch->cancel && g_atomic_int_get (batch->cancel);
}

void
dp_batch_set_input_progress (DpBatch *batch, guint64 done, guint64 total)
{
  batch->has_input = TRUE;
  batch->input_done = done;
  batch->input_total = total;
}

guint dp_batch_get_size (const DpBatch *batch) { return batch->records->len; }

DpRecord *
dp_batch_get (DpBatch *batch, guint i)
{
  g_return_val_if_fail (i < batch->records->len, NULL);
  return g_ptr_array_index (batch->records, i);
}

void
dp_batch_add (DpBatch *batch, DpRecord *rec)
{
  g_return_if_fail (rec != NULL);
  g_ptr_array_add (batch->records, rec);
}

static void
fail_take (DpBatch *batch, guint i, char *message)
{
  g_return_if_fail (i < batch->records->len);
  if (!batch->failures)
    batch->failures = g_ptr_array_new_with_free_func (g_free);
  /* Sources may add records after failing one. */
  if (batch->failures->len < batch->records->len)
    g_ptr_array_set_size (batch->failures, batch->records->len);
  char **slot = (char **) &g_ptr_array_index (batch->failures, i);
  g_free (*slot);
  *slot = message;
}

void
dp_batch_fail (DpBatch *batch, guint i, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  fail_take (batch, i, g_strdup_vprintf (format, ap));
  va_end (ap);
}

void
dp_batch_fail_error (DpBatch *batch, guint i, GError *error)
{
  fail_take (batch, i, g_strdup (error ? error->message : "unknown error"));
  g_clear_error (&error);
}

gboolean
dp_batch_is_failed (const DpBatch *batch, guint i)
{
  return batch->failures && i < batch->failures->len
         && g_ptr_array_index (batch->failures, i) != NULL;
}

static Attached *
find_data (DpBatch *batch, gconstpointer key)
{
  for (guint i = 0; batch->data && i < batch->data->len; i++)
    if (g_array_index (batch->data, Attached, i).key == key)
      return &g_array_index (batch->data, Attached, i);
  return NULL;
}

void
dp_batch_set_data (DpBatch *batch, gconstpointer key, gpointer data, GDestroyNotify destroy)
{
  Attached *a = find_data (batch, key);
  if (a)
    {
      attached_clear (a);
      *a = (Attached) { key, data, destroy };
      return;
    }
  if (!batch->data)
    {
      batch->data = g_array_new (FALSE, FALSE, sizeof (Attached));
      g_array_set_clear_func (batch->data, attached_clear);
    }
  g_array_append_val (batch->data, ((Attached) { key, data, destroy }));
}

gpointer
dp_batch_get_data (DpBatch *batch, gconstpointer key)
{
  Attached *a = find_data (batch, key);
  return a ? a->data : NULL;
}
