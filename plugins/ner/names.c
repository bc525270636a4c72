/* names.c — case folding and whitespace collapsing for names (names.h). */
#include "names.h"

#include <string.h>

gboolean
dp_name_is_ascii (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if ((guchar) s[i] >= 0x80)
      return FALSE;
  return TRUE;
}

void
dp_name_append_folded (GString *out, const char *s, gsize len)
{
  if (dp_name_is_ascii (s, len))
    {
      gsize at = out->len;
      g_string_set_size (out, at + len);
      for (gsize i = 0; i < len; i++)
        out->str[at + i] = g_ascii_tolower (s[i]);
      return;
    }
  g_autofree char *f = g_utf8_casefold (s, (gssize) len);
  /* The typographic apostrophe is the ASCII one: "People’s" is "People's". */
  for (const char *p = f; *p;)
    {
      const char *q = strstr (p, "\u2019");
      if (!q)
        {
          g_string_append (out, p);
          break;
        }
      g_string_append_len (out, p, q - p);
      g_string_append_c (out, '\'');
      p = q + strlen ("\u2019");
    }
}

/* g_unichar_isspace() of an ASCII character (not '\v', which it leaves). */
static inline gboolean
ascii_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

void
dp_name_append_collapsed (GString *out, const char *s, gsize len)
{
  gboolean space = FALSE;
  gsize start = out->len;
  for (const char *p = s, *end = s + len; p < end;)
    {
      /* A run of ASCII characters other than spaces, copied at once. */
      const char *q = p;
      while (q < end && (guchar) *q < 0x80 && !ascii_space (*q))
        q++;
      if (q > p)
        {
          if (space && out->len > start)
            g_string_append_c (out, ' ');
          space = FALSE;
          g_string_append_len (out, p, q - p);
          p = q;
          continue;
        }
      gunichar c = (guchar) *p < 0x80 ? (gunichar) *p : g_utf8_get_char (p);
      const char *next = g_utf8_next_char (p);
      if ((guchar) *p < 0x80 ? ascii_space (*p) : g_unichar_isspace (c))
        {
          space = TRUE;
          p = next;
          continue;
        }
      if (space && out->len > start)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_len (out, p, next - p);
      p = next;
    }
}
