/* input.c — one input file: opening it (a .gz file through GLib's
 * GZlibDecompressor, transparently), filling the reader's buffer, and telling
 * binary files apart by their first bytes.
 *
 * Inputs are not trusted to be finite: a FIFO or a device may never end, so
 * the buffer never grows much beyond max-record-size (reader.c decides what
 * to do with a record that passes it).  A FIFO is opened without blocking and
 * polled in slices, so a stopping run is not kept waiting by a silent writer.
 */
#include "reader.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The buffer starts at CHUNK and grows by a quarter; a read asks for at least MIN_READ. */
#define CHUNK (1u << 20)
#define MIN_READ (64u << 10)

gboolean
reader_is_gz (const char *path)
{
  return g_str_has_suffix (path, ".gz") && strlen (path) > 3;
}

char *
reader_strip_gz (const char *path)
{
  return reader_is_gz (path) ? g_strndup (path, strlen (path) - 3) : g_strdup (path);
}

void
reader_close (Reader *r)
{
  g_clear_object (&r->gz);   /* does not close the descriptor: we do */
  if (r->fd >= 0)
    {
      r->bytes_closed += r->raw_size >= 0 ? (guint64) r->raw_size : r->stream_read;
      close (r->fd);
    }
  r->fd = -1;
  g_clear_pointer (&r->path, g_free);
}

static GInputStream *
gunzip_stream (int fd, gboolean close_fd)
{
  g_autoptr (GInputStream) raw = g_unix_input_stream_new (fd, close_fd);
  g_autoptr (GZlibDecompressor) z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  return g_converter_input_stream_new (raw, G_CONVERTER (z));
}

/* A .gz file is read through a decompressing stream on its descriptor. */
static void
open_gz (Reader *r)
{
  r->gz = gunzip_stream (r->fd, FALSE);
  r->size = -1;   /* the decompressed size is not known */
}

static void
gz_error (GError **error, const char *shown, const GError *cause)
{
  g_set_error (error, G_IO_ERROR, cause->code, "%s: corrupt or truncated gzip data (%s)", shown, cause->message);
}

/* Damage in gzip data shows late: deflate decodes garbage for a while, and
 * the checksum comes at the end.  So a regular .gz file of lines is first
 * decompressed once to nowhere, and only an intact one is read: a damaged
 * file is one dead letter, not a run of garbled records. */
gboolean
reader_verify_gz (Reader *r, const char *path, DpBatch *batch, GError **error)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);   /* its own offset */
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: %s", r->path, g_strerror (e));
      return FALSE;
    }
  g_autoptr (GInputStream) in = gunzip_stream (fd, TRUE);
  g_autofree char *scratch = g_malloc (MIN_READ);
  g_autoptr (GError) local = NULL;
  gssize n;
  while ((n = g_input_stream_read (in, scratch, MIN_READ, NULL, &local)) > 0 && !dp_batch_is_cancelled (batch))
    ;
  if (n < 0)
    {
      gz_error (error, r->path, local);
      return FALSE;
    }
  return TRUE;
}

/* Opens a file to read.  Not blocking: opening a FIFO must not wait for its
 * writer (a stopping run could not interrupt that); poll() waits instead.
 * Standard input is used as it is: its flags are shared with other processes. */
gboolean
reader_open (Reader *r, const char *path, GError **error)
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
  r->raw_size = r->size;
  r->stream_read = 0;
  if (!is_stdin && reader_is_gz (path))
    open_gz (r);
  r->line = 0;
  r->len = r->pos = r->scanned = 0;
  r->eof = r->cancelled = r->skipping = FALSE;
  return TRUE;
}

/* A regular file's offset tells how far into it we are (through a .gz
 * file's decompressing stream too); bytes in the buffer not yet made into
 * records are not done. */
guint64
reader_bytes_done (const Reader *r)
{
  if (r->fd < 0)
    return r->bytes_closed;
  off_t at = r->regular ? lseek (r->fd, 0, SEEK_CUR) : (off_t) r->stream_read;
  guint64 pending = r->gz ? 0 : r->len - r->pos;
  return r->bytes_closed + (at > 0 && (guint64) at > pending ? (guint64) at - pending : 0);
}

/* Waits until the open file has data, in slices, so that a pipe or terminal
 * that stays silent does not keep a stopping run waiting.  FALSE: cancelled.
 * A decompressing stream may hold data its descriptor no longer shows, so it
 * is not polled. */
