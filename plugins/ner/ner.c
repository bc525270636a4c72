/* ner.c — the ner stage: a plugin around the tagger (tagger.c), which does
 * the work.  This file holds the parameters and finds the data files: the
 * model, the gazetteer lists it was trained with and the alias table come
 * from the plugin's data directory (dp_plugin_get_data_dir: plugins/ner/data
 * in the source tree when the plugin runs from the build tree, else
 * <datadir>/docpipe/ner relative to the installed plugin).
 */
#include <docpipe/docpipe.h>

#include "tagger.h"

/* ---- data files ------------------------------------------------------------- */

/* A parameter's path, or the file of that name in the data directory. */
static char *
path_or_default (const DpParams *params, const char *name, const char *file)
{
  const char *given = dp_params_get_path (params, name);
  return given ? g_strdup (given) : g_build_filename (dp_plugin_get_data_dir (params), file, NULL);
}

/* ---- the stage ---------------------------------------------------------------- */

static gpointer
ner_create (const DpParams *params, GError **error)
{
  if (!dp_plugin_get_data_dir (params))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   "the core gave no data directory for the ner plugin");
      return NULL;
    }
  g_autofree char *model = path_or_default (params, "model", "en-news.dpm");
  g_autofree char *gaz = path_or_default (params, "gazetteers", "gazetteers");
  g_autofree char *clusters = path_or_default (params, "clusters", "clusters.txt");
  g_autofree char *aliases = path_or_default (params, "aliases", "aliases.tsv");
  const char *user = dp_params_get_path (params, "gazetteer");
  DpNerOptions opts = {
    .model = model,
    .gazetteers = gaz,
    .clusters = *clusters ? clusters : NULL,
    .user_gazetteer = user && *user ? user : NULL,
    .aliases = *aliases ? aliases : NULL,
    .rules = dp_params_get_bool (params, "rules"),
    .link = dp_params_get_bool (params, "link"),
    .max_document_size = (gsize) dp_params_get_int (params, "max-document-size"),
  };
  return dp_ner_tagger_new (&opts, error);
}

static void
ner_destroy (gpointer self)
{
  dp_ner_tagger_free (self);
}

static gboolean
ner_process (gpointer self, DpBatch *batch, GError **error)
{
  const DpNerTagger *ner = self;
  g_autoptr (DpNerScratch) scratch = dp_ner_scratch_new (ner);
  for (guint i = 0; i < dp_batch_get_size (batch); i++)
    {
      GError *local = NULL;
      if (!dp_ner_tagger_annotate (ner, scratch, dp_batch_get (batch, i), &local))
        dp_batch_fail_error (batch, i, local);
    }
  return TRUE;
}

static const DpParamSpec ner_params[] = {
  { "model", DP_PARAM_PATH, NULL, FALSE,
    "Model file (docpipe-ner-train); default: the English news model that ships with the plugin",
    .flags = DP_PARAM_INPUT },
  { "gazetteers", DP_PARAM_PATH, NULL, FALSE,
    "Directory of the name lists the model was trained with; default: the shipped lists (change only together with the model)",
    .flags = DP_PARAM_INPUT },
  { "clusters", DP_PARAM_PATH, NULL, FALSE,
    "Word clusters the model was trained with; default: the shipped ones (change only together with the model); \"\" for none",
    .flags = DP_PARAM_INPUT },
  { "gazetteer", DP_PARAM_PATH, NULL, FALSE,
    "Your names: a TSV file of label, name and optional canonical name; listed names become entities with that label, overriding the model",
    .flags = DP_PARAM_INPUT },
  { "aliases", DP_PARAM_PATH, NULL, FALSE,
    "TSV of alternative names and their canonical form (label, name, canonical) used to name the model's entities; default: the shipped country aliases; \"\" for none",
    .flags = DP_PARAM_INPUT },
  { "rules", DP_PARAM_BOOL, "true", FALSE,
    "Also find DATE, TIME, MONEY and PERCENT expressions with rules" },
  { "link", DP_PARAM_BOOL, "true", FALSE,
    "Give every entity a canonical name and a cluster number shared by the mentions of one entity in the document" },
  { "max-document-size", DP_PARAM_INT, G_STRINGIFY (DP_NER_DEFAULT_MAX_DOCUMENT_SIZE), FALSE,
    "Records with more bytes of text go to the dead letters (tagging needs up to 32 times the text's size in memory); 0: no limit",
    NULL, 0, 512.0 * 1024 * 1024 },   /* no record is larger (the reader's max-record-size) */
  { NULL }
};

static const char *const ner_provides[] = { "entities", NULL };

static const DpStageInfo ner_stage = {
  .name = "ner",
  .kind = DP_STAGE_TRANSFORM,
  .description = "Finds people, organisations, places, other names, dates and amounts; links mentions of the same entity",
  .params = ner_params,
  .provides = ner_provides,
  .flags = DP_STAGE_SHAREABLE,
  .create = ner_create,
  .process = ner_process,
  .destroy = ner_destroy,
};

DP_PLUGIN_DEFINE ("ner", "0.1.0", "MIT", "Named-entity recognition for news", &ner_stage);
