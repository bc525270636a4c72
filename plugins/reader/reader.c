/* reader.c — the standard source: UTF-8 text files and JSON lines.
 *
 * The reader only finds record boundaries (a whole text file, or one line of a
 * JSON-lines file) and hands the raw bytes to the core as deferred records;
 * decoding (UTF-8 repair, JSON parsing) runs later in the worker threads, which
 * is what lets a pipeline read faster than one core can parse JSON.
 *
 * Inputs are not trusted to be finite or acyclic: a FIFO or a device may never
 * end, so no record is held beyond max-record-size bytes; a directory tree may
 * hold symbolic-link cycles, so the walk visits each directory and reads each
 * file (by device and inode) at most once.
 */
#include <docpipe/docpipe.h>

#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <glib/gstdio.h>
#include <glob.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The buffer starts at CHUNK and grows by a quarter; a read asks for at least MIN_READ. */
#define CHUNK (1u << 20)
#define MIN_READ (64u << 10)

enum { FORMAT_AUTO, FORMAT_TEXT, FORMAT_JSONL };
enum { UTF8_REPLACE, UTF8_REJECT };

typedef struct {
  GPtrArray *files;        /* paths; "-" is stdin */
  GHashTable *seen;        /* FileId of every file and directory taken */
  guint next_file;
  int format;
  gsize max_size;
  gboolean reject_utf8;
  char *root;              /* ids of text files are relative to this */

  /* the file being read */
  int fd;
  char *path;              /* its display name */
  guint64 line;
  char *buf;
  gsize len, pos, cap;
  gsize scanned;           /* bytes after pos known to hold no newline */
  gboolean regular;        /* a regular file: never waits for data */
  gint64 size;             /* a regular file's size when opened */
  gboolean eof;
  gboolean cancelled;      /* the run stopped while we waited for input */
  gboolean skipping;       /* discarding the rest of an over-long line */

  guint64 bytes_read;      /* progress (dp_batch_set_input_progress): bytes consumed */
  guint64 bytes_total;     /* of all files; 0 when one is not a regular file */
} Reader;

/* ---- decoding (runs in worker threads) -------------------------------------- */

/* Replaces invalid UTF-8 with U+FFFD; returns the number of replacements. */
static guint
repair_utf8 (const char *raw, gsize len, char **out)
{
  guint bad = 0;
  GString *s = NULL;
  const char *p = raw, *end = raw + len, *stop;
  while (!g_utf8_validate_len (p, end - p, &stop))
    {
      if (!s)
        s = g_string_sized_new (len + 16);
      g_string_append_len (s, p, stop - p);
      g_string_append (s, "\xEF\xBF\xBD");
      bad++;
      p = stop + 1;
    }
  if (s)
    {
      g_string_append_len (s, p, end - p);
      *out = g_string_free (s, FALSE);
    }
  return bad;
}

static gboolean
prepare_utf8 (const char *raw, gsize len, gboolean reject, char **repaired,
              guint *bad, GError **error)
{
  *repaired = NULL;
  *bad = repair_utf8 (raw, len, repaired);
  if (*bad && reject)
    {
      g_clear_pointer (repaired, g_free);
      g_set_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_INVALID_UTF8,
                   "%u invalid UTF-8 sequence%s (invalid-utf8 = reject)", *bad, *bad == 1 ? "" : "s");
      return FALSE;
    }
  return TRUE;
}

static void
note_repairs (DpRecord *rec, guint bad)
{
  if (bad)
    json_object_set_int_member (dp_record_get_meta (rec), "invalid_utf8", bad);
}

/* Decode callbacks (DpRecordDecodeFunc): @user_data is the reader, which the
 * core destroys only after every record has been decoded. */
static gboolean
decode_text (DpRecord *rec, const char *raw, gsize len, gpointer user_data, GError **error)
{
  gboolean reject = ((const Reader *) user_data)->reject_utf8;
  g_autofree char *fixed = NULL;
  guint bad;
  if (!prepare_utf8 (raw, len, reject, &fixed, &bad, error))
    return FALSE;
  /* A byte-order mark is an encoding detail, not text. */
  const char *t = fixed ? fixed : raw;
  gsize n = fixed ? strlen (fixed) : len;
  if (n >= 3 && memcmp (t, "\xEF\xBB\xBF", 3) == 0)
    t += 3, n -= 3;
  if (!dp_record_set_text (rec, t, (gssize) n, error))
    return FALSE;
  note_repairs (rec, bad);
  return TRUE;
}

