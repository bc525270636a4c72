/* temporal.c — DATE, TIME, MONEY and PERCENT by hand-written token rules.
 *
 * The ner stage runs this before (or next to) its statistical tagger: these
 * four types are formulaic in English news ("Aug. 9, 2017", "3:32 a.m. EDT",
 * "$1.2 billion", "76 pct"), so rules get them right more often than a
 * model does, and they cost almost nothing.  Everything works on the core's
 * tokens, never on raw characters:
 *
 *   - every WORD token is looked up once in a small static lexicon (a hash of
 *     lower-cased keys, built on first use) that says which roles it can play:
 *     month, weekday, "last/next/this", time unit, currency, scale, ...;
 *   - NUMBER tokens are parsed into a Num (parts, separators, suffix);
 *   - at each token the matchers that can start there run, each returning
 *     where its phrase would end; the longest wins and scanning resumes after
 *     it, so output is sorted and non-overlapping by construction.
 *
 * Spans follow CoNLL/OntoNotes habits: no leading article or preposition
 * ("on Tuesday" -> "Tuesday", "the early 1990s" -> "early 1990s"), but
 * modifiers that change the meaning are kept ("last May", "earlier this
 * month", "two years ago").  When in doubt a rule says nothing: a missed
 * entity can still come from the tagger, a wrong one pollutes every consumer.
 *
 * Known gaps, on purpose: bare durations ("for two years"), "the weekend",
 * vague plurals ("decades"), spelled-out amounts beyond one number word
 * ("two hundred dollars"), and ambiguous H:MM such as Bible verses ("John
 * 3:16" comes out as TIME).
 *
 * Hot path: no allocation, no regex; one hash lookup per word token (with a
 * tiny cache because matchers look at neighbours again).
 */
#include "temporal.h"
#include "names.h"

#include <string.h>

/* ---- lexicon ----------------------------------------------------------------- */

/* Roles a word can play; one word may have several ("later": "three days
 * later" and "later this year"). */
enum {
  R_MONTH        = 1u << 0,   /* value = 1..12; aux = ambiguity level */
  R_MONTH_SHORT  = 1u << 1,   /* undotted abbreviation: only before a day ("Sep 9") */
  R_WEEKDAY      = 1u << 2,
  R_REL          = 1u << 3,   /* last next this past coming previous */
  R_EDGE         = 1u << 4,   /* early late mid */
  R_EDGE_REL     = 1u << 5,   /* earlier later: only before a relative date */
  R_AGO          = 1u << 6,   /* ago later earlier */
  R_UNIT         = 1u << 7,   /* day week month year ...; value = unit */
  R_PLURAL       = 1u << 8,
  R_TUNIT        = 1u << 9,   /* hour minute: durations that are TIME */
  R_DEICTIC      = 1u << 10,  /* yesterday today tomorrow */
  R_TONIGHT      = 1u << 11,
  R_PARTDAY      = 1u << 12,  /* morning afternoon evening night */
  R_NOONMID      = 1u << 13,
  R_AMPM         = 1u << 14,
  R_OCLOCK       = 1u << 15,
  R_ZONE         = 1u << 16,
  R_SCALE        = 1u << 17,  /* million bn mln: with or without a space */
  R_SCALE_GLUED  = 1u << 18,  /* m k b: only glued to the number ("600m") */
  R_CURWORD      = 1u << 19,  /* dollars dlrs euros; aux 1 = needs a scale (pounds, won) */
  R_CURCODE      = 1u << 20,  /* USD CHF Rs */
  R_CURADJ       = 1u << 21,  /* "US dollars", "Canadian dollars" */
  R_PERCENT      = 1u << 22,  /* percent pct */
  R_PERCENTAGE   = 1u << 23,
  R_POINTS       = 1u << 24,
  R_PER          = 1u << 25,
  R_CENT         = 1u << 26,
  R_NUMWORD      = 1u << 27,  /* one .. ninety; value */
  R_COUNT        = 1u << 28,  /* a an several few */
  R_MONTHCTX     = 1u << 29,  /* "in May": words that make a bare month a date */
  R_CONJ         = 1u << 30,  /* "April and May" */
  R_YEAR_UNIT    = 1u << 31,  /* "1990 tonnes": not a year */
};

/* Roles that did not fit in 32 bits live in a second word. */
enum {
  R2_YEAR_PREV   = 1u << 0,   /* "No. 2015", "flight 2015": not a year */
  R2_SEASON      = 1u << 1,
  R2_ORDINAL     = 1u << 2,   /* first .. fourth (quarter) */
  R2_QUARTER_ADJ = 1u << 3,   /* first-quarter */
  R2_FISCAL      = 1u << 4,
  R2_RECENT      = 1u << 5,
  R2_USA         = 1u << 6,   /* "USA Today" is no date */
  R2_STERLING    = 1u << 7,
};

typedef enum { CASE_ANY, CASE_CAP, CASE_UPPER } Casing;

typedef enum {
  U_DAY = 1, U_WEEK, U_WEEKEND, U_MONTH, U_QUARTER, U_YEAR, U_DECADE, U_CENTURY, U_SEASON,
} Unit;

typedef struct {
  const char *key;   /* lower case */
  guint32 roles;
  guint8 roles2;
  guint8 value;
  guint8 aux;
  guint8 casing;
} LexEntry;

#define M(k, v, amb)  { k, R_MONTH, 0, v, amb, CASE_CAP }
#define MS(k, v)      { k, R_MONTH | R_MONTH_SHORT, 0, v, 0, CASE_CAP }
#define WD(k, c)      { k, R_WEEKDAY, 0, 0, 0, c }
#define UN(k, u)      { k, R_UNIT, 0, u, 0, CASE_ANY }
#define UP(k, u)      { k, R_UNIT | R_PLURAL, 0, u, 0, CASE_ANY }
#define W(k, r)       { k, r, 0, 0, 0, CASE_ANY }
#define W2(k, r2)     { k, 0, r2, 0, 0, CASE_ANY }
#define NW(k, v)      { k, R_NUMWORD, 0, v, 0, CASE_ANY }
#define CUR(k, amb)   { k, R_CURWORD | R_YEAR_UNIT, 0, 0, amb, CASE_ANY }
#define CODE(k)       { k, R_CURCODE, 0, 0, 0, CASE_UPPER }
#define ZONE(k)       { k, R_ZONE, 0, 0, 0, CASE_UPPER }
#define YU(k)         { k, R_YEAR_UNIT, 0, 0, 0, CASE_ANY }
#define YP(k)         { k, 0, R2_YEAR_PREV, 0, 0, CASE_ANY }

