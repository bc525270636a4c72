/* bench-writer.c — the writer's formats alone, without the reader's parsing.
 *
 *   bench-writer ANNOTATED.jsonl OUTDIR
 *
 * Loads the records once (not timed), then for each format hands them to the
 * format's code in batches of 64 as the runner would: prepare (the workers'
 * part) and write (the sink thread's part), timed apart in thread CPU time,
 * and the end of the run (commit, rename).  The sink thread's time is what
 * bounds a pipeline (prepare runs on every core); both are printed, medians
 * of 5 passes, each pass into a new output.
 */
#include <docpipe/docpipe.h>
#include "batch-private.h"
#include "csv.h"
#include "sqlite.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define BATCH 64
#define PASSES 5

static double
cpu_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static GPtrArray *
load_batches (const char *path, gsize *bytes, guint *n_docs)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  if (!g_file_get_contents (path, &text, bytes, &error))
    g_error ("%s", error->message);
  GPtrArray *batches = g_ptr_array_new ();
  DpBatch *b = NULL;
  *n_docs = 0;
  for (char *line = text, *nl; *line; line = nl + 1)
    {
      nl = strchr (line, '\n');
      if (!nl)
        nl = line + strlen (line);
      if (!b || dp_batch_get_size (b) == BATCH)
        g_ptr_array_add (batches, b = dp_batch_new (batches->len));
      DpRecord *rec = dp_record_new ("", "", "", -1, &error);
      if (!dp_record_load_json (rec, line, (gsize) (nl - line), &error))
        g_error ("%s line %u: %s", path, *n_docs + 1, error->message);
      dp_batch_add (b, rec);
      (*n_docs)++;
      if (!*nl)
        break;
    }
  return batches;
}

typedef struct {
  const char *name, *file;
  gpointer (*open) (const char *path, GError **error);
  gboolean (*prepare) (gpointer w, DpBatch *b, GError **error);
  gboolean (*write) (gpointer w, DpBatch *b, GError **error);
  gboolean (*finish) (gpointer w, GError **error);
  void (*free) (gpointer w);
} Format;

static gpointer csv_open (const char *path, GError **error) { return wr_csv_open (path, NULL, TRUE, error); }
static gboolean csv_prepare (gpointer w, DpBatch *b, GError **error) { return wr_csv_prepare (w, b, error); }
static gboolean csv_write (gpointer w, DpBatch *b, GError **error) { return wr_csv_write (w, b, error); }
static gboolean csv_finish (gpointer w, GError **error) { return wr_csv_commit (w, error); }
static void csv_free (gpointer w) { wr_csv_free (w); }
static gpointer sql_open (const char *path, GError **error) { return wr_sqlite_open (path, "bench", "date", error); }
static gboolean sql_prepare (gpointer w, DpBatch *b, GError **error) { return wr_sqlite_prepare (w, b, error); }
static gboolean sql_write (gpointer w, DpBatch *b, GError **error) { return wr_sqlite_write (w, b, error); }
static gboolean sql_finish (gpointer w, GError **error) { return wr_sqlite_finish (w, error); }
static void sql_free (gpointer w) { wr_sqlite_free (w); }

static int
compare (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *v)
{
  qsort (v, PASSES, sizeof *v, compare);
  return v[PASSES / 2];
}

static gsize
output_bytes (const char *dir)
{
  gsize total = 0;
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;
      if (g_stat (path, &st) == 0)
        total += (gsize) st.st_size;
    }
  return total;
}

static void
clear_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
}

