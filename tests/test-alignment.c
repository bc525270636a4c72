/* test-alignment.c — text rewrites and their alignment to the original text:
 * the builder's pieces, mapping of spans at and inside edits, repeated
 * rewrites composing exactly like mapping step by step, and the JSON output
 * with offsets in the original text. */
#include "alignment-private.h"
#include "record-private.h"

#include <string.h>

static DpRecord *
record (const char *text)
{
  g_autoptr (GError) error = NULL;
  DpRecord *rec = dp_record_new ("r", "test", text, -1, &error);
  g_assert_no_error (error);
  return rec;
}

static void
apply (DpRecord *rec, DpTextBuilder *b)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_record_apply_text (rec, b, &error));
  g_assert_no_error (error);
}

static void
assert_maps (DpRecord *rec, gsize start, gsize end, const char *expected)
{
  gsize s, e, len;
  dp_record_map_to_original (rec, start, end, &s, &e);
  const char *orig = dp_record_get_original_text (rec, &len);
  g_autofree char *got = g_strndup (orig + s, e - s);
  g_assert_cmpstr (got, ==, expected);
}

static void
test_builder (void)
{
  /* "AT&amp;T  said\u00a0no" -> "AT&T said no" */
  DpRecord *rec = record ("AT&amp;T  said\xc2\xa0no");
  gsize len;
  const char *src = dp_record_get_text (rec, &len);
  DpTextBuilder *b = dp_text_builder_new (src, len);
  dp_text_builder_copy (b, 0, 2);                  /* AT */
  dp_text_builder_replace (b, 2, 5, "&", -1);      /* &amp; */
  dp_text_builder_copy (b, 7, 1);                  /* T */
  dp_text_builder_replace (b, 8, 2, " ", -1);      /* two spaces */
  dp_text_builder_copy (b, 10, 4);                 /* said */
  dp_text_builder_replace (b, 14, 2, " ", -1);     /* NBSP */
  dp_text_builder_copy (b, 16, 2);                 /* no */
  g_assert_cmpuint (dp_text_builder_get_src_pos (b), ==, 18);
  apply (rec, b);
  g_assert_cmpstr (dp_record_get_text (rec, NULL), ==, "AT&T said no");
  g_assert_true (dp_record_has_alignment (rec));
  assert_maps (rec, 0, 4, "AT&amp;T");
  assert_maps (rec, 2, 3, "&amp;");
  assert_maps (rec, 5, 9, "said");
  assert_maps (rec, 10, 12, "no");
  assert_maps (rec, 0, 12, "AT&amp;T  said\xc2\xa0no");
  assert_maps (rec, 5, 5, "");
  dp_record_free (rec);
}

static void
test_deletions_and_insertions (void)
{
  /* Deleted text next to a word never joins its span. */
  DpRecord *rec = record ("x\xe2\x80\x8bword\xe2\x80\x8b!");
  gsize len;
  const char *src = dp_record_get_text (rec, &len);
  DpTextBuilder *b = dp_text_builder_new (src, len);
  dp_text_builder_copy (b, 0, 1);
  dp_text_builder_copy (b, 4, 4);            /* the zero-width spaces are skipped */
  dp_text_builder_replace (b, 8, 0, " ", -1); /* an inserted space */
  dp_text_builder_copy (b, 11, 1);
  apply (rec, b);
  g_assert_cmpstr (dp_record_get_text (rec, NULL), ==, "xword !");
  assert_maps (rec, 1, 5, "word");
  assert_maps (rec, 6, 7, "!");
  assert_maps (rec, 5, 6, "");
  dp_record_free (rec);
}

/* Same length is not enough to map byte for byte: the characters must line up. */
static void
test_equal_length_replacement (void)
{
  DpRecord *rec = record ("x\xe2\x80\xb4y");
  gsize len;
  const char *src = dp_record_get_text (rec, &len);
  DpTextBuilder *b = dp_text_builder_new (src, len);
  dp_text_builder_copy (b, 0, 1);
  dp_text_builder_replace (b, 1, 3, "\x27\x27\x27", 3);   /* a triple prime -> three apostrophes */
  dp_text_builder_copy (b, 4, 1);
  apply (rec, b);
  assert_maps (rec, 2, 3, "\xe2\x80\xb4");
  assert_maps (rec, 1, 2, "\xe2\x80\xb4");
  assert_maps (rec, 0, 5, "x\xe2\x80\xb4y");
  dp_record_free (rec);
}