static const LexEntry lexicon[] = {
  /* months; ambiguity 1: also a given name (needs no capitalized word after
   * or a context word before), 2: also a common word (needs a context word) */
  M ("january", 1, 0), M ("february", 2, 0), M ("march", 3, 2), M ("april", 4, 1),
  M ("may", 5, 2), M ("june", 6, 1), M ("july", 7, 0), M ("august", 8, 1),
  M ("september", 9, 0), M ("october", 10, 0), M ("november", 11, 0), M ("december", 12, 0),
  M ("jan.", 1, 0), M ("feb.", 2, 0), M ("mar.", 3, 0), M ("apr.", 4, 0), M ("jun.", 6, 0),
  M ("jul.", 7, 0), M ("aug.", 8, 0), M ("sep.", 9, 0), M ("sept.", 9, 0), M ("oct.", 10, 0),
  M ("nov.", 11, 0), M ("dec.", 12, 0),
  MS ("jan", 1), MS ("feb", 2), MS ("mar", 3), MS ("apr", 4), MS ("jun", 6), MS ("jul", 7),
  MS ("aug", 8), MS ("sep", 9), MS ("sept", 9), MS ("oct", 10), MS ("nov", 11), MS ("dec", 12),
  /* weekdays: the full names are unambiguous in any case */
  WD ("monday", CASE_ANY), WD ("tuesday", CASE_ANY), WD ("wednesday", CASE_ANY),
  WD ("thursday", CASE_ANY), WD ("friday", CASE_ANY), WD ("saturday", CASE_ANY),
  WD ("sunday", CASE_ANY), WD ("mon.", CASE_CAP), WD ("tue.", CASE_CAP), WD ("tues.", CASE_CAP),
  WD ("wed.", CASE_CAP), WD ("thu.", CASE_CAP), WD ("thur.", CASE_CAP), WD ("thurs.", CASE_CAP),
  WD ("fri.", CASE_CAP), WD ("sat.", CASE_CAP), WD ("sun.", CASE_CAP),
  /* relative dates */
  W ("last", R_REL), W ("next", R_REL), W ("this", R_REL), W ("past", R_REL),
  W ("coming", R_REL), W ("previous", R_REL),
  W ("early", R_EDGE), W ("late", R_EDGE), W ("mid", R_EDGE | R_MONTHCTX),
  W ("earlier", R_EDGE_REL | R_AGO), W ("later", R_EDGE_REL | R_AGO), W ("ago", R_AGO),
  UN ("day", U_DAY), UN ("week", U_WEEK), UN ("weekend", U_WEEKEND), UN ("month", U_MONTH),
  UN ("quarter", U_QUARTER), UN ("year", U_YEAR), UN ("decade", U_DECADE),
  UN ("century", U_CENTURY), UN ("season", U_SEASON),
  UP ("days", U_DAY), UP ("weeks", U_WEEK), UP ("weekends", U_WEEKEND), UP ("months", U_MONTH),
  UP ("quarters", U_QUARTER), UP ("years", U_YEAR), UP ("decades", U_DECADE),
  UP ("centuries", U_CENTURY), UP ("seasons", U_SEASON),
  W ("hour", R_TUNIT), W ("minute", R_TUNIT),
  W ("hours", R_TUNIT | R_PLURAL | R_YEAR_UNIT), W ("minutes", R_TUNIT | R_PLURAL | R_YEAR_UNIT),
  W ("yesterday", R_DEICTIC), W ("today", R_DEICTIC), W ("tomorrow", R_DEICTIC),
  W ("tonight", R_TONIGHT),
  W ("morning", R_PARTDAY), W ("afternoon", R_PARTDAY), W ("evening", R_PARTDAY),
  W ("night", R_PARTDAY),
  W2 ("spring", R2_SEASON), W2 ("summer", R2_SEASON), W2 ("autumn", R2_SEASON),
  W2 ("fall", R2_SEASON), W2 ("winter", R2_SEASON),
  W2 ("first", R2_ORDINAL), W2 ("second", R2_ORDINAL), W2 ("third", R2_ORDINAL),
  W2 ("fourth", R2_ORDINAL),
  W2 ("first-quarter", R2_QUARTER_ADJ), W2 ("second-quarter", R2_QUARTER_ADJ),
  W2 ("third-quarter", R2_QUARTER_ADJ), W2 ("fourth-quarter", R2_QUARTER_ADJ),
  W2 ("first-half", R2_QUARTER_ADJ), W2 ("second-half", R2_QUARTER_ADJ),
  W2 ("fiscal", R2_FISCAL), W2 ("recent", R2_RECENT),
  { "usa", 0, R2_USA, 0, 0, CASE_UPPER },
  /* clock */
  W ("noon", R_NOONMID), W ("midnight", R_NOONMID),
  W ("am", R_AMPM), W ("pm", R_AMPM), W ("a.m.", R_AMPM), W ("p.m.", R_AMPM),
  W ("a.m", R_AMPM), W ("p.m", R_AMPM),
  W ("o'clock", R_OCLOCK), W ("o\xe2\x80\x99" "clock", R_OCLOCK),
  ZONE ("edt"), ZONE ("est"), ZONE ("cdt"), ZONE ("cst"), ZONE ("mdt"), ZONE ("mst"),
  ZONE ("pdt"), ZONE ("pst"), ZONE ("gmt"), ZONE ("utc"), ZONE ("bst"), ZONE ("cet"),
  ZONE ("cest"), ZONE ("eet"), ZONE ("eest"), ZONE ("et"), ZONE ("pt"),
  ZONE ("jst"), ZONE ("kst"), ZONE ("hkt"), ZONE ("sgt"), ZONE ("ist"),
  ZONE ("aest"), ZONE ("aedt"), ZONE ("msk"), ZONE ("wib"),
  /* amounts */
  W ("thousand", R_SCALE | R_YEAR_UNIT), W ("million", R_SCALE | R_YEAR_UNIT),
  W ("billion", R_SCALE | R_YEAR_UNIT), W ("trillion", R_SCALE | R_YEAR_UNIT),
  W ("mln", R_SCALE | R_YEAR_UNIT), W ("bln", R_SCALE | R_YEAR_UNIT),
  W ("bn", R_SCALE | R_YEAR_UNIT), W ("mn", R_SCALE | R_YEAR_UNIT),
  W ("tn", R_SCALE | R_YEAR_UNIT), W ("trn", R_SCALE | R_YEAR_UNIT),
  W ("crore", R_SCALE | R_YEAR_UNIT), W ("lakh", R_SCALE | R_YEAR_UNIT),
  W ("m", R_SCALE_GLUED), W ("k", R_SCALE_GLUED), W ("b", R_SCALE_GLUED),
  CUR ("dollar", 0), CUR ("dollars", 0), CUR ("dlr", 0), CUR ("dlrs", 0), CUR ("cents", 0),
  CUR ("ct", 0), CUR ("cts", 0), CUR ("euro", 0), CUR ("euros", 0), CUR ("pound", 1),
  CUR ("pounds", 1), CUR ("yen", 0), CUR ("yuan", 0), CUR ("renminbi", 0), CUR ("rupee", 0),
  CUR ("rupees", 0), CUR ("rouble", 0), CUR ("roubles", 0), CUR ("ruble", 0),
  CUR ("rubles", 0), CUR ("franc", 0), CUR ("francs", 0), CUR ("peso", 0), CUR ("pesos", 0),
  CUR ("rand", 1), CUR ("reais", 0), CUR ("lira", 0), CUR ("lire", 0), CUR ("krona", 0),
  CUR ("kronor", 0), CUR ("krone", 0), CUR ("kroner", 0), CUR ("dinar", 0), CUR ("dinars", 0),
  CUR ("ringgit", 0), CUR ("baht", 0), CUR ("rupiah", 0), CUR ("shekel", 0),
  CUR ("shekels", 0), CUR ("zloty", 0), CUR ("zlotys", 0), CUR ("forint", 0),
  CUR ("naira", 0), CUR ("riyal", 0), CUR ("riyals", 0), CUR ("dirham", 0),
  CUR ("dirhams", 0), CUR ("won", 1), CUR ("stg", 0), CUR ("marks", 0), CUR ("guilders", 0),
  CUR ("crowns", 0), CUR ("schillings", 0), CUR ("punts", 0), CUR ("ecus", 0),
  CUR ("d-marks", 0), CUR ("deutschemarks", 0),
  { "sterling", R_CURWORD | R_YEAR_UNIT, R2_STERLING, 0, 0, CASE_ANY },
  { "cent", R_CURWORD | R_CENT, 0, 0, 0, CASE_ANY },
  CODE ("usd"), CODE ("eur"), CODE ("gbp"), CODE ("jpy"), CODE ("chf"), CODE ("cny"),
  CODE ("aud"), CODE ("cad"), CODE ("hkd"), CODE ("inr"), CODE ("rub"), CODE ("sek"),
  CODE ("nok"), CODE ("dkk"), CODE ("brl"), CODE ("mxn"), CODE ("zar"), CODE ("krw"),
  CODE ("sgd"), CODE ("nzd"),
  { "rs", R_CURCODE, 0, 0, 0, CASE_CAP }, { "rs.", R_CURCODE, 0, 0, 0, CASE_CAP },
  { "us", R_CURADJ, 0, 0, 0, CASE_UPPER }, { "u.s.", R_CURADJ, 0, 0, 0, CASE_UPPER },
  { "canadian", R_CURADJ, 0, 0, 0, CASE_CAP }, { "australian", R_CURADJ, 0, 0, 0, CASE_CAP },
  { "singapore", R_CURADJ, 0, 0, 0, CASE_CAP }, { "taiwan", R_CURADJ, 0, 0, 0, CASE_CAP },
  { "american", R_CURADJ, 0, 0, 0, CASE_CAP }, { "swiss", R_CURADJ, 0, 0, 0, CASE_CAP },
  { "french", R_CURADJ, 0, 0, 0, CASE_CAP }, { "belgian", R_CURADJ, 0, 0, 0, CASE_CAP },
  { "danish", R_CURADJ, 0, 0, 0, CASE_CAP }, { "swedish", R_CURADJ, 0, 0, 0, CASE_CAP },
  { "norwegian", R_CURADJ, 0, 0, 0, CASE_CAP }, { "aus", R_CURADJ, 0, 0, 0, CASE_CAP },
  { "h.k.", R_CURADJ, 0, 0, 0, CASE_UPPER }, { "n.z.", R_CURADJ, 0, 0, 0, CASE_UPPER },
  { "hk", R_CURADJ, 0, 0, 0, CASE_UPPER }, { "nz", R_CURADJ, 0, 0, 0, CASE_UPPER },
  W ("percent", R_PERCENT | R_YEAR_UNIT), W ("pct", R_PERCENT | R_YEAR_UNIT),
  W ("percentage", R_PERCENTAGE), W ("point", R_POINTS), W ("points", R_POINTS | R_YEAR_UNIT),
  W ("per", R_PER),
  /* counts */
  NW ("one", 1), NW ("two", 2), NW ("three", 3), NW ("four", 4), NW ("five", 5), NW ("six", 6),
  NW ("seven", 7), NW ("eight", 8), NW ("nine", 9), NW ("ten", 10), NW ("eleven", 11),
  NW ("twelve", 12), NW ("thirteen", 13), NW ("fourteen", 14), NW ("fifteen", 15),
  NW ("sixteen", 16), NW ("seventeen", 17), NW ("eighteen", 18), NW ("nineteen", 19),
  NW ("twenty", 20), NW ("thirty", 30), NW ("forty", 40), NW ("fifty", 50), NW ("sixty", 60),
  NW ("seventy", 70), NW ("eighty", 80), NW ("ninety", 90),
  W ("a", R_COUNT), W ("an", R_COUNT), W ("several", R_COUNT), W ("few", R_COUNT),
  /* context */
  W ("in", R_MONTHCTX), W ("since", R_MONTHCTX), W ("until", R_MONTHCTX | R_CONJ),
  W ("till", R_MONTHCTX | R_CONJ), W ("of", R_MONTHCTX), W ("during", R_MONTHCTX),
  W ("through", R_MONTHCTX | R_CONJ), W ("throughout", R_MONTHCTX),
  W ("and", R_CONJ), W ("or", R_CONJ), W ("to", R_CONJ),
  /* "1990 tonnes", "flight 2015": numbers that are not years */
  YU ("tonnes"), YU ("tonne"), YU ("tons"), YU ("ton"), YU ("bags"), YU ("shares"),
  YU ("people"), YU ("barrels"), YU ("bpd"), YU ("bales"), YU ("cars"), YU ("units"),
  YU ("vehicles"), YU ("troops"), YU ("soldiers"), YU ("police"), YU ("officers"),
  YU ("workers"), YU ("jobs"), YU ("employees"), YU ("members"), YU ("votes"), YU ("voters"),
  YU ("feet"), YU ("ft"), YU ("metres"), YU ("meters"), YU ("miles"), YU ("km"),
  YU ("kilometres"), YU ("kilometers"), YU ("acres"), YU ("hectares"), YU ("ha"),
  YU ("ounces"), YU ("oz"), YU ("pts"), YU ("lots"), YU ("contracts"), YU ("homes"),
  YU ("houses"), YU ("students"), YU ("children"), YU ("men"), YU ("women"), YU ("copies"),
  YU ("times"), YU ("residents"), YU ("refugees"), YU ("deaths"), YU ("cases"),
  YU ("patients"), YU ("passengers"), YU ("flights"), YU ("yards"), YU ("pages"),
  YU ("words"), YU ("items"), YU ("rooms"), YU ("beds"), YU ("seats"), YU ("tickets"),
  YU ("visitors"), YU ("tourists"), YU ("companies"), YU ("firms"), YU ("banks"),
  YU ("stores"), YU ("schools"), YU ("pieces"), YU ("head"), YU ("kg"), YU ("kilograms"),
  YU ("kilos"), YU ("lbs"), YU ("mw"), YU ("megawatts"), YU ("mt"), YU ("calories"),
  YU ("sq"), YU ("square"), YU ("cubic"), YU ("mph"), YU ("degrees"), YU ("runs"),
  YU ("gallons"), YU ("litres"), YU ("liters"), YU ("bushels"), YU ("cattle"), YU ("hogs"),
  YU ("pigs"), YU ("animals"), YU ("households"), YU ("families"), YU ("dead"),
  YU ("injured"), YU ("arrests"), YU ("protesters"), YU ("delegates"), YU ("users"),
  YU ("customers"), YU ("subscribers"), YU ("accounts"), YU ("ships"), YU ("aircraft"),
  YU ("planes"), YU ("jets"), YU ("tanks"), YU ("guns"), YU ("rounds"), YU ("games"),
  YU ("hectolitres"), YU ("cartons"), YU ("boxes"), YU ("sites"), YU ("stations"),
  YP ("no."), YP ("no"), YP ("nos."), YP ("number"), YP ("flight"), YP ("route"), YP ("room"),
  YP ("page"), YP ("article"), YP ("section"), YP ("chapter"), YP ("resolution"),
  YP ("version"), YP ("model"), YP ("code"), YP ("bus"), YP ("highway"), YP ("interstate"),
  YP ("rule"), YP ("paragraph"), YP ("platform"), YP ("gate"), YP ("terminal"), YP ("form"),
  YP ("pp."), YP ("p."), YP ("vol."), YP ("volume"), YP ("box"), YP ("suite"),
  YP ("apartment"), YP ("unit"), YP ("lot"), YP ("street"), YP ("avenue"),
};

