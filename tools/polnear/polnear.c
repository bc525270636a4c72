/* polnear.c — reading PolNeAR's brat standoff files into attributions, and
 * the claim matching and tallies of docpipe-claims-eval (see polnear.h and
 * docs/claims-eval.md for the rules). */
#include "polnear.h"

#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (dpn-error-quark, dpn_error)

const char *
dpn_kind_name (DpnKind kind)
{
  static const char *const names[] = { "direct", "mixed", "indirect", "all" };
  return names[MIN ((guint) kind, (guint) DPN_N_KINDS)];
}

static GArray *
ranges_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (DpnRange));
}

static void
attribution_free (gpointer p)
{
  DpnAttribution *a = p;
  g_free (a->id);
  g_array_unref (a->content);
  g_array_unref (a->cue);
  g_array_unref (a->source);
  g_free (a);
}

void
dpn_document_free (DpnDocument *doc)
{
  if (doc == NULL)
    return;
  g_free (doc->article);
  g_free (doc->ann_path);
  g_free (doc->text);
  g_ptr_array_unref (doc->attributions);
  g_free (doc);
}

DpnClaim *
dpn_claim_new (void)
{
  DpnClaim *c = g_new0 (DpnClaim, 1);
  c->content = ranges_new ();
  c->cue = ranges_new ();
  c->speaker = ranges_new ();
  c->kind = -1;
  return c;
}

void
dpn_claim_free (DpnClaim *claim)
{
  if (claim == NULL)
    return;
  g_array_unref (claim->content);
  g_array_unref (claim->cue);
  g_array_unref (claim->speaker);
  g_free (claim);
}

/* ---- parsing ------------------------------------------------------------------ */

/* While one .ann is read: its text, its T spans by id. */
typedef struct {
  const char *path;
  const gunichar *chars;
  glong n_chars;
  GHashTable *spans;  /* "T3" -> GArray of DpnRange */
} Parse;

static gboolean
parse_error (GError **error, const Parse *p, guint line, const char *what)
{
  g_set_error (error, DPN_ERROR, DPN_ERROR_PARSE, "%s:%u: %s", p->path, line, what);
  return FALSE;
}

static gboolean
parse_int (const char *s, gint64 *out)
{
  char *end = NULL;
  if (!g_ascii_isdigit (*s))
    return FALSE;
  *out = g_ascii_strtoll (s, &end, 10);
  return *end == '\0';
}

/* "START END;START END" -> fragments, each inside the text. */
static gboolean
parse_fragments (const Parse *p, guint line, const char *s, GArray *out, GError **error)
{
  g_auto (GStrv) frags = g_strsplit (s, ";", -1);
  for (guint i = 0; frags[i] != NULL; i++)
    {
      g_auto (GStrv) se = g_strsplit (frags[i], " ", -1);
      DpnRange r;
      if (g_strv_length (se) != 2 || !parse_int (se[0], &r.start) || !parse_int (se[1], &r.end))
        return parse_error (error, p, line, "malformed offsets, want \"START END[;START END...]\"");
      if (r.end < r.start || r.end > p->n_chars)
        return parse_error (error, p, line, "offsets reversed or past the end of the text");
      g_array_append_val (out, r);
    }
  return TRUE;
}

/* The span's text as brat writes it: the fragments' text joined by a space. */
static char *
span_text (const Parse *p, const GArray *frags)
{
  GString *want = g_string_new (NULL);
  for (guint i = 0; i < frags->len; i++)
    {
      const DpnRange *r = &g_array_index (frags, DpnRange, i);
      if (i > 0)
        g_string_append_c (want, ' ');
      g_autofree char *piece = g_ucs4_to_utf8 (p->chars + r->start, r->end - r->start, NULL, NULL, NULL);
      g_string_append (want, piece != NULL ? piece : "");
    }
  return g_string_free (want, FALSE);
}

/* Tn<TAB>Type START END[;START END...]<TAB>text.  The text must be what the
 * offsets cover, counted in code points: this catches byte offsets and a
 * .txt that is not the annotated one.  A span over a line break has its text
 * go on over the next lines of the file (brat writes it verbatim): those
 * lines are consumed here, and *@consumed says how many. */
