/* quotes.h — finds quotations in a record's tokens for the claims stage.
 *
 * A quotation is a run of text between an opening and a closing mark of one
 * family (double: " “ ” „ « »; single: ' ‘ ’ ‹ ›).  Marks of the other family
 * inside a quotation are nested quotes and belong to it.  A quotation left
 * open at a paragraph's end that reopens at the next paragraph continues
 * there: its pieces share a group number.  One pass over the tokens, so
 * linear on any input, balanced or not.
 */
#pragma once

#include <docpipe/docpipe.h>

typedef struct {
  guint open_tok;     /* index of the opening mark */
  guint close_tok;    /* index of the closing mark, or of the last token before a paragraph break */
  gsize start, end;   /* bytes of the content, marks excluded */
  guint group;        /* pieces of one quotation running over paragraphs share it */
  gboolean closed;    /* FALSE: the piece ends at a paragraph break (no closing mark) */
} DpQuote;

/* Appends the quotations of @text's tokens to @out (a GArray of DpQuote), in text order. */
void dp_quotes_find (const char *text, const DpToken *toks, guint n_toks, GArray *out);

/* TRUE if token @i is a quotation mark of either family (an apostrophe token too). */
gboolean dp_quotes_is_mark (const char *text, const DpToken *tok);
