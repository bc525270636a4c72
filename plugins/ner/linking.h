/* linking.h — in-document entity linking for the ner stage: which mentions
 * of one document name the same thing, and under what canonical name.  The
 * rules are listed at the top of linking.c.
 */
#pragma once

#include <glib.h>
#include <docpipe/tokens.h>

G_BEGIN_DECLS

typedef struct {
  guint32 start, end;             /* byte offsets into the text */
  guint32 first_token, n_tokens;  /* tokens covered (dp_tokenize() over the same text) */
  const char *label;              /* "PER", "ORG", "LOC", "MISC", "DATE" … or a gazetteer
                                   * label; compared by value; outlives the call.  Linking
                                   * may change it (an acronym of an ORG becomes ORG). */
  const char *given_canonical;    /* from a gazetteer or the alias table, or NULL */
  char *canonical;                /* out: newly allocated, free with dp_ner_mentions_clear() */
  guint cluster;                  /* out: 1-based, numbered in order of first mention */
} DpNerMention;

/* Sets @canonical and @cluster of the @n mentions of one document.  The
 * mentions may come in any order and may overlap; @canonical must be NULL or
 * a previous result (it is freed).  Thread-safe: all state is local.
 * Time O(n log n) for n mentions. */
void dp_ner_link (const char *text, const DpToken *tokens, DpNerMention *m, guint n);

/* Frees the canonical names (and sets them to NULL). */
void dp_ner_mentions_clear (DpNerMention *m, guint n);

/* Rule 4's two halves: the letters of an acronym ("IRGC", "U.N." -> "UN";
 * FALSE if @s is not one) and the initials of a name's capitalised words
 * ("Islamic Revolutionary Guard Corps" -> "IRGC"; FALSE if it has none). */
gboolean dp_ner_acronym_letters (const char *s, gsize len, GString *out);
gboolean dp_ner_initials (const char *text, const DpToken *tokens, guint first, guint n, GString *out);

G_END_DECLS
