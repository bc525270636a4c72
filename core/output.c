/* output.c — DpOutput: one place that decides how a path is written.
 *
 * The rules are in sdk/include/docpipe/output.h.  The point of keeping them
 * here rather than in each sink is that "write a temporary file and rename it"
 * is only right for regular files: renaming over a device, a FIFO or
 * /dev/stdout replaces the node itself, and a symlink would be replaced
 * instead of its target.
 */
#include <docpipe/output.h>
#include "output-private.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* The kernel's own limit on a chain of symbolic links (MAXSYMLINKS). */
#define MAX_LINKS 40

struct _DpOutput {
  char *name;          /* for messages */
  char *path;          /* atomic: the file commit replaces */
  char *tmp_path;      /* atomic: the temporary file, until commit or abort */
  int fd;
  gboolean owns_fd;    /* close it when done */
  gboolean sync;       /* a regular file: fsync at commit */
  gboolean synced;     /* nothing written since dp_output_sync() */
  gboolean done;       /* committed or aborted */
};

static void G_GNUC_PRINTF (3, 4)
set_errno_error (GError **error, int err, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree char *what = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err), "%s: %s", what, g_strerror (err));
}

static DpOutput *
output_new (const char *path, int fd, gboolean owns_fd)
{
  DpOutput *out = g_new0 (DpOutput, 1);
  out->name = g_filename_display_name (path);
  out->fd = fd;
  out->owns_fd = owns_fd;
  return out;
}

/* The descriptor a path like /dev/stdout or /dev/fd/3 names, or -1.  These are
 * written through a duplicate of the descriptor: reopening them would truncate
 * a file the shell redirected to, and resolving them would replace it. */
static int
named_descriptor (const char *path)
{
  if (strcmp (path, "/dev/stdout") == 0)
    return STDOUT_FILENO;
  if (strcmp (path, "/dev/stderr") == 0)
    return STDERR_FILENO;
  const char *digits = NULL;
  if (g_str_has_prefix (path, "/dev/fd/"))
    digits = path + strlen ("/dev/fd/");
  else if (g_str_has_prefix (path, "/proc/self/fd/"))
    digits = path + strlen ("/proc/self/fd/");
  guint64 n;
  if (digits && *digits && strspn (digits, "0123456789") == strlen (digits)
      && g_ascii_string_to_unsigned (digits, 10, 0, G_MAXINT, &n, NULL))
    return (int) n;
  return -1;
}

/* Follows @path's chain of symbolic links to the path that is finally written
 * (which need not exist yet: a dangling link creates its target). */
static char *
resolve_links (const char *path, GError **error)
{
  g_autofree char *p = g_strdup (path);
  for (guint hops = 0; hops <= MAX_LINKS; hops++)
    {
      GStatBuf st;
      if (g_lstat (p, &st) != 0 || !S_ISLNK (st.st_mode))
        return g_steal_pointer (&p);
      g_autoptr (GError) local = NULL;
      g_autofree char *target = g_file_read_link (p, &local);
      if (!target)
        {
          g_set_error (error, local->domain, local->code, "cannot resolve %s: %s", path, local->message);
          return NULL;
        }
      if (!g_path_is_absolute (target))
        {
          g_autofree char *dir = g_path_get_dirname (p);
          g_free (p);
          p = g_build_filename (dir, target, NULL);
        }
      else
        {
          g_free (p);
          p = g_steal_pointer (&target);
        }
    }
  set_errno_error (error, ELOOP, "cannot open %s", path);
  return NULL;
}

/* Unix sockets cannot be open(2)ed; connecting is what writing to one means. */
static int
connect_socket (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof addr.sun_path)
    return (errno = ENAMETOOLONG, -1);
  strcpy (addr.sun_path, path);
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    {
      int e = errno;
      close (fd);
      return (errno = e, -1);
    }
  return fd;
}

