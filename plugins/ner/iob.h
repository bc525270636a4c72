/* iob.h — annotated NER data (CoNLL-2003, Universal NER, GMB) and its scoring. */
#pragma once

#include "gazetteer.h"

#include <glib.h>
#include <stdio.h>

typedef struct {
  GPtrArray *words;     /* char* */
  GPtrArray *labels;    /* char*: the entity type a word belongs to, with IOB2 prefix ("B-PER"), or "O" */
  gboolean doc_start;   /* first sentence of a document */
  gboolean no_misc;     /* from data that does not annotate MISC (Universal NER) or only in
                         * part (GMB): its O tokens may be unmarked MISC, and
                         * cross-validation does not score it */
} DpIobSentence;

/* Reads a file; the format is recognised from its lines (CoNLL-2003 space
 * columns, Universal NER CoNLL-U style, or GMB tab columns).  GMB labels are
 * mapped onto PER/ORG/LOC/MISC; its time expressions become O (dates are
 * rules' work).  Errors name the file and line. */
GPtrArray *dp_iob_read (const char *path, GError **error);   /* DpIobSentence* */
/* The same; GMB's geo-political words on @gaz's demonym list ("Afghan",
 * "Palestinians") become MISC, as the ones ending like a demonym do. */
GPtrArray *dp_iob_read_with (const char *path, const DpGazetteer *gaz, GError **error);

/* Copies of sentences [@first, @end) of @sentences, one document, every word
 * lower-cased (or upper-cased): web text and headlines lose the capitals
 * news has, and such copies teach the model names without them. */
GPtrArray *dp_iob_recase (const GPtrArray *sentences, guint first, guint end, gboolean upper);

/* The labels the tagger uses: O and B-/I-/L-/U- for PER, ORG, LOC, MISC. */
const char *const *dp_iob_bilou_tags (void);
/* IOB2 labels of a sentence -> BILOU tag indices into dp_iob_bilou_tags(). */
void dp_iob_to_bilou (const DpIobSentence *s, guint16 *tags);

/* Exact-span scoring as conlleval does: spans per type from gold IOB2 labels
 * and predicted BILOU tags. */
typedef struct {
  guint tp[5], gold[5], pred[5];   /* per type (PER ORG LOC MISC), then all */
  guint skip;                      /* types left out of the scoring, bit 1 << type:
                                    * e.g. MISC for data that does not annotate it */
} DpIobScore;

/* The index of PER, ORG, LOC or MISC in DpIobScore, or -1. */
int dp_iob_type_index (const char *type);

void dp_iob_score_add (DpIobScore *score, const DpIobSentence *s, const guint16 *pred);
/* Prints precision/recall/F1 overall and per type; returns overall F1 (0–100). */
double dp_iob_score_print (const DpIobScore *score, FILE *out);
