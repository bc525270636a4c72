/* test-complexity-claims.c — the claims stage's cost grows linearly with its
 * input: 1x against 8x documents of hostile shapes (tests/complexity.h) —
 * only quotations, quotation marks that never balance, only cue words, one
 * endless sentence of attributions, pronoun speakers with nothing to resolve
 * them to, one sentence of coordinated cues, a long quotation followed by
 * cue after cue — run through the stage in-process with the harness.  Kept out of
 * the unit tests that CI runs under valgrind.
 */
#include <docpipe/docpipe.h>
#include <docpipe/harness.h>

#include "complexity.h"

static DpHarness *harness;

static void
run_claims (const GString *input, gpointer data)
{
  g_autoptr (GString) json = g_string_new ("{\"text\":");
  dp_json_append_string (json, input->str, (gssize) input->len);
  g_string_append (json, ",\"layers\":{\"entities\":[]}}");
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_harness_push (harness, json->str, &error));
  g_assert_true (dp_harness_process (harness, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dp_harness_get_n_failed (harness), ==, 0);
  g_free (dp_harness_pull (harness));
}

/* A shape is one piece of text repeated to the size asked for. */
typedef struct {
  const char *what;
  const char *piece;
} Shape;

static const Shape shapes[] = {
  { "claims, only quotations",
    "\"We will respond,\" he said, \u201Cat once.\u201D \u00ABNo\u00BB \u2018yes\u2019 " },
  { "claims, unbalanced quotation marks", "\u201C word \" word ' word \u00AB word \u201E word \u2018 " },
  { "claims, quotations reopened over paragraphs", "\"He said so and more\n\n\"Again" },
  { "claims, only cue words",
    "said told denied according to quoted as saying urged called on in a statement allegedly " },
  { "claims, one long sentence", "the minister said that he told the agency that they denied that " },
  { "claims, pronoun speakers", "He said it was over. They said so, and warned that it may end. " },
  { "claims, one sentence of coordinated cues", "Kim said the talks failed and said the deal is off, adding that " },
};

/* One quotation as long as half the text, then cue after cue: claims whose
 * content the model starts inside the quotation take all of it. */
static void
build_long_quote (GString *out, gsize size, gpointer data)
{
  g_string_append (out, "\"");
  while (out->len < size / 2)
    g_string_append (out, "we will respond at a time of our choosing ");
  g_string_append (out, ",\" ");
  while (out->len < size)
    g_string_append (out, "she said, he added, they warned, ");
}

static void
test_long_quote (void)
{
  dp_test_assert_linear ("claims, a long quotation and many cues", 64 * 1024, build_long_quote, run_claims, NULL);
}

static void
build_shape (GString *out, gsize size, gpointer data)
{
  const Shape *shape = data;
  while (out->len < size)
    g_string_append (out, shape->piece);
}

static void
test_shape (gconstpointer data)
{
  const Shape *shape = data;
  dp_test_assert_linear (shape->what, 64 * 1024, build_shape, run_claims, (gpointer) shape);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_autoptr (GError) error = NULL;
  harness = dp_harness_new_parse (DP_TEST_PLUGINS, "claims", &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/complexity/claims/%" G_GSIZE_FORMAT, i);
      g_test_add_data_func (path, &shapes[i], test_shape);
    }
  g_test_add_func ("/complexity/claims/long-quote", test_long_quote);
  int rc = g_test_run ();
  dp_harness_free (harness);
  return rc;
}
