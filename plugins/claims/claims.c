/* claims.c — the claims stage: who said, alleged or denied what.
 *
 * Claims are *proposed* by the trained model (model.c: cue, source and
 * content tagged by lib/seqtag) and by rules (quotations from quotes.c,
 * indirect speech after the cues of cues.c); a rule's proposal survives only
 * where the model proposed nothing.  Each claim is then given its speaker
 * (linked to the `entities` layer, pronouns and descriptions resolved), kind,
 * act and hedges, and written.
 *
 * Everything works on token indices; the tables below (entity, cue,
 * paragraph and quotation of each token) are built once per record, so a
 * record costs time linear in its tokens.
 */
#include <docpipe/docpipe.h>

#include <string.h>

#include "cues.h"
#include "model.h"
#include "quotes.h"

#define SCAN_WINDOW 14          /* tokens searched around a quotation for its cue */
#define RESOLVE_WINDOW 200      /* earlier entities searched to resolve a pronoun */
/* An indirect claim's content runs at most this many tokens past its start:
 * claims in one endless sentence would otherwise each cover the rest of it,
 * output quadratic in its length. */
#define MAX_CONTENT_TOKENS 160
#define MAX_SPEAKER_TOKENS 12
/* A byte of text lies in the content of at most this many claims.  News
 * nests an attribution in one or two others (X said that Y said that …);
 * a text of reporting verbs alone ("said that he said that …") had every
 * word in the content of each of the 30-odd claims before it (one per cue,
 * each MAX_CONTENT_TOKENS long), a claims layer 43 times the text. */
#define MAX_NESTED_CLAIMS 4

typedef struct {
  gboolean quotes_only;
  guint min_content_words;
  gboolean resolve;
  gboolean rules;
  DpClaimsModel *model;     /* NULL: rules only */
  DpClusters *clusters;
  GHashTable *shared;       /* value ("indirect", "assert", "model", …) -> a sealed node every claim shares */
  JsonNode *null_node;      /* sealed, shared likewise */
} ClaimsConfig;

typedef enum { ENT_PER, ENT_ORG, ENT_PLACE, ENT_OTHER } EntClass;

typedef struct {
  gsize start, end;
  guint first, last;        /* tokens */
  EntClass cls;
  char *id;
  const char *canonical;
} Ent;

typedef struct {
  gboolean set;             /* FALSE: no speaker (null) */
  guint first, last;        /* tokens */
  int ent;                  /* index into ents or -1 */
} Speaker;

typedef struct {
  gsize start, end;         /* content, bytes */
  guint tok_lo, tok_hi;     /* tokens the claim covers (content, cue, speaker) for hedges */
  int cue;                  /* index into cues (the lexicon's), or -1 */
  Speaker sp;
  const char *kind;
  DpClaimAct act;
  guint q_first, q_last;    /* quotation pieces (indices into quotes); q_last < q_first: none */
  gboolean has_cue;
  guint cue_first, cue_last;  /* tokens of the cue, when has_cue */
  gboolean from_model;
} Claim;

typedef struct {
  const ClaimsConfig *cfg;
  const char *text;
  const DpToken *toks;
  guint n;
  const DpSentence *sents;
  guint n_sents;
  guint *tok_sent;
  guint *tok_para;
  int *tok_ent;             /* entity covering the token, or -1 */
  int *tok_cue;             /* cue starting at the token, or -1 */
  guint8 *in_quote;
  GArray *ents;             /* Ent */
  GArray *quotes;           /* DpQuote */
  GArray *cues;             /* DpCue */
  gboolean *cue_used;
  GArray *claims;           /* Claim */
} Ctx;

/* ---- small token tests -------------------------------------------------------- */

static gboolean
is (const Ctx *c, guint i, const char *w)
{
  return i < c->n && dp_cue_tok_is (c->text, &c->toks[i], w);
}

static gboolean
is_end_punct (const Ctx *c, guint i)
{
  return c->toks[i].kind == DP_TOKEN_PUNCT && (is (c, i, ".") || is (c, i, "!") || is (c, i, "?") || is (c, i, ";"));
}

static gboolean
is_mark (const Ctx *c, guint i)
{
  return c->toks[i].kind != DP_TOKEN_WORD && dp_quotes_is_mark (c->text, &c->toks[i]);
}

static gboolean
para_break_before (const Ctx *c, guint i)
{
  return c->toks[i].flags & DP_TOKEN_FLAG_PARAGRAPH_BEFORE;
}

static gboolean
in_list (const Ctx *c, guint i, const char *const *list)
{
  for (; *list; list++)
    if (is (c, i, *list))
      return TRUE;
  return FALSE;
}

static const char *const pronouns_per[] = { "he", "she", NULL };
static const char *const pronouns_group[] = { "they", "it", "we", NULL };
static const char *const np_stops[] = {
  "and", "but", "or", "while", "although", "though", "which", "who", "that", "as", "when", "after", NULL };
static const char *const definite[] = { "the", "its", "their", NULL };
static const char *const determiners[] = { "the", "a", "an", "its", "his", "her", "their", "one", NULL };
static const char *const person_nouns[] = {
  "minister", "spokesman", "spokeswoman", "spokesperson", "official", "president", "leader",
  "ambassador", "envoy", "diplomat", "commander", "chief", "director", "secretary", "premier",
  "general", "senator", "analyst", "researcher", "representative", "governor", "mayor", "executive",
  "officer", "prosecutor", "lawyer", "chairman", "chairwoman", NULL };
static const char *const group_nouns[] = {
  "officials", "diplomats", "analysts", "experts", "sources", "lawyers", "investigators", "critics",
  "residents", "witnesses", "officers", NULL };
static const char *const org_nouns[] = {
  "ministry", "agency", "government", "council", "committee", "office", "department", "panel",
  "report", "mission", "military", "army", "company", "bank", "court", "police", "regulator",
  "commission", "embassy", "statement", "navy", "guard", "administration", "authorities", "group",
  "organisation", "organization", "alliance", "union", "kremlin", "pentagon", "spokesperson", NULL };

static guint
count_words (const Ctx *c, guint from, guint to)
{
  guint w = 0;
  for (guint i = from; i < to; i++)
    w += c->toks[i].kind == DP_TOKEN_WORD || c->toks[i].kind == DP_TOKEN_NUMBER;
  return w;
}

/* ---- per-record tables ------------------------------------------------------------ */

static EntClass
ent_class (const char *label)
{
  if (!label)
    return ENT_OTHER;
  if (g_str_equal (label, "PER") || g_str_equal (label, "PERSON"))
    return ENT_PER;
  if (g_str_equal (label, "ORG"))
    return ENT_ORG;
  if (g_str_equal (label, "LOC") || g_str_equal (label, "GPE"))
    return ENT_PLACE;
  return ENT_OTHER;
}

static int
ent_cmp (gconstpointer a, gconstpointer b)
{
  const Ent *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start;
}

static void
ent_clear (gpointer p)
{
  g_free (((Ent *) p)->id);
}

static void
load_entities (Ctx *c, DpRecord *rec)
{
  DpLayer *layer = dp_record_get_layer (rec, "entities");
  for (guint i = 0; layer && i < dp_layer_get_size (layer); i++)
    {
      DpSpan *sp = dp_layer_get_span (layer, i);
      /* read where the NER left it, without a JsonObject per entity */
      const char *canon = dp_span_get_attr_string (sp, "canonical");
      Ent e = { dp_span_get_start (sp), dp_span_get_end (sp), 0, 0,
                ent_class (dp_span_get_label (sp)), dp_span_dup_id (sp), canon };
      g_array_append_val (c->ents, e);
    }
  g_array_sort (c->ents, ent_cmp);
  /* two pointers: tokens and entities both in text order */
  guint j = 0;
  for (guint i = 0; i < c->n; i++)
    {
      c->tok_ent[i] = -1;
      while (j < c->ents->len && g_array_index (c->ents, Ent, j).end <= c->toks[i].start)
        j++;
      for (guint k = j; k < c->ents->len && k < j + 2; k++)
        {
          Ent *e = &g_array_index (c->ents, Ent, k);
          if (e->start < c->toks[i].end && e->end > c->toks[i].start)
            {
              if (c->tok_ent[i] < 0 || e->cls < g_array_index (c->ents, Ent, c->tok_ent[i]).cls)
                c->tok_ent[i] = (int) k;
              if (e->first == 0 && e->last == 0 && (k == 0 || TRUE))
                e->first = e->first ? e->first : i;
              e->last = i;
            }
        }
    }
  /* entities' first tokens: the lowest token that maps to them */
  for (guint i = c->n; i-- > 0;)
    if (c->tok_ent[i] >= 0)
      g_array_index (c->ents, Ent, c->tok_ent[i]).first = i;
}

