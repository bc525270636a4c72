/* usergaz.c — user gazetteers: lists of names the ner stage tags wherever
 * they occur ("gazetteer = FILE"), and the built-in alias table, which the
 * stage reads the same way to give canonical names to the model's entities.
 *
 * File format, one entry per line, UTF-8:
 *
 *     label<TAB>name[<TAB>canonical]
 *
 *   - '#' lines (after optional blanks) and blank lines are ignored; CRLF line
 *     ends and a leading byte-order mark are accepted.
 *   - label: one or more of [A-Za-z0-9_-] (PER, ORG, LOC, MISC, WEAPON …).
 *   - name: any text; it is tokenized with dp_tokenize(), so what counts is
 *     its tokens, not its spacing ("North  Korea" = "North Korea").
 *   - canonical: defaults to the name; whitespace runs become one space.
 *   - Spaces around fields are trimmed.  A missing tab, more than three
 *     fields, an empty label or name, a bad label or invalid UTF-8 is an error
 *     "FILE:LINE: …", and nothing from that file is added.
 *   - A name listed twice (same tokens) keeps its first entry, also across
 *     files: load the file that should win first.
 *
 * Matching, token by token against the document's tokens:
 *   - Exact token text.  Whitespace between tokens does not matter, so a name
 *     matches across line breaks, but not across a paragraph break (a blank
 *     line): there the tokens belong to different blocks of text.
 *   - Names of two or more tokens also match case-insensitively (Unicode case
 *     folding) when the matched text has at least one upper-case letter:
 *     "Kim Yong-nam" finds "KIM YONG-NAM" and "Kim Yong-Nam", not
 *     "kim yong-nam" in running text.  Single-token names match in exact case
 *     only, because that is where case carries the meaning: "Apple" is not
 *     "apple", "US" is not "us".
 *   - At each token the longest name wins (an exact match over a folded one
 *     of the same length, then the entry added first); the scan resumes after
 *     it, so matches never overlap.
 *
 * Limits: a name has at most DP_USER_GAZ_MAX_TOKENS tokens ("FILE:LINE: name
 * of N tokens" otherwise).
 *
 * Lookups are read-only and go through two tables of token sequences (exact
 * and folded), keyed by a hash of the tokens: every entry's name and each of
 * its beginnings, the latter marked "some longer name goes on from here".
 * At a document token the walk extends the sequence one token at a time while
 * it is the beginning of some name, so a lookup costs at most
 * DP_USER_GAZ_MAX_TOKENS probes whatever the number of entries (thousands of
 * names starting with "The" cost nothing more), and loading costs one probe
 * per token of each name: time and memory linear in the file's size.
 */
#include "usergaz.h"
#include "names.h"

#include "files.h"

#include <string.h>

#define NO_WORD G_MAXUINT32

typedef struct {
  const char *s;   /* NUL-terminated, in the string chunk */
  guint32 len;
} Word;

typedef struct {
  const char *label;
  const char *canonical;
  guint32 word;       /* first of n_tokens entries in words[] */
  guint32 fword;      /* the same, case-folded; NO_WORD for single tokens */
  guint32 n_tokens;
} Entry;

/* A token sequence: the name of an entry and/or the beginning of longer ones. */
typedef struct {
  guint64 key;        /* seq_extend() over its tokens; 0: empty slot */
  guint32 entry;      /* the first entry (index + 1) with exactly these tokens, or 0 */
  guint32 longer;     /* some entry has more tokens after these */
} Seq;

/* Open addressing on Seq.key, at most half full. */
typedef struct {
  Seq *slots;
  guint mask;
  guint used;
} SeqTable;

struct _DpUserGaz {
  GStringChunk *strings;   /* words, labels, canonical names, keys */
  GArray *entries;         /* Entry */
  GArray *words;           /* Word */
  GHashTable *names;       /* exact words joined by '\x1f' (no duplicates) */
  SeqTable exact;          /* exact token sequences */
  SeqTable folded;         /* folded token sequences of multi-token entries */
};

DpUserGaz *
dp_user_gaz_new (void)
{
  DpUserGaz *g = g_new0 (DpUserGaz, 1);
  g->strings = g_string_chunk_new (64 * 1024);
  g->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  g->words = g_array_new (FALSE, FALSE, sizeof (Word));
  g->names = g_hash_table_new (g_str_hash, g_str_equal);
  return g;
}

