/* clusters.c — the NER's word clusters: the file is read once into one block,
 * and two open-addressing tables (exact spelling, ASCII lower-cased spelling)
 * point into it, so a lookup allocates nothing and copies at most the word. */
#include "clusters.h"
#include "files.h"
#include "names.h"
#include "seqtag.h"

#include <string.h>

#define MAX_LOOKUP 256

typedef struct {
  guint32 word, word_len;   /* offsets into text (and lower, which has the same layout) */
  guint32 bits, bits_len;
} Entry;

struct _DpClusters {
  char *text;       /* the file's contents */
  char *lower;      /* the same, ASCII lower-cased */
  Entry *entries;
  guint n;
  guint32 *exact;   /* entry index + 1, 0 for empty */
  guint32 *folded;
  guint32 mask;
};

static guint32
hash_bytes (const char *s, gsize len)
{
  guint32 h = 2166136261u;
  for (gsize i = 0; i < len; i++)
    h = (h ^ (guchar) s[i]) * 16777619u;
  return h ^ (h >> 15);
}

/* The slot of key @s in @table: where it is, or the empty slot where it would go. */
static guint32
probe (const DpClusters *c, const guint32 *table, const char *base, const char *s, gsize len)
{
  for (guint32 i = hash_bytes (s, len) & c->mask;; i = (i + 1) & c->mask)
    {
      guint32 e = table[i];
      if (!e)
        return i;
      const Entry *en = &c->entries[e - 1];
      if (en->word_len == len && memcmp (base + en->word, s, len) == 0)
        return i;
    }
}

static gboolean
fail (GError **error, const char *path, guint line, const char *what)
{
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: %s", path, line, what);
  return FALSE;
}

static gboolean
parse (DpClusters *c, const char *path, gsize size, GError **error)
{
  GArray *entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  guint line_no = 0;
  gboolean ok = TRUE;
  for (gsize at = 0; at < size && ok;)
    {
      line_no++;
      char *line = c->text + at;
      char *end = memchr (line, '\n', size - at);
      gsize len = end ? (gsize) (end - line) : size - at;
      at += len + 1;
      if (len && line[len - 1] == '\r')
        len--;
      if (len == 0 || line[0] == '#')
        continue;
      char *tab = memchr (line, '\t', len);
      if (!tab)
        {
          ok = fail (error, path, line_no, "expected bits<TAB>word");
          break;
        }
      gsize bits_len = (gsize) (tab - line);
      char *word = tab + 1;
      char *tab2 = memchr (word, '\t', len - bits_len - 1);
      gsize word_len = tab2 ? (gsize) (tab2 - word) : len - bits_len - 1;
      if (bits_len == 0 || bits_len > 255 || strspn (line, "01") != bits_len)
        ok = fail (error, path, line_no, "the bit string must be 1 to 255 characters '0' or '1'");
      else if (word_len == 0 || word_len > 0xFFFF)
        ok = fail (error, path, line_no, "no word");
      else if (!g_utf8_validate (word, (gssize) word_len, NULL))
        ok = fail (error, path, line_no, "the word is not valid UTF-8");
      else
        {
          Entry e = { (guint32) (word - c->text), (guint32) word_len, (guint32) (line - c->text), (guint32) bits_len };
          g_array_append_val (entries, e);
        }
    }
  c->n = entries->len;
  c->entries = (Entry *) g_array_free (entries, FALSE);
  if (!ok)
    return FALSE;

  guint32 table_size = 16;
  while (table_size < 2 * c->n)
    table_size *= 2;
  c->mask = table_size - 1;
  c->exact = g_new0 (guint32, table_size);
  c->folded = g_new0 (guint32, table_size);
  c->lower = g_malloc (size + 1);
  for (gsize i = 0; i <= size; i++)
    c->lower[i] = g_ascii_tolower (c->text[i]);
  for (guint i = 0; i < c->n; i++)
    {
      const Entry *e = &c->entries[i];
      guint32 slot = probe (c, c->exact, c->text, c->text + e->word, e->word_len);
      if (c->exact[slot])
        {
          /* Report the line: count newlines up to the entry. */
          guint line = 1;
          for (guint32 k = 0; k < e->word; k++)
            line += c->text[k] == '\n';
          return fail (error, path, line, "the word is listed twice");
        }
      c->exact[slot] = i + 1;
      slot = probe (c, c->folded, c->lower, c->lower + e->word, e->word_len);
      if (!c->folded[slot])
        c->folded[slot] = i + 1;   /* the first, most frequent spelling wins */
    }
  return TRUE;
}

