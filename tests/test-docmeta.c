/* test-docmeta.c — a table of news-text openings and the meta object
 * dp_docmeta_extract() must produce for each, plus robustness checks
 * (window edges, truncated UTF-8, a huge line, random text). */
#include "docmeta.h"
#include "test-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- table ------------------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *text;
  const char *initial;   /* meta before extraction (JSON object), or NULL */
  const char *expected;  /* the whole meta object afterwards */
} MetaCase;

#define GOODENOUGH_TITLE \
  "North Korea Strengthening Ties With Iran: \xe2\x80\x98Tehran and Pyongyang Have a Common Enemy\xe2\x80\x99"

static const MetaCase cases[] = {
  /* titles and bylines */
  { "cnsnews",
    GOODENOUGH_TITLE "\n\nPatrick Goodenough | August 9, 2017 | 3:32am EDT\n\n"
    "LONDON \xe2\x80\x94 Kim Jong Un\xe2\x80\x99s top diplomat met Iranian officials\xe2\x80\xa6\n",
    NULL,
    "{\"title\":\"" GOODENOUGH_TITLE "\",\"byline\":\"Patrick Goodenough\",\"date\":\"2017-08-09\","
    "\"time\":\"03:32\",\"timezone\":\"EDT\",\"dateline\":\"LONDON\"}" },
  { "reuters-caps-title",
    "BAHIA COCOA REVIEW\n\nSALVADOR, Feb 22 - Showers continued throughout the week in the Bahia cocoa zone.\n",
    NULL, "{\"title\":\"BAHIA COCOA REVIEW\",\"dateline\":\"SALVADOR\"}" },
  { "iaea-by-pipe",
    "IAEA says inspectors were turned away from Iranian enrichment site\n\nBy Amara Okafor | 14 May 2026\n\n"
    "VIENNA, May 14, 2026 \xe2\x80\x94 The agency said on Thursday that its inspectors were refused.\n",
    NULL,
    "{\"title\":\"IAEA says inspectors were turned away from Iranian enrichment site\","
    "\"byline\":\"Amara Okafor\",\"date\":\"2026-05-14\",\"dateline\":\"VIENNA\"}" },
  { "by-place-dash-weekday",
    "Estonia tightens border checks\n\nBy Lukas Reinholt, Tallinn \xe2\x80\x94 Wednesday, 2 September 2026\n\n"
    "The government said on Wednesday that checks would begin at once.\n",
    NULL,
    "{\"title\":\"Estonia tightens border checks\",\"byline\":\"Lukas Reinholt\",\"date\":\"2026-09-02\"}" },
  { "by-two-authors-no-blank",
    "Drought deepens in northern Kenya\nBy Grace Wanjiru and Tom Ellis\n\n"
    "NAIROBI, 5 March 2026 \xe2\x80\x94 Herders in the north have lost half their animals.\n",
    NULL,
    "{\"title\":\"Drought deepens in northern Kenya\",\"byline\":\"Grace Wanjiru and Tom Ellis\","
    "\"date\":\"2026-03-05\",\"dateline\":\"NAIROBI\"}" },
  { "by-list-comma",
    "Markets rally\n\nBy Grace Wanjiru, Tom Ellis and Ann Lee | 1 June 2026\n\nShares rose.\n",
    NULL,
    "{\"title\":\"Markets rally\",\"byline\":\"Grace Wanjiru, Tom Ellis and Ann Lee\",\"date\":\"2026-06-01\"}" },
  { "by-all-caps",
    "Markets rally\n\nBY AMARA OKAFOR\n\nShares rose on Monday.\n",
    NULL, "{\"title\":\"Markets rally\",\"byline\":\"AMARA OKAFOR\"}" },
  { "byline-pm-et",
    "Senate passes budget\n\nPatrick Goodenough | August 9, 2017 | 10:14 p.m. ET\n\nThe vote was close.\n",
    NULL,
    "{\"title\":\"Senate passes budget\",\"byline\":\"Patrick Goodenough\",\"date\":\"2017-08-09\","
    "\"time\":\"22:14\",\"timezone\":\"ET\"}" },
  { "byline-24h-gmt",
    "Senate passes budget\n\nBy Amara Okafor | 14 May 2026 | 15:40 GMT\n\nThe vote was close.\n",
    NULL,
    "{\"title\":\"Senate passes budget\",\"byline\":\"Amara Okafor\",\"date\":\"2026-05-14\","
    "\"time\":\"15:40\",\"timezone\":\"GMT\"}" },
  { "byline-iso-date",
    "Senate passes budget\n\nJane Doe | 2017-08-09\n\nThe vote was close.\n",
    NULL, "{\"title\":\"Senate passes budget\",\"byline\":\"Jane Doe\",\"date\":\"2017-08-09\"}" },
  { "byline-first-line",
    "By Amara Okafor | 14 May 2026\n\nThe vote was close, officials said.\n",
    NULL, "{\"byline\":\"Amara Okafor\",\"date\":\"2026-05-14\"}" },
  { "date-only-line",
    "Talks resume in Geneva\n\nWednesday, 2 September 2026\n\nDelegates arrived on Tuesday.\n",
    NULL, "{\"title\":\"Talks resume in Geneva\",\"date\":\"2026-09-02\"}" },
  { "date-only-first-line",
    "August 9, 2017\n\nDelegates arrived on Tuesday.\n",
    NULL, "{\"date\":\"2017-08-09\"}" },
  { "title-with-date-words",
    "Talks Resume March 3, 2026\n\nDelegates arrived on Tuesday.\n",
    NULL, "{\"title\":\"Talks Resume March 3, 2026\"}" },
  { "title-question-in-quotes",
    "Minister: \xe2\x80\x9cWhy Should We Wait?\xe2\x80\x9d\n\nThe minister spoke on Monday.\n",
    NULL, "{\"title\":\"Minister: \xe2\x80\x9cWhy Should We Wait?\xe2\x80\x9d\"}" },
  { "title-ends-abbreviation",
    "Inspectors Turned Away, Says U.S.\n\nThe State Department said so.\n",
    NULL, "{\"title\":\"Inspectors Turned Away, Says U.S.\"}" },
  { "caps-title-with-dash",
    "IRAN \xe2\x80\x94 THE NEXT STEP\n\nThe analysis follows.\n",
    NULL, "{\"title\":\"IRAN \xe2\x80\x94 THE NEXT STEP\"}" },

  /* datelines */
  { "dateline-geneva",
    "GENEVA, March 3, 2026 \xe2\x80\x94 Talks on the nuclear programme resumed on Tuesday.\n",
    NULL, "{\"date\":\"2026-03-03\",\"dateline\":\"GENEVA\"}" },
  { "dateline-country-paren-date",
    "ADDIS ABABA, Ethiopia (Feb. 9, 2026) \xe2\x80\x94 African Union leaders met on Monday.\n",
    NULL, "{\"date\":\"2026-02-09\",\"dateline\":\"ADDIS ABABA\"}" },
  { "dateline-no-year",
    "SEOUL, Nov. 28 (Meridian Wire) \xe2\x80\x94 South Korea said on Friday it would respond.\n",
    NULL, "{\"dateline\":\"SEOUL\"}" },
  { "dateline-day-first",
    "NAIROBI, 5 March 2026 \xe2\x80\x94 Herders in the north have lost half their animals.\n",
    NULL, "{\"date\":\"2026-03-05\",\"dateline\":\"NAIROBI\"}" },
  { "dateline-sept",
    "GENEVA, Sept. 9, 2026 \xe2\x80\x94 Talks resumed.\n",
    NULL, "{\"date\":\"2026-09-09\",\"dateline\":\"GENEVA\"}" },
  { "dateline-ordinal",
    "GENEVA, March 3rd, 2026 \xe2\x80\x93 Talks resumed.\n",
    NULL, "{\"date\":\"2026-03-03\",\"dateline\":\"GENEVA\"}" },
  { "dateline-mixed-case",
    "Washington DC \xe2\x80\x93 In a rare public display of unity, both parties backed the bill.\n",
    NULL, "{\"dateline\":\"Washington DC\"}" },
  { "dateline-reuters",
    "Economy grows\n\nLONDON (Reuters) - Britain's economy grew faster than expected.\n",
    NULL, "{\"title\":\"Economy grows\",\"dateline\":\"LONDON\"}" },
  { "dateline-country-dash",
    "NAIROBI, Kenya \xe2\x80\x94 Herders in the north have lost half their animals.\n",
    NULL, "{\"dateline\":\"NAIROBI\"}" },
  { "dateline-leap-day",
    "GENEVA, Feb. 29, 2024 \xe2\x80\x94 Talks resumed.\n",
    NULL, "{\"date\":\"2024-02-29\",\"dateline\":\"GENEVA\"}" },
  { "byline-date-wins-over-dateline",
    "Talks resume\n\nBy Amara Okafor | 14 May 2026\n\nGENEVA, May 13, 2026 \xe2\x80\x94 Talks resumed.\n",
    NULL,
    "{\"title\":\"Talks resume\",\"byline\":\"Amara Okafor\",\"date\":\"2026-05-14\",\"dateline\":\"GENEVA\"}" },

  /* no title / negative cases */
  { "body-first-no-year",
    "On February 19, Iranian Parliament Speaker Ali Larijani met with his North Korean counterpart "
    "Choe Thae-bok in Tehran and the two sides called for\xe2\x80\xa6\n",
    NULL, "{}" },
  { "sentence-not-title",
    "The talks collapsed on Tuesday.\n\nOfficials said they would meet again.\n",
    NULL, "{}" },
  { "question-not-title",
    "Is Iran next?\n\nOfficials said they would meet again.\n",
    NULL, "{}" },
  { "by-the-way",
    "By the way, officials said the talks would resume.\n\nThey did not say when.\n",
    NULL, "{}" },
  { "by-weekday",
    "By Monday, the ministry had announced cuts to the programme.\n\nThey did not say how many.\n",
    NULL, "{}" },
  { "by-year",
    "By 2030, the country expects to double its output, officials said\xe2\x80\xa6\n\nThey did not say how.\n",
    NULL, "{}" },
  { "title-not-standalone",
    "Short line\nanother line continues here.\n",
    NULL, "{}" },
  { "title-too-long",
    "One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty twentyone twentytwo twentythree twentyfour twentyfive "
    "twentysix\n\nBody.\n",
    NULL, "{}" },
  { "invalid-date-feb30",
    "Talks stall\n\nBy Jane Doe | February 30, 2026\n\nNothing moved.\n",
    NULL, "{\"title\":\"Talks stall\",\"byline\":\"Jane Doe\"}" },
  { "invalid-date-not-leap",
    "GENEVA, Feb. 29, 2025 \xe2\x80\x94 Talks resumed.\n",
    NULL, "{\"dateline\":\"GENEVA\"}" },
  { "invalid-year-range",
    "Talks stall\n\nBy Jane Doe | 14 May 1850\n\nNothing moved.\n",
    NULL, "{\"title\":\"Talks stall\",\"byline\":\"Jane Doe\"}" },
  { "invalid-iso",
    "Talks stall\n\nJane Doe | 2017-02-30\n\nNothing moved.\n",
    NULL, "{\"title\":\"Talks stall\"}" },
  { "appositive-not-dateline",
    "Kim Jong Un \xe2\x80\x93 North Korea\xe2\x80\x99s leader \xe2\x80\x93 said the talks were over.\n",
    NULL, "{}" },
  { "dateline-mixed-quote",
    "Paris \xe2\x80\x93 \xe2\x80\x9cWe will not yield,\xe2\x80\x9d the minister said.\n",
    NULL, "{\"dateline\":\"Paris\"}" },
  { "headline-like-dateline-ambiguous",
    "IAEA \xe2\x80\x94 Inspectors turned away\n\nThe agency said so.\n",
    NULL, "{}" },
  { "name-then-dash-not-dateline",
    "Kim Jong Un \xe2\x80\x93 North Korea\xe2\x80\x99s leader said nothing.\n",
    NULL, "{}" },
  { "sentence-starter-not-dateline",
    "The President \xe2\x80\x93 Who spoke first \xe2\x80\x93 left early.\n",
    NULL, "{}" },
  { "acronym-not-dateline",
    "NATO, the alliance, met on Monday.\n",
    NULL, "{}" },
  { "time-in-body-ignored",
    "The meeting began at 12:00 GMT on March 3, 2026 and ended late.\n",
    NULL, "{}" },

  /* existing members are kept */
  { "existing-members-kept",
    "IAEA says inspectors were turned away from Iranian enrichment site\n\nBy Amara Okafor | 14 May 2026\n\n"
    "VIENNA, May 14, 2026 \xe2\x80\x94 The agency said on Thursday that its inspectors were refused.\n",
    "{\"title\":\"From JSON\",\"date\":\"2020-01-01\",\"dateline\":\"PARIS\"}",
    "{\"title\":\"From JSON\",\"date\":\"2020-01-01\",\"dateline\":\"PARIS\",\"byline\":\"Amara Okafor\"}" },
  { "existing-other-members",
    "GENEVA, March 3, 2026 \xe2\x80\x94 Talks resumed.\n",
    "{\"url\":\"https://example.org/a\",\"time\":\"09:00\"}",
    "{\"url\":\"https://example.org/a\",\"time\":\"09:00\",\"date\":\"2026-03-03\",\"dateline\":\"GENEVA\"}" },

  /* degenerate input */
  { "empty", "", NULL, "{}" },
  { "no-newline", "Just a headline without a newline", NULL, "{}" },
  { "title-only", "BAHIA COCOA REVIEW\n", NULL, "{}" },
  { "blank-lines", "\n\n\n", NULL, "{}" },
};