#undef M
#undef MS
#undef WD
#undef UN
#undef UP
#undef W
#undef W2
#undef NW
#undef CUR
#undef CODE
#undef ZONE
#undef YU
#undef YP

#define LEX_MAX_KEY 16
#define LEX_SLOTS   2048   /* power of two, > 3 x entries: short probe runs */

static guint
lex_hash (const char *key, gsize n)
{
  guint h = 2166136261u;

  for (gsize k = 0; k < n; k++)
    h = (h ^ (guchar) key[k]) * 16777619u;
  return h;
}

/* Slot -> entry index + 1 (0 = empty).  Built once; read-only afterwards, so
 * worker threads share it without locks. */
static const guint16 *
lex_table (void)
{
  static guint16 slots[LEX_SLOTS];
  static gsize ready;

  if (g_once_init_enter (&ready))
    {
      G_STATIC_ASSERT (G_N_ELEMENTS (lexicon) * 3 < LEX_SLOTS);
      for (guint e = 0; e < G_N_ELEMENTS (lexicon); e++)
        {
          const char *key = lexicon[e].key;
          guint h = lex_hash (key, strlen (key)) & (LEX_SLOTS - 1);

          while (slots[h] != 0)
            {
              /* a duplicate key would shadow the first entry's roles */
              g_assert (strcmp (lexicon[slots[h] - 1].key, key) != 0);
              h = (h + 1) & (LEX_SLOTS - 1);
            }
          slots[h] = (guint16) (e + 1);
        }
      g_once_init_leave (&ready, 1);
    }
  return slots;
}

