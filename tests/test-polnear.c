/* test-polnear.c — the PolNeAR reader and claim scoring (tools/polnear),
 * docpipe-claims-eval end to end and docpipe-claims-train on fixture
 * articles written here (never PolNeAR's own texts). */
#include "polnear.h"
#include "test-util.h"

/* Non-ASCII before most spans: offsets must be code points. */
static const char alpha_text[] =
  "Zoë said “the plan is dead.” Officials claimed that the vote was rigged.\n"
  "“We will respond,” Müller said, “at a time of our choosing.”\n"
  "The report says the deal is “a disaster” for everyone.\n"
  "It was alleged that funds were misused.\n";

/* E1 comes first: events may name spans defined further down.  T9 is
 * discontinuous; E5 has no Source and a repeated Content role. */
static const char alpha_ann[] =
  "E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\n"
  "T1\tSource 0 3\tZoë\n"
  "T2\tCue 4 8\tsaid\n"
  "T3\tContent 9 28\t“the plan is dead.”\n"
  "T4\tSource 29 38\tOfficials\n"
  "T5\tCue 39 46\tclaimed\n"
  "T6\tContent 47 71\tthat the vote was rigged\n"
  "T7\tSource 92 98\tMüller\n"
  "T8\tCue 99 103\tsaid\n"
  "T9\tContent 73 91;105 133\t“We will respond,” “at a time of our choosing.”\n"
  "T10\tSource 134 144\tThe report\n"
  "T11\tCue 145 149\tsays\n"
  "T12\tContent 150 187\tthe deal is “a disaster” for everyone\n"
  "T13\tCue 192 203\twas alleged\n"
  "T14\tContent 204 214\tthat funds\n"
  "T15\tContent 215 227\twere misused\n"
  "#1\tAnnotatorNotes T3\ta note\n"
  "E2\tAttribution:T5 Source:T4 Cue:T5 Content:T6\n"
  "E3\tAttribution:T8 Content:T9 Cue:T8 Source:T7\n"
  "E4\tAttribution:T11 Content:T12 Cue:T11 Source:T10\n"
  "E5\tAttribution-no-source:T13 Content:T14 Content2:T15 Cue:T13\n";

static const char beta_text[] = "Nobody said anything here.\n";
static const char beta_ann[] = "";

static void
write_file (const char *dir, const char *sub, const char *name, const char *contents)
{
  g_autofree char *d = g_build_filename (dir, sub, NULL);
  g_assert_cmpint (g_mkdir_with_parents (d, 0700), ==, 0);
  g_autofree char *path = g_build_filename (d, name, NULL);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* A gold directory with alpha (under an annotator-suffixed .ann name) and beta. */
static char *
make_gold (void)
{
  char *dir = dp_test_make_tmp_dir ("polnear-XXXXXX");
  write_file (dir, "text", "alpha.txt", alpha_text);
  write_file (dir, "attributions", "alpha_ab12.ann", alpha_ann);
  write_file (dir, "text", "beta.txt", beta_text);
  write_file (dir, "attributions", "beta.ann", beta_ann);
  return dir;
}

static DpnDocument *
load_alpha (char **dir)
{
  *dir = make_gold ();
  g_autofree char *txt = g_build_filename (*dir, "text", "alpha.txt", NULL);
  g_autofree char *ann = g_build_filename (*dir, "attributions", "alpha_ab12.ann", NULL);
  g_autoptr (GError) error = NULL;
  DpnDocument *doc = dpn_document_load (txt, ann, &error);
  g_assert_no_error (error);
  return doc;
}

static void
assert_range (const GArray *r, guint i, gint64 start, gint64 end)
{
  g_assert_cmpuint (i, <, r->len);
  g_assert_cmpint (g_array_index (r, DpnRange, i).start, ==, start);
  g_assert_cmpint (g_array_index (r, DpnRange, i).end, ==, end);
}

static void
test_parse_good (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (DpnDocument) doc = load_alpha (&dir);
  g_assert_cmpstr (doc->article, ==, "alpha");
  g_assert_cmpuint (doc->attributions->len, ==, 5);
  DpnAttribution *e1 = doc->attributions->pdata[0], *e3 = doc->attributions->pdata[2];
  DpnAttribution *e5 = doc->attributions->pdata[4];
  g_assert_cmpstr (e1->id, ==, "E1");
  assert_range (e1->source, 0, 0, 3);
  assert_range (e1->cue, 0, 4, 8);
  assert_range (e1->content, 0, 9, 28);
  g_assert_cmpuint (e3->content->len, ==, 2);
  assert_range (e3->content, 0, 73, 91);
  assert_range (e3->content, 1, 105, 133);
  g_assert_cmpuint (e5->source->len, ==, 0);
  g_assert_cmpuint (e5->content->len, ==, 2);
  assert_range (e5->content, 1, 215, 227);
  static const DpnKind kinds[] = { DPN_KIND_DIRECT, DPN_KIND_INDIRECT, DPN_KIND_DIRECT,
                                   DPN_KIND_MIXED, DPN_KIND_INDIRECT };
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      DpnAttribution *a = doc->attributions->pdata[i];
      g_assert_cmpstr (dpn_kind_name (dpn_kind_of (doc->text, doc->n_chars, a->content)), ==,
                       dpn_kind_name (kinds[i]));
    }
  dp_test_remove_tree (dir);
}

