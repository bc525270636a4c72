/* quotes.c — quotation finding for the claims stage (see quotes.h).
 *
 * Curly marks and guillemets say which way they face; straight ones do not,
 * so their direction comes from the spacing around them.  A single straight
 * or right-curly mark is also the apostrophe ("the '90s", "countries'"): it
 * closes only a quotation that a single mark opened, and never opens before
 * a digit.
 */
#include "quotes.h"

#include <string.h>

typedef enum { FAM_NONE, FAM_DOUBLE, FAM_SINGLE } Family;
typedef enum { ROLE_OPEN, ROLE_CLOSE, ROLE_EITHER } Role;

typedef struct {
  const char *mark;
  Family family;
  Role role;
} MarkInfo;

static const MarkInfo marks[] = {
  { "\"", FAM_DOUBLE, ROLE_EITHER },
  { "'", FAM_SINGLE, ROLE_EITHER },
  { "\u201C", FAM_DOUBLE, ROLE_OPEN },    /* “ (also closes „) */
  { "\u201D", FAM_DOUBLE, ROLE_CLOSE },   /* ” */
  { "\u201E", FAM_DOUBLE, ROLE_OPEN },    /* „ */
  { "\u00AB", FAM_DOUBLE, ROLE_OPEN },    /* « */
  { "\u00BB", FAM_DOUBLE, ROLE_CLOSE },   /* » */
  { "\u2018", FAM_SINGLE, ROLE_OPEN },    /* ‘ */
  { "\u2019", FAM_SINGLE, ROLE_CLOSE },   /* ’ */
  { "\u2039", FAM_SINGLE, ROLE_OPEN },    /* ‹ */
  { "\u203A", FAM_SINGLE, ROLE_CLOSE },   /* › */
};

static const MarkInfo *
mark_info (const char *text, const DpToken *tok)
{
  gsize len = tok->end - tok->start;
  if (len > 3)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (marks); i++)
    if (strlen (marks[i].mark) == len && memcmp (text + tok->start, marks[i].mark, len) == 0)
      return &marks[i];
  return NULL;
}

gboolean
dp_quotes_is_mark (const char *text, const DpToken *tok)
{
  return mark_info (text, tok) != NULL;
}

typedef struct {
  const char *text;
  const DpToken *toks;
  guint n;
  GArray *out;
  Family open_family;   /* FAM_NONE: no quotation open */
  guint open_tok;
  gboolean open_low9;   /* opened by „, so “ closes it */
  gboolean continuing;  /* the open quotation continues one from the previous paragraph */
  guint group;
} Scan;

static gboolean
attached_after (const Scan *s, guint i)
{
  return i + 1 < s->n && !(s->toks[i + 1].flags & DP_TOKEN_FLAG_SPACE_BEFORE);
}

static gboolean
attached_before (const Scan *s, guint i)
{
  return i > 0 && !(s->toks[i].flags & DP_TOKEN_FLAG_SPACE_BEFORE);
}

/* Which way a mark faces here: ROLE_OPEN, ROLE_CLOSE or ROLE_EITHER (no use). */
static Role
mark_role (const Scan *s, guint i, const MarkInfo *m)
{
  if (m->role != ROLE_EITHER)
    {
      if (m->role == ROLE_OPEN && s->open_family == FAM_DOUBLE && s->open_low9
          && strcmp (m->mark, "\u201C") == 0)
        return ROLE_CLOSE;
      /* ’ glued to the next word is an apostrophe the tokenizer left alone. */
      if (m->family == FAM_SINGLE && m->role == ROLE_CLOSE && attached_after (s, i)
          && s->toks[i + 1].kind == DP_TOKEN_WORD && attached_before (s, i))
        return ROLE_EITHER;
      return m->role;
    }
  gboolean before = attached_before (s, i);
  gboolean after = attached_after (s, i);
  if (after && !before)
    return ROLE_OPEN;
  if (before && !after)
    return ROLE_CLOSE;
  if (before && after)   /* "word"word or a'b: a close only if something is open */
    return s->open_family != FAM_NONE ? ROLE_CLOSE : ROLE_EITHER;
  return s->open_family != FAM_NONE ? ROLE_CLOSE : ROLE_OPEN;
}

static void
emit (Scan *s, guint close_tok, gsize end, gboolean closed)
{
  /* the content from its first token to its last: « like this » has no spaces */
  guint last = closed ? close_tok - 1 : close_tok;
  if (last > s->open_tok && end > s->toks[s->open_tok].end)
    {
      if (!s->continuing)
        s->group++;
      DpQuote q = { s->open_tok, close_tok, s->toks[s->open_tok + 1].start, s->toks[last].end,
                    s->group, closed };
      g_array_append_val (s->out, q);
    }
  s->open_family = FAM_NONE;
  s->continuing = FALSE;
}

/* A paragraph break with a quotation open: it continues if the new paragraph
 * opens a quotation of the same family, else the open mark was unbalanced. */
static void
paragraph_break (Scan *s, guint i, const MarkInfo *m)
{
  gboolean reopens = m && m->family == s->open_family && mark_role (s, i, m) != ROLE_CLOSE;
  if (reopens && i > s->open_tok + 1)
    {
      emit (s, i - 1, s->toks[i - 1].end, FALSE);
      s->continuing = TRUE;
    }
  else
    {
      s->open_family = FAM_NONE;
      s->continuing = FALSE;
    }
}

static void
open_at (Scan *s, guint i, const MarkInfo *m)
{
  if (m->family == FAM_SINGLE && i + 1 < s->n && s->toks[i + 1].kind == DP_TOKEN_NUMBER)
    return;   /* the '90s */
  gboolean cont = s->continuing;
  s->open_family = m->family;
  s->open_tok = i;
  s->open_low9 = strcmp (m->mark, "\u201E") == 0;
  s->continuing = cont;
}

void
dp_quotes_find (const char *text, const DpToken *toks, guint n_toks, GArray *out)
{
  Scan s = { text, toks, n_toks, out, FAM_NONE, 0, FALSE, FALSE, 0 };
  for (guint i = 0; i < n_toks; i++)
    {
      const MarkInfo *m = toks[i].kind == DP_TOKEN_WORD ? NULL : mark_info (text, &toks[i]);
      if ((toks[i].flags & DP_TOKEN_FLAG_PARAGRAPH_BEFORE) && s.open_family != FAM_NONE)
        {
          paragraph_break (&s, i, m);
          if (s.continuing && m)
            {
              open_at (&s, i, m);
              continue;
            }
        }
      else if (toks[i].flags & DP_TOKEN_FLAG_PARAGRAPH_BEFORE)
        s.continuing = FALSE;
      if (!m)
        continue;
      if (s.open_family != FAM_NONE && m->family != s.open_family)
        continue;   /* a nested quotation, part of the open one */
      Role role = mark_role (&s, i, m);
      if (s.open_family == FAM_NONE)
        {
          if (role == ROLE_OPEN)
            open_at (&s, i, m);
        }
      else if (role == ROLE_CLOSE)
        emit (&s, i, toks[i].start, TRUE);
      else if (role == ROLE_OPEN && m->role == ROLE_OPEN)
        open_at (&s, i, m);   /* “ … “: the first was never closed */
    }
}
