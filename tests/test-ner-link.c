/* test-ner-link.c — the ner stage's user gazetteers (file format, errors,
 * matching rules, the shipped alias table) and in-document linking (every
 * rule of linking.c, with cases that must and must not link, and a large
 * document that would not finish in time if any step were quadratic). */
#include "usergaz.h"
#include "linking.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

static char *dir;
static GPtrArray *tmp_files;

static char *
write_tmp (const char *name, const char *text, gssize len)
{
  char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, len, NULL));
  g_ptr_array_add (tmp_files, g_strdup (path));
  return path;
}

static GArray *
tokenize (const char *text)
{
  GArray *tokens = g_array_new (FALSE, FALSE, sizeof (DpToken));
  dp_tokenize (text, strlen (text), tokens);
  return tokens;
}

/* ---- user gazetteers: loading ---------------------------------------------- */

/* Loading @text as a file fails with a message that has @want in it. */
static void
assert_load_fails (const char *name, const char *text, gssize len, const char *want)
{
  g_autofree char *path = write_tmp (name, text, len);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpUserGaz) g = dp_user_gaz_load (path, &error);
  g_assert_null (g);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  if (!strstr (error->message, want))
    g_error ("'%s' is not in '%s'", want, error->message);
}

static void
test_gaz_errors (void)
{
  assert_load_fails ("tab.tsv", "# people\nPER\tAli Larijani\nPER Kim Yong-nam\n", -1,
                     "tab.tsv:3: missing tab");
  assert_load_fails ("label.tsv", "\n\nPER\tAli Larijani\nPER:X\tKim\n", -1,
                     "label.tsv:4: bad label 'PER:X'");
  assert_load_fails ("nolabel.tsv", "\tKim\n", -1, "nolabel.tsv:1: empty label");
  assert_load_fails ("noname.tsv", "LOC\tIran\nLOC\t  \t Iran\n", -1, "noname.tsv:2: empty name");
  assert_load_fails ("fields.tsv", "LOC\tIran\tIran\textra\n", -1, "fields.tsv:1: too many fields");
  assert_load_fails ("utf8.tsv", "LOC\tIran\nLOC\tT\xe9h\xe9ran\n", -1, "utf8.tsv:2: not valid UTF-8");
  assert_load_fails ("nul.tsv", "LOC\tIran\nLOC\tIr\0an\n", 19, "nul.tsv:2: not valid UTF-8");
  assert_load_fails ("crlf-bad.tsv", "LOC\tIran\r\nLOC Iraq\r\n", -1, "crlf-bad.tsv:2: missing tab");

  g_autoptr (GError) error = NULL;
  g_assert_null (dp_user_gaz_load ("/nonexistent/people.tsv", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);

  /* A bad file adds nothing, not even its good lines. */
  g_autoptr (DpUserGaz) g = dp_user_gaz_new ();
  const char *good = "LOC\tIran\n", *bad = "LOC\tIraq\nLOC\n";
  g_assert_true (dp_user_gaz_add_data (g, "good", good, strlen (good), NULL));
  g_clear_error (&error);
  g_assert_false (dp_user_gaz_add_data (g, "bad", bad, strlen (bad), &error));
  g_assert_nonnull (strstr (error->message, "bad:2: missing tab"));
  g_assert_cmpuint (dp_user_gaz_size (g), ==, 1);
  g_assert_null (dp_user_gaz_canonical (g, "Iraq", 4, NULL));
}

static void
test_gaz_load (void)
{
  g_autofree char *empty = write_tmp ("empty.tsv", "", 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpUserGaz) e = dp_user_gaz_load (empty, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dp_user_gaz_size (e), ==, 0);

  g_autofree char *path = write_tmp ("people.tsv",
    "\xEF\xBB\xBF# source: test\r\n"
    "\r\n"
    "   # indented comment\r\n"
    "PER\tAli   Larijani\r\n"                       /* CRLF, spacing inside the name */
    " WEAPON_2 \t Shahab-3 \t Shahab 3 missile \r\n" /* fields trimmed */
    "PER\tKim Yong-nam\tKim   Yong-nam\n"            /* canonical collapsed */
    "ORG\tAli Larijani\tsomeone else\n"              /* same name again: first wins */
    "LOC\tNorth Korea",                              /* no final newline */
    -1);
  g_autoptr (DpUserGaz) g = dp_user_gaz_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dp_user_gaz_size (g), ==, 4);
  const char *label = NULL;
  g_assert_cmpstr (dp_user_gaz_canonical (g, "Ali Larijani", 12, &label), ==, "Ali Larijani");
  g_assert_cmpstr (label, ==, "PER");
  g_assert_cmpstr (dp_user_gaz_canonical (g, "Shahab-3", 8, &label), ==, "Shahab 3 missile");
  g_assert_cmpstr (label, ==, "WEAPON_2");
  g_assert_cmpstr (dp_user_gaz_canonical (g, "Kim Yong-nam", 12, NULL), ==, "Kim Yong-nam");
  g_assert_cmpstr (dp_user_gaz_canonical (g, "North Korea", 11, NULL), ==, "North Korea");

  /* A second file adds to the first; names already there keep their entry. */
  const char *more = "LOC\tNorth Korea\tDPRK\nLOC\tIran\n";
  g_assert_true (dp_user_gaz_add_data (g, "more", more, strlen (more), &error));
  g_assert_cmpuint (dp_user_gaz_size (g), ==, 5);
  g_assert_cmpstr (dp_user_gaz_canonical (g, "North Korea", 11, NULL), ==, "North Korea");
  g_assert_cmpstr (dp_user_gaz_canonical (g, "Iran", 4, NULL), ==, "Iran");
}

