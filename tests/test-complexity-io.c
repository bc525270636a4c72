/* test-complexity-io.c — the reader's record splitting and the writer's
 * encoding grow linearly with their input, on the worst shapes we know.
 *
 * Each case builds an input at 1× and 8× (tests/complexity.h) and runs the
 * real reader or writer plugin in-process, loaded from the build tree: the
 * reader over a file until it is used up, decoding every record as a worker
 * would; the writer over one batch of records, to a file.  A quadratic step
 * (rescanning a growing line for its newline, growing a buffer by a fixed
 * step, escaping in a loop that restarts) shows as a ratio near 64, not 8.
 *
 * Not in the valgrind list of .ci/run: these take seconds on purpose.
 */
#include "complexity.h"
#include "loader.h"
#include "params-private.h"
#include "batch-private.h"
#include "record-deferred.h"

#include <docpipe/docpipe.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  DpRegistry *registry;
  char *dir;
} Env;

static Env env;

/* ---- running the stages in-process -------------------------------------------- */

static gpointer
create_stage (const char *name, const char *const *keys_values, const DpStageInfo **info_out)
{
  const DpStageRef *ref = dp_registry_lookup (env.registry, name);
  g_assert_nonnull (ref);
  const DpStageInfo *info = ref->info;
  g_autoptr (DpParams) params = dp_params_new (name, env.dir, info->params);
  g_autoptr (GError) error = NULL;
  for (guint i = 0; keys_values[i]; i += 2)
    {
      g_assert_true (dp_params_set (params, keys_values[i], keys_values[i + 1], &error));
      g_assert_no_error (error);
    }
  gpointer self = info->create (params, &error);
  g_assert_no_error (error);
  *info_out = info;
  return self;
}

typedef struct {
  const char *format;            /* the reader's format parameter */
  const char *max_record_size;   /* NULL: the largest allowed */
  gboolean all_fail;             /* every record is over the limit */
  void (*build) (GString *input, gsize size);
  guint passes;                  /* reads of the file per run (0: 1), for shapes too cheap to time */
} ReaderShape;

/* Reads the whole file as the runner would: batches from the source, every
 * record decoded; asserts nothing was lost on the way. */
static void
read_once (const ReaderShape *shape)
{
  g_autofree char *path = g_build_filename (env.dir, "input", NULL);
  /* The largest limit, so that the 8x inputs are records too. */
  const char *kv[] = { "path", path, "format", shape->format,
                       "max-record-size", shape->max_record_size ? shape->max_record_size : "536870912", NULL };
  const DpStageInfo *info;
  gpointer reader = create_stage ("reader", kv, &info);
  guint failed = 0, total = 0, seq = 0;
  for (;;)
    {
      DpBatch *batch = dp_batch_new (seq++);
      g_autoptr (GError) error = NULL;
      g_assert_true (info->read (reader, batch, 64, &error));
      g_assert_no_error (error);
      dp_batch_seal (batch);
      guint n = dp_batch_get_size (batch);
      total += n;
      for (guint i = 0; i < n; i++)
        if (!dp_batch_is_failed (batch, i) && !dp_record_decode (dp_batch_get (batch, i), &error))
          g_error ("record %u: %s", i, error->message);
      failed += dp_batch_sweep (batch, "reader");
      dp_batch_free (batch);
      if (n == 0)
        break;
    }
  info->destroy (reader);
  g_assert_cmpuint (failed, ==, shape->all_fail ? total : 0);
  g_assert_cmpuint (total, >, 0);
}

static void
read_all_records (const GString *input, gpointer data)
{
  const ReaderShape *shape = data;
  for (guint i = 0; i < MAX (shape->passes, 1); i++)
    read_once (shape);
}

static void
build_file (GString *input, gsize size, gpointer data)
{
  const ReaderShape *shape = data;
  shape->build (input, size);
  g_autofree char *path = g_build_filename (env.dir, "input", NULL);
  g_autoptr (GError) error = NULL;
  g_file_set_contents (path, input->str, input->len, &error);
  g_assert_no_error (error);
}

/* ---- reader shapes -------------------------------------------------------------- */

static void
append_words (GString *s, gsize size)
{
  static const char words[] = "The council met in Geneva on Tuesday and agreed nothing. ";
  while (s->len < size)
    g_string_append_len (s, words, sizeof words - 1);
}

