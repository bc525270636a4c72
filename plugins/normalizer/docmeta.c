/* docmeta.c — reads title, byline, date, time and dateline off the top of a
 * normalized news text.
 *
 * The normalizer calls dp_docmeta_extract() once per document, after it has
 * normalized the text (every line ends with "\n", one blank line between
 * paragraphs, spaces collapsed, page furniture gone); what is found goes into
 * the record's meta object, next to members a JSON source may already have
 * set (those always win: we only fill gaps).
 *
 * Wrong metadata is worse than none — later stages group and filter by date
 * and author — so every reader below accepts only the shapes news sites
 * actually print and gives up on anything else.  The expected layout is
 *
 *     Title line
 *     <blank>                       (optional when a byline follows)
 *     By Name | 14 May 2026         (optional byline and/or date-only line)
 *     <blank>
 *     GENEVA, March 3, 2026 — First body paragraph…
 *
 * Work is bounded: only the first DOCMETA_WINDOW bytes are looked at, and
 * of those only the lines the readers ask for are copied, so a huge
 * one-line document costs the same as a short one.  Every reader is run on
 * every document, so each first makes a cheap test that its shape needs (a
 * separator, four digits in a row, a dash) before parsing anything.  No regex
 * engine: the shapes are few and hand-written scanners over (start, end)
 * spans keep every read inside the window.
 */
#include "docmeta.h"

#include <string.h>

#define DOCMETA_WINDOW     768
#define DOCMETA_MAX_LINES  32
#define TITLE_MAX_CHARS    200
#define TITLE_MAX_WORDS    25
#define NAME_MAX_WORDS     8
#define BYLINE_MAX_BYTES   200
#define BYLINE_MAX_WORDS   24
#define FIELD_MAX_WORDS    8
#define DATE_LINE_MAX      80
#define PAREN_MAX          60
#define PLACE_MAX_WORDS    6
#define HEADER_MAX_LINES   5

#define EM_DASH "\xe2\x80\x94"
#define EN_DASH "\xe2\x80\x93"

typedef struct {
  const char *s, *end;   /* end excludes the '\n' */
  gboolean complete;     /* its '\n' lies inside the window */
} Line;

/* The first DOCMETA_WINDOW bytes of the text, split into lines on demand:
 * most documents are settled by their first three or four lines, so the
 * rest of the window is never copied, validated or split.  The result is
 * the same as splitting the whole window up front. */
typedef struct {
  const char *text;       /* the caller's text */
  gsize limit;            /* MIN (len, DOCMETA_WINDOW): bytes we may read */
  gsize used;             /* bytes of text copied into lines so far */
  gboolean closed;        /* a NUL, invalid UTF-8 or the limit ended it */
  guint n;                /* lines split so far */
  Line lines[DOCMETA_MAX_LINES];
  char buf[DOCMETA_WINDOW + 1];
} Window;

typedef struct { int year, month, day; } Ymd;          /* year 0: none */
typedef struct { int hour, minute; char zone[12]; } Hm; /* hour < 0: none */

/* DATE_BAD: shaped like a date but impossible ("Feb. 29, 2025"); a dateline
 * still reads past it, but it is never stored. */
typedef enum { DATE_NONE, DATE_BAD, DATE_NO_YEAR, DATE_FULL } DateKind;

typedef struct {
  char *title, *byline, *dateline;
  Ymd date;
  Hm time;
} Found;

/* ---- small span helpers ---------------------------------------------------- */

/* The prefix helpers are inline so strlen() of a literal folds to a
 * constant: they run at nearly every byte of the lines looked at. */
static inline gboolean
has_prefix (const char *p, const char *end, const char *prefix)
{
  gsize n = strlen (prefix);

  return p <= end && (gsize) (end - p) >= n && memcmp (p, prefix, n) == 0;
}

static inline gboolean
has_prefix_ci (const char *p, const char *end, const char *prefix)
{
  gsize n = strlen (prefix);

  return p <= end && (gsize) (end - p) >= n && g_ascii_strncasecmp (p, prefix, n) == 0;
}

/* Character classes with an ASCII fast path: the answers are those of the
 * g_unichar_* functions, which for ASCII agree with g_ascii_* (no ASCII
 * character is titlecase), without a table lookup per byte. */
static inline gboolean
uni_isalpha (gunichar c)
{
  return c < 0x80 ? g_ascii_isalpha (c) : g_unichar_isalpha (c);
}

static inline gboolean
uni_isalnum (gunichar c)
{
  return c < 0x80 ? g_ascii_isalnum (c) : g_unichar_isalnum (c);
}

static inline gboolean
uni_isupper (gunichar c)
{
  return c < 0x80 ? g_ascii_isupper (c) : g_unichar_isupper (c);
}

static inline gboolean
uni_islower (gunichar c)
{
  return c < 0x80 ? g_ascii_islower (c) : g_unichar_islower (c);
}

/* The character at @p, or 0 at the end.  Spans always end on a character
 * boundary (at an ASCII byte or at the validated end of the window). */
static inline gunichar
char_at (const char *p, const char *end)
{
  if (p >= end)
    return 0;
  return (guchar) *p < 0x80 ? (gunichar) *p : g_utf8_get_char (p);
}

/* Decodes the character at @p (inside a validated span) and returns the
 * next one's start. */
static inline const char *
next_char (const char *p, gunichar *c)
{
  if ((guchar) *p < 0x80)
    {
      *c = (gunichar) *p;
      return p + 1;
    }
  *c = g_utf8_get_char (p);
  return g_utf8_next_char (p);
}

static gboolean
alnum_at (const char *p, const char *end)
{
  return uni_isalnum (char_at (p, end));
}

static gboolean
alpha_at (const char *p, const char *end)
{
  return uni_isalpha (char_at (p, end));
}

/* Whether [p, end) holds four digits in a row, as every year does. */
static gboolean
has_four_digits (const char *p, const char *end)
{
  guint run = 0;

  for (; p < end; p++)
    {
      run = g_ascii_isdigit (*p) ? run + 1 : 0;
      if (run == 4)
        return TRUE;
    }
  return FALSE;
}

