/* reader.c — the standard source: text files, HTML pages and JSON lines,
 * gzipped or not, in UTF-8, UTF-16 or a declared encoding.
 *
 * The reader only finds record boundaries (a whole file, or one line of a
 * JSON-lines file) and hands the raw bytes to the core as deferred records;
 * decoding (encodings, HTML, JSON parsing) runs later in the worker threads
 * (decode.c, html.c), which is what lets a pipeline read faster than one core
 * can parse.  Finding files is files.c's business, opening and filling the
 * buffer input.c's.
 *
 * Inputs are not trusted to be finite: a FIFO or a device may never end, so
 * no record is held beyond max-record-size bytes.
 */
#include "reader.h"

#include <poll.h>
#include <string.h>
#include <sys/stat.h>

/* The format of one file: the setting, or with auto its name (without .gz). */
static int
file_format (const Reader *r, const char *path)
{
  if (r->format != FORMAT_AUTO)
    return r->format;
  if (strcmp (path, "-") == 0)
    return FORMAT_JSONL;
  g_autofree char *name = reader_strip_gz (path);
  static const char *const jsonl[] = { ".jsonl", ".ndjson", ".json", NULL };
  static const char *const html[] = { ".html", ".htm", ".xhtml", NULL };
  for (guint i = 0; jsonl[i]; i++)
    if (g_str_has_suffix (name, jsonl[i]))
      return FORMAT_JSONL;
  gsize n = strlen (name);
  for (guint i = 0; html[i]; i++)
    if (n > strlen (html[i]) && g_ascii_strcasecmp (name + n - strlen (html[i]), html[i]) == 0)
      return FORMAT_HTML;
  return FORMAT_TEXT;
}

/* ---- reading ---------------------------------------------------------------- */

/* A file's path relative to the root. */
static const char *
relative_path (const Reader *r, const char *path)
{
  gsize n = strlen (r->root);
  if (strcmp (r->root, ".") != 0 && strncmp (path, r->root, n) == 0 && path[n] == G_DIR_SEPARATOR)
    return path + n + 1;
  return path;
}

/* A file's id: its path relative to the root, without .gz and extension.
 * Files read whole that would share one (a.html and a.txt) must not: a later sink would
 * take the second for a new version of the first.  The later one in name
 * order keeps its extension (then its .gz), with a warning. */
static char *
file_id (Reader *r, const char *path, gboolean whole)
{
  const char *rel = relative_path (r, path);
  g_autofree char *bare = reader_strip_gz (rel);
  char *id = g_strdup (bare);
  char *dot = strrchr (id, '.');
  if (dot && dot != id && !strchr (dot, G_DIR_SEPARATOR))
    *dot = '\0';
  const char *taken = whole ? g_hash_table_lookup (r->ids, id) : NULL;
  if (taken)
    {
      g_free (id);
      id = g_strdup (g_hash_table_contains (r->ids, bare) ? rel : bare);
      g_warning ("reader: %s would have the id of %s; its id is %s", path, taken, id);
    }
  if (whole)
    g_hash_table_insert (r->ids, g_strdup (id), g_strdup (path));
  return id;
}

static void
add_failed (DpBatch *batch, const char *source, const char *id, const char *message)
{
  DpRecord *rec = dp_record_new (id, source, "", 0, NULL);
  dp_batch_add (batch, rec);
  dp_batch_fail (batch, dp_batch_get_size (batch) - 1, "%s", message);
}

/* A whole file is one record: read it whole, but never more than
 * max-record-size bytes of it, since a FIFO or a device may never end. */
static void
read_whole_file (Reader *r, const char *shown, const char *id, DpRecordDecodeFunc decode, DpBatch *batch)
{
  g_autoptr (GError) local = NULL;
  if (r->regular && !r->gz && (gsize) r->size > r->max_size)
    {
      g_autofree char *msg = g_strdup_printf ("file of %" G_GINT64_FORMAT " bytes exceeds max-record-size",
                                              r->size);
      add_failed (batch, shown, id, msg);
      return;
    }
  while (!r->eof && r->len <= r->max_size && reader_fill (r, batch, &local))
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
      DpRecord *rec = dp_record_new_deferred (shown, data, r->len, decode, r);
      dp_record_set_id (rec, id);
      dp_batch_add (batch, rec);
      r->batch_bytes += r->len;
      r->cap = r->len = 0;
    }
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
  r->batch_bytes += end - start;
  dp_batch_add (batch, dp_record_new_deferred (source, raw, end - start, reader_decode_jsonl, r));
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

/* A gzipped file that turns out corrupt: the lines before the damage were
 * read; the file is dead-lettered from there and the run goes on. */
