/* bench-tokenize.c — throughput of dp_tokenize + dp_split_sentences.
 *
 * Usage: bench-tokenize [FILE]
 *
 * FILE is JSON lines with a "text" member per line (default: the shared news
 * corpus).  All texts are parsed up front so only tokenizing and splitting are
 * timed; the run is repeated and the median reported, which is steadier than
 * the mean on a shared machine.
 */
#include <docpipe/tokens.h>

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CORPUS "../shared/data/corpus/news.jsonl"
#define REPETITIONS 5

static GPtrArray *
load_texts (const char *path, gsize *total_bytes, GError **error)
{
  g_autofree char *contents = NULL;
  gsize length;
  GPtrArray *texts;
  g_autoptr (JsonParser) parser = json_parser_new ();
  char *line, *next;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  texts = g_ptr_array_new_with_free_func (g_free);
  *total_bytes = 0;
  for (line = contents; line < contents + length; line = next)
    {
      char *eol = memchr (line, '\n', contents + length - line);
      JsonNode *root;
      JsonObject *obj;

      next = eol ? eol + 1 : contents + length;
      if (eol == line || line[0] == '\r')
        continue;
      if (!json_parser_load_from_data (parser, line, (eol ? eol : next) - line, error))
        {
          g_ptr_array_unref (texts);
          return NULL;
        }
      root = json_parser_get_root (parser);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        continue;
      obj = json_node_get_object (root);
      if (!json_object_has_member (obj, "text"))
        continue;
      const char *text = json_object_get_string_member (obj, "text");
      if (text == NULL)
        continue;
      g_ptr_array_add (texts, g_strdup (text));
      *total_bytes += strlen (text);
    }
  return texts;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
  const char *path = argc > 1 ? argv[1] : DEFAULT_CORPUS;
  g_autoptr (GError) error = NULL;
  GPtrArray *texts;
  gsize total_bytes = 0;
  GArray *tokens, *sentences;
  double seconds[REPETITIONS];
  guint64 n_tokens = 0, n_sentences = 0;

  if (argc > 2 || (argc == 2 && (strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "--help") == 0)))
    {
      fprintf (stderr, "Usage: %s [FILE]\n"
                       "Times dp_tokenize + dp_split_sentences over the \"text\" of each\n"
                       "JSON line of FILE (default %s).\n", argv[0], DEFAULT_CORPUS);
      return argc > 2 ? 2 : 0;
    }

  texts = load_texts (path, &total_bytes, &error);
  if (texts == NULL)
    {
      fprintf (stderr, "%s: %s\n", path, error->message);
      return 1;
    }

  tokens = g_array_sized_new (FALSE, FALSE, sizeof (DpToken), 4096);
  sentences = g_array_sized_new (FALSE, FALSE, sizeof (DpSentence), 256);
  for (guint rep = 0; rep < REPETITIONS; rep++)
    {
      gint64 t0 = g_get_monotonic_time ();

      n_tokens = n_sentences = 0;
      for (guint i = 0; i < texts->len; i++)
        {
          const char *text = texts->pdata[i];
          gsize len = strlen (text);

          /* reuse the arrays, as a record cache would not, to time the
           * tokenizer rather than malloc */
          g_array_set_size (tokens, 0);
          g_array_set_size (sentences, 0);
          dp_tokenize (text, len, tokens);
          dp_split_sentences (text, len, (const DpToken *) tokens->data, tokens->len, sentences);
          n_tokens += tokens->len;
          n_sentences += sentences->len;
        }
      seconds[rep] = (g_get_monotonic_time () - t0) / 1e6;
    }
  qsort (seconds, REPETITIONS, sizeof seconds[0], compare_doubles);

  double median = seconds[REPETITIONS / 2];
  printf ("file:       %s\n", path);
  printf ("texts:      %u\n", texts->len);
  printf ("bytes:      %" G_GSIZE_FORMAT "\n", total_bytes);
  printf ("tokens:     %" G_GUINT64_FORMAT "\n", n_tokens);
  printf ("sentences:  %" G_GUINT64_FORMAT "\n", n_sentences);
  printf ("median:     %.3f s over %d runs (min %.3f, max %.3f)\n",
          median, REPETITIONS, seconds[0], seconds[REPETITIONS - 1]);
  printf ("throughput: %.1f MB/s, %.2f M tokens/s\n",
          total_bytes / median / 1e6, n_tokens / median / 1e6);

  g_array_unref (sentences);
  g_array_unref (tokens);
  g_ptr_array_unref (texts);
  return 0;
}
