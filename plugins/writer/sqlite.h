/* sqlite.h — the writer's SQLite format: documents, entities, claims and runs
 * tables (docs/sqlite.md), one transaction per batch, upserts by document id. */
#pragma once

#include <docpipe/docpipe.h>

typedef struct _WrSqlite WrSqlite;

/* The schema version the writer creates and accepts (PRAGMA user_version). */
#define WR_SQLITE_SCHEMA_VERSION 1

/* Opens or creates the database at @path and records the run in `runs` with
 * @label (the pipeline column); @date_field names the meta member that fills
 * documents.date. */
WrSqlite *wr_sqlite_open (const char *path, const char *label, const char *date_field, GError **error);
/* In a worker: makes the batch's rows (kept on the batch for wr_sqlite_write). */
gboolean  wr_sqlite_prepare (WrSqlite *w, DpBatch *batch, GError **error);
/* Writes the batch's records in one transaction.  A record the database
 * refuses (a claim naming a speaker entity the record lacks) is failed alone. */
gboolean  wr_sqlite_write (WrSqlite *w, DpBatch *batch, GError **error);
/* Marks the run finished. */
gboolean  wr_sqlite_finish (WrSqlite *w, GError **error);
void      wr_sqlite_free (WrSqlite *w);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WrSqlite, wr_sqlite_free)