static char *
object_to_string (JsonObject *obj)
{
  JsonNode *node = json_node_init_object (json_node_alloc (), obj);
  char *s = json_to_string (node, FALSE);

  json_node_unref (node);
  return s;
}

/* Same members with the same string values; order does not matter. */
static gboolean
objects_equal (JsonObject *expected, JsonObject *actual)
{
  g_autoptr (GList) members = json_object_get_members (expected);

  if (json_object_get_size (expected) != json_object_get_size (actual))
    return FALSE;
  for (GList *l = members; l; l = l->next)
    {
      const char *name = l->data;

      if (!json_object_has_member (actual, name)
          || g_strcmp0 (json_object_get_string_member (expected, name),
                        json_object_get_string_member (actual, name)) != 0)
        return FALSE;
    }
  return TRUE;
}

static void
test_case (gconstpointer data)
{
  const MetaCase *c = data;
  JsonObject *meta = c->initial ? dp_test_parse_object (c->initial) : json_object_new ();
  JsonObject *expected = dp_test_parse_object (c->expected);

  dp_docmeta_extract (c->text, strlen (c->text), meta);
  if (!objects_equal (expected, meta))
    {
      g_autofree char *got = object_to_string (meta);

      g_test_message ("case %s: expected %s, got %s", c->name, c->expected, got);
      g_test_fail ();
    }
  json_object_unref (expected);
  json_object_unref (meta);
}

