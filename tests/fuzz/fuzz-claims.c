/* fuzz-claims.c — libFuzzer target: the claims stage on any text, after the
 * NER with the shipped model.
 *
 * Input bytes become a record the way the reader makes one (invalid UTF-8
 * replaced, no normalizer: the core's tokens of the raw text), the NER tags
 * it in-process, and the claims stage, loaded from claims.so through its
 * plugin entry as the runner loads it, annotates it in a batch of one.  The
 * first byte picks one of four parameter sets (quotes-only, resolve), so the
 * seed corpus of articles tries them all.  Checked, in bytes: no crash or
 * sanitizer report; the record is not failed; every claim, cue, speaker,
 * hedge and piece inside the text, start <= end, on character boundaries;
 * pieces inside their claim; a speaker's entity is null or the id of an
 * entity, and then its canonical name is that entity's; kind and act from
 * the documented sets; a second run gives as many claims.
 */
#include "batch-private.h"
#include "loader.h"
#include "params-private.h"
#include "tagger.h"

#include <docpipe/docpipe.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define N_CONFIGS 4

static DpNerTagger *ner;
static DpNerScratch *scratch;
static DpPlugin *plugin;          /* open for the whole process */
static const DpStageInfo *claims;
static gpointer instances[N_CONFIGS];

static const char *const kinds[] = { "direct", "mixed", "indirect", NULL };
static const char *const acts[] = { "assert", "allege", "deny", "warn", "urge", "believe", "report", "other", NULL };

static void
check (gboolean ok, const char *what)
{
  if (!ok)
    {
      g_printerr ("fuzz-claims: %s\n", what);
      abort ();
    }
}

static void
load_ner (void)
{
  DpNerOptions opts = {
    .model = DP_NER_SOURCE_DATA_DIR "/en-news.dpm",
    .gazetteers = DP_NER_SOURCE_DATA_DIR "/gazetteers",
    .clusters = DP_NER_SOURCE_DATA_DIR "/clusters.txt",
    .aliases = DP_NER_SOURCE_DATA_DIR "/aliases.tsv",
    .rules = TRUE,
    .link = TRUE,
  };
  g_autoptr (GError) error = NULL;
  ner = dp_ner_tagger_new (&opts, &error);
  check (ner != NULL, error ? error->message : "no NER");
  scratch = dp_ner_scratch_new (ner);
}

/* The stage through its descriptor, with the defaults of its table and the
 * two booleans set as @config's bits say. */
static void
load_claims (void)
{
  g_autoptr (GError) error = NULL;
  plugin = dp_plugin_open (DP_FUZZ_CLAIMS_PLUGIN, &error);
  check (plugin != NULL, error ? error->message : "no plugin");
  for (guint i = 0; plugin->descriptor->stages[i]; i++)
    if (g_str_equal (plugin->descriptor->stages[i]->name, "claims"))
      claims = plugin->descriptor->stages[i];
  check (claims != NULL && claims->process && claims->create, "no claims stage in the plugin");
  DpStageRef ref = { plugin, claims };
  for (guint config = 0; config < N_CONFIGS; config++)
    {
      g_autoptr (DpParams) params = dp_stage_ref_new_params (&ref, "claims", ".");
      check (dp_params_set (params, "quotes-only", (config & 1) ? "true" : "false", &error)
             && dp_params_set (params, "resolve", (config & 2) ? "false" : "true", &error)
             && dp_params_check_required (params, &error), "parameters refused");
      instances[config] = claims->create (params, &error);
      check (instances[config] != NULL, error ? error->message : "create failed");
    }
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  (void) argc, (void) argv;
  load_ner ();
  load_claims ();
  return 0;
}

static gboolean
on_boundary (const char *text, gsize len, gint64 at)
{
  return at == (gint64) len || (((guchar) text[at]) & 0xC0) != 0x80;
}

/* A nested span object: integer start <= end inside [lo, hi], on character
 * boundaries. */
static void
check_nested (JsonNode *node, const char *text, gsize len, gint64 lo, gint64 hi, const char *what)
{
  check (JSON_NODE_HOLDS_OBJECT (node), what);
  JsonObject *o = json_node_get_object (node);
  check (json_object_has_member (o, "start") && json_object_has_member (o, "end"), what);
  gint64 s = json_object_get_int_member (o, "start"), e = json_object_get_int_member (o, "end");
  check (lo <= s && s <= e && e <= hi, what);
  check (on_boundary (text, len, s) && on_boundary (text, len, e), what);
}

static gboolean
in_set (const char *s, const char *const *set)
{
  return s && g_strv_contains (set, s);
}

