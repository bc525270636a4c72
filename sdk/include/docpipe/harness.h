/* docpipe/harness.h — run one stage in-process, for a plugin's own tests.
 *
 * A harness loads a plugin, creates one stage instance from `key=value`
 * strings (validated exactly as a pipeline's would be), and lets a test push
 * records in as JSON lines and pull out what the stage passed on, what it
 * failed (with its message), in order, without threads, files or a pipeline:
 *
 *   g_autoptr (DpHarness) h = dp_harness_new_parse ("build/keywords.so", "keywords words=Iran", &error);
 *   dp_harness_push (h, "{\"id\":\"a\",\"text\":\"Iran said no.\"}", &error);
 *   dp_harness_process (h, &error);            // one batch through process()
 *   g_autofree char *out = dp_harness_pull (h); // {"id":"a",…,"layers":{"keywords":[…]}}
 *   dp_harness_finish (h, &error);
 *
 * Link with libdocpipe-harness (pkg-config docpipe-harness, or CMake
 * Docpipe::harness).  It is a test tool: the docpipe binary does not use it.
 */
#pragma once

#include <docpipe/export.h>
#include <docpipe/plugin.h>

G_BEGIN_DECLS

typedef struct _DpHarness DpHarness;

/* Loads @plugin (a plugin file, or a directory of plugins) and creates stage
 * @stage (NULL: the plugin file's only stage) with @params, "key=value"
 * strings, NULL-terminated (NULL: none).  Relative paths in values resolve
 * against the current directory.  Fails, saying why, if the plugin cannot be
 * loaded, the stage does not exist, a parameter is refused or create() fails. */
DP_HARNESS_API DpHarness *dp_harness_new (const char *plugin, const char *stage,
                                  const char *const *params, GError **error);
/* The same with the stage and its parameters in one string, written as in a
 * `docpipe -e` expression (shell quoting applies): "keywords words=Iran,IAEA". */
DP_HARNESS_API DpHarness *dp_harness_new_parse (const char *plugin, const char *description,
                                        GError **error);

/* Adds a record to the next batch: one JSON object, as the reader reads and
 * the writer writes ({"text": …} at least).  Fails if it is not a valid
 * record, or if the stage is a source (sources make their own records). */
DP_HARNESS_API gboolean dp_harness_push (DpHarness *harness, const char *json, GError **error);

/* Hands the pushed records to the stage as one batch: process() (a sink's
 * prepare() first); for a source, read() until it adds no record (so a
 * source must be given a finite input).  FALSE,
 * with the stage's error, if the stage failed as a whole; records it failed
 * one by one (dp_batch_fail) are no failure here: see dp_harness_pull_failed(). */
DP_HARNESS_API gboolean dp_harness_process (DpHarness *harness, GError **error);

/* The next record the stage passed on, as one line of JSON without newline
 * (what a writer would write; span texts included unless changed with
 * dp_harness_set_json_flags()), or NULL when there is none left.  g_free() it. */
DP_HARNESS_API char *dp_harness_pull (DpHarness *harness);

/* The next record the stage failed, as one line of JSON (its raw input when
 * it never decoded), with the stage's message in @message (may be NULL;
 * g_free() it); NULL when there is none left. */
DP_HARNESS_API char *dp_harness_pull_failed (DpHarness *harness, char **message);

/* Records waiting to be pulled with dp_harness_pull() / dp_harness_pull_failed(). */
DP_HARNESS_API guint dp_harness_get_n_output (const DpHarness *harness);
DP_HARNESS_API guint dp_harness_get_n_failed (const DpHarness *harness);

/* How pulled records are written (DpJsonFlags; default DP_JSON_SPAN_TEXT). */
DP_HARNESS_API void dp_harness_set_json_flags (DpHarness *harness, DpJsonFlags flags);
/* The most records a source may add per read() call (default 64, as a pipeline's batch-size). */
DP_HARNESS_API void dp_harness_set_batch_size (DpHarness *harness, guint size);

/* Calls the stage's finish(), once.  FALSE with its error if it fails. */
DP_HARNESS_API gboolean dp_harness_finish (DpHarness *harness, GError **error);

/* Destroys the stage instance (destroy() runs whether or not finish() did). */
DP_HARNESS_API void dp_harness_free (DpHarness *harness);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpHarness, dp_harness_free)

G_END_DECLS
