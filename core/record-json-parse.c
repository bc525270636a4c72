/* record-json-parse.c — the common record line parsed without json-glib.
 *
 * json-glib's parser reads a character at a time and builds its strings
 * character by character: on the news corpus it was, with the validation
 * scan before it (record-json.c: scan_json), about half of the workers' time
 * in a pass-through (docs/benchmarks.md).  This parser takes the lines that
 * are strict JSON of the usual shape — an object whose members are strings,
 * small integers, booleans, nulls, arrays and objects of those — and scans
 * strings eight bytes at a time.  The tree it builds (without the text) goes
 * through the same code as json-glib's (dp_record_load_fields), layers too.  Anything else
 * (fractions and exponents, big integers, \u0000 and lone surrogates,
 * control characters, invalid UTF-8, repeated member names, deep nesting,
 * syntax errors) is declined, and record-json.c parses the line
 * with json-glib as before, so results and error messages do not change.
 */
#include "record-private.h"

#include <string.h>

/* Nesting beyond this is declined (record-json.c refuses beyond 512). */
#define FAST_MAX_DEPTH 32
/* Integers of more digits are declined: they might not fit in 64 bits. */
#define FAST_MAX_DIGITS 18

typedef struct {
  const char *p, *end;
} Cursor;

static void
skip_space (Cursor *c)
{
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
    c->p++;
}

#define ONES G_GUINT64_CONSTANT (0x0101010101010101)
#define HIGHS G_GUINT64_CONSTANT (0x8080808080808080)

/* Whether any byte of @w is a quote, a backslash, a control character or
 * not ASCII: those are looked at one by one, the rest is copied as it is. */
static inline gboolean
word_is_special (guint64 w)
{
  guint64 quote = w ^ (ONES * '"'), bslash = w ^ (ONES * '\\');
  guint64 t = ((quote - ONES) & ~quote) | ((bslash - ONES) & ~bslash) | (w - ONES * 0x20) | w;
  return (t & HIGHS) != 0;
}

