/* fuzz-record-json.c — libFuzzer target: a JSON line from an untrusted source.
 *
 * Any bytes go through the reader's path (dp_record_load_json); whatever
 * loads must serialise to valid UTF-8 JSON that loads again to the same
 * serialisation.  Deep nesting, bad escapes and huge numbers must all end in
 * a clean error, never a crash.  The two parsers are held to each other:
 * a line the fast parser loads must pass the grammar check and load the
 * same through json-glib, and json-glib must accept every line the check
 * passes (it leaks on what it rejects).
 */
#include "record-private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *
serialise (DpRecord *rec)
{
  GString *out = g_string_new (NULL);
  dp_record_to_json (rec, out, DP_JSON_SPAN_TEXT);
  return g_string_free (out, FALSE);
}

/* json-glib accepts every line the grammar check passes. */
static void
check_agrees_with_json_glib (const char *line, size_t size)
{
  guint bad;
  g_autofree char *fixed = g_memdup2 (line, size);
  if (!dp_json_check (line, size, fixed, &bad, NULL))
    return;
  JsonParser *parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, fixed, (gssize) size, NULL))
    abort ();
  g_object_unref (parser);
}

/* A line the fast parser loads, json-glib's path loads to the same record. */
static void
check_fast_matches_glib (const char *line, size_t size)
{
  DpRecord *fast = dp_record_new (NULL, "fuzz", "", 0, NULL);
  if (dp_record_load_json_fast (fast, line, size, NULL) == DP_FAST_LOADED)
    {
      DpRecord *slow = dp_record_new (NULL, "fuzz", "", 0, NULL);
      if (!dp_record_load_json_glib (slow, line, size, NULL))
        abort ();
      g_autofree char *a = serialise (fast), *b = serialise (slow);
      if (strcmp (a, b) != 0)
        abort ();
      dp_record_free (slow);
    }
  dp_record_free (fast);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *line = (const char *) data;
  check_agrees_with_json_glib (line, size);
  check_fast_matches_glib (line, size);
  DpRecord *rec = dp_record_new (NULL, "fuzz", "", 0, NULL);
  if (dp_record_load_json (rec, line, size, NULL))
    {
      g_autofree char *out = serialise (rec);
      if (!g_utf8_validate (out, -1, NULL))
        abort ();
      DpRecord *back = dp_record_new (NULL, "fuzz", "", 0, NULL);
      if (!dp_record_load_json (back, out, strlen (out), NULL))
        abort ();
      g_autofree char *again = serialise (back);
      if (strcmp (again, out) != 0)
        abort ();
      dp_record_free (back);
    }
  dp_record_free (rec);
  return 0;
}
