/* record-deferred.h — the runner's side of deferred records (record-deferred.c,
 * in the private core library): sources create them (dp_record_new_deferred),
 * the runner decodes them in a worker and dead-letters the raw bytes of those
 * that fail.  Stages never see an undecoded record. */
#pragma once

#include <docpipe/record.h>

/* Runs the decode function if there is one; a no-op on decoded records. */
gboolean    dp_record_decode (DpRecord *rec, GError **error);
/* The raw bytes of a deferred record not yet decoded (or whose decoding failed); NULL otherwise. */
const char *dp_record_get_raw (const DpRecord *rec, gsize *len);
