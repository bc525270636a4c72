/* fuzz-normalize.c — libFuzzer target: the normalizer on any bytes.
 *
 * Input bytes become a record the way the reader makes one (invalid UTF-8
 * replaced), then are normalized with options taken from the first byte.
 * Checked: no crash or sanitizer report, valid UTF-8 out, idempotence, and
 * every span of the result mapping inside the original text in order.
 */
#include "normalize.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static DpRecord *
normalized (const char *text, gsize len, const DpNormalizeOptions *opts)
{
  DpRecord *rec = dp_record_new ("f", "fuzz", text, (gssize) len, NULL);
  if (!rec || !dp_normalize_record (rec, opts, NULL))
    abort ();
  return rec;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  DpNormalizeOptions opts;
  dp_normalize_options_init (&opts);
  if (size > 0)
    {
      opts.nfkc = data[0] & 1;
      opts.fold_punctuation = (data[0] >> 1) & 1;
      opts.html_entities = !((data[0] >> 2) & 1);
      opts.reflow = (DpReflow) (((data[0] >> 3) & 3) % 3);
      opts.join_hyphens = !((data[0] >> 5) & 1);
      data++, size--;
    }
  g_autofree char *text = g_utf8_make_valid ((const char *) data, (gssize) size);
  DpRecord *rec = normalized (text, strlen (text), &opts);
  gsize len, olen;
  const char *out = dp_record_get_text (rec, &len);
  dp_record_get_original_text (rec, &olen);
  if (!g_utf8_validate_len (out, len, NULL))
    abort ();
  guint n;
  const DpToken *tokens = dp_record_tokens (rec, &n);
  gsize last = 0;
  for (guint i = 0; i < n; i++)
    {
      gsize s, e;
      dp_record_map_to_original (rec, tokens[i].start, tokens[i].end, &s, &e);
      if (s > e || e > olen || s < last)
        abort ();
      last = s;
    }
  DpRecord *again = normalized (out, len, &opts);
  if (strcmp (dp_record_get_text (again, NULL), out) != 0)
    abort ();
  dp_record_free (again);
  dp_record_free (rec);
  return 0;
}