static void
one_huge_line (GString *s, gsize size)
{
  g_string_append (s, "{\"id\":\"big\",\"text\":\"");
  append_words (s, size);
  g_string_append (s, "\"}\n");
}

static void
huge_line_no_newline (GString *s, gsize size)
{
  one_huge_line (s, size);
  g_string_truncate (s, s->len - 1);
}

static void
tiny_lines (GString *s, gsize size)
{
  for (guint i = 0; s->len < size; i++)
    g_string_append_printf (s, "{\"text\":\"w%u\"}\n", i % 10);
}

static void
crlf_lines (GString *s, gsize size)
{
  for (guint i = 0; s->len < size; i++)
    g_string_append_printf (s, "{\"id\":\"r%u\",\"text\":\"A line with a Windows line end.\"}\r\n", i);
}

static void
blank_lines (GString *s, gsize size)
{
  while (s->len < size)
    g_string_append (s, " \t\r\n\n");
  g_string_append (s, "{\"text\":\"the only record\"}\n");
}

/* Escapes everywhere: the JSON parser's worst string. */
static void
huge_escaped_strings (GString *s, gsize size)
{
  for (guint line = 0; line < 4; line++)
    {
      g_string_append (s, "{\"text\":\"");
      gsize stop = s->len + size / 4;
      while (s->len < stop)
        g_string_append (s, "\\\"quoted\\\" \\u00e9t\\u00e9\\n\\ttab \\\\ caf\\u00e9 ");
      g_string_append (s, "\",\"meta\":{\"k\":\"v\"}}\n");
    }
}

/* Lines longer than the reader's reads (1 MiB), far over the limit used
 * with them (1024 bytes): each is dead-lettered before its end is seen. */
static void
long_lines (GString *s, gsize size)
{
  while (s->len < size)
    {
      gsize stop = s->len + (3 << 20);
      g_string_append (s, "{\"text\":\"");
      append_words (s, stop);
      g_string_append (s, "\"}\n");
    }
}

static void
huge_text_file (GString *s, gsize size)
{
  append_words (s, size);
}

static void
test_reader (gconstpointer data)
{
  const ReaderShape *shape = data;
  dp_test_assert_linear (g_test_get_path (), 256 * 1024, build_file, read_all_records, (gpointer) shape);
}

/* ---- the writer ------------------------------------------------------------------- */

typedef struct {
  void (*build) (DpBatch *batch, const GString *input);
  void (*build_input) (GString *input, gsize size);
} WriterShape;

typedef struct {
  const WriterShape *shape;
  DpBatch *batch;
} WriterRun;

/* Reads a pipe to its end: the writer's output, counted and dropped. */
static gpointer
drain (gpointer data)
{
  int fd = GPOINTER_TO_INT (data);
  static char buf[1 << 16];
  gsize total = 0;
  ssize_t n;
  while ((n = read (fd, buf, sizeof buf)) > 0)
    total += (gsize) n;
  close (fd);
  return GSIZE_TO_POINTER (total);
}

/* The writer writes to a pipe (as /dev/fd/N), so that neither the disk nor
 * fsync enters the timings. */
static void
encode_batch (const GString *input, gpointer data)
{
  const WriterShape *shape = data;
  DpBatch *batch = dp_batch_new (0);
  shape->build (batch, input);
  int fds[2];
  g_assert_cmpint (pipe (fds), ==, 0);
  GThread *drainer = g_thread_new ("drain", drain, GINT_TO_POINTER (fds[0]));
  g_autofree char *path = g_strdup_printf ("/dev/fd/%d", fds[1]);
  const char *kv[] = { "path", path, NULL };
  const DpStageInfo *info;
  gpointer writer = create_stage ("writer", kv, &info);
  g_autoptr (GError) error = NULL;
  g_assert_true (info->prepare (writer, batch, &error));
  g_assert_true (info->process (writer, batch, &error));
  g_assert_true (info->finish (writer, &error));
  g_assert_no_error (error);
  info->destroy (writer);
  close (fds[1]);
  g_assert_cmpuint (GPOINTER_TO_SIZE (g_thread_join (drainer)), >, input->len);
  dp_batch_free (batch);
}

static void
build_writer_input (GString *input, gsize size, gpointer data)
{
  const WriterShape *shape = data;
  shape->build_input (input, size);
}

static void
add_record (DpBatch *batch, const char *text, gsize len)
{
  g_autoptr (GError) error = NULL;
  DpRecord *rec = dp_record_new ("r", "complexity", text, (gssize) len, &error);
  g_assert_no_error (error);
  dp_batch_add (batch, rec);
}