/* ---- edges ------------------------------------------------------------------- */

/* -1 means NUL-terminated; the result equals the explicit-length one. */
static void
test_nul_terminated (void)
{
  const MetaCase *c = &cases[0];
  JsonObject *a = json_object_new (), *b = json_object_new ();

  dp_docmeta_extract (c->text, (gsize) -1, a);
  dp_docmeta_extract (c->text, strlen (c->text), b);
  g_assert_true (objects_equal (a, b));
  g_assert_cmpuint (json_object_get_size (a), ==, 6);
  json_object_unref (a);
  json_object_unref (b);
}

/* @len is respected even when it cuts a character in half: every prefix of
 * a case gives valid UTF-8 members and no reads past @len (ASan checks). */
static void
test_prefixes (void)
{
  const char *text = cases[0].text;
  gsize full = strlen (text);

  for (gsize len = 0; len <= full; len++)
    {
      char *copy = g_memdup2 (text, len);  /* exact-size heap block */
      JsonObject *meta = json_object_new ();
      g_autoptr (GList) members = NULL;

      dp_docmeta_extract (copy, len, meta);
      members = json_object_get_members (meta);
      for (GList *l = members; l; l = l->next)
        g_assert_true (g_utf8_validate (json_object_get_string_member (meta, l->data), -1, NULL));
      json_object_unref (meta);
      g_free (copy);
    }
}

