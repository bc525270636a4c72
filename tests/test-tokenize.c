/* test-tokenize.c — tables of hard cases for the tokenizer and sentence
 * splitter, plus a fuzz loop for the invariants every caller relies on. */
#include <docpipe/tokens.h>

#include <string.h>

/* ---- helpers --------------------------------------------------------------- */

static GArray *
tokenize (const char *text, gsize len)
{
  GArray *tokens = g_array_new (FALSE, FALSE, sizeof (DpToken));

  dp_tokenize (text, len, tokens);
  return tokens;
}

static GArray *
split (const char *text, gsize len, GArray *tokens)
{
  GArray *sentences = g_array_new (FALSE, FALSE, sizeof (DpSentence));

  dp_split_sentences (text, len, (const DpToken *) tokens->data, tokens->len, sentences);
  return sentences;
}

/* The tokens joined with '|', for readable failure messages. */
static char *
join_tokens (const char *text, GArray *tokens)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < tokens->len; i++)
    {
      const DpToken *t = &g_array_index (tokens, DpToken, i);

      if (i > 0)
        g_string_append_c (out, '|');
      g_string_append_len (out, text + t->start, t->end - t->start);
    }
  return g_string_free (out, FALSE);
}

static char
kind_letter (guint16 kind)
{
  return "wnpqsue"[kind < 7 ? kind : 0];
}

/* ---- token table ------------------------------------------------------------- */

typedef struct {
  const char *text;
  const char *tokens;  /* expected tokens joined with '|' */
  const char *kinds;   /* one letter per token (w n p q s u e), or NULL */
} TokenCase;

