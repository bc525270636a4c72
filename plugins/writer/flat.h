/* flat.h — a record's entities and claims as flat rows, for the table writers
 * (CSV and SQLite), so both name and fill their columns the same way.
 *
 * Offsets are code points, as in JSON (docs/record-format.md); texts are
 * slices of the record's text, valid while the record is.
 */
#pragma once

#include <docpipe/docpipe.h>

typedef struct {
  const char *ptr;     /* NULL: no such span (written as an empty cell, SQL NULL) */
  gsize len;
} WrSlice;

typedef struct {
  char *id;            /* owned */
  gint64 start, end;
  const char *label;   /* or NULL */
  WrSlice text;
  const char *canonical;
  gboolean has_cluster;
  gint64 cluster;
} WrEntity;

typedef struct {
  char *id;            /* owned */
  gint64 start, end;
  WrSlice content, cue, speaker;
  const char *speaker_entity, *speaker_canonical;
  const char *kind, *act;
  JsonArray *hedges;   /* borrowed from the span's attributes, or NULL */
} WrClaim;

void wr_entity_init (WrEntity *e, DpRecord *rec, DpSpan *span);
void wr_claim_init (WrClaim *c, DpRecord *rec, DpSpan *span);
void wr_entity_clear (WrEntity *e);
void wr_claim_clear (WrClaim *c);

/* The hedges' texts joined with "; " (CSV), or as a JSON array of strings (SQLite). */
void wr_hedges_join (DpRecord *rec, JsonArray *hedges, GString *out);
void wr_hedges_json (DpRecord *rec, JsonArray *hedges, GString *out);

/* A meta value as one cell: a string as it is, null as nothing, anything else as JSON. */
void wr_meta_value (JsonNode *node, GString *out);

/* The date in @value (ISO 8601 "2024-03-01…", "26-FEB-1987 …" as Reuters
 * writes it, or a date with a month's name that g_date_set_parse()
 * understands, "March 3, 2021") as "YYYY-MM-DD" in @out; FALSE when it is
 * none of those (digits-only forms like 12/04/2005 are ambiguous). */
gboolean wr_parse_date (const char *value, char out[11]);
