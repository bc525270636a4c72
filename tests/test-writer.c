/* test-writer.c — the writer's formats through the docpipe binary: formats
 * chosen by extension, gzip, CSV quoting and columns, the SQLite schema,
 * upserts on re-runs, a refused record, the queries docs/sqlite.md shows, and
 * several writers in one pipeline with dead letters. */
#include "writer-util.h"

#define PLUGIN_PATH DP_TEST_PLUGINS ":" DP_TEST_FIXTURES_GOOD
#define ANALYST DP_TEST_SRCDIR "/tests/fixtures/writer/analyst.jsonl"

static DpTestResult
run_args (const char *const *args)
{
  g_autoptr (GPtrArray) argv = dp_test_docpipe_argv (args);
  return dp_test_run (DP_TEST_DOCPIPE, (const char *const *) argv->pdata + 1);
}

#define RUN(...) run_args ((const char *const[]) { __VA_ARGS__, NULL })

/* Runs `reader path=INPUT ! writer ARGS…` and asserts exit code @status. */
static void
write_with (const char *input, int status, const char *writer_args)
{
  g_autofree char *expr = g_strdup_printf ("reader path=%s ! writer %s", input, writer_args);
  DpTestResult r = RUN ("run", "-q", "-e", expr);
  if (r.status != status)
    g_error ("%s: exit %d, stderr: %s", expr, r.status, r.err);
  dp_test_result_clear (&r);
}

static char *
write_file (const char *dir, const char *name, const char *contents)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* ---- formats and compression ---------------------------------------------- */

