/* json-check.c — the whole JSON grammar (RFC 8259) checked before json-glib.
 *
 * json-glib 1.6 leaks the values it has built when it rejects a line, and
 * each malformed shape leaks differently ("1{…}", "{/}/}{}", a '/' where a
 * member's name should be: all found by fuzz-record-json).  Refusing the
 * shapes one by one never ends, so every line that takes json-glib's path is
 * first checked here against the complete grammar, with our own messages;
 * json-glib then only ever sees valid JSON.  The check also refuses what
 * json-glib would accept but get wrong: integers beyond 64 bits (it wraps
 * them silently) and numbers beyond a double (it makes them infinite); and
 * nesting deeper than its recursive parser should go.
 *
 * Two leniencies, both json-glib's too: raw control characters other than
 * NUL inside strings, and a byte-order mark before the object.
 */
#include "record-private.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *s;
  gsize len, i;
  char *fix;          /* a copy of s, where bad \u escapes become \ufffd */
  guint bad_escapes;
  GError **error;
} Check;

G_GNUC_PRINTF (3, 4) static gboolean
fail (Check *c, gsize at, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *what = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (c->error, DP_RECORD_ERROR, DP_RECORD_ERROR_PARSE,
               "invalid JSON at byte %" G_GSIZE_FORMAT ": %s", at, what);
  return FALSE;
}

static gboolean
at_end (Check *c)
{
  return c->i >= c->len;
}