static void
test_huge_line (void)
{
  gsize len = 8 * 1024 * 1024;
  char *text = g_malloc (len);
  JsonObject *meta = json_object_new ();
  gint64 start = g_get_monotonic_time ();

  memset (text, 'A', len);
  dp_docmeta_extract (text, len, meta);
  g_assert_cmpuint (json_object_get_size (meta), ==, 0);
  /* bounded to the window: nowhere near the time to touch 8 MB */
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  json_object_unref (meta);
  g_free (text);
}

/* The text's opening repeated to well past the window: the window edge falls
 * inside lines and characters. */
static void
test_window_edge (void)
{
  GString *s = g_string_new ("GENEVA, March 3, 2026 \xe2\x80\x94 ");
  JsonObject *meta = json_object_new ();

  while (s->len < 5000)
    g_string_append (s, "Talks \xe2\x80\x94 resumed \xe2\x80\x99 ");
  dp_docmeta_extract (s->str, s->len, meta);
  g_assert_cmpstr (json_object_get_string_member (meta, "dateline"), ==, "GENEVA");
  g_assert_cmpstr (json_object_get_string_member (meta, "date"), ==, "2026-03-03");
  json_object_unref (meta);
  g_string_free (s, TRUE);
}

/* ---- fuzz -------------------------------------------------------------------- */

