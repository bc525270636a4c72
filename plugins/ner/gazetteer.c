/* gazetteer.c — the NER's name lists: one hash table from a lower-cased
 * phrase to the set of lists it is on.  Lists are plain text files, one entry
 * per line, '#' lines are comments (provenance, see docs/gazetteers.md). */
#include "gazetteer.h"

#include <string.h>

static const char *const list_files[DP_GAZ_N_LISTS] = {
  "countries", "demonyms", "capitals", "cities", "subdivisions",
  "first-names", "surnames", "org-words", "person-titles", "currencies",
};

struct _DpGazetteer {
  GHashTable *phrases;   /* lower-cased phrase -> GUINT_TO_POINTER (bits) */
};

const char *
dp_gaz_list_name (DpGazList list)
{
  return list < DP_GAZ_N_LISTS ? list_files[list] : "?";
}

/* ASCII lower-casing into @out (@size bytes); non-ASCII bytes are kept, which
 * is enough for matching: the lists and the text use the same spelling. */
static gsize
lower_into (char *out, gsize size, gsize at, const char *s, gsize len)
{
  for (gsize i = 0; i < len && at + 1 < size; i++)
    out[at++] = g_ascii_tolower (s[i]);
  return at;
}

static void
add_list (DpGazetteer *gaz, DpGazList list, const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *line = g_strstrip (lines[i]);
      if (!*line || *line == '#')
        continue;
      char key[256];
      gsize n = lower_into (key, sizeof key, 0, line, strlen (line));
      key[n] = '\0';
      guint32 bits = GPOINTER_TO_UINT (g_hash_table_lookup (gaz->phrases, key));
      g_hash_table_insert (gaz->phrases, g_strdup (key), GUINT_TO_POINTER (bits | (1u << list)));
    }
}

DpGazetteer *
dp_gazetteer_load (const char *dir, GError **error)
{
  DpGazetteer *gaz = g_new0 (DpGazetteer, 1);
  gaz->phrases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint l = 0; l < DP_GAZ_N_LISTS; l++)
    {
      g_autofree char *name = g_strdup_printf ("%s.txt", list_files[l]);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = NULL;
      g_autoptr (GError) local = NULL;
      if (g_file_get_contents (path, &text, NULL, &local))
        add_list (gaz, (DpGazList) l, text);
      else if (!g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          dp_gazetteer_free (gaz);
          return NULL;
        }
    }
  return gaz;
}

void
dp_gazetteer_free (DpGazetteer *gaz)
{
  if (!gaz)
    return;
  g_hash_table_unref (gaz->phrases);
  g_free (gaz);
}

guint32
dp_gazetteer_lookup (const DpGazetteer *gaz, const char *const *words, const gsize *lens, guint n)
{
  char key[256];
  gsize at = 0;
  for (guint i = 0; i < n; i++)
    {
      if (i)
        key[at++] = ' ';
      if (at + lens[i] + 2 >= sizeof key)
        return 0;
      at = lower_into (key, sizeof key, at, words[i], lens[i]);
    }
  key[at] = '\0';
  return GPOINTER_TO_UINT (g_hash_table_lookup (gaz->phrases, key));
}
