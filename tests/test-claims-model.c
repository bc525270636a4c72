/* test-claims-model.c — docpipe-claims-train end to end and the claims
 * stage's model files: a tiny PolNeAR-format corpus (our own sentences) is
 * trained on, cross-validated, written, loaded by the stage and applied to a
 * text it never saw; a model directory that is missing, empty, truncated,
 * paired with other word clusters or with a cue bias decoding cannot add is
 * refused at start with its path named;
 * the model's caches (per token, per thread) change no feature. */
#include "test-util.h"

#include "model.h"

#include <docpipe/harness.h>
#include <json-glib/json-glib.h>
#include <string.h>

#define SHIPPED DP_TEST_SRCDIR "/plugins/claims/data"

/* Speakers, cues and contents the tiny corpus combines: "NAME CUE that CONTENT." */
static const char *const names[] = { "Anna Berg", "Tomas Lind", "Maria Holm", "Erik Sand" };
static const char *const cues[] = { "said", "claimed", "denied", "warned" };
static const char *const claimed[] = {
  "the bridge would reopen in May", "the budget was balanced", "the port had been closed",
  "prices would rise again", "the talks had failed", "the report was accurate",
};
static const char *const fillers[] = {
  "The weather was mild in the north.", "Trains ran on time all week.", "The market opened late.",
};

/* Writes article @k: text/aK.txt, attributions/aK.ann and its record line
 * into @records. */
static void
write_article (const char *dir, guint k, GString *records)
{
  g_autoptr (GString) text = g_string_new (NULL), ann = g_string_new (NULL);
  guint t = 0, e = 0;
  for (guint s = 0; s < 6; s++)
    {
      const char *name = names[(k + s) % G_N_ELEMENTS (names)];
      const char *cue = cues[(k * 3 + s) % G_N_ELEMENTS (cues)];
      const char *content = claimed[(k + 2 * s) % G_N_ELEMENTS (claimed)];
      glong at = g_utf8_strlen (text->str, -1);
      glong cue_at = at + (glong) strlen (name) + 1, con_at = cue_at + (glong) strlen (cue) + 6;
      g_string_append_printf (text, "%s %s that %s. %s\n\n", name, cue, content, fillers[s % G_N_ELEMENTS (fillers)]);
      g_string_append_printf (ann, "T%u\tSource %ld %ld\t%s\n", t + 1, at, at + (glong) strlen (name), name);
      g_string_append_printf (ann, "T%u\tCue %ld %ld\t%s\n", t + 2, cue_at, cue_at + (glong) strlen (cue), cue);
      g_string_append_printf (ann, "T%u\tContent %ld %ld\t%s\n", t + 3, con_at, con_at + (glong) strlen (content),
                              content);
      g_string_append_printf (ann, "E%u\tAttribution:T%u Content:T%u Cue:T%u Source:T%u\n", ++e, t + 2, t + 3, t + 2,
                              t + 1);
      t += 3;
    }
  g_autofree char *tdir = g_build_filename (dir, "text", NULL), *adir = g_build_filename (dir, "attributions", NULL);
  g_mkdir_with_parents (tdir, 0700);
  g_mkdir_with_parents (adir, 0700);
  g_autofree char *txt = g_strdup_printf ("%s/a%u.txt", tdir, k), *an = g_strdup_printf ("%s/a%u.ann", adir, k);
  g_assert_true (g_file_set_contents (txt, text->str, -1, NULL));
  g_assert_true (g_file_set_contents (an, ann->str, -1, NULL));
  g_string_append_printf (records, "{\"id\":\"a%u\",\"text\":", k);
  dp_json_append_string (records, text->str, -1);
  g_string_append (records, "}\n");
}

/* The claims of @text through the stage created from @desc, as JSON. */
static char *
annotate (const char *desc, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new_parse (DP_TEST_PLUGINS, desc, &error);
  g_assert_no_error (error);
  dp_harness_set_json_flags (h, DP_JSON_SPAN_TEXT);
  g_autoptr (GString) in = g_string_new ("{\"text\":");
  dp_json_append_string (in, text, -1);
  g_string_append (in, "}");
  g_assert_true (dp_harness_push (h, in->str, &error));
  g_assert_true (dp_harness_process (h, &error));
  return dp_harness_pull (h);
}

