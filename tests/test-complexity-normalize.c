/* test-complexity-normalize.c — the normalizer, docmeta and the core's
 * tokenizer and sentence splitter stay linear in the size of one document.
 *
 * Each shape below is an input an attacker (or an odd converter) can send as
 * one record: one huge line, nothing but hyphens, a hyphenated word at the end
 * of every line, quotes, capitals, no whitespace, nothing but newlines,
 * entities, long runs of combining marks, very long words, header lines
 * repeated … Every shape is run through every piece of work at 1× and 8× its
 * size (tests/complexity.h): a step that rescans the text per line, per hyphen
 * or per mark shows up as a ratio near 64 instead of 8.
 *
 * This is its own executable so that CI's valgrind pass (which runs the unit
 * tests only) does not run it.
 */
#include "normalize.h"
#include "docmeta.h"
#include "complexity.h"

#include <string.h>

/* ---- shapes -------------------------------------------------------------------- */

typedef void (*ShapeFunc) (GString *out, gsize size);

/* A random lower-case word of @min to @max letters. */
static void
append_word (GString *out, GRand *rand, int min, int max)
{
  for (int k = g_rand_int_range (rand, min, max + 1); k > 0; k--)
    g_string_append_c (out, (char) ('a' + g_rand_int_range (rand, 0, 26)));
}

static void
repeat (GString *out, gsize size, const char *piece)
{
  while (out->len < size)
    g_string_append (out, piece);
}

static void
shape_huge_line (GString *out, gsize size)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (1);
  while (out->len < size)
    {
      append_word (out, rand, 1, 9);
      g_string_append (out, g_rand_int_range (rand, 0, 12) ? " " : ". ");
    }
}

static void shape_only_hyphens (GString *out, gsize size) { repeat (out, size, "----------------"); }

/* Hard-wrapped lines (reflow = auto re-flows them) that all end in a word
 * hyphenated across the break; every fourth joined word also occurs whole. */
static void
shape_line_end_hyphens (GString *out, gsize size)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (2);
  guint line = 0;
  while (out->len < size)
    {
      gsize start = out->len;
      while (out->len - start < 50)
        {
          append_word (out, rand, 3, 8);
          g_string_append_c (out, ' ');
        }
      if (line % 4 == 0)
        g_string_append (out, "international ");
      g_string_append (out, line % 4 == 1 ? "inter" : "");
      append_word (out, rand, 4, 6);
      g_string_append (out, "-\n");
      line++;
    }
}

/* Lines of one word each, of @min to @max letters, hyphenated at the end. */
static void
hyphenated_words (GString *out, gsize size, guint32 seed, int min, int max)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  while (out->len < size)
    {
      append_word (out, rand, min, max);
      g_string_append (out, "-\n");
    }
}

/* One hyphenated word per line: short lines, so only reflow = always joins them. */
static void
shape_short_hyphen_lines (GString *out, gsize size)
{
  hyphenated_words (out, size, 3, 2, 6);
}

static void
shape_only_quotes (GString *out, gsize size)
{
  repeat (out, size, "\"\"\xe2\x80\x9c \xe2\x80\x9d'\" \xe2\x80\x9cword \xc2\xab\"x ");
}

/* Opening quotes with lower-case words after them and no closing quote. */
static void
shape_open_quotes (GString *out, gsize size)
{
  repeat (out, size, "\xe2\x80\x9cHe said. \"they went. \xe2\x80\x9c" "and so. ");
}

static void
shape_capitalised (GString *out, gsize size)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (4);
  while (out->len < size)
    {
      g_string_append_c (out, (char) ('A' + g_rand_int_range (rand, 0, 26)));
      append_word (out, rand, 1, 7);
      g_string_append (out, g_rand_int_range (rand, 0, 6) ? " " : "\n");
    }
}

