/* test-complexity-html.c — the HTML reader's cost grows linearly with the
 * page (1x against 8x CPU time, tests/complexity.h) on the shapes a hostile
 * or just odd page takes: nesting deep (closed, and never closed), very flat
 * (many paragraphs, many inline elements), long text, many attributes, and
 * many unclosed list items and table cells.  html.c and decode.c are compiled
 * in: the parse and the walk, not the process around them, are measured.
 */
#include "complexity.h"
#include "reader.h"

#include <string.h>

static void
repeat (GString *s, const char *piece, gsize size)
{
  while (s->len < size)
    g_string_append (s, piece);
}

static void
build_deep (GString *s, gsize size, gpointer data)
{
  gsize n = size / 24;
  for (gsize i = 0; i < n; i++)
    g_string_append (s, i % 2 ? "<div>" : "<span>");
  g_string_append (s, "deep");
  for (gsize i = n; i-- > 0;)
    g_string_append (s, i % 2 ? "</div>" : "</span>");
}

static void
build_deep_unclosed (GString *s, gsize size, gpointer data)
{
  repeat (s, "<section><b>x ", size);
}

static void
build_flat (GString *s, gsize size, gpointer data)
{
  g_string_append (s, "<html><body>");
  repeat (s, "<p>A short paragraph of text.</p>\n", size);
}

static void
build_inline (GString *s, gsize size, gpointer data)
{
  repeat (s, "<b>w</b> <i>x</i><a href=#>y</a> ", size);
}

static void
build_long_text (GString *s, gsize size, gpointer data)
{
  g_string_append (s, "<p>");
  repeat (s, "word   &amp; more\n\t words ", size);
}

static void
build_attributes (GString *s, gsize size, gpointer data)
{
  g_string_append (s, "<div");
  repeat (s, " data-a=\"1\" class=\"c d e\"", size);
  g_string_append (s, ">text</div>");
}

static void
build_soup (GString *s, gsize size, gpointer data)
{
  repeat (s, "<ul><li>a<li>b<table><tr><td>c<td>d<p>e", size);
}

static void
work (const GString *input, gpointer data)
{
  g_autoptr (JsonObject) meta = json_object_new ();
  g_free (reader_html_to_text (input->str, input->len, meta));
}

static void
test_shape (gconstpointer data)
{
  const DpTestBuildFunc build = (DpTestBuildFunc) data;
  const char *name = strrchr (g_test_get_path (), '/') + 1;
  dp_test_assert_linear (name, 64 * 1024, build, work, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  reader_html_init ();
  g_test_add_data_func ("/complexity/html/deep", build_deep, test_shape);
  g_test_add_data_func ("/complexity/html/deep-unclosed", build_deep_unclosed, test_shape);
  g_test_add_data_func ("/complexity/html/flat", build_flat, test_shape);
  g_test_add_data_func ("/complexity/html/inline", build_inline, test_shape);
  g_test_add_data_func ("/complexity/html/long-text", build_long_text, test_shape);
  g_test_add_data_func ("/complexity/html/attributes", build_attributes, test_shape);
  g_test_add_data_func ("/complexity/html/soup", build_soup, test_shape);
  return g_test_run ();
}
