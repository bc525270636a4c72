/* fuzz-ner.c — libFuzzer target: the whole NER (model, rules, a user
 * gazetteer, overlaps, linking) on any text.
 *
 * Input bytes become a record the way the reader makes one (invalid UTF-8
 * replaced) and are tagged with the shipped model.  Checked: no crash or
 * sanitizer report; entities sorted, inside the text, on character
 * boundaries, never overlapping; every one with a canonical name and a
 * cluster number between 1 and the number of entities.
 */
#include "tagger.h"

#include <docpipe/docpipe.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static DpNerTagger *
tagger (void)
{
  static DpNerTagger *t;
  if (!t)
    {
      g_autofree char *dir = g_dir_make_tmp ("fuzz-ner-XXXXXX", NULL);
      g_autofree char *gaz = g_build_filename (dir, "names.tsv", NULL);
      g_assert_true (g_file_set_contents (gaz, "WEAPON\tHwasong-11A\nORG\tKim Yong\tK\nPER\tA B C D\n", -1, NULL));
      DpNerOptions opts = {
        .model = DP_NER_SOURCE_DATA_DIR "/en-news.dpm",
        .gazetteers = DP_NER_SOURCE_DATA_DIR "/gazetteers",
        .clusters = DP_NER_SOURCE_DATA_DIR "/clusters.txt",
        .aliases = DP_NER_SOURCE_DATA_DIR "/aliases.tsv",
        .user_gazetteer = gaz,
        .rules = TRUE,
        .link = TRUE,
      };
      t = dp_ner_tagger_new (&opts, NULL);
      if (!t)
        abort ();
      g_unlink (gaz);
      g_rmdir (dir);
    }
  return t;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static DpNerScratch *scratch;
  if (!scratch)
    scratch = dp_ner_scratch_new (tagger ());
  g_autofree char *text = g_utf8_make_valid ((const char *) data, (gssize) size);
  gsize len = strlen (text);
  g_autoptr (DpRecord) rec = dp_record_new ("f", "fuzz", text, (gssize) len, NULL);
  if (!rec || !dp_ner_tagger_annotate (tagger (), scratch, rec, NULL))
    abort ();
  DpLayer *layer = dp_record_get_layer (rec, "entities");
  guint n = dp_layer_get_size (layer);
  gsize last_end = 0;
  for (guint i = 0; i < n; i++)
    {
      DpSpan *span = dp_layer_get_span (layer, i);
      gsize start = dp_span_get_start (span), end = dp_span_get_end (span);
      JsonObject *attrs = dp_span_get_attrs (span);
      gint64 cluster = json_object_get_int_member (attrs, "cluster");
      if (start >= end || end > len || start < last_end || !g_utf8_validate (text + start, (gssize) (end - start), NULL)
          || !json_object_get_string_member (attrs, "canonical") || cluster < 1 || cluster > n)
        abort ();
      last_end = end;
    }
  return 0;
}
