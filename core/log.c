/* log.c — everything docpipe writes to standard error during a run goes
 * through here, so that one lock keeps lines whole and the progress line below
 * them, and one formatter gives every line the same form: plain text on a
 * terminal, text after a timestamp for log files, or JSON for collectors.
 *
 * Messages arrive two ways: GLib's structured log (main.c's writer calls
 * dp_log_write() with the level, domain and fields), and g_printerr() lines in
 * the "docpipe[DOMAIN]: LEVEL: message" form the core has always printed,
 * which the printerr handler takes apart again, so no message escapes the
 * chosen format.
 */
#include "log.h"

#include <glib/gprintf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static GMutex lock;
static DpLogFormat format = DP_LOG_PLAIN;
static GString *pending;   /* g_printerr() text not yet ended by a newline */
static char *status;       /* the status line shown, or NULL */

gboolean
dp_log_parse_format (const char *name, DpLogFormat *out)
{
  if (strcmp (name, "auto") == 0)
    *out = isatty (STDERR_FILENO) || g_log_writer_is_journald (STDERR_FILENO) ? DP_LOG_PLAIN : DP_LOG_TEXT;
  else if (strcmp (name, "plain") == 0)
    *out = DP_LOG_PLAIN;
  else if (strcmp (name, "text") == 0)
    *out = DP_LOG_TEXT;
  else if (strcmp (name, "json") == 0)
    *out = DP_LOG_JSON;
  else
    return FALSE;
  return TRUE;
}

void dp_log_set_format (DpLogFormat f) { format = f; }
DpLogFormat dp_log_get_format (void) { return format; }

/* Local time with its offset and milliseconds: 2026-12-06T14:25:19.123+01:00. */
static char *
timestamp (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  g_autofree char *zone = g_date_time_format (now, "%:z");
  return g_strdup_printf ("%s.%03d%s", date, g_date_time_get_microsecond (now) / 1000, zone);
}

/* ---- escaping --------------------------------------------------------------------
 *
 * Messages quote record ids, sources, file names and stages' reasons, which
 * documents control: a newline would forge a log line, an escape sequence
 * would drive the terminal (retitle it, hide text, move the cursor), a
 * direction override would make a line read differently from what it says.
 * Every line this module writes goes through dp_log_escape(), so no caller
 * can forget it.
 */

/* Characters shown as escapes: C0 and C1 controls, DEL, the line and
 * paragraph separators and the bidirectional formatting characters. */
static gboolean
is_hostile (gunichar c)
{
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f
         || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

char *
dp_log_escape (const char *s, gboolean json)
{
  GString *out = g_string_sized_new (strlen (s) + 8);
  const char *p = s;
  while (*p)
    {
      const char *end;
      gunichar c = g_utf8_get_char_validated (p, -1);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* Not UTF-8: the byte's value in text; in JSON (valid UTF-8 by
           * definition), the replacement character. */
          if (json)
            g_string_append (out, "\\ufffd");
          else
            g_string_append_printf (out, "\\x%02x", (guchar) *p);
          p++;
          continue;
        }
      end = g_utf8_next_char (p);
      if (!is_hostile (c) || (json && c < 0x20))   /* a JSON generator escapes C0 itself */
        g_string_append_len (out, p, end - p);
      else if (c == '\n' && !json)
        g_string_append (out, "\\n");
      else if (c == '\r' && !json)
        g_string_append (out, "\\r");
      else if (c == '\t' && !json)
        g_string_append (out, "\\t");
      else if (c < 0x80 && !json)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_printf (out, "\\u%04x", c);
      p = end;
    }
  return g_string_free (out, FALSE);
}

static void
put (const char *text, gsize len)
{
  /* stderr is unbuffered: one fwrite is one write(). */
  fwrite (text, 1, len, stderr);
}

static char *
format_json (const char *level, const char *domain, const char *message, JsonObject *extra)
{
  g_autoptr (JsonObject) o = json_object_new ();
  g_autofree char *time = timestamp ();
  json_object_set_string_member (o, "time", time);
  json_object_set_string_member (o, "level", level);
  json_object_set_string_member (o, "domain", domain ? domain : "docpipe");
  json_object_set_string_member (o, "message", message);
  if (extra)
    {
      g_autoptr (GList) members = json_object_get_members (extra);
      for (GList *m = members; m; m = m->next)
        json_object_set_member (o, m->data, json_node_copy (json_object_get_member (extra, m->data)));
    }
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), o);
  g_autofree char *text = json_to_string (node, FALSE);
  g_autofree char *safe = dp_log_escape (text, TRUE);
  return g_strconcat (safe, "\n", NULL);
}