static void
test_train_and_apply (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("claims-train-XXXXXX");
  g_autofree char *gold = g_build_filename (dir, "gold", NULL), *records = g_build_filename (dir, "records.jsonl", NULL);
  g_autofree char *model = g_build_filename (dir, "model", NULL);
  g_autoptr (GString) lines = g_string_new (NULL);
  for (guint k = 0; k < 8; k++)
    write_article (gold, k, lines);
  g_assert_true (g_file_set_contents (records, lines->str, -1, NULL));

  const char *args[] = { "--gold", gold, "--records", records, "--out", model, "--folds", "2", "--epochs", "5",
                         "--min-count", "1", "--cue-bias", "0", "--gate-rate", "0", NULL };
  DpTestResult r = dp_test_run (DP_TEST_CLAIMS_TRAIN, args);
  g_assert_cmpint (r.status, ==, 0);
  /* cross-validation found the held-out folds' claims */
  g_assert_nonnull (strstr (r.out, "cross-validation: gold 48 "));
  const char *f1 = strstr (r.out, "F1 ");
  g_assert_nonnull (f1);
  g_assert_cmpfloat (g_ascii_strtod (f1 + 3, NULL), >=, 0.9);
  dp_test_result_clear (&r);

  /* the stage with that model, no clusters, model only, on a new sentence */
  g_autofree char *desc = g_strdup_printf ("claims model=%s clusters= rules=false", model);
  g_autofree char *out = annotate (desc, "Erik Sand claimed that the talks had failed. The market opened late.");
  g_autoptr (JsonObject) rec = dp_test_parse_object (out);
  JsonArray *claims = json_object_get_array_member (json_object_get_object_member (rec, "layers"), "claims");
  g_assert_cmpuint (json_array_get_length (claims), ==, 1);
  JsonObject *c = json_array_get_object_element (claims, 0);
  g_assert_cmpstr (json_object_get_string_member (c, "text"), ==, "the talks had failed");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (c, "cue"), "text"), ==, "claimed");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (c, "speaker"), "text"), ==,
                   "Erik Sand");
  g_assert_cmpstr (json_object_get_string_member (c, "source"), ==, "model");

  /* trained without clusters, it refuses to run with the shipped ones */
  g_autofree char *with_clusters = g_strdup_printf ("claims model=%s", model);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new_parse (DP_TEST_PLUGINS, with_clusters, &error);
  g_assert_null (h);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "cue.dpm"));
  g_assert_nonnull (strstr (error->message, "clusters"));
  dp_test_remove_tree (dir);
}

/* --pos-data: a part-of-speech tagger trained on CoNLL columns is written as
 * pos.dpm beside the model, which needs it and no other: the stage applies
 * the pair, and refuses the shipped tagger in its place. */
static void
test_train_with_pos (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("claims-train-pos-XXXXXX");
  g_autofree char *gold = g_build_filename (dir, "gold", NULL), *records = g_build_filename (dir, "records.jsonl", NULL);
  g_autofree char *model = g_build_filename (dir, "model", NULL), *conll = g_build_filename (dir, "pos.conll", NULL);
  g_autoptr (GString) lines = g_string_new (NULL);
  for (guint k = 0; k < 8; k++)
    write_article (gold, k, lines);
  g_assert_true (g_file_set_contents (records, lines->str, -1, NULL));
  g_assert_true (g_file_set_contents (conll, "-DOCSTART- -X- -X- O\n\nAnna NNP\nsaid VBD\nthat IN\nthe DT\n"
                                      "talks NNS\nhad VBD\nfailed VBN\n. .\n\nThe DT\nmarket NN\nopened VBD\n"
                                      "late RB\n. .\n\nPrices NNS\nwill MD\nrise VB\n. .\n", -1, NULL));
  const char *args[] = { "--gold", gold, "--records", records, "--out", model, "--epochs", "5", "--min-count", "1",
                         "--cue-bias", "0", "--gate-rate", "0", "--pos-data", conll, "--pos-dev", conll,
                         "--pos-min-count", "1", NULL };
  DpTestResult r = dp_test_run (DP_TEST_CLAIMS_TRAIN, args);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "part-of-speech accuracy"));
  dp_test_result_clear (&r);
  g_autofree char *pos = g_build_filename (model, "pos.dpm", NULL);
  g_assert_true (g_file_test (pos, G_FILE_TEST_IS_REGULAR));

  g_autofree char *desc = g_strdup_printf ("claims model=%s clusters= rules=false", model);
  g_autofree char *out = annotate (desc, "Erik Sand claimed that the talks had failed. The market opened late.");
  g_autoptr (JsonObject) rec = dp_test_parse_object (out);
  JsonArray *claims = json_object_get_array_member (json_object_get_object_member (rec, "layers"), "claims");
  g_assert_cmpuint (json_array_get_length (claims), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (claims, 0), "text"), ==,
                   "the talks had failed");

  /* another tagger in its place */
  g_autofree char *shipped = NULL;
  gsize size;
  g_assert_true (g_file_get_contents (SHIPPED "/pos.dpm", &shipped, &size, NULL));
  g_assert_true (g_file_set_contents (pos, shipped, (gssize) size, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new_parse (DP_TEST_PLUGINS, desc, &error);
  g_assert_null (h);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "pos.dpm: not the part-of-speech tagger the claims model was trained with"));

  /* a CoNLL line with no tag: named with its line */
  g_assert_true (g_file_set_contents (conll, "Anna NNP\nsaid\n", -1, NULL));
  DpTestResult bad = dp_test_run (DP_TEST_CLAIMS_TRAIN, args);
  g_assert_cmpint (bad.status, ==, 1);
  g_assert_nonnull (strstr (bad.err, "pos.conll:2: expected a word and its POS tag"));
  dp_test_result_clear (&bad);
  dp_test_remove_tree (dir);
}