static void
build_tables (Ctx *c)
{
  for (guint s = 0; s < c->n_sents; s++)
    for (guint i = 0; i < c->sents[s].n_tokens; i++)
      c->tok_sent[c->sents[s].first_token + i] = s;
  guint para = 0;
  for (guint i = 0; i < c->n; i++)
    {
      para += para_break_before (c, i) ? 1 : 0;
      c->tok_para[i] = para;
      c->tok_cue[i] = -1;
    }
  for (guint k = 0; k < c->cues->len; k++)
    c->tok_cue[g_array_index (c->cues, DpCue, k).first] = (int) k;
  for (guint q = 0; q < c->quotes->len; q++)
    {
      const DpQuote *qt = &g_array_index (c->quotes, DpQuote, q);
      for (guint i = qt->open_tok; i <= qt->close_tok && i < c->n; i++)
        c->in_quote[i] = 1;
    }
}

/* ---- speakers ---------------------------------------------------------------------- */

/* ENT_OTHER asked for: an organisation or a place ("it", "they"). */
static gboolean
fits (EntClass cls, EntClass want)
{
  if (want == ENT_OTHER)
    return cls == ENT_ORG || cls == ENT_PLACE;
  return cls == want;
}

/* The nearest entity of class @want ending before byte @pos (bounded search). */
static int
resolve_before (const Ctx *c, gsize pos, EntClass want)
{
  guint lo = 0, hi = c->ents->len;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (g_array_index (c->ents, Ent, mid).end <= pos)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (guint k = lo, steps = 0; k-- > 0 && steps < RESOLVE_WINDOW; steps++)
    if (fits (g_array_index (c->ents, Ent, k).cls, want))
      return (int) k;
  return -1;
}

static Speaker
speaker_entity (const Ctx *c, int e)
{
  const Ent *ent = &g_array_index (c->ents, Ent, e);
  return (Speaker) { TRUE, ent->first, ent->last, e };
}

/* A description ending at token @noun ("the foreign ministry"): its first
 * token, and an entity inside it if any ("Iran's foreign ministry"). */
static guint
description_start (const Ctx *c, guint lo, guint noun, int *inner)
{
  guint first = noun;
  *inner = -1;
  for (guint i = noun; i-- > lo && noun - i <= 5;)
    {
      if (c->toks[i].kind != DP_TOKEN_WORD || in_list (c, i, pronouns_per) || c->tok_cue[i] >= 0
          || in_list (c, i, np_stops))
        break;
      first = i;
      if (c->tok_ent[i] >= 0 && *inner < 0 && g_array_index (c->ents, Ent, c->tok_ent[i]).cls != ENT_OTHER)
        *inner = c->tok_ent[i];
      if (in_list (c, i, determiners))
        break;
    }
  return first;
}

static Speaker
speaker_description (const Ctx *c, guint lo, guint noun)
{
  int inner;
  guint first = description_start (c, lo, noun, &inner);
  Speaker sp = { TRUE, first, noun, inner };
  /* only a definite description points back: "the minister", not "one official" */
  if (inner < 0 && c->cfg->resolve && !in_list (c, noun, group_nouns) && in_list (c, first, definite))
    sp.ent = resolve_before (c, c->toks[first].start, in_list (c, noun, person_nouns) ? ENT_PER : ENT_ORG);
  return sp;
}

static Speaker
speaker_pronoun (const Ctx *c, guint i)
{
  Speaker sp = { TRUE, i, i, -1 };
  if (c->cfg->resolve)
    sp.ent = resolve_before (c, c->toks[i].start, in_list (c, i, pronouns_per) ? ENT_PER : ENT_OTHER);
  return sp;
}

static gboolean
is_description_noun (const Ctx *c, guint i)
{
  return in_list (c, i, person_nouns) || in_list (c, i, org_nouns) || in_list (c, i, group_nouns);
}

/* "X, the minister, said": the entity before an apposition that ends at the cue. */
static gboolean
speaker_apposition (const Ctx *c, guint lo, guint cue_first, Speaker *out)
{
  if (cue_first < 2 || cue_first - 1 < lo || !is (c, cue_first - 1, ","))
    return FALSE;
  for (guint j = cue_first - 1; j-- > lo && cue_first - j <= 16;)
    {
      if (is_end_punct (c, j) || is_mark (c, j))
        return FALSE;
      if (is (c, j, ","))
        {
          if (j > lo && c->tok_ent[j - 1] >= 0
              && g_array_index (c->ents, Ent, c->tok_ent[j - 1]).cls <= ENT_ORG)
            {
              *out = speaker_entity (c, c->tok_ent[j - 1]);
              return TRUE;
            }
          for (guint i = j + 1; i + 1 < cue_first; i++)   /* "the minister, X, said" */
            if (c->tok_ent[i] >= 0 && g_array_index (c->ents, Ent, c->tok_ent[i]).cls <= ENT_ORG)
              {
                *out = speaker_entity (c, c->tok_ent[i]);
                return TRUE;
              }
          if (j > lo && is_description_noun (c, j - 1))   /* "One official, speaking …, said" */
            {
              *out = speaker_description (c, lo, j - 1);
              return TRUE;
            }
          return FALSE;
        }
    }
  return FALSE;
}

/* The speaker in tokens [lo, cue_first): "X said", "X, the minister, said", "he said". */
static gboolean
speaker_before (const Ctx *c, guint lo, guint cue_first, Speaker *out)
{
  if (speaker_apposition (c, lo, cue_first, out))
    return TRUE;
  int place = -1;
  for (guint i = cue_first; i-- > lo && cue_first - i <= SCAN_WINDOW;)
    {
      if (is_end_punct (c, i) || is_mark (c, i) || c->tok_cue[i] >= 0)
        break;
      int e = c->tok_ent[i];
      if (e >= 0)
        {
          const Ent *ent = &g_array_index (c->ents, Ent, e);
          if (ent->cls == ENT_PER || ent->cls == ENT_ORG)
            {
              *out = speaker_entity (c, e);
              return TRUE;
            }
          if (ent->cls == ENT_PLACE && place < 0)
            place = e;
          continue;
        }
      if (place < 0 && cue_first - i <= 3 && (in_list (c, i, pronouns_per) || in_list (c, i, pronouns_group)))
        {
          *out = speaker_pronoun (c, i);
          return TRUE;
        }
      if (place < 0 && cue_first - i <= 4 && is_description_noun (c, i))
        {
          *out = speaker_description (c, lo, i);
          return TRUE;
        }
    }
  if (place >= 0)
    {
      *out = speaker_entity (c, place);
      return TRUE;
    }
  return FALSE;
}

/* The speaker right after the cue, before token @hi: "said Kim", "said he", "said the minister". */
static gboolean
speaker_after (const Ctx *c, guint from, guint hi, Speaker *out)
{
  if (from >= hi)
    return FALSE;
  if (c->tok_ent[from] >= 0 && g_array_index (c->ents, Ent, c->tok_ent[from]).cls != ENT_OTHER)
    {
      *out = speaker_entity (c, c->tok_ent[from]);
      return TRUE;
    }
  if (in_list (c, from, pronouns_per) || in_list (c, from, pronouns_group))
    {
      *out = speaker_pronoun (c, from);
      return TRUE;
    }
  if (!in_list (c, from, determiners))
    return FALSE;
  for (guint i = from + 1; i < hi && i <= from + 4; i++)
    {
      if (c->toks[i].kind != DP_TOKEN_WORD)
        return FALSE;
      if (c->tok_ent[i] >= 0 && g_array_index (c->ents, Ent, c->tok_ent[i]).cls != ENT_OTHER
          && !is_description_noun (c, i + 1))
        {
          *out = speaker_entity (c, c->tok_ent[i]);
          return TRUE;
        }
      if (is_description_noun (c, i))
        {
          *out = speaker_description (c, from, i);
          return TRUE;
        }
    }
  return FALSE;
}