/* Whether [p, end) holds a byte that can start a dateline's dash: '-' or
 * the 0xE2 lead byte of an em or en dash. */
static gboolean
has_dash_byte (const char *p, const char *end)
{
  return p < end && (memchr (p, '-', (gsize) (end - p)) || memchr (p, 0xe2, (gsize) (end - p)));
}

/* Whether [p, end) holds more than @max space-separated words; stops
 * counting as soon as it does, so long lines cost no more than short ones. */
static gboolean
more_words_than (const char *p, const char *end, guint max)
{
  guint n = 0;
  gboolean prev_space = TRUE;

  /* counts space-to-word transitions without a hard-to-predict branch */
  for (; p < end; p++)
    {
      gboolean space = *p == ' ';

      n += prev_space & !space;
      prev_space = space;
      if (n > max)
        return TRUE;
    }
  return FALSE;
}

static const char *
word_end (const char *p, const char *end)
{
  const char *sp = p < end ? memchr (p, ' ', (gsize) (end - p)) : NULL;

  return sp ? sp : end;
}

/* The first occurrence of @needle (at least one byte) in [p, end):
 * memchr for its first byte, then a compare. */
static const char *
find_str (const char *p, const char *end, const char *needle)
{
  gsize n = strlen (needle);

  while (p < end && (gsize) (end - p) >= n)
    {
      const char *hit = memchr (p, needle[0], (gsize) (end - p) - n + 1);

      if (!hit)
        return NULL;
      if (memcmp (hit, needle, n) == 0)
        return hit;
      p = hit + 1;
    }
  return NULL;
}

/* Length of an em or en dash at @p, or 0.  Both are E2 80 94 / E2 80 93. */
static inline gsize
dash_len (const char *p, const char *end)
{
  return p <= end && end - p >= 3 && (guchar) p[0] == 0xe2 && (guchar) p[1] == 0x80
         && ((guchar) p[2] == 0x94 || (guchar) p[2] == 0x93) ? 3 : 0;
}

/* Scans may start a date or time only at the start of a word, so "12017" or
 * "x3:32" are never read from the middle. */
static inline gboolean
is_word_start (const char *start, const char *p)
{
  if (p == start)
    return TRUE;
  switch (p[-1])
    {
    case ' ': case ',': case '(': case '|': case '/':
      return TRUE;
    default:
      return FALSE;
    }
}

/* A word list entry with its length, so lookups compare lengths first
 * instead of calling strlen() on every entry at every word. */
typedef struct {
  const char *word;
  gsize len;
} Word;

#define WORD(w) { w, sizeof w - 1 }

/* Case-insensitive match of [p, end) against a word list ending in
 * { NULL, 0 }.  The first bytes are compared with their 0x20 bit set, a
 * cheap necessary condition for an ASCII case-insensitive match. */
static gboolean
word_in (const char *p, const char *end, const Word *list)
{
  gsize n = (gsize) (end - p);

  if (p >= end)
    return FALSE;
  for (; list->word; list++)
    if (n == list->len && (*p | 0x20) == (list->word[0] | 0x20)
        && g_ascii_strncasecmp (p, list->word, n) == 0)
      return TRUE;
  return FALSE;
}

/* ---- dates ----------------------------------------------------------------- */

static const struct {
  const char *name;
  gsize len;
  int month;
  gboolean abbrev;
} months[] = {
#define MONTH(name, month, abbrev) { name, sizeof name - 1, month, abbrev }
  MONTH ("January", 1, FALSE), MONTH ("February", 2, FALSE), MONTH ("March", 3, FALSE),
  MONTH ("April", 4, FALSE), MONTH ("May", 5, FALSE), MONTH ("June", 6, FALSE),
  MONTH ("July", 7, FALSE), MONTH ("August", 8, FALSE), MONTH ("September", 9, FALSE),
  MONTH ("October", 10, FALSE), MONTH ("November", 11, FALSE), MONTH ("December", 12, FALSE),
  MONTH ("Sept", 9, TRUE), MONTH ("Jan", 1, TRUE), MONTH ("Feb", 2, TRUE), MONTH ("Mar", 3, TRUE),
  MONTH ("Apr", 4, TRUE), MONTH ("Jun", 6, TRUE), MONTH ("Jul", 7, TRUE), MONTH ("Aug", 8, TRUE),
  MONTH ("Sep", 9, TRUE), MONTH ("Oct", 10, TRUE), MONTH ("Nov", 11, TRUE), MONTH ("Dec", 12, TRUE),
#undef MONTH
};

static const Word weekdays[] = {
  WORD ("Monday"), WORD ("Tuesday"), WORD ("Wednesday"), WORD ("Thursday"), WORD ("Friday"),
  WORD ("Saturday"), WORD ("Sunday"), WORD ("Mon"), WORD ("Tue"), WORD ("Tues"), WORD ("Wed"),
  WORD ("Thu"), WORD ("Thur"), WORD ("Thurs"), WORD ("Fri"), WORD ("Sat"), WORD ("Sun"),
  { NULL, 0 }
};

/* A capitalised month name or abbreviation ("Sept." with or without the
 * period) at @p: returns 1–12 and sets @after, or returns 0.  Lower-case
 * "may" is a verb far more often than a month, hence the capital.  Called
 * at every capitalised word, so entries are filtered on their (capital)
 * first letter before any string compare; they are still tried in table
 * order (full names before abbreviations, "Sept" before "Sep"). */
static int
match_month (const char *p, const char *end, const char **after)
{
  if (p >= end || !g_ascii_isupper (*p))
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (months); i++)
    {
      const char *q = p + months[i].len;

      if (months[i].name[0] != *p || (gsize) (end - p) < months[i].len
          || g_ascii_strncasecmp (p + 1, months[i].name + 1, months[i].len - 1) != 0
          || alpha_at (q, end))
        continue;
      if (months[i].abbrev && q < end && *q == '.')
        q++;
      *after = q;
      return months[i].month;
    }
  return 0;
}

/* An unsigned number of @min..@max digits not followed by another digit;
 * -1 if there is none. */