/* ---- the model's per-token and per-thread caches ------------------------------------ */

/* A record of @text, tokenized, with no layers. */
static DpRecord *
plain_record (const char *text)
{
  g_autoptr (GError) error = NULL;
  DpRecord *rec = dp_record_new ("r", "test", text, -1, &error);
  g_assert_no_error (error);
  return rec;
}

/* The cue features of every sentence of @v, and the roles features of a
 * cue at each token, one after the other (the cue tagger and the roles
 * tagger read the clusters through the cache). */
static GArray *
all_features (const DpClaimsView *v)
{
  GArray *all = g_array_new (FALSE, FALSE, sizeof (guint64));
  DpSeqFeatures f;
  dp_seq_features_init (&f);
  for (guint s = 0; s < v->n_sents; s++)
    {
      guint a = v->sents[s].first_token;
      dp_claims_cue_features (v, s, a, a + v->sents[s].n_tokens, &f);
      g_array_append_vals (all, f.hashes->data, f.hashes->len);
    }
  for (guint i = 0; i < v->n; i++)
    {
      guint lo, hi;
      dp_claims_role_window (v, i, i, &lo, &hi);
      dp_claims_role_features (v, i, i, lo, hi, &f);
      g_array_append_vals (all, f.hashes->data, f.hashes->len);
    }
  dp_seq_features_clear (&f);
  return all;
}

static gboolean
same_features (const GArray *a, const GArray *b)
{
  return a->len == b->len && memcmp (a->data, b->data, a->len * sizeof (guint64)) == 0;
}

/* Features through @model and @clusters (the ones it was loaded with: the
 * thread's cluster cache is used) against those through an equal clusters
 * object loaded apart (no cache). */
static GArray *
check_cached_features (const DpClaimsModel *model, const DpClusters *clusters, const char *clusters_path,
                       DpRecord *rec)
{
  g_autoptr (DpClusters) apart = dp_clusters_load (clusters_path, NULL);
  g_assert_nonnull (apart);
  DpClaimsView cached, uncached;
  dp_claims_view_init (&cached, rec, model, clusters, NULL, NULL);
  dp_claims_view_init (&uncached, rec, model, apart, NULL, NULL);
  g_assert_nonnull (cached.cluster_cache);
  g_assert_null (uncached.cluster_cache);
  GArray *with = all_features (&cached);
  g_autoptr (GArray) without = all_features (&uncached);
  g_assert_true (same_features (with, without));
  dp_claims_view_clear (&cached);
  dp_claims_view_clear (&uncached);
  return with;
}

/* Words of the tiny corpus and others, given other cluster paths by each
 * clusters file cache_clusters() writes. */
static const char *const cache_words[] = { "said", "Said", "SAID", "Anna", "Berg", "that", "the", "talks",
                                           "claimed", "supercalifragilisticexpialidocious" };

