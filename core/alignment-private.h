/* alignment-private.h — the segments behind a record's alignment (alignment.c). */
#pragma once

#include <docpipe/alignment.h>

/* Offsets are 32-bit: texts are at most DP_RECORD_MAX_TEXT bytes, and a
 * rewrite of hostile text (one letter per line) can have a segment for every
 * two bytes. */
typedef struct {
  guint32 out, out_len;  /* in the current text */
  guint32 src;           /* where a span starting here starts in the original */
  guint32 src_end;       /* where a span ending here ends in the original */
  gboolean linear;       /* byte for byte (src_end - src == out_len), or as a whole */
} DpSeg;

/* Where a span starting / ending at @x of the current text starts / ends in the original. */
gsize dp_alignment_map_start (const GArray *segs, gsize x);
gsize dp_alignment_map_end (const GArray *segs, gsize x);