static const TokenCase token_cases[] = {
  /* abbreviations and initials */
  { "U.S. officials said", "U.S.|officials|said", "www" },
  { "The U.N. Security Council", "The|U.N.|Security|Council", NULL },
  { "Gen. Smith and Dr. Jones", "Gen.|Smith|and|Dr.|Jones", "wwwww" },
  { "Mr. and Mrs. Smith", "Mr.|and|Mrs.|Smith", NULL },
  { "on Feb. 26 and Nov. 3, Sept. 11", "on|Feb.|26|and|Nov.|3|,|Sept.|11", "wwnwwnpwn" },
  { "Apple Inc. and Microsoft Corp. said", "Apple|Inc.|and|Microsoft|Corp.|said", NULL },
  { "King Jr. spoke on St. Patrick's Day", "King|Jr.|spoke|on|St.|Patrick|'s|Day", NULL },
  { "Yankees vs. Red Sox", "Yankees|vs.|Red|Sox", NULL },
  { "fruit, e.g. apples, i.e. food", "fruit|,|e.g.|apples|,|i.e.|food", "wpwwpww" },
  { "at 9 a.m. and 5 p.m. daily", "at|9|a.m.|and|5|p.m.|daily", "wnwwnww" },
  { "J. R. R. Tolkien wrote", "J.|R.|R.|Tolkien|wrote", NULL },
  { "George W. Bush said", "George|W.|Bush|said", NULL },
  { "He said no. Then", "He|said|no|.|Then", "wwwpw" },
  { "ranked No. 1 in", "ranked|No.|1|in", NULL },
  { "U.S.-led forces", "U.S.-led|forces", NULL },
  { "GEN. SMITH IN U.S.", "GEN.|SMITH|IN|U.S.", NULL },
  { "Kim Jong-U. Then", "Kim|Jong-U|.|Then", NULL },
  /* numbers */
  { "1,000.5 tonnes", "1,000.5|tonnes", "nw" },
  { "at 3:32am today", "at|3:32|am|today", "wnww" },
  { "in the 1990s and '80s", "in|the|1990s|and|'|80s", "wwnwqn" },
  { "rose 15%", "rose|15|%", "wns" },
  { "$5.9 billion", "$|5.9|billion", "snw" },
  { "fell to -3.5 degrees", "fell|to|-3.5|degrees", "wwnw" },
  { "a 10-3 vote, 5-3.", "a|10-3|vote|,|5-3|.", "wnwpnp" },
  { "on 2017-08-09 at", "on|2017-08-09|at", "wnw" },
  { "the 19th century and 21st", "the|19th|century|and|21st", "wnwwn" },
  { "costs .5 pct on 12/31/2017", "costs|.5|pct|on|12/31/2017", "wnwwn" },
  { "it is 5km away in 3D", "it|is|5|km|away|in|3D", "wwnwwww" },
  { "\xc2\xa3" "100m and $5bn for 5G", "\xc2\xa3|100|m|and|$|5|bn|for|5G", "snwwsnwww" },
  { "a 10-year-old boy", "a|10-year-old|boy", "www" },
  { "prices 5.93 mln.", "prices|5.93|mln|.", "wnwp" },
  { "\xe2\x88\x92" "4 C", "\xe2\x88\x92" "4|C", "nw" },
  /* hyphenated names and words */
  { "Kim Yong-nam met Choe Thae-bok", "Kim|Yong-nam|met|Choe|Thae-bok", NULL },
  { "a Hwasong-11A long-range missile and F-35 jets",
    "a|Hwasong-11A|long-range|missile|and|F-35|jets", NULL },
  { "non\xe2\x80\x91stop", "non\xe2\x80\x91stop", "w" },
  /* clitics and apostrophes */
  { "Iran's nuclear", "Iran|'s|nuclear", "www" },
  { "Iran\xe2\x80\x99s nuclear", "Iran|\xe2\x80\x99s|nuclear", "www" },
  { "the countries' leaders", "the|countries|'|leaders", "wwww" },
  { "I don't know, we're sure they'll", "I|do|n't|know|,|we|'re|sure|they|'ll", NULL },
  { "we don\xe2\x80\x99t, can\xe2\x80\x99t", "we|do|n\xe2\x80\x99t|,|ca|n\xe2\x80\x99t", NULL },
  { "O'Brien and D'Angelo met O\xe2\x80\x99Neill", "O'Brien|and|D'Angelo|met|O\xe2\x80\x99Neill", "wwwww" },
  { "IRAN'S OIL in the 1990's", "IRAN|'S|OIL|in|the|1990|'s", "wwwwwnw" },
  { "rock'n'roll and Qur'an", "rock'n'roll|and|Qur'an", NULL },
  /* quotes */
  { "\xe2\x80\x9cYes,\xe2\x80\x9d he said", "\xe2\x80\x9c|Yes|,|\xe2\x80\x9d|he|said", "qwpqww" },
  { "\xe2\x80\x98No\xe2\x80\x99 and \"maybe\" or 'so'",
    "\xe2\x80\x98|No|\xe2\x80\x99|and|\"|maybe|\"|or|'|so|'", "qwqwqwqwqwq" },
  { "the word 'boys' here", "the|word|'|boys|'|here", "wwqwqw" },
  { "\xc2\xabOui\xc2\xbb \xe2\x80\xb9non\xe2\x80\xba", "\xc2\xab|Oui|\xc2\xbb|\xe2\x80\xb9|non|\xe2\x80\xba", "qwqqwq" },
  /* dashes and ellipses */
  { "war\xe2\x80\x94" "and peace \xe2\x80\x93 and -- more - less",
    "war|\xe2\x80\x94|and|peace|\xe2\x80\x93|and|--|more|-|less", "wpwwpwpwpw" },
  { "wait... what\xe2\x80\xa6 ok", "wait|...|what|\xe2\x80\xa6|ok", "wpwpw" },
  { "Really?! Wow!!!", "Really|?!|Wow|!!!", "wpwp" },
  { "(Reuters) - The", "(|Reuters|)|-|The", "pwppw" },
  /* URLs and e-mail */
  { "see http://example.com/a?b=1. Then", "see|http://example.com/a?b=1|.|Then", "wupw" },
  { "(https://en.wikipedia.org/wiki/A_(b)) x", "(|https://en.wikipedia.org/wiki/A_(b)|)|x", "pupw" },
  { "visit www.reuters.com.", "visit|www.reuters.com|.", "wup" },
  { "mail john.smith@example.org.", "mail|john.smith@example.org|.", "wep" },
  { "Amazon.com Inc. shares", "Amazon.com|Inc.|shares", NULL },
  { "he said.The end", "he|said|.|The|end", NULL },
  /* other scripts and spaces */
  { "Ahmadinejad visited S\xc3\xa3o Paulo and Z\xc3\xbcrich",
    "Ahmadinejad|visited|S\xc3\xa3o|Paulo|and|Z\xc3\xbcrich", NULL },
  { "\xd0\x9f\xd1\x83\xd1\x82\xd0\xb8\xd0\xbd \xd1\x81\xd0\xba\xd0\xb0\xd0\xb7\xd0\xb0\xd0\xbb.",
    "\xd0\x9f\xd1\x83\xd1\x82\xd0\xb8\xd0\xbd|\xd1\x81\xd0\xba\xd0\xb0\xd0\xb7\xd0\xb0\xd0\xbb|.", "wwp" },
  { "\xe4\xb8\x9c\xe4\xba\xac and \xe5\x8c\x97\xe4\xba\xac\xe3\x80\x82",
    "\xe4\xb8\x9c\xe4\xba\xac|and|\xe5\x8c\x97\xe4\xba\xac|\xe3\x80\x82", "wwwp" },
  { "price\xc2\xa0rise\xe2\x80\x83now\xe2\x80\x8bthen", "price|rise|now|then", NULL },
  { "Cafe\xcc\x81 cre\xcc\x80me", "Cafe\xcc\x81|cre\xcc\x80me", "ww" },
  { "ok \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd yes", "ok|\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd|yes", "wsw" },
  { "AT&T + 5 = #1 @user", "AT|&|T|+|5|=|#|1|@|user", "wswsnssnsw" },
  /* bytes that are not UTF-8 */
  { "\xff\xfe" "abc \xc3", "\xff|\xfe|abc|\xc3", "ssws" },
  /* nothing */
  { "", "", NULL },
  { " \t\n\r\n \xc2\xa0\xe2\x80\xa8", "", NULL },
};