static void
one_record (DpBatch *batch, const GString *input)
{
  add_record (batch, input->str, input->len);
}

static void
one_record_per_line (DpBatch *batch, const GString *input)
{
  const char *p = input->str, *end = input->str + input->len;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      add_record (batch, p, nl - p);
      p = nl + 1;
    }
}

/* A span on every word, each with its text written out. */
static void
one_record_with_spans (DpBatch *batch, const GString *input)
{
  add_record (batch, input->str, input->len);
  DpRecord *rec = dp_batch_get (batch, 0);
  DpLayer *layer = dp_record_ensure_layer (rec, "words");
  g_autoptr (GError) error = NULL;
  for (gsize i = 0; i < input->len;)
    {
      gsize end = i;
      while (end < input->len && input->str[end] != ' ')
        end++;
      if (end > i)
        g_assert_nonnull (dp_layer_add_span (layer, i, end, "W", &error));
      i = end + 1;
    }
  g_assert_no_error (error);
}

static void
ascii_text (GString *s, gsize size)
{
  append_words (s, size);
}

static void
non_ascii_text (GString *s, gsize size)
{
  while (s->len < size)
    g_string_append (s, "Über Zürich — «Ōe» 東京で会議 😀 ");
}

/* Every character one the encoder must escape. */
static void
escape_heavy_text (GString *s, gsize size)
{
  while (s->len < size)
    g_string_append (s, "\"\\\x01\x1f\t\n\r\x7f</");
}

static void
short_lines (GString *s, gsize size)
{
  for (guint i = 0; s->len < size; i++)
    g_string_append_printf (s, "Record %u.\n", i);
}

static void
test_writer (gconstpointer data)
{
  dp_test_assert_linear (g_test_get_path (), 256 * 1024, build_writer_input, encode_batch, (gpointer) data);
}

/* ---- the cases ------------------------------------------------------------------- */

static const ReaderShape reader_shapes[] = {
  { "jsonl", NULL, FALSE, one_huge_line },
  { "jsonl", NULL, FALSE, huge_line_no_newline },
  { "jsonl", NULL, FALSE, tiny_lines },
  { "jsonl", NULL, FALSE, crlf_lines },
  { "jsonl", NULL, FALSE, blank_lines },
  { "jsonl", NULL, FALSE, huge_escaped_strings },
  { "jsonl", "1024", TRUE, long_lines, 16 },   /* each dead-lettered and skipped as it streams by */
  { "text", NULL, FALSE, huge_text_file },
};
static const char *const reader_names[] = {
  "one-huge-line", "huge-line-without-newline", "tiny-lines", "crlf-lines", "blank-lines",
  "huge-escaped-strings", "lines-over-limit", "huge-text-file",
};

static const WriterShape writer_shapes[] = {
  { one_record, ascii_text },
  { one_record, non_ascii_text },
  { one_record, escape_heavy_text },
  { one_record_per_line, short_lines },
  { one_record_with_spans, ascii_text },
};
static const char *const writer_names[] = {
  "huge-ascii-text", "huge-non-ascii-text", "escape-heavy-text", "many-short-records", "span-per-word",
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  const char *dirs[] = { DP_TEST_PLUGINS, NULL };
  env.registry = dp_registry_new (dirs);
  g_autoptr (GError) error = NULL;
  env.dir = g_dir_make_tmp ("docpipe-complexity-XXXXXX", &error);
  g_assert_no_error (error);
  G_STATIC_ASSERT (G_N_ELEMENTS (reader_shapes) == G_N_ELEMENTS (reader_names));
  G_STATIC_ASSERT (G_N_ELEMENTS (writer_shapes) == G_N_ELEMENTS (writer_names));
  for (guint i = 0; i < G_N_ELEMENTS (reader_shapes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/complexity/reader/%s", reader_names[i]);
      g_test_add_data_func (path, &reader_shapes[i], test_reader);
    }
  for (guint i = 0; i < G_N_ELEMENTS (writer_shapes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/complexity/writer/%s", writer_names[i]);
      g_test_add_data_func (path, &writer_shapes[i], test_writer);
    }
  int status = g_test_run ();
  g_autofree char *input = g_build_filename (env.dir, "input", NULL);
  g_remove (input);
  g_rmdir (env.dir);
  g_free (env.dir);
  dp_registry_free (env.registry);
  return status;
}