/* ---- user gazetteers: matching --------------------------------------------- */

static DpUserGaz *
gaz_from (const char *text)
{
  g_autoptr (GError) error = NULL;
  DpUserGaz *g = dp_user_gaz_new ();
  g_assert_true (dp_user_gaz_add_data (g, "test", text, strlen (text), &error));
  g_assert_no_error (error);
  return g;
}

/* The matches in @text as "label:surface=canonical|…". */
static char *
find_all (const DpUserGaz *g, const char *text)
{
  g_autoptr (GArray) tokens = tokenize (text);
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (DpUserGazMatch));
  dp_user_gaz_find (g, text, (const DpToken *) tokens->data, tokens->len, out);
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < out->len; i++)
    {
      const DpUserGazMatch *m = &g_array_index (out, DpUserGazMatch, i);
      const DpToken *t = &g_array_index (tokens, DpToken, m->first_token);
      g_assert_cmpuint (m->start, ==, t[0].start);
      g_assert_cmpuint (m->end, ==, t[m->n_tokens - 1].end);
      g_string_append_printf (s, "%s%s:%.*s=%s", i ? "|" : "", m->label,
                              (int) (m->end - m->start), text + m->start, m->canonical);
    }
  return g_string_free (s, FALSE);
}

#define assert_finds(g, text, want) \
  G_STMT_START { g_autofree char *got_ = find_all (g, text); g_assert_cmpstr (got_, ==, want); } G_STMT_END

static void
test_gaz_match (void)
{
  g_autoptr (DpUserGaz) g = gaz_from (
    "LOC\tKorea\n"
    "LOC\tNorth Korea\n"
    "ORG\tNorth Korea Institute\tNKI\n"
    "MISC\tA B\n"
    "MISC\tB C\n"
    "WEAPON\tShahab-3\n"
    "ORG\tAT&T\n");

  /* Across line breaks and runs of spaces, not across a paragraph break. */
  assert_finds (g, "in North   \n  Korea today", "LOC:North   \n  Korea=North Korea");
  assert_finds (g, "North\n\nKorea", "LOC:Korea=Korea");
  /* Longest match wins; a shorter entry still matches on its own. */
  assert_finds (g, "the North Korea Institute and Korea",
                "ORG:North Korea Institute=NKI|LOC:Korea=Korea");
  assert_finds (g, "North Korea Institutes", "LOC:North Korea=North Korea");
  /* Left to right, no overlaps: "A B" takes B, so "B C" cannot match. */
  assert_finds (g, "A B C", "MISC:A B=A B");
  assert_finds (g, "x B C A", "MISC:B C=B C");
  /* Token boundaries: a name is never found inside a token. */
  assert_finds (g, "Shahab-3s and Shahab-3.", "WEAPON:Shahab-3=Shahab-3");
  assert_finds (g, "AT & T", "ORG:AT & T=AT&T");
  assert_finds (g, "", "");
}

static void
test_gaz_case (void)
{
  g_autoptr (DpUserGaz) g = gaz_from (
    "PER\tkim yong-nam\tKim Yong-nam\n"
    "ORG\tApple\n"
    "LOC\tUS\tUnited States\n"
    "ORG\tRed Cross\tfirst\n"
    "MISC\tRED CROSS\tcapitals\n"
    "ORG\tred cross\tlower\n"
    "LOC\tNorth Korea\n");

  /* Multi-word names: case-folded when the text has a capital letter. */
  assert_finds (g, "Kim Yong-Nam met", "PER:Kim Yong-Nam=Kim Yong-nam");
  assert_finds (g, "KIM YONG-NAM MET", "PER:KIM YONG-NAM=Kim Yong-nam");
  assert_finds (g, "kim yong-nam met", "PER:kim yong-nam=Kim Yong-nam");   /* exact */
  assert_finds (g, "north korea and North korea", "LOC:North korea=North Korea");
  /* Single tokens: exact case only. */
  assert_finds (g, "Apple and apple and APPLE", "ORG:Apple=Apple");
  assert_finds (g, "the US and us", "LOC:US=United States");
  /* An exact match beats a folded one; among folded ones, the first entry. */
  assert_finds (g, "RED CROSS", "MISC:RED CROSS=capitals");
  assert_finds (g, "red cross", "ORG:red cross=lower");
  assert_finds (g, "Red cross", "ORG:Red cross=first");
  assert_finds (g, "red Cross", "ORG:red Cross=first");

  g_assert_cmpstr (dp_user_gaz_canonical (g, "KIM\nYONG-NAM", 12, NULL), ==, "Kim Yong-nam");
  g_assert_cmpstr (dp_user_gaz_canonical (g, "US", 2, NULL), ==, "United States");
  g_assert_null (dp_user_gaz_canonical (g, "Us", 2, NULL));
  g_assert_null (dp_user_gaz_canonical (g, "APPLE", 5, NULL));
  g_assert_null (dp_user_gaz_canonical (g, "north korea", 11, NULL));
  g_assert_null (dp_user_gaz_canonical (g, "Apple Inc", 9, NULL));   /* the whole name only */
  g_assert_null (dp_user_gaz_canonical (g, "", 0, NULL));
}

