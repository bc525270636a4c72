/* test-claims.c — the claims stage: a table of hard sentences (each through
 * ner then claims, in-process with the harness) with the claim expected of
 * each, a second run not doubling the layer, hostile quotation marks, and the
 * sample corpus through reader ! normalizer ! ner ! claims ! writer with
 * attributions an analyst would check. */
#include "test-util.h"

#include "batch-private.h"
#include "loader.h"
#include "params-private.h"

#include <docpipe/harness.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>

#define SAMPLES DP_TEST_SRCDIR "/samples/news"

typedef struct {
  const char *name;
  const char *text;
  const char *content;     /* NULL: no claim at all expected */
  const char *cue;         /* NULL: cue null */
  const char *speaker;     /* NULL: speaker null */
  const char *canonical;   /* the speaker entity's canonical name; NULL: entity null */
  const char *kind, *act;
  const char *hedge;       /* one hedge expected (NULL: none checked) */
} Case;

static const Case cases[] = {
  { "split-by-cue", "Ali Larijani met reporters in Tehran on Monday. 'We will respond,' he said, 'at a time of our choosing.'",
    "We will respond,' he said, 'at a time of our choosing.", "said", "he", "Ali Larijani", "direct", "assert" },
  { "nested", "Kim Yong-nam said: \"They told us 'no deal' and walked out.\"",
    "They told us 'no deal' and walked out.", "said", "Kim Yong-nam", "Kim Yong-nam", "direct", "assert" },
  { "quoted-as-saying", "The Mehr news agency quoted Kim Yong-nam as saying that the talks had failed.",
    "the talks had failed", "quoted Kim Yong-nam as saying", "Kim Yong-nam", "Kim Yong-nam", "indirect", "report" },
  { "passive", "Both nations have been accused of collaborating on missile designs.",
    "Both nations have been accused of collaborating on missile designs", "accused", NULL, NULL, "indirect", "allege" },
  { "passive-suspected", "Two tankers are suspected to have been used for the transfers.",
    "Two tankers are suspected to have been used for the transfers", "suspected", NULL, NULL, "indirect", "allege",
    "are suspected to have been" },
  { "passive-after-sentences", "The ship left Busan on Monday. The weather was calm. "
    "Two tankers are suspected to have been used for the transfers.",
    "Two tankers are suspected to have been used for the transfers", "suspected", NULL, NULL, "indirect", "allege",
    "are suspected to have been" },
  { "passive-according-to", "Both nations have been accused of collaborating on missiles, according to Pentagon officials.",
    "Both nations have been accused of collaborating on missiles", "accused", NULL, NULL, "indirect", "allege" },
  { "denial", "North Korea denied that it had supplied the missiles.",
    "it had supplied the missiles", "denied", "North Korea", "North Korea", "indirect", "deny" },
  { "hedged", "Western officials said Iran had allegedly supplied the drones.",
    "Iran had allegedly supplied the drones", "said", "Western officials", NULL, "indirect", "assert", "allegedly" },
  { "multi-paragraph", "Ali Larijani spoke for an hour.\n\n\"We will not bow to pressure.\n\n\"Our programme is peaceful,\" he told reporters.",
    "We will not bow to pressure.\n\n\"Our programme is peaceful,", "told", "he", "Ali Larijani", "direct", "assert" },
  { "according-to-first", "According to Pentagon officials, the missile flew 900 kilometres.",
    "the missile flew 900 kilometres", "According to", "Pentagon officials", "Pentagon", "indirect", "report" },
  { "according-to-last", "The missile flew 900 kilometres, according to the Pentagon.",
    "The missile flew 900 kilometres", "according to", "the Pentagon", "Pentagon", "indirect", "report" },
  { "pronoun", "Ali Larijani arrived in Pyongyang on Monday. He said the visit would strengthen ties.",
    "the visit would strengthen ties", "said", "He", "Ali Larijani", "indirect", "assert" },
  { "pronoun-previous-speaker", "The International Atomic Energy Agency said its inspectors were turned away at Natanz. "
    "It also claimed that cameras had been switched off.",
    "cameras had been switched off", "claimed", "It", "International Atomic Energy Agency", "indirect", "allege" },
  { "indefinite-description", "Dariush Kamrani spoke in Tehran. One European official said the episode fits a pattern.",
    "the episode fits a pattern", "said", "One European official", NULL, "indirect", "assert" },
  { "description", "The International Atomic Energy Agency met in Vienna on Monday. The agency said its inspectors were turned away.",
    "its inspectors were turned away", "said", "The agency", "International Atomic Energy Agency", "indirect", "assert" },
  { "apposition", "Dariush Kamrani, the foreign minister, said the inspectors were never obstructed.",
    "the inspectors were never obstructed", "said", "Dariush Kamrani", "Dariush Kamrani", "indirect", "assert" },
  { "said-x", "\"The door remains open,\" said Ali Larijani.",
    "The door remains open,", "said", "Ali Larijani", "Ali Larijani", "direct", "assert" },
  { "content-before", "No shells landed south of the line, the Joint Chiefs of Staff said on Saturday.",
    "No shells landed south of the line", "said", "Joint Chiefs of Staff", "Joint Chiefs of Staff", "indirect", "assert" },
  { "mixed", "Derek Hanlon said the flight \"appears to have ended well short of the range.\"",
    "the flight \"appears to have ended well short of the range.\"", "said", "Derek Hanlon", "Derek Hanlon", "mixed", "assert" },
  { "warning", "Russia warned that its Baltic Fleet would respond.",
    "its Baltic Fleet would respond", "warned", "Russia", "Russia", "indirect", "warn" },
  { "urge", "Lena Vogt called on Iran to restore full access.",
    "Iran to restore full access", "called on", "Lena Vogt", "Lena Vogt", "indirect", "urge" },
  { "guillemets", "Sophie Reymond said: « Nous allons tout vérifier. »",
    "Nous allons tout vérifier.", "said", "Sophie Reymond", "Sophie Reymond", "direct", "assert" },
  { "low-nine", "Olaf Berger said „we are ready“ on Monday.",
    "we are ready", "said", "Olaf Berger", "Olaf Berger", "direct", "assert" },
  { "apostrophes", "Iran's envoy said the '90s were different and the countries' leaders don't agree.",
    "the '90s were different and the countries' leaders don't agree", "said", "Iran's envoy", "Iran", "indirect", "assert" },
  { "headline", "Iran denies sending troops to Syria",
    "sending troops to Syria", "denies", "Iran", "Iran", "indirect", "deny" },
  { "headline-colon", "Larijani: \"We will respond at a time of our choosing\"\n\nTEHRAN — The speaker spoke.",
    "We will respond at a time of our choosing", ":", "Larijani", "Larijani", "direct", "assert" },
  { "no-claim", "The ship docked in Busan on Tuesday after a week at sea.", NULL },
  { "unbalanced", "The \" ship ' docked « in » Busan ‘ on „ Tuesday \" after ’ a week ” at sea.", NULL },
};