/* Opens an existing node (or, appending, a path) in place. */
static DpOutput *
open_in_place (const char *path, const char *target, gboolean append, GError **error)
{
  GStatBuf st;
  gboolean exists = g_stat (target, &st) == 0;
  int fd;
  if (exists && S_ISSOCK (st.st_mode))
    fd = connect_socket (target);
  else
    fd = open (target, O_WRONLY | O_NOCTTY | O_CLOEXEC | (append ? O_APPEND | O_CREAT : 0), 0666);
  if (fd < 0)
    {
      set_errno_error (error, errno, "cannot open %s", path);
      return NULL;
    }
  DpOutput *out = output_new (path, fd, TRUE);
  struct stat now;
  out->sync = fstat (fd, &now) == 0 && S_ISREG (now.st_mode);
  return out;
}

/* ---- temporary files ----------------------------------------------------------
 *
 * A writer holds an exclusive flock(2) on its temporary file from creation to
 * rename, so a temporary file nobody holds a lock on belongs to a run that
 * died (SIGKILL, a crash, a power cut).  Opening a target for replacing
 * removes such files in its directory, whatever target they were for: with
 * an output file per run, no later run writes a killed run's target again.
 * Only names of exactly the form NAME.docpipe-tmp-XXXXXX (g_mkstemp's six
 * letters and digits) are ours: the marker keeps other programs' temporary
 * files (`mktemp NAME.tmp-XXXXXX`, unlocked while in use) out of the sweep.
 * Older docpipes named them TARGET.tmp-XXXXXX; those are removed only beside
 * their own TARGET, as those versions did.  Only regular files with one link
 * (never a symbolic link or a directory), owned by the effective user, and
 * only after taking their lock.
 */

#define TMP_MARK ".docpipe-tmp-"
#define TMP_LEGACY ".tmp-"
#define TMP_RANDOM 6

/* Whether @name, from byte @prefix_len on, is @mark and g_mkstemp's six
 * letters and digits, and nothing more. */
static gboolean
has_temp_tail (const char *name, gsize prefix_len, const char *mark)
{
  const char *x = name + prefix_len;
  if (!g_str_has_prefix (x, mark))
    return FALSE;
  x += strlen (mark);
  if (strlen (x) != TMP_RANDOM)
    return FALSE;
  for (; *x; x++)
    if (!g_ascii_isalnum (*x))
      return FALSE;
  return TRUE;
}

/* Whether @name is a temporary file's: ANY.docpipe-tmp-XXXXXX, or the legacy
 * BASE.tmp-XXXXXX of the target @base being opened. */
static gboolean
is_temp_name (const char *name, const char *base)
{
  gsize len = strlen (name), tail = strlen (TMP_MARK) + TMP_RANDOM;
  if (len > tail && has_temp_tail (name, len - tail, TMP_MARK))
    return TRUE;
  gsize n = strlen (base);
  return strncmp (name, base, n) == 0 && has_temp_tail (name, n, TMP_LEGACY);
}

/* Removes @path if it is a temporary file of ours that no live writer locks. */
static void
remove_if_stale (const char *path)
{
  GStatBuf before;
  if (g_lstat (path, &before) != 0 || !S_ISREG (before.st_mode) || before.st_nlink != 1
      || before.st_uid != geteuid ())
    return;
  /* Read-only is enough for flock; write-only files (mode 0200) need the other. */
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0 && errno == EACCES)
    fd = open (path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return;
  struct stat now;
  GStatBuf again;
  /* The name must still be the file that was locked when it is removed. */
  if (fstat (fd, &now) == 0 && now.st_dev == before.st_dev && now.st_ino == before.st_ino
      && flock (fd, LOCK_EX | LOCK_NB) == 0 && g_lstat (path, &again) == 0
      && again.st_dev == now.st_dev && again.st_ino == now.st_ino)
    {
      if (g_unlink (path) == 0)
        g_debug ("removed %s, left by a run that did not finish", path);
    }
  close (fd);
}

