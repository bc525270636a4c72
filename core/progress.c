/* progress.c — what the progress line says and where it goes.
 *
 * The runner calls dp_progress_update() from one GLib timeout on the main
 * loop, so the line is drawn from one place at a bounded rate whatever the
 * threads do; log.c keeps it below the messages printed meanwhile.  Bytes
 * and the percentage are the input's when the source reports them
 * (dp_batch_set_input_progress), as of the records the sinks have written,
 * so the figures never run ahead of the output.
 */
#include "progress.h"
#include "log.h"

guint
dp_progress_interval (DpProgressMode mode)
{
  /* A terminal: lively without flicker.  A file: a line per 10 s is enough to
   * see a run is alive without drowning the messages. */
  return mode == DP_PROGRESS_TERMINAL ? 250 : 10000;
}

static gboolean
input_known (const DpProgressCounts *c)
{
  return c->input_total > 0;
}

static guint64
shown_bytes (const DpProgressCounts *c)
{
  return input_known (c) ? c->input_done : c->text_bytes;
}

static double
mb_per_second (const DpProgressCounts *c)
{
  return c->seconds > 0 ? shown_bytes (c) / 1e6 / c->seconds : 0.0;
}

/* Seconds left at the average rate so far; -1 while it cannot be told. */
static double
eta_seconds (const DpProgressCounts *c)
{
  if (!input_known (c) || c->input_done == 0 || c->seconds <= 0)
    return -1;
  guint64 left = c->input_total > c->input_done ? c->input_total - c->input_done : 0;
  return left / (c->input_done / c->seconds);
}

static void
append_duration (GString *s, double seconds)
{
  guint64 t = (guint64) (seconds + 0.5);
  if (t >= 3600)
    g_string_append_printf (s, "%" G_GUINT64_FORMAT ":%02u:%02u", t / 3600, (guint) (t / 60 % 60), (guint) (t % 60));
  else
    g_string_append_printf (s, "%u:%02u", (guint) (t / 60), (guint) (t % 60));
}

char *
dp_progress_format (const DpProgressCounts *c)
{
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "%" G_GUINT64_FORMAT " records  %.1f", c->records, shown_bytes (c) / 1e6);
  if (input_known (c))
    g_string_append_printf (s, "/%.1f", c->input_total / 1e6);
  g_string_append_printf (s, " MB  %.1f MB/s", mb_per_second (c));
  if (c->dead)
    g_string_append_printf (s, "  %" G_GUINT64_FORMAT " dead-lettered", c->dead);
  if (input_known (c))
    {
      double done = MIN (1.0, (double) c->input_done / c->input_total);
      g_string_append_printf (s, "  %u%%", (guint) (done * 100));
      double eta = eta_seconds (c);
      if (eta >= 0)
        {
          g_string_append (s, "  ETA ");
          append_duration (s, eta);
        }
    }
  return g_string_free (s, FALSE);
}

/* The same figures as members of a JSON log line. */
static JsonObject *
counts_object (const DpProgressCounts *c)
{
  JsonObject *o = json_object_new ();
  json_object_set_int_member (o, "records", (gint64) c->records);
  json_object_set_int_member (o, "bytes", (gint64) shown_bytes (c));
  json_object_set_double_member (o, "mb_per_second", mb_per_second (c));
  json_object_set_int_member (o, "dead_lettered", (gint64) c->dead);
  if (input_known (c))
    {
      json_object_set_int_member (o, "input_bytes", (gint64) c->input_total);
      json_object_set_double_member (o, "percent", MIN (100.0, 100.0 * c->input_done / c->input_total));
      double eta = eta_seconds (c);
      if (eta >= 0)
        json_object_set_double_member (o, "eta_seconds", eta);
    }
  json_object_set_double_member (o, "seconds", c->seconds);
  return o;
}

static void
log_line (const DpProgressCounts *c)
{
  g_autofree char *line = dp_progress_format (c);
  g_autofree char *message = g_strconcat ("progress: ", line, NULL);
  g_autoptr (JsonObject) extra = counts_object (c);
  dp_log_write ("info", NULL, message, extra);
}

void
dp_progress_update (DpProgressMode mode, const DpProgressCounts *c)
{
  if (mode == DP_PROGRESS_TERMINAL)
    {
      g_autofree char *line = dp_progress_format (c);
      dp_log_set_status (line);
    }
  else if (mode == DP_PROGRESS_LOG)
    log_line (c);
}

void
dp_progress_finish (DpProgressMode mode, const DpProgressCounts *c)
{
  if (mode == DP_PROGRESS_TERMINAL)
    dp_log_set_status (NULL);
  else if (mode == DP_PROGRESS_LOG)
    log_line (c);
}
