/* writer-util.h — what the writer's tests share: reading CSV back (a small
 * RFC 4180 parser of the tests' own, so the writer is not checked against
 * itself), querying an SQLite database into text as `sqlite3 -header`
 * prints it, and gunzipping a file. */
#pragma once

#include "test-util.h"

#include <sqlite3.h>

/* The rows of @text, each a NULL-terminated array of cells; NULL when the
 * text is not well-formed CSV (a stray quote, an unterminated field, a line
 * not ended by CRLF). */
static inline GPtrArray *
wt_csv_parse (const char *text)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  const char *p = text;
  while (*p)
    {
      g_autoptr (GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
      for (;;)
        {
          GString *cell = g_string_new (NULL);
          if (*p == '"')
            {
              for (p++;; p++)
                {
                  if (!*p)
                    return (g_string_free (cell, TRUE), NULL);
                  if (*p == '"' && p[1] == '"')
                    g_string_append_c (cell, '"'), p++;
                  else if (*p == '"')
                    break;
                  else
                    g_string_append_c (cell, *p);
                }
              p++;
            }
          else
            while (*p && *p != ',' && *p != '\r' && *p != '\n' && *p != '"')
              g_string_append_c (cell, *p++);
          g_ptr_array_add (cells, g_string_free (cell, FALSE));
          if (*p == ',')
            {
              p++;
              continue;
            }
          if (p[0] == '\r' && p[1] == '\n')
            {
              p += 2;
              break;
            }
          return NULL;
        }
      g_ptr_array_add (cells, NULL);
      g_ptr_array_add (rows, g_ptr_array_free (g_steal_pointer (&cells), FALSE));
    }
  return g_steal_pointer (&rows);
}

static inline GPtrArray *
wt_csv_read (const char *path)
{
  g_autofree char *text = dp_test_read_file (path);
  GPtrArray *rows = wt_csv_parse (text);
  g_assert_nonnull (rows);
  return rows;
}

static inline const char *
wt_cell (GPtrArray *rows, guint row, guint col)
{
  g_assert_cmpuint (row, <, rows->len);
  char **cells = g_ptr_array_index (rows, row);
  g_assert_cmpuint (col, <, g_strv_length (cells));
  return cells[col];
}

/* The column named @name in the header row. */
static inline guint
wt_column (GPtrArray *rows, const char *name)
{
  char **header = g_ptr_array_index (rows, 0);
  for (guint i = 0; header[i]; i++)
    if (strcmp (header[i], name) == 0)
      return i;
  g_error ("no column %s", name);
}

static inline sqlite3 *
wt_db_open (const char *path)
{
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  return db;
}

/* The result of @sql as `sqlite3 -header` prints it: the column names, then
 * one line per row, cells joined by |, NULL as nothing.  Every statement in
 * @sql runs; the last one's rows are returned. */
static inline char *
wt_db_query (sqlite3 *db, const char *sql)
{
  GString *out = g_string_new (NULL);
  const char *tail = sql;
  while (tail && *tail)
    {
      sqlite3_stmt *st = NULL;
      if (sqlite3_prepare_v2 (db, tail, -1, &st, &tail) != SQLITE_OK)
        g_error ("%s: %s", sql, sqlite3_errmsg (db));
      if (!st)
        break;
      g_string_truncate (out, 0);
      int n = sqlite3_column_count (st);
      for (int c = 0; c < n; c++)
        g_string_append_printf (out, "%s%s", c ? "|" : "", sqlite3_column_name (st, c));
      if (n)
        g_string_append_c (out, '\n');
      int rc;
      while ((rc = sqlite3_step (st)) == SQLITE_ROW)
        {
          for (int c = 0; c < n; c++)
            {
              const unsigned char *v = sqlite3_column_text (st, c);
              g_string_append_printf (out, "%s%s", c ? "|" : "", v ? (const char *) v : "");
            }
          g_string_append_c (out, '\n');
        }
      if (rc != SQLITE_DONE)
        g_error ("%s: %s", sql, sqlite3_errmsg (db));
      sqlite3_finalize (st);
    }
  return g_string_free (out, FALSE);
}

static inline gint64
wt_db_int (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  gint64 v = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  return v;
}

/* The decompressed contents of a gzip file (NULL if it is not one, or cut short). */
static inline char *
wt_gunzip (const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GFileInputStream) raw = g_file_read (file, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GZlibDecompressor) z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr (GInputStream) in = g_converter_input_stream_new (G_INPUT_STREAM (raw), G_CONVERTER (z));
  g_autoptr (GOutputStream) mem = g_memory_output_stream_new_resizable ();
  if (g_output_stream_splice (mem, in, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE, NULL, NULL) < 0)
    return NULL;
  g_output_stream_write (mem, "", 1, NULL, NULL);
  g_output_stream_close (mem, NULL, NULL);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (mem));
}
