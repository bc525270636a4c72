/* reader.c — the standard source: UTF-8 text files and JSON lines.
 *
 * The reader only finds record boundaries (a whole text file, or one line of a
 * JSON-lines file) and hands the raw bytes to the core as deferred records;
 * decoding (UTF-8 repair, JSON parsing) runs later in the worker threads, which
 * is what lets a pipeline read faster than one core can parse JSON.
 */
#include <docpipe/docpipe.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <glob.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (1u << 20)

enum { FORMAT_AUTO, FORMAT_TEXT, FORMAT_JSONL };
enum { UTF8_REPLACE, UTF8_REJECT };

typedef struct {
  GPtrArray *files;        /* paths; "-" is stdin */
  guint next_file;
  int format;
  gsize max_size;
  gboolean reject_utf8;
  char *root;              /* ids of text files are relative to this */

  /* the JSON-lines file being read */
  int fd;
  char *path;
  guint64 line;
  char *buf;
  gsize len, pos;
  gboolean eof;
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

static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
walk (const char *dir, GPtrArray *files)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  while (d && (name = g_dir_read_name (d)))
    if (name[0] != '.')
      g_ptr_array_add (found, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (found, compare_paths);
  for (guint i = 0; i < found->len; i++)
    {
      const char *path = g_ptr_array_index (found, i);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        walk (path, files);
      else if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (files, g_strdup (path));
    }
}

static gboolean
find_files (Reader *r, const char *path, GError **error)
{
  if (strcmp (path, "-") == 0)
    {
      g_ptr_array_add (r->files, g_strdup ("-"));
      r->root = g_strdup (".");
      return TRUE;
    }
  if (strpbrk (path, "*?["))
    {
      glob_t g;
      if (glob (path, 0, NULL, &g) == 0)
        for (size_t i = 0; i < g.gl_pathc; i++)
          if (g_file_test (g.gl_pathv[i], G_FILE_TEST_IS_REGULAR))
            g_ptr_array_add (r->files, g_strdup (g.gl_pathv[i]));
      globfree (&g);
      r->root = g_path_get_dirname (path);
    }
  else if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      walk (path, r->files);
      r->root = g_strdup (path);
    }
  else if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_ptr_array_add (r->files, g_strdup (path));
      r->root = g_path_get_dirname (path);
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
  char *root = g_filename_display_name (r->root);   /* compared with display names */
  g_free (r->root);
  r->root = root;
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

static gboolean
read_text_file (Reader *r, const char *path, DpBatch *batch, GError **error)
{
  /* File names need not be UTF-8; records' ids and sources must be. */
  g_autofree char *shown = g_filename_display_name (path);
  g_autofree char *id = text_id (r, shown);
  GStatBuf st;
  if (g_stat (path, &st) == 0 && (gsize) st.st_size > r->max_size)
    {
      g_autofree char *msg = g_strdup_printf ("file of %" G_GINT64_FORMAT " bytes exceeds max-record-size",
                                              (gint64) st.st_size);
      add_failed (batch, shown, id, msg);
      return TRUE;
    }
  char *data;
  gsize len;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &data, &len, &local))
    {
      add_failed (batch, shown, id, local->message);
      return TRUE;
    }
  DpRecord *rec = dp_record_new_deferred (shown, data, len, decode_text, r);
  dp_record_set_id (rec, id);
  dp_batch_add (batch, rec);
  return TRUE;
}

/* Waits until the open file has data, in slices, so that a pipe or terminal
 * that stays silent does not keep a stopping run waiting.  FALSE: cancelled. */
static gboolean
wait_readable (Reader *r, DpBatch *batch)
{
  struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
  while (!dp_batch_is_cancelled (batch))
    if (poll (&pfd, 1, 100) != 0)
      return TRUE;   /* data, end of file or an error: read() will tell */
  return FALSE;
}

static gboolean
fill (Reader *r, DpBatch *batch, GError **error)
{
  if (r->pos > 0)
    {
      memmove (r->buf, r->buf + r->pos, r->len - r->pos);
      r->len -= r->pos;
      r->pos = 0;
    }
  gsize want = MAX (CHUNK, r->len + 1);
  r->buf = g_realloc (r->buf, want + CHUNK);
  if (!wait_readable (r, batch))
    {
      r->eof = TRUE;
      return TRUE;
    }
  ssize_t n;
  do
    n = read (r->fd, r->buf + r->len, want + CHUNK - r->len);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", r->path,
                   g_strerror (errno));
      return FALSE;
    }
  r->len += (gsize) n;
  r->eof = n == 0;
  return TRUE;
}

