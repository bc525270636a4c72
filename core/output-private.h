/* output-private.h — the core's watch on DpOutput's atomic files (not SDK).
 *
 * Incremental runs (state.c) must know, if a run dies between a writer's
 * rename and the state's update, whether the run's output files got their
 * names.  So the runner watches every output replaced through a temporary
 * file: which ones are opened, and each one just before its rename (its
 * temporary file's identity, which the rename keeps).  One set of hooks per
 * process; the runner installs them only with a state file.
 */
#pragma once

#include <docpipe/output.h>
#include <sys/stat.h>

typedef struct {
  /* A temporary file was created for @target (any thread). */
  void     (*opened) (DpOutput *out, const char *target, gpointer data);
  /* @out's temporary file, synced, is about to be renamed over @target;
   * @st is its fstat.  FALSE: not renamed (the output is aborted, the commit fails). */
  gboolean (*committing) (DpOutput *out, const char *target, const struct stat *st, gpointer data,
                          GError **error);
  /* @out was aborted or freed without its rename. */
  void     (*dropped) (DpOutput *out, gpointer data);
  gpointer data;
} DpOutputHooks;

/* The hooks live where both libdocpipe (output.c) and the private core can
 * reach them without a symbol: libdocpipe exports exactly its SDK
 * (tests/check-exports.sh), and this is no part of it.  So they are GLib
 * data on a location both sides can name, the interned string of a quark. */
static inline gconstpointer
dp_output_hooks_location (GQuark *key)
{
  *key = g_quark_from_static_string ("docpipe-output-hooks");
  return g_quark_to_string (*key);
}

/* Installs @hooks (NULL: none) for the whole process; not while outputs are
 * being opened or committed.  @hooks must outlive their installation. */
static inline void
dp_output_set_hooks (const DpOutputHooks *hooks)
{
  GQuark key;
  gconstpointer location = dp_output_hooks_location (&key);
  g_dataset_id_set_data (location, key, (gpointer) hooks);
}

static inline const DpOutputHooks *
dp_output_get_hooks (void)
{
  GQuark key;
  gconstpointer location = dp_output_hooks_location (&key);
  return g_dataset_id_get_data (location, key);
}
