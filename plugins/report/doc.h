/* doc.h — one record as the report sees it.
 *
 * rp_doc_new() runs in a worker thread (the stage's prepare): it encodes the
 * record's data block — text, meta, entity and claim spans with offsets in
 * UTF-16 code units, as JavaScript strings count them — and extracts the few
 * facts the overview counts, so that the sink thread only adds numbers and
 * copies bytes.  The record is not kept.
 */
#pragma once

#include <docpipe/docpipe.h>

typedef struct {
  char *label;
  char *canonical;
  guint mentions;         /* in this document */
} RpDocEntity;

typedef struct {
  char *speaker;          /* canonical name, else the speaker's words; NULL: nobody named */
  int speaker_entity;     /* index into the document's entities, or -1 */
  char *act;
  GArray *mentioned;      /* guint indices into the document's entities its content
                           * mentions, once each (see rp_doc_label_is_about) */
} RpDocClaim;

typedef struct {
  char *name;
  guint spans;
} RpDocLayer;

typedef struct {
  GString *json;          /* the data block: one JSON object, no '<', '>' or '&' */
  char *id;
  char *title;            /* meta.title or NULL */
  char *date;             /* meta.date when it starts with YYYY-MM-DD (those ten characters), or NULL */
  GPtrArray *entities;    /* RpDocEntity, distinct by (label, canonical) */
  GPtrArray *claims;      /* RpDocClaim */
  GPtrArray *layers;      /* RpDocLayer, every layer the record has */
  guint mentions;         /* spans in the entities layer */
} RpDoc;

/* Longest meta value or title embedded, in bytes (longer ones are cut). */
#define RP_META_MAX 2000

/* FALSE for the labels of dates, times and amounts (DATE, TIME, PERCENT,
 * MONEY, QUANTITY, CARDINAL, ORDINAL): a claim mentioning "last month" is not
 * about it, so the speaker → entity graph leaves them out. */
gboolean rp_doc_label_is_about (const char *label);

RpDoc *rp_doc_new (DpRecord *rec);
void   rp_doc_free (RpDoc *doc);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpDoc, rp_doc_free)
