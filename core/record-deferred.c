/* record-deferred.c — decoding deferred records, the runner's business: it
 * runs in worker threads so that parsing is spread over all cores.  Part of
 * the private core library (see record-deferred.h). */
#include "record-deferred.h"
#include "record-private.h"

gboolean
dp_record_decode (DpRecord *rec, GError **error)
{
  if (!rec->decode)
    return TRUE;
  if (!rec->decode (rec, rec->raw, rec->raw_len, rec->decode_data, error))
    return FALSE;
  rec->decode = NULL;
  rec->decode_data = NULL;
  g_clear_pointer (&rec->raw, g_free);
  rec->raw_len = 0;
  if (!rec->text)
    rec->text = g_strdup ("");
  if (!rec->id)
    rec->id = g_strdup (rec->source ? rec->source : "");
  return TRUE;
}

const char *
dp_record_get_raw (const DpRecord *rec, gsize *len)
{
  if (len)
    *len = rec->raw_len;
  return rec->raw;
}
