/* test-reader.c — the reader end to end, through the docpipe binary: HTML
 * pages (tests/fixtures/reader/: a news article with its chrome, a tag soup,
 * pages in windows-1252 and latin-1), hostile nesting, UTF-16 and declared
 * encodings, gzip (and corrupt gzip), binary files in a walked directory,
 * JSON lines with other text and id fields, and ids that do not depend on
 * how the path was written.
 */
#include "test-util.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#define FIXTURES DP_TEST_SRCDIR "/tests/fixtures/reader"

/* Runs docpipe with @args (NULL-terminated) in @cwd (NULL: here). */
static DpTestResult
run_in (const char *cwd, const char *const *args)
{
  g_autoptr (GPtrArray) argv = dp_test_docpipe_argv (args);
  g_autoptr (GSubprocessLauncher) launcher
    = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (cwd)
    g_subprocess_launcher_set_cwd (launcher, cwd);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  return dp_test_communicate (p, NULL);
}

#define RUN(...) run_in (NULL, (const char *const[]) { __VA_ARGS__, NULL })
#define RUN_IN(cwd, ...) run_in (cwd, (const char *const[]) { __VA_ARGS__, NULL })

/* The records of a JSON-lines output, in order. */
static GPtrArray *
records_of (const char *out)
{
  GPtrArray *recs = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (*lines[i])
      g_ptr_array_add (recs, dp_test_parse_object (lines[i]));
  return recs;
}

/* The only record of @out. */
static JsonObject *
only_record (const char *out)
{
  g_autoptr (GPtrArray) recs = records_of (out);
  g_assert_cmpuint (recs->len, ==, 1);
  return json_object_ref (g_ptr_array_index (recs, 0));
}

static JsonObject *
meta_of (JsonObject *rec)
{
  return json_object_get_object_member (rec, "meta");
}

/* The ids of @out's records, joined with ','. */
static char *
ids_of (const char *out)
{
  g_autoptr (GPtrArray) recs = records_of (out);
  g_autoptr (GString) ids = g_string_new (NULL);
  for (guint i = 0; i < recs->len; i++)
    g_string_append_printf (ids, "%s%s", i ? "," : "",
                            json_object_get_string_member (g_ptr_array_index (recs, i), "id"));
  return g_string_free (g_steal_pointer (&ids), FALSE);
}

/* The record with id @id in @out (a new reference). */
static JsonObject *
record_by_id (const char *out, const char *id)
{
  g_autoptr (GPtrArray) recs = records_of (out);
  for (guint i = 0; i < recs->len; i++)
    if (g_str_equal (json_object_get_string_member (g_ptr_array_index (recs, i), "id"), id))
      return json_object_ref (g_ptr_array_index (recs, i));
  g_test_fail_printf ("no record '%s' in:\n%s", id, out);
  return NULL;
}

static void
put_file (const char *dir, const char *name, const char *data, gsize len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, data, (gssize) len, &error);
  g_assert_no_error (error);
}

/* A file holding @text (up to its first NUL). */
static void
put_text (const char *dir, const char *name, const char *text)
{
  put_file (dir, name, text, strlen (text));
}

