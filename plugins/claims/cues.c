/* cues.c — the cue and hedge lexicons (see cues.h).
 *
 * Single-word cues are looked up in a hash table built once; the few
 * multi-word cues are checked from their first word, looking a bounded
 * number of tokens ahead, so matching stays linear.  Nouns that share a
 * verb's spelling ("states", "claims", "reports") are left out: as cues
 * they would be wrong more often than right.
 */
#include "cues.h"

#include <string.h>

typedef struct {
  const char *form;
  DpClaimAct act;
  gboolean weak;
  gboolean object;
} CueWord;

static const CueWord cue_words[] = {
  { "say", DP_ACT_ASSERT }, { "says", DP_ACT_ASSERT }, { "said", DP_ACT_ASSERT }, { "saying", DP_ACT_ASSERT },
  { "tell", DP_ACT_ASSERT, FALSE, TRUE }, { "tells", DP_ACT_ASSERT, FALSE, TRUE },
  { "told", DP_ACT_ASSERT, FALSE, TRUE }, { "telling", DP_ACT_ASSERT, FALSE, TRUE },
  { "stated", DP_ACT_ASSERT }, { "add", DP_ACT_ASSERT, TRUE }, { "adds", DP_ACT_ASSERT, TRUE },
  { "added", DP_ACT_ASSERT, TRUE }, { "adding", DP_ACT_ASSERT, TRUE },
  { "announce", DP_ACT_ASSERT }, { "announces", DP_ACT_ASSERT }, { "announced", DP_ACT_ASSERT },
  { "insist", DP_ACT_ASSERT }, { "insists", DP_ACT_ASSERT }, { "insisted", DP_ACT_ASSERT }, { "insisting", DP_ACT_ASSERT },
  { "confirm", DP_ACT_ASSERT, TRUE }, { "confirms", DP_ACT_ASSERT, TRUE }, { "confirmed", DP_ACT_ASSERT, TRUE },
  { "argue", DP_ACT_ASSERT }, { "argues", DP_ACT_ASSERT }, { "argued", DP_ACT_ASSERT },
  { "declare", DP_ACT_ASSERT }, { "declares", DP_ACT_ASSERT }, { "declared", DP_ACT_ASSERT },
  { "explained", DP_ACT_ASSERT, TRUE }, { "noted", DP_ACT_ASSERT, TRUE }, { "wrote", DP_ACT_ASSERT, TRUE },
  { "acknowledged", DP_ACT_ASSERT, TRUE }, { "admitted", DP_ACT_ASSERT, TRUE },
  { "claim", DP_ACT_ALLEGE, TRUE }, { "claimed", DP_ACT_ALLEGE }, { "claiming", DP_ACT_ALLEGE },
  { "allege", DP_ACT_ALLEGE }, { "alleges", DP_ACT_ALLEGE }, { "alleged", DP_ACT_ALLEGE, TRUE }, { "alleging", DP_ACT_ALLEGE },
  { "suspected", DP_ACT_ALLEGE, TRUE }, { "suspect", DP_ACT_ALLEGE, TRUE }, { "suspects", DP_ACT_ALLEGE, TRUE },
  { "accuse", DP_ACT_ALLEGE, FALSE, TRUE }, { "accuses", DP_ACT_ALLEGE, FALSE, TRUE },
  { "accused", DP_ACT_ALLEGE, FALSE, TRUE }, { "accusing", DP_ACT_ALLEGE, FALSE, TRUE },
  { "deny", DP_ACT_DENY }, { "denies", DP_ACT_DENY }, { "denied", DP_ACT_DENY }, { "denying", DP_ACT_DENY },
  { "reject", DP_ACT_DENY }, { "rejects", DP_ACT_DENY }, { "rejected", DP_ACT_DENY }, { "rejecting", DP_ACT_DENY },
  { "dismiss", DP_ACT_DENY }, { "dismisses", DP_ACT_DENY }, { "dismissed", DP_ACT_DENY }, { "dismissing", DP_ACT_DENY },
  { "warn", DP_ACT_WARN }, { "warns", DP_ACT_WARN }, { "warned", DP_ACT_WARN }, { "warning", DP_ACT_WARN, TRUE },
  { "urge", DP_ACT_URGE, FALSE, TRUE }, { "urges", DP_ACT_URGE, FALSE, TRUE },
  { "urged", DP_ACT_URGE, FALSE, TRUE }, { "urging", DP_ACT_URGE, FALSE, TRUE },
  { "believe", DP_ACT_BELIEVE, TRUE }, { "believes", DP_ACT_BELIEVE, TRUE }, { "believed", DP_ACT_BELIEVE, TRUE },
  { "think", DP_ACT_BELIEVE, TRUE }, { "thinks", DP_ACT_BELIEVE, TRUE }, { "thought", DP_ACT_BELIEVE, TRUE },
  { "reported", DP_ACT_REPORT, TRUE }, { "quoted", DP_ACT_REPORT, TRUE },
  { "predicted", DP_ACT_OTHER }, { "suggested", DP_ACT_OTHER, TRUE }, { "described", DP_ACT_OTHER, TRUE },
  { "called", DP_ACT_OTHER, TRUE }, { "asked", DP_ACT_OTHER, TRUE }, { "complained", DP_ACT_OTHER },
};

