/* tagger.h — the whole NER behind the ner stage: model, rules, user
 * gazetteer, overlaps and linking, applied to one record at a time. */
#pragma once

#include <docpipe/record.h>

/* The model tags sentences of at most this many tokens; a longer one is cut
 * into pieces of this size (real sentences are far shorter: the longest in
 * the news corpus has 774 tokens).  Bounds the per-sentence working memory. */
#define DP_NER_MAX_SENTENCE_TOKENS 1024

/* What tagging a record costs in memory, per byte of its text, at most:
 * its tokens, the tagger's arrays and the entities layer it adds (see
 * docs/benchmarks.md for the measured figures). */
#define DP_NER_BYTES_PER_TEXT_BYTE 32
/* The default max_document_size: a record this big needs about
 * 32 x 32 MiB = 1 GiB for the ner stage (and about 30 times its size for
 * the whole news pipeline). */
#define DP_NER_DEFAULT_MAX_DOCUMENT_SIZE 33554432   /* 32 MiB */

#define DP_NER_ERROR (dp_ner_error_quark ())
GQuark dp_ner_error_quark (void);

typedef enum {
  DP_NER_ERROR_TOO_LARGE,   /* the record is over max_document_size, or there is no room for it */
} DpNerError;

typedef struct {
  const char *model;            /* model file (docpipe-ner-train) */
  const char *gazetteers;       /* directory of the lists the model was trained with */
  const char *clusters;         /* word clusters the model was trained with, or NULL */
  const char *user_gazetteer;   /* TSV label, name[, canonical], or NULL */
  const char *aliases;          /* TSV of alternative names for canonical names, or NULL */
  gboolean rules;               /* DATE, TIME, MONEY, PERCENT */
  gboolean link;                /* canonical names and clusters */
  gsize max_document_size;      /* bytes of text; larger records fail (DP_NER_ERROR_TOO_LARGE); 0: no limit */
} DpNerOptions;

typedef struct _DpNerTagger DpNerTagger;
typedef struct _DpNerScratch DpNerScratch;

/* Loads everything; errors name the file at fault. */
DpNerTagger  *dp_ner_tagger_new (const DpNerOptions *opts, GError **error);
void          dp_ner_tagger_free (DpNerTagger *tagger);

/* Working memory for one thread, reused from record to record. */
DpNerScratch *dp_ner_scratch_new (const DpNerTagger *tagger);
void          dp_ner_scratch_free (DpNerScratch *scratch);

/* Adds the record's "entities" layer.  A tagger may serve several threads
 * at once, each with its own scratch.  A record over max_document_size, or
 * one the process has no address space left for (ulimit -v), fails with
 * DP_NER_ERROR_TOO_LARGE before anything is allocated for it. */
gboolean      dp_ner_tagger_annotate (const DpNerTagger *tagger, DpNerScratch *scratch, DpRecord *rec,
                                      GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpNerTagger, dp_ner_tagger_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpNerScratch, dp_ner_scratch_free)
