/* tokenize.c — the tokenizer and sentence splitter behind dp_record_tokens()
 * and dp_record_sentences().
 *
 * Records call these lazily, once, the first time a stage asks for tokens or
 * sentences; everything downstream (spans, features, matchers) is expressed in
 * the byte offsets produced here, so the rules are deliberately conservative
 * and stable.  They target English news: abbreviations and initials keep their
 * period, hyphenated names stay whole, clitics ('s, n't) are split off the way
 * the Penn Treebank does, and quotes, dashes, URLs and e-mail addresses get
 * their own tokens.
 *
 * Speed matters because every record pays for this: ASCII bytes go through a
 * class table and only non-ASCII bytes are decoded.  Tokens are collected in a
 * small stack batch so the caller's GArray grows in few, large steps.
 */
#include <docpipe/tokens.h>

#include <string.h>

/* ---- character classes ----------------------------------------------------- */

/* The first four classes are the word characters, so "is a word char" is one
 * comparison in the hot loops. */
typedef enum {
  CL_LOWER,     /* a-z */
  CL_UPPER,     /* A-Z */
  CL_DIGIT,     /* 0-9 */
  CL_ALPHA,     /* any other letter, mark or number: accented Latin, Cyrillic, CJK… */
  CL_FORMAT,    /* soft hyphen, ZWJ, BOM: continues a word, ignored between tokens */
  CL_SPACE,
  CL_NEWLINE,
  CL_CR,        /* counts as a line break unless it is half of a CRLF */
  CL_PARA,      /* U+2029: a paragraph break on its own */
  CL_PERIOD,
  CL_TERM,      /* ! ? */
  CL_HYPHEN,    /* - and the Unicode hyphens: joins words, a dash otherwise */
  CL_APOS,      /* ' and U+2019: apostrophe inside words, quote outside */
  CL_QUOTE,
  CL_PUNCT,
  CL_DASH,      /* en/em dashes: always separate */
  CL_ELLIPSIS,
  CL_MINUS,     /* U+2212: sign of a number, else a symbol */
  CL_SYMBOL,
  CL_INVALID,   /* a byte that does not start valid UTF-8 */
} CharClass;

#define IS_WORD_CLASS(cl) ((cl) <= CL_ALPHA)

/* Control characters other than line breaks behave as spaces: they carry no
 * text and must never glue two words together. */
#define SP CL_SPACE
#define NL CL_NEWLINE
#define CR CL_CR
#define TE CL_TERM
#define QU CL_QUOTE
#define AP CL_APOS
#define PU CL_PUNCT
#define HY CL_HYPHEN
#define PE CL_PERIOD
#define SY CL_SYMBOL
#define DI CL_DIGIT
#define UP CL_UPPER
#define LO CL_LOWER
static const guint8 ascii_class[128] = {
  SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, NL, SP, SP, CR, SP, SP,
  SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP, SP,
  SP, TE, QU, SY, SY, SY, SY, AP, PU, PU, SY, SY, PU, HY, PE, SY,
  DI, DI, DI, DI, DI, DI, DI, DI, DI, DI, PU, PU, SY, SY, SY, TE,
  SY, UP, UP, UP, UP, UP, UP, UP, UP, UP, UP, UP, UP, UP, UP, UP,
  UP, UP, UP, UP, UP, UP, UP, UP, UP, UP, UP, PU, SY, PU, SY, SY,
  QU, LO, LO, LO, LO, LO, LO, LO, LO, LO, LO, LO, LO, LO, LO, LO,
  LO, LO, LO, LO, LO, LO, LO, LO, LO, LO, LO, PU, SY, PU, SY, SP,
};
#undef SP
#undef NL
#undef CR
#undef TE
#undef QU
#undef AP
#undef PU
#undef HY
#undef PE
#undef SY
#undef DI
#undef UP
#undef LO

/* Decodes one UTF-8 sequence.  The core only hands us valid UTF-8, but this is
 * also reachable from tools with arbitrary bytes, so anything malformed becomes
 * a one-byte (gunichar) -1 instead of an over-read. */
static gunichar
decode_utf8 (const guchar *s, gsize len, gsize i, guint *n)
{
  guchar b = s[i];
  guint need;
  gunichar c, min;

  if (b < 0x80)
    {
      *n = 1;
      return b;
    }
  if (b >= 0xc2 && b <= 0xdf)
    need = 1, c = b & 0x1f, min = 0x80;
  else if (b >= 0xe0 && b <= 0xef)
    need = 2, c = b & 0x0f, min = 0x800;
  else if (b >= 0xf0 && b <= 0xf4)
    need = 3, c = b & 0x07, min = 0x10000;
  else
    goto bad;
  if (len - i <= need)
    goto bad;
  for (guint k = 1; k <= need; k++)
    {
      if ((s[i + k] & 0xc0) != 0x80)
        goto bad;
      c = (c << 6) | (s[i + k] & 0x3f);
    }
  if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
    goto bad;
  *n = need + 1;
  return c;

bad:
  *n = 1;
  return (gunichar) -1;
}

static CharClass
classify_unichar (gunichar c)
{
  switch (c)
    {
    case (gunichar) -1:
      return CL_INVALID;
    case 0x0085: case 0x2028:
      return CL_NEWLINE;
    case 0x2029:
      return CL_PARA;
    case 0x200b: /* zero-width space separates words even though it is Cf */
      return CL_SPACE;
    case 0x2019:
      return CL_APOS;
    case 0x2018: case 0x201a: case 0x201b: case 0x201c: case 0x201d:
    case 0x201e: case 0x201f: case 0x00ab: case 0x00bb: case 0x2039:
    case 0x203a:
      return CL_QUOTE;
    case 0x2010: case 0x2011:
      return CL_HYPHEN;
    case 0x2026:
      return CL_ELLIPSIS;
    case 0x2212:
      return CL_MINUS;
    default:
      break;
    }

  switch (g_unichar_type (c))
    {
    case G_UNICODE_LOWERCASE_LETTER: case G_UNICODE_UPPERCASE_LETTER:
    case G_UNICODE_TITLECASE_LETTER: case G_UNICODE_MODIFIER_LETTER:
    case G_UNICODE_OTHER_LETTER: case G_UNICODE_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK: case G_UNICODE_NON_SPACING_MARK:
    case G_UNICODE_DECIMAL_NUMBER: case G_UNICODE_LETTER_NUMBER:
    case G_UNICODE_OTHER_NUMBER:
      return CL_ALPHA;
    case G_UNICODE_SPACE_SEPARATOR: case G_UNICODE_CONTROL:
      return CL_SPACE;
    case G_UNICODE_LINE_SEPARATOR:
      return CL_NEWLINE;
    case G_UNICODE_PARAGRAPH_SEPARATOR:
      return CL_PARA;
    case G_UNICODE_FORMAT:
      return CL_FORMAT;
    case G_UNICODE_DASH_PUNCTUATION:
      return CL_DASH;
    case G_UNICODE_INITIAL_PUNCTUATION: case G_UNICODE_FINAL_PUNCTUATION:
      return CL_QUOTE;
    case G_UNICODE_CONNECT_PUNCTUATION: case G_UNICODE_OPEN_PUNCTUATION:
    case G_UNICODE_CLOSE_PUNCTUATION: case G_UNICODE_OTHER_PUNCTUATION:
      return CL_PUNCT;
    default: /* symbols, private use, unassigned */
      return CL_SYMBOL;
    }
}

static inline CharClass
class_at (const guchar *s, gsize len, gsize i, guint *n, gunichar *cp)
{
  gunichar c;

  if (s[i] < 0x80)
    {
      *n = 1;
      if (cp)
        *cp = s[i];
      return ascii_class[s[i]];
    }
  c = decode_utf8 (s, len, i, n);
  if (cp)
    *cp = c;
  return classify_unichar (c);
}

static inline gboolean
word_char_at (const guchar *s, gsize len, gsize i)
{
  guint n;

  return i < len && IS_WORD_CLASS (class_at (s, len, i, &n, NULL));
}

static inline gboolean
is_ascii_digit_at (const guchar *s, gsize len, gsize i)
{
  return i < len && g_ascii_isdigit (s[i]);
}

/* Letters and digits; format characters only between them, so a token never
 * ends in an invisible character. */