static const char *const act_names[] = {
  "assert", "allege", "deny", "warn", "urge", "believe", "report", "other",
};

const char *
dp_claim_act_name (DpClaimAct act)
{
  return act_names[act];
}

static GHashTable *
cue_table (void)
{
  static GHashTable *table;
  if (g_once_init_enter (&table))
    {
      GHashTable *t = g_hash_table_new (g_str_hash, g_str_equal);
      for (gsize i = 0; i < G_N_ELEMENTS (cue_words); i++)
        g_hash_table_insert (t, (gpointer) cue_words[i].form, (gpointer) &cue_words[i]);
      g_once_init_leave (&table, t);
    }
  return table;
}

/* The token lower-cased into @buf, or FALSE if it is no short word. */
static gboolean
lower_word (const char *text, const DpToken *tok, char *buf, gsize size)
{
  gsize len = tok->end - tok->start;
  if (tok->kind != DP_TOKEN_WORD || len >= size)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    buf[i] = dp_cue_ascii_lower (text[tok->start + i]);
  buf[len] = '\0';
  return TRUE;
}

/* Stems for the cues the lexicon does not list: nouns and rarer verbs. */
static const struct {
  const char *stem;
  DpClaimAct act;
} act_stems[] = {
  { "alleg", DP_ACT_ALLEGE }, { "accus", DP_ACT_ALLEGE }, { "claim", DP_ACT_ALLEGE }, { "charg", DP_ACT_ALLEGE },
  { "suspect", DP_ACT_ALLEGE }, { "deni", DP_ACT_DENY }, { "deny", DP_ACT_DENY }, { "reject", DP_ACT_DENY },
  { "dismiss", DP_ACT_DENY }, { "refut", DP_ACT_DENY }, { "disput", DP_ACT_DENY }, { "rebut", DP_ACT_DENY },
  { "warn", DP_ACT_WARN }, { "threat", DP_ACT_WARN }, { "caution", DP_ACT_WARN }, { "urg", DP_ACT_URGE },
  { "demand", DP_ACT_URGE }, { "appeal", DP_ACT_URGE }, { "believ", DP_ACT_BELIEVE }, { "think", DP_ACT_BELIEVE },
  { "thought", DP_ACT_BELIEVE }, { "feel", DP_ACT_BELIEVE }, { "felt", DP_ACT_BELIEVE }, { "expect", DP_ACT_BELIEVE },
  { "fear", DP_ACT_BELIEVE }, { "hope", DP_ACT_BELIEVE }, { "view", DP_ACT_BELIEVE }, { "report", DP_ACT_REPORT },
  { "accord", DP_ACT_REPORT }, { "quot", DP_ACT_REPORT }, { "statement", DP_ACT_ASSERT }, { "say", DP_ACT_ASSERT },
  { "said", DP_ACT_ASSERT }, { "tell", DP_ACT_ASSERT }, { "told", DP_ACT_ASSERT }, { "announc", DP_ACT_ASSERT },
  { "insist", DP_ACT_ASSERT }, { "confirm", DP_ACT_ASSERT }, { "argu", DP_ACT_ASSERT }, { "declar", DP_ACT_ASSERT },
  { "explain", DP_ACT_ASSERT }, { "wrote", DP_ACT_ASSERT }, { "writ", DP_ACT_ASSERT }, { "acknowledg", DP_ACT_ASSERT },
  { "admit", DP_ACT_ASSERT }, { "comment", DP_ACT_ASSERT }, { "tweet", DP_ACT_ASSERT }, { "repl", DP_ACT_ASSERT },
};