/* The entities' ids and canonical names. */
static GHashTable *
entity_index (DpRecord *rec)
{
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  DpLayer *ents = dp_record_get_layer (rec, "entities");
  for (guint i = 0; ents && i < dp_layer_get_size (ents); i++)
    {
      DpSpan *span = dp_layer_get_span (ents, i);
      g_hash_table_insert (ids, dp_span_dup_id (span),
                           (gpointer) json_object_get_string_member (dp_span_get_attrs (span), "canonical"));
    }
  return ids;
}

static void
check_speaker (JsonObject *attrs, GHashTable *ids, const char *text, gsize len)
{
  JsonNode *sp = json_object_get_member (attrs, "speaker");
  check (sp != NULL, "claim without a speaker member");
  if (JSON_NODE_HOLDS_NULL (sp))
    return;
  check_nested (sp, text, len, 0, (gint64) len, "speaker span");
  JsonObject *o = json_node_get_object (sp);
  JsonNode *ent = json_object_get_member (o, "entity");
  check (ent != NULL, "speaker without an entity member");
  if (JSON_NODE_HOLDS_NULL (ent))
    return;
  const char *id = json_node_get_string (ent);
  check (id && g_hash_table_contains (ids, id), "speaker entity not in the entities layer");
  check (g_strcmp0 (json_object_get_string_member_with_default (o, "canonical", NULL),
                    g_hash_table_lookup (ids, id)) == 0, "speaker canonical is not its entity's");
}

static guint
check_claims (DpRecord *rec, const char *text, gsize len)
{
  DpLayer *layer = dp_record_get_layer (rec, "claims");
  check (layer != NULL, "no claims layer");
  g_autoptr (GHashTable) ids = entity_index (rec);
  guint n = dp_layer_get_size (layer);
  for (guint i = 0; i < n; i++)
    {
      DpSpan *span = dp_layer_get_span (layer, i);
      gint64 start = (gint64) dp_span_get_start (span), end = (gint64) dp_span_get_end (span);
      check (start <= end && end <= (gint64) len, "claim outside the text");
      check (on_boundary (text, len, start) && on_boundary (text, len, end), "claim off a character boundary");
      JsonObject *attrs = dp_span_get_attrs (span);
      check (in_set (json_object_get_string_member_with_default (attrs, "kind", NULL), kinds), "bad kind");
      check (in_set (json_object_get_string_member_with_default (attrs, "act", NULL), acts), "bad act");
      JsonNode *cue = json_object_get_member (attrs, "cue");
      check (cue != NULL, "claim without a cue member");
      if (!JSON_NODE_HOLDS_NULL (cue))
        check_nested (cue, text, len, 0, (gint64) len, "cue span");
      check_speaker (attrs, ids, text, len);
      JsonNode *hedges = json_object_get_member (attrs, "hedges");
      check (hedges && JSON_NODE_HOLDS_ARRAY (hedges), "hedges not an array");
      JsonArray *h = json_node_get_array (hedges);
      for (guint k = 0; k < json_array_get_length (h); k++)
        check_nested (json_array_get_element (h, k), text, len, 0, (gint64) len, "hedge span");
      JsonNode *pieces = json_object_get_member (attrs, "pieces");
      if (pieces)
        {
          check (JSON_NODE_HOLDS_ARRAY (pieces), "pieces not an array");
          JsonArray *p = json_node_get_array (pieces);
          for (guint k = 0; k < json_array_get_length (p); k++)
            check_nested (json_array_get_element (p, k), text, len, start, end, "piece outside its claim");
        }
    }
  return n;
}

/* One batch of @rec through instance @self; the record stays ours. */
static void
run_claims (gpointer self, DpRecord *rec)
{
  DpBatch *batch = dp_batch_new (0);
  dp_batch_add (batch, rec);
  g_autoptr (GError) error = NULL;
  check (claims->process (self, batch, &error), error ? error->message : "process failed");
  check (!dp_batch_is_failed (batch, 0), "the stage failed the record");
  g_ptr_array_steal_index (batch->records, 0);
  dp_batch_free (batch);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  gpointer self = instances[size ? data[0] % N_CONFIGS : 0];
  g_autofree char *text = g_utf8_make_valid ((const char *) data, (gssize) size);
  gsize len = strlen (text);
  g_autoptr (DpRecord) rec = dp_record_new ("f", "fuzz", text, (gssize) len, NULL);
  check (rec && dp_ner_tagger_annotate (ner, scratch, rec, NULL), "NER failed");
  run_claims (self, rec);
  const char *t = dp_record_get_text (rec, NULL);
  guint n = check_claims (rec, t, len);
  run_claims (self, rec);
  check (check_claims (rec, t, len) == n, "a second run gave another number of claims");
  return 0;
}
