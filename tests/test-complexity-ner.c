/* test-complexity-ner.c — the NER's cost grows linearly with its input.
 *
 * Each test builds an adversarial input at 1x and 8x and compares the CPU
 * time of the work (tests/complexity.h): the whole tagger on one document of
 * a hostile shape (only capitalised words, no whitespace, one endless
 * sentence, one entity over and over, acronyms, date- and money-like tokens,
 * runs of titles and first names, gazetteer prefixes), the consistency pass
 * with one entity tagged differently again and again, and user gazetteers
 * (loading huge files, names sharing their first words, lookups of long
 * prefixes).  Kept out of the unit tests that CI runs under valgrind.
 */
#include "ner-features.h"
#include "tagger.h"
#include "usergaz.h"

#include <docpipe/docpipe.h>
#include <glib/gstdio.h>
#include <string.h>

#include "complexity.h"

#define DATA DP_TEST_SRCDIR "/plugins/ner/data"

static DpNerTagger *tagger;       /* the shipped model, rules, aliases, linking */
static DpNerTagger *gaz_tagger;   /* the same with a user gazetteer */
static DpNerScratch *scratch;
static char *dir;

/* ---- the tagger on hostile documents ---------------------------------------- */

static void
tag_text (const GString *input, gpointer data)
{
  DpNerTagger *t = data ? data : tagger;
  g_autoptr (DpRecord) rec = dp_record_new ("c", "complexity", input->str, (gssize) input->len, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_ner_tagger_annotate (t, scratch, rec, &error));
  g_assert_no_error (error);
}

/* Appends @words (NULL-terminated) over and over, @sep between, until @size bytes. */
static void
repeat_words (GString *out, gsize size, const char *const *words, const char *sep)
{
  for (guint i = 0; out->len < size; i++)
    {
      if (!words[i])
        i = 0;
      g_string_append (out, words[i]);
      g_string_append (out, sep);
    }
}

/* A word that differs for each @i: "Qabc". */
static void
append_word (GString *out, guint i, gboolean capital)
{
  g_string_append_c (out, capital ? 'Q' : 'q');
  for (; i; i /= 26)
    g_string_append_c (out, (char) ('a' + i % 26));
}

static void
build_capitalised (GString *out, gsize size, gpointer data)
{
  for (guint i = 0; out->len < size; i++)
    {
      append_word (out, i % 5000, TRUE);   /* many types, each seen often */
      g_string_append (out, i % 40 == 39 ? ".\n" : " ");
    }
}

static void
build_capitalised_distinct (GString *out, gsize size, gpointer data)
{
  for (guint i = 0; out->len < size; i++)
    {
      append_word (out, i, TRUE);
      g_string_append (out, i % 30 == 29 ? ". " : " ");
    }
}

static void
build_no_whitespace (GString *out, gsize size, gpointer data)
{
  static const char *const w[] = { "Iran", "Korea", "Kim", "IAEA", NULL };
  repeat_words (out, size, w, "");
}

static void
build_one_sentence (GString *out, gsize size, gpointer data)
{
  static const char *const w[] = { "the", "inspectors", "from", "Vienna", "said", "that", "Ali", "Larijani",
                                   "met", "officials", "in", "Tehran", "and", NULL };
  repeat_words (out, size, w, " ");
}

static void
build_same_entity (GString *out, gsize size, gpointer data)
{
  static const char *const w[] = { "Ali Larijani said.", "Larijani said.", "Mr. Larijani went to Tehran.",
                                   "Larijani", "Iran said.", "The Islamic Revolutionary Guard Corps (IRGC) said.",
                                   "IRGC", NULL };
  repeat_words (out, size, w, " ");
}

static void
build_acronyms (GString *out, gsize size, gpointer data)
{
  for (guint i = 0; out->len < size; i++)
    {
      char a = (char) ('A' + i % 26), b = (char) ('A' + i / 26 % 26), c = (char) ('A' + i / 676 % 26);
      if (i % 3 == 0)
        g_string_append_printf (out, "The %cxx %cyy %czz Corporation (%c%c%c) said. ", a, b, c, a, b, c);
      else
        g_string_append_printf (out, "%c%c%c %c%c %c.%c.%c. ", a, b, c, b, c, a, b, c);
    }
}

static void
build_temporal (GString *out, gsize size, gpointer data)
{
  static const char *const w[] = { "$1,000", "12", "March", "2020", "3.5%", "10:30", "am", "EST", "1990s",
                                   "Monday", "to", "Friday", "between", "1", "and", "2", "million", "dollars",
                                   "on", "Jan.", "5", "-", "7", "per", "cent", "€40", "bn", "midnight", NULL };
  repeat_words (out, size, w, " ");
}