gboolean
dp_cue_is_filler (const char *text, const DpToken *tok)
{
  static const char *const fillers[] = {
    "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "will", "would",
    "also", "later", "again", "then", "still", "earlier", "once", "not", "n't", "did", "does", "do" };
  if (tok->kind == DP_TOKEN_PUNCT)
    return TRUE;
  if (tok->kind != DP_TOKEN_WORD)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (fillers); i++)
    if (dp_cue_tok_is (text, tok, fillers[i]))
      return TRUE;
  return tok->end - tok->start > 4 && g_str_has_prefix (text + tok->end - 2, "ly");
}

DpClaimAct
dp_cue_act_of (const char *text, const DpToken *toks, guint first, guint last)
{
  char w[24];
  if (first == last && dp_cue_tok_is (text, &toks[first], ":"))
    return DP_ACT_ASSERT;   /* a headline's "X: '…'" */
  for (guint i = first; i <= last; i++)
    if (lower_word (text, &toks[i], w, sizeof w))
      {
        const CueWord *cw = g_hash_table_lookup (cue_table (), w);
        if (cw)
          return cw->act;
      }
  for (guint i = first; i <= last; i++)
    if (lower_word (text, &toks[i], w, sizeof w))
      for (gsize k = 0; k < G_N_ELEMENTS (act_stems); k++)
        if (g_str_has_prefix (w, act_stems[k].stem))
          return act_stems[k].act;
  return DP_ACT_OTHER;
}

static void
add_cue (GArray *out, guint first, guint last, DpClaimAct act, DpCueType type)
{
  DpCue c = { first, last, act, type, FALSE, FALSE, 0, 0 };
  g_array_append_val (out, c);
}

/* "quoted Y as saying": Y is at most 8 tokens long; returns the tokens used (0: no match). */
static guint
match_quoted_as (const char *text, const DpToken *toks, guint n, guint i, GArray *out)
{
  for (guint j = i + 2; j + 1 < n && j <= i + 9; j++)
    {
      if (toks[j].kind == DP_TOKEN_PUNCT && !dp_cue_tok_is (text, &toks[j], ","))
        return 0;
      if (dp_cue_tok_is (text, &toks[j], "as") && dp_cue_tok_is (text, &toks[j + 1], "saying"))
        {
          DpCue c = { i, j + 1, DP_ACT_REPORT, DP_CUE_QUOTED_AS, FALSE, FALSE, i + 1, j - 1 };
          g_array_append_val (out, c);
          return j + 2 - i;
        }
    }
  return 0;
}