static void
skip_space (Check *c)
{
  while (!at_end (c) && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' || c->s[c->i] == '\r'))
    c->i++;
}

/* What the byte at the cursor is, for messages: a quoted character or "the
 * end of the line". */
static const char *
found (Check *c, char buf[16])
{
  if (at_end (c))
    return "the end of the line";
  guchar b = (guchar) c->s[c->i];
  if (b >= 0x20 && b < 0x7f)
    g_snprintf (buf, 16, "'%c'", b);
  else
    g_snprintf (buf, 16, "byte 0x%02x", b);
  return buf;
}

static gboolean
expected (Check *c, const char *what)
{
  char buf[16];
  return fail (c, c->i, "expected %s, found %s", what, found (c, buf));
}

/* Length of the \u escape (or surrogate pair) at @s, 0 if it does not stand
 * for a valid, non-NUL character, or 1 if it is malformed (fewer than four
 * hex digits). */
static gsize
unicode_escape (const char *s, gsize len)
{
  gunichar c = 0;
  for (gsize k = 2; k < 6; k++)
    {
      if (k >= len || !g_ascii_isxdigit (s[k]))
        return 1;
      c = c * 16 + (gunichar) g_ascii_xdigit_value (s[k]);
    }
  if (c == 0 || (c >= 0xDC00 && c <= 0xDFFF))
    return 0;
  if (c < 0xD800 || c > 0xDBFF)
    return 6;
  /* A high surrogate must be followed by an escaped low one. */
  if (len >= 12 && s[6] == '\\' && s[7] == 'u')
    {
      gunichar low = 0;
      for (gsize k = 8; k < 12; k++)
        {
          if (!g_ascii_isxdigit (s[k]))
            return 0;
          low = low * 16 + (gunichar) g_ascii_xdigit_value (s[k]);
        }
      if (low >= 0xDC00 && low <= 0xDFFF)
        return 12;
    }
  return 0;
}

/* \u0000 would end json-glib's C strings there, dropping the rest; an
 * unpaired surrogate would become invalid UTF-8.  Both are counted and, in
 * the fix copy, rewritten to \ufffd. */
static gboolean
check_escape (Check *c)
{
  gsize at = c->i;
  if (at + 1 >= c->len || !c->s[at + 1] || !strchr ("\"\\/bfnrtu", c->s[at + 1]))
    return fail (c, at, "a bad escape in a string");
  if (c->s[at + 1] != 'u')
    {
      c->i += 2;
      return TRUE;
    }
  gsize n = unicode_escape (c->s + at, c->len - at);
  if (n == 1)
    return fail (c, at, "\\u needs four hex digits");
  if (n == 0)
    {
      if (c->fix)
        memcpy (c->fix + at + 2, "fffd", 4);
      c->bad_escapes++;
      n = 6;
    }
  c->i += n;
  return TRUE;
}

static gboolean
check_string (Check *c)
{
  gsize start = c->i++;
  while (!at_end (c))
    {
      guchar b = (guchar) c->s[c->i];
      if (b == '"')
        {
          c->i++;
          return TRUE;
        }
      if (b == '\\')
        {
          if (!check_escape (c))
            return FALSE;
        }
      else if (b == 0)
        return fail (c, c->i, "a NUL byte in a string");
      else if (b < 0x80)
        c->i++;
      else
        {
          gunichar u = g_utf8_get_char_validated (c->s + c->i, (gssize) (c->len - c->i));
          if (u == (gunichar) -1 || u == (gunichar) -2)
            return fail (c, c->i, "invalid UTF-8 in a string");
          c->i += (gsize) g_unichar_to_utf8 (u, NULL);
        }
    }
  return fail (c, start, "a string that is not closed");
}

static gsize
digits (Check *c)
{
  gsize n = 0;
  while (!at_end (c) && g_ascii_isdigit (c->s[c->i]))
    c->i++, n++;
  return n;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, and within what json-glib
 * holds: an integer in 64 bits, anything else in a finite double. */
static gboolean
check_number (Check *c)
{
  gsize start = c->i;
  if (c->s[c->i] == '-')
    c->i++;
  gsize lead = c->i;
  if (!digits (c))
    return expected (c, "a digit");
  if (c->s[lead] == '0' && c->i - lead > 1)
    return fail (c, lead, "a number with a leading zero");
  gboolean integer = TRUE;
  if (!at_end (c) && c->s[c->i] == '.')
    {
      c->i++;
      integer = FALSE;
      if (!digits (c))
        return expected (c, "a digit after '.'");
    }
  if (!at_end (c) && (c->s[c->i] == 'e' || c->s[c->i] == 'E'))
    {
      c->i++;
      integer = FALSE;
      if (!at_end (c) && (c->s[c->i] == '+' || c->s[c->i] == '-'))
        c->i++;
      if (!digits (c))
        return expected (c, "a digit in the exponent");
    }
  /* Up to 18 digits always fit; longer integers and the rest are read. */
  gsize n = c->i - start;
  if (integer && c->i - lead <= 18)
    return TRUE;
  g_autofree char *text = g_strndup (c->s + start, n);
  errno = 0;
  if (integer)
    {
      (void) g_ascii_strtoll (text, NULL, 10);
      if (errno == ERANGE)
        return fail (c, start, "an integer too large for 64 bits (write it as a string)");
    }
  else if (!isfinite (g_ascii_strtod (text, NULL)))
    return fail (c, start, "a number too large for a double");
  return TRUE;
}

static gboolean
check_word (Check *c)
{
  static const char *const words[] = { "true", "false", "null" };
  for (guint k = 0; k < G_N_ELEMENTS (words); k++)
    {
      gsize n = strlen (words[k]);
      if (c->len - c->i >= n && memcmp (c->s + c->i, words[k], n) == 0)
        {
          c->i += n;
          return TRUE;
        }
    }
  return expected (c, "a value");
}

static gboolean check_value (Check *c, int depth);

/* Members or elements after the opening bracket, up to and with the
 * closing one. */
static gboolean
check_items (Check *c, int depth, char close)
{
  c->i++;
  skip_space (c);
  if (!at_end (c) && c->s[c->i] == close)
    {
      c->i++;
      return TRUE;
    }
  for (;;)
    {
      if (close == '}')
        {
          if (at_end (c) || c->s[c->i] != '"')
            return expected (c, "a member name in quotes");
          if (!check_string (c))
            return FALSE;
          skip_space (c);
          if (at_end (c) || c->s[c->i] != ':')
            return expected (c, "':' after a member name");
          c->i++;
        }
      if (!check_value (c, depth))
        return FALSE;
      skip_space (c);
      if (!at_end (c) && c->s[c->i] == ',')
        {
          c->i++;
          skip_space (c);
          continue;
        }
      if (!at_end (c) && c->s[c->i] == close)
        {
          c->i++;
          return TRUE;
        }
      return expected (c, close == '}' ? "',' or '}'" : "',' or ']'");
    }
}

static gboolean
check_value (Check *c, int depth)
{
  skip_space (c);
  if (at_end (c))
    return expected (c, "a value");
  char b = c->s[c->i];
  if (b == '{' || b == '[')
    {
      if (depth + 1 > DP_JSON_MAX_DEPTH)
        {
          g_set_error (c->error, DP_RECORD_ERROR, DP_RECORD_ERROR_TOO_LARGE,
                       "JSON nested deeper than %d levels (at byte %" G_GSIZE_FORMAT ")",
                       DP_JSON_MAX_DEPTH, c->i);
          return FALSE;
        }
      return check_items (c, depth + 1, b == '{' ? '}' : ']');
    }
  if (b == '"')
    return check_string (c);
  if (b == '-' || g_ascii_isdigit (b))
    return check_number (c);
  return check_word (c);
}

/* A line that starts with another JSON value is "not a JSON object"; one
 * that starts with no value at all is not JSON. */
static gboolean
not_an_object (Check *c)
{
  if (at_end (c) || check_value (c, 0))
    g_set_error (c->error, DP_RECORD_ERROR, DP_RECORD_ERROR_FIELD, "not a JSON object");
  return FALSE;
}

gboolean
dp_json_check (const char *s, gsize len, char *fix, guint *bad_escapes, GError **error)
{
  Check c = { .s = s, .len = len, .fix = fix, .error = error };
  *bad_escapes = 0;
  if (len >= 3 && memcmp (s, "\xef\xbb\xbf", 3) == 0)
    c.i = 3;
  skip_space (&c);
  if (at_end (&c) || s[c.i] != '{')
    return not_an_object (&c);
  if (!check_value (&c, 0))
    return FALSE;
  skip_space (&c);
  if (!at_end (&c))
    return fail (&c, c.i, "text after the record's object");
  *bad_escapes = c.bad_escapes;
  return TRUE;
}