/* The shipped alias table: every name of a country -> its common name. */
static void
test_aliases (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpUserGaz) g = dp_user_gaz_load (DP_TEST_SRCDIR "/plugins/ner/data/aliases.tsv", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dp_user_gaz_size (g), >, 500);
  static const char *const pairs[][2] = {
    { "DPRK", "North Korea" },
    { "Democratic People's Republic of Korea", "North Korea" },
    { "North Korea", "North Korea" },
    { "NORTH KOREA", "North Korea" },
    { "Republic of Korea", "South Korea" },
    { "Islamic Republic of Iran", "Iran" },
    { "U.S.", "United States" },
    { "US", "United States" },
    { "USA", "United States" },
    { "United States of America", "United States" },
    { "UK", "United Kingdom" },
    { "Great Britain", "United Kingdom" },
    { "Congo", "Congo" },                 /* a country's own name wins */
    { "Burma", "Myanmar" },
    /* skipped: ambiguous, other ISO codes, lower-case forms, former countries */
    { "Korea", NULL }, { "IN", NULL }, { "IT", NULL }, { "us", NULL }, { "USSR", NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      const char *label = NULL;
      g_assert_cmpstr (dp_user_gaz_canonical (g, pairs[i][0], strlen (pairs[i][0]), &label), ==, pairs[i][1]);
      if (pairs[i][1])
        g_assert_cmpstr (label, ==, "LOC");
    }
}

/* 100,000 lines load, and every name is found in a document that lists them;
 * lookups from several threads at once give the same answer. */
typedef struct {
  const DpUserGaz *g;
  const char *text;
  const GArray *tokens;
  guint found;
} FindJob;

static gpointer
find_job (gpointer data)
{
  FindJob *job = data;
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (DpUserGazMatch));
  dp_user_gaz_find (job->g, job->text, (const DpToken *) job->tokens->data, job->tokens->len, out);
  job->found = out->len;
  return NULL;
}

static void
test_gaz_large (void)
{
  const guint n = 100000;
  g_autoptr (GString) file = g_string_new ("# generated\n");
  g_autoptr (GString) doc = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      /* "Qbcd Kim" … and every tenth a three-token name sharing the first token */
      char name[8] = { 'Q', (char) ('a' + i % 26), (char) ('a' + i / 26 % 26),
                       (char) ('a' + i / 676 % 26), (char) ('a' + i / 17576 % 26), 0 };
      if (i % 10 == 0)
        g_string_append_printf (file, "ORG\t%s Kim Group\n", name);
      else
        g_string_append_printf (file, "PER\t%s Kim\t%s Kim %u\n", name, name, i);
      g_string_append_printf (doc, "%s Kim%s said %s", name, i % 10 == 0 ? " Group" : "",
                              i % 7 == 0 ? "\n" : "");
    }
  g_autofree char *path = write_tmp ("large.tsv", file->str, (gssize) file->len);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpUserGaz) g = dp_user_gaz_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dp_user_gaz_size (g), ==, n);

  g_autoptr (GArray) tokens = tokenize (doc->str);
  FindJob jobs[4];
  GThread *threads[G_N_ELEMENTS (jobs)];
  for (guint t = 0; t < G_N_ELEMENTS (jobs); t++)
    {
      jobs[t] = (FindJob) { g, doc->str, tokens, 0 };
      threads[t] = g_thread_new ("find", find_job, &jobs[t]);
    }
  for (guint t = 0; t < G_N_ELEMENTS (jobs); t++)
    {
      g_thread_join (threads[t]);
      g_assert_cmpuint (jobs[t].found, ==, n);
    }
  g_assert_cmpstr (dp_user_gaz_canonical (g, "Qbaaa Kim", 9, NULL), ==, "Qbaaa Kim 1");
  g_assert_cmpstr (dp_user_gaz_canonical (g, "QAAAA KIM GROUP", 15, NULL), ==, "Qaaaa Kim Group");
}