static const char *nested_text (JsonObject *claim, const char *member);

/* The claim of @rec whose text is @content, the one with @cue if several
 * share it ("accused" and "according to" over the same words); NULL if none. */
static JsonObject *
find_claim_cue (JsonObject *rec, const char *content, const char *cue)
{
  JsonObject *layers = json_object_get_object_member (rec, "layers");
  if (!json_object_has_member (layers, "claims"))
    return NULL;
  JsonArray *claims = json_object_get_array_member (layers, "claims");
  JsonObject *first = NULL;
  for (guint i = 0; i < json_array_get_length (claims); i++)
    {
      JsonObject *c = json_array_get_object_element (claims, i);
      if (!g_str_equal (json_object_get_string_member (c, "text"), content))
        continue;
      if (g_strcmp0 (nested_text (c, "cue"), cue) == 0)
        return c;
      first = first ? first : c;
    }
  return first;
}

/* The first claim of @rec whose text is @content, or NULL. */
static JsonObject *
find_claim (JsonObject *rec, const char *content)
{
  JsonObject *layers = json_object_get_object_member (rec, "layers");
  if (!json_object_has_member (layers, "claims"))
    return NULL;
  JsonArray *claims = json_object_get_array_member (layers, "claims");
  for (guint i = 0; i < json_array_get_length (claims); i++)
    {
      JsonObject *c = json_array_get_object_element (claims, i);
      if (g_str_equal (json_object_get_string_member (c, "text"), content))
        return c;
    }
  return NULL;
}

static guint
n_claims (JsonObject *rec)
{
  JsonObject *layers = json_object_get_object_member (rec, "layers");
  return json_object_has_member (layers, "claims")
         ? json_array_get_length (json_object_get_array_member (layers, "claims")) : 0;
}

/* @text through ner, then claims (@claims_params), as one JSON line. */
static char *
annotate (const char *text, const char *claims_params)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) ner = dp_harness_new_parse (DP_TEST_PLUGINS, "ner", &error);
  g_assert_no_error (error);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "text");
  json_builder_add_string_value (b, text);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *in = json_to_string (root, FALSE);
  g_assert_true (dp_harness_push (ner, in, &error));
  g_assert_true (dp_harness_process (ner, &error));
  g_autofree char *tagged = dp_harness_pull (ner);
  g_assert_nonnull (tagged);
  g_autofree char *desc = g_strdup_printf ("claims %s", claims_params ? claims_params : "");
  g_autoptr (DpHarness) cl = dp_harness_new_parse (DP_TEST_PLUGINS, desc, &error);
  g_assert_no_error (error);
  dp_harness_set_json_flags (cl, DP_JSON_SPAN_TEXT);
  g_assert_true (dp_harness_push (cl, tagged, &error));
  g_assert_true (dp_harness_process (cl, &error));
  g_assert_cmpuint (dp_harness_get_n_failed (cl), ==, 0);
  return dp_harness_pull (cl);
}