/* The noun phrase after "according to", up to a comma or the sentence's end. */
static gboolean
speaker_np (const Ctx *c, guint from, guint hi, Speaker *out, guint *np_end)
{
  guint i = from;
  int ent = -1, noun = -1;
  hi = MIN (hi, from + MAX_SPEAKER_TOKENS);
  for (; i < hi && !is (c, i, ",") && !is_end_punct (c, i) && !is_mark (c, i); i++)
    {
      if (c->tok_ent[i] >= 0 && ent < 0 && g_array_index (c->ents, Ent, c->tok_ent[i]).cls != ENT_OTHER)
        ent = c->tok_ent[i];
      if (noun < 0 && is_description_noun (c, i))
        noun = (int) i;
    }
  *np_end = i;
  if (i == from)
    return FALSE;
  *out = (Speaker) { TRUE, from, i - 1, ent };
  if (ent < 0 && noun >= 0 && c->cfg->resolve && is (c, from, "the") && !in_list (c, (guint) noun, group_nouns))
    out->ent = resolve_before (c, c->toks[from].start,
                               in_list (c, (guint) noun, person_nouns) ? ENT_PER : ENT_ORG);
  return TRUE;
}

/* ---- claim proposals: quotations ---------------------------------------------------- */

static guint sentence_end (const Ctx *c, guint i);
static guint sentence_first (const Ctx *c, guint i);
static gboolean speaker_coordinated (const Ctx *c, guint s0, const DpCue *cue, Speaker *sp);
static guint strip_end (const Ctx *c, guint from, guint end);

static const char *const adverbials[] = {
  "on", "in", "at", "last", "this", "earlier", "later", "also", "privately", "publicly",
  "a", "its", "the", "statement", "written", "repeatedly", "again", "then", "previously", NULL };

/* Past a cue: the adverbials and "in a statement" before "that", and "that"
 * itself; returns the first token of the content. */
static guint
skip_to_content (const Ctx *c, guint from, guint hi)
{
  for (guint i = from; i < hi && i <= from + 7; i++)
    {
      if (is (c, i, "that"))
        return i + 1;
      gboolean date = c->tok_ent[i] >= 0 && g_array_index (c->ents, Ent, c->tok_ent[i]).cls == ENT_OTHER;
      if (!in_list (c, i, adverbials) && !date && !is (c, i, ","))
        break;
    }
  return from;
}

/* Where a mixed claim ends: its sentence's end, or before the next cue's
 * "and" ("said X was “…” and warned that …"), never inside its quotation. */
static guint
mixed_end (const Ctx *c, const DpCue *cue, guint close)
{
  guint s1 = MIN (sentence_end (c, cue->first), close + 1 + MAX_CONTENT_TOKENS);
  guint end = s1;
  for (guint i = close + 1; i < s1; i++)
    if (c->tok_cue[i] >= 0)
      {
        end = i;
        while (end > close + 1 && (is (c, end - 1, "and") || is (c, end - 1, "but") || is (c, end - 1, ",")))
          end--;
        break;
      }
  end = strip_end (c, close + 1, end);
  return MAX (end, close + 1);
}

/* The cue of a quotation: after it (when it does not end its sentence) or before. */
static int
quote_cue (const Ctx *c, guint open, guint close, gboolean after_first, guint *after_pos)
{
  for (int pass = 0; pass < 2; pass++)
    {
      gboolean after = (pass == 0) == after_first;
      if (after && !after_first)
        continue;
      if (after)
        for (guint i = close + 1; i < c->n && i <= close + SCAN_WINDOW / 2; i++)
          {
            if (para_break_before (c, i) || is_mark (c, i) || is_end_punct (c, i))
              break;
            if (c->tok_cue[i] >= 0)
              {
                *after_pos = 1;
                return c->tok_cue[i];
              }
          }
      else
        for (guint i = open; i-- > 0 && open - i <= SCAN_WINDOW;)
          {
            if (para_break_before (c, i + 1) || is_mark (c, i) || is_end_punct (c, i))
              break;
            if (c->tok_cue[i] >= 0)
              {
                *after_pos = 0;
                return c->tok_cue[i];
              }
          }
    }
  return -1;
}

static gboolean
speaker_for_cue (const Ctx *c, const DpCue *cue, guint lo, guint hi, Speaker *sp)
{
  guint np_end;
  if (cue->type == DP_CUE_QUOTED_AS)
    {
      for (guint i = cue->inner_first; i <= cue->inner_last; i++)
        if (c->tok_ent[i] >= 0 && g_array_index (c->ents, Ent, c->tok_ent[i]).cls != ENT_OTHER)
          {
            *sp = speaker_entity (c, c->tok_ent[i]);
            return TRUE;
          }
      *sp = (Speaker) { TRUE, cue->inner_first, cue->inner_last, -1 };
      return TRUE;
    }
  if (cue->type == DP_CUE_ACCORDING)
    return speaker_np (c, cue->last + 1, hi, sp, &np_end);
  if (cue->type == DP_CUE_STATEMENT)   /* "X denied it in a statement": X is the verb's speaker */
    for (guint i = cue->first; i-- > lo && cue->first - i <= SCAN_WINDOW;)
      if (c->tok_cue[i] >= 0)
        return speaker_before (c, lo, i, sp);
  return speaker_before (c, lo, cue->first, sp) || speaker_after (c, cue->last + 1, hi, sp);
}

static guint
sentence_first (const Ctx *c, guint i)
{
  return c->sents[c->tok_sent[i]].first_token;
}

static guint
sentence_end (const Ctx *c, guint i)
{
  const DpSentence *s = &c->sents[c->tok_sent[i]];
  return s->first_token + s->n_tokens;
}

static void
claim_add (Ctx *c, Claim *cl)
{
  if (cl->cue >= 0)
    {
      const DpCue *cue = &g_array_index (c->cues, DpCue, cl->cue);
      cl->has_cue = TRUE;
      cl->cue_first = cue->first;
      cl->cue_last = cue->last;
    }
  g_array_append_val (c->claims, *cl);
}

/* A headline's "Larijani: 'We will respond'": a colon right before the quote,
 * an entity before it at the start of the line. */
static gboolean
colon_speaker (const Ctx *c, guint open, Speaker *sp)
{
  if (open < 2 || !is (c, open - 1, ":"))
    return FALSE;
  int e = c->tok_ent[open - 2];
  if (e < 0 || g_array_index (c->ents, Ent, e).cls == ENT_OTHER)
    return FALSE;
  guint first = g_array_index (c->ents, Ent, e).first;
  if (first > 0 && !(c->toks[first].flags & DP_TOKEN_FLAG_NEWLINE_BEFORE) && !is (c, first - 1, "—"))
    return FALSE;
  *sp = speaker_entity (c, e);
  return TRUE;
}

/* Whether the quotation opening at token @open starts its sentence.  Only
 * such a quotation can go on from the previous one with no cue of its own
 * ("'…,' he said. '…'"); one inside a sentence ("a doctor had typed “…”",
 * "to her, “…”") has its own speaker and cue, which the lexicon lacks. */
static gboolean
opens_sentence (const Ctx *c, guint open)
{
  guint s0 = sentence_first (c, open);
  for (guint i = s0; i < open; i++)   /* only marks or dashes before it */
    if (i > s0 + 3 || c->toks[i].kind == DP_TOKEN_WORD || c->toks[i].kind == DP_TOKEN_NUMBER)
      return FALSE;
  return TRUE;
}