/* The matches of @g in @text as "label:text" joined by '|'. */
static char *
matches_of (const DpUserGaz *g, const char *text)
{
  g_autoptr (GArray) tokens = tokenize (text);
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (DpUserGazMatch));
  dp_user_gaz_find (g, text, (const DpToken *) tokens->data, tokens->len, out);
  g_autoptr (GString) s = g_string_new (NULL);
  for (guint i = 0; i < out->len; i++)
    {
      const DpUserGazMatch *m = &g_array_index (out, DpUserGazMatch, i);
      g_string_append_printf (s, "%s%s:%.*s", i ? "|" : "", m->label, (int) (m->end - m->start), text + m->start);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* Files a user may hand over by mistake or on purpose: names of thousands of
 * words (refused: a lookup walks at most DP_USER_GAZ_MAX_TOKENS tokens),
 * binary junk, names as long as allowed, a huge one-token name, and many
 * names sharing their first words, found as before. */
static void
test_gaz_hostile (void)
{
  g_autoptr (GString) text = g_string_new ("PER\tKim Yong-nam\nMISC\t");
  for (guint k = 0; k < 1000; k++)
    g_string_append (text, "word ");
  g_string_append (text, "\n");
  assert_load_fails ("long.tsv", text->str, -1, "long.tsv:2: name of 1000 tokens (at most 64)");

  static const char junk[] = "PER\tKim\n\x7f" "ELF\x02\x01\x01\0\0\0\x89PNG\r\n\x1a\n\xff\xfe\t\xc3\x28";
  assert_load_fails ("junk.tsv", junk, sizeof junk - 1, "junk.tsv:2: not valid UTF-8");

  /* Not regular files: a FIFO (reading it would wait for a writer forever)
   * and a directory. */
  g_autofree char *fifo = g_build_filename (g_get_tmp_dir (), "docpipe-gaz-fifo-XXXXXX", NULL);
  g_autofree char *fifo_dir = g_mkdtemp (g_strdup (fifo));
  g_autofree char *fifo_path = g_build_filename (fifo_dir, "names.tsv", NULL);
  g_assert_cmpint (mkfifo (fifo_path, 0600), ==, 0);
  g_autoptr (GError) fifo_error = NULL;
  g_assert_null (dp_user_gaz_load (fifo_path, &fifo_error));
  g_assert_error (fifo_error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_assert_nonnull (strstr (fifo_error->message, "names.tsv: not a regular file"));
  g_clear_error (&fifo_error);
  g_assert_null (dp_user_gaz_load (fifo_dir, &fifo_error));
  g_assert_nonnull (strstr (fifo_error->message, "not a regular file"));
  g_remove (fifo_path);
  g_rmdir (fifo_dir);

  /* As many tokens as allowed; a one-token name of 1 MB. */
  g_string_assign (text, "MISC\t");
  g_autoptr (GString) doc = g_string_new ("Look: ");
  for (guint k = 0; k < DP_USER_GAZ_MAX_TOKENS; k++)
    {
      g_string_append_printf (text, "W%u ", k);
      g_string_append_printf (doc, "W%u ", k);
    }
  g_string_append (text, "\nLOC\t");
  g_string_append (doc, "and ");
  for (guint k = 0; k < 1024 * 1024; k++)
    {
      g_string_append_c (text, (char) ('a' + k % 26));
      g_string_append_c (doc, (char) ('a' + k % 26));
    }
  g_string_append (text, "\n");
  g_string_append (doc, " end");
  g_autofree char *path = write_tmp ("longest.tsv", text->str, (gssize) text->len);
  g_autoptr (GError) error = NULL;
  g_autoptr (DpUserGaz) g = dp_user_gaz_load (path, &error);
  g_assert_no_error (error);
  g_autofree char *found = matches_of (g, doc->str);
  g_assert_true (g_str_has_prefix (found, "MISC:W0 W1 W2 "));
  g_assert_nonnull (strstr (found, "W63|LOC:abcdefghij"));

  /* Thousands of names beginning "The Republic of", and one that is only that. */
  g_string_assign (text, "LOC\tThe Republic\n");
  for (guint i = 0; i < 5000; i++)
    g_string_append_printf (text, "ORG\tThe Republic of Q%u\n", i);
  g_string_append (text, "MISC\tThe Republic of Q17\n");   /* a duplicate: the first wins */
  g_autofree char *many = write_tmp ("many.tsv", text->str, (gssize) text->len);
  g_autoptr (DpUserGaz) m = dp_user_gaz_load (many, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dp_user_gaz_size (m), ==, 5001);
  g_autofree char *seen = matches_of (m, "The Republic of Q17 and The Republic of Qx and THE REPUBLIC OF Q4999 "
                                         "and the republic of q3 and The Republic of\n\nQ5.");
  g_assert_cmpstr (seen, ==, "ORG:The Republic of Q17|LOC:The Republic|ORG:THE REPUBLIC OF Q4999|LOC:The Republic");
}

/* ---- linking --------------------------------------------------------------- */

typedef struct {
  const char *surface;   /* found in the text … */
  guint nth;             /* … at its nth (0-based) occurrence */
  const char *label;
  const char *given;
} Spec;

typedef struct {
  const char *text;
  GArray *tokens;
  DpNerMention *m;
  guint n;
} Doc;

static void
doc_clear (Doc *d)
{
  dp_ner_mentions_clear (d->m, d->n);
  g_free (d->m);
  g_array_unref (d->tokens);
}

/* Makes the mentions of @specs in @text and links them. */
static void
link_doc (Doc *d, const char *text, const Spec *specs, guint n)
{
  d->text = text;
  d->tokens = tokenize (text);
  d->m = g_new0 (DpNerMention, n);
  d->n = n;
  const DpToken *t = (const DpToken *) d->tokens->data;
  for (guint i = 0; i < n; i++)
    {
      const char *at = text - 1;
      for (guint k = 0; k <= specs[i].nth; k++)
        {
          at = strstr (at + 1, specs[i].surface);
          g_assert_nonnull (at);
        }
      guint32 start = (guint32) (at - text), end = start + (guint32) strlen (specs[i].surface);
      guint first = 0, last = 0;
      while (first < d->tokens->len && t[first].start < start)
        first++;
      for (last = first; last < d->tokens->len && t[last].end < end; last++)
        ;
      g_assert_cmpuint (last, <, d->tokens->len);
      g_assert_cmpuint (t[first].start, ==, start);
      g_assert_cmpuint (t[last].end, ==, end);
      d->m[i] = (DpNerMention) { start, end, first, last - first + 1, specs[i].label, specs[i].given };
    }
  dp_ner_link (text, t, d->m, n);
}

#define LINK(d, text, ...) \
  G_STMT_START { static const Spec specs_[] = { __VA_ARGS__ }; \
                 link_doc (d, text, specs_, G_N_ELEMENTS (specs_)); } G_STMT_END

#define assert_mention(d, i, want_canonical, want_cluster) \
  G_STMT_START { g_assert_cmpstr ((d)->m[i].canonical, ==, want_canonical); \
                 g_assert_cmpuint ((d)->m[i].cluster, ==, want_cluster); } G_STMT_END

static void
test_link_given (void)
{
  Doc d;
  /* Rule 1 with given canonicals: DPRK -> North Korea, with the plain name. */
  LINK (&d, "North Korea, or the DPRK, and Pyongyang. The Democratic People's Republic of Korea.",
        { "North Korea", 0, "LOC", NULL },
        { "DPRK", 0, "LOC", "North Korea" },
        { "Pyongyang", 0, "LOC", NULL },
        { "Democratic People's Republic of Korea", 0, "LOC", "North Korea" });
  assert_mention (&d, 0, "North Korea", 1);
  assert_mention (&d, 1, "North Korea", 1);
  assert_mention (&d, 2, "Pyongyang", 2);
  assert_mention (&d, 3, "North Korea", 1);
  doc_clear (&d);

  /* The given canonical wins over a longer surface; case of the name aside. */
  LINK (&d, "NORTH KOREA said the DPRK would",
        { "NORTH KOREA", 0, "LOC", NULL },
        { "DPRK", 0, "LOC", "North Korea" });
  assert_mention (&d, 0, "North Korea", 1);
  assert_mention (&d, 1, "North Korea", 1);
  doc_clear (&d);

  /* Rule 2: both given, equal -> linked across labels; a mention without one
   * stays within its label. */
  LINK (&d, "Jordan said Jordan's king and North Korea said the DPRK",
        { "Jordan", 0, "PER", NULL },
        { "Jordan", 1, "LOC", "Jordan" },
        { "North Korea", 0, "ORG", "North Korea" },
        { "DPRK", 0, "LOC", "North Korea" });
  assert_mention (&d, 0, "Jordan", 1);
  assert_mention (&d, 1, "Jordan", 2);
  assert_mention (&d, 2, "North Korea", 3);
  assert_mention (&d, 3, "North Korea", 3);
  doc_clear (&d);
}

static void
test_link_surface (void)
{
  Doc d;
  /* Whitespace collapsed; case-insensitive equality; first mixed-case form,
   * mixed over capitals over none. */
  LINK (&d, "KIM YONG-NAM met North\n   Korea. Kim Yong-Nam and kim yong-nam and Kim Yong-nam.",
        { "KIM YONG-NAM", 0, "PER", NULL },
        { "North\n   Korea", 0, "LOC", NULL },
        { "Kim Yong-Nam", 0, "PER", NULL },
        { "kim yong-nam", 0, "PER", NULL },
        { "Kim Yong-nam", 0, "PER", NULL });
  assert_mention (&d, 0, "Kim Yong-Nam", 1);
  assert_mention (&d, 1, "North Korea", 2);
  assert_mention (&d, 2, "Kim Yong-Nam", 1);
  assert_mention (&d, 3, "Kim Yong-Nam", 1);
  assert_mention (&d, 4, "Kim Yong-Nam", 1);
  doc_clear (&d);

  LINK (&d, "iran and IRAN", { "iran", 0, "LOC", NULL }, { "IRAN", 0, "LOC", NULL });
  assert_mention (&d, 0, "IRAN", 1);
  assert_mention (&d, 1, "IRAN", 1);
  doc_clear (&d);

  /* Different labels, same surface: not linked. */
  LINK (&d, "Washington said Washington",
        { "Washington", 0, "LOC", NULL }, { "Washington", 1, "PER", NULL });
  assert_mention (&d, 0, "Washington", 1);
  assert_mention (&d, 1, "Washington", 2);
  doc_clear (&d);
}

static void
test_link_per (void)
{
  Doc d;
  /* Surname, with and without a title; canonical = the full name, titles dropped. */
  LINK (&d, "Larijani spoke. President Ali Larijani said Mr. Larijani and MR. LARIJANI agree.",
        { "Larijani", 0, "PER", NULL },
        { "President Ali Larijani", 0, "PER", NULL },
        { "Mr. Larijani", 0, "PER", NULL },
        { "MR. LARIJANI", 0, "PER", NULL });
  for (guint i = 0; i < 4; i++)
    assert_mention (&d, i, "Ali Larijani", 1);
  doc_clear (&d);

  /* Several full names: the nearest before, else the first after. */
  LINK (&d, "Larijani first. Ali Larijani, then Larijani. Sadegh Larijani, then Larijani and Van Rompuy "
            "of Herman Van Rompuy.",
        { "Larijani", 0, "PER", NULL },
        { "Ali Larijani", 0, "PER", NULL },
        { "Larijani", 2, "PER", NULL },
        { "Sadegh Larijani", 0, "PER", NULL },
        { "Larijani", 4, "PER", NULL },
        { "Van Rompuy", 0, "PER", NULL },
        { "Herman Van Rompuy", 0, "PER", NULL });
  assert_mention (&d, 0, "Ali Larijani", 1);
  assert_mention (&d, 1, "Ali Larijani", 1);
  assert_mention (&d, 2, "Ali Larijani", 1);
  assert_mention (&d, 3, "Sadegh Larijani", 2);
  assert_mention (&d, 4, "Sadegh Larijani", 2);
  assert_mention (&d, 5, "Herman Van Rompuy", 3);
  assert_mention (&d, 6, "Herman Van Rompuy", 3);
  doc_clear (&d);

  /* Family name first: only when every longer name it starts is the same. */
  LINK (&d, "Kim Yong-nam met KIM YONG-NAM. Kim said",
        { "Kim Yong-nam", 0, "PER", NULL },
        { "KIM YONG-NAM", 0, "PER", NULL },
        { "Kim", 1, "PER", NULL });
  assert_mention (&d, 2, "Kim Yong-nam", 1);
  doc_clear (&d);
  LINK (&d, "Kim Jong-un met Kim Yong-nam. Kim said",
        { "Kim Jong-un", 0, "PER", NULL },
        { "Kim Yong-nam", 0, "PER", NULL },
        { "Kim", 2, "PER", NULL });
  assert_mention (&d, 0, "Kim Jong-un", 1);
  assert_mention (&d, 1, "Kim Yong-nam", 2);
  assert_mention (&d, 2, "Kim", 3);
  doc_clear (&d);
  /* A surname match comes before a family-name-first one. */
  LINK (&d, "Kim Jong-un met Daniel Kim. Kim said",
        { "Kim Jong-un", 0, "PER", NULL },
        { "Daniel Kim", 0, "PER", NULL },
        { "Kim", 2, "PER", NULL });
  assert_mention (&d, 2, "Daniel Kim", 2);
  doc_clear (&d);

  /* Not linked: another label, a name in the middle, a given canonical. */
  LINK (&d, "Hassan Feridon Rouhani and the Rouhani Foundation; Feridon; Rouhani; Rouhani",
        { "Hassan Feridon Rouhani", 0, "PER", NULL },
        { "Rouhani Foundation", 0, "ORG", NULL },
        { "Rouhani", 2, "ORG", NULL },          /* ORG has no surname rule */
        { "Feridon", 1, "PER", NULL },          /* a middle name */
        { "Rouhani", 3, "PER", "Rouhani (cleric)" });
  assert_mention (&d, 0, "Hassan Feridon Rouhani", 1);
  assert_mention (&d, 1, "Rouhani Foundation", 2);
  assert_mention (&d, 2, "Rouhani", 4);
  assert_mention (&d, 3, "Feridon", 3);
  assert_mention (&d, 4, "Rouhani (cleric)", 5);
  doc_clear (&d);

  /* A title alone is a name, not nothing. */
  LINK (&d, "the President said", { "President", 0, "PER", NULL });
  assert_mention (&d, 0, "President", 1);
  doc_clear (&d);
}

static void
test_link_org (void)
{
  Doc d;
  LINK (&d, "The IRGC, the Islamic Revolutionary Guard Corps, and OPEC, the Organization of the "
            "Petroleum Exporting Countries, and the U.N. (United Nations) and AT&T and Bosnia & Co",
        { "IRGC", 0, "ORG", NULL },
        { "Islamic Revolutionary Guard Corps", 0, "ORG", NULL },
        { "OPEC", 0, "ORG", NULL },
        { "Organization of the Petroleum Exporting Countries", 0, "ORG", NULL },
        { "U.N.", 0, "ORG", NULL },
        { "United Nations", 0, "ORG", NULL });
  assert_mention (&d, 0, "Islamic Revolutionary Guard Corps", 1);
  assert_mention (&d, 1, "Islamic Revolutionary Guard Corps", 1);
  assert_mention (&d, 2, "Organization of the Petroleum Exporting Countries", 2);
  assert_mention (&d, 3, "Organization of the Petroleum Exporting Countries", 2);
  assert_mention (&d, 4, "United Nations", 3);
  assert_mention (&d, 5, "United Nations", 3);
  doc_clear (&d);

  /* Not linked: wrong initials, lower case, too long, another label, one word. */
  LINK (&d, "Islamic Revolutionary Guard Corps; IRNA; Irgc; IRGC; ABCDEFG; A Bb Cc Dd Ee Ff Gg; "
            "Corps; National Iranian Oil Company; NIOC",
        { "Islamic Revolutionary Guard Corps", 0, "ORG", NULL },
        { "IRNA", 0, "ORG", NULL },
        { "Irgc", 0, "ORG", NULL },
        { "IRGC", 0, "WEAPON", NULL },
        { "ABCDEFG", 0, "ORG", NULL },
        { "A Bb Cc Dd Ee Ff Gg", 0, "ORG", NULL },
        { "Corps", 1, "ORG", NULL },
        { "National Iranian Oil Company", 0, "LOC", NULL },
        { "NIOC", 0, "ORG", NULL });
  for (guint i = 0; i < d.n; i++)
    g_assert_cmpuint (d.m[i].cluster, ==, i + 1);
  assert_mention (&d, 1, "IRNA", 2);
  assert_mention (&d, 8, "NIOC", 9);
  doc_clear (&d);

  /* An acronym the model called a place or a person is the ORG's. */
  LINK (&d, "Islamic Revolutionary Guard Corps (IRGC) ... the IRGC, KOMID",
        { "Islamic Revolutionary Guard Corps", 0, "ORG", NULL },
        { "IRGC", 0, "LOC", NULL },
        { "IRGC", 1, "PER", NULL },
        { "KOMID", 0, "LOC", NULL });
  assert_mention (&d, 1, "Islamic Revolutionary Guard Corps", 1);
  assert_mention (&d, 2, "Islamic Revolutionary Guard Corps", 1);
  g_assert_cmpstr (d.m[1].label, ==, "ORG");
  g_assert_cmpstr (d.m[2].label, ==, "ORG");
  g_assert_cmpstr (d.m[3].label, ==, "LOC");   /* no long form: left alone */
  doc_clear (&d);

  /* Two long forms with the same initials: the nearest one before. */
  LINK (&d, "Iran Red Guard Council (IRGC). Islamic Revolutionary Guard Corps: IRGC",
        { "Iran Red Guard Council", 0, "ORG", NULL },
        { "IRGC", 0, "ORG", NULL },
        { "Islamic Revolutionary Guard Corps", 0, "ORG", NULL },
        { "IRGC", 1, "ORG", NULL });
  assert_mention (&d, 1, "Iran Red Guard Council", 1);
  assert_mention (&d, 3, "Islamic Revolutionary Guard Corps", 2);
  doc_clear (&d);
}

static void
test_link_temporal (void)
{
  Doc d;
  LINK (&d, "On Monday, May said MONDAY and Tuesday; Monday again in May",
        { "Monday", 0, "DATE", NULL },
        { "May", 0, "PER", NULL },
        { "MONDAY", 0, "DATE", NULL },
        { "Tuesday", 0, "DATE", NULL },
        { "Monday", 1, "DATE", NULL },
        { "May", 1, "DATE", NULL });
  assert_mention (&d, 0, "Monday", 1);
  assert_mention (&d, 1, "May", 2);
  assert_mention (&d, 2, "Monday", 1);
  assert_mention (&d, 3, "Tuesday", 3);
  assert_mention (&d, 4, "Monday", 1);
  assert_mention (&d, 5, "May", 4);
  doc_clear (&d);
}

/* Clusters are numbered by first mention in the text, whatever the order of
 * the array; linking twice gives the same result (and frees the first). */
static void
test_link_order (void)
{
  Doc d;
  LINK (&d, "Iran, Iraq, Iran, Syria, Iraq.",
        { "Iraq", 1, "LOC", NULL },
        { "Syria", 0, "LOC", NULL },
        { "Iran", 1, "LOC", NULL },
        { "Iraq", 0, "LOC", NULL },
        { "Iran", 0, "LOC", NULL });
  const guint want[] = { 2, 3, 1, 2, 1 };
  for (int pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < d.n; i++)
        g_assert_cmpuint (d.m[i].cluster, ==, want[i]);
      dp_ner_link (d.text, (const DpToken *) d.tokens->data, d.m, d.n);
    }
  doc_clear (&d);
  dp_ner_link ("", NULL, NULL, 0);
}

/* A 10 MB document with 200,000 mentions, built so that a quadratic step
 * anywhere (every short form against every long name, every acronym against
 * every long form, every mention against its equal-surface peers) would need
 * 10^10 operations and run into the test timeout instead of finishing in
 * about a second: 40,000 distinct "<first> Kim" names each followed by a
 * "Kim" (and half of them by a second one after a "Kim <given>" name, which
 * has the surname reading too), 20,000 ORG long forms with the same initials
 * each followed by their acronym, and 40,000 equal LOC mentions. */
static void
test_link_large (void)
{
  const guint rounds = 20000;
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GArray) specs = g_array_new (FALSE, FALSE, sizeof (DpNerMention));
  for (guint i = 0; i < rounds * 2; i++)
    {
      char name[6] = { 'Q', (char) ('a' + i % 26), (char) ('a' + i / 26 % 26),
                       (char) ('a' + i / 676 % 26), (char) ('a' + i / 17576 % 26), 0 };
      struct { const char *before, *surface, *label; } parts[] = {
        { "Officials said ", NULL, "PER" },     /* "<name> Kim" */
        { " met ", "Kim", "PER" },
        { " in ", "North Korea", "LOC" },
        { ", and ", NULL, "PER" },             /* "Kim <name>", every other round */
        { " and the ", "Kim", "PER" },
        { " of the ", "Iran Red Guard Council", "ORG" },
        { " or ", "IRGC", "ORG" },
      };
      guint n_parts = i % 2 == 0 ? G_N_ELEMENTS (parts) : 3;
      for (guint p = 0; p < n_parts; p++)
        {
          g_string_append (text, parts[p].before);
          guint32 start = (guint32) text->len;
          if (p == 0)
            g_string_append_printf (text, "%s Kim", name);
          else if (p == 3)
            g_string_append_printf (text, "Kim %s", name);
          else
            g_string_append (text, parts[p].surface);
          DpNerMention m = { start, (guint32) text->len, 0, 0, parts[p].label, NULL };
          g_array_append_val (specs, m);
        }
      g_string_append (text, ". Nothing else happened there that day, by all the accounts that "
                             "reached the newsroom before the deadline; the officials who were asked "
                             "declined to comment further, and a statement is expected next week.\n");
    }
  g_assert_cmpuint (specs->len, ==, 200000);
  g_assert_cmpuint (text->len, >, 10000000);

  /* Token ranges: one pass, mentions and tokens are both in text order. */
  g_autoptr (GArray) tokens = g_array_new (FALSE, FALSE, sizeof (DpToken));
  dp_tokenize (text->str, text->len, tokens);
  const DpToken *t = (const DpToken *) tokens->data;
  DpNerMention *m = (DpNerMention *) specs->data;
  guint k = 0;
  for (guint i = 0; i < specs->len; i++)
    {
      while (t[k].start < m[i].start)
        k++;
      m[i].first_token = k;
      while (t[k].end < m[i].end)
        k++;
      m[i].n_tokens = k - m[i].first_token + 1;
    }
  dp_ner_link (text->str, t, m, specs->len);

  guint clusters = 0, at = 0;
  for (guint i = 0; i < rounds * 2; i++)
    {
      DpNerMention *r = &m[at];
      /* the full name opens a new cluster; its "Kim" joins it */
      g_assert_cmpuint (r[0].cluster, ==, clusters + 1);
      clusters++;
      g_assert_cmpuint (r[1].cluster, ==, r[0].cluster);
      g_assert_cmpstr (r[1].canonical, ==, r[0].canonical);
      g_assert_cmpuint (r[2].cluster, ==, i == 0 ? 2 : m[2].cluster);
      if (i == 0)
        clusters++;
      if (i % 2 == 0)
        {
          g_assert_cmpuint (r[3].cluster, ==, clusters + 1);   /* Kim <name> */
          clusters++;
          /* the same "Kim" as in parts[1]: a surname, so linked to <name> Kim */
          g_assert_cmpuint (r[4].cluster, ==, r[0].cluster);
          g_assert_cmpuint (r[5].cluster, ==, i == 0 ? 4 : m[5].cluster);
          g_assert_cmpuint (r[6].cluster, ==, r[5].cluster);
          if (i == 0)
            clusters++;
          at += 7;
        }
      else
        at += 3;
    }
  g_assert_cmpuint (at, ==, specs->len);
  g_assert_cmpstr (m[6].canonical, ==, "Iran Red Guard Council");
  dp_ner_mentions_clear (m, specs->len);
}

