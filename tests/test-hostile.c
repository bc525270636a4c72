/* test-hostile.c — the hostile-input suite: the real docpipe binary, end to
 * end, on inputs nobody checked (issue 20).  For each case it checks the exit
 * code (docs/cli.md), a message naming the file, line or record, that every
 * good record is written and every bad one is in the dead-letter file with its
 * reason, and the child's peak RSS (wait4) against the bound
 * docs/reliability.md documents: the baseline of a tiny run through the same
 * stages plus a multiple of the record bytes in flight (the largest record,
 * or for many large ones queue-depth batches of 1 MiB plus one record).
 *
 * Inputs are generated in a temporary directory.  The big cases run reduced
 * by default; DP_HOSTILE_FULL=1 (tests/hostile/big.sh) runs them at full size
 * (a 200 MB document, a million records, 10 MB lines) and `--verbose` prints
 * the figures.  Nothing here writes to a /dev node other than the real
 * /dev/full, read-only as a target; CSV and SQLite, which name files after
 * their path, get a mknod copy (or a FIFO) in the temporary directory.
 */
#include "test-util.h"

#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLUGIN_PATH DP_TEST_PLUGINS ":" DP_TEST_FIXTURES_GOOD

/* The documented bounds (docs/reliability.md, "Hostile inputs"): peak RSS
 * above a tiny run's through the same stages, as a multiple of the record
 * bytes that may be in flight.  For one huge record that is the record; for
 * many large ones, the reader hands a batch on once it holds 1 MiB, so at
 * most queue-depth batches of 1 MiB plus one record each. */
#define BOUND_WRITER 4
#define BOUND_NORMALIZER 6
/* The news stages (normalizer, ner, claims) on text shaped against them:
 * each claim takes about 2.5 kB in memory (its attributes, cue and speaker
 * are a JsonObject each: docs/reliability.md has the breakdown), so a text
 * of short claims packed tight (`He said that "A said that B. `, two every
 * 29 bytes) comes to about 230 times its size (was 251 before the claims
 * shared their kind, act and source nodes).  The other shapes stay under 70 (`said that he
 * said that` was 180 before the claims stage kept at most four claims over
 * any character). */
#define BOUND_NEWS 300
#define BATCH_BYTES (1u << 20)
/* -j 2: 2 per worker plus 2 batches in flight (docs/pipelines.md). */
#define QUEUE_DEPTH 6
/* Small records: memory does not grow with their number. */
#define BOUND_SMALL_RECORDS_MB 64

static gboolean full_size;

/* ---- running docpipe with its own rusage ----------------------------------------- */

typedef struct {
  int status;       /* exit code, or 128 + signal */
  long rss_kb;      /* the child's peak RSS */
  double seconds;
  char *out, *err;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}

typedef struct {
  pid_t pid;
  char *out_path, *err_path;
  gint64 start;
} Child;

/* Starts docpipe in @dir with @args; stdin from @stdin_path (NULL: /dev/null,
 * read), stdout and stderr to files in @dir.  A CPU limit turns a hang on
 * hostile input into a failure.
 *
 * A forked child starts with the test's resident pages counted as its own,
 * and exec keeps that peak in ru_maxrss: the test holds no big buffer when it
 * starts a run it measures (it streams files, frees its inputs). */