static int
read_number (const char *p, const char *end, guint min, guint max, const char **after)
{
  int value = 0;
  guint n = 0;

  while (p < end && g_ascii_isdigit (*p) && n < max)
    {
      value = value * 10 + (*p++ - '0');
      n++;
    }
  if (n < min || (p < end && g_ascii_isdigit (*p)))
    return -1;
  *after = p;
  return value;
}

static int
read_year (const char *p, const char *end, const char **after)
{
  int year = read_number (p, end, 4, 4, after);

  return year >= 0 && !alpha_at (*after, end) ? year : -1;
}

/* A day of the month with an optional ordinal suffix ("3", "3rd"). */
static int
read_day (const char *p, const char *end, const char **after)
{
  static const char *const suffixes[] = { "st", "nd", "rd", "th" };
  const char *q;
  int day = read_number (p, end, 1, 2, &q);

  if (day < 1 || day > 31)
    return -1;
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (has_prefix_ci (q, end, suffixes[i]) && !alnum_at (q + 2, end))
      {
        q += 2;
        break;
      }
  if (alnum_at (q, end))
    return -1;
  *after = q;
  return day;
}

/* Validates and stores; a date without a year is checked against a leap
 * year so "Feb. 29" passes but is never stored (we do not guess years). */
static DateKind
finish_date (int year, int month, int day, Ymd *out)
{
  if (month < 1 || month > 12 || day < 1 || day > 31)
    return DATE_BAD;
  if (year < 0)
    return g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, 2000) ? DATE_NO_YEAR : DATE_BAD;
  if (year < 1900 || year > 2100
      || !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    return DATE_BAD;
  out->year = year;
  out->month = month;
  out->day = day;
  return DATE_FULL;
}

/* ", 2026" or " 2026" after a month-day / day-month; -1 when absent. */
static int
read_trailing_year (const char *p, const char *end, const char **after)
{
  if (has_prefix (p, end, ","))
    p++;
  if (!has_prefix (p, end, " "))
    return -1;
  return read_year (p + 1, end, after);
}

static DateKind
parse_iso_date (const char *p, const char *end, Ymd *out, const char **after)
{
  const char *q;
  int year, month, day;

  year = read_number (p, end, 4, 4, &q);
  if (year < 0 || !has_prefix (q, end, "-"))
    return DATE_NONE;
  month = read_number (q + 1, end, 2, 2, &q);
  if (month < 0 || !has_prefix (q, end, "-"))
    return DATE_NONE;
  day = read_number (q + 1, end, 2, 2, &q);
  if (day < 0 || alnum_at (q, end))
    return DATE_NONE;
  *after = q;
  return finish_date (year, month, day, out);
}

/* "March 3, 2026", "Sept. 9 2026", "Nov. 28" (no year). */
static DateKind
parse_month_first (const char *p, const char *end, Ymd *out, const char **after)
{
  const char *q, *r;
  int month, day, year;

  month = match_month (p, end, &q);
  if (!month || !has_prefix (q, end, " "))
    return DATE_NONE;
  day = read_day (q + 1, end, &q);
  if (day < 0)
    return DATE_NONE;
  year = read_trailing_year (q, end, &r);
  *after = year >= 0 ? r : q;
  return finish_date (year, month, day, out);
}

/* "14 May 2026", "2 September, 2026", "5th of March 2026", "28 Nov". */
static DateKind
parse_day_first (const char *p, const char *end, Ymd *out, const char **after)
{
  const char *q, *r;
  int month, day, year;

  day = read_day (p, end, &q);
  if (day < 0)
    return DATE_NONE;
  if (has_prefix (q, end, " of "))
    q += 3;
  if (!has_prefix (q, end, " "))
    return DATE_NONE;
  month = match_month (q + 1, end, &q);
  if (!month)
    return DATE_NONE;
  year = read_trailing_year (q, end, &r);
  *after = year >= 0 ? r : q;
  return finish_date (year, month, day, out);
}

static DateKind
parse_date_at (const char *p, const char *end, Ymd *out, const char **after)
{
  DateKind kind = parse_iso_date (p, end, out, after);

  if (kind == DATE_NONE)
    kind = parse_month_first (p, end, out, after);
  if (kind == DATE_NONE)
    kind = parse_day_first (p, end, out, after);
  return kind;
}

/* The first complete date (with year) starting a word in [p, end).  Every
 * date shape starts with a digit or a capital (a month), and a complete one
 * holds a four-digit year, so most spans are turned down before parsing. */
static gboolean
scan_date (const char *p, const char *end, Ymd *out)
{
  const char *after;

  if (!has_four_digits (p, end))
    return FALSE;
  for (const char *q = p; q < end; q++)
    if ((g_ascii_isdigit (*q) || g_ascii_isupper (*q)) && is_word_start (p, q)
        && parse_date_at (q, end, out, &after) == DATE_FULL)
      return TRUE;
  return FALSE;
}

/* ---- times ----------------------------------------------------------------- */

/* 0 for am, 1 for pm, -1 for neither ("am", "PM", "a.m.", "p.m."). */
static int
read_meridiem (const char *p, const char *end, const char **after)
{
  static const char *const forms[] = { "a.m.", "p.m.", "am", "pm" };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      gsize n = strlen (forms[i]);

      if (has_prefix_ci (p, end, forms[i]) && !alnum_at (p + n, end))
        {
          *after = p + n;
          return forms[i][0] == 'p' || forms[i][0] == 'P';
        }
    }
  return -1;
}

/* A zone token: 2–5 capitals, optionally "+2" / "-05:00" ("EDT", "GMT+2"). */
static void
read_zone (const char *p, const char *end, char *zone, gsize size)
{
  const char *q = p;

  while (q < end && g_ascii_isupper (*q) && q - p < 5)
    q++;
  if (q - p < 2 || g_ascii_isalpha (char_at (q, end)))
    return;
  if (q + 1 < end && (*q == '+' || *q == '-') && g_ascii_isdigit (q[1]))
    {
      q++;
      while (q < end && (g_ascii_isdigit (*q) || *q == ':') && q - p < (gssize) size - 1)
        q++;
    }
  if (alnum_at (q, end) || (gsize) (q - p) >= size)
    return;
  memcpy (zone, p, q - p);
  zone[q - p] = '\0';
}

