/* writer.c — the standard sink: JSON lines to a file or standard output.
 *
 * Encoding runs in the worker threads (prepare), so the sink thread only
 * writes bytes in input order.  A file is written under a temporary name in
 * the same directory and renamed over the target when the run finishes, so a
 * reader of the target never sees half a file.
 */
#include <docpipe/docpipe.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

enum { OFFSETS_CURRENT, OFFSETS_ORIGINAL };
static const char *const offset_choices[] = { "normalized", "original", NULL };

typedef struct {
  char *path;          /* NULL for stdout */
  char *tmp_path;      /* while the run is going */
  int fd;
  DpJsonFlags flags;
} Writer;

static gboolean
write_all (Writer *w, const char *data, gsize len, GError **error)
{
  while (len > 0)
    {
      ssize_t n = write (w->fd, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int e = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: %s",
                       w->path ? w->tmp_path : "<stdout>", g_strerror (e));
          return FALSE;
        }
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static GString *
encode (Writer *w, DpBatch *batch)
{
  GString *out = g_string_sized_new (4096);
  for (guint i = 0; i < dp_batch_get_size (batch); i++)
    {
      dp_record_to_json (dp_batch_get (batch, i), out, w->flags);
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
  return write_all (w, out->str, out->len, error);
}

static gboolean
writer_finish (gpointer self, GError **error)
{
  Writer *w = self;
  if (!w->path)
    return TRUE;
  if (fsync (w->fd) != 0 || close (w->fd) != 0)
    {
      int e = errno;
      w->fd = -1;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: %s", w->tmp_path, g_strerror (e));
      return FALSE;
    }
  w->fd = -1;
  if (g_rename (w->tmp_path, w->path) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "cannot rename %s to %s: %s",
                   w->tmp_path, w->path, g_strerror (e));
      return FALSE;
    }
  g_clear_pointer (&w->tmp_path, g_free);
  return TRUE;
}

static void
writer_destroy (gpointer self)
{
  Writer *w = self;
  if (w->path && w->fd >= 0)
    close (w->fd);
  if (w->tmp_path)
    g_unlink (w->tmp_path);   /* never finished: leave no debris */
  g_free (w->tmp_path);
  g_free (w->path);
  g_free (w);
}

static gpointer
writer_create (const DpParams *params, GError **error)
{
  Writer *w = g_new0 (Writer, 1);
  const char *path = dp_params_get_path (params, "path");
  w->flags = dp_params_get_bool (params, "span-text") ? DP_JSON_SPAN_TEXT : 0;
  if (dp_params_get_enum (params, "offsets") == OFFSETS_ORIGINAL)
    w->flags |= DP_JSON_ORIGINAL;
  if (strcmp (path, "-") == 0)
    {
      w->fd = STDOUT_FILENO;
      return w;
    }
  w->path = g_strdup (path);
  w->tmp_path = g_strdup_printf ("%s.tmp-XXXXXX", path);
  w->fd = g_mkstemp_full (w->tmp_path, O_WRONLY | O_CLOEXEC, 0644);
  if (w->fd < 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "cannot create %s: %s",
                   w->tmp_path, g_strerror (e));
      g_clear_pointer (&w->tmp_path, g_free);
      writer_destroy (w);
      return NULL;
    }
  return w;
}

static const DpParamSpec writer_params[] = {
  { "path", DP_PARAM_PATH, "-", FALSE,
    "Output file (written to a temporary name and renamed when the run ends), or - for standard output",
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
