/* record-private.h — the record's layout, shared by the core's record and JSON code. */
#pragma once

#include <docpipe/record.h>

/* Token offsets are 32-bit; records stay well below that. */
#define DP_RECORD_MAX_TEXT (512u * 1024 * 1024)

typedef enum { DP_TRI_UNKNOWN = -1, DP_TRI_FALSE = 0, DP_TRI_TRUE = 1 } DpTri;

/* What makes byte <-> code-point conversion of one text cheap in any order
 * (record.c).  Counts are of the characters that start before a byte. */
typedef struct {
  DpTri ascii;           /* pure ASCII: conversion is the identity */
  gsize cur_byte, cur_char; /* the last position converted */
  GArray *marks;         /* gsize: count before every OFFSET_STEP-th byte (record.c), built as far as asked */
} DpOffsets;

struct _DpRecord {
  char *id;
  char *source;
  char *text;            /* NUL-terminated, valid UTF-8; NULL until decoded */
  gsize len;
  JsonObject *meta;      /* NULL until used */
  GPtrArray *layers;     /* DpLayer*, NULL until used */
  GHashTable *layer_names; /* name -> DpLayer*, with layers */
  GArray *tokens;        /* DpToken cache */
  GArray *sentences;     /* DpSentence cache */
  GStringChunk *strings; /* span labels */
  DpOffsets offsets;     /* of text */
  GHashTable *taken_ids; /* ids given to spans that generated ones must avoid; NULL: not collected */
  GPtrArray *ids_dirty;  /* DpSpan*: attributes handed out since taken_ids was collected */
  char *original;        /* the text as first read, once rewritten (alignment.c) */
  gsize original_len;
  GArray *align;         /* DpSeg: current text -> original, NULL if never rewritten */
  DpOffsets original_offsets;
  char *raw;             /* deferred records: bytes to decode */
  gsize raw_len;
  DpRecordDecodeFunc decode;
  gpointer decode_data;  /* its user data */
};

/* Takes @text (g_malloc'd, NUL-terminated, already valid UTF-8). */
void dp_record_take_text (DpRecord *rec, char *text, gsize len);
void dp_record_take_meta (DpRecord *rec, JsonObject *meta);
/* Code-point offset of @byte_offset in the original text (see alignment.h). */
gsize dp_record_original_byte_to_char (DpRecord *rec, gsize byte_offset);
gboolean dp_record_check_span (const DpRecord *rec, gsize start, gsize end, GError **error);
/* Span ids are generated around the ids given to spans, collected once:
 * forget them when "id" attributes may have changed behind the record's back. */
void dp_record_forget_span_ids (DpRecord *rec);

/* Moves every span of every layer, in place (alignment.c): @move sets the new
 * offsets and returns FALSE to drop the span.  Spans that survive keep their
 * ids, even when spans before them in their layer were dropped. */
typedef gboolean (*DpSpanMoveFunc) (const char *layer, DpSpan *span, gsize *start, gsize *end,
                                    gpointer data);
void dp_record_move_spans (DpRecord *rec, DpSpanMoveFunc move, gpointer data);