/* "3:32am EDT", "10:14 p.m. ET", "15:40 GMT", "15:40". */
static gboolean
parse_time_at (const char *p, const char *end, Hm *out)
{
  const char *q, *r = NULL;
  int hour, minute, pm;

  hour = read_number (p, end, 1, 2, &q);
  if (hour < 0 || !has_prefix (q, end, ":"))
    return FALSE;
  minute = read_number (q + 1, end, 2, 2, &q);
  if (minute < 0 || minute > 59)
    return FALSE;
  pm = read_meridiem (has_prefix (q, end, " ") ? q + 1 : q, end, &r);
  if (pm >= 0)
    {
      if (hour < 1 || hour > 12)
        return FALSE;
      hour = hour % 12 + (pm ? 12 : 0);
      q = r;
    }
  else if (hour > 23 || alnum_at (q, end))
    return FALSE;
  out->hour = hour;
  out->minute = minute;
  out->zone[0] = '\0';
  if (has_prefix (q, end, " "))
    read_zone (q + 1, end, out->zone, sizeof out->zone);
  return TRUE;
}

/* The first time starting a word in [p, end); every time has a colon. */
static gboolean
scan_time (const char *p, const char *end, Hm *out)
{
  if (p >= end || !memchr (p, ':', (gsize) (end - p)))
    return FALSE;
  for (const char *q = p; q < end; q++)
    if (is_word_start (p, q) && g_ascii_isdigit (*q) && parse_time_at (q, end, out))
      return TRUE;
  return FALSE;
}

/* ---- names ----------------------------------------------------------------- */

/* Lower-case particles that may sit inside a name without making it look
 * like running text. */
static const Word name_particles[] = {
  WORD ("and"), WORD ("&"), WORD ("de"), WORD ("da"), WORD ("di"), WORD ("del"),
  WORD ("della"), WORD ("van"), WORD ("von"), WORD ("der"), WORD ("den"), WORD ("la"),
  WORD ("le"), WORD ("du"), WORD ("bin"), WORD ("bint"), WORD ("ibn"), WORD ("al"),
  WORD ("el"), WORD ("y"), WORD ("e"), WORD ("dos"), WORD ("das"), WORD ("ter"),
  WORD ("ten"), { NULL, 0 }
};

/* Capitalised words that follow "By" in running text ("By Then, …",
 * "By Contrast …"), never in a byline. */
static const Word name_stopwords[] = {
  WORD ("the"), WORD ("a"), WORD ("an"), WORD ("this"), WORD ("that"), WORD ("these"),
  WORD ("those"), WORD ("then"), WORD ("now"), WORD ("contrast"), WORD ("comparison"),
  WORD ("law"), WORD ("far"), WORD ("all"), WORD ("most"), WORD ("some"), WORD ("many"),
  WORD ("way"), WORD ("default"), WORD ("design"), WORD ("order"), WORD ("noon"),
  WORD ("midnight"), WORD ("today"), WORD ("tonight"), WORD ("tomorrow"),
  WORD ("yesterday"), WORD ("late"), WORD ("early"), WORD ("mid"), WORD ("his"),
  WORD ("her"), WORD ("their"), WORD ("our"), WORD ("my"), WORD ("its"), WORD ("using"),
  WORD ("virtue"), WORD ("means"), WORD ("chance"), WORD ("definition"), WORD ("nature"),
  WORD ("mistake"), WORD ("accident"), WORD ("agreement"), WORD ("end"), WORD ("next"),
  WORD ("last"), WORD ("year"), WORD ("week"), { NULL, 0 }
};

/* A word is capitalised if it, or a part after '-' or an apostrophe, starts
 * with a capital ("Okafor", "al-Sayed", "d’Arcy", "McDonald"). */
static gboolean
name_word_ok (const char *p, const char *end, gboolean *capitalised)
{
  gboolean segment_start = TRUE, letters = FALSE;

  *capitalised = FALSE;
  for (const char *q = p; q < end; )
    {
      gunichar c;

      q = next_char (q, &c);
      if (uni_isalpha (c))
        {
          if (segment_start && (uni_isupper (c) || g_unichar_istitle (c)))
            *capitalised = TRUE;
          segment_start = FALSE;
          letters = TRUE;
        }
      else if (c == '-' || c == '\'' || c == 0x2019)
        segment_start = TRUE;
      else if (c != '.')
        return FALSE;
    }
  return letters;
}

static gboolean
is_month_or_weekday (const char *p, const char *end)
{
  const char *after;

  return word_in (p, end, weekdays) || (match_month (p, end, &after) && after == end);
}

/* 1–8 words, mostly capitalised, no digits or odd punctuation: "Amara
 * Okafor", "Grace Wanjiru and Tom Ellis", "AMARA OKAFOR". */
static gboolean
is_name (const char *p, const char *end)
{
  guint words = 0, plain = 0, caps = 0;
  gboolean last_particle = FALSE;

  for (const char *w = p; w < end; )
    {
      const char *we = word_end (w, end), *core_end = we;
      gboolean capitalised;

      if (we == w)
        return FALSE;
      if (core_end[-1] == ',')
        core_end--;
      words++;
      last_particle = word_in (w, core_end, name_particles);
      if (last_particle)
        {
          if (words == 1)
            return FALSE;
        }
      else
        {
          if (!name_word_ok (w, core_end, &capitalised))
            return FALSE;
          if (words == 1 && (!capitalised || word_in (w, core_end, name_stopwords)))
            return FALSE;
          plain++;
          caps += capitalised;
        }
      w = we < end ? we + 1 : end;
    }
  if (words == 0 || words > NAME_MAX_WORDS || plain == 0 || last_particle)
    return FALSE;
  if (words == 1 && is_month_or_weekday (p, word_end (p, end)))
    return FALSE;
  if (end[-1] == ',')
    return FALSE;
  return caps * 5 >= plain * 4;
}