static void
test_token_table (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (token_cases); c++)
    {
      const TokenCase *tc = &token_cases[c];
      GArray *tokens = tokenize (tc->text, strlen (tc->text));
      g_autofree char *got = join_tokens (tc->text, tokens);
      g_autofree char *escaped = g_strescape (tc->text, NULL);

      g_test_message ("case %u: %s", c, escaped);
      g_assert_cmpstr (got, ==, tc->tokens);
      if (tc->kinds)
        {
          g_autofree char *kinds = g_malloc0 (tokens->len + 1);

          for (guint i = 0; i < tokens->len; i++)
            kinds[i] = kind_letter (g_array_index (tokens, DpToken, i).kind);
          g_assert_cmpstr (kinds, ==, tc->kinds);
        }
      g_array_unref (tokens);
    }
}

/* ---- sentence table ---------------------------------------------------------- */

typedef struct {
  const char *text;
  guint n_sentences;
  const char *sentences;  /* expected sentence texts joined with '|' */
} SentenceCase;

static const SentenceCase sentence_cases[] = {
  { "Hello world. This is a test.", 2, "Hello world.|This is a test." },
  { "U.S. officials said so. They left.", 2, "U.S. officials said so.|They left." },
  { "Gen. Smith arrived. He spoke.", 2, "Gen. Smith arrived.|He spoke." },
  { "He lives in the U.S. He works here.", 2, "He lives in the U.S.|He works here." },
  { "He moved to the U.S. in 1990 with Dr. No.", 1, "He moved to the U.S. in 1990 with Dr. No." },
  { "\xe2\x80\x9cWe will win. They will lose,\xe2\x80\x9d he said.", 1,
    "\xe2\x80\x9cWe will win. They will lose,\xe2\x80\x9d he said." },
  { "\"We will win. They will lose,\" he said. Then he left.", 2,
    "\"We will win. They will lose,\" he said.|Then he left." },
  { "He left. \xe2\x80\x9cNow,\xe2\x80\x9d she said.", 2,
    "He left.|\xe2\x80\x9cNow,\xe2\x80\x9d she said." },
  { "\xe2\x80\x9cWe will win.\xe2\x80\x9d Then he left.", 2,
    "\xe2\x80\x9cWe will win.\xe2\x80\x9d|Then he left." },
  { "\xe2\x80\x9cWe will win,\xe2\x80\x9d he said. \xe2\x80\x9cThey will lose.\xe2\x80\x9d", 2,
    "\xe2\x80\x9cWe will win,\xe2\x80\x9d he said.|\xe2\x80\x9cThey will lose.\xe2\x80\x9d" },
  { "He said \"no.\" Then he left.", 2, "He said \"no.\"|Then he left." },
  { "(He left.) Then she came.", 2, "(He left.)|Then she came." },
  { "BAHIA COCOA REVIEW\n\nShowers continued.", 2, "BAHIA COCOA REVIEW|Showers continued." },
  { "First paragraph without period\n \n\nSecond one", 2,
    "First paragraph without period|Second one" },
  { "North Korea Fires Missile Over Japan\nSEOUL (Reuters) - North Korea fired.", 2,
    "North Korea Fires Missile Over Japan|SEOUL (Reuters) - North Korea fired." },
  { "Oil prices rise\nThe price of oil rose.", 2, "Oil prices rise|The price of oil rose." },
  { "Showers continued throughout the week in the zone since early\nJanuary and improving.", 1,
    "Showers continued throughout the week in the zone since early\nJanuary and improving." },
  { "The company said on Tuesday that its chairman\nJohn Smith resigned.", 1,
    "The company said on Tuesday that its chairman\nJohn Smith resigned." },
  { "What? No way! Yes.", 3, "What?|No way!|Yes." },
  { "\xe2\x80\x9cWhy?\xe2\x80\x9d he asked.", 1, "\xe2\x80\x9cWhy?\xe2\x80\x9d he asked." },
  { "He asked: what now? nobody knew.", 1, "He asked: what now? nobody knew." },
  { "Wait... Then it happened. He paused\xe2\x80\xa6 and went on.", 3,
    "Wait...|Then it happened.|He paused\xe2\x80\xa6 and went on." },
  { "J. R. R. Tolkien wrote it. George W. Bush read it.", 2,
    "J. R. R. Tolkien wrote it.|George W. Bush read it." },
  { "It closed at 5.93 mln. Prices rose 1.5 pct.", 2, "It closed at 5.93 mln.|Prices rose 1.5 pct." },
  { "The meeting is at 10 a.m. Sunday in Washington.", 1,
    "The meeting is at 10 a.m. Sunday in Washington." },
  { "The meeting started at 10 a.m. The president spoke.", 2,
    "The meeting started at 10 a.m.|The president spoke." },
  { "Apple Inc. said profits rose. Shares fell.", 2, "Apple Inc. said profits rose.|Shares fell." },
  { "Sales rose 5 pct. 1987 was good.", 2, "Sales rose 5 pct.|1987 was good." },
  { "The dollar fell.\n    Analysts said it would recover.\n Reuter", 3,
    "The dollar fell.|Analysts said it would recover.|Reuter" },
  { "It works!\n\nnext paragraph", 2, "It works!|next paragraph" },
  { "Mr. Smith went to Washington. Mrs. Smith stayed.", 2,
    "Mr. Smith went to Washington.|Mrs. Smith stayed." },
  { "She visited Washington, D.C. The trip was short.", 2,
    "She visited Washington, D.C.|The trip was short." },
  { "Paragraph one\xe2\x80\xa9Paragraph two", 2, "Paragraph one|Paragraph two" },
  { "Is it in the U.S.? Yes.", 2, "Is it in the U.S.?|Yes." },
  { "See www.bbc.co.uk. It works.", 2, "See www.bbc.co.uk.|It works." },
  { "\xe5\x8c\x97\xe4\xba\xac\xe3\x80\x82\xe4\xb8\x9c\xe4\xba\xac\xe3\x80\x82", 2,
    "\xe5\x8c\x97\xe4\xba\xac\xe3\x80\x82|\xe4\xb8\x9c\xe4\xba\xac\xe3\x80\x82" },
  { "Treasury Secretary James\nBaker said the dollar would fall sharply.", 1,
    "Treasury Secretary James\nBaker said the dollar would fall sharply." },
  { "Brown Disc Products Co\nInc said it sold a unit.", 1,
    "Brown Disc Products Co\nInc said it sold a unit." },
  { "Loadmaster Systems Inc said Mark\nA Cote has been appointed president.", 1,
    "Loadmaster Systems Inc said Mark\nA Cote has been appointed president." },
  { "    Shr 29 cts vs 22 cts\n    Net 1,975,000 vs 1,403,000\n    Revs 68.1 mln", 3,
    "Shr 29 cts vs 22 cts|Net 1,975,000 vs 1,403,000|Revs 68.1 mln" },
  /* line breaks that are no hard wrap end sentences */
  { "Partners in the Gulf\nOfficially, the two countries describe their ties as a partnership of equals.", 2,
    "Partners in the Gulf|Officially, the two countries describe their ties as a partnership of equals." },
  { "Talks Focus on Refineries and Tankers\nOfficials said the talks would cover refineries.", 2,
    "Talks Focus on Refineries and Tankers|Officials said the talks would cover refineries." },
  { "He is based in Bogota.\nMin Jae Park\nMin Jae Park is a correspondent for Global Energy Review covering "
    "Latin America and the Gulf. He joined in 2019.", 4,
    "He is based in Bogota.|Min Jae Park|Min Jae Park is a correspondent for Global Energy Review covering "
    "Latin America and the Gulf.|He joined in 2019." },
  { "Iran and Venezuela Deepen Their Oil Partnership\nBy Amara Okafor\nCARACAS \xe2\x80\x94 Talks began.", 3,
    "Iran and Venezuela Deepen Their Oil Partnership|By Amara Okafor|CARACAS \xe2\x80\x94 Talks began." },
  { "Peter Hollis\nGENEVA 2026-05-14\nThe talks resumed.", 3, "Peter Hollis|GENEVA 2026-05-14|The talks resumed." },
  { "The plan has three parts:\n- Lower tariffs\n- Open ports\n1. First item\n2) Second item", 5,
    "The plan has three parts:|- Lower tariffs|- Open ports|1. First item|2) Second item" },
  { "Total Revenue 10,756 13,102\nSoftware Revenue 2,383 1,558\nServices Revenue 1,154 692", 3,
    "Total Revenue 10,756 13,102|Software Revenue 2,383 1,558|Services Revenue 1,154 692" },
  /* lines that had room for the next word were ended by choice (the text wraps at ~70) */
  { "The fund, which was set up by the central bank in May, said on Friday that\n"
    "its assets had grown by a third in the year to the end of March, and\n"
    "Scorers: Eugen Voica (84th)\nGilbert Agius (24th)\n"
    "it was the best year since the fund began in 1990, the statement said.", 3,
    "The fund, which was set up by the central bank in May, said on Friday that\n"
    "its assets had grown by a third in the year to the end of March, and\n"
    "Scorers: Eugen Voica (84th)|Gilbert Agius (24th)|"
    "it was the best year since the fund began in 1990, the statement said." },
  { "ok well i have a question about my car and i hope someone here can help me\n"
    "it makes a noise when i brake\nany ideas", 2,
    "ok well i have a question about my car and i hope someone here can help me\n"
    "it makes a noise when i brake|any ideas" },
  /* ...but not the first line of a paragraph, indented or after a blank line
   * (Reuters cut its dateline), nor where one overlong line skews the width */
  { "    Ecuador has also appealed for emergency\naid from about 40 foreign governments to repair the\n"
    "damage done by the earthquake, officials in the capital said on Friday.", 1,
    "Ecuador has also appealed for emergency\naid from about 40 foreign governments to repair the\n"
    "damage done by the earthquake, officials in the capital said on Friday." },
  { "Agriculture Minister Mutsuki Kato said he\nwill meet U.S. Agriculture Secretary Richard Lyng here on April\n"
    "17 and 20 to discuss bilateral farm trade issues and the dispute over\n"
    "beef, the ministry said.\n    Kato told reporters after a cabinet meeting all topics ofconcern to the U.S. will be\n"
    "raised, including the quotas on beef and citrus that run out next\n"
    "year and the rice market, which Japan has kept closed to imports for\n"
    "decades, and that he would ask Lyng to understand the position of the\n"
    "farmers who fear for their income if the market is opened at once to\n"
    "cheaper rice from abroad, the minister told reporters in Tokyo.", 2,
    "Agriculture Minister Mutsuki Kato said he\nwill meet U.S. Agriculture Secretary Richard Lyng here on April\n"
    "17 and 20 to discuss bilateral farm trade issues and the dispute over\n"
    "beef, the ministry said.|Kato told reporters after a cabinet meeting all topics ofconcern to the U.S. will be\n"
    "raised, including the quotas on beef and citrus that run out next\n"
    "year and the rice market, which Japan has kept closed to imports for\n"
    "decades, and that he would ask Lyng to understand the position of the\n"
    "farmers who fear for their income if the market is opened at once to\n"
    "cheaper rice from abroad, the minister told reporters in Tokyo." },
  /* after full stops */
  { "Prices rose sharply. -- Paris Newsroom +33 1 42 21 53 81", 2, "Prices rose sharply.|-- Paris Newsroom +33 1 42 21 53 81" },
  { "The diver trained in the U.S. According to her coach, she is ready.", 2,
    "The diver trained in the U.S.|According to her coach, she is ready." },
  { "She worked for the C.I.A. Mr. Wilson said so.", 2, "She worked for the C.I.A.|Mr. Wilson said so." },
  { "a 5-3 win - the second in a row", 1, "a 5-3 win - the second in a row" },
  /* hard wraps do not */
  { "Officials in Tehran and Caracas said on Monday that the talks between the\nMinistry of Oil and "
    "the state company had gone well.", 1,
    "Officials in Tehran and Caracas said on Monday that the talks between the\nMinistry of Oil and "
    "the state company had gone well." },
  { "The delegation, which arrived in Caracas on Monday for two days of talks,\nMet officials of the state oil "
    "company.", 1,
    "The delegation, which arrived in Caracas on Monday for two days of talks,\nMet officials of the state oil "
    "company." },
  { "The dollar fell sharply against the yen in thin trading on Monday as\nJapanese exporters sold.", 1,
    "The dollar fell sharply against the yen in thin trading on Monday as\nJapanese exporters sold." },
  { "no terminal at all", 1, "no terminal at all" },
  { "", 0, "" },
  { " \n\n ", 0, "" },
};