static gboolean
casing_ok (const char *p, gsize n, guint8 casing)
{
  if (casing == CASE_CAP)
    return g_ascii_isupper (p[0]);
  if (casing == CASE_UPPER)
    {
      for (gsize k = 0; k < n; k++)
        if (g_ascii_islower (p[k]))
          return FALSE;
    }
  return TRUE;
}

/* The entry for the word p[0..n), or NULL; case rules are applied here, so
 * "may" and "et" simply are not in the lexicon. */
static const LexEntry *
lex_lookup (const guint16 *slots, const char *p, gsize n)
{
  char key[LEX_MAX_KEY];
  guint h;

  if (n == 0 || n > LEX_MAX_KEY)
    return NULL;
  for (gsize k = 0; k < n; k++)
    key[k] = dp_name_lower (p[k]);
  h = lex_hash (key, n) & (LEX_SLOTS - 1);
  while (slots[h] != 0)
    {
      const LexEntry *e = &lexicon[slots[h] - 1];

      if (strncmp (e->key, key, n) == 0 && e->key[n] == '\0')
        return casing_ok (p, n, e->casing) ? e : NULL;
      h = (h + 1) & (LEX_SLOTS - 1);
    }
  return NULL;
}

/* ---- tokens ------------------------------------------------------------------ */

#define LEX_CACHE 8

typedef struct {
  const char *text;
  const DpToken *tok;
  guint n;        /* end of the current paragraph: no entity crosses a blank line */
  guint n_total;
  const guint16 *slots;
  /* Matchers re-read the neighbours of a token; a tiny direct-mapped cache
   * keeps that at one hash lookup per token. */
  guint cache_idx[LEX_CACHE];
  const LexEntry *cache_val[LEX_CACHE];
} Ctx;

static const LexEntry no_entry = { "", 0, 0, 0, 0, CASE_ANY };

static inline const char *
tok_text (const Ctx *c, guint i)
{
  return c->text + c->tok[i].start;
}

static inline guint
tok_len (const Ctx *c, guint i)
{
  return c->tok[i].end - c->tok[i].start;
}

static inline gboolean
tok_kind (const Ctx *c, guint i, DpTokenKind kind)
{
  return i < c->n && c->tok[i].kind == kind;
}

/* No space between token i and the one before it: "600m", "US$". */
static inline gboolean
glued (const Ctx *c, guint i)
{
  return i < c->n && (c->tok[i].flags & DP_TOKEN_FLAG_SPACE_BEFORE) == 0;
}

static gboolean
tok_is (const Ctx *c, guint i, const char *s)
{
  gsize n = strlen (s);

  return i < c->n && tok_len (c, i) == n && memcmp (tok_text (c, i), s, n) == 0;
}

/* The lexicon entry of token i (never NULL: &no_entry when it has none). */
static const LexEntry *
lex (Ctx *c, guint i)
{
  guint slot = i % LEX_CACHE;
  const LexEntry *e;

  if (i >= c->n || c->tok[i].kind != DP_TOKEN_WORD)
    return &no_entry;
  if (c->cache_idx[slot] == i)
    return c->cache_val[slot];
  e = lex_lookup (c->slots, tok_text (c, i), tok_len (c, i));
  c->cache_idx[slot] = i;
  c->cache_val[slot] = e ? e : &no_entry;
  return c->cache_val[slot];
}

static inline guint32
roles (Ctx *c, guint i)
{
  return lex (c, i)->roles;
}

static inline guint32
roles2 (Ctx *c, guint i)
{
  return lex (c, i)->roles2;
}

static gboolean
is_currency_symbol (const Ctx *c, guint i)
{
  static const char *const symbols[] = {
    "$", "\xe2\x82\xac" /* € */, "\xc2\xa3" /* £ */, "\xc2\xa5" /* ¥ */,
    "\xe2\x82\xb9" /* ₹ */, "\xe2\x82\xa9" /* ₩ */, "\xe2\x82\xbd" /* ₽ */,
    "\xe2\x82\xaa" /* ₪ */, "\xe2\x82\xba" /* ₺ */, "\xe2\x82\xa6" /* ₦ */,
  };

  if (!tok_kind (c, i, DP_TOKEN_SYMBOL))
    return FALSE;
  for (guint k = 0; k < G_N_ELEMENTS (symbols); k++)
    if (tok_is (c, i, symbols[k]))
      return TRUE;
  return FALSE;
}

/* "US$", "HK$", "A$": one to three capitals glued to a dollar sign. */
static gboolean
is_dollar_prefix (const Ctx *c, guint i)
{
  guint n;

  if (!tok_kind (c, i, DP_TOKEN_WORD) || !tok_is (c, i + 1, "$") || !glued (c, i + 1))
    return FALSE;
  n = tok_len (c, i);
  if (n > 3)
    return FALSE;
  for (guint k = 0; k < n; k++)
    if (!g_ascii_isupper (tok_text (c, i)[k]))
      return FALSE;
  return TRUE;
}

/* ---- numbers ----------------------------------------------------------------- */

typedef enum { SUF_NONE, SUF_ORDINAL, SUF_DECADE, SUF_OTHER } Suffix;

#define NUM_MAX_PARTS 4

/* A NUMBER token taken apart: "1,000.5" is parts 1|000|5 with seps ",.";
 * "3:32" is 3|32 with ":"; "1990s" is 1990 with SUF_DECADE. */
typedef struct {
  guint n_parts;
  guint32 part[NUM_MAX_PARTS];    /* saturates at 10^8 */
  guint8 digits[NUM_MAX_PARTS];
  char sep[NUM_MAX_PARTS];        /* sep[k] precedes part[k + 1] */
  guint8 suffix;
  gboolean sign;                  /* leading - + or U+2212 */
  gboolean lead_dot;              /* ".5" */
} Num;

static gsize
num_skip_sign (const char *p, gsize n, Num *m)
{
  gsize k = 0;

  if (n > 0 && (p[0] == '-' || p[0] == '+'))
    k = 1;
  else if (n >= 3 && memcmp (p, "\xe2\x88\x92", 3) == 0)
    k = 3;
  m->sign = k != 0;
  return k;
}

