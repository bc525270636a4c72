/* alignment-private.h — the segments behind a record's alignment (alignment.c). */
#pragma once

#include <docpipe/alignment.h>

typedef struct {
  gsize out, out_len;    /* in the current text */
  gsize src;             /* where a span starting here starts in the original */
  gsize src_end;         /* where a span ending here ends in the original */
  gboolean linear;       /* byte for byte (src_end - src == out_len), or as a whole */
} DpSeg;

/* Where a span starting / ending at @x of the current text starts / ends in the original. */
gsize dp_alignment_map_start (const GArray *segs, gsize x);
gsize dp_alignment_map_end (const GArray *segs, gsize x);