static const char *
nested_text (JsonObject *claim, const char *member)
{
  JsonNode *n = json_object_get_member (claim, member);
  g_assert_nonnull (n);
  if (JSON_NODE_HOLDS_NULL (n))
    return NULL;
  return json_object_get_string_member (json_node_get_object (n), "text");
}

static void
test_case (gconstpointer data)
{
  const Case *tc = data;
  g_autofree char *out = annotate (tc->text, NULL);
  g_autoptr (JsonObject) rec = dp_test_parse_object (out);
  g_test_message ("%s: %s", tc->name, out);
  if (!tc->content)
    {
      g_assert_cmpuint (n_claims (rec), ==, 0);
      return;
    }
  JsonObject *claim = find_claim_cue (rec, tc->content, tc->cue);
  if (!claim)
    {
      g_test_message ("%s: no claim \"%s\" in %s", tc->name, tc->content, out);
      g_test_fail ();
      return;
    }
  g_assert_cmpstr (nested_text (claim, "cue"), ==, tc->cue);
  g_assert_cmpstr (nested_text (claim, "speaker"), ==, tc->speaker);
  if (tc->speaker)
    {
      JsonObject *sp = json_object_get_object_member (claim, "speaker");
      if (tc->canonical)
        {
          g_assert_true (JSON_NODE_HOLDS_VALUE (json_object_get_member (sp, "entity")));
          g_assert_cmpstr (json_object_get_string_member_with_default (sp, "canonical", NULL), ==, tc->canonical);
        }
      else
        g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (sp, "entity")));
    }
  g_assert_cmpstr (json_object_get_string_member (claim, "kind"), ==, tc->kind);
  g_assert_cmpstr (json_object_get_string_member (claim, "act"), ==, tc->act);
  JsonArray *hedges = json_object_get_array_member (claim, "hedges");
  if (tc->hedge)
    {
      gboolean found = FALSE;
      for (guint i = 0; i < json_array_get_length (hedges); i++)
        found |= g_str_equal (json_object_get_string_member (json_array_get_object_element (hedges, i), "text"),
                              tc->hedge);
      g_assert_true (found);
    }
}

/* A passive allegation that ends in "according to X": two claims, the
 * passive one not running over the attribution. */
static void
test_passive_according (void)
{
  g_autofree char *out = annotate ("Both nations have been accused of collaborating on missiles, according to Pentagon officials.", NULL);
  g_autoptr (JsonObject) rec = dp_test_parse_object (out);
  g_assert_cmpuint (n_claims (rec), ==, 2);
  JsonObject *rep = find_claim (rec, "Both nations have been accused of collaborating on missiles");
  g_assert_nonnull (rep);
}

/* The split quotation is one claim with two pieces, not two claims. */
static void
test_split_pieces (void)
{
  g_autofree char *out = annotate (cases[0].text, NULL);
  g_autoptr (JsonObject) rec = dp_test_parse_object (out);
  g_assert_cmpuint (n_claims (rec), ==, 1);
  JsonObject *claim = find_claim (rec, cases[0].content);
  JsonArray *pieces = json_object_get_array_member (claim, "pieces");
  g_assert_cmpuint (json_array_get_length (pieces), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (pieces, 1), "text"), ==,
                   "at a time of our choosing.");
}

/* A quotation inside a sentence whose cue the lexicon lacks ("had typed")
 * does not go on from the quotation before it: it is not Larijani's. */
static void
test_quote_inside_sentence (void)
{
  g_autofree char *out = annotate ("\"We will not bow to pressure,\" Ali Larijani said on Monday. "
                                   "On her discharge papers, a doctor had typed \"homicidal ideation.\"", NULL);
  g_autoptr (JsonObject) rec = dp_test_parse_object (out);
  g_test_message ("%s", out);
  g_assert_nonnull (find_claim (rec, "We will not bow to pressure,"));
  JsonObject *claim = find_claim (rec, "homicidal ideation.");
  g_assert_true (claim == NULL || g_strcmp0 (nested_text (claim, "speaker"), "Ali Larijani") != 0);
}

