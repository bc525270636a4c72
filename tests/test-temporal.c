/* test-temporal.c — the DATE/TIME/MONEY/PERCENT rules of the ner stage
 * (plugins/ner/temporal.c): a table of sentences with their expected
 * entities, negatives the rules must leave alone, and a fuzz loop for the
 * invariants the ner stage relies on (sorted, non-overlapping, in bounds, on
 * token boundaries).
 *
 * With TEMPORAL_BENCH=1 it also times dp_temporal_find() over the news corpus
 * (TEMPORAL_CORPUS overrides the path) and prints tokens/s and counts per
 * label; that part never fails the run.
 */
#include "temporal.h"

#include <docpipe/tokens.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CORPUS "/work/shared/data/corpus/news.jsonl"

/* ---- helpers --------------------------------------------------------------- */

static GArray *
find_entities (const char *text, GArray **tokens_out)
{
  gsize len = strlen (text);
  GArray *tokens = g_array_new (FALSE, FALSE, sizeof (DpToken));
  GArray *ents = g_array_new (FALSE, FALSE, sizeof (DpRuleEntity));

  dp_tokenize (text, len, tokens);
  dp_temporal_find (text, len, (const DpToken *) tokens->data, tokens->len, ents);
  if (tokens_out)
    *tokens_out = tokens;
  else
    g_array_free (tokens, TRUE);
  return ents;
}

/* "LABEL:text|LABEL:text", the format of the expectations below. */
static char *
describe (const char *text, GArray *ents)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < ents->len; i++)
    {
      const DpRuleEntity *e = &g_array_index (ents, DpRuleEntity, i);

      if (i > 0)
        g_string_append_c (out, '|');
      g_string_append_printf (out, "%s:%.*s", e->label, (int) (e->end - e->start),
                              text + e->start);
    }
  return g_string_free (out, FALSE);
}

/* ---- table ------------------------------------------------------------------- */

typedef struct {
  const char *text;
  const char *expected;  /* "" = no entity */
} Case;