static void
run (const Format *f, GPtrArray *batches, gsize bytes, guint n_docs, const char *outdir)
{
  double prepare[PASSES], write[PASSES], finish[PASSES];
  gsize out = 0;
  g_autofree char *dir = g_build_filename (outdir, f->name, NULL);
  g_mkdir_with_parents (dir, 0755);
  for (guint p = 0; p < PASSES; p++)
    {
      clear_dir (dir);
      g_autofree char *path = g_build_filename (dir, f->file, NULL);
      g_autoptr (GError) error = NULL;
      gpointer w = f->open (path, &error);
      if (!w)
        g_error ("%s", error->message);
      prepare[p] = write[p] = 0;
      for (guint i = 0; i < batches->len; i++)
        {
          DpBatch *b = g_ptr_array_index (batches, i);
          double t0 = cpu_now ();
          if (!f->prepare (w, b, &error))
            g_error ("%s", error->message);
          double t1 = cpu_now ();
          if (!f->write (w, b, &error))
            g_error ("%s", error->message);
          prepare[p] += t1 - t0;
          write[p] += cpu_now () - t1;
          dp_batch_set_data (b, w, NULL, NULL);
        }
      double t0 = cpu_now ();
      if (!f->finish (w, &error))
        g_error ("%s", error->message);
      finish[p] = cpu_now () - t0;
      f->free (w);
      out = output_bytes (dir);
    }
  double pr = median (prepare), wr = median (write), fi = median (finish);
  double sink = wr + fi;
  printf ("%-7s prepare %6.3f s  write %6.3f s  end %5.3f s | sink thread: %7.0f documents/s %6.1f MB/s in %6.1f MB/s out"
          " | one thread for all: %7.0f documents/s %6.1f MB/s out (%zu bytes out)\n",
          f->name, pr, wr, fi, n_docs / sink, bytes / sink / 1e6, out / sink / 1e6,
          n_docs / (pr + sink), out / (pr + sink) / 1e6, out);
}

/* The JSON lines writer's two halves, as writer.c does them. */
typedef struct { DpOutput *out; } Jsonl;

static gpointer
jsonl_open (const char *path, GError **error)
{
  DpOutput *o = dp_output_open (path, DP_OUTPUT_REPLACE, error);
  if (!o)
    return NULL;
  Jsonl *j = g_new (Jsonl, 1);
  j->out = o;
  return j;
}

static void free_gstring (gpointer p) { g_string_free (p, TRUE); }

static gboolean
jsonl_prepare (gpointer w, DpBatch *b, GError **error)
{
  GString *s = g_string_sized_new (4096);
  for (guint i = 0; i < dp_batch_get_size (b); i++)
    {
      dp_record_to_json (dp_batch_get (b, i), s, DP_JSON_SPAN_TEXT);
      g_string_append_c (s, '\n');
    }
  dp_batch_set_data (b, w, s, free_gstring);
  return TRUE;
}

static gboolean
jsonl_write (gpointer w, DpBatch *b, GError **error)
{
  GString *s = dp_batch_get_data (b, w);
  return dp_output_write (((Jsonl *) w)->out, s->str, s->len, error);
}

static gboolean jsonl_finish (gpointer w, GError **error) { return dp_output_commit (((Jsonl *) w)->out, error); }
static void jsonl_free (gpointer w) { dp_output_free (((Jsonl *) w)->out); g_free (w); }

int
main (int argc, char **argv)
{
  if (argc != 3)
    {
      fprintf (stderr, "usage: bench-writer ANNOTATED.jsonl OUTDIR\n");
      return 2;
    }
  gsize bytes;
  guint n_docs;
  g_autoptr (GPtrArray) batches = load_batches (argv[1], &bytes, &n_docs);
  printf ("%s: %u documents, %zu bytes; thread CPU time, medians of %d passes, batches of %d\n",
          argv[1], n_docs, bytes, PASSES, BATCH);
  const Format formats[] = {
    { "jsonl", "out.jsonl", jsonl_open, jsonl_prepare, jsonl_write, jsonl_finish, jsonl_free },
    { "csv", "out.csv", csv_open, csv_prepare, csv_write, csv_finish, csv_free },
    { "sqlite", "out.sqlite", sql_open, sql_prepare, sql_write, sql_finish, sql_free },
  };
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    run (&formats[i], batches, bytes, n_docs, argv[2]);
  for (guint i = 0; i < batches->len; i++)
    dp_batch_free (g_ptr_array_index (batches, i));
  return 0;
}