static void
test_formats_by_extension (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-writer-XXXXXX");
  g_autofree char *plain = g_build_filename (dir, "out.jsonl", NULL);
  g_autofree char *args = g_strdup_printf ("path=%s", plain);
  write_with (ANALYST, 0, args);
  g_autofree char *expected = dp_test_read_file (plain);
  g_assert_true (g_str_has_prefix (expected, "{\"id\":\"kcna-1\""));

  const char *jsonl_names[] = { "a.ndjson", "b.json", "c.out" };
  for (guint i = 0; i < G_N_ELEMENTS (jsonl_names); i++)
    {
      g_autofree char *path = g_build_filename (dir, jsonl_names[i], NULL);
      g_autofree char *a = g_strdup_printf ("path=%s", path);
      write_with (ANALYST, 0, a);
      g_autofree char *got = dp_test_read_file (path);
      g_assert_cmpstr (got, ==, expected);
    }
  /* gzip: by the name, or asked for under any name; never by the name when told none. */
  const char *gz_args[][2] = { { "d.jsonl.gz", "" }, { "e.data", "compress=gzip" }, { "f.jsonl.gz", "compress=none" } };
  for (guint i = 0; i < G_N_ELEMENTS (gz_args); i++)
    {
      g_autofree char *path = g_build_filename (dir, gz_args[i][0], NULL);
      g_autofree char *a = g_strdup_printf ("path=%s %s", path, gz_args[i][1]);
      write_with (ANALYST, 0, a);
      g_autofree char *got = i < 2 ? wt_gunzip (path) : dp_test_read_file (path);
      g_assert_cmpstr (got, ==, expected);
    }
  const char *sqlite_names[] = { "g.sqlite", "h.db", "i.sqlite3" };
  for (guint i = 0; i < G_N_ELEMENTS (sqlite_names); i++)
    {
      g_autofree char *path = g_build_filename (dir, sqlite_names[i], NULL);
      g_autofree char *a = g_strdup_printf ("path=%s", path);
      write_with (ANALYST, 0, a);
      sqlite3 *db = wt_db_open (path);
      g_assert_cmpint (wt_db_int (db, "SELECT count(*) FROM documents"), ==, 4);
      sqlite3_close (db);
    }
  /* CSV: out.csv and a name without .csv give the same three files. */
  const char *csv_args[][2] = { { "j.csv", "" }, { "k", "format=csv" } };
  for (guint i = 0; i < G_N_ELEMENTS (csv_args); i++)
    {
      g_autofree char *path = g_build_filename (dir, csv_args[i][0], NULL);
      g_autofree char *a = g_strdup_printf ("path=%s %s", path, csv_args[i][1]);
      write_with (ANALYST, 0, a);
      g_autofree char *stem = g_build_filename (dir, i ? "k" : "j", NULL);
      const char *tables[] = { "documents", "entities", "claims" };
      guint sizes[] = { 5, 13, 7 };
      for (guint t = 0; t < 3; t++)
        {
          g_autofree char *name = g_strdup_printf ("%s-%s.csv", stem, tables[t]);
          g_autoptr (GPtrArray) rows = wt_csv_read (name);
          g_assert_cmpuint (rows->len, ==, sizes[t]);
        }
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
  dp_test_remove_tree (dir);
}

static void
test_format_errors (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-writer-XXXXXX");
  struct { const char *name, *args, *message; } cases[] = {
    { NULL, "format=csv", "format = csv writes three files" },
    { NULL, "format=sqlite", "format = sqlite needs a database path" },
    { "x.csv", "compress=gzip", "compress = gzip is for format = jsonl only" },
    { "x.csv.gz", "", "compress = gzip is for format = jsonl only" },
    { "x.sqlite", "offsets=original", "offsets = original is for format = jsonl only" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *args = cases[i].name ? g_strdup_printf ("path=%s/%s %s", dir, cases[i].name, cases[i].args)
                                            : g_strdup (cases[i].args);
      g_autofree char *expr = g_strdup_printf ("reader path=%s ! writer %s", ANALYST, args);
      DpTestResult r = RUN ("run", "-e", expr);
      g_assert_cmpint (r.status, ==, 1);
      g_assert_nonnull (strstr (r.err, cases[i].message));
      dp_test_result_clear (&r);
    }
  g_autofree char *left = dp_test_list_dir (dir);
  g_assert_cmpstr (left, ==, "");
  dp_test_remove_tree (dir);
}

/* ---- CSV ------------------------------------------------------------------- */

/* Text with everything RFC 4180 quotes, and cells a spreadsheet would run. */
static const char hostile_text[] = "He said \"no, never\".\r\nThen =SUM(A1) and -2, +3, @home\nend";

static char *
hostile_record (void)
{
  g_autoptr (GString) line = g_string_new ("{\"id\":\"q,\\\"1\\\"\",\"text\":");
  dp_json_append_string (line, hostile_text, -1);
  /* Spans in code points: "\"no, never\"" at 8..19, "=SUM(A1)" at 27..35, "-2" at 40..42. */
  g_string_append (line, ",\"note\":\"line one\\r\\nline two\",\"formula\":\"=1+1\",\"count\":-3,"
                         "\"layers\":{\"entities\":["
                         "{\"start\":8,\"end\":19,\"label\":\"QUOTE\",\"canonical\":\"no, \\\"never\\\"\"},"
                         "{\"start\":27,\"end\":35,\"label\":\"MISC\",\"canonical\":\"=SUM(A1)\",\"cluster\":7},"
                         "{\"start\":40,\"end\":42,\"label\":\"NUM\"}]}}\n");
  return g_string_free (g_steal_pointer (&line), FALSE);
}

static void
test_csv_quoting (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-writer-XXXXXX");
  g_autofree char *record = hostile_record ();
  g_autofree char *input = write_file (dir, "in.jsonl", record);
  for (int keep = 0; keep <= 1; keep++)
    {
      g_autofree char *stem = g_build_filename (dir, keep ? "keep" : "escape", NULL);
      g_autofree char *args = g_strdup_printf ("path=%s.csv%s", stem, keep ? " csv-formulas=keep" : "");
      write_with (input, 0, args);
      const char *f = keep ? "" : "'";

      g_autofree char *ents_path = g_strdup_printf ("%s-entities.csv", stem);
      g_autofree char *ents_raw = dp_test_read_file (ents_path);
      g_assert_true (g_str_has_prefix (ents_raw, "document_id,span_id,start,end,label,text,canonical,cluster\r\n"
                                                 "\"q,\"\"1\"\"\",entities-1,8,19,QUOTE,\"\"\"no, never\"\"\",\"no, \"\"never\"\"\",\r\n"));
      g_autoptr (GPtrArray) ents = wt_csv_read (ents_path);
      g_assert_cmpuint (ents->len, ==, 4);
      g_assert_cmpstr (wt_cell (ents, 1, 0), ==, "q,\"1\"");
      g_assert_cmpstr (wt_cell (ents, 1, 5), ==, "\"no, never\"");
      g_autofree char *sum = g_strconcat (f, "=SUM(A1)", NULL);
      g_assert_cmpstr (wt_cell (ents, 2, 5), ==, sum);
      g_assert_cmpstr (wt_cell (ents, 2, 6), ==, sum);
      g_assert_cmpstr (wt_cell (ents, 2, 7), ==, "7");
      g_autofree char *minus = g_strconcat (f, "-2", NULL);
      g_assert_cmpstr (wt_cell (ents, 3, 5), ==, minus);
      g_assert_cmpstr (wt_cell (ents, 3, 6), ==, "");

      g_autofree char *docs_path = g_strdup_printf ("%s-documents.csv", stem);
      g_autoptr (GPtrArray) docs = wt_csv_read (docs_path);
      g_assert_cmpuint (docs->len, ==, 2);
      g_assert_cmpstr (wt_cell (docs, 1, wt_column (docs, "note")), ==, "line one\r\nline two");
      g_autofree char *formula = g_strconcat (f, "=1+1", NULL);
      g_assert_cmpstr (wt_cell (docs, 1, wt_column (docs, "formula")), ==, formula);
      /* A number is not text a spreadsheet would run: never escaped. */
      g_assert_cmpstr (wt_cell (docs, 1, wt_column (docs, "count")), ==, "-3");
    }
  dp_test_remove_tree (dir);
}

static GPtrArray *
documents_csv (const char *dir, const char *input, const char *writer_args)
{
  g_autofree char *out = g_build_filename (dir, "out.csv", NULL);
  g_autofree char *expr = g_strdup_printf ("reader path=%s ! writer path=%s %s", input, out, writer_args);
  /* batch-size=1: the first batch is the first record alone. */
  DpTestResult r = RUN ("run", "-q", "-e", expr, "-s", "pipeline.batch-size=1");
  g_assert_cmpint (r.status, ==, 0);
  dp_test_result_clear (&r);
  g_autofree char *docs_path = g_build_filename (dir, "out-documents.csv", NULL);
  return wt_csv_read (docs_path);
}

static void
assert_row (GPtrArray *rows, guint row, const char *const *cells)
{
  char **got = g_ptr_array_index (rows, row);
  g_assert_cmpuint (g_strv_length (got), ==, g_strv_length ((char **) cells));
  for (guint i = 0; cells[i]; i++)
    if (i != 1 || row == 0)   /* the source column holds the input's path */
      g_assert_cmpstr (got[i], ==, cells[i]);
}

static void
test_csv_meta_columns (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-writer-XXXXXX");
  g_autofree char *input = write_file (dir, "in.jsonl",
                                       "{\"id\":\"a\",\"text\":\"A.\",\"date\":\"2024-01-01\",\"tags\":[\"x\",\"y\"]}\n"
                                       "{\"id\":\"b\",\"text\":\"B.\",\"date\":\"2024-01-02\",\"desk\":\"asia\",\"meta\":{\"id\":\"inner\"}}\n"
                                       "{\"id\":\"c\",\"text\":\"C.\"}\n");
  /* The first batch's members are the columns; later ones go to meta as JSON,
   * and so does a member named like a fixed column. */
  g_autoptr (GPtrArray) rows = documents_csv (dir, input, "");
  g_assert_cmpuint (rows->len, ==, 4);
  assert_row (rows, 0, (const char *[]) { "id", "source", "date", "tags", "meta", NULL });
  assert_row (rows, 1, (const char *[]) { "a", "", "2024-01-01", "[\"x\",\"y\"]", "", NULL });
  assert_row (rows, 2, (const char *[]) { "b", "", "2024-01-02", "", "{\"id\":\"inner\",\"desk\":\"asia\"}", NULL });
  assert_row (rows, 3, (const char *[]) { "c", "", "", "", "", NULL });

  g_autoptr (GPtrArray) fixed = documents_csv (dir, input, "meta-columns=desk,date");
  assert_row (fixed, 0, (const char *[]) { "id", "source", "desk", "date", "meta", NULL });
  assert_row (fixed, 1, (const char *[]) { "a", "", "", "2024-01-01", "{\"tags\":[\"x\",\"y\"]}", NULL });
  assert_row (fixed, 2, (const char *[]) { "b", "", "asia", "2024-01-02", "{\"id\":\"inner\"}", NULL });
  dp_test_remove_tree (dir);
}

/* ---- SQLite ---------------------------------------------------------------- */

static char *
analyst_db (const char *dir, const char *name)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *args = g_strdup_printf ("path=%s", path);
  write_with (ANALYST, 0, args);
  return path;
}

static void
test_sqlite_schema (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-writer-XXXXXX");
  g_autofree char *path = analyst_db (dir, "a.sqlite");
  sqlite3 *db = wt_db_open (path);
  g_autofree char *tables = wt_db_query (db, "SELECT type, name FROM sqlite_master ORDER BY type, name");
  g_assert_cmpstr (tables, ==,
                   "type|name\n"
                   "index|claims_speaker\nindex|documents_date\nindex|entities_canonical\n"
                   "index|sqlite_autoindex_documents_1\n"
                   "table|claims\ntable|documents\ntable|entities\ntable|runs\n");
  g_autofree char *fks = wt_db_query (db, "SELECT m.name, f.\"table\", f.\"from\", f.\"to\", f.on_delete "
                                          "FROM sqlite_master m, pragma_foreign_key_list(m.name) f "
                                          "WHERE m.type = 'table' ORDER BY m.name, f.id, f.seq");
  g_assert_cmpstr (fks, ==,
                   "name|table|from|to|on_delete\n"
                   "claims|entities|document_id|document_id|NO ACTION\n"
                   "claims|entities|speaker_entity|span_id|NO ACTION\n"
                   "claims|documents|document_id|id|CASCADE\n"
                   "documents|runs|run_id|id|NO ACTION\n"
                   "entities|documents|document_id|id|CASCADE\n");
  g_autofree char *mode = wt_db_query (db, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "journal_mode\nwal\n");
  g_assert_cmpint (wt_db_int (db, "PRAGMA user_version"), ==, 1);
  g_autofree char *entities = wt_db_query (db, "SELECT * FROM entities WHERE document_id = 'kcna-1' ORDER BY start");
  g_assert_cmpstr (entities, ==,
                   "document_id|span_id|start|end|label|text|canonical|cluster\n"
                   "kcna-1|entities-1|0|11|LOC|North Korea|North Korea|1\n"
                   "kcna-1|entities-2|21|32|MISC|Hwasong-11A|Hwasong-11A|2\n"
                   "kcna-1|entities-3|52|63|PER|Kim Yo-jong|Kim Yo-jong|3\n"
                   "kcna-1|entities-4|70|74|LOC|Iran|Iran|4\n"
                   "kcna-1|entities-5|101|112|MISC|Hwasong-11A|Hwasong-11A|2\n");
  g_autofree char *dates = wt_db_query (db, "SELECT id, date FROM documents ORDER BY id");
  g_assert_cmpstr (dates, ==, "id|date\nirna-2|2024-02-03\nkcna-1|2024-01-15\nkcna-3|2024-02-20\nreuters-4|1987-02-26\n");
  sqlite3_close (db);

  /* A database of another schema version is refused, not written into. */
  db = wt_db_open (path);
  g_free (wt_db_query (db, "PRAGMA user_version = 7"));
  sqlite3_close (db);
  g_autofree char *expr = g_strdup_printf ("reader path=%s ! writer path=%s", ANALYST, path);
  DpTestResult r = RUN ("run", "-q", "-e", expr);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "schema version 7 is not the writer's (1)"));
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