static gsize
skip_word_chars (const guchar *s, gsize len, gsize i)
{
  while (i < len)
    {
      guint n;
      CharClass cl;

      if (s[i] < 0x80)
        {
          if (!IS_WORD_CLASS (ascii_class[s[i]]))
            break;
          i++;
          continue;
        }
      cl = class_at (s, len, i, &n, NULL);
      if (cl == CL_FORMAT && word_char_at (s, len, i + n))
        cl = CL_ALPHA;
      if (!IS_WORD_CLASS (cl))
        break;
      i += n;
    }
  return i;
}

static gboolean
is_uppercase_at (const guchar *s, gsize len, gsize i)
{
  guint n;
  gunichar c;

  if (i >= len)
    return FALSE;
  if (s[i] < 0x80)
    return g_ascii_isupper (s[i]);
  c = decode_utf8 (s, len, i, &n);
  return c != (gunichar) -1 && (g_unichar_isupper (c) || g_unichar_istitle (c));
}

static gboolean
is_lowercase_at (const guchar *s, gsize len, gsize i)
{
  guint n;
  gunichar c;

  if (i >= len)
    return FALSE;
  if (s[i] < 0x80)
    return g_ascii_islower (s[i]);
  c = decode_utf8 (s, len, i, &n);
  return c != (gunichar) -1 && g_unichar_islower (c);
}

/* ---- abbreviations ------------------------------------------------------- */

typedef enum {
  AB_CASED,      /* as written or in capitals: "Gen." "GEN.", never "gen." (a word) */
  AB_ANYCASE,    /* vs. etc. approx. */
  AB_NUMBER,     /* only before a number: "No. 1", but "said no." */
} AbbrevRule;

typedef struct {
  const char *word;
  AbbrevRule rule;
} Abbrev;

/* Abbreviations that keep their period.  Single letters (initials) and dotted
 * forms (U.S., e.g., a.m.) are recognised by shape, not listed. */
static const Abbrev abbreviations[] = {
  /* titles */
  { "Mr", AB_CASED }, { "Mrs", AB_CASED }, { "Ms", AB_CASED }, { "Messrs", AB_CASED },
  { "Dr", AB_CASED }, { "Prof", AB_CASED }, { "Gen", AB_CASED }, { "Lt", AB_CASED },
  { "Col", AB_CASED }, { "Maj", AB_CASED }, { "Capt", AB_CASED }, { "Cmdr", AB_CASED },
  { "Sgt", AB_CASED }, { "Adm", AB_CASED }, { "Gov", AB_CASED }, { "Sen", AB_CASED },
  { "Rep", AB_CASED }, { "Rev", AB_CASED }, { "Hon", AB_CASED }, { "Pres", AB_CASED },
  { "Supt", AB_CASED }, { "Insp", AB_CASED }, { "Fr", AB_CASED }, { "Jr", AB_CASED },
  { "Sr", AB_CASED }, { "St", AB_CASED }, { "Mt", AB_CASED }, { "Ft", AB_CASED },
  { "Gens", AB_CASED }, { "Sens", AB_CASED }, { "Reps", AB_CASED },
  /* companies and places */
  { "Inc", AB_CASED }, { "Corp", AB_CASED }, { "Co", AB_CASED }, { "Cos", AB_CASED },
  { "Ltd", AB_CASED }, { "Bros", AB_CASED }, { "Dept", AB_CASED }, { "Univ", AB_CASED },
  { "Assn", AB_CASED }, { "Ave", AB_CASED }, { "Blvd", AB_CASED }, { "Rd", AB_CASED },
  /* months and days */
  { "Jan", AB_CASED }, { "Feb", AB_CASED }, { "Mar", AB_CASED }, { "Apr", AB_CASED },
  { "Jun", AB_CASED }, { "Jul", AB_CASED }, { "Aug", AB_CASED }, { "Sep", AB_CASED },
  { "Sept", AB_CASED }, { "Oct", AB_CASED }, { "Nov", AB_CASED }, { "Dec", AB_CASED },
  { "Mon", AB_CASED }, { "Tue", AB_CASED }, { "Tues", AB_CASED }, { "Wed", AB_CASED },
  { "Thu", AB_CASED }, { "Thur", AB_CASED }, { "Thurs", AB_CASED }, { "Fri", AB_CASED },
  /* US states, AP style */
  { "Ala", AB_CASED }, { "Ariz", AB_CASED }, { "Ark", AB_CASED }, { "Calif", AB_CASED },
  { "Colo", AB_CASED }, { "Conn", AB_CASED }, { "Fla", AB_CASED }, { "Ga", AB_CASED },
  { "Ill", AB_CASED }, { "Kan", AB_CASED }, { "Ky", AB_CASED }, { "Md", AB_CASED },
  { "Mich", AB_CASED }, { "Minn", AB_CASED }, { "Miss", AB_CASED }, { "Neb", AB_CASED },
  { "Nev", AB_CASED }, { "Okla", AB_CASED }, { "Penn", AB_CASED }, { "Tenn", AB_CASED },
  { "Tex", AB_CASED }, { "Wash", AB_CASED }, { "Wis", AB_CASED }, { "Wyo", AB_CASED },
  /* lower-case Latin and miscellany */
  { "vs", AB_ANYCASE }, { "etc", AB_ANYCASE }, { "al", AB_ANYCASE },
  { "approx", AB_ANYCASE }, { "cf", AB_ANYCASE }, { "viz", AB_ANYCASE },
  { "ca", AB_ANYCASE }, { "esp", AB_ANYCASE },
  /* before numbers */
  { "No", AB_NUMBER }, { "Nos", AB_NUMBER }, { "Vol", AB_NUMBER }, { "Art", AB_NUMBER },
  { "Fig", AB_NUMBER }, { "pp", AB_NUMBER }, { "p", AB_NUMBER }, { "Sec", AB_NUMBER },
  { "Ch", AB_NUMBER },
};

#define ABBREV_MAX_LEN 6

/* Keyed by the lower-cased word; built once, read-only afterwards, so worker
 * threads can share it. */
static GHashTable *
abbreviation_table (void)
{
  static GHashTable *table;

  if (g_once_init_enter (&table))
    {
      GHashTable *t = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint k = 0; k < G_N_ELEMENTS (abbreviations); k++)
        g_hash_table_insert (t, g_ascii_strdown (abbreviations[k].word, -1),
                             (gpointer) &abbreviations[k]);
      g_once_init_leave (&table, t);
    }
  return table;
}

static gboolean
all_ascii_upper (const guchar *w, gsize n)
{
  for (gsize k = 0; k < n; k++)
    if (!g_ascii_isupper (w[k]))
      return FALSE;
  return TRUE;
}

/* Is s[start..dot) an abbreviation whose period (at @dot) belongs to it? */
static gboolean
is_abbreviation (const guchar *s, gsize len, gsize start, gsize dot)
{
  char key[ABBREV_MAX_LEN + 1];
  gsize n = dot - start, after;
  const Abbrev *ab;

  if (n > ABBREV_MAX_LEN)
    return FALSE;
  for (gsize k = 0; k < n; k++)
    {
      if (!g_ascii_isalpha (s[start + k]))
        return FALSE;
      key[k] = g_ascii_tolower (s[start + k]);
    }
  key[n] = '\0';
  ab = g_hash_table_lookup (abbreviation_table (), key);
  if (ab == NULL)
    return FALSE;

  switch (ab->rule)
    {
    case AB_ANYCASE:
      return TRUE;
    case AB_CASED:
      return memcmp (s + start, ab->word, n) == 0 || all_ascii_upper (s + start, n);
    case AB_NUMBER:
      after = dot + 1;
      while (after < len && s[after] == ' ')
        after++;
      return (memcmp (s + start, ab->word, n) == 0 || all_ascii_upper (s + start, n))
             && is_ascii_digit_at (s, len, after);
    }
  return FALSE;
}

/* ---- the tokenizer --------------------------------------------------------- */

typedef struct {
  const guchar *s;
  gsize len;
  GArray *out;
  gsize prev_end;          /* end of the previous token; G_MAXSIZE before the first */
  guint16 prev_kind;
  gboolean single_open;    /* an opening single quote is waiting for its closer */
  guint n_batch;
  DpToken batch[256];
} Tokenizer;