static void
build_titles (GString *out, gsize size, gpointer data)
{
  static const char *const w[] = { "Mr.", "President", "General", "Dr.", "John", "Paul", "Mary", "Ali",
                                   "Prime", "Minister", "Sheikh", "Kim", "Grand", "Ayatollah", NULL };
  repeat_words (out, size, w, " ");
}

static void
build_gazetteer_prefixes (GString *out, gsize size, gpointer data)
{
  static const char *const w[] = { "New", "North", "South", "United", "Saint", "San", "Democratic",
                                   "Republic", "of", "the", NULL };
  repeat_words (out, size, w, " ");
}

static void
test_tagger_shapes (void)
{
  dp_test_assert_linear ("ner, only capitalised words", 32 * 1024, build_capitalised, tag_text, NULL);
  dp_test_assert_linear ("ner, capitalised words all different", 32 * 1024, build_capitalised_distinct, tag_text,
                         NULL);
  dp_test_assert_linear ("ner, no whitespace", 32 * 1024, build_no_whitespace, tag_text, NULL);
  dp_test_assert_linear ("ner, one sentence without punctuation", 32 * 1024, build_one_sentence, tag_text, NULL);
  dp_test_assert_linear ("ner, the same entity again and again", 32 * 1024, build_same_entity, tag_text, NULL);
  dp_test_assert_linear ("ner, acronyms", 32 * 1024, build_acronyms, tag_text, NULL);
  dp_test_assert_linear ("ner, date, number and money-like tokens", 32 * 1024, build_temporal, tag_text, NULL);
  dp_test_assert_linear ("ner, titles and first names", 32 * 1024, build_titles, tag_text, NULL);
  dp_test_assert_linear ("ner, gazetteer prefixes", 32 * 1024, build_gazetteer_prefixes, tag_text, NULL);
}

static void
test_tagger_user_gazetteer (void)
{
  dp_test_assert_linear ("ner with a user gazetteer, gazetteer prefixes", 32 * 1024, build_gazetteer_prefixes,
                         tag_text, gaz_tagger);
  dp_test_assert_linear ("ner with a user gazetteer, the same entity", 32 * 1024, build_same_entity, tag_text,
                         gaz_tagger);
}

/* ---- the consistency pass --------------------------------------------------- */

/* One word per sentence, tagged as a person and as a place in turn: every
 * occurrence is the same entity tagged differently ("mixed"). */
static void
propagate_mixed (const GString *input, gpointer data)
{
  static const char *const names[] = { "O", "U-PER", "U-LOC", NULL };
  guint n = (guint) input->len;
  g_autofree const char **words = g_new (const char *, n);
  g_autofree gsize *lens = g_new (gsize, n);
  g_autofree guint32 *starts = g_new (guint32, n + 1);
  g_autofree guint16 *tags = g_new (guint16, n);
  for (guint i = 0; i < n; i++)
    {
      words[i] = "Jordan";
      lens[i] = 6;
      starts[i] = i;
      tags[i] = 1 + i % 2;
    }
  starts[n] = n;
  g_autoptr (DpNerDoc) doc = dp_ner_doc_new (NULL, NULL);
  dp_ner_doc_set (doc, (const char *const *) words, lens, n, starts, n);
  dp_ner_doc_propagate (doc, tags, names);
}

static void
build_count (GString *out, gsize size, gpointer data)
{
  g_string_set_size (out, size);   /* only its length is used: the number of words */
}

static void
test_propagate_mixed (void)
{
  dp_test_assert_linear ("consistency pass, one entity tagged two ways", 4096, build_count, propagate_mixed, NULL);
}

/* ---- user gazetteers ---------------------------------------------------------- */

static void
load_gazetteer (const GString *input, gpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpUserGaz) g = dp_user_gaz_new ();
  gboolean ok = dp_user_gaz_add_data (g, "gen.tsv", input->str, input->len, &error);
  if (data)   /* expected to fail */
    g_assert_false (ok);
  else
    g_assert_no_error (error);
}

/* Entries all starting with the same words: "ORG\tThe Republic of Qabc". */
static void
build_shared_prefix_file (GString *out, gsize size, gpointer data)
{
  for (guint i = 0; out->len < size; i++)
    {
      g_string_append (out, "ORG\tThe Republic of ");
      append_word (out, i, TRUE);
      g_string_append (out, i % 2 ? "\n" : "\tRepublic\n");
    }
}

static void
build_duplicates_file (GString *out, gsize size, gpointer data)
{
  while (out->len < size)
    g_string_append (out, "PER\tKim Yong-nam\nPER\tKIM YONG-NAM\tKim Yong-nam\n");
}