void
dp_user_gaz_free (DpUserGaz *g)
{
  if (!g)
    return;
  g_hash_table_unref (g->names);
  g_free (g->exact.slots);
  g_free (g->folded.slots);
  g_array_unref (g->entries);
  g_array_unref (g->words);
  g_string_chunk_free (g->strings);
  g_free (g);
}

guint
dp_user_gaz_size (const DpUserGaz *g)
{
  return g->entries->len;
}

/* ---- token sequences ------------------------------------------------------- */

static guint64
mix64 (guint64 h)
{
  h ^= h >> 33;
  h *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  h ^= h >> 33;
  h *= G_GUINT64_CONSTANT (0xc4ceb9fe1a85ec53);
  h ^= h >> 33;
  return h;
}

/* The key of a sequence extended by one token; 0 is the empty sequence. */
static guint64
seq_extend (guint64 seq, const char *s, gsize len)
{
  guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);
  for (gsize i = 0; i < len; i++)
    h = (h ^ (guchar) s[i]) * G_GUINT64_CONSTANT (0x100000001b3);
  guint64 key = mix64 (seq * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15) ^ h);
  return key ? key : 1;
}

static const Seq *
seq_find (const SeqTable *t, guint64 key)
{
  if (!t->slots)
    return NULL;
  for (guint i = (guint) key & t->mask;; i = (i + 1) & t->mask)
    {
      if (t->slots[i].key == key)
        return &t->slots[i];
      if (!t->slots[i].key)
        return NULL;
    }
}

static Seq *
seq_add (SeqTable *t, guint64 key)
{
  if (2 * (t->used + 1) > (t->slots ? t->mask + 1 : 0))
    {
      guint size = t->slots ? 2 * (t->mask + 1) : 256;
      Seq *old = t->slots;
      guint old_size = old ? t->mask + 1 : 0;
      t->slots = g_new0 (Seq, size);
      t->mask = size - 1;
      for (guint k = 0; k < old_size; k++)
        if (old[k].key)
          {
            guint i = (guint) old[k].key & t->mask;
            while (t->slots[i].key)
              i = (i + 1) & t->mask;
            t->slots[i] = old[k];
          }
      g_free (old);
    }
  guint i = (guint) key & t->mask;
  while (t->slots[i].key && t->slots[i].key != key)
    i = (i + 1) & t->mask;
  if (!t->slots[i].key)
    {
      t->slots[i].key = key;
      t->used++;
    }
  return &t->slots[i];
}

/* Records the @n words from @w as entry @id and their beginnings as such. */
static void
seq_add_entry (SeqTable *t, const Word *w, guint n, guint32 id)
{
  guint64 key = 0;
  for (guint k = 0; k < n; k++)
    {
      key = seq_extend (key, w[k].s, w[k].len);
      Seq *seq = seq_add (t, key);
      if (k + 1 < n)
        seq->longer = TRUE;
      else if (!seq->entry)
        seq->entry = id;
    }
}

/* ---- text helpers ---------------------------------------------------------- */


static void
fold_into (GString *out, const char *s, gsize len)
{
  g_string_truncate (out, 0);
  dp_name_append_folded (out, s, len);
}

/* Does s[0..len) fold to the folded word @w? */
static gboolean
folds_to (const char *s, gsize len, const Word *w)
{
  if (dp_name_is_ascii (s, len))
    {
      if (len != w->len)
        return FALSE;
      for (gsize i = 0; i < len; i++)
        if (g_ascii_tolower (s[i]) != w->s[i])
          return FALSE;
      return TRUE;
    }
  g_autoptr (GString) f = g_string_new (NULL);
  dp_name_append_folded (f, s, len);
  return strcmp (f->str, w->s) == 0;
}

static gboolean
has_upper (const char *s, gsize len)
{
  for (const char *p = s; p < s + len; p = g_utf8_next_char (p))
    {
      if ((guchar) *p < 0x80)
        {
          if (g_ascii_isupper (*p))
            return TRUE;
          continue;
        }
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_isupper (c) || g_unichar_istitle (c))
        return TRUE;
    }
  return FALSE;
}


/* ---- loading ------------------------------------------------------------- */