static const Case cases[] = {
  /* DATE: month and day */
  { "The meeting is on February 19.", "DATE:February 19" },
  { "It happened on Feb. 19 in Paris.", "DATE:Feb. 19" },
  { "He arrived on 19 February.", "DATE:19 February" },
  { "The report was released August 9, 2017, in Washington.", "DATE:August 9, 2017" },
  { "It was signed on 9 August 2017.", "DATE:9 August 2017" },
  { "It ended on 31 December, 2019.", "DATE:31 December, 2019" },
  { "The 19th of February 2017 was cold.", "DATE:19th of February 2017" },
  { "Results are due Nov. 28.", "DATE:Nov. 28" },
  { "They met on Sept. 11.", "DATE:Sept. 11" },
  { "The Aug. 9-11 conference", "DATE:Aug. 9-11" },
  { "Shares closed Sep 9 higher.", "DATE:Sep 9" },
  { "ARRIVALS FOR THE WEEK ENDED FEBRUARY 22 WERE 155,221 BAGS", "DATE:FEBRUARY 22" },
  /* DATE: weekdays */
  { "Talks resume Tuesday.", "DATE:Tuesday" },
  { "They met on Tuesday in Geneva.", "DATE:Tuesday" },
  { "The vote is set for Tuesday, November 28.", "DATE:Tuesday, November 28" },
  { "It opens Tuesday 28 November 2017.", "DATE:Tuesday 28 November 2017" },
  { "Theresa May said on Tuesday", "DATE:Tuesday" },
  /* DATE: relative */
  { "Sales rose last month.", "DATE:last month" },
  { "The summit is next week.", "DATE:next week" },
  { "Growth will slow this year.", "DATE:this year" },
  { "Last year's results were weak.", "DATE:Last year" },
  { "Prices fell earlier this month.", "DATE:earlier this month" },
  { "He resigned last May.", "DATE:last May" },
  { "She left last June after the vote.", "DATE:last June" },
  { "The past two years were hard.", "DATE:past two years" },
  { "Over the next few months it will grow.", "DATE:next few months" },
  { "It has grown in recent years.", "DATE:recent years" },
  { "The company was founded two years ago.", "DATE:two years ago" },
  { "Three days later, he returned.", "DATE:Three days later" },
  { "Profit rose from a year earlier.", "DATE:a year earlier" },
  { "He said yesterday that today and tomorrow matter.",
    "DATE:yesterday|DATE:today|DATE:tomorrow" },
  /* DATE: years, decades, numeric dates */
  { "Inflation soared in the early 1990s.", "DATE:early 1990s" },
  { "It was popular in the 1990s.", "DATE:1990s" },
  { "It happened in the '90s.", "DATE:'90s" },
  { "The plant closed in 2015.", "DATE:2015" },
  { "Bill Clinton said in 1993 that", "DATE:1993" },
  { "The launch is planned for March 2026.", "DATE:March 2026" },
  { "Filed on 2017-08-09 by the clerk.", "DATE:2017-08-09" },
  { "He left on 12/31/2017.", "DATE:12/31/2017" },
  { "Output peaked in mid-2015 and fell by mid-March.", "DATE:mid-2015|DATE:mid-March" },
  { "Demand slumped in the mid-1990s.", "DATE:mid-1990s" },
  { "Results for fiscal 2015 and the 2015-16 season", "DATE:fiscal 2015|DATE:2015-16" },
  { "Profit in the third quarter rose.", "DATE:third quarter" },
  { "Weak first-quarter results", "DATE:first-quarter" },
  { "Late last year the bank cut rates.", "DATE:Late last year" },
  { "Reuters 1987 figures: 155,221 bags", "DATE:1987" },
  /* DATE: bare months */
  { "The rally is in May.", "DATE:May" },
  { "Snow fell in January.", "DATE:January" },
  { "Prices rose between April and May.", "DATE:April|DATE:May" },
  { "June Carter sang in June.", "DATE:June" },
  /* TIME */
  { "The quake struck at 3:32am EDT.", "TIME:3:32am EDT" },
  { "It struck at 3:32 a.m. local time.", "TIME:3:32 a.m." },
  { "Markets closed at 10:14pm EDT on Friday.", "TIME:10:14pm EDT|DATE:Friday" },
  { "Trading halted at 15:40 GMT.", "TIME:15:40 GMT" },
  { "The clock read 10:14:05 UTC.", "TIME:10:14:05 UTC" },
  { "We meet at noon and leave at midnight.", "TIME:noon|TIME:midnight" },
  { "The session starts at 3 p.m. sharp.", "TIME:3 p.m." },
  { "At 10am, the market opened.", "TIME:10am" },
  { "Tea is at 3.30pm daily.", "TIME:3.30pm" },
  { "Come back at 8 o'clock.", "TIME:8 o'clock" },
  { "He spoke last night and this morning.", "TIME:last night|TIME:this morning" },
  { "Rescuers arrived two hours later.", "TIME:two hours later" },
  { "Shares rose 2 pct by midday (1432 GMT).", "PERCENT:2 pct|TIME:1432 GMT" },
  { "The show airs tonight.", "TIME:tonight" },
  /* MONEY */
  { "The deal is worth $1.2 billion.", "MONEY:$1.2 billion" },
  { "It paid $940 million in cash.", "MONEY:$940 million" },
  { "Siemens sold it for \xe2\x82\xac" "210 million.", "MONEY:\xe2\x82\xac" "210 million" },
  { "The club paid \xc2\xa3" "600m for players.", "MONEY:\xc2\xa3" "600m" },
  { "Revenue hit 1.13bn dollars.", "MONEY:1.13bn dollars" },
  { "They raised 500 million dollars.", "MONEY:500 million dollars" },
  { "Nestle paid CHF 3.4 million.", "MONEY:CHF 3.4 million" },
  { "Prices rose 15 dlrs a tonne.", "MONEY:15 dlrs" },
  { "A dividend of 20 cts per share.", "MONEY:20 cts" },
  { "Losses of $11.1bn were booked.", "MONEY:$11.1bn" },
  { "It raised US$5 million.", "MONEY:US$5 million" },
  { "It bought A$5 billion of bonds.", "MONEY:A$5 billion" },
  { "The fine was 5 million euros.", "MONEY:5 million euros" },
  { "It costs \xc2\xa5" "100.", "MONEY:\xc2\xa5" "100" },
  { "It cost 5 million pounds sterling.", "MONEY:5 million pounds sterling" },
  { "It cost 300 million US dollars.", "MONEY:300 million US dollars" },
  { "It cost Rs 500 crore.", "MONEY:Rs 500 crore" },
  { "Only $2015 was spent.", "MONEY:$2015" },
  { "It will raise 100 mln stg and 5.89 N.Z. Dlrs a share.",
    "MONEY:100 mln stg|MONEY:5.89 N.Z. Dlrs" },
  { "It sold the unit for almost a billion dlrs.", "MONEY:a billion dlrs" },
  { "Bullion rose to 409.40 dlrs from 1.5-2.0 billion dlrs.",
    "MONEY:409.40 dlrs|MONEY:1.5-2.0 billion dlrs" },
  /* PERCENT */
  { "Apple shares fell 5%", "PERCENT:5%" },
  { "Inflation was 3.9% in March.", "PERCENT:3.9%|DATE:March" },
  { "Unemployment rose 15 percent.", "PERCENT:15 percent" },
  { "It grew 15 per cent.", "PERCENT:15 per cent" },
  { "Reuters: up 76 pct.", "PERCENT:76 pct" },
  { "Rates rose two percentage points.", "PERCENT:two percentage points" },
  { "It fell -2.5% on the day.", "PERCENT:-2.5%" },
  { "It pays 5/8 pct, then Libor plus 1-1/4 pct.", "PERCENT:5/8 pct|PERCENT:1-1/4 pct" },
  { "Interest of 5 pct was paid in 1990 on 1,000 shares.", "PERCENT:5 pct|DATE:1990" },
  /* mixed */
  { "On Aug. 9, 2017, at 3:32am EDT, shares rose 15% to $5.9 billion.",
    "DATE:Aug. 9, 2017|TIME:3:32am EDT|PERCENT:15%|MONEY:$5.9 billion" },
  /* negatives */
  { "May I ask a question?", "" },
  { "March on, they said.", "" },
  { "The March of the Penguins", "" },
  { "the march to the sea began", "" },
  { "Theresa May's speech", "" },
  { "Shipments reached 2,000 people.", "" },
  { "Output was 1990 tonnes.", "" },
  { "Sales hit 2015 units.", "" },
  { "Flight 2015 landed safely.", "" },
  { "Use the $ sign for dollars.", "" },
  { "He flew the 747 jet.", "" },
  { "Call 555-1234 or (212) 555-2012 now.", "" },
  { "Upgrade to version 2.3.1 or 3.9 soon.", "" },
  { "The team won 6-4, 6-3 in the final.", "" },
  { "It weighs 5 pounds.", "" },
  { "USA Today reported it.", "" },
  { "I am here; they may march.", "" },
  { "He scored 5 points and 10 rebounds.", "" },
  { "Room 1200 is on floor 3.", "" },
  { "M Tait (Newcastle), J Noon (Newcastle)", "" },
  { "Upgrade 2.3.1 pct", "" },
  { "", "" },
};

