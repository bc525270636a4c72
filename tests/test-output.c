/* test-output.c — DpOutput, the one place that decides how a sink writes a path.
 *
 * Each case runs as the current user and, when that is root, again as nobody
 * (a subprocess that drops its privileges), since root and users failed in
 * different ways before: root replaced device nodes, users got "permission
 * denied".  Device nodes and FIFOs are made in a temporary directory (mknod
 * needs root); the system's /dev nodes are never written, and /dev/stdout is
 * only tried as nobody, where a regression fails instead of replacing it.
 */
#include "test-util.h"

#include <docpipe/docpipe.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- helpers ---------------------------------------------------------------- */

static void
write_text (const char *path, const char *text, int mode)
{
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static mode_t
current_umask (void)
{
  mode_t m = umask (022);
  umask (m);
  return m;
}

static DpOutput *
open_ok (const char *path, DpOutputFlags flags)
{
  g_autoptr (GError) error = NULL;
  DpOutput *out = dp_output_open (path, flags, &error);
  g_assert_no_error (error);
  g_assert_nonnull (out);
  return out;
}

static void
write_ok (DpOutput *out, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_output_write (out, text, strlen (text), &error));
  g_assert_no_error (error);
}

static void
commit_ok (DpOutput *out)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_output_commit (out, &error));
  g_assert_no_error (error);
}

static void
write_file_ok (const char *path, DpOutputFlags flags, const char *text)
{
  g_autoptr (DpOutput) out = open_ok (path, flags);
  write_ok (out, text);
  commit_ok (out);
}

/* ---- regular files ---------------------------------------------------------- */

static void
case_new_file (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "out.jsonl", NULL);
  g_autoptr (DpOutput) out = open_ok (path, DP_OUTPUT_REPLACE);
  g_assert_true (dp_output_is_atomic (out));
  write_ok (out, "one\n");
  /* Until the commit the path does not exist; the data is in a temporary file beside it. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_autofree char *during = dp_test_list_dir (dir);
  g_assert_true (g_str_has_prefix (during, "out.jsonl.docpipe-tmp-"));
  write_ok (out, "two\n");
  commit_ok (out);
  g_autofree char *text = dp_test_read_file (path);
  g_assert_cmpstr (text, ==, "one\ntwo\n");
  g_autofree char *after = dp_test_list_dir (dir);
  g_assert_cmpstr (after, ==, "out.jsonl");
  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0666 & ~current_umask ());
  g_assert_cmpint (st.st_uid, ==, geteuid ());
}

/* dp_output_sync: the data on the disk, the output still open and still a
 * temporary file; writing after it and committing work as without it. */
static void
case_sync (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "out.jsonl", NULL);
  g_autoptr (DpOutput) out = open_ok (path, DP_OUTPUT_REPLACE);
  write_ok (out, "one\n");
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_output_sync (out, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  write_ok (out, "two\n");
  g_assert_true (dp_output_sync (out, &error));
  g_assert_true (dp_output_sync (out, &error));   /* nothing new: nothing to do */
  commit_ok (out);
  g_autofree char *text = dp_test_read_file (path);
  g_assert_cmpstr (text, ==, "one\ntwo\n");
  g_autofree char *after = dp_test_list_dir (dir);
  g_assert_cmpstr (after, ==, "out.jsonl");
  /* A pipe cannot be synced: that is not an error. */
  int fds[2];
  g_assert_cmpint (pipe (fds), ==, 0);
  g_autoptr (DpOutput) piped = dp_output_open_fd (fds[1], "pipe");
  write_ok (piped, "x");
  g_assert_true (dp_output_sync (piped, &error));
  g_assert_no_error (error);
  commit_ok (piped);
  close (fds[0]);
  close (fds[1]);
}