/* One claim per quotation (pieces over paragraphs, and two quotations split
 * by their cue, make one). */
static void
propose_quotes (Ctx *c)
{
  const Claim *prev = NULL;
  guint prev_para = 0, covered = 0;
  for (guint q = 0; q < c->quotes->len;)
    {
      const DpQuote *first = &g_array_index (c->quotes, DpQuote, q);
      guint last_q = q;
      while (last_q + 1 < c->quotes->len && g_array_index (c->quotes, DpQuote, last_q + 1).group == first->group)
        last_q++;
      const DpQuote *last = &g_array_index (c->quotes, DpQuote, last_q);
      guint close = last->close_tok;
      gboolean ends_sentence = last->closed && close > 0 && is_end_punct (c, close - 1) && !is (c, close - 1, "?");
      /* "'…,' he said": only a quotation ending in , ? ! (or its mark) looks after itself */
      gboolean open_end = last->closed && close > 0
                          && (is (c, close - 1, ",") || is (c, close - 1, "?") || is (c, close - 1, "!")
                              || is (c, close + 1, ","));
      guint after_pos = 0;
      if (first->open_tok < covered)
        {
          q = last_q + 1;
          continue;   /* inside a mixed claim made already */
        }
      int k = quote_cue (c, first->open_tok, close, open_end, &after_pos);
      Claim cl = { first->start, last->end, first->open_tok, close + 1, k, { FALSE, 0, 0, -1 },
                   "direct", DP_ACT_ASSERT, q, last_q };
      if (k >= 0)
        {
          const DpCue *cue = &g_array_index (c->cues, DpCue, k);
          c->cue_used[k] = TRUE;
          cl.act = cue->act;
          guint lo = after_pos ? close + 1 : sentence_first (c, cue->first);
          guint hi = after_pos ? MIN (c->n, close + SCAN_WINDOW) : first->open_tok;
          if (!(cue->type == DP_CUE_VERB && speaker_coordinated (c, sentence_first (c, cue->first), cue, &cl.sp)))
            speaker_for_cue (c, cue, lo, hi, &cl.sp);
          cl.tok_lo = MIN (cl.tok_lo, cue->first);
          cl.tok_hi = MAX (cl.tok_hi, cue->last + 1);
          guint sp_end = cl.sp.set ? MAX (cl.sp.last, cue->last) : cue->last;
          /* split by the cue: "'…,' he said, '…'" */
          if (after_pos && last_q + 1 < c->quotes->len)
            {
              const DpQuote *next = &g_array_index (c->quotes, DpQuote, last_q + 1);
              if (next->open_tok > sp_end && next->open_tok <= sp_end + 3 && next->open_tok > 0
                  && (is (c, next->open_tok - 1, ",") || is (c, next->open_tok - 1, ":"))
                  && c->tok_para[next->open_tok] == c->tok_para[close])
                {
                  guint g = next->group;
                  last_q++;
                  while (last_q + 1 < c->quotes->len && g_array_index (c->quotes, DpQuote, last_q + 1).group == g)
                    last_q++;
                  cl.q_last = last_q;
                  cl.end = g_array_index (c->quotes, DpQuote, last_q).end;
                  cl.tok_hi = g_array_index (c->quotes, DpQuote, last_q).close_tok + 1;
                }
            }
          /* "said the flight “appears …”": words between cue and quotation make it mixed */
          if (!after_pos && cue->type == DP_CUE_VERB)
            {
              guint from = skip_to_content (c, cue->last + 1, first->open_tok);
              if (cl.sp.set && cl.sp.first > cue->last)
                from = skip_to_content (c, cl.sp.last + 1, first->open_tok);
              if (from < first->open_tok && count_words (c, from, first->open_tok) > 0
                  && !is (c, first->open_tok - 1, ":") && !is (c, first->open_tok - 1, ","))
                {
                  guint to = mixed_end (c, cue, close);
                  cl.start = c->toks[from].start;
                  cl.end = c->toks[to - 1].end;
                  cl.tok_hi = MAX (cl.tok_hi, to);
                  cl.kind = "mixed";
                  covered = to;
                }
            }
        }
      else if (colon_speaker (c, first->open_tok, &cl.sp))
        cl.tok_lo = cl.sp.first;
      else if (prev && c->tok_para[first->open_tok] <= prev_para + 1 && opens_sentence (c, first->open_tok)
               && count_words (c, first->open_tok, close) >= c->cfg->min_content_words && ends_sentence)
        {
          cl.sp = prev->sp;   /* a quotation going on from the previous one, no cue of its own */
          cl.act = prev->act;
        }
      else
        {
          q = last_q + 1;
          continue;
        }
      claim_add (c, &cl);
      prev = &g_array_index (c->claims, Claim, c->claims->len - 1);
      prev_para = c->tok_para[g_array_index (c->quotes, DpQuote, cl.q_last).close_tok];
      q = last_q + 1;
    }
}

/* ---- claim proposals: indirect speech ------------------------------------------------ */

static guint
strip_end (const Ctx *c, guint from, guint end)
{
  while (end > from && (is_end_punct (c, end - 1) || is (c, end - 1, ",")))
    end--;
  return end;
}

/* The content [from, to); @before: it ends at the cue ("CONTENT, X said"), so
 * a too long one keeps its end, else its start. */
static gboolean
set_content_dir (Ctx *c, Claim *cl, guint from, guint to, gboolean before)
{
  if (to - MIN (from, to) > MAX_CONTENT_TOKENS)
    {
      if (before)
        from = to - MAX_CONTENT_TOKENS;
      else
        to = from + MAX_CONTENT_TOKENS;
    }
  to = strip_end (c, from, to);
  if (from >= to || count_words (c, from, to) < c->cfg->min_content_words)
    return FALSE;
  cl->start = c->toks[from].start;
  cl->end = c->toks[to - 1].end;
  cl->tok_lo = MIN (cl->tok_lo, from);
  cl->tok_hi = MAX (cl->tok_hi, to);
  for (guint i = from; i < to; i++)
    if (c->in_quote[i])
      {
        cl->kind = "mixed";
        break;
      }
  return TRUE;
}

static gboolean
set_content (Ctx *c, Claim *cl, guint from, guint to)
{
  return set_content_dir (c, cl, from, to, FALSE);
}

static gboolean
is_be (const Ctx *c, guint i)
{
  return i < c->n && dp_cue_is_be (c->text, &c->toks[i]);
}

static gboolean
is_passive (const Ctx *c, const DpCue *cue)
{
  return cue->first > 0 && is_be (c, cue->first - 1);
}

static gboolean
indirect_according (Ctx *c, const DpCue *cue, Claim *cl)
{
  guint s0 = sentence_first (c, cue->first), s1 = sentence_end (c, cue->first);
  guint np_end;
  if (!speaker_np (c, cue->last + 1, s1, &cl->sp, &np_end))
    return FALSE;
  if (cue->first == s0)   /* "According to X, CONTENT." */
    return set_content (c, cl, np_end + (np_end < s1 && is (c, np_end, ",")), s1);
  return set_content_dir (c, cl, s0, cue->first, TRUE);   /* "CONTENT, according to X." */
}

/* After a cue, words that start no content: "…, the JCS said in a message." */
static const char *const content_before_preps[] = {
  "in", "on", "at", "to", "after", "during", "late", "earlier", "later", "last", "this", "via", "through", NULL };

/* "X said … and warned that …": the speaker of the sentence's first cue. */
static gboolean
speaker_coordinated (const Ctx *c, guint s0, const DpCue *cue, Speaker *sp)
{
  if (cue->first == 0 || !(is (c, cue->first - 1, "and") || is (c, cue->first - 1, "but")))
    return FALSE;
  for (guint i = s0; i < cue->first && i < s0 + 60; i++)
    if (c->tok_cue[i] >= 0 && i < cue->first - 1)
      return speaker_before (c, s0, i, sp);
  return FALSE;
}