static gboolean
parse_t_line (Parse *p, guint line, char **fields, char **next_lines, guint *consumed, GError **error)
{
  *consumed = 0;
  if (g_strv_length (fields) != 3)
    return parse_error (error, p, line, "a T line needs three tab-separated fields");
  const char *sp = strchr (fields[1], ' ');
  if (sp == NULL || sp == fields[1])
    return parse_error (error, p, line, "a T line needs \"Type START END\"");
  g_autoptr (GArray) frags = ranges_new ();
  if (!parse_fragments (p, line, sp + 1, frags, error))
    return FALSE;
  g_autofree char *want = span_text (p, frags);
  g_autoptr (GString) got = g_string_new (fields[2]);
  while (strcmp (want, got->str) != 0 && next_lines[*consumed] != NULL && g_str_has_prefix (want, got->str)
         && want[got->len] == '\n')
    g_string_append_printf (got, "\n%s", next_lines[(*consumed)++]);
  if (strcmp (want, got->str) != 0)
    return parse_error (error, p, line, "the span's text differs from what its offsets cover in the .txt");
  if (g_hash_table_contains (p->spans, fields[0]))
    return parse_error (error, p, line, "duplicate span id");
  g_hash_table_insert (p->spans, g_strdup (fields[0]), g_steal_pointer (&frags));
  return TRUE;
}

/* "Content2" is brat's second Content argument: the role is the name without
 * its trailing digits. */
static GArray *
role_target (DpnAttribution *a, const char *role, gsize len)
{
  while (len > 0 && g_ascii_isdigit (role[len - 1]))
    len--;
  if (len == 7 && strncmp (role, "Content", len) == 0)
    return a->content;
  if (len == 3 && strncmp (role, "Cue", len) == 0)
    return a->cue;
  if (len == 6 && strncmp (role, "Source", len) == 0)
    return a->source;
  return NULL;  /* the trigger (Attribution, Attribution-no-source) or another role */
}

static gboolean
add_role (const Parse *p, guint line, DpnAttribution *a, const char *arg, GError **error)
{
  const char *colon = strchr (arg, ':');
  if (colon == NULL || colon == arg || colon[1] == '\0')
    return parse_error (error, p, line, "an event argument needs \"Role:Tn\"");
  GArray *frags = g_hash_table_lookup (p->spans, colon + 1);
  if (frags == NULL)
    {
      g_autofree char *msg = g_strdup_printf ("no span %s in the file", colon + 1);
      return parse_error (error, p, line, msg);
    }
  GArray *target = role_target (a, arg, colon - arg);
  if (target != NULL)
    g_array_append_vals (target, frags->data, frags->len);
  return TRUE;
}

/* En<TAB>Attribution:Tk Content:Tk Cue:Tk Source:Tk — any role missing or repeated */
static gboolean
parse_e_line (Parse *p, guint line, char **fields, GPtrArray *out, GError **error)
{
  if (g_strv_length (fields) != 2)
    return parse_error (error, p, line, "an E line needs two tab-separated fields");
  DpnAttribution *a = g_new0 (DpnAttribution, 1);
  a->id = g_strdup (fields[0]);
  a->line = line;
  a->content = ranges_new ();
  a->cue = ranges_new ();
  a->source = ranges_new ();
  g_ptr_array_add (out, a);
  g_auto (GStrv) args = g_strsplit (g_strstrip (fields[1]), " ", -1);
  if (args[0] == NULL || args[0][0] == '\0')
    return parse_error (error, p, line, "an E line without arguments");
  for (guint i = 0; args[i] != NULL; i++)
    if (args[i][0] != '\0' && !add_role (p, line, a, args[i], error))
      return FALSE;
  return TRUE;
}

/* Pass 0 reads the T lines (and the lines their text runs over), pass 1 the
 * E lines: an event may name a span defined further down. */
static gboolean
parse_line (Parse *p, guint pass, guint i, char **lines, guint *consumed, GPtrArray *out, GError **error)
{
  const char *s = lines[i];
  *consumed = 0;
  if (s[0] == '\0' || s[0] == '#' || strchr ("ARNM", s[0]) != NULL)
    return TRUE;  /* notes, attributes, relations, normalizations: not used */
  if (s[0] != 'T' && s[0] != 'E')
    return parse_error (error, p, i + 1, "not a brat standoff line (T, E, A, R, N, M or #)");
  if ((s[0] == 'T') != (pass == 0))
    return TRUE;
  g_auto (GStrv) fields = g_strsplit (s, "\t", -1);
  return s[0] == 'T' ? parse_t_line (p, i + 1, fields, lines + i + 1, consumed, error)
                     : parse_e_line (p, i + 1, fields, out, error);
}