static void
close_current (Reader *r)
{
  if (r->fd >= 0)
    close (r->fd);
  r->fd = -1;
  g_clear_pointer (&r->path, g_free);
}

static gboolean
open_jsonl (Reader *r, const char *path, GError **error)
{
  r->fd = strcmp (path, "-") == 0 ? dup (STDIN_FILENO) : open (path, O_RDONLY | O_CLOEXEC);
  if (r->fd < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  r->path = strcmp (path, "-") == 0 ? g_strdup ("<stdin>") : g_filename_display_name (path);
  r->line = 0;
  r->len = r->pos = 0;
  r->eof = FALSE;
  return TRUE;
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
      add_failed (batch, source, source, "line exceeds max-record-size");
      return;
    }
  char *raw = g_memdup2 (start, end - start);
  dp_batch_add (batch, dp_record_new_deferred (source, raw, end - start, decode_jsonl, r));
}

/* Reads lines of the open file into @batch until it holds @max records or the file ends. */
static gboolean
read_lines (Reader *r, DpBatch *batch, guint max, GError **error)
{
  while (dp_batch_get_size (batch) < max)
    {
      char *start = r->buf + r->pos;
      char *nl = r->len > r->pos ? memchr (start, '\n', r->len - r->pos) : NULL;
      if (nl)
        {
          emit_line (r, start, nl, batch);
          r->pos = (gsize) (nl - r->buf) + 1;
          continue;
        }
      if (r->eof)
        {
          if (r->len > r->pos)
            emit_line (r, start, r->buf + r->len, batch);
          close_current (r);
          return TRUE;
        }
      /* An over-long line: count it now, skip the rest of it, and go on. */
      if (r->len - r->pos > r->max_size + 1)
        {
          g_autofree char *source = g_strdup_printf ("%s:%" G_GUINT64_FORMAT, r->path, r->line + 1);
          add_failed (batch, source, source, "line exceeds max-record-size");
          r->line++;
          while (!r->eof)
            {
              r->pos = r->len;
              if (!fill (r, batch, error))
                return FALSE;
              char *e = memchr (r->buf, '\n', r->len);
              if (e)
                {
                  r->pos = (gsize) (e - r->buf) + 1;
                  break;
                }
            }
          continue;
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
            break;   /* the batch is full, or a pipe has nothing more for now */
          continue;
        }
      if (r->next_file >= r->files->len)
        break;
      const char *path = g_ptr_array_index (r->files, r->next_file++);
      if (is_jsonl (r, path))
        {
          if (!open_jsonl (r, path, error))
            return FALSE;
        }
      else if (strcmp (path, "-") == 0)
        {
          /* Text on stdin: the whole stream is one record. */
          if (!open_jsonl (r, path, error))
            return FALSE;
          while (!r->eof && r->len <= r->max_size)
            if (!fill (r, batch, error))
              return FALSE;
          if (r->len > r->max_size)
            add_failed (batch, "<stdin>", "stdin", "input exceeds max-record-size");
          else
            {
              DpRecord *rec = dp_record_new_deferred ("<stdin>", g_memdup2 (r->buf, r->len), r->len,
                                                      decode_text, r);
              dp_record_set_id (rec, "stdin");
              dp_batch_add (batch, rec);
            }
          close_current (r);
        }
      else if (!read_text_file (r, path, batch, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- life cycle ------------------------------------------------------------- */

static void
reader_destroy (gpointer self)
{
  Reader *r = self;
  close_current (r);
  g_ptr_array_unref (r->files);
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
  r->format = dp_params_get_enum (params, "format");
  r->max_size = (gsize) dp_params_get_int (params, "max-record-size");
  r->reject_utf8 = dp_params_get_enum (params, "invalid-utf8") == UTF8_REJECT;
  if (!find_files (r, dp_params_get_path (params, "path"), error))
    {
      reader_destroy (r);
      return NULL;
    }
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