/* Names as long as they may be, all different. */
static void
build_long_names_file (GString *out, gsize size, gpointer data)
{
  for (guint i = 0; out->len < size; i++)
    {
      g_string_append (out, "MISC\t");
      for (guint k = 0; k < DP_USER_GAZ_MAX_TOKENS; k++)
        {
          append_word (out, i + k, k % 2);
          g_string_append_c (out, ' ');
        }
      g_string_append_c (out, '\n');
    }
}

/* One line of junk: no line break, no tab. */
static void
build_junk_file (GString *out, gsize size, gpointer data)
{
  for (guint i = 0; out->len < size; i++)
    g_string_append_c (out, (char) (' ' + i * 7 % 90));
}

static void
test_gazetteer_loading (void)
{
  dp_test_assert_linear ("user gazetteer, names sharing their first words", 64 * 1024, build_shared_prefix_file,
                         load_gazetteer, NULL);
  dp_test_assert_linear ("user gazetteer, duplicates", 64 * 1024, build_duplicates_file, load_gazetteer, NULL);
  dp_test_assert_linear ("user gazetteer, one long line of junk", 64 * 1024, build_junk_file, load_gazetteer,
                         GINT_TO_POINTER (1));
  dp_test_assert_linear ("user gazetteer, names of the most tokens allowed", 64 * 1024, build_long_names_file,
                         load_gazetteer, NULL);
}

/* Looking up a document against a gazetteer whose entries share the
 * document's words as first words: the gazetteer grows with the input. */
typedef struct {
  GString *file, *doc;
} GazAndDoc;

static void
build_gaz_and_doc (GString *out, gsize size, gpointer data)
{
  /* The file: "ORG\tThe Republic of Qxyz" lines, then a NUL, then the
   * document "The Republic of ..." repeated, of the same size. */
  build_shared_prefix_file (out, size, NULL);
  g_string_append_c (out, '\0');
  gsize doc_start = out->len;
  while (out->len - doc_start < size)
    g_string_append (out, "The Republic of the People said. The REPUBLIC OF Qab said. ");
}

static void
find_in_doc (const GString *input, gpointer data)
{
  gsize file_len = strlen (input->str);
  const char *doc = input->str + file_len + 1;
  gsize doc_len = input->len - file_len - 1;
  g_autoptr (DpUserGaz) g = dp_user_gaz_new ();
  g_assert_true (dp_user_gaz_add_data (g, "gen.tsv", input->str, file_len, NULL));
  g_autoptr (GArray) tokens = g_array_new (FALSE, FALSE, sizeof (DpToken));
  dp_tokenize (doc, doc_len, tokens);
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (DpUserGazMatch));
  dp_user_gaz_find (g, doc, (const DpToken *) tokens->data, tokens->len, out);
}

static void
test_gazetteer_lookup (void)
{
  dp_test_assert_linear ("user gazetteer lookups, entries sharing first words", 32 * 1024, build_gaz_and_doc,
                         find_in_doc, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("docpipe-ner-complexity-XXXXXX", NULL);
  g_autofree char *names = g_build_filename (dir, "names.tsv", NULL);
  g_assert_true (g_file_set_contents (names,
                                      "ORG\tRepublic of the New North\n"
                                      "LOC\tNew North South United\n"
                                      "PER\tAli Larijani\tAli Larijani\n"
                                      "PER\tLarijani\tAli Larijani\n"
                                      "ORG\tIslamic Revolutionary Guard Corps\n",
                                      -1, NULL));
  DpNerOptions opts = {
    .model = DATA "/en-news.dpm", .gazetteers = DATA "/gazetteers", .clusters = DATA "/clusters.txt",
    .aliases = DATA "/aliases.tsv", .rules = TRUE, .link = TRUE,
  };
  g_autoptr (GError) error = NULL;
  tagger = dp_ner_tagger_new (&opts, &error);
  g_assert_no_error (error);
  opts.user_gazetteer = names;
  gaz_tagger = dp_ner_tagger_new (&opts, &error);
  g_assert_no_error (error);
  scratch = dp_ner_scratch_new (tagger);

  g_test_add_func ("/complexity/ner/tagger", test_tagger_shapes);
  g_test_add_func ("/complexity/ner/tagger-user-gazetteer", test_tagger_user_gazetteer);
  g_test_add_func ("/complexity/ner/propagate-mixed", test_propagate_mixed);
  g_test_add_func ("/complexity/ner/gazetteer-loading", test_gazetteer_loading);
  g_test_add_func ("/complexity/ner/gazetteer-lookup", test_gazetteer_lookup);
  int status = g_test_run ();

  dp_ner_scratch_free (scratch);
  dp_ner_tagger_free (tagger);
  dp_ner_tagger_free (gaz_tagger);
  g_remove (names);
  g_rmdir (dir);
  g_free (dir);
  return status;
}
