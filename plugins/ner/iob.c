/* iob.c — reading annotated NER corpora and scoring against them. */

#include "iob.h"
#include "gazetteer.h"

#include <string.h>

static const char *const types[] = { "PER", "ORG", "LOC", "MISC" };
static const char *const bilou[] = {
  "O", "B-PER", "I-PER", "L-PER", "U-PER", "B-ORG", "I-ORG", "L-ORG", "U-ORG",
  "B-LOC", "I-LOC", "L-LOC", "U-LOC", "B-MISC", "I-MISC", "L-MISC", "U-MISC", NULL
};

const char *const *dp_iob_bilou_tags (void) { return bilou; }

static int
type_index (const char *type)
{
  for (int t = 0; t < 4; t++)
    if (strcmp (type, types[t]) == 0)
      return t;
  return -1;
}

/* GMB's categories onto CoNLL's: geo-political entities are places, except the
 * adjectives and names of peoples, which CoNLL calls MISC: a word ending like
 * a demonym, or on @gaz's list of demonyms (and no country: "Gibraltar"). */
static const char *
map_gmb (const char *type, const char *word, const DpGazetteer *gaz)
{
  if (strcmp (type, "per") == 0)
    return "PER";
  if (strcmp (type, "org") == 0)
    return "ORG";
  if (strcmp (type, "geo") == 0)
    return "LOC";
  if (strcmp (type, "gpe") == 0)
    {
      /* Iranian, Korean, American, Chinese, British, French, Iraqi, Israeli …
       * but not Iran, Japan, Sudan or Mali. */
      static const char *const adjective_endings[] = {
        "ian", "ean", "can", "ese", "ish", "ch", "ani", "aqi", "eli", "udi", "eni", "iti", "ari", "ini", NULL
      };
      for (guint i = 0; adjective_endings[i]; i++)
        if (g_str_has_suffix (word, adjective_endings[i]))
          return "MISC";
      guint32 lists = gaz ? dp_gazetteer_lookup_hash (gaz, dp_gaz_word_hash (word, strlen (word)), NULL) : 0;
      if ((lists & 1u << DP_GAZ_DEMONYM) && !(lists & 1u << DP_GAZ_COUNTRY))
        return "MISC";   /* Afghan, Swiss, Palestinians, Iraqis */
      return "LOC";
    }
  if (strcmp (type, "art") == 0 || strcmp (type, "eve") == 0 || strcmp (type, "nat") == 0)
    return "MISC";
  return NULL;   /* tim and anything else */
}

/* GMB's person names take their titles ("President George Bush", "Mr.
 * Larijani", "prime minister Ehud Olmert"); CoNLL's and UNER's do not.  The
 * words of a person's span before its name proper (lower-case words and
 * these titles) are left out of it. */
static gboolean
gmb_title (const char *word)
{
  static const char *const titles[] = {
    "Mr.", "Mrs.", "Ms.", "Dr.", "Mr", "Mrs", "Ms", "Dr", "President", "Vice", "Prime", "Minister", "Premier",
    "Chancellor", "General", "Gen.", "Secretary", "Secretary-General", "King", "Queen", "Prince", "Princess",
    "Pope", "Senator", "Sen.", "Rep.", "Governor", "Gov.", "Chairman", "Lieutenant", "Colonel", "Col.", "Sheikh",
    "Ayatollah", "Cardinal", "Archbishop", "Bishop", "Judge", "Ambassador", "Mayor", "Admiral", "Captain",
    "Commander", "Deputy", "Chief", "Foreign", "Defense", "Interior", "Finance", "Envoy", "Former", "Sergeant",
    "Sir", "Lord", "Crown", "Grand", "Supreme", "Leader", "Justice", "Attorney", "Speaker", "Senior", NULL
  };
  if (g_ascii_islower (word[0]))
    return TRUE;
  for (guint i = 0; titles[i]; i++)
    if (strcmp (word, titles[i]) == 0)
      return TRUE;
  return FALSE;
}

static void
gmb_strip_titles (DpIobSentence *s)
{
  for (guint i = 0; i < s->words->len; i++)
    {
      char *label = g_ptr_array_index (s->labels, i);
      if (strcmp (label, "B-PER") != 0)
        continue;
      guint end = i + 1;
      while (end < s->words->len && strcmp (g_ptr_array_index (s->labels, end), "I-PER") == 0)
        end++;
      guint first = i;
      while (first + 1 < end && gmb_title (g_ptr_array_index (s->words, first)))
        first++;
      for (guint k = i; k < first; k++)
        {
          g_free (g_ptr_array_index (s->labels, k));
          s->labels->pdata[k] = g_strdup ("O");
        }
      if (first > i)
        {
          g_free (g_ptr_array_index (s->labels, first));
          s->labels->pdata[first] = g_strdup ("B-PER");
        }
      i = end - 1;
    }
}

