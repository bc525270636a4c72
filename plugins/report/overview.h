/* overview.h — what the report counts over the whole run.
 *
 * The sink thread adds each document's facts (RpDoc) as it passes; nothing
 * of the document is kept but a short row for the document list (when the
 * document is embedded).  The tables grow with the number of distinct
 * entities, speakers, labels, acts, dates and speaker→entity pairs, not with
 * the text.  rp_overview_write() appends the report's index block.
 */
#pragma once

#include "doc.h"

typedef struct _RpOverview RpOverview;

RpOverview *rp_overview_new (void);
void        rp_overview_free (RpOverview *ov);

/* Counts @doc.  @embedded: its data block is in the report, so it gets a row
 * in the document list (with number @n, the block's id) */
void        rp_overview_add (RpOverview *ov, const RpDoc *doc, gboolean embedded, guint n);
/* A document left out of the report: counted as omitted, with its size. */
void        rp_overview_omit (RpOverview *ov, gsize bytes);

/* Appends the index as one JSON object (no '<', '>' or '&'): "run" holds
 * @run_json (an object the caller wrote) merged with the totals. */
void        rp_overview_write (RpOverview *ov, GString *out, const char *run_json);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RpOverview, rp_overview_free)
