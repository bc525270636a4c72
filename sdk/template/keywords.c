/* keywords.c — an example docpipe stage: tags listed keywords in a layer.
 *
 * A complete out-of-tree plugin: one parameter table, create/process/destroy
 * callbacks and the descriptor at the bottom.  Copy this folder to start your own.
 */
#include <docpipe/docpipe.h>

#include <string.h>

typedef struct {
  GHashTable *words;     /* case-folded keywords */
} Keywords;

static gpointer
keywords_create (const DpParams *params, GError **error)
{
  Keywords *k = g_new0 (Keywords, 1);
  k->words = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto (GStrv) list = g_strsplit (dp_params_get_string (params, "words"), ",", -1);
  for (guint i = 0; list[i]; i++)
    {
      char *word = g_utf8_casefold (g_strstrip (list[i]), -1);
      if (*word)
        g_hash_table_add (k->words, word);
      else
        g_free (word);
    }
  return k;
}

/* Tags one record.  FALSE (with @error) if a span cannot be added: a problem
 * with this record, not with the stage. */
static gboolean
keywords_tag (Keywords *k, DpRecord *rec, GError **error)
{
  const char *text = dp_record_get_text (rec, NULL);
  guint n;
  const DpToken *tokens = dp_record_tokens (rec, &n);
  /* Computed afresh: a record that already went through this stage (a second
   * run over our own output) must not get its keywords twice. */
  dp_record_remove_layer (rec, "keywords");
  DpLayer *layer = dp_record_ensure_layer (rec, "keywords");
  for (guint t = 0; t < n; t++)
    {
      g_autofree char *word = g_utf8_casefold (text + tokens[t].start, tokens[t].end - tokens[t].start);
      if (g_hash_table_contains (k->words, word)
          && !dp_layer_add_span (layer, tokens[t].start, tokens[t].end, "KEYWORD", error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
keywords_process (gpointer self, DpBatch *batch, GError **error)
{
  Keywords *k = self;
  for (guint i = 0; i < dp_batch_get_size (batch); i++)
    {
      GError *local = NULL;
      /* One bad record goes to the dead letters; the others, and the run, go on.
       * Returning FALSE here would end the whole run. */
      if (!keywords_tag (k, dp_batch_get (batch, i), &local))
        dp_batch_fail_error (batch, i, local);
    }
  return TRUE;
}

static void
keywords_destroy (gpointer self)
{
  Keywords *k = self;
  g_hash_table_unref (k->words);
  g_free (k);
}

static const DpParamSpec keywords_params[] = {
  { .name = "words", .type = DP_PARAM_STRING, .required = TRUE,
    .help = "Comma-separated keywords to tag (matched case-insensitively, token by token)" },
  { NULL }
};

/* The layer this stage adds: the core checks that stages requiring it come later. */
static const char *const keywords_layers[] = { "keywords", NULL };

static const DpStageInfo keywords_stage = {
  .name = "keywords",
  .kind = DP_STAGE_TRANSFORM,
  .description = "Tags listed keywords",
  .params = keywords_params,
  .provides = keywords_layers,
  .flags = DP_STAGE_SHAREABLE,   /* process() only reads the instance */
  .create = keywords_create,
  .process = keywords_process,
  .destroy = keywords_destroy,
};

DP_PLUGIN_DEFINE ("keywords", "1.0.0", "MIT", "Example plugin: keyword tagger", &keywords_stage);