/* Removes the temporary files that runs which died left in @target's directory. */
static void
remove_stale_temps (const char *target)
{
  g_autofree char *dir = g_path_get_dirname (target);
  g_autofree char *base = g_path_get_basename (target);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    if (is_temp_name (name, base))
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        remove_if_stale (path);
      }
}

/* Creates @target's temporary file, locked (see above).  A cleaner in another
 * process may remove the file between its creation and the lock: then the
 * lock fails or the file has no name left, and another name is tried. */
static int
create_temp (const char *target, char **tmp_out)
{
  for (int tries = 0;; tries++)
    {
      g_autofree char *tmp = g_strdup_printf ("%s" TMP_MARK "XXXXXX", target);
      /* 0666 and the umask, as for any file a program creates; an existing
       * file's mode is copied by the caller, without the umask. */
      int fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0666);
      if (fd < 0)
        return -1;
      struct stat st;
      if (flock (fd, LOCK_EX | LOCK_NB) == 0 && fstat (fd, &st) == 0 && st.st_nlink > 0)
        {
          *tmp_out = g_steal_pointer (&tmp);
          return fd;
        }
      close (fd);
      if (tries == 100)
        return (errno = EAGAIN, -1);
    }
}

/* Writes a regular file (or a new one) through a temporary file beside it. */
static DpOutput *
open_atomic (const char *path, const char *target, const GStatBuf *old, GError **error)
{
  remove_stale_temps (target);
  g_autofree char *tmp = NULL;
  int fd = create_temp (target, &tmp);
  if (fd < 0)
    {
      set_errno_error (error, errno, "cannot create %s", path);
      return NULL;
    }
  if (old && (fchmod (fd, old->st_mode & 07777) != 0
              || (geteuid () == 0 && fchown (fd, old->st_uid, old->st_gid) != 0)))
    {
      int e = errno;
      close (fd);
      g_unlink (tmp);
      set_errno_error (error, e, "cannot give %s the permissions of %s", tmp, path);
      return NULL;
    }
  DpOutput *out = output_new (path, fd, TRUE);
  out->path = g_strdup (target);
  out->tmp_path = g_steal_pointer (&tmp);
  out->sync = TRUE;
  const DpOutputHooks *hooks = dp_output_get_hooks ();
  if (hooks && hooks->opened)
    hooks->opened (out, out->path, hooks->data);
  return out;
}

DpOutput *
dp_output_open (const char *path, DpOutputFlags flags, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  if (strcmp (path, "-") == 0)
    return output_new ("<stdout>", STDOUT_FILENO, FALSE);
  int n = named_descriptor (path);
  if (n >= 0)
    {
      int fd = fcntl (n, F_DUPFD_CLOEXEC, 3);
      if (fd < 0)
        {
          set_errno_error (error, errno, "cannot open %s", path);
          return NULL;
        }
      return output_new (path, fd, TRUE);
    }
  g_autofree char *target = resolve_links (path, error);
  if (!target)
    return NULL;
  if (flags & DP_OUTPUT_APPEND)
    return open_in_place (path, target, TRUE, error);
  GStatBuf st;
  if (g_stat (target, &st) != 0)
    {
      if (errno != ENOENT)
        {
          set_errno_error (error, errno, "cannot open %s", path);
          return NULL;
        }
      return open_atomic (path, target, NULL, error);
    }
  if (S_ISDIR (st.st_mode))
    {
      set_errno_error (error, EISDIR, "cannot write %s", path);
      return NULL;
    }
  if (S_ISREG (st.st_mode))
    return open_atomic (path, target, &st, error);
  return open_in_place (path, target, FALSE, error);
}

DpOutput *
dp_output_open_fd (int fd, const char *name)
{
  g_return_val_if_fail (fd >= 0 && name != NULL, NULL);
  return output_new (name, fd, FALSE);
}

const char *
dp_output_get_name (const DpOutput *out)
{
  return out->name;
}

gboolean
dp_output_is_atomic (const DpOutput *out)
{
  return out->tmp_path != NULL;
}