static char *
normalise_label (const char *label, const char *word, gboolean gmb, const DpGazetteer *gaz)
{
  if (strcmp (label, "O") == 0 || strlen (label) < 3 || label[1] != '-')
    return g_strdup ("O");
  const char *type = gmb ? map_gmb (label + 2, word, gaz) : label + 2;
  if (!type || type_index (type) < 0)
    return g_strdup ("O");
  return g_strdup_printf ("%c-%s", label[0], type);
}

static DpIobSentence *
sentence_new (gboolean doc_start)
{
  DpIobSentence *s = g_new0 (DpIobSentence, 1);
  s->words = g_ptr_array_new_with_free_func (g_free);
  s->labels = g_ptr_array_new_with_free_func (g_free);
  s->doc_start = doc_start;
  return s;
}

static void
sentence_free (gpointer p)
{
  DpIobSentence *s = p;
  g_ptr_array_unref (s->words);
  g_ptr_array_unref (s->labels);
  g_free (s);
}

/* Universal NER's columns: a token number, the word, the tag.  GMB's first
 * column is the word, and a word can be a number too ("1990", "26-year"). */
static gboolean
uner_layout (char **cols, guint nc, gboolean gmb)
{
  return !gmb && nc >= 3 && cols[0][0] && strspn (cols[0], "0123456789") == strlen (cols[0]) && cols[2][0]
         && strchr ("BIO", cols[2][0]);
}

GPtrArray *
dp_iob_read (const char *path, GError **error)
{
  return dp_iob_read_with (path, NULL, error);
}

GPtrArray *
dp_iob_read_with (const char *path, const DpGazetteer *gaz, GError **error)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (sentence_free);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  gboolean gmb = strstr (path, "gmb") != NULL, doc_start = TRUE;
  DpIobSentence *cur = NULL;
  for (guint n = 0; lines[n]; n++)
    {
      char *line = g_strchomp (lines[n]);
      if (g_str_has_prefix (line, "-DOCSTART-") || g_str_has_prefix (line, "# newdoc"))
        {
          doc_start = TRUE;
          continue;
        }
      if (*line == '#')
        continue;
      if (!*line)
        {
          if (cur && cur->words->len && gmb)
            gmb_strip_titles (cur);
          if (cur && cur->words->len)
            g_ptr_array_add (out, cur), cur = NULL;
          continue;
        }
      gboolean tabs = strchr (line, '\t') != NULL;
      g_auto (GStrv) cols = g_strsplit (line, tabs ? "\t" : " ", -1);
      guint nc = g_strv_length (cols);
      /* CoNLL: word POS chunk tag; UNER: index word tag …; GMB: word POS tag. */
      const char *word = NULL, *label = NULL;
      if (!tabs && nc >= 2)
        word = cols[0], label = cols[nc - 1];
      else if (uner_layout (cols, nc, gmb))
        word = cols[1], label = cols[2];
      else if (tabs && nc >= 2)
        word = cols[0], label = cols[nc - 1];
      if (!word || !*word)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: not a token line: %s", path, n + 1, line);
          g_ptr_array_unref (out);
          if (cur)
            sentence_free (cur);
          return NULL;
        }
      /* GMB marks no document boundaries: each sentence stands alone. */
      if (!cur)
        {
          cur = sentence_new (doc_start || gmb), doc_start = FALSE;
          /* UNER does not annotate MISC; GMB's categories cover it only in part. */
          cur->no_misc = gmb || (tabs && uner_layout (cols, nc, gmb));
        }
      g_ptr_array_add (cur->words, g_strdup (word));
      g_ptr_array_add (cur->labels, normalise_label (label, word, gmb, gaz));
    }
  if (cur && cur->words->len && gmb)
    gmb_strip_titles (cur);
  if (cur && cur->words->len)
    g_ptr_array_add (out, cur);
  else if (cur)
    sentence_free (cur);
  return out;
}

GPtrArray *
dp_iob_recase (const GPtrArray *sentences, guint first, guint end, gboolean upper)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (sentence_free);
  for (guint i = first; i < end; i++)
    {
      const DpIobSentence *s = g_ptr_array_index ((GPtrArray *) sentences, i);
      DpIobSentence *copy = sentence_new (i == first);
      copy->no_misc = s->no_misc;
      for (guint k = 0; k < s->words->len; k++)
        {
          const char *w = g_ptr_array_index (s->words, k);
          g_ptr_array_add (copy->words, upper ? g_utf8_strup (w, -1) : g_utf8_strdown (w, -1));
          g_ptr_array_add (copy->labels, g_strdup (g_ptr_array_index (s->labels, k)));
        }
      g_ptr_array_add (out, copy);
    }
  return out;
}

