/* linking.c — in-document entity linking: groups the mentions of one
 * document that name the same entity into numbered clusters, each with one
 * canonical name.  The ner stage runs it after the model, rules and
 * gazetteers have found the mentions.
 *
 * Names.  A mention's *name* is its text with whitespace runs (line breaks
 * included) collapsed to one space; for PER, leading titles are dropped first
 * ("Mr.", "President", "Grand Ayatollah" … see is_title(), as long as a token
 * is left).  Its *base name* is its given canonical if it has one, else its
 * name.  Names are compared with Unicode case folding.
 *
 * Rules:
 *  1. Same label, base names equal ignoring case -> linked ("Kim Yong-Nam",
 *     "KIM YONG-NAM"; "DPRK" given "North Korea" and "North Korea").
 *  2. Mentions that both have a given canonical, equal ignoring case, are
 *     linked whatever their labels ("North Korea" as LOC and as ORG).  A
 *     mention without one never links across labels: PER "Jordan" is not LOC
 *     "Jordan" just because the alias table knows the country.
 *  3. PER short forms: a PER mention without a given canonical whose name
 *     tokens equal the last tokens of a longer PER name ("Larijani",
 *     "Mr. Larijani" -> "Ali Larijani"; "Van Rompuy" -> "Herman Van Rompuy")
 *     links to it.  Failing that, it links to a longer PER name it begins
 *     (family name first: "Kim" -> "Kim Yong-nam"), but only if all such
 *     longer names are the same name (in the sense of rule 1): "Kim" with
 *     "Kim Jong-un" and "Kim Yong-nam" in the document stays alone.
 *  4. ORG acronyms: a PER, ORG, LOC or MISC mention without a given
 *     canonical that is one all-capital token of 2-6 letters (periods
 *     ignored: "U.N.") links to a longer ORG mention whose capitalised words
 *     have those initials, leaving out "of", "the", "and", "for" and "&"
 *     ("IRGC" -> "Islamic Revolutionary Guard Corps", "OPEC" ->
 *     "Organization of the Petroleum Exporting Countries"), and takes its
 *     label: the model often calls a bare acronym a place.
 *  5. Where rule 3 or 4 finds several longer mentions, the short form links to
 *     the nearest one before it, else the first one after it.  So each "Kim"
 *     goes to the Kim last named, and two equal short forms may end up in
 *     different clusters; rule 1 does not merge short forms that rules 3-4
 *     resolved, or it would merge Daniel Kim with Andrew Kim through "Kim".
 *     Only names of up to MAX_NAME_TOKENS tokens take part in rules 3-4.
 *  6. DATE, TIME, MONEY, PERCENT and any other label: rules 1-2 only, so each
 *     distinct surface (ignoring case and spacing) is its own cluster.
 *
 * Canonical name of a cluster: the earliest given canonical if any member has
 * one; else the name of the member with the most name tokens (the full name,
 * the long form of an acronym), preferring mixed case over ALL CAPS over no
 * capitals, then the earliest.  Every member gets that name.  Clusters are
 * numbered from 1 in the order of their first mention (by start offset).
 *
 * Cost: one pass to sort, hash-table passes over the mentions (at most
 * 2 * MAX_NAME_TOKENS keys per PER mention), a binary search per short form
 * and a union-find: O(n log n) in the number of mentions.
 */
#include "linking.h"
#include "names.h"

#include <stdlib.h>
#include <string.h>

#define MAX_NAME_TOKENS 8
#define NONE G_MAXUINT32

typedef struct {
  guint32 rank;        /* position in document order */
  guint32 name_token;  /* first token of the name (after titles) */
  guint32 name_start;  /* its byte offset */
  guint32 n_name;      /* tokens in the name */
  guint32 group;       /* rule 1: same label and folded base name */
  guint32 link;        /* rules 3-5: the longer mention it resolves to, or NONE */
  guint8 casing;       /* 2 mixed case, 1 capitals only, 0 no capitals */
} Info;

/* Mentions that rules 3-4 could resolve a short form to, in document order. */
typedef struct {
  GArray *mentions;    /* guint32 */
  guint32 group;       /* rule 1 group of the first; */
  gboolean mixed;      /* … and whether they are not all in it */
} Candidates;

static void
candidates_free (gpointer p)
{
  Candidates *c = p;
  g_array_unref (c->mentions);
  g_free (c);
}

/* ---- text ---------------------------------------------------------------- */




static guint8
casing (const char *s, gsize len)
{
  gboolean upper = FALSE, lower = FALSE;
  for (const char *p = s; p < s + len; p = g_utf8_next_char (p))
    {
      if ((guchar) *p < 0x80)
        {
          /* What the Unicode tests say of ASCII, without a call each. */
          upper |= g_ascii_isupper (*p);
          lower |= g_ascii_islower (*p);
          continue;
        }
      gunichar c = g_utf8_get_char (p);
      upper |= g_unichar_isupper (c) || g_unichar_istitle (c);
      lower |= g_unichar_islower (c);
    }
  return upper && lower ? 2 : upper ? 1 : 0;
}