/* A span over a line break: brat writes its text verbatim, so it goes on
 * over the next lines of the .ann, which are no lines of their own. */
static void
test_parse_multiline_span (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("polnear-XXXXXX");
  write_file (dir, "text", "gamma.txt", "Kim said the talks\nwould go on.\n\nAnd more.");
  write_file (dir, "attributions", "gamma.ann",
              "T1\tSource 0 3\tKim\nT2\tCue 4 8\tsaid\nT3\tContent 9 30\tthe talks\nwould go on\n"
              "E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1\n");
  g_autofree char *txt = g_build_filename (dir, "text", "gamma.txt", NULL);
  g_autofree char *ann = g_build_filename (dir, "attributions", "gamma.ann", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpnDocument) doc = dpn_document_load (txt, ann, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (doc->attributions->len, ==, 1);
  assert_range (((DpnAttribution *) doc->attributions->pdata[0])->content, 0, 9, 30);
  /* a continuation that does not match is still an error */
  write_file (dir, "attributions", "gamma.ann", "T3\tContent 9 30\tthe talks\nwould go off\n");
  g_autoptr (DpnDocument) bad = dpn_document_load (txt, ann, &error);
  g_assert_null (bad);
  g_assert_error (error, DPN_ERROR, DPN_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, ":1:"));
  dp_test_remove_tree (dir);
}

/* Each malformed line fails the file with its path, line and reason. */
static void
test_parse_malformed (void)
{
  static const struct { const char *ann, *line, *reason; } cases[] = {
    { "T1\tSource 0 x\tZoë\n", ":1:", "malformed offsets" },
    { "T1\tSource 0 3;4\tZoë\n", ":1:", "malformed offsets" },
    { "T1\tSource 8 4\tsaid\n", ":1:", "reversed" },
    { "T1\tSource 4 900\tsaid\n", ":1:", "past the end" },
    { "T1\tSource 0 3\tZoë\nT2\tCue 5 9\tsaid\n", ":2:", "differs" },  /* byte offsets */
    { "T1\tSource 0 3\n", ":1:", "three tab-separated" },
    { "T1\tSource\tZoë\n", ":1:", "Type START END" },
    { "T1\tSource 0 3\tZoë\nT1\tCue 4 8\tsaid\n", ":2:", "duplicate span id" },
    { "T1\tSource 0 3\tZoë\nE1\tSource:T1 Cue:T7\n", ":2:", "no span T7" },
    { "E1\tSource\n", ":1:", "Role:Tn" },
    { "E1\t \n", ":1:", "without arguments" },
    { "\nX1\twhat\n", ":2:", "not a brat standoff line" },
  };
  g_autofree char *dir = make_gold ();
  g_autofree char *txt = g_build_filename (dir, "text", "alpha.txt", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      write_file (dir, "attributions", "alpha_bad.ann", cases[i].ann);
      g_autofree char *ann = g_build_filename (dir, "attributions", "alpha_bad.ann", NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (DpnDocument) doc = dpn_document_load (txt, ann, &error);
      g_assert_null (doc);
      g_assert_error (error, DPN_ERROR, DPN_ERROR_PARSE);
      g_autofree char *where = g_strconcat ("alpha_bad.ann", cases[i].line, NULL);
      if (strstr (error->message, where) == NULL || strstr (error->message, cases[i].reason) == NULL)
        g_error ("case %u: %s", i, error->message);
    }
  /* The whole corpus fails on it too, and on an .ann without its text. */
  g_autoptr (GError) error = NULL;
  g_assert_null (dpn_corpus_load (dir, &error));
  g_assert_error (error, DPN_ERROR, DPN_ERROR_PARSE);
  g_clear_error (&error);
  write_file (dir, "attributions", "alpha_bad.ann", "");
  write_file (dir, "attributions", "gamma.ann", "");
  g_assert_null (dpn_corpus_load (dir, &error));
  g_assert_error (error, DPN_ERROR, DPN_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "gamma.ann"));
  dp_test_remove_tree (dir);
}

