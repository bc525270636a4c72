/* normalize.c — clean, canonical text whose every offset maps back to the original.
 *
 * Passes, each a DpTextBuilder rewrite of the record's text (the record
 * composes their alignments, so spans found later map to the text as read):
 *
 *   1. characters: line endings, spaces, invisible and control characters,
 *      HTML entities, optional punctuation folding; then, only if some
 *      character needs it, Unicode NFC/NFKC;
 *   2. lines: page furniture dropped, paragraphs separated by one blank line,
 *      runs of spaces collapsed, hard-wrapped paragraphs re-flowed, words
 *      hyphenated across a line break joined.
 *
 * Both passes copy plain ASCII in runs and only look closer at the rest, which
 * keeps news text (almost all ASCII) well above 100 MB/s.  Every rule is
 * idempotent: normalized text comes out unchanged.
 */
#include "normalize.h"

#include <stdlib.h>
#include <string.h>

void
dp_normalize_options_init (DpNormalizeOptions *opts)
{
  memset (opts, 0, sizeof *opts);
  opts->html_entities = TRUE;
  opts->reflow = DP_REFLOW_AUTO;
  opts->join_hyphens = TRUE;
  opts->drop_furniture = TRUE;
}

/* ---- pass 1: characters ---------------------------------------------------- */

/* Bytes copied as they are: printable ASCII, tab and newline ('&' is separate
 * because it may start an entity). */
static gboolean plain[256];

static void
init_plain (void)
{
  static gsize once = 0;
  if (g_once_init_enter (&once))
    {
      for (int c = 0x20; c < 0x7F; c++)
        plain[c] = TRUE;
      plain['\t'] = plain['\n'] = TRUE;
      plain['&'] = FALSE;
      g_once_init_leave (&once, 1);
    }
}

/* What a character becomes before Unicode normalization: NULL = keep (and
 * normalize), "" = drop. */
static const char *
char_rule (gunichar c, gboolean fold)
{
  switch (c)
    {
    case 0xFEFF: case 0x200B: case 0x2060: case 0x180E: case 0x00AD:
      return "";                                   /* BOM, zero-width space, word joiner, soft hyphen */
    case 0x00A0: case 0x1680: case 0x202F: case 0x205F: case 0x3000:
      return " ";
    case 0x2028: case 0x0085:
      return "\n";
    case 0x2029:
      return "\n\n";
    }
  if (c >= 0x2000 && c <= 0x200A)
    return " ";
  if (c >= 0x80 && c < 0xA0)
    return "";                                     /* C1 controls */
  if (!fold)
    return NULL;
  switch (c)
    {
    case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2039: case 0x203A: case 0x2032:
      return "'";
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x00AB: case 0x00BB: case 0x2033:
      return "\"";
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015: case 0x2212:
    case 0xFE58: case 0xFE63: case 0xFF0D:
      return "-";
    case 0x2026:
      return "...";
    }
  return NULL;
}

/* Characters that NFC leaves alone when no combining mark follows: Latin,
 * general punctuation, currency.  Everything else goes through g_utf8_normalize. */
static gboolean
nfc_stable (gunichar c)
{
  return c < 0x0300 || (c >= 0x2010 && c <= 0x205E) || (c >= 0x20A0 && c <= 0x20C0);
}

/* The scripts where two base characters can compose (Indic and South-East
 * Asian vowel signs, Hangul jamo and syllables, the Brahmic scripts of the
 * supplementary plane). */
static gboolean
in_composing_script (gunichar c)
{
  return (c >= 0x0900 && c < 0x10A0) || (c >= 0x1100 && c < 0x1200) || (c >= 0x1B00 && c < 0x1B80)
         || (c >= 0xA960 && c < 0xA980) || (c >= 0xAC00 && c < 0xD800) || (c >= 0x11000 && c < 0x12000);
}

/* The base characters of those scripts that compose with the character
 * before them (the second half of a canonical pair: a Bengali AU length mark,
 * a Hangul vowel or final jamo). */
#define COMPOSING_END 0x12000
static guint8 joins_previous[COMPOSING_END / 8];

static void
init_joins_previous (void)
{
  static gsize once = 0;
  if (g_once_init_enter (&once))
    {
      for (gunichar c = 0x0900; c < COMPOSING_END; c++)
        {
          gunichar a, b;
          if (in_composing_script (c) && g_unichar_decompose (c, &a, &b) && b
              && g_unichar_combining_class (b) == 0 && b < COMPOSING_END)
            joins_previous[b / 8] |= (guint8) (1u << (b % 8));
        }
      g_once_init_leave (&once, 1);
    }
}

/* Whether normalization never combines @c with what precedes it: its
 * decomposition (canonical, or with @compat the compatibility one) starts
 * with a base character that is not the second half of any composition.
 * Text can be cut there and each piece normalized alone, with the same
 * result: pieces stay small (spans map to their own characters, and GLib's
 * composition, which moves the rest of its buffer for every pair it
 * composes, stays cheap).  Not so before U+0F73, which decomposes into two
 * marks, or under NFKC before the half-width voiced sound mark, which
 * becomes one. */
