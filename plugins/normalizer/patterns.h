/* patterns.h — the user's drop-lines patterns: regular expressions read from
 * a file, matched against lines of text at a bounded cost.  See patterns.c. */
#pragma once

#include <glib.h>

/* What a drop-lines file may hold (see README.md). */
#define DP_PATTERNS_MAX_FILE_BYTES (1024 * 1024)
#define DP_PATTERNS_MAX_COUNT 1000
#define DP_PATTERNS_MAX_LENGTH 1000

/* Each match of one pattern against a line of n bytes may take at most
 * DP_PATTERNS_BASE_STEPS + DP_PATTERNS_STEPS_PER_BYTE × n steps of the
 * regular-expression engine (PCRE2's match limit). */
#define DP_PATTERNS_BASE_STEPS 10000
#define DP_PATTERNS_STEPS_PER_BYTE 100

typedef struct _DpLinePatterns DpLinePatterns;

/* Reads @path: one pattern per line (PCRE2 syntax, as GRegex's), blank lines
 * and lines starting with '#' skipped.  Errors name the file and line. */
DpLinePatterns *dp_line_patterns_load (const char *path, GError **error);
/* The same from @text, whose lines are called @origin:N in errors. */
DpLinePatterns *dp_line_patterns_parse (const char *text, gsize len, const char *origin, GError **error);
void            dp_line_patterns_free (DpLinePatterns *patterns);
guint           dp_line_patterns_get_size (const DpLinePatterns *patterns);

/* 1 if @line (@len bytes of valid UTF-8) matches one of the patterns, 0 if
 * none, -1 with @error set if a pattern needed more than its budget (it would
 * take exponential or quadratic time on this line). */
int dp_line_patterns_match (const DpLinePatterns *patterns, const char *line, gsize len, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpLinePatterns, dp_line_patterns_free)
