/* fuzz-record-json.c — libFuzzer target: a JSON line from an untrusted source.
 *
 * Any bytes go through the reader's path (dp_record_load_json); whatever
 * loads must serialise to valid UTF-8 JSON that loads again to the same
 * serialisation.  Deep nesting, bad escapes and huge numbers must all end in
 * a clean error, never a crash.
 */
#include <docpipe/docpipe.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  DpRecord *rec = dp_record_new (NULL, "fuzz", "", 0, NULL);
  if (dp_record_load_json (rec, (const char *) data, size, NULL))
    {
      GString *out = g_string_new (NULL);
      dp_record_to_json (rec, out, DP_JSON_SPAN_TEXT);
      if (!g_utf8_validate_len (out->str, out->len, NULL))
        abort ();
      DpRecord *back = dp_record_new (NULL, "fuzz", "", 0, NULL);
      if (!dp_record_load_json (back, out->str, out->len, NULL))
        abort ();
      GString *again = g_string_new (NULL);
      dp_record_to_json (back, again, DP_JSON_SPAN_TEXT);
      if (strcmp (again->str, out->str) != 0)
        abort ();
      g_string_free (again, TRUE);
      g_string_free (out, TRUE);
      dp_record_free (back);
    }
  dp_record_free (rec);
  return 0;
}
