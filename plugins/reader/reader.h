/* reader.h — what the reader's files share: the instance, and the functions
 * each file offers the others.
 *
 *   reader.c  parameters, life cycle, the read loop (record boundaries)
 *   files.c   finding files: a path, a directory walk, a glob
 *   input.c   opening one file (gzip transparently), filling the buffer,
 *             telling binary files apart
 *   decode.c  bytes to UTF-8 text (BOMs, UTF-16, declared encodings) and the
 *             deferred-record decoders (text, JSON lines); runs in workers
 *   html.c    HTML to visible text and meta; runs in workers
 */
#pragma once

#include <docpipe/docpipe.h>
#include <gio/gio.h>

enum { FORMAT_AUTO, FORMAT_TEXT, FORMAT_JSONL, FORMAT_HTML };
enum { UTF8_REPLACE, UTF8_REJECT };

/* One file to read, as the path names it or as found below it. */
typedef struct {
  char *path;
  gboolean found;          /* met in a walk or a glob, not named: binary files are skipped */
} ReaderFile;

typedef struct {
  GPtrArray *files;        /* ReaderFile* */
  GHashTable *seen;        /* FileId of every file and directory taken */
  guint next_file;
  int format;
  gsize max_size;
  gboolean reject_utf8;
  char *encoding;          /* declared fallback for bytes that are not UTF-8, or NULL */
  char *text_field, *id_field;   /* JSON lines: NULL when "text" and "id" */
  char *root;              /* ids of text files are relative to this */
  GHashTable *ids;         /* the ids files were given so far: no two files share one */

  /* the file being read */
  int fd;
  GInputStream *gz;        /* a .gz file's decompressed stream, or NULL */
  char *path;              /* its display name */
  guint64 line;
  char *buf;
  gsize len, pos, cap;
  gsize scanned;           /* bytes after pos known to hold no newline */
  gboolean regular;        /* a regular file: never waits for data */
  gint64 size;             /* a regular file's size when opened, -1 if unknown */
  gboolean eof;
  gboolean cancelled;      /* the run stopped while we waited for input */
  gboolean skipping;       /* discarding the rest of an over-long line */
  gsize batch_bytes;       /* raw bytes put in the batch being filled */

  /* progress (dp_batch_set_input_progress), in bytes as stored (compressed for .gz) */
  guint64 bytes_total;     /* of all files; 0 when one is not a regular file */
  guint64 bytes_closed;    /* of the files done with */
  gint64 raw_size;         /* the open file's size on disk, -1 if not a regular file */
  guint64 stream_read;     /* bytes read from an open file that is not a regular one */
} Reader;

/* files.c */
gboolean reader_find_files (Reader *r, const char *path, GError **error);
void     reader_file_free (gpointer file);
GHashTable *reader_seen_new (void);

/* input.c */
/* A batch is handed on once it holds this many raw bytes, whatever its
 * record count: with long records, the batches in flight (queue-depth) then
 * hold a few MiB plus one record each, not batch-size records each. */
#define READER_BATCH_BYTES (1u << 20)

/* How much of a found file is looked at to call it binary. */
#define READER_SNIFF_BYTES 4096
gboolean reader_open (Reader *r, const char *path, GError **error);
void     reader_close (Reader *r);
/* Input bytes (as stored) consumed so far: read and made into records. */
guint64  reader_bytes_done (const Reader *r);
gboolean reader_fill (Reader *r, DpBatch *batch, GError **error);
void     reader_reserve (Reader *r, gsize more);
/* A regular .gz file: TRUE if @path decompresses to its end without an error. */
gboolean reader_verify_gz (Reader *r, const char *path, DpBatch *batch, GError **error);
/* Before a whole regular file is read: room for all of it. */
void     reader_presize (Reader *r);
/* What kind of binary file the first bytes of the buffer show, or NULL for text. */
const char *reader_sniff_binary (const Reader *r);
/* The name @path would have without a trailing ".gz" (a new string). */
char    *reader_strip_gz (const char *path);
gboolean reader_is_gz (const char *path);

/* decode.c */
gboolean reader_check_encoding (const char *name, GError **error);
/* @raw as UTF-8: a BOM read, valid UTF-8 kept, else @charset (or the reader's
 * declared encoding) converted, else invalid bytes repaired or refused as
 * invalid-utf8 says.  *out is NULL when @raw can be used as it is, minus *skip
 * bytes of UTF-8 BOM.  *used names the encoding converted from, if any. */
gboolean reader_to_utf8 (const Reader *r, const char *raw, gsize len, const char *charset,
                         char **out, gsize *out_len, gsize *skip, guint *bad,
                         const char **used, GError **error);
void     reader_note_decoding (DpRecord *rec, guint bad, const char *used);
gboolean reader_decode_text (DpRecord *rec, const char *raw, gsize len, gpointer user_data, GError **error);
gboolean reader_decode_jsonl (DpRecord *rec, const char *raw, gsize len, gpointer user_data, GError **error);

/* html.c */
void     reader_html_init (void);
gboolean reader_decode_html (DpRecord *rec, const char *raw, gsize len, gpointer user_data, GError **error);
/* The charset a page declares in its first bytes (<meta charset>, http-equiv), or NULL. */
char    *reader_html_declared_charset (const char *raw, gsize len);
/* Visible text of an HTML page already in UTF-8; meta members into @meta. */
char    *reader_html_to_text (const char *html, gsize len, JsonObject *meta);
