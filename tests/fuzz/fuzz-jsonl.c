/* fuzz-jsonl.c — libFuzzer target: the reader as a whole on a JSON-lines
 * file of many lines (plugins/reader: line splitting, over-long lines, BOM
 * and CRLF, then each line's decoding with text-field and id-field).
 *
 * The first byte picks text-field and id-field (defaults, renamed, or the
 * same field for both) and a small max-record-size; the rest is the file,
 * read through the plugin's entry points by the SDK's harness, as a
 * pipeline reads it.  Checked: no crash or sanitizer report; the read does
 * not fail as a whole; every non-blank line becomes exactly one record,
 * passed on or dead-lettered; records passed on are in line order (sources
 * FILE:LINE), have an id and load again as records; a dead letter has a
 * message.
 */
#include <docpipe/harness.h>

#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"

#define check fuzz_check

static const char *const text_fields[] = { NULL, "body", "text", "id" };
static const char *const id_fields[] = { NULL, "doc", "text", "n" };

/* Lines holding something other than whitespace, as the reader counts them. */
static guint
count_lines (const char *data, gsize len)
{
  guint n = 0, line = 0;
  const char *p = data, *end = data + len;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      const char *stop = nl ? nl : end;
      if (++line == 1 && stop - p >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
      for (const char *q = p; q < stop; q++)
        if (!g_ascii_isspace (*q))
          {
            n++;
            break;
          }
      p = stop + 1;
    }
  return n;
}

/* The line number at the end of a source "PATH:LINE". */
static guint64
source_line (const char *json)
{
  g_autoptr (DpRecord) rec = dp_record_new (NULL, "x", "", 0, NULL);
  g_autoptr (GError) error = NULL;
  check (dp_record_load_json (rec, json, strlen (json), &error), "an output record does not load again");
  const char *source = dp_record_get_source (rec);
  const char *colon = source ? strrchr (source, ':') : NULL;
  check (colon != NULL, "a record's source has no line number");
  return g_ascii_strtoull (colon + 1, NULL, 10);
}

static void
check_output (DpHarness *h)
{
  guint64 last = 0;
  char *json;
  while ((json = dp_harness_pull (h)))
    {
      g_autoptr (DpRecord) rec = dp_record_new (NULL, "x", "", 0, NULL);
      check (dp_record_load_json (rec, json, strlen (json), NULL), "an output record does not load again");
      check (dp_record_get_id (rec) && *dp_record_get_id (rec), "a record without an id");
      guint64 line = source_line (json);
      check (line > last, "records out of line order");
      last = line;
      g_free (json);
    }
  last = 0;
  char *message = NULL;
  while ((json = dp_harness_pull_failed (h, &message)))
    {
      check (message && *message, "a dead letter without a message");
      g_free (message);
      g_free (json);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  g_autofree char *path = fuzz_write_file ("in.jsonl", data + 1, size - 1);
  g_autoptr (GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (params, g_strdup_printf ("path=%s", path));
  g_ptr_array_add (params, g_strdup ("format=jsonl"));
  if (text_fields[data[0] & 3])
    g_ptr_array_add (params, g_strdup_printf ("text-field=%s", text_fields[data[0] & 3]));
  if (id_fields[(data[0] >> 2) & 3])
    g_ptr_array_add (params, g_strdup_printf ("id-field=%s", id_fields[(data[0] >> 2) & 3]));
  if (data[0] & 16)
    g_ptr_array_add (params, g_strdup ("max-record-size=64"));
  g_ptr_array_add (params, NULL);

  g_autoptr (GError) error = NULL;
  g_autoptr (DpHarness) h = dp_harness_new (DP_FUZZ_READER_PLUGIN, "reader",
                                            (const char *const *) params->pdata, &error);
  check (h != NULL, error ? error->message : "no reader");
  dp_harness_set_batch_size (h, 7);   /* lines straddle batches */
  check (dp_harness_process (h, &error), error ? error->message : "the read failed");
  guint want = count_lines ((const char *) data + 1, size - 1);
  check (dp_harness_get_n_output (h) + dp_harness_get_n_failed (h) == want,
         "not one record per non-blank line");
  check_output (h);
  check (dp_harness_finish (h, &error), error ? error->message : "finish failed");
  return 0;
}
