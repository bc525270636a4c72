/* normalize.h — the normalizer's text rewriting, apart from the stage around it
 * (so tests and the fuzzer can call it directly). */
#pragma once

#include <docpipe/docpipe.h>

#include "patterns.h"

typedef enum { DP_REFLOW_AUTO, DP_REFLOW_ALWAYS, DP_REFLOW_NEVER } DpReflow;

typedef struct {
  gboolean nfkc;              /* NFKC instead of NFC */
  gboolean fold_punctuation;  /* curly quotes, guillemets, dashes, ellipsis -> ASCII */
  gboolean html_entities;     /* &amp; &#8217; … -> characters */
  DpReflow reflow;            /* join hard-wrapped lines into paragraphs */
  gboolean join_hyphens;      /* "inter-\nnational" -> "international" where the document says so */
  gboolean drop_furniture;    /* built-in page-furniture patterns */
  DpLinePatterns *drop_patterns;   /* the user's own (drop-lines); may be NULL */
} DpNormalizeOptions;

void dp_normalize_options_init (DpNormalizeOptions *opts);

/* Normalizes the record's text in place (its alignment keeps offsets traceable
 * to the original, and its layers move onto the new text) and records dropped
 * lines in meta "dropped_lines".  Fails only if a drop-lines pattern runs out
 * of its budget on a line of the text. */
gboolean dp_normalize_record (DpRecord *rec, const DpNormalizeOptions *opts, GError **error);
