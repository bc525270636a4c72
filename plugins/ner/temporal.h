/* temporal.h — rule-based DATE, TIME, MONEY and PERCENT recognizer for the ner
 * stage.  See temporal.c for the rules and what they deliberately leave out.
 */
#pragma once

#include <glib.h>
#include <docpipe/tokens.h>

G_BEGIN_DECLS

/* One recognized entity: byte offsets into the text and a static label,
 * "DATE", "TIME", "MONEY" or "PERCENT" (compare by value or by pointer). */
typedef struct {
  guint32 start;
  guint32 end;
  const char *label;
} DpRuleEntity;

/* Scans @tokens (from dp_tokenize() over text[0..len)) and appends a
 * DpRuleEntity to @out (a GArray of DpRuleEntity) for every entity found.
 * Entities come out sorted, never overlap, and each is the longest match at
 * its starting token.  Thread-safe; allocates nothing except in @out. */
void dp_temporal_find (const char *text, gsize len,
                       const DpToken *tokens, guint n_tokens,
                       GArray *out);

G_END_DECLS
