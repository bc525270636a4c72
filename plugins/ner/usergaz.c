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
 * Lookups are read-only and go through two hash tables (exact and folded
 * first token -> chain of entries starting with it), so matching costs about
 * one hash lookup per document token.
 */
#include "usergaz.h"
#include "names.h"

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
  guint32 next;       /* next entry (index + 1) with the same first word; 0 ends */
  guint32 fnext;      /* the same for the folded first word */
} Entry;

struct _DpUserGaz {
  GStringChunk *strings;   /* words, labels, canonical names, keys */
  GArray *entries;         /* Entry */
  GArray *words;           /* Word */
  GHashTable *names;       /* exact words joined by '\x1f' -> entry index + 1 */
  GHashTable *first;       /* exact first word -> first entry of its chain (index + 1) */
  GHashTable *ffirst;      /* folded first word of multi-token entries -> chain */
};

DpUserGaz *
dp_user_gaz_new (void)
{
  DpUserGaz *g = g_new0 (DpUserGaz, 1);
  g->strings = g_string_chunk_new (64 * 1024);
  g->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  g->words = g_array_new (FALSE, FALSE, sizeof (Word));
  g->names = g_hash_table_new (g_str_hash, g_str_equal);
  g->first = g_hash_table_new (g_str_hash, g_str_equal);
  g->ffirst = g_hash_table_new (g_str_hash, g_str_equal);
  return g;
}

void
dp_user_gaz_free (DpUserGaz *g)
{
  if (!g)
    return;
  g_hash_table_unref (g->names);
  g_hash_table_unref (g->first);
  g_hash_table_unref (g->ffirst);
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
  g_autofree char *f = g_utf8_casefold (s, (gssize) len);
  return strcmp (f, w->s) == 0;
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

  const char *first = g_array_index (g->words, Word, e.word).s;
  e.next = GPOINTER_TO_UINT (g_hash_table_lookup (g->first, first));
  g_hash_table_insert (g->first, (gpointer) first, GUINT_TO_POINTER (index + 1));
  if (e.fword != NO_WORD)
    {
      const char *ffirst = g_array_index (g->words, Word, e.fword).s;
      e.fnext = GPOINTER_TO_UINT (g_hash_table_lookup (g->ffirst, ffirst));
      g_hash_table_insert (g->ffirst, (gpointer) ffirst, GUINT_TO_POINTER (index + 1));
    }
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

/* The best entry starting at token @i (index + 1, 0 if none); see the rules at
 * the top.  @scratch is the caller's, so that lookups share no state. */
static guint32
match_at (const DpUserGaz *g, const char *text, const DpToken *tokens, guint n_tokens,
          guint i, GString *scratch)
{
  const DpToken *t = &tokens[i];
  guint left = n_tokens - i;
  guint32 best = 0, best_n = 0;
  gboolean best_exact = FALSE;

  g_string_truncate (scratch, 0);
  g_string_append_len (scratch, text + t->start, t->end - t->start);
  for (guint32 id = GPOINTER_TO_UINT (g_hash_table_lookup (g->first, scratch->str)); id;)
    {
      const Entry *e = &g_array_index (g->entries, Entry, id - 1);
      /* Exact names are distinct token sequences: no ties among them. */
      if (e->n_tokens <= left && e->n_tokens > best_n && rest_matches (g, e, FALSE, text, tokens, i))
        best = id, best_n = e->n_tokens, best_exact = TRUE;
      id = e->next;
    }

  if (g_hash_table_size (g->ffirst) == 0 || left < 2)
    return best;
  fold_into (scratch, text + t->start, t->end - t->start);
  for (guint32 id = GPOINTER_TO_UINT (g_hash_table_lookup (g->ffirst, scratch->str)); id;)
    {
      const Entry *e = &g_array_index (g->entries, Entry, id - 1);
      guint32 next = e->fnext;
      gboolean better = e->n_tokens > best_n
                        || (e->n_tokens == best_n && !best_exact && id < best);
      if (e->n_tokens <= left && better && rest_matches (g, e, TRUE, text, tokens, i)
          && has_upper (text + t->start, tokens[i + e->n_tokens - 1].end - t->start))
        best = id, best_n = e->n_tokens, best_exact = FALSE;
      id = next;
    }
  return best;
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