static void
test_sentence_table (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (sentence_cases); c++)
    {
      const SentenceCase *sc = &sentence_cases[c];
      gsize len = strlen (sc->text);
      GArray *tokens = tokenize (sc->text, len);
      GArray *sentences = split (sc->text, len, tokens);
      GString *got = g_string_new (NULL);

      g_test_message ("case %u: %s", c, sc->text);
      for (guint i = 0; i < sentences->len; i++)
        {
          const DpSentence *s = &g_array_index (sentences, DpSentence, i);

          if (i > 0)
            g_string_append_c (got, '|');
          g_string_append_len (got, sc->text + s->start, s->end - s->start);
        }
      g_assert_cmpstr (got->str, ==, sc->sentences);
      g_assert_cmpuint (sentences->len, ==, sc->n_sentences);
      g_string_free (got, TRUE);
      g_array_unref (sentences);
      g_array_unref (tokens);
    }
}

/* ---- flags, kinds, API details ------------------------------------------------ */

static void
test_flags (void)
{
  const char *text = "a b\nc\n\nd\n \t\r\n e\xc2\xa0" "f\r\ng\xe2\x80\xa9h";
  static const guint16 expected[] = {
    0,
    DP_TOKEN_FLAG_SPACE_BEFORE,
    DP_TOKEN_FLAG_SPACE_BEFORE | DP_TOKEN_FLAG_NEWLINE_BEFORE,
    DP_TOKEN_FLAG_SPACE_BEFORE | DP_TOKEN_FLAG_NEWLINE_BEFORE | DP_TOKEN_FLAG_PARAGRAPH_BEFORE,
    DP_TOKEN_FLAG_SPACE_BEFORE | DP_TOKEN_FLAG_NEWLINE_BEFORE | DP_TOKEN_FLAG_PARAGRAPH_BEFORE,
    DP_TOKEN_FLAG_SPACE_BEFORE,
    DP_TOKEN_FLAG_SPACE_BEFORE | DP_TOKEN_FLAG_NEWLINE_BEFORE,
    DP_TOKEN_FLAG_SPACE_BEFORE | DP_TOKEN_FLAG_NEWLINE_BEFORE | DP_TOKEN_FLAG_PARAGRAPH_BEFORE,
  };
  GArray *tokens = tokenize (text, strlen (text));
  g_autofree char *got = join_tokens (text, tokens);

  g_assert_cmpstr (got, ==, "a|b|c|d|e|f|g|h");
  for (guint i = 0; i < tokens->len; i++)
    {
      g_test_message ("token %u", i);
      g_assert_cmpuint (g_array_index (tokens, DpToken, i).flags, ==, expected[i]);
    }
  g_array_unref (tokens);

  /* leading space counts, glued punctuation does not */
  text = "  x.";
  tokens = tokenize (text, strlen (text));
  g_assert_cmpuint (tokens->len, ==, 2);
  g_assert_cmpuint (g_array_index (tokens, DpToken, 0).flags, ==, DP_TOKEN_FLAG_SPACE_BEFORE);
  g_assert_cmpuint (g_array_index (tokens, DpToken, 1).flags, ==, 0);
  g_array_unref (tokens);
}