static void
test_builder_rejects_broken_text (void)
{
  DpRecord *rec = record ("caf\xc3\xa9");
  gsize len;
  const char *src = dp_record_get_text (rec, &len);
  DpTextBuilder *b = dp_text_builder_new (src, len);
  dp_text_builder_copy (b, 0, 4);            /* cuts é in half */
  g_autoptr (GError) error = NULL;
  g_assert_false (dp_record_apply_text (rec, b, &error));
  g_assert_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_INVALID_UTF8);
  g_assert_cmpstr (dp_record_get_text (rec, NULL), ==, "caf\xc3\xa9");
  g_clear_error (&error);
  b = dp_text_builder_new (src, len);
  dp_text_builder_replace (b, 0, 1, "\xff", 1);
  g_assert_false (dp_record_apply_text (rec, b, &error));
  g_assert_false (dp_record_has_alignment (rec));
  dp_record_free (rec);
}

/* ---- composition ----------------------------------------------------------- */

/* A random rewrite of @rec's text: copies, replacements, deletions, insertions. */
static GArray *
random_rewrite (DpRecord *rec)
{
  static const char *const inserts[] = { "", " ", "ab", "\xc3\xa9", "--", "\n\n" };
  gsize len;
  const char *src = dp_record_get_text (rec, &len);
  DpTextBuilder *b = dp_text_builder_new (src, len);
  gsize pos = 0;
  while (pos < len)
    {
      gsize n = 1 + (gsize) g_test_rand_int_range (0, 4);
      n = MIN (n, len - pos);   /* the texts are ASCII, so any cut is a boundary */
      switch (g_test_rand_int_range (0, 4))
        {
        case 0: case 1:
          dp_text_builder_copy (b, pos, n);
          break;
        case 2:
          dp_text_builder_replace (b, pos, n, inserts[g_test_rand_int_range (0, 6)], -1);
          break;
        default:
          dp_text_builder_replace (b, pos, 0, inserts[g_test_rand_int_range (1, 6)], -1);
          dp_text_builder_copy (b, pos, n);
        }
      pos += n;
    }
  apply (rec, b);
  return g_array_ref (rec->align);
}

/* Composition checked directly: rewriting twice gives, for every offset, what
 * mapping through the second rewrite and then the first gives. */
static void
test_compose_direct (void)
{
  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr (GString) text = g_string_new (NULL);
      guint n = (guint) g_test_rand_int_range (1, 40);
      for (guint i = 0; i < n; i++)
        g_string_append_c (text, (char) ('a' + g_test_rand_int_range (0, 26)));
      DpRecord *rec = record (text->str);
      g_autoptr (GArray) first = random_rewrite (rec);
      gsize mid_len;
      const char *mid = dp_record_get_text (rec, &mid_len);
      gboolean ascii = TRUE;
      for (gsize i = 0; i < mid_len; i++)
        ascii &= (guchar) mid[i] < 0x80;
      if (!ascii)
        {
          dp_record_free (rec);
          continue;
        }
      /* Rewrite a copy to learn the second step's own alignment, then replay
       * exactly that rewrite on the record itself. */
      DpRecord *copy = record (mid);
      GArray *second = random_rewrite (copy);
      gsize out_len;
      const char *out = dp_record_get_text (copy, &out_len);
      /* Replay: unchanged bytes are copies, the rest replacements. */
      DpTextBuilder *b = dp_text_builder_new (mid, mid_len);
      for (guint i = 0; i < second->len; i++)
        {
          DpSeg *s = &g_array_index (second, DpSeg, i);
          if (s->linear && memcmp (mid + s->src, out + s->out, s->out_len) == 0)
            dp_text_builder_copy (b, s->src, s->src_end - s->src);
          else
            dp_text_builder_replace (b, s->src, s->src_end - s->src, out + s->out, (gssize) s->out_len);
        }
      apply (rec, b);
      g_assert_cmpstr (dp_record_get_text (rec, NULL), ==, out);
      /* Every offset a span can start at (not the very end) or end at (not
       * the very start): empty spans at the edges of the text are clamped. */
      for (gsize x = 0; x < out_len; x++)
        g_assert_cmpuint (dp_alignment_map_start (rec->align, x), ==,
                          dp_alignment_map_start (first, dp_alignment_map_start (second, x)));
      for (gsize x = 1; x <= out_len; x++)
        g_assert_cmpuint (dp_alignment_map_end (rec->align, x), ==,
                          dp_alignment_map_end (first, dp_alignment_map_end (second, x)));
      g_array_unref (second);
      dp_record_free (copy);
      dp_record_free (rec);
    }
}