/* A record that already has claims gets them afresh, not twice. */
static void
test_rerun (void)
{
  g_autofree char *once = annotate ("North Korea denied that it had supplied the missiles.", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) cl = dp_harness_new_parse (DP_TEST_PLUGINS, "claims", &error);
  g_assert_no_error (error);
  dp_harness_set_json_flags (cl, DP_JSON_SPAN_TEXT);
  g_assert_true (dp_harness_push (cl, once, &error));
  g_assert_true (dp_harness_process (cl, &error));
  g_autofree char *twice = dp_harness_pull (cl);
  g_assert_cmpstr (twice, ==, once);
}

/* Claims with the same kind, act and source, and the nulls in them, hold one
 * node each, sealed: a node per claim was some 100 bytes of each claim's
 * 2.8 kB in memory (docs/reliability.md, "The memory bound").  Run with the
 * stage in-process, as the runner runs it, to see the record's nodes. */
static void
test_shared_values (void)
{
  g_autofree char *tagged = annotate ("He said that Iran lied. She said that Iraq lied.", NULL);
  const char *const dirs[] = { DP_TEST_PLUGINS, NULL };
  g_autoptr (DpRegistry) reg = dp_registry_new (dirs);
  const DpStageRef *ref = dp_registry_lookup (reg, "claims");
  g_assert_nonnull (ref);
  g_autoptr (DpParams) params = dp_stage_ref_new_params (ref, "claims", ".");
  g_autoptr (GError) error = NULL;
  gpointer self = ref->info->create (params, &error);
  g_assert_no_error (error);
  DpRecord *rec = dp_record_new ("r", "", "", 0, &error);
  g_assert_true (dp_record_load_json (rec, tagged, strlen (tagged), &error));
  dp_record_remove_layer (rec, "claims");
  DpBatch *batch = dp_batch_new (0);
  dp_batch_add (batch, rec);
  g_assert_true (ref->info->process (self, batch, &error));
  DpLayer *layer = dp_record_get_layer (rec, "claims");
  g_assert_cmpuint (dp_layer_get_size (layer), ==, 2);
  JsonObject *a = dp_span_get_attrs (dp_layer_get_span (layer, 0));
  JsonObject *b = dp_span_get_attrs (dp_layer_get_span (layer, 1));
  const char *const shared[] = { "kind", "act", "source", NULL };
  for (guint i = 0; shared[i]; i++)
    {
      g_assert_true (json_object_get_member (a, shared[i]) == json_object_get_member (b, shared[i]));
      g_assert_true (json_node_is_immutable (json_object_get_member (a, shared[i])));
    }
  JsonNode *ea = json_object_get_member (json_object_get_object_member (a, "speaker"), "entity");
  JsonNode *eb = json_object_get_member (json_object_get_object_member (b, "speaker"), "entity");
  g_assert_true (JSON_NODE_HOLDS_NULL (ea) && ea == eb);
  dp_batch_free (batch);
  ref->info->destroy (self);
}

/* The most claims whose content holds one same character of @rec. */
static guint
max_nesting (JsonObject *rec, gsize text_len)
{
  JsonArray *claims = json_object_get_array_member (json_object_get_object_member (rec, "layers"), "claims");
  g_autofree gint *delta = g_new0 (gint, text_len + 1);
  for (guint i = 0; i < json_array_get_length (claims); i++)
    {
      JsonObject *c = json_array_get_object_element (claims, i);
      gint64 start = json_object_get_int_member (c, "start"), end = json_object_get_int_member (c, "end");
      g_assert_true (start >= 0 && start <= end && (gsize) end <= text_len);
      delta[start]++;
      delta[end]--;
    }
  gint depth = 0, top = 0;
  for (gsize i = 0; i < text_len; i++)
    {
      depth += delta[i];
      top = MAX (top, depth);
    }
  return (guint) top;
}

/* Attributions nested in one another all come out, to four deep; a text of
 * reporting verbs alone ("said that he said that …", one sentence) had
 * every word in the content of each of the 30-odd claims before it, a
 * claims layer 43 times the text: now no word is in more than four, the
 * outermost claims (the first cues) kept. */
