/* ner-features.h — what the NER tagger looks at for each token of a sentence.
 * The same function serves training (words from IOB files) and the stage
 * (words from the record's tokens), so the two can never drift apart. */
#pragma once

#include "gazetteer.h"
#include "seqtag.h"

/* Features of one sentence of @n words (@words[i] is @lens[i] bytes). */
void dp_ner_features (const DpGazetteer *gaz, const char *const *words, const gsize *lens, guint n,
                      DpSeqFeatures *out);
