/* corpus.c — see corpus.h. */
#include "corpus.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

GPtrArray *
bench_load_texts (const char *path, gsize *bytes)
{
  g_autofree char *data = NULL;
  g_autoptr (GError) error = NULL;
  if (!g_file_get_contents (path, &data, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      exit (1);
    }
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (GStrv) lines = g_strsplit (data, "\n", -1);
  *bytes = 0;
  for (guint i = 0; lines[i]; i++)
    {
      if (!*lines[i] || !json_parser_load_from_data (parser, lines[i], -1, NULL))
        continue;
      JsonNode *root = json_parser_get_root (parser);
      if (!JSON_NODE_HOLDS_OBJECT (root) || !json_object_has_member (json_node_get_object (root), "text"))
        continue;
      const char *t = json_object_get_string_member (json_node_get_object (root), "text");
      g_ptr_array_add (texts, g_strdup (t));
      *bytes += strlen (t);
    }
  return texts;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

double
bench_median (double *values, int n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return values[n / 2];
}