static void
test_nesting_depth (void)
{
  const char *nested = "Kim Yong-nam said that the minister had said that Iran had claimed that the talks failed.";
  g_autofree char *out = annotate (nested, NULL);
  g_autoptr (JsonObject) rec = dp_test_parse_object (out);
  g_test_message ("%s", out);
  g_assert_cmpuint (n_claims (rec), ==, 3);
  g_assert_cmpuint (max_nesting (rec, strlen (nested)), ==, 3);
  g_assert_nonnull (find_claim (rec, "the talks failed"));

  g_autoptr (GString) chain = g_string_new (NULL);
  for (guint i = 0; i < 400; i++)
    g_string_append (chain, "said that he said that ");
  g_autofree char *chained = annotate (chain->str, NULL);
  g_autoptr (JsonObject) crec = dp_test_parse_object (chained);
  g_test_message ("%u claims, output %zu bytes for %zu of text", n_claims (crec), strlen (chained), chain->len);
  g_assert_cmpuint (n_claims (crec), >, 4);
  g_assert_cmpuint (max_nesting (crec, chain->len), ==, 4);
  g_assert_cmpuint (strlen (chained), <, 10 * chain->len);
  /* the outermost claim, the first "he said" (the first "said" has no
   * speaker), is there */
  JsonArray *claims = json_object_get_array_member (json_object_get_object_member (crec, "layers"), "claims");
  JsonObject *first = json_array_get_object_element (claims, 0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (first, "cue"), "start"), ==, 13);
}

/* quotes-only drops indirect speech and keeps quotations. */
static void
test_quotes_only (void)
{
  const char *text = "Kim Yong-nam said the talks had failed. \"We are leaving,\" he said.";
  g_autofree char *all = annotate (text, NULL);
  g_autofree char *quotes = annotate (text, "quotes-only=true");
  g_autoptr (JsonObject) a = dp_test_parse_object (all);
  g_autoptr (JsonObject) q = dp_test_parse_object (quotes);
  g_assert_cmpuint (n_claims (a), ==, 2);
  g_assert_cmpuint (n_claims (q), ==, 1);
  g_assert_nonnull (find_claim (q, "We are leaving,"));
}

/* `docpipe check -e @pipeline` refuses it (exit 2), naming @want. */
static void
assert_check_refuses (const char *pipeline, const char *want)
{
  const char *args[] = { "check", "-P", DP_TEST_PLUGINS, "-e", pipeline, NULL };
  DpTestResult r = dp_test_run (DP_TEST_DOCPIPE, args);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, want));
  dp_test_result_clear (&r);
}

/* A model directory that does not exist is named without creating the stage. */
static void
test_check_model_path (void)
{
  assert_check_refuses ("reader path=" SAMPLES "/*.txt ! ner ! claims model=/nonexistent/claims-model ! writer",
                        "/nonexistent/claims-model");
}

/* The stage refuses to run before ner: it requires the entities layer. */
static void
test_requires_entities (void)
{
  assert_check_refuses ("reader path=" SAMPLES "/*.txt ! claims ! ner ! writer", "entities");
}

/* ---- a model directory that cannot be used ----------------------------------------- */

/* (Missing, empty, truncated and swapped models, and other clusters, are in
 * test-claims-model.c.) */

/* Runs ner ! claims PARAMS on a sample: the stage must refuse to start, exit
 * code 1 (docs/cli.md), with @message on stderr and nothing written. */
static void
assert_claims_fails (const char *params, const char *message)
{
  g_autofree char *expr = g_strdup_printf ("reader path=" SAMPLES "/01*.txt format=text ! ner ! claims %s ! writer",
                                           params);
  const char *argv[] = { DP_TEST_DOCPIPE, "run", "-q", "-P", DP_TEST_PLUGINS, "-e", expr, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                                 &error);
  g_assert_no_error (error);
  DpTestResult r = dp_test_communicate (p, NULL);
  if (r.status != 1 || !strstr (r.err, message))
    g_error ("claims %s: expected exit 1 and '%s', got %d: %s", params, message, r.status, r.err);
  g_assert_cmpstr (r.out, ==, "");
  dp_test_result_clear (&r);
}

/* A copy of the shipped model's files in @parent/@name. */
static char *
copy_model (const char *parent, const char *name)
{
  static const char *const files[] = { "cue.dpm", "roles.dpm", "cue-words.txt", "pos.dpm" };
  g_autofree char *dir = g_build_filename (parent, name, NULL);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *from = g_build_filename (DP_TEST_SRCDIR "/plugins/claims/data", files[i], NULL);
      g_autofree char *to = g_build_filename (dir, files[i], NULL);
      g_autofree char *data = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (from, &data, &len, NULL));
      g_assert_true (g_file_set_contents (to, data, (gssize) len, NULL));
    }
  return g_steal_pointer (&dir);
}

/* Opens @fifo for writing and closes it: a reader that opened it (the stage
 * once read cue-words.txt whatever it was) sees end of file and goes on. */
static gpointer
open_fifo_for_writing (gpointer fifo)
{
  int fd = g_open (fifo, O_WRONLY, 0);
  if (fd >= 0)
    close (fd);
  return NULL;
}