/* ---- bylines --------------------------------------------------------------- */

/* The next field separator (" | ", " — ", " – ", " - ") in [p, end);
 * returns end when there is none. */
static const char *
find_field_sep (const char *p, const char *end, gsize *sep_len)
{
  for (; p < end; p++)
    {
      gsize d;

      /* every separator starts with a space and '|', '-' or a dash's 0xE2 */
      if (*p != ' ' || p + 1 >= end || (p[1] != '|' && p[1] != '-' && (guchar) p[1] != 0xe2))
        continue;
      d = dash_len (p + 1, end);
      if (d == 0 && p + 1 < end && (p[1] == '|' || p[1] == '-'))
        d = 1;
      if (d && has_prefix (p + 1 + d, end, " "))
        {
          *sep_len = d + 2;
          return p;
        }
    }
  *sep_len = 0;
  return end;
}

/* True if the comma in "A, B and C" belongs to a list of names. */
static gboolean
is_name_list (const char *comma, const char *end)
{
  const char *last = comma;

  for (const char *c; (c = find_str (last + 2, end, ", ")); )
    last = c;
  return has_prefix (last + 2, end, "and ") || find_str (last + 2, end, " and ")
         || find_str (last + 2, end, " & ");
}

/* What may follow "Name, " inside a byline field: a place or an affiliation
 * ("Tallinn", "Associated Press") or a date. */
static gboolean
is_name_suffix (const char *p, const char *end)
{
  Ymd unused;

  if (scan_date (p, end, &unused))
    return TRUE;
  return p < end && uni_isupper (char_at (p, end)) && !more_words_than (p, end, 5);
}

/* The end of the name in a byline segment, cutting "Lukas Reinholt,
 * Tallinn" at the comma; NULL if the segment does not start with a name. */
static const char *
segment_name_end (const char *p, const char *end)
{
  const char *comma = find_str (p, end, ", ");
  const char *name_end = end;

  if (comma && !is_name_list (comma, end))
    {
      if (!is_name_suffix (comma + 2, end))
        return NULL;
      name_end = comma;
    }
  return is_name (p, name_end) ? name_end : NULL;
}

static void
read_date_time (const char *p, const char *end, Ymd *date, Hm *time)
{
  if (!date->year)
    scan_date (p, end, date);
  if (time->hour < 0)
    scan_time (p, end, time);
}

/* Running text ends in a sentence; a byline may end in "Jr." or "ET." but not
 * in a longer word followed by a period, or in ? or !. */
static gboolean
ends_like_sentence (const char *s, const char *end)
{
  const char *w = end;

  if (end[-1] == '?' || end[-1] == '!')
    return TRUE;
  if (end[-1] != '.')
    return FALSE;
  while (w > s && w[-1] != ' ')
    w--;
  return end - w > 4;
}

/* "By Amara Okafor | 14 May 2026", "By Lukas Reinholt, Tallinn — Wednesday,
 * 2 September 2026": the name is the first segment, date and time may be
 * anywhere after it. */
static char *
parse_by_form (const char *p, const char *end, Ymd *date, Hm *time)
{
  gsize sep_len;
  const char *seg_end = find_field_sep (p, end, &sep_len);
  const char *name_end = segment_name_end (p, seg_end);

  if (!name_end)
    return NULL;
  for (const char *f = seg_end; f < end; )
    {
      const char *fe;

      f += sep_len;
      fe = find_field_sep (f, end, &sep_len);
      if (more_words_than (f, fe, FIELD_MAX_WORDS))
        return NULL;
      f = fe;
    }
  read_date_time (name_end, end, date, time);
  return g_strndup (p, name_end - p);
}

/* "Patrick Goodenough | August 9, 2017 | 3:32am EDT": without "By" the line
 * must consist of short fields, one of them a name and one a full date. */
static char *
parse_field_form (const char *p, const char *end, Ymd *date, Hm *time)
{
  const char *name = NULL, *name_end = NULL;
  gboolean have_date = FALSE;
  guint fields = 0;
  gsize sep_len = 0;

  for (const char *f = p; f < end; f += sep_len)
    {
      const char *fe = find_field_sep (f, end, &sep_len);
      Ymd d = { 0, 0, 0 };
      Hm t = { -1, 0, "" };
      const char *ne;

      fields++;
      if (more_words_than (f, fe, FIELD_MAX_WORDS))
        return NULL;
      if (scan_date (f, fe, &d))
        {
          have_date = TRUE;
          read_date_time (f, fe, date, time);
        }
      else if (scan_time (f, fe, &t))
        {
          if (time->hour < 0)
            *time = t;
        }
      else if (!name && (ne = segment_name_end (f, fe)))
        {
          name = f;
          name_end = ne;
        }
      f = fe;
    }
  if (fields < 2 || !have_date || !name)
    return NULL;
  return g_strndup (name, name_end - name);
}

/* Necessary for parse_field_form() to succeed: a second field, and the four
 * digits of the year of the date it requires. */
static gboolean
field_form_possible (const char *p, const char *end)
{
  gsize sep_len;

  return has_four_digits (p, end) && find_field_sep (p, end, &sep_len) != end;
}

/* Parses a byline line; returns the name (newly allocated) or NULL.  @date
 * and @time are filled only where still empty, and only on success. */
static char *
parse_byline (const Line *l, Ymd *date, Hm *time)
{
  Ymd d = *date;
  Hm t = *time;
  char *name;
  gsize len = l->end - l->s;
  gboolean by_form;

  if (!l->complete || len == 0 || len > BYLINE_MAX_BYTES || ends_like_sentence (l->s, l->end))
    return NULL;
  by_form = has_prefix (l->s, l->end, "By ") || has_prefix (l->s, l->end, "BY ");
  /* Every title and body line comes through here: turn most of them down
   * with a scan or two before counting words or parsing fields. */
  if ((!by_form && !field_form_possible (l->s, l->end))
      || more_words_than (l->s, l->end, BYLINE_MAX_WORDS))
    return NULL;
  if (by_form)
    name = parse_by_form (l->s + 3, l->end, &d, &t);
  else
    name = parse_field_form (l->s, l->end, &d, &t);
  if (name)
    {
      *date = d;
      *time = t;
    }
  return name;
}