/* One good line, kept until the whole file has been checked. */
typedef struct {
  const char *label, *name, *canonical;   /* canonical NULL: the name */
  guint32 label_len, name_len, canonical_len;
  guint32 first_token, n_tokens;          /* in the name's tokens, all lines */
} Line;

static void
trim (const char **s, gsize *len)
{
  while (*len && g_ascii_isspace (**s))
    (*s)++, (*len)--;
  while (*len && g_ascii_isspace ((*s)[*len - 1]))
    (*len)--;
}

static gboolean
valid_label (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (s[i]) && s[i] != '_' && s[i] != '-')
      return FALSE;
  return len > 0;
}

/* Parses one non-blank, non-comment line into @l; on failure returns a
 * description of the problem. */
static const char *
parse_line (const char *s, gsize len, GArray *tokens, Line *l, char **detail)
{
  const char *tab1 = memchr (s, '\t', len);
  if (!tab1)
    return "missing tab (expected label<TAB>name[<TAB>canonical])";
  const char *rest = tab1 + 1;
  gsize rest_len = (gsize) (s + len - rest);
  const char *tab2 = memchr (rest, '\t', rest_len);
  if (tab2 && memchr (tab2 + 1, '\t', (gsize) (s + len - tab2 - 1)))
    return "too many fields (expected label<TAB>name[<TAB>canonical])";

  const char *label = s, *name = rest, *canonical = NULL;
  gsize label_len = (gsize) (tab1 - s), name_len = tab2 ? (gsize) (tab2 - rest) : rest_len;
  gsize canonical_len = 0;
  if (tab2)
    {
      canonical = tab2 + 1;
      canonical_len = (gsize) (s + len - canonical);
      trim (&canonical, &canonical_len);
    }
  trim (&label, &label_len);
  trim (&name, &name_len);
  if (!label_len)
    return "empty label";
  if (!valid_label (label, label_len))
    {
      *detail = g_strdup_printf ("bad label '%.*s' (letters, digits, '_' and '-' only)",
                                 (int) label_len, label);
      return *detail;
    }
  guint before = tokens->len;
  dp_tokenize (name, name_len, tokens);
  if (tokens->len == before)
    return "empty name";
  if (tokens->len - before > DP_USER_GAZ_MAX_TOKENS)
    {
      *detail = g_strdup_printf ("name of %u tokens (at most %d)", tokens->len - before, DP_USER_GAZ_MAX_TOKENS);
      g_array_set_size (tokens, before);
      return *detail;
    }
  *l = (Line) {
    .label = label, .label_len = (guint32) label_len,
    .name = name, .name_len = (guint32) name_len,
    .canonical = canonical_len ? canonical : NULL, .canonical_len = (guint32) canonical_len,
    .first_token = before, .n_tokens = tokens->len - before,
  };
  return NULL;
}

static const char *
intern (DpUserGaz *g, GString *scratch, const char *s, gsize len)
{
  g_string_truncate (scratch, 0);
  g_string_append_len (scratch, s, (gssize) len);
  return g_string_chunk_insert_const (g->strings, scratch->str);
}

static void
add_entry (DpUserGaz *g, const Line *l, const DpToken *tokens, GString *key, GString *scratch)
{
  const DpToken *t = tokens + l->first_token;

  g_string_truncate (key, 0);
  for (guint k = 0; k < l->n_tokens; k++)
    {
      if (k)
        g_string_append_c (key, '\x1f');
      g_string_append_len (key, l->name + t[k].start, t[k].end - t[k].start);
    }
  if (g_hash_table_contains (g->names, key->str))
    return;   /* the first entry for a name wins */

  guint32 index = g->entries->len;
  Entry e = { 0 };
  e.n_tokens = l->n_tokens;
  e.word = g->words->len;
  for (guint k = 0; k < l->n_tokens; k++)
    {
      Word w = { intern (g, scratch, l->name + t[k].start, t[k].end - t[k].start),
                 t[k].end - t[k].start };
      g_array_append_val (g->words, w);
    }
  e.fword = NO_WORD;
  if (l->n_tokens > 1)
    {
      e.fword = g->words->len;
      for (guint k = 0; k < l->n_tokens; k++)
        {
          fold_into (scratch, l->name + t[k].start, t[k].end - t[k].start);
          Word w = { g_string_chunk_insert_const (g->strings, scratch->str), (guint32) scratch->len };
          g_array_append_val (g->words, w);
        }
    }
  e.label = intern (g, scratch, l->label, l->label_len);
  g_string_truncate (scratch, 0);
  if (l->canonical)
    dp_name_append_collapsed (scratch, l->canonical, l->canonical_len);
  else
    dp_name_append_collapsed (scratch, l->name, l->name_len);
  e.canonical = g_string_chunk_insert_const (g->strings, scratch->str);

  seq_add_entry (&g->exact, &g_array_index (g->words, Word, e.word), e.n_tokens, index + 1);
  if (e.fword != NO_WORD)
    seq_add_entry (&g->folded, &g_array_index (g->words, Word, e.fword), e.n_tokens, index + 1);
  g_array_append_val (g->entries, e);
  g_hash_table_add (g->names, g_string_chunk_insert (g->strings, key->str));
}