static gboolean
starts_segment (gunichar c, gboolean compat)
{
  if (c < 0x0300)
    return TRUE;
  gunichar d[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
  gsize n = g_unichar_fully_decompose (c, compat, d, G_N_ELEMENTS (d));
  gunichar first = n ? d[0] : c;
  if (g_unichar_combining_class (first) != 0)
    return FALSE;
  return !in_composing_script (first) || !(joins_previous[first / 8] & (1u << (first % 8)));
}

static gboolean
is_joiner_kept (gunichar prev)
{
  /* ZWJ/ZWNJ shape Arabic, Persian and Indic script and build emoji sequences;
   * between Latin letters they are debris. */
  GUnicodeScript script = g_unichar_get_script (prev);
  return (script != G_UNICODE_SCRIPT_LATIN && script != G_UNICODE_SCRIPT_COMMON
          && script != G_UNICODE_SCRIPT_INHERITED && script != G_UNICODE_SCRIPT_UNKNOWN)
         || g_unichar_type (prev) == G_UNICODE_OTHER_SYMBOL;
}

typedef struct {
  DpTextBuilder *b;
  const char *src;
  gsize len;
  const DpNormalizeOptions *opts;
  gboolean rules;     /* apply the character rules */
  gboolean entities;  /* decode HTML entities */
  gboolean normalize; /* apply Unicode normalization */
  gsize run;          /* start of the characters not yet emitted */
  gboolean stable;    /* whether they are all unchanged by normalization */
  gsize unstable;     /* if not: where the part that may change starts */
  gsize last_base;    /* the last character with combining class 0 */
} Chars;

/* Normalization can produce characters that have a rule (NFKC turns U+2034
 * into three U+2032 primes, which folding makes apostrophes): apply the rules
 * to its output too, or a second run would change the text again. */
static char *
apply_rules (char *norm, gboolean fold)
{
  if (!norm)
    return NULL;
  GString *out = NULL;
  for (const char *p = norm; *p; p = g_utf8_next_char (p))
    {
      const char *rule = (guchar) *p >= 0x80 ? char_rule (g_utf8_get_char (p), fold) : NULL;
      if (rule && !out)
        out = g_string_new_len (norm, p - norm);
      if (out)
        g_string_append_len (out, rule ? rule : p, rule ? -1 : (gssize) (g_utf8_next_char (p) - p));
    }
  if (!out)
    return norm;
  g_free (norm);
  return g_string_free (out, FALSE);
}

/* Pieces longer than this have their combining marks put in canonical order
 * before g_utf8_normalize sees them. */
#define PRESORT_MIN_BYTES 256

static int
compare_marks (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return x < y ? -1 : x > y;
}

/* Sorts @n combining marks by class, keeping the order of equal classes. */
static void
sort_marks (gunichar *marks, gsize n)
{
  g_autofree guint64 *keys = g_new (guint64, n);
  for (gsize k = 0; k < n; k++)
    keys[k] = ((guint64) g_unichar_combining_class (marks[k]) << 56) | ((guint64) k << 21) | marks[k];
  qsort (keys, n, sizeof *keys, compare_marks);
  for (gsize k = 0; k < n; k++)
    marks[k] = (gunichar) (keys[k] & 0x1FFFFF);
}

/* g_utf8_normalize, for pieces of any length.  GLib puts combining marks in
 * canonical order with a bubble sort, quadratic in a long run of marks of
 * mixed classes (one base letter and a megabyte of accents): a long piece is
 * decomposed and its marks sorted here first, so GLib finds them in order. */
static char *
normalize_piece (const char *s, gsize n, GNormalizeMode mode)
{
  if (n < PRESORT_MIN_BYTES)
    return g_utf8_normalize (s, (gssize) n, mode);
  gboolean compat = mode == G_NORMALIZE_NFKC;
  g_autoptr (GArray) chars = g_array_sized_new (FALSE, FALSE, sizeof (gunichar), n);
  for (const char *p = s, *end = s + n; p < end; p = g_utf8_next_char (p))
    {
      gunichar d[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
      gsize m = g_unichar_fully_decompose (g_utf8_get_char (p), compat, d, G_N_ELEMENTS (d));
      g_array_append_vals (chars, d, (guint) m);
    }
  gunichar *u = (gunichar *) chars->data;
  for (gsize k = 0; k < chars->len;)
    {
      gsize run = k;
      while (run < chars->len && g_unichar_combining_class (u[run]) != 0)
        run++;
      if (run - k > 1)
        sort_marks (u + k, run - k);
      k = run > k ? run : k + 1;
    }
  g_autofree char *sorted = g_ucs4_to_utf8 (u, chars->len, NULL, NULL, NULL);
  return sorted ? g_utf8_normalize (sorted, -1, mode) : NULL;
}

/* Emits the pending characters [run, end): unchanged ones as a copy (so that
 * offsets inside them map exactly), the rest through g_utf8_normalize. */
static void
flush_run (Chars *c, gsize end)
{
  if (end <= c->run)
    return;
  if (!c->stable)
    {
      dp_text_builder_copy (c->b, c->run, c->unstable - c->run);
      GNormalizeMode mode = c->opts->nfkc ? G_NORMALIZE_NFKC : G_NORMALIZE_NFC;
      gsize n = end - c->unstable;
      g_autofree char *norm = apply_rules (normalize_piece (c->src + c->unstable, n, mode),
                                           c->opts->fold_punctuation);
      if (norm && (strlen (norm) != n || memcmp (norm, c->src + c->unstable, n) != 0))
        dp_text_builder_replace (c->b, c->unstable, n, norm, -1);
      else
        dp_text_builder_copy (c->b, c->unstable, n);
    }
  else
    dp_text_builder_copy (c->b, c->run, end - c->run);
  c->run = end;
  c->stable = TRUE;
}

/* Notes a character that normalization may change: from the base character
 * it may combine with (NFC composes within a sequence starting at a base). */
static void
mark_unstable (Chars *c, gsize at, gunichar ch)
{
  if (!c->stable)
    return;
  c->stable = FALSE;
  c->unstable = g_unichar_combining_class (ch) != 0 ? MAX (c->last_base, c->run) : at;
}

static const struct { const char *name; const char *text; } entities[] = {
  { "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" },
  { "nbsp", " " }, { "ndash", "\xe2\x80\x93" }, { "mdash", "\xe2\x80\x94" },
  { "lsquo", "\xe2\x80\x98" }, { "rsquo", "\xe2\x80\x99" }, { "ldquo", "\xe2\x80\x9c" },
  { "rdquo", "\xe2\x80\x9d" }, { "laquo", "\xc2\xab" }, { "raquo", "\xc2\xbb" },
  { "hellip", "\xe2\x80\xa6" }, { "shy", "" }, { "copy", "\xc2\xa9" }, { "reg", "\xc2\xae" },
  { "trade", "\xe2\x84\xa2" }, { "euro", "\xe2\x82\xac" }, { "pound", "\xc2\xa3" },
  { "yen", "\xc2\xa5" }, { "cent", "\xc2\xa2" }, { "deg", "\xc2\xb0" }, { "middot", "\xc2\xb7" },
  { "bull", "\xe2\x80\xa2" }, { "eacute", "\xc3\xa9" }, { "egrave", "\xc3\xa8" },
  { "aacute", "\xc3\xa1" }, { "oacute", "\xc3\xb3" }, { "uuml", "\xc3\xbc" }, { "ouml", "\xc3\xb6" },
  { "auml", "\xc3\xa4" }, { "ccedil", "\xc3\xa7" }, { "ntilde", "\xc3\xb1" }, { "szlig", "\xc3\x9f" },
};

/* Decodes the entity at src[i] ('&'): its length, and its text in @buf; 0 if none. */
static gsize
entity_at (const char *src, gsize len, gsize i, char buf[8])
{
  gsize end = i + 1;
  while (end < len && end - i < 12 && (g_ascii_isalnum (src[end]) || src[end] == '#'))
    end++;
  if (end >= len || src[end] != ';' || end == i + 1)
    return 0;
  const char *name = src + i + 1;
  gsize n = end - i - 1;
  if (name[0] == '#')
    {
      gboolean hex = n > 1 && (name[1] == 'x' || name[1] == 'X');
      g_autofree char *digits = g_strndup (name + 1 + hex, n - 1 - hex);
      char *stop;
      guint64 v = *digits ? g_ascii_strtoull (digits, &stop, hex ? 16 : 10) : 0;
      if (!*digits || *stop || v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
      buf[g_unichar_to_utf8 ((gunichar) v, buf)] = '\0';
      return end - i + 1;
    }
  for (guint k = 0; k < G_N_ELEMENTS (entities); k++)
    if (strlen (entities[k].name) == n && memcmp (entities[k].name, name, n) == 0)
      {
        strcpy (buf, entities[k].text);
        return end - i + 1;
      }
  return 0;
}

/* "&amp;lt;" is "<" escaped twice: decode every level at once, or a second run
 * would decode the next one.  @buf holds what the entity before @at decoded
 * to; returns how many more bytes the decoding took. */
static gsize
escaped_ampersands (const char *src, gsize len, gsize at, char buf[8])
{
  gsize extra = 0;
  while (strcmp (buf, "&") == 0 && at + extra < len)
    {
      char tmp[16] = "&";
      gsize n = MIN (len - at - extra, sizeof tmp - 2);
      memcpy (tmp + 1, src + at + extra, n);
      gsize m = entity_at (tmp, n + 1, 0, buf);
      if (!m)
        {
          strcpy (buf, "&");
          break;
        }
      extra += m - 1;
    }
  return extra;
}

/* A replacement; a decoded entity may itself be a character with a rule. */
static void
emit (Chars *c, gsize at, gsize src_len, const char *text)
{
  flush_run (c, at);
  dp_text_builder_replace (c->b, at, src_len, text, -1);
  c->run = at + src_len;
}

static void
pass_characters (Chars *c)
{
  const guchar *s = (const guchar *) c->src;
  gsize i = 0;
  gunichar prev = 0;
  c->run = c->last_base = 0;
  c->stable = TRUE;
  while (i < c->len)
    {
      if (plain[s[i]])
        {
          /* Nothing composes with a preceding character into ASCII: a safe point
           * to end a stretch that needs normalizing. */
          if (!c->stable)
            flush_run (c, i);
          gsize j = i + 1;
          while (j < c->len && plain[s[j]])
            j++;
          c->last_base = j - 1;
          prev = s[j - 1];
          i = j;
          continue;
        }
      if (s[i] == '\r')
        {
          gsize n = (i + 1 < c->len && s[i + 1] == '\n') ? 2 : 1;
          emit (c, i, n, "\n");
          i += n;
          prev = '\n';
          continue;
        }
      if (s[i] == '&')
        {
          char buf[8];
          gsize n = c->entities ? entity_at (c->src, c->len, i, buf) : 0;
          if (n)
            n += escaped_ampersands (c->src, c->len, i + n, buf);
          if (!n)
            {
              if (!c->stable)
                flush_run (c, i);
              c->last_base = i;
              prev = s[i++];
              continue;
            }
          gunichar e = g_utf8_get_char (buf);
          const char *rule = *buf ? char_rule (e, c->opts->fold_punctuation) : NULL;
          if (e == '\r')
            rule = "\n";
          else if ((e < 0x20 && e != '\t' && e != '\n') || e == 0x7F)
            rule = "";   /* an escaped control character goes like a raw one */
          const char *text = rule ? rule : buf;
          emit (c, i, n, text);
          i += n;
          if (*text)
            prev = g_utf8_get_char (g_utf8_prev_char (text + strlen (text)));
          continue;
        }
      if (s[i] < 0x80)
        {
          emit (c, i, 1, "");        /* C0 control or DEL */
          i++;
          continue;
        }
      gunichar ch = g_utf8_get_char (c->src + i);
      gsize n = (gsize) (g_utf8_next_char (c->src + i) - (c->src + i));
      const char *rule = c->rules ? char_rule (ch, c->opts->fold_punctuation) : NULL;
      if (c->rules && !rule && (ch == 0x200C || ch == 0x200D) && !is_joiner_kept (prev))
        rule = "";
      if (rule)
        {
          emit (c, i, n, rule);
          if (*rule)   /* what now precedes the next character */
            prev = (guchar) rule[strlen (rule) - 1];
          /* A soft hyphen ending a line joins the word across it. */
          if (ch == 0x00AD && i + n < c->len && s[i + n] == '\n')
            emit (c, i + n, 1, "");
          i += n;
          continue;
        }
      /* Keep each changed piece as small as possible, so spans inside a stretch
       * of non-ASCII text still map to their own characters. */
      if (!c->stable && starts_segment (ch, c->opts->nfkc))
        flush_run (c, i);
      if (c->normalize && (c->opts->nfkc || !nfc_stable (ch) || g_unichar_combining_class (ch) != 0))
        mark_unstable (c, i, ch);
      if (g_unichar_combining_class (ch) == 0)
        c->last_base = i;
      prev = ch;
      i += n;
    }
  flush_run (c, c->len);
}

/* Whether any character may change under normalization (most news text:
 * none, and the second pass is skipped). */
static gboolean
needs_normalization (const char *t, gsize len, const DpNormalizeOptions *opts)
{
  for (const char *p = t, *end = t + len; p < end; p++)
    if ((guchar) *p >= 0x80)
      {
        gunichar ch = g_utf8_get_char (p);
        if (opts->nfkc || !nfc_stable (ch) || g_unichar_combining_class (ch) != 0)
          return TRUE;
        p = g_utf8_next_char (p) - 1;
      }
  return FALSE;
}

/* ---- pass 2: lines --------------------------------------------------------- */

/* A line with content.  Blank lines are not kept, only whether some came
 * before a line: text of nothing but newlines needs no memory, and offsets
 * are 32-bit (records are smaller than 4 GB), so the lines of a text take at
 * most 12 times its size (text of one letter per line). */
typedef struct {
  guint32 end;              /* where its newline (or the text) is */
  guint32 cstart, cend;     /* its content, without surrounding blanks */
  guint32 indent;           /* leading blanks */
  guint32 measure;          /* content length once blank runs are collapsed */
  guint8 blank_before;      /* a blank line comes between it and the line before */
  guint8 dropped;
  guint8 after_dropped;     /* dropped lines come between it and the line before */
} Line;

static inline gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

static GArray *
split_lines (const char *t, gsize len)
{
  GArray *lines = g_array_new (FALSE, TRUE, sizeof (Line));
  gsize start = 0;
  gboolean blank_before = FALSE;
  while (start <= len)
    {
      const char *nl = memchr (t + start, '\n', len - start);
      gsize end = nl ? (gsize) (nl - t) : len;
      Line l = { (guint32) end, (guint32) start, (guint32) end };
      while (l.cstart < end && (t[l.cstart] == ' ' || t[l.cstart] == '\t'))
        l.cstart++, l.indent++;
      while (l.cend > l.cstart && (t[l.cend - 1] == ' ' || t[l.cend - 1] == '\t'))
        l.cend--;
      l.measure = l.cend - l.cstart;
      for (gsize i = l.cstart; i < l.cend; i++)
        l.measure -= is_blank (t[i]) && is_blank (t[i - 1]);
      if (l.cstart == l.cend)
        blank_before = lines->len > 0;
      else
        {
          l.blank_before = (guint8) blank_before;
          blank_before = FALSE;
          g_array_append_val (lines, l);
        }
      if (!nl)
        break;
      start = end + 1;
    }
  return lines;
}

/* Built-in page furniture: navigation, sharing and merchandise lines that web
 * pages put around articles.  Whole-line matches only. */
static const char *const furniture_patterns[] = {
  "^(Font Size|Text Size|Print|Email|E-mail|Share|Tweet|Share this( article| story)?|Comments?|Advertisement|ADVERTISEMENT|Sponsored|Subscribe|Sign up|Log in|Skip to (main )?content|Back to top|Read more|Continue reading|Click here.*|mrc merch|Share on (Facebook|Twitter|WhatsApp|LinkedIn).*)$",
  "^Source\\s*(»|:|>)\\s*\\S.*$",
  "^(Related( articles| stories| coverage)?|See also|Read also|Also read|More on this story|Most read|Recommended)\\s*:?$",
  "^\\(?(Photo|Image|Video)( credit)?:\\s*[^.]{0,60}\\)?$",
  "^(©|Copyright|\\(c\\)) .{0,120}$",
};

/* The first words furniture lines start with: most lines are ruled out by a
 * lookup instead of five regular-expression matches. */
static const char *const furniture_starts[] = {
  "Font", "Text", "Print", "Email", "E-mail", "Share", "Tweet", "Comment", "Comments", "Advertisement",
  "ADVERTISEMENT", "Sponsored", "Subscribe", "Sign", "Log", "Skip", "Back", "Read", "Continue", "Click",
  "mrc", "Source", "Related", "See", "Also", "More", "Most", "Recommended", "(Photo", "Photo", "(Image",
  "Image", "(Video", "Video", "\xc2\xa9", "Copyright", "(c)", NULL
};
static GHashTable *furniture_words;

/* Lines after one of these headers that look like linked headlines go too. */
static GRegex *furniture[G_N_ELEMENTS (furniture_patterns)];
static GRegex *link_header;

static void
init_furniture (void)
{
  static gsize once = 0;
  if (g_once_init_enter (&once))
    {
      for (guint i = 0; i < G_N_ELEMENTS (furniture_patterns); i++)
        furniture[i] = g_regex_new (furniture_patterns[i], 0, 0, NULL);   /* no JIT: few lines get here */
      furniture_words = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; furniture_starts[i]; i++)
        g_hash_table_add (furniture_words, (gpointer) furniture_starts[i]);
      link_header = furniture[2];
      g_once_init_leave (&once, 1);
    }
}

static gboolean
may_be_furniture (const char *t, const Line *l)
{
  gsize n = 0;
  while (l->cstart + n < l->cend && n < 16 && !is_blank (t[l->cstart + n]) && t[l->cstart + n] != ':')
    n++;
  char word[17];
  memcpy (word, t + l->cstart, n);
  word[n] = '\0';
  return g_hash_table_contains (furniture_words, word);
}

static gboolean
matches_any (GRegex *const *res, guint n, const char *line)
{
  for (guint i = 0; i < n; i++)
    if (res[i] && g_regex_match (res[i], line, 0, NULL))
      return TRUE;
  return FALSE;
}

/* A short line without a sentence ending: a linked headline in a "See also" block. */
static gboolean
looks_like_headline (const char *t, const Line *l)
{
  gsize n = l->cend - l->cstart;
  char last = t[l->cend - 1];
  return n > 0 && n <= 160 && (last != '.' || (n > 2 && t[l->cend - 2] == '.'));
}

/* A line's content as it will be written (blank runs as one space): patterns
 * see the same line on a second run, which keeps dropping idempotent. */
static char *
collapsed (const char *t, const Line *l)
{
  GString *s = g_string_sized_new (l->cend - l->cstart);
  for (gsize i = l->cstart; i < l->cend; i++)
    if (!is_blank (t[i]))
      g_string_append_c (s, t[i]);
    else if (!is_blank (t[i - 1]))
      g_string_append_c (s, ' ');
  return g_string_free (s, FALSE);
}

/* Marks the lines to drop and lists them in meta "dropped_lines"; sets
 * @dropped to how many.  @near_misses counts lines that were looked at closely
 * but kept: only those (or the user's patterns) can match once joined with the
 * next line.  Fails if a user's pattern runs out of its budget. */
static gboolean
drop_lines (const char *t, GArray *lines, const DpNormalizeOptions *opts, DpRecord *rec,
            guint *dropped, guint *near_misses, GError **error)
{
  guint n = 0;
  *dropped = *near_misses = 0;
  gboolean in_links = FALSE;
  for (guint i = 0; i < lines->len; i++)
    {
      Line *l = &g_array_index (lines, Line, i);
      gboolean candidate = opts->drop_furniture && may_be_furniture (t, l);
      gboolean user_rules = opts->drop_patterns && dp_line_patterns_get_size (opts->drop_patterns) > 0;
      if (!candidate && !user_rules && !in_links)
        continue;
      g_autofree char *content = collapsed (t, l);
      gboolean furn = candidate && matches_any (furniture, G_N_ELEMENTS (furniture), content);
      int user = user_rules ? dp_line_patterns_match (opts->drop_patterns, content, strlen (content), error) : 0;
      if (user < 0)
        return FALSE;
      in_links = (furn && g_regex_match (link_header, content, 0, NULL))
                 || (in_links && looks_like_headline (t, l));
      if (!furn && !user && !in_links)
        {
          (*near_misses)++;
          continue;
        }
      l->dropped = TRUE;
      JsonObject *meta = dp_record_get_meta (rec);
      JsonNode *list = json_object_get_member (meta, "dropped_lines");
      if (!list || !JSON_NODE_HOLDS_ARRAY (list))
        json_object_set_array_member (meta, "dropped_lines", json_array_new ());
      json_array_add_string_element (json_object_get_array_member (meta, "dropped_lines"), content);
      n++;
    }
  *dropped = n;
  return TRUE;
}

/* Hard-wrapped text (the Reuters corpus, e-mail) has many lines that run on into
 * the next one, at a similar, moderate length.  Text with one line per
 * paragraph, or short lines such as tables and addresses, does not.  Once
 * re-flowed, text has no lines running on except after short ones, so it
 * never looks wrapped again: the normalizer stays idempotent. */
#define SHORT_LINE 40
#define LONG_LINE 100

static gboolean
ends_with_hyphenated_word (const char *t, const Line *l)
{
  return l->cend - l->cstart >= 2 && t[l->cend - 1] == '-' && g_ascii_isalpha (t[l->cend - 2]);
}

/* Does @l break off mid-sentence, running on into @next?  It ends in a word
 * split by a hyphen, or in a comma or a word with the next line going on in
 * lower case.  A headline before its byline, a list, code, a poem's lines
 * ending in punctuation or before capitals do not. */
static gboolean
breaks_mid_sentence (const char *t, const Line *l, const Line *next)
{
  if (l->cend == l->cstart || next->cend == next->cstart)
    return FALSE;
  char last = t[l->cend - 1];
  if (ends_with_hyphenated_word (t, l))
    return TRUE;
  return (g_ascii_isalnum (last) || last == ',') && g_ascii_islower (t[next->cstart]);
}

/* Wrapped text is told by its lines, not its size: many lines running on at
 * a moderate length, or, in a short text, every line running on at a
 * moderate length and mid-sentence (one paragraph of three lines). */
static gboolean
is_hard_wrapped (const char *t, const GArray *lines)
{
  guint runs_on = 0, moderate = 0, mid = 0;
  for (guint i = 0; i + 1 < lines->len; i++)
    {
      const Line *l = &g_array_index (lines, Line, i), *next = &g_array_index (lines, Line, i + 1);
      if (next->blank_before)
        continue;
      if (l->measure > LONG_LINE)
        return FALSE;
      runs_on++;
      moderate += l->measure >= SHORT_LINE;
      mid += l->measure >= SHORT_LINE && breaks_mid_sentence (t, l, next);
    }
  return (runs_on >= 3 && moderate * 2 >= runs_on) || (runs_on >= 1 && mid == runs_on);
}

/* Where "left-" + "right" across a line break is one word split by the line
 * (drop the hyphen) rather than a compound (keep it), the document is the
 * judge: the joined word written elsewhere in it decides.  The words to judge
 * are gathered first and the text is then read once for all of them, so the
 * cost does not grow with the number of hyphenated lines times the length of
 * the text (a document made of such lines took minutes). */
typedef struct {
  GHashTable *words;   /* joined word -> GINT_TO_POINTER (whether it occurs) */
  gsize min_len, max_len;
  gboolean first[256]; /* the bytes candidate words start with */
} HyphenWords;

/* The joined form of the word hyphenated at the end of @l and continued on
 * @next; NULL when the continuation cannot be a word's second half. */
static char *
hyphen_joined_word (const char *t, const Line *l, const Line *next)
{
  gsize ls = l->cend - 1;
  while (ls > l->cstart && g_ascii_isalpha (t[ls - 1]))
    ls--;
  gsize re = next->cstart;
  while (re < next->cend && g_ascii_isalpha (t[re]))
    re++;
  if (re == next->cstart || !g_ascii_islower (t[next->cstart]))
    return NULL;
  return g_strdup_printf ("%.*s%.*s", (int) (l->cend - 1 - ls), t + ls,
                          (int) (re - next->cstart), t + next->cstart);
}

static void
hyphen_words_add (HyphenWords *hw, char *word)
{
  gsize n = strlen (word);
  if (g_hash_table_size (hw->words) == 0)
    hw->min_len = hw->max_len = n;
  hw->min_len = MIN (hw->min_len, n);
  hw->max_len = MAX (hw->max_len, n);
  hw->first[(guchar) word[0]] = TRUE;
  g_hash_table_insert (hw->words, word, GINT_TO_POINTER (FALSE));
}

/* Marks the candidate words that occur in @t as whole words (runs of ASCII
 * letters), in one pass over the text. */
static void
hyphen_words_find (HyphenWords *hw, const char *t, gsize len)
{
  if (g_hash_table_size (hw->words) == 0)
    return;
  g_autoptr (GString) word = g_string_sized_new (hw->max_len + 1);
  gsize i = 0;
  while (i < len)
    {
      if (!g_ascii_isalpha (t[i]))
        {
          i++;
          continue;
        }
      gsize start = i;
      while (i < len && g_ascii_isalpha (t[i]))
        i++;
      gsize n = i - start;
      if (n < hw->min_len || n > hw->max_len || !hw->first[(guchar) t[start]])
        continue;
      g_string_truncate (word, 0);
      g_string_append_len (word, t + start, (gssize) n);
      gpointer seen;
      if (g_hash_table_lookup_extended (hw->words, word->str, NULL, &seen) && !GPOINTER_TO_INT (seen))
        g_hash_table_insert (hw->words, g_strdup (word->str), GINT_TO_POINTER (TRUE));
    }
}

static gboolean
hyphen_splits_word (const HyphenWords *hw, const char *t, const Line *l, const Line *next)
{
  g_autofree char *word = hyphen_joined_word (t, l, next);
  return word && GPOINTER_TO_INT (g_hash_table_lookup (hw->words, word));
}

typedef struct {
  const char *sep;        /* what replaces the gap to the next kept line */
  gboolean drop_hyphen;   /* the line's final hyphen goes too */
  gboolean judge_hyphen;  /* whether it goes is for the document to say */
} Join;

/* A short line that opens its paragraph and runs on into the next in
 * lower case or with a number: the first line of a Reuters story, whose
 * dateline was cut ("The Army said it will renegotiate a\n400 mln dlr …"). */
static gboolean
short_first_line_runs_on (const char *t, const Line *p, gboolean p_opens, const Line *l)
{
  if (!p_opens || p->cend == p->cstart || l->cend == l->cstart)
    return FALSE;
  char last = t[p->cend - 1], first = t[l->cstart];
  return (g_ascii_isalnum (last) || last == ',') && (g_ascii_islower (first) || g_ascii_isdigit (first));
}

/* How kept line @p joins the next kept line @l; @p_opens: @p is the first
 * line of its paragraph. */
static Join
join_lines (const char *t, const Line *p, gboolean p_opens, const Line *l, gboolean wrapped,
            const DpNormalizeOptions *opts)
{
  if (l->blank_before)
    return (Join) { "\n\n", FALSE, FALSE };
  if (!wrapped)
    return (Join) { "\n", FALSE, FALSE };
  /* In hard-wrapped text an indented line starts a paragraph, and so does the
   * line after a short one (the short one ended its paragraph, or is a row of
   * a table) unless that one opened the paragraph and runs on.  A single line
   * break could not survive a second run: the line it ends is long once
   * joined, and would be joined again. */
  if (opts->reflow == DP_REFLOW_AUTO
      && (l->indent >= 2 || (p->measure < SHORT_LINE && !short_first_line_runs_on (t, p, p_opens, l))))
    return (Join) { "\n\n", FALSE, FALSE };
  if (opts->join_hyphens && ends_with_hyphenated_word (t, p) && g_ascii_isalnum (t[l->cstart]))
    return (Join) { "", FALSE, TRUE };
  return (Join) { " ", FALSE, FALSE };
}

static gboolean
opens_paragraph (const Line *lines, guint i)
{
  return i == 0 || lines[i].blank_before || lines[i].indent >= 2;
}

/* The joined words to judge in @lines, each marked with whether it occurs
 * in the text. */
static void
hyphen_words_gather (HyphenWords *hw, const char *t, gsize len, GArray *lines, gboolean wrapped,
                     const DpNormalizeOptions *opts)
{
  const Line *l = (const Line *) lines->data;
  for (guint k = 1; k < lines->len; k++)
    {
      Join j = join_lines (t, &l[k - 1], opens_paragraph (l, k - 1), &l[k], wrapped, opts);
      char *word = j.judge_hyphen ? hyphen_joined_word (t, &l[k - 1], &l[k]) : NULL;
      if (word)
        hyphen_words_add (hw, word);
    }
  hyphen_words_find (hw, t, len);
}

/* Emits a line's content with internal runs of blanks collapsed to one space. */
static void
emit_content (DpTextBuilder *b, const char *t, gsize start, gsize end)
{
  gsize i = start, from = start;
  while (i < end)
    {
      /* Only a tab, or a space followed by another blank, needs rewriting. */
      if (!(t[i] == '\t' || (t[i] == ' ' && i + 1 < end && is_blank (t[i + 1]))))
        {
          i++;
          continue;
        }
      dp_text_builder_copy (b, from, i - from);
      gsize ws = i;
      while (ws < end && is_blank (t[ws]))
        ws++;
      dp_text_builder_replace (b, i, ws - i, " ", 1);
      i = from = ws;
    }
  dp_text_builder_copy (b, from, end - from);
}

/* Returns whether any lines were joined (which can make new lines). */
static gboolean
pass_lines (DpTextBuilder *b, const char *t, gsize len, GArray *lines, const DpNormalizeOptions *opts)
{
  gboolean joined = FALSE;
  gboolean wrapped = opts->reflow == DP_REFLOW_ALWAYS
                     || (opts->reflow == DP_REFLOW_AUTO && is_hard_wrapped (t, lines));
  HyphenWords hw = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL) };
  hyphen_words_gather (&hw, t, len, lines, wrapped, opts);
  const Line *lns = (const Line *) lines->data;
  Join join = { NULL, FALSE, FALSE };   /* how the previous line joins this one */
  for (guint i = 0; i < lines->len; i++)
    {
      const Line *l = &lns[i];
      if (i > 0)
        {
          const Line *p = &lns[i - 1];
          gsize gap = p->cend - (join.drop_hyphen ? 1 : 0);
          /* Dropped lines are deleted, not part of the separator: spans over
           * them are dropped rather than moved onto the separator. */
          gsize gap_end = *join.sep && l->after_dropped ? p->end + 1 : l->cstart;
          dp_text_builder_replace (b, gap, gap_end - gap, join.sep, -1);
          joined |= join.sep[0] != '\n';
        }
      /* Decided now, since the join to the next line may take this line's hyphen. */
      join = (Join) { NULL, FALSE, FALSE };
      if (i + 1 < lines->len)
        {
          join = join_lines (t, l, opens_paragraph (lns, i), &lns[i + 1], wrapped, opts);
          if (join.judge_hyphen)
            join.drop_hyphen = hyphen_splits_word (&hw, t, l, &lns[i + 1]);
        }
      emit_content (b, t, l->cstart, l->cend - (join.drop_hyphen ? 1 : 0));
    }
  g_hash_table_unref (hw.words);
  return joined;
}

