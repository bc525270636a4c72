/* report.c — the report sink: one self-contained HTML file for a run.
 *
 * Workers (prepare) turn each record into its data block and a few facts
 * (doc.c).  The sink thread (process) counts the facts (overview.c) and
 * streams each data block straight into the output, which for a regular file
 * is DpOutput's temporary file: the documents are never held in memory, only
 * the counts and a short row per listed document.  finish() appends the index
 * and the script and renames the file into place (DpOutput), so a reader sees
 * the old report or the complete new one.  The page itself: page.c and
 * assets/; what it shows: README.md.
 */
#include <docpipe/docpipe.h>

#include "doc.h"
#include "overview.h"
#include "page.h"
#include "escape.h"

typedef struct {
  DpOutput *out;
  RpPage *page;
  RpOverview *overview;
  char *title;
  gint64 max_bytes, max_documents, top, graph_nodes, page_size;
  guint64 embedded_bytes;
  guint n;                /* documents embedded so far: the next block's number */
  gboolean full;          /* a document did not fit: no more are embedded */
} Report;

static void
free_docs (gpointer p)
{
  g_ptr_array_unref (p);
}

static GPtrArray *
encode (DpBatch *batch)
{
  GPtrArray *docs = g_ptr_array_new_with_free_func ((GDestroyNotify) rp_doc_free);
  for (guint i = 0; i < dp_batch_get_size (batch); i++)
    g_ptr_array_add (docs, rp_doc_new (dp_batch_get (batch, i)));
  return docs;
}

static gboolean
report_prepare (gpointer self, DpBatch *batch, GError **error)
{
  dp_batch_set_data (batch, self, encode (batch), free_docs);
  return TRUE;
}

/* Embeds @doc unless the limits are reached; the first document that does not
 * fit ends embedding, so the report holds a prefix of the run. */
static void
add_doc (Report *r, const RpDoc *doc, GString *buf)
{
  gsize size = doc->json->len;
  if (!r->full && ((gint64) r->n >= r->max_documents
                   || r->embedded_bytes + size > (guint64) r->max_bytes))
    r->full = TRUE;
  if (r->full)
    {
      rp_overview_omit (r->overview, size);
      rp_overview_add (r->overview, doc, FALSE, 0);
      return;
    }
  rp_page_doc (buf, r->n, doc->json);
  rp_overview_add (r->overview, doc, TRUE, r->n);
  r->embedded_bytes += size;
  r->n++;
}

static gboolean
report_process (gpointer self, DpBatch *batch, GError **error)
{
  Report *r = self;
  GPtrArray *docs = dp_batch_get_data (batch, self);
  if (!docs)
    {
      report_prepare (self, batch, error);
      docs = dp_batch_get_data (batch, self);
    }
  g_autoptr (GString) buf = g_string_new (NULL);
  for (guint i = 0; i < docs->len; i++)
    add_doc (r, docs->pdata[i], buf);
  return dp_output_write (r->out, buf->str, buf->len, error);
}

/* The settings and facts the page shows in its header. */
static char *
run_json (Report *r)
{
  g_autoptr (GString) s = g_string_new ("{\"title\":");
  rp_json_append (s, r->title, -1);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format_iso8601 (now);
  g_string_append (s, ",\"generator\":\"docpipe " DP_VERSION "\",\"created\":");
  rp_json_append (s, when, -1);
  g_string_append_printf (s, ",\"max_size\":%" G_GINT64_FORMAT ",\"max_documents\":%" G_GINT64_FORMAT
                          ",\"top\":%" G_GINT64_FORMAT ",\"graph_nodes\":%" G_GINT64_FORMAT
                          ",\"page_size\":%" G_GINT64_FORMAT "}",
                          r->max_bytes, r->max_documents, r->top, r->graph_nodes, r->page_size);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gboolean
report_finish (gpointer self, GError **error)
{
  Report *r = self;
  g_autoptr (GString) index = g_string_new (NULL);
  g_autofree char *run = run_json (r);
  rp_overview_write (r->overview, index, run);
  g_autoptr (GString) tail = g_string_new (NULL);
  rp_page_tail (r->page, tail, index);
  return dp_output_write (r->out, tail->str, tail->len, error) && dp_output_commit (r->out, error);
}

/* A report destroyed without finishing commits nothing: dp_output_free
 * removes the temporary file. */
static void
report_destroy (gpointer self)
{
  Report *r = self;
  dp_output_free (r->out);
  rp_page_free (r->page);
  rp_overview_free (r->overview);
  g_free (r->title);
  g_free (r);
}

static gpointer
report_create (const DpParams *params, GError **error)
{
  g_autoptr (RpPage) page = rp_page_new (error);
  if (!page)
    return NULL;
  g_autoptr (DpOutput) out = dp_output_open (dp_params_get_path (params, "path"), DP_OUTPUT_REPLACE, error);
  if (!out)
    return NULL;
  Report *r = g_new0 (Report, 1);
  r->title = g_strdup (dp_params_get_string (params, "title"));
  r->max_bytes = dp_params_get_int (params, "max-size") * 1024 * 1024;
  r->max_documents = dp_params_get_int (params, "max-documents");
  r->top = dp_params_get_int (params, "top");
  r->graph_nodes = dp_params_get_int (params, "graph-nodes");
  r->page_size = dp_params_get_int (params, "page-size");
  r->overview = rp_overview_new ();
  g_autoptr (GString) head = g_string_new (NULL);
  rp_page_head (page, head, r->title);
  r->page = g_steal_pointer (&page);
  r->out = g_steal_pointer (&out);
  if (!dp_output_write (r->out, head->str, head->len, error))
    {
      report_destroy (r);
      return NULL;
    }
  return r;
}

static const DpParamSpec report_params[] = {
  { "path", DP_PARAM_PATH, "report.html", FALSE,
    "The HTML file to write (replaced in one step when the run ends), or - for standard output",
    .flags = DP_PARAM_OUTPUT },
  { "title", DP_PARAM_STRING, "docpipe report", FALSE, "The report's title" },
  { "max-size", DP_PARAM_INT, "256", FALSE,
    "MiB of document data (text and spans) the report embeds at most; later documents are counted in the overview but left out of the list, and the report says so",
    .min = 1, .max = 65536 },
  { "max-documents", DP_PARAM_INT, "100000", FALSE,
    "Documents the report embeds at most; later ones are counted in the overview but left out of the list",
    .min = 1, .max = 1e9 },
  { "top", DP_PARAM_INT, "25", FALSE, "Rows in the overview's tables of entities and speakers",
    .min = 1, .max = 10000 },
  { "graph-nodes", DP_PARAM_INT, "50", FALSE,
    "Most nodes (speakers and the entities they make claims about) in the overview's graph",
    .min = 2, .max = 200 },
  { "page-size", DP_PARAM_INT, "20", FALSE, "Documents shown per page of the document list",
    .min = 1, .max = 1000 },
  { NULL }
};

static const DpStageInfo report_stage = {
  .name = "report",
  .kind = DP_STAGE_SINK,
  .description = "Writes a self-contained HTML report: documents with entities and claims marked, an overview",
  .params = report_params,
  /* No layers required: without entities or claims the report says which it had. */
  .create = report_create,
  .prepare = report_prepare,
  .process = report_process,
  .finish = report_finish,
  .destroy = report_destroy,
};

DP_PLUGIN_DEFINE ("report", DP_VERSION, "MIT", "An HTML report of a run",
                  &report_stage);