static Child
spawn_in (const char *dir, const char *stdin_path, const char *const *args)
{
  g_autoptr (GPtrArray) argv = dp_test_docpipe_argv (args);
  Child c = { 0 };
  static guint n;
  c.out_path = g_strdup_printf ("%s/.out-%u", dir, n);
  c.err_path = g_strdup_printf ("%s/.err-%u", dir, n++);
  int in = open (stdin_path ? stdin_path : "/dev/null", O_RDONLY | O_CLOEXEC);
  int out = open (c.out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int err = open (c.err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_assert_true (in >= 0 && out >= 0 && err >= 0);
  c.start = g_get_monotonic_time ();
  c.pid = fork ();
  g_assert_cmpint (c.pid, >=, 0);
  if (c.pid == 0)
    {
      struct rlimit cpu = { 300, 300 };
      setrlimit (RLIMIT_CPU, &cpu);
      if (dup2 (in, 0) < 0 || dup2 (out, 1) < 0 || dup2 (err, 2) < 0 || chdir (dir) != 0)
        _exit (99);
      execv (DP_TEST_DOCPIPE, (char *const *) argv->pdata);
      _exit (98);
    }
  close (in);
  close (out);
  close (err);
  return c;
}

static Run
wait_child (Child *c)
{
  Run r = { 0 };
  int st;
  struct rusage ru;
  while (wait4 (c->pid, &st, 0, &ru) < 0)
    g_assert_cmpint (errno, ==, EINTR);
  r.seconds = (g_get_monotonic_time () - c->start) / 1e6;
  r.status = WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
  r.rss_kb = ru.ru_maxrss;
  r.out = dp_test_read_file (c->out_path);
  r.err = dp_test_read_file (c->err_path);
  remove (c->out_path);
  remove (c->err_path);
  g_free (c->out_path);
  g_free (c->err_path);
  return r;
}

static Run
run_in (const char *dir, const char *const *args)
{
  Child c = spawn_in (dir, NULL, args);
  return wait_child (&c);
}

#define RUN(dir, ...) run_in (dir, (const char *const[]) { __VA_ARGS__, NULL })

/* ---- inputs and outputs ------------------------------------------------------------ */

static char *
path_in (const char *dir, const char *name)
{
  return g_build_filename (dir, name, NULL);
}

static void
write_file (const char *path, const char *data, gssize len)
{
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
}

static guint
count_lines (const char *text)
{
  guint n = 0;
  for (const char *p = text; p && *p; p++)
    n += *p == '\n';
  return n;
}

/* The lines of the file at @path, read in pieces: the test's own memory
 * stays small (see spawn_in). */
static guint
count_file_lines (const char *path)
{
  FILE *f = fopen (path, "r");
  g_assert_nonnull (f);
  char buf[65536];
  guint n = 0;
  size_t got;
  while ((got = fread (buf, 1, sizeof buf, f)) > 0)
    for (size_t i = 0; i < got; i++)
      n += buf[i] == '\n';
  fclose (f);
  return n;
}

/* Each line of @text as a JSON object. */
static GPtrArray *
objects_of (const char *text)
{
  GPtrArray *objs = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (*lines[i])
      g_ptr_array_add (objs, dp_test_parse_object (lines[i]));
  return objs;
}

static const char *
member (JsonObject *o, const char *name)
{
  return json_object_has_member (o, name) ? json_object_get_string_member (o, name) : NULL;
}

/* The dead letter whose source is @source (NULL if none). */
static JsonObject *
dead_letter_for (GPtrArray *dead, const char *source)
{
  for (guint i = 0; i < dead->len; i++)
    if (g_strcmp0 (member (dead->pdata[i], "source"), source) == 0)
      return dead->pdata[i];
  return NULL;
}

static gboolean
contains (const char *haystack, const char *needle)
{
  return haystack && strstr (haystack, needle) != NULL;
}

#define assert_contains(h, n) \
  G_STMT_START { if (!contains ((h), (n))) g_error ("'%s' not found in:\n%s", (n), (h)); } G_STMT_END

/* A tiny run's peak RSS through the same stages (@stages: between reader and
 * writer, "" for none): what the process takes before any record (libraries,
 * plugins, models, threads).  Measured once per stage set. */
static long
baseline (const char *stages)
{
  static GHashTable *known;
  if (!known)
    known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gpointer kb = g_hash_table_lookup (known, stages);
  if (kb)
    return GPOINTER_TO_SIZE (kb);
  g_autofree char *dir = dp_test_make_tmp_dir ("docpipe-hostile-XXXXXX");
  g_autofree char *in = g_build_filename (dir, "tiny.txt", NULL);
  write_file (in, "The minister said on Monday that talks would resume.\n", -1);
  g_autofree char *expr = g_strdup_printf ("reader path=tiny.txt ! %s%swriter path=out.jsonl", stages, *stages ? " ! " : "");
  Run r = RUN (dir, "run", "-q", "-P", PLUGIN_PATH, "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  g_hash_table_insert (known, g_strdup (stages), GSIZE_TO_POINTER ((gsize) r.rss_kb));
  g_test_message ("baseline of '%s': peak RSS %ld kB", expr, r.rss_kb);
  run_clear (&r);
  dp_test_remove_tree (dir);
  return r.rss_kb;
}

/* Peak RSS within the baseline of @stages plus @factor times @largest, the
 * record bytes that may be in flight at once. */
static void
assert_rss (const char *what, const char *stages, const Run *r, gsize largest, double factor)
{
  long base = baseline (stages);
  double multiple = (r->rss_kb - base) * 1024.0 / MAX (largest, 1);
  g_test_message ("%s: exit %d, %.2f s, peak RSS %ld kB (baseline %ld kB), largest record %" G_GSIZE_FORMAT
                  " bytes in flight: %.1fx above the baseline (bound %.0fx)",
                  what, r->status, r->seconds, r->rss_kb, base, largest, multiple, factor);
#ifndef __SANITIZE_ADDRESS__
  /* (AddressSanitizer's shadow memory and quarantine are no figure of docpipe's.) */
  if (r->rss_kb > base + (long) (factor * largest / 1024))
    g_error ("%s: peak RSS %ld kB passes the bound: baseline %ld kB + %.0f x %" G_GSIZE_FORMAT " bytes",
             what, r->rss_kb, base, factor, largest);
#endif
}

static char *
tmp_dir (void)
{
  return dp_test_make_tmp_dir ("docpipe-hostile-XXXXXX");
}

/* ---- invalid UTF-8, NUL bytes, empty inputs ------------------------------------------- */

static void
test_invalid_utf8 (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *txt = path_in (dir, "latin.txt");
  write_file (txt, "caf\xe9 \xff\xfe ok\n", -1);
  g_autofree char *jsonl = path_in (dir, "mixed.jsonl");
  write_file (jsonl, "{\"id\":\"good\",\"text\":\"fine\"}\n{\"id\":\"bad\",\"text\":\"caf\xe9\"}\n"
                     "{\"id\":\"also\",\"text\":\"fine too\"}\n", -1);

  /* replace (the default): kept, counted in meta. */
  Run r = RUN (dir, "run", "-q", "-P", PLUGIN_PATH, "-e", "reader path=latin.txt ! writer");
  g_assert_cmpint (r.status, ==, 0);
  assert_contains (r.out, "\"text\":\"caf\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd ok\\n\"");
  assert_contains (r.out, "\"invalid_utf8\":3");
  run_clear (&r);

  /* reject: the bad record is dead-lettered with its raw bytes in base64, the others written. */
  r = RUN (dir, "run", "-P", PLUGIN_PATH, "-e", "reader path=mixed.jsonl invalid-utf8=reject ! writer",
           "-s", "pipeline.dead-letter=dead.jsonl");
  g_assert_cmpint (r.status, ==, 3);
  g_assert_cmpuint (count_lines (r.out), ==, 2);
  assert_contains (r.out, "\"id\":\"good\"");
  assert_contains (r.out, "\"id\":\"also\"");
  g_autofree char *src = g_strdup_printf ("%s:2", jsonl);
  assert_contains (r.err, src);
  g_autofree char *dl = path_in (dir, "dead.jsonl");
  g_autofree char *dead_text = dp_test_read_file (dl);
  g_autoptr (GPtrArray) dead = objects_of (dead_text);
  g_assert_cmpuint (dead->len, ==, 1);
  JsonObject *d = dead_letter_for (dead, src);
  g_assert_nonnull (d);
  assert_contains (member (d, "error"), "UTF-8");
  g_assert_true (json_object_has_member (d, "raw_base64"));
  run_clear (&r);
  dp_test_remove_tree (dir);
}

static void
test_nul_bytes (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *sub = path_in (dir, "tree");
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  g_autofree char *named = path_in (dir, "nul.txt");
  write_file (named, "a\0b\0c\n", 6);
  g_autofree char *found = path_in (sub, "nul.txt");
  write_file (found, "a\0b\0c\n", 6);
  g_autofree char *ok = path_in (sub, "ok.txt");
  write_file (ok, "Plain.\n", -1);
  g_autofree char *jsonl = path_in (dir, "nul.jsonl");
  static const char nul_lines[] = "{\"id\":\"esc\",\"text\":\"x\\u0000y\"}\n{\"id\":\"raw\",\"text\":\"raw\0nul\"}\n"
                                  "{\"id\":\"key\0\",\"text\":\"k\"}\n\0\n{\"id\":\"after\",\"text\":\"z\"}\n";
  write_file (jsonl, nul_lines, sizeof nul_lines - 1);

  /* Named explicitly: read, the NULs replaced and counted. */
  Run r = RUN (dir, "run", "-q", "-P", PLUGIN_PATH, "-e", "reader path=nul.txt ! writer");
  g_assert_cmpint (r.status, ==, 0);
  assert_contains (r.out, "\"text\":\"a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\\n\"");
  run_clear (&r);

  /* Met in a directory: a binary file, skipped with a warning naming it. */
  r = RUN (dir, "run", "-P", PLUGIN_PATH, "-e", "reader path=tree ! writer", "--stats", "stats.json");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpuint (count_lines (r.out), ==, 1);
  assert_contains (r.out, "\"id\":\"ok\"");
  assert_contains (r.err, found);
  run_clear (&r);

  /* JSON lines: NUL escaped or raw in a string, in a key, alone on a line:
   * no line is lost, none crashes the reader, the last one is read. */
  r = RUN (dir, "run", "-P", PLUGIN_PATH, "-e", "reader path=nul.jsonl ! writer",
           "-s", "pipeline.dead-letter=dead.jsonl");
  g_autofree char *dl = path_in (dir, "dead.jsonl");
  g_autofree char *dead_text = g_file_test (dl, G_FILE_TEST_EXISTS) ? dp_test_read_file (dl) : g_strdup ("");
  g_assert_cmpuint (count_lines (r.out) + count_lines (dead_text), ==, 5);
  g_assert_cmpint (r.status, ==, count_lines (dead_text) ? 3 : 0);
  assert_contains (r.out, "\"id\":\"esc\",\"source\"");
  assert_contains (r.out, "\"text\":\"x\xef\xbf\xbdy\",\"meta\":{}");   /* \u0000: U+FFFD */
  assert_contains (r.out, "\"text\":\"raw\xef\xbf\xbdnul\",\"meta\":{\"invalid_utf8\":1}");
  assert_contains (r.out, "\"id\":\"after\"");
  g_autoptr (GPtrArray) dead = objects_of (dead_text);
  for (guint i = 0; i < dead->len; i++)
    {
      assert_contains (member (dead->pdata[i], "source"), jsonl);
      g_assert_nonnull (member (dead->pdata[i], "error"));
    }
  run_clear (&r);
  dp_test_remove_tree (dir);
}

static void
test_empty_inputs (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *txt = path_in (dir, "empty.txt");
  write_file (txt, "", 0);
  g_autofree char *jsonl = path_in (dir, "empty.jsonl");
  write_file (jsonl, "", 0);
  g_autofree char *blanks = path_in (dir, "blanks.jsonl");
  write_file (blanks, "\n\n   \n\t\r\n{\"id\":\"a\",\"text\":\"\"}\n{}\n\"\"\n{\"id\":\"b\",\"text\":\" \"}\n", -1);

  Run r = RUN (dir, "run", "-q", "-P", PLUGIN_PATH, "-e", "reader path=empty.txt ! normalizer ! ner ! claims ! writer");
  g_assert_cmpint (r.status, ==, 0);
  assert_contains (r.out, "\"id\":\"empty\"");
  assert_contains (r.out, "\"text\":\"\"");
  run_clear (&r);

  r = RUN (dir, "run", "-P", PLUGIN_PATH, "-e", "reader path=empty.jsonl ! writer path=out.jsonl");
  g_assert_cmpint (r.status, ==, 0);
  g_autofree char *out = path_in (dir, "out.jsonl");
  g_autofree char *out_text = dp_test_read_file (out);
  g_assert_cmpstr (out_text, ==, "");
  run_clear (&r);

  /* Blank lines are skipped but counted: the bad lines' sources give their real line numbers. */
  r = RUN (dir, "run", "-P", PLUGIN_PATH, "-e", "reader path=blanks.jsonl ! normalizer ! ner ! claims ! writer",
           "-s", "pipeline.dead-letter=dead.jsonl");
  g_assert_cmpint (r.status, ==, 3);
  g_assert_cmpuint (count_lines (r.out), ==, 2);
  g_autofree char *dl = path_in (dir, "dead.jsonl");
  g_autofree char *dead_text = dp_test_read_file (dl);
  g_autoptr (GPtrArray) dead = objects_of (dead_text);
  g_assert_cmpuint (dead->len, ==, 2);
  g_autofree char *l6 = g_strdup_printf ("%s:6", blanks);
  g_autofree char *l7 = g_strdup_printf ("%s:7", blanks);
  assert_contains (member (dead_letter_for (dead, l6), "error"), "no \"text\" field");
  g_assert_nonnull (dead_letter_for (dead, l7));
  assert_contains (r.err, l6);
  run_clear (&r);
  dp_test_remove_tree (dir);
}

/* ---- size: one huge document, many small ones, long lines ------------------------------- */

/* A text of @size bytes of news-like sentences. */
static void
write_sentences (const char *path, gsize size)
{
  static const char sentence[] = "The minister said on Monday that talks in Vienna would resume. ";
  FILE *f = fopen (path, "w");
  g_assert_nonnull (f);
  for (gsize n = 0; n + sizeof sentence - 1 <= size; n += sizeof sentence - 1)
    fputs (sentence, f);
  fclose (f);
}

static void
test_huge_document (void)
{
  gsize size = full_size ? 200u << 20 : 16u << 20;
  g_autofree char *dir = tmp_dir ();
  g_autofree char *doc = path_in (dir, "huge.txt");
  write_sentences (doc, size);
  struct stat st;
  g_assert_cmpint (g_stat (doc, &st), ==, 0);
  g_autofree char *limit = g_strdup_printf ("reader path=huge.txt max-record-size=%" G_GSIZE_FORMAT, size + 1);
  g_autofree char *expr = g_strdup_printf ("%s ! writer path=out.jsonl", limit);

  Run r = RUN (dir, "run", "-q", "-P", PLUGIN_PATH, "-e", expr);
  g_assert_cmpint (r.status, ==, 0);
  g_autofree char *out = path_in (dir, "out.jsonl");
  struct stat ost;
  g_assert_cmpint (g_stat (out, &ost), ==, 0);
  g_assert_cmpint (ost.st_size, >, st.st_size);
  assert_rss ("huge document, reader ! writer", "", &r, st.st_size, BOUND_WRITER);
  run_clear (&r);

  g_autofree char *expr2 = g_strdup_printf ("%s ! normalizer ! writer path=out.jsonl", limit);
  r = RUN (dir, "run", "-q", "-P", PLUGIN_PATH, "-e", expr2);
  g_assert_cmpint (r.status, ==, 0);
  assert_rss ("huge document, reader ! normalizer ! writer", "normalizer", &r, st.st_size, BOUND_NORMALIZER);
  run_clear (&r);

  /* Over the default limit (here a smaller one): one dead letter naming the
   * file and the limit, its contents never held. */
  r = RUN (dir, "run", "-P", PLUGIN_PATH, "-e", "reader path=huge.txt max-record-size=1048576 ! writer path=out.jsonl",
           "-s", "pipeline.dead-letter=dead.jsonl");
  g_assert_cmpint (r.status, ==, 3);
  assert_contains (r.err, doc);
  assert_contains (r.err, "exceeds max-record-size");
  g_autofree char *dl = path_in (dir, "dead.jsonl");
  g_autofree char *dead_text = dp_test_read_file (dl);
  g_autoptr (GPtrArray) dead = objects_of (dead_text);
  g_assert_cmpuint (dead->len, ==, 1);
  g_assert_cmpstr (member (dead->pdata[0], "source"), ==, doc);
  assert_rss ("huge document over max-record-size", "", &r, 1 << 20, BOUND_WRITER);
  run_clear (&r);
  dp_test_remove_tree (dir);
}

static void
test_many_records (void)
{
  guint n = full_size ? 1000000 : 50000;
  g_autofree char *dir = tmp_dir ();
  g_autofree char *in = path_in (dir, "many.jsonl");
  FILE *f = fopen (in, "w");
  for (guint i = 0; i < n; i++)
    fprintf (f, "{\"id\":\"d%u\",\"text\":\"Document %u said little.\"}\n", i, i);
  fclose (f);

  Run r = RUN (dir, "run", "-q", "-P", PLUGIN_PATH, "-e", "reader path=many.jsonl ! normalizer ! writer path=out.jsonl");
  g_assert_cmpint (r.status, ==, 0);
  g_autofree char *out = path_in (dir, "out.jsonl");
  g_autofree char *text = dp_test_read_file (out);
  g_assert_cmpuint (count_lines (text), ==, n);
  g_autofree char *last = g_strdup_printf ("{\"id\":\"d%u\",", n - 1);
  g_assert_true (g_str_has_prefix (text, "{\"id\":\"d0\","));
  assert_contains (text, last);
  g_test_message ("%u one-line documents: exit %d, %.2f s, peak RSS %ld kB (baseline %ld kB)",
                  n, r.status, r.seconds, r.rss_kb, baseline ("normalizer"));
#ifndef __SANITIZE_ADDRESS__
  g_assert_cmpint (r.rss_kb, <, baseline ("normalizer") + BOUND_SMALL_RECORDS_MB * 1024);
#endif
  run_clear (&r);
  dp_test_remove_tree (dir);
}

static void
test_long_lines (void)
{
  gsize len = full_size ? 10u << 20 : 1u << 20;
  guint n = full_size ? 24 : 48;
  g_autofree char *dir = tmp_dir ();
  g_autofree char *in = path_in (dir, "long.jsonl");
  FILE *f = fopen (in, "w");
  g_autofree char *words = g_malloc (len + 1);
  for (gsize i = 0; i < len; i++)
    words[i] = i % 6 == 5 ? ' ' : "Vienna"[i % 6];
  words[len] = '\0';
  for (guint i = 0; i < n; i++)
    fprintf (f, "{\"id\":\"L%u\",\"text\":\"%s\"}\n", i, words);
  fclose (f);
  g_clear_pointer (&words, g_free);
  gsize in_flight = QUEUE_DEPTH * (len + 32 + BATCH_BYTES);

  Run r = RUN (dir, "run", "-q", "-j", "2", "-P", PLUGIN_PATH, "-e", "reader path=long.jsonl ! writer path=out.jsonl");
  g_assert_cmpint (r.status, ==, 0);
  g_autofree char *out = path_in (dir, "out.jsonl");
  g_assert_cmpuint (count_file_lines (out), ==, n);
  assert_rss ("long lines, reader ! writer", "", &r, in_flight, BOUND_WRITER);
  run_clear (&r);

  r = RUN (dir, "run", "-q", "-j", "2", "-P", PLUGIN_PATH, "-e",
           "reader path=long.jsonl ! normalizer ! writer path=out.jsonl");
  g_assert_cmpint (r.status, ==, 0);
  assert_rss ("long lines, reader ! normalizer ! writer", "normalizer", &r, in_flight, BOUND_NORMALIZER);
  run_clear (&r);
  dp_test_remove_tree (dir);
}

/* ---- malformed records ----------------------------------------------------------------- */

typedef struct {
  const char *line;
  const char *error;   /* NULL: a good record */
} Line;

static void
test_wrong_json (void)
{
  g_autofree char *brackets = g_strnfill (100000, '[');
  g_autofree char *deep = g_strdup_printf ("{\"id\":\"deep\",\"text\":\"t\",\"meta\":{\"x\":%s1]}}", brackets);
  static const Line fixed[] = {
    { "{\"id\":\"g1\",\"text\":\"good\"}", NULL },
    { "{\"id\":\"n1\",\"text\":5}", "\"text\" is not a string" },
    { "{\"id\":\"n2\",\"text\":[\"a\"]}", "\"text\" is not a string" },
    { "{\"id\":\"n3\",\"text\":{\"a\":1}}", "\"text\" is not a string" },
    { "{\"id\":\"n4\",\"text\":null}", "\"text\" is not a string" },
    { "{\"id\":{\"x\":1},\"text\":\"t\"}", "\"id\" is neither a string nor an integer" },
    { "{\"id\":[1],\"text\":\"t\"}", "\"id\" is neither a string nor an integer" },
    { "{\"id\":\"g2\",\"text\":\"good\",\"meta\":{\"a\":[1,{\"b\":null}]}}", NULL },
    { "{\"id\":\"m1\",\"text\":\"t\",\"meta\":[1]}", "\"meta\" is not an object" },
    { "{\"id\":\"l1\",\"text\":\"hello\",\"layers\":[1]}", "\"layers\" is not an object" },
    { "{\"id\":\"l2\",\"text\":\"hello\",\"layers\":{\"x\":\"no\"}}", "layer \"x\" is not an array" },
    { "{\"id\":\"l3\",\"text\":\"hello\",\"layers\":{\"x\":[[0,1]]}}", "has no integer \"start\" and \"end\"" },
    { "{\"id\":\"s1\",\"text\":\"hello\",\"layers\":{\"x\":[{\"start\":4,\"end\":2}]}}", "outside the text" },
    { "{\"id\":\"s2\",\"text\":\"hello\",\"layers\":{\"x\":[{\"start\":0,\"end\":6}]}}", "outside the text" },
    { "{\"id\":\"s3\",\"text\":\"hello\",\"layers\":{\"x\":[{\"start\":-1,\"end\":2}]}}", "outside the text" },
    { "{\"id\":\"s4\",\"text\":\"hello\",\"layers\":{\"x\":[{\"start\":0.5,\"end\":2}]}}", "has no integer" },
    { "{\"id\":\"s5\",\"text\":\"hello\",\"layers\":{\"x\":[{\"start\":0,\"end\":99999999999999999999}]}}",
      "an integer too large for 64 bits" },   /* json-glib alone wrapped it to -1 */
    { "{\"id\":\"s6\",\"text\":\"hello\",\"layers\":{\"x\":[{\"start\":0,\"end\":2,\"label\":5}]}}",
      "\"label\" is not a string" },
    /* Offsets count code points: 1..2 of "héllo" is "é", two bytes. */
    { "{\"id\":\"g3\",\"text\":\"h\xc3\xa9llo\",\"layers\":{\"x\":[{\"start\":1,\"end\":2,\"label\":\"A\"}]}}", NULL },
    { "{\"id\":\"s7\",\"text\":\"h\xc3\xa9llo\",\"layers\":{\"x\":[{\"start\":1,\"end\":6}]}}", "outside the text" },
    { "{\"id\":\"j1\",\"text\":\"unterminated", "" },
    { "[1,2,3]", "" },
    { "{\"id\":\"j2\",\"text\":\"x\"} trailing", "" },
    { "{\"id\":\"g4\",\"text\":\"good\"}", NULL },
  };
  g_autofree char *dir = tmp_dir ();
  g_autofree char *in = path_in (dir, "wrong.jsonl");
  g_autoptr (GString) data = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_string_append_printf (data, "%s\n", fixed[i].line);
  g_string_append_printf (data, "%s\n", deep);
  write_file (in, data->str, data->len);

  Run r = RUN (dir, "run", "-P", PLUGIN_PATH, "-e", "reader path=wrong.jsonl ! normalizer ! ner ! claims ! writer",
               "-s", "pipeline.dead-letter=dead.jsonl");
  g_assert_cmpint (r.status, ==, 3);
  g_autofree char *dl = path_in (dir, "dead.jsonl");
  g_autofree char *dead_text = dp_test_read_file (dl);
  g_autoptr (GPtrArray) dead = objects_of (dead_text);
  g_autoptr (GPtrArray) out = objects_of (r.out);
  guint good = 0;
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    {
      g_autofree char *src = g_strdup_printf ("%s:%u", in, i + 1);
      JsonObject *d = dead_letter_for (dead, src);
      if (!fixed[i].error)
        {
          g_assert_null (d);
          good++;
          continue;
        }
      if (!d)
        g_error ("line %u (%s) is not in the dead letters", i + 1, fixed[i].line);
      assert_contains (member (d, "error"), fixed[i].error);
      g_assert_cmpstr (member (d, "raw"), ==, fixed[i].line);
    }
  /* Nesting 100,000 deep: refused, not a crash. */
  g_autofree char *deep_src = g_strdup_printf ("%s:%u", in, (guint) G_N_ELEMENTS (fixed) + 1);
  g_assert_nonnull (dead_letter_for (dead, deep_src));
  g_assert_cmpuint (out->len, ==, good);
  g_assert_cmpuint (dead->len, ==, G_N_ELEMENTS (fixed) + 1 - good);
  /* The first warnings name the file and line. */
  g_autofree char *first_bad = g_strdup_printf ("%s:2:", in);
  assert_contains (r.err, first_bad);
  run_clear (&r);
  dp_test_remove_tree (dir);
}

/* ---- the file system moving under the run ------------------------------------------------ */

#define VANISH_FILES 200

/* A glob of files, of which some are truncated and some removed while the
 * run reads them.  A slow second sink keeps the reader a few batches ahead of
 * the sinks; the first dead letter (file 000's bad line) says the run is in
 * its first batches, which is when the files further on are cut. */
static void
test_vanishing_files (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *sub = path_in (dir, "in");
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  for (guint i = 0; i < VANISH_FILES; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s/%03u.jsonl", sub, i);
      /* File 000's second line is bad JSON. */
      g_autofree char *second = i == 0 ? g_strdup ("{\"id\":\"f000-b\",\"text\":")
                                       : g_strdup_printf ("{\"id\":\"f%03u-b\",\"text\":\"Second.\"}", i);
      g_autofree char *data = g_strdup_printf ("{\"id\":\"f%03u-a\",\"text\":\"First of %u.\"}\n%s\n", i, i, second);
      write_file (name, data, -1);
    }
  g_autofree char *dl = path_in (dir, "dead.jsonl");
  Child c = spawn_in (dir, NULL,
                      (const char *const[]) { "run", "-P", PLUGIN_PATH, "-e",
                                              "reader path=in/*.jsonl ! writer path=out.jsonl ! slow-sink delay-ms=10",
                                              "-s", "pipeline.dead-letter=dead.jsonl", "-s", "pipeline.batch-size=1",
                                              "-s", "pipeline.queue-depth=2", NULL });
  while (!g_file_test (dl, G_FILE_TEST_EXISTS))
    g_usleep (2000);
  guint cut = VANISH_FILES * 3 / 4, gone = VANISH_FILES * 7 / 8;   /* seconds after file 000 */
  for (guint i = cut; i < VANISH_FILES; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s/%03u.jsonl", sub, i);
      if (i < gone)
        {
          /* Cut inside the second line: it is read as a last line without end, and is bad JSON. */
          g_autofree char *first = g_strdup_printf ("{\"id\":\"f%03u-a\",\"text\":\"First of %u.\"}\n", i, i);
          g_assert_cmpint (truncate (name, strlen (first) + 10), ==, 0);
        }
      else
        g_assert_cmpint (g_unlink (name), ==, 0);
    }
  Run r = wait_child (&c);
  g_assert_cmpint (r.status, ==, 3);
  g_autofree char *out = path_in (dir, "out.jsonl");
  g_autofree char *text = dp_test_read_file (out);
  g_autofree char *dead_text = dp_test_read_file (dl);
  g_autoptr (GPtrArray) dead = objects_of (dead_text);
  g_autoptr (GPtrArray) recs = objects_of (text);
  g_autoptr (GHashTable) written = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < recs->len; i++)
    g_hash_table_add (written, (gpointer) member (recs->pdata[i], "id"));
  for (guint i = 0; i < VANISH_FILES; i++)
    {
      g_autofree char *a = g_strdup_printf ("f%03u-a", i);
      g_autofree char *b = g_strdup_printf ("f%03u-b", i);
      g_autofree char *file = g_strdup_printf ("%s/%03u.jsonl", sub, i);
      g_autofree char *line2 = g_strdup_printf ("%s:2", file);
      if (i >= gone)
        {
          /* Removed: one dead letter naming the file and why. */
          g_assert_false (g_hash_table_contains (written, a));
          JsonObject *d = dead_letter_for (dead, file);
          if (!d)
            g_error ("%s is neither read nor dead-lettered:\n%s", file, r.err);
          assert_contains (member (d, "error"), "No such file");
          continue;
        }
      g_assert_true (g_hash_table_contains (written, a));
      if (i == 0 || i >= cut)
        {
          g_assert_false (g_hash_table_contains (written, b));
          g_assert_nonnull (dead_letter_for (dead, line2));
        }
      else
        g_assert_true (g_hash_table_contains (written, b));
    }
  g_assert_cmpuint (recs->len + dead->len, ==, cut * 2 + (gone - cut) * 2 + (VANISH_FILES - gone));
  /* (Warnings stop after 10; the dead letters, checked above, name every file.) */
  g_autofree char *first_bad = g_strdup_printf ("%s/000.jsonl:2:", sub);
  assert_contains (r.err, first_bad);
  run_clear (&r);
  dp_test_remove_tree (dir);
}

static void
test_symlink_loops (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *tree = path_in (dir, "tree");
  g_assert_cmpint (g_mkdir (tree, 0755), ==, 0);
  g_autofree char *a = path_in (tree, "a.txt");
  write_file (a, "Alpha.\n", -1);
  g_autofree char *sub = path_in (tree, "sub");
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  g_autofree char *b = path_in (sub, "b.txt");
  write_file (b, "Beta.\n", -1);
  const char *links[][2] = { { ".", "loop" }, { "..", "sub/up" }, { "x.txt", "y.txt" }, { "y.txt", "x.txt" },
                             { "nowhere", "dangling.txt" }, { "a.txt", "alias.txt" }, { "self.txt", "self.txt" } };
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    {
      g_autofree char *l = path_in (tree, links[i][1]);
      g_assert_cmpint (symlink (links[i][0], l), ==, 0);
    }
  Run r = RUN (dir, "run", "-P", PLUGIN_PATH, "-e", "reader path=tree ! writer");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpuint (count_lines (r.out), ==, 2);
  assert_contains (r.out, "\"id\":\"a\"");
  assert_contains (r.out, "\"id\":\"sub/b\"");
  g_autofree char *loop = path_in (tree, "loop");
  assert_contains (r.err, loop);
  g_autofree char *dangling = path_in (tree, "dangling.txt");
  assert_contains (r.err, dangling);
  g_autofree char *x = path_in (tree, "x.txt");
  assert_contains (r.err, x);
  run_clear (&r);

  /* A loop named as the path: refused before the run, naming it. */
  r = RUN (dir, "run", "-P", PLUGIN_PATH, "-e", "reader path=tree/self.txt ! writer");
  g_assert_cmpint (r.status, ==, 2);
  assert_contains (r.err, "self.txt");
  run_clear (&r);
  dp_test_remove_tree (dir);
}

typedef struct {
  const char *path;
  const char *data;
} Feed;

static gpointer
feed_fifo (gpointer data)
{
  const Feed *f = data;
  int fd = open (f->path, O_WRONLY | O_CLOEXEC);   /* waits for the reader */
  g_assert_cmpint (fd, >=, 0);
  gsize len = strlen (f->data);
  for (gsize done = 0; done < len;)
    {
      ssize_t n = write (fd, f->data + done, len - done);
      g_assert_cmpint (n, >, 0);
      done += n;
    }
  close (fd);
  return NULL;
}

static void
test_fifos (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *fifo = path_in (dir, "feed.jsonl");
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  Feed feed = { fifo, "{\"id\":\"p1\",\"text\":\"Piped.\"}\nnot json\n{\"id\":\"p2\",\"text\":\"Also.\"}\n" };
  GThread *t = g_thread_new ("feed", feed_fifo, &feed);
  Run r = RUN (dir, "run", "-P", PLUGIN_PATH, "-e", "reader path=feed.jsonl ! writer",
               "-s", "pipeline.dead-letter=dead.jsonl");
  g_thread_join (t);
  g_assert_cmpint (r.status, ==, 3);
  g_assert_cmpuint (count_lines (r.out), ==, 2);
  g_autofree char *src = g_strdup_printf ("%s:2", fifo);
  assert_contains (r.err, src);
  run_clear (&r);

  /* In a directory, a FIFO is passed over (nobody may ever write to it). */
  g_autofree char *tree = path_in (dir, "tree");
  g_assert_cmpint (g_mkdir (tree, 0755), ==, 0);
  g_autofree char *inner = path_in (tree, "pipe.txt");
  g_assert_cmpint (mkfifo (inner, 0600), ==, 0);
  g_autofree char *ok = path_in (tree, "ok.txt");
  write_file (ok, "Fine.\n", -1);
  r = RUN (dir, "run", "-q", "-P", PLUGIN_PATH, "-e", "reader path=tree ! writer");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpuint (count_lines (r.out), ==, 1);
  run_clear (&r);
  dp_test_remove_tree (dir);
}

/* ---- pipeline files ---------------------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *text;
  const char *line;      /* ":LINE:" the message must name */
  const char *message;
} Mistake;

static void
test_pipeline_mistakes (void)
{
  static const Mistake mistakes[] = {
    { "unknown-stage", "[read]\nplugin = reader\npath = in.txt\n\n[x]\nplugin = frobnicate\n", ":6:",
      "unknown plugin 'frobnicate'" },
    { "unknown-key", "[read]\nplugin = reader\npath = in.txt\ncolour = red\n", ":4:", "unknown key 'colour'" },
    { "bad-value", "[read]\nplugin = reader\npath = in.txt\nmax-record-size = lots\n", ":4:", "'lots' is not a valid int" },
    { "out-of-range", "[pipeline]\nworkers = 5000\n[read]\nplugin = reader\npath = in.txt\n", ":2:", "out of range" },
    { "bad-enum", "[read]\nplugin = reader\npath = in.txt\nformat = pdf\n", ":4:", "pdf" },
    { "duplicate-section", "[read]\nplugin = reader\npath = in.txt\n\n[read]\nplugin = reader\npath = in.txt\n", ":5:",
      "appears twice" },
    { "duplicate-key", "[read]\nplugin = reader\npath = in.txt\npath = other.txt\n", ":4:", "path" },
    { "missing-plugin-key", "[read]\npath = in.txt\n", ":1:", "missing key 'plugin'" },
    { "missing-required", "[read]\nplugin = reader\n", ":1:", "path" },
    { "sink-first", "[w]\nplugin = writer\n\n[read]\nplugin = reader\npath = in.txt\n", ":1:", "must be a source" },
    { "two-sources", "[read]\nplugin = reader\npath = in.txt\n[again]\nplugin = reader\npath = in.txt\n", ":4:",
      "only the first stage may be a source" },
    { "layer-order", "[read]\nplugin = reader\npath = in.txt\n\n[n]\nplugin = needs-capitals\n", ":5:",
      "requires layer 'capitals'" },
    { "unset-var", "[read]\nplugin = reader\npath = ${DP_HOSTILE_NO_SUCH_VAR}\n", ":3:",
      "'DP_HOSTILE_NO_SUCH_VAR' is not set" },
    { "unterminated-var", "[read]\nplugin = reader\npath = ${oops\n", ":3:", "unterminated '${'" },
    { "key-before-group", "plugin = reader\n", ":1:", "before any [group]" },
    { "bad-syntax", "[read\nplugin = reader\n", ":1:", "read" },
    { "non-utf8", "[read]\nplugin = reader\npath = in.txt\n# caf\xe9\n", ":4:", "UTF-8" },
    { "nul-byte", "[read]\nplugin = reader\npath = in\0.txt\n", ":3:", "NUL" },
  };
  g_autofree char *dir = tmp_dir ();
  g_autofree char *in = path_in (dir, "in.txt");
  write_file (in, "Text.\n", -1);
  gboolean failed = FALSE;   /* every mistake is tried, then the test fails */
  for (guint i = 0; i < G_N_ELEMENTS (mistakes); i++)
    {
      const Mistake *m = &mistakes[i];
      g_autofree char *name = g_strdup_printf ("%s.pipeline", m->name);
      g_autofree char *path = path_in (dir, name);
      gsize len = strlen (m->text);
      if (g_str_equal (m->name, "nul-byte"))
        len = strlen (m->text) + 1 + strlen (m->text + strlen (m->text) + 1);
      write_file (path, m->text, len);
      for (guint run = 0; run < 2; run++)
        {
          Run r = RUN (dir, run ? "run" : "check", "-P", PLUGIN_PATH, name);
          g_autofree char *where = g_strdup_printf ("%s%s", name, m->line);
          if (r.status != 2 || !contains (r.err, where) || !contains (r.err, m->message))
            {
              g_printerr ("%s %s: exit %d, expected 2 and a message with '%s' and '%s':\n%s", run ? "run" : "check",
                          name, r.status, where, m->message, r.err);
              failed = TRUE;
            }
          run_clear (&r);
        }
    }
  g_assert_false (failed);
  dp_test_remove_tree (dir);
}

/* ---- outputs that fail ------------------------------------------------------------------- */

static gboolean
is_root (void)
{
  return geteuid () == 0;
}

static void
test_dev_full (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *in = path_in (dir, "in.jsonl");
  write_file (in, "{\"id\":\"a\",\"text\":\"Alpha.\"}\n{\"id\":\"b\",\"text\":5}\n", -1);
  g_autofree char *dev_before = dp_test_list_dir ("/dev");

  /* The real /dev/full, only where it is written in place. */
  Run r = RUN (dir, "run", "-P", PLUGIN_PATH, "-e", "reader path=in.jsonl ! writer path=/dev/full",
               "-s", "pipeline.dead-letter=dead.jsonl");
  g_assert_cmpint (r.status, ==, 1);
  assert_contains (r.err, "stage 'writer': /dev/full: No space left on device");
  run_clear (&r);
  r = RUN (dir, "run", "-P", PLUGIN_PATH, "-e", "reader path=in.jsonl ! report path=/dev/full",
           "-s", "pipeline.dead-letter=dead.jsonl");
  g_assert_cmpint (r.status, ==, 1);
  assert_contains (r.err, "stage 'report': /dev/full: No space left on device");
  run_clear (&r);
  r = RUN (dir, "run", "-P", PLUGIN_PATH, "-e", "reader path=in.jsonl ! writer path=out.jsonl", "--stats", "/dev/full",
           "-s", "pipeline.dead-letter=dead.jsonl");
  g_assert_cmpint (r.status, ==, 1);
  assert_contains (r.err, "cannot write stats: /dev/full: No space left on device");
  run_clear (&r);
  r = RUN (dir, "run", "-P", PLUGIN_PATH, "-e", "reader path=in.jsonl ! writer path=out.jsonl",
           "-s", "pipeline.dead-letter=/dev/full");
  g_assert_cmpint (r.status, ==, 4);
  assert_contains (r.err, "cannot save dead letters: /dev/full: No space left on device; 1 failed record lost");
  run_clear (&r);

  /* CSV and SQLite name files after the path: a device or FIFO there is
   * refused, nothing is created beside it.  A copy of /dev/full (or, not
   * as root, a FIFO) in the temporary directory stands for it. */
  g_autofree char *devdir = path_in (dir, "dev");
  g_assert_cmpint (g_mkdir (devdir, 0755), ==, 0);
  g_autofree char *full = path_in (devdir, "full");
  if (!is_root () || mknod (full, S_IFCHR | 0666, makedev (1, 7)) != 0)   /* (a container may refuse mknod) */
    g_assert_cmpint (mkfifo (full, 0600), ==, 0);
  const char *formats[] = { "csv", "sqlite" };
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *expr = g_strdup_printf ("reader path=in.jsonl ! writer path=dev/full format=%s", formats[i]);
      r = RUN (dir, "run", "-P", PLUGIN_PATH, "-e", expr, "-s", "pipeline.dead-letter=dead.jsonl");
      if (r.status != 1 || !contains (r.err, full))
        g_error ("writer format=%s to a device: exit %d:\n%s", formats[i], r.status, r.err);
      g_autofree char *listing = dp_test_list_dir (devdir);
      g_assert_cmpstr (listing, ==, "full");
      run_clear (&r);
    }
  g_autofree char *dev_after = dp_test_list_dir ("/dev");
  g_assert_cmpstr (dev_after, ==, dev_before);
  dp_test_remove_tree (dir);
}