/* Writes clusters file @m (the words above, paths that differ per word and
 * per file) into @dir and trains a model with them on @gold; returns the
 * model's directory and, in *@path, the clusters file's. */
static char *
train_with_clusters (const char *dir, const char *gold, const char *records, guint m, char **path)
{
  g_autoptr (GString) c = g_string_new (NULL);
  for (guint w = 0; w < G_N_ELEMENTS (cache_words); w++)
    {
      for (guint b = 0; b < 8; b++)
        g_string_append_c (c, (w * 5 + m + b) % 3 ? '0' : '1');
      g_string_append_printf (c, "\t%s\n", cache_words[w]);
    }
  *path = g_strdup_printf ("%s/clusters%u.txt", dir, m);
  g_assert_true (g_file_set_contents (*path, c->str, -1, NULL));
  char *model = g_strdup_printf ("%s/model%u", dir, m);
  const char *args[] = { "--gold", gold, "--records", records, "--out", model, "--epochs", "2",
                         "--min-count", "1", "-w", *path, NULL };
  DpTestResult r = dp_test_run (DP_TEST_CLAIMS_TRAIN, args);
  g_assert_cmpint (r.status, ==, 0);
  dp_test_result_clear (&r);
  return model;
}

/* The thread's cache of cluster paths answers for the model whose view
 * asked, by exact spelling: two models with other clusters for the same
 * words, used one after the other in one thread, each see their own
 * clusters; "said", "Said" and "SAID" (other paths) are told apart; words
 * too long for the cache are looked up every time. */
static void
test_cluster_cache (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("claims-cache-XXXXXX");
  g_autofree char *gold = g_build_filename (dir, "gold", NULL), *records = g_build_filename (dir, "records.jsonl", NULL);
  g_autoptr (GString) lines = g_string_new (NULL);
  for (guint k = 0; k < 4; k++)
    write_article (gold, k, lines);
  g_assert_true (g_file_set_contents (records, lines->str, -1, NULL));
  g_autofree char *cpath0 = NULL, *cpath1 = NULL;
  g_autofree char *model0 = train_with_clusters (dir, gold, records, 0, &cpath0);
  g_autofree char *model1 = train_with_clusters (dir, gold, records, 1, &cpath1);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpClusters) clusters0 = dp_clusters_load (cpath0, &error);
  g_assert_no_error (error);
  g_autoptr (DpClusters) clusters1 = dp_clusters_load (cpath1, &error);
  g_assert_no_error (error);
  g_autoptr (DpClaimsModel) m0 = dp_claims_model_load (model0, clusters0, &error);
  g_assert_no_error (error);
  g_autoptr (DpClaimsModel) m1 = dp_claims_model_load (model1, clusters1, &error);
  g_assert_no_error (error);
  g_autoptr (DpRecord) rec = plain_record ("Anna Berg said that the talks had failed. Said Anna: \"the talks\". "
                                           "SAID the supercalifragilisticexpialidocious Berg, Anna said, claimed.");
  /* twice each, alternately: the second time, the cache holds the words */
  g_autoptr (GArray) first0 = check_cached_features (m0, clusters0, cpath0, rec);
  g_autoptr (GArray) first1 = check_cached_features (m1, clusters1, cpath1, rec);
  g_autoptr (GArray) again0 = check_cached_features (m0, clusters0, cpath0, rec);
  g_autoptr (GArray) again1 = check_cached_features (m1, clusters1, cpath1, rec);
  g_assert_true (same_features (first0, again0));
  g_assert_true (same_features (first1, again1));
  g_assert_false (same_features (first0, first1));   /* the clusters matter to the features */
  dp_test_remove_tree (dir);
}

/* Per-token values the model works out when first read (shapes, clusters,
 * parts of speech, what follows) are the same whichever cue reads them
 * first: each cue of a paragraph whose roles windows overlap gets the same
 * attribution decoded on a view shared with the others, in either order,
 * as on a view of its own. */