static void
case_replace_keeps_mode (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "out.jsonl", NULL);
  g_autofree char *old_link = g_build_filename (dir, "old.jsonl", NULL);
  write_text (path, "old\n", 0640);
  if (geteuid () == 0)
    g_assert_cmpint (chown (path, 4321, 4322), ==, 0);
  g_assert_cmpint (link (path, old_link), ==, 0);   /* a reader holding the old file */
  write_file_ok (path, DP_OUTPUT_REPLACE, "new\n");
  g_autofree char *text = dp_test_read_file (path);
  g_assert_cmpstr (text, ==, "new\n");
  /* Replaced by a rename: the old file is untouched for whoever has it open. */
  g_autofree char *old = dp_test_read_file (old_link);
  g_assert_cmpstr (old, ==, "old\n");
  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  if (geteuid () == 0)
    {
      g_assert_cmpint (st.st_uid, ==, 4321);
      g_assert_cmpint (st.st_gid, ==, 4322);
    }
  g_autofree char *names = dp_test_list_dir (dir);
  g_assert_cmpstr (names, ==, "old.jsonl,out.jsonl");
}

static void
case_symlink (const char *dir)
{
  g_autofree char *sub = g_build_filename (dir, "sub", NULL);
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  g_autofree char *target = g_build_filename (sub, "target.jsonl", NULL);
  g_autofree char *link1 = g_build_filename (dir, "link.jsonl", NULL);
  g_autofree char *link2 = g_build_filename (dir, "link2.jsonl", NULL);
  write_text (target, "old\n", 0604);
  g_assert_cmpint (symlink ("sub/target.jsonl", link1), ==, 0);
  g_assert_cmpint (symlink ("link.jsonl", link2), ==, 0);

  /* Through a chain of two links: the target is replaced, the links stay. */
  write_file_ok (link2, DP_OUTPUT_REPLACE, "new\n");
  g_autofree char *text = dp_test_read_file (target);
  g_assert_cmpstr (text, ==, "new\n");
  GStatBuf st;
  g_assert_cmpint (g_lstat (link1, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  g_assert_cmpint (g_lstat (link2, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  g_autofree char *points = g_file_read_link (link2, NULL);
  g_assert_cmpstr (points, ==, "link.jsonl");
  g_assert_cmpint (g_stat (target, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0604);
  g_autofree char *in_sub = dp_test_list_dir (sub);
  g_assert_cmpstr (in_sub, ==, "target.jsonl");

  /* A link to nothing yet creates its target. */
  g_autofree char *dangling = g_build_filename (dir, "dangling.jsonl", NULL);
  g_assert_cmpint (symlink ("sub/created.jsonl", dangling), ==, 0);
  write_file_ok (dangling, DP_OUTPUT_REPLACE, "created\n");
  g_autofree char *created_path = g_build_filename (sub, "created.jsonl", NULL);
  g_autofree char *created = dp_test_read_file (created_path);
  g_assert_cmpstr (created, ==, "created\n");
  g_assert_cmpint (g_lstat (dangling, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));

  /* A loop of links is an error, not a hang. */
  g_autofree char *loop = g_build_filename (dir, "loop", NULL);
  g_assert_cmpint (symlink ("loop", loop), ==, 0);
  g_autoptr (GError) error = NULL;
  g_assert_null (dp_output_open (loop, DP_OUTPUT_REPLACE, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_LOOP);
}

static void
case_abort (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "out.jsonl", NULL);
  write_text (path, "old\n", 0644);
  DpOutput *out = open_ok (path, DP_OUTPUT_REPLACE);
  write_ok (out, "half a fi");
  dp_output_abort (out);
  dp_output_free (out);
  /* Freed without commit: the same. */
  out = open_ok (path, DP_OUTPUT_REPLACE);
  write_ok (out, "half a fi");
  dp_output_free (out);
  g_autofree char *text = dp_test_read_file (path);
  g_assert_cmpstr (text, ==, "old\n");
  g_autofree char *names = dp_test_list_dir (dir);
  g_assert_cmpstr (names, ==, "out.jsonl");
}

static void
setup_locked (const char *dir)
{
  g_autofree char *locked = g_build_filename (dir, "locked", NULL);
  g_assert_cmpint (g_mkdir (locked, 0555), ==, 0);
  g_assert_cmpint (g_chmod (locked, 0555), ==, 0);
}

static void
case_errors (const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *missing = g_build_filename (dir, "no-such-dir", "out.jsonl", NULL);
  g_assert_null (dp_output_open (missing, DP_OUTPUT_REPLACE, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_autofree char *expect = g_strdup_printf ("cannot create %s: ", missing);
  g_assert_true (g_str_has_prefix (error->message, expect));
  g_clear_error (&error);

  g_assert_null (dp_output_open (missing, DP_OUTPUT_APPEND, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  g_assert_null (dp_output_open (dir, DP_OUTPUT_REPLACE, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  g_clear_error (&error);

  g_assert_null (dp_output_open ("/dev/fd/999", DP_OUTPUT_REPLACE, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_BADF);
  g_clear_error (&error);

  /* A directory the user may not write (root may write anywhere). */
  g_autofree char *locked = g_build_filename (dir, "locked", "out.jsonl", NULL);
  if (geteuid () != 0)
    {
      g_assert_null (dp_output_open (locked, DP_OUTPUT_REPLACE, &error));
      g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ACCES);
      g_clear_error (&error);
      g_assert_null (dp_output_open (locked, DP_OUTPUT_APPEND, &error));
      g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ACCES);
    }
}

static void
case_append (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "log.jsonl", NULL);
  g_autofree char *link_path = g_build_filename (dir, "link.jsonl", NULL);
  g_assert_cmpint (symlink ("log.jsonl", link_path), ==, 0);
  write_file_ok (path, DP_OUTPUT_APPEND, "a\n");
  write_file_ok (path, DP_OUTPUT_APPEND, "b\n");
  /* In place, so two outputs open at once both land whole. */
  g_autoptr (DpOutput) one = open_ok (path, DP_OUTPUT_APPEND);
  g_autoptr (DpOutput) two = open_ok (link_path, DP_OUTPUT_APPEND);
  g_assert_false (dp_output_is_atomic (one));
  write_ok (one, "c\n");
  write_ok (two, "d\n");
  write_ok (one, "e\n");
  commit_ok (two);
  commit_ok (one);
  g_autofree char *text = dp_test_read_file (path);
  g_assert_cmpstr (text, ==, "a\nb\nc\nd\ne\n");
  GStatBuf st;
  g_assert_cmpint (g_lstat (link_path, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
}

/* ---- descriptors: -, /dev/stdout, /dev/fd/N ---------------------------------- */

static void
case_descriptors (const char *dir)
{
  /* Standard output redirected to a file holding a line already, as a shell's
   * `>> file` would: every name for it appends there, in place. */
  g_autofree char *path = g_build_filename (dir, "stdout.txt", NULL);
  write_text (path, "first\n", 0644);
  int fd = open (path, O_WRONLY | O_APPEND);
  g_assert_cmpint (fd, >=, 0);
  GStatBuf before;
  g_assert_cmpint (g_stat (path, &before), ==, 0);
  g_autofree char *cwd = g_get_current_dir ();
  g_assert_cmpint (chdir (dir), ==, 0);
  fflush (stdout);
  int saved = dup (STDOUT_FILENO);
  g_assert_cmpint (dup2 (fd, STDOUT_FILENO), ==, STDOUT_FILENO);

  g_autofree char *fd_path = g_strdup_printf ("/dev/fd/%d", fd);
  g_autofree char *proc_path = g_strdup_printf ("/proc/self/fd/%d", fd);
  const char *names[] = {
    "-", "/dev/fd/1", "/proc/self/fd/1", fd_path, proc_path,
    /* As root a regression would replace the system's /dev/stdout: users only. */
    geteuid () != 0 ? "/dev/stdout" : NULL,
  };
  g_autoptr (GString) expect = g_string_new ("first\n");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (names[i])
      {
        g_autofree char *line = g_strdup_printf ("%s\n", names[i]);
        g_autoptr (DpOutput) out = open_ok (names[i], DP_OUTPUT_REPLACE);
        g_assert_false (dp_output_is_atomic (out));
        write_ok (out, line);
        commit_ok (out);
        g_string_append (expect, line);
      }
  g_autoptr (DpOutput) named = open_ok ("-", DP_OUTPUT_REPLACE);
  g_assert_cmpstr (dp_output_get_name (named), ==, "<stdout>");
  commit_ok (named);

  g_assert_cmpint (dup2 (saved, STDOUT_FILENO), ==, STDOUT_FILENO);
  close (saved);
  /* The caller's descriptor stays open after the commits. */
  g_assert_cmpint (fcntl (fd, F_GETFD), !=, -1);
  close (fd);
  g_assert_cmpint (chdir (cwd), ==, 0);

  g_autofree char *text = dp_test_read_file (path);
  g_assert_cmpstr (text, ==, expect->str);
  GStatBuf after;
  g_assert_cmpint (g_stat (path, &after), ==, 0);
  g_assert_cmpuint (after.st_ino, ==, before.st_ino);
  /* No file named "-" (or anything else) appeared. */
  g_autofree char *listing = dp_test_list_dir (dir);
  g_assert_cmpstr (listing, ==, "stdout.txt");

  /* dp_output_open_fd: the caller's descriptor, never closed. */
  int fds[2];
  g_assert_cmpint (pipe (fds), ==, 0);
  g_autoptr (DpOutput) wrapped = dp_output_open_fd (fds[1], "<pipe>");
  write_ok (wrapped, "x");
  commit_ok (wrapped);
  g_assert_cmpint (write (fds[1], "y", 1), ==, 1);
  char buf[3] = { 0 };
  g_assert_cmpint (read (fds[0], buf, 2), ==, 2);
  g_assert_cmpstr (buf, ==, "xy");
  close (fds[0]);
  close (fds[1]);
}

/* ---- FIFOs, sockets, devices --------------------------------------------------- */

static gpointer
read_fifo (gpointer path)
{
  g_autoptr (GString) got = g_string_new (NULL);
  int fd = open (path, O_RDONLY);
  g_assert_cmpint (fd, >=, 0);
  char buf[4096];
  ssize_t n;
  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (got, buf, n);
  close (fd);
  return g_string_free (g_steal_pointer (&got), FALSE);
}

static void
case_fifo (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "fifo", NULL);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  GThread *reader = g_thread_new ("fifo-reader", read_fifo, path);
  /* Opening waits for the reader, as `> fifo` does in a shell. */
  g_autoptr (DpOutput) out = open_ok (path, DP_OUTPUT_REPLACE);
  g_assert_false (dp_output_is_atomic (out));
  g_autoptr (GString) sent = g_string_new (NULL);
  for (guint i = 0; i < 2000; i++)
    g_string_append_printf (sent, "{\"id\":\"r%u\",\"text\":\"through a FIFO\"}\n", i);
  write_ok (out, sent->str);
  commit_ok (out);
  g_autofree char *got = g_thread_join (reader);
  g_assert_cmpstr (got, ==, sent->str);
  GStatBuf st;
  g_assert_cmpint (g_lstat (path, &st), ==, 0);
  g_assert_true (S_ISFIFO (st.st_mode));
  g_autofree char *names = dp_test_list_dir (dir);
  g_assert_cmpstr (names, ==, "fifo");
}

typedef struct {
  int listener;
  char *got;
} SocketPeer;

static gpointer
read_socket (gpointer data)
{
  SocketPeer *peer = data;
  int fd = accept (peer->listener, NULL, NULL);
  g_assert_cmpint (fd, >=, 0);
  g_autoptr (GString) got = g_string_new (NULL);
  char buf[4096];
  ssize_t n;
  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (got, buf, n);
  close (fd);
  peer->got = g_string_free (g_steal_pointer (&got), FALSE);
  return NULL;
}

static void
case_socket (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "sock", NULL);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  g_assert_cmpuint (strlen (path), <, sizeof addr.sun_path);
  strcpy (addr.sun_path, path);
  SocketPeer peer = { socket (AF_UNIX, SOCK_STREAM, 0), NULL };
  g_assert_cmpint (bind (peer.listener, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (peer.listener, 1), ==, 0);
  GThread *thread = g_thread_new ("socket-reader", read_socket, &peer);
  write_file_ok (path, DP_OUTPUT_REPLACE, "to a socket\n");
  g_thread_join (thread);
  close (peer.listener);
  g_assert_cmpstr (peer.got, ==, "to a socket\n");
  g_free (peer.got);
  GStatBuf st;
  g_assert_cmpint (g_lstat (path, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
}

/* Copies of /dev/null (1, 3) and /dev/full (1, 7), made here, never the real ones. */
static void
setup_devices (const char *dir)
{
  g_autofree char *null = g_build_filename (dir, "null", NULL);
  g_autofree char *full = g_build_filename (dir, "full", NULL);
  g_assert_cmpint (mknod (null, S_IFCHR | 0666, makedev (1, 3)), ==, 0);
  g_assert_cmpint (mknod (full, S_IFCHR | 0666, makedev (1, 7)), ==, 0);
  /* mknod's mode is subject to the umask. */
  g_assert_cmpint (g_chmod (null, 0666), ==, 0);
  g_assert_cmpint (g_chmod (full, 0666), ==, 0);
}

static void
assert_still_device (const char *path, guint minor)
{
  GStatBuf st;
  g_assert_cmpint (g_lstat (path, &st), ==, 0);
  g_assert_true (S_ISCHR (st.st_mode));
  g_assert_cmpuint (major (st.st_rdev), ==, 1);
  g_assert_cmpuint (minor (st.st_rdev), ==, minor);
}

static void
case_devices (const char *dir)
{
  g_autofree char *null = g_build_filename (dir, "null", NULL);
  g_autofree char *full = g_build_filename (dir, "full", NULL);
  g_autoptr (DpOutput) out = open_ok (null, DP_OUTPUT_REPLACE);
  g_assert_false (dp_output_is_atomic (out));
  g_autofree char *block = g_strnfill (1 << 20, 'x');
  write_ok (out, block);
  commit_ok (out);
  write_file_ok (null, DP_OUTPUT_APPEND, "appended\n");
  assert_still_device (null, 3);

  g_autoptr (DpOutput) to_full = open_ok (full, DP_OUTPUT_REPLACE);
  g_autoptr (GError) error = NULL;
  g_assert_false (dp_output_write (to_full, "x\n", 2, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
  g_assert_true (g_str_has_prefix (error->message, full));
  dp_output_abort (to_full);
  assert_still_device (full, 7);
  g_autofree char *names = dp_test_list_dir (dir);
  g_assert_cmpstr (names, ==, "full,null");
}

/* ---- temporary files runs left behind ------------------------------------------- */

/* Another user's file with one of our names (made as root, before the case
 * drops its privileges): uid neither root nor nobody, so neither run owns it. */
#define FOREIGN_TEMP "foreign.jsonl.docpipe-tmp-FoReIg"
#define FOREIGN_UID (DP_TEST_NOBODY - 1)

static void
setup_foreign_temp (const char *dir)
{
  if (geteuid () != 0)
    return;
  g_autofree char *p = g_build_filename (dir, FOREIGN_TEMP, NULL);
  write_text (p, "someone else's", 0666);
  g_assert_cmpint (chown (p, FOREIGN_UID, FOREIGN_UID), ==, 0);
}

static void
make_files (const char *dir, const char *const *names, const char *text, int mode)
{
  for (guint i = 0; names[i]; i++)
    {
      g_autofree char *p = g_build_filename (dir, names[i], NULL);
      write_text (p, text, mode);
    }
}

/* Opening any target for replacing removes the temporary files no live writer
 * locks in its directory: NAME.docpipe-tmp-XXXXXX whatever NAME is (a killed
 * run's own per-run target, which no later run writes again), and the older
 * TARGET.tmp-XXXXXX of the target opened.  Nothing else: not a name of another
 * form, not a link (nor what it points to), a directory, a FIFO, a file with
 * another link, another user's file, or a temporary file an open output (this
 * process's or another's: flock locks belong to open files) still holds. */
static void
case_stale_temps (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "out.jsonl", NULL);
  write_text (path, "old\n", 0644);
  static const char *const stale[] = { "run-7.jsonl.docpipe-tmp-Ab3xZ9", "out.jsonl.docpipe-tmp-000000",
                                       "run-9.jsonl.tmp-Ab3xZ9", NULL };
  static const char *const kept[] = {
    "run-7.jsonl.docpipe-tmp-Ab3xZ", "run-7.jsonl.docpipe-tmp-Ab3xZ99", "run-7.jsonl.docpipe-tmp-Ab3.Z9",
    "run-7.jsonl.docpipe-tmp-Ab3xZ9.bak", "run-7.jsonl.Docpipe-tmp-Ab3xZ9", ".docpipe-tmp-Ab3xZ9",
    "run-7.jsonl.tmp-Ab3xZ9", "xrun-9.jsonl.tmp-Ab3xZ9", "run-9.jsonl.tmp-Ab3xZ", "precious.txt", NULL };
  make_files (dir, stale, "half a fi", 0644);
  g_autofree char *write_only = g_build_filename (dir, stale[1], NULL);
  g_assert_cmpint (g_chmod (write_only, 0200), ==, 0);
  make_files (dir, kept, "not ours", 0644);
  g_autofree char *precious = g_build_filename (dir, "precious.txt", NULL);
  g_autofree char *sym = g_build_filename (dir, "link.jsonl.docpipe-tmp-LiNk00", NULL);
  g_assert_cmpint (symlink ("precious.txt", sym), ==, 0);
  g_autofree char *hard = g_build_filename (dir, "hard.jsonl.docpipe-tmp-HaRd00", NULL);
  g_assert_cmpint (link (precious, hard), ==, 0);
  g_autofree char *subdir = g_build_filename (dir, "dir.jsonl.docpipe-tmp-DiR000", NULL);
  g_assert_cmpint (g_mkdir (subdir, 0700), ==, 0);
  g_autofree char *fifo = g_build_filename (dir, "fifo.jsonl.docpipe-tmp-FiFo00", NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_autofree char *foreign = g_build_filename (dir, FOREIGN_TEMP, NULL);
  gboolean has_foreign = g_file_test (foreign, G_FILE_TEST_EXISTS);

  /* Live outputs' temporary files, of the target and of another, survive a
   * third target opened beside them. */
  g_autofree char *other = g_build_filename (dir, "run-8.jsonl", NULL);
  g_autofree char *third = g_build_filename (dir, "run-9.jsonl", NULL);
  DpOutput *live = open_ok (path, DP_OUTPUT_REPLACE);
  write_ok (live, "live\n");
  DpOutput *live_other = open_ok (other, DP_OUTPUT_REPLACE);
  write_ok (live_other, "other\n");
  write_file_ok (third, DP_OUTPUT_REPLACE, "third\n");
  g_autofree char *names = dp_test_list_dir (dir);
  g_auto (GStrv) listed = g_strsplit (names, ",", -1);
  for (guint i = 0; stale[i]; i++)
    g_assert_false (g_strv_contains ((const char *const *) listed, stale[i]));
  /* The kept names, the link, the hard link, the directory, the FIFO, the
   * target, the third, two live temporary files (and another user's file). */
  g_assert_cmpuint (g_strv_length (listed), ==, g_strv_length ((char **) kept) + 8 + has_foreign);
  g_autofree char *text = dp_test_read_file (precious);
  g_assert_cmpstr (text, ==, "not ours");

  /* The live outputs still commit. */
  commit_ok (live);
  dp_output_free (live);
  commit_ok (live_other);
  dp_output_free (live_other);
  g_autofree char *live_text = dp_test_read_file (path);
  g_assert_cmpstr (live_text, ==, "live\n");
  /* Another user's file is still there (and may go now: the directory is ours). */
  if (has_foreign)
    g_assert_cmpint (g_remove (foreign), ==, 0);
  g_autofree char *after = dp_test_list_dir (dir);
  g_assert_cmpstr (after, ==, ".docpipe-tmp-Ab3xZ9,dir.jsonl.docpipe-tmp-DiR000,fifo.jsonl.docpipe-tmp-FiFo00,"
                   "hard.jsonl.docpipe-tmp-HaRd00,link.jsonl.docpipe-tmp-LiNk00,out.jsonl,precious.txt,"
                   "run-7.jsonl.Docpipe-tmp-Ab3xZ9,run-7.jsonl.docpipe-tmp-Ab3.Z9,run-7.jsonl.docpipe-tmp-Ab3xZ,"
                   "run-7.jsonl.docpipe-tmp-Ab3xZ9.bak,run-7.jsonl.docpipe-tmp-Ab3xZ99,run-7.jsonl.tmp-Ab3xZ9,"
                   "run-8.jsonl,run-9.jsonl,run-9.jsonl.tmp-Ab3xZ,xrun-9.jsonl.tmp-Ab3xZ9");
}

/* ---- running each case as root and as nobody ------------------------------------ */

typedef struct {
  const char *name;
  void (*body) (const char *dir);
  void (*setup) (const char *dir);   /* as the invoking user, before privileges are dropped */
  gboolean needs_root;               /* setup makes device nodes */
} Case;

static const Case cases[] = {
  { "new-file", case_new_file },
  { "sync", case_sync },
  { "replace-keeps-mode", case_replace_keeps_mode },
  { "symlink", case_symlink },
  { "abort", case_abort },
  { "stale-temps", case_stale_temps, setup_foreign_temp },
  { "errors", case_errors, setup_locked },
  { "append", case_append },
  { "descriptors", case_descriptors },
  { "fifo", case_fifo },
  { "socket", case_socket },
  { "devices", case_devices, setup_devices, TRUE },
};

static char *
make_dir (const Case *c)
{
  char *dir = dp_test_make_tmp_dir ("docpipe-output-XXXXXX");
  if (c->setup)
    c->setup (dir);
  return dir;
}

static void
run_case (gconstpointer data)
{
  const Case *c = data;
  if (c->needs_root && geteuid () != 0)
    {
      g_test_skip ("needs root to make device nodes");
      return;
    }
  g_autofree char *dir = make_dir (c);
  c->body (dir);
  dp_test_remove_tree (dir);
}

static void
drop_privileges (void)
{
  g_assert_true (dp_test_become_nobody ());
  g_assert_cmpint (geteuid (), ==, DP_TEST_NOBODY);
}

static void
run_case_as_nobody (gconstpointer data)
{
  const Case *c = data;
  if (g_test_subprocess ())
    {
      drop_privileges ();
      c->body (g_getenv ("DP_TEST_OUTPUT_DIR"));
      return;
    }
  if (geteuid () != 0)
    {
      g_test_skip ("not root: the case ran as this user already");
      return;
    }
  g_autofree char *dir = make_dir (c);
  g_assert_cmpint (chown (dir, DP_TEST_NOBODY, DP_TEST_NOBODY), ==, 0);
  g_setenv ("DP_TEST_OUTPUT_DIR", dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("DP_TEST_OUTPUT_DIR");
  dp_test_remove_tree (dir);
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/output/%s", cases[i].name);
      g_autofree char *as_nobody = g_strdup_printf ("/output-as-nobody/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], run_case);
      g_test_add_data_func (as_nobody, &cases[i], run_case_as_nobody);
    }
  return g_test_run ();
}
