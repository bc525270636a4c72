/* patterns.c — the user's drop-lines patterns, with every cost bounded.
 *
 * The file is the user's, but the text the patterns run on is not: a pattern
 * such as "(a+)+$" takes time exponential in the length of a line made for it,
 * and GRegex gives no way to bound that below PCRE2's default of ten million
 * steps (0.2 s per line and pattern, silently treated as "no match").  So the
 * patterns are compiled and matched with PCRE2 itself, each match with a step
 * budget that grows with the line: cost stays linear in the text, and a
 * pattern that runs out of budget fails the record with an error naming it,
 * rather than slowing the run or deciding wrongly in silence.  The file's
 * size, the number of patterns and their length are bounded too: every
 * pattern is tried on every line, so their number multiplies the cost.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "patterns.h"

#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  pcre2_code *code;
  guint line;            /* in the file */
} Pattern;

struct _DpLinePatterns {
  char *origin;          /* the file, for messages */
  GArray *patterns;      /* Pattern */
};

static void
pattern_clear (gpointer p)
{
  pcre2_code_free (((Pattern *) p)->code);
}

void
dp_line_patterns_free (DpLinePatterns *patterns)
{
  if (!patterns)
    return;
  g_array_unref (patterns->patterns);
  g_free (patterns->origin);
  g_free (patterns);
}

guint dp_line_patterns_get_size (const DpLinePatterns *patterns) { return patterns->patterns->len; }

static gboolean
add_pattern (DpLinePatterns *patterns, const char *source, gsize len, guint line, GError **error)
{
  if (patterns->patterns->len >= DP_PATTERNS_MAX_COUNT)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: more than %d patterns",
                   patterns->origin, line, DP_PATTERNS_MAX_COUNT);
      return FALSE;
    }
  if (len > DP_PATTERNS_MAX_LENGTH)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: pattern of %" G_GSIZE_FORMAT
                   " bytes, longer than %d", patterns->origin, line, len, DP_PATTERNS_MAX_LENGTH);
      return FALSE;
    }
  int code;
  PCRE2_SIZE offset;
  pcre2_code *re = pcre2_compile ((PCRE2_SPTR) source, len, PCRE2_UTF, &code, &offset, NULL);
  if (!re)
    {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message (code, message, sizeof message);
      g_set_error (error, G_REGEX_ERROR, G_REGEX_ERROR_COMPILE, "%s:%u: column %u: %s",
                   patterns->origin, line, (guint) offset + 1, (const char *) message);
      return FALSE;
    }
  /* No JIT: lines are short and few patterns are expected; JIT code also
   * reads memory in ways valgrind reports, and CI runs the tests under it. */
  Pattern p = { re, line };
  g_array_append_val (patterns->patterns, p);
  return TRUE;
}

DpLinePatterns *
dp_line_patterns_parse (const char *text, gsize len, const char *origin, GError **error)
{
  g_autoptr (DpLinePatterns) patterns = g_new0 (DpLinePatterns, 1);
  patterns->origin = g_strdup (origin);
  patterns->patterns = g_array_new (FALSE, FALSE, sizeof (Pattern));
  g_array_set_clear_func (patterns->patterns, pattern_clear);
  const char *bad;
  if (!g_utf8_validate_len (text, len, &bad))
    {
      guint line = 1;
      for (const char *p = text; p < bad; p++)
        line += *p == '\n';
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: not valid UTF-8", origin, line);
      return NULL;
    }
  guint line = 0;
  for (gsize start = 0; start < len;)
    {
      const char *nl = memchr (text + start, '\n', len - start);
      gsize end = nl ? (gsize) (nl - text) : len, n = end - start;
      line++;
      while (n > 0 && g_ascii_isspace (text[start + n - 1]))   /* "\r", trailing blanks */
        n--;
      if (n > 0 && text[start] != '#' && !add_pattern (patterns, text + start, n, line, error))
        return NULL;
      start = end + 1;
    }
  return g_steal_pointer (&patterns);
}

/* Reads at most DP_PATTERNS_MAX_FILE_BYTES, whatever @path is: a FIFO or a
 * device (/dev/zero) must not fill memory. */
DpLinePatterns *
dp_line_patterns_load (const char *path, GError **error)
{
  FILE *f = fopen (path, "rb");
  if (!f)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
      return NULL;
    }
  g_autofree char *text = g_malloc (DP_PATTERNS_MAX_FILE_BYTES + 1);
  gsize len = fread (text, 1, DP_PATTERNS_MAX_FILE_BYTES + 1, f);
  int failed = ferror (f) ? errno : 0;
  fclose (f);
  if (failed)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (failed), "%s: %s", path, g_strerror (failed));
      return NULL;
    }
  if (len > DP_PATTERNS_MAX_FILE_BYTES)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: larger than %d bytes (a drop-lines file holds patterns, one per line)",
                   path, DP_PATTERNS_MAX_FILE_BYTES);
      return NULL;
    }
  return dp_line_patterns_parse (text, len, path, error);
}

int
dp_line_patterns_match (const DpLinePatterns *patterns, const char *line, gsize len, GError **error)
{
  if (patterns->patterns->len == 0)
    return 0;
  pcre2_match_context *context = pcre2_match_context_create (NULL);
  guint64 budget = DP_PATTERNS_BASE_STEPS + (guint64) DP_PATTERNS_STEPS_PER_BYTE * len;
  pcre2_set_match_limit (context, (uint32_t) MIN (budget, G_MAXUINT32));
  pcre2_set_depth_limit (context, (uint32_t) MIN (budget, G_MAXUINT32));
  pcre2_match_data *data = pcre2_match_data_create (1, NULL);
  int result = 0;
  for (guint i = 0; i < patterns->patterns->len && result == 0; i++)
    {
      const Pattern *p = &g_array_index (patterns->patterns, Pattern, i);
      int rc = pcre2_match (p->code, (PCRE2_SPTR) line, len, 0, PCRE2_NO_UTF_CHECK, data, context);
      if (rc >= 0)
        result = 1;
      else if (rc != PCRE2_ERROR_NOMATCH)
        {
          PCRE2_UCHAR message[256];
          pcre2_get_error_message (rc, message, sizeof message);
          g_set_error (error, G_REGEX_ERROR, G_REGEX_ERROR_MATCH,
                       "drop-lines %s:%u: the pattern gave up on a line of %" G_GSIZE_FORMAT " bytes (%s): "
                       "it needs more than %" G_GUINT64_FORMAT " steps, as patterns with nested repetition "
                       "such as (a+)+ do; rewrite it", patterns->origin, p->line, len,
                       (const char *) message, budget);
          result = -1;
        }
    }
  pcre2_match_data_free (data);
  pcre2_match_context_free (context);
  return result;
}