/* ---- the record ------------------------------------------------------------ */

static gboolean
char_pass (DpRecord *rec, const DpNormalizeOptions *opts, gboolean rules, gboolean decode,
           gboolean normalize, GError **error)
{
  gsize len;
  const char *text = dp_record_get_text (rec, &len);
  Chars c = { dp_text_builder_new (text, len), text, len, opts, rules, decode, normalize };
  pass_characters (&c);
  return dp_record_apply_text (rec, c.b, error);
}

gboolean
dp_normalize_record (DpRecord *rec, const DpNormalizeOptions *opts, GError **error)
{
  init_plain ();
  init_furniture ();
  init_joins_previous ();
  gsize len;
  const char *text;
  /* Rules, then entities, then normalization, each on the previous one's
   * result: a deleted character (a zero-width space, a control character)
   * must not keep apart a letter and its combining mark, or the pieces of an
   * entity, or a second run would join them. */
  if (!char_pass (rec, opts, TRUE, FALSE, FALSE, error))
    return FALSE;
  text = dp_record_get_text (rec, &len);
  if (opts->html_entities && memchr (text, '&', len) && !char_pass (rec, opts, FALSE, TRUE, FALSE, error))
    return FALSE;
  text = dp_record_get_text (rec, &len);
  if (needs_normalization (text, len, opts) && !char_pass (rec, opts, FALSE, FALSE, TRUE, error))
    return FALSE;

  /* Joining lines can make a new line that a pattern would drop ("©" joined
   * with the line after it): go round again until nothing more is dropped,
   * so that a second run has nothing to do. */
  gboolean dropping = opts->drop_furniture || (opts->drop_patterns && dp_line_patterns_get_size (opts->drop_patterns));
  for (guint round = 0; round < 4; round++)
    {
      text = dp_record_get_text (rec, &len);
      g_autoptr (GArray) lines = split_lines (text, len);
      guint dropped = 0, near_misses = 0;
      if (dropping && !drop_lines (text, lines, opts, rec, &dropped, &near_misses, error))
        return FALSE;
      if (round > 0 && dropped == 0)
        break;
      guint kept = 0;
      gboolean blank = FALSE, skipped = FALSE;
      for (guint i = 0; i < lines->len; i++)
        {
          Line *l = &g_array_index (lines, Line, i);
          blank |= l->blank_before;
          skipped |= l->dropped;
          if (l->dropped)
            continue;
          l->blank_before = (guint8) (blank && kept > 0);
          l->after_dropped = (guint8) skipped;
          g_array_index (lines, Line, kept++) = *l;
          blank = skipped = FALSE;
        }
      g_array_set_size (lines, kept);
      DpTextBuilder *b = dp_text_builder_new (text, len);
      gboolean joined = pass_lines (b, text, len, lines, opts);
      g_clear_pointer (&lines, g_array_unref);   /* before the alignments are composed */
      if (!dp_record_apply_text (rec, b, error))
        return FALSE;
      if (!joined || near_misses == 0)
        break;
    }
  return TRUE;
}