static void
test_kind_names (void)
{
  g_assert_cmpstr (dp_token_kind_to_string (DP_TOKEN_WORD), ==, "word");
  g_assert_cmpstr (dp_token_kind_to_string (DP_TOKEN_NUMBER), ==, "number");
  g_assert_cmpstr (dp_token_kind_to_string (DP_TOKEN_PUNCT), ==, "punct");
  g_assert_cmpstr (dp_token_kind_to_string (DP_TOKEN_QUOTE), ==, "quote");
  g_assert_cmpstr (dp_token_kind_to_string (DP_TOKEN_SYMBOL), ==, "symbol");
  g_assert_cmpstr (dp_token_kind_to_string (DP_TOKEN_URL), ==, "url");
  g_assert_cmpstr (dp_token_kind_to_string (DP_TOKEN_EMAIL), ==, "email");
  g_assert_cmpstr (dp_token_kind_to_string ((DpTokenKind) 99), ==, "unknown");
}

/* Both functions append; offsets stay relative to the text just tokenized and
 * sentence indices to the token array passed in. */
static void
test_append (void)
{
  const char *text = "One. Two.";
  GArray *tokens = tokenize (text, strlen (text));
  GArray *sentences;
  const DpToken *second;

  dp_tokenize (text, 4, tokens);
  g_assert_cmpuint (tokens->len, ==, 6);
  second = &g_array_index (tokens, DpToken, 4);
  g_assert_cmpuint (second->start, ==, 0);
  g_assert_cmpuint (second->end, ==, 3);

  sentences = g_array_new (FALSE, FALSE, sizeof (DpSentence));
  dp_split_sentences (text, strlen (text), (const DpToken *) tokens->data, 4, sentences);
  dp_split_sentences (text, strlen (text), (const DpToken *) tokens->data, 4, sentences);
  g_assert_cmpuint (sentences->len, ==, 4);
  g_assert_cmpuint (g_array_index (sentences, DpSentence, 3).first_token, ==, 2);
  g_assert_cmpuint (g_array_index (sentences, DpSentence, 3).n_tokens, ==, 2);
  g_assert_cmpuint (g_array_index (sentences, DpSentence, 3).start, ==, 5);
  g_assert_cmpuint (g_array_index (sentences, DpSentence, 3).end, ==, 9);
  g_array_unref (sentences);
  g_array_unref (tokens);
}