/* Pieces that steer random text towards the shapes the readers look for. */
static const char *const pieces[] = {
  "By ", "BY ", " | ", " \xe2\x80\x94 ", " \xe2\x80\x93 ", "\xe2\x80\x94", " - ", "\n", "\n\n",
  ", ", " (", ")", " ", ".", "?", "!", ":", "\xe2\x80\x99", "\xe2\x80\x9d", "\xe2\x80\xa6",
  "March ", "Sept. ", "Feb ", "May ", "Wednesday, ", "3rd", "14 ", "29", "2026", "1850",
  "2017-08-09", "3:32am", " p.m.", " EDT", " GMT+2", "12:", "GENEVA", "ADDIS ABABA",
  "Washington DC", "Amara Okafor", " and ", "the ", "al-", "\xc3\x89", "\xe4\xb8\xad",
};

static void
append_random_char (GString *s)
{
  gunichar c;

  do
    c = (gunichar) g_test_rand_int_range (1, 0x110000);
  while (c >= 0xD800 && c <= 0xDFFF);
  g_string_append_unichar (s, c);
}

static char *
random_text (gsize *len)
{
  GString *s = g_string_new (NULL);
  gsize target = (gsize) g_test_rand_int_range (0, 3000);
  gboolean pure = g_test_rand_int_range (0, 4) == 0;

  while (s->len < target)
    {
      if (pure || g_test_rand_int_range (0, 3) == 0)
        append_random_char (s);
      else
        g_string_append (s, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
    }
  *len = s->len;
  return g_string_free (s, FALSE);
}

static void
check_invariants (JsonObject *meta)
{
  static const char *const keys[] = { "title", "byline", "date", "time", "timezone", "dateline" };
  g_autoptr (GList) members = json_object_get_members (meta);

  for (GList *l = members; l; l = l->next)
    {
      const char *value = json_object_get_string_member (meta, l->data);
      gboolean known = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        known = known || strcmp (keys[i], l->data) == 0;
      g_assert_true (known);
      g_assert_nonnull (value);
      g_assert_true (value[0] != '\0' && g_utf8_validate (value, -1, NULL));
    }
  if (json_object_has_member (meta, "date"))
    {
      const char *d = json_object_get_string_member (meta, "date");
      int y, m, dd;

      g_assert_cmpint (sscanf (d, "%4d-%2d-%2d", &y, &m, &dd), ==, 3);
      g_assert_true (strlen (d) == 10 && g_date_valid_dmy (dd, m, y));
    }
  if (json_object_has_member (meta, "time"))
    {
      const char *t = json_object_get_string_member (meta, "time");

      g_assert_true (strlen (t) == 5 && t[2] == ':');
      g_assert_true (atoi (t) < 24 && atoi (t + 3) < 60);
    }
}

static void
test_fuzz (void)
{
  for (guint i = 0; i < 5000; i++)
    {
      gsize len;
      char *text = random_text (&len);
      char *copy = g_memdup2 (text, len);  /* no NUL: reads past len are caught */
      JsonObject *meta = json_object_new ();

      dp_docmeta_extract (copy, len, meta);
      check_invariants (meta);
      json_object_unref (meta);
      g_free (copy);
      g_free (text);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/docmeta/case/%02u-%s", i, cases[i].name);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/docmeta/nul-terminated", test_nul_terminated);
  g_test_add_func ("/docmeta/prefixes", test_prefixes);
  g_test_add_func ("/docmeta/huge-line", test_huge_line);
  g_test_add_func ("/docmeta/window-edge", test_window_edge);
  g_test_add_func ("/docmeta/fuzz", test_fuzz);
  return g_test_run ();
}
