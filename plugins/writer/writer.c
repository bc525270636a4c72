/* writer.c — the standard sink: JSON lines to a file or standard output.
 *
 * Encoding runs in the worker threads (prepare), so the sink thread only
 * writes bytes in input order.  Where the bytes go is DpOutput's business
 * (docpipe/output.h): a regular file is written under a temporary name and
 * renamed over the target when the run finishes, so a reader of the target
 * never sees half a file; standard output, devices and FIFOs are written in
 * place.
 */
#include <docpipe/docpipe.h>


enum { OFFSETS_CURRENT, OFFSETS_ORIGINAL };
static const char *const offset_choices[] = { "normalized", "original", NULL };

typedef struct {
  DpOutput *out;
  DpJsonFlags flags;
} Writer;

static GString *
encode (Writer *w, DpBatch *batch)
{
  GString *out = g_string_sized_new (4096);
  for (guint i = 0; i < dp_batch_get_size (batch); i++)
    {
      DpRecord *rec = dp_batch_get (batch, i);
      /* Tokens are not written: freed before the output is built, they
       * do not add to it at a big record's peak (docs/benchmarks.md). */
      dp_record_drop_token_cache (rec);
      dp_record_to_json (rec, out, w->flags);
      g_string_append_c (out, '\n');
    }
  return out;
}

static void
free_gstring (gpointer p)
{
  g_string_free (p, TRUE);
}

static gboolean
writer_prepare (gpointer self, DpBatch *batch, GError **error)
{
  dp_batch_set_data (batch, self, encode (self, batch), free_gstring);
  return TRUE;
}

static gboolean
writer_process (gpointer self, DpBatch *batch, GError **error)
{
  Writer *w = self;
  GString *out = dp_batch_get_data (batch, self);
  if (!out)
    {
      writer_prepare (self, batch, error);
      out = dp_batch_get_data (batch, self);
    }
  return dp_output_write (w->out, out->str, out->len, error);
}

static gboolean
writer_finish (gpointer self, GError **error)
{
  Writer *w = self;
  return dp_output_commit (w->out, error);
}

/* A writer destroyed without finishing (a failed create, a test) commits
 * nothing: dp_output_free removes the temporary file. */
static void
writer_destroy (gpointer self)
{
  Writer *w = self;
  dp_output_free (w->out);
  g_free (w);
}

static gpointer
writer_create (const DpParams *params, GError **error)
{
  DpOutput *out = dp_output_open (dp_params_get_path (params, "path"), DP_OUTPUT_REPLACE, error);
  if (!out)
    return NULL;
  Writer *w = g_new0 (Writer, 1);
  w->out = out;
  w->flags = dp_params_get_bool (params, "span-text") ? DP_JSON_SPAN_TEXT : 0;
  if (dp_params_get_enum (params, "offsets") == OFFSETS_ORIGINAL)
    w->flags |= DP_JSON_ORIGINAL;
  return w;
}

static const DpParamSpec writer_params[] = {
  { "path", DP_PARAM_PATH, "-", FALSE,
    "- for standard output, or a path: a regular file is replaced in one step when the run ends; devices, FIFOs and /dev/fd/N are written in place",
    .flags = DP_PARAM_OUTPUT },
  { "span-text", DP_PARAM_BOOL, "true", FALSE,
    "Write the covered text of every span next to its offsets" },
  { "offsets", DP_PARAM_ENUM, "normalized", FALSE,
    "normalized: the text as the stages saw it, spans into it; original: the text as read, every span mapped back onto it",
    offset_choices },
  { NULL }
};

static const DpStageInfo writer_stage = {
  .name = "writer",
  .kind = DP_STAGE_SINK,
  .description = "Writes records as JSON lines",
  .params = writer_params,
  .create = writer_create,
  .prepare = writer_prepare,
  .process = writer_process,
  .finish = writer_finish,
  .destroy = writer_destroy,
};

DP_PLUGIN_DEFINE ("writer", DP_VERSION, "MIT", "Standard output stage: JSON lines",
                  &writer_stage);
