/* writer.c — the standard sink: JSON lines (optionally gzipped), CSV tables or
 * an SQLite database, chosen by `format` or the path's extension.
 *
 * JSON lines are encoded, and compressed for gzip, in the worker threads
 * (prepare), so the sink thread only writes bytes in input order: gzip in
 * the sink thread ran at 15–20 MB/s, a tenth of what a pass-through
 * writes (docs/benchmarks.md).  Each batch is deflated on its own, ending
 * on a byte boundary (a sync flush, as pigz does), so the pieces join into
 * one deflate stream; the sink writes the gzip header, the pieces, an
 * empty last block and the trailer (the CRC-32 combined from the pieces').  Where the bytes go is
 * DpOutput's business (docpipe/output.h): a regular file is written under a
 * temporary name and renamed over the target when the run finishes, so a
 * reader of the target never sees half a file; standard output, devices and
 * FIFOs are written in place.  CSV (csv.c) writes three files the same way;
 * SQLite (sqlite.c) commits one transaction per batch.
 */
#include <docpipe/docpipe.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>   /* crc32, crc32_combine: GLib has no CRC-32 */

#include "csv.h"
#include "sqlite.h"

enum { OFFSETS_CURRENT, OFFSETS_ORIGINAL };
static const char *const offset_choices[] = { "normalized", "original", NULL };
enum { FORMAT_AUTO, FORMAT_JSONL, FORMAT_CSV, FORMAT_SQLITE };
static const char *const format_choices[] = { "auto", "jsonl", "csv", "sqlite", NULL };
enum { COMPRESS_AUTO, COMPRESS_NONE, COMPRESS_GZIP };
static const char *const compress_choices[] = { "auto", "none", "gzip", NULL };
enum { FORMULAS_ESCAPE, FORMULAS_KEEP };
static const char *const formula_choices[] = { "escape", "keep", NULL };

typedef struct {
  int format;
  DpOutput *out;            /* jsonl */
  gboolean gzip;            /* jsonl with compress = gzip */
  gboolean gz_started;      /* the gzip header is written */
  guint32 gz_crc;           /* of what was written so far, uncompressed */
  guint64 gz_size;
  DpJsonFlags flags;
  WrCsv *csv;
  WrSqlite *sqlite;
} Writer;

/* ---- JSON lines ------------------------------------------------------------ */

/* A batch's output: its JSON lines, or with gzip their deflated bytes. */
typedef struct {
  GString *bytes;
  guint32 crc;              /* gzip: of the JSON lines */
  gsize size;               /* gzip: their length */
} Prepared;

static void
prepared_free (gpointer p)
{
  Prepared *prep = p;
  g_string_free (prep->bytes, TRUE);
  g_free (prep);
}

static GString *
encode (Writer *w, DpBatch *batch)
{
  /* Room for the texts and a little more: the buffer rarely grows. */
  gsize guess = 4096;
  for (guint i = 0; i < dp_batch_get_size (batch); i++)
    {
      gsize len;
      dp_record_get_text (dp_batch_get (batch, i), &len);
      guess += len + len / 8 + 256;
    }
  GString *out = g_string_sized_new (guess);
  for (guint i = 0; i < dp_batch_get_size (batch); i++)
    {
      DpRecord *rec = dp_batch_get (batch, i);
      /* Tokens are not written: freed before the output is built, they
       * do not add to it at a big record's peak (docs/benchmarks.md). */
      dp_record_drop_token_cache (rec);
      dp_record_to_json (rec, out, w->flags);
      g_string_append_c (out, '\n');
    }
  return out;
}

/* @data deflated on its own (raw deflate, no last block), ending on a byte
 * boundary, so that pieces written one after another form one stream. */