/* The type of an IOB2 label, -1 for O; @begins if it starts a new span. */
static int
iob_type (const DpIobSentence *s, guint i, gboolean *begins)
{
  const char *l = g_ptr_array_index (s->labels, i);
  if (l[0] == 'O')
    return -1;
  int t = type_index (l + 2);
  const char *prev = i > 0 ? g_ptr_array_index (s->labels, i - 1) : "O";
  *begins = l[0] == 'B' || prev[0] == 'O' || strcmp (prev + 2, l + 2) != 0;
  return t;
}

void
dp_iob_to_bilou (const DpIobSentence *s, guint16 *tags)
{
  guint n = s->words->len;
  for (guint i = 0; i < n; i++)
    {
      gboolean begins = FALSE, next_begins = TRUE;
      int t = iob_type (s, i, &begins);
      if (t < 0)
        {
          tags[i] = 0;
          continue;
        }
      int nt = i + 1 < n ? iob_type (s, i + 1, &next_begins) : -1;
      gboolean ends = nt != t || next_begins;
      guint pos = begins ? (ends ? 3 : 0) : (ends ? 2 : 1);   /* B I L U */
      tags[i] = (guint16) (1 + t * 4 + pos);
    }
}

typedef struct {
  guint start, end;
  int type;
} Span;

static void
spans_of_bilou (const guint16 *tags, guint n, GArray *out)
{
  g_array_set_size (out, 0);
  guint start = 0;
  int open = -1;
  for (guint i = 0; i < n; i++)
    {
      if (tags[i] == 0)
        {
          open = -1;
          continue;
        }
      int t = (tags[i] - 1) / 4, pos = (tags[i] - 1) % 4;
      if (pos == 0 || pos == 3 || open != t)
        start = i, open = t;
      if (pos == 2 || pos == 3)
        {
          Span s = { start, i + 1, t };
          g_array_append_val (out, s);
          open = -1;
        }
    }
}

void
dp_iob_score_add (DpIobScore *score, const DpIobSentence *s, const guint16 *pred)
{
  guint n = s->words->len;
  g_autofree guint16 *gold_tags = g_new (guint16, n);
  dp_iob_to_bilou (s, gold_tags);
  g_autoptr (GArray) gold = g_array_new (FALSE, FALSE, sizeof (Span));
  g_autoptr (GArray) guess = g_array_new (FALSE, FALSE, sizeof (Span));
  spans_of_bilou (gold_tags, n, gold);
  spans_of_bilou (pred, n, guess);
  for (guint i = 0; i < gold->len; i++)
    {
      Span *g = &g_array_index (gold, Span, i);
      if (score->skip & (1u << g->type))
        continue;
      score->gold[g->type]++, score->gold[4]++;
      for (guint j = 0; j < guess->len; j++)
        {
          Span *p = &g_array_index (guess, Span, j);
          if (p->start == g->start && p->end == g->end && p->type == g->type)
            score->tp[g->type]++, score->tp[4]++;
        }
    }
  for (guint j = 0; j < guess->len; j++)
    {
      Span *p = &g_array_index (guess, Span, j);
      if (score->skip & (1u << p->type))
        continue;
      score->pred[p->type]++, score->pred[4]++;
    }
}

static double
f1_of (guint tp, guint gold, guint pred, double *p, double *r)
{
  *p = pred ? 100.0 * tp / pred : 0;
  *r = gold ? 100.0 * tp / gold : 0;
  return *p + *r > 0 ? 2 * *p * *r / (*p + *r) : 0;
}

double
dp_iob_score_print (const DpIobScore *s, FILE *out)
{
  double p, r, f = f1_of (s->tp[4], s->gold[4], s->pred[4], &p, &r);
  fprintf (out, "entities: %u gold, %u found, %u correct\n", s->gold[4], s->pred[4], s->tp[4]);
  fprintf (out, "overall   precision %6.2f%%  recall %6.2f%%  F1 %6.2f\n", p, r, f);
  for (int t = 0; t < 4; t++)
    {
      if (s->skip & (1u << t))
        continue;
      double tp, tr, tf = f1_of (s->tp[t], s->gold[t], s->pred[t], &tp, &tr);
      fprintf (out, "%-8s  precision %6.2f%%  recall %6.2f%%  F1 %6.2f  (%u)\n", types[t], tp, tr, tf, s->pred[t]);
    }
  return f;
}

int
dp_iob_type_index (const char *type)
{
  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    if (strcmp (types[t], type) == 0)
      return (int) t;
  return -1;
}
