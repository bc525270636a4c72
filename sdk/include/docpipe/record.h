/* docpipe/record.h — the document record that flows through a pipeline.
 *
 * A record is one document: an id, a source (where it came from), its text
 * (always valid UTF-8), a meta object (every input field no stage interprets,
 * written back out untouched) and named annotation layers of spans.
 *
 * Offsets in this C API are BYTE offsets into the text.  Everything a user sees
 * (JSON in and out) uses Unicode code-point offsets; dp_record_to_json() and
 * dp_record_new_from_json() convert at that edge.  See docs/record-format.md.
 *
 * A record belongs to one thread at a time; the runner hands whole batches to
 * workers, so no locking is needed inside a stage.
 */
#pragma once

#include <docpipe/export.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <docpipe/tokens.h>

G_BEGIN_DECLS

#define DP_RECORD_ERROR (dp_record_error_quark ())
DP_API GQuark dp_record_error_quark (void);

typedef enum {
  DP_RECORD_ERROR_INVALID_UTF8,   /* text is not valid UTF-8 */
  DP_RECORD_ERROR_BAD_SPAN,       /* span outside the text or not on a character boundary */
  DP_RECORD_ERROR_PARSE,          /* JSON input could not be parsed */
  DP_RECORD_ERROR_FIELD,          /* JSON input parsed but a field is missing or has the wrong type */
  DP_RECORD_ERROR_TOO_LARGE,      /* input exceeds a size or nesting limit */
} DpRecordError;

typedef struct _DpRecord DpRecord;
typedef struct _DpLayer DpLayer;
typedef struct _DpSpan DpSpan;

/* ---- life cycle ---------------------------------------------------------- */

/* Creates a record.  @text must be valid UTF-8 (len -1: NUL-terminated). */
DP_API G_GNUC_WARN_UNUSED_RESULT
DpRecord *dp_record_new (const char *id, const char *source,
                         const char *text, gssize len, GError **error);
DP_API void      dp_record_free (DpRecord *rec);

/* Deferred records: a source that only splits its input (e.g. into lines) hands
 * the raw bytes to the core; the decode function runs later in a worker thread,
 * so parsing is spread over all cores.  It fills the record through the setters
 * below and returns FALSE with @error set if the bytes are not a valid record
 * (the core then dead-letters the raw bytes).  @user_data is what the source
 * passed to dp_record_new_deferred(): it must stay valid until the run ends
 * (static data, or the source instance, which the core destroys last).
 * Decoding, and the raw bytes, are the core's business: a stage only ever
 * sees decoded records. */
typedef gboolean (*DpRecordDecodeFunc) (DpRecord *rec, const char *raw, gsize len,
                                        gpointer user_data, GError **error);
/* Takes ownership of @raw (g_malloc'd). */
DP_API G_GNUC_WARN_UNUSED_RESULT
DpRecord *dp_record_new_deferred (const char *source, char *raw, gsize len,
                                  DpRecordDecodeFunc decode, gpointer user_data);

/* ---- fields ---------------------------------------------------------------- */

DP_API const char *dp_record_get_id (const DpRecord *rec);
DP_API void        dp_record_set_id (DpRecord *rec, const char *id);
DP_API const char *dp_record_get_source (const DpRecord *rec);
DP_API void        dp_record_set_source (DpRecord *rec, const char *source);

/* The text and its length in bytes (@len may be NULL).  Never NULL once decoded. */
DP_API const char *dp_record_get_text (const DpRecord *rec, gsize *len);
/* Replaces the text.  Drops the cached tokens and sentences and every layer,
 * since their offsets point into the old text. */
DP_API gboolean    dp_record_set_text (DpRecord *rec, const char *text, gssize len,
                                GError **error);

/* The meta object, created empty on first use; owned by the record. */
DP_API JsonObject *dp_record_get_meta (DpRecord *rec);

/* ---- tokens and sentences (computed once, cached) -------------------------- */

DP_API const DpToken    *dp_record_tokens (DpRecord *rec, guint *n_tokens);
DP_API const DpSentence *dp_record_sentences (DpRecord *rec, guint *n_sentences);
/* Frees the cached tokens and sentences (12 and 8 bytes each, 2-3 times the
 * text), which are computed again if asked for: a stage that is done with
 * them, as the writer is, calls it to keep a big record's memory down.
 * Pointers from dp_record_tokens() and dp_record_sentences() become invalid. */
DP_API void              dp_record_drop_token_cache (DpRecord *rec);

/* ---- layers and spans ------------------------------------------------------ */

