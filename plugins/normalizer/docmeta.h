/* docmeta.h — document metadata (title, byline, date, time, dateline) read
 * off the top of an already-normalized news text.  See docmeta.c. */
#ifndef DP_DOCMETA_H
#define DP_DOCMETA_H

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Looks at the first 768 bytes of @text (@len bytes, or -1 if NUL-terminated)
 * and sets in @meta the string members "title", "byline", "date"
 * (YYYY-MM-DD), "time" (HH:MM, 24-hour), "timezone" and "dateline" that can
 * be read with confidence.  Members already present in @meta are never
 * replaced.  Thread-safe; keeps no state. */
void dp_docmeta_extract (const char *text, gsize len, JsonObject *meta);

G_END_DECLS

#endif /* DP_DOCMETA_H */
