/* sentence-eval.c — scores the core's tokenizer and sentence splitter against
 * the sentence and token splits of annotated NER data (CoNLL-2003, Universal
 * NER EWT, GMB: see ../shared/README.md).
 *
 * The data holds tokens, not text, so each document is written back as
 * running text with the spacing of ordinary prose ("said ," -> "said,", "( AP )"
 * -> "(AP)", quotes attached to what they quote, clitics to their word) and
 * its sentences joined by one space, as in a paragraph, except after a
 * sentence without final punctuation (a headline, a byline, a dateline, a
 * table row), which ends its line as it did in the newswire.  A sentence boundary is the start of every sentence
 * but a document's first; precision, recall and F1 count boundaries at the
 * same byte.  Tokens score the same way on exact spans.
 *
 * Documents are split into two halves, even and odd (--part even|odd), so
 * that rules can be chosen on one and checked on the other.  GMB marks no
 * documents: runs of 8 sentences stand in for them.
 *
 *   sentence-eval [--part even|odd] [--errors N] FILE.iob2...
 */
#include <docpipe/tokens.h>

#include <stdio.h>
#include <string.h>

#include "iob.h"

#define GMB_DOC_SENTENCES 8

typedef struct {
  guint tp, gold, pred;
} Count;

typedef struct {
  GString *text;
  GArray *gold_tokens;      /* guint32 pairs: start, end */
  GArray *gold_starts;      /* guint32: sentence starts after the first */
  gboolean quote_open;
  gboolean ended;           /* the last word ended a sentence: . ! ? */
} Doc;

