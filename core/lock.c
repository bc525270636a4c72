/* lock.c — keeps two runs of one pipeline from overlapping (cron starting a
 * run while the last is still going).
 *
 * The lock is flock() on the file, not the file's existence: the kernel
 * drops it when the holder exits however it exits (SIGKILL, a crash, a
 * reboot), so a stale lock needs no clean-up and no guessing whether a pid
 * is still alive or reused.  The pid written into the file is only for people
 * (`cat`, `kill $(cat FILE)`).  The file is never deleted: deleting it while
 * another process has it open would let two runs lock two different files
 * of the same name.
 */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK (dp-lock-error-quark, dp_lock_error)

struct _DpLock {
  int fd;
  char *path;
};

/* What the file says: the pid of the run that holds (or held) it, or "". */
static char *
read_holder (int fd)
{
  char buf[64];
  ssize_t n = pread (fd, buf, sizeof buf - 1, 0);
  if (n <= 0)
    return g_strdup ("");
  buf[n] = '\0';
  return g_strstrip (g_strndup (buf, strcspn (buf, "\n")));
}

static gboolean
lock_failed (const char *path, const char *what, int e, GError **error)
{
  g_autofree char *shown = g_filename_display_name (path);
  g_set_error (error, DP_LOCK_ERROR, DP_LOCK_ERROR_FAILED, "lock file %s: cannot %s: %s", shown, what,
               g_strerror (e));
  return FALSE;
}

/* Opens the lock file; only a regular file will do (a FIFO would block, and
 * locking /dev/null locks every user of it). */
static int
open_lock_file (const char *path, GError **error)
{
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0644);
  if (fd < 0)
    return lock_failed (path, "open it", errno, error), -1;
  struct stat st;
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode))
    return fd;
  close (fd);
  g_autofree char *shown = g_filename_display_name (path);
  g_set_error (error, DP_LOCK_ERROR, DP_LOCK_ERROR_FAILED, "lock file %s: not a regular file", shown);
  return -1;
}

static gboolean
write_pid (int fd, const char *path, GError **error)
{
  g_autofree char *pid = g_strdup_printf ("%ld\n", (long) getpid ());
  if (ftruncate (fd, 0) != 0 || pwrite (fd, pid, strlen (pid), 0) != (ssize_t) strlen (pid))
    return lock_failed (path, "write the pid into it", errno, error);
  return TRUE;
}

DpLock *
dp_lock_acquire (const char *path, GError **error)
{
  if (strcmp (path, "-") == 0)
    {
      g_set_error_literal (error, DP_LOCK_ERROR, DP_LOCK_ERROR_FAILED, "lock: '-' is not a file that can be locked");
      return NULL;
    }
  int fd = open_lock_file (path, error);
  if (fd < 0)
    return NULL;
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int e = errno;
      g_autofree char *holder = read_holder (fd);
      close (fd);
      g_autofree char *shown = g_filename_display_name (path);
      if (e == EWOULDBLOCK)
        g_set_error (error, DP_LOCK_ERROR, DP_LOCK_ERROR_BUSY,
                     "another run holds the lock %s%s%s%s; not started", shown,
                     *holder ? " (pid " : "", holder, *holder ? ")" : "");
      else
        lock_failed (path, "lock it", e, error);
      return NULL;
    }
  g_autofree char *left = read_holder (fd);
  if (*left)
    {
      g_autofree char *shown = g_filename_display_name (path);
      g_message ("lock %s: taken over from pid %s, which ended without releasing it", shown, left);
    }
  if (!write_pid (fd, path, error))
    {
      close (fd);
      return NULL;
    }
  DpLock *lock = g_new (DpLock, 1);
  lock->fd = fd;
  lock->path = g_strdup (path);
  return lock;
}

void
dp_lock_release (DpLock *lock)
{
  if (!lock)
    return;
  /* Emptied while still held: a run starting now finds no stale pid. */
  if (ftruncate (lock->fd, 0) != 0)
    g_debug ("lock %s: cannot empty it: %s", lock->path, g_strerror (errno));
  close (lock->fd);
  g_free (lock->path);
  g_free (lock);
}