static int
hex4 (const char *s)
{
  int v = 0;
  for (int k = 0; k < 4; k++)
    {
      int d = g_ascii_xdigit_value (s[k]);
      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  return v;
}

/* Decodes a \u escape at @s (the backslash) into @out; the number of input
 * bytes used, 0 to decline (NUL, a lone surrogate, malformed). */
static gsize
decode_unicode (const char *s, const char *end, char *out, gsize *written)
{
  if (end - s < 6)
    return 0;
  int c = hex4 (s + 2);
  gsize used = 6;
  if (c <= 0 || (c >= 0xDC00 && c <= 0xDFFF))
    return 0;
  if (c >= 0xD800 && c <= 0xDBFF)
    {
      if (end - s < 12 || s[6] != '\\' || s[7] != 'u')
        return 0;
      int low = hex4 (s + 8);
      if (low < 0xDC00 || low > 0xDFFF)
        return 0;
      c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
      used = 12;
    }
  *written = (gsize) g_unichar_to_utf8 ((gunichar) c, out);
  return used;
}

/* Unescapes [s, end) (a string's contents, escapes known to be complete)
 * into @out; FALSE to decline. */
static gboolean
unescape (const char *s, const char *end, char *out, gsize *out_len)
{
  gsize n = 0;
  while (s < end)
    {
      const char *bs = memchr (s, '\\', (gsize) (end - s));
      const char *stop = bs ? bs : end;
      memcpy (out + n, s, (gsize) (stop - s));
      n += (gsize) (stop - s);
      if (!bs)
        break;
      static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
      const char *k = bs[1] ? strchr (from, bs[1]) : NULL;
      if (k)
        {
          out[n++] = to[k - from];
          s = bs + 2;
          continue;
        }
      gsize w = 0, used = bs[1] == 'u' ? decode_unicode (bs, end, out + n, &w) : 0;
      if (!used)
        return FALSE;
      n += w;
      s = bs + used;
    }
  out[n] = '\0';
  *out_len = n;
  return TRUE;
}

/* A string at the cursor (on its opening quote): a new NUL-terminated,
 * valid UTF-8 string without NULs inside (control characters and \u0000
 * are declined), or NULL to decline. */
static char *
parse_string (Cursor *c, gsize *len)
{
  const char *start = ++c->p, *p = start;
  gboolean escapes = FALSE, ascii = TRUE;
  for (;;)
    {
      guint64 w;
      while (c->end - p >= 8 && (memcpy (&w, p, 8), !word_is_special (w)))
        p += 8;
      if (p >= c->end)
        return NULL;
      guchar ch = (guchar) *p;
      if (ch == '"')
        break;
      if (ch == '\\')
        {
          if (p + 1 >= c->end)
            return NULL;
          escapes = TRUE;
          p += 2;   /* the escaped character is never the closing quote */
          continue;
        }
      if (ch < 0x20)
        return NULL;
      ascii = ascii && ch < 0x80;
      p++;
    }
  c->p = p + 1;
  gsize n = (gsize) (p - start);
  char *out = g_malloc (n + 1);
  if (escapes)
    {
      if (!unescape (start, p, out, &n))
        return (g_free (out), NULL);
    }
  else
    {
      memcpy (out, start, n);
      out[n] = '\0';
    }
  if (!ascii && !g_utf8_validate_len (out, n, NULL))
    return (g_free (out), NULL);
  *len = n;
  return out;
}

/* A plain integer: no fraction, exponent, leading zero or "-0". */
static gboolean
parse_int (Cursor *c, gint64 *v)
{
  const char *p = c->p;
  gboolean neg = *p == '-';
  p += neg;
  const char *digits = p;
  guint64 u = 0;
  while (p < c->end && g_ascii_isdigit (*p))
    u = u * 10 + (guint64) (*p++ - '0');
  gsize n = (gsize) (p - digits);
  if (n == 0 || n > FAST_MAX_DIGITS || (digits[0] == '0' && (n > 1 || neg)))
    return FALSE;
  if (p < c->end && (*p == '.' || *p == 'e' || *p == 'E'))
    return FALSE;
  *v = neg ? -(gint64) u : (gint64) u;
  c->p = p;
  return TRUE;
}

static gboolean
parse_word (Cursor *c, const char *word)
{
  gsize n = strlen (word);
  if ((gsize) (c->end - c->p) < n || memcmp (c->p, word, n) != 0)
    return FALSE;
  c->p += n;
  return TRUE;
}

static JsonNode *parse_value (Cursor *c, int depth);

/* Members up to the closing brace (the cursor after the opening one). */
static JsonObject *
parse_members (Cursor *c, int depth)
{
  g_autoptr (JsonObject) obj = json_object_new ();
  skip_space (c);
  if (c->p < c->end && *c->p == '}')
    return (c->p++, g_steal_pointer (&obj));
  for (;;)
    {
      gsize n;
      if (c->p >= c->end || *c->p != '"')
        return NULL;
      g_autofree char *name = parse_string (c, &n);
      if (!name || json_object_has_member (obj, name))
        return NULL;
      skip_space (c);
      if (c->p >= c->end || *c->p++ != ':')
        return NULL;
      JsonNode *value = parse_value (c, depth + 1);
      if (!value)
        return NULL;
      json_object_set_member (obj, name, value);
      skip_space (c);
      if (c->p < c->end && *c->p == '}')
        return (c->p++, g_steal_pointer (&obj));
      if (c->p >= c->end || *c->p++ != ',')
        return NULL;
      skip_space (c);
    }
}

static JsonArray *
parse_elements (Cursor *c, int depth)
{
  g_autoptr (JsonArray) arr = json_array_new ();
  skip_space (c);
  if (c->p < c->end && *c->p == ']')
    return (c->p++, g_steal_pointer (&arr));
  for (;;)
    {
      JsonNode *value = parse_value (c, depth + 1);
      if (!value)
        return NULL;
      json_array_add_element (arr, value);
      skip_space (c);
      if (c->p < c->end && *c->p == ']')
        return (c->p++, g_steal_pointer (&arr));
      if (c->p >= c->end || *c->p++ != ',')
        return NULL;
    }
}

static JsonNode *
parse_value (Cursor *c, int depth)
{
  skip_space (c);
  if (c->p >= c->end || depth > FAST_MAX_DEPTH)
    return NULL;
  gint64 v;
  switch (*c->p)
    {
    case '"':
      {
        gsize n;
        g_autofree char *s = parse_string (c, &n);
        if (!s)
          return NULL;
        return json_node_init_string (json_node_alloc (), s);
      }
    case '{':
      {
        c->p++;
        JsonObject *obj = parse_members (c, depth);
        if (!obj)
          return NULL;
        JsonNode *node = json_node_new (JSON_NODE_OBJECT);
        json_node_take_object (node, obj);
        return node;
      }
    case '[':
      {
        c->p++;
        JsonArray *arr = parse_elements (c, depth);
        if (!arr)
          return NULL;
        JsonNode *node = json_node_new (JSON_NODE_ARRAY);
        json_node_take_array (node, arr);
        return node;
      }
    case 't':
      return parse_word (c, "true") ? json_node_init_boolean (json_node_alloc (), TRUE) : NULL;
    case 'f':
      return parse_word (c, "false") ? json_node_init_boolean (json_node_alloc (), FALSE) : NULL;
    case 'n':
      return parse_word (c, "null") ? json_node_init_null (json_node_alloc ()) : NULL;
    default:
      return parse_int (c, &v) ? json_node_init_int (json_node_alloc (), v) : NULL;
    }
}

/* The top-level object: "text" is kept apart (no JsonNode, no copy of the
 * longest string), the rest goes into @root. */
static gboolean
parse_root (Cursor *c, JsonObject *root, char **text, gsize *text_len)
{
  skip_space (c);
  if (c->p >= c->end || *c->p++ != '{')
    return FALSE;
  skip_space (c);
  if (c->p < c->end && *c->p == '}')
    return FALSE;   /* no text: json-glib's path says so */
  for (;;)
    {
      gsize n;
      if (c->p >= c->end || *c->p != '"')
        return FALSE;
      g_autofree char *name = parse_string (c, &n);
      if (!name || json_object_has_member (root, name))
        return FALSE;
      skip_space (c);
      if (c->p >= c->end || *c->p++ != ':')
        return FALSE;
      skip_space (c);
      if (strcmp (name, "text") == 0)
        {
          if (*text || c->p >= c->end || *c->p != '"' || !(*text = parse_string (c, text_len)))
            return FALSE;
        }
      else
        {
          JsonNode *value = parse_value (c, 1);
          if (!value)
            return FALSE;
          json_object_set_member (root, name, value);
        }
      skip_space (c);
      if (c->p < c->end && *c->p == '}')
        break;
      if (c->p >= c->end || *c->p++ != ',')
        return FALSE;
      skip_space (c);
    }
  c->p++;
  skip_space (c);
  return c->p == c->end && *text && *text_len <= DP_RECORD_MAX_TEXT;
}

DpFastLoad
dp_record_load_json_fast (DpRecord *rec, const char *json, gsize len, GError **error)
{
  if (rec->text || rec->align)
    return DP_FAST_DECLINED;   /* loading over a record: json-glib's path handles it */
  Cursor c = { json, json + len };
  g_autoptr (JsonObject) root = json_object_new ();
  g_autofree char *text = NULL;
  gsize text_len = 0;
  if (!parse_root (&c, root, &text, &text_len))
    return DP_FAST_DECLINED;
  return dp_record_load_fields (rec, root, g_steal_pointer (&text), text_len, error) ? DP_FAST_LOADED
                                                                                     : DP_FAST_FAILED;
}