static char *
format_text (const char *level, const char *domain, const char *message)
{
  gboolean other = domain && strcmp (domain, "docpipe") != 0;
  g_autofree char *stamp = format == DP_LOG_TEXT ? timestamp () : NULL;
  g_autofree char *safe_domain = other ? dp_log_escape (domain, FALSE) : NULL;
  g_autofree char *safe = dp_log_escape (message, FALSE);
  return g_strdup_printf ("%s%sdocpipe%s%s%s: %s%s%s\n", stamp ? stamp : "", stamp ? " " : "",
                          other ? "[" : "", other ? safe_domain : "", other ? "]" : "",
                          level ? level : "", level ? ": " : "", safe);
}

/* Erases the status line, if one is shown.  Under the lock. */
static void
hide_status (void)
{
  if (status)
    put ("\r\033[K", 4);
}

static void
show_status (void)
{
  if (status)
    put (status, strlen (status));
}

static void
write_locked (const char *level, const char *domain, const char *message, JsonObject *extra)
{
  g_autofree char *line = format == DP_LOG_JSON ? format_json (level ? level : "info", domain, message, extra)
                                                : format_text (level, domain, message);
  hide_status ();
  put (line, strlen (line));
  show_status ();
}

void
dp_log_write (const char *level, const char *domain, const char *message, JsonObject *extra)
{
  g_mutex_lock (&lock);
  write_locked (level, domain, message, extra);
  g_mutex_unlock (&lock);
}

/* ---- g_printerr() lines ------------------------------------------------------ */

static const char *const levels[] = { "error", "critical", "warning", "info", "note", "debug", NULL };

/* Takes "docpipe[DOMAIN]: LEVEL: message" apart; a line without the prefix is
 * all message, and one without a level word has none (an info line). */
static void
write_printed_line (char *line)
{
  char *domain = NULL, *level = NULL, *message = line;
  if (g_str_has_prefix (line, "docpipe: "))
    message = line + strlen ("docpipe: ");
  else if (g_str_has_prefix (line, "docpipe[") && strstr (line, "]: "))
    {
      domain = line + strlen ("docpipe[");
      char *end = strstr (line, "]: ");
      *end = '\0';
      message = end + 3;
    }
  char *colon = strstr (message, ": ");
  if (colon && message != line)
    {
      *colon = '\0';
      if (g_strv_contains (levels, message))
        level = message, message = colon + 2;
      else
        *colon = ':';
    }
  /* A line without the prefix (a stage's own output) keeps its text. */
  if (message == line && format == DP_LOG_PLAIN)
    {
      g_autofree char *safe = dp_log_escape (line, FALSE);
      hide_status ();
      put (safe, strlen (safe));
      put ("\n", 1);
      show_status ();
      return;
    }
  if (format == DP_LOG_PLAIN || *message)
    write_locked (format == DP_LOG_JSON && !level ? "info" : level, domain, message, NULL);
}

/* @text with its newlines kept and everything else escaped. */
static void
put_lines_escaped (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_autofree char *safe = dp_log_escape (lines[i], FALSE);
      put (safe, strlen (safe));
      if (lines[i + 1])
        put ("\n", 1);
    }
}

static void
printerr_handler (const char *text)
{
  g_mutex_lock (&lock);
  /* Nothing to add or keep clear of: as it comes (a prompt-like text without
   * a newline included). */
  if (format == DP_LOG_PLAIN && !status && (!pending || pending->len == 0))
    {
      put_lines_escaped (text);
      g_mutex_unlock (&lock);
      return;
    }
  if (!pending)
    pending = g_string_new (NULL);
  g_string_append (pending, text);
  char *nl;
  while ((nl = memchr (pending->str, '\n', pending->len)))
    {
      g_autofree char *line = g_strndup (pending->str, nl - pending->str);
      g_string_erase (pending, 0, nl - pending->str + 1);
      write_printed_line (line);
    }
  g_mutex_unlock (&lock);
}

/* A last line printed without its newline is not lost. */
static void
flush_pending (void)
{
  g_mutex_lock (&lock);
  if (pending && pending->len)
    write_printed_line (pending->str);
  if (pending)
    g_string_free (g_steal_pointer (&pending), TRUE);
  g_mutex_unlock (&lock);
}

void
dp_log_install_printerr (void)
{
  g_set_printerr_handler (printerr_handler);
  atexit (flush_pending);
}

/* ---- the status line --------------------------------------------------------- */

/* The terminal's width, so a long line does not wrap (\r would then redraw
 * only its last row). */
static gsize
terminal_columns (void)
{
  struct winsize ws;
  if (ioctl (STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
    return ws.ws_col - 1;
  return 79;
}

void
dp_log_set_status (const char *line)
{
  g_mutex_lock (&lock);
  hide_status ();
  g_clear_pointer (&status, g_free);
  if (line)
    {
      gsize width = terminal_columns ();
      status = g_strdup_printf ("\r%s", line);
      if (strlen (status) > width + 1)
        status[width + 1] = '\0';
      show_status ();
    }
  g_mutex_unlock (&lock);
}