static void
num_suffix (const char *p, gsize n, Num *m)
{
  if (n == 1 && (p[0] == 's' || p[0] == 'S'))
    m->suffix = SUF_DECADE;
  else if (n == 2 && (g_ascii_strncasecmp (p, "st", 2) == 0 || g_ascii_strncasecmp (p, "nd", 2) == 0
                      || g_ascii_strncasecmp (p, "rd", 2) == 0 || g_ascii_strncasecmp (p, "th", 2) == 0))
    m->suffix = SUF_ORDINAL;
  else
    m->suffix = SUF_OTHER;
}

/* Parses token i; FALSE if it is no NUMBER or has more parts than we use. */
static gboolean
num_parse (const Ctx *c, guint i, Num *m)
{
  const char *p;
  gsize n, k;

  memset (m, 0, sizeof *m);
  if (!tok_kind (c, i, DP_TOKEN_NUMBER))
    return FALSE;
  p = tok_text (c, i);
  n = tok_len (c, i);
  k = num_skip_sign (p, n, m);
  if (k < n && p[k] == '.')
    {
      m->lead_dot = TRUE;
      k++;
    }
  for (;;)
    {
      guint32 v = 0;
      guint8 d = 0;

      if (m->n_parts == NUM_MAX_PARTS)
        return FALSE;
      for (; k < n && g_ascii_isdigit (p[k]); k++)
        {
          v = v < 100000000u ? v * 10 + (guint32) (p[k] - '0') : v;
          d = d < 255 ? d + 1 : d;
        }
      m->part[m->n_parts] = v;
      m->digits[m->n_parts++] = d;
      if (k >= n)
        return TRUE;
      if (!strchr (",.:/-", p[k]) || k + 1 >= n || !g_ascii_isdigit (p[k + 1]))
        break;
      m->sep[m->n_parts - 1] = p[k++];
    }
  num_suffix (p + k, n - k, m);
  return TRUE;
}

static gboolean
num_seps_all (const Num *m, char sep)
{
  for (guint k = 0; k + 1 < m->n_parts; k++)
    if (m->sep[k] != sep)
      return FALSE;
  return TRUE;
}

/* A plain unsigned integer: "19", "2015". */
static gboolean
num_is_int (const Num *m)
{
  return m->n_parts == 1 && m->suffix == SUF_NONE && !m->sign && !m->lead_dot;
}

/* Something a price or a rate can be: 5, -2.5, 1,000.50, .5, and the
 * Reuters forms of ranges and fractions: 5-6, 1.5-2.0, 5/8, 1-1/4, 567/571.
 * Each piece between a '-' or '/' is a plain amount; at most one of each. */
static gboolean
num_is_amount (const Num *m)
{
  gboolean dash = FALSE, slash = FALSE, dot = m->lead_dot;

  if (m->suffix != SUF_NONE)
    return FALSE;
  for (guint k = 0; k + 1 < m->n_parts; k++)
    {
      switch (m->sep[k])
        {
        case '-':
          if (dash || slash)
            return FALSE;  /* "1/2-3" */
          dash = TRUE;
          dot = FALSE;
          break;
        case '/':
          if (slash)
            return FALSE;  /* "4/2/87" is a date */
          slash = TRUE;
          dot = FALSE;
          break;
        case '.':
          if (dot)
            return FALSE;  /* "2.3.1" */
          dot = TRUE;
          break;
        case ',':
          if (dot || m->digits[k + 1] != 3)
            return FALSE;
          break;
        default:
          return FALSE;  /* "3:32" */
        }
    }
  return TRUE;
}

/* An amount at token i; returns its end or 0.  The tokenizer splits "1-1/4"
 * into "1-1" "/" "4", so a fraction glued on is taken here. */
static guint
amount_end (Ctx *c, guint i)
{
  Num m;

  if (!num_parse (c, i, &m) || !num_is_amount (&m))
    return 0;
  if (tok_is (c, i + 1, "/") && glued (c, i + 1) && glued (c, i + 2)
      && num_parse (c, i + 2, &m) && num_is_int (&m))
    return i + 3;
  return i + 1;
}

/* ---- DATE pieces ------------------------------------------------------------- */

/* A day of the month: 9, 19th, or a range 9-11.  Returns the end or 0. */
static guint
day_at (Ctx *c, guint i)
{
  Num m;

  if (!num_parse (c, i, &m) || m.sign || m.lead_dot || m.digits[0] > 2)
    return 0;
  if (m.n_parts == 1 && (m.suffix == SUF_NONE || m.suffix == SUF_ORDINAL))
    return m.part[0] >= 1 && m.part[0] <= 31 ? i + 1 : 0;
  if (m.n_parts == 2 && m.sep[0] == '-' && m.suffix == SUF_NONE && m.digits[1] <= 2)
    return m.part[0] >= 1 && m.part[0] < m.part[1] && m.part[1] <= 31 ? i + 1 : 0;
  return 0;
}

static gboolean
is_year_value (const Num *m, guint32 lo, guint32 hi)
{
  return num_is_int (m) && m->digits[0] == 4 && m->part[0] >= lo && m->part[0] <= hi;
}

/* A year after a month or a modifier, where context already says "date". */
static guint
year_at (Ctx *c, guint i)
{
  Num m;

  return num_parse (c, i, &m) && is_year_value (&m, 1000, 2099) ? i + 1 : 0;
}

/* Optional ", 2017" or " 2017" after a day. */
static guint
year_tail (Ctx *c, guint j)
{
  if (tok_is (c, j, ",") && year_at (c, j + 1))
    return j + 2;
  if (year_at (c, j))
    return j + 1;
  return j;
}

static gboolean
is_month (Ctx *c, guint i)
{
  return (roles (c, i) & R_MONTH) != 0;
}

/* "August 9, 2017", "Feb. 19", "March 2026"; a bare month only when
 * @alone_ok.  Returns the end or 0. */
static guint
month_phrase (Ctx *c, guint i, gboolean alone_ok)
{
  guint d;

  if (!is_month (c, i))
    return 0;
  if ((d = day_at (c, i + 1)) != 0)
    return year_tail (c, d);
  if (year_at (c, i + 1))
    return i + 2;
  if (!alone_ok || (roles (c, i) & R_MONTH_SHORT))
    return 0;
  return i + 1;
}

static gboolean
is_capitalized_word (Ctx *c, guint i)
{
  return tok_kind (c, i, DP_TOKEN_WORD) && g_ascii_isupper (tok_text (c, i)[0]);
}

/* "in May", "since March", "April and May": words before a bare month that
 * make it a date rather than a name or a verb. */
static gboolean
month_context_before (Ctx *c, guint i)
{
  guint32 r;

  if (i == 0)
    return FALSE;
  r = roles (c, i - 1);
  if (r & R_MONTHCTX)
    return TRUE;
  return i >= 2 && ((r & R_CONJ) || tok_is (c, i - 1, "-")) && is_month (c, i - 2);
}

/* May a bare month (no day, no year) at i be a date? */
static gboolean
bare_month_ok (Ctx *c, guint i)
{
  const LexEntry *e = lex (c, i);

  switch (e->aux)
    {
    case 0:
      return TRUE;
    case 1: /* "June Carter" is a name, "in June" and "June was" are dates */
      return month_context_before (c, i) || !is_capitalized_word (c, i + 1);
    default: /* "May I", "March on": only with a context word, and not "May's" */
      return month_context_before (c, i) && !tok_is (c, i + 1, "'s")
             && !tok_is (c, i + 1, "\xe2\x80\x99s");
    }
}