static void
test_bad_model (void)
{
  /* No clusters for a model trained with some: said so, the shipped model's
   * directory named without a trailing "/.". */
  assert_claims_fails ("clusters=''",
                       "/claims/data/cue.dpm: the model was trained with word clusters, but none were given");

  /* cue-words.txt a FIFO: reading it would wait for a writer for ever. */
  g_autofree char *tmp = dp_test_make_tmp_dir ("test-claims-XXXXXX");
  g_autofree char *dir = copy_model (tmp, "fifo");
  g_autofree char *fifo = g_build_filename (dir, "cue-words.txt", NULL);
  g_assert_cmpint (g_remove (fifo), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  GThread *writer = g_thread_new ("fifo-writer", open_fifo_for_writing, fifo);
  g_autofree char *params = g_strdup_printf ("model=%s", dir);
  assert_claims_fails (params, "cue-words.txt: not a regular file");
  int fd = g_open (fifo, O_RDONLY | O_NONBLOCK, 0);   /* lets the writer's open return */
  g_assert_cmpint (fd, >=, 0);
  g_thread_join (writer);
  close (fd);
  dp_test_remove_tree (tmp);
}

/* ---- the sample corpus ------------------------------------------------------------- */

/* The kinds of attribution the seed articles (real news, not committed) hold,
 * as the fictional samples hold them: "X told Y", "X quoted Y as saying",
 * "X claimed that", "according to officials", "have been accused of",
 * pronoun and description speakers, a quote split by its cue, a quote over
 * two paragraphs, a quote continuing with no cue.  Only what the stage gets
 * right is listed; its known mistakes on the samples are in
 * plugins/claims/README.md. */
typedef struct {
  const char *id;
  const char *content_start;   /* the claim's text starts with this */
  const char *content_has;     /* ... and holds this (NULL: not checked) */
  const char *cue;             /* NULL: cue null (a quote continuing an earlier one) */
  const char *act, *kind;
  const char *speaker;         /* the speaker's text; NULL: speaker null (nobody named) */
  const char *canonical;       /* the speaker's entity's canonical name; NULL: entity null */
} SampleCheck;

static const SampleCheck sample_checks[] = {
  { "01-iaea-inspectors-turned-away", "the inspectors had been obstructed", NULL, "denied", "deny", "indirect",
    "Dariush Kamrani", "Dariush Kamrani" },
  { "01-iaea-inspectors-turned-away", "Our cooperation with the Agency", "nothing more", "told", "assert", "direct",
    "he", "Dariush Kamrani" },
  { "01-iaea-inspectors-turned-away", "surveillance cameras inside the hall", NULL, "added", "assert", "indirect",
    "The report", "International Atomic Energy Agency" },
  { "01-iaea-inspectors-turned-away", "Iran's stockpile of uranium", NULL, "According to", "report", "indirect",
    "the report", "International Atomic Energy Agency" },
  { "01-iaea-inspectors-turned-away", "the episode \"fits a pattern", NULL, "said", "assert", "mixed",
    "One European official", NULL },
  { "01-iaea-inspectors-turned-away", "Iran to \"restore full access", NULL, "called on", "urge", "mixed",
    "Lena Vogt", "Lena Vogt" },
  { "02-sahand-7b-missile-test", "This is a defensive system.", NULL, "added", "assert", "direct",
    "He", "Mahmoud Tavakoli" },
  { "02-sahand-7b-missile-test", "the new variant may have", NULL, "said", "assert", "indirect",
    "Analysts at the London-based Institute for Strategic Assessment", "Institute for Strategic Assessment" },
  { "02-sahand-7b-missile-test", "the flight “appears to have ended", NULL, "said", "assert", "mixed",
    "Derek Hanlon", "Derek Hanlon" },
  { "02-sahand-7b-missile-test", "The Sahand-7B is believed to be", NULL, "believed", "believe", "indirect",
    NULL, NULL },
  { "02-sahand-7b-missile-test", "the criticism", NULL, "rejected", "deny", "indirect",
    "Iran’s foreign ministry", "Iran" },
  { "02-sahand-7b-missile-test", "The launch comes a week", NULL, "said", "assert", "direct",
    "she", "Farah Al-Mansouri" },
  { "03-un-panel-north-korea-payments", "a North Korean trading company moved", NULL, "alleges", "allege", "indirect",
    "A confidential report by a U.N. panel of experts", "United Nations" },
  { "03-un-panel-north-korea-payments", "a second official, Kang Myong-ho", NULL, "claimed", "allege", "indirect",
    "It", "United Nations" },
  { "03-un-panel-north-korea-payments", "the findings showed", "\"slipping badly\"", "said", "assert", "mixed",
    "Ambassador Caroline Whitfield of the United Kingdom", "Caroline Whitfield" },
  { "03-un-panel-north-korea-payments", "member states to freeze", NULL, "urged", "urge", "indirect",
    "Ambassador Caroline Whitfield of the United Kingdom", "Caroline Whitfield" },
  { "04-zurich-bank-sanctions-inquiry", "The bank, Helvetia Lindenhof AG, is alleged", NULL, "alleged", "allege", "indirect",
    NULL, NULL },
  { "04-zurich-bank-sanctions-inquiry", "We are not talking about an oversight", "The structure was too consistent",
    "told", "assert", "direct", "deputy prosecutor Sophie Reymond", "Sophie Reymond" },
  { "04-zurich-bank-sanctions-inquiry", "any wrongdoing", NULL, "denied", "deny", "indirect",
    "José Antunes Ferreira", "José Antunes Ferreira" },
  { "04-zurich-bank-sanctions-inquiry", "every transaction in question", NULL, "insisted", "assert", "indirect",
    "He", "José Antunes Ferreira" },
  { "05-seoul-artillery-brief", "No shells landed south of the line", NULL, "said", "assert", "indirect",
    "JCS", "Joint Chiefs of Staff" },
  { "05-seoul-artillery-brief", "Pyongyang to \"immediately stop", NULL, "urged", "urge", "mixed",
    "It", "Joint Chiefs of Staff" },
  { "05-seoul-artillery-brief", "the military had tracked the launchers", NULL,
    "quoted Defence Minister Park Ji-hoon as saying", "report", "indirect", "Park Ji-hoon", "Park Ji-hoon" },
  { "05-seoul-artillery-brief", "The rounds came from coastal batteries", NULL, "according to", "report", "indirect",
    "officials at South Korea's defence ministry", "South Korea" },
  { "05-seoul-artillery-brief", "Both Koreas have been accused of breaching", NULL, "accused", "allege", "indirect",
    NULL, NULL },
  { "05-seoul-artillery-brief", "Our forces are ready to respond", "\n\n\"We do not seek escalation", "told", "assert", "direct",
    "the minister", "Park Ji-hoon" },
  { "05-seoul-artillery-brief", "the North had fired a similar barrage", NULL, "claimed", "allege", "indirect",
    "He", "Park Ji-hoon" },
  { "06-nato-baltic-drill-gdansk", "The Baltic is not a lake", NULL, "told", "assert", "direct",
    "she", "Katarzyna Wiśniewska" },
  { "06-nato-baltic-drill-gdansk", "its Baltic Fleet would", NULL, "warned", "warn", "mixed",
    "Russia’s defence ministry", "Russia" },
  { "06-nato-baltic-drill-gdansk", "The exercise is expected to cost", NULL, "according to", "report", "indirect",
    "a NATO fact sheet", "NATO" },
  { "07-security-council-satellite-launch", "the satellite, which it calls Ullim-3", NULL, "claimed", "allege", "mixed",
    "Pyongyang's State Space Exploration Bureau", "State Space Exploration Bureau" },
  { "07-security-council-satellite-launch", "the U.S. and its allies of", NULL, "accused", "allege", "mixed",
    "He", "Ryang Kwang-nam" },
  { "08-estonia-port-cyberattack", "They were patient.", NULL, "said", "assert", "direct",
    "she", "Kadri Sepp" },
  { "08-estonia-port-cyberattack", "it had sent two specialists", NULL, "said", "assert", "indirect",
    "A spokesperson for ENISA", "ENISA" },
  { "10-pyongyang-leaflet-warning", "it would take “decisive physical measures”", NULL, "warned", "warn", "mixed",
    "North Korea", "North Korea" },
  { "10-pyongyang-leaflet-warning", "The leaflets are the pretext,” she said, “not the cause.", NULL, "said", "assert",
    "direct", "she", "Yoon Seo-yeon" },
  { "11-imf-kenya-loan-deal", "the deal \"was negotiated behind closed doors\"", NULL, "alleged", "allege", "mixed",
    "Peter Kiprono", "Peter Kiprono" },
  { "11-imf-kenya-loan-deal", "the government of \"asking Parliament", NULL, "accused", "allege", "mixed",
    "Opposition Sen. Mary Achieng", "Mary Achieng" },
  { "12-african-union-sahel-talks", "it would observe a “unilateral pause”", NULL, "said in a statement", "assert", "mixed",
    "Azawad Unity Front", "Azawad Unity Front" },
  { "12-african-union-sahel-talks", "government drones had struck a market", NULL, "claimed", "allege", "indirect",
    "Moussa Ag Tinbakti", "Moussa Ag Tinbakti" },
  { "12-african-union-sahel-talks", "more than 300,000 people", NULL, "According to", "report", "indirect",
    "the United Nations", "United Nations" },
};

/* The claim of @claims whose text starts with @sc's content and, of those,
 * the one with @sc's cue if there is one: several claims can share a start
 * ("... said in a statement that ..."). */
static JsonObject *
sample_claim (JsonArray *claims, const SampleCheck *sc)
{
  JsonObject *first = NULL;
  for (guint j = 0; j < json_array_get_length (claims); j++)
    {
      JsonObject *c = json_array_get_object_element (claims, j);
      if (!g_str_has_prefix (json_object_get_string_member (c, "text"), sc->content_start))
        continue;
      if (g_strcmp0 (nested_text (c, "cue"), sc->cue) == 0)
        return c;
      first = first ? first : c;
    }
  return first;
}

/* One line per way @c differs from @sc (none: it is right). */
static void
diff_sample_claim (JsonObject *c, const SampleCheck *sc, GString *out)
{
  const char *text = json_object_get_string_member (c, "text");
  const char *sp_text = nested_text (c, "speaker");
  JsonObject *sp = sp_text ? json_object_get_object_member (c, "speaker") : NULL;
  const char *canon = sp ? json_object_get_string_member_with_default (sp, "canonical", NULL) : NULL;
  if (sp && JSON_NODE_HOLDS_NULL (json_object_get_member (sp, "entity")))
    canon = NULL;
  struct { const char *what, *want, *got; } f[] = {
    { "cue", sc->cue, nested_text (c, "cue") },
    { "act", sc->act, json_object_get_string_member (c, "act") },
    { "kind", sc->kind, json_object_get_string_member (c, "kind") },
    { "speaker", sc->speaker, sp_text },
    { "canonical", sc->speaker ? sc->canonical : NULL, sc->speaker ? canon : NULL },
  };
  if (sc->content_has && !strstr (text, sc->content_has))
    g_string_append_printf (out, "%s \"%s\": content lacks \"%s\": %s\n", sc->id, sc->content_start,
                            sc->content_has, text);
  for (guint i = 0; i < G_N_ELEMENTS (f); i++)
    if (g_strcmp0 (f[i].want, f[i].got) != 0)
      g_string_append_printf (out, "%s \"%s\": %s \"%s\", want \"%s\"\n", sc->id, sc->content_start, f[i].what,
                              f[i].got ? f[i].got : "(null)", f[i].want ? f[i].want : "(null)");
}

static void
test_samples (void)
{
  const char *argv[] = { DP_TEST_DOCPIPE, "run", "-q", "-P", DP_TEST_PLUGINS, "-e",
                         "reader path=" SAMPLES "/*.txt ! normalizer ! ner ! claims ! writer", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                                 &error);
  g_assert_no_error (error);
  DpTestResult r = dp_test_communicate (p, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_auto (GStrv) lines = g_strsplit (r.out, "\n", -1);
  guint checked = 0;
  g_autoptr (GString) wrong = g_string_new (NULL);
  for (guint i = 0; lines[i]; i++)
    {
      if (!*lines[i])
        continue;
      g_autoptr (JsonObject) rec = dp_test_parse_object (lines[i]);
      const char *id = json_object_get_string_member (rec, "id");
      JsonObject *layers = json_object_get_object_member (rec, "layers");
      g_assert_true (json_object_has_member (layers, "claims"));
      JsonArray *claims = json_object_get_array_member (layers, "claims");
      for (guint k = 0; k < G_N_ELEMENTS (sample_checks); k++)
        {
          const SampleCheck *sc = &sample_checks[k];
          if (!g_str_equal (sc->id, id))
            continue;
          JsonObject *c = sample_claim (claims, sc);
          if (!c)
            g_string_append_printf (wrong, "%s: no claim starting \"%s\"\n", sc->id, sc->content_start);
          else
            diff_sample_claim (c, sc, wrong);
          checked++;
        }
    }
  g_assert_cmpuint (checked, ==, G_N_ELEMENTS (sample_checks));
  if (wrong->len)
    g_error ("claims of the samples not as expected:\n%s", wrong->str);
  dp_test_result_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/claims/sentence/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/claims/split-pieces", test_split_pieces);
  g_test_add_func ("/claims/passive-according", test_passive_according);
  g_test_add_func ("/claims/rerun", test_rerun);
  g_test_add_func ("/claims/shared-values", test_shared_values);
  g_test_add_func ("/claims/quotes-only", test_quotes_only);
  g_test_add_func ("/claims/nesting-depth", test_nesting_depth);
  g_test_add_func ("/claims/quote-inside-sentence", test_quote_inside_sentence);
  g_test_add_func ("/claims/requires-entities", test_requires_entities);
  g_test_add_func ("/claims/check-model-path", test_check_model_path);
  g_test_add_func ("/claims/bad-model", test_bad_model);
  g_test_add_func ("/claims/samples", test_samples);
  return g_test_run ();
}
