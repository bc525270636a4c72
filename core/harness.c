/* harness.c — libdocpipe-harness: one stage, in-process, for plugin tests.
 *
 * The harness does what the runner does for one stage, minus the threads:
 * loads the plugin with the same loader (same ABI and table checks), builds
 * the parameters with the same validation, wraps pushed records in a batch,
 * calls the stage's callbacks and sweeps its failures.  Results are written
 * to JSON as soon as the batch is done, so a test deals only in strings and
 * never owns a record or a batch.  See sdk/include/docpipe/harness.h.
 */
#include <docpipe/harness.h>

#include "batch-private.h"
#include "core.h"
#include "loader.h"
#include "params-private.h"
#include "record-deferred.h"

#include <string.h>

#define DEFAULT_BATCH_SIZE 64

typedef struct {
  char *json;
  char *message;   /* failed records only */
} Pulled;

struct _DpHarness {
  DpPlugin *plugin;          /* opened from a file, or NULL */
  DpRegistry *registry;      /* opened from a directory, or NULL */
  const DpStageInfo *info;
  const DpPlugin *owner;     /* the plugin providing info, for its data directory */
  char *name;                /* the stage instance's name, for messages */
  gpointer self;
  gboolean created, finished;
  DpBatch *pending;          /* records pushed since the last process, or NULL */
  guint64 seq;
  guint pushed;
  guint batch_size;
  DpJsonFlags flags;
  GQueue output, failed;     /* Pulled* */
};

static void
pulled_free (gpointer p)
{
  Pulled *r = p;
  g_free (r->json);
  g_free (r->message);
  g_free (r);
}

/* ---- finding the stage ----------------------------------------------------- */

static const DpStageInfo *
stage_in_plugin (DpPlugin *plugin, const char *stage, GError **error)
{
  const DpStageInfo *const *stages = plugin->descriptor->stages;
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  for (guint i = 0; stages[i]; i++)
    {
      if (stage && strcmp (stages[i]->name, stage) == 0)
        return stages[i];
      g_ptr_array_add (names, (gpointer) stages[i]->name);
    }
  if (!stage && names->len == 1)
    return stages[0];
  const char *guess = stage ? dp_did_you_mean (stage, (const char *const *) names->pdata, names->len) : NULL;
  g_ptr_array_add (names, NULL);
  g_autofree char *list = g_strjoinv (", ", (char **) names->pdata);
  if (!stage)
    g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PLUGIN,
                 "%s: plugin '%s' has several stages (%s): name one", plugin->path,
                 plugin->descriptor->name, list);
  else
    g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PLUGIN, "%s: plugin '%s' has no stage '%s' (%s%s%s)",
                 plugin->path, plugin->descriptor->name, stage, guess ? "did you mean '" : "stages: ",
                 guess ? guess : list, guess ? "'?" : "");
  return NULL;
}

static const DpStageRef *
stage_in_dir (DpRegistry *reg, const char *dir, const char *stage, GError **error)
{
  if (!stage)
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PLUGIN,
                   "%s is a directory: name the stage to create", dir);
      return NULL;
    }
  const DpStageRef *ref = dp_registry_lookup (reg, stage);
  if (ref)
    return ref;
  g_autoptr (GPtrArray) names = dp_registry_list (reg);
  const char *guess = dp_did_you_mean (stage, (const char *const *) names->pdata, names->len);
  g_ptr_array_add (names, NULL);
  g_autofree char *list = g_strjoinv (", ", (char **) names->pdata);
  g_autoptr (GString) msg = g_string_new (NULL);
  g_string_printf (msg, "%s: no stage '%s' (%s%s%s)", dir, stage, guess ? "did you mean '" : "available: ",
                   guess ? guess : list, guess ? "'?" : "");
  /* A plugin refused for its ABI or table is the usual reason. */
  const GPtrArray *refused = dp_registry_get_problems (reg);
  for (guint i = 0; i < refused->len; i++)
    g_string_append_printf (msg, "\n  note: %s", (char *) g_ptr_array_index (refused, i));
  g_set_error_literal (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_PLUGIN, msg->str);
  return NULL;
}

static gboolean
open_stage (DpHarness *h, const char *plugin, const char *stage, GError **error)
{
  g_autofree char *path = g_canonicalize_filename (plugin, NULL);
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      const char *const dirs[] = { path, NULL };
      h->registry = dp_registry_new (dirs);
      const DpStageRef *ref = stage_in_dir (h->registry, plugin, stage, error);
      if (ref)
        h->info = ref->info, h->owner = ref->plugin;
    }
  else if ((h->plugin = dp_plugin_open (path, error)))
    h->info = stage_in_plugin (h->plugin, stage, error), h->owner = h->plugin;
  return h->info != NULL;
}

/* ---- parameters ------------------------------------------------------------ */