/* ---- plugins and stages that fail ------------------------------------------------------------ */

static void
test_bad_plugins (void)
{
  g_autofree char *dir = tmp_dir ();
  g_autofree char *in = path_in (dir, "in.txt");
  write_file (in, "Text.\n", -1);
  const char *path = DP_TEST_PLUGINS ":" DP_TEST_FIXTURES_BAD;
  g_autofree char *badabi = g_build_filename (DP_TEST_FIXTURES_BAD, "badabi.so", NULL);
  g_autofree char *nodesc = g_build_filename (DP_TEST_FIXTURES_BAD, "nodesc.so", NULL);

  /* Unused broken plugins do not stop a run. */
  Run r = RUN (dir, "run", "-q", "-P", path, "-e", "reader path=in.txt ! writer");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpuint (count_lines (r.out), ==, 1);
  run_clear (&r);

  /* A stage from one: a configuration error, with a note naming the file and why. */
  r = RUN (dir, "run", "-P", path, "-e", "reader path=in.txt ! future ! writer");
  g_assert_cmpint (r.status, ==, 2);
  assert_contains (r.err, "unknown plugin 'future'");
  g_autofree char *abi_note = g_strdup_printf ("%s was built for docpipe plugin ABI 1.1", badabi);
  assert_contains (r.err, abi_note);
  g_autofree char *desc_note = g_strdup_printf ("%s: not a docpipe plugin (no 'dp_plugin_descriptor' symbol", nodesc);
  assert_contains (r.err, desc_note);
  g_assert_cmpstr (r.out, ==, "");
  run_clear (&r);
  dp_test_remove_tree (dir);
}