static void
shape_capital_lines (GString *out, gsize size)
{
  repeat (out, size, "BAHIA COCOA REVIEW\nShr 29 cts vs 22 cts\nThe Treasury Secretary James\nU.S. Officials Said\n");
}

static void
shape_no_whitespace (GString *out, gsize size)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);
  static const char punct[] = ".,;:-'\"/()@&#?!_";
  while (out->len < size)
    {
      append_word (out, rand, 1, 5);
      g_string_append_c (out, punct[g_rand_int_range (rand, 0, sizeof punct - 1)]);
      if (g_rand_int_range (rand, 0, 4) == 0)
        g_string_append_printf (out, "%d", g_rand_int_range (rand, 0, 100000));
    }
}

static void shape_dots (GString *out, gsize size) { repeat (out, size, "U.S.A...."); }
static void shape_only_newlines (GString *out, gsize size) { repeat (out, size, "\n"); }
static void shape_blank_lines (GString *out, gsize size) { repeat (out, size, "\n \n\t\n\r\n  \n"); }
static void shape_many_short_lines (GString *out, gsize size) { repeat (out, size, "a\nBb\n1\n.\n"); }
static void shape_entities (GString *out, gsize size) { repeat (out, size, "&amp;&lt;&#8217;&#x2019;&rsquo;"); }
static void shape_ampersands (GString *out, gsize size) { repeat (out, size, "&abcdefghijk&#123456789012&"); }

/* "&amp;amp;amp;…": one entity escaped over and over. */
static void
shape_escaped_chain (GString *out, gsize size)
{
  g_string_append_c (out, '&');
  repeat (out, size, "amp;");
}

/* One base letter and a run of combining marks of two classes in the wrong
 * order (canonical ordering has to sort all of them). */
static void
shape_combining_marks (GString *out, gsize size)
{
  g_string_append_c (out, 'a');
  repeat (out, size, "\xcc\x81\xcc\x96");   /* U+0301 (230), U+0316 (220) */
}

/* Hangul jamo L + V pairs with no space: each pair composes into a syllable,
 * and the script never offers a character that cannot combine with the one
 * before it as a cheap cutting point. */
static void shape_jamo (GString *out, gsize size) { repeat (out, size, "\xe1\x84\x80\xe1\x85\xa1"); }

/* Bengali vowel signs that compose across two base characters, no spaces. */
static void
shape_bengali (GString *out, gsize size)
{
  repeat (out, size, "\xe0\xa6\x95\xe0\xa7\x87\xe0\xa6\xbe");   /* KA, E, AA: KA + O */
}

static void shape_long_word (GString *out, gsize size) { repeat (out, size, "abcdefghij"); }

/* Lines of one very long word each, hyphenated at the end. */
static void
shape_long_hyphen_words (GString *out, gsize size)
{
  hyphenated_words (out, size, 6, 2000, 4000);
}

/* Bylines, datelines and page furniture, over and over. */
static void
shape_headers (GString *out, gsize size)
{
  repeat (out, size,
          "Oil prices rise\n\nBy John Smith | 14 May 2026 | 3:32am EDT\n\n"
          "GENEVA, March 3, 2026 \xe2\x80\x94 Talks went on.\nFont Size\nShare\nRead more about it\n"
          "See also:\nA headline\nAnother headline\n\xc2\xa9 2026 Wire\nSource \xc2\xbb wire\n");
}

/* Lines that start like furniture but are not: every one is looked at
 * closely, and joined lines make the normalizer go round again. */
static void
shape_near_furniture (GString *out, gsize size)
{
  repeat (out, size, "Read the whole of this long report on the economy, and then\n"
                     "Share it with your colleagues at the ministry of finance and\n");
}

static void
shape_mixed_scripts (GString *out, gsize size)
{
  repeat (out, size, "Z\xc3\xbcrich e\xcc\x81 \xce\xb1\xcc\x81 \xef\xac\x81 \xe2\x80\x8b\xc2\xad\xc2\xa0"
                     "\xd9\x85\xe2\x80\x8c\xd8\xae \xed\x95\x9c\xea\xb8\x80 \xe0\xa4\x95\xe0\xa4\xbc ");
}