/* ---- invariants under random input ------------------------------------------ */

static void
check_invariants (const char *text, gsize len, gboolean valid_utf8)
{
  GArray *tokens = tokenize (text, len);
  GArray *sentences = split (text, len, tokens);
  guint32 prev_end = 0;
  guint next_token = 0;

  for (guint i = 0; i < tokens->len; i++)
    {
      const DpToken *t = &g_array_index (tokens, DpToken, i);

      g_assert_cmpuint (t->start, >=, prev_end);
      g_assert_cmpuint (t->start, <, t->end);
      g_assert_cmpuint (t->end, <=, len);
      g_assert_cmpuint (t->kind, <=, DP_TOKEN_EMAIL);
      g_assert_cmpuint (t->flags & ~7u, ==, 0);
      if ((t->flags & DP_TOKEN_FLAG_PARAGRAPH_BEFORE))
        g_assert_true (t->flags & DP_TOKEN_FLAG_NEWLINE_BEFORE);
      if ((t->flags & DP_TOKEN_FLAG_NEWLINE_BEFORE))
        g_assert_true (t->flags & DP_TOKEN_FLAG_SPACE_BEFORE);
      /* a space before means a gap; no spaces inside */
      if (t->flags & DP_TOKEN_FLAG_SPACE_BEFORE)
        g_assert_cmpuint (t->start, >, prev_end);
      for (guint32 b = t->start; b < t->end; b++)
        g_assert_true (text[b] != ' ' && text[b] != '\n' && text[b] != '\t');
      if (valid_utf8)
        {
          /* on character boundaries: neither end is a continuation byte */
          g_assert_true (((guchar) text[t->start] & 0xc0) != 0x80);
          g_assert_true (t->end == len || ((guchar) text[t->end] & 0xc0) != 0x80);
          g_assert_true (g_utf8_validate (text + t->start, t->end - t->start, NULL));
        }
      prev_end = t->end;
    }

  /* sentences cover the tokens in order, without gaps or empty sentences */
  for (guint i = 0; i < sentences->len; i++)
    {
      const DpSentence *s = &g_array_index (sentences, DpSentence, i);

      g_assert_cmpuint (s->first_token, ==, next_token);
      g_assert_cmpuint (s->n_tokens, >, 0);
      g_assert_cmpuint (s->first_token + s->n_tokens, <=, tokens->len);
      g_assert_cmpuint (s->start, ==, g_array_index (tokens, DpToken, s->first_token).start);
      g_assert_cmpuint (s->end, ==,
                        g_array_index (tokens, DpToken, s->first_token + s->n_tokens - 1).end);
      next_token += s->n_tokens;
    }
  g_assert_cmpuint (next_token, ==, tokens->len);

  g_array_unref (sentences);
  g_array_unref (tokens);
}

