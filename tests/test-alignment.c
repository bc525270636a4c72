/* test-alignment.c — text rewrites and their alignment to the original text:
 * the builder's pieces, mapping of spans at and inside edits, repeated
 * rewrites composing exactly like mapping step by step, and the JSON output
 * with offsets in the original text. */
#include "alignment-private.h"
#include "record-private.h"
#include "test-util.h"

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

/* ---- layers through a rewrite ---------------------------------------------- */

/* A rewrite that changes nothing leaves every layer exactly as it was. */
static void
test_layers_survive_noop (void)
{
  DpRecord *rec = dp_test_record_from_json (
    "{\"id\":\"r\",\"text\":\"Tehran and Pyongyang met, \u00abofficials\u00bb said.\","
    "\"layers\":{\"entities\":[{\"start\":0,\"end\":6,\"label\":\"LOC\",\"canonical\":\"Tehran\"},"
    "{\"id\":\"given\",\"start\":11,\"end\":20,\"label\":\"LOC\"}],"
    "\"claims\":[{\"start\":0,\"end\":43,\"cue\":{\"start\":38,\"end\":42},"
    "\"hedges\":[{\"start\":0,\"end\":6},{\"start\":11,\"end\":20}],"
    "\"speaker\":{\"entity\":\"e1\",\"start\":27,\"end\":36},\"score\":0.5}],"
    "\"empty\":[]}}");
  g_autofree char *before = dp_test_record_to_json (rec);
  gsize len;
  const char *src = dp_record_get_text (rec, &len);
  DpTextBuilder *b = dp_text_builder_new (src, len);
  for (gsize at = 0, n; at < len; at += n)   /* in pieces, as a stage would */
    {
      n = MIN (5, len - at);
      while (at + n < len && ((guchar) src[at + n] & 0xC0) == 0x80)
        n++;
      dp_text_builder_copy (b, at, n);
    }
  apply (rec, b);
  g_autofree char *after = dp_test_record_to_json (rec);
  g_assert_cmpstr (after, ==, before);
  g_assert_false (json_object_has_member (dp_record_get_meta (rec), "dropped_spans"));
  dp_record_free (rec);
}

static DpSpan *
add_span (DpRecord *rec, const char *layer, gsize start, gsize end)
{
  g_autoptr (GError) error = NULL;
  DpSpan *span = dp_layer_add_span (dp_record_ensure_layer (rec, layer), start, end, NULL, &error);
  g_assert_no_error (error);
  return span;
}

static void
assert_span (DpRecord *rec, const char *layer, guint i, const char *expected)
{
  DpSpan *span = dp_layer_get_span (dp_record_get_layer (rec, layer), i);
  const char *text = dp_record_get_text (rec, NULL);
  g_autofree char *got = g_strndup (text + dp_span_get_start (span), dp_span_get_end (span) - dp_span_get_start (span));
  g_assert_cmpstr (got, ==, expected);
}

static JsonObject *
nested (gsize start, gsize end)
{
  JsonObject *obj = json_object_new ();
  json_object_set_int_member (obj, "start", (gint64) start);
  json_object_set_int_member (obj, "end", (gint64) end);
  return obj;
}

static void
assert_nested (DpRecord *rec, JsonObject *obj, const char *expected)
{
  const char *text = dp_record_get_text (rec, NULL);
  gint64 s = json_object_get_int_member (obj, "start"), e = json_object_get_int_member (obj, "end");
  g_autofree char *got = g_strndup (text + s, (gsize) (e - s));
  g_assert_cmpstr (got, ==, expected);
}

/* Spans over rewritten text cover what replaced it; a span that starts or
 * ends inside a replaced piece covers the whole piece. */