static GArray *
ranges (gint64 start, gint64 end)
{
  GArray *r = g_array_new (FALSE, FALSE, sizeof (DpnRange));
  DpnRange x = { start, end };
  g_array_append_val (r, x);
  return r;
}

static void
test_match_rule (void)
{
  g_autoptr (GArray) gold = ranges (10, 20);
  static const struct { gint64 start, end; gboolean match; } cases[] = {
    { 10, 15, TRUE },    /* exactly half of the longer (gold) */
    { 10, 14, FALSE },   /* less than half */
    { 15, 25, TRUE },    /* half of each */
    { 15, 26, FALSE },   /* 5 of the longer's 11 */
    { 0, 20, TRUE },     /* all of gold, exactly half of the prediction */
    { 0, 21, FALSE },
    { 20, 30, FALSE },   /* touching is no overlap */
    { 12, 12, FALSE },   /* empty */
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GArray) pred = ranges (cases[i].start, cases[i].end);
      g_assert_cmpint (dpn_content_matches (gold, pred), ==, cases[i].match);
    }
  /* Fragments: overlap and length are summed over them. */
  g_autoptr (GArray) frags = ranges (0, 4);
  DpnRange second = { 10, 14 };
  g_array_append_val (frags, second);
  g_autoptr (GArray) pred = ranges (2, 12);
  g_assert_cmpint (dpn_ranges_length (frags), ==, 8);
  g_assert_cmpint (dpn_ranges_overlap (frags, pred), ==, 4);
  g_autoptr (GArray) hull = dpn_ranges_hull (frags);
  assert_range (hull, 0, 0, 14);
}

static DpnClaim *
claim (gint64 start, gint64 end, gint64 cue_start, gint64 cue_end, gint64 spk_start, gint64 spk_end)
{
  DpnClaim *c = dpn_claim_new ();
  DpnRange content = { start, end }, cue = { cue_start, cue_end }, spk = { spk_start, spk_end };
  g_array_append_val (c->content, content);
  if (cue_end > cue_start)
    g_array_append_val (c->cue, cue);
  if (spk_end > spk_start)
    g_array_append_val (c->speaker, spk);
  return c;
}

/* Two predictions on E2's content: the larger overlap wins, the other is a
 * false positive; cue and speaker are counted on the match only. */
static void
test_one_to_one (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (DpnDocument) doc = load_alpha (&dir);
  g_autoptr (GPtrArray) claims = g_ptr_array_new_with_free_func ((GDestroyNotify) dpn_claim_free);
  g_ptr_array_add (claims, claim (50, 71, 29, 38, 39, 46));  /* cue and speaker swapped */
  g_ptr_array_add (claims, claim (47, 71, 40, 44, 0, 3));    /* right cue, wrong speaker */
  g_ptr_array_add (claims, claim (204, 227, 192, 196, 0, 0)); /* E5: no speaker either side */
  g_ptr_array_add (claims, claim (73, 133, 99, 103, 92, 98));  /* E3 as its hull */
  DpnScores s = { 0 };
  dpn_score_document (doc, doc->text, doc->n_chars, claims, &s);
  guint all = DPN_N_KINDS;
  g_assert_cmpuint (s.gold[all], ==, 5);
  g_assert_cmpuint (s.pred[all], ==, 4);
  g_assert_cmpuint (s.matched_gold[all], ==, 3);
  g_assert_cmpuint (s.matched_pred[all], ==, 3);
  g_assert_cmpuint (s.cue_ok[all], ==, 3);
  g_assert_cmpuint (s.speaker_ok[all], ==, 2);
  g_assert_cmpuint (s.matched_gold[DPN_KIND_DIRECT], ==, 1);
  g_assert_cmpuint (s.matched_gold[DPN_KIND_INDIRECT], ==, 2);
  g_assert_cmpuint (s.speaker_ok[DPN_KIND_INDIRECT], ==, 1);
  /* The claims' kinds come from the text unless the stage gave one. */
  g_assert_cmpuint (s.pred[DPN_KIND_MIXED], ==, 1);  /* E3's hull holds "Müller said" */
  ((DpnClaim *) claims->pdata[3])->kind = DPN_KIND_DIRECT;
  DpnScores t = { 0 };
  dpn_score_document (doc, doc->text, doc->n_chars, claims, &t);
  g_assert_cmpuint (t.pred[DPN_KIND_MIXED], ==, 0);
  g_assert_cmpuint (t.matched_pred[DPN_KIND_DIRECT], ==, 1);
  dp_test_remove_tree (dir);
}