typedef struct {
  const char *name;
  ShapeFunc build;
} Shape;

/* For the splitter's line rules: list items, bylines and datelines, one a
 * line, each rule looking ahead on the next line. */
static void
shape_list_lines (GString *out, gsize size)
{
  static const char *const lines[] = { "- Lower tariffs on oil\n", "1. First item\n", "By Amara Okafor\n",
                                       "GENEVA 2026-05-14\n", "\xe2\x80\xa2 a bullet\n", "Some Title In Caps\n" };
  for (guint i = 0; out->len < size; i++)
    g_string_append (out, lines[i % G_N_ELEMENTS (lines)]);
}

/* Lines opened by long runs of blanks: the splitter measures indentation. */
static void
shape_indented_lines (GString *out, gsize size)
{
  while (out->len < size)
    {
      for (guint i = 0; i < 2000 && out->len < size; i++)
        g_string_append_c (out, ' ');
      g_string_append (out, "word\n");
    }
}

static const Shape shapes[] = {
  { "list-lines", shape_list_lines },
  { "indented-lines", shape_indented_lines },
  { "huge-line", shape_huge_line },
  { "only-hyphens", shape_only_hyphens },
  { "line-end-hyphens", shape_line_end_hyphens },
  { "short-hyphen-lines", shape_short_hyphen_lines },
  { "only-quotes", shape_only_quotes },
  { "open-quotes", shape_open_quotes },
  { "capitalised", shape_capitalised },
  { "capital-lines", shape_capital_lines },
  { "no-whitespace", shape_no_whitespace },
  { "dots", shape_dots },
  { "only-newlines", shape_only_newlines },
  { "blank-lines", shape_blank_lines },
  { "many-short-lines", shape_many_short_lines },
  { "entities", shape_entities },
  { "ampersands", shape_ampersands },
  { "escaped-chain", shape_escaped_chain },
  { "combining-marks", shape_combining_marks },
  { "jamo", shape_jamo },
  { "bengali", shape_bengali },
  { "long-word", shape_long_word },
  { "long-hyphen-words", shape_long_hyphen_words },
  { "headers", shape_headers },
  { "near-furniture", shape_near_furniture },
  { "mixed-scripts", shape_mixed_scripts },
};

/* ---- work ---------------------------------------------------------------------- */

typedef enum { OPTS_DEFAULT, OPTS_ALWAYS, OPTS_EVERYTHING, OPTS_NOTHING } OptionSet;

static const char *const option_names[] = { "default", "reflow-always", "everything", "nothing" };

/* The combinations that take different paths: the defaults; reflow forced
 * (every line joined, every hyphen judged); every option on, with patterns of
 * the user's; every option off. */
static void
options_for (OptionSet set, DpNormalizeOptions *opts)
{
  dp_normalize_options_init (opts);
  switch (set)
    {
    case OPTS_DEFAULT:
      break;
    case OPTS_ALWAYS:
      opts->reflow = DP_REFLOW_ALWAYS;
      break;
    case OPTS_EVERYTHING:
      opts->reflow = DP_REFLOW_ALWAYS;
      opts->nfkc = opts->fold_punctuation = TRUE;
      {
        static const char patterns[] = "^ADVERT\n(?i)all rights reserved\\.?$\n^[A-Z ]+$\n\\bshare\\b.*\\bfacebook\\b\n";
        opts->drop_patterns = dp_line_patterns_parse (patterns, sizeof patterns - 1, "test", NULL);
      }
      break;
    case OPTS_NOTHING:
      opts->reflow = DP_REFLOW_NEVER;
      opts->join_hyphens = opts->html_entities = opts->drop_furniture = FALSE;
      break;
    }
}

typedef struct {
  const Shape *shape;
  OptionSet set;
} NormalizeCase;

