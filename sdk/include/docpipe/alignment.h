/* docpipe/alignment.h — rewriting a record's text without losing track of it.
 *
 * A stage that changes the text (the normalizer) builds the new text with a
 * DpTextBuilder: it walks the current text from start to end and says, piece by
 * piece, what to copy, replace or drop.  dp_record_apply_text() installs the
 * result together with an alignment from the new text back to the text as it
 * was first read, so every span can still be shown in the document the user gave
 * (dp_record_map_to_original, and the writer's `offsets = original`).
 *
 * All offsets are byte offsets.
 */
#pragma once

#include <docpipe/export.h>
#include <docpipe/record.h>

G_BEGIN_DECLS

typedef struct _DpTextBuilder DpTextBuilder;

/* Starts rewriting @src[0..src_len), which must stay alive until the builder is applied or freed. */
DP_API DpTextBuilder *dp_text_builder_new (const char *src, gsize src_len);
DP_API void           dp_text_builder_free (DpTextBuilder *b);

/* The calls below consume the source in order: each starts at or after the
 * end of the previous one.  Source bytes skipped over are deleted. */

/* Copies src[src_start, src_start + len) unchanged. */
DP_API void dp_text_builder_copy (DpTextBuilder *b, gsize src_start, gsize len);
/* Replaces src[src_start, src_start + src_len) by @text (len -1: NUL-terminated).
 * @src_len may be 0 (an insertion) and @text may be empty (a deletion).  Spans
 * that start or end inside a replaced piece map to the whole piece. */
DP_API void dp_text_builder_replace (DpTextBuilder *b, gsize src_start, gsize src_len,
                              const char *text, gssize len);

/* The text built so far (for looking back, e.g. at the last byte written). */
DP_API const char *dp_text_builder_peek (const DpTextBuilder *b, gsize *len);
/* Where the next call may start in the source. */
DP_API gsize       dp_text_builder_get_src_pos (const DpTextBuilder *b);

/* Replaces the record's text with the builder's result (which must be valid
 * UTF-8) and frees the builder.  The builder's source must be the record's
 * current text.  Cached tokens are dropped; layers move onto the new text
 * (nested spans too), and a span whose text was all deleted is dropped and
 * counted in meta "dropped_spans" (layer -> count).  Repeated rewrites
 * compose: offsets always map to the first text. */
DP_API gboolean dp_record_apply_text (DpRecord *rec, DpTextBuilder *b, GError **error);

/* The text as first read (before any rewrite); the current text if there was none. */
DP_API const char *dp_record_get_original_text (const DpRecord *rec, gsize *len);
DP_API gboolean    dp_record_has_alignment (const DpRecord *rec);
/* Maps [start, end) in the current text to the original text. */
DP_API void        dp_record_map_to_original (const DpRecord *rec, gsize start, gsize end,
                                       gsize *orig_start, gsize *orig_end);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpTextBuilder, dp_text_builder_free)

G_END_DECLS
