/* fuzz-tokenize.c — libFuzzer target: the core's tokenizer and sentence
 * splitter (core/tokenize.c) on any bytes, called directly.
 *
 * Checked: no crash or sanitizer report; every token non-empty, inside the
 * text, in order and not overlapping, of a known kind, its flags consistent
 * (a paragraph break is a line break is a space); on valid UTF-8, tokens
 * start and end on character boundaries and no letter or digit is left
 * between two tokens; sentences cover the tokens in order, each non-empty,
 * from its first token's start to its last one's end; a second run gives
 * the same tokens and sentences.
 */
#include <docpipe/tokens.h>

#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"

#define check fuzz_check

static gboolean
on_boundary (const char *text, gsize len, gsize at)
{
  return at == len || (((guchar) text[at]) & 0xC0) != 0x80;
}

/* No letter or digit in text[from, to): the tokenizer dropped nothing. */
static void
check_gap (const char *text, gsize from, gsize to)
{
  for (const char *p = text + from; p < text + to; p = g_utf8_next_char (p))
    check (!g_unichar_isalnum (g_utf8_get_char (p)), "a letter or digit between tokens");
}

static void
check_tokens (const char *text, gsize len, gboolean valid, const DpToken *t, guint n)
{
  gsize prev_end = 0;
  for (guint i = 0; i < n; i++)
    {
      check (t[i].start < t[i].end && t[i].end <= len, "token empty or outside the text");
      check (t[i].start >= prev_end, "tokens overlap or out of order");
      check (t[i].kind <= DP_TOKEN_EMAIL, "unknown token kind");
      check (!(t[i].flags & DP_TOKEN_FLAG_PARAGRAPH_BEFORE) || (t[i].flags & DP_TOKEN_FLAG_NEWLINE_BEFORE),
             "paragraph break without a line break");
      check (!(t[i].flags & DP_TOKEN_FLAG_NEWLINE_BEFORE) || (t[i].flags & DP_TOKEN_FLAG_SPACE_BEFORE),
             "line break without a space");
      check (!(t[i].flags & DP_TOKEN_FLAG_SPACE_BEFORE) || t[i].start > prev_end,
             "space before a token that touches the previous one");
      if (valid)
        {
          check (on_boundary (text, len, t[i].start) && on_boundary (text, len, t[i].end),
                 "token off a character boundary");
          check_gap (text, prev_end, t[i].start);
        }
      prev_end = t[i].end;
    }
  if (valid)
    check_gap (text, prev_end, len);
}

static void
check_sentences (const DpToken *t, guint n, const DpSentence *s, guint n_sents)
{
  check (n == 0 || n_sents > 0, "tokens without a sentence");
  guint next = 0;
  for (guint i = 0; i < n_sents; i++)
    {
      check (s[i].first_token == next && s[i].n_tokens > 0, "sentences do not cover the tokens in order");
      guint last = s[i].first_token + s[i].n_tokens - 1;
      check (last < n, "sentence past the last token");
      check (s[i].start == t[s[i].first_token].start && s[i].end == t[last].end,
             "sentence offsets are not its tokens'");
      next = last + 1;
    }
  check (next == n, "tokens left out of every sentence");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data;
  gboolean valid = g_utf8_validate_len (text, size, NULL);
  g_autoptr (GArray) tokens = g_array_new (FALSE, FALSE, sizeof (DpToken));
  g_autoptr (GArray) sents = g_array_new (FALSE, FALSE, sizeof (DpSentence));
  dp_tokenize (text, size, tokens);
  const DpToken *t = (const DpToken *) (gpointer) tokens->data;
  check_tokens (text, size, valid, t, tokens->len);
  dp_split_sentences (text, size, t, tokens->len, sents);
  check_sentences (t, tokens->len, (const DpSentence *) (gpointer) sents->data, sents->len);

  g_autoptr (GArray) again = g_array_new (FALSE, FALSE, sizeof (DpToken));
  g_autoptr (GArray) sents2 = g_array_new (FALSE, FALSE, sizeof (DpSentence));
  dp_tokenize (text, size, again);
  dp_split_sentences (text, size, (const DpToken *) (gpointer) again->data, again->len, sents2);
  check (again->len == tokens->len && (!tokens->len || memcmp (again->data, tokens->data, tokens->len * sizeof (DpToken)) == 0),
         "a second run gives other tokens");
  check (sents2->len == sents->len && (!sents->len || memcmp (sents2->data, sents->data, sents->len * sizeof (DpSentence)) == 0),
         "a second run gives other sentences");
  return 0;
}