/* "19 February", "19th of February 2017", "9 August, 2017". */
static guint
day_month_at (Ctx *c, guint i)
{
  guint j = day_at (c, i);
  Num m;

  if (j == 0)
    return 0;
  num_parse (c, i, &m);
  if (m.suffix == SUF_ORDINAL && tok_is (c, j, "of"))
    j++;
  if (!is_month (c, j))
    return 0;
  return year_tail (c, j + 1);
}

/* "1990s", "'90s" (apostrophe glued to a two-digit decade). */
static guint
decade_at (Ctx *c, guint i)
{
  Num m;

  if (tok_kind (c, i, DP_TOKEN_QUOTE) && glued (c, i + 1)
      && (tok_is (c, i, "'") || tok_is (c, i, "\xe2\x80\x99")))
    return num_parse (c, i + 1, &m) && m.suffix == SUF_DECADE && m.n_parts == 1
           && m.digits[0] == 2 && m.part[0] % 10 == 0 && !m.sign ? i + 2 : 0;
  if (!num_parse (c, i, &m) || m.suffix != SUF_DECADE || m.n_parts != 1 || m.sign)
    return 0;
  return m.digits[0] == 4 && m.part[0] % 10 == 0 && m.part[0] >= 1000 ? i + 1 : 0;
}

/* A count before a unit: 2, 1.5, "two", "a", "a few", "several". */
static guint
count_at (Ctx *c, guint i)
{
  Num m;

  if (num_parse (c, i, &m))
    return num_is_amount (&m) && !m.sign && m.n_parts <= 2 ? i + 1 : 0;
  if (roles (c, i) & R_NUMWORD)
    return i + 1;
  if (roles (c, i) & R_COUNT)
    return tok_is (c, i + 1, "few") ? i + 2 : i + 1;
  return 0;
}

/* ---- matchers ---------------------------------------------------------------- */

static const char LABEL_DATE[] = "DATE";
static const char LABEL_TIME[] = "TIME";
static const char LABEL_MONEY[] = "MONEY";
static const char LABEL_PERCENT[] = "PERCENT";

typedef struct {
  guint end;          /* one past the last token, 0 = nothing yet */
  const char *label;
} Match;

static inline void
offer (Match *best, guint end, const char *label)
{
  if (end > best->end)
    {
      best->end = end;
      best->label = label;
    }
}

/* "last month", "this year", "next Tuesday", "last May", "past two years";
 * "last night", "this morning" are TIME. */
static guint
rel_phrase (Ctx *c, guint i, const char **label)
{
  const LexEntry *e;
  guint j = i + 1, k;

  if (!(roles (c, i) & R_REL))
    return 0;
  *label = LABEL_DATE;
  e = lex (c, j);
  if ((e->roles & R_UNIT) && !(e->roles & R_PLURAL) && e->value != U_DAY)
    return j + 1;
  if ((e->roles & (R_MONTH | R_WEEKDAY)) && !(e->roles & R_MONTH_SHORT))
    return j + 1;
  if (e->roles2 & R2_SEASON)
    return j + 1;
  if (e->roles & R_PARTDAY)
    {
      *label = LABEL_TIME;
      return j + 1;
    }
  /* "past two years", "next few months", "last 24 hours" (TIME) */
  if ((k = count_at (c, j)) == 0)
    return 0;
  e = lex (c, k);
  if ((e->roles & (R_UNIT | R_PLURAL)) == (R_UNIT | R_PLURAL))
    return k + 1;
  if ((e->roles & (R_TUNIT | R_PLURAL)) == (R_TUNIT | R_PLURAL))
    {
      *label = LABEL_TIME;
      return k + 1;
    }
  return 0;
}

static void
match_rel (Ctx *c, guint i, Match *best)
{
  const char *label = LABEL_DATE;
  guint end = rel_phrase (c, i, &label);

  offer (best, end, label);
}

/* "early 1990s", "late last year", "mid March", "earlier this month". */
static void
match_edge (Ctx *c, guint i, Match *best)
{
  const char *label = LABEL_DATE;
  guint j = i + 1, end;

  end = rel_phrase (c, j, &label);
  offer (best, end, label);
  if (!(roles (c, i) & R_EDGE))
    return;  /* "earlier"/"later" only qualify a relative date */
  offer (best, year_at (c, j), LABEL_DATE);
  offer (best, decade_at (c, j), LABEL_DATE);
  offer (best, month_phrase (c, j, TRUE), LABEL_DATE);
  if (roles (c, j) & R_WEEKDAY)
    offer (best, j + 1, LABEL_DATE);
}

/* "Tuesday", "Tuesday, November 28", "Tuesday 28 November 2017". */
static void
match_weekday (Ctx *c, guint i, Match *best)
{
  guint j = tok_is (c, i + 1, ",") ? i + 2 : i + 1;
  guint end;

  offer (best, i + 1, LABEL_DATE);
  if (is_month (c, j) && (end = month_phrase (c, j, FALSE)) != 0)
    offer (best, end, LABEL_DATE);
  offer (best, day_month_at (c, j), LABEL_DATE);
}

static void
match_month (Ctx *c, guint i, Match *best)
{
  guint end = month_phrase (c, i, FALSE);

  if (end != 0)
    offer (best, end, LABEL_DATE);
  else if (!(roles (c, i) & R_MONTH_SHORT) && bare_month_ok (c, i))
    offer (best, i + 1, LABEL_DATE);
}

/* "mid-2015", "mid-March", "mid-1990s", "mid-year": one hyphenated token. */
static void
match_mid_word (Ctx *c, guint i, Match *best)
{
  const char *p = tok_text (c, i) + 4;
  gsize n = tok_len (c, i) - 4;
  const LexEntry *e;
  guint digits = 0;

  while (digits < n && g_ascii_isdigit (p[digits]))
    digits++;
  if (digits == 4 && (n == 4 || (n == 5 && (p[4] == 's' || p[4] == 'S'))))
    {
      offer (best, i + 1, LABEL_DATE);
      return;
    }
  e = lex_lookup (c->slots, p, n);
  if (e == NULL)
    return;
  if (e->roles & R_MONTH)
    offer (best, year_at (c, i + 1) ? i + 2 : i + 1, LABEL_DATE);
  else if ((e->roles & R_UNIT) && e->value >= U_WEEK)
    offer (best, i + 1, LABEL_DATE);
}

/* "yesterday", "today", "tomorrow morning" (TIME), "tonight" (TIME). */
static void
match_deictic (Ctx *c, guint i, Match *best)
{
  if (roles (c, i) & R_TONIGHT)
    {
      offer (best, i + 1, LABEL_TIME);
      return;
    }
  if (i > 0 && (roles2 (c, i - 1) & R2_USA))
    return;
  if (roles (c, i + 1) & R_PARTDAY)
    offer (best, i + 2, LABEL_TIME);
  else
    offer (best, i + 1, LABEL_DATE);
}

static guint
zone_tail (Ctx *c, guint j)
{
  return (roles (c, j) & R_ZONE) ? j + 1 : j;
}

/* "two years ago", "a week later", "three hours earlier" (TIME). */
static void
match_duration (Ctx *c, guint i, Match *best)
{
  guint k = count_at (c, i);
  const LexEntry *e;

  if (k == 0)
    return;
  e = lex (c, k);
  if (!(e->roles & (R_UNIT | R_TUNIT)) || !(roles (c, k + 1) & R_AGO))
    return;
  offer (best, k + 2, (e->roles & R_TUNIT) ? LABEL_TIME : LABEL_DATE);
}

