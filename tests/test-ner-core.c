/* test-ner-core.c — the NER's building blocks: reading the three corpus
 * formats (with GMB's labels mapped), IOB2 -> BILOU, conlleval-style scoring,
 * gazetteer phrases, and features that are the same for the same words. */
#include "iob.h"
#include "clusters.h"
#include "gazetteer.h"
#include "ner-features.h"
#include "tagger.h"

#include <glib/gstdio.h>
#include <malloc.h>
#include <string.h>

static char *dir;

static char *
write_tmp (const char *name, const char *text)
{
  char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static GPtrArray *
read_ok (const char *path)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *s = dp_iob_read (path, &error);
  g_assert_no_error (error);
  return s;
}

static const char *
label (GPtrArray *sents, guint s, guint w)
{
  DpIobSentence *sent = g_ptr_array_index (sents, s);
  return g_ptr_array_index (sent->labels, w);
}

static void
test_conll (void)
{
  g_autofree char *path = write_tmp ("train.iob2",
    "-DOCSTART- -X- O O\n\n"
    "EU NNP I-NP B-ORG\nrejects VBZ I-VP O\nGerman JJ I-NP B-MISC\ncall NN I-NP O\n\n"
    "Peter NNP I-NP B-PER\nBlackburn NNP I-NP I-PER\n\n");
  g_autoptr (GPtrArray) s = read_ok (path);
  g_assert_cmpuint (s->len, ==, 2);
  DpIobSentence *first = g_ptr_array_index (s, 0), *second = g_ptr_array_index (s, 1);
  g_assert_true (first->doc_start);
  g_assert_false (second->doc_start);
  g_assert_cmpstr (g_ptr_array_index (first->words, 2), ==, "German");
  g_assert_cmpstr (label (s, 0, 2), ==, "B-MISC");
  guint16 tags[4];
  dp_iob_to_bilou (first, tags);
  const char *const *names = dp_iob_bilou_tags ();
  g_assert_cmpstr (names[tags[0]], ==, "U-ORG");
  g_assert_cmpstr (names[tags[1]], ==, "O");
  g_assert_cmpstr (names[tags[2]], ==, "U-MISC");
  dp_iob_to_bilou (second, tags);
  g_assert_cmpstr (names[tags[0]], ==, "B-PER");
  g_assert_cmpstr (names[tags[1]], ==, "L-PER");
}