/* Titles dropped from the front of PER names.  Compared ignoring ASCII case,
 * so "MR." in a headline goes too.  Words that only occur inside titles
 * ("Prime", "Grand", "Supreme") are listed alone: a run of them is dropped. */
static const char *const titles[] = {
  "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Miss", "Mx.", "Dr", "Dr.", "Prof", "Prof.",
  "Professor", "Sir", "Dame", "Lord", "Lady", "Hon.", "Mme", "Mme.", "Mlle.", "Herr", "Frau",
  "President", "Vice-President", "Vice", "Prime", "Minister", "Premier", "Chancellor",
  "Deputy", "Foreign", "Defence", "Defense", "Interior", "Finance", "Secretary",
  "Secretary-General", "Speaker", "Chairman", "Chairwoman", "Spokesman", "Spokeswoman",
  "Senator", "Sen.", "Rep.", "Representative", "Gov.", "Governor", "Mayor", "Ambassador",
  "Envoy", "Judge", "Justice", "Chief", "Pres.",
  "General", "Gen.", "Lieutenant", "Lt.", "Colonel", "Col.", "Maj.", "Captain", "Capt.",
  "Admiral", "Adm.", "Brigadier", "Brig.", "Sergeant", "Sgt.", "Commander", "Cmdr.",
  "Marshal", "Field", "Inspector", "Insp.", "Detective", "Det.", "Supt.",
  "King", "Queen", "Prince", "Princess", "Crown", "Emperor", "Sultan", "Emir", "Sheikh",
  "Sheik", "Ayatollah", "Grand", "Supreme", "Leader", "Pope", "Cardinal", "Archbishop",
  "Bishop", "Rabbi", "Imam", "Rev.", "Reverend", "Father", "Fr.", "Sister", "Brother",
};

static gboolean
is_title (const char *s, gsize len)
{
  if (len == 0)
    return FALSE;
  char first = g_ascii_tolower (s[0]);
  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    if (g_ascii_tolower (titles[i][0]) == first && strlen (titles[i]) == len
        && g_ascii_strncasecmp (titles[i], s, len) == 0)
      return TRUE;
  return FALSE;
}

/* Rule 4: the letters of a short ORG mention if it is an acronym ("IRGC",
 * "U.N."), else FALSE. */
static gboolean
acronym_of (const char *s, gsize len, GString *out)
{
  g_string_truncate (out, 0);
  for (gsize i = 0; i < len; i++)
    {
      if (s[i] == '.')
        continue;
      if (!g_ascii_isupper (s[i]) || out->len == 6)
        return FALSE;
      g_string_append_c (out, s[i]);
    }
  return out->len >= 2;
}

/* Rule 4: the initials of a long ORG mention's capitalised words. */
static gboolean
initials_of (const char *text, const DpToken *t, guint n, GString *out)
{
  static const char *const skip[] = { "of", "the", "and", "for" };
  g_string_truncate (out, 0);
  guint words = 0;
  for (guint k = 0; k < n; k++)
    {
      if (t[k].kind != DP_TOKEN_WORD)
        continue;   /* "&", punctuation, numbers */
      const char *s = text + t[k].start;
      gsize len = t[k].end - t[k].start;
      gboolean skipped = FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (skip); i++)
        skipped |= strlen (skip[i]) == len && g_ascii_strncasecmp (skip[i], s, len) == 0;
      if (skipped)
        continue;
      gunichar c = g_utf8_get_char (s);
      if (!g_unichar_isupper (c) && !g_unichar_istitle (c))
        continue;
      if (c >= 0x80 || out->len == 6)
        return FALSE;   /* acronyms are written in ASCII; longer ones are not linked */
      g_string_append_c (out, (char) c);
      words++;
    }
  return words >= 2;
}

gboolean
dp_ner_acronym_letters (const char *s, gsize len, GString *out)
{
  return acronym_of (s, len, out);
}

gboolean
dp_ner_initials (const char *text, const DpToken *tokens, guint first, guint n, GString *out)
{
  return initials_of (text, tokens + first, n, out);
}

/* ---- union-find ------------------------------------------------------------ */