static void
test_shared_windows (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpClusters) clusters = dp_clusters_load (SHIPPED "/clusters.txt", &error);
  g_assert_no_error (error);
  g_autoptr (DpClaimsModel) m = dp_claims_model_load (SHIPPED, clusters, &error);
  g_assert_no_error (error);
  g_autoptr (DpRecord) rec = plain_record (
    "The minister said on Monday that the talks had failed, and warned that prices would rise. "
    "\"We will respond,\" he added, according to the agency, which reported that the port had been closed. "
    "Officials denied the report, saying the bridge would reopen in May.");
  DpClaimsView shared;
  dp_claims_view_init (&shared, rec, m, clusters, NULL, NULL);
  g_autoptr (GArray) preds = g_array_new (FALSE, FALSE, sizeof (DpClaimsPred));
  dp_claims_model_predict (m, &shared, preds);
  g_assert_cmpuint (preds->len, >=, 4);
  g_autoptr (GArray) backwards = g_array_new (FALSE, FALSE, sizeof (DpClaimsPred));
  DpClaimsView shared2;
  dp_claims_view_init (&shared2, rec, m, clusters, NULL, NULL);
  for (guint k = preds->len; k-- > 0;)
    {
      const DpClaimsPred *p = &g_array_index (preds, DpClaimsPred, k);
      dp_claims_model_predict_cue (m, &shared2, p->cue_first, p->cue_last, backwards);
      DpClaimsView alone;
      dp_claims_view_init (&alone, rec, m, clusters, NULL, NULL);
      g_autoptr (GArray) one = g_array_new (FALSE, FALSE, sizeof (DpClaimsPred));
      dp_claims_model_predict_cue (m, &alone, p->cue_first, p->cue_last, one);
      dp_claims_view_clear (&alone);
      g_assert_cmpuint (one->len, ==, 1);
      g_assert_cmpmem (p, sizeof *p, one->data, sizeof *p);
      g_assert_cmpuint (backwards->len, ==, preds->len - k);
      g_assert_cmpmem (p, sizeof *p, &g_array_index (backwards, DpClaimsPred, backwards->len - 1), sizeof *p);
    }
  dp_claims_view_clear (&shared);
  dp_claims_view_clear (&shared2);
}

/* A copy of the shipped model with @file replaced by @contents (NULL: removed). */
static char *
broken_model (const char *file, const char *contents, gssize len)
{
  char *dir = dp_test_make_tmp_dir ("claims-model-XXXXXX");
  static const char *const files[] = { "cue.dpm", "roles.dpm", "cue-words.txt", "pos.dpm" };
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *from = g_build_filename (SHIPPED, files[i], NULL), *to = g_build_filename (dir, files[i], NULL);
      g_autofree char *data = NULL;
      gsize size;
      g_assert_true (g_file_get_contents (from, &data, &size, NULL));
      if (g_str_equal (files[i], file))
        {
          if (!contents)
            continue;
          g_assert_true (g_file_set_contents (to, contents, len < 0 ? (gssize) MIN (size, (gsize) -len) : len, NULL));
        }
      else
        g_assert_true (g_file_set_contents (to, data, (gssize) size, NULL));
    }
  return dir;
}

static void
assert_refused (const char *model, const char *want_in_message)
{
  g_autofree char *desc = g_strdup_printf ("claims model=%s", model);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new_parse (DP_TEST_PLUGINS, desc, &error);
  g_assert_null (h);
  g_assert_nonnull (error);
  g_test_message ("%s: %s", model, error->message);
  g_assert_nonnull (strstr (error->message, want_in_message));
}