static void
test_table (void)
{
  guint failures = 0;

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      GArray *ents = find_entities (cases[k].text, NULL);
      char *got = describe (cases[k].text, ents);

      if (strcmp (got, cases[k].expected) != 0)
        {
          g_printerr ("case %u: \"%s\"\n  expected: %s\n  got:      %s\n", k,
                      cases[k].text, cases[k].expected, got);
          failures++;
        }
      g_free (got);
      g_array_free (ents, TRUE);
    }
  g_assert_cmpuint (failures, ==, 0);
  g_assert_cmpuint (G_N_ELEMENTS (cases), >=, 60);
}

/* Labels are static strings: the ner stage compares them by pointer. */
static void
test_labels_static (void)
{
  GArray *a = find_entities ("On Tuesday it rose 5% to $3 at 3 p.m.", NULL);
  GArray *b = find_entities ("Friday: 7% and $9 by 9 a.m.", NULL);

  g_assert_cmpuint (a->len, ==, 4);
  g_assert_cmpuint (b->len, ==, 4);
  for (guint i = 0; i < a->len; i++)
    g_assert_true (g_array_index (a, DpRuleEntity, i).label
                   == g_array_index (b, DpRuleEntity, i).label);
  g_array_free (a, TRUE);
  g_array_free (b, TRUE);
}