static void
test_sqlite_upsert (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-writer-XXXXXX");
  g_autofree char *path = analyst_db (dir, "a.sqlite");
  /* The second run: kcna-1 changed (new text, one entity and no claims left), a new document. */
  g_autofree char *input = write_file (dir, "changed.jsonl",
      "{\"id\":\"kcna-1\",\"text\":\"Iran denied it.\",\"date\":\"2024-03-01\","
      "\"layers\":{\"entities\":[{\"start\":0,\"end\":4,\"label\":\"LOC\",\"canonical\":\"Iran\"}]}}\n"
      "{\"id\":\"new-5\",\"text\":\"Nothing.\"}\n");
  for (int run = 0; run < 2; run++)
    {
      g_autofree char *args = g_strdup_printf ("path=%s run-label=second", path);
      write_with (input, 0, args);
    }
  sqlite3 *db = wt_db_open (path);
  g_autofree char *docs = wt_db_query (db, "SELECT id, date, text, run_id FROM documents ORDER BY id");
  g_assert_cmpstr (docs, ==,
                   "id|date|text|run_id\n"
                   "irna-2|2024-02-03|Tehran may have received Hwasong-11A parts, a Pentagon official said. Iran's foreign ministry denied the report.|1\n"
                   "kcna-1|2024-03-01|Iran denied it.|3\n"
                   "kcna-3|2024-02-20|Iran and North Korea signed a trade deal, state media reported.|1\n"
                   "new-5||Nothing.|3\n"
                   "reuters-4|1987-02-26|Comissaria Smith said cocoa arrivals rose.|1\n");
  g_autofree char *kcna = wt_db_query (db, "SELECT span_id, text FROM entities WHERE document_id = 'kcna-1'");
  g_assert_cmpstr (kcna, ==, "span_id|text\nentities-1|Iran\n");
  g_assert_cmpint (wt_db_int (db, "SELECT count(*) FROM claims WHERE document_id = 'kcna-1'"), ==, 0);
  /* Nothing duplicated, nothing else lost: 12 - 5 + 1 entities, 6 - 2 claims. */
  g_assert_cmpint (wt_db_int (db, "SELECT count(*) FROM entities"), ==, 8);
  g_assert_cmpint (wt_db_int (db, "SELECT count(*) FROM claims"), ==, 4);
  g_autofree char *runs = wt_db_query (db, "SELECT id, pipeline, documents, entities, claims, failed, "
                                           "finished >= started FROM runs ORDER BY id");
  g_assert_cmpstr (runs, ==,
                   "id|pipeline|documents|entities|claims|failed|finished >= started\n"
                   "1|writer|4|12|6|0|1\n2|second|2|1|0|0|1\n3|second|2|1|0|0|1\n");
  g_assert_cmpint (wt_db_int (db, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  sqlite3_close (db);
  dp_test_remove_tree (dir);
}

static void
test_sqlite_refused_record (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-writer-XXXXXX");
  g_autofree char *input = write_file (dir, "in.jsonl",
      "{\"id\":\"ok-1\",\"text\":\"Iran said no.\",\"layers\":{\"entities\":[{\"start\":0,\"end\":4,\"label\":\"LOC\"}]}}\n"
      "{\"id\":\"bad-2\",\"text\":\"Iran said no.\",\"layers\":{\"entities\":[{\"start\":0,\"end\":4,\"label\":\"LOC\"}],"
      "\"claims\":[{\"start\":10,\"end\":12,\"speaker\":{\"start\":0,\"end\":4,\"entity\":\"entities-9\"}}]}}\n"
      "{\"id\":\"ok-3\",\"text\":\"Fine.\"}\n");
  g_autofree char *db_path = g_build_filename (dir, "out.sqlite", NULL);
  g_autofree char *dead = g_build_filename (dir, "dead.jsonl", NULL);
  g_autofree char *expr = g_strdup_printf ("reader path=%s ! writer path=%s", input, db_path);
  g_autofree char *dead_set = g_strdup_printf ("pipeline.dead-letter=%s", dead);
  DpTestResult r = RUN ("run", "-q", "-e", expr, "-s", dead_set);
  g_assert_cmpint (r.status, ==, 3);
  dp_test_result_clear (&r);
  g_autofree char *letters = dp_test_read_file (dead);
  g_assert_true (g_str_has_prefix (letters, "{\"id\":\"bad-2\""));
  g_assert_nonnull (strstr (letters, "out.sqlite: claim 'claims-1' (its speaker is entity 'entities-9'): "
                                     "FOREIGN KEY constraint failed"));
  g_auto (GStrv) lines = g_strsplit (letters, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);   /* one letter, then the end */
  sqlite3 *db = wt_db_open (db_path);
  g_autofree char *docs = wt_db_query (db, "SELECT id, (SELECT count(*) FROM entities WHERE document_id = d.id) "
                                           "AS n FROM documents d ORDER BY id");
  g_assert_cmpstr (docs, ==, "id|n\nok-1|1\nok-3|0\n");
  g_autofree char *runs = wt_db_query (db, "SELECT documents, entities, claims, failed FROM runs");
  g_assert_cmpstr (runs, ==, "documents|entities|claims|failed\n2|1|0|1\n");
  sqlite3_close (db);
  dp_test_remove_tree (dir);
}

/* Collapses runs of white space, so a statement compares whatever its layout. */
static char *
squeeze (const char *s)
{
  g_autoptr (GRegex) space = g_regex_new ("\\s+", 0, 0, NULL);
  g_autofree char *one = g_regex_replace_literal (space, s, -1, 0, " ", 0, NULL);
  return g_strstrip (g_steal_pointer (&one));
}

/* Every ```sql block of docs/sqlite.md followed by a ```text block is run on
 * the database of tests/fixtures/writer/analyst.jsonl and must print that text;
 * the schema it shows must be the one the writer creates. */
static void
test_sqlite_docs (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-writer-XXXXXX");
  g_autofree char *path = analyst_db (dir, "a.sqlite");
  g_autofree char *doc = dp_test_read_file (DP_TEST_SRCDIR "/docs/sqlite.md");
  sqlite3 *db = wt_db_open (path);
  g_autoptr (GRegex) block = g_regex_new ("```sql\\n((?:(?!```).)*)```\\n\\n```text\\n((?:(?!```).)*)```",
                                        G_REGEX_DOTALL, 0, NULL);
  g_autoptr (GMatchInfo) m = NULL;
  guint checked = 0;
  for (g_regex_match (block, doc, 0, &m); g_match_info_matches (m); g_match_info_next (m, NULL))
    {
      g_autofree char *sql = g_match_info_fetch (m, 1);
      g_autofree char *expected = g_match_info_fetch (m, 2);
      g_autofree char *got = wt_db_query (db, sql);
      if (g_strcmp0 (got, expected) != 0)
        g_error ("docs/sqlite.md: the query\n%s\nprints\n%s\nnot what the docs show:\n%s", sql, got, expected);
      checked++;
    }
  g_assert_cmpuint (checked, >=, 6);

  g_autofree char *schema_sql = wt_db_query (db, "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL");
  g_autofree char *shown = NULL;
  g_autoptr (GRegex) schema = g_regex_new ("## Schema\\n\\n```sql\\n(.*?)```", G_REGEX_DOTALL, 0, NULL);
  g_autoptr (GMatchInfo) sm = NULL;
  g_assert_true (g_regex_match (schema, doc, 0, &sm));
  shown = g_match_info_fetch (sm, 1);
  g_autofree char *shown_squeezed = squeeze (shown);
  g_auto (GStrv) statements = g_strsplit (schema_sql, "\n", -1);
  guint n = 0;
  sqlite3_stmt *st = NULL;
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL", -1, &st, NULL), ==, SQLITE_OK);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      g_autofree char *create = squeeze ((const char *) sqlite3_column_text (st, 0));
      /* The database keeps a statement without IF NOT EXISTS. */
      g_autoptr (GRegex) ine = g_regex_new ("^CREATE (TABLE|INDEX) ", 0, 0, NULL);
      g_autofree char *with = g_regex_replace (ine, create, -1, 0, "CREATE \\1 IF NOT EXISTS ", 0, NULL);
      if (!strstr (shown_squeezed, with))
        g_error ("docs/sqlite.md's schema lacks: %s", with);
      n++;
    }
  sqlite3_finalize (st);
  g_assert_cmpuint (n, ==, 7);
  sqlite3_close (db);
  dp_test_remove_tree (dir);
}

/* ---- several writers in one pipeline ---------------------------------------- */

static char *
ids_of_jsonl (const char *text)
{
  g_autoptr (GString) ids = g_string_new (NULL);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] && *lines[i]; i++)
    {
      g_autoptr (JsonObject) o = dp_test_parse_object (lines[i]);
      g_string_append_printf (ids, "%s%s", ids->len ? "," : "", json_object_get_string_member (o, "id"));
    }
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static char *
ids_of_csv (const char *path)
{
  g_autoptr (GPtrArray) rows = wt_csv_read (path);
  g_autoptr (GString) ids = g_string_new (NULL);
  for (guint i = 1; i < rows->len; i++)
    g_string_append_printf (ids, "%s%s", ids->len ? "," : "", wt_cell (rows, i, 0));
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static char *
ids_of_db (const char *path)
{
  sqlite3 *db = wt_db_open (path);
  g_autofree char *rows = wt_db_query (db, "SELECT group_concat(id) AS ids FROM "
                                           "(SELECT id FROM documents ORDER BY CAST(substr(id, 2) AS INTEGER))");
  sqlite3_close (db);
  return g_strdup (rows + strlen ("ids\n"));
}

static char *
expected_ids (guint n, const char *const *skip)
{
  g_autoptr (GString) ids = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("t%u", i);
      if (!skip || !g_strv_contains (skip, id))
        g_string_append_printf (ids, "%s%s", ids->len ? "," : "", id);
    }
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static void
test_several_writers (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-writer-XXXXXX");
  g_autofree char *expr = g_strdup_printf (
      "ticker count=300 ! writer path=%s/all.jsonl ! fail-sink fail-ids=t3,t150,t299 ! writer path=%s/a.jsonl "
      "! writer path=%s/b.csv ! writer path=%s/c.sqlite ! writer path=%s/d.jsonl.gz", dir, dir, dir, dir, dir);
  g_autofree char *dead_set = g_strdup_printf ("pipeline.dead-letter=%s/dead.jsonl", dir);
  DpTestResult r = RUN ("run", "-q", "-P", PLUGIN_PATH, "-e", expr, "-s", dead_set, "-s", "pipeline.workers=3",
                        "-s", "pipeline.batch-size=16");
  g_assert_cmpint (r.status, ==, 3);
  dp_test_result_clear (&r);

  const char *failed[] = { "t3", "t150", "t299", NULL };
  g_autofree char *all = expected_ids (300, NULL);
  g_autofree char *rest = expected_ids (300, failed);
  g_autofree char *all_path = g_build_filename (dir, "all.jsonl", NULL);
  g_autofree char *all_text = dp_test_read_file (all_path);
  g_autofree char *all_ids = ids_of_jsonl (all_text);
  g_assert_cmpstr (all_ids, ==, all);   /* before the failing sink: every record */

  g_autofree char *a_path = g_build_filename (dir, "a.jsonl", NULL);
  g_autofree char *a_text = dp_test_read_file (a_path);
  g_autofree char *a_ids = ids_of_jsonl (a_text);
  g_assert_cmpstr (a_ids, ==, rest);
  g_autofree char *b_path = g_build_filename (dir, "b-documents.csv", NULL);
  g_autofree char *b_ids = ids_of_csv (b_path);
  g_assert_cmpstr (b_ids, ==, rest);
  g_autofree char *c_path = g_build_filename (dir, "c.sqlite", NULL);
  g_autofree char *c_ids = ids_of_db (c_path);
  g_assert_cmpstr (g_strchomp (c_ids), ==, rest);
  g_autofree char *d_path = g_build_filename (dir, "d.jsonl.gz", NULL);
  g_autofree char *d_text = wt_gunzip (d_path);
  g_assert_cmpstr (d_text, ==, a_text);

  g_autofree char *dead_path = g_build_filename (dir, "dead.jsonl", NULL);
  g_autofree char *dead = dp_test_read_file (dead_path);
  g_autofree char *dead_ids = ids_of_jsonl (dead);
  g_assert_cmpstr (dead_ids, ==, "t3,t150,t299");
  g_assert_nonnull (strstr (dead, "\"stage\":\"fail-sink\""));
  dp_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/writer/formats-by-extension", test_formats_by_extension);
  g_test_add_func ("/writer/format-errors", test_format_errors);
  g_test_add_func ("/writer/csv-quoting", test_csv_quoting);
  g_test_add_func ("/writer/csv-meta-columns", test_csv_meta_columns);
  g_test_add_func ("/writer/sqlite-schema", test_sqlite_schema);
  g_test_add_func ("/writer/sqlite-upsert", test_sqlite_upsert);
  g_test_add_func ("/writer/sqlite-refused-record", test_sqlite_refused_record);
  g_test_add_func ("/writer/sqlite-docs", test_sqlite_docs);
  g_test_add_func ("/writer/several-writers", test_several_writers);
  return g_test_run ();
}