static void
fail_corrupt (Reader *r, DpBatch *batch, const GError *error)
{
  g_autofree char *msg = g_strdup_printf ("%s after line %" G_GUINT64_FORMAT "; the rest was not read",
                                          error->message, r->line);
  add_failed (batch, r->path, r->path, msg);
  reader_close (r);
}

/* Reads lines of the open file into @batch until it holds @max records, the
 * file ends, a pipe has nothing more for now, or a line is too long. */
static gboolean
read_lines (Reader *r, DpBatch *batch, guint max, GError **error)
{
  while (dp_batch_get_size (batch) < max && r->batch_bytes < READER_BATCH_BYTES)
    {
      if (r->skipping && r->len > r->pos && skip_line (r))
        continue;
      /* No buffer before the first read (and none for an empty file). */
      char *start = r->buf ? r->buf + r->pos : NULL;
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
          reader_close (r);
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
      if (!r->gz && dp_batch_get_size (batch) > 0 && poll (&pfd, 1, 0) == 0)
        return TRUE;
      g_autoptr (GError) local = NULL;
      if (!reader_fill (r, batch, &local))
        {
          if (!r->gz)
            return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
          fail_corrupt (r, batch, local);
          return TRUE;
        }
    }
  return TRUE;
}

/* A file met in a walk or a glob whose first bytes are binary is skipped
 * with a warning, counted in the run's stats.  TRUE: skipped (and closed).
 * A file that cannot be read that far fails (@error). */
static gboolean
skip_binary (Reader *r, DpBatch *batch, GError **error)
{
  while (!r->eof && r->len < READER_SNIFF_BYTES)
    if (!reader_fill (r, batch, error))
      return FALSE;
  const char *what = reader_sniff_binary (r);
  if (!what)
    return FALSE;
  g_warning ("reader: %s: a binary file (%s); skipped", r->path, what);
  dp_batch_note_skipped (batch, 1);
  reader_close (r);
  return TRUE;
}

/* Opens the next file: FALSE with @error only when the run must stop. */
static gboolean
next_file (Reader *r, DpBatch *batch, GError **error)
{
  const ReaderFile *f = g_ptr_array_index (r->files, r->next_file++);
  int format = file_format (r, f->path);
  gboolean is_stdin = strcmp (f->path, "-") == 0;
  /* File names need not be UTF-8; records' ids and sources must be. */
  g_autofree char *shown = is_stdin ? g_strdup ("<stdin>") : g_filename_display_name (f->path);
  g_autofree char *id = is_stdin ? g_strdup ("stdin") : file_id (r, shown, format != FORMAT_JSONL);
  g_autoptr (GError) local = NULL;
  if (!reader_open (r, f->path, &local))
    {
      if (is_stdin)
        return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
      /* Gone or unreadable since the run started (a glob's file removed
       * meanwhile): one dead letter naming it, and the other files are read. */
      add_failed (batch, shown, format == FORMAT_JSONL ? shown : id, local->message);
      return TRUE;
    }
  if (format != FORMAT_JSONL)
    reader_presize (r);
  if (format == FORMAT_JSONL && r->gz && r->regular)
    reader_verify_gz (r, f->path, batch, &local);
  if (!local && f->found && skip_binary (r, batch, &local))
    return TRUE;
  if (local)
    {
      add_failed (batch, shown, id, local->message);
      reader_close (r);
      return TRUE;
    }
  if (format == FORMAT_JSONL)
    return TRUE;   /* read line by line from here */
  read_whole_file (r, shown, id, format == FORMAT_HTML ? reader_decode_html : reader_decode_text, batch);
  reader_close (r);
  return TRUE;
}

static gboolean
reader_read (gpointer self, DpBatch *batch, guint max, GError **error)
{
  Reader *r = self;
  r->batch_bytes = 0;
  while (dp_batch_get_size (batch) < max && r->batch_bytes < READER_BATCH_BYTES)
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
      if (!next_file (r, batch, error))
        return FALSE;
    }
  dp_batch_set_input_progress (batch, reader_bytes_done (r), r->bytes_total);
  return TRUE;
}

/* ---- life cycle ------------------------------------------------------------- */

/* The input's size for the progress line: 0 (unknown) if a file is not a
 * regular one (stdin, a FIFO, a device). */
static guint64
input_size (const Reader *r)
{
  guint64 total = 0;
  for (guint i = 0; i < r->files->len; i++)
    {
      const ReaderFile *f = g_ptr_array_index (r->files, i);
      struct stat st;
      if (strcmp (f->path, "-") == 0 || stat (f->path, &st) != 0 || !S_ISREG (st.st_mode))
        return 0;
      total += (guint64) st.st_size;
    }
  return total;
}

