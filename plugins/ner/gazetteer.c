/* gazetteer.c — the NER's name lists: one table from a phrase to the set of
 * lists it is on.  Lists are plain text files, one entry per line, '#' lines
 * are comments (provenance, see docs/gazetteers.md).
 *
 * A phrase is looked up by the hashes of its lower-cased words, which the
 * feature code has already computed for every token, so a lookup hashes no
 * text.  Every proper prefix of a phrase is marked in the table too, so a
 * scan over a sentence stops extending a phrase as soon as no entry can
 * start that way: most tokens cost one probe.
 */
#include "gazetteer.h"
#include "files.h"
#include "names.h"

#include <string.h>

#include "seqtag.h"

#define PREFIX_BIT (1u << 31)   /* some longer phrase starts with this one */

static const char *const list_files[DP_GAZ_N_LISTS] = {
  "countries", "demonyms", "capitals", "cities", "subdivisions",
  "first-names", "surnames", "org-words", "person-titles", "currencies",
};

typedef struct {
  guint64 key;    /* phrase hash, 0 = empty */
  guint32 bits;   /* lists, | PREFIX_BIT */
} Slot;

struct _DpGazetteer {
  Slot *slots;
  gsize capacity, size;   /* capacity: a power of two, at most half full */
  /* Per slot, the top byte of its key with the low bit set, 0 when empty:
   * a sixteenth of the table's size, so most lookups of a phrase not on
   * any list (most words) end here without reading the slots. */
  guint8 *key_bytes;
};

static guint8
key_byte (guint64 key)
{
  return (guint8) (key >> 56) | 1;
}

const char *
dp_gaz_list_name (DpGazList list)
{
  return list < DP_GAZ_N_LISTS ? list_files[list] : "?";
}

guint64
dp_gaz_word_hash (const char *word, gsize len)
{
  char lower[DP_GAZ_MAX_WORD_BYTES];
  len = MIN (len, sizeof lower);
  for (gsize i = 0; i < len; i++)
    lower[i] = dp_name_lower (word[i]);
  return dp_gaz_lower_hash (lower, len);
}

guint64
dp_gaz_lower_hash (const char *lower, gsize len)
{
  return dp_seq_hash (0, lower, MIN (len, DP_GAZ_MAX_WORD_BYTES));
}

guint64
dp_gaz_phrase_extend (guint64 phrase, guint64 word)
{
  return dp_seq_hash_mix (phrase, word);
}

static Slot *
find_slot (Slot *slots, gsize capacity, guint64 key)
{
  gsize mask = capacity - 1;
  for (gsize s = key & mask;; s = (s + 1) & mask)
    if (slots[s].key == key || slots[s].key == 0)
      return &slots[s];
}

static void
insert (DpGazetteer *gaz, guint64 key, guint32 bits)
{
  if ((gaz->size + 1) * 2 > gaz->capacity)
    {
      gsize capacity = gaz->capacity ? gaz->capacity * 2 : 1024;
      Slot *slots = g_new0 (Slot, capacity);
      for (gsize i = 0; i < gaz->capacity; i++)
        if (gaz->slots[i].key)
          *find_slot (slots, capacity, gaz->slots[i].key) = gaz->slots[i];
      g_free (gaz->slots);
      gaz->slots = slots;
      gaz->capacity = capacity;
    }
  Slot *s = find_slot (gaz->slots, gaz->capacity, key);
  if (!s->key)
    s->key = key, gaz->size++;
  s->bits |= bits;
}

static void
add_list (DpGazetteer *gaz, DpGazList list, char *text)
{
  for (char *line = text, *next; line; line = next)
    {
      next = strchr (line, '\n');
      if (next)
        *next++ = '\0';
      g_strstrip (line);
      if (!*line || *line == '#')
        continue;
      guint64 words[DP_GAZ_MAX_WORDS];
      guint n = 0;
      gboolean too_long = FALSE;
      for (char *w = strtok_r (line, " \t", &line); w; w = strtok_r (NULL, " \t", &line))
        {
          if (n == DP_GAZ_MAX_WORDS)
            {
              too_long = TRUE;
              break;
            }
          words[n++] = dp_gaz_word_hash (w, strlen (w));
        }
      if (too_long || n == 0)
        continue;   /* phrases longer than the feature scan looks never match */
      guint64 h = words[0];
      for (guint i = 1; i < n; i++)
        {
          insert (gaz, h, PREFIX_BIT);
          h = dp_gaz_phrase_extend (h, words[i]);
        }
      insert (gaz, h, 1u << list);
    }
}

DpGazetteer *
dp_gazetteer_load (const char *dir, GError **error)
{
  DpGazetteer *gaz = g_new0 (DpGazetteer, 1);
  for (guint l = 0; l < DP_GAZ_N_LISTS; l++)
    {
      g_autofree char *name = g_strdup_printf ("%s.txt", list_files[l]);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = NULL;
      g_autoptr (GError) local = NULL;
      if (dp_ner_check_regular_file (path, &local) && g_file_get_contents (path, &text, NULL, &local))
        add_list (gaz, (DpGazList) l, text);
      else if (!g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          dp_gazetteer_free (gaz);
          return NULL;
        }
    }
  gaz->key_bytes = g_new0 (guint8, MAX (gaz->capacity, 1));
  for (gsize i = 0; i < gaz->capacity; i++)
    if (gaz->slots[i].key)
      gaz->key_bytes[i] = key_byte (gaz->slots[i].key);
  return gaz;
}

void
dp_gazetteer_free (DpGazetteer *gaz)
{
  if (!gaz)
    return;
  g_free (gaz->slots);
  g_free (gaz->key_bytes);
  g_free (gaz);
}

/* The slot holding @key, or NULL: find_slot()'s probe, reading a slot
 * only where its key byte matches. */
static const Slot *
lookup_slot (const DpGazetteer *gaz, guint64 key)
{
  gsize mask = gaz->capacity - 1;
  guint8 kb = key_byte (key);
  for (gsize s = key & mask;; s = (s + 1) & mask)
    {
      guint8 b = gaz->key_bytes[s];
      if (b == 0)
        return NULL;
      if (b == kb && gaz->slots[s].key == key)
        return &gaz->slots[s];
    }
}

guint32
dp_gazetteer_lookup_hash (const DpGazetteer *gaz, guint64 phrase, gboolean *longer)
{
  const Slot *s = gaz->capacity ? lookup_slot (gaz, phrase) : NULL;
  guint32 bits = s ? s->bits : 0;
  if (longer)
    *longer = (bits & PREFIX_BIT) != 0;
  return bits & ~PREFIX_BIT;
}

guint32
dp_gazetteer_lookup (const DpGazetteer *gaz, const char *const *words, const gsize *lens, guint n)
{
  if (n == 0 || n > DP_GAZ_MAX_WORDS)
    return 0;
  guint64 h = dp_gaz_word_hash (words[0], lens[0]);
  for (guint i = 1; i < n; i++)
    h = dp_gaz_phrase_extend (h, dp_gaz_word_hash (words[i], lens[i]));
  return dp_gazetteer_lookup_hash (gaz, h, NULL);
}

guint64
dp_gazetteer_fingerprint (const DpGazetteer *gaz)
{
  guint64 sum = 0;   /* a sum: the same whatever order the table holds them in */
  for (gsize i = 0; i < gaz->capacity; i++)
    if (gaz->slots[i].key)
      sum += dp_seq_hash_mix (gaz->slots[i].key, gaz->slots[i].bits);
  return sum;
}
