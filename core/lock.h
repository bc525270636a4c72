/* lock.h — one run at a time: an OS lock on a file (--lock, `lock = FILE`). */
#pragma once

#include <glib.h>

#define DP_LOCK_ERROR (dp_lock_error_quark ())
GQuark dp_lock_error_quark (void);

typedef enum {
  DP_LOCK_ERROR_BUSY,     /* another process holds the lock */
  DP_LOCK_ERROR_FAILED,   /* the file cannot be opened or locked */
} DpLockError;

typedef struct _DpLock DpLock;

/* Takes the lock on @path (created if missing) without waiting, and writes
 * our pid into it.  A lock left by a process that died is simply free (the OS
 * drops it with the process); the pid it left behind is reported (a
 * message).  BUSY names the holder's pid. */
DpLock *dp_lock_acquire (const char *path, GError **error);
/* Empties the file and releases the lock (the file stays). */
void    dp_lock_release (DpLock *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpLock, dp_lock_release)
