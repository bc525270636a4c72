/* files.h — the check the NER's loaders make before reading a data file:
 * it must be a regular file.  A FIFO would make the stage wait for a writer
 * forever at start-up, a device such as /dev/zero would be read without end. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

/* FALSE with G_FILE_ERROR_INVAL "PATH: not a regular file" if @path exists
 * and is something else; a missing file is left to the reader's own error. */
static inline gboolean
dp_ner_check_regular_file (const char *path, GError **error)
{
  GStatBuf st;
  if (g_stat (path, &st) == 0 && !S_ISREG (st.st_mode))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not a regular file", path);
      return FALSE;
    }
  return TRUE;
}