/* A stage failing every tenth record: nine in ten written, one in ten
 * dead-lettered with the reason, every id accounted for once. */
static void
test_fail_every_tenth (void)
{
  guint n = 1000;
  g_autofree char *dir = tmp_dir ();
  g_autofree char *in = path_in (dir, "in.jsonl");
  FILE *f = fopen (in, "w");
  for (guint i = 1; i <= n; i++)
    fprintf (f, "{\"id\":\"r%u\",\"text\":\"Record %u said Ms Keller in Vienna.\"}\n", i, i);
  fclose (f);
  Run r = RUN (dir, "run", "-P", PLUGIN_PATH, "-e",
               "reader path=in.jsonl ! normalizer ! fail-some fail-every=10 ! ner ! writer path=out.jsonl",
               "-s", "pipeline.dead-letter=dead.jsonl", "--stats", "stats.json");
  g_assert_cmpint (r.status, ==, 3);
  assert_contains (r.err, "record 'r10' failed in stage 'fail-some'");
  assert_contains (r.err, "100 records failed");
  g_autofree char *out = path_in (dir, "out.jsonl");
  g_autofree char *out_text = dp_test_read_file (out);
  g_autofree char *dl = path_in (dir, "dead.jsonl");
  g_autofree char *dead_text = dp_test_read_file (dl);
  g_autoptr (GPtrArray) recs = objects_of (out_text);
  g_autoptr (GPtrArray) dead = objects_of (dead_text);
  g_assert_cmpuint (recs->len, ==, n - n / 10);
  g_assert_cmpuint (dead->len, ==, n / 10);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < recs->len; i++)
    g_assert_true (g_hash_table_add (seen, (gpointer) member (recs->pdata[i], "id")));
  for (guint i = 0; i < dead->len; i++)
    {
      JsonObject *d = dead->pdata[i];
      g_assert_cmpstr (member (d, "stage"), ==, "fail-some");
      g_autofree char *reason = g_strdup_printf ("record '%s' is one in 10", member (d, "id"));
      g_assert_cmpstr (member (d, "error"), ==, reason);
      g_assert_true (json_object_has_member (d, "record"));
      g_assert_true (g_hash_table_add (seen, (gpointer) member (d, "id")));
    }
  for (guint i = 1; i <= n; i++)
    {
      g_autofree char *id = g_strdup_printf ("r%u", i);
      g_assert_true (g_hash_table_contains (seen, id));
    }
  run_clear (&r);
  dp_test_remove_tree (dir);
}