static gboolean
is_byline (const Line *l)
{
  Ymd d = { 0, 0, 0 };
  Hm t = { -1, 0, "" };
  char *name = parse_byline (l, &d, &t);

  g_free (name);
  return name != NULL;
}

/* ---- date-only lines ------------------------------------------------------- */

static const Word date_line_words[] = {
  WORD ("updated"), WORD ("published"), WORD ("posted"), WORD ("last"), WORD ("on"),
  WORD ("at"), WORD ("date"), WORD ("|"), { NULL, 0 }
};

/* Every word of a date-only line is date-ish: a month, weekday, number,
 * ordinal, ISO date, time, meridiem, zone or one of a few labels
 * ("Updated", "Published"), so "Talks Resume March 3, 2026" stays a title. */
static gboolean
is_date_word (const char *w, const char *we)
{
  const char *after, *core_end = we;
  gboolean digits = TRUE, caps = TRUE;
  Hm t;

  if ((read_meridiem (w, we, &after) >= 0 && after == we) || parse_time_at (w, we, &t))
    return TRUE;
  while (core_end > w && strchr (",.:", core_end[-1]))
    core_end--;
  if (core_end == w || word_in (w, core_end, date_line_words) || word_in (w, core_end, weekdays)
      || (match_month (w, we, &after) && after >= core_end)
      || (read_day (w, core_end, &after) >= 0 && after == core_end))
    return TRUE;
  for (const char *q = w; q < core_end; q++)
    {
      digits = digits && (g_ascii_isdigit (*q) || *q == '-');
      caps = caps && g_ascii_isupper (*q);
    }
  return digits || (caps && core_end - w >= 2 && core_end - w <= 5);
}

/* "August 9, 2017", "Wednesday, 2 September 2026", "Updated 2017-08-09". */
static gboolean
parse_date_line (const Line *l, Ymd *date, Hm *time)
{
  Ymd d = { 0, 0, 0 };

  if (!l->complete || l->end - l->s > DATE_LINE_MAX || !scan_date (l->s, l->end, &d))
    return FALSE;
  for (const char *w = l->s; w < l->end; )
    {
      const char *we = word_end (w, l->end);

      if (!is_date_word (w, we))
        return FALSE;
      w = we < l->end ? we + 1 : l->end;
    }
  if (!date->year)
    *date = d;
  if (time->hour < 0)
    scan_time (l->s, l->end, time);
  return TRUE;
}

static gboolean
is_date_line (const Line *l)
{
  Ymd d = { 0, 0, 0 };
  Hm t = { -1, 0, "" };

  return parse_date_line (l, &d, &t);
}

/* ---- datelines ------------------------------------------------------------- */

/* Words that start sentences, not place names, before a dash. */
static const Word place_stopwords[] = {
  WORD ("the"), WORD ("a"), WORD ("an"), WORD ("in"), WORD ("on"), WORD ("at"),
  WORD ("but"), WORD ("and"), WORD ("or"), WORD ("this"), WORD ("that"), WORD ("these"),
  WORD ("those"), WORD ("it"), WORD ("he"), WORD ("she"), WORD ("they"), WORD ("we"),
  WORD ("i"), WORD ("you"), WORD ("meanwhile"), WORD ("however"), WORD ("yet"),
  WORD ("so"), WORD ("mr."), WORD ("mrs."), WORD ("ms."), WORD ("dr."),
  WORD ("president"), WORD ("minister"), WORD ("officials"), WORD ("there"),
  WORD ("here"), WORD ("his"), WORD ("her"), WORD ("their"), WORD ("our"), WORD ("what"),
  WORD ("who"), WORD ("why"), WORD ("how"), { NULL, 0 }
};

/* An all-caps word ("GENEVA", "ST.", "WINSTON-SALEM", "N’DJAMENA"); returns
 * the number of letters (0: not one) and sets @after. */
static guint
read_caps_word (const char *p, const char *end, const char **after)
{
  const char *q = p;
  guint letters = 0;

  while (q < end)
    {
      gunichar c;
      const char *next = next_char (q, &c);

      if (uni_isalpha (c))
        {
          if (!uni_isupper (c))
            return 0;
          letters++;
        }
      else if (c != '.' && c != '-' && c != '\'' && c != 0x2019)
        break;
      q = next;
    }
  if (q < end && *q != ' ' && *q != ',' && *q != '(' && !dash_len (q, end))
    return 0;
  *after = q;
  return letters;
}

static const char *
read_caps_place (const char *p, const char *end)
{
  const char *q, *next;
  guint letters = read_caps_word (p, end, &q), words = 1;

  if (!letters)
    return NULL;
  while (words < PLACE_MAX_WORDS && has_prefix (q, end, " "))
    {
      guint n = read_caps_word (q + 1, end, &next);

      if (!n)
        break;
      letters += n;
      words++;
      q = next;
    }
  return letters >= 2 ? q : NULL;
}

/* The dash that closes a dateline: " — ", " – ", " - ", or set solid. */
static const char *
dateline_dash (const char *p, const char *end)
{
  gsize d = dash_len (p, end);

  if (d)
    return p + d;
  if (!has_prefix (p, end, " "))
    return NULL;
  if ((d = dash_len (p + 1, end)))
    return p + 1 + d;
  return has_prefix (p + 1, end, "- ") ? p + 2 : NULL;
}

/* ", Ethiopia" / ", South Africa" / ", D.C." after an all-caps place. */
static const char *
read_country (const char *p, const char *end)
{
  const char *q = p, *after;
  guint words = 0;

  while (words < 3 && q < end && uni_isupper (char_at (q, end))
         && !match_month (q, end, &after))
    {
      const char *we = q;
      gboolean capitalised;

      while (we < end && *we != ' ' && *we != ',' && *we != '(')
        we++;
      if (!name_word_ok (q, we, &capitalised))
        return NULL;
      words++;
      if (has_prefix (we, end, " ") && uni_isupper (char_at (we + 1, end)))
        {
          q = we + 1;
          continue;
        }
      if (has_prefix (we, end, ",") || has_prefix (we, end, " (") || dateline_dash (we, end))
        return we;
      return NULL;
    }
  return NULL;
}