static const char *
ptb_unescape (const char *w)
{
  static const char *const map[][2] = {
    { "-LRB-", "(" }, { "-RRB-", ")" }, { "-LSB-", "[" }, { "-RSB-", "]" },
    { "-LCB-", "{" }, { "-RCB-", "}" }, { "``", "\"" }, { "''", "\"" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (strcmp (w, map[i][0]) == 0)
      return map[i][1];
  return w;
}

static gboolean
one_of (const char *w, const char *const *set)
{
  for (guint i = 0; set[i]; i++)
    if (g_ascii_strcasecmp (w, set[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Words written against the word before them. */
static gboolean
attaches_left (const char *w)
{
  static const char *const left[] = { ",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "...",
                                      "'s", "n't", "'re", "'ve", "'ll", "'d", "'m", "'", "?!", "!!", NULL };
  return one_of (w, left);
}

/* Words the next word is written against. */
static gboolean
attaches_right (const char *w)
{
  static const char *const right[] = { "(", "[", "{", "$", "#", NULL };
  return one_of (w, right);
}

static void
doc_add_word (Doc *d, const char *raw, gboolean sentence_start, const char **prev)
{
  const char *w = ptb_unescape (raw);
  gboolean quote = strcmp (w, "\"") == 0;
  gboolean space = d->text->len > 0;
  if (quote)
    {
      /* An opening quote is spaced from the word before; a closing one is not. */
      if (d->quote_open)
        space = FALSE;
      d->quote_open = !d->quote_open;
    }
  else if (attaches_left (w) && !sentence_start)
    space = FALSE;
  if (*prev && (attaches_right (*prev) || (strcmp (*prev, "\"") == 0 && d->quote_open)))
    space = FALSE;
  if (sentence_start && d->text->len > 0)
    {
      /* A sentence with no final punctuation (a headline, a byline, a table
       * row) was a line of its own. */
      g_string_append_c (d->text, d->ended ? ' ' : '\n');
      space = FALSE;
    }
  if (space)
    g_string_append_c (d->text, ' ');
  guint32 span[2] = { (guint32) d->text->len, 0 };
  if (sentence_start && d->text->len > 0)
    g_array_append_val (d->gold_starts, span[0]);
  g_string_append (d->text, w);
  span[1] = (guint32) d->text->len;
  g_array_append_vals (d->gold_tokens, span, 2);
  if (!quote && strcmp (w, ")") != 0)
    d->ended = one_of (w, (const char *const[]) { ".", "!", "?", "...", "?!", "!!", NULL })
               || (strlen (w) > 1 && w[strlen (w) - 1] == '.');
  *prev = w;
}

static gboolean
has_u32 (GHashTable *set, guint32 v)
{
  return g_hash_table_contains (set, GUINT_TO_POINTER (v + 1));
}

static void
show_error (const Doc *d, guint32 at, const char *what, guint *budget)
{
  if (*budget == 0)
    return;
  (*budget)--;
  guint32 from = at > 60 ? at - 60 : 0, to = MIN ((guint32) d->text->len, at + 40);
  printf ("%s: %.*s|%.*s\n", what, (int) (at - from), d->text->str + from, (int) (to - at), d->text->str + at);
}

/* Scores one document's sentences and tokens. */
static void
score_doc (Doc *d, Count *sent, Count *tok, guint *errors)
{
  g_autoptr (GArray) tokens = g_array_new (FALSE, FALSE, sizeof (DpToken));
  g_autoptr (GArray) sents = g_array_new (FALSE, FALSE, sizeof (DpSentence));
  dp_tokenize (d->text->str, d->text->len, tokens);
  dp_split_sentences (d->text->str, d->text->len, (const DpToken *) tokens->data, tokens->len, sents);

  g_autoptr (GHashTable) gold = g_hash_table_new (NULL, NULL), pred = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < d->gold_starts->len; i++)
    g_hash_table_add (gold, GUINT_TO_POINTER (g_array_index (d->gold_starts, guint32, i) + 1));
  for (guint i = 1; i < sents->len; i++)
    g_hash_table_add (pred, GUINT_TO_POINTER (g_array_index (sents, DpSentence, i).start + 1));
  sent->gold += g_hash_table_size (gold);
  sent->pred += g_hash_table_size (pred);
  for (guint i = 1; i < sents->len; i++)
    {
      guint32 at = g_array_index (sents, DpSentence, i).start;
      if (has_u32 (gold, at))
        sent->tp++;
      else
        show_error (d, at, "false split", errors);
    }
  for (guint i = 0; i < d->gold_starts->len; i++)
    {
      guint32 at = g_array_index (d->gold_starts, guint32, i);
      if (!has_u32 (pred, at))
        show_error (d, at, "missed split", errors);
    }

  /* Tokens: both lists are in text order, so one merge counts the matches. */
  guint g = 0, n_gold = d->gold_tokens->len / 2;
  const guint32 *gt = (const guint32 *) d->gold_tokens->data;
  tok->gold += n_gold;
  tok->pred += tokens->len;
  for (guint i = 0; i < tokens->len; i++)
    {
      const DpToken *t = &g_array_index (tokens, DpToken, i);
      while (g < n_gold && gt[2 * g] < t->start)
        g++;
      if (g < n_gold && gt[2 * g] == t->start && gt[2 * g + 1] == t->end)
        tok->tp++;
    }
}

static void
print_count (const char *what, const Count *c)
{
  double p = c->pred ? 100.0 * c->tp / c->pred : 0, r = c->gold ? 100.0 * c->tp / c->gold : 0;
  double f = p + r > 0 ? 2 * p * r / (p + r) : 0;
  printf ("  %-10s P %6.2f  R %6.2f  F1 %6.2f  (gold %u, predicted %u, right %u)\n", what, p, r, f, c->gold,
          c->pred, c->tp);
}

static gboolean
eval_file (const char *path, int part, guint *errors, GError **error)
{
  g_autoptr (GPtrArray) sents = dp_iob_read (path, error);
  if (!sents)
    return FALSE;
  gboolean every_start = TRUE;
  for (guint i = 0; i < sents->len && every_start; i++)
    every_start = ((DpIobSentence *) sents->pdata[i])->doc_start;
  Count sent = { 0 }, tok = { 0 };
  Doc d = { g_string_new (NULL), g_array_new (FALSE, FALSE, sizeof (guint32)),
            g_array_new (FALSE, FALSE, sizeof (guint32)), FALSE };
  guint doc_index = 0, in_doc = 0;
  const char *prev = NULL;
  for (guint i = 0; i <= sents->len; i++)
    {
      const DpIobSentence *s = i < sents->len ? sents->pdata[i] : NULL;
      gboolean new_doc = !s || (every_start ? in_doc == GMB_DOC_SENTENCES : s->doc_start);
      if (new_doc && d.text->len > 0)
        {
          if (part < 0 || (int) (doc_index % 2) == part)
            score_doc (&d, &sent, &tok, errors);
          doc_index++;
          g_string_truncate (d.text, 0);
          g_array_set_size (d.gold_tokens, 0);
          g_array_set_size (d.gold_starts, 0);
          d.quote_open = d.ended = FALSE;
          in_doc = 0;
          prev = NULL;
        }
      if (!s)
        break;
      in_doc++;
      for (guint w = 0; w < s->words->len; w++)
        doc_add_word (&d, s->words->pdata[w], w == 0, &prev);
    }
  printf ("%s (%s documents)\n", path, part < 0 ? "all" : part == 0 ? "even" : "odd");
  print_count ("sentences", &sent);
  print_count ("tokens", &tok);
  g_string_free (d.text, TRUE);
  g_array_unref (d.gold_tokens);
  g_array_unref (d.gold_starts);
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autofree char *part_name = NULL;
  int n_errors = 0;
  const GOptionEntry entries[] = {
    { "part", 'p', 0, G_OPTION_ARG_STRING, &part_name, "Score only the even or the odd documents", "even|odd" },
    { "errors", 'e', 0, G_OPTION_ARG_INT, &n_errors, "Print the first N wrong or missed boundaries", "N" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("FILE.iob2... — score the sentence splitter");
  g_autoptr (GError) error = NULL;
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc < 2)
    {
      g_printerr ("%s\n", error ? error->message : "no input files");
      return 2;
    }
  int part = -1;
  if (part_name && strcmp (part_name, "even") == 0)
    part = 0;
  else if (part_name && strcmp (part_name, "odd") == 0)
    part = 1;
  else if (part_name)
    {
      g_printerr ("--part: even or odd, not %s\n", part_name);
      return 2;
    }
  guint budget = n_errors > 0 ? (guint) n_errors : 0;
  for (int i = 1; i < argc; i++)
    if (!eval_file (argv[i], part, &budget, &error))
      {
        g_printerr ("%s\n", error->message);
        return 1;
      }
  return 0;
}