static gboolean
indirect_verb (Ctx *c, const DpCue *cue, Claim *cl)
{
  guint s0 = sentence_first (c, cue->first), s1 = sentence_end (c, cue->first);
  if (is_passive (c, cue))
    {
      if (cue->act != DP_ACT_ALLEGE && cue->act != DP_ACT_BELIEVE)
        return FALSE;
      cl->sp.set = FALSE;   /* "have been accused of …": nobody named */
      guint end = s1;       /* up to a later cue: "…, according to X" is a claim of its own */
      for (guint i = cue->last + 1; i < s1 && i <= cue->last + MAX_CONTENT_TOKENS; i++)
        if (c->tok_cue[i] >= 0)
          {
            end = i;
            break;
          }
      return set_content (c, cl, s0, end);
    }
  gboolean has_speaker = speaker_coordinated (c, s0, cue, &cl->sp)
                         || speaker_before (c, s0, cue->first, &cl->sp);
  guint after = cue->last + 1;
  Speaker inv;
  if (!has_speaker && speaker_after (c, after, s1, &inv))
    {
      cl->sp = inv;
      has_speaker = TRUE;
      after = inv.last + 1;
    }
  if (!has_speaker)
    return FALSE;
  /* "CONTENT, X said (in a message)." : a comma before the speaker (not an
   * apposition, which has one after it too) and no "that" after the cue */
  guint j = cl->sp.first < cue->first ? cl->sp.first : cue->first;
  gboolean apposition = cue->first > 0 && is (c, cue->first - 1, ",");
  guint rest = strip_end (c, after, s1);
  gboolean no_content = rest <= after || in_list (c, after, content_before_preps);
  if (no_content && !apposition && skip_to_content (c, after, s1) == after)
    for (guint i = j; i-- > s0 + 1 && j - i <= 8;)
      if (is (c, i, ","))
        return set_content_dir (c, cl, s0, i, TRUE);
  /* "told Y, '…'" / "said: '…'": the quotation is the claim, made already */
  for (guint i = after; i + 1 < s1 && i <= after + 4; i++)
    if ((is (c, i, ",") || is (c, i, ":")) && is_mark (c, i + 1))
      return FALSE;
  guint from = skip_to_content (c, after, s1);
  if (cue->object && from == after)   /* "told reporters that …" */
    for (guint i = after; i < s1 && i <= after + 6; i++)
      if (is (c, i, "that"))
        {
          from = i + 1;
          break;
        }
  if (cue->weak && (from == after || !is (c, from - 1, "that")))
    return FALSE;
  return set_content (c, cl, from, s1);
}

static gboolean
indirect_quoted_as (Ctx *c, const DpCue *cue, Claim *cl)
{
  guint s1 = sentence_end (c, cue->first);
  speaker_for_cue (c, cue, 0, s1, &cl->sp);
  guint from = cue->last + 1;
  if (is (c, from, "that"))
    from++;
  return set_content (c, cl, from, s1);
}

static void
propose_indirect (Ctx *c)
{
  for (guint k = 0; k < c->cues->len; k++)
    {
      const DpCue *cue = &g_array_index (c->cues, DpCue, k);
      if (c->cue_used[k] || c->in_quote[cue->first] || cue->type == DP_CUE_STATEMENT)
        continue;
      Claim cl = { 0, 0, cue->first, cue->last + 1, (int) k, { FALSE, 0, 0, -1 },
                   "indirect", cue->act, 1, 0 };
      gboolean ok = cue->type == DP_CUE_ACCORDING ? indirect_according (c, cue, &cl)
                    : cue->type == DP_CUE_QUOTED_AS ? indirect_quoted_as (c, cue, &cl)
                    : indirect_verb (c, cue, &cl);
      if (!ok)
        continue;
      if (cl.sp.set)
        {
          cl.tok_lo = MIN (cl.tok_lo, cl.sp.first);
          cl.tok_hi = MAX (cl.tok_hi, cl.sp.last + 1);
        }
      c->cue_used[k] = TRUE;
      claim_add (c, &cl);
    }
}

/* ---- claim proposals: the model --------------------------------------------------- */

/* The speaker of a source the model tagged: the first person in it, else
 * organisation, else place ("Iran's foreign minister, Dariush Kamrani" is
 * Kamrani); else a pronoun or a description resolved as the rules resolve
 * theirs.  The span stops before an apposition ("X, the minister,") unless
 * the entity is in it. */
static Speaker
speaker_of_source (const Ctx *c, guint a, guint b)
{
  for (guint i = b; i > a; i--)   /* "X said the findings" is "the findings" */
    if (c->tok_cue[i] >= 0)
      {
        a = MIN (g_array_index (c->cues, DpCue, c->tok_cue[i]).last + 1, b);
        break;
      }
  guint cut = b;
  for (guint i = a + 1; i <= b; i++)
    if (is (c, i, ",") || is (c, i, "(") || is (c, i, "—"))
      {
        cut = i - 1;
        break;
      }
  int best = -1;
  for (guint i = a; i <= b; i++)
    {
      int e = c->tok_ent[i];
      if (e >= 0 && g_array_index (c->ents, Ent, e).cls < ENT_OTHER
          && (best < 0 || g_array_index (c->ents, Ent, e).cls < g_array_index (c->ents, Ent, best).cls))
        best = e;
    }
  if (best >= 0)
    {
      const Ent *e = &g_array_index (c->ents, Ent, best);
      return e->last <= cut ? (Speaker) { TRUE, a, cut, best } : speaker_entity (c, best);
    }
  if (a == cut && (in_list (c, a, pronouns_per) || in_list (c, a, pronouns_group)))
    return speaker_pronoun (c, a);
  if (c->toks[cut].kind == DP_TOKEN_WORD && is_description_noun (c, cut))
    {
      Speaker d = speaker_description (c, a, cut);
      d.first = a;
      return d;
    }
  return (Speaker) { TRUE, a, cut, -1 };
}

/* "X said … and warned that …", "X said …, adding that …": the second cue
 * shares the speaker of its sentence's first claim (its main clause's,
 * mostly), which propose_model() keeps in @first. */
static gboolean
speaker_shared (const Ctx *c, const DpClaimsPred *p, const Speaker *first, Claim *cl)
{
  guint s0 = sentence_first (c, p->cue_first), i = p->cue_first;
  const DpToken *t = &c->toks[p->cue_last];
  gboolean participle = t->kind == DP_TOKEN_WORD && t->end - t->start > 4 && g_str_has_prefix (c->text + t->end - 3, "ing");
  if (!first->set || i <= s0 || !(is (c, i - 1, "and") || is (c, i - 1, "but") || (participle && is (c, i - 1, ","))))
    return FALSE;
  cl->sp = *first;
  return TRUE;
}

/* The model found no source: an active cue the rules can give a speaker
 * gets theirs ("Iran's minister, Kamrani, denied …"); a passive one stays
 * unattributed. */
static void
speaker_fallback (Ctx *c, const DpClaimsPred *p, Claim *cl)
{
  if (p->cue_first > 0 && is_be (c, p->cue_first - 1))
    return;
  Speaker sp;
  if (speaker_before (c, sentence_first (c, p->cue_first), p->cue_first, &sp) && sp.ent >= 0)
    cl->sp = sp;
}

/* direct: every word of the content inside quotation marks, but for the
 * claim's own cue and speaker between two quotations ("'…,' he said, '…'");
 * mixed: some. */
static const char *
kind_of (const Ctx *c, guint first, guint last, const DpClaimsPred *p)
{
  guint words = 0, quoted = 0;
  for (guint i = first; i <= last; i++)
    if ((c->toks[i].kind == DP_TOKEN_WORD || c->toks[i].kind == DP_TOKEN_NUMBER)
        && !(i >= p->cue_first && i <= p->cue_last) && !(i >= p->src_first && i <= p->src_last))
      {
        words++;
        quoted += c->in_quote[i];
      }
  return quoted == 0 ? "indirect" : quoted == words ? "direct" : "mixed";
}

