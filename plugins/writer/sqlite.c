/* sqlite.c — the writer's SQLite format (sqlite.h, docs/sqlite.md).
 *
 * The rows are made in the workers (prepare: span ids, offsets in code
 * points, the meta object's JSON); the sink thread binds them to prepared
 * statements and steps, one transaction per batch (SQLite has one writer).
 * WAL mode lets analysts query the database while a run writes it;
 * synchronous = NORMAL in WAL mode may lose the last batches to a power cut
 * but never leaves a half-written one.
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
  ") WITHOUT ROWID;\n";

/* The secondary indexes.  A run that finds them keeps them up to date; a run
 * that does not (a new database) creates them when it ends: inserting into an
 * index with random keys rewrites its pages in every batch's transaction,
 * which costs a first run over a corpus more than building the index once. */
static const char indexes[] =
  "CREATE INDEX IF NOT EXISTS documents_date ON documents(date);\n"
  "CREATE INDEX IF NOT EXISTS entities_canonical ON entities(canonical);\n"
  "CREATE INDEX IF NOT EXISTS claims_speaker ON claims(speaker_canonical);\n";
#define N_INDEXES 3

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
  gboolean build_indexes;          /* they were missing: create them at the end */
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

/* ---- rows, made in the workers --------------------------------------------- */

/* What a batch's records become, computed by wr_sqlite_prepare() in a worker
 * so that the sink thread only binds and steps.  Texts are slices of the
 * records (alive until the batch is freed) or live in one arena (ids, JSON),
 * so freeing the rows is four calls whatever their number. */
typedef struct {
  gsize meta;                 /* arena offset of the meta object's JSON */
  gboolean has_date;
  char date[11];
  guint n_entities, n_claims;
} DocRow;

typedef struct {
  WrEntity e;                 /* e.id is NULL: the id is at id in the arena */
  gsize id;
} EntityRow;

typedef struct {
  WrClaim c;                  /* c.id is NULL: the id is at id in the arena */
  gsize id, hedges;           /* arena offsets */
} ClaimRow;

typedef struct {
  GString *arena;             /* NUL-terminated strings, one after another */
  GArray *docs, *entities, *claims;
} Rows;

static void
rows_free (gpointer p)
{
  Rows *r = p;
  g_string_free (r->arena, TRUE);
  g_array_unref (r->docs);
  g_array_unref (r->entities);
  g_array_unref (r->claims);
  g_free (r);
}

static gsize
arena_add (GString *arena, const char *s, gssize len)
{
  gsize at = arena->len;
  g_string_append_len (arena, s, len);
  g_string_append_c (arena, '\0');
  return at;
}

static void
rows_add_entities (Rows *r, DpRecord *rec, DocRow *doc)
{
  DpLayer *layer = dp_record_get_layer (rec, "entities");
  for (guint i = 0; layer && i < dp_layer_get_size (layer); i++)
    {
      EntityRow row;
      wr_entity_init (&row.e, rec, dp_layer_get_span (layer, i));
      row.id = arena_add (r->arena, row.e.id, -1);
      wr_entity_clear (&row.e);
      g_array_append_val (r->entities, row);
      doc->n_entities++;
    }
}

static void
rows_add_claims (Rows *r, DpRecord *rec, DocRow *doc)
{
  DpLayer *layer = dp_record_get_layer (rec, "claims");
  g_autoptr (GString) hedges = g_string_new (NULL);
  for (guint i = 0; layer && i < dp_layer_get_size (layer); i++)
    {
      ClaimRow row;
      wr_claim_init (&row.c, rec, dp_layer_get_span (layer, i));
      row.id = arena_add (r->arena, row.c.id, -1);
      wr_claim_clear (&row.c);
      g_string_truncate (hedges, 0);
      wr_hedges_json (rec, row.c.hedges, hedges);
      row.hedges = arena_add (r->arena, hedges->str, (gssize) hedges->len);
      g_array_append_val (r->claims, row);
      doc->n_claims++;
    }
}

static void
rows_add_document (Rows *r, const char *date_field, DpRecord *rec)
{
  DocRow doc = { 0 };
  JsonObject *meta = dp_record_get_meta (rec);
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), meta);
  g_autofree char *json = json_to_string (node, FALSE);
  doc.meta = arena_add (r->arena, json, -1);
  JsonNode *d = json_object_get_member (meta, date_field);
  doc.has_date = d && JSON_NODE_HOLDS_VALUE (d) && json_node_get_value_type (d) == G_TYPE_STRING
                 && wr_parse_date (json_node_get_string (d), doc.date);
  rows_add_entities (r, rec, &doc);
  rows_add_claims (r, rec, &doc);
  g_array_append_val (r->docs, doc);
}