/* Tokens that run past @len (a caller bug) are ignored, not read. */
static void
test_short_len (void)
{
  const char *text = "It rose 5% on August 9, 2017.";
  GArray *tokens = g_array_new (FALSE, FALSE, sizeof (DpToken));
  GArray *ents = g_array_new (FALSE, FALSE, sizeof (DpRuleEntity));
  gsize len = strlen (text);

  dp_tokenize (text, len, tokens);
  for (gsize cut = 0; cut <= len; cut++)
    {
      g_array_set_size (ents, 0);
      dp_temporal_find (text, cut, (const DpToken *) tokens->data, tokens->len, ents);
      for (guint i = 0; i < ents->len; i++)
        g_assert_cmpuint (g_array_index (ents, DpRuleEntity, i).end, <=, cut);
    }
  dp_temporal_find (NULL, 0, NULL, 0, ents);
  g_array_free (ents, TRUE);
  g_array_free (tokens, TRUE);
}

/* ---- fuzz -------------------------------------------------------------------- */

static const char *const pieces[] = {
  "May", "March", "may", "June", "Feb.", "Sept.", "Sep", "Tuesday", "Tues.", "last", "next",
  "this", "past", "early", "late", "mid", "mid-", "earlier", "later", "ago", "year", "years",
  "month", "weeks", "day", "decade", "hours", "two", "a", "few", "several", "yesterday",
  "today", "tonight", "night", "morning", "noon", "midnight", "am", "p.m.", "a.m.", "o'clock",
  "EDT", "GMT", "ET", "$", "US", "A", "\xe2\x82\xac", "\xc2\xa3", "\xc2\xa5", "CHF", "Rs",
  "million", "bn", "m", "k", "dollars", "dlrs", "cts", "pounds", "sterling", "won", "%",
  "percent", "pct", "per", "cent", "percentage", "points", "in", "of", "and", "the", "USA",
  "fiscal", "first", "quarter", "first-quarter", "summer", "recent", "tonnes", "No.",
  "0", "1", "9", "12", "19", "19th", "31", "32", "99", "747", "1987", "2015", "2099", "2100",
  "1990s", "90s", "'", "\xe2\x80\x99", "3:32", "24:00", "10:14:05", "3.30", "1.2", "-2.5",
  ".5", "1,000", "155,221", "2017-08-09", "2015-16", "2020-2021", "9-11", "12/31/2017",
  "555-1234", "1432", "/", "5/8", "1-1", "1.5-2.0", ",", ".", ":", "(", ")", "-", "\xe2\x80\x94", "\n", "\n\n", "\xc3\xa9t\xc3\xa9",
};