static gboolean
parse_ann (Parse *p, const char *contents, GPtrArray *out, GError **error)
{
  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  guint n = g_strv_length (lines);
  for (guint i = 0; i < n; i++)
    {
      gsize len = strlen (lines[i]);
      if (len > 0 && lines[i][len - 1] == '\r')
        lines[i][len - 1] = '\0';
    }
  g_autofree guint8 *continuation = g_new0 (guint8, n + 1);
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < n; i++)
      {
        guint consumed = 0;
        if (!continuation[i] && !parse_line (p, pass, i, lines, &consumed, out, error))
          return FALSE;
        for (; consumed > 0; consumed--)
          continuation[++i] = 1;
      }
  return TRUE;
}

static char *
read_utf8 (const char *path, GError **error)
{
  char *contents = NULL;
  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  if (!g_utf8_validate (contents, -1, NULL))
    {
      g_set_error (error, DPN_ERROR, DPN_ERROR_PARSE, "%s: not valid UTF-8", path);
      g_free (contents);
      return NULL;
    }
  return contents;
}

DpnDocument *
dpn_document_load (const char *txt_path, const char *ann_path, GError **error)
{
  g_autoptr (DpnDocument) doc = g_new0 (DpnDocument, 1);
  doc->ann_path = g_strdup (ann_path);
  g_autofree char *base = g_path_get_basename (txt_path);
  doc->article = g_str_has_suffix (base, ".txt") ? g_strndup (base, strlen (base) - 4) : g_strdup (base);
  doc->attributions = g_ptr_array_new_with_free_func (attribution_free);
  doc->text = read_utf8 (txt_path, error);
  g_autofree char *ann = doc->text != NULL ? read_utf8 (ann_path, error) : NULL;
  if (ann == NULL)
    return NULL;
  g_autofree gunichar *chars = g_utf8_to_ucs4_fast (doc->text, -1, &doc->n_chars);
  g_autoptr (GHashTable) spans = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) g_array_unref);
  Parse p = { ann_path, chars, doc->n_chars, spans };
  if (!parse_ann (&p, ann, doc->attributions, error))
    return NULL;
  return g_steal_pointer (&doc);
}

