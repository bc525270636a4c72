/* escape.h — the report's two ways of putting untrusted text into HTML.
 *
 * Every string from a document (text, ids, meta, labels, names) reaches the
 * report through one of these: as HTML-escaped text, or as a JSON string that
 * is safe inside a <script type="application/json"> data block.  The report's
 * script then inserts it with textContent, never as markup.
 */
#pragma once

#include <glib.h>

/* Appends @s (valid UTF-8; len -1: NUL-terminated) with & < > " ' escaped as
 * character references: safe as element text and inside a quoted attribute. */
void rp_html_append (GString *out, const char *s, gssize len);

/* Appends @s (valid UTF-8) as a quoted JSON string that never contains '<',
 * '>' or '&' (written \u003c, \u003e, \u0026), so "</script>" and "<!--"
 * cannot end or change the data block it is embedded in, nor U+2028 or
 * U+2029 (written \u2028, \u2029), which older JavaScript parsers took for
 * line ends.  Control characters are escaped as JSON requires. */
void rp_json_append (GString *out, const char *s, gssize len);

/* Appends @s like rp_json_append, but cut to at most @max_bytes bytes (at a
 * character boundary) with "…" added when it was longer. */
void rp_json_append_cut (GString *out, const char *s, gsize max_bytes);