static GString *
deflate_piece (const char *data, gsize len, GError **error)
{
  g_autoptr (GConverter) z = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW, -1));
  g_autoptr (GString) out = g_string_sized_new (len / 3 + 1024);
  for (;;)
    {
      gsize at = out->len, room = len + len / 8 + 1024, read = 0, written = 0;
      g_string_set_size (out, at + room);
      GConverterResult r = g_converter_convert (z, data, len, out->str + at, room, G_CONVERTER_FLUSH,
                                                &read, &written, error);
      if (r == G_CONVERTER_ERROR)
        return NULL;
      g_string_set_size (out, at + written);
      data += read, len -= read;
      if (r == G_CONVERTER_FLUSHED && len == 0)
        return g_steal_pointer (&out);
    }
}

static Prepared *
prepare_jsonl (Writer *w, DpBatch *batch, GError **error)
{
  Prepared *prep = g_new0 (Prepared, 1);
  prep->bytes = encode (w, batch);
  if (!w->gzip)
    return prep;
  GString *json = prep->bytes;
  prep->crc = (guint32) crc32 (0, (const Bytef *) json->str, (uInt) json->len);
  prep->size = json->len;
  prep->bytes = deflate_piece (json->str, json->len, error);
  g_string_free (json, TRUE);
  if (!prep->bytes)
    return (g_free (prep), NULL);
  return prep;
}