/* Every problem, one per line, as `docpipe check` reports them. */
static DpParams *
build_params (DpHarness *h, const char *const *params, GError **error)
{
  g_autofree char *cwd = g_get_current_dir ();
  DpStageRef ref = { (DpPlugin *) h->owner, h->info };
  g_autoptr (DpParams) p = dp_stage_ref_new_params (&ref, h->name, cwd);
  g_autoptr (GString) problems = g_string_new (NULL);
  for (guint i = 0; params && params[i]; i++)
    {
      const char *eq = strchr (params[i], '=');
      g_autoptr (GError) local = NULL;
      if (!eq || eq == params[i])
        g_set_error (&local, DP_CONFIG_ERROR, DP_CONFIG_ERROR_SYNTAX, "expected KEY=VALUE, got '%s'", params[i]);
      else
        {
          g_autofree char *key = g_strndup (params[i], eq - params[i]);
          dp_params_set (p, key, eq + 1, &local);
        }
      if (local)
        g_string_append_printf (problems, "%sstage '%s': %s", problems->len ? "\n" : "", h->name, local->message);
    }
  g_autoptr (GError) missing = NULL;
  if (!dp_params_check_required (p, &missing))
    g_string_append_printf (problems, "%sstage '%s': %s", problems->len ? "\n" : "", h->name, missing->message);
  if (problems->len)
    {
      g_set_error_literal (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_VALUE, problems->str);
      return NULL;
    }
  return g_steal_pointer (&p);
}

/* ---- life cycle ------------------------------------------------------------ */

DpHarness *
dp_harness_new (const char *plugin, const char *stage, const char *const *params, GError **error)
{
  g_return_val_if_fail (plugin != NULL, NULL);
  g_autoptr (DpHarness) h = g_new0 (DpHarness, 1);
  h->batch_size = DEFAULT_BATCH_SIZE;
  h->flags = DP_JSON_SPAN_TEXT;
  g_queue_init (&h->output);
  g_queue_init (&h->failed);
  if (!open_stage (h, plugin, stage, error))
    return NULL;
  h->name = g_strdup (h->info->name);
  g_autoptr (DpParams) p = build_params (h, params, error);
  if (!p)
    return NULL;
  if (h->info->create)
    {
      g_autoptr (GError) local = NULL;
      h->self = h->info->create (p, &local);
      if (local)
        {
          /* As the runner does: an instance returned with an error is not used. */
          if (h->self && h->info->destroy)
            h->info->destroy (h->self);
          h->self = NULL;
          g_set_error (error, local->domain, local->code, "stage '%s': %s", h->name, local->message);
          return NULL;
        }
    }
  h->created = TRUE;
  return g_steal_pointer (&h);
}

DpHarness *
dp_harness_new_parse (const char *plugin, const char *description, GError **error)
{
  g_auto (GStrv) argv = NULL;
  g_autoptr (GError) local = NULL;
  if (!g_shell_parse_argv (description, NULL, &argv, &local))
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_SYNTAX, "'%s': %s", description, local->message);
      return NULL;
    }
  return dp_harness_new (plugin, argv[0], (const char *const *) argv + 1, error);
}

void
dp_harness_free (DpHarness *h)
{
  if (!h)
    return;
  if (h->created && h->info->destroy)
    h->info->destroy (h->self);
  dp_batch_free (h->pending);
  g_queue_clear_full (&h->output, pulled_free);
  g_queue_clear_full (&h->failed, pulled_free);
  g_free (h->name);
  dp_registry_free (h->registry);
  dp_plugin_close (h->plugin);
  g_free (h);
}

void dp_harness_set_json_flags (DpHarness *h, DpJsonFlags flags) { h->flags = flags; }
void dp_harness_set_batch_size (DpHarness *h, guint size) { h->batch_size = MAX (size, 1); }
guint dp_harness_get_n_output (const DpHarness *h) { return h->output.length; }
guint dp_harness_get_n_failed (const DpHarness *h) { return h->failed.length; }

static gboolean
check_open (DpHarness *h, GError **error)
{
  if (!h->finished)
    return TRUE;
  g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_STRUCTURE,
               "stage '%s': already finished", h->name);
  return FALSE;
}

/* ---- records in ------------------------------------------------------------ */

gboolean
dp_harness_push (DpHarness *h, const char *json, GError **error)
{
  if (!check_open (h, error))
    return FALSE;
  if (h->info->kind == DP_STAGE_SOURCE)
    {
      g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_STRUCTURE,
                   "stage '%s' is a source: it makes its own records (call dp_harness_process)", h->name);
      return FALSE;
    }
  g_autofree char *source = g_strdup_printf ("<harness>:%u", ++h->pushed);
  g_autoptr (DpRecord) rec = dp_record_new ("", source, "", 0, NULL);
  if (!dp_record_load_json (rec, json, strlen (json), error))
    {
      g_prefix_error (error, "%s: ", source);
      return FALSE;
    }
  if (!h->pending)
    h->pending = dp_batch_new (h->seq++);
  dp_batch_add (h->pending, g_steal_pointer (&rec));
  return TRUE;
}

