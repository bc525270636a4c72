/* fuzz-usergaz.c — libFuzzer target: the ner stage's user-gazetteer loader
 * (plugins/ner/usergaz.c) and matcher on any list and any document.
 *
 * The input is a gazetteer file, then a NUL byte, then a document (no NUL:
 * the list matched against itself).  The first byte's low bit loads the list
 * from a temporary file (the stage's path) instead of from memory.
 * Checked: no crash or sanitizer report; a refused list is a G_FILE_ERROR
 * naming its file and adds nothing; on the document (invalid UTF-8 made
 * valid, as the reader does), matches are in text order, never overlap, lie
 * on the document's tokens with the tokens' offsets, have at most
 * DP_USER_GAZ_MAX_TOKENS tokens, a label and a canonical name, and the name
 * each one matched looks up to that same canonical name; a second search
 * finds the same.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"
#include "usergaz.h"

#define check fuzz_check

static DpUserGaz *
load (const char *list, gsize len, gboolean from_file, const char **origin)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpUserGaz) g = dp_user_gaz_new ();
  gboolean ok;
  if (from_file)
    {
      g_autofree char *path = fuzz_write_file ("list.tsv", list, len);
      ok = dp_user_gaz_add_file (g, path, &error);
      *origin = "list.tsv";   /* the message names the path, which ends so */
    }
  else
    {
      ok = dp_user_gaz_add_data (g, "fuzz.tsv", list, len, &error);
      *origin = "fuzz.tsv";
    }
  if (!ok)
    {
      check (error && error->domain == G_FILE_ERROR, "refused without a G_FILE_ERROR");
      check (strstr (error->message, *origin) != NULL, "error does not name the file");
      check (dp_user_gaz_size (g) == 0, "a refused list added entries");
      return NULL;
    }
  check (error == NULL, "accepted with an error set");
  return g_steal_pointer (&g);
}

static void
check_matches (const DpUserGaz *g, const char *text, const DpToken *t, guint n, GArray *m)
{
  guint next_token = 0;
  for (guint i = 0; i < m->len; i++)
    {
      const DpUserGazMatch *x = &g_array_index (m, DpUserGazMatch, i);
      check (x->n_tokens > 0 && x->n_tokens <= DP_USER_GAZ_MAX_TOKENS, "match of no or too many tokens");
      check (x->first_token >= next_token, "matches overlap or are out of order");
      check ((guint64) x->first_token + x->n_tokens <= n, "match past the last token");
      guint last = x->first_token + x->n_tokens - 1;
      check (x->start == t[x->first_token].start && x->end == t[last].end, "match offsets are not its tokens'");
      check (x->label && *x->label && x->canonical, "match without a label or canonical name");
      const char *label = NULL;
      const char *canonical = dp_user_gaz_canonical (g, text + x->start, x->end - x->start, &label);
      check (canonical != NULL, "a matched name does not look up");
      check (strcmp (canonical, x->canonical) == 0 && strcmp (label, x->label) == 0,
             "a matched name looks up to another entry");
      next_token = last + 1;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  gboolean from_file = size > 0 && (data[0] & 1);
  const char *list = (const char *) data + (size > 0);
  gsize list_len = size - (size > 0);
  const char *nul = memchr (list, '\0', list_len);
  const char *doc = nul ? nul + 1 : list;
  gsize doc_len = nul ? list_len - (gsize) (nul + 1 - list) : list_len;
  if (nul)
    list_len = (gsize) (nul - list);

  const char *origin;
  g_autoptr (DpUserGaz) g = load (list, list_len, from_file, &origin);
  if (!g)
    return 0;
  g_autofree char *text = fuzz_make_valid (doc, doc_len);
  gsize len = strlen (text);
  g_autoptr (GArray) tokens = g_array_new (FALSE, FALSE, sizeof (DpToken));
  dp_tokenize (text, len, tokens);
  const DpToken *t = (const DpToken *) (gpointer) tokens->data;
  g_autoptr (GArray) m = g_array_new (FALSE, FALSE, sizeof (DpUserGazMatch));
  dp_user_gaz_find (g, text, t, tokens->len, m);
  check_matches (g, text, t, tokens->len, m);
  g_autoptr (GArray) again = g_array_new (FALSE, FALSE, sizeof (DpUserGazMatch));
  dp_user_gaz_find (g, text, t, tokens->len, again);
  check (again->len == m->len, "a second search finds another number of matches");
  return 0;
}