static void
test_broken_models (void)
{
  assert_refused ("/nonexistent/claims-model", "/nonexistent/claims-model");

  g_autofree char *empty = dp_test_make_tmp_dir ("claims-empty-XXXXXX");
  assert_refused (empty, "cue.dpm");
  dp_test_remove_tree (empty);

  g_autofree char *no_words = broken_model ("cue-words.txt", NULL, 0);
  assert_refused (no_words, "cue-words.txt");
  dp_test_remove_tree (no_words);

  /* the first kilobyte of the real file: truncated */
  g_autofree char *data = NULL;
  g_assert_true (g_file_get_contents (SHIPPED "/roles.dpm", &data, NULL, NULL));
  g_autofree char *truncated = broken_model ("roles.dpm", data, 1024);
  assert_refused (truncated, "roles.dpm");
  dp_test_remove_tree (truncated);

  /* the roles file where the cue file should be: not a claims model */
  g_autofree char *swapped = broken_model ("cue.dpm", NULL, 0);
  g_autofree char *roles = g_build_filename (swapped, "roles.dpm", NULL), *cue = g_build_filename (swapped, "cue.dpm", NULL);
  g_autofree char *roles_data = NULL;
  gsize size;
  g_assert_true (g_file_get_contents (roles, &roles_data, &size, NULL));
  g_assert_true (g_file_set_contents (cue, roles_data, (gssize) size, NULL));
  assert_refused (swapped, "cue.dpm");
  dp_test_remove_tree (swapped);

  /* the part-of-speech tagger the model was trained with: missing,
   * truncated, or another seqtag model in its place */
  g_autofree char *no_pos = broken_model ("pos.dpm", NULL, 0);
  assert_refused (no_pos, "the claims model needs its part-of-speech tagger");
  assert_refused (no_pos, "pos.dpm");
  dp_test_remove_tree (no_pos);
  g_autofree char *pos_data = NULL;
  g_assert_true (g_file_get_contents (SHIPPED "/pos.dpm", &pos_data, NULL, NULL));
  g_autofree char *short_pos = broken_model ("pos.dpm", pos_data, 2048);
  assert_refused (short_pos, "pos.dpm");
  dp_test_remove_tree (short_pos);
  g_autofree char *whole_roles = NULL;
  gsize roles_size;
  g_assert_true (g_file_get_contents (SHIPPED "/roles.dpm", &whole_roles, &roles_size, NULL));
  g_autofree char *roles_as_pos = broken_model ("pos.dpm", whole_roles, (gssize) roles_size);
  assert_refused (roles_as_pos, "pos.dpm: not a part-of-speech model");
  dp_test_remove_tree (roles_as_pos);
}

/* The cue bias comes from the cue model's meta, text the file holds: one
 * that is not a number, is infinite, or is too large to add to the scores'
 * int32 once scaled (the shipped model's scale is about 370: 1e6 is 3.7e8
 * weight units) is refused at load, file and value named; before, NaN and
 * 1e30 loaded, and decoding converted them to int32 (undefined behaviour). */
static void
test_cue_bias_out_of_range (void)
{
  static const char *const bad[] = { "nan", "inf", "-inf", "1e30", "-1e30", "1e6", "1e999", "20x", "" };
  g_autoptr (GError) error = NULL;
  g_autoptr (DpSeqModel) cue = dp_seq_model_load (SHIPPED "/cue.dpm", &error);
  g_assert_no_error (error);
  g_autofree char *meta = g_strdup (dp_seq_model_get_meta (cue));
  const char *at = strstr (meta, "\ncue-bias=20\n");
  g_assert_nonnull (at);
  for (guint i = 0; i < G_N_ELEMENTS (bad) + 1; i++)
    {
      /* the last one: a good bias, 45 (as 20 is), to show the copy loads */
      const char *value = i < G_N_ELEMENTS (bad) ? bad[i] : "45";
      g_autofree char *edited = g_strdup_printf ("%.*s\ncue-bias=%s\n%s", (int) (at - meta), meta, value,
                                                 at + strlen ("\ncue-bias=20\n"));
      dp_seq_model_set_meta (cue, edited);
      g_autofree char *dir = broken_model ("cue.dpm", NULL, 0);
      g_autofree char *path = g_build_filename (dir, "cue.dpm", NULL);
      g_assert_true (dp_seq_model_save (cue, path, NULL));
      if (i == G_N_ELEMENTS (bad))
        {
          g_autofree char *desc = g_strdup_printf ("claims model=%s", dir);
          g_autoptr (DpHarness) h = dp_harness_new_parse (DP_TEST_PLUGINS, desc, &error);
          g_assert_no_error (error);
          g_assert_nonnull (h);
        }
      else
        {
          g_autofree char *want = g_strdup_printf ("cue.dpm: cue-bias=%s in the model's meta is not a usable bias",
                                                   value);
          assert_refused (dir, want);
        }
      dp_test_remove_tree (dir);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/claims-model/train-and-apply", test_train_and_apply);
  g_test_add_func ("/claims-model/train-with-pos", test_train_with_pos);
  g_test_add_func ("/claims-model/broken", test_broken_models);
  g_test_add_func ("/claims-model/cue-bias-out-of-range", test_cue_bias_out_of_range);
  g_test_add_func ("/claims-model/cluster-cache", test_cluster_cache);
  g_test_add_func ("/claims-model/shared-windows", test_shared_windows);
  return g_test_run ();
}
