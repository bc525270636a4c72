/* model.h — the claims stage's trained model: two seqtag taggers.
 *
 * The cue tagger reads the words around likely cues (trigger words,
 * quotation marks) and marks the words that signal an attribution (BILOU
 * over CUE).  Then, for each cue found, the roles tagger
 * reads a window of text around it, every feature conjoined with the word's
 * position relative to that cue, and marks the source (SRC) and the content
 * (CON) of that one attribution.  One attribution per cue, so nested and
 * overlapping attributions come out as the annotators wrote them.
 *
 * The stage and the trainer (claims-train.c) both describe a record through
 * a DpClaimsView and call the same feature code, so what the model learnt is
 * what it sees.
 */
#pragma once

#include <docpipe/docpipe.h>
#include <seqtag.h>
#include <clusters.h>

#include "pos.h"

G_BEGIN_DECLS

/* A quotation from its opening mark to its closing one, over all its pieces
 * (a quotation may run over paragraphs). */
typedef struct {
  guint open_tok, close_tok;
} DpClaimsQuoteSpan;

typedef struct _DpClaimsClusterSlot DpClaimsClusterSlot;

/* What the model knows of a record, per token. */
typedef struct {
  const char *text;
  const DpToken *toks;
  guint n;
  const DpSentence *sents;
  guint n_sents;
  guint *tok_sent;       /* sentence of each token */
  guint8 *in_quote;      /* 1 inside a quotation (marks included) */
  gint32 *quote;         /* the quotation (index into quote_spans) of each token, or -1 */
  GArray *quote_spans;   /* DpClaimsQuoteSpan: each quotation, all its pieces */
  guint64 *ent;          /* hash of the entity label covering the token, 0 none */
  guint8 *lex_cue;       /* lexicon cue covering the token: act + 1, 0 none */
  guint8 *trigger;       /* 1 for tokens a cue can be near: quotation marks, lexicon cues, cue words */
  guint64 *word;         /* hash of each token's lower-cased text */
  guint32 *cluster;      /* the word's cluster path, 20 bits, highest first, looked up when first read */
  guint64 *shape;        /* hash of each token's shape, worked out when first read; 0 not yet */
  guint8 *next;          /* what follows each token (next_kind in model.c), worked out when first read */
  const DpClusters *clusters;
  DpClaimsClusterSlot *cluster_cache;  /* the thread's cache of cluster paths (model.c), or NULL */
  guint32 cluster_serial;        /* the model's serial, naming its entries there */
  const DpSeqModel *pos_model;  /* the part-of-speech tagger, or NULL */
  guint8 *pos;           /* each token's POS tag + 1, tagged when first read; 0 not yet */
  DpSeqFeatures *pos_scratch;
} DpClaimsView;

typedef struct _DpClaimsModel DpClaimsModel;

/* Builds the view of @rec (tokens, sentences, quotations, cue lexicon and the
 * `entities` layer).  With a @model, the cue tagger will read only a few
 * words around one of its cue words (words that often head a cue in
 * training), a quotation mark or a cue of the lexicon; without, everything.
 * @clusters (or NULL) must outlive the view.  @quotes and @cues are the
 * record's quotations (dp_quotes_find) and lexicon cues (dp_cues_find) when
 * the caller has them already, or NULL. */
void dp_claims_view_init (DpClaimsView *v, DpRecord *rec, const DpClaimsModel *model, const DpClusters *clusters,
                          const GArray *quotes, const GArray *cues);
void dp_claims_view_clear (DpClaimsView *v);
/* Gives the view a part-of-speech tagger (@pos must outlive it): what
 * dp_claims_view_init() does with a model that has one; the trainer, whose
 * views have no model, calls it. */
void dp_claims_view_set_pos (DpClaimsView *v, const DpSeqModel *pos);

/* One attribution the model found: token ranges, inclusive; src_first >
 * src_last when it has no source. */
typedef struct {
  guint cue_first, cue_last;
  guint con_first, con_last;
  guint src_first, src_last;
} DpClaimsPred;

/* Loads cue.dpm, roles.dpm and cue-words.txt from @dir.  A model trained
 * with word clusters records their fingerprint and needs those (views
 * given this very @clusters object share a per-thread cache of their
 * lookups, so keep it as long as the model); one trained
 * with a part-of-speech tagger records its fingerprint and needs pos.dpm,
 * that tagger, in @dir. */
DpClaimsModel *dp_claims_model_load (const char *dir, const DpClusters *clusters, GError **error);
void dp_claims_model_free (DpClaimsModel *model);

/* Appends the attributions of @v to @out (GArray of DpClaimsPred), in cue order. */
void dp_claims_model_predict (const DpClaimsModel *model, const DpClaimsView *v, GArray *out);

/* The attribution of one given cue (tokens [cue_first, cue_last]), appended
 * to @out if the model finds content for it. */
void dp_claims_model_predict_cue (const DpClaimsModel *model, const DpClaimsView *v, guint cue_first,
                                  guint cue_last, GArray *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpClaimsModel, dp_claims_model_free)

/* ---- for the trainer ---------------------------------------------------------- */

extern const char *const dp_claims_cue_tags[];    /* O, B-CUE, I-CUE, L-CUE, U-CUE */
extern const char *const dp_claims_role_tags[];   /* O, then BILOU of SRC and CON */

/* The cue tagger's features for tokens [lo, hi) of sentence @s (its
 * neighbours are looked up within the sentence). */
void dp_claims_cue_features (const DpClaimsView *v, guint s, guint lo, guint hi, DpSeqFeatures *f);

/* The roles tagger's window for a cue at tokens [cue_first, cue_last]: tokens
 * [*lo, *hi), bounded whatever the sentences' lengths. */
void dp_claims_role_window (const DpClaimsView *v, guint cue_first, guint cue_last, guint *lo, guint *hi);
/* The roles tagger's features over the window [lo, hi) for that cue. */
void dp_claims_role_features (const DpClaimsView *v, guint cue_first, guint cue_last,
                              guint lo, guint hi, DpSeqFeatures *f);

/* Makes @model use the part-of-speech tagger @pos (borrowed: it must outlive
 * the model) and records its fingerprint in the cue model's meta. */
void dp_claims_model_set_pos (DpClaimsModel *model, const DpSeqModel *pos);
/* A fingerprint of a POS tagger: its tags, size and meta. */
guint64 dp_claims_pos_fingerprint (const DpSeqModel *pos);

/* Writes cue.dpm, roles.dpm and cue-words.txt into @dir, and pos.dpm when
 * the model has a part-of-speech tagger. */
gboolean dp_claims_model_save (const DpClaimsModel *model, const char *dir, GError **error);
/* Wraps trained taggers (the model takes them and @cue_words).  @cue_bias is
 * added to the cue tagger's scores for starting a cue (more cues found for a
 * positive one); it is kept in the cue model's meta as "cue-bias=B". */
DpClaimsModel *dp_claims_model_new (DpSeqModel *cue, DpSeqModel *roles, GHashTable *cue_words, float cue_bias);
/* Records in the model how it was made (@how, free text) and that it was
 * trained with @clusters (their fingerprint, checked at load). */
void dp_claims_model_describe (DpClaimsModel *model, const char *how, const DpClusters *clusters);

G_END_DECLS