/* "first quarter", "third-quarter", "fiscal 2015", "summer 2015",
 * "recent years". */
static void
match_period (Ctx *c, guint i, Match *best)
{
  guint32 r2 = roles2 (c, i);
  const LexEntry *next = lex (c, i + 1);

  if (r2 & R2_QUARTER_ADJ)
    offer (best, i + 1, LABEL_DATE);
  if ((r2 & R2_ORDINAL) && (next->roles & R_UNIT) && next->value == U_QUARTER
      && !(next->roles & R_PLURAL))
    offer (best, i + 2, LABEL_DATE);
  if ((r2 & (R2_FISCAL | R2_SEASON)) && year_at (c, i + 1))
    offer (best, i + 2, LABEL_DATE);
  if ((r2 & R2_FISCAL) && next->value == U_YEAR && year_at (c, i + 2))
    offer (best, i + 3, LABEL_DATE);
  if ((r2 & R2_RECENT) && (next->roles & R_PLURAL) && (next->roles & (R_UNIT | R_TUNIT)))
    offer (best, i + 2, LABEL_DATE);
}

/* "noon", "midnight GMT"; not the surname in "J Noon (Newcastle)". */
static void
match_noon (Ctx *c, guint i, Match *best)
{
  const char *p = tok_text (c, i);

  if (g_ascii_isupper (p[0]) && g_ascii_islower (p[1]) && i > 0 && is_capitalized_word (c, i - 1))
    return;
  offer (best, zone_tail (c, i + 1), LABEL_TIME);
}

/* ---- amounts ----------------------------------------------------------------- */

/* After an amount: "million", "bn", or "m"/"k"/"b" glued to it. */
static guint
scale_tail (Ctx *c, guint j)
{
  guint32 r = roles (c, j);

  if ((r & R_SCALE) || ((r & R_SCALE_GLUED) && glued (c, j)))
    return j + 1;
  return j;
}

/* "$1.2 billion", "US$5 million", "CHF 3.4 million", "Rs 500 crore". */
static void
match_money_prefix (Ctx *c, guint i, Match *best)
{
  guint j;

  if (is_currency_symbol (c, i))
    j = i + 1;
  else if (is_dollar_prefix (c, i))
    j = i + 2;
  else if (roles (c, i) & R_CURCODE)
    j = i + 1;
  else
    return;
  if ((j = amount_end (c, j)) != 0)
    offer (best, scale_tail (c, j), LABEL_MONEY);
}

/* The currency after an amount ending at j: "dollars", "US dollars",
 * "pounds sterling", "USD", "€".  Returns the end or 0. */
static guint
currency_after (Ctx *c, guint j, gboolean scaled)
{
  const LexEntry *e = lex (c, j);

  if (is_currency_symbol (c, j) || (e->roles & R_CURCODE))
    return j + 1;
  if ((e->roles & R_CURADJ) && (roles (c, j + 1) & R_CURWORD))
    e = lex (c, ++j);
  if (!(e->roles & R_CURWORD))
    return 0;
  if (roles2 (c, j + 1) & R2_STERLING)
    return j + 2;
  /* "5 pounds" is as likely a weight, "won" a verb */
  return e->aux == 0 || scaled ? j + 1 : 0;
}

/* "500 million dollars", "15 dlrs", "five million euros", "1.13bn dollars",
 * "a billion dlrs" (an article only before a scale). */
static void
match_money_suffix (Ctx *c, guint i, Match *best)
{
  guint32 r = roles (c, i);
  guint j = (r & (R_NUMWORD | R_COUNT)) ? i + 1 : amount_end (c, i);
  guint k;

  if (j == 0)
    return;
  k = scale_tail (c, j);
  if ((r & R_COUNT) && k == j)
    return;
  offer (best, currency_after (c, k, k > j), LABEL_MONEY);
}

/* "15%", "15 percent", "15 per cent", "76 pct", "2 percentage points". */
static void
match_percent (Ctx *c, guint i, Match *best)
{
  guint j = (roles (c, i) & R_NUMWORD) ? i + 1 : amount_end (c, i);
  const LexEntry *e;

  if (j == 0)
    return;
  if (tok_is (c, j, "%"))
    {
      offer (best, j + 1, LABEL_PERCENT);
      return;
    }
  e = lex (c, j);
  if (e->roles & R_PERCENT)
    offer (best, j + 1, LABEL_PERCENT);
  else if ((e->roles & R_PER) && (roles (c, j + 1) & R_CENT))
    offer (best, j + 2, LABEL_PERCENT);
  else if ((e->roles & R_PERCENTAGE) && (roles (c, j + 1) & R_POINTS))
    offer (best, j + 2, LABEL_PERCENT);
}

/* ---- numbers as times and dates ---------------------------------------------- */

static guint
ampm_tail (Ctx *c, guint j)
{
  return (roles (c, j) & R_AMPM) ? j + 1 : 0;
}

/* "3:32", "3:32am EDT", "15:40 GMT", "10:14:05". */
static void
match_clock (Ctx *c, guint i, const Num *m, Match *best)
{
  guint end, a;

  if (m->n_parts < 2 || m->n_parts > 3 || !num_seps_all (m, ':') || m->sign
      || m->lead_dot || m->suffix != SUF_NONE || m->digits[0] > 2 || m->part[0] > 24)
    return;
  for (guint k = 1; k < m->n_parts; k++)
    if (m->digits[k] != 2 || m->part[k] > 59)
      return;
  end = i + 1;
  if ((a = ampm_tail (c, end)) != 0)
    {
      if (m->part[0] < 1 || m->part[0] > 12)
        return;
      end = a;
    }
  offer (best, zone_tail (c, end), LABEL_TIME);
}

/* "3 p.m.", "10am EDT", "3.30pm", "8 o'clock", "12 noon", "1400 GMT". */
static void
match_hour (Ctx *c, guint i, const Num *m, Match *best)
{
  guint32 h = m->part[0];
  guint j = i + 1, a;
  gboolean hour12 = !m->sign && !m->lead_dot && m->suffix == SUF_NONE && m->digits[0] <= 2
                    && h >= 1 && h <= 12;

  if (!hour12 && !num_is_int (m))
    return;
  if (hour12 && m->n_parts == 2 && m->sep[0] == '.' && m->digits[1] == 2 && m->part[1] <= 59)
    {
      if ((a = ampm_tail (c, j)) != 0)  /* British "3.30pm" */
        offer (best, zone_tail (c, a), LABEL_TIME);
      return;
    }
  if (m->n_parts != 1)
    return;
  if (hour12 && (a = ampm_tail (c, j)) != 0)
    offer (best, zone_tail (c, a), LABEL_TIME);
  if (hour12 && (roles (c, j) & R_OCLOCK))
    offer (best, j + 1, LABEL_TIME);
  if (hour12 && h == 12 && (roles (c, j) & R_NOONMID))
    offer (best, zone_tail (c, j + 1), LABEL_TIME);
  if (m->digits[0] == 4 && h / 100 <= 23 && h % 100 <= 59 && (roles (c, j) & R_ZONE))
    offer (best, j + 1, LABEL_TIME);  /* Reuters "(1432 GMT)" */
}

