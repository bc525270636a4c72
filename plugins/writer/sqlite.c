/* sqlite.c — the writer's SQLite format (sqlite.h, docs/sqlite.md).
 *
 * Everything happens in the sink thread: SQLite has one writer anyway, and
 * with prepared statements inside one transaction per batch the inserts cost
 * less than decoding the records did.  WAL mode lets analysts query the
 * database while a run writes it; synchronous = NORMAL in WAL mode may lose
 * the last batches to a power cut but never leaves a half-written one.
 */
#include "sqlite.h"
#include "flat.h"

#include <sqlite3.h>
#include <string.h>

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS runs (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  started TEXT NOT NULL,\n"
  "  finished TEXT,\n"
  "  pipeline TEXT,\n"
  "  documents INTEGER NOT NULL DEFAULT 0,\n"
  "  entities INTEGER NOT NULL DEFAULT 0,\n"
  "  claims INTEGER NOT NULL DEFAULT 0,\n"
  "  failed INTEGER NOT NULL DEFAULT 0\n"
  ");\n"
  "CREATE TABLE IF NOT EXISTS documents (\n"
  "  id TEXT PRIMARY KEY,\n"
  "  source TEXT NOT NULL,\n"
  "  date TEXT,\n"
  "  meta TEXT NOT NULL,\n"
  "  text TEXT NOT NULL,\n"
  "  run_id INTEGER NOT NULL REFERENCES runs(id)\n"
  ");\n"
  "CREATE INDEX IF NOT EXISTS documents_date ON documents(date);\n"
  "CREATE INDEX IF NOT EXISTS documents_run ON documents(run_id);\n"
  "CREATE TABLE IF NOT EXISTS entities (\n"
  "  document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,\n"
  "  span_id TEXT NOT NULL,\n"
  "  start INTEGER NOT NULL,\n"
  "  end INTEGER NOT NULL,\n"
  "  label TEXT,\n"
  "  text TEXT NOT NULL,\n"
  "  canonical TEXT,\n"
  "  cluster INTEGER,\n"
  "  PRIMARY KEY (document_id, span_id)\n"
  ") WITHOUT ROWID;\n"
  "CREATE INDEX IF NOT EXISTS entities_canonical ON entities(canonical);\n"
  "CREATE INDEX IF NOT EXISTS entities_label ON entities(label, canonical);\n"
  "CREATE TABLE IF NOT EXISTS claims (\n"
  "  document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,\n"
  "  claim_id TEXT NOT NULL,\n"
  "  start INTEGER NOT NULL,\n"
  "  end INTEGER NOT NULL,\n"
  "  content TEXT NOT NULL,\n"
  "  cue TEXT,\n"
  "  speaker_text TEXT,\n"
  "  speaker_entity TEXT,\n"
  "  speaker_canonical TEXT,\n"
  "  kind TEXT,\n"
  "  act TEXT,\n"
  "  hedges TEXT NOT NULL DEFAULT '[]',\n"
  "  PRIMARY KEY (document_id, claim_id),\n"
  "  FOREIGN KEY (document_id, speaker_entity) REFERENCES entities(document_id, span_id)\n"
  ") WITHOUT ROWID;\n"
  "CREATE INDEX IF NOT EXISTS claims_speaker ON claims(speaker_canonical);\n"
  "CREATE INDEX IF NOT EXISTS claims_act ON claims(act);\n";

enum {
  ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_SAVEPOINT, ST_RELEASE, ST_ROLLBACK_TO,
  ST_DOCUMENT, ST_DELETE_CLAIMS, ST_DELETE_ENTITIES, ST_ENTITY, ST_CLAIM, ST_RUN_COUNTS,
  N_STATEMENTS
};

static const char *const statements[N_STATEMENTS] = {
  [ST_BEGIN] = "BEGIN IMMEDIATE",
  [ST_COMMIT] = "COMMIT",
  [ST_ROLLBACK] = "ROLLBACK",
  [ST_SAVEPOINT] = "SAVEPOINT record",
  [ST_RELEASE] = "RELEASE record",
  [ST_ROLLBACK_TO] = "ROLLBACK TO record",
  [ST_DOCUMENT] = "INSERT INTO documents (id, source, date, meta, text, run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                  "ON CONFLICT (id) DO UPDATE SET source = excluded.source, date = excluded.date, "
                  "meta = excluded.meta, text = excluded.text, run_id = excluded.run_id",
  [ST_DELETE_CLAIMS] = "DELETE FROM claims WHERE document_id = ?1",
  [ST_DELETE_ENTITIES] = "DELETE FROM entities WHERE document_id = ?1",
  [ST_ENTITY] = "INSERT INTO entities (document_id, span_id, start, end, label, text, canonical, cluster) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
  [ST_CLAIM] = "INSERT INTO claims (document_id, claim_id, start, end, content, cue, speaker_text, "
               "speaker_entity, speaker_canonical, kind, act, hedges) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
  [ST_RUN_COUNTS] = "UPDATE runs SET documents = ?2, entities = ?3, claims = ?4, failed = ?5, "
                    "finished = ?6 WHERE id = ?1",
};

struct _WrSqlite {
  sqlite3 *db;
  char *path;                      /* for messages */
  char *date_field;
  sqlite3_stmt *st[N_STATEMENTS];
  gint64 run_id;
  gint64 documents, entities, claims, failed;
  char *refused;                   /* the span the database refused, for the message */
};

static gboolean
fail (WrSqlite *w, GError **error, const char *what)
{
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: %s: %s", w->path, what, sqlite3_errmsg (w->db));
  return FALSE;
}

static gboolean
exec (WrSqlite *w, const char *sql, GError **error)
{
  char *msg = NULL;
  if (sqlite3_exec (w->db, sql, NULL, NULL, &msg) == SQLITE_OK)
    return TRUE;
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: %s", w->path, msg ? msg : sqlite3_errmsg (w->db));
  sqlite3_free (msg);
  return FALSE;
}

/* Runs a statement that returns no rows and resets it for the next use. */
static int
step (WrSqlite *w, int which)
{
  sqlite3_stmt *s = w->st[which];
  int rc = sqlite3_step (s);
  sqlite3_reset (s);
  sqlite3_clear_bindings (s);
  return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

static char *
now_iso (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

static void
bind_text (sqlite3_stmt *s, int i, const char *text, gssize len)
{
  if (text)
    sqlite3_bind_text64 (s, i, text, len < 0 ? strlen (text) : (gsize) len, SQLITE_STATIC, SQLITE_UTF8);
  else
    sqlite3_bind_null (s, i);
}

static void
bind_slice (sqlite3_stmt *s, int i, WrSlice slice)
{
  bind_text (s, i, slice.ptr, (gssize) slice.len);
}

static int
write_entities (WrSqlite *w, DpRecord *rec, gint64 *n)
{
  DpLayer *layer = dp_record_get_layer (rec, "entities");
  sqlite3_stmt *s = w->st[ST_ENTITY];
  int rc = SQLITE_DONE;
  for (guint i = 0; layer && i < dp_layer_get_size (layer) && rc == SQLITE_DONE; i++)
    {
      WrEntity e;
      wr_entity_init (&e, rec, dp_layer_get_span (layer, i));
      bind_text (s, 1, dp_record_get_id (rec), -1);
      bind_text (s, 2, e.id, -1);
      sqlite3_bind_int64 (s, 3, e.start);
      sqlite3_bind_int64 (s, 4, e.end);
      bind_text (s, 5, e.label, -1);
      bind_slice (s, 6, e.text);
      bind_text (s, 7, e.canonical, -1);
      if (e.has_cluster)
        sqlite3_bind_int64 (s, 8, e.cluster);
      rc = step (w, ST_ENTITY);
      if (rc != SQLITE_DONE)
        w->refused = g_strdup_printf ("span '%s'", e.id);
      wr_entity_clear (&e);
      (*n)++;
    }
  return rc;
}

static int
write_claims (WrSqlite *w, DpRecord *rec, gint64 *n)
{
  DpLayer *layer = dp_record_get_layer (rec, "claims");
  sqlite3_stmt *s = w->st[ST_CLAIM];
  g_autoptr (GString) hedges = g_string_new (NULL);
  int rc = SQLITE_DONE;
  for (guint i = 0; layer && i < dp_layer_get_size (layer) && rc == SQLITE_DONE; i++)
    {
      WrClaim c;
      wr_claim_init (&c, rec, dp_layer_get_span (layer, i));
      g_string_truncate (hedges, 0);
      wr_hedges_json (rec, c.hedges, hedges);
      bind_text (s, 1, dp_record_get_id (rec), -1);
      bind_text (s, 2, c.id, -1);
      sqlite3_bind_int64 (s, 3, c.start);
      sqlite3_bind_int64 (s, 4, c.end);
      bind_slice (s, 5, c.content.ptr ? c.content : (WrSlice) { "", 0 });
      bind_slice (s, 6, c.cue);
      bind_slice (s, 7, c.speaker);
      bind_text (s, 8, c.speaker_entity, -1);
      bind_text (s, 9, c.speaker_canonical, -1);
      bind_text (s, 10, c.kind, -1);
      bind_text (s, 11, c.act, -1);
      bind_text (s, 12, hedges->str, (gssize) hedges->len);
      rc = step (w, ST_CLAIM);
      if (rc != SQLITE_DONE)
        w->refused = c.speaker_entity
                     ? g_strdup_printf ("claim '%s' (its speaker is entity '%s')", c.id, c.speaker_entity)
                     : g_strdup_printf ("claim '%s'", c.id);
      wr_claim_clear (&c);
      (*n)++;
    }
  return rc;
}

static int
write_document (WrSqlite *w, DpRecord *rec)
{
  JsonObject *meta = dp_record_get_meta (rec);
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), meta);
  g_autofree char *meta_json = json_to_string (node, FALSE);
  char date[11];
  JsonNode *d = json_object_get_member (meta, w->date_field);
  gboolean has_date = d && JSON_NODE_HOLDS_VALUE (d) && json_node_get_value_type (d) == G_TYPE_STRING
                      && wr_parse_date (json_node_get_string (d), date);
  gsize len;
  const char *text = dp_record_get_text (rec, &len);
  sqlite3_stmt *s = w->st[ST_DOCUMENT];
  const char *id = dp_record_get_id (rec);
  bind_text (s, 1, id, -1);
  bind_text (s, 2, dp_record_get_source (rec), -1);
  bind_text (s, 3, has_date ? date : NULL, 10);
  bind_text (s, 4, meta_json, -1);
  bind_text (s, 5, text, (gssize) len);
  sqlite3_bind_int64 (s, 6, w->run_id);
  int rc = step (w, ST_DOCUMENT);
  /* A document written before loses its old spans: claims first, they refer to entities. */
  if (rc == SQLITE_DONE)
    {
      bind_text (w->st[ST_DELETE_CLAIMS], 1, id, -1);
      rc = step (w, ST_DELETE_CLAIMS);
    }
  if (rc == SQLITE_DONE)
    {
      bind_text (w->st[ST_DELETE_ENTITIES], 1, id, -1);
      rc = step (w, ST_DELETE_ENTITIES);
    }
  return rc;
}

/* One record inside a savepoint, so a record the database refuses leaves no
 * rows behind and the rest of the batch goes on.  FALSE: a failure of the
 * database itself (disk full, I/O), which ends the run. */
static gboolean
write_record (WrSqlite *w, DpBatch *batch, guint i, GError **error)
{
  DpRecord *rec = dp_batch_get (batch, i);
  gint64 entities = 0, claims = 0;
  if (step (w, ST_SAVEPOINT) != SQLITE_DONE)
    return fail (w, error, "cannot start a savepoint");
  int rc = write_document (w, rec);
  if (rc == SQLITE_DONE)
    rc = write_entities (w, rec, &entities);
  if (rc == SQLITE_DONE)
    rc = write_claims (w, rec, &claims);
  if (rc == SQLITE_DONE)
    {
      w->documents++, w->entities += entities, w->claims += claims;
      return step (w, ST_RELEASE) == SQLITE_DONE || fail (w, error, "cannot release a savepoint");
    }
  g_autofree char *refused = g_steal_pointer (&w->refused);
  if ((rc & 0xff) != SQLITE_CONSTRAINT)
    return fail (w, error, "cannot write a record");
  dp_batch_fail (batch, i, "%s: %s%s%s", w->path, refused ? refused : "", refused ? ": " : "",
                 sqlite3_errmsg (w->db));
  w->failed++;
  return (step (w, ST_ROLLBACK_TO) == SQLITE_DONE && step (w, ST_RELEASE) == SQLITE_DONE)
         || fail (w, error, "cannot roll back a savepoint");
}

static int
update_run (WrSqlite *w, gboolean finished)
{
  sqlite3_stmt *s = w->st[ST_RUN_COUNTS];
  g_autofree char *now = finished ? now_iso () : NULL;
  sqlite3_bind_int64 (s, 1, w->run_id);
  sqlite3_bind_int64 (s, 2, w->documents);
  sqlite3_bind_int64 (s, 3, w->entities);
  sqlite3_bind_int64 (s, 4, w->claims);
  sqlite3_bind_int64 (s, 5, w->failed);
  bind_text (s, 6, now, -1);
  return step (w, ST_RUN_COUNTS);
}

static gboolean
write_batch (WrSqlite *w, DpBatch *batch, GError **error)
{
  for (guint i = 0; i < dp_batch_get_size (batch); i++)
    {
      dp_record_drop_token_cache (dp_batch_get (batch, i));
      if (!write_record (w, batch, i, error))
        return FALSE;
    }
  if (update_run (w, FALSE) != SQLITE_DONE)
    return fail (w, error, "cannot count the run");
  return step (w, ST_COMMIT) == SQLITE_DONE || fail (w, error, "cannot commit");
}

/* The whole batch or nothing of it: a failed batch is rolled back at once, so
 * that finish() records the run's end outside it. */
gboolean
wr_sqlite_write (WrSqlite *w, DpBatch *batch, GError **error)
{
  if (step (w, ST_BEGIN) != SQLITE_DONE)
    return fail (w, error, "cannot begin a transaction");
  gint64 before[] = { w->documents, w->entities, w->claims, w->failed };
  if (write_batch (w, batch, error))
    return TRUE;
  if (sqlite3_get_autocommit (w->db) == 0)
    exec (w, "ROLLBACK", NULL);
  w->documents = before[0], w->entities = before[1], w->claims = before[2], w->failed = before[3];
  return FALSE;
}

gboolean
wr_sqlite_finish (WrSqlite *w, GError **error)
{
  if (update_run (w, TRUE) != SQLITE_DONE)
    return fail (w, error, "cannot record the run's end");
  return TRUE;
}

/* A schema this writer did not create is refused rather than guessed at. */
static gboolean
check_schema (WrSqlite *w, GError **error)
{
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2 (w->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
    return fail (w, error, "cannot read the schema version");
  gint64 version = sqlite3_step (s) == SQLITE_ROW ? sqlite3_column_int64 (s, 0) : -1;
  sqlite3_finalize (s);
  if (version == WR_SQLITE_SCHEMA_VERSION)
    return TRUE;
  if (version != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s: schema version %" G_GINT64_FORMAT " is not the writer's (%d): write to a new database",
                   w->path, version, WR_SQLITE_SCHEMA_VERSION);
      return FALSE;
    }
  g_autofree char *create = g_strdup_printf ("BEGIN IMMEDIATE; %s PRAGMA user_version = %d; COMMIT;",
                                             schema, WR_SQLITE_SCHEMA_VERSION);
  if (exec (w, create, error))
    return TRUE;
  exec (w, "ROLLBACK", NULL);
  return FALSE;
}

static gboolean
start_run (WrSqlite *w, const char *label, GError **error)
{
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2 (w->db, "INSERT INTO runs (started, pipeline) VALUES (?1, ?2)", -1, &s, NULL) != SQLITE_OK)
    return fail (w, error, "cannot record the run");
  g_autofree char *now = now_iso ();
  bind_text (s, 1, now, -1);
  bind_text (s, 2, label, -1);
  int rc = sqlite3_step (s);
  sqlite3_finalize (s);
  if (rc != SQLITE_DONE)
    return fail (w, error, "cannot record the run");
  w->run_id = sqlite3_last_insert_rowid (w->db);
  return TRUE;
}