gboolean
wr_sqlite_prepare (WrSqlite *w, DpBatch *batch, GError **error)
{
  Rows *r = g_new (Rows, 1);
  r->arena = g_string_sized_new (16384);
  r->docs = g_array_new (FALSE, FALSE, sizeof (DocRow));
  r->entities = g_array_new (FALSE, FALSE, sizeof (EntityRow));
  r->claims = g_array_new (FALSE, FALSE, sizeof (ClaimRow));
  for (guint i = 0; i < dp_batch_get_size (batch); i++)
    {
      DpRecord *rec = dp_batch_get (batch, i);
      dp_record_drop_token_cache (rec);
      rows_add_document (r, w->date_field, rec);
    }
  dp_batch_set_data (batch, w, r, rows_free);
  return TRUE;
}

/* ---- writing, in the sink thread ------------------------------------------- */

/* Parameters 1 to 4 of an entities or claims row. */
static void
bind_span (sqlite3_stmt *s, const char *doc_id, const char *id, gint64 start, gint64 end)
{
  bind_text (s, 1, doc_id, -1);
  bind_text (s, 2, id, -1);
  sqlite3_bind_int64 (s, 3, start);
  sqlite3_bind_int64 (s, 4, end);
}

static int
write_entities (WrSqlite *w, const char *doc_id, Rows *r, guint first, guint n)
{
  sqlite3_stmt *s = w->st[ST_ENTITY];
  int rc = SQLITE_DONE;
  for (guint i = first; i < first + n && rc == SQLITE_DONE; i++)
    {
      EntityRow *row = &g_array_index (r->entities, EntityRow, i);
      const char *id = r->arena->str + row->id;
      bind_span (s, doc_id, id, row->e.start, row->e.end);
      bind_text (s, 5, row->e.label, -1);
      bind_slice (s, 6, row->e.text);
      bind_text (s, 7, row->e.canonical, -1);
      if (row->e.has_cluster)
        sqlite3_bind_int64 (s, 8, row->e.cluster);
      else
        sqlite3_bind_null (s, 8);
      rc = step (w, ST_ENTITY);
      if (rc != SQLITE_DONE)
        w->refused = g_strdup_printf ("span '%s'", id);
    }
  return rc;
}

static int
write_claims (WrSqlite *w, const char *doc_id, Rows *r, guint first, guint n)
{
  sqlite3_stmt *s = w->st[ST_CLAIM];
  int rc = SQLITE_DONE;
  for (guint i = first; i < first + n && rc == SQLITE_DONE; i++)
    {
      ClaimRow *row = &g_array_index (r->claims, ClaimRow, i);
      WrClaim *c = &row->c;
      const char *id = r->arena->str + row->id;
      bind_span (s, doc_id, id, c->start, c->end);
      bind_slice (s, 5, c->content.ptr ? c->content : (WrSlice) { "", 0 });
      bind_slice (s, 6, c->cue);
      bind_slice (s, 7, c->speaker);
      bind_text (s, 8, c->speaker_entity, -1);
      bind_text (s, 9, c->speaker_canonical, -1);
      bind_text (s, 10, c->kind, -1);
      bind_text (s, 11, c->act, -1);
      bind_text (s, 12, r->arena->str + row->hedges, -1);
      rc = step (w, ST_CLAIM);
      if (rc != SQLITE_DONE)
        w->refused = c->speaker_entity
                     ? g_strdup_printf ("claim '%s' (its speaker is entity '%s')", id, c->speaker_entity)
                     : g_strdup_printf ("claim '%s'", id);
    }
  return rc;
}