static void
test_layers_move (void)
{
  DpRecord *rec = record ("AT&amp;T  said\xc2\xa0no");
  add_span (rec, "x", 0, 8);     /* AT&amp;T */
  add_span (rec, "x", 2, 7);     /* &amp; */
  add_span (rec, "x", 3, 6);     /* amp, inside the entity */
  add_span (rec, "x", 8, 10);    /* the two spaces */
  DpSpan *said = add_span (rec, "x", 10, 14);
  add_span (rec, "x", 16, 18);   /* no */
  add_span (rec, "x", 14, 14);   /* empty, before the NBSP */
  JsonObject *attrs = dp_span_get_attrs (said);
  json_object_set_object_member (attrs, "cue", nested (14, 18));   /* NBSP + no */
  JsonArray *items = json_array_new ();
  json_array_add_object_element (items, nested (0, 2));
  json_array_add_object_element (items, nested (2, 18));
  json_object_set_array_member (attrs, "hedges", items);
  gsize len;
  const char *src = dp_record_get_text (rec, &len);
  DpTextBuilder *b = dp_text_builder_new (src, len);
  dp_text_builder_copy (b, 0, 2);
  dp_text_builder_replace (b, 2, 5, "&", -1);
  dp_text_builder_copy (b, 7, 1);
  dp_text_builder_replace (b, 8, 2, " ", -1);
  dp_text_builder_copy (b, 10, 4);
  dp_text_builder_replace (b, 14, 2, " ", -1);
  dp_text_builder_copy (b, 16, 2);
  apply (rec, b);
  g_assert_cmpstr (dp_record_get_text (rec, NULL), ==, "AT&T said no");
  g_assert_cmpuint (dp_layer_get_size (dp_record_get_layer (rec, "x")), ==, 7);
  assert_span (rec, "x", 0, "AT&T");
  assert_span (rec, "x", 1, "&");
  assert_span (rec, "x", 2, "&");
  assert_span (rec, "x", 3, " ");
  assert_span (rec, "x", 4, "said");
  assert_span (rec, "x", 5, "no");
  g_assert_cmpuint (dp_span_get_start (dp_layer_get_span (dp_record_get_layer (rec, "x"), 6)), ==, 9);
  assert_nested (rec, json_object_get_object_member (attrs, "cue"), " no");
  items = json_object_get_array_member (attrs, "hedges");
  assert_nested (rec, json_array_get_object_element (items, 0), "AT");
  assert_nested (rec, json_array_get_object_element (items, 1), "&T said no");
  /* Mapped to the original, the moved spans cover what they covered. */
  assert_maps (rec, dp_span_get_start (said), dp_span_get_end (said), "said");
  dp_record_free (rec);
}

/* A span whose text was deleted is dropped and counted in meta
 * "dropped_spans"; the spans after it keep their ids. */