WrSqlite *
wr_sqlite_open (const char *path, const char *label, const char *date_field, GError **error)
{
  if (strcmp (path, "-") == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "format = sqlite needs a database path, not -");
      return NULL;
    }
  g_autoptr (WrSqlite) w = g_new0 (WrSqlite, 1);
  w->path = g_filename_display_name (path);
  w->date_field = g_strdup (date_field);
  if (sqlite3_open_v2 (path, &w->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      fail (w, error, "cannot open");
      return NULL;
    }
  sqlite3_busy_timeout (w->db, 10000);
  if (!exec (w, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;", error)
      || !check_schema (w, error) || !start_run (w, label, error))
    return NULL;
  for (int i = 0; i < N_STATEMENTS; i++)
    if (sqlite3_prepare_v3 (w->db, statements[i], -1, SQLITE_PREPARE_PERSISTENT, &w->st[i], NULL) != SQLITE_OK)
      {
        fail (w, error, "cannot prepare a statement (is this a docpipe database?)");
        return NULL;
      }
  return g_steal_pointer (&w);
}

void
wr_sqlite_free (WrSqlite *w)
{
  if (!w)
    return;
  for (int i = 0; i < N_STATEMENTS; i++)
    sqlite3_finalize (w->st[i]);
  sqlite3_close (w->db);
  g_free (w->path);
  g_free (w->date_field);
  g_free (w->refused);
  g_free (w);
}
