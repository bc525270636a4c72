/* fuzz-common.h — what the libFuzzer targets share: failing an invariant
 * loudly, and a private temporary directory removed when the process exits
 * (targets that hand their input to code that reads files; run.sh points
 * TMPDIR into build-fuzz/ and sweeps it, since libFuzzer may exit without
 * running atexit handlers). */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Aborts (a finding for libFuzzer) when an invariant does not hold. */
static inline void
fuzz_check (gboolean ok, const char *what)
{
  if (!ok)
    {
      g_printerr ("%s: %s\n", g_get_prgname () ? g_get_prgname () : "fuzz", what);
      abort ();
    }
}

static char *fuzz_tmp_dir;

static void
fuzz_remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  if (dir)
    {
      const char *name;
      while ((name = g_dir_read_name (dir)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            fuzz_remove_tree (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

static void
fuzz_tmp_cleanup (void)
{
  if (fuzz_tmp_dir)
    fuzz_remove_tree (fuzz_tmp_dir);
}

/* The process's temporary directory, made on first use. */
static inline const char *
fuzz_tmp (void)
{
  if (!fuzz_tmp_dir)
    {
      g_autoptr (GError) error = NULL;
      fuzz_tmp_dir = g_dir_make_tmp ("docpipe-fuzz-XXXXXX", &error);
      fuzz_check (fuzz_tmp_dir != NULL, "cannot make a temporary directory");
      atexit (fuzz_tmp_cleanup);
    }
  return fuzz_tmp_dir;
}

/* A file in it, written with @len bytes of @data; the path is g_free'd by the caller. */
static inline char *
fuzz_write_file (const char *name, const void *data, gsize len)
{
  char *path = g_build_filename (fuzz_tmp (), name, NULL);
  fuzz_check (g_file_set_contents (path, data, (gssize) len, NULL), "cannot write a temporary file");
  return path;
}

/* @len bytes of @data as valid UTF-8 without NUL bytes (as spaces), for
 * text the SDK requires to be valid: what dp_record_new() takes. */
static inline char *
fuzz_make_valid (const void *data, gsize len)
{
  char *copy = g_malloc (len + 1);
  const char *in = data;
  for (gsize i = 0; i < len; i++)
    copy[i] = in[i] ? in[i] : ' ';
  copy[len] = '\0';
  char *valid = g_utf8_make_valid (copy, -1);
  g_free (copy);
  return valid;
}