/* json-glib refuses input that is not UTF-8, so valid lines (nearly all) are
 * parsed without a separate validation pass; only a failed line is checked. */
static gboolean
decode_jsonl (DpRecord *rec, const char *raw, gsize len, gpointer user_data, GError **error)
{
  gboolean reject = ((const Reader *) user_data)->reject_utf8;
  GError *first = NULL;
  if (dp_record_load_json (rec, raw, len, &first))
    return TRUE;
  if (g_utf8_validate_len (raw, len, NULL))
    {
      g_propagate_error (error, first);
      return FALSE;
    }
  g_clear_error (&first);
  g_autofree char *fixed = NULL;
  guint bad;
  if (!prepare_utf8 (raw, len, reject, &fixed, &bad, error)
      || !dp_record_load_json (rec, fixed, strlen (fixed), error))
    return FALSE;
  note_repairs (rec, bad);
  return TRUE;
}

/* ---- finding files ---------------------------------------------------------- */

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
take_file (Reader *r, const char *path, const struct stat *st)
{
  if (first_visit (r, st))
    g_ptr_array_add (r->files, g_strdup (path));
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

static gboolean
find_files (Reader *r, const char *path, GError **error)
{
  struct stat st;
  g_autofree char *root = NULL;
  if (strcmp (path, "-") == 0)
    {
      g_ptr_array_add (r->files, g_strdup ("-"));
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
      g_ptr_array_add (r->files, g_strdup (path));
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

static gboolean
is_jsonl (Reader *r, const char *path)
{
  if (r->format != FORMAT_AUTO)
    return r->format == FORMAT_JSONL;
  return g_str_has_suffix (path, ".jsonl") || g_str_has_suffix (path, ".ndjson")
         || g_str_has_suffix (path, ".json") || strcmp (path, "-") == 0;
}

/* ---- reading ---------------------------------------------------------------- */

static char *
text_id (Reader *r, const char *path)
{
  const char *rel = path;
  gsize n = strlen (r->root);
  if (strcmp (r->root, ".") != 0 && strncmp (path, r->root, n) == 0 && path[n] == G_DIR_SEPARATOR)
    rel = path + n + 1;
  char *id = g_strdup (rel);
  char *dot = strrchr (id, '.');
  if (dot && dot != id && !strchr (dot, G_DIR_SEPARATOR))
    *dot = '\0';
  return id;
}

static void
add_failed (DpBatch *batch, const char *source, const char *id, const char *message)
{
  DpRecord *rec = dp_record_new (id, source, "", 0, NULL);
  dp_batch_add (batch, rec);
  dp_batch_fail (batch, dp_batch_get_size (batch) - 1, "%s", message);
}

static void
close_current (Reader *r)
{
  if (r->fd >= 0)
    close (r->fd);
  r->fd = -1;
  g_clear_pointer (&r->path, g_free);
}

/* Opens a file to read.  Not blocking: opening a FIFO must not wait for its
 * writer (a stopping run could not interrupt that); poll() waits instead.
 * Standard input is used as it is: its flags are shared with other processes. */
static gboolean
open_input (Reader *r, const char *path, GError **error)
{
  gboolean is_stdin = strcmp (path, "-") == 0;
  r->fd = is_stdin ? dup (STDIN_FILENO) : open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (r->fd < 0)
    {
      int e = errno;
      g_autofree char *shown = g_filename_display_name (path);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: %s", shown, g_strerror (e));
      return FALSE;
    }
  r->path = is_stdin ? g_strdup ("<stdin>") : g_filename_display_name (path);
  struct stat st;
  r->regular = fstat (r->fd, &st) == 0 && S_ISREG (st.st_mode);
  r->size = r->regular ? (gint64) st.st_size : -1;
  r->line = 0;
  r->len = r->pos = r->scanned = 0;
  r->eof = r->cancelled = r->skipping = FALSE;
  return TRUE;
}

/* Waits until the open file has data, in slices, so that a pipe or terminal
 * that stays silent does not keep a stopping run waiting.  FALSE: cancelled. */
static gboolean
wait_readable (Reader *r, DpBatch *batch)
{
  if (r->regular)
    return !dp_batch_is_cancelled (batch);
  struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
  while (!dp_batch_is_cancelled (batch))
    if (poll (&pfd, 1, 100) != 0)
      return TRUE;   /* data, end of file or an error: read() will tell */
  return FALSE;
}

/* Makes room for @more bytes after the data.  The buffer grows by a quarter,
 * so one long line costs linear time (each byte is copied a bounded number of
 * times) without holding much more than the line, and never far beyond what
 * max-record-size needs. */
static void
reserve (Reader *r, gsize more)
{
  if (r->cap - r->len >= more)
    return;
  gsize cap = MAX (MAX (r->cap + r->cap / 4, CHUNK), r->len + more);
  cap = MIN (cap, MAX (r->len + more, r->max_size + 2 + CHUNK));
  r->buf = g_realloc (r->buf, cap);
  r->cap = cap;
}

/* Appends what the file has next to the buffer (moving the unread part to its
 * start).  Sets eof at the end of the file, and cancelled (with eof) when the
 * run stops while waiting for data. */
static gboolean
fill (Reader *r, DpBatch *batch, GError **error)
{
  if (r->pos > 0)
    {
      memmove (r->buf, r->buf + r->pos, r->len - r->pos);
      r->len -= r->pos;
      r->pos = 0;
      /* A long line gone: give its memory back before the records are decoded. */
      if (r->cap > 2 * CHUNK && r->len + MIN_READ <= CHUNK)
        {
          r->buf = g_realloc (r->buf, CHUNK);
          r->cap = CHUNK;
        }
    }
  reserve (r, MIN_READ);
  for (;;)
    {
      if (!wait_readable (r, batch))
        {
          r->eof = r->cancelled = TRUE;
          return TRUE;
        }
      ssize_t n = read (r->fd, r->buf + r->len, r->cap - r->len);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n < 0)
        {
          int e = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: %s", r->path, g_strerror (e));
          return FALSE;
        }
      r->len += (gsize) n;
      r->bytes_read += (gsize) n;
      r->eof = n == 0;
      return TRUE;
    }
}

/* A text file is one record: read it whole, but never more than
 * max-record-size bytes of it, since a FIFO or a device may never end. */
static void
read_text_file (Reader *r, const char *path, DpBatch *batch)
{
  gboolean is_stdin = strcmp (path, "-") == 0;
  /* File names need not be UTF-8; records' ids and sources must be. */
  g_autofree char *shown = is_stdin ? g_strdup ("<stdin>") : g_filename_display_name (path);
  g_autofree char *id = is_stdin ? g_strdup ("stdin") : text_id (r, shown);
  g_autoptr (GError) local = NULL;
  if (!open_input (r, path, &local))
    {
      add_failed (batch, shown, id, local->message);
      return;
    }
  if (r->regular && (gsize) r->size > r->max_size)
    {
      g_autofree char *msg = g_strdup_printf ("file of %" G_GINT64_FORMAT " bytes exceeds max-record-size",
                                              r->size);
      add_failed (batch, shown, id, msg);
      r->bytes_read += (guint64) r->size;   /* done with, though not read */
    }
  else
    {
      /* Sized to the file: the buffer becomes the record's, with no copy. */
      if (r->regular && !r->buf)
        {
          r->cap = (gsize) r->size + MIN_READ;
          r->buf = g_malloc (r->cap);
        }
      else if (r->regular)
        reserve (r, (gsize) r->size + MIN_READ);
      while (!r->eof && r->len <= r->max_size && fill (r, batch, &local))
        ;
      if (local)
        add_failed (batch, shown, id, local->message);
      else if (r->len > r->max_size)
        {
          g_autofree char *msg = g_strdup_printf ("input exceeds max-record-size (%" G_GSIZE_FORMAT
                                                  " bytes); the rest was not read", r->max_size);
          add_failed (batch, shown, id, msg);
        }
      else if (!r->cancelled)
        {
          char *data = g_realloc (g_steal_pointer (&r->buf), MAX (r->len, 1));
          DpRecord *rec = dp_record_new_deferred (shown, data, r->len, decode_text, r);
          dp_record_set_id (rec, id);
          dp_batch_add (batch, rec);
          r->cap = r->len = 0;
        }
    }
  close_current (r);
}

/* Emits the line [start, end) as a record unless it is blank. */
static void
emit_line (Reader *r, const char *start, const char *end, DpBatch *batch)
{
  r->line++;
  if (end > start && end[-1] == '\r')
    end--;
  if (r->line == 1 && end - start >= 3 && memcmp (start, "\xEF\xBB\xBF", 3) == 0)
    start += 3;
  const char *p = start;
  while (p < end && g_ascii_isspace (*p))
    p++;
  if (p == end)
    return;
  g_autofree char *source = g_strdup_printf ("%s:%" G_GUINT64_FORMAT, r->path, r->line);
  if ((gsize) (end - start) > r->max_size)
    {
      g_autofree char *msg = g_strdup_printf ("line exceeds max-record-size (%" G_GSIZE_FORMAT " bytes)",
                                              r->max_size);
      add_failed (batch, source, source, msg);
      return;
    }
  char *raw = g_memdup2 (start, end - start);
  dp_batch_add (batch, dp_record_new_deferred (source, raw, end - start,
                                               decode_jsonl, r));
}

/* Discards the rest of an over-long line.  FALSE: the buffer is used up. */
static gboolean
skip_line (Reader *r)
{
  char *nl = memchr (r->buf + r->pos, '\n', r->len - r->pos);
  r->pos = nl ? (gsize) (nl - r->buf) + 1 : r->len;
  r->skipping = nl == NULL;
  return nl != NULL;
}

/* A line longer than max-record-size: its dead letter goes out at once (it
 * may never end, on a device), and the rest of it is skipped as it comes. */
static void
fail_long_line (Reader *r, DpBatch *batch)
{
  r->line++;
  g_autofree char *source = g_strdup_printf ("%s:%" G_GUINT64_FORMAT, r->path, r->line);
  g_autofree char *msg = g_strdup_printf ("line exceeds max-record-size (%" G_GSIZE_FORMAT " bytes)", r->max_size);
  add_failed (batch, source, source, msg);
  r->pos = r->len;
  r->scanned = 0;
  r->skipping = TRUE;
}

/* Reads lines of the open file into @batch until it holds @max records, the
 * file ends, a pipe has nothing more for now, or a line is too long. */
static gboolean
read_lines (Reader *r, DpBatch *batch, guint max, GError **error)
{
  while (dp_batch_get_size (batch) < max)
    {
      if (r->skipping && r->len > r->pos && skip_line (r))
        continue;
      char *start = r->buf + r->pos;
      gsize avail = r->len - r->pos;
      /* Only bytes not scanned before: one long line arrives in many reads. */
      char *nl = !r->skipping && avail > r->scanned ? memchr (start + r->scanned, '\n', avail - r->scanned) : NULL;
      if (nl)
        {
          emit_line (r, start, nl, batch);
          r->pos = (gsize) (nl - r->buf) + 1;
          r->scanned = 0;
          continue;
        }
      r->scanned = r->skipping ? 0 : avail;
      if (r->eof)
        {
          /* A last line without newline, unless the run stopped in it. */
          if (avail > 0 && !r->skipping && !r->cancelled)
            emit_line (r, start, r->buf + r->len, batch);
          close_current (r);
          return TRUE;
        }
      if (!r->skipping && avail > r->max_size + 1)   /* + 1: a '\r' before the newline */
        {
          fail_long_line (r, batch);
          return TRUE;
        }
      /* A pipe with nothing more for now: hand on what we have, so a
       * stream (tail -f | docpipe …) flows record by record. */
      struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
      if (dp_batch_get_size (batch) > 0 && poll (&pfd, 1, 0) == 0)
        return TRUE;
      if (!fill (r, batch, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
reader_read (gpointer self, DpBatch *batch, guint max, GError **error)
{
  Reader *r = self;
  while (dp_batch_get_size (batch) < max)
    {
      if (r->fd >= 0)
        {
          if (!read_lines (r, batch, max, error))
            return FALSE;
          if (r->fd >= 0)
            break;   /* the batch is full, a pipe has nothing more for now, a line was too long */
          continue;
        }
      if (r->next_file >= r->files->len || dp_batch_is_cancelled (batch))
        break;
      const char *path = g_ptr_array_index (r->files, r->next_file++);
      if (!is_jsonl (r, path))
        read_text_file (r, path, batch);
      else if (!open_input (r, path, error))
        return FALSE;
    }
  /* Bytes read into the buffer but not yet made into records are not done. */
  dp_batch_set_input_progress (batch, r->bytes_read - (r->fd >= 0 ? r->len - r->pos : 0), r->bytes_total);
  return TRUE;
}

/* ---- life cycle ------------------------------------------------------------- */

/* The input's size for the progress line: 0 (unknown) if a file is not a
 * regular one (stdin, a FIFO, a device). */
static guint64
input_size (Reader *r)
{
  guint64 total = 0;
  for (guint i = 0; i < r->files->len; i++)
    {
      struct stat st;
      const char *path = g_ptr_array_index (r->files, i);
      if (strcmp (path, "-") == 0 || stat (path, &st) != 0 || !S_ISREG (st.st_mode))
        return 0;
      total += (guint64) st.st_size;
    }
  return total;
}

static void
reader_destroy (gpointer self)
{
  Reader *r = self;
  close_current (r);
  g_ptr_array_unref (r->files);
  g_hash_table_unref (r->seen);
  g_free (r->buf);
  g_free (r->root);
  g_free (r);
}

static gpointer
reader_create (const DpParams *params, GError **error)
{
  Reader *r = g_new0 (Reader, 1);
  r->fd = -1;
  r->files = g_ptr_array_new_with_free_func (g_free);
  r->seen = g_hash_table_new_full (file_id_hash, file_id_equal, g_free, NULL);
  r->format = dp_params_get_enum (params, "format");
  r->max_size = (gsize) dp_params_get_int (params, "max-record-size");
  r->reject_utf8 = dp_params_get_enum (params, "invalid-utf8") == UTF8_REJECT;
  if (!find_files (r, dp_params_get_path (params, "path"), error))
    {
      reader_destroy (r);
      return NULL;
    }
  r->bytes_total = input_size (r);
  return r;
}

static const char *const formats[] = { "auto", "text", "jsonl", NULL };
static const char *const utf8_policies[] = { "replace", "reject", NULL };

static const DpParamSpec reader_params[] = {
  { "path", DP_PARAM_PATH, NULL, TRUE,
    "A file, a directory (read recursively, in name order), a glob such as docs/*.txt, or - for standard input",
    .flags = DP_PARAM_INPUT },
  { "format", DP_PARAM_ENUM, "auto", FALSE,
    "text: each file is one record; jsonl: one JSON object per line; auto: jsonl for .jsonl/.ndjson/.json and stdin, else text",
    formats },
  { "invalid-utf8", DP_PARAM_ENUM, "replace", FALSE,
    "replace: invalid bytes become U+FFFD and meta.invalid_utf8 counts them; reject: dead-letter the record",
    utf8_policies },
  { "max-record-size", DP_PARAM_INT, "67108864", FALSE,
    "Largest record (file or line) in bytes; larger ones are dead-lettered", NULL, 1, 512.0 * 1024 * 1024 },
  { NULL }
};

static const DpStageInfo reader_stage = {
  .name = "reader",
  .kind = DP_STAGE_SOURCE,
  .description = "Reads UTF-8 text files and JSON lines",
  .params = reader_params,
  .create = reader_create,
  .read = reader_read,
  .destroy = reader_destroy,
};

DP_PLUGIN_DEFINE ("reader", DP_VERSION, "MIT", "Standard input stage: text files and JSON lines",
                  &reader_stage);
