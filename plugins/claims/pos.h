/* pos.h — a small part-of-speech tagger for the claims model's features.
 *
 * PolNeAR's cues are nouns and verbs told apart by syntax ("the plan" is no
 * cue, "plans to" may be), and a content often ends where a clause does
 * (", which", "and vowed"): Penn Treebank tags help the cue and roles
 * taggers with both.  The tagger is a lib/seqtag model trained on
 * CoNLL-2003's POS column (docs/models.md), used as a per-token classifier:
 * each token's tag comes from its own and its neighbours' words, with no
 * tag-to-tag transitions, so that a token can be tagged alone, when a
 * feature first asks for it (most of a text is never read by the claims
 * model), and at most once.
 */
#pragma once

#include <docpipe/docpipe.h>
#include <seqtag.h>

G_BEGIN_DECLS

/* One word of a tagger's window: @len 0 when outside the sentence. */
typedef struct {
  const char *s;
  gsize len;
} DpPosWord;

#define DP_POS_WINDOW 5        /* the word and two either side */
#define DP_POS_MAX_FEATURES 24

/* The features of win[2], the word to tag (lib/seqtag hashes); returns how
 * many were written to @h (at most DP_POS_MAX_FEATURES). */
guint dp_pos_features (const DpPosWord win[DP_POS_WINDOW], guint64 *h);

/* The tag of the word of @win with the model @pos: its index. */
guint16 dp_pos_tag (const DpSeqModel *pos, const DpPosWord win[DP_POS_WINDOW], DpSeqFeatures *scratch);

/* Loads and checks a POS model (a lib/seqtag file whose tags include
 * the Penn Treebank's NN, VB and IN and whose meta says "pos-tagger"). */
DpSeqModel *dp_pos_load (const char *path, GError **error);

/* Reads CoNLL-2003-style columns (word, POS, …; blank lines between
 * sentences; -DOCSTART- lines skipped) and trains the tagger: @epochs
 * passes, seed @seed, features seen at least @min_count times.  Errors
 * name the file and line. */
DpSeqModel *dp_pos_train (const char *conll_path, guint epochs, guint32 seed, guint min_count, GError **error);

/* Tags the sentences of @conll_path and returns the share of tokens whose tag
 * is the file's (for the trainer to report), or < 0 with @error set. */
double dp_pos_accuracy (const DpSeqModel *pos, const char *conll_path, GError **error);

G_END_DECLS