static void
flush (Tokenizer *tk)
{
  g_array_append_vals (tk->out, tk->batch, tk->n_batch);
  tk->n_batch = 0;
}

static inline void
emit (Tokenizer *tk, gsize start, gsize end, guint16 kind, guint16 flags)
{
  DpToken *t = &tk->batch[tk->n_batch++];

  t->start = (guint32) start;
  t->end = (guint32) end;
  t->kind = kind;
  t->flags = flags;
  if (tk->n_batch == G_N_ELEMENTS (tk->batch))
    flush (tk);
  tk->prev_end = end;
  tk->prev_kind = kind;
}

/* True if the previous token touches @i and is a word or number, i.e. an
 * apostrophe or hyphen here is attached to it. */
static inline gboolean
glued_to_word (const Tokenizer *tk, gsize i)
{
  return tk->prev_end == i
         && (tk->prev_kind == DP_TOKEN_WORD || tk->prev_kind == DP_TOKEN_NUMBER);
}

/* Length of a clitic ('s 're 've 'll 'd 'm) whose apostrophe (@alen bytes) is
 * at @i, or 0.  It must end the word: "'d" in "O'Donnell" is no clitic. */
static guint
clitic_len (const guchar *s, gsize len, gsize i, guint alen)
{
  static const char *const clitics[] = { "s", "re", "ve", "ll", "d", "m" };
  gsize j = i + alen;

  for (guint k = 0; k < G_N_ELEMENTS (clitics); k++)
    {
      gsize n = strlen (clitics[k]);

      if (j + n <= len && g_ascii_strncasecmp ((const char *) s + j, clitics[k], n) == 0
          && !word_char_at (s, len, j + n))
        return alen + n;
    }
  return 0;
}

/* "n't" as in don't, can't, DIDN'T: the apostrophe is at @i, the word began
 * at @start.  The "n" goes with the clitic, Penn Treebank style. */
static gboolean
is_nt (const guchar *s, gsize len, gsize start, gsize i, guint alen)
{
  gsize t = i + alen;

  return i >= start + 2 && (s[i - 1] == 'n' || s[i - 1] == 'N')
         && t < len && (s[t] == 't' || s[t] == 'T') && !word_char_at (s, len, t + 1);
}

static inline guint
apostrophe_len (const guchar *s, gsize len, gsize i)
{
  if (s[i] == '\'')
    return 1;
  if (i + 2 < len && s[i] == 0xe2 && s[i + 1] == 0x80 && s[i + 2] == 0x99)
    return 3;
  return 0;
}

static inline guint
hyphen_len (const guchar *s, gsize len, gsize i)
{
  if (s[i] == '-')
    return 1;
  /* U+2010 HYPHEN, U+2011 NON-BREAKING HYPHEN */
  if (i + 2 < len && s[i] == 0xe2 && s[i + 1] == 0x80 && (s[i + 2] == 0x90 || s[i + 2] == 0x91))
    return 3;
  return 0;
}

/* Is s[seg..dot) exactly one letter? */
static gboolean
single_letter (const guchar *s, gsize len, gsize seg, gsize dot)
{
  guint n;
  CharClass cl = class_at (s, len, seg, &n, NULL);

  return seg + n == dot && (cl == CL_LOWER || cl == CL_UPPER || cl == CL_ALPHA);
}

/* Capitals, a period and one or two capitals ending the word: "BP.L". */
static gboolean
is_ticker_suffix (const guchar *s, gsize len, gsize seg, gsize dot)
{
  gsize end = dot + 1;

  if (!all_ascii_upper (s + seg, dot - seg))
    return FALSE;
  while (end < len && end < dot + 4 && g_ascii_isupper (s[end]))
    end++;
  return end > dot + 1 && end <= dot + 3 && !word_char_at (s, len, end);
}

/* The period at @dot follows a word that began at @start, whose last
 * dot-separated segment began at @seg.  Returns whether the word continues
 * through the period (U.S, e.g, Amazon.com) and sets *keep if the period ends
 * the token as part of it (U.S., J., Gen.). */
static gboolean
word_period (const guchar *s, gsize len, gsize start, gsize seg, gsize dot,
             gboolean dotted, gboolean *keep)
{
  gboolean single = single_letter (s, len, seg, dot);

  *keep = FALSE;
  if (word_char_at (s, len, dot + 1))
    {
      /* After a multi-letter segment only a lower-case continuation joins:
       * "Amazon.com" is one token, a missing space in "said.The" is not.
       * Reuters tickers (<BP.L>, <STAT.OL>) are capitals on both sides. */
      return single || is_lowercase_at (s, len, dot + 1) || is_ascii_digit_at (s, len, dot + 1)
             || is_ticker_suffix (s, len, seg, dot);
    }
  if (dot + 1 < len && s[dot + 1] == '.')
    return FALSE;  /* an ellipsis follows */
  if (single && (dotted || (seg == start && is_uppercase_at (s, len, seg))))
    *keep = TRUE;  /* U.S. e.g. a.m. and initials, but not "Jong-U." */
  else if (!dotted && seg == start && is_abbreviation (s, len, start, dot))
    *keep = TRUE;
  return FALSE;
}

/* Scans the rest of a word from @i; @start is where the token began. */
static gsize
scan_word (const guchar *s, gsize len, gsize start, gsize i)
{
  gsize seg = start;
  gboolean dotted = FALSE;

  for (;;)
    {
      guint jl;
      gboolean keep;

      i = skip_word_chars (s, len, i);
      if (i >= len)
        return i;

      if ((jl = hyphen_len (s, len, i)) != 0)
        {
          if (!word_char_at (s, len, i + jl))
            return i;
          i += jl;
          seg = i;
          continue;
        }

      if ((jl = apostrophe_len (s, len, i)) != 0)
        {
          if (!word_char_at (s, len, i + jl) || clitic_len (s, len, i, jl) != 0)
            return i;
          if (is_nt (s, len, start, i, jl))
            return i - 1;
          i += jl;  /* O'Brien, D'Angelo, rock'n'roll */
          continue;
        }

      if (s[i] != '.')
        return i;
      if (word_period (s, len, start, seg, i, dotted, &keep))
        {
          dotted = dotted || single_letter (s, len, seg, i);
          i++;
          seg = i;
          continue;
        }
      if (!keep)
        return i;
      i++;
      /* "U.S.-led", "U.N.-backed" */
      if (i < len && (jl = hyphen_len (s, len, i)) != 0 && word_char_at (s, len, i + jl))
        {
          i += jl;
          seg = i;
          continue;
        }
      return i;
    }
}

