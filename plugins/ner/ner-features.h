/* ner-features.h — what the NER tagger looks at for each token.
 *
 * Features are computed a document at a time, because some of them are about
 * the document: how the same word is written and surrounded elsewhere in it.
 * The same code serves training (words from IOB files) and the stage (words
 * from the record's tokens), so the two can never drift apart.
 *
 * Memory: the doc keeps per word type, not per token (see ner-features.c);
 * sentences are described when needed, so the longest sentence sets the
 * size of the working buffers. */
#pragma once

#include "clusters.h"
#include "gazetteer.h"
#include "seqtag.h"

#include <docpipe/tokens.h>

typedef struct _DpNerDoc DpNerDoc;

/* @gaz and @clusters may be NULL; they must outlive the doc. */
DpNerDoc *dp_ner_doc_new (const DpGazetteer *gaz, const DpClusters *clusters);
void      dp_ner_doc_free (DpNerDoc *doc);

/* Takes a document of @n words (@words[i] is @lens[i] bytes; the strings must
 * stay valid until the next call) split into @n_sentences sentences: sentence
 * s is words [sentence_starts[s], sentence_starts[s + 1]), with
 * sentence_starts[n_sentences] == n. */
void      dp_ner_doc_set (DpNerDoc *doc, const char *const *words, const gsize *lens, guint n,
                          const guint32 *sentence_starts, guint n_sentences);

/* The same for a document given as tokens of @text (the ner stage: no
 * array of words to build).  @text and @tokens must stay valid likewise. */
void      dp_ner_doc_set_tokens (DpNerDoc *doc, const char *text, const DpToken *tokens, guint n,
                                 const guint32 *sentence_starts, guint n_sentences);

/* The features of sentence @s of the current document.  They include the
 * tags remembered for earlier sentences (below), so call it for the
 * sentences in order. */
void      dp_ner_doc_features (DpNerDoc *doc, guint s, DpSeqFeatures *out);

/* Remembers the tags decided for sentence @s (indices into @tag_names,
 * "O" / "B-PER" …): later sentences see how their words were tagged. */
void      dp_ner_doc_remember (DpNerDoc *doc, guint s, const guint16 *tags, const char *const *tag_names);

/* After the whole document is tagged (@tags: one per word, tag 0 = O):
 * words left O that spell, in the same case, an entity tagged elsewhere in
 * the document get its tags, unless that entity was tagged differently in
 * different places.  Only for entities starting with a capital letter. */
void      dp_ner_doc_propagate (DpNerDoc *doc, guint16 *tags, const char *const *tag_names);
/* Corrects entities whose words' lists contradict their type: a place name
 * ending in an organisation word, a person's name ending in a common noun,
 * an acronym on no list of places tagged as one.  After propagation. */
void      dp_ner_doc_fix_entities (DpNerDoc *doc, guint16 *tags, const char *const *tag_names);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpNerDoc, dp_ner_doc_free)