gboolean
dp_user_gaz_add_data (DpUserGaz *g, const char *origin, const char *data, gsize len,
                      GError **error)
{
  g_return_val_if_fail (g != NULL, FALSE);
  g_autoptr (GArray) lines = g_array_new (FALSE, FALSE, sizeof (Line));
  g_autoptr (GArray) tokens = g_array_new (FALSE, FALSE, sizeof (DpToken));

  /* First check every line, so that a bad one leaves the gazetteer as it was. */
  gsize at = 0;
  if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    at = 3;
  for (guint n = 1; at < len; n++)
    {
      const char *s = data + at;
      const char *nl = memchr (s, '\n', len - at);
      gsize line_len = nl ? (gsize) (nl - s) : len - at;
      at += line_len + (nl != NULL);
      if (line_len && s[line_len - 1] == '\r')
        line_len--;

      const char *problem = NULL;
      g_autofree char *detail = NULL;
      Line l;
      if (!g_utf8_validate_len (s, line_len, NULL))
        problem = "not valid UTF-8";
      else
        {
          const char *p = s, *end = s + line_len;
          while (p < end && g_ascii_isspace (*p))
            p++;
          if (p == end || *p == '#')
            continue;
          problem = parse_line (s, line_len, tokens, &l, &detail);
        }
      if (problem)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: %s", origin, n, problem);
          return FALSE;
        }
      g_array_append_val (lines, l);
    }

  g_autoptr (GString) key = g_string_new (NULL);
  g_autoptr (GString) scratch = g_string_new (NULL);
  for (guint i = 0; i < lines->len; i++)
    add_entry (g, &g_array_index (lines, Line, i), (const DpToken *) tokens->data, key, scratch);
  return TRUE;
}

gboolean
dp_user_gaz_add_file (DpUserGaz *g, const char *path, GError **error)
{
  if (!dp_ner_check_regular_file (path, error))
    return FALSE;
  g_autofree char *text = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &text, &len, error))
    return FALSE;
  return dp_user_gaz_add_data (g, path, text, len, error);
}

DpUserGaz *
dp_user_gaz_load (const char *path, GError **error)
{
  g_autoptr (DpUserGaz) g = dp_user_gaz_new ();
  if (!dp_user_gaz_add_file (g, path, error))
    return NULL;
  return g_steal_pointer (&g);
}

/* ---- matching ------------------------------------------------------------ */

/* Do tokens[i + 1 .. i + n) continue entry @e (its exact or folded words)? */
static gboolean
rest_matches (const DpUserGaz *g, const Entry *e, gboolean folded,
              const char *text, const DpToken *tokens, guint i)
{
  const Word *w = &g_array_index (g->words, Word, folded ? e->fword : e->word);
  for (guint k = 1; k < e->n_tokens; k++)
    {
      const DpToken *t = &tokens[i + k];
      if (t->flags & DP_TOKEN_FLAG_PARAGRAPH_BEFORE)
        return FALSE;
      gsize len = t->end - t->start;
      if (folded ? !folds_to (text + t->start, len, &w[k])
                 : (len != w[k].len || memcmp (text + t->start, w[k].s, len) != 0))
        return FALSE;
    }
  return TRUE;
}

/* Is entry @e (its exact or folded words) the tokens from @i on?  The
 * tables find candidates by hash; this makes sure. */
