/* docpipe/output.h — where a sink's bytes go, the way a Unix tool writes them.
 *
 * Every sink that writes to a path (the standard writer, the run's --stats
 * file and dead letters, and any third-party sink) opens it through DpOutput,
 * so that all of them treat paths alike:
 *
 *   "-"                      standard output, written in place.
 *   /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N
 *                            that descriptor of the process, duplicated and
 *                            written in place (never reopened, truncated or
 *                            replaced, whatever it refers to).
 *   a regular file, or a path that does not exist yet
 *                            written to a temporary file in the same
 *                            directory (PATH.docpipe-tmp-XXXXXX) and renamed over
 *                            PATH by dp_output_commit(), so a reader sees the
 *                            old file or the complete new one.  A symbolic
 *                            link is resolved first: its target is replaced,
 *                            the link stays, and an existing target keeps its
 *                            permissions (and, as root, its owner).  The
 *                            temporary file is flock()ed until it is renamed;
 *                            opening PATH removes the NAME.docpipe-tmp-XXXXXX
 *                            files (any NAME) in its directory that runs
 *                            which died left (regular files of the
 *                            effective user that no process holds locked),
 *                            and PATH.tmp-XXXXXX, older docpipes' name.
 *   a character or block device, a FIFO, a socket
 *                            opened and written in place; never renamed over
 *                            (as root, rename(2) over /dev/null would replace
 *                            the device for the whole machine).
 *
 * DP_OUTPUT_APPEND opens every kind in place with O_APPEND (creating a missing
 * file), for logs that several runs share.  Each dp_output_write() is one
 * write(2) call unless the kernel accepts less (a full disk, a pipe), so whole
 * lines written with one call do not interleave with other appenders' lines.
 *
 * DpOutput does no buffering of its own; callers hand it whole lines or
 * blocks.  One DpOutput is used by one thread at a time.
 */
#pragma once

#include <glib.h>
#include <docpipe/export.h>

G_BEGIN_DECLS

typedef enum {
  DP_OUTPUT_REPLACE = 0,        /* the default: replace regular files at commit */
  DP_OUTPUT_APPEND = 1 << 0,    /* append in place, creating the file if needed */
} DpOutputFlags;

typedef struct _DpOutput DpOutput;

/* Opens @path (see above) for writing.  Errors are in G_FILE_ERROR and name the
 * path: a missing directory, a directory given as the path, permissions, a
 * descriptor that is not open.  Opening a FIFO waits for its reader, as a
 * shell redirection does. */
DP_API DpOutput   *dp_output_open (const char *path, DpOutputFlags flags, GError **error);
/* Wraps a descriptor the caller owns and keeps open (e.g. STDERR_FILENO);
 * @name is used in messages. */
DP_API DpOutput   *dp_output_open_fd (int fd, const char *name);

/* The name messages use: the path as given, "<stdout>" for "-". */
DP_API const char *dp_output_get_name (const DpOutput *out);
/* TRUE when writes go to a temporary file that commit renames over the path. */
DP_API gboolean    dp_output_is_atomic (const DpOutput *out);

/* Writes all of @data, retrying on EINTR and short writes. */
DP_API gboolean    dp_output_write (DpOutput *out, const void *data, gsize len, GError **error);

/* Puts what was written so far on the disk (fsync) without ending the output
 * (ABI 2.2).  A sink that commits several outputs as one (the writer's three
 * CSV tables) syncs them all first: their commits then only rename, one right
 * after another, instead of each waiting for the disk between two renames.
 * Outputs that cannot be synced (pipes, terminals) succeed. */
DP_API gboolean    dp_output_sync (DpOutput *out, GError **error);

/* Ends the output successfully: for a temporary file fsync (unless nothing
 * was written since dp_output_sync()), close and rename over the path; for a regular file written in place fsync and close; for
 * anything else close (descriptors from dp_output_open_fd() and "-" stay
 * open).  No writes afterwards.  On failure the temporary file is removed and
 * the path is left as it was. */
DP_API gboolean    dp_output_commit (DpOutput *out, GError **error);
/* Ends the output without committing: a temporary file is removed, so the
 * path is left as it was; in-place outputs keep what was written. */
DP_API void        dp_output_abort (DpOutput *out);
/* Frees @out, aborting it first if it was neither committed nor aborted. */
DP_API void        dp_output_free (DpOutput *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpOutput, dp_output_free)

G_END_DECLS
