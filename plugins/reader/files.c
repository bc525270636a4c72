/* files.c — finding the files to read: a path, a directory walked in name
 * order, a glob.
 *
 * A directory tree may hold symbolic-link cycles, so the walk visits each
 * directory and reads each file (by device and inode) at most once.  Files
 * met in a walk or a glob are marked as found: those are checked for binary
 * contents before being read (input.c), while a file named explicitly is read
 * whatever it holds.
 */
#include "reader.h"

#include <errno.h>
#include <fts.h>
#include <glob.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
  dev_t dev;
  ino_t ino;
} FileId;

static guint
file_id_hash (gconstpointer p)
{
  const FileId *id = p;
  return g_int64_hash (&(gint64) { (gint64) id->ino }) ^ (guint) id->dev;
}

static gboolean
file_id_equal (gconstpointer a, gconstpointer b)
{
  const FileId *x = a, *y = b;
  return x->dev == y->dev && x->ino == y->ino;
}

/* TRUE the first time a file or directory is seen in this run. */
static gboolean
first_visit (Reader *r, const struct stat *st)
{
  FileId key = { st->st_dev, st->st_ino };
  if (g_hash_table_contains (r->seen, &key))
    return FALSE;
  g_hash_table_add (r->seen, g_memdup2 (&key, sizeof key));
  return TRUE;
}

static void
add_file (Reader *r, const char *path, gboolean found)
{
  ReaderFile *f = g_new (ReaderFile, 1);
  f->path = g_strdup (path);
  f->found = found;
  g_ptr_array_add (r->files, f);
}

void
reader_file_free (gpointer file)
{
  ReaderFile *f = file;
  g_free (f->path);
  g_free (f);
}

GHashTable *
reader_seen_new (void)
{
  return g_hash_table_new_full (file_id_hash, file_id_equal, g_free, NULL);
}

/* A file met in a walk or a glob. */
static void
take_file (Reader *r, const char *path, const struct stat *st)
{
  if (first_visit (r, st))
    add_file (r, path, TRUE);
  else
    g_debug ("reader: %s: already read (a link to a file read before); skipped", path);
}

static int
compare_names (const FTSENT **a, const FTSENT **b)
{
  return strcmp ((*a)->fts_name, (*b)->fts_name);
}

static void
warn_skipped (const FTSENT *e, const char *why)
{
  g_autofree char *shown = g_filename_display_name (e->fts_path);
  g_warning ("reader: %s: %s; skipped", shown, why);
}

/* One entry of the walk.  Symbolic links are followed (each is returned again
 * as what it points to), so a link to a file reads the file and a link to a
 * directory walks it, but only once: fts reports a link back to a directory
 * being walked as a cycle, and the seen set catches every other repeat. */
static void
walk_entry (Reader *r, FTS *fts, FTSENT *e)
{
  gboolean hidden = e->fts_level > FTS_ROOTLEVEL && e->fts_name[0] == '.';
  switch (e->fts_info)
    {
    case FTS_D:
      if (hidden || !first_visit (r, e->fts_statp))
        fts_set (fts, e, FTS_SKIP);
      break;
    case FTS_DC:
      {
        /* Entries share one path buffer: an ancestor's path is its prefix. */
        g_autofree char *raw = g_strndup (e->fts_cycle->fts_path, e->fts_cycle->fts_pathlen);
        g_autofree char *target = g_filename_display_name (raw);
        g_autofree char *why = g_strdup_printf ("a link back to %s, which is being read (a cycle)", target);
        warn_skipped (e, why);
        break;
      }
    case FTS_SL:
      if (!hidden)
        fts_set (fts, e, FTS_FOLLOW);
      break;
    case FTS_SLNONE:
      if (!hidden)
        warn_skipped (e, "a symbolic link to nothing");
      break;
    case FTS_F:
      if (!hidden)
        take_file (r, e->fts_path, e->fts_statp);
      break;
    case FTS_DNR:
    case FTS_ERR:
    case FTS_NS:
      warn_skipped (e, g_strerror (e->fts_errno));
      break;
    default:
      break;   /* FTS_DP (leaving a directory); FIFOs, devices, sockets in a tree */
    }
}

static gboolean
walk (Reader *r, const char *dir, GError **error)
{
  char *roots[] = { (char *) dir, NULL };
  FTS *fts = fts_open (roots, FTS_PHYSICAL | FTS_NOCHDIR | FTS_COMFOLLOW, compare_names);
  if (!fts)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: %s", dir, g_strerror (e));
      return FALSE;
    }
  FTSENT *e;
  while ((e = fts_read (fts)))
    walk_entry (r, fts, e);
  int err = errno;
  fts_close (fts);
  if (err)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err), "%s: %s", dir, g_strerror (err));
      return FALSE;
    }
  return TRUE;
}

static void
take_glob (Reader *r, const char *pattern)
{
  glob_t g;
  if (glob (pattern, 0, NULL, &g) == 0)
    for (size_t i = 0; i < g.gl_pathc; i++)
      {
        struct stat st;
        if (stat (g.gl_pathv[i], &st) == 0 && S_ISREG (st.st_mode))
          take_file (r, g.gl_pathv[i], &st);
      }
  globfree (&g);
}

/* The directory ids are relative to, without trailing separators. */
static char *
root_of (const char *dir)
{
  gsize n = strlen (dir);
  while (n > 1 && dir[n - 1] == G_DIR_SEPARATOR)
    n--;
  g_autofree char *trimmed = g_strndup (dir, n);
  return g_filename_display_name (trimmed);   /* compared with display names */
}

gboolean
reader_find_files (Reader *r, const char *path, GError **error)
{
  struct stat st;
  g_autofree char *root = NULL;
  if (strcmp (path, "-") == 0)
    {
      add_file (r, "-", FALSE);
      root = g_strdup (".");
    }
  else if (strpbrk (path, "*?["))
    {
      take_glob (r, path);
      root = g_path_get_dirname (path);
    }
  else if (stat (path, &st) == 0 && S_ISDIR (st.st_mode))
    {
      if (!walk (r, path, error))
        return FALSE;
      root = g_strdup (path);
    }
  else if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      /* Named explicitly, anything is read: a FIFO, a device. */
      add_file (r, path, FALSE);
      root = g_path_get_dirname (path);
    }
  else
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: no such file or directory", path);
      return FALSE;
    }
  if (r->files->len == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: matches no files", path);
      return FALSE;
    }
  r->root = root_of (root);
  return TRUE;
}
