/* batch.c — batches: the unit of work the runner moves between threads.
 *
 * Stages see only live records (contiguous, so index loops stay simple); a
 * stage marks failures and the runner sweeps them into the dead list after the
 * stage returns, keeping each record's original position so dead letters come
 * out in input order.
 */
#include "batch-private.h"

#include <stdarg.h>

struct _DpBatch {
  guint64 seq;
  GPtrArray *records;     /* live DpRecord*, owned */
  GArray *positions;      /* guint per live record: its original position */
  GPtrArray *failures;    /* char* message per live record or NULL; NULL if none failed */
  GPtrArray *dead;        /* DpDeadRecord*, NULL until used */
  GArray *data;           /* Attached, NULL until used */
  const gint *cancel;     /* the runner's stop flag, or NULL */
};

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
dp_batch_is_cancelled (const DpBatch *batch)
{
  return batch->cancel && g_atomic_int_get (batch->cancel);
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

void
dp_batch_seal (DpBatch *batch)
{
  g_array_set_size (batch->positions, batch->records->len);
  for (guint i = 0; i < batch->records->len; i++)
    g_array_index (batch->positions, guint, i) = i;
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
