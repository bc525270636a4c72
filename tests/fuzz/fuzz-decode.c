/* fuzz-decode.c — libFuzzer target: the reader's decoding of a file's bytes
 * to UTF-8 (plugins/reader/decode.c): byte-order marks, UTF-16, the
 * encoding parameter and a page's declared charset through GIConv, and the
 * invalid-utf8 policy.
 *
 * The first byte picks the reader's encoding (none or one of the parameter's
 * choices, stateful and multi-byte ones included) and a declared charset
 * (none, or names a page may give: unknown ones, UTF-8 spellings, UTF-16 and
 * -32); the rest is the file.  Checked: no crash or sanitizer report; the
 * text is valid UTF-8 without NUL bytes; valid UTF-8 without a BOM is taken
 * as it is, a UTF-8 BOM skipped; invalid-utf8 = reject refuses exactly what
 * replace repairs (a DP_RECORD_ERROR naming the count); UTF-16 after its BOM
 * decodes as GLib's g_utf16_to_utf8() does when that succeeds; a text file's
 * record holds the same text and counts the same invalid sequences in
 * meta.invalid_utf8; a second decoding is the same.
 */
#include "reader.h"

#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"

#define check fuzz_check

static const char *const encodings[] = {
  NULL, "windows-1252", "shift_jis", "utf-16le", "gb18030", "euc-kr", "koi8-r", "big5",
};
static const char *const charsets[] = { NULL, "utf8", "no-such-charset", "UTF-16", "UTF-32", "ISO-2022-JP",
                                        "iso-8859-7", "UTF-7" };

typedef struct {
  gboolean ok;
  char *text;     /* the text decoded (a copy), when ok */
  gsize len;
  guint bad;
  const char *used;
  GError *error;
} Decoded;

static void
decoded_clear (Decoded *d)
{
  g_free (d->text);
  g_clear_error (&d->error);
}

static Decoded
decode (const Reader *r, const char *raw, gsize len, const char *charset)
{
  Decoded d = { 0 };
  g_autofree char *out = NULL;
  gsize out_len, skip;
  d.ok = reader_to_utf8 (r, raw, len, charset, &out, &out_len, &skip, &d.bad, &d.used, &d.error);
  check (d.ok == (d.error == NULL), "result and error disagree");
  if (!d.ok)
    return d;
  check (skip == 0 || (len >= 3 && memcmp (raw, "\xEF\xBB\xBF", 3) == 0), "skipped bytes that are not a BOM");
  check (out != NULL || skip <= len, "skipped past the end");
  d.text = out ? g_memdup2 (out, out_len + 1) : g_strndup (raw + skip, len - skip);
  d.len = out ? out_len : len - skip;
  check (g_utf8_validate_len (d.text, d.len, NULL), "text not valid UTF-8 (or holds a NUL)");
  return d;
}

/* UTF-16 after a BOM, where GLib's own decoder takes it, gives what GLib gives. */
static void
check_utf16 (const char *raw, gsize len, const Decoded *d)
{
  if (len < 2 || (len - 2) % 2 || !(memcmp (raw, "\xFF\xFE", 2) == 0 || memcmp (raw, "\xFE\xFF", 2) == 0))
    return;
  gboolean le = raw[0] == '\xFF';
  gsize n = (len - 2) / 2;
  g_autofree gunichar2 *units = g_new (gunichar2, n + 1);
  for (gsize i = 0; i < n; i++)
    {
      guchar a = (guchar) raw[2 + 2 * i], b = (guchar) raw[3 + 2 * i];
      units[i] = le ? (gunichar2) (a | b << 8) : (gunichar2) (a << 8 | b);
      if (!units[i])
        return;   /* GLib stops at U+0000, which the reader replaces */
    }
  glong written;
  g_autofree char *want = g_utf16_to_utf8 (units, (glong) n, NULL, &written, NULL);
  if (!want)
    return;
  check (d->bad == 0 && d->len == (gsize) written && memcmp (d->text, want, d->len) == 0,
         "UTF-16 decoded unlike g_utf16_to_utf8()");
}

/* The text file's record: the same text, and the count in meta. */
static void
check_record (Reader *r, const char *raw, gsize len, const Decoded *d)
{
  g_autoptr (DpRecord) rec = dp_record_new ("f", "fuzz", "", 0, NULL);
  g_autoptr (GError) error = NULL;
  gboolean ok = reader_decode_text (rec, raw, len, r, &error);
  check (ok == d->ok, "a text file decodes unlike its bytes");
  if (!ok)
    return;
  gsize n;
  const char *text = dp_record_get_text (rec, &n);
  check (n == d->len && memcmp (text, d->text, n) == 0, "a text file's record holds other text");
  JsonObject *meta = dp_record_get_meta (rec);
  check (json_object_get_int_member_with_default (meta, "invalid_utf8", 0) == d->bad,
         "meta.invalid_utf8 is not the count");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  Reader r = { .encoding = (char *) encodings[data[0] & 7] };
  const char *charset = charsets[(data[0] >> 3) & 7];
  const char *raw = (const char *) data + 1;
  gsize len = size - 1;

  Decoded d = decode (&r, raw, len, charset);
  check (d.ok, "refused under invalid-utf8 = replace");
  gboolean bom = len >= 2 && (memcmp (raw, "\xFF\xFE", 2) == 0 || memcmp (raw, "\xFE\xFF", 2) == 0);
  if (!bom && g_utf8_validate_len (raw, len, NULL))
    {
      gsize skip = len >= 3 && memcmp (raw, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
      check (d.bad == 0 && d.used == NULL && d.len == len - skip && memcmp (d.text, raw + skip, d.len) == 0,
             "valid UTF-8 not taken as it is");
    }
  check_utf16 (raw, len, &d);
  if (!charset)
    check_record (&r, raw, len, &d);

  r.reject_utf8 = TRUE;
  Decoded strict = decode (&r, raw, len, charset);
  check (strict.ok == (d.bad == 0), "reject refuses other than what replace repairs");
  check (strict.ok || g_error_matches (strict.error, DP_RECORD_ERROR, DP_RECORD_ERROR_INVALID_UTF8),
         "refused with another error");
  check (!strict.ok || (strict.len == d.len && memcmp (strict.text, d.text, d.len) == 0),
         "reject and replace decode valid text differently");

  r.reject_utf8 = FALSE;
  Decoded again = decode (&r, raw, len, charset);
  check (again.ok && again.len == d.len && memcmp (again.text, d.text, d.len) == 0 && again.bad == d.bad,
         "a second decoding differs");
  decoded_clear (&d);
  decoded_clear (&strict);
  decoded_clear (&again);
  return 0;
}
