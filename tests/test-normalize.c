/* test-normalize.c — the normalizer's rules, one before/after case each, and
 * its two promises: normalizing normalized text changes nothing, and every
 * word of the result maps back to the same word in the original text. */
#include "normalize.h"
#include "test-util.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes newlines into the FIFO at @data until the reader goes away. */
static gpointer
endless_writer (gpointer data)
{
  int fd = g_open (data, O_WRONLY, 0);
  g_assert_cmpint (fd, >=, 0);
  char buf[4096];
  memset (buf, '\n', sizeof buf);
  while (write (fd, buf, sizeof buf) > 0)
    ;
  close (fd);
  return NULL;
}

typedef struct {
  const char *name, *in, *out;
  void (*setup) (DpNormalizeOptions *opts);
} Case;

static void nfkc (DpNormalizeOptions *o) { o->nfkc = TRUE; }
static void fold (DpNormalizeOptions *o) { o->fold_punctuation = TRUE; }
static void never (DpNormalizeOptions *o) { o->reflow = DP_REFLOW_NEVER; }
static void nfkc_fold (DpNormalizeOptions *o) { o->nfkc = o->fold_punctuation = TRUE; }
static void always (DpNormalizeOptions *o) { o->reflow = DP_REFLOW_ALWAYS; }
static void no_entities (DpNormalizeOptions *o) { o->html_entities = FALSE; }
static void keep_furniture (DpNormalizeOptions *o) { o->drop_furniture = FALSE; }

#define WRAPPED \
  "The foreign minister said on Tuesday that the talks in Geneva\n" \
  "had made progress on the outline of an agreement, although\n" \
  "several questions about inspections and the timetable for\n" \
  "lifting sanctions remained open, according to officials.\n"

/* 64 × (U+0301 U+0316): 256 bytes, which the normalizer sorts itself */
#define MARKS8(x) x x x x x x x x
#define MARKS_301_316 MARKS8 (MARKS8 ("\xcc\x81\xcc\x96"))
/* "a" and the first U+0301 compose: then the 64 U+0316, then the other 63 U+0301 */
#define MARKS_316_301 MARKS8 (MARKS8 ("\xcc\x96")) MARKS8 ("\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81") \
  "\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81"