static int
write_document (WrSqlite *w, DpRecord *rec, Rows *r, DocRow *doc)
{
  gsize len;
  const char *text = dp_record_get_text (rec, &len);
  sqlite3_stmt *s = w->st[ST_DOCUMENT];
  const char *id = dp_record_get_id (rec);
  bind_text (s, 1, id, -1);
  bind_text (s, 2, dp_record_get_source (rec), -1);
  bind_text (s, 3, doc->has_date ? doc->date : NULL, 10);
  bind_text (s, 4, r->arena->str + doc->meta, -1);
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

/* Writes one record.  With @careful, inside a savepoint, so that a record the
 * database refuses leaves no rows behind and the rest of the batch goes on.
 * Without, a refused record returns REFUSED and the caller writes the batch
 * again carefully: savepoints cost a tenth of the writing, and records are
 * almost never refused.  FALSE: a failure of the database itself (disk full,
 * I/O), which ends the run.  @first_entity and @first_claim are the record's
 * first rows. */
typedef enum { WRITTEN, REFUSED, BROKEN } Outcome;

static Outcome
write_record (WrSqlite *w, DpBatch *batch, Rows *r, guint i, guint first_entity, guint first_claim,
              gboolean careful, GError **error)
{
  DpRecord *rec = dp_batch_get (batch, i);
  DocRow *doc = &g_array_index (r->docs, DocRow, i);
  const char *id = dp_record_get_id (rec);
  if (careful && step (w, ST_SAVEPOINT) != SQLITE_DONE)
    return fail (w, error, "cannot start a savepoint"), BROKEN;
  int rc = write_document (w, rec, r, doc);
  if (rc == SQLITE_DONE)
    rc = write_entities (w, id, r, first_entity, doc->n_entities);
  if (rc == SQLITE_DONE)
    rc = write_claims (w, id, r, first_claim, doc->n_claims);
  if (rc == SQLITE_DONE)
    {
      w->documents++, w->entities += doc->n_entities, w->claims += doc->n_claims;
      if (careful && step (w, ST_RELEASE) != SQLITE_DONE)
        return fail (w, error, "cannot release a savepoint"), BROKEN;
      return WRITTEN;
    }
  g_autofree char *refused = g_steal_pointer (&w->refused);
  if ((rc & 0xff) != SQLITE_CONSTRAINT)
    return fail (w, error, "cannot write a record"), BROKEN;
  if (!careful)
    return REFUSED;
  dp_batch_fail (batch, i, "%s: %s%s%s", w->path, refused ? refused : "", refused ? ": " : "",
                 sqlite3_errmsg (w->db));
  w->failed++;
  if (step (w, ST_ROLLBACK_TO) != SQLITE_DONE || step (w, ST_RELEASE) != SQLITE_DONE)
    return fail (w, error, "cannot roll back a savepoint"), BROKEN;
  return WRITTEN;
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

static Outcome
write_batch (WrSqlite *w, DpBatch *batch, Rows *r, gboolean careful, GError **error)
{
  guint entity = 0, claim = 0;
  if (step (w, ST_BEGIN) != SQLITE_DONE)
    return fail (w, error, "cannot begin a transaction"), BROKEN;
  for (guint i = 0; i < dp_batch_get_size (batch); i++)
    {
      DocRow *doc = &g_array_index (r->docs, DocRow, i);
      Outcome o = write_record (w, batch, r, i, entity, claim, careful, error);
      if (o != WRITTEN)
        return o;
      entity += doc->n_entities, claim += doc->n_claims;
    }
  if (update_run (w, FALSE) != SQLITE_DONE)
    return fail (w, error, "cannot count the run"), BROKEN;
  if (step (w, ST_COMMIT) != SQLITE_DONE)
    return fail (w, error, "cannot commit"), BROKEN;
  return WRITTEN;
}

/* Undoes a batch's transaction, and its counts. */
static void
roll_back (WrSqlite *w, const gint64 before[4])
{
  if (sqlite3_get_autocommit (w->db) == 0)
    exec (w, "ROLLBACK", NULL);
  w->documents = before[0], w->entities = before[1], w->claims = before[2], w->failed = before[3];
}

/* The whole batch or nothing of it: a failed batch is rolled back at once, so
 * that finish() records the run's end outside it. */
gboolean
wr_sqlite_write (WrSqlite *w, DpBatch *batch, GError **error)
{
  Rows *r = dp_batch_get_data (batch, w);
  if (!r)
    {
      wr_sqlite_prepare (w, batch, error);
      r = dp_batch_get_data (batch, w);
    }
  gint64 before[] = { w->documents, w->entities, w->claims, w->failed };
  Outcome o = write_batch (w, batch, r, FALSE, error);
  if (o == REFUSED)
    {
      roll_back (w, before);
      o = write_batch (w, batch, r, TRUE, error);
    }
  if (o == WRITTEN)
    return TRUE;
  roll_back (w, before);
  return FALSE;
}

gboolean
wr_sqlite_finish (WrSqlite *w, GError **error)
{
  if (w->build_indexes)
    {
      g_autofree char *create = g_strdup_printf ("BEGIN IMMEDIATE; %s COMMIT;", indexes);
      if (!exec (w, create, error))
        {
          exec (w, "ROLLBACK", NULL);
          return FALSE;
        }
      w->build_indexes = FALSE;
    }
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

/* Whether all of the secondary indexes exist. */
static gboolean
has_indexes (WrSqlite *w)
{
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2 (w->db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                 "AND name IN ('documents_date', 'entities_canonical', 'claims_speaker')",
                          -1, &s, NULL) != SQLITE_OK)
    return FALSE;
  gboolean all = sqlite3_step (s) == SQLITE_ROW && sqlite3_column_int (s, 0) == N_INDEXES;
  sqlite3_finalize (s);
  return all;
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
  /* No memory statistics: they take a global mutex around every allocation. */
  static gsize configured = 0;
  if (g_once_init_enter (&configured))
    {
      sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);   /* too late if SQLite is in use already: harmless */
      g_once_init_leave (&configured, 1);
    }
  if (sqlite3_open_v2 (path, &w->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      fail (w, error, "cannot open");
      return NULL;
    }
  sqlite3_busy_timeout (w->db, 10000);
  if (!exec (w, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
                 "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 8192;", error)
      || !check_schema (w, error) || !start_run (w, label, error))
    return NULL;
  w->build_indexes = !has_indexes (w);
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
