/* cues.h — the cue and hedge lexicons of the claims stage.
 *
 * A cue is the word or words marking an attribution ("said", "according to",
 * "quoted … as saying", "in a statement"), with the speech act it signals.
 * Matching is on the core tokenizer's tokens, case-insensitive, every
 * inflection listed.  Hedges are words that weaken a claim ("allegedly",
 * "may", "is believed to").
 */
#pragma once

#include <docpipe/docpipe.h>
#include <string.h>

typedef enum {
  DP_ACT_ASSERT, DP_ACT_ALLEGE, DP_ACT_DENY, DP_ACT_WARN, DP_ACT_URGE,
  DP_ACT_BELIEVE, DP_ACT_REPORT, DP_ACT_OTHER,
} DpClaimAct;

typedef enum {
  DP_CUE_VERB,        /* said, told, denied …: speaker before (or right after) */
  DP_CUE_ACCORDING,   /* according to X: speaker after */
  DP_CUE_QUOTED_AS,   /* X quoted Y as saying: speaker Y, between */
  DP_CUE_STATEMENT,   /* in a statement: speaker as for a verb */
  DP_CUE_COLON,       /* a headline's "X: '…'" */
} DpCueType;

typedef struct {
  guint first, last;          /* tokens, inclusive */
  DpClaimAct act;
  DpCueType type;
  gboolean weak;              /* introduces indirect speech only before "that" (added, believes …) */
  gboolean object;            /* takes an addressee before its content (told Y that …) */
  guint inner_first, inner_last;   /* DP_CUE_QUOTED_AS: the tokens of Y */
} DpCue;

typedef struct {
  guint first, last;          /* tokens, inclusive */
} DpHedge;

const char *dp_claim_act_name (DpClaimAct act);

/* ASCII lower case, as g_ascii_tolower() but inline: the comparisons below
 * and the model's features call it for most bytes they read. */
static inline char
dp_cue_ascii_lower (char c)
{
  return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
}

/* TRUE if token @i is the lower-case word @word (ASCII case-insensitive).
 * Inline, so that a literal @word's length is known when compiled and most
 * tokens are told apart by length alone: the model's features ask this
 * dozens of times per token.  A word from a list (hedges, pronouns) is
 * compared as it is read instead, with no strlen() first: most differ in
 * their first byte. */
G_ALWAYS_INLINE static inline gboolean
dp_cue_tok_is (const char *text, const DpToken *tok, const char *word)
{
  gsize len = tok->end - tok->start;
  if (__builtin_constant_p (strlen (word)))
    return strlen (word) == len && g_ascii_strncasecmp (text + tok->start, word, len) == 0;
  const char *s = text + tok->start;
  for (gsize i = 0; i < len; i++)
    if (!word[i] || dp_cue_ascii_lower (s[i]) != dp_cue_ascii_lower (word[i]))
      return FALSE;
  return word[len] == '\0';
}

/* The act of a cue the model found at tokens [first, last]: the lexicon's
 * for a word it lists, else by the stem of the first word that has one
 * ("allegations" allege, "denial" deny, "warning" warn), else other. */
DpClaimAct dp_cue_act_of (const char *text, const DpToken *toks, guint first, guint last);

/* TRUE if the token is a form of "be" (passives: "is alleged", "were told"). */
gboolean dp_cue_is_be (const char *text, const DpToken *tok);

/* TRUE for the words around a cue that do not themselves mark it: an
 * auxiliary, an adverb, punctuation ("also claimed", "is expected", "said
 * privately", "said:"). */
gboolean dp_cue_is_filler (const char *text, const DpToken *tok);

/* Appends the cues among @toks to @out (GArray of DpCue), in order. */
void dp_cues_find (const char *text, const DpToken *toks, guint n_toks, GArray *out);

/* Appends the hedges among tokens [from, to) to @out (GArray of DpHedge). */
void dp_hedges_find (const char *text, const DpToken *toks, guint from, guint to, GArray *out);
