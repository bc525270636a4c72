/* names.h — how the NER compares and prints names: case folding and
 * whitespace collapsing, shared by the user gazetteer and linking. */
#pragma once

#include <glib.h>

gboolean dp_name_is_ascii (const char *s, gsize len);

/* ASCII lower case of one byte; inline, because g_ascii_tolower() is a
 * library call and the features lower-case every byte of every word. */
static inline char
dp_name_lower (char c)
{
  return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
}

/* Appends s[0..len) case-folded: ASCII lower-casing where that is all it
 * takes (almost always, and without allocating), g_utf8_casefold() otherwise,
 * the typographic apostrophe (U+2019) then written as the ASCII one. */
void dp_name_append_folded (GString *out, const char *s, gsize len);

/* Appends s[0..len) with every whitespace run (line breaks included) turned
 * into one space and none at either end. */
void dp_name_append_collapsed (GString *out, const char *s, gsize len);