static gboolean
wait_readable (Reader *r, DpBatch *batch)
{
  if (r->regular || r->gz)
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
void
reader_reserve (Reader *r, gsize more)
{
  if (r->cap - r->len >= more)
    return;
  gsize cap = MAX (MAX (r->cap + r->cap / 4, CHUNK), r->len + more);
  cap = MIN (cap, MAX (r->len + more, r->max_size + 2 + CHUNK));
  r->buf = g_realloc (r->buf, cap);
  r->cap = cap;
}

void
reader_presize (Reader *r)
{
  if (!r->regular || r->gz || (gsize) r->size > r->max_size)
    return;
  /* Sized to the file: the buffer becomes the record's, with no copy (and
   * no buffer of a CHUNK for each small file). */
  if (!r->buf)
    {
      r->cap = (gsize) r->size + MIN_READ;
      r->buf = g_malloc (r->cap);
    }
  else
    reader_reserve (r, (gsize) r->size + MIN_READ);
}

/* One read into the free part of the buffer: bytes read, 0 at the end, -1 on
 * an error (set). */
static gssize
read_some (Reader *r, GError **error)
{
  if (r->gz)
    {
      g_autoptr (GError) local = NULL;
      gssize n = g_input_stream_read (r->gz, r->buf + r->len, r->cap - r->len, NULL, &local);
      if (n < 0)
        gz_error (error, r->path, local);
      return n;
    }
  for (;;)
    {
      ssize_t n = read (r->fd, r->buf + r->len, r->cap - r->len);
      if (n >= 0)
        return n;
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN)
        return -2;
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s: %s", r->path, g_strerror (e));
      return -1;
    }
}

/* Appends what the file has next to the buffer (moving the unread part to its
 * start).  Sets eof at the end of the file, and cancelled (with eof) when the
 * run stops while waiting for data. */
gboolean
reader_fill (Reader *r, DpBatch *batch, GError **error)
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
  reader_reserve (r, MIN_READ);
  for (;;)
    {
      if (!wait_readable (r, batch))
        {
          r->eof = r->cancelled = TRUE;
          return TRUE;
        }
      gssize n = read_some (r, error);
      if (n == -2)
        continue;
      if (n < 0)
        return FALSE;
      r->len += (gsize) n;
      r->stream_read += r->regular ? 0 : (gsize) n;
      r->eof = n == 0;
      return TRUE;
    }
}

/* ---- binary files ----------------------------------------------------------- */

typedef struct {
  const char *magic;
  gsize len;
  const char *what;
} Magic;

/* Formats common in document folders whose first bytes may all be printable
 * (so the NUL test below would not catch them). */
static const Magic magics[] = {
  { "%PDF-", 5, "PDF document" },
  { "\x89PNG\r\n\x1a\n", 8, "PNG image" },
  { "GIF87a", 6, "GIF image" },
  { "GIF89a", 6, "GIF image" },
  { "\xFF\xD8\xFF", 3, "JPEG image" },
  { "PK\x03\x04", 4, "ZIP archive (or an Office document)" },
  { "\x1F\x8B", 2, "gzip data (not named .gz)" },
  { "BZh", 3, "bzip2 data" },
  { "\xFD" "7zXZ\x00", 6, "xz data" },
  { "7z\xBC\xAF\x27\x1C", 6, "7-Zip archive" },
  { "\x28\xB5\x2F\xFD", 4, "zstd data" },
  { "\x7F" "ELF", 4, "ELF executable" },
  { "SQLite format 3", 16, "SQLite database" },
  { "RIFF", 4, "RIFF media (WAV, AVI, WebP)" },
  { "OggS", 4, "Ogg media" },
  { "ID3", 3, "MP3 audio" },
  { "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, "OLE document (old Office format)" },
};

const char *
reader_sniff_binary (const Reader *r)
{
  const char *p = r->buf + r->pos;
  gsize n = MIN (r->len - r->pos, READER_SNIFF_BYTES);
  for (guint i = 0; i < G_N_ELEMENTS (magics); i++)
    if (n >= magics[i].len && memcmp (p, magics[i].magic, magics[i].len) == 0)
      return magics[i].what;
  /* UTF-16 text has NUL bytes: with a byte-order mark it is text. */
  if (n >= 2 && (memcmp (p, "\xFF\xFE", 2) == 0 || memcmp (p, "\xFE\xFF", 2) == 0))
    return NULL;
  return memchr (p, '\0', n) ? "NUL bytes in its first 4 KiB" : NULL;
}