/* Matches a cue starting at token @i; returns the number of tokens used (0: none). */
static guint
match_at (const char *text, const DpToken *toks, guint n, guint i, GArray *out)
{
  char w[24];
  if (!lower_word (text, &toks[i], w, sizeof w))
    return 0;
  if (strcmp (w, "according") == 0 && i + 1 < n && dp_cue_tok_is (text, &toks[i + 1], "to"))
    {
      add_cue (out, i, i + 1, DP_ACT_REPORT, DP_CUE_ACCORDING);
      return 2;
    }
  if (strcmp (w, "in") == 0 && i + 2 < n && dp_cue_tok_is (text, &toks[i + 2], "statement")
      && (dp_cue_tok_is (text, &toks[i + 1], "a") || dp_cue_tok_is (text, &toks[i + 1], "its")
          || dp_cue_tok_is (text, &toks[i + 1], "the")))
    {
      add_cue (out, i, i + 2, DP_ACT_REPORT, DP_CUE_STATEMENT);
      return 3;
    }
  guint used;
  if (strcmp (w, "quoted") == 0 && (used = match_quoted_as (text, toks, n, i, out)))
    return used;
  if ((strcmp (w, "call") == 0 || strcmp (w, "calls") == 0 || strcmp (w, "called") == 0
       || strcmp (w, "calling") == 0) && i + 1 < n && dp_cue_tok_is (text, &toks[i + 1], "on"))
    {
      add_cue (out, i, i + 1, DP_ACT_URGE, DP_CUE_VERB);
      g_array_index (out, DpCue, out->len - 1).object = TRUE;
      return 2;
    }
  const CueWord *cw = g_hash_table_lookup (cue_table (), w);
  if (!cw)
    return 0;
  add_cue (out, i, i, cw->act, DP_CUE_VERB);
  g_array_index (out, DpCue, out->len - 1).weak = cw->weak;
  g_array_index (out, DpCue, out->len - 1).object = cw->object;
  return 1;
}

void
dp_cues_find (const char *text, const DpToken *toks, guint n_toks, GArray *out)
{
  for (guint i = 0; i < n_toks;)
    {
      guint used = match_at (text, toks, n_toks, i, out);
      i += MAX (used, 1);
    }
}

static const char *const hedge_words[] = {
  "allegedly", "reportedly", "may", "might", "could", "possibly", "probably", "perhaps",
  "apparently", "purportedly", "suspected", "supposedly", "unconfirmed", "likely",
};

gboolean
dp_cue_is_be (const char *text, const DpToken *tok)
{
  static const char *const be[] = { "is", "are", "was", "were", "be", "been", "being" };
  for (gsize i = 0; i < G_N_ELEMENTS (be); i++)
    if (dp_cue_tok_is (text, tok, be[i]))
      return TRUE;
  return FALSE;
}

/* "is believed to", "are suspected to have been": the be-verb to "to" (and a
 * following "have been"); returns the last token, or 0 if none starts at @i. */
static guint
hedge_phrase (const char *text, const DpToken *toks, guint i, guint to)
{
  static const char *const mid[] = { "believed", "thought", "said", "suspected", "alleged", "reported" };
  if (i + 2 >= to || !dp_cue_is_be (text, &toks[i]) || !dp_cue_tok_is (text, &toks[i + 2], "to"))
    return 0;
  for (gsize k = 0; k < G_N_ELEMENTS (mid); k++)
    if (dp_cue_tok_is (text, &toks[i + 1], mid[k]))
      {
        guint last = i + 2;
        if (last + 2 < to && dp_cue_tok_is (text, &toks[last + 1], "have")
            && dp_cue_tok_is (text, &toks[last + 2], "been"))
          last += 2;
        return last;
      }
  return 0;
}

void
dp_hedges_find (const char *text, const DpToken *toks, guint from, guint to, GArray *out)
{
  for (guint i = from; i < to; i++)
    {
      if (toks[i].kind != DP_TOKEN_WORD)
        continue;
      guint last = hedge_phrase (text, toks, i, to);
      if (last)
        {
          DpHedge h = { i, last };
          g_array_append_val (out, h);
          i = last;
          continue;
        }
      /* "May" capitalised is the month (or starts a sentence: rare in a claim) */
      for (gsize k = 0; k < G_N_ELEMENTS (hedge_words); k++)
        if (dp_cue_tok_is (text, &toks[i], hedge_words[k])
            && !(text[toks[i].start] == 'M' && strcmp (hedge_words[k], "may") == 0))
          {
            DpHedge h = { i, i };
            g_array_append_val (out, h);
            break;
          }
    }
}
