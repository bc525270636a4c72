/* normalizer.c — the normalizer stage: clean text for the stages after it.
 *
 * The rewriting itself is in normalize.c and the reading of title, byline and
 * date in docmeta.c, the user's drop-lines patterns in patterns.c; this file is
 * the stage around them: its parameters and the invalid-UTF-8 policy.
 */
#include "normalize.h"
#include "docmeta.h"

#include <string.h>

typedef struct {
  DpNormalizeOptions opts;
  gboolean metadata;
  gboolean reject_invalid;
} Normalizer;

static void
normalizer_destroy (gpointer self)
{
  Normalizer *n = self;
  dp_line_patterns_free (n->opts.drop_patterns);
  g_free (n);
}

static gpointer
normalizer_create (const DpParams *params, GError **error)
{
  Normalizer *n = g_new0 (Normalizer, 1);
  dp_normalize_options_init (&n->opts);
  n->opts.nfkc = dp_params_get_enum (params, "unicode") == 1;
  n->opts.fold_punctuation = dp_params_get_bool (params, "fold-punctuation");
  n->opts.html_entities = dp_params_get_bool (params, "html-entities");
  n->opts.reflow = (DpReflow) dp_params_get_enum (params, "reflow");
  n->opts.join_hyphens = dp_params_get_bool (params, "join-hyphens");
  n->opts.drop_furniture = dp_params_get_bool (params, "drop-furniture");
  n->metadata = dp_params_get_bool (params, "metadata");
  n->reject_invalid = dp_params_get_enum (params, "invalid-utf8") == 1;
  const char *drop = dp_params_get_path (params, "drop-lines");
  if (drop && !(n->opts.drop_patterns = dp_line_patterns_load (drop, error)))
    {
      normalizer_destroy (n);
      return NULL;
    }
  return n;
}

static gboolean
normalizer_process (gpointer self, DpBatch *batch, GError **error)
{
  Normalizer *n = self;
  for (guint i = 0; i < dp_batch_get_size (batch); i++)
    {
      DpRecord *rec = dp_batch_get (batch, i);
      JsonObject *meta = dp_record_get_meta (rec);
      /* The reader already replaced invalid bytes (records are UTF-8); it counted them. */
      if (n->reject_invalid && json_object_has_member (meta, "invalid_utf8"))
        {
          dp_batch_fail (batch, i, "%" G_GINT64_FORMAT " invalid UTF-8 sequences (invalid-utf8 = reject)",
                         json_object_get_int_member (meta, "invalid_utf8"));
          continue;
        }
      GError *local = NULL;
      if (!dp_normalize_record (rec, &n->opts, &local))
        {
          dp_batch_fail_error (batch, i, local);
          continue;
        }
      if (n->metadata)
        {
          gsize len;
          const char *text = dp_record_get_text (rec, &len);
          dp_docmeta_extract (text, len, meta);
        }
    }
  return TRUE;
}

static const char *const unicode_forms[] = { "nfc", "nfkc", NULL };
static const char *const reflow_modes[] = { "auto", "always", "never", NULL };
static const char *const utf8_policies[] = { "replace", "reject", NULL };

static const DpParamSpec normalizer_params[] = {
  { "unicode", DP_PARAM_ENUM, "nfc", FALSE,
    "Unicode normalization form: nfc (canonical) or nfkc (also folds compatibility characters such as ligatures and full-width forms)",
    unicode_forms },
  { "fold-punctuation", DP_PARAM_BOOL, "false", FALSE,
    "Turn curly quotes and guillemets into straight quotes, dash variants into '-', and the ellipsis character into '...'" },
  { "html-entities", DP_PARAM_BOOL, "true", FALSE,
    "Decode HTML entities such as &amp; &rsquo; &#8217; &#x2019;" },
  { "reflow", DP_PARAM_ENUM, "auto", FALSE,
    "Join hard-wrapped lines into paragraphs: auto (when the text looks hard-wrapped), always, never",
    reflow_modes },
  { "join-hyphens", DP_PARAM_BOOL, "true", FALSE,
    "Join a word hyphenated across a line break; the hyphen is dropped when the joined word occurs elsewhere in the document" },
  { "drop-furniture", DP_PARAM_BOOL, "true", FALSE,
    "Drop lines that are page furniture (Font Size, Share, See also: and its links, Source » …); dropped lines go to meta.dropped_lines" },
  { "drop-lines", DP_PARAM_PATH, NULL, FALSE,
    "A file of regular expressions (PCRE), one per line, # comments; lines of the text matching one are dropped too. "
    "At most 1000 patterns in 1 MiB; a pattern that needs too many steps on a line fails the record (see README)",
    .flags = DP_PARAM_INPUT },
  { "metadata", DP_PARAM_BOOL, "true", FALSE,
    "Read title, byline, date, time and dateline off the top of the text into meta (never overwriting fields already there)" },
  { "invalid-utf8", DP_PARAM_ENUM, "replace", FALSE,
    "replace: keep records whose invalid bytes the reader replaced with U+FFFD; reject: dead-letter them",
    utf8_policies },
  { NULL }
};

static const DpStageInfo normalizer_stage = {
  .name = "normalizer",
  .kind = DP_STAGE_TRANSFORM,
  .description = "Cleans and canonicalises text, keeping every offset traceable to the original",
  .params = normalizer_params,
  .flags = DP_STAGE_SHAREABLE,
  .create = normalizer_create,
  .process = normalizer_process,
  .destroy = normalizer_destroy,
};

DP_PLUGIN_DEFINE ("normalizer", DP_VERSION, "MIT", "Text normalization with offset alignment",
                  &normalizer_stage);
