/* test-sqlite.h — reading an SQLite file a test's docpipe run wrote (for the
 * tests that link sqlite3: the state file, the writer's database). */
#pragma once

#include <glib.h>
#include <sqlite3.h>

/* The integer the one-row query @sql gives on the database at @path. */
static inline gint64
dp_test_sqlite_count (const char *path, const char *sql)
{
  sqlite3 *db;
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_stmt *stmt;
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  gint64 n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}