static gboolean
is_number_suffix (const guchar *s, gsize from, gsize to)
{
  static const char *const suffixes[] = { "s", "st", "nd", "rd", "th" };

  for (guint k = 0; k < G_N_ELEMENTS (suffixes); k++)
    if (strlen (suffixes[k]) == to - from
        && g_ascii_strncasecmp ((const char *) s + from, suffixes[k], to - from) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
all_ascii_letters (const guchar *s, gsize from, gsize to)
{
  for (gsize k = from; k < to; k++)
    if (!g_ascii_isalpha (s[k]))
      return FALSE;
  return TRUE;
}

static gboolean
only_numeric (const guchar *s, gsize from, gsize to)
{
  for (gsize k = from; k < to; k++)
    if (!g_ascii_isdigit (s[k]) && (s[k] == '\0' || !strchr ("-,.:/", s[k])))
      return FALSE;
  return TRUE;
}

/* A number starting with the digit at @i (the token began at @start, which
 * differs for a sign or a leading period). */
static gsize
scan_number (const guchar *s, gsize len, gsize start, gsize i, guint16 *kind)
{
  CharClass cl;
  guint n;

  *kind = DP_TOKEN_NUMBER;
  while (i < len && g_ascii_isdigit (s[i]))
    i++;
  /* 1,000.5  3:32  12/31/2017: a separator only counts between digits */
  while (i + 1 < len && (s[i] == ',' || s[i] == '.' || s[i] == ':' || s[i] == '/')
         && g_ascii_isdigit (s[i + 1]))
    {
      i++;
      while (i < len && g_ascii_isdigit (s[i]))
        i++;
    }
  if (i >= len)
    return i;

  cl = class_at (s, len, i, &n, NULL);
  if (cl == CL_LOWER || cl == CL_UPPER || cl == CL_ALPHA)
    {
      gsize run = skip_word_chars (s, len, i);
      guint hl = run < len ? hyphen_len (s, len, run) : 0;

      /* 1990s, 19th stay whole; 3:32am, 5km, 100mln, £100m split into number
       * + unit; a single capital stays: 3D, 5G */
      if (is_number_suffix (s, i, run) && !(hl && word_char_at (s, len, run + hl)))
        return run;
      if (all_ascii_letters (s, i, run) && (run - i >= 2 || g_ascii_islower (s[i])))
        return i;
      *kind = DP_TOKEN_WORD;  /* 3D, 4x4 */
      return scan_word (s, len, start, i);
    }

  n = hyphen_len (s, len, i);
  if (n != 0 && word_char_at (s, len, i + n))
    {
      /* 2017-08-09 is a number, 10-year-old a word */
      gsize end = scan_word (s, len, start, i);

      if (!only_numeric (s, start, end))
        *kind = DP_TOKEN_WORD;
      return end;
    }
  return i;
}

static gboolean
url_prefix (const guchar *s, gsize len, gsize i, gsize *plen)
{
  static const char *const prefixes[] = { "http://", "https://", "ftp://", "www." };

  for (guint k = 0; k < G_N_ELEMENTS (prefixes); k++)
    {
      gsize n = strlen (prefixes[k]);

      if (i + n < len && g_ascii_strncasecmp ((const char *) s + i, prefixes[k], n) == 0)
        {
          *plen = n;
          return TRUE;
        }
    }
  return FALSE;
}

/* A URL runs to the next space or quote; then sentence punctuation and an
 * unbalanced closing bracket are given back to the text. */
static gsize
scan_url (const guchar *s, gsize len, gsize start, gsize plen)
{
  gsize i = start + plen;
  gssize parens = 0, brackets = 0;

  while (i < len)
    {
      guint n = 1;
      guchar b = s[i];

      if (b < 0x80)
        {
          if (b <= ' ' || b == 0x7f || b == '"' || b == '<' || b == '>' || b == '`')
            break;
          parens += (b == '(') - (b == ')');
          brackets += (b == '[') - (b == ']');
        }
      else if (!IS_WORD_CLASS (class_at (s, len, i, &n, NULL)))
        break;
      i += n;
    }

  while (i > start + plen)
    {
      guchar b = s[i - 1];

      if (strchr (".,;:!?'", b) != NULL)
        ;
      else if (b == ')' && parens < 0)
        parens++;
      else if (b == ']' && brackets < 0)
        brackets++;
      else
        break;
      i--;
    }
  return i;
}

static inline gboolean
is_email_local (guchar b)
{
  return g_ascii_isalnum (b) || b == '.' || b == '_' || b == '%' || b == '+' || b == '-';
}

/* The longest local part and domain an address may have (RFC 5321).  Every
 * word followed by '.' is tried as an address: without a bound, a run of
 * "Ab.Cd.Ef…" with no '@' was rescanned to its end from each of its words. */
#define EMAIL_LOCAL_MAX 64
#define EMAIL_DOMAIN_MAX 255

/* An address name@example.org starting at @start, or 0. */
static gsize
scan_email (const guchar *s, gsize len, gsize start)
{
  gsize i = start, label_start, last_dot = 0;

  while (i < len && i - start <= EMAIL_LOCAL_MAX && is_email_local (s[i]))
    i++;
  if (i == start || i >= len || s[i] != '@')
    return 0;
  i++;
  label_start = i;
  while (i < len && i - label_start < EMAIL_DOMAIN_MAX && (g_ascii_isalnum (s[i]) || s[i] == '-'
                     || (s[i] == '.' && i > label_start && i + 1 < len
                         && g_ascii_isalnum (s[i + 1]))))
    {
      if (s[i] == '.')
        last_dot = i;
      i++;
    }
  if (i - label_start >= EMAIL_DOMAIN_MAX)
    return 0;
  while (i > label_start && s[i - 1] == '-')
    i--;
  /* the top-level domain: at least two letters */
  if (last_dot == 0 || i < last_dot + 3 || !all_ascii_letters (s, last_dot + 1, i))
    return 0;
  return i;
}

static gsize
scan_alpha (Tokenizer *tk, gsize i, guint16 *kind)
{
  const guchar *s = tk->s;
  gsize len = tk->len, plen, end;

  /* Compared one by one, not with strchr(): this is every word's start. */
  guchar c = s[i] | 0x20;
  if ((c == 'h' || c == 'w' || c == 'f') && url_prefix (s, len, i, &plen))
    {
      end = scan_url (s, len, i, plen);
      if (end > i + plen)
        {
          *kind = DP_TOKEN_URL;
          return end;
        }
    }

  *kind = DP_TOKEN_WORD;
  end = scan_word (s, len, i, i);
  if (end < len && (s[end] == '@' || s[end] == '.' || s[end] == '_' || s[end] == '+' || s[end] == '-'))
    {
      gsize email = scan_email (s, len, i);

      if (email > end)
        {
          *kind = DP_TOKEN_EMAIL;
          return email;
        }
    }
  return end;
}

/* An apostrophe that does not sit inside a word: a clitic of the previous
 * word ('s 're, or the possessive ' of "countries'"), else a single quote. */
static gsize
scan_apostrophe (Tokenizer *tk, gsize i, guint alen, guint16 *kind)
{
  const guchar *s = tk->s;
  gsize len = tk->len;

  if (glued_to_word (tk, i))
    {
      guint cl = clitic_len (s, len, i, alen);

      *kind = DP_TOKEN_WORD;
      if (cl != 0)
        return i + cl;
      if ((s[i - 1] == 's' || s[i - 1] == 'S') && !tk->single_open
          && !word_char_at (s, len, i + alen))
        return i + alen;
    }

  *kind = DP_TOKEN_QUOTE;
  /* A straight ' is opening when it does not touch the previous token. */
  tk->single_open = s[i] == '\'' && tk->prev_end != i && word_char_at (s, len, i + alen);
  return i + alen;
}

static gsize
run_of (const guchar *s, gsize len, gsize i, const char *set)
{
  while (i < len && s[i] != '\0' && strchr (set, s[i]) != NULL)
    i++;
  return i;
}

/* A symbol with the marks and joiners that follow it, so emoji sequences with
 * variation selectors or ZWJ stay one token. */
static gsize
scan_symbol (const guchar *s, gsize len, gsize i)
{
  while (i < len && s[i] >= 0x80)
    {
      guint n;
      gunichar c = decode_utf8 (s, len, i, &n);

      if (c == (gunichar) -1)
        break;
      if (c == 0x200d && i + n < len && s[i + n] >= 0x80)
        {
          guint m;
          gunichar next = decode_utf8 (s, len, i + n, &m);

          if (next == (gunichar) -1 || classify_unichar (next) != CL_SYMBOL)
            break;
          i += n + m;
          continue;
        }
      /* skin-tone modifiers are symbols (Sk), not marks */
      if (!g_unichar_ismark (c) && !(c >= 0x1f3fb && c <= 0x1f3ff))
        break;
      i += n;
    }
  return i;
}

/* Scans the token at @i, whose first character has class @cl and is @n bytes. */
static gsize
scan_token (Tokenizer *tk, gsize i, CharClass cl, guint n, gunichar c, guint16 *kind)
{
  const guchar *s = tk->s;
  gsize len = tk->len, end;

  *kind = DP_TOKEN_PUNCT;
  switch (cl)
    {
    case CL_LOWER: case CL_UPPER:
      return scan_alpha (tk, i, kind);
    case CL_ALPHA:
      *kind = DP_TOKEN_WORD;
      return scan_word (s, len, i, i);
    case CL_DIGIT:
      return scan_number (s, len, i, i, kind);
    case CL_PERIOD:
      end = run_of (s, len, i, ".");
      if (end == i + 1 && is_ascii_digit_at (s, len, i + 1) && !glued_to_word (tk, i))
        return scan_number (s, len, i, i + 1, kind);  /* .5 */
      return end;
    case CL_TERM:
      return run_of (s, len, i, "!?");  /* "?!" and "!!!" are one mark */
    case CL_HYPHEN:
      if (s[i] != '-')
        return i + n;
      end = run_of (s, len, i, "-");
      if (end == i + 1 && is_ascii_digit_at (s, len, i + 1) && !glued_to_word (tk, i))
        return scan_number (s, len, i, i + 1, kind);  /* -3.5 */
      return end;
    case CL_MINUS:
      if (is_ascii_digit_at (s, len, i + n) && !glued_to_word (tk, i))
        return scan_number (s, len, i, i + n, kind);
      *kind = DP_TOKEN_SYMBOL;
      return i + n;
    case CL_APOS:
      return scan_apostrophe (tk, i, n, kind);
    case CL_QUOTE:
      *kind = DP_TOKEN_QUOTE;
      if (c == 0x2018)
        tk->single_open = TRUE;
      return i + n;
    case CL_PUNCT: case CL_DASH: case CL_ELLIPSIS:
      return i + n;
    case CL_SYMBOL:
      *kind = DP_TOKEN_SYMBOL;
      return scan_symbol (s, len, i + n);
    case CL_INVALID: default:
      *kind = DP_TOKEN_SYMBOL;
      return i + 1;
    }
}

static inline guint16
gap_flags (gboolean space, guint newlines)
{
  if (newlines >= 2)
    return DP_TOKEN_FLAG_SPACE_BEFORE | DP_TOKEN_FLAG_NEWLINE_BEFORE | DP_TOKEN_FLAG_PARAGRAPH_BEFORE;
  if (newlines == 1)
    return DP_TOKEN_FLAG_SPACE_BEFORE | DP_TOKEN_FLAG_NEWLINE_BEFORE;
  return space ? DP_TOKEN_FLAG_SPACE_BEFORE : 0;
}

void
dp_tokenize (const char *text, gsize len, GArray *tokens)
{
  Tokenizer tk;
  const guchar *s = (const guchar *) text;
  gboolean space = FALSE;
  guint newlines = 0;
  gsize i = 0;

  g_return_if_fail (text != NULL || len == 0);
  g_return_if_fail (tokens != NULL);
  g_return_if_fail (len <= G_MAXUINT32);

  tk.s = s;
  tk.len = len;
  tk.out = tokens;
  tk.prev_end = G_MAXSIZE;
  tk.prev_kind = DP_TOKEN_PUNCT;
  tk.single_open = FALSE;
  tk.n_batch = 0;

  while (i < len)
    {
      guint n;
      gunichar c;
      CharClass cl;
      guint16 kind;
      gsize end;

      if (s[i] == ' ')
        {
          space = TRUE;
          i++;
          continue;
        }
      cl = class_at (s, len, i, &n, &c);
      switch (cl)
        {
        case CL_SPACE:
          space = TRUE;
          i += n;
          continue;
        case CL_CR:
          if (i + 1 < len && s[i + 1] == '\n')
            {
              i++;
              continue;
            }
          G_GNUC_FALLTHROUGH;
        case CL_NEWLINE:
          newlines++;
          i += n;
          continue;
        case CL_PARA:
          newlines += 2;
          i += n;
          continue;
        case CL_FORMAT:
          i += n;
          continue;
        default:
          break;
        }

      if (newlines >= 2)
        tk.single_open = FALSE;  /* quotes do not survive a paragraph break */
      end = scan_token (&tk, i, cl, n, c, &kind);
      g_assert (end > i && end <= len);
      emit (&tk, i, end, kind, gap_flags (space, newlines));
      space = FALSE;
      newlines = 0;
      i = end;
    }
  flush (&tk);
}

/* ---- the sentence splitter --------------------------------------------------- */

typedef struct {
  const guchar *s;
  gsize len;
  const DpToken *t;
  guint n;
  gsize widest;   /* the text's wrap width, if it is wrapped (wrap_width) */
} Splitter;

static inline gunichar
first_char (const Splitter *sp, guint k)
{
  guint n;

  if (sp->t[k].start >= sp->len || sp->t[k].end > sp->len)
    return 0;
  return decode_utf8 (sp->s, sp->t[k].end, sp->t[k].start, &n);
}

static inline gsize
tok_len (const Splitter *sp, guint k)
{
  return sp->t[k].end > sp->t[k].start ? sp->t[k].end - sp->t[k].start : 0;
}

static gboolean
tok_is (const Splitter *sp, guint k, const char *str)
{
  gsize n = strlen (str);

  return tok_len (sp, k) == n && sp->t[k].end <= sp->len
         && memcmp (sp->s + sp->t[k].start, str, n) == 0;
}

/* Is token @k one of @words, ignoring ASCII case?  The splitter asks this at
 * every line break, mostly of words in no list: *mask caches the list's
 * first letters (bit 31 set once computed; threads racing compute the same
 * value), so most answers take one test.  The lists hold letters and
 * periods, for which setting bit 0x20 folds case. */
static gboolean
tok_in (const Splitter *sp, guint k, const char *const *words, guint n_words, gint *mask)
{
  gsize n = tok_len (sp, k);
  const char *w = (const char *) sp->s + sp->t[k].start;
  guint32 m = (guint32) g_atomic_int_get (mask);

  if (sp->t[k].end > sp->len || n == 0)
    return FALSE;
  if (m == 0)
    {
      for (guint j = 0; j < n_words; j++)
        m |= 1u << ((words[j][0] | 0x20) & 31);
      m |= 1u << 31;
      g_atomic_int_set (mask, (gint) m);
    }
  if (!(m & (1u << ((w[0] | 0x20) & 31))))
    return FALSE;
  for (guint j = 0; j < n_words; j++)
    {
      const char *x = words[j];
      gsize i = 0;

      while (i < n && x[i] && (x[i] | 0x20) == (w[i] | 0x20))
        i++;
      if (i == n && x[i] == '\0')
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_terminal (const Splitter *sp, guint k)
{
  gunichar c;

  if (sp->t[k].kind != DP_TOKEN_PUNCT)
    return FALSE;
  c = first_char (sp, k);
  /* ellipsis, ideographic and full-width stops */
  return c == '.' || c == '!' || c == '?' || c == 0x2026 || c == 0x3002
         || c == 0xff01 || c == 0xff1f || c == 0xff0e;
}

/* A word that ends in its period: an abbreviation, initial or dotted form. */
static gboolean
is_abbrev_token (const Splitter *sp, guint k)
{
  return sp->t[k].kind == DP_TOKEN_WORD && tok_len (sp, k) >= 2
         && sp->t[k].end <= sp->len && sp->s[sp->t[k].end - 1] == '.';
}

static gboolean
is_double_quote (gunichar c)
{
  return c == '"' || c == 0x201c || c == 0x201d || c == 0x201e || c == 0x201f
         || c == 0x00ab || c == 0x00bb;
}

static gboolean
is_opening_quote_char (gunichar c)
{
  return c == 0x201c || c == 0x201e || c == 0x2018 || c == 0x201a || c == 0x00ab
         || c == 0x2039;
}

/* Closing quotes and brackets after a terminal belong to the sentence that
 * ends.  A straight quote closes when it touches the token before it. */
static gboolean
is_closer (const Splitter *sp, guint k)
{
  gunichar c = first_char (sp, k);

  if (sp->t[k].kind == DP_TOKEN_PUNCT)
    return c == ')' || c == ']' || c == '}';
  if (sp->t[k].kind != DP_TOKEN_QUOTE)
    return FALSE;
  if (c == '"' || c == '\'' || c == '`')
    return !(sp->t[k].flags & DP_TOKEN_FLAG_SPACE_BEFORE);
  return !is_opening_quote_char (c);
}

static gboolean
is_opening_double (const Splitter *sp, guint k)
{
  gunichar c;

  if (sp->t[k].kind != DP_TOKEN_QUOTE)
    return FALSE;
  c = first_char (sp, k);
  /* A straight quote opens when it does not touch the token before it, or
   * touches an opening bracket. */
  if (c == '"')
    return k == 0 || (sp->t[k].flags & DP_TOKEN_FLAG_SPACE_BEFORE)
           || (sp->t[k - 1].kind == DP_TOKEN_PUNCT && (first_char (sp, k - 1) == '('
                                                      || first_char (sp, k - 1) == '['));
  return c == 0x201c || c == 0x201e || c == 0x00ab;
}

static gboolean
starts_lowercase (const Splitter *sp, guint k)
{
  if (sp->t[k].start < sp->len && sp->s[sp->t[k].start] < 0x80)
    return g_ascii_islower (sp->s[sp->t[k].start]);

  gunichar c = first_char (sp, k);

  return c != (gunichar) -1 && g_unichar_islower (c);
}

/* A quotation followed by a lower-case attribution ("…,” he said) reads as one
 * sentence, whatever periods it contains.  Returns the index of the closing
 * quote of the quotation opened at @q if that is the case, else 0.  The scan
 * stops at the next double quote or paragraph break, so the spans scanned for
 * successive quotations are disjoint and the splitter stays linear. */
static guint
continued_quote_end (const Splitter *sp, guint q)
{
  for (guint k = q + 1; k < sp->n; k++)
    {
      gunichar c;
      guint a;

      if (sp->t[k].flags & DP_TOKEN_FLAG_PARAGRAPH_BEFORE)
        return 0;
      if (sp->t[k].kind != DP_TOKEN_QUOTE)
        continue;
      c = first_char (sp, k);
      if (!is_double_quote (c))
        continue;
      if (is_opening_quote_char (c))
        return 0;  /* unclosed: news style for quotes running on */
      a = k + 1;
      if (a < sp->n && sp->t[a].kind == DP_TOKEN_PUNCT && (tok_is (sp, a, ",")
                                                           || tok_is (sp, a, "\xe2\x80\x94")))
        a++;  /* British style: ”, he said */
      if (a < sp->n && !(sp->t[a].flags & DP_TOKEN_FLAG_PARAGRAPH_BEFORE)
          && sp->t[a].kind == DP_TOKEN_WORD && starts_lowercase (sp, a))
        return k;
      return 0;
    }
  return 0;
}

/* Capitalised words that begin sentences far more often than they continue a
 * name; after an abbreviation only these (or an opening quote) start a new
 * sentence, so "U.S. officials" and "Gen. Smith" stay together but "in the U.S.
 * The" splits. */
static const char *const sentence_starters[] = {
  "a", "an", "the", "this", "that", "these", "those", "there", "then", "they",
  "he", "she", "it", "its", "we", "i", "you", "our", "my", "his", "her", "your",
  "their", "but", "and", "or", "so", "yet", "if", "in", "on", "at", "as", "for",
  "from", "by", "to", "with", "after", "before", "when", "while", "where", "what",
  "who", "why", "how", "since", "although", "though", "however", "meanwhile",
  "also", "still", "now", "some", "many", "most", "several", "both", "each",
  "every", "other", "such", "another", "all", "any", "last", "next", "earlier",
  "later", "today", "yesterday", "instead", "indeed", "moreover", "despite",
  "during", "under", "one", "two", "three", "according", "following", "because",
  "unlike", "until", "unless", "whether", "here", "not", "only", "even", "just",
  "mr.", "mrs.", "ms.", "dr.",
};
static gint sentence_starters_mask;

/* Only the capitalised form counts: "AS" and "THE" in capitals are as likely
 * to be part of a name or a line of capitals. */
static gboolean
is_sentence_starter (const Splitter *sp, guint k)
{
  const guchar *w = sp->s + sp->t[k].start;

  return sp->t[k].kind == DP_TOKEN_WORD && sp->t[k].end <= sp->len && g_ascii_isupper (w[0])
         && (tok_len (sp, k) == 1 || g_ascii_islower (w[1]))
         && tok_in (sp, k, sentence_starters, G_N_ELEMENTS (sentence_starters), &sentence_starters_mask);
}

static gboolean
is_dash_item (const Splitter *sp, guint k);

/* Is token @k followed, after a space on its line, by a capitalised word? */
static gboolean
capital_follows (const Splitter *sp, guint k)
{
  guint a = k + 1;

  return a < sp->n && (sp->t[a].flags & DP_TOKEN_FLAG_SPACE_BEFORE)
         && !(sp->t[a].flags & DP_TOKEN_FLAG_NEWLINE_BEFORE) && sp->t[a].kind == DP_TOKEN_WORD
         && g_unichar_isupper (first_char (sp, a));
}

/* Can token @k begin a sentence after a plain terminal (. ! ? …)? */
static gboolean
can_start_sentence (const Splitter *sp, guint k)
{
  gunichar c = first_char (sp, k);

  switch (sp->t[k].kind)
    {
    case DP_TOKEN_WORD: case DP_TOKEN_URL: case DP_TOKEN_EMAIL:
      return c != (gunichar) -1 && !g_unichar_islower (c);
    case DP_TOKEN_NUMBER: case DP_TOKEN_QUOTE:
      return TRUE;
    case DP_TOKEN_PUNCT:
      /* a list item run on after a full stop: ". -- Paris Newsroom", ". - The" */
      return c == '(' || c == '[' || (is_dash_item (sp, k) && tok_len (sp, k) <= 2 && capital_follows (sp, k));
    case DP_TOKEN_SYMBOL:
      return c == '#' || c == '@' || (c != (gunichar) -1
                                      && g_unichar_type (c) == G_UNICODE_CURRENCY_SYMBOL);
    default:
      return FALSE;
    }
}

/* What the splitter knows about the words of a line. */
typedef struct {
  gboolean title;      /* every word is capitalised, or a title-case function word */
  gboolean small_words; /* some title-case function word is in lower case */
  gboolean has_lower;  /* some word has a lower-case letter */
  gboolean has_word;
} LineShape;

static const char *const title_small_words[] = {
  "a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for", "by", "with",
  "from", "as", "vs", "over", "into", "after", "under", "about", "upon", "amid", "near",
};
static gint title_small_words_mask;

static gboolean
has_lowercase (const Splitter *sp, guint k)
{
  for (gsize i = sp->t[k].start; i < sp->t[k].end && i < sp->len; )
    {
      guint n;
      gunichar c;

      if (sp->s[i] < 0x80)
        {
          if (g_ascii_islower (sp->s[i]))
            return TRUE;
          i++;
          continue;
        }
      c = decode_utf8 (sp->s, sp->len, i, &n);

      if (c != (gunichar) -1 && g_unichar_islower (c))
        return TRUE;
      i += n;
    }
  return FALSE;
}

static void
line_shape_add (LineShape *shape, const Splitter *sp, guint k)
{
  if (sp->t[k].kind != DP_TOKEN_WORD)
    return;
  shape->has_word = TRUE;
  if (!shape->has_lower)
    shape->has_lower = has_lowercase (sp, k);
  if (shape->title && starts_lowercase (sp, k))
    shape->small_words = shape->title = tok_in (sp, k, title_small_words, G_N_ELEMENTS (title_small_words), &title_small_words_mask);
}

/* Words that end wrapped lines but never headings. */
static const char *const dangling_words[] = {
  "a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to", "for", "with",
  "by", "from", "as", "its", "their", "his", "her", "that", "than", "against",
  "between", "into", "over", "after", "under", "about", "is", "are", "was", "were",
  "be", "has", "have", "had", "said",
};
static gint dangling_words_mask;

/* Company suffixes that Reuters wraps onto the next line: "Brown Disc Products Co\nInc". */
static const char *const company_suffixes[] = { "Inc", "Corp", "Co", "Cos", "Ltd", "Plc", "LLC" };
static gint company_suffixes_mask;

static gboolean
is_all_caps_word (const Splitter *sp, guint k)
{
  return sp->t[k].kind == DP_TOKEN_WORD && tok_len (sp, k) >= 2 && sp->t[k].end <= sp->len
         && all_ascii_upper (sp->s + sp->t[k].start, tok_len (sp, k));
}

/* "SEOUL (Reuters) -", "NEW YORK, March 2 -", "BRUSSELS 1996-08-22": up to
 * three words in capitals, then a bracket, comma, dash or number. */
static gboolean
is_dateline (const Splitter *sp, guint k)
{
  for (guint j = k; j < sp->n && j < k + 4; j++)
    {
      if (j > k && sp->t[j].kind == DP_TOKEN_NUMBER)
        return TRUE;   /* "BRUSSELS 1996-08-22" */
      if (j > k && sp->t[j].kind == DP_TOKEN_PUNCT)
        {
          gunichar c = first_char (sp, j);

          return c == '(' || c == ',' || c == '-' || c == 0x2013 || c == 0x2014;
        }
      if (!is_all_caps_word (sp, j) || tok_len (sp, j) < 3)
        return FALSE;
    }
  return FALSE;
}

/* A short line without punctuation: "Oil prices rise". */
static gboolean
short_plain_line (const Splitter *sp, guint start, guint k, gsize max_bytes)
{
  if (k - start > 8 || sp->t[k - 1].end - sp->t[start].start > max_bytes)
    return FALSE;
  for (guint j = start; j < k; j++)
    if (sp->t[j].kind == DP_TOKEN_PUNCT)
      return FALSE;
  return TRUE;
}

static gboolean
has_number (const Splitter *sp, guint start, guint end)
{
  for (guint j = start; j < end; j++)
    if (sp->t[j].kind == DP_TOKEN_NUMBER)
      return TRUE;
  return FALSE;
}

/* Bytes from token @k to the end of its line (capped: only "short" matters). */
static gsize
line_length_from (const Splitter *sp, guint k)
{
  guint j = k + 1;

  while (j < sp->n && j < k + 25 && !(sp->t[j].flags & DP_TOKEN_FLAG_NEWLINE_BEFORE))
    j++;
  return sp->t[j - 1].end - sp->t[k].start;
}

/* "By Amara Okafor": a byline opening a line. */
static gboolean
is_byline (const Splitter *sp, guint k)
{
  return k + 1 < sp->n && (tok_is (sp, k, "By") || tok_is (sp, k, "BY"))
         && sp->t[k + 1].kind == DP_TOKEN_WORD && !(sp->t[k + 1].flags & DP_TOKEN_FLAG_NEWLINE_BEFORE)
         && g_unichar_isupper (first_char (sp, k + 1));
}

/* A list item opening a line: a bullet, a dash or a short number with "." or
 * ")" ("1. ", "2) "), then a space. */
static gboolean
is_list_item (const Splitter *sp, guint k)
{
  gunichar c = first_char (sp, k);
  guint after = k + 1;

  if (after >= sp->n || !(sp->t[after].flags & DP_TOKEN_FLAG_SPACE_BEFORE)
      || (sp->t[after].flags & DP_TOKEN_FLAG_NEWLINE_BEFORE))
    {
      /* "1." and "2)" are two tokens: the space comes after the second */
      if (sp->t[k].kind != DP_TOKEN_NUMBER || tok_len (sp, k) > 2 || after + 1 >= sp->n
          || (sp->t[after].flags & DP_TOKEN_FLAG_SPACE_BEFORE)
          || !(tok_is (sp, after, ".") || tok_is (sp, after, ")"))
          || !(sp->t[after + 1].flags & DP_TOKEN_FLAG_SPACE_BEFORE)
          || (sp->t[after + 1].flags & DP_TOKEN_FLAG_NEWLINE_BEFORE))
        return FALSE;
      return TRUE;
    }
  if (tok_len (sp, k) > 3)
    return FALSE;
  return c == '*' || c == '-' || c == 0x2022 || c == 0x00b7 || c == 0x25aa || c == 0x2023
         || c == 0x25e6 || c == 0x2013 || c == 0x2014;
}

/* A list item opened by a dash, which wrapped prose also breaks before
 * ("the loan\n-- still calling"): it needs a list around it. */
static gboolean
is_dash_item (const Splitter *sp, guint k)
{
  gunichar c = first_char (sp, k);

  return c == '-' || c == 0x2013 || c == 0x2014;
}

/* Bytes of the line that starts at token @k, counted up to @max + 1 (only
 * "longer than max" matters).  Each line is measured once, from its start,
 * so the splitter stays linear. */
static gsize
line_reaches (const Splitter *sp, guint k, gsize max)
{
  guint j = k + 1;

  while (j < sp->n && !(sp->t[j].flags & DP_TOKEN_FLAG_NEWLINE_BEFORE))
    {
      if (sp->t[j].end - sp->t[k].start > max)
        return sp->t[j].end - sp->t[k].start;
      j++;
    }
  return sp->t[j - 1].end - sp->t[k].start;
}

/* A line break before @k ends a heading when the line it ends (@start on)
 * has no terminal punctuation, does not end like a wrapped line
 * ("of the", "Co\nInc"), the next line starts with a capital, and either
 *  - the line is in capitals: "BAHIA COCOA REVIEW", table rows; or
 *  - this line and the next are both short and plain, and this one has a
 *    number or at most three words, as in the rows of Reuters' earnings
 *    tables ("Shr 29 cts vs 22 cts\nNet 1,975,000 vs…", "Nine mths\nShr…"),
 *    while wrapped prose has long lines; or
 *  - the line is in title case or short and plain ("Oil prices rise"), and
 *    the next line opens with a common sentence starter ("The") or a
 *    dateline in capitals ("SEOUL").
 * The last condition is strict on purpose: Reuters wraps at ~65 columns and
 * its first body line is often a short run of capitalised names ("Treasury
 * Secretary James\nBaker said"), which must not split. */
static gboolean
heading_break (const Splitter *sp, guint start, guint k, const LineShape *shape)
{
  guint prev = k - 1;

  if (k - start > 25)
    return FALSE;
  if (sp->t[prev].kind == DP_TOKEN_PUNCT && !is_closer (sp, prev))
    return FALSE;
  if (!can_start_sentence (sp, k) || sp->t[k].kind == DP_TOKEN_PUNCT)
    return FALSE;
  if (tok_in (sp, prev, dangling_words, G_N_ELEMENTS (dangling_words), &dangling_words_mask)
      || tok_in (sp, k, company_suffixes, G_N_ELEMENTS (company_suffixes), &company_suffixes_mask))
    return FALSE;
  if (!shape->has_lower)
    return TRUE;
  if (short_plain_line (sp, start, k, 40) && line_length_from (sp, k) <= 40
      && (k - start <= 3 || has_number (sp, start, k)))
    return TRUE;
  /* a lone "A" is as likely a middle initial: "Mark\nA Cote" */
  if (!(is_sentence_starter (sp, k) && tok_len (sp, k) >= 2) && !is_dateline (sp, k))
    return FALSE;
  return shape->title || short_plain_line (sp, start, k, 50);
}

/* The line that ends at a break. */
typedef struct {
  guint first;         /* its first token */
} LineInfo;

/* The shape of the line from token @first to @end.  Only breaks that get
 * this far in line_break_ends ask, once per line: most breaks of wrapped
 * prose are settled before, and the cost stays linear. */
static LineShape
line_shape_of (const Splitter *sp, guint first, guint end)
{
  LineShape shape = { TRUE, FALSE, FALSE, FALSE };

  for (guint j = first; j < end; j++)
    line_shape_add (&shape, sp, j);
  return shape;
}

/* Blanks before token @k on its line: the indentation of a line it opens. */
static gsize
indent_of (const guchar *s, const DpToken *t, guint k)
{
  gsize i = t[k].start, from = k > 0 ? t[k - 1].end : 0;

  while (i > from && (s[i - 1] == ' ' || s[i - 1] == '\t'))
    i--;
  return t[k].start - i;
}

#define WIDTH_CAP 1023
/* Longer than any hard wrap: a line this long is a paragraph of its own. */
#define PARAGRAPH_LINE 110

/* The text's wrap width, if it is wrapped: the length (bytes from the
 * line's start to its last token) that four in five of the lines running on
 * into the next one do not exceed.  A percentile, not the longest line: one
 * overlong line (two words run together) must not make every wrapped line
 * look short.  A histogram keeps it linear.  Text with a line longer than
 * any wrap (PARAGRAPH_LINE) is not wrapped at all: WIDTH_CAP, and the first
 * such line ends the count. */
static gsize
wrap_width (const guchar *s, const DpToken *t, guint n)
{
  guint32 counts[PARAGRAPH_LINE + 1] = { 0 };
  guint first = 0, lines = 0;
  gsize widest = 0;

  for (guint k = 1; k < n; k++)
    if ((t[k].flags & DP_TOKEN_FLAG_NEWLINE_BEFORE))
      {
        if (!(t[k].flags & DP_TOKEN_FLAG_PARAGRAPH_BEFORE))
          {
            gsize w = (gsize) (t[k - 1].end - t[first].start) + indent_of (s, t, first);

            /* Lines longer than any wrap: not wrapped, every short line is a choice. */
            if (w > PARAGRAPH_LINE)
              return WIDTH_CAP;
            counts[w]++;
            widest = MAX (widest, w);
            lines++;
          }
        first = k;
      }
  if (lines == 0)
    return 0;
  guint seen = 0;
  for (gsize w = 0; w <= widest; w++)
    if ((seen += counts[w]) * 5 >= lines * 4)
      return w;
  return WIDTH_CAP;
}

/* Does the line ending before @k fill the text's wrap width (all but a
 * fifth of it)?  A line of capitals that does may be wrapped telex. */
static gboolean
fills_width (const Splitter *sp, guint k, const LineInfo *line)
{
  gsize used = indent_of (sp->s, sp->t, line->first) + sp->t[k - 1].end - sp->t[line->first].start;

  return sp->widest > 0 && sp->widest < WIDTH_CAP && used * 5 >= sp->widest * 4;
}

/* Was the line that ends before @k broken by choice rather than wrapped?
 * Wrapping breaks a line only when the next word does not fit, so a line
 * that had room for it, well within the text's wrap width, ended there on
 * purpose: a table row, a list, a line of a post or a poem.  The first line
 * of a paragraph (after a blank line, or indented) is left out: Reuters
 * cuts the dateline from it and wraps the rest ("Treasury Secretary
 * James\nBaker said"), and indents it ("    Ecuador has also appealed for
 * emergency\naid"). */
static gboolean
leaves_room (const Splitter *sp, guint k, const LineInfo *line)
{
  gsize indent = indent_of (sp->s, sp->t, line->first);
  gsize used = indent + sp->t[k - 1].end - sp->t[line->first].start + 1 + tok_len (sp, k);
  guint32 f = sp->t[line->first].flags;

  /* an indented line opens a paragraph too */
  if (line->first == 0 || (f & DP_TOKEN_FLAG_PARAGRAPH_BEFORE) || !(f & DP_TOKEN_FLAG_NEWLINE_BEFORE)
      || indent >= 2)
    return FALSE;
  return used * 5 < sp->widest * 4;
}

/* Does the line break before @k end the sentence that began at @start?  A
 * hard wrap does not: it breaks a line of a paragraph mid-sentence, after a
 * word ("of", "the") or punctuation that carries on, before a lower-case
 * word.  Otherwise the break ends a unit when the next line opens a list
 * item, a dateline or a byline, when the line is a byline, or in capitals
 * ("BRUSSELS 1996-08-22"), when one of the two lines is longer than any wrap
 * (lines are paragraphs here: "Middle East\nOfficially, …"), or when the line
 * is a heading (heading_break). */
static gboolean
line_break_ends (const Splitter *sp, guint start, guint k, const LineInfo *line)
{
  guint prev = k - 1;
  LineShape shape;

  if (is_list_item (sp, k) && !tok_in (sp, prev, dangling_words, G_N_ELEMENTS (dangling_words), &dangling_words_mask)
      && (!is_dash_item (sp, k) || tok_is (sp, prev, ":") || is_list_item (sp, line->first)
          || leaves_room (sp, k, line)))
    return TRUE;   /* after a colon too: "three parts:\n- Lower tariffs" */
  if (sp->t[prev].kind == DP_TOKEN_PUNCT && !is_closer (sp, prev) && !is_terminal (sp, prev))
    return FALSE;
  if (tok_in (sp, prev, dangling_words, G_N_ELEMENTS (dangling_words), &dangling_words_mask)
      || tok_in (sp, k, company_suffixes, G_N_ELEMENTS (company_suffixes), &company_suffixes_mask))
    return FALSE;
  if (leaves_room (sp, k, line))
    return TRUE;
  if (!can_start_sentence (sp, k) || sp->t[k].kind == DP_TOKEN_PUNCT)
    return FALSE;
  shape = line_shape_of (sp, line->first, k);
  if (heading_break (sp, line->first, k, &shape))
    return TRUE;
  if (is_dateline (sp, k) || is_byline (sp, k) || (is_byline (sp, line->first) && !is_terminal (sp, prev))
      || (start >= line->first && is_dateline (sp, start)))
    return TRUE;
  if (shape.has_word && !shape.has_lower && !fills_width (sp, k, line))
    return TRUE;
  /* A heading between paragraphs: "Talks Focus on Refineries and Tankers".
   * Its small words in lower case tell it from a wrapped run of names
   * ("Treasury Secretary James\nBaker said"). */
  if (start >= line->first && shape.title && shape.small_words && k - line->first >= 4)
    return TRUE;
  return sp->t[prev].end - sp->t[line->first].start > PARAGRAPH_LINE
         || line_reaches (sp, k, PARAGRAPH_LINE) > PARAGRAPH_LINE;
}

static void
add_sentence (const Splitter *sp, GArray *out, guint first, guint end)
{
  DpSentence sent;

  sent.start = sp->t[first].start;
  sent.end = sp->t[end - 1].end;
  sent.first_token = first;
  sent.n_tokens = end - first;
  g_array_append_val (out, sent);
}

void
dp_split_sentences (const char *text, gsize len,
                    const DpToken *tokens, guint n_tokens,
                    GArray *sentences)
{
  Splitter sp = { (const guchar *) text, len, tokens, n_tokens, 0 };
  guint start = 0, quote_end = 0, k;
  LineInfo line = { 0 };

  g_return_if_fail (sentences != NULL);
  g_return_if_fail (tokens != NULL || n_tokens == 0);
  g_return_if_fail (text != NULL || len == 0);
  sp.widest = wrap_width (sp.s, tokens, n_tokens);

  for (k = 0; k < n_tokens; k++)
    {
      guint16 flags = tokens[k].flags;

      if (k > start && ((flags & DP_TOKEN_FLAG_PARAGRAPH_BEFORE)
                        || ((flags & DP_TOKEN_FLAG_NEWLINE_BEFORE)
                            && line_break_ends (&sp, start, k, &line))))
        {
          add_sentence (&sp, sentences, start, k);
          start = k;
        }
      /* Headings are told by their line, whatever sentence the line
       * continues: a table row after an unsplit one is still a row. */
      if (k == 0 || (flags & DP_TOKEN_FLAG_NEWLINE_BEFORE))
        line.first = k;

      if (k >= quote_end && is_opening_double (&sp, k))
        quote_end = continued_quote_end (&sp, k);

      gboolean abbrev = is_abbrev_token (&sp, k);
      if (!abbrev && !is_terminal (&sp, k))
        continue;
      /* the period of a numbered list item, "1. First item" */
      if (k > 0 && (k - 1 == 0 || (tokens[k - 1].flags & DP_TOKEN_FLAG_NEWLINE_BEFORE))
          && tokens[k - 1].kind == DP_TOKEN_NUMBER && is_list_item (&sp, k - 1))
        continue;

      guint next = k + 1;
      while (next < n_tokens && !(tokens[next].flags & DP_TOKEN_FLAG_PARAGRAPH_BEFORE)
             && (is_terminal (&sp, next) || is_closer (&sp, next)))
        {
          if (is_terminal (&sp, next))
            abbrev = FALSE;  /* "U.S.?" ends like any question */
          next++;
        }
      if (next < n_tokens && k >= quote_end
          && !(tokens[next].flags & DP_TOKEN_FLAG_PARAGRAPH_BEFORE))
        {
          gboolean split;

          if (abbrev)
            split = is_sentence_starter (&sp, next) || (tokens[next].kind == DP_TOKEN_QUOTE);
          else
            split = can_start_sentence (&sp, next);
          if (split)
            {
              add_sentence (&sp, sentences, start, next);
              start = next;
            }
        }
      k = next - 1;
    }
  if (start < n_tokens)
    add_sentence (&sp, sentences, start, n_tokens);
}

const char *
dp_token_kind_to_string (DpTokenKind kind)
{
  switch (kind)
    {
    case DP_TOKEN_WORD: return "word";
    case DP_TOKEN_NUMBER: return "number";
    case DP_TOKEN_PUNCT: return "punct";
    case DP_TOKEN_QUOTE: return "quote";
    case DP_TOKEN_SYMBOL: return "symbol";
    case DP_TOKEN_URL: return "url";
    case DP_TOKEN_EMAIL: return "email";
    default: return "unknown";
    }
}
