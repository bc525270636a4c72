/* polnear.h — PolNeAR-style brat standoff attributions (text/NAME.txt +
 * attributions/NAME.ann) and the claim scoring rules of ../shared/README.md,
 * for docpipe-claims-eval and its tests.  Offsets are Unicode code points into
 * the .txt, as in PolNeAR itself and in docpipe's JSON. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DPN_ERROR (dpn_error_quark ())
GQuark dpn_error_quark (void);
typedef enum { DPN_ERROR_PARSE, DPN_ERROR_IO } DpnError;

/* A half-open range [start, end) of code points. */
typedef struct {
  gint64 start, end;
} DpnRange;

typedef enum { DPN_KIND_DIRECT, DPN_KIND_MIXED, DPN_KIND_INDIRECT, DPN_N_KINDS } DpnKind;
const char *dpn_kind_name (DpnKind kind);

/* One gold attribution: each role is a list of fragments (DpnRange), the
 * fragments of every span filling that role, in file order.  A role may be
 * empty (no Source on "Attribution-no-source"). */
typedef struct {
  char *id;        /* the E line's id, "E3" */
  guint line;      /* its line in the .ann */
  GArray *content, *cue, *source;
} DpnAttribution;

/* One annotation file of an article. */
typedef struct {
  char *article;   /* the .txt's name without .txt */
  char *ann_path;
  char *text;      /* UTF-8 */
  glong n_chars;
  GPtrArray *attributions;  /* DpnAttribution * */
} DpnDocument;

void dpn_document_free (DpnDocument *doc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpnDocument, dpn_document_free)

DpnDocument *dpn_document_load (const char *txt_path, const char *ann_path, GError **error);
/* Every attributions/NAME.ann under @dir with its text/ file, sorted by .ann name.
 * NAME.ann goes with text/NAME.txt, or, failing that, with the .txt named by
 * NAME without its last "_suffix" (PolNeAR names annotator copies so). */
GPtrArray *dpn_corpus_load (const char *dir, GError **error);

gint64 dpn_ranges_length (const GArray *ranges);
gint64 dpn_ranges_overlap (const GArray *a, const GArray *b);
/* One range from the first fragment's start to the last one's end (empty
 * array for none); the caller unrefs it. */
GArray *dpn_ranges_hull (const GArray *ranges);
/* The half-overlap rule: the overlap is non-empty and at least half of the
 * longer side's characters. */
gboolean dpn_content_matches (const GArray *gold, const GArray *pred);
DpnKind dpn_kind_of (const char *text, glong n_chars, const GArray *ranges);

/* A predicted claim: content and, when given, cue and speaker (empty arrays
 * when absent or null); kind is the stage's own (a DpnKind) or -1 to have it
 * computed from the text like the gold's. */
typedef struct {
  GArray *content, *cue, *speaker;
  int kind;
} DpnClaim;

DpnClaim *dpn_claim_new (void);
void dpn_claim_free (DpnClaim *claim);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpnClaim, dpn_claim_free)

/* Tallies, per kind (index DPN_N_KINDS is all kinds together). */
typedef struct {
  guint gold[DPN_N_KINDS + 1], pred[DPN_N_KINDS + 1];
  guint matched_gold[DPN_N_KINDS + 1];  /* by the gold attribution's kind */
  guint matched_pred[DPN_N_KINDS + 1];  /* by the predicted claim's kind */
  guint cue_ok[DPN_N_KINDS + 1], speaker_ok[DPN_N_KINDS + 1];  /* by gold kind */
} DpnScores;

/* Matches @claims (DpnClaim *) against @doc's attributions one to one and adds
 * the tallies to @scores; @text/@n_chars are the text the claims' offsets
 * refer to (for their kind). */
void dpn_score_document (const DpnDocument *doc, const char *text, glong n_chars,
                         GPtrArray *claims, DpnScores *scores);

G_END_DECLS