/* text/NAME.txt, else text/NAME-without-its-last-_suffix.txt */
static char *
find_text (const char *dir, const char *ann_name)
{
  g_autofree char *stem = g_strndup (ann_name, strlen (ann_name) - 4);
  for (int attempt = 0; attempt < 2; attempt++)
    {
      g_autofree char *file = g_strconcat (stem, ".txt", NULL);
      char *path = g_build_filename (dir, "text", file, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return path;
      g_free (path);
      char *us = strrchr (stem, '_');
      if (us == NULL)
        break;
      *us = '\0';
    }
  return NULL;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static GPtrArray *
list_ann (const char *adir, GError **error)
{
  g_autoptr (GDir) d = g_dir_open (adir, 0, error);
  if (d == NULL)
    return NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *n;
  while ((n = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (n, ".ann"))
      g_ptr_array_add (names, g_strdup (n));
  g_ptr_array_sort (names, compare_names);
  return names;
}

GPtrArray *
dpn_corpus_load (const char *dir, GError **error)
{
  g_autofree char *adir = g_build_filename (dir, "attributions", NULL);
  g_autoptr (GPtrArray) names = list_ann (adir, error);
  if (names == NULL)
    return NULL;
  g_autoptr (GPtrArray) docs = g_ptr_array_new_with_free_func ((GDestroyNotify) dpn_document_free);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *ann = g_build_filename (adir, name, NULL);
      g_autofree char *txt = find_text (dir, name);
      if (txt == NULL)
        {
          g_set_error (error, DPN_ERROR, DPN_ERROR_IO, "%s: no text/ file for it in %s", ann, dir);
          return NULL;
        }
      DpnDocument *doc = dpn_document_load (txt, ann, error);
      if (doc == NULL)
        return NULL;
      g_ptr_array_add (docs, doc);
    }
  return g_steal_pointer (&docs);
}

/* ---- matching ----------------------------------------------------------------- */

gint64
dpn_ranges_length (const GArray *ranges)
{
  gint64 n = 0;
  for (guint i = 0; i < ranges->len; i++)
    n += g_array_index (ranges, DpnRange, i).end - g_array_index (ranges, DpnRange, i).start;
  return n;
}

/* Fragments of one side are assumed not to overlap each other (brat's are not). */
gint64
dpn_ranges_overlap (const GArray *a, const GArray *b)
{
  gint64 n = 0;
  for (guint i = 0; i < a->len; i++)
    for (guint j = 0; j < b->len; j++)
      {
        const DpnRange *x = &g_array_index (a, DpnRange, i), *y = &g_array_index (b, DpnRange, j);
        gint64 lo = MAX (x->start, y->start), hi = MIN (x->end, y->end);
        if (hi > lo)
          n += hi - lo;
      }
  return n;
}

GArray *
dpn_ranges_hull (const GArray *ranges)
{
  GArray *hull = ranges_new ();
  for (guint i = 0; i < ranges->len; i++)
    {
      DpnRange r = g_array_index (ranges, DpnRange, i);
      if (hull->len == 0)
        g_array_append_val (hull, r);
      DpnRange *h = &g_array_index (hull, DpnRange, 0);
      h->start = MIN (h->start, r.start);
      h->end = MAX (h->end, r.end);
    }
  return hull;
}

gboolean
dpn_content_matches (const GArray *gold, const GArray *pred)
{
  gint64 ov = dpn_ranges_overlap (gold, pred);
  gint64 longer = MAX (dpn_ranges_length (gold), dpn_ranges_length (pred));
  return ov > 0 && 2 * ov >= longer;
}

static gboolean
is_double_quote (gunichar c)
{
  return c == '"' || c == 0x201C || c == 0x201D || c == 0x201E || c == 0xAB || c == 0xBB;
}

static gboolean
is_open_quote (gunichar c)
{
  return is_double_quote (c) || c == 0x2018 || c == '\'';
}

static gboolean
is_close_quote (gunichar c)
{
  return is_double_quote (c) || c == 0x2019 || c == '\'';
}

/* One fragment, widened by a quotation mark just outside it (annotators put
 * them in or out) and trimmed of spaces and trailing punctuation outside the
 * closing mark. */
static DpnKind
fragment_kind (const gunichar *t, glong n, DpnRange r)
{
  glong s = r.start, e = r.end;
  while (s < e && g_unichar_isspace (t[s]))
    s++;
  while (e > s && (g_unichar_isspace (t[e - 1]) || strchr (".,;:", (int) MIN (t[e - 1], 0x7F)) != NULL))
    e--;
  if (s > 0 && is_open_quote (t[s - 1]) && !is_open_quote (t[s]))
    s--;
  if (e < n && is_close_quote (t[e]) && (e == s || !is_close_quote (t[e - 1])))
    e++;
  guint inner = 0;
  for (glong i = s + 1; i < e - 1; i++)
    inner += is_double_quote (t[i]);
  if (e - s >= 2 && is_open_quote (t[s]) && is_close_quote (t[e - 1]) && inner == 0)
    return DPN_KIND_DIRECT;
  for (glong i = s; i < e; i++)
    if (is_double_quote (t[i]))
      return DPN_KIND_MIXED;
  return DPN_KIND_INDIRECT;
}

/* direct when every fragment is wholly quoted, indirect when none has a
 * quotation mark, mixed otherwise. */
static DpnKind
kind_of_chars (const gunichar *t, glong n_chars, const GArray *ranges)
{
  guint direct = 0, indirect = 0;
  for (guint i = 0; i < ranges->len; i++)
    {
      DpnRange r = g_array_index (ranges, DpnRange, i);
      r.start = CLAMP (r.start, 0, n_chars);
      r.end = CLAMP (r.end, r.start, n_chars);
      DpnKind k = fragment_kind (t, n_chars, r);
      direct += k == DPN_KIND_DIRECT;
      indirect += k == DPN_KIND_INDIRECT;
    }
  if (ranges->len > 0 && direct == ranges->len)
    return DPN_KIND_DIRECT;
  if (indirect == ranges->len)
    return DPN_KIND_INDIRECT;
  return DPN_KIND_MIXED;
}

DpnKind
dpn_kind_of (const char *text, glong n_chars, const GArray *ranges)
{
  g_autofree gunichar *t = g_utf8_to_ucs4_fast (text, -1, NULL);
  return kind_of_chars (t, n_chars, ranges);
}

typedef struct {
  guint gold, pred;
  gint64 overlap;
} Pair;

/* Largest overlap first; ties by position, so the result does not depend on qsort. */
static gint
compare_pairs (gconstpointer a, gconstpointer b)
{
  const Pair *x = a, *y = b;
  if (x->overlap != y->overlap)
    return x->overlap > y->overlap ? -1 : 1;
  if (x->gold != y->gold)
    return x->gold < y->gold ? -1 : 1;
  return (x->pred > y->pred) - (x->pred < y->pred);
}

/* A role "agrees" when the two overlap, or when both are absent (an
 * unattributed claim with no gold Source). */
static gboolean
role_agrees (const GArray *gold, const GArray *pred)
{
  if (gold->len == 0 || pred->len == 0)
    return gold->len == 0 && pred->len == 0;
  return dpn_ranges_overlap (gold, pred) > 0;
}

static void
tally_match (const DpnAttribution *g, const DpnClaim *c, DpnKind gk, DpnKind pk, DpnScores *s)
{
  guint all = DPN_N_KINDS;
  s->matched_gold[gk]++, s->matched_gold[all]++;
  s->matched_pred[pk]++, s->matched_pred[all]++;
  if (role_agrees (g->cue, c->cue))
    s->cue_ok[gk]++, s->cue_ok[all]++;
  if (role_agrees (g->source, c->speaker))
    s->speaker_ok[gk]++, s->speaker_ok[all]++;
}

/* A claim is one span, so a gold content split by its cue or source
 * ("'We will,' he said, 'respond.'") is compared as its hull. */
static GArray *
candidate_pairs (const DpnDocument *doc, GPtrArray *claims)
{
  GArray *pairs = g_array_new (FALSE, FALSE, sizeof (Pair));
  for (guint g = 0; g < doc->attributions->len; g++)
    {
      const DpnAttribution *a = doc->attributions->pdata[g];
      g_autoptr (GArray) hull = dpn_ranges_hull (a->content);
      for (guint p = 0; p < claims->len; p++)
        {
          const DpnClaim *c = claims->pdata[p];
          if (dpn_content_matches (hull, c->content))
            {
              Pair pair = { g, p, dpn_ranges_overlap (hull, c->content) };
              g_array_append_val (pairs, pair);
            }
        }
    }
  g_array_sort (pairs, compare_pairs);
  return pairs;
}

void
dpn_score_document (const DpnDocument *doc, const char *text, glong n_chars,
                    GPtrArray *claims, DpnScores *scores)
{
  guint ng = doc->attributions->len, np = claims->len, all = DPN_N_KINDS;
  g_autofree DpnKind *gk = g_new (DpnKind, ng + 1);
  g_autofree DpnKind *pk = g_new (DpnKind, np + 1);
  /* Converted once: kinds are computed for every claim. */
  g_autofree gunichar *gold_chars = g_utf8_to_ucs4_fast (doc->text, -1, NULL);
  g_autofree gunichar *pred_chars = g_utf8_to_ucs4_fast (text, -1, NULL);
  for (guint g = 0; g < ng; g++)
    {
      gk[g] = kind_of_chars (gold_chars, doc->n_chars, ((DpnAttribution *) doc->attributions->pdata[g])->content);
      scores->gold[gk[g]]++, scores->gold[all]++;
    }
  for (guint p = 0; p < np; p++)
    {
      const DpnClaim *c = claims->pdata[p];
      pk[p] = c->kind >= 0 && c->kind < DPN_N_KINDS ? (DpnKind) c->kind : kind_of_chars (pred_chars, n_chars, c->content);
      scores->pred[pk[p]]++, scores->pred[all]++;
    }
  g_autoptr (GArray) pairs = candidate_pairs (doc, claims);
  g_autofree gboolean *gused = g_new0 (gboolean, ng + 1);
  g_autofree gboolean *pused = g_new0 (gboolean, np + 1);
  for (guint i = 0; i < pairs->len; i++)
    {
      const Pair *pr = &g_array_index (pairs, Pair, i);
      if (gused[pr->gold] || pused[pr->pred])
        continue;
      gused[pr->gold] = pused[pr->pred] = TRUE;
      tally_match (doc->attributions->pdata[pr->gold], claims->pdata[pr->pred],
                   gk[pr->gold], pk[pr->pred], scores);
    }
}