/* @data gzipped, as gzip(1) would write it. */
static GBytes *
gzip_bytes (const char *data, gsize len)
{
  g_autoptr (GZlibCompressor) z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr (GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr (GOutputStream) out = g_converter_output_stream_new (mem, G_CONVERTER (z));
  g_autoptr (GError) error = NULL;
  g_output_stream_write_all (out, data, len, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
}

static void
put_gzip (const char *dir, const char *name, const char *data)
{
  g_autoptr (GBytes) gz = gzip_bytes (data, strlen (data));
  gsize n;
  const char *p = g_bytes_get_data (gz, &n);
  put_file (dir, name, p, n);
}

static char *
expr_for (const char *path, const char *extra)
{
  return g_strdup_printf ("reader path=%s %s ! writer", path, extra ? extra : "");
}

/* ---- HTML ------------------------------------------------------------------------ */

/* A page saved from a news site: only the article's readable paragraphs,
 * entities decoded, the chrome (navigation, scripts, adverts, cookie banner,
 * comments, site footer, hidden elements) gone; title, meta and lang in meta. */
static void
test_html_news_article (void)
{
  g_autofree char *expr = expr_for (FIXTURES "/news-article.html", NULL);
  DpTestResult r = RUN ("run", "-q", "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (JsonObject) rec = only_record (r.out);
  g_assert_cmpstr (json_object_get_string_member (rec, "id"), ==, "news-article");
  g_assert_cmpstr (json_object_get_string_member (rec, "text"), ==,
                   "Asia & Pacific\n\n"
                   "Ministry denies new missile test\n\n"
                   "By Maria Keller \xc2\xb7 12 March 2024\n\n"
                   "An archive picture of a launcher, released in 2022.\n\n"
                   "SEOUL \xe2\x80\x94 The defence ministry on Tuesday denied reports that a Hwasong-11A "
                   "missile had been launched from the east coast, calling them \xe2\x80\x9cgroundless\xe2\x80\x9d.\n\n"
                   "\xe2\x80\x9cNo launch took place,\xe2\x80\x9d a spokesman, Lee Jae-won, told reporters. "
                   "\xe2\x80\x9cWe are monitoring the situation closely.\xe2\x80\x9d\n\n"
                   "Analysts at the Caf\xc3\xa9 Institute said the satellite images were inconclusive.\n"
                   "The institute\xe2\x80\x99s report is due next week.\n\n"
                   "The region cannot afford another escalation.\n\n"
                   "Range: about 1,000 km\nFirst shown: 2022\n\n"
                   "Year\tTests\n2022\t3\n\n"
                   "Reporting by Maria Keller; editing by Tom Hale.");
  JsonObject *meta = meta_of (rec);
  g_assert_cmpstr (json_object_get_string_member (meta, "title"), ==,
                   "Ministry denies new missile test | The Daily Ledger");
  g_assert_cmpstr (json_object_get_string_member (meta, "lang"), ==, "en-GB");
  g_assert_cmpstr (json_object_get_string_member (meta, "author"), ==, "Maria Keller");
  g_assert_cmpstr (json_object_get_string_member (meta, "og:title"), ==, "Ministry denies new missile test");
  g_assert_cmpstr (json_object_get_string_member (meta, "article:published_time"), ==, "2024-03-12T08:15:00Z");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (meta, "description"), "The defence ministry"));
  JsonArray *tags = json_object_get_array_member (meta, "article:tag");
  g_assert_cmpuint (json_array_get_length (tags), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (tags, 1), ==, "Asia");
  /* The page's plumbing is not the document's. */
  g_assert_false (json_object_has_member (meta, "viewport"));
  g_assert_false (json_object_has_member (meta, "robots"));
  g_assert_false (json_object_has_member (meta, "encoding"));   /* it was UTF-8 */
  dp_test_result_clear (&r);
}

/* Broken markup as browsers meet it: unclosed and misnested tags, blocks in
 * inline elements, entities without semicolons, a script holding tags. */
static void
test_html_tag_soup (void)
{
  g_autofree char *expr = expr_for (FIXTURES "/tag-soup.html", NULL);
  DpTestResult r = RUN ("run", "-q", "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (JsonObject) rec = only_record (r.out);
  g_assert_cmpstr (json_object_get_string_member (rec, "text"), ==,
                   "Market report\n\nPrices\n\n"
                   "Bread rose by 3%\n\n"
                   "Milk fellsharplyon Monday in most shops\n\n"
                   "Nested\n\nblocks inside\n\ndeeper\n\nstill\n\nend\n\n"
                   "one\ntwo\nthree\n\n"
                   "a\tb\nc\n\n"
                   "Unclosed &amp entity &copy 2024 &unknown; AB\n\n"
                   "After the script");
  g_assert_cmpstr (json_object_get_string_member (meta_of (rec), "title"), ==, "Soup & Bread");
  dp_test_result_clear (&r);
}

/* Whitespace as a browser collapses it; <pre> keeps it; <br> breaks lines.
 * The page's frame is never taken for an advert by its class. */
static void
test_html_whitespace (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-reader-XXXXXX");
  const char *page = "<body class=\"ads-enabled\">  <p>  one\n\t two  <b> three </b>four&nbsp;five</p>"
                     "<pre>  a\n    b</pre>x<br>y<br><br>z<br>"
                     "<div><div><p>inner</p></div></div>  <span> tail </span></body>";
  put_file (dir, "ws.htm", page, strlen (page));
  g_autofree char *expr = expr_for (dir, NULL);
  DpTestResult r = RUN ("run", "-q", "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (JsonObject) rec = only_record (r.out);
  g_assert_cmpstr (json_object_get_string_member (rec, "text"), ==,
                   "one two three four\xc2\xa0" "five\n\n  a\n    b\n\nx\ny\n\nz\n\ninner\n\ntail");
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

/* A page in windows-1252 declared by http-equiv, one in latin-1 declared by
 * <meta charset>; a page in UTF-8 that declares latin-1 stays UTF-8 (the
 * declaration is used only for bytes that are not UTF-8). */
static void
test_html_declared_charset (void)
{
  g_autofree char *expr = expr_for (FIXTURES "/windows-1252.html", NULL);
  DpTestResult r = RUN ("run", "-q", "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (JsonObject) rec = only_record (r.out);
  g_assert_cmpstr (json_object_get_string_member (rec, "text"), ==,
                   "Stra\xc3\x9f" "enbahn f\xc3\xa4hrt wieder\n\n"
                   "Die Linie 5 f\xc3\xa4hrt ab M\xc3\xa4rz wieder \xe2\x80\x93 so die Stadtwerke "
                   "\xe2\x80\x9eM\xc3\xbcnchen\xe2\x80\x9c.\n\nPreis: 3 \xe2\x82\xac.");
  g_assert_cmpstr (json_object_get_string_member (meta_of (rec), "encoding"), ==, "windows-1252");
  g_assert_cmpstr (json_object_get_string_member (meta_of (rec), "lang"), ==, "de");
  g_assert_false (json_object_has_member (meta_of (rec), "invalid_utf8"));
  dp_test_result_clear (&r);

  g_autofree char *expr2 = expr_for (FIXTURES "/latin1-meta.html", NULL);
  r = RUN ("run", "-q", "-e", expr2);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (JsonObject) rec2 = only_record (r.out);
  g_assert_cmpstr (json_object_get_string_member (rec2, "text"), ==, "Le caf\xc3\xa9 est ouvert.");
  g_assert_cmpstr (json_object_get_string_member (meta_of (rec2), "title"), ==, "Caf\xc3\xa9");
  dp_test_result_clear (&r);

  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-reader-XXXXXX");
  const char *lie = "<meta charset=\"iso-8859-1\"><p>Caf\xc3\xa9</p>";
  put_file (dir, "lie.html", lie, strlen (lie));
  g_autofree char *expr3 = expr_for (dir, NULL);
  r = RUN ("run", "-q", "-e", expr3);
  g_autoptr (JsonObject) rec3 = only_record (r.out);
  g_assert_cmpstr (json_object_get_string_member (rec3, "text"), ==, "Caf\xc3\xa9");
  g_assert_false (json_object_has_member (meta_of (rec3), "encoding"));
  dp_test_result_clear (&r);

  /* the word "charset" in some other attribute's text is no declaration */
  const char *word = "<meta name=\"description\" content=\"the charset of doom\">"
                     "<meta charset=windows-1252><p>\x93" "Doom\x94</p>";
  put_file (dir, "lie.html", word, strlen (word));
  r = RUN ("run", "-q", "-e", expr3);
  g_autoptr (JsonObject) rec4 = only_record (r.out);
  g_assert_cmpstr (json_object_get_string_member (rec4, "text"), ==, "\xe2\x80\x9c" "Doom\xe2\x80\x9d");
  g_assert_cmpstr (json_object_get_string_member (meta_of (rec4), "encoding"), ==, "windows-1252");
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

/* 100,000 levels of nesting: no crash, and the text after them is kept. */
static void
test_html_deep_nesting (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-reader-XXXXXX");
  const guint n = 100000;
  g_autoptr (GString) page = g_string_new ("<html><body><p>start</p>");
  for (guint i = 0; i < n; i++)
    g_string_append (page, i % 2 ? "<div>" : "<span><b>");
  g_string_append (page, "deep text");
  for (guint i = 0; i < n; i++)
    g_string_append (page, i % 2 ? "</div>" : "</b></span>");
  g_string_append (page, "<p>after</p>");
  /* and as many tags never closed */
  for (guint i = 0; i < n; i++)
    g_string_append (page, "<section><em>");
  g_string_append (page, "unclosed");
  put_file (dir, "deep.html", page->str, page->len);
  g_autofree char *expr = expr_for (dir, NULL);
  DpTestResult r = RUN ("run", "-q", "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (JsonObject) rec = only_record (r.out);
  g_assert_cmpstr (json_object_get_string_member (rec, "text"), ==, "start\n\ndeep text\n\nafter\n\nunclosed");
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

/* format = html on any name, and on standard input. */
static void
test_html_format_setting (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-reader-XXXXXX");
  const char *page = "<p>Para &amp; graph</p><script>no()</script>";
  put_file (dir, "page.txt", page, strlen (page));
  g_autofree char *expr = expr_for (dir, "format=html");
  DpTestResult r = RUN ("run", "-q", "-e", expr);
  g_autoptr (JsonObject) rec = only_record (r.out);
  g_assert_cmpstr (json_object_get_string_member (rec, "text"), ==, "Para & graph");
  dp_test_result_clear (&r);
  /* auto reads a .txt as text, markup and all */
  g_autofree char *expr2 = expr_for (dir, NULL);
  r = RUN ("run", "-q", "-e", expr2);
  g_autoptr (JsonObject) rec2 = only_record (r.out);
  g_assert_cmpstr (json_object_get_string_member (rec2, "text"), ==, page);
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

/* ---- encodings --------------------------------------------------------------------- */

static void
test_encodings (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-reader-XXXXXX");
  /* "Köln €" with a BOM, both byte orders; a lone surrogate in the LE one's copy */
  static const char le[] = "\xFF\xFEK\0\xF6\0l\0n\0 \0\xAC\x20\n\0";
  static const char be[] = "\xFE\xFF\0K\0\xF6\0l\0n\0 \x20\xAC\0\n";
  static const char bad_le[] = "\xFF\xFEK\0\x00\xD8o\0";
  put_file (dir, "le.txt", le, sizeof le - 1);
  put_file (dir, "be.txt", be, sizeof be - 1);
  put_file (dir, "bad16.txt", bad_le, sizeof bad_le - 1);
  put_text (dir, "bom8.txt", "\xEF\xBB\xBFplain\n");
  put_text (dir, "latin.txt", "Z\xfcrich, Gen\xe8ve\n");
  put_text (dir, "cp1252.txt", "\x84quoted\x93 \x80 5\n");

  g_autofree char *expr = expr_for (dir, NULL);
  DpTestResult r = RUN ("run", "-q", "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (JsonObject) rle = record_by_id (r.out, "le");
  g_autoptr (JsonObject) rbe = record_by_id (r.out, "be");
  g_autoptr (JsonObject) rbad = record_by_id (r.out, "bad16");
  g_autoptr (JsonObject) rbom = record_by_id (r.out, "bom8");
  g_autoptr (JsonObject) rlat = record_by_id (r.out, "latin");
  g_assert_cmpstr (json_object_get_string_member (rle, "text"), ==, "K\xc3\xb6ln \xe2\x82\xac\n");
  g_assert_cmpstr (json_object_get_string_member (meta_of (rle), "encoding"), ==, "UTF-16LE");
  g_assert_cmpstr (json_object_get_string_member (rbe, "text"), ==, "K\xc3\xb6ln \xe2\x82\xac\n");
  g_assert_cmpstr (json_object_get_string_member (meta_of (rbe), "encoding"), ==, "UTF-16BE");
  g_assert_cmpstr (json_object_get_string_member (rbad, "text"), ==, "K\xef\xbf\xbdo");
  g_assert_cmpint (json_object_get_int_member (meta_of (rbad), "invalid_utf8"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (rbom, "text"), ==, "plain\n");
  /* no encoding declared: invalid-utf8 = replace */
  g_assert_cmpstr (json_object_get_string_member (rlat, "text"), ==, "Z\xef\xbf\xbdrich, Gen\xef\xbf\xbdve\n");
  g_assert_cmpint (json_object_get_int_member (meta_of (rlat), "invalid_utf8"), ==, 2);
  dp_test_result_clear (&r);

  /* declared: converted, and valid UTF-8 files are left as they are */
  g_autofree char *expr2 = expr_for (dir, "encoding=windows-1252");
  r = RUN ("run", "-q", "-e", expr2);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (JsonObject) lat = record_by_id (r.out, "latin");
  g_autoptr (JsonObject) cp = record_by_id (r.out, "cp1252");
  g_autoptr (JsonObject) bom = record_by_id (r.out, "bom8");
  g_assert_cmpstr (json_object_get_string_member (lat, "text"), ==, "Z\xc3\xbcrich, Gen\xc3\xa8ve\n");
  g_assert_cmpstr (json_object_get_string_member (meta_of (lat), "encoding"), ==, "windows-1252");
  g_assert_cmpstr (json_object_get_string_member (cp, "text"), ==,
                   "\xe2\x80\x9equoted\xe2\x80\x9c \xe2\x82\xac 5\n");
  g_assert_false (json_object_has_member (meta_of (bom), "encoding"));
  dp_test_result_clear (&r);

  /* latin1 (ISO-8859-1 has no euro sign: 0x80 is a C1 control there) */
  g_autofree char *lat1 = g_build_filename (dir, "latin.txt", NULL);
  g_autofree char *expr3 = expr_for (lat1, "encoding=latin1");
  r = RUN ("run", "-q", "-e", expr3);
  g_autoptr (JsonObject) l1 = only_record (r.out);
  g_assert_cmpstr (json_object_get_string_member (l1, "text"), ==, "Z\xc3\xbcrich, Gen\xc3\xa8ve\n");
  dp_test_result_clear (&r);

  /* invalid-utf8 = reject covers bad UTF-16 too */
  g_autofree char *bad = g_build_filename (dir, "bad16.txt", NULL);
  g_autofree char *expr4 = expr_for (bad, "invalid-utf8=reject");
  r = RUN ("run", "-s", "pipeline.dead-letter=-", "-e", expr4);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_nonnull (strstr (r.err, "1 invalid UTF-16LE sequence (invalid-utf8 = reject)"));
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

/* An encoding iconv does not know is refused by check, before any run. */
static void
test_unknown_encoding (void)
{
  DpTestResult r = RUN ("check", "-e", "reader path=- encoding=klingon ! writer");
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "key 'encoding': 'klingon' is not one of"));
  dp_test_result_clear (&r);
}

/* ---- gzip ---------------------------------------------------------------------------- */

static void
test_gzip (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-reader-XXXXXX");
  put_gzip (dir, "news.jsonl.gz", "{\"id\":\"n1\",\"text\":\"One.\"}\n\n{\"id\":\"n2\",\"text\":\"Two.\"}\n");
  put_gzip (dir, "pages/front.html.gz", "<html lang=fr><title>Une</title><p>Bonjour &amp; bienvenue</p><script>x</script>");
  put_gzip (dir, "notes.txt.gz", "Plain notes.\n");
  g_autofree char *expr = expr_for (dir, NULL);
  DpTestResult r = RUN ("run", "-q", "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  g_autofree char *ids = ids_of (r.out);
  g_assert_cmpstr (ids, ==, "n1,n2,notes,pages/front");
  g_autoptr (JsonObject) n2 = record_by_id (r.out, "n2");
  g_autofree char *src = g_strdup_printf ("%s/news.jsonl.gz:3", dir);
  g_assert_cmpstr (json_object_get_string_member (n2, "source"), ==, src);
  g_autoptr (JsonObject) front = record_by_id (r.out, "pages/front");
  g_assert_cmpstr (json_object_get_string_member (front, "text"), ==, "Bonjour & bienvenue");
  g_assert_cmpstr (json_object_get_string_member (meta_of (front), "lang"), ==, "fr");
  g_autoptr (JsonObject) notes = record_by_id (r.out, "notes");
  g_assert_cmpstr (json_object_get_string_member (notes, "text"), ==, "Plain notes.\n");
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

/* A corrupt or truncated gzip file: an error naming it, dead-lettered, and
 * the other files still read (walked, or named on their own). */
static void
test_gzip_corrupt (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-reader-XXXXXX");
  g_autoptr (GString) lines = g_string_new (NULL);
  for (guint i = 0; i < 3000; i++)
    g_string_append_printf (lines, "{\"id\":\"c%u\",\"text\":\"Line %u of a long file.\"}\n", i, i * 7919);
  g_autoptr (GBytes) gz = gzip_bytes (lines->str, lines->len);
  gsize n;
  const char *p = g_bytes_get_data (gz, &n);
  g_autoptr (GString) bad = g_string_new_len (p, (gssize) n / 2);
  for (guint i = 0; i < 64; i++)
    g_string_append (bad, "garbage!");
  put_file (dir, "a-broken.jsonl.gz", bad->str, bad->len);
  put_file (dir, "b-cut.txt.gz", p, 20);
  put_text (dir, "c-notgzip.txt.gz", "plain text, not gzip\n");
  put_text (dir, "d-good.txt", "Good.\n");

  g_autofree char *expr = expr_for (dir, NULL);
  DpTestResult r = RUN ("run", "-s", "pipeline.dead-letter=-", "-e", expr);
  g_assert_cmpint (r.status, ==, 3);
  g_autoptr (JsonObject) good = record_by_id (r.out, "d-good");
  g_assert_nonnull (good);
  g_assert_null (strstr (r.out, "\"text\":\"plain text"));
  for (guint i = 0; i < 3; i++)
    {
      const char *name = (const char *[]) { "a-broken.jsonl.gz", "b-cut.txt.gz", "c-notgzip.txt.gz" }[i];
      g_autofree char *want = g_strdup_printf ("%s/%s: corrupt or truncated gzip data", dir, name);
      g_assert_nonnull (strstr (r.err, want));
    }
  g_assert_nonnull (strstr (r.err, "3 records failed"));
  dp_test_result_clear (&r);

  /* named on its own: one dead letter, none of the garbage deflate makes of
   * the damaged part before the damage shows */
  g_autofree char *broken = g_build_filename (dir, "a-broken.jsonl.gz", NULL);
  g_autofree char *expr2 = expr_for (broken, NULL);
  r = RUN ("run", "-s", "pipeline.dead-letter=-", "-e", expr2);
  g_assert_cmpint (r.status, ==, 3);
  g_autofree char *want = g_strdup_printf ("%s: corrupt or truncated gzip data", broken);
  g_assert_nonnull (strstr (r.err, want));
  g_assert_nonnull (strstr (r.err, "1 record failed"));
  g_assert_cmpstr (r.out, ==, "");
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

/* ---- binary files ----------------------------------------------------------------------- */

static void
test_binary_in_walk (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-reader-XXXXXX");
  static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
  static const char le[] = "\xFF\xFEH\0i\0";
  put_text (dir, "a.txt", "Alpha.\n");
  put_file (dir, "logo.png", png, sizeof png - 1);
  static const char pdf[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n";
  put_file (dir, "docs/report.pdf", pdf, sizeof pdf - 1);
  put_file (dir, "docs/data.bin", "text\0with\0nuls", 14);
  put_file (dir, "docs/utf16.txt", le, sizeof le - 1);   /* NUL bytes, but a BOM: text */
  put_gzip (dir, "docs/image.jpg.gz", "\xFF\xD8\xFF\xE0\0\x10JFIF");
  put_text (dir, "z.jsonl", "{\"id\":\"j\",\"text\":\"Jay.\"}\n");

  g_autofree char *stats = g_build_filename (dir, "stats.json", NULL);
  g_autofree char *expr = expr_for (dir, NULL);
  DpTestResult r = RUN ("run", "--stats", stats, "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  g_autofree char *ids = ids_of (r.out);
  g_assert_cmpstr (ids, ==, "a,docs/utf16,j");
  const char *const skipped[] = { "logo.png: a binary file (PNG image); skipped",
                                  "docs/report.pdf: a binary file (PDF document); skipped",
                                  "docs/data.bin: a binary file (NUL bytes in its first 4 KiB); skipped",
                                  "docs/image.jpg.gz: a binary file (JPEG image); skipped" };
  for (guint i = 0; i < G_N_ELEMENTS (skipped); i++)
    {
      const char *at = strstr (r.err, skipped[i]);
      g_assert_nonnull (at);
      g_assert_null (strstr (at + 1, skipped[i]));   /* one warning each */
    }
  g_autofree char *text = dp_test_read_file (stats);
  g_autoptr (JsonObject) s = dp_test_parse_object (text);
  g_assert_cmpint (json_object_get_int_member (s, "inputs_skipped"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (s, "records_in"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (s, "records_failed"), ==, 0);
  dp_test_result_clear (&r);

  /* a file named explicitly is read whatever it holds */
  g_autofree char *bin = g_build_filename (dir, "docs", "data.bin", NULL);
  g_autofree char *expr2 = expr_for (bin, NULL);
  r = RUN ("run", "-q", "-e", expr2);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (JsonObject) rec = only_record (r.out);
  g_assert_cmpint (json_object_get_int_member (meta_of (rec), "invalid_utf8"), ==, 2);
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

/* ---- JSON lines fields --------------------------------------------------------------------- */

static void
test_jsonl_fields (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-reader-XXXXXX");
  const char *lines =
    "{\"doc_id\":\"a1\",\"body\":\"Body one.\",\"text\":\"teaser\",\"id\":\"old\",\"meta\":{\"k\":1},\"source\":\"feed\",\"lang\":\"en\"}\n"
    "{\"doc_id\":42,\"body\":\"Body two.\"}\n"
    "{\"body\":\"No id.\"}\n"
    "{\"doc_id\":\"z\",\"text\":\"no body\"}\n"
    "{\"doc_id\":[1],\"body\":\"bad id\"}\n"
    "{\"doc_id\":\"b\",\"body\":\"x\"} trailing\n";
  put_file (dir, "feed.jsonl", lines, strlen (lines));
  g_autofree char *path = g_build_filename (dir, "feed.jsonl", NULL);
  g_autofree char *expr = expr_for (path, "text-field=body id-field=doc_id");
  DpTestResult r = RUN ("run", "-s", "pipeline.dead-letter=-", "-e", expr);
  g_assert_cmpint (r.status, ==, 3);
  g_autoptr (GPtrArray) recs = records_of (r.out);
  g_assert_cmpuint (recs->len, ==, 3);
  JsonObject *a = g_ptr_array_index (recs, 0);
  g_assert_cmpstr (json_object_get_string_member (a, "id"), ==, "a1");
  g_assert_cmpstr (json_object_get_string_member (a, "text"), ==, "Body one.");
  g_assert_cmpstr (json_object_get_string_member (a, "source"), ==, "feed");
  /* every other field is meta: the "meta" object's members first */
  g_autoptr (JsonNode) m = json_node_init_object (json_node_alloc (), meta_of (a));
  g_autofree char *meta = json_to_string (m, FALSE);
  g_assert_cmpstr (meta, ==, "{\"k\":1,\"text\":\"teaser\",\"id\":\"old\",\"lang\":\"en\"}");
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (recs, 1), "id"), ==, "42");
  g_autofree char *src3 = g_strdup_printf ("%s:3", path);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (recs, 2), "id"), ==, src3);
  g_assert_nonnull (strstr (r.err, "no \\\"body\\\" field (the text-field)"));
  g_assert_nonnull (strstr (r.err, "\\\"doc_id\\\" (the id-field) is neither a string nor an integer"));
  /* a line that is not JSON: the error the line alone gives (its own columns) */
  g_assert_nonnull (strstr (r.err, "feed.jsonl:6: failed in stage 'reader': invalid JSON at byte 26: "
                                   "text after the record's object"));
  dp_test_result_clear (&r);

  /* defaults: text and id, as before */
  g_autofree char *expr2 = expr_for (path, NULL);
  r = RUN ("run", "-q", "-s", "pipeline.dead-letter=-", "-e", expr2);
  g_autofree char *ids = ids_of (r.out);
  g_autofree char *want = g_strdup_printf ("old,%s:4", path);   /* the others have no "text" */
  g_assert_cmpstr (ids, ==, want);
  g_assert_nonnull (strstr (r.out, "\"text\":\"no body\""));
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

/* ---- ids ------------------------------------------------------------------------------------- */

/* The same files give the same ids however the path is written: absolute,
 * with a trailing slash, relative from elsewhere, or as a glob. */
static void
test_ids_stable (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-reader-XXXXXX");
  put_text (dir, "corpus/2024/vienna.txt", "Vienna.\n");
  put_gzip (dir, "corpus/2024/page.html.gz", "<p>Page.</p>");
  put_text (dir, "corpus/b.md", "Bee.\n");
  put_text (dir, "corpus/feed.jsonl", "{\"id\":\"f-1\",\"text\":\"F.\"}\n");

  g_autofree char *abs = g_build_filename (dir, "corpus", NULL);
  g_autofree char *slash = g_strconcat (abs, "/", NULL);
  g_autofree char *e1 = expr_for (abs, NULL);
  g_autofree char *e2 = expr_for (slash, NULL);
  DpTestResult r1 = RUN ("run", "-q", "-e", e1);
  DpTestResult r2 = RUN ("run", "-q", "-s", "pipeline.workers=3", "-e", e2);
  DpTestResult r3 = RUN_IN (dir, "run", "-q", "-e", "reader path=corpus ! writer");
  DpTestResult r4 = RUN_IN (abs, "run", "-q", "-e", "reader path=../corpus/ ! writer");
  g_autofree char *ids1 = ids_of (r1.out);
  g_assert_cmpstr (ids1, ==, "2024/page,2024/vienna,b,f-1");
  g_autofree char *ids2 = ids_of (r2.out);
  g_autofree char *ids3 = ids_of (r3.out);
  g_autofree char *ids4 = ids_of (r4.out);
  g_assert_cmpstr (ids2, ==, ids1);
  g_assert_cmpstr (ids3, ==, ids1);
  g_assert_cmpstr (ids4, ==, ids1);
  /* a glob's ids are relative to its directory */
  DpTestResult r5 = RUN_IN (dir, "run", "-q", "-e", "reader path=corpus/2024/* ! writer");
  g_autofree char *ids5 = ids_of (r5.out);
  g_assert_cmpstr (ids5, ==, "page,vienna");
  dp_test_result_clear (&r1);
  dp_test_result_clear (&r2);
  dp_test_result_clear (&r3);
  dp_test_result_clear (&r4);
  dp_test_result_clear (&r5);
  dp_test_remove_tree (dir);
}

/* Files that would share an id (the extension dropped) get distinct ones: a
 * sink keyed by id (SQLite, the state file) would otherwise take one for a new
 * version of the other. */
static void
test_ids_distinct (void)
{
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-reader-XXXXXX");
  put_text (dir, "corpus/a.txt", "Alpha.\n");
  put_text (dir, "corpus/a.html", "<p>Beta.</p>");
  put_gzip (dir, "corpus/a.txt.gz", "Gamma.\n");
  put_text (dir, "corpus/b.txt", "Bee.\n");
  DpTestResult r = RUN_IN (dir, "run", "--log-format", "plain", "-e", "reader path=corpus ! writer");
  g_assert_cmpint (r.status, ==, 0);
  g_autofree char *ids = ids_of (r.out);
  g_assert_cmpstr (ids, ==, "a,a.txt,a.txt.gz,b");
  g_assert_nonnull (strstr (r.err, "corpus/a.txt would have the id of "));
  g_assert_nonnull (strstr (r.err, "its id is a.txt.gz"));
  dp_test_result_clear (&r);
  dp_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/reader/html/news-article", test_html_news_article);
  g_test_add_func ("/reader/html/tag-soup", test_html_tag_soup);
  g_test_add_func ("/reader/html/whitespace", test_html_whitespace);
  g_test_add_func ("/reader/html/declared-charset", test_html_declared_charset);
  g_test_add_func ("/reader/html/deep-nesting", test_html_deep_nesting);
  g_test_add_func ("/reader/html/format-setting", test_html_format_setting);
  g_test_add_func ("/reader/encodings", test_encodings);
  g_test_add_func ("/reader/unknown-encoding", test_unknown_encoding);
  g_test_add_func ("/reader/gzip", test_gzip);
  g_test_add_func ("/reader/gzip-corrupt", test_gzip_corrupt);
  g_test_add_func ("/reader/binary-in-walk", test_binary_in_walk);
  g_test_add_func ("/reader/jsonl-fields", test_jsonl_fields);
  g_test_add_func ("/reader/ids-stable", test_ids_stable);
  g_test_add_func ("/reader/ids-distinct", test_ids_distinct);
  return g_test_run ();
}
