/* test-writer-formats.c — the writer's pieces in-process: CSV cells and file
 * names, dates for documents.date, and the SQLite and CSV formats driven
 * batch by batch through the plugin harness (upserts, a refused record, a
 * batch the database fails rolled back whole, columns fixed by the first batch). */
#include "writer-util.h"
#include "harness-util.h"

#include "csv.h"
#include "flat.h"

static char *
cell (const char *s, gboolean escape)
{
  GString *out = g_string_new (NULL);
  wr_csv_append_cell (out, s, -1, escape);
  return g_string_free (out, FALSE);
}

static void
test_csv_cells (void)
{
  struct { const char *in, *plain, *escaped; } cases[] = {
    { "", "", "" },
    { "Iran", "Iran", "Iran" },
    { "Kim Yo-jong", "Kim Yo-jong", "Kim Yo-jong" },
    { "a,b", "\"a,b\"", "\"a,b\"" },
    { "say \"no\"", "\"say \"\"no\"\"\"", "\"say \"\"no\"\"\"" },
    { "\"", "\"\"\"\"", "\"\"\"\"" },
    { "one\ntwo", "\"one\ntwo\"", "\"one\ntwo\"" },
    { "one\r\ntwo", "\"one\r\ntwo\"", "\"one\r\ntwo\"" },
    { "cr\r", "\"cr\r\"", "\"cr\r\"" },
    { "=SUM(A1)", "=SUM(A1)", "\"'=SUM(A1)\"" },
    { "+1", "+1", "\"'+1\"" },
    { "-2", "-2", "\"'-2\"" },
    { "@home", "@home", "\"'@home\"" },
    { "\tx", "\tx", "\"'\tx\"" },
    { "\rx", "\"\rx\"", "\"'\rx\"" },
    { "=\"a\",b", "\"=\"\"a\"\",b\"", "\"'=\"\"a\"\",b\"" },
    { "a=b", "a=b", "a=b" },
    { "Łódź, “quoted”", "\"Łódź, “quoted”\"", "\"Łódź, “quoted”\"" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *plain = cell (cases[i].in, FALSE);
      g_autofree char *escaped = cell (cases[i].in, TRUE);
      g_assert_cmpstr (plain, ==, cases[i].plain);
      g_assert_cmpstr (escaped, ==, cases[i].escaped);
      /* What a CSV reader makes of it is the input (and the escape's apostrophe). */
      g_autofree char *line = g_strconcat (plain, "\r\n", NULL);
      g_autoptr (GPtrArray) rows = wt_csv_parse (line);
      g_assert_nonnull (rows);
      g_assert_cmpstr (wt_cell (rows, 0, 0), ==, cases[i].in);
    }
  /* A length, not a NUL, ends the cell; NULL is an empty cell. */
  g_autoptr (GString) out = g_string_new (NULL);
  wr_csv_append_cell (out, "a,bc", 3, FALSE);
  wr_csv_append_cell (out, NULL, -1, TRUE);
  g_assert_cmpstr (out->str, ==, "\"a,b\"");
}

static void
test_table_paths (void)
{
  const char *cases[][2] = {
    { "out.csv", "out-entities.csv" },
    { "dir/OUT.CSV", "dir/OUT-entities.csv" },
    { "out", "out-entities.csv" },
    { "a.b.csv", "a.b-entities.csv" },
    { "out.txt", "out.txt-entities.csv" },
    { ".csv", ".csv-entities.csv" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = wr_csv_table_path (cases[i][0], "entities");
      g_assert_cmpstr (path, ==, cases[i][1]);
    }
}

static void
test_dates (void)
{
  const char *cases[][2] = {
    { "2024-03-01", "2024-03-01" },
    { "2024-03-01T10:00:00Z", "2024-03-01" },
    { " 1999-12-31 23:59", "1999-12-31" },
    { "26-FEB-1987 15:01:01.79", "1987-02-26" },
    { "1-mar-2001", "2001-03-01" },
    { "2024-02-30", NULL },
    { "March 3, 2021", "2021-03-03" },
    { "Mon, 06 Dec 2004", "2004-12-06" },
    { "12/04/2005", NULL },
    { "2024-3-1", NULL },
    { "31-FOO-1987", NULL },
    { "yesterday", NULL },
    { "", NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char out[11] = "";
      gboolean ok = wr_parse_date (cases[i][0], out);
      if (!cases[i][1])
        g_assert_false (ok);
      else
        {
          g_assert_true (ok);
          g_assert_cmpstr (out, ==, cases[i][1]);
        }
    }
  char out[11];
  g_assert_false (wr_parse_date (NULL, out));
}

static DpHarness *
writer (const char *args)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *desc = g_strdup_printf ("writer %s", args);
  DpHarness *h = dp_harness_new_parse (DP_TEST_PLUGINS, desc, &error);
  g_assert_no_error (error);
  return h;
}

#define DOC(id, text, ents) "{\"id\":\"" id "\",\"text\":\"" text "\",\"layers\":{\"entities\":[" ents "]}}"
#define ENT(s, e, label) "{\"start\":" #s ",\"end\":" #e ",\"label\":\"" label "\"}"

static void
test_sqlite_batches (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-writer-XXXXXX");
  g_autofree char *db_path = g_build_filename (dir, "t.db", NULL);
  g_autofree char *args = g_strdup_printf ("path=%s run-label=unit", db_path);
  {
    g_autoptr (DpHarness) h = writer (args);
    ht_push_ok (h, DOC ("a", "Iran and Iraq.", ENT (0, 4, "LOC") "," ENT (9, 13, "LOC")));
    ht_push_ok (h, DOC ("b", "Kim.", ENT (0, 3, "PER")));
    ht_process_ok (h);
    /* A new database gets its secondary indexes when the run ends. */
    sqlite3 *during = wt_db_open (db_path);
    g_assert_cmpint (wt_db_int (during, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                        "AND name NOT LIKE 'sqlite_%'"), ==, 0);
    sqlite3_close (during);
    /* The same id twice in one batch: the later one is what stays. */
    ht_push_ok (h, DOC ("b", "Kim Jong-un.", ENT (0, 11, "PER")));
    ht_push_ok (h, DOC ("a", "Iran.", ENT (0, 4, "LOC")));
    ht_process_ok (h);
    ht_finish_ok (h);
  }
  sqlite3 *db = wt_db_open (db_path);
  g_autofree char *rows = wt_db_query (db, "SELECT d.id, d.text, e.span_id, e.text FROM documents d "
                                           "JOIN entities e ON e.document_id = d.id ORDER BY d.id, e.span_id");
  g_assert_cmpstr (rows, ==, "id|text|span_id|text\na|Iran.|entities-1|Iran\nb|Kim Jong-un.|entities-1|Kim Jong-un\n");
  g_autofree char *runs = wt_db_query (db, "SELECT pipeline, documents, entities FROM runs");
  g_assert_cmpstr (runs, ==, "pipeline|documents|entities\nunit|4|5\n");
  g_autofree char *names = wt_db_query (db, "SELECT name FROM sqlite_master WHERE type = 'index' "
                                            "AND name NOT LIKE 'sqlite_%' ORDER BY name");
  g_assert_cmpstr (names, ==, "name\nclaims_speaker\ndocuments_date\nentities_canonical\n");

  /* A batch the database itself fails is rolled back whole; the run's end is still recorded. */
  g_autoptr (DpHarness) h = writer (args);
  ht_push_ok (h, DOC ("c", "Tehran.", ENT (0, 6, "LOC")));
  ht_process_ok (h);
  g_free (wt_db_query (db, "DROP TABLE claims"));
  ht_push_ok (h, DOC ("d", "Seoul.", ENT (0, 5, "LOC")));
  ht_push_ok (h, DOC ("e", "Pyongyang.", ENT (0, 9, "LOC")));
  g_autoptr (GError) error = NULL;
  g_assert_false (dp_harness_process (h, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "t.db"));
  ht_finish_ok (h);
  g_autofree char *ids = wt_db_query (db, "SELECT group_concat(id) AS ids FROM (SELECT id FROM documents ORDER BY id)");
  g_assert_cmpstr (ids, ==, "ids\na,b,c\n");
  g_autofree char *runs2 = wt_db_query (db, "SELECT id, documents, finished IS NOT NULL AS done FROM runs");
  g_assert_cmpstr (runs2, ==, "id|documents|done\n1|4|1\n2|1|1\n");
  sqlite3_close (db);
  dp_test_remove_tree (dir);
}

static void
test_sqlite_refused (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-writer-XXXXXX");
  g_autofree char *db_path = g_build_filename (dir, "t.sqlite", NULL);
  g_autofree char *args = g_strdup_printf ("path=%s", db_path);
  g_autoptr (DpHarness) h = writer (args);
  ht_push_ok (h, DOC ("a", "Iran.", ENT (0, 4, "LOC")));
  ht_push_ok (h, "{\"id\":\"bad\",\"text\":\"Iran said no.\",\"layers\":{\"entities\":[" ENT (0, 4, "LOC") "],"
           "\"claims\":[{\"start\":10,\"end\":12,\"speaker\":{\"start\":0,\"end\":4,\"entity\":\"entities-2\"}}]}}");
  ht_push_ok (h, DOC ("c", "Iraq.", ENT (0, 4, "LOC")));
  ht_process_ok (h);
  ht_finish_ok (h);
  g_autofree char *message = NULL;
  g_autofree char *failed = dp_harness_pull_failed (h, &message);
  g_assert_nonnull (failed);
  g_assert_true (g_str_has_prefix (failed, "{\"id\":\"bad\""));
  g_assert_nonnull (strstr (message, "FOREIGN KEY constraint failed"));
  g_assert_cmpuint (dp_harness_get_n_failed (h), ==, 0);
  sqlite3 *db = wt_db_open (db_path);
  g_autofree char *rows = wt_db_query (db, "SELECT (SELECT group_concat(id) FROM documents) AS docs, "
                                           "(SELECT count(*) FROM entities) AS entities, "
                                           "(SELECT failed FROM runs) AS failed");
  g_assert_cmpstr (rows, ==, "docs|entities|failed\na,c|2|1\n");
  sqlite3_close (db);
  dp_test_remove_tree (dir);
}

static void
test_csv_batches (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-writer-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "t.csv", NULL);
  g_autofree char *args = g_strdup_printf ("path=%s", path);
  {
    g_autoptr (DpHarness) h = writer (args);
    ht_push_ok (h, "{\"id\":\"a\",\"text\":\"x\",\"desk\":\"asia\"}");
    ht_process_ok (h);
    ht_push_ok (h, "{\"id\":\"b\",\"text\":\"y\",\"desk\":\"europe\",\"lang\":\"de\"}");
    ht_process_ok (h);
    /* Nothing is in place before the run ends. */
    g_autofree char *docs_path = g_build_filename (dir, "t-documents.csv", NULL);
    g_assert_false (g_file_test (docs_path, G_FILE_TEST_EXISTS));
    ht_finish_ok (h);
    g_autofree char *docs = dp_test_read_file (docs_path);
    g_assert_cmpstr (docs, ==, "id,source,desk,meta\r\na,<harness>:1,asia,\r\nb,<harness>:2,europe,\"{\"\"lang\"\":\"\"de\"\"}\"\r\n");
  }
  /* A run with no records still writes the three headers. */
  g_autofree char *empty = g_build_filename (dir, "e.csv", NULL);
  g_autofree char *empty_args = g_strdup_printf ("path=%s meta-columns=desk", empty);
  g_autoptr (DpHarness) h = writer (empty_args);
  ht_finish_ok (h);
  g_autofree char *listing = dp_test_list_dir (dir);
  g_assert_cmpstr (listing, ==, "e-claims.csv,e-documents.csv,e-entities.csv,t-claims.csv,t-documents.csv,t-entities.csv");
  g_autofree char *e_docs = g_build_filename (dir, "e-documents.csv", NULL);
  g_autofree char *header = dp_test_read_file (e_docs);
  g_assert_cmpstr (header, ==, "id,source,desk,meta\r\n");
  dp_test_remove_tree (dir);
}

static void
test_gzip_harness (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-writer-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "t.jsonl.gz", NULL);
  g_autofree char *args = g_strdup_printf ("path=%s", path);
  g_autoptr (DpHarness) h = writer (args);
  g_autoptr (GString) expected = g_string_new (NULL);
  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *line = g_strdup_printf ("{\"id\":\"r%u\",\"source\":\"s\",\"text\":\"record %u\",\"meta\":{}}", i, i);
      ht_push_ok (h, line);
      g_string_append_printf (expected, "%s\n", line);
      if (i % 500 == 499)
        ht_process_ok (h);
    }
  ht_finish_ok (h);
  g_autofree char *text = wt_gunzip (path);
  g_assert_cmpstr (text, ==, expected->str);
  dp_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/writer-formats/csv-cells", test_csv_cells);
  g_test_add_func ("/writer-formats/table-paths", test_table_paths);
  g_test_add_func ("/writer-formats/dates", test_dates);
  g_test_add_func ("/writer-formats/sqlite-batches", test_sqlite_batches);
  g_test_add_func ("/writer-formats/sqlite-refused", test_sqlite_refused);
  g_test_add_func ("/writer-formats/csv-batches", test_csv_batches);
  g_test_add_func ("/writer-formats/gzip", test_gzip_harness);
  return g_test_run ();
}
