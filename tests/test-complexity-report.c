/* test-complexity-report.c — the report's work grows linearly: 1x against 8x
 * documents through its pieces (data block, facts, counts, index), and one
 * document with 1x against 8x entities and claims (the claims find the
 * entities inside them by binary search, not by looking at all of them).
 * CPU time, never wall-clock limits (tests/complexity.h). */
#include "test-util.h"
#include "complexity.h"

#include "doc.h"
#include "overview.h"

static void
build_docs (GString *in, gsize size, gpointer data)
{
  for (guint i = 0; in->len < size; i++)
    {
      g_autofree char *num = g_strdup_printf ("%u", i);
      guint name_end = 18 + (guint) strlen (num);     /* "Minister Lena Vogt<i>" */
      guint said = name_end + 1, that = said + 5, brazil = that + 5;
      g_string_append_printf (in,
        "{\"id\":\"d%u\",\"text\":\"Minister Lena Vogt%u said that Brazil agreed. \\u00e9\","
        "\"meta\":{\"title\":\"Doc %u\",\"date\":\"2026-01-%02u\"},\"layers\":{\"entities\":["
        "{\"start\":9,\"end\":%u,\"label\":\"PER\",\"canonical\":\"Lena Vogt%u\"},"
        "{\"start\":%u,\"end\":%u,\"label\":\"LOC\",\"canonical\":\"Brazil\"}],"
        "\"claims\":[{\"start\":%u,\"end\":%u,\"act\":\"assert\",\"cue\":{\"start\":%u,\"end\":%u},"
        "\"speaker\":{\"start\":9,\"end\":%u,\"entity\":\"entities-1\"},\"hedges\":[]}]}}\n",
        i, i, i, i % 28 + 1, name_end, i, brazil, brazil + 6, brazil, brazil + 13, said, said + 4, name_end);
    }
}

/* One document: many entities, and many short claims each holding one. */
static void
build_one (GString *in, gsize size, gpointer data)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GString) ents = g_string_new (NULL);
  g_autoptr (GString) claims = g_string_new (NULL);
  for (guint i = 0; text->len * 3 < size; i++)
    {
      gsize at = text->len;
      g_string_append (text, "Peru said Chile won. ");
      g_string_append_printf (ents, "%s{\"start\":%zu,\"end\":%zu,\"label\":\"LOC\",\"canonical\":\"Chile%u\"}",
                              i ? "," : "", at + 10, at + 15, i % 1000);
      g_string_append_printf (claims, "%s{\"start\":%zu,\"end\":%zu,\"act\":\"assert\",\"cue\":{\"start\":%zu,\"end\":%zu},"
                              "\"speaker\":{\"start\":%zu,\"end\":%zu,\"canonical\":\"Peru\"}}",
                              i ? "," : "", at + 10, at + 19, at + 5, at + 9, at, at + 4);
    }
  g_string_append_printf (in, "{\"id\":\"one\",\"text\":\"%s\",\"layers\":{\"entities\":[%s],\"claims\":[%s]}}\n",
                          text->str, ents->str, claims->str);
}

/* Every line: a record, its data block and facts, counted; then the index. */
static void
work (const GString *in, gpointer data)
{
  g_autoptr (RpOverview) ov = rp_overview_new ();
  g_auto (GStrv) lines = g_strsplit (in->str, "\n", -1);
  guint n = 0;
  for (guint i = 0; lines[i]; i++)
    {
      if (!*lines[i])
        continue;
      g_autoptr (GError) error = NULL;
      g_autoptr (DpRecord) rec = dp_record_new ("x", "test", "", 0, &error);
      g_assert_true (dp_record_load_json (rec, lines[i], strlen (lines[i]), &error));
      g_assert_no_error (error);
      g_autoptr (RpDoc) doc = rp_doc_new (rec);
      rp_overview_add (ov, doc, TRUE, n++);
    }
  g_autoptr (GString) out = g_string_new (NULL);
  rp_overview_write (ov, out, "{}");
}

static void
test_documents (void)
{
  dp_test_assert_linear ("report, news-like documents", 256 * 1024, build_docs, work, NULL);
}

static void
test_one_document (void)
{
  dp_test_assert_linear ("report, one document of many entities and claims", 256 * 1024, build_one, work, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/report/complexity/documents", test_documents);
  g_test_add_func ("/report/complexity/one-document", test_one_document);
  return g_test_run ();
}