/* ---- a batch through the stage --------------------------------------------- */

static char *
to_json (DpHarness *h, DpRecord *rec)
{
  GString *json = g_string_new (NULL);
  dp_record_to_json (rec, json, h->flags);
  return g_string_free (json, FALSE);
}

/* Moves what a batch holds, live and failed, to the pull queues as JSON. */
static void
collect (DpHarness *h, DpBatch *b)
{
  dp_batch_sweep (b, h->name);
  for (guint i = 0; i < dp_batch_get_size (b); i++)
    {
      Pulled *r = g_new0 (Pulled, 1);
      r->json = to_json (h, dp_batch_get (b, i));
      g_queue_push_tail (&h->output, r);
    }
  GPtrArray *dead = dp_batch_get_dead (b);
  for (guint i = 0; dead && i < dead->len; i++)
    {
      DpDeadRecord *d = g_ptr_array_index (dead, i);
      Pulled *r = g_new0 (Pulled, 1);
      gsize raw_len;
      const char *raw = dp_record_get_raw (d->rec, &raw_len);
      /* A record that never decoded has only its input to show. */
      r->json = raw ? g_strndup (raw, raw_len) : to_json (h, d->rec);
      r->message = g_strdup (d->message);
      g_queue_push_tail (&h->failed, r);
    }
}

/* A stage's callback failed: its error, naming the stage as the runner does. */
static gboolean
stage_failed (DpHarness *h, GError *local, GError **error)
{
  g_set_error (error, local ? local->domain : DP_CONFIG_ERROR, local ? local->code : 0,
               "stage '%s': %s", h->name, local ? local->message : "failed without saying why");
  g_clear_error (&local);
  return FALSE;
}

static gboolean
call (DpHarness *h, gboolean (*fn) (gpointer, DpBatch *, GError **), DpBatch *b, GError **error)
{
  GError *local = NULL;
  return fn (h->self, b, &local) || stage_failed (h, local, error);
}

/* A source: read() until it adds nothing, decoding what it defers as the
 * runner's workers would (a record that does not decode is the source's failure). */
static gboolean
read_all (DpHarness *h, GError **error)
{
  for (;;)
    {
      DpBatch *b = dp_batch_new (h->seq++);
      GError *local = NULL;
      gboolean ok = h->info->read (h->self, b, h->batch_size, &local);
      dp_batch_seal (b);
      guint n = dp_batch_get_size (b);
      for (guint i = 0; ok && i < n; i++)
        {
          GError *e = NULL;
          if (!dp_record_decode (dp_batch_get (b, i), &e))
            dp_batch_fail_error (b, i, e);
        }
      if (ok)
        collect (h, b);
      dp_batch_free (b);
      if (!ok)
        return stage_failed (h, local, error);
      if (n == 0)
        return TRUE;
    }
}

gboolean
dp_harness_process (DpHarness *h, GError **error)
{
  if (!check_open (h, error))
    return FALSE;
  if (h->info->kind == DP_STAGE_SOURCE)
    return read_all (h, error);
  DpBatch *b = g_steal_pointer (&h->pending);
  if (!b)
    return TRUE;   /* nothing pushed: a stage is never handed an empty batch */
  dp_batch_seal (b);
  gboolean ok = TRUE;
  if (h->info->prepare)
    {
      ok = call (h, h->info->prepare, b, error);
      /* As in a run: what prepare() failed never reaches process(). */
      dp_batch_sweep (b, h->name);
    }
  ok = ok && call (h, h->info->process, b, error);
  if (ok)
    collect (h, b);
  dp_batch_free (b);
  return ok;
}

gboolean
dp_harness_finish (DpHarness *h, GError **error)
{
  if (!check_open (h, error))
    return FALSE;
  h->finished = TRUE;
  if (!h->info->finish)
    return TRUE;
  GError *local = NULL;
  return h->info->finish (h->self, &local) || stage_failed (h, local, error);
}

/* ---- records out ----------------------------------------------------------- */

char *
dp_harness_pull (DpHarness *h)
{
  Pulled *r = g_queue_pop_head (&h->output);
  if (!r)
    return NULL;
  char *json = g_steal_pointer (&r->json);
  pulled_free (r);
  return json;
}

char *
dp_harness_pull_failed (DpHarness *h, char **message)
{
  Pulled *r = g_queue_pop_head (&h->failed);
  if (message)
    *message = r ? g_steal_pointer (&r->message) : NULL;
  if (!r)
    return NULL;
  char *json = g_steal_pointer (&r->json);
  pulled_free (r);
  return json;
}