/* Family-name-first "Kim" with no surname reading, at scale: always ambiguous. */
static void
test_link_large_ambiguous (void)
{
  const guint n = 50000;
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GArray) specs = g_array_new (FALSE, FALSE, sizeof (DpNerMention));
  for (guint i = 0; i < n; i++)
    {
      char name[6] = { 'Q', (char) ('a' + i % 26), (char) ('a' + i / 26 % 26),
                       (char) ('a' + i / 676 % 26), (char) ('a' + i / 17576 % 26), 0 };
      g_string_append (text, "Yesterday ");
      DpNerMention full = { (guint32) text->len, 0, 0, 0, "PER", NULL };
      g_string_append_printf (text, "Kim %s", name);
      full.end = (guint32) text->len;
      g_string_append (text, " and ");
      DpNerMention kim = { (guint32) text->len, (guint32) text->len + 3, 0, 0, "PER", NULL };
      g_string_append (text, "Kim spoke.\n");
      g_array_append_val (specs, full);
      g_array_append_val (specs, kim);
    }
  g_autoptr (GArray) tokens = g_array_new (FALSE, FALSE, sizeof (DpToken));
  dp_tokenize (text->str, text->len, tokens);
  const DpToken *t = (const DpToken *) tokens->data;
  DpNerMention *m = (DpNerMention *) specs->data;
  guint k = 0;
  for (guint i = 0; i < specs->len; i++)
    {
      while (t[k].start < m[i].start)
        k++;
      m[i].first_token = k;
      while (t[k].end < m[i].end)
        k++;
      m[i].n_tokens = k - m[i].first_token + 1;
    }
  dp_ner_link (text->str, t, m, specs->len);
  /* n distinct full names, then the one cluster of all the "Kim"s (second). */
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (m[2 * i].cluster, ==, i == 0 ? 1 : i + 2);
      g_assert_cmpuint (m[2 * i + 1].cluster, ==, 2);
      g_assert_cmpstr (m[2 * i + 1].canonical, ==, "Kim");
    }
  dp_ner_mentions_clear (m, specs->len);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("docpipe-ner-link-XXXXXX", NULL);
  tmp_files = g_ptr_array_new_with_free_func (g_free);
  g_test_add_func ("/ner/usergaz/errors", test_gaz_errors);
  g_test_add_func ("/ner/usergaz/load", test_gaz_load);
  g_test_add_func ("/ner/usergaz/match", test_gaz_match);
  g_test_add_func ("/ner/usergaz/case", test_gaz_case);
  g_test_add_func ("/ner/usergaz/aliases", test_aliases);
  g_test_add_func ("/ner/usergaz/large", test_gaz_large);
  g_test_add_func ("/ner/usergaz/hostile", test_gaz_hostile);
  g_test_add_func ("/ner/link/given", test_link_given);
  g_test_add_func ("/ner/link/surface", test_link_surface);
  g_test_add_func ("/ner/link/per", test_link_per);
  g_test_add_func ("/ner/link/org", test_link_org);
  g_test_add_func ("/ner/link/temporal", test_link_temporal);
  g_test_add_func ("/ner/link/order", test_link_order);
  g_test_add_func ("/ner/link/large", test_link_large);
  g_test_add_func ("/ner/link/large-ambiguous", test_link_large_ambiguous);
  int status = g_test_run ();
  for (guint i = 0; i < tmp_files->len; i++)
    g_remove (g_ptr_array_index (tmp_files, i));
  g_ptr_array_unref (tmp_files);
  g_rmdir (dir);
  g_free (dir);
  return status;
}