/* The first quotation piece closing at or after token @i. */
static guint
quote_at (const Ctx *c, guint i)
{
  guint lo = 0, hi = c->quotes->len;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (g_array_index (c->quotes, DpQuote, mid).close_tok < i)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* The content as the rules give it: inside the quotation marks at its ends,
 * without a leading "that" or trailing punctuation outside them.  Returns
 * the byte range and, for a quotation in pieces, the pieces. */
static void
model_content (const Ctx *c, guint first, guint last, const DpClaimsPred *p, Claim *cl)
{
  gboolean marks = c->toks[first].kind == DP_TOKEN_QUOTE && c->toks[last].kind == DP_TOKEN_QUOTE
                   && last > first + 1;
  cl->kind = marks ? "direct" : kind_of (c, first, last, p);
  if (marks)
    first++, last--;
  else
    {
      while (first < last && (is (c, first, "that") || is (c, first, ",") || is (c, first, ":")))
        first++;
      while (last > first && (is_end_punct (c, last) || is (c, last, ",")))
        last--;
    }
  cl->start = c->toks[first].start;
  cl->end = c->toks[last].end;
  if (!marks)
    return;   /* pieces only for quotations from mark to mark */
  guint q = quote_at (c, first), q_last = q;
  while (q_last + 1 < c->quotes->len && g_array_index (c->quotes, DpQuote, q_last + 1).open_tok <= last)
    q_last++;
  if (q < c->quotes->len && q_last > q)
    cl->q_first = q, cl->q_last = q_last;
}

/* "is alleged", "are suspected", "was believed": an allegation whose
 * subject is what is alleged, nobody's claim. */
static gboolean
is_passive_cue (const Ctx *c, const DpClaimsPred *p)
{
  gboolean passive = FALSE;
  for (guint i = p->cue_first > 0 ? p->cue_first - 1 : 0; i <= p->cue_last; i++)
    {
      passive |= is_be (c, i);   /* "has long been accused" */
      if (passive && c->tok_cue[i] >= 0)
        {
          DpClaimAct act = g_array_index (c->cues, DpCue, c->tok_cue[i]).act;
          return act == DP_ACT_ALLEGE || act == DP_ACT_BELIEVE;
        }
    }
  return FALSE;
}

/* "reportedly", "allegedly" as the whole cue: a claim with no speaker. */
static gboolean
is_adverb_cue (const Ctx *c, const DpClaimsPred *p)
{
  const DpToken *t = &c->toks[p->cue_last];
  return p->cue_first == p->cue_last && t->kind == DP_TOKEN_WORD && t->end - t->start > 4
         && g_str_has_prefix (c->text + t->end - 2, "ly");
}

/* The model's cue without the auxiliaries, adverbs, punctuation and
 * prepositions around it ("also claimed", "are suspected", "said privately",
 * "said:", "accused of"): the words that mark the attribution. */
static void
trim_cue (const Ctx *c, DpClaimsPred *p)
{
  while (p->cue_last > p->cue_first && dp_cue_is_filler (c->text, &c->toks[p->cue_first]))
    p->cue_first++;
  while (p->cue_last > p->cue_first && (dp_cue_is_filler (c->text, &c->toks[p->cue_last])
                                       || is (c, p->cue_last, "of") || is (c, p->cue_last, "about")
                                       || is (c, p->cue_last, "that")))
    p->cue_last--;   /* "accused of", "warned about": the verb */
}

/* A quotation and a few words after it ("„we are ready“ on Monday"): the
 * quotation is the claim. */
static void
trim_after_quote (const Ctx *c, const DpClaimsView *v, DpClaimsPred *p)
{
  gint32 q = v->quote[p->con_first];
  if (q < 0 || c->toks[p->con_first].kind != DP_TOKEN_QUOTE)
    return;
  guint close = g_array_index (v->quote_spans, DpClaimsQuoteSpan, q).close_tok;
  if (close >= p->con_last || p->con_last - close > 4 || c->toks[close].kind != DP_TOKEN_QUOTE)
    return;
  for (guint i = close + 1; i <= p->con_last; i++)
    if (c->in_quote[i])
      return;
  p->con_last = close;
}

/* "X said A and warned that B", "X said A, adding that B": A ends before the
 * second cue's "and" or comma (the model tends to run on into it).  Only the
 * next few cues are looked at. */
static void
stop_at_coordinated_cue (const Ctx *c, GArray *preds, guint k)
{
  DpClaimsPred *p = &g_array_index (preds, DpClaimsPred, k);
  if (p->con_first <= p->cue_last)
    return;
  for (guint j = k + 1; j < preds->len && j <= k + 8; j++)
    {
      guint cue = g_array_index (preds, DpClaimsPred, j).cue_first;
      if (cue > p->con_last)
        return;
      guint and = cue - 1;
      if (cue <= p->con_first + 1 || !(is (c, and, "and") || is (c, and, "but") || is (c, and, ",")))
        continue;
      while (and > p->con_first && is (c, and - 1, ","))
        and--;
      p->con_last = and - 1;
      return;
    }
}

static void
propose_model (Ctx *c, const DpClaimsView *v)
{
  g_autoptr (GArray) preds = g_array_new (FALSE, FALSE, sizeof (DpClaimsPred));
  dp_claims_model_predict (c->cfg->model, v, preds);
  for (guint k = 0; k < preds->len; k++)
    stop_at_coordinated_cue (c, preds, k);
  Speaker first = { FALSE, 0, 0, -1 };   /* of the current sentence's first claim with one */
  guint sentence = G_MAXUINT;
  for (guint k = 0; k < preds->len; k++)
    {
      DpClaimsPred *p = &g_array_index (preds, DpClaimsPred, k);
      int lex = c->tok_cue[p->cue_first];
      if (lex >= 0 && g_array_index (c->cues, DpCue, lex).type == DP_CUE_QUOTED_AS)
        continue;   /* "X quoted Y as saying": the rules know Y is the speaker */
      gboolean passive = is_passive_cue (c, p);
      trim_cue (c, p);
      trim_after_quote (c, v, p);
      if (passive || is_adverb_cue (c, p))
        {
          if (p->src_first <= p->src_last)   /* its subject is no speaker, but part of the claim */
            p->con_first = MIN (p->con_first, p->src_first);
          p->src_first = 1, p->src_last = 0;
        }
      Claim cl = { 0, 0, MIN (p->con_first, p->cue_first), MAX (p->con_last, p->cue_last) + 1, -1,
                   { FALSE, 0, 0, -1 }, "indirect",
                   lex >= 0 ? g_array_index (c->cues, DpCue, lex).act
                   : dp_cue_act_of (c->text, c->toks, p->cue_first, p->cue_last), 1, 0,
                   TRUE, p->cue_first, p->cue_last, TRUE };
      model_content (c, p->con_first, p->con_last, p, &cl);
      if (p->src_first == p->src_last && (is (c, p->src_first, "that") || c->toks[p->src_first].kind != DP_TOKEN_WORD))
        p->src_first = 1, p->src_last = 0;   /* no source: "that", a comma */
      gboolean unattributed = passive || is_adverb_cue (c, p);
      if (c->tok_sent[p->cue_first] != sentence)
        {
          sentence = c->tok_sent[p->cue_first];
          first.set = FALSE;
        }
      if (!unattributed && c->cfg->resolve && speaker_shared (c, p, &first, &cl))
        ;
      else if (p->src_first <= p->src_last)
        {
          cl.sp = speaker_of_source (c, p->src_first, p->src_last);
          cl.tok_lo = MIN (cl.tok_lo, p->src_first);
          cl.tok_hi = MAX (cl.tok_hi, p->src_last + 1);
        }
      else if (c->cfg->resolve && !unattributed)
        speaker_fallback (c, p, &cl);
      if (!first.set && cl.sp.set)
        first = cl.sp;
      claim_add (c, &cl);
    }
}

/* Drops the rules' claims (those from index @n_model on) that the model made
 * already: the same cue, or, for a claim with no cue, mostly the same words.
 * The rules only add what the model did not see (a passive allegation
 * inside a claim, a quotation going on from the last one).  Linear: counts
 * of model claims over each token, then prefix sums. */
static void
drop_rules_under_model (Ctx *c, guint n_model)
{
  if (n_model == 0 || c->claims->len == n_model)
    return;
  g_autofree gint32 *depth = g_new0 (gint32, c->n + 1);
  g_autofree guint32 *covered = g_new0 (guint32, c->n + 1);
  g_autofree guint8 *cue = g_new0 (guint8, c->n + 1);
  for (guint k = 0; k < n_model; k++)
    {
      const Claim *cl = &g_array_index (c->claims, Claim, k);
      depth[cl->tok_lo]++;
      depth[MIN (cl->tok_hi, c->n)]--;
      for (guint i = cl->cue_first; i <= cl->cue_last; i++)
        cue[i] = 1;
    }
  gint32 d = 0;
  for (guint i = 0; i < c->n; i++)
    {
      d += depth[i];
      covered[i + 1] = covered[i] + (d > 0);
    }
  guint out = n_model;
  for (guint k = n_model; k < c->claims->len; k++)
    {
      const Claim *cl = &g_array_index (c->claims, Claim, k);
      guint lo = MIN (cl->tok_lo, c->n), hi = MIN (cl->tok_hi, c->n);
      gboolean same_cue = FALSE;
      for (guint i = cl->cue_first; cl->has_cue && i <= cl->cue_last && !same_cue; i++)
        same_cue = cue[i];
      if (same_cue || (!cl->has_cue && hi > lo && (covered[hi] - covered[lo]) * 2 >= hi - lo))
        continue;
      g_array_index (c->claims, Claim, out++) = *cl;
    }
  g_array_set_size (c->claims, out);
}

/* ---- output ----------------------------------------------------------------------- */

/* Sets @name to @value (NULL: null) with the node shared by every claim with
 * that value: a node of its own (node, value, string copy) cost each claim
 * about 100 bytes for each of kind, act and source, 50 for a null: 9% of a
 * dense claims layer (docs/reliability.md, "The memory bound").  Sealed: a
 * stage that changed one in place would change them all. */
static void
set_shared (const Ctx *c, JsonObject *o, const char *name, const char *value)
{
  JsonNode *node = value ? g_hash_table_lookup (c->cfg->shared, value) : c->cfg->null_node;
  if (node)
    json_object_set_member (o, name, json_node_ref (node));
  else
    json_object_set_string_member (o, name, value);
}

static JsonObject *
nested (gsize start, gsize end)
{
  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "start", (gint64) start);
  json_object_set_int_member (o, "end", (gint64) end);
  return o;
}

