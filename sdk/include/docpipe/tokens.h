/* docpipe/tokens.h — tokens and sentences, a core service shared by all stages.
 *
 * Stages normally call dp_record_tokens() / dp_record_sentences(), which compute
 * these once per record and cache them.  The functions below are the underlying
 * tokenizer and sentence splitter, exposed for tools, tests and benchmarks.
 * All offsets here are byte offsets into UTF-8 text.
 */
#pragma once

#include <docpipe/export.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  DP_TOKEN_WORD = 0,   /* letters, digits, internal hyphens/apostrophes/periods: U.S., Yong-nam */
  DP_TOKEN_NUMBER,     /* 1,000.5  3:32  1990s  15%  -> the "%" is a separate SYMBOL */
  DP_TOKEN_PUNCT,      /* . , ; : ! ? ( ) [ ] and dashes */
  DP_TOKEN_QUOTE,      /* " ' “ ” ‘ ’ « » ‹ › */
  DP_TOKEN_SYMBOL,     /* $ % & + = @ # and other symbols */
  DP_TOKEN_URL,        /* http://…, www.…  */
  DP_TOKEN_EMAIL,      /* name@example.org */
} DpTokenKind;

/* Token flags: what precedes the token in the text. */
typedef enum {
  DP_TOKEN_FLAG_SPACE_BEFORE = 1 << 0,     /* any whitespace between previous token and this one */
  DP_TOKEN_FLAG_NEWLINE_BEFORE = 1 << 1,   /* at least one line break */
  DP_TOKEN_FLAG_PARAGRAPH_BEFORE = 1 << 2, /* a blank line (two or more line breaks) */
} DpTokenFlags;

typedef struct {
  guint32 start;  /* byte offset of the first byte */
  guint32 end;    /* byte offset one past the last byte */
  guint16 kind;   /* DpTokenKind */
  guint16 flags;  /* DpTokenFlags */
} DpToken;

typedef struct {
  guint32 start;        /* byte offset of the sentence's first token */
  guint32 end;          /* byte offset one past its last token */
  guint32 first_token;  /* index into the token array */
  guint32 n_tokens;
} DpSentence;

/* Appends the tokens of text[0..len) to @tokens (a GArray of DpToken).
 * Text longer than G_MAXUINT32 bytes is not supported (the core caps records well below). */
DP_API void dp_tokenize (const char *text, gsize len, GArray *tokens);

/* Appends the sentences covering @tokens to @sentences (a GArray of DpSentence). */
DP_API void dp_split_sentences (const char *text, gsize len,
                         const DpToken *tokens, guint n_tokens,
                         GArray *sentences);

DP_API const char *dp_token_kind_to_string (DpTokenKind kind);

G_END_DECLS