static char *
random_text (GRand *rand)
{
  GString *s = g_string_new (NULL);
  guint n = g_rand_int_range (rand, 0, 40);

  for (guint k = 0; k < n; k++)
    {
      if (g_rand_int_range (rand, 0, 3) != 0)
        g_string_append_c (s, ' ');
      g_string_append (s, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
    }
  return g_string_free (s, FALSE);
}

static gboolean
is_token_start (GArray *tokens, guint32 off)
{
  for (guint i = 0; i < tokens->len; i++)
    if (g_array_index (tokens, DpToken, i).start == off)
      return TRUE;
  return FALSE;
}

static gboolean
is_token_end (GArray *tokens, guint32 off)
{
  for (guint i = 0; i < tokens->len; i++)
    if (g_array_index (tokens, DpToken, i).end == off)
      return TRUE;
  return FALSE;
}

static gboolean
is_known_label (const char *label)
{
  return g_strcmp0 (label, "DATE") == 0 || g_strcmp0 (label, "TIME") == 0
         || g_strcmp0 (label, "MONEY") == 0 || g_strcmp0 (label, "PERCENT") == 0;
}

static void
check_invariants (const char *text, GArray *tokens, GArray *ents)
{
  guint32 prev_end = 0;

  for (guint i = 0; i < ents->len; i++)
    {
      const DpRuleEntity *e = &g_array_index (ents, DpRuleEntity, i);

      g_assert_cmpuint (e->start, <, e->end);
      g_assert_cmpuint (e->start, >=, prev_end);
      g_assert_cmpuint (e->end, <=, strlen (text));
      g_assert_true (is_token_start (tokens, e->start));
      g_assert_true (is_token_end (tokens, e->end));
      g_assert_true (is_known_label (e->label));
      prev_end = e->end;
    }
}

static void
test_fuzz (void)
{
  GRand *rand = g_rand_new_with_seed (20240917);

  for (guint round = 0; round < 5000; round++)
    {
      char *text = random_text (rand);
      GArray *tokens;
      GArray *ents = find_entities (text, &tokens);

      check_invariants (text, tokens, ents);
      g_array_free (ents, TRUE);
      g_array_free (tokens, TRUE);
      g_free (text);
    }
  g_rand_free (rand);
}

/* ---- benchmark --------------------------------------------------------------- */

typedef struct {
  char *text;
  gsize len;
  GArray *tokens;
} Doc;

static void
doc_free (gpointer data)
{
  Doc *d = data;

  g_free (d->text);
  g_array_free (d->tokens, TRUE);
  g_free (d);
}

static GPtrArray *
load_corpus (const char *path, guint64 *n_tokens)
{
  GPtrArray *docs = g_ptr_array_new_with_free_func (doc_free);
  GIOChannel *in = g_io_channel_new_file (path, "r", NULL);
  JsonParser *parser = json_parser_new ();
  char *line;
  gsize line_len;

  *n_tokens = 0;
  if (in == NULL)
    return docs;
  while (g_io_channel_read_line (in, &line, &line_len, NULL, NULL) == G_IO_STATUS_NORMAL)
    {
      JsonNode *root;

      if (json_parser_load_from_data (parser, line, (gssize) line_len, NULL)
          && (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root)
          && json_object_has_member (json_node_get_object (root), "text"))
        {
          Doc *d = g_new0 (Doc, 1);

          d->text = g_strdup (json_object_get_string_member (json_node_get_object (root), "text"));
          d->len = d->text ? strlen (d->text) : 0;
          d->tokens = g_array_new (FALSE, FALSE, sizeof (DpToken));
          if (d->text)
            dp_tokenize (d->text, d->len, d->tokens);
          *n_tokens += d->tokens->len;
          g_ptr_array_add (docs, d);
        }
      g_free (line);
    }
  g_io_channel_unref (in);
  g_object_unref (parser);
  return docs;
}

/* One pass over the corpus; returns seconds and fills @counts (per label). */
static double
bench_pass (GPtrArray *docs, GArray *ents, guint64 counts[4])
{
  static const char *const labels[] = { "DATE", "TIME", "MONEY", "PERCENT" };
  gint64 t0 = g_get_monotonic_time ();

  memset (counts, 0, 4 * sizeof (guint64));
  for (guint k = 0; k < docs->len; k++)
    {
      Doc *d = g_ptr_array_index (docs, k);

      g_array_set_size (ents, 0);
      dp_temporal_find (d->text, d->len, (const DpToken *) d->tokens->data, d->tokens->len, ents);
      for (guint i = 0; i < ents->len; i++)
        for (guint l = 0; l < 4; l++)
          if (strcmp (g_array_index (ents, DpRuleEntity, i).label, labels[l]) == 0)
            counts[l]++;
    }
  return (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
}

static void
run_benchmark (void)
{
  const char *path = g_getenv ("TEMPORAL_CORPUS") ? g_getenv ("TEMPORAL_CORPUS") : DEFAULT_CORPUS;
  guint64 n_tokens, counts[4];
  GPtrArray *docs = load_corpus (path, &n_tokens);
  GArray *ents = g_array_sized_new (FALSE, FALSE, sizeof (DpRuleEntity), 256);
  double best = G_MAXDOUBLE;

  if (docs->len == 0)
    {
      printf ("# bench: no documents in %s\n", path);
      goto out;
    }
  for (guint pass = 0; pass < 5; pass++)
    best = MIN (best, bench_pass (docs, ents, counts));
  printf ("# bench: %u docs, %" G_GUINT64_FORMAT " tokens, best of 5: %.3f s, %.2f M tokens/s\n",
          docs->len, n_tokens, best, best > 0 ? n_tokens / best / 1e6 : 0.0);
  printf ("# bench: DATE %" G_GUINT64_FORMAT ", TIME %" G_GUINT64_FORMAT ", MONEY %"
          G_GUINT64_FORMAT ", PERCENT %" G_GUINT64_FORMAT "\n",
          counts[0], counts[1], counts[2], counts[3]);
out:
  g_array_free (ents, TRUE);
  g_ptr_array_unref (docs);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/temporal/table", test_table);
  g_test_add_func ("/temporal/labels-static", test_labels_static);
  g_test_add_func ("/temporal/short-len", test_short_len);
  g_test_add_func ("/temporal/fuzz", test_fuzz);
  if (g_strcmp0 (g_getenv ("TEMPORAL_BENCH"), "1") == 0)
    run_benchmark ();
  return g_test_run ();
}
