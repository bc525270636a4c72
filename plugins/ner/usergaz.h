/* usergaz.h — user gazetteers for the ner stage: TSV lists of exact-match
 * entities ("label<TAB>name[<TAB>canonical]") found in documents token by
 * token, and the same lists as a name -> canonical table (the built-in
 * aliases.tsv is one).  See usergaz.c for the file format and matching rules.
 */
#pragma once

#include <glib.h>
#include <docpipe/tokens.h>

G_BEGIN_DECLS

typedef struct _DpUserGaz DpUserGaz;

/* The most tokens a name may have: bounds the cost of a lookup. */
#define DP_USER_GAZ_MAX_TOKENS 64

/* One match in a document.  @label and @canonical belong to the gazetteer
 * (deduplicated inside it: compare them by value, not by pointer). */
typedef struct {
  guint32 first_token;   /* index into the document's tokens */
  guint32 n_tokens;
  guint32 start;         /* byte offsets: tokens[first_token].start … */
  guint32 end;           /* … tokens[first_token + n_tokens - 1].end */
  const char *label;
  const char *canonical;
} DpUserGazMatch;

DpUserGaz *dp_user_gaz_new (void);

/* Adds the entries of one file.  Errors are G_FILE_ERROR: the file's own
 * (NOENT, ACCES …), INVAL with "FILE: not a regular file" (a FIFO, a
 * device, a directory), or INVAL with "FILE:LINE: what is wrong".  On error
 * nothing from the file is added.  Where two entries have the same name
 * (same tokens), the first one added wins. */
gboolean dp_user_gaz_add_file (DpUserGaz *g, const char *path, GError **error);

/* The same for text already in memory; @origin names it in error messages. */
gboolean dp_user_gaz_add_data (DpUserGaz *g, const char *origin,
                               const char *data, gsize len, GError **error);

/* dp_user_gaz_new() + dp_user_gaz_add_file(). */
DpUserGaz *dp_user_gaz_load (const char *path, GError **error);

void dp_user_gaz_free (DpUserGaz *g);

/* Number of distinct names. */
guint dp_user_gaz_size (const DpUserGaz *g);

/* Appends to @out (a GArray of DpUserGazMatch) the entries found in the
 * document's @tokens (from dp_tokenize() over @text): leftmost-longest, never
 * overlapping, in text order.  Thread-safe once loading is over. */
void dp_user_gaz_find (const DpUserGaz *g, const char *text,
                       const DpToken *tokens, guint n_tokens, GArray *out);

/* The canonical name (and label, if @label is not NULL) of the entry whose
 * name is the whole of name[0..len) under the same matching rules as
 * dp_user_gaz_find() ("North\nKorea" finds "North Korea"); NULL if none.
 * Thread-safe once loading is over. */
const char *dp_user_gaz_canonical (const DpUserGaz *g, const char *name, gsize len,
                                   const char **label);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpUserGaz, dp_user_gaz_free)

G_END_DECLS