static guint32
find (guint32 *parent, guint32 x)
{
  while (parent[x] != x)
    {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
  return x;
}

static void
unite (guint32 *parent, guint32 a, guint32 b)
{
  a = find (parent, a);
  b = find (parent, b);
  /* The root is the lower index, so roots are stable and deterministic. */
  if (a < b)
    parent[b] = a;
  else if (b < a)
    parent[a] = b;
}

/* ---- linking ------------------------------------------------------------- */

/* Sort key for document order: start, end, then input order. */
typedef struct {
  guint32 start, end, index;
} Position;

static int
by_position (const void *a, const void *b)
{
  const Position *x = a, *y = b;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

static gboolean
is_label (const DpNerMention *m, const char *label)
{
  return m->label && strcmp (m->label, label) == 0;
}

/* Adds mention @i to the candidates under @key. */
/* The model's labels: rule 4 also takes acronyms it labelled PER, LOC or
 * MISC, and gives them the long form's label. */
static gboolean
is_name_label (const DpNerMention *m)
{
  return is_label (m, "ORG") || is_label (m, "LOC") || is_label (m, "MISC") || is_label (m, "PER");
}

static void
add_candidate (GHashTable *index, GString *key, guint32 i, guint32 group)
{
  Candidates *c = g_hash_table_lookup (index, key->str);
  if (!c)
    {
      c = g_new0 (Candidates, 1);
      c->mentions = g_array_new (FALSE, FALSE, sizeof (guint32));
      c->group = group;
      g_hash_table_insert (index, g_strdup (key->str), c);
    }
  c->mixed |= c->group != group;
  g_array_append_val (c->mentions, i);
}

/* Rule 5: the candidate nearest before @rank, else the first after it. */
static guint32
nearest (const Candidates *c, const Info *info, guint32 rank)
{
  const guint32 *ids = (const guint32 *) c->mentions->data;
  guint lo = 0, hi = c->mentions->len;   /* first candidate at or after @rank */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (info[ids[mid]].rank < rank)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo > 0 ? ids[lo - 1] : ids[0];
}

/* @tag, then the case-folded tokens [from, to) joined by spaces. */
static void
token_key (GString *key, char tag, const char *text, const DpToken *tokens, guint32 from, guint32 to)
{
  g_string_truncate (key, 0);
  g_string_append_c (key, tag);
  for (guint32 k = from; k < to; k++)
    {
      if (k > from)
        g_string_append_c (key, ' ');
      dp_name_append_folded (key, text + tokens[k].start, tokens[k].end - tokens[k].start);
    }
}

/* The name (or, with @base, the base name) of mention @m into @out. */
static void
name_of (GString *out, const char *text, const DpNerMention *m, const Info *in, gboolean base)
{
  g_string_truncate (out, 0);
  if (base && m->given_canonical)
    g_string_append (out, m->given_canonical);
  else
    dp_name_append_collapsed (out, text + in->name_start, m->end - in->name_start);
}

/* Is @a a better source of the cluster's canonical name than @b (which
 * comes earlier)? */
static gboolean
better (const DpNerMention *m, const Info *info, guint32 a, guint32 b)
{
  if (!m[a].given_canonical != !m[b].given_canonical)
    return m[a].given_canonical != NULL;
  if (m[a].given_canonical)
    return FALSE;
  if (info[a].n_name != info[b].n_name)
    return info[a].n_name > info[b].n_name;
  return info[a].casing > info[b].casing;
}

void
dp_ner_link (const char *text, const DpToken *tokens, DpNerMention *m, guint n)
{
  if (n == 0)
    return;
  g_autofree guint32 *order = g_new (guint32, n);
  g_autofree Info *info = g_new0 (Info, n);
  g_autofree guint32 *parent = g_new (guint32, n);
  g_autoptr (GString) key = g_string_new (NULL);
  g_autoptr (GString) name = g_string_new (NULL);

  {
    g_autofree Position *pos = g_new (Position, n);
    for (guint32 i = 0; i < n; i++)
      {
        pos[i] = (Position) { m[i].start, m[i].end, i };
        parent[i] = i;
      }
    qsort (pos, n, sizeof *pos, by_position);
    for (guint32 r = 0; r < n; r++)
      order[r] = pos[r].index;
  }

  /* Names, groups (rule 1) and the given-canonical table (rule 2). */
  g_autoptr (GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) given = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint32 r = 0; r < n; r++)
    {
      guint32 i = order[r];
      Info *in = &info[i];
      in->rank = r;
      in->link = NONE;
      in->name_token = m[i].first_token;
      in->n_name = m[i].n_tokens;
      in->name_start = m[i].start;
      if (is_label (&m[i], "PER"))
        while (in->n_name > 1
               && is_title (text + tokens[in->name_token].start,
                            tokens[in->name_token].end - tokens[in->name_token].start))
          in->name_token++, in->n_name--;
      if (in->n_name && in->name_token != m[i].first_token)
        in->name_start = tokens[in->name_token].start;

      name_of (name, text, &m[i], in, FALSE);
      in->casing = casing (name->str, name->len);

      name_of (name, text, &m[i], in, TRUE);
      g_string_assign (key, m[i].label ? m[i].label : "");
      g_string_append_c (key, '\x1f');
      dp_name_append_folded (key, name->str, name->len);
      gpointer id;
      if (g_hash_table_lookup_extended (groups, key->str, NULL, &id))
        in->group = GPOINTER_TO_UINT (id);
      else
        {
          in->group = g_hash_table_size (groups);
          g_hash_table_insert (groups, g_strdup (key->str), GUINT_TO_POINTER (in->group));
        }

      if (m[i].given_canonical)
        {
          g_string_truncate (key, 0);
          dp_name_append_folded (key, name->str, name->len);
          if (g_hash_table_lookup_extended (given, key->str, NULL, &id))
            unite (parent, i, GPOINTER_TO_UINT (id));
          else
            g_hash_table_insert (given, g_strdup (key->str), GUINT_TO_POINTER (i));
        }
    }

  /* Rules 3-4: index the long forms … */
  g_autoptr (GHashTable) index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, candidates_free);
  for (guint32 r = 0; r < n; r++)
    {
      guint32 i = order[r];
      const Info *in = &info[i];
      if (is_label (&m[i], "PER") && in->n_name >= 2 && in->n_name <= MAX_NAME_TOKENS)
        for (guint32 j = 1; j < in->n_name; j++)
          {
            guint32 from = in->name_token, to = in->name_token + in->n_name;
            token_key (key, 's', text, tokens, to - j, to);
            add_candidate (index, key, i, in->group);
            token_key (key, 'p', text, tokens, from, from + j);
            add_candidate (index, key, i, in->group);
          }
      else if (is_label (&m[i], "ORG") && m[i].n_tokens >= 2
               && initials_of (text, tokens + m[i].first_token, m[i].n_tokens, name))
        {
          g_string_assign (key, "a");
          g_string_append (key, name->str);
          add_candidate (index, key, i, in->group);
        }
    }

  /* … and resolve the short forms to them. */
  for (guint32 i = 0; i < n; i++)
    {
      Info *in = &info[i];
      const Candidates *c = NULL;
      if (m[i].given_canonical || in->n_name == 0)
        continue;
      if (is_label (&m[i], "PER") && in->n_name < MAX_NAME_TOKENS)
        {
          token_key (key, 's', text, tokens, in->name_token, in->name_token + in->n_name);
          c = g_hash_table_lookup (index, key->str);
          if (!c)
            {
              key->str[0] = 'p';
              c = g_hash_table_lookup (index, key->str);
              if (c && c->mixed)
                c = NULL;
            }
        }
      if (!c && is_name_label (&m[i]) && m[i].n_tokens == 1
          && acronym_of (text + m[i].start, m[i].end - m[i].start, name))
        {
          g_string_assign (key, "a");
          g_string_append (key, name->str);
          c = g_hash_table_lookup (index, key->str);
        }
      if (c)
        {
          in->link = nearest (c, info, in->rank);
          m[i].label = m[in->link].label;   /* an acronym of an ORG is one */
        }
    }

  /* Clusters: short forms join their long form, the rest their group. */
  g_autofree guint32 *group_first = g_new (guint32, g_hash_table_size (groups));
  memset (group_first, 0xff, sizeof *group_first * g_hash_table_size (groups));
  for (guint32 r = 0; r < n; r++)
    {
      guint32 i = order[r];
      if (info[i].link != NONE)
        unite (parent, i, info[i].link);
      else if (group_first[info[i].group] == NONE)
        group_first[info[i].group] = i;
      else
        unite (parent, i, group_first[info[i].group]);
    }

  /* Numbers and canonical names, per root. */
  g_autofree guint32 *best = g_new (guint32, n);
  g_autofree guint *number = g_new0 (guint, n);
  guint clusters = 0;
  for (guint32 r = 0; r < n; r++)
    {
      guint32 i = order[r], root = find (parent, i);
      if (!number[root])
        {
          number[root] = ++clusters;
          best[root] = i;
        }
      else if (better (m, info, i, best[root]))
        best[root] = i;
    }
  g_autofree char **canonical = g_new0 (char *, n);
  for (guint32 i = 0; i < n; i++)
    {
      guint32 root = find (parent, i);
      if (!canonical[root])
        {
          guint32 b = best[root];
          name_of (name, text, &m[b], &info[b], TRUE);
          canonical[root] = g_strndup (name->str, name->len);
        }
      g_free (m[i].canonical);
      m[i].canonical = g_strdup (canonical[root]);
      m[i].cluster = number[root];
    }
  for (guint32 i = 0; i < n; i++)
    g_free (canonical[i]);
}

void
dp_ner_mentions_clear (DpNerMention *m, guint n)
{
  for (guint i = 0; i < n; i++)
    g_clear_pointer (&m[i].canonical, g_free);
}