/* " (Feb. 9, 2026)", " (Reuters)": consumed, and a full date inside is kept. */
static const char *
read_paren (const char *p, const char *end, Ymd *date)
{
  const char *close;

  if (!has_prefix (p, end, " ("))
    return p;
  close = memchr (p + 2, ')', MIN (end - (p + 2), PAREN_MAX));
  if (!close || memchr (p + 2, '(', close - (p + 2)))
    return NULL;
  if (!date->year)
    scan_date (p + 2, close, date);
  return close + 1;
}

/* After the place: [", Country"] [", Date"] [" (…)"] dash.  Returns where the
 * text after the dash starts, or NULL if this is not a dateline. */
static const char *
read_dateline_tail (const char *p, const char *end, Ymd *date)
{
  const char *q;
  Ymd d = { 0, 0, 0 };

  if (has_prefix (p, end, ", ") && (q = read_country (p + 2, end)))
    p = q;
  if (has_prefix (p, end, ", ") && parse_date_at (p + 2, end, &d, &q) != DATE_NONE)
    p = q;
  if (!(p = read_paren (p, end, &d)))
    return NULL;
  if (!(p = dateline_dash (p, end)))
    return NULL;
  if (d.year)
    *date = d;
  return p;
}

static gboolean
has_lowercase (const char *p, const char *end)
{
  gunichar c;

  while (p < end)
    {
      p = next_char (p, &c);
      if (uni_islower (c))
        return TRUE;
    }
  return FALSE;
}

/* "GENEVA, March 3, 2026 — …", "LONDON (Reuters) - …".  The text after the
 * dash must contain lower case, so an all-caps headline "IRAN — THE NEXT
 * STEP" is not read as a dateline. */
static char *
parse_caps_dateline (const char *s, const char *end, Ymd *date)
{
  const char *place_end, *rest;
  Ymd d = { 0, 0, 0 };

  if (!has_dash_byte (s, end))  /* read_dateline_tail() needs a dash */
    return NULL;
  place_end = read_caps_place (s, end);
  if (!place_end || !(rest = read_dateline_tail (place_end, end, &d)) || !has_lowercase (rest, end))
    return NULL;
  if (d.year && !date->year)
    *date = d;
  return g_strndup (s, place_end - s);
}

/* A second dash soon after the first means an aside ("Kim Jong Un – North
 * Korea’s leader – said"), not a dateline. */
static gboolean
has_closing_dash (const char *p, const char *end)
{
  const char *limit = end - p > 120 ? p + 120 : end;

  for (; p < limit; p++)
    if (dash_len (p, end))
      return TRUE;
  return FALSE;
}

/* After a mixed-case place and its dash: a new sentence, seen as a
 * capitalised word followed by a lower-case one ("In a rare…", "The bill
 * passed").  "Kim Jong Un – North Korea’s leader…" continues a name instead
 * and is refused; so, at the price of a miss, is "Washington – President
 * Biden said". */
static gboolean
starts_sentence (const char *p, const char *end)
{
  const char *we;
  gunichar c = char_at (p, end);

  if (c == 0x201C || c == 0x2018 || c == '"')  /* opening a quote */
    p = g_utf8_next_char (p);
  we = word_end (p, end);

  if (!uni_isupper (char_at (p, end)) || has_closing_dash (p, end))
    return FALSE;
  return we < end && uni_islower (char_at (we + 1, end));
}

/* "Washington DC – In a rare public display": mixed case is only believed
 * when the place is directly followed by an em/en dash and a new sentence. */
static char *
parse_mixed_dateline (const char *s, const char *end)
{
  const char *w = s;

  if (s >= end || !memchr (s, 0xe2, (gsize) (end - s)))  /* no em or en dash */
    return NULL;
  for (guint words = 0; words < 3; words++)
    {
      const char *we = word_end (w, end);
      gboolean capitalised;

      if (!uni_isupper (char_at (w, end)) || !name_word_ok (w, we, &capitalised)
          || word_in (w, we, place_stopwords) || is_month_or_weekday (w, we))
        return NULL;
      if (dash_len (we + 1, end) && has_prefix (we + 4, end, " "))
        return starts_sentence (we + 5, end) ? g_strndup (s, we - s) : NULL;
      if (we >= end)
        return NULL;
      w = we + 1;
    }
  return NULL;
}

static char *
parse_dateline (const Line *l, Ymd *date)
{
  char *place = parse_caps_dateline (l->s, l->end, date);

  return place ? place : parse_mixed_dateline (l->s, l->end);
}

static gboolean
is_caps_dateline (const Line *l)
{
  Ymd d = { 0, 0, 0 };
  char *place = parse_caps_dateline (l->s, l->end, &d);

  g_free (place);
  return place != NULL;
}

/* ---- titles ---------------------------------------------------------------- */

static gboolean
is_closing_quote (gunichar c)
{
  return c == '"' || c == '\'' || c == 0x2019 || c == 0x201D || c == 0x00BB;
}

static gboolean
is_sentence_punct (gunichar c)
{
  return (c != 0 && c < 128 && strchr (".!?:;,", (int) c) != NULL) || c == 0x2026;
}

/* "U.S." or "D.C." at the end of a headline is an abbreviation, not a full
 * stop. */
static gboolean
ends_with_abbreviation (const char *s, const char *end)
{
  const char *w = end;

  while (w > s && w[-1] != ' ')
    w--;
  return w < end && end - w <= 6 && memchr (w, '.', (gsize) (end - 1 - w)) != NULL;
}

/* No sentence punctuation at the end, except a closing quote after ? or !
 * ("Why Should We Wait?”"). */