static void
build_shape (GString *input, gsize size, gpointer data)
{
  const Shape *shape = data;
  shape->build (input, size);
}

/* What the stage does per record: normalize, then read the metadata. */
static void
normalize_work (const GString *input, gpointer data)
{
  const NormalizeCase *c = data;
  DpNormalizeOptions opts;
  options_for (c->set, &opts);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpRecord) rec = dp_record_new ("t", "test", input->str, (gssize) input->len, &error);
  g_assert_no_error (error);
  g_assert_true (dp_normalize_record (rec, &opts, &error));
  g_assert_no_error (error);
  gsize len;
  const char *text = dp_record_get_text (rec, &len);
  dp_docmeta_extract (text, len, dp_record_get_meta (rec));
  g_clear_pointer (&opts.drop_patterns, dp_line_patterns_free);
}

static void
build_normalize (GString *input, gsize size, gpointer data)
{
  build_shape (input, size, (gpointer) ((const NormalizeCase *) data)->shape);
}

static void
test_normalize (gconstpointer data)
{
  const NormalizeCase *c = data;
  g_autofree char *what = g_strdup_printf ("normalizer (%s), %s", option_names[c->set], c->shape->name);
  dp_test_assert_linear (what, 16 * 1024, build_normalize, normalize_work, (gpointer) c);
}

static void
tokenize_work (const GString *input, gpointer data)
{
  (void) data;
  g_autoptr (GArray) tokens = g_array_new (FALSE, FALSE, sizeof (DpToken));
  g_autoptr (GArray) sentences = g_array_new (FALSE, FALSE, sizeof (DpSentence));
  dp_tokenize (input->str, input->len, tokens);
  dp_split_sentences (input->str, input->len, (const DpToken *) tokens->data, tokens->len, sentences);
}

static void
test_tokenize (gconstpointer data)
{
  const Shape *shape = data;
  g_autofree char *what = g_strdup_printf ("tokenizer and sentence splitter, %s", shape->name);
  dp_test_assert_linear (what, 64 * 1024, build_shape, tokenize_work, (gpointer) shape);
}

/* docmeta reads a fixed window off the top of the text: called at every
 * 64th byte of the text, on the rest of it, its total cost must grow like the
 * number of calls (it would grow like their square if a reader ran on to the
 * end of the text). */
static void
docmeta_work (const GString *input, gpointer data)
{
  (void) data;
  for (gsize at = 0; at < input->len; at += 64)
    {
      while (at < input->len && ((guchar) input->str[at] & 0xC0) == 0x80)
        at++;
      g_autoptr (JsonObject) meta = json_object_new ();
      dp_docmeta_extract (input->str + at, input->len - at, meta);
    }
}

static void
test_docmeta (gconstpointer data)
{
  const Shape *shape = data;
  g_autofree char *what = g_strdup_printf ("docmeta, %s", shape->name);
  dp_test_assert_linear (what, 16 * 1024, build_shape, docmeta_work, (gpointer) shape);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  static NormalizeCase cases[G_N_ELEMENTS (shapes)][G_N_ELEMENTS (option_names)];
  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      for (guint k = 0; k < G_N_ELEMENTS (option_names); k++)
        {
          cases[i][k] = (NormalizeCase) { &shapes[i], (OptionSet) k };
          g_autofree char *path = g_strdup_printf ("/complexity/normalizer/%s/%s", option_names[k], shapes[i].name);
          g_test_add_data_func (path, &cases[i][k], test_normalize);
        }
      g_autofree char *tok = g_strdup_printf ("/complexity/tokenizer/%s", shapes[i].name);
      g_test_add_data_func (tok, &shapes[i], test_tokenize);
      g_autofree char *meta = g_strdup_printf ("/complexity/docmeta/%s", shapes[i].name);
      g_test_add_data_func (meta, &shapes[i], test_docmeta);
    }
  return g_test_run ();
}