static void
write_speaker (const Ctx *c, const Claim *cl, JsonObject *attrs)
{
  if (!cl->sp.set)
    {
      set_shared (c, attrs, "speaker", NULL);
      return;
    }
  JsonObject *o = nested (c->toks[cl->sp.first].start, c->toks[cl->sp.last].end);
  if (cl->sp.ent >= 0)
    {
      const Ent *e = &g_array_index (c->ents, Ent, cl->sp.ent);
      if (cl->sp.first == e->first && cl->sp.last == e->last)
        {
          json_object_set_int_member (o, "start", (gint64) e->start);
          json_object_set_int_member (o, "end", (gint64) e->end);
        }
      json_object_set_string_member (o, "entity", e->id);
      if (e->canonical)
        json_object_set_string_member (o, "canonical", e->canonical);
    }
  else
    set_shared (c, o, "entity", NULL);
  json_object_set_object_member (attrs, "speaker", o);
}

static gboolean
write_claim (Ctx *c, DpLayer *layer, const Claim *cl, GArray *hedges, GError **error)
{
  DpSpan *span = dp_layer_add_span (layer, cl->start, cl->end, NULL, error);
  if (!span)
    return FALSE;
  JsonObject *attrs = dp_span_get_attrs (span);
  if (cl->has_cue)
    json_object_set_object_member (attrs, "cue", nested (c->toks[cl->cue_first].start, c->toks[cl->cue_last].end));
  else
    set_shared (c, attrs, "cue", NULL);
  write_speaker (c, cl, attrs);
  set_shared (c, attrs, "kind", cl->kind);
  set_shared (c, attrs, "act", dp_claim_act_name (cl->act));
  g_array_set_size (hedges, 0);
  dp_hedges_find (c->text, c->toks, cl->tok_lo, MIN (cl->tok_hi, c->n), hedges);
  JsonArray *ha = json_array_new ();
  for (guint h = 0; h < hedges->len; h++)
    {
      const DpHedge *hd = &g_array_index (hedges, DpHedge, h);
      json_array_add_object_element (ha, nested (c->toks[hd->first].start, c->toks[hd->last].end));
    }
  json_object_set_array_member (attrs, "hedges", ha);
  if (cl->q_last > cl->q_first)
    {
      JsonArray *pa = json_array_new ();
      for (guint q = cl->q_first; q <= cl->q_last; q++)
        {
          /* a piece never runs past its claim (a quotation left open can
           * run on past where the claim ends) */
          const DpQuote *qt = &g_array_index (c->quotes, DpQuote, q);
          gsize start = MAX (qt->start, cl->start), end = MIN (qt->end, cl->end);
          if (start < end)
            json_array_add_object_element (pa, nested (start, end));
        }
      json_object_set_array_member (attrs, "pieces", pa);
    }
  set_shared (c, attrs, "source", cl->from_model ? "model" : "rules");
  return TRUE;
}

/* A pronoun speaker is, in news, most often the last speaker named: "The
 * agency said … at Natanz. It also claimed …" is the agency, not Natanz.  The
 * previous claim's speaker wins over the nearest entity when it fits and is
 * in the same or the previous paragraph. */
static void
pronouns_follow_speakers (Ctx *c)
{
  const Claim *prev = NULL;
  for (guint i = 0; i < c->claims->len; i++)
    {
      Claim *cl = &g_array_index (c->claims, Claim, i);
      if (!cl->sp.set)
        continue;
      gboolean per = in_list (c, cl->sp.first, pronouns_per);
      gboolean pronoun = cl->sp.first == cl->sp.last && (per || in_list (c, cl->sp.first, pronouns_group));
      if (pronoun && prev && c->tok_para[cl->sp.first] <= c->tok_para[prev->tok_lo] + 1
          && prev->tok_lo < cl->sp.first
          && fits (g_array_index (c->ents, Ent, prev->sp.ent).cls, per ? ENT_PER : ENT_OTHER))
        cl->sp.ent = prev->sp.ent;
      if (cl->sp.ent >= 0)
        prev = cl;
    }
}

static int
claim_cmp (gconstpointer a, gconstpointer b)
{
  const Claim *x = a, *y = b;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  return x->end < y->end ? -1 : x->end > y->end;
}

/* Claims nested deeper than MAX_NESTED_CLAIMS go, the innermost first:
 * in order of start (the claims are sorted), one whose content starts
 * inside that many kept ones.  Those all start before it, so its start is
 * where it lies deepest; the outer claims, which hold its text, stay. */
static void
drop_deep_nesting (Ctx *c)
{
  gsize ends[MAX_NESTED_CLAIMS];
  guint open = 0, out = 0;
  for (guint k = 0; k < c->claims->len; k++)
    {
      const Claim *cl = &g_array_index (c->claims, Claim, k);
      guint still = 0;
      for (guint j = 0; j < open; j++)
        if (ends[j] > cl->start)
          ends[still++] = ends[j];
      open = still;
      if (open == MAX_NESTED_CLAIMS)
        continue;
      ends[open++] = cl->end;
      g_array_index (c->claims, Claim, out++) = *cl;
    }
  g_array_set_size (c->claims, out);
}

/* quotes-only: the model's indirect claims go too. */
static void
drop_unquoted (Ctx *c)
{
  guint out = 0;
  for (guint k = 0; k < c->claims->len; k++)
    {
      const Claim *cl = &g_array_index (c->claims, Claim, k);
      if (strcmp (cl->kind, "indirect") != 0)
        g_array_index (c->claims, Claim, out++) = *cl;
    }
  g_array_set_size (c->claims, out);
}

