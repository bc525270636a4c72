/* runner.h — runs a validated pipeline: threads, bounded flow, ordered sinks. */
#pragma once

#include "pipeline.h"
#include "progress.h"

typedef struct {
  const char *stats_path;   /* --stats FILE, or NULL */
  DpProgressMode progress;  /* progress on stderr */
  gboolean quiet;           /* no per-record warnings */
  gboolean full;            /* --full: the state file skips nothing (it is still updated) */
  const char *shard;        /* --shard K/N (valid), over the pipeline's setting; or NULL */
} DpRunOptions;

typedef struct _DpRunner DpRunner;

/* Creates every stage instance; fails (naming the stage) if one cannot be created. */
DpRunner *dp_runner_new (DpPipeline *pipeline, const DpRunOptions *opts, GError **error);
/* Runs to completion, handling SIGINT/SIGTERM; returns the process exit code. */
int       dp_runner_run (DpRunner *runner);
void      dp_runner_free (DpRunner *runner);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpRunner, dp_runner_free)