static void
reader_destroy (gpointer self)
{
  Reader *r = self;
  reader_close (r);
  g_ptr_array_unref (r->files);
  g_hash_table_unref (r->seen);
  g_hash_table_unref (r->ids);
  g_free (r->buf);
  g_free (r->root);
  g_free (r->encoding);
  g_free (r->text_field);
  g_free (r->id_field);
  g_free (r);
}

static const char *const encodings[] = {
  "latin1", "iso-8859-1", "iso-8859-2", "iso-8859-5", "iso-8859-7", "iso-8859-9", "iso-8859-15",
  "windows-1250", "windows-1251", "windows-1252", "windows-1253", "windows-1254", "windows-1256",
  "koi8-r", "koi8-u", "macintosh", "shift_jis", "euc-jp", "euc-kr", "gb18030", "big5",
  "utf-16le", "utf-16be", NULL
};

/* A JSON field setting, NULL when it is the default (the core's own loader). */
static char *
field_setting (const DpParams *params, const char *key, const char *dflt)
{
  const char *v = dp_params_get_string (params, key);
  return v && strcmp (v, dflt) != 0 ? g_strdup (v) : NULL;
}

static gpointer
reader_create (const DpParams *params, GError **error)
{
  Reader *r = g_new0 (Reader, 1);
  r->fd = -1;
  r->files = g_ptr_array_new_with_free_func (reader_file_free);
  r->seen = reader_seen_new ();
  r->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  r->format = dp_params_get_enum (params, "format");
  r->max_size = (gsize) dp_params_get_int (params, "max-record-size");
  r->reject_utf8 = dp_params_get_enum (params, "invalid-utf8") == UTF8_REJECT;
  int enc = dp_params_get_enum (params, "encoding");
  r->encoding = enc >= 0 ? g_strdup (encodings[enc]) : NULL;
  r->text_field = field_setting (params, "text-field", "text");
  r->id_field = field_setting (params, "id-field", "id");
  reader_html_init ();
  if ((r->encoding && !reader_check_encoding (r->encoding, error))
      || !reader_find_files (r, dp_params_get_path (params, "path"), error))
    {
      reader_destroy (r);
      return NULL;
    }
  r->bytes_total = input_size (r);
  return r;
}

static const char *const formats[] = { "auto", "text", "jsonl", "html", NULL };
static const char *const utf8_policies[] = { "replace", "reject", NULL };

static const DpParamSpec reader_params[] = {
  { "path", DP_PARAM_PATH, NULL, TRUE,
    "A file, a directory (read recursively, in name order), a glob such as docs/*.txt, or - for standard input; "
    "files ending in .gz are decompressed",
    .flags = DP_PARAM_INPUT },
  { "format", DP_PARAM_ENUM, "auto", FALSE,
    "text: each file is one record; html: each file is one page, its visible text; jsonl: one JSON object per line; "
    "auto: by the name without .gz: jsonl for .jsonl/.ndjson/.json and stdin, html for .html/.htm/.xhtml, else text",
    formats },
  { "encoding", DP_PARAM_ENUM, NULL, FALSE,
    "The encoding of files that are not valid UTF-8 (and declare none, for HTML); unset: invalid-utf8 applies",
    encodings },
  { "invalid-utf8", DP_PARAM_ENUM, "replace", FALSE,
    "replace: invalid bytes become U+FFFD and meta.invalid_utf8 counts them; reject: dead-letter the record",
    utf8_policies },
  { "text-field", DP_PARAM_STRING, "text", FALSE,
    "JSON lines: the field holding the text (other fields go to meta)", NULL },
  { "id-field", DP_PARAM_STRING, "id", FALSE,
    "JSON lines: the field holding the id (a string or an integer; none: the source FILE:LINE)", NULL },
  { "max-record-size", DP_PARAM_INT, "67108864", FALSE,
    "Largest record (file or line, decompressed) in bytes; larger ones are dead-lettered", NULL, 1, 512.0 * 1024 * 1024 },
  { NULL }
};

static const DpStageInfo reader_stage = {
  .name = "reader",
  .kind = DP_STAGE_SOURCE,
  .description = "Reads text files, HTML pages and JSON lines (gzipped or not; UTF-8, UTF-16 or a declared encoding)",
  .params = reader_params,
  .create = reader_create,
  .read = reader_read,
  .destroy = reader_destroy,
};

DP_PLUGIN_DEFINE ("reader", DP_VERSION, "MIT", "Standard input stage: text files, HTML pages and JSON lines",
                  &reader_stage);