/* "2017-08-09", "2015-16", "2020-2021", "12/31/2017", "31/12/2017". */
static void
match_numeric_date (Ctx *c, guint i, const Num *m, Match *best)
{
  if (m->sign || m->lead_dot || m->suffix != SUF_NONE)
    return;
  if (num_seps_all (m, '-') && m->digits[0] == 4 && m->part[0] >= 1900 && m->part[0] <= 2099)
    {
      if (m->n_parts == 3 && m->digits[1] == 2 && m->digits[2] == 2 && m->part[1] >= 1
          && m->part[1] <= 12 && m->part[2] >= 1 && m->part[2] <= 31)
        offer (best, i + 1, LABEL_DATE);
      else if (m->n_parts == 2 && m->digits[1] == 2 && m->part[1] == (m->part[0] + 1) % 100)
        offer (best, i + 1, LABEL_DATE);  /* fiscal "2015-16" */
      else if (m->n_parts == 2 && m->digits[1] == 4 && m->part[1] > m->part[0]
               && m->part[1] <= 2099)
        offer (best, i + 1, LABEL_DATE);
      return;
    }
  if (m->n_parts == 3 && num_seps_all (m, '/') && m->digits[0] <= 2 && m->digits[1] <= 2
      && (m->digits[2] == 2 || m->digits[2] == 4) && m->part[0] >= 1 && m->part[1] >= 1
      && m->part[0] <= 31 && m->part[1] <= 31 && (m->part[0] <= 12 || m->part[1] <= 12))
    offer (best, i + 1, LABEL_DATE);
}

/* Tokens before a bare four-digit number that make it something else than
 * a year: "$2015", "No. 2015", "555 2012". */
static gboolean
not_year_before (Ctx *c, guint i)
{
  if (i == 0)
    return FALSE;
  if (tok_kind (c, i - 1, DP_TOKEN_NUMBER) || is_currency_symbol (c, i - 1))
    return TRUE;
  return (roles (c, i - 1) & R_CURCODE) || (roles2 (c, i - 1) & R2_YEAR_PREV);
}

/* ... and after it: "1990 tonnes", "2015 mln", "2000 %", "2000 years". */
static gboolean
not_year_after (Ctx *c, guint i)
{
  guint j = i + 1;
  guint32 r = roles (c, j);

  if (r & (R_YEAR_UNIT | R_SCALE | R_CURWORD | R_CURCODE | R_PERCENT | R_PERCENTAGE
           | R_UNIT | R_TUNIT | R_AMPM | R_OCLOCK | R_ZONE))
    return TRUE;
  if ((r & R_SCALE_GLUED) && glued (c, j))
    return TRUE;
  return tok_is (c, j, "%") || is_currency_symbol (c, j);
}

/* A year standing alone: "in 2015", "Reuters 1987 figures". */
static void
match_year (Ctx *c, guint i, const Num *m, Match *best)
{
  if (is_year_value (m, 1900, 2099) && !not_year_before (c, i) && !not_year_after (c, i))
    offer (best, i + 1, LABEL_DATE);
}

static void
match_number (Ctx *c, guint i, Match *best)
{
  Num m;

  if (!num_parse (c, i, &m))
    return;
  match_clock (c, i, &m, best);
  match_hour (c, i, &m, best);
  match_numeric_date (c, i, &m, best);
  match_year (c, i, &m, best);
  offer (best, decade_at (c, i), LABEL_DATE);
  offer (best, day_month_at (c, i), LABEL_DATE);
  match_percent (c, i, best);
  match_money_suffix (c, i, best);
  match_duration (c, i, best);
}

/* Roles that can start an entity; other words are skipped after one lookup. */
#define START_ROLES (R_MONTH | R_WEEKDAY | R_REL | R_EDGE | R_EDGE_REL | R_DEICTIC   \
                     | R_TONIGHT | R_NOONMID | R_CURCODE | R_NUMWORD | R_COUNT)
#define START_ROLES2 (R2_SEASON | R2_ORDINAL | R2_QUARTER_ADJ | R2_FISCAL | R2_RECENT)

static gboolean
is_mid_word (Ctx *c, guint i)
{
  return tok_len (c, i) > 4 && g_ascii_strncasecmp (tok_text (c, i), "mid-", 4) == 0;
}

static void
match_word (Ctx *c, guint i, Match *best)
{
  const LexEntry *e = lex (c, i);

  if (is_dollar_prefix (c, i))  /* before the lexicon: "A$" is no article */
    {
      match_money_prefix (c, i, best);
      return;
    }
  if (!(e->roles & START_ROLES) && !(e->roles2 & START_ROLES2))
    {
      if (is_mid_word (c, i))
        match_mid_word (c, i, best);
      return;
    }
  if (e->roles & R_MONTH)
    match_month (c, i, best);
  if (e->roles & R_WEEKDAY)
    match_weekday (c, i, best);
  if (e->roles & R_REL)
    match_rel (c, i, best);
  if (e->roles & (R_EDGE | R_EDGE_REL))
    match_edge (c, i, best);
  if (e->roles & (R_DEICTIC | R_TONIGHT))
    match_deictic (c, i, best);
  if (e->roles & R_NOONMID)
    match_noon (c, i, best);
  if (e->roles & R_CURCODE)
    match_money_prefix (c, i, best);
  if (e->roles & R_NUMWORD)
    {
      match_percent (c, i, best);
      match_money_suffix (c, i, best);
      if (roles (c, i + 1) & R_OCLOCK)
        offer (best, i + 2, LABEL_TIME);
    }
  if (e->roles & (R_NUMWORD | R_COUNT))
    match_duration (c, i, best);
  if (e->roles & R_COUNT)
    match_money_suffix (c, i, best);
  if (e->roles2 & START_ROLES2)
    match_period (c, i, best);
}

static void
match_at (Ctx *c, guint i, Match *best)
{
  switch (c->tok[i].kind)
    {
    case DP_TOKEN_NUMBER:
      match_number (c, i, best);
      break;
    case DP_TOKEN_WORD:
      match_word (c, i, best);
      break;
    case DP_TOKEN_SYMBOL:
      match_money_prefix (c, i, best);
      break;
    case DP_TOKEN_QUOTE:
      offer (best, decade_at (c, i), LABEL_DATE);
      break;
    default:
      break;
    }
}

/* Matchers look ahead only up to c->n, so a span never runs into the next
 * paragraph (a headline's "March" and a body's "2015"). */
static guint
paragraph_end (const DpToken *tokens, guint n, guint i)
{
  guint k = i + 1;

  while (k < n && !(tokens[k].flags & DP_TOKEN_FLAG_PARAGRAPH_BEFORE))
    k++;
  return k;
}

void
dp_temporal_find (const char *text, gsize len,
                  const DpToken *tokens, guint n_tokens,
                  GArray *out)
{
  Ctx c;
  guint i = 0;

  g_return_if_fail (out != NULL);
  g_return_if_fail (n_tokens == 0 || (text != NULL && tokens != NULL));

  c.text = text;
  c.tok = tokens;
  c.n = 0;
  c.n_total = n_tokens;
  /* Tokens are sorted; ignore any that run past the text (a caller bug)
   * rather than read out of bounds. */
  while (c.n_total > 0 && tokens[c.n_total - 1].end > len)
    c.n_total--;
  c.slots = lex_table ();
  for (guint k = 0; k < LEX_CACHE; k++)
    c.cache_idx[k] = G_MAXUINT;

  while (i < c.n_total)
    {
      Match best = { 0, NULL };

      if (i >= c.n)
        c.n = paragraph_end (tokens, c.n_total, i);
      match_at (&c, i, &best);
      if (best.end > i)
        {
          DpRuleEntity ent = { tokens[i].start, tokens[best.end - 1].end, best.label };

          g_array_append_val (out, ent);
          i = best.end;
        }
      else
        i++;
    }
}
