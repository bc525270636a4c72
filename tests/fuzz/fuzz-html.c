/* fuzz-html.c — libFuzzer target: the reader's HTML decoding on any bytes.
 *
 * The first byte picks the reader's settings (no declared encoding or
 * windows-1252; invalid-utf8 replace or reject); the rest is a page, decoded
 * as the reader decodes a .html file (charset sniffing, conversion, libxml2's
 * parser, the walk).  Checked: no crash or sanitizer report; a page refused
 * only under reject; the text valid UTF-8; unless the page may hold a <pre>
 * (whose whitespace is kept), the text never starts or ends with whitespace
 * nor holds three newlines in a row; the same text a second time.
 */
#include "reader.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check (gboolean ok, const char *what)
{
  if (!ok)
    {
      g_printerr ("fuzz-html: %s\n", what);
      abort ();
    }
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  reader_html_init ();
  return 0;
}

static char *
decode (Reader *r, const char *page, gsize len, gboolean *ok)
{
  DpRecord *rec = dp_record_new ("f", "fuzz", "", 0, NULL);
  g_autoptr (GError) error = NULL;
  *ok = reader_decode_html (rec, page, len, r, &error);
  char *text = *ok ? g_strdup (dp_record_get_text (rec, NULL)) : NULL;
  dp_record_free (rec);
  return text;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  Reader r = { 0 };
  if (size > 0)
    {
      r.encoding = data[0] & 1 ? "windows-1252" : NULL;
      r.reject_utf8 = (data[0] >> 1) & 1;
      data++, size--;
    }
  gboolean ok, ok2;
  g_autofree char *text = decode (&r, (const char *) data, size, &ok);
  check (ok || r.reject_utf8, "a page refused under invalid-utf8 = replace");
  if (!ok)
    return 0;
  gsize n = strlen (text);
  check (g_utf8_validate_len (text, n, NULL), "text not valid UTF-8");
  g_autofree char *lower = g_malloc (size + 1);   /* NUL bytes and all */
  for (gsize i = 0; i < size; i++)
    lower[i] = g_ascii_tolower (data[i]);
  if (!memmem (lower, size, "pre", 3))
    {
      check (n == 0 || (!g_ascii_isspace (text[0]) && !g_ascii_isspace (text[n - 1])),
             "text starts or ends with whitespace");
      check (!strstr (text, "\n\n\n"), "three newlines in a row");
    }
  g_autofree char *again = decode (&r, (const char *) data, size, &ok2);
  check (ok2 && strcmp (text, again) == 0, "a second decoding differs");
  return 0;
}
