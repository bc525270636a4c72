/* shard.h — which documents a run takes when a batch is split over N runs
 * (`--shard K/N`, the `shard` pipeline setting). */
#pragma once

#include <glib.h>

/* The most shards a run may be one of. */
#define DP_SHARD_MAX 1000000

/* Parses "K/N" (decimal, 0 <= K < N <= DP_SHARD_MAX; shards count from 0, as
 * SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX do).  Errors quote @text. */
gboolean dp_shard_parse (const char *text, guint *k, guint *n, GError **error);

/* The shard (0 … @n-1) document @id belongs to: the first 8 bytes of the
 * SHA-256 of the id's bytes, read as a big-endian unsigned 64-bit integer,
 * modulo @n.  Stable across machines, runs and versions, and easy to
 * reproduce elsewhere (docs/operations.md shows it in Python). */
guint    dp_shard_of (const char *id, guint n);