static gboolean
entry_matches (const DpUserGaz *g, const Entry *e, gboolean folded, const char *text, const DpToken *tokens, guint i)
{
  const Word *w = &g_array_index (g->words, Word, folded ? e->fword : e->word);
  const DpToken *t = &tokens[i];
  gsize len = t->end - t->start;
  if (folded ? !folds_to (text + t->start, len, w) : (len != w->len || memcmp (text + t->start, w->s, len) != 0))
    return FALSE;
  return rest_matches (g, e, folded, text, tokens, i);
}

/* The longest entry of @table starting at token @i, as far as @max tokens:
 * the sequence grows while some name goes on.  Returns its index + 1 and
 * length, or 0. */
static guint32
walk (const DpUserGaz *g, const SeqTable *table, gboolean folded, const char *text, const DpToken *tokens,
      guint i, guint max, GString *scratch, guint32 *found_n)
{
  guint32 best = 0;
  guint64 key = 0;
  for (guint n = 1; n <= max; n++)
    {
      const DpToken *t = &tokens[i + n - 1];
      if (n > 1 && (t->flags & DP_TOKEN_FLAG_PARAGRAPH_BEFORE))
        break;
      if (folded)
        {
          fold_into (scratch, text + t->start, t->end - t->start);
          key = seq_extend (key, scratch->str, scratch->len);
        }
      else
        key = seq_extend (key, text + t->start, t->end - t->start);
      const Seq *seq = seq_find (table, key);
      if (!seq)
        break;
      if (seq->entry)
        {
          const Entry *e = &g_array_index (g->entries, Entry, seq->entry - 1);
          if (e->n_tokens == n && entry_matches (g, e, folded, text, tokens, i)
              && (!folded || has_upper (text + tokens[i].start, t->end - tokens[i].start)))
            best = seq->entry, *found_n = n;
        }
      if (!seq->longer)
        break;
    }
  return best;
}

/* The best entry starting at token @i (index + 1, 0 if none); see the rules at
 * the top: the longest, an exact match over a folded one of the same length.
 * @scratch is the caller's, so that lookups share no state. */
static guint32
match_at (const DpUserGaz *g, const char *text, const DpToken *tokens, guint n_tokens,
          guint i, GString *scratch)
{
  guint max = MIN (n_tokens - i, DP_USER_GAZ_MAX_TOKENS);
  guint32 best_n = 0, folded_n = 0;
  guint32 best = walk (g, &g->exact, FALSE, text, tokens, i, max, scratch, &best_n);
  if (g->folded.used == 0 || max < 2)
    return best;
  guint32 folded = walk (g, &g->folded, TRUE, text, tokens, i, max, scratch, &folded_n);
  return folded && folded_n > best_n ? folded : best;
}

void
dp_user_gaz_find (const DpUserGaz *g, const char *text,
                  const DpToken *tokens, guint n_tokens, GArray *out)
{
  g_autoptr (GString) scratch = g_string_new (NULL);
  for (guint i = 0; i < n_tokens;)
    {
      guint32 id = match_at (g, text, tokens, n_tokens, i, scratch);
      if (!id)
        {
          i++;
          continue;
        }
      const Entry *e = &g_array_index (g->entries, Entry, id - 1);
      DpUserGazMatch m = {
        .first_token = i, .n_tokens = e->n_tokens,
        .start = tokens[i].start, .end = tokens[i + e->n_tokens - 1].end,
        .label = e->label, .canonical = e->canonical,
      };
      g_array_append_val (out, m);
      i += e->n_tokens;
    }
}

const char *
dp_user_gaz_canonical (const DpUserGaz *g, const char *name, gsize len, const char **label)
{
  g_autoptr (GArray) tokens = g_array_new (FALSE, FALSE, sizeof (DpToken));
  g_autoptr (GString) scratch = g_string_new (NULL);
  dp_tokenize (name, len, tokens);
  guint n = tokens->len;
  guint32 id = n ? match_at (g, name, (const DpToken *) tokens->data, n, 0, scratch) : 0;
  if (!id || g_array_index (g->entries, Entry, id - 1).n_tokens != n)
    return NULL;
  const Entry *e = &g_array_index (g->entries, Entry, id - 1);
  if (label)
    *label = e->label;
  return e->canonical;
}