gboolean
dp_output_write (DpOutput *out, const void *data, gsize len, GError **error)
{
  g_return_val_if_fail (!out->done, FALSE);
  const char *p = data;
  while (len > 0)
    {
      /* Linux writes at most 0x7ffff000 bytes per call; ask for no more than
       * that so a short write means what it should (a full disk, a pipe). */
      ssize_t n = write (out->fd, p, MIN (len, (gsize) 0x7ffff000));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          set_errno_error (error, errno, "%s", out->name);
          return FALSE;
        }
      p += n;
      len -= (gsize) n;
      out->synced = FALSE;
    }
  return TRUE;
}

/* fsync, where it means something: EINVAL is a file (a pipe's other end,
 * some special files) that cannot be synced. */
static int
sync_fd (int fd)
{
  return fsync (fd) != 0 && errno != EINVAL ? errno : 0;
}

gboolean
dp_output_sync (DpOutput *out, GError **error)
{
  g_return_val_if_fail (!out->done, FALSE);
  if (!out->sync || out->synced)
    return TRUE;
  int err = sync_fd (out->fd);
  if (err)
    {
      set_errno_error (error, err, "%s", out->name);
      return FALSE;
    }
  out->synced = TRUE;
  return TRUE;
}

/* Closes the descriptor if it is ours; the first error wins. */
static gboolean
finish_fd (DpOutput *out, gboolean sync, GError **error)
{
  int err = sync && !out->synced ? sync_fd (out->fd) : 0;
  if (out->owns_fd && close (out->fd) != 0 && !err && errno != EINTR)
    err = errno;
  out->fd = -1;
  out->done = TRUE;
  if (err)
    set_errno_error (error, err, "%s", out->name);
  return err == 0;
}

/* A temporary file is renamed before it is closed: its lock (see above) must
 * last until it has its final name, or a cleaner could take it for stale. */
static gboolean
commit_atomic (DpOutput *out, GError **error)
{
  int err = 0;
  gboolean renaming = FALSE;
  struct stat st;
  g_autoptr (GError) refused = NULL;
  const DpOutputHooks *hooks = dp_output_get_hooks ();
  if (!out->synced && fsync (out->fd) != 0)
    err = errno;
  else if (hooks && hooks->committing && fstat (out->fd, &st) != 0)
    err = errno;
  else if (hooks && hooks->committing && !hooks->committing (out, out->path, &st, hooks->data, &refused))
    err = -1;
  else if (g_rename (out->tmp_path, out->path) != 0)
    err = errno, renaming = TRUE;
  gboolean renamed = err == 0;
  if (close (out->fd) != 0 && !err && errno != EINTR)
    err = errno;
  out->fd = -1;
  out->done = TRUE;
  if (!renamed)
    g_unlink (out->tmp_path);
  g_clear_pointer (&out->tmp_path, g_free);
  if (refused)
    g_set_error (error, refused->domain, refused->code, "%s not replaced: %s", out->name, refused->message);
  else if (err)
    set_errno_error (error, err, "%s%s", renaming ? "cannot replace " : "", out->name);
  return err == 0;
}

gboolean
dp_output_commit (DpOutput *out, GError **error)
{
  g_return_val_if_fail (!out->done, FALSE);
  if (out->tmp_path)
    return commit_atomic (out, error);
  return finish_fd (out, out->sync, error);
}

void
dp_output_abort (DpOutput *out)
{
  if (out->done)
    return;
  finish_fd (out, FALSE, NULL);
  if (out->tmp_path)
    {
      g_unlink (out->tmp_path);
      const DpOutputHooks *hooks = dp_output_get_hooks ();
      if (hooks && hooks->dropped)
        hooks->dropped (out, hooks->data);
    }
  g_clear_pointer (&out->tmp_path, g_free);
}

void
dp_output_free (DpOutput *out)
{
  if (!out)
    return;
  dp_output_abort (out);
  g_free (out->name);
  g_free (out->path);
  g_free (out);
}