static gboolean
title_ending_ok (const char *s, const char *end)
{
  const char *last = g_utf8_find_prev_char (s, end);
  gunichar c = g_utf8_get_char (last);

  if (is_closing_quote (c))
    {
      gunichar before = last > s ? g_utf8_get_char (g_utf8_find_prev_char (s, last)) : 0;

      return before != 0 && (before == '?' || before == '!' || !is_sentence_punct (before));
    }
  if (c == '.' && ends_with_abbreviation (s, end))
    return TRUE;
  return !is_sentence_punct (c);
}

static gboolean
title_shape_ok (const Line *l)
{
  gsize len = l->end - l->s;
  gboolean letters = FALSE;

  if (!l->complete || len == 0 || len > TITLE_MAX_CHARS * 4)
    return FALSE;
  /* a line of at most TITLE_MAX_CHARS bytes cannot hold more characters */
  if ((len > TITLE_MAX_CHARS && g_utf8_strlen (l->s, len) > TITLE_MAX_CHARS)
      || more_words_than (l->s, l->end, TITLE_MAX_WORDS))
    return FALSE;
  if (uni_islower (char_at (l->s, l->end)) || !title_ending_ok (l->s, l->end))
    return FALSE;
  for (const char *p = l->s; p < l->end && !letters; )
    {
      gunichar c;

      p = next_char (p, &c);
      letters = uni_isalpha (c);
    }
  return letters;
}

/* The first line is a title if it is shaped like one, is not itself a
 * byline, date or dateline, and stands alone: followed by a blank line or
 * directly by the byline / date line. */
static gboolean
is_title (const Line *first, const Line *next)
{
  if (!next || !title_shape_ok (first))
    return FALSE;
  if (is_byline (first) || is_date_line (first) || is_caps_dateline (first))
    return FALSE;
  return (next->complete && next->s == next->end) || is_byline (next) || is_date_line (next);
}

/* ---- the window ------------------------------------------------------------ */

/* Copies the next line of the window, its '\n' included, into the buffer.
 * The window stops at a NUL, at @limit and before the first invalid or
 * incomplete UTF-8 sequence (a '\n' never lies inside one, so validating
 * line by line finds the same place as validating the whole window).
 * Returns FALSE when there is no further line. */
static gboolean
window_split_next (Window *w)
{
  gsize start = w->used, k = start;
  guchar high = 0;
  Line *l;

  if (w->closed || w->n == DOCMETA_MAX_LINES || start >= w->limit || w->text[start] == '\0')
    return FALSE;
  /* byte by byte: reading ahead could pass a NUL at the end of the text */
  while (k < w->limit && w->text[k] != '\0')
    {
      char c = w->text[k];

      w->buf[k++] = c;
      high |= (guchar) c;
      if (c == '\n')
        break;
    }
  if (high & 0x80)
    {
      const char *valid_end;

      if (!g_utf8_validate (w->buf + start, k - start, &valid_end))
        {
          k = valid_end - w->buf;
          w->closed = TRUE;
        }
    }
  w->buf[k] = '\0';
  w->used = k;
  l = &w->lines[w->n++];
  l->s = w->buf + start;
  l->complete = k > start && w->buf[k - 1] == '\n';
  l->end = l->complete ? w->buf + k - 1 : w->buf + k;
  return TRUE;
}

/* Line @i of the window, or NULL if the window has fewer lines. */
static const Line *
window_line (Window *w, guint i)
{
  while (w->n <= i && window_split_next (w))
    ;
  return i < w->n ? &w->lines[i] : NULL;
}

/* ---- putting it together --------------------------------------------------- */

/* Blank lines, the byline and a date-only line between the title and the
 * body; returns the index of the first line after them. */
static guint
read_header (Window *w, guint i, Found *f)
{
  const Line *l;

  for (guint seen = 0; seen < HEADER_MAX_LINES && (l = window_line (w, i)); seen++, i++)
    {
      if (l->s == l->end && l->complete)
        continue;
      if (!f->byline && (f->byline = parse_byline (l, &f->date, &f->time)))
        continue;
      if (!parse_date_line (l, &f->date, &f->time))
        break;
    }
  return i;
}

static void
analyse (Window *w, Found *f)
{
  const Line *first = window_line (w, 0), *l;
  guint i = 0;

  if (!first)
    return;
  if (is_title (first, window_line (w, 1)))
    {
      f->title = g_strndup (first->s, first->end - first->s);
      i = 1;
    }
  i = read_header (w, i, f);
  while ((l = window_line (w, i)) && l->s == l->end)
    i++;
  /* A first line shaped like a headline but starting like a dateline ("IAEA
   * — Inspectors turned away") is ambiguous: read it as neither. */
  if (i == 0 && title_shape_ok (first))
    return;
  if (l)
    f->dateline = parse_dateline (l, &f->date);
}

static void
set_member (JsonObject *meta, const char *key, const char *value)
{
  if (value && *value && !json_object_has_member (meta, key))
    json_object_set_string_member (meta, key, value);
}

static void
store (const Found *f, JsonObject *meta)
{
  set_member (meta, "title", f->title);
  set_member (meta, "byline", f->byline);
  if (f->date.year)
    {
      char buf[16];

      g_snprintf (buf, sizeof buf, "%04d-%02d-%02d", f->date.year, f->date.month, f->date.day);
      set_member (meta, "date", buf);
    }
  if (f->time.hour >= 0)
    {
      char buf[8];

      g_snprintf (buf, sizeof buf, "%02d:%02d", f->time.hour, f->time.minute);
      set_member (meta, "time", buf);
      set_member (meta, "timezone", f->time.zone);
    }
  set_member (meta, "dateline", f->dateline);
}

void
dp_docmeta_extract (const char *text, gsize len, JsonObject *meta)
{
  Window w;
  Found f = { NULL, NULL, NULL, { 0, 0, 0 }, { -1, 0, "" } };

  g_return_if_fail (meta != NULL);
  if (text == NULL)
    return;
  /* only the header fields; lines and buf are filled on demand */
  w.text = text;
  w.limit = MIN (len, DOCMETA_WINDOW);
  w.used = 0;
  w.closed = FALSE;
  w.n = 0;
  analyse (&w, &f);
  store (&f, meta);
  g_free (f.title);
  g_free (f.byline);
  g_free (f.dateline);
}