/* ---- the tool ------------------------------------------------------------------- */

static DpTestResult
run_tool (const char *const *args)
{
  return dp_test_run (DP_TEST_CLAIMS_EVAL, args);
}

static JsonObject *
score_json (const char *gold, const char *pred)
{
  const char *args[] = { "--gold", gold, "--json", pred, NULL };
  DpTestResult r = run_tool (args);
  g_assert_cmpint (r.status, ==, 0);
  JsonObject *o = dp_test_parse_object (r.out);
  dp_test_result_clear (&r);
  return o;
}

static double
figure (JsonObject *o, const char *kind, const char *name)
{
  JsonObject *k = strcmp (kind, "all") == 0 ? json_object_get_object_member (o, "all")
    : json_object_get_object_member (json_object_get_object_member (o, "kinds"), kind);
  return json_object_get_double_member (k, name);
}

static void
test_tool_gold_and_empty (void)
{
  g_autofree char *dir = make_gold ();
  g_autofree char *pred = g_build_filename (dir, "gold.jsonl", NULL);
  const char *args[] = { "--gold", dir, "--gold-as-predictions", pred, NULL };
  DpTestResult r = run_tool (args);
  g_assert_cmpint (r.status, ==, 0);
  dp_test_result_clear (&r);
  g_autoptr (JsonObject) o = score_json (dir, pred);
  g_assert_cmpint (json_object_get_int_member (o, "gold_articles"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (o, "records"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "all"), "gold"), ==, 5);
  static const char *const names[] = { "precision", "recall", "f1", "cue", "speaker" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpfloat (figure (o, "all", names[i]), ==, 1.0);
  g_assert_cmpfloat (figure (o, "mixed", "f1"), ==, 1.0);

  g_autofree char *empty = g_build_filename (dir, "empty.jsonl", NULL);
  write_file (dir, ".", "empty.jsonl", "");
  g_autoptr (JsonObject) e = score_json (dir, empty);
  g_assert_cmpint (json_object_get_int_member (e, "articles_without_record"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (e, "all"), "gold"), ==, 5);
  g_assert_cmpfloat (figure (e, "all", "precision"), ==, 0.0);
  g_assert_cmpfloat (figure (e, "all", "recall"), ==, 0.0);
  dp_test_remove_tree (dir);
}

/* Records name articles by id or source; strangers and broken lines are
 * counted, not fatal. */
static void
test_tool_records (void)
{
  g_autofree char *dir = make_gold ();
  write_file (dir, ".", "p.jsonl",
              "{\"id\":\"x\",\"source\":\"/data/text/alpha.txt\",\"text\":\"\",\"layers\":{\"claims\":["
              "{\"start\":47,\"end\":71,\"kind\":\"indirect\",\"cue\":{\"start\":39,\"end\":46},"
              "\"speaker\":{\"start\":29,\"end\":38,\"entity\":\"entities-1\"}},"
              "{\"start\":0,\"end\":3,\"cue\":null,\"speaker\":null}]}}\n"
              "not json\n"
              "{\"id\":\"omega\",\"text\":\"\"}\n"
              "{\"id\":\"alpha\",\"text\":\"\"}\n");
  g_autofree char *pred = g_build_filename (dir, "p.jsonl", NULL);
  g_autoptr (JsonObject) o = score_json (dir, pred);
  g_assert_cmpint (json_object_get_int_member (o, "records"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (o, "records_without_gold"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (o, "duplicate_records"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (o, "unreadable_lines"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (o, "articles_without_record"), ==, 1);
  g_assert_cmpfloat (figure (o, "all", "precision"), ==, 0.5);
  g_assert_cmpfloat (figure (o, "all", "recall"), ==, 0.2);
  g_assert_cmpfloat (figure (o, "indirect", "speaker"), ==, 1.0);

  const char *text_args[] = { "--gold", dir, "--text-dir-to-jsonl", pred, NULL };
  DpTestResult r = run_tool (text_args);
  g_assert_cmpint (r.status, ==, 0);
  dp_test_result_clear (&r);
  g_autofree char *lines = dp_test_read_file (pred);
  g_auto (GStrv) split = g_strsplit (lines, "\n", -1);
  g_assert_cmpuint (g_strv_length (split), ==, 3);
  g_autoptr (JsonObject) first = dp_test_parse_object (split[0]);
  g_assert_cmpstr (json_object_get_string_member (first, "id"), ==, "alpha");
  g_assert_cmpstr (json_object_get_string_member (first, "text"), ==, alpha_text);

  const char *usage[] = { "--json", pred, NULL };
  r = run_tool (usage);
  g_assert_cmpint (r.status, ==, 2);
  dp_test_result_clear (&r);
  const char *missing[] = { "--gold", dir, "/nonexistent/p.jsonl", NULL };
  r = run_tool (missing);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "/nonexistent/p.jsonl"));
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

/* ---- the trainer ---------------------------------------------------------------- */

/* The fixture articles as JSON lines of plain text: what the trainer reads. */
static char *
write_records (const char *dir)
{
  g_autoptr (GString) lines = g_string_new (NULL);
  const char *const texts[][2] = { { "alpha", alpha_text }, { "beta", beta_text } };
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr (JsonObject) o = json_object_new ();
      json_object_set_string_member (o, "id", texts[i][0]);
      json_object_set_string_member (o, "text", texts[i][1]);
      g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), o);
      g_autofree char *line = json_to_string (node, FALSE);
      g_string_append_printf (lines, "%s\n", line);
    }
  write_file (dir, ".", "records.jsonl", lines->str);
  return g_build_filename (dir, "records.jsonl", NULL);
}

/* One epoch on the fixture: the progress counts epochs from 1.  (Training
 * and applying a model are test-claims-model's.) */
static void
test_train (void)
{
  g_autofree char *dir = make_gold ();
  g_autofree char *records = write_records (dir);
  g_autofree char *model = g_build_filename (dir, "model", NULL);
  const char *args[] = { "--gold", dir, "--records", records, "--epochs", "1", "-o", model, NULL };
  DpTestResult r = dp_test_run (DP_TEST_CLAIMS_TRAIN, args);
  g_assert_cmpint (r.status, ==, 0);
  if (!strstr (r.err, "cue epoch 1:") || strstr (r.err, "epoch 2"))
    g_error ("one epoch, counted from 1, expected in: %s", r.err);
  dp_test_result_clear (&r);

  const char *zero_folds[] = { "--gold", dir, "--records", records, "--folds", "0", NULL };
  r = dp_test_run (DP_TEST_CLAIMS_TRAIN, zero_folds);
  g_assert_cmpint (r.status, ==, 2);
  if (!strstr (r.err, "--folds"))
    g_error ("--folds 0: the message should name --folds: %s", r.err);
  dp_test_result_clear (&r);

  /* a record whose text is not its article's (written with normalized
   * offsets, say): refused, naming the article */
  write_file (dir, ".", "changed.jsonl", "{\"id\":\"alpha\",\"text\":\"Some other text.\"}\n");
  g_autofree char *changed = g_build_filename (dir, "changed.jsonl", NULL);
  const char *changed_args[] = { "--gold", dir, "--records", changed, "--epochs", "1", NULL };
  r = dp_test_run (DP_TEST_CLAIMS_TRAIN, changed_args);
  g_assert_cmpint (r.status, ==, 1);
  if (!strstr (r.err, "alpha") || !strstr (r.err, "offsets=original"))
    g_error ("a changed text: the message should name the article and the fix: %s", r.err);
  dp_test_result_clear (&r);

  /* more folds than articles: refused at once, not trained 1000 times */
  const char *many_folds[] = { "--gold", dir, "--records", records, "--folds", "1000", NULL };
  r = dp_test_run (DP_TEST_CLAIMS_TRAIN, many_folds);
  g_assert_cmpint (r.status, ==, 1);
  if (!strstr (r.err, "--folds 1000"))
    g_error ("--folds 1000: the message should name --folds: %s", r.err);
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/polnear/parse-good", test_parse_good);
  g_test_add_func ("/polnear/parse-multiline-span", test_parse_multiline_span);
  g_test_add_func ("/polnear/parse-malformed", test_parse_malformed);
  g_test_add_func ("/polnear/match-rule", test_match_rule);
  g_test_add_func ("/polnear/one-to-one", test_one_to_one);
  g_test_add_func ("/polnear/tool-gold-and-empty", test_tool_gold_and_empty);
  g_test_add_func ("/polnear/tool-records", test_tool_records);
  g_test_add_func ("/polnear/train", test_train);
  return g_test_run ();
}
