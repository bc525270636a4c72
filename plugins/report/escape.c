/* escape.c — HTML and script-safe JSON escaping for the report (escape.h). */
#include "escape.h"

#include <string.h>

void
rp_html_append (GString *out, const char *s, gssize len)
{
  gsize n = len < 0 ? strlen (s) : (gsize) len;
  gsize run = 0;   /* bytes copied as they are, appended in one go */
  for (gsize i = 0; i < n; i++)
    {
      const char *ref = NULL;
      switch (s[i])
        {
        case '&': ref = "&amp;"; break;
        case '<': ref = "&lt;"; break;
        case '>': ref = "&gt;"; break;
        case '"': ref = "&quot;"; break;
        case '\'': ref = "&#39;"; break;
        default: continue;
        }
      g_string_append_len (out, s + run, (gssize) (i - run));
      g_string_append (out, ref);
      run = i + 1;
    }
  g_string_append_len (out, s + run, (gssize) (n - run));
}

/* The escape for the byte at @p, or NULL when it is copied as it is.  @skip is
 * set to the bytes the escape replaces (3 for U+2028/U+2029). */
static const char *
json_escape_at (const unsigned char *p, gsize left, char buf[8], gsize *skip)
{
  static const char *const named[] = { ['"'] = "\\\"", ['\\'] = "\\\\", ['\n'] = "\\n",
                                       ['\r'] = "\\r", ['\t'] = "\\t", ['\b'] = "\\b",
                                       ['\f'] = "\\f" };
  *skip = 1;
  unsigned char c = p[0];
  if (c < G_N_ELEMENTS (named) && named[c])
    return named[c];
  if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f)
    {
      g_snprintf (buf, 8, "\\u%04x", c);
      return buf;
    }
  /* U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8. */
  if (c == 0xe2 && left >= 3 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
    {
      *skip = 3;
      return p[2] == 0xa8 ? "\\u2028" : "\\u2029";
    }
  return NULL;
}

void
rp_json_append (GString *out, const char *s, gssize len)
{
  gsize n = len < 0 ? strlen (s) : (gsize) len;
  const unsigned char *u = (const unsigned char *) s;
  char buf[8];
  gsize run = 0;
  g_string_append_c (out, '"');
  for (gsize i = 0; i < n;)
    {
      gsize skip;
      const char *esc = json_escape_at (u + i, n - i, buf, &skip);
      if (!esc)
        {
          i++;
          continue;
        }
      g_string_append_len (out, s + run, (gssize) (i - run));
      g_string_append (out, esc);
      i += skip;
      run = i;
    }
  g_string_append_len (out, s + run, (gssize) (n - run));
  g_string_append_c (out, '"');
}

void
rp_json_append_cut (GString *out, const char *s, gsize max_bytes)
{
  gsize n = strlen (s);
  if (n <= max_bytes)
    {
      rp_json_append (out, s, (gssize) n);
      return;
    }
  /* The start of the character at or before byte max_bytes: the cut. */
  const char *end = g_utf8_find_prev_char (s, s + max_bytes + 1);
  g_autoptr (GString) tmp = g_string_new_len (s, end ? end - s : 0);
  g_string_append (tmp, "…");
  rp_json_append (out, tmp->str, (gssize) tmp->len);
}