/* ---- adversarial shapes for each stage's cost, whole runs ------------------------------------ */

typedef struct {
  const char *name;
  const char *unit;   /* repeated to the size */
} Shape;

static void
test_stage_costs (void)
{
  static const Shape shapes[] = {
    { "no-spaces", "a" },
    { "all-capitals", "Keller Vienna Ministry " },
    { "quotes", "\"" },
    { "said-chain", "said that he said that " },
    { "dense-claims", "He said that \"A said that B. " },
    { "newlines", "\n" },
    { "punctuation", ".!?;" },
    { "digits-dates", "12 March 2024, 3.5 million euros on 1/2/3 " },
    { "url-ish", "http://a.b/c?d=e&f " },
    { "combining", "e\xcc\x81\xcc\x81\xcc\x81" },
  };
  gsize size = full_size ? 4u << 20 : 256u << 10;
  g_autofree char *dir = tmp_dir ();
  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.txt", shapes[i].name);
      g_autofree char *path = path_in (dir, name);
      g_autoptr (GString) text = g_string_sized_new (size + 64);
      while (text->len < size)
        g_string_append (text, shapes[i].unit);
      write_file (path, text->str, text->len);
      gsize len = text->len;
      g_string_free (g_steal_pointer (&text), TRUE);
      g_autofree char *expr = g_strdup_printf ("reader path=%s ! normalizer ! ner ! claims ! writer path=out.jsonl", name);
      Run r = RUN (dir, "run", "-q", "-P", PLUGIN_PATH, "-e", expr);
      g_assert_cmpint (r.status, ==, 0);
      g_autofree char *what = g_strdup_printf ("shape %s, the news stages", shapes[i].name);
      assert_rss (what, "normalizer ! ner ! claims", &r, len, BOUND_NEWS);
      run_clear (&r);
    }
  dp_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  full_size = g_strcmp0 (g_getenv ("DP_HOSTILE_FULL"), "1") == 0;
  signal (SIGPIPE, SIG_IGN);
  /* The baselines first, while the test itself is small (see spawn_in). */
  baseline ("");
  baseline ("normalizer");
  baseline ("normalizer ! ner ! claims");
  g_test_add_func ("/hostile/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/hostile/nul-bytes", test_nul_bytes);
  g_test_add_func ("/hostile/empty-inputs", test_empty_inputs);
  g_test_add_func ("/hostile/huge-document", test_huge_document);
  g_test_add_func ("/hostile/many-records", test_many_records);
  g_test_add_func ("/hostile/long-lines", test_long_lines);
  g_test_add_func ("/hostile/wrong-json", test_wrong_json);
  g_test_add_func ("/hostile/vanishing-files", test_vanishing_files);
  g_test_add_func ("/hostile/symlink-loops", test_symlink_loops);
  g_test_add_func ("/hostile/fifos", test_fifos);
  g_test_add_func ("/hostile/pipeline-mistakes", test_pipeline_mistakes);
  g_test_add_func ("/hostile/dev-full", test_dev_full);
  g_test_add_func ("/hostile/bad-plugins", test_bad_plugins);
  g_test_add_func ("/hostile/fail-every-tenth", test_fail_every_tenth);
  g_test_add_func ("/hostile/stage-costs", test_stage_costs);
  return g_test_run ();
}
