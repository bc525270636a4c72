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

/* An attribute set through dp_span_set_attr_string() / _int() (record.c).
 * Spans keep such attributes in a small array rather than a JsonObject: the
 * object, its hash table, nodes and list links cost about 700 bytes for an
 * entity's three attributes, an array entry 24 bytes each, which made the
 * entities layer the largest part of the NER's memory (docs/benchmarks.md).
 * Names and string values live in the record's string chunk. */
typedef enum { DP_ATTR_NULL, DP_ATTR_STRING, DP_ATTR_INT } DpAttrKind;
typedef struct {
  const char *name;
  union { const char *s; gint64 i; } v;
  DpAttrKind kind;
} DpAttr;

/* The span's compact attributes, in the order first set; 0 once its
 * attributes are a JsonObject (dp_span_get_attrs()), which it then keeps. */
guint dp_span_get_compact_attrs (const DpSpan *span, const DpAttr **attrs);
/* The span's JsonObject if it has one, without building it from compact
 * attributes (which are never nested spans). */
JsonObject *dp_span_peek_json_attrs (const DpSpan *span);

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

/* record-json-parse.c: a record line parsed without json-glib when it is
 * strict JSON of the common shape; DECLINED when record-json.c must parse
 * it with json-glib (anything unusual, errors included).  FAILED: parsed,
 * but its fields are wrong (@error set, as json-glib's path would set it). */
typedef enum { DP_FAST_LOADED, DP_FAST_FAILED, DP_FAST_DECLINED } DpFastLoad;
DpFastLoad dp_record_load_json_fast (DpRecord *rec, const char *json, gsize len, GError **error);
/* record-json.c: a parsed record's fields into @rec.  @text (g_malloc'd,
 * valid UTF-8, at most DP_RECORD_MAX_TEXT bytes), when not NULL, is taken
 * as the record's text instead of @root's "text" member. */
gboolean dp_record_load_fields (DpRecord *rec, JsonObject *root, char *text, gsize text_len, GError **error);
/* json-check.c: whether @s is one JSON object, valid by RFC 8259 and within
 * what json-glib holds (64-bit integers, finite doubles, DP_JSON_MAX_DEPTH
 * levels); @error says where it is not.  Counts in @bad_escapes the \u
 * escapes that are not text (\u0000, lone surrogates) and, when @fix (a
 * copy of @s) is given, rewrites them there to \ufffd. */
#define DP_JSON_MAX_DEPTH 512
gboolean dp_json_check (const char *s, gsize len, char *fix, guint *bad_escapes, GError **error);
/* record-json.c: what dp_record_load_json() does with a line the fast
 * parser declines (json-glib); the tests compare the two. */
gboolean dp_record_load_json_glib (DpRecord *rec, const char *json, gsize len, GError **error);
