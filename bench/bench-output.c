/* bench-output.c — what the sweep for stale temporary files costs when an
 * output is opened: dp_output_open() reads the output's directory (see
 * core/output.c), so a directory holding many files (a file per run, kept)
 * makes every open slower.
 *
 *   bench-output DIR [N]      (N files, default 100000)
 *
 * Times opening a new file for replacing (then abandoning it: the commit's
 * fsync would swamp the figure) in an empty directory and in one holding N
 * files (out-K.jsonl, as a file per run leaves them; every 100th with a stale
 * temporary file beside it, removed by a first open and not counted).
 * Prints the medians of 21 opens each, wall time (the sweep is system calls).
 */
#include <docpipe/docpipe.h>

#include <glib/gstdio.h>
#include <stdio.h>

#define OPENS 21

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static void
write_one (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DpOutput) out = dp_output_open (path, DP_OUTPUT_REPLACE, &error);
  if (!out || !dp_output_write (out, "x\n", 2, &error) || !dp_output_commit (out, &error))
    g_error ("%s", error->message);
}

/* The median time in ms of OPENS outputs written in @dir. */
static double
median_open_ms (const char *dir)
{
  double ms[OPENS];
  for (guint i = 0; i < OPENS; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/bench-%u.jsonl", dir, i);
      g_autoptr (GError) error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      DpOutput *out = dp_output_open (path, DP_OUTPUT_REPLACE, &error);
      if (!out)
        g_error ("%s", error->message);
      dp_output_free (out);   /* aborts: removes the temporary file */
      ms[i] = (double) (g_get_monotonic_time () - t0) / 1000.0;
    }
  qsort (ms, OPENS, sizeof *ms, compare_doubles);
  return ms[OPENS / 2];
}

static char *
make_dir (const char *parent, const char *name, guint n)
{
  char *dir = g_build_filename (parent, name, NULL);
  if (g_mkdir (dir, 0755) != 0)
    g_error ("cannot create %s (it must not exist)", dir);
  for (guint k = 0; k < n; k++)
    {
      g_autofree char *path = g_strdup_printf ("%s/out-%u.jsonl%s", dir, k,
                                               k % 100 == 0 ? ".docpipe-tmp-Ab3xZ9" : "");
      if (!g_file_set_contents (path, "", 0, NULL))
        g_error ("cannot create %s", path);
    }
  return dir;
}

static void
remove_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      fprintf (stderr, "usage: bench-output DIR [N]\n");
      return 2;
    }
  guint n = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 100000;
  g_autofree char *empty = make_dir (argv[1], "bench-output-empty", 0);
  g_autofree char *full = make_dir (argv[1], "bench-output-full", n);
  g_autofree char *first = g_build_filename (full, "first.jsonl", NULL);
  write_one (first);   /* sweeps the stale ones */
  double e = median_open_ms (empty), f = median_open_ms (full);
  printf ("dp_output_open, median of %d: empty directory %.3f ms, %u files %.3f ms (%.1fx)\n", OPENS, e, n, f,
          f / e);
  remove_dir (empty);
  remove_dir (full);
  return 0;
}
