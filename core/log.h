/* log.h — docpipe's standard error: plain, timestamped or JSON lines, and the
 * progress line kept below them on a terminal. */
#pragma once

#include <json-glib/json-glib.h>

typedef enum {
  DP_LOG_PLAIN,   /* "docpipe: warning: …", as on a terminal */
  DP_LOG_TEXT,    /* the same after an ISO 8601 local time with its offset */
  DP_LOG_JSON,    /* one JSON object per line */
} DpLogFormat;

/* "auto" (plain on a terminal or the systemd journal, else text), "plain",
 * "text" or "json"; FALSE for anything else. */
gboolean    dp_log_parse_format (const char *name, DpLogFormat *format);
void        dp_log_set_format (DpLogFormat format);
DpLogFormat dp_log_get_format (void);

/* @s as text a terminal shows as it is: control characters (newlines too),
 * C1 controls, line separators and bidirectional formatting characters as
 * \n, \xHH or \uHHHH escapes, bytes that are not UTF-8 as \xHH.  With @json,
 * @s is a JSON text (C0 controls escaped by its generator): the others become
 * JSON \uHHHH escapes and bytes that are not UTF-8 \ufffd, so the line stays
 * valid JSON.  Every line the log writes goes through it. */
char       *dp_log_escape (const char *s, gboolean json);

/* Routes g_printerr() through the log: each complete line written as
 * "docpipe[DOMAIN]: LEVEL: message" is formatted like a logged message. */
void        dp_log_install_printerr (void);

/* Writes one message.  @level is "error", "critical", "warning", "info",
 * "note" or "debug"; @domain NULL for docpipe's own.  @extra's members (NULL:
 * none) are added to a JSON line; the text forms show only @message. */
void        dp_log_write (const char *level, const char *domain, const char *message,
                          JsonObject *extra);

/* The terminal's status line (the progress line): drawn below the messages,
 * redrawn after each one; NULL erases it. */
void        dp_log_set_status (const char *line);