static void
test_layers_deleted (void)
{
  DpRecord *rec = record ("x\xe2\x80\x8bword\xe2\x80\x8b!");
  add_span (rec, "entities", 1, 4);                /* the first zero-width space */
  add_span (rec, "entities", 0, 4);                /* x and the zero-width space */
  DpSpan *word = add_span (rec, "entities", 4, 8);
  add_span (rec, "entities", 8, 11);               /* the second one, where a space is inserted */
  add_span (rec, "entities", 11, 12);              /* ! */
  add_span (rec, "other", 4, 8);
  JsonObject *attrs = dp_span_get_attrs (word);
  json_object_set_object_member (attrs, "cue", nested (1, 4));
  JsonArray *items = json_array_new ();
  json_array_add_object_element (items, nested (1, 4));
  json_array_add_object_element (items, nested (4, 8));
  json_array_add_object_element (items, nested (8, 11));
  json_object_set_array_member (attrs, "hedges", items);
  JsonObject *speaker = nested (4, 12);
  json_object_set_string_member (speaker, "entity", "entities-5");
  json_object_set_object_member (speaker, "inner", nested (8, 11));
  json_object_set_object_member (attrs, "speaker", speaker);
  DpLayer *entities = dp_record_get_layer (rec, "entities");
  g_autofree char *id_word = dp_span_dup_id (word);
  g_autofree char *id_last = dp_span_dup_id (dp_layer_get_span (entities, 4));

  gsize len;
  const char *src = dp_record_get_text (rec, &len);
  DpTextBuilder *b = dp_text_builder_new (src, len);
  dp_text_builder_copy (b, 0, 1);
  dp_text_builder_copy (b, 4, 4);
  dp_text_builder_replace (b, 8, 0, " ", -1);
  dp_text_builder_copy (b, 11, 1);
  apply (rec, b);
  g_assert_cmpstr (dp_record_get_text (rec, NULL), ==, "xword !");
  g_assert_cmpuint (dp_layer_get_size (entities), ==, 3);
  assert_span (rec, "entities", 0, "x");
  assert_span (rec, "entities", 1, "word");
  assert_span (rec, "entities", 2, "!");
  assert_span (rec, "other", 0, "word");
  g_autofree char *id_word_after = dp_span_dup_id (dp_layer_get_span (entities, 1));
  g_autofree char *id_last_after = dp_span_dup_id (dp_layer_get_span (entities, 2));
  g_assert_cmpstr (id_word_after, ==, id_word);
  g_assert_cmpstr (id_last_after, ==, id_last);
  g_assert_false (json_object_has_member (attrs, "cue"));
  items = json_object_get_array_member (attrs, "hedges");
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  assert_nested (rec, json_array_get_object_element (items, 0), "word");
  assert_nested (rec, speaker, "word !");
  g_assert_cmpstr (json_object_get_string_member (speaker, "entity"), ==, "entities-5");
  g_assert_false (json_object_has_member (speaker, "inner"));
  JsonObject *counts = json_object_get_object_member (dp_record_get_meta (rec), "dropped_spans");
  g_assert_nonnull (counts);
  g_assert_cmpint (json_object_get_int_member (counts, "entities"), ==, 2 + 4);   /* 2 spans, 4 nested */
  g_assert_false (json_object_has_member (counts, "other"));

  /* A second rewrite adds to the counts. */
  src = dp_record_get_text (rec, &len);
  b = dp_text_builder_new (src, len);
  dp_text_builder_copy (b, 0, 5);   /* " !" deleted */
  apply (rec, b);
  g_assert_cmpuint (dp_layer_get_size (entities), ==, 2);
  g_assert_cmpint (json_object_get_int_member (counts, "entities"), ==, 7);
  dp_record_free (rec);
}

/* Many spans over a long rewritten text move in about linear time: each is
 * placed by a binary search, and dropping many costs no shifting. */
static void
test_layers_many (void)
{
  g_autoptr (GString) text = g_string_new (NULL);
  for (guint i = 0; i < 20000; i++)
    g_string_append (text, "ab&amp;c ");
  DpRecord *rec = record (text->str);
  for (guint i = 0; i < 20000; i++)
    {
      add_span (rec, "words", i * 9, i * 9 + 8);
      add_span (rec, "spaces", i * 9 + 8, i * 9 + 9);
    }
  gsize len;
  const char *src = dp_record_get_text (rec, &len);
  DpTextBuilder *b = dp_text_builder_new (src, len);
  for (guint i = 0; i < 20000; i++)
    {
      dp_text_builder_copy (b, i * 9, 2);
      dp_text_builder_replace (b, i * 9 + 2, 5, "&", -1);
      dp_text_builder_copy (b, i * 9 + 7, 1);   /* the space is deleted */
    }
  apply (rec, b);
  g_assert_cmpuint (dp_layer_get_size (dp_record_get_layer (rec, "words")), ==, 20000);
  g_assert_cmpuint (dp_layer_get_size (dp_record_get_layer (rec, "spaces")), ==, 0);
  assert_span (rec, "words", 19999, "ab&c");
  JsonObject *counts = json_object_get_object_member (dp_record_get_meta (rec), "dropped_spans");
  g_assert_cmpint (json_object_get_int_member (counts, "spaces"), ==, 20000);
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
  g_test_add_func ("/alignment/layers/survive-noop", test_layers_survive_noop);
  g_test_add_func ("/alignment/layers/move", test_layers_move);
  g_test_add_func ("/alignment/layers/deleted", test_layers_deleted);
  g_test_add_func ("/alignment/layers/many", test_layers_many);
  return g_test_run ();
}