/* ---- JSON ------------------------------------------------------------------ */

static void
test_json_original_offsets (void)
{
  /* "« Téhéran »" with a soft hyphen inside the name, rewritten to "Teheran". */
  DpRecord *rec = record ("Visit \xc2\xab T\xc3\xa9h\xc2\xad\xc3\xa9ran \xc2\xbb now");
  gsize len;
  const char *src = dp_record_get_text (rec, &len);
  DpTextBuilder *b = dp_text_builder_new (src, len);
  dp_text_builder_copy (b, 0, 6);                          /* "Visit " */
  dp_text_builder_replace (b, 6, 2, "\"", -1);             /* « */
  dp_text_builder_copy (b, 8, 1);                          /* space */
  dp_text_builder_copy (b, 9, 4);                          /* Téh */
  dp_text_builder_copy (b, 15, 5);                         /* éran: soft hyphen skipped */
  dp_text_builder_copy (b, 20, 1);
  dp_text_builder_replace (b, 21, 2, "\"", -1);            /* » */
  dp_text_builder_copy (b, 23, 4);                         /* " now" */
  apply (rec, b);
  g_assert_cmpstr (dp_record_get_text (rec, NULL), ==, "Visit \" T\xc3\xa9h\xc3\xa9ran \" now");
  DpLayer *layer = dp_record_ensure_layer (rec, "entities");
  g_assert_nonnull (dp_layer_add_span (layer, 8, 17, "LOC", NULL));   /* Téhéran */

  g_autoptr (GString) out = g_string_new (NULL);
  dp_record_to_json (rec, out, DP_JSON_SPAN_TEXT);
  g_assert_nonnull (strstr (out->str, "\"text\":\"Visit \\\" T\xc3\xa9h\xc3\xa9ran \\\" now\""));
  g_assert_nonnull (strstr (out->str, "{\"id\":\"entities-1\",\"start\":8,\"end\":15,\"label\":\"LOC\",\"text\":\"T\xc3\xa9h\xc3\xa9ran\"}"));

  g_string_truncate (out, 0);
  dp_record_to_json (rec, out, DP_JSON_SPAN_TEXT | DP_JSON_ORIGINAL);
  g_assert_nonnull (strstr (out->str, "\"text\":\"Visit \xc2\xab T\xc3\xa9h\xc2\xad\xc3\xa9ran \xc2\xbb now\""));
  /* Code points in the original: « is one, the soft hyphen is one more inside. */
  g_assert_nonnull (strstr (out->str, "{\"id\":\"entities-1\",\"start\":8,\"end\":16,\"label\":\"LOC\",\"text\":\"T\xc3\xa9h\xc2\xad\xc3\xa9ran\"}"));
  dp_record_free (rec);
}

static void
test_set_text_drops_alignment (void)
{
  DpRecord *rec = record ("a  b");
  gsize len;
  const char *src = dp_record_get_text (rec, &len);
  DpTextBuilder *b = dp_text_builder_new (src, len);
  dp_text_builder_copy (b, 0, 1);
  dp_text_builder_replace (b, 1, 2, " ", -1);
  dp_text_builder_copy (b, 3, 1);
  apply (rec, b);
  g_assert_true (dp_record_has_alignment (rec));
  g_assert_true (dp_record_set_text (rec, "new", -1, NULL));
  g_assert_false (dp_record_has_alignment (rec));
  g_assert_cmpstr (dp_record_get_original_text (rec, NULL), ==, "new");
  dp_record_free (rec);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/alignment/builder", test_builder);
  g_test_add_func ("/alignment/deletions-and-insertions", test_deletions_and_insertions);
  g_test_add_func ("/alignment/equal-length-replacement", test_equal_length_replacement);
  g_test_add_func ("/alignment/rejects-broken-text", test_builder_rejects_broken_text);
  g_test_add_func ("/alignment/compose", test_compose_direct);
  g_test_add_func ("/alignment/json-original-offsets", test_json_original_offsets);
  g_test_add_func ("/alignment/set-text-drops-alignment", test_set_text_drops_alignment);
  return g_test_run ();
}
