/* csv.h — the writer's CSV format: one file per table (documents, entities,
 * claims), RFC 4180 quoting, UTF-8.  See README.md, "CSV". */
#pragma once

#include <docpipe/docpipe.h>

typedef struct _WrCsv WrCsv;

/* Appends one cell as RFC 4180 wants it: in double quotes, with quotes doubled,
 * when it holds a comma, a double quote, CR or LF (or, with @escape_formulas,
 * when it needed the escape).  With @escape_formulas a cell that starts with
 * = + - @ TAB or CR gets a leading apostrophe, so a spreadsheet shows it as
 * text instead of running it as a formula. */
void wr_csv_append_cell (GString *out, const char *s, gssize len, gboolean escape_formulas);

/* The three file names for @path: "out.csv" and "out" both give
 * out-documents.csv, out-entities.csv and out-claims.csv. */
char *wr_csv_table_path (const char *path, const char *table);

/* @meta_columns: the documents' meta columns, or NULL to take those of the first batch. */
WrCsv   *wr_csv_open (const char *path, const char *const *meta_columns, gboolean escape_formulas,
                      GError **error);
gboolean wr_csv_prepare (WrCsv *w, DpBatch *batch, GError **error);
gboolean wr_csv_write (WrCsv *w, DpBatch *batch, GError **error);
gboolean wr_csv_commit (WrCsv *w, GError **error);
void     wr_csv_free (WrCsv *w);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WrCsv, wr_csv_free)