static void
test_uner_and_gmb (void)
{
  g_autofree char *uner = write_tmp ("uner.iob2",
    "# newdoc id = x\n# text = Al-Zaman : American\n"
    "1\tAl\tB-ORG\t-\tx\n2\t-\tI-ORG\t-\tx\n3\tZaman\tI-ORG\t-\tx\n4\t:\tO\n5\tAmerican\tO\n\n");
  g_autoptr (GPtrArray) u = read_ok (uner);
  g_assert_cmpuint (u->len, ==, 1);
  g_assert_true (((DpIobSentence *) g_ptr_array_index (u, 0))->doc_start);
  g_assert_cmpstr (label (u, 0, 2), ==, "I-ORG");
  g_assert_cmpstr (label (u, 0, 4), ==, "O");

  g_autofree char *gmb = write_tmp ("gmb_ner.conll",
    "Iranian\tJJ\tB-gpe\nofficials\tNNS\tO\nin\tIN\tO\nIran\tNNP\tB-gpe\non\tIN\tO\nMonday\tNNP\tB-tim\n"
    "met\tVBD\tO\nKim\tNNP\tB-per\nat\tIN\tO\nthe\tDT\tO\nU.N.\tNNP\tB-org\n\n");
  g_autoptr (GPtrArray) g = read_ok (gmb);
  g_assert_cmpstr (label (g, 0, 0), ==, "B-MISC");   /* a nationality */
  g_assert_cmpstr (label (g, 0, 3), ==, "B-LOC");    /* a country */
  g_assert_cmpstr (label (g, 0, 5), ==, "O");        /* dates are the rules' work */
  g_assert_cmpstr (label (g, 0, 7), ==, "B-PER");
  g_assert_cmpstr (label (g, 0, 10), ==, "B-ORG");

  /* A GMB word may start with a digit: it stays the word, not its POS tag. */
  g_autofree char *numbers = write_tmp ("gmb_numbers.conll",
    "a\tDT\tO\n26-year\tJJ\tO\nhigh\tNN\tO\nin\tIN\tO\n1990\tCD\tB-tim\n\n");
  g_autoptr (GPtrArray) nums = read_ok (numbers);
  const DpIobSentence *ns = g_ptr_array_index (nums, 0);
  g_assert_cmpstr (g_ptr_array_index (ns->words, 1), ==, "26-year");
  g_assert_cmpstr (g_ptr_array_index (ns->words, 4), ==, "1990");
  g_assert_true (ns->no_misc);   /* GMB's MISC is partial */

  /* Peoples GMB calls geo-political are MISC when the demonym list has them. */
  g_autoptr (GError) error = NULL;
  g_autoptr (DpGazetteer) gaz = dp_gazetteer_load (DP_TEST_SRCDIR "/plugins/ner/data/gazetteers", &error);
  g_assert_no_error (error);
  g_autofree char *peoples = write_tmp ("gmb_peoples.conll",
    "Afghan\tJJ\tB-gpe\nand\tCC\tO\nSwiss\tJJ\tB-gpe\nofficials\tNNS\tO\nin\tIN\tO\nAfghanistan\tNNP\tB-gpe\n\n");
  g_autoptr (GPtrArray) pe = dp_iob_read_with (peoples, gaz, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (label (pe, 0, 0), ==, "B-MISC");
  g_assert_cmpstr (label (pe, 0, 2), ==, "B-MISC");
  g_assert_cmpstr (label (pe, 0, 5), ==, "B-LOC");

  /* GMB's person spans take their titles; CoNLL's do not. */
  g_autofree char *titled = write_tmp ("gmb_titles.conll",
    "Prime\tNNP\tB-per\nMinister\tNNP\tI-per\nAda\tNNP\tI-per\nOkafor\tNNP\tI-per\nmet\tVBD\tO\n"
    "Mr.\tNNP\tB-per\nLee\tNNP\tI-per\nand\tCC\tO\nformer\tJJ\tB-per\nleader\tNN\tI-per\nTito\tNNP\tI-per\n"
    "and\tCC\tO\nKing\tNNP\tB-per\n\n");
  g_autoptr (GPtrArray) t = read_ok (titled);
  const char *want[] = { "O", "O", "B-PER", "I-PER", "O", "O", "B-PER", "O", "O", "O", "B-PER", "O", "B-PER" };
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    g_assert_cmpstr (label (t, 0, i), ==, want[i]);   /* a title alone stays a name ("King") */
}

/* Case-augmented copies keep the labels and change only the letters. */
static void
test_recase (void)
{
  g_autofree char *conll = write_tmp ("recase.iob2",
    "-DOCSTART- -X- -X- O\n\nAli NNP B-NP B-PER\nLarijani NNP I-NP I-PER\nsaid VBD B-VP O\n\n"
    "Tehran NNP B-NP B-LOC\n\n");
  g_autoptr (GPtrArray) s = read_ok (conll);
  g_autoptr (GPtrArray) lower = dp_iob_recase (s, 0, 2, FALSE);
  g_autoptr (GPtrArray) upper = dp_iob_recase (s, 1, 2, TRUE);
  g_assert_cmpuint (lower->len, ==, 2);
  g_assert_cmpuint (upper->len, ==, 1);
  DpIobSentence *l0 = g_ptr_array_index (lower, 0), *l1 = g_ptr_array_index (lower, 1);
  g_assert_true (l0->doc_start);
  g_assert_false (l1->doc_start);
  g_assert_cmpstr (g_ptr_array_index (l0->words, 1), ==, "larijani");
  g_assert_cmpstr (label (lower, 0, 1), ==, "I-PER");
  g_assert_cmpstr (g_ptr_array_index (((DpIobSentence *) g_ptr_array_index (upper, 0))->words, 0), ==, "TEHRAN");
  g_assert_true (((DpIobSentence *) g_ptr_array_index (upper, 0))->doc_start);
  g_assert_cmpstr (label (upper, 0, 0), ==, "B-LOC");
}

static void
test_read_errors (void)
{
  g_autofree char *bad = write_tmp ("bad.iob2", "word POS chunk O\n\tB-PER\n");
  g_autoptr (GError) error = NULL;
  g_assert_null (dp_iob_read (bad, &error));
  g_assert_nonnull (strstr (error->message, "bad.iob2:2: not a token line"));
  g_clear_error (&error);
  g_assert_null (dp_iob_read ("/nonexistent.iob2", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

static void
test_score (void)
{
  g_autofree char *path = write_tmp ("score.iob2",
    "Kim NNP I-NP B-PER\nYong-nam NNP I-NP I-PER\nvisited VBD I-VP O\nTehran NNP I-NP B-LOC\n"
    "and CC O O\nIRGC NNP I-NP B-ORG\n\n");
  g_autoptr (GPtrArray) s = read_ok (path);
  DpIobSentence *sent = g_ptr_array_index (s, 0);
  /* Predicted: PER right, Tehran as ORG (wrong type), IRGC missed. */
  const char *const *names = dp_iob_bilou_tags ();
  guint16 pred[6];
  const char *want[] = { "B-PER", "L-PER", "O", "U-ORG", "O", "O" };
  for (guint i = 0; i < 6; i++)
    for (guint16 t = 0; names[t]; t++)
      if (strcmp (names[t], want[i]) == 0)
        pred[i] = t;
  DpIobScore score = { { 0 } };
  dp_iob_score_add (&score, sent, pred);
  g_assert_cmpuint (score.gold[4], ==, 3);
  g_assert_cmpuint (score.pred[4], ==, 2);
  g_assert_cmpuint (score.tp[4], ==, 1);
  g_assert_cmpuint (score.tp[0], ==, 1);   /* PER */
  FILE *null = fopen ("/dev/null", "w");
  double f1 = dp_iob_score_print (&score, null);
  fclose (null);
  /* P = 1/2, R = 1/3, F1 = 40. */
  g_assert_cmpfloat_with_epsilon (f1, 40.0, 1e-9);
}

static void
test_gazetteer (void)
{
  g_autofree char *gdir = g_build_filename (dir, "gaz", NULL);
  g_mkdir (gdir, 0700);
  g_autofree char *c = g_build_filename (gdir, "countries.txt", NULL);
  g_autofree char *d = g_build_filename (gdir, "demonyms.txt", NULL);
  g_assert_true (g_file_set_contents (c, "# source: test\nNorth Korea\nIran\n", -1, NULL));
  g_assert_true (g_file_set_contents (d, "Iranian\nNorth Korean\n", -1, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (DpGazetteer) gaz = dp_gazetteer_load (gdir, &error);
  g_assert_no_error (error);
  const char *words[] = { "north", "KOREA" };
  gsize lens[] = { 5, 5 };
  g_assert_cmpuint (dp_gazetteer_lookup (gaz, words, lens, 2), ==, 1u << DP_GAZ_COUNTRY);
  g_assert_cmpuint (dp_gazetteer_lookup (gaz, words, lens, 1), ==, 0);
  const char *iran[] = { "Iranian" };
  gsize ilen[] = { 7 };
  g_assert_cmpuint (dp_gazetteer_lookup (gaz, iran, ilen, 1), ==, 1u << DP_GAZ_DEMONYM);
  g_remove (c);
  g_remove (d);
  g_rmdir (gdir);
}

/* Features of one sentence that is a whole document. */
static void
sentence_features (DpNerDoc *doc, const char *const *words, guint n, DpSeqFeatures *out)
{
  gsize lens[16];
  guint32 starts[2] = { 0, n };
  for (guint i = 0; i < n; i++)
    lens[i] = strlen (words[i]);
  dp_ner_doc_set (doc, words, lens, n, starts, 1);
  dp_ner_doc_features (doc, 0, out);
}

static guint
token_n_features (const DpSeqFeatures *f, guint token)
{
  const guint32 *starts = (const guint32 *) f->starts->data;
  return starts[token + 1] - starts[token];
}

static void
test_features_deterministic (void)
{
  const char *words[] = { "Ali", "Larijani", "met", "officials", "in", "Tehran", "." };
  g_autoptr (DpNerDoc) doc = dp_ner_doc_new (NULL, NULL);
  DpSeqFeatures a, b;
  dp_seq_features_init (&a);
  dp_seq_features_init (&b);
  sentence_features (doc, words, 7, &a);
  sentence_features (doc, words, 7, &b);
  g_assert_cmpuint (dp_seq_features_n_tokens (&a), ==, 7);
  g_assert_cmpmem (a.hashes->data, a.hashes->len * 8, b.hashes->data, b.hashes->len * 8);
  /* The same word in another context shares its word features, not all. */
  const char *other[] = { "Tehran", "said" };
  sentence_features (doc, other, 2, &b);
  const guint64 *ha = (const guint64 *) a.hashes->data, *hb = (const guint64 *) b.hashes->data;
  guint32 a5 = g_array_index (a.starts, guint32, 5), a6 = g_array_index (a.starts, guint32, 6);
  guint32 b1 = g_array_index (b.starts, guint32, 1);
  guint shared = 0;
  for (guint32 i = a5; i < a6; i++)
    for (guint32 j = 0; j < b1; j++)
      shared += ha[i] == hb[j];
  g_assert_cmpuint (shared, >, 5);
  g_assert_cmpuint (shared, <, a6 - a5);
  dp_seq_features_clear (&a);
  dp_seq_features_clear (&b);
}

/* A word's document features come from its other occurrences: "Larijani"
 * alone gets more features when the document also has "Ali Larijani". */
static void
test_features_document (void)
{
  const char *words[] = { "Larijani", "spoke", ".", "Ali", "Larijani", "said", "so", "." };
  gsize lens[8];
  for (guint i = 0; i < 8; i++)
    lens[i] = strlen (words[i]);
  guint32 two[3] = { 0, 3, 8 }, one[2] = { 0, 3 };
  g_autoptr (DpNerDoc) doc = dp_ner_doc_new (NULL, NULL);
  DpSeqFeatures alone, linked;
  dp_seq_features_init (&alone);
  dp_seq_features_init (&linked);
  dp_ner_doc_set (doc, words, lens, 3, one, 1);
  dp_ner_doc_features (doc, 0, &alone);
  dp_ner_doc_set (doc, words, lens, 8, two, 2);
  dp_ner_doc_features (doc, 0, &linked);
  guint32 n_alone = g_array_index (alone.starts, guint32, 1);
  guint32 n_linked = g_array_index (linked.starts, guint32, 1);
  g_assert_cmpuint (n_linked, >, n_alone);
  /* The tokens of "spoke ." have no document features (not capitalised). */
  g_assert_cmpuint (alone.hashes->len - n_alone, ==, linked.hashes->len - n_linked);
  const guint64 *ha = (const guint64 *) alone.hashes->data, *hl = (const guint64 *) linked.hashes->data;
  for (guint32 i = 0; i < n_alone; i++)
    {
      gboolean found = FALSE;
      for (guint32 j = 0; j < n_linked && !found; j++)
        found = ha[i] == hl[j];
      g_assert_true (found);
    }
  dp_seq_features_clear (&alone);
  dp_seq_features_clear (&linked);
}


/* A random word of 1 to 20 letters, capitalised or not; with @near, the
 * same as @near but for one letter (same length: the cases a memo keyed
 * by length or by hash alone would confuse). */
static char *
random_word (GRand *r, const char *near)
{
  if (near)
    {
      char *w = g_strdup (near);
      gsize at = (gsize) g_rand_int_range (r, 0, (gint32) strlen (w));
      w[at] = w[at] == 'q' ? 'z' : 'q';
      return w;
    }
  guint len = (guint) g_rand_int_range (r, 1, 21);
  char *w = g_malloc (len + 1);
  for (guint k = 0; k < len; k++)
    w[k] = (char) ('a' + g_rand_int_range (r, 0, 26));
  if (g_rand_boolean (r))
    w[0] = g_ascii_toupper (w[0]);
  w[len] = '\0';
  return w;
}

/* The features of a document of @n words in sentences of 10, all of them
 * into @all. */
static void
document_features (DpNerDoc *doc, char **words, guint n, GArray *all)
{
  g_autofree gsize *lens = g_new (gsize, n);
  g_autofree guint32 *starts = g_new (guint32, n / 10 + 2);
  guint ns = 0;
  for (guint i = 0; i < n; i++)
    lens[i] = strlen (words[i]);
  for (guint i = 0; i < n; i += 10)
    starts[ns++] = i;
  starts[ns] = n;
  dp_ner_doc_set (doc, (const char *const *) words, lens, n, starts, ns);
  DpSeqFeatures f;
  dp_seq_features_init (&f);
  g_array_set_size (all, 0);
  for (guint s = 0; s < ns; s++)
    {
      dp_ner_doc_features (doc, s, &f);
      g_array_append_vals (all, f.hashes->data, f.hashes->len);
      for (guint k = 0; k < f.starts->len; k++)   /* the token boundaries too */
        {
          guint64 at = g_array_index (f.starts, guint32, k);
          g_array_append_val (all, at);
        }
    }
  dp_seq_features_clear (&f);
}

/* A document's features do not depend on what the doc saw before: words
 * are remembered by spelling from one document to the next (a memo of
 * 4,096 slots, words of up to 15 bytes), so a document read after 20,000
 * others' words, many in the same slots, many differing from its own in
 * one letter, has the features it has when read first. */
static void
test_features_memo (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (3);
  GString *clusters = g_string_new (NULL);
  enum { N = 2000, OTHERS = 20000 };
  g_autoptr (GPtrArray) doc_words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) other_words = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < N; i++)
    {
      char *w = random_word (r, i % 3 == 2 ? g_ptr_array_index (doc_words, i - 1) : NULL);
      g_ptr_array_add (doc_words, w);
      if (i % 2 == 0 && g_hash_table_add (listed, w))
        g_string_append_printf (clusters, "%s\t%s\n", g_rand_boolean (r) ? "0110101" : "1011", w);
    }
  for (guint i = 0; i < OTHERS; i++)
    {
      const char *near = g_ptr_array_index (doc_words, g_rand_int_range (r, 0, N));
      char *w = random_word (r, i % 2 ? near : NULL);
      g_ptr_array_add (other_words, w);
      if (i % 3 == 0 && g_hash_table_add (listed, w))
        g_string_append_printf (clusters, "%s\t%s\n", g_rand_boolean (r) ? "111" : "0001", w);
    }
  g_autofree char *path = write_tmp ("memo-clusters.txt", clusters->str);
  g_string_free (clusters, TRUE);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpClusters) c = dp_clusters_load (path, &error);
  g_assert_no_error (error);

  g_autoptr (GArray) first = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (GArray) again = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (GArray) after = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (GArray) scratch = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (DpNerDoc) fresh = dp_ner_doc_new (NULL, c);
  g_autoptr (DpNerDoc) used = dp_ner_doc_new (NULL, c);
  document_features (fresh, (char **) doc_words->pdata, N, first);
  document_features (fresh, (char **) doc_words->pdata, N, again);
  document_features (used, (char **) other_words->pdata, OTHERS, scratch);
  document_features (used, (char **) doc_words->pdata, N, after);
  g_assert_cmpmem (first->data, first->len * 8, again->data, again->len * 8);
  g_assert_cmpmem (first->data, first->len * 8, after->data, after->len * 8);
  g_remove (path);
}

static void
test_clusters (void)
{
  g_autofree char *path = write_tmp ("clusters.txt",
    "# comment\n0110\tTehran\n0111\ttehran\n10\tsaid\r\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (DpClusters) c = dp_clusters_load (path, &error);
  g_assert_no_error (error);
  gsize len = 0;
  const char *bits = dp_clusters_lookup (c, "Tehran", 6, &len);
  g_assert_cmpmem (bits, len, "0110", 4);
  bits = dp_clusters_lookup (c, "TEHRAN", 6, &len);   /* lower-cased: the first spelling listed */
  g_assert_cmpmem (bits, len, "0110", 4);
  bits = dp_clusters_lookup (c, "said", 4, &len);      /* a CRLF line */
  g_assert_cmpmem (bits, len, "10", 2);
  g_assert_null (dp_clusters_lookup (c, "Pyongyang", 9, &len));
  g_assert_null (dp_clusters_lookup (NULL, "said", 4, &len));
  /* The spelling found tells how the clusters' text writes the word. */
  const char *spelling = NULL;
  gsize spelling_len = 0;
  bits = dp_clusters_lookup_spelling (c, "TEHRAN", 6, &len, &spelling, &spelling_len);
  g_assert_cmpmem (bits, len, "0110", 4);
  g_assert_cmpmem (spelling, spelling_len, "Tehran", 6);
  bits = dp_clusters_lookup_spelling (c, "SAID", 4, &len, &spelling, &spelling_len);
  g_assert_cmpmem (spelling, spelling_len, "said", 4);
  g_assert_null (dp_clusters_lookup_spelling (c, "Pyongyang", 9, &len, &spelling, &spelling_len));

  /* Features change with the clusters a word has. */
  g_autoptr (DpNerDoc) plain = dp_ner_doc_new (NULL, NULL);
  g_autoptr (DpNerDoc) clustered = dp_ner_doc_new (NULL, c);
  const char *words[] = { "Tehran", "said" };
  DpSeqFeatures a, b;
  dp_seq_features_init (&a);
  dp_seq_features_init (&b);
  sentence_features (plain, words, 2, &a);
  sentence_features (clustered, words, 2, &b);
  g_assert_cmpuint (b.hashes->len, >, a.hashes->len);

  /* A word the clusters list only in another case ("tehran": "Tehran")
   * has one feature more than one they list as written. */
  g_autofree char *lower_path = write_tmp ("clusters-lower.txt", "0110\ttehran\n10\tsaid\n");
  g_autoptr (DpClusters) lower = dp_clusters_load (lower_path, &error);
  g_assert_no_error (error);
  g_autoptr (DpNerDoc) as_written = dp_ner_doc_new (NULL, lower);
  g_autofree char *capital_path = write_tmp ("clusters-capital.txt", "0110\tTehran\n10\tsaid\n");
  g_autoptr (DpClusters) capital = dp_clusters_load (capital_path, &error);
  g_assert_no_error (error);
  g_autoptr (DpNerDoc) other_case = dp_ner_doc_new (NULL, capital);
  const char *web[] = { "tehran", "said" };
  sentence_features (other_case, web, 2, &a);
  sentence_features (as_written, web, 2, &b);
  g_assert_cmpuint (token_n_features (&a, 0), ==, token_n_features (&b, 0) + 1);
  g_assert_cmpuint (token_n_features (&a, 1), ==, token_n_features (&b, 1));

  /* In a sentence without capitals inside, words get one feature more
   * (two with a cluster) than in one with a capitalised word. */
  const char *plain_case[] = { "a", "said", "b" }, *capital_inside[] = { "a", "said", "B" };
  g_autoptr (DpNerDoc) bare = dp_ner_doc_new (NULL, NULL);
  sentence_features (bare, plain_case, 3, &a);
  sentence_features (bare, capital_inside, 3, &b);
  g_assert_cmpuint (token_n_features (&a, 0), ==, token_n_features (&b, 0) + 1);
  dp_seq_features_clear (&a);
  dp_seq_features_clear (&b);

  const char *bad[][2] = {
    { "2\tword\n", "bad.txt:1:" },
    { "01\n", "bad.txt:1:" },
    { "01\tword\n10\tword\n", "bad.txt:2: the word is listed twice" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *p = write_tmp ("bad.txt", bad[i][0]);
      g_autoptr (GError) e = NULL;
      g_assert_null (dp_clusters_load (p, &e));
      if (!strstr (e->message, bad[i][1]))
        g_error ("'%s' not in: %s", bad[i][1], e->message);
    }
}

/* A model whose tags are not O and B-/I-/L-/U-TYPE is refused by the tagger. */
static void
assert_not_entity_model (const char *const *tags, const char *message)
{
  g_autoptr (DpSeqTrainer) trainer = dp_seq_trainer_new (tags);
  DpSeqFeatures f;
  dp_seq_features_init (&f);
  dp_seq_features_next_token (&f);
  dp_seq_features_add (&f, dp_seq_hash (1, "x", 1));
  guint16 gold[1] = { 1 };
  dp_seq_trainer_add (trainer, &f, gold);
  dp_seq_features_clear (&f);
  g_autoptr (DpSeqModel) model = dp_seq_trainer_train (trainer, 1, 1, 1, NULL, NULL);
  g_autofree char *path = g_build_filename (dir, "tags.dpm", NULL);
  g_assert_true (dp_seq_model_save (model, path, NULL));
  DpNerOptions opts = { .model = path, .gazetteers = dir };
  g_autoptr (GError) error = NULL;
  g_autoptr (DpNerTagger) tagger = dp_ner_tagger_new (&opts, &error);
  g_assert_null (tagger);
  if (!strstr (error->message, message))
    g_error ("'%s' not in: %s", message, error->message);
  g_remove (path);
}

static void
test_tagger_refuses_other_models (void)
{
  const char *const other[] = { "O", "NOUN", NULL };
  assert_not_entity_model (other, "not an entity model (tag 'NOUN'");
  const char *const no_o_first[] = { "U-PER", "O", NULL };
  assert_not_entity_model (no_o_first, "its first tag is not O");
}

/* Bytes the allocator has handed out and not had back (glibc; 0 where
 * another allocator, such as AddressSanitizer's, does not keep the count). */
static gsize
heap_in_use (void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 mi = mallinfo2 ();
  return mi.uordblks + mi.hblkhd;
#else
  return 0;
#endif
}

/* What the document-level features keep grows with the word types, not the
 * tokens: a long document of a few words costs a few kilobytes, not the
 * ~300 bytes per token it once did (a Word and gazetteer marks per token, a
 * type record preallocated per token). */
static void
test_features_memory (void)
{
  static const char *const vocabulary[] = { "Ali", "Larijani", "said", "in", "Tehran", "." };
  const guint n = 6 * 66666;
  g_autofree const char **words = g_new (const char *, n);
  g_autofree gsize *lens = g_new (gsize, n);
  g_autofree guint32 *starts = g_new (guint32, n / 6 + 1);
  for (guint i = 0; i < n; i++)
    {
      words[i] = vocabulary[i % 6];
      lens[i] = strlen (words[i]);
      if (i % 6 == 0)
        starts[i / 6] = i;
    }
  starts[n / 6] = n;
  g_autoptr (DpGazetteer) gaz = dp_gazetteer_load (DP_TEST_SRCDIR "/plugins/ner/data/gazetteers", NULL);
  g_assert_nonnull (gaz);
  g_autoptr (DpNerDoc) doc = dp_ner_doc_new (gaz, NULL);
  DpSeqFeatures f;
  dp_seq_features_init (&f);
  gsize before = heap_in_use ();
  dp_ner_doc_set (doc, (const char *const *) words, lens, n, starts, n / 6);
  dp_ner_doc_features (doc, n / 6 - 1, &f);
  gsize after = heap_in_use ();
  g_test_message ("document of %u tokens: %" G_GSSIZE_FORMAT " bytes kept", n, (gssize) (after - before));
  g_assert_cmpint ((gssize) (after - before), <, (gssize) n);   /* under a byte a token */
  g_assert_cmpuint (dp_seq_features_n_tokens (&f), ==, 6);
  dp_seq_features_clear (&f);
}

/* @tags (BILOU names, one per word of @sentence) after
 * dp_ner_doc_fix_entities() with the shipped lists and clusters, joined by ' '. */
static char *
fix_entities (DpNerDoc *doc, const char *sentence, const char *tags)
{
  g_auto (GStrv) words = g_strsplit (sentence, " ", -1);
  g_auto (GStrv) given = g_strsplit (tags, " ", -1);
  guint n = g_strv_length (words);
  g_assert_cmpuint (g_strv_length (given), ==, n);
  g_autofree gsize *lens = g_new (gsize, n);
  g_autofree guint16 *t = g_new0 (guint16, n);
  const char *const *names = dp_iob_bilou_tags ();
  for (guint i = 0; i < n; i++)
    {
      lens[i] = strlen (words[i]);
      while (strcmp (names[t[i]], given[i]) != 0)
        t[i]++;
    }
  guint32 starts[2] = { 0, n };
  dp_ner_doc_set (doc, (const char *const *) words, lens, n, starts, 1);
  dp_ner_doc_fix_entities (doc, t, names);
  g_autoptr (GString) out = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "%s%s", i ? " " : "", names[t[i]]);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* What the lists say corrects what the model cannot know about names it
 * never saw: an organisation named after a country, a person's name ending
 * in a common noun, an acronym on no list of places. */
static void
test_fix_entities (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpGazetteer) gaz = dp_gazetteer_load (DP_TEST_SRCDIR "/plugins/ner/data/gazetteers", &error);
  g_assert_no_error (error);
  g_autoptr (DpClusters) clusters = dp_clusters_load (DP_TEST_SRCDIR "/plugins/ner/data/clusters.txt", &error);
  g_assert_no_error (error);
  g_autoptr (DpNerDoc) doc = dp_ner_doc_new (gaz, clusters);
  struct { const char *words, *tags, *want; } cases[] = {
    { "she flew Peru Airlines to Lima", "O O B-LOC L-LOC O U-LOC", "O O B-ORG L-ORG O U-LOC" },
    { "Kenya Airways and Kenya", "B-PER L-PER O U-LOC", "B-ORG L-ORG O U-LOC" },
    /* "West" is a place name too, but no country or capital. */
    { "in the West Bank today", "O O B-LOC L-LOC O", "O O B-LOC L-LOC O" },
    /* A person's name holds no organisation word, unless it starts with a first name. */
    { "flights of Air Zorvana and", "O O B-PER L-PER O", "O O B-ORG L-ORG O" },
    { "Zorvana Bank Melli said", "B-PER I-PER L-PER O", "B-ORG I-ORG L-ORG O" },
    { "as Tomas Post said", "O B-PER L-PER O", "O B-PER L-PER O" },
    /* A person's name does not stop inside a title; a title alone may be a surname. */
    { "Minister Brigadier General Zorvan Dehq", "O U-PER O B-PER L-PER", "O O O B-PER L-PER" },
    { "said Billie Jean King", "O B-PER I-PER L-PER", "O B-PER I-PER L-PER" },
    { "as King said", "O U-PER O", "O U-PER O" },
    { "the Gambino Clan met", "O B-PER L-PER O", "O U-PER O O" },
    { "the Assad Regime fell", "O B-PER L-PER O", "O U-PER O O" },
    /* Surnames that news writes as nouns ("pence", "laden"): no article. */
    { "Osama Bin Laden spoke", "B-PER I-PER L-PER O", "B-PER I-PER L-PER O" },
    { "as Mike Pence said", "O B-PER L-PER O", "O B-PER L-PER O" },
    { "the Gordon Brown speech", "O B-PER L-PER O", "O B-PER L-PER O" },
    { "agency ZNLA reported", "O U-LOC O", "O U-ORG O" },
    /* Country codes are places; a headline's capitals are no acronym. */
    { "in USA today", "O U-LOC O", "O U-LOC O" },
    { "ZNLA REPORTS", "U-LOC O", "U-LOC O" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = fix_entities (doc, cases[i].words, cases[i].tags);
      g_assert_cmpstr (got, ==, cases[i].want);
    }
}

/* The entities of @text as "LABEL text" joined by '|'. */
static char *
tag_text (DpNerTagger *tagger, DpNerScratch *scratch, const char *text)
{
  g_autoptr (DpRecord) rec = dp_record_new ("t", "test", text, -1, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_ner_tagger_annotate (tagger, scratch, rec, &error));
  DpLayer *layer = dp_record_get_layer (rec, "entities");
  g_autoptr (GString) out = g_string_new (NULL);
  for (guint i = 0; i < dp_layer_get_size (layer); i++)
    {
      DpSpan *span = dp_layer_get_span (layer, i);
      g_string_append_printf (out, "%s%s %.*s", i ? "|" : "", dp_span_get_label (span),
                              (int) (dp_span_get_end (span) - dp_span_get_start (span)),
                              text + dp_span_get_start (span));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A sentence of thousands of tokens is tagged in pieces of
 * DP_NER_MAX_SENTENCE_TOKENS (bounded working memory): what follows the
 * first pieces is still found, as in a sentence of its own. */
static void
test_tagger_long_sentence (void)
{
  DpNerOptions opts = {
    .model = DP_TEST_SRCDIR "/plugins/ner/data/en-news.dpm",
    .gazetteers = DP_TEST_SRCDIR "/plugins/ner/data/gazetteers",
    .clusters = DP_TEST_SRCDIR "/plugins/ner/data/clusters.txt",
    .rules = TRUE,
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (DpNerTagger) tagger = dp_ner_tagger_new (&opts, &error);
  g_assert_no_error (error);
  g_autoptr (DpNerScratch) scratch = dp_ner_scratch_new (tagger);
  const char *tail = "Ali Larijani met officials in Tehran on Monday";
  g_autofree char *alone = tag_text (tagger, scratch, tail);
  g_assert_cmpstr (alone, ==, "PER Ali Larijani|LOC Tehran|DATE Monday");

  g_autoptr (GString) text = g_string_new (NULL);
  for (guint i = 0; i < DP_NER_MAX_SENTENCE_TOKENS + 26; i++)
    g_string_append (text, "and the ");
  g_string_append (text, tail);
  g_autofree char *found = tag_text (tagger, scratch, text->str);
  g_assert_cmpstr (found, ==, alone);
}

/* A country's name of several words is one place whatever pieces the model
 * makes of it, typographic apostrophe or not; a longer entity of the model
 * keeps it inside. */
static void
test_tagger_country_names (void)
{
  DpNerOptions opts = {
    .model = DP_TEST_SRCDIR "/plugins/ner/data/en-news.dpm",
    .gazetteers = DP_TEST_SRCDIR "/plugins/ner/data/gazetteers",
    .clusters = DP_TEST_SRCDIR "/plugins/ner/data/clusters.txt",
    .aliases = DP_TEST_SRCDIR "/plugins/ner/data/aliases.tsv",
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (DpNerTagger) tagger = dp_ner_tagger_new (&opts, &error);
  g_assert_no_error (error);
  g_autoptr (DpNerScratch) scratch = dp_ner_scratch_new (tagger);
  const char *texts[] = {
    "Envoys of the Democratic People’s Republic of Korea arrived in Geneva.",
    "Envoys of the Democratic People's Republic of Korea arrived in Geneva.",
    "The talks with the Lao People’s Democratic Republic ended.",
  };
  const char *names[] = {
    "LOC Democratic People’s Republic of Korea", "LOC Democratic People's Republic of Korea",
    "LOC Lao People’s Democratic Republic",
  };
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *found = tag_text (tagger, scratch, texts[i]);
      g_assert_nonnull (strstr (found, names[i]));
    }
}

/* What the entities layer costs per entity, measured as the bytes freed when
 * it is removed: each entity's span, its place in the layer and its three
 * attributes (canonical, cluster, source).  Kept compactly through
 * dp_span_set_attr_string/int that is 153 bytes here (glibc); it was 442
 * when every entity had a JsonObject, which made the layer 14 times the
 * text on a big document (docs/benchmarks.md). */
static void
test_tagger_entity_memory (void)
{
  DpNerOptions opts = {
    .model = DP_TEST_SRCDIR "/plugins/ner/data/en-news.dpm",
    .gazetteers = DP_TEST_SRCDIR "/plugins/ner/data/gazetteers",
    .clusters = DP_TEST_SRCDIR "/plugins/ner/data/clusters.txt",
    .rules = TRUE,
    .link = TRUE,
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (DpNerTagger) tagger = dp_ner_tagger_new (&opts, &error);
  g_assert_no_error (error);
  g_autoptr (DpNerScratch) scratch = dp_ner_scratch_new (tagger);
  g_autoptr (GString) text = g_string_new (NULL);
  for (guint i = 0; i < 500; i++)
    g_string_append (text, "Ali Larijani met officials of the United Nations in Tehran on Monday. "
                           "Larijani said Iran would pay $5 million.\n\n");
  g_autoptr (DpRecord) rec = dp_record_new ("t", "test", text->str, -1, NULL);
  g_assert_true (dp_ner_tagger_annotate (tagger, scratch, rec, &error));
  g_assert_no_error (error);
  guint n = dp_layer_get_size (dp_record_get_layer (rec, "entities"));
  g_assert_cmpuint (n, >=, 2500);
  gsize before = heap_in_use ();
  g_assert_true (dp_record_remove_layer (rec, "entities"));
  gsize after = heap_in_use ();
  if (before == after)
    {
      g_test_skip ("the allocator does not count the bytes in use");
      return;
    }
  gssize per_entity = ((gssize) before - (gssize) after) / (gssize) n;
  g_test_message ("%u entities: %" G_GSSIZE_FORMAT " bytes each", n, per_entity);
  g_assert_cmpint (per_entity, <, 300);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("docpipe-ner-XXXXXX", NULL);
  g_test_add_func ("/ner/iob/conll", test_conll);
  g_test_add_func ("/ner/iob/uner-and-gmb", test_uner_and_gmb);
  g_test_add_func ("/ner/iob/read-errors", test_read_errors);
  g_test_add_func ("/ner/iob/score", test_score);
  g_test_add_func ("/ner/gazetteer", test_gazetteer);
  g_test_add_func ("/ner/features-deterministic", test_features_deterministic);
  g_test_add_func ("/ner/features-document", test_features_document);
  g_test_add_func ("/ner/features-memory", test_features_memory);
  g_test_add_func ("/ner/clusters", test_clusters);
  g_test_add_func ("/ner/features-memo", test_features_memo);
  g_test_add_func ("/ner/tagger/other-models", test_tagger_refuses_other_models);
  g_test_add_func ("/ner/tagger/long-sentence", test_tagger_long_sentence);
  g_test_add_func ("/ner/tagger/country-names", test_tagger_country_names);
  g_test_add_func ("/ner/fix-entities", test_fix_entities);
  g_test_add_func ("/ner/iob/recase", test_recase);
  g_test_add_func ("/ner/tagger/entity-memory", test_tagger_entity_memory);
  int status = g_test_run ();
  const char *names[] = { "train.iob2", "uner.iob2", "gmb_ner.conll", "bad.iob2", "score.iob2", "clusters.txt", "bad.txt" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *p = g_build_filename (dir, names[i], NULL);
      g_remove (p);
    }
  g_rmdir (dir);
  g_free (dir);
  return status;
}