static gboolean
write_gzip_header (Writer *w, GError **error)
{
  /* Magic, deflate, no flags, no time, no extra flags, OS Unix (RFC 1952). */
  static const char header[10] = { 0x1f, (char) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
  w->gz_started = TRUE;
  return dp_output_write (w->out, header, sizeof header, error);
}

static gboolean
write_gzip_piece (Writer *w, const Prepared *prep, GError **error)
{
  if (!w->gz_started && !write_gzip_header (w, error))
    return FALSE;
  w->gz_crc = (guint32) crc32_combine (w->gz_crc, prep->crc, (z_off_t) prep->size);
  w->gz_size += prep->size;
  return dp_output_write (w->out, prep->bytes->str, prep->bytes->len, error);
}

/* An empty last block (fixed Huffman: bits 1, 01, then the end code), the
 * CRC-32 and the size modulo 2^32, little-endian. */
static gboolean
write_gzip_end (Writer *w, GError **error)
{
  if (!w->gz_started && !write_gzip_header (w, error))
    return FALSE;
  char tail[10] = { 3, 0 };
  for (int i = 0; i < 4; i++)
    {
      tail[2 + i] = (char) (w->gz_crc >> (8 * i));
      tail[6 + i] = (char) (w->gz_size >> (8 * i));
    }
  return dp_output_write (w->out, tail, sizeof tail, error);
}

static gboolean
write_jsonl (Writer *w, DpBatch *batch, GError **error)
{
  Prepared *prep = dp_batch_get_data (batch, w);
  if (!prep)
    {
      if (!(prep = prepare_jsonl (w, batch, error)))
        return FALSE;
      dp_batch_set_data (batch, w, prep, prepared_free);
    }
  if (w->gzip)
    return write_gzip_piece (w, prep, error);
  return dp_output_write (w->out, prep->bytes->str, prep->bytes->len, error);
}

/* ---- the stage ------------------------------------------------------------- */

static gboolean
writer_prepare (gpointer self, DpBatch *batch, GError **error)
{
  Writer *w = self;
  if (w->format == FORMAT_JSONL)
    {
      Prepared *prep = prepare_jsonl (w, batch, error);
      if (!prep)
        return FALSE;
      dp_batch_set_data (batch, self, prep, prepared_free);
    }
  else if (w->format == FORMAT_CSV)
    return wr_csv_prepare (w->csv, batch, error);
  else if (w->format == FORMAT_SQLITE)
    return wr_sqlite_prepare (w->sqlite, batch, error);
  return TRUE;
}

static gboolean
writer_process (gpointer self, DpBatch *batch, GError **error)
{
  Writer *w = self;
  switch (w->format)
    {
    case FORMAT_CSV:
      return wr_csv_write (w->csv, batch, error);
    case FORMAT_SQLITE:
      return wr_sqlite_write (w->sqlite, batch, error);
    default:
      return write_jsonl (w, batch, error);
    }
}

static gboolean
writer_finish (gpointer self, GError **error)
{
  Writer *w = self;
  switch (w->format)
    {
    case FORMAT_CSV:
      return wr_csv_commit (w->csv, error);
    case FORMAT_SQLITE:
      return wr_sqlite_finish (w->sqlite, error);
    default:
      return (!w->gzip || write_gzip_end (w, error)) && dp_output_commit (w->out, error);
    }
}

/* A writer destroyed without finishing (a failed create, a test) commits
 * nothing: dp_output_free removes the temporary files. */
static void
writer_destroy (gpointer self)
{
  Writer *w = self;
  dp_output_free (w->out);
  wr_csv_free (w->csv);
  wr_sqlite_free (w->sqlite);
  g_free (w);
}

static gboolean
has_suffix (const char *path, gsize len, const char *const *suffixes)
{
  for (guint i = 0; suffixes[i]; i++)
    {
      gsize n = strlen (suffixes[i]);
      if (len >= n && g_ascii_strncasecmp (path + len - n, suffixes[i], n) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The format the path's extension names (after a .gz); JSON lines otherwise,
 * as before there were formats. */
static int
format_of (const char *path, gboolean *gz)
{
  static const char *const gz_ext[] = { ".gz", NULL };
  static const char *const csv_ext[] = { ".csv", NULL };
  static const char *const sqlite_ext[] = { ".sqlite", ".sqlite3", ".db", NULL };
  gsize len = strlen (path);
  *gz = has_suffix (path, len, gz_ext);
  if (*gz)
    len -= 3;
  if (has_suffix (path, len, csv_ext))
    return FORMAT_CSV;
  if (has_suffix (path, len, sqlite_ext))
    return FORMAT_SQLITE;
  return FORMAT_JSONL;
}

/* CSV names three files after the path and SQLite keeps a journal beside it:
 * a device, FIFO or socket there would have them created in its directory
 * (/dev/full-documents.csv, /dev/full-journal), so only JSON lines may be
 * written to one. */
static gboolean
refuse_special (const char *path, const char *format, GError **error)
{
  GStatBuf st;
  if (g_stat (path, &st) != 0 || S_ISREG (st.st_mode) || S_ISDIR (st.st_mode))
    return TRUE;
  g_autofree char *shown = g_filename_display_name (path);
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
               "%s: format = %s needs a file name (it creates files named after it), not a %s; "
               "write JSON lines to a device or FIFO",
               shown, format, S_ISFIFO (st.st_mode) ? "FIFO" : S_ISSOCK (st.st_mode) ? "socket" : "device");
  return FALSE;
}

static gboolean
open_format (Writer *w, const DpParams *params, const char *path, gboolean gzip, GError **error)
{
  if (w->format != FORMAT_JSONL && strcmp (path, "-") != 0
      && !refuse_special (path, w->format == FORMAT_CSV ? "csv" : "sqlite", error))
    return FALSE;
  if (w->format == FORMAT_CSV)
    {
      g_auto (GStrv) columns = NULL;
      const char *list = dp_params_get_string (params, "meta-columns");
      if (list)
        {
          columns = g_strsplit (list, ",", -1);
          for (guint i = 0; columns[i]; i++)
            g_strstrip (columns[i]);
        }
      gboolean escape = dp_params_get_enum (params, "csv-formulas") == FORMULAS_ESCAPE;
      return (w->csv = wr_csv_open (path, (const char *const *) columns, escape, error)) != NULL;
    }
  if (w->format == FORMAT_SQLITE)
    {
      const char *label = dp_params_get_string (params, "run-label");
      w->sqlite = wr_sqlite_open (path, label ? label : dp_params_get_instance_name (params),
                                  dp_params_get_string (params, "date-field"), error);
      return w->sqlite != NULL;
    }
  w->gzip = gzip;
  return (w->out = dp_output_open (path, DP_OUTPUT_REPLACE, error)) != NULL;
}

static gpointer
writer_create (const DpParams *params, GError **error)
{
  const char *path = dp_params_get_path (params, "path");
  gboolean gz_name;
  int format = dp_params_get_enum (params, "format");
  int guessed = format_of (path, &gz_name);
  int compress = dp_params_get_enum (params, "compress");
  gboolean gzip = compress == COMPRESS_GZIP || (compress == COMPRESS_AUTO && gz_name);
  if (format == FORMAT_AUTO)
    format = guessed;
  if (gzip && format != FORMAT_JSONL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: compress = gzip is for format = jsonl only", path);
      return NULL;
    }
  if (format != FORMAT_JSONL && dp_params_get_enum (params, "offsets") == OFFSETS_ORIGINAL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s: offsets = original is for format = jsonl only", path);
      return NULL;
    }
  Writer *w = g_new0 (Writer, 1);
  w->format = format;
  w->flags = dp_params_get_bool (params, "span-text") ? DP_JSON_SPAN_TEXT : 0;
  if (dp_params_get_enum (params, "offsets") == OFFSETS_ORIGINAL)
    w->flags |= DP_JSON_ORIGINAL;
  if (!open_format (w, params, path, gzip, error))
    {
      writer_destroy (w);
      return NULL;
    }
  return w;
}

static const DpParamSpec writer_params[] = {
  { "path", DP_PARAM_PATH, "-", FALSE,
    "- for standard output, or a path: a regular file is replaced in one step when the run ends; devices, FIFOs and /dev/fd/N are written in place",
    .flags = DP_PARAM_OUTPUT },
  { "format", DP_PARAM_ENUM, "auto", FALSE,
    "auto: from the path (.csv: CSV; .sqlite, .sqlite3, .db: SQLite; anything else, and -: JSON lines, after a .gz too)",
    format_choices },
  { "compress", DP_PARAM_ENUM, "auto", FALSE,
    "JSON lines only: gzip, none, or auto (gzip when the path ends in .gz)", compress_choices },
  { "span-text", DP_PARAM_BOOL, "true", FALSE,
    "JSON lines: write the covered text of every span next to its offsets" },
  { "offsets", DP_PARAM_ENUM, "normalized", FALSE,
    "normalized: the text as the stages saw it, spans into it; original (JSON lines only): the text as read, every span mapped back onto it",
    offset_choices },
  { "meta-columns", DP_PARAM_STRING, NULL, FALSE,
    "CSV: the meta members that get a column in PATH-documents.csv, comma-separated (default: those of the first batch); the rest go to its meta column as JSON" },
  { "csv-formulas", DP_PARAM_ENUM, "escape", FALSE,
    "CSV: escape (a text cell starting with = + - @ gets a leading ' so spreadsheets do not run it) or keep",
    formula_choices },
  { "date-field", DP_PARAM_STRING, "date", FALSE,
    "SQLite: the meta member whose date fills documents.date (YYYY-MM-DD)" },
  { "run-label", DP_PARAM_STRING, NULL, FALSE,
    "SQLite: what the runs table's pipeline column says about this run (default: the stage's name)" },
  { NULL }
};

static const DpStageInfo writer_stage = {
  .name = "writer",
  .kind = DP_STAGE_SINK,
  .description = "Writes records as JSON lines, CSV tables or an SQLite database",
  .params = writer_params,
  .create = writer_create,
  .prepare = writer_prepare,
  .process = writer_process,
  .finish = writer_finish,
  .destroy = writer_destroy,
};

DP_PLUGIN_DEFINE ("writer", DP_VERSION, "MIT", "Standard output stage: JSON lines, CSV, SQLite",
                  &writer_stage);