/* Layers keep the order in which they were added; so do spans within a layer. */
DP_API DpLayer    *dp_record_get_layer (DpRecord *rec, const char *name);   /* NULL if absent */
DP_API DpLayer    *dp_record_ensure_layer (DpRecord *rec, const char *name);
DP_API guint       dp_record_get_n_layers (const DpRecord *rec);
DP_API DpLayer    *dp_record_get_layer_nth (DpRecord *rec, guint i);
/* Drops the layer and its spans (a stage that computes a layer afresh, run
 * on records that already have it); FALSE if there was none. */
DP_API gboolean    dp_record_remove_layer (DpRecord *rec, const char *name);

DP_API const char *dp_layer_get_name (const DpLayer *layer);
DP_API guint       dp_layer_get_size (const DpLayer *layer);
DP_API DpSpan     *dp_layer_get_span (DpLayer *layer, guint i);

/* Adds a span [start, end) in bytes.  Fails if it is outside the text or cuts a
 * UTF-8 sequence.  @label may be NULL (layers such as claims use attributes). */
DP_API DpSpan     *dp_layer_add_span (DpLayer *layer, gsize start, gsize end,
                               const char *label, GError **error);

DP_API gsize       dp_span_get_start (const DpSpan *span);
DP_API gsize       dp_span_get_end (const DpSpan *span);
DP_API const char *dp_span_get_label (const DpSpan *span);
/* The span's id: its string "id" attribute if set, otherwise the layer's name
 * and its 1-based position ("entities-1", "entities-2", … in "entities"),
 * unique in the record: if another span was given that very id, "~2", "~3" …
 * is appended (docs/record-format.md). */
DP_API char       *dp_span_dup_id (const DpSpan *span);
/* Extra attributes (canonical, score, nested spans …); created on first use.
 * A nested span is an object with integer "start" and "end" byte offsets:
 * it is converted to code points on output like the span itself. */
DP_API JsonObject *dp_span_get_attrs (DpSpan *span);
/* Attributes if any were set, else NULL (does not create an empty object;
 * those set through the setters below are moved into the object it returns). */
DP_API JsonObject *dp_span_peek_attrs (const DpSpan *span);
/* The string attribute @name, or NULL if the span has none by that name or
 * it is not a string: unlike dp_span_peek_attrs(), reads attributes kept
 * compactly where they are (a stage reading the entities' "canonical" need
 * not turn every entity's attributes into a JsonObject).  Valid while the
 * attribute is not changed.  ABI 2.2. */
DP_API const char *dp_span_get_attr_string (const DpSpan *span, const char *name);
/* Sets one string (NULL: null) or integer attribute, as
 * json_object_set_*_member() on dp_span_get_attrs() would, but until a stage
 * asks for the JsonObject the span keeps such attributes in a few bytes each
 * instead of some 200: a stage that adds many spans should use these. */
DP_API void        dp_span_set_attr_string (DpSpan *span, const char *name, const char *value);
DP_API void        dp_span_set_attr_int (DpSpan *span, const char *name, gint64 value);

/* ---- JSON ------------------------------------------------------------------ */

typedef enum {
  DP_JSON_DEFAULT = 0,
  DP_JSON_SPAN_TEXT = 1 << 0,   /* write "text" of every span (and nested span) */
  DP_JSON_ORIGINAL = 1 << 1,    /* write the text as first read, spans mapped onto it (alignment.h) */
} DpJsonFlags;

/* Appends the record as one line of JSON (no newline) to @out:
 * {"id":…,"source":…,"text":…,"meta":{…},"layers":{"entities":[…],…}} */
DP_API void dp_record_to_json (DpRecord *rec, GString *out, DpJsonFlags flags);

/* Appends @s (valid UTF-8; len -1: NUL-terminated) as a quoted, escaped JSON string. */
DP_API void dp_json_append_string (GString *out, const char *s, gssize len);

/* Fills a record from one JSON object (as dp_record_to_json() writes, or any
 * object with at least a string "text"; unknown fields go into meta).
 * Rejects input nested deeper than 512 levels before parsing it. */
DP_API gboolean dp_record_load_json (DpRecord *rec, const char *json, gsize len, GError **error);

/* A DpRecordDecodeFunc that calls dp_record_load_json() (@user_data is ignored). */
DP_API gboolean dp_record_decode_json (DpRecord *rec, const char *raw, gsize len,
                                       gpointer user_data, GError **error);

/* Byte <-> code-point offset conversion for this record's text. */
DP_API gsize dp_record_byte_to_char (DpRecord *rec, gsize byte_offset);
DP_API gboolean dp_record_char_to_byte (DpRecord *rec, gsize char_offset, gsize *byte_offset);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpRecord, dp_record_free)

G_END_DECLS