guint64
dp_clusters_fingerprint (const DpClusters *c)
{
  guint64 sum = 0;   /* over the words and paths, not comments */
  for (guint i = 0; c && i < c->n; i++)
    {
      const Entry *e = &c->entries[i];
      sum += dp_seq_hash_mix (dp_seq_hash (0, c->text + e->word, e->word_len),
                              dp_seq_hash (1, c->text + e->bits, e->bits_len));
    }
  return sum;
}

DpClusters *
dp_clusters_load (const char *path, GError **error)
{
  DpClusters *c = g_new0 (DpClusters, 1);
  gsize size;
  if (!dp_ner_check_regular_file (path, error) || !g_file_get_contents (path, &c->text, &size, error))
    {
      dp_clusters_free (c);
      return NULL;
    }
  if (size >= G_MAXUINT32 / 2)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: too large", path);
      dp_clusters_free (c);
      return NULL;
    }
  if (!parse (c, path, size, error))
    {
      dp_clusters_free (c);
      return NULL;
    }
  return c;
}

void
dp_clusters_free (DpClusters *c)
{
  if (!c)
    return;
  g_free (c->text);
  g_free (c->lower);
  g_free (c->entries);
  g_free (c->exact);
  g_free (c->folded);
  g_free (c);
}

guint
dp_clusters_n_words (const DpClusters *c)
{
  return c ? c->n : 0;
}

gboolean
dp_clusters_has_spelling (const DpClusters *c, const char *word, gsize len)
{
  return c && c->n && len > 0 && len <= MAX_LOOKUP && c->exact[probe (c, c->exact, c->text, word, len)] != 0;
}

/* In three rounds over the words, each read prefetched the round before:
 * their first slots, the entries these name, the words' spellings. */
#define WARM_BATCH 32

void
dp_clusters_warm (const DpClusters *c, const char *const *words, const gsize *lens, guint n)
{
  if (!c || !c->n)
    return;
  for (guint a = 0; a < n; a += WARM_BATCH)
    {
      guint b = MIN (n, a + WARM_BATCH);
      guint32 slot[WARM_BATCH];
      for (guint k = a; k < b; k++)
        {
          slot[k - a] = hash_bytes (words[k], MIN (lens[k], MAX_LOOKUP)) & c->mask;
          __builtin_prefetch (&c->exact[slot[k - a]]);
        }
      for (guint k = a; k < b; k++)
        if (c->exact[slot[k - a]])
          __builtin_prefetch (&c->entries[c->exact[slot[k - a]] - 1]);
      for (guint k = a; k < b; k++)
        if (c->exact[slot[k - a]])
          __builtin_prefetch (c->text + c->entries[c->exact[slot[k - a]] - 1].word);
    }
}

const char *
dp_clusters_lookup (const DpClusters *c, const char *word, gsize len, gsize *path_len)
{
  return dp_clusters_lookup_spelling (c, word, len, path_len, NULL, NULL);
}

const char *
dp_clusters_lookup_spelling (const DpClusters *c, const char *word, gsize len, gsize *path_len,
                             const char **spelling, gsize *spelling_len)
{
  if (!c || !c->n || len == 0 || len > MAX_LOOKUP)
    return NULL;
  guint32 e = c->exact[probe (c, c->exact, c->text, word, len)];
  if (!e)
    {
      char lower[MAX_LOOKUP];
      for (gsize i = 0; i < len; i++)
        lower[i] = dp_name_lower (word[i]);
      e = c->folded[probe (c, c->folded, c->lower, lower, len)];
      if (!e)
        return NULL;
    }
  const Entry *en = &c->entries[e - 1];
  if (path_len)
    *path_len = en->bits_len;
  if (spelling)
    *spelling = c->text + en->word, *spelling_len = en->word_len;
  return c->text + en->bits;
}