static const Case cases[] = {
  /* Unicode */
  { "nfc", "Cafe\xcc\x81 and e\xcc\x81lan", "Caf\xc3\xa9 and \xc3\xa9lan" },
  { "nfc-across-deleted", "Sahe\xe2\x80\x8b\xcc\x83l", "Sah\xe1\xba\xbdl" },   /* ZWSP between e and its tilde */
  { "nfc-keeps-precomposed", "Z\xc3\xbcrich, Gda\xc5\x84sk", "Z\xc3\xbcrich, Gda\xc5\x84sk" },
  { "nfc-singleton", "100 \xe2\x84\xa6", "100 \xce\xa9" },                /* OHM SIGN -> OMEGA */
  { "nfkc", "\xef\xac\x81ne \xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3 x\xc2\xb2", "fine ABC x2", nfkc },
  { "nfc-keeps-compatibility", "\xef\xac\x81ne", "\xef\xac\x81ne" },
  /* U+0F73 decomposes into two marks that sort before U+0F74 */
  { "nfc-tibetan-vowel", "\xe0\xbd\x80\xe0\xbd\xb4\xe0\xbd\xb3", "\xe0\xbd\x80\xe0\xbd\xb1\xe0\xbd\xb2\xe0\xbd\xb4" },
  /* under NFKC the half-width voiced mark becomes a combining one: half-width KA + mark -> GA */
  { "nfkc-halfwidth-voiced", "\xef\xbd\xb6\xef\xbe\x9e", "\xe3\x82\xac", nfkc },
  /* Hangul jamo and Bengali two-part vowels compose across base characters */
  { "nfc-jamo", "\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8\xe1\x84\x80\xe1\x85\xa1", "\xea\xb0\x81\xea\xb0\x80" },
  { "nfc-bengali", "\xe0\xa6\x95\xe0\xa7\x87\xe0\xa6\xbe\xe0\xa6\x95", "\xe0\xa6\x95\xe0\xa7\x8b\xe0\xa6\x95" },
  /* a long run of marks of two classes, put in canonical order */
  { "nfc-long-mark-run", "a" MARKS_301_316, "\xc3\xa1" MARKS_316_301 },
  { "bom", "\xef\xbb\xbfHello", "Hello" },
  { "zero-width", "Teh\xe2\x80\x8bran and Pyong\xe2\x81\xa0yang", "Tehran and Pyongyang" },
  { "zwj-between-latin", "a\xe2\x80\x8d" "b c\xe2\x80\x8c" "d", "ab cd" },
  { "zwj-in-emoji", "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9", "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9" },
  { "zwnj-in-persian", "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae\xd9\x88\xd8\xa7\xd9\x87\xd9\x85",
    "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae\xd9\x88\xd8\xa7\xd9\x87\xd9\x85" },
  { "soft-hyphen", "Pyong\xc2\xadyang", "Pyongyang" },
  { "soft-hyphen-at-line-end", "Pyong\xc2\xad\nyang said", "Pyongyang said" },
  { "controls", "a\x01" "b\x7f" "c\xc2\x85" "d\xc2\x9f" "e", "abc\nde" },
  { "space-variants", "a\xc2\xa0" "b\xe2\x80\x89" "c\xe3\x80\x80" "d\xe2\x80\xaf" "e", "a b c d e" },
  { "line-separators", "one\xe2\x80\xa8two\xe2\x80\xa9three", "one\ntwo\n\nthree" },
  /* punctuation */
  { "fold-off", "\xe2\x80\x9cHi\xe2\x80\x9d \xe2\x80\x94 \xc2\xab" "x\xc2\xbb", "\xe2\x80\x9cHi\xe2\x80\x9d \xe2\x80\x94 \xc2\xab" "x\xc2\xbb" },
  { "fold-quotes", "\xe2\x80\x9cHi,\xe2\x80\x9d she said. \xe2\x80\x98No.\xe2\x80\x99 \xc2\xabOui\xc2\xbb Iran\xe2\x80\x99s",
    "\"Hi,\" she said. 'No.' \"Oui\" Iran's", fold },
  { "fold-dashes", "1990\xe2\x80\x93" "95 \xe2\x80\x94 x \xe2\x88\x92" "3", "1990-95 - x -3", fold },
  { "fold-ellipsis", "wait\xe2\x80\xa6 what", "wait... what", fold },
  /* NFKC makes U+2034 three primes, which folding must then see too */
  { "nfkc-then-fold", "x\xe2\x80\xb4y \xef\xb9\x98", "x'''y -", nfkc_fold },
  /* whitespace */
  { "collapse-spaces", "a   b \t c", "a b c" },
  { "trim-lines", "  Hello  \n\n  World  ", "Hello\n\nWorld" },
  { "crlf", "Title\r\n\r\nBody line\r\nnext", "Title\n\nBody line\nnext" },
  { "cr", "one\rtwo", "one\ntwo" },
  { "paragraphs", "p1\n\n\n\n  \n\t\np2", "p1\n\np2" },
  { "edges", "\n\n  \nHello\n\n\n", "Hello" },
  { "reflow", "HEADLINE\n\n" WRAPPED,
    "HEADLINE\n\nThe foreign minister said on Tuesday that the talks in Geneva had made progress "
    "on the outline of an agreement, although several questions about inspections and the "
    "timetable for lifting sanctions remained open, according to officials." },
  { "reflow-indented-paragraphs", WRAPPED "    A second paragraph starts indented and runs on\ninto the next line.",
    "The foreign minister said on Tuesday that the talks in Geneva had made progress "
    "on the outline of an agreement, although several questions about inspections and the "
    "timetable for lifting sanctions remained open, according to officials.\n\n"
    "A second paragraph starts indented and runs on into the next line." },
  { "reflow-never", WRAPPED, "The foreign minister said on Tuesday that the talks in Geneva\n"
    "had made progress on the outline of an agreement, although\n"
    "several questions about inspections and the timetable for\n"
    "lifting sanctions remained open, according to officials.", never },
  { "reflow-auto-leaves-short-lines", "Shr 34 cts vs 1.19 dlrs\nNet 807,000 vs 2,858,000\nAssets 510.2 mln",
    "Shr 34 cts vs 1.19 dlrs\nNet 807,000 vs 2,858,000\nAssets 510.2 mln" },
  { "reflow-auto-short-wrapped",
    "The inspectors said on Tuesday that the operators of the plant had not\n"
    "declared two centrifuge halls, and that the cameras in the halls were in-\n"
    "stalled last year but had been switched off for weeks without notice.",
    "The inspectors said on Tuesday that the operators of the plant had not "
    "declared two centrifuge halls, and that the cameras in the halls were in-"
    "stalled last year but had been switched off for weeks without notice." },
  { "reflow-auto-leaves-headline-byline",
    "Inspectors Find Undeclared Centrifuge Halls at the Fordo Enrichment Plant\nBy Amara Okafor\nVIENNA",
    "Inspectors Find Undeclared Centrifuge Halls at the Fordo Enrichment Plant\nBy Amara Okafor\nVIENNA" },
  { "reflow-auto-leaves-list", "The agency asked for three things in its letter to the government:\n"
    "- access to the halls at Fordo and Natanz for its inspectors\n- the camera recordings",
    "The agency asked for three things in its letter to the government:\n"
    "- access to the halls at Fordo and Natanz for its inspectors\n- the camera recordings" },
  { "reflow-auto-leaves-poem", "Shall I compare thee to a summer's day?\nThou art more lovely and more temperate:\n"
    "Rough winds do shake the darling buds of May,",
    "Shall I compare thee to a summer's day?\nThou art more lovely and more temperate:\n"
    "Rough winds do shake the darling buds of May," },
  /* a story's first line, shortened by its cut dateline, runs on */
  { "reflow-short-first-line", "The Army said it will renegotiate a\n"
    "400 mln dlr contract with ITT Corp for jam-proof field radios that\n"
    "it had ordered in 1985, the service said in a statement on Monday,\n"
    "adding that the price of each of the radios had risen too far.",
    "The Army said it will renegotiate a 400 mln dlr contract with ITT Corp for jam-proof field radios that "
    "it had ordered in 1985, the service said in a statement on Monday, "
    "adding that the price of each of the radios had risen too far." },
  { "reflow-always", "one\ntwo\n\nthree", "one two\n\nthree", always },
  { "hyphen-compound", "the long-\nrange missile", "the long-range missile", always },
  { "hyphen-split-word", "an inter-\nnational team; international law", "an international team; international law", always },
  { "hyphen-before-capital", "the Hwasong-\n11A missile", "the Hwasong-11A missile", always },
  { "hyphen-kept-without-reflow", "the long-\nrange missile", "the long-\nrange missile", never },
  /* HTML entities */
  { "entities", "AT&amp;T &lt;b&gt; &#8217;s &#x2019; &rsquo; &nbsp;x &bogus; &#0; & alone",
    "AT&T <b> \xe2\x80\x99s \xe2\x80\x99 \xe2\x80\x99 x &bogus; &#0; & alone" },
  { "entities-folded", "&ldquo;Yes&rdquo; &mdash; no", "\"Yes\" - no", fold },
  { "entities-off", "AT&amp;T", "AT&amp;T", no_entities },
  { "entity-around-deleted", "rk&trade\x02; &#1;x &#13;y", "rk\xe2\x84\xa2 x\ny" },
  { "entities-escaped-twice", "&amp;lt;b&amp;amp;gt; &amp;x", "<b> &x" },
  /* page furniture */
  { "furniture", "Title\n\nPatrick Goodenough | August 9, 2017\nFont Size\nBody text.\n\nSee also:\n\n"
    "Link One (June 21, 2017)\n\nLink Two: a headline\n\nmrc merch",
    "Title\n\nPatrick Goodenough | August 9, 2017\nBody text." },
  { "furniture-source", "Body text here.\n\nSource \xc2\xbb ncr-iran", "Body text here." },
  { "furniture-see-also-stops-at-prose", "See also:\n\nA headline\n\nA real paragraph of prose ends with a period.",
    "A real paragraph of prose ends with a period." },
  { "furniture-off", "Font Size\nBody.", "Font Size\nBody.", keep_furniture },
  { "furniture-word-before-tab", "Body.\n\xc2\xa9\tMeridian Wire", "Body." },
  /* Patterns see the line as it will be written: 150 blanks collapse to one. */
  { "furniture-after-collapse", "Body.\n\xc2\xa9 2026 Meridian Wire"
    "                                                                                "
    "                                                                      All rights reserved.", "Body." },
};

