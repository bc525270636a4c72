/* page.h — the HTML around the report's data.
 *
 * The page is written in three parts, so that the documents can stream into
 * the output as they pass: the head (Content-Security-Policy, stylesheet,
 * title, the empty frame the script fills), one data block per document, and
 * the tail (the index block and the script).  The stylesheet and script are
 * the plugin's resources (assets/); the policy allows exactly those two by
 * their SHA-256 hashes and nothing else, so no markup that slipped into the
 * page could run a script, and nothing is ever loaded from elsewhere.
 */
#pragma once

#include <glib.h>

typedef struct _RpPage RpPage;

/* Loads the stylesheet and script and computes the policy. */
RpPage     *rp_page_new (GError **error);
void        rp_page_free (RpPage *page);

/* The Content-Security-Policy the head sets. */
const char *rp_page_get_csp (const RpPage *page);

/* Appends the head and the frame; @title is the report's title (any text). */
void        rp_page_head (const RpPage *page, GString *out, const char *title);
/* Appends document @n's data block: @json comes from rp_doc_new(). */
void        rp_page_doc (GString *out, guint n, const GString *json);
/* Appends the index block (@index from rp_overview_write()), the script and the end. */
void        rp_page_tail (const RpPage *page, GString *out, const GString *index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpPage, rp_page_free)