/* ---- the stage --------------------------------------------------------------------- */

static gboolean
claims_annotate (const ClaimsConfig *cfg, DpRecord *rec, GError **error)
{
  dp_record_remove_layer (rec, "claims");
  DpLayer *layer = dp_record_ensure_layer (rec, "claims");
  Ctx c = { .cfg = cfg };
  c.text = dp_record_get_text (rec, NULL);
  c.toks = dp_record_tokens (rec, &c.n);
  c.sents = dp_record_sentences (rec, &c.n_sents);
  if (c.n == 0)
    return TRUE;
  g_autofree guint *tok_sent = g_new0 (guint, c.n);
  g_autofree guint *tok_para = g_new (guint, c.n);
  g_autofree int *tok_ent = g_new (int, c.n);
  g_autofree int *tok_cue = g_new (int, c.n);
  g_autofree guint8 *in_quote = g_new0 (guint8, c.n);
  g_autoptr (GArray) ents = g_array_new (FALSE, FALSE, sizeof (Ent));
  g_array_set_clear_func (ents, ent_clear);
  g_autoptr (GArray) quotes = g_array_new (FALSE, FALSE, sizeof (DpQuote));
  g_autoptr (GArray) cues = g_array_new (FALSE, FALSE, sizeof (DpCue));
  g_autoptr (GArray) claims = g_array_new (FALSE, FALSE, sizeof (Claim));
  g_autoptr (GArray) hedges = g_array_new (FALSE, FALSE, sizeof (DpHedge));
  c.tok_sent = tok_sent, c.tok_para = tok_para, c.tok_ent = tok_ent, c.tok_cue = tok_cue;
  c.in_quote = in_quote, c.ents = ents, c.quotes = quotes, c.cues = cues, c.claims = claims;

  dp_quotes_find (c.text, c.toks, c.n, quotes);
  dp_cues_find (c.text, c.toks, c.n, cues);
  g_autofree gboolean *cue_used = g_new0 (gboolean, MAX (cues->len, 1));
  c.cue_used = cue_used;
  load_entities (&c, rec);
  build_tables (&c);

  if (cfg->model)
    {
      DpClaimsView v;
      dp_claims_view_init (&v, rec, cfg->model, cfg->clusters, quotes, cues);
      propose_model (&c, &v);
      dp_claims_view_clear (&v);
    }
  guint n_model = claims->len;
  if (cfg->rules || !cfg->model)
    {
      propose_quotes (&c);
      if (!cfg->quotes_only)
        propose_indirect (&c);
    }
  drop_rules_under_model (&c, n_model);
  if (cfg->quotes_only)
    drop_unquoted (&c);
  g_array_sort (claims, claim_cmp);
  drop_deep_nesting (&c);
  if (cfg->resolve)
    pronouns_follow_speakers (&c);
  for (guint i = 0; i < claims->len; i++)
    if (!write_claim (&c, layer, &g_array_index (claims, Claim, i), hedges, error))
      return FALSE;
  return TRUE;
}

static void
claims_destroy (gpointer self)
{
  ClaimsConfig *cfg = self;
  dp_claims_model_free (cfg->model);
  if (cfg->clusters)
    dp_clusters_free (cfg->clusters);
  g_clear_pointer (&cfg->shared, g_hash_table_unref);
  g_clear_pointer (&cfg->null_node, json_node_unref);
  g_free (cfg);
}

/* A parameter's path, or the file of that name in the data directory. */
static char *
path_or_default (const DpParams *params, const char *name, const char *file)
{
  const char *given = dp_params_get_path (params, name);
  if (given)
    return g_strdup (given);
  const char *dir = dp_plugin_get_data_dir (params);
  return dir ? g_canonicalize_filename (file, dir) : g_strdup ("");   /* "dir/." named as "dir" in errors */
}

static gboolean
load_model (ClaimsConfig *cfg, const DpParams *params, GError **error)
{
  g_autofree char *model = path_or_default (params, "model", ".");
  g_autofree char *clusters = path_or_default (params, "clusters", "clusters.txt");
  if (!*model)
    return TRUE;   /* rules only */
  if (*clusters && !(cfg->clusters = dp_clusters_load (clusters, error)))
    return FALSE;
  cfg->model = dp_claims_model_load (model, cfg->clusters, error);
  return cfg->model != NULL;
}

/* The values every claim may share (set_shared()), made before any worker
 * reads them. */
static void
share_values (ClaimsConfig *cfg)
{
  static const char *const values[] = { "direct", "indirect", "mixed", "model", "rules" };
  cfg->shared = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) json_node_unref);
  guint n_values = G_N_ELEMENTS (values) + DP_ACT_OTHER + 1;   /* and every act's name */
  for (guint i = 0; i < n_values; i++)
    {
      const char *v = i < G_N_ELEMENTS (values) ? values[i] : dp_claim_act_name (i - G_N_ELEMENTS (values));
      JsonNode *node = json_node_init_string (json_node_alloc (), v);
      json_node_seal (node);
      g_hash_table_insert (cfg->shared, (gpointer) v, node);
    }
  cfg->null_node = json_node_init_null (json_node_alloc ());
  json_node_seal (cfg->null_node);
}

static gpointer
claims_create (const DpParams *params, GError **error)
{
  ClaimsConfig *cfg = g_new0 (ClaimsConfig, 1);
  cfg->quotes_only = dp_params_get_bool (params, "quotes-only");
  cfg->min_content_words = (guint) dp_params_get_int (params, "min-content-words");
  cfg->resolve = dp_params_get_bool (params, "resolve");
  cfg->rules = dp_params_get_bool (params, "rules");
  share_values (cfg);
  if (!load_model (cfg, params, error))
    {
      claims_destroy (cfg);
      return NULL;
    }
  return cfg;
}

static gboolean
claims_process (gpointer self, DpBatch *batch, GError **error)
{
  for (guint i = 0; i < dp_batch_get_size (batch); i++)
    {
      GError *local = NULL;
      if (!claims_annotate (self, dp_batch_get (batch, i), &local))
        dp_batch_fail_error (batch, i, local);
    }
  return TRUE;
}

static const DpParamSpec claims_params[] = {
  { "quotes-only", DP_PARAM_BOOL, "false", FALSE,
    "Only claims in quotation marks (direct and mixed); no indirect speech" },
  { "min-content-words", DP_PARAM_INT, "2", FALSE,
    "Indirect claims, and quotations without a cue of their own, need at least this many words of content",
    NULL, 1, 1000 },
  { "resolve", DP_PARAM_BOOL, "true", FALSE,
    "Link pronoun and description speakers (he, the ministry) to the nearest fitting earlier entity" },
  { "model", DP_PARAM_PATH, NULL, FALSE,
    "Directory of the trained model (docpipe-claims-train); default: the model that ships with the plugin; \"\" for rules only",
    .flags = DP_PARAM_INPUT },
  { "clusters", DP_PARAM_PATH, NULL, FALSE,
    "Word clusters the model was trained with; default: the shipped ones (change only together with the model)",
    .flags = DP_PARAM_INPUT },
  { "rules", DP_PARAM_BOOL, "true", FALSE,
    "Add the rules' claims where the model found none (quotations without a cue of their own, headlines' \"X: '…'\")" },
  { NULL }
};

static const char *const claims_requires[] = { "entities", NULL };
static const char *const claims_provides[] = { "claims", NULL };

static const DpStageInfo claims_stage = {
  .name = "claims",
  .kind = DP_STAGE_TRANSFORM,
  .description = "Finds claims: who said, alleged or denied what (quotations and indirect speech)",
  .params = claims_params,
  .requires = claims_requires,
  .provides = claims_provides,
  .flags = DP_STAGE_SHAREABLE,
  .create = claims_create,
  .process = claims_process,
  .destroy = claims_destroy,
};

DP_PLUGIN_DEFINE ("claims", "0.1.0", "MIT", "Claim tagging for news: cues, speakers, content", &claims_stage);