static char *
normalize_with (const char *in, const DpNormalizeOptions *opts, DpRecord **out_rec)
{
  g_autoptr (GError) error = NULL;
  DpRecord *rec = dp_record_new ("t", "test", in, -1, &error);
  g_assert_no_error (error);
  g_assert_true (dp_normalize_record (rec, opts, &error));
  g_assert_no_error (error);
  char *text = g_strdup (dp_record_get_text (rec, NULL));
  if (out_rec)
    *out_rec = rec;
  else
    dp_record_free (rec);
  return text;
}

static void
check_case (gconstpointer data)
{
  const Case *c = data;
  DpNormalizeOptions opts;
  dp_normalize_options_init (&opts);
  if (c->setup)
    c->setup (&opts);
  g_autofree char *out = normalize_with (c->in, &opts, NULL);
  g_assert_cmpstr (out, ==, c->out);
  g_autofree char *again = normalize_with (out, &opts, NULL);
  g_assert_cmpstr (again, ==, out);
}

static void
test_dropped_lines_in_meta (void)
{
  DpNormalizeOptions opts;
  dp_normalize_options_init (&opts);
  g_autoptr (GError) error = NULL;
  static const char patterns[] = "# adverts\n\n^ADVERT\r\n";
  g_autoptr (DpLinePatterns) drop = dp_line_patterns_parse (patterns, sizeof patterns - 1, "drop.txt", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dp_line_patterns_get_size (drop), ==, 1);
  opts.drop_patterns = drop;
  DpRecord *rec = NULL;
  g_autofree char *out = normalize_with ("Body.\nADVERTISEMENT: buy now\nFont Size\nMore.", &opts, &rec);
  g_assert_cmpstr (out, ==, "Body.\nMore.");
  JsonArray *dropped = json_object_get_array_member (dp_record_get_meta (rec), "dropped_lines");
  g_assert_cmpuint (json_array_get_length (dropped), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (dropped, 0), ==, "ADVERTISEMENT: buy now");
  g_assert_cmpstr (json_array_get_string_element (dropped, 1), ==, "Font Size");
  dp_record_free (rec);
}