/* Pieces that exercise the tokenizer's branches, glued at random. */
static const char *const fragments[] = {
  "a", "Z", "7", " ", "  ", "\n", "\n\n", "\r\n", "\t", ".", "..", ",", "'", "\"", "-",
  "--", "!", "?", "(", ")", "@", "$", "%", "/", ":", "#", "_", "+", "U.S.", "Mr.", "Gen",
  "n't", "'s", "http://", "https://x.y/(", "www.", "a@b.cd", "1,000", "3:32am", "19th",
  "\xe2\x80\x99", "\xe2\x80\x9c", "\xe2\x80\x9d", "\xe2\x80\x94", "\xe2\x80\xa6",
  "\xe2\x80\x91", "\xe2\x88\x92", "\xc2\xa0", "\xc2\xad", "\xe2\x80\x8d", "\xe2\x80\xa8",
  "\xe2\x80\xa9", "\xc3\xa9", "\xcc\x81", "\xe5\x8c\x97", "\xe3\x80\x82", "\xd0\x96",
  "\xf0\x9f\x91\x8d", "\xf0\x9f\x8f\xbd", "\xef\xbb\xbf", "\xc2\xab", "\xc2\xbb",
};

static void
test_fuzz_bytes (void)
{
  guchar buf[200];

  for (guint iter = 0; iter < 10000; iter++)
    {
      gsize len = g_test_rand_int_range (0, 201);

      for (gsize i = 0; i < len; i++)
        {
          /* mostly ASCII-ish so words actually form, with every byte value possible */
          guint32 r = g_test_rand_int ();

          buf[i] = (r & 3) == 0 ? (guchar) (r >> 8) : "aZ9 .'-\xe2\x80\x99\n@/:,\"\0"[(r >> 8) % 17];
        }
      check_invariants ((const char *) buf, len, FALSE);
    }
}

static void
test_fuzz_utf8 (void)
{
  for (guint iter = 0; iter < 10000; iter++)
    {
      GString *s = g_string_new (NULL);
      guint n = g_test_rand_int_range (0, 60);

      for (guint i = 0; i < n; i++)
        g_string_append (s, fragments[g_test_rand_int_range (0, G_N_ELEMENTS (fragments))]);
      g_assert_true (g_utf8_validate (s->str, s->len, NULL));
      check_invariants (s->str, s->len, TRUE);
      g_string_free (s, TRUE);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tokenize/tokens", test_token_table);
  g_test_add_func ("/tokenize/sentences", test_sentence_table);
  g_test_add_func ("/tokenize/flags", test_flags);
  g_test_add_func ("/tokenize/kind-names", test_kind_names);
  g_test_add_func ("/tokenize/append", test_append);
  g_test_add_func ("/tokenize/fuzz-bytes", test_fuzz_bytes);
  g_test_add_func ("/tokenize/fuzz-utf8", test_fuzz_utf8);

  return g_test_run ();
}
