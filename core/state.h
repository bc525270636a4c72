/* state.h — incremental runs: the `state = FILE` pipeline setting, an SQLite
 * file remembering which documents (id and content hash) a pipeline
 * (its fingerprint) has processed, so that a later run skips them. */
#pragma once

#include "pipeline.h"

#include <sys/stat.h>

typedef struct _DpState DpState;

/* What a run did, for the state's `state_runs` table. */
typedef struct {
  guint64 read, processed, skipped, failed, other_shards;
  int exit_code;
} DpStateRunSummary;

/* The hex SHA-256 of what decides a document's output: each stage's plugin,
 * version and parameters, except where documents come from (the source's
 * paths) and where output goes (DP_PARAM_OUTPUT paths).  Run settings
 * (workers, batch size …) do not change output and are left out. */
char     *dp_state_fingerprint (const DpPipeline *pipeline);
/* The hex SHA-256 of a freshly decoded record as JSON without its source:
 * id, text, meta and any layers it came with. */
char     *dp_state_content_hash (DpRecord *rec);

/* Opens or creates the state file and notes the run's start.  @full: skip
 * nothing (the results still update the state).  @shard ("K/N" or NULL) is
 * only noted. */
DpState  *dp_state_open (const char *path, const DpPipeline *pipeline, gboolean full,
                         const char *shard, GError **error);
const char *dp_state_get_path (const DpState *state);
/* Workers, after decoding: notes each record's content hash on @batch and
 * takes out those this pipeline already processed; returns how many. */
guint     dp_state_select (DpState *state, DpBatch *batch);
/* The sink thread, once every sink has taken @batch: its records are done as
 * soon as the run's output is committed. */
void      dp_state_add_done (DpState *state, DpBatch *batch);
/* Just before an output file's temporary file is renamed over @target (@sb:
 * its fstat): records that, the @others (NULL-terminated) still to be
 * renamed, and the documents done so far, so that if the run dies before
 * dp_state_end_run() the next run can tell whether its output is complete
 * (state.c).  FALSE: do not rename. */
gboolean  dp_state_prepare_commit (DpState *state, const char *target, const struct stat *sb,
                                   const char *const *others, GError **error);
/* A failing run: forgets what dp_state_prepare_commit() recorded, so that a
 * kill before its end does not make its documents done either. */
gboolean  dp_state_cancel_commits (DpState *state, GError **error);
/* Ends the run: when @output_committed, the documents added are marked done
 * (one transaction); the run's row gets its summary either way.  Errors met
 * during the run (a failed lookup or insert) are reported here. */
gboolean  dp_state_end_run (DpState *state, gboolean output_committed,
                            const DpStateRunSummary *summary, GError **error);
void      dp_state_free (DpState *state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpState, dp_state_free)