/* ---- drop-lines files -------------------------------------------------------- */

static char *
write_file (const char *name, const char *contents, gssize len)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = dp_test_make_tmp_dir ("test-normalize-XXXXXX");
  char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, contents, len, &error));
  g_assert_no_error (error);
  return path;
}

static void
remove_file (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_remove (path);
  g_rmdir (dir);
}

/* What is wrong with a file is said with its name and line. */
static void
assert_load_fails (const char *contents, gssize len, const char *expected)
{
  g_autofree char *path = write_file ("drop.txt", contents, len);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpLinePatterns) patterns = dp_line_patterns_load (path, &error);
  g_assert_null (patterns);
  g_assert_nonnull (error);
  g_autofree char *want = g_strdup_printf ("%s%s", path, expected);
  if (!g_str_has_prefix (error->message, want))
    g_error ("expected \"%s…\", got \"%s\"", want, error->message);
  remove_file (path);
}

static void
test_drop_lines_file_errors (void)
{
  assert_load_fails ("^ok\n# comment\n\n(unclosed\n", -1, ":4: column ");
  assert_load_fails ("ok\n\xff\xfe\n", -1, ":2: not valid UTF-8");
  g_autofree char *long_pattern = g_strnfill (DP_PATTERNS_MAX_LENGTH + 1, 'a');
  g_autofree char *with_long = g_strdup_printf ("a\n%s\n", long_pattern);
  assert_load_fails (with_long, -1, ":2: pattern of 1001 bytes, longer than 1000");
  g_autoptr (GString) many = g_string_new (NULL);
  for (guint i = 0; i <= DP_PATTERNS_MAX_COUNT; i++)
    g_string_append_printf (many, "word%u\n", i);
  assert_load_fails (many->str, -1, ":1001: more than 1000 patterns");
  g_autofree char *huge = g_strnfill (DP_PATTERNS_MAX_FILE_BYTES + 1, '\n');
  assert_load_fails (huge, -1, ": larger than 1048576 bytes");
  g_autoptr (GError) error = NULL;
  g_assert_null (dp_line_patterns_load ("/nonexistent/drop.txt", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_true (g_str_has_prefix (error->message, "/nonexistent/drop.txt: "));
}

/* A FIFO that never ends (a process writing patterns for ever) is read up to
 * the limit, not into all of memory. */
static void
test_drop_lines_endless_fifo (void)
{
  g_autofree char *path = write_file ("fifo", "", 0);
  g_remove (path);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  GThread *writer = g_thread_new ("writer", endless_writer, path);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpLinePatterns) patterns = dp_line_patterns_load (path, &error);
  g_assert_null (patterns);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_thread_join (writer);
  remove_file (path);
}

/* A pattern that backtracks without end on a line made for it fails the
 * record with a message naming the pattern, instead of taking 0.2 s per line
 * and deciding "no match" in silence. */
static void
test_drop_lines_catastrophic (void)
{
  static const char patterns[] = "^Advert\n(a+)+$\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (DpLinePatterns) drop = dp_line_patterns_parse (patterns, sizeof patterns - 1, "drop.txt", &error);
  g_assert_no_error (error);
  DpNormalizeOptions opts;
  dp_normalize_options_init (&opts);
  opts.drop_patterns = drop;
  g_autoptr (DpRecord) rec = dp_record_new ("t", "test", "Body.\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\nMore.", -1, NULL);
  g_assert_false (dp_normalize_record (rec, &opts, &error));
  g_assert_error (error, G_REGEX_ERROR, G_REGEX_ERROR_MATCH);
  g_assert_true (g_str_has_prefix (error->message, "drop-lines drop.txt:2: the pattern gave up on a line of 37 bytes"));
  /* The same pattern where it can answer quickly is fine. */
  g_autoptr (DpRecord) ok = dp_record_new ("t", "test", "Body.\naaaa\nMore.", -1, NULL);
  g_clear_error (&error);
  g_assert_true (dp_normalize_record (ok, &opts, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (dp_record_get_text (ok, NULL), ==, "Body.\nMore.");
}

/* ---- alignment ------------------------------------------------------------- */

/* Every word of the normalized text maps to a stretch of the original that,
 * normalized on its own, is that word. */
static void
check_alignment (const char *in, const DpNormalizeOptions *opts)
{
  DpRecord *rec = NULL;
  g_autofree char *out = normalize_with (in, opts, &rec);
  gsize olen;
  const char *orig = dp_record_get_original_text (rec, &olen);
  g_assert_cmpstr (orig, ==, in);
  guint n;
  const DpToken *tokens = dp_record_tokens (rec, &n);
  gsize last_start = 0;
  for (guint i = 0; i < n; i++)
    {
      gsize s, e;
      dp_record_map_to_original (rec, tokens[i].start, tokens[i].end, &s, &e);
      g_assert_cmpuint (s, <=, e);
      g_assert_cmpuint (e, <=, olen);
      g_assert_cmpuint (s, >=, last_start);
      last_start = s;
      g_assert_true (g_utf8_validate_len (orig + s, e - s, NULL));   /* on character boundaries */
      g_autofree char *piece = g_strndup (orig + s, e - s);
      if (tokens[i].kind != DP_TOKEN_WORD || strpbrk (piece, "\n\r") || strstr (piece, "\xe2\x80\xa8")
          || strstr (piece, "\xe2\x80\xa9") || strstr (piece, "\xc2\x85"))
        continue;   /* a word joined across a line break has no standalone form */
      g_autofree char *word = g_strndup (out + tokens[i].start, tokens[i].end - tokens[i].start);
      /* Alone, a word like "Share" would be page furniture. */
      DpNormalizeOptions word_opts = *opts;
      word_opts.drop_furniture = FALSE;
      g_autofree char *alone = normalize_with (piece, &word_opts, NULL);
      g_assert_cmpstr (alone, ==, word);
    }
  dp_record_free (rec);
}

static void
test_alignment_cases (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      DpNormalizeOptions opts;
      dp_normalize_options_init (&opts);
      if (cases[i].setup)
        cases[i].setup (&opts);
      g_test_message ("case %s", cases[i].name);
      check_alignment (cases[i].in, &opts);
    }
}

/* Random text from pieces that exercise every rule. */
static char *
random_text (void)
{
  static const char *const pieces[] = {
    "Iran", "Pyong", "yang", "the", "talks", " ", " ", "  ", "\t", "\n", "\n", "\n\n", "\r\n", "\r",
    "\xc2\xa0", "\xe2\x80\x8b", "\xc2\xad", "\xef\xbb\xbf", "\xe2\x80\x9c", "\xe2\x80\x9d", "\xe2\x80\x99",
    "\xe2\x80\x94", "\xe2\x80\xa6", "e\xcc\x81", "\xc3\xa9", "\xef\xac\x81", "&amp;", "&#8217;", "&x;", "&",
    "-", "inter-\nnational", "international", ".", ",", "\x01", "\xf0\x9f\x98\x80", "\xe2\x80\x8d",
    "Font Size\n", "See also:\n", "    ", "\xe2\x80\xa8", "\xe2\x84\xa6", "1,000.5", "U.S.",
  };
  GString *s = g_string_new (NULL);
  guint n = (guint) g_test_rand_int_range (0, 80);
  for (guint i = 0; i < n; i++)
    g_string_append (s, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
  return g_string_free (s, FALSE);
}

static void
test_random_properties (void)
{
  for (guint i = 0; i < 3000; i++)
    {
      DpNormalizeOptions opts;
      dp_normalize_options_init (&opts);
      opts.nfkc = g_test_rand_bit ();
      opts.fold_punctuation = g_test_rand_bit ();
      opts.reflow = (DpReflow) g_test_rand_int_range (0, 3);
      g_autofree char *in = random_text ();
      g_autofree char *out = normalize_with (in, &opts, NULL);
      g_autofree char *again = normalize_with (out, &opts, NULL);
      if (g_strcmp0 (again, out) != 0)
        g_test_message ("not idempotent (nfkc %d, fold %d, reflow %d) on %s", opts.nfkc,
                        opts.fold_punctuation, opts.reflow, g_strescape (in, NULL));
      g_assert_cmpstr (again, ==, out);
      check_alignment (in, &opts);
    }
}

/* The real thing: the news corpus and the seed articles, when ../shared is there. */
static void
test_real_text (void)
{
  const char *corpus = DP_TEST_SRCDIR "/../shared/data/corpus/news.jsonl";
  g_autofree char *data = NULL;
  if (!g_file_get_contents (corpus, &data, NULL, NULL))
    {
      g_test_skip ("no ../shared corpus");
      return;
    }
  g_auto (GStrv) lines = g_strsplit (data, "\n", 1500);
  g_autoptr (JsonParser) parser = json_parser_new ();
  DpNormalizeOptions opts;
  dp_normalize_options_init (&opts);
  for (guint i = 0; lines[i] && i < 1000; i++)
    {
      if (!json_parser_load_from_data (parser, lines[i], -1, NULL))
        continue;
      const char *text = json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "text");
      g_autofree char *out = normalize_with (text, &opts, NULL);
      g_autofree char *again = normalize_with (out, &opts, NULL);
      g_assert_cmpstr (again, ==, out);
      check_alignment (text, &opts);
    }
}

/* ---- layers ---------------------------------------------------------------- */

/* Normalized text goes through unchanged, and so do its layers, byte for byte. */
static void
test_layers_survive_noop (void)
{
  DpRecord *rec = dp_test_record_from_json (
    "{\"id\":\"n1\",\"text\":\"Title\\n\\nTehran and Pyongyang met, \u00abofficials\u00bb said.\","
    "\"layers\":{\"entities\":[{\"start\":7,\"end\":13,\"label\":\"LOC\"},{\"start\":18,\"end\":27,\"label\":\"LOC\"}],"
    "\"claims\":[{\"start\":7,\"end\":50,\"cue\":{\"start\":45,\"end\":49},\"hedges\":[{\"start\":7,\"end\":13}]}]}}");
  DpNormalizeOptions opts;
  dp_normalize_options_init (&opts);
  opts.reflow = DP_REFLOW_ALWAYS;
  g_autofree char *before = dp_test_record_to_json (rec);
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_normalize_record (rec, &opts, &error));
  g_autofree char *after = dp_test_record_to_json (rec);
  g_assert_cmpstr (after, ==, before);
  dp_record_free (rec);
}

/* Spans over rewritten text follow it; spans over deleted text (page
 * furniture, an invisible character) are dropped and counted in meta. */
static void
test_layers_rewritten (void)
{
  DpRecord *rec = dp_test_record_from_json (
    "{\"id\":\"n2\",\"text\":\"Teh\u00adran &amp; Pyong\u200byang\\nFont Size\\nThe inter-\\nnational \u200b team, an international one.\","
    "\"layers\":{\"entities\":[{\"start\":0,\"end\":7,\"label\":\"LOC\"},{\"start\":8,\"end\":13},"
    "{\"start\":14,\"end\":24,\"label\":\"LOC\",\"cue\":{\"start\":25,\"end\":34}},"
    "{\"start\":39,\"end\":54},{\"start\":55,\"end\":56},{\"start\":57,\"end\":61}]}}");
  DpNormalizeOptions opts;
  dp_normalize_options_init (&opts);
  opts.reflow = DP_REFLOW_ALWAYS;
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_normalize_record (rec, &opts, &error));
  g_assert_no_error (error);
  const char *text = dp_record_get_text (rec, NULL);
  g_assert_cmpstr (text, ==, "Tehran & Pyongyang The international team, an international one.");
  DpLayer *layer = dp_record_get_layer (rec, "entities");
  static const char *const expected[] = { "Tehran", "&", "Pyongyang", "international", "team" };
  g_assert_cmpuint (dp_layer_get_size (layer), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      DpSpan *span = dp_layer_get_span (layer, i);
      g_autofree char *got = g_strndup (text + dp_span_get_start (span), dp_span_get_end (span) - dp_span_get_start (span));
      g_assert_cmpstr (got, ==, expected[i]);
    }
  /* The cue over the furniture line went with it; the zero-width space alone too. */
  g_assert_false (json_object_has_member (dp_span_peek_attrs (dp_layer_get_span (layer, 2)), "cue"));
  g_autofree char *id = dp_span_dup_id (dp_layer_get_span (layer, 4));
  g_assert_cmpstr (id, ==, "entities-6");
  JsonObject *counts = json_object_get_object_member (dp_record_get_meta (rec), "dropped_spans");
  g_assert_cmpint (json_object_get_int_member (counts, "entities"), ==, 2);
  dp_record_free (rec);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);   /* the endless FIFO writer sees its reader go */
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/normalize/rule/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], check_case);
    }
  g_test_add_func ("/normalize/dropped-lines-in-meta", test_dropped_lines_in_meta);
  g_test_add_func ("/normalize/drop-lines/file-errors", test_drop_lines_file_errors);
  g_test_add_func ("/normalize/drop-lines/endless-fifo", test_drop_lines_endless_fifo);
  g_test_add_func ("/normalize/drop-lines/catastrophic", test_drop_lines_catastrophic);
  g_test_add_func ("/normalize/alignment/cases", test_alignment_cases);
  g_test_add_func ("/normalize/layers/survive-noop", test_layers_survive_noop);
  g_test_add_func ("/normalize/layers/rewritten", test_layers_rewritten);
  g_test_add_func ("/normalize/random-properties", test_random_properties);
  g_test_add_func ("/normalize/real-text", test_real_text);
  return g_test_run ();
}
