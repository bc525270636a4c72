/* docpipe/plugin.h — what a plugin exports: one descriptor listing its stages.
 *
 * A plugin is a shared object with one symbol, `dp_plugin_descriptor`, defined
 * with DP_PLUGIN_DEFINE at the bottom of its main file.  The core checks the
 * descriptor's ABI version and size before touching anything else in it, so a
 * plugin built against another major version is refused with a plain message.
 *
 * Structures grow only at their end (new fields replace `reserved` slots), and
 * the minor ABI version is bumped when they do; the major version is bumped for
 * any incompatible change.
 */
#pragma once

#include <docpipe/export.h>
#include <docpipe/batch.h>
#include <docpipe/params.h>
#include <docpipe/version.h>

G_BEGIN_DECLS

typedef enum {
  DP_STAGE_SOURCE = 1,    /* produces records: read() */
  DP_STAGE_TRANSFORM,     /* changes or annotates records: process() in worker threads */
  DP_STAGE_SINK,          /* consumes records in input order: process() in the sink thread */
} DpStageKind;

typedef enum {
  /* One instance may be called from several worker threads at once (process()
   * must then be thread-safe).  Otherwise every worker creates its own instance. */
  DP_STAGE_SHAREABLE = 1 << 0,
} DpStageFlags;

typedef struct _DpStageInfo DpStageInfo;

struct _DpStageInfo {
  const char *name;             /* stage type, as written after `plugin =` */
  DpStageKind kind;
  const char *description;      /* one line */
  const DpParamSpec *params;    /* ends with a zeroed row; NULL = no parameters */
  const char *const *requires;  /* layer names, NULL-terminated; NULL = none */
  const char *const *provides;  /* layer names, NULL-terminated; NULL = none */
  guint flags;                  /* DpStageFlags */

  /* Creates an instance from validated parameters.  Must not keep @params. */
  gpointer (*create) (const DpParams *params, GError **error);
  /* Sources: append up to @max records to @batch.  Appending none means the end
   * of input.  Return FALSE with @error set on a failure that ends the run. */
  gboolean (*read) (gpointer self, DpBatch *batch, guint max, GError **error);
  /* Transforms and sinks: handle one batch.  Per-record problems go through
   * dp_batch_fail(); FALSE means the stage itself is broken and ends the run. */
  gboolean (*process) (gpointer self, DpBatch *batch, GError **error);
  /* Sinks only, optional: runs in worker threads before process(), in any order
   * and concurrently, to do the expensive part (e.g. encoding) in parallel.  It
   * must not change @self; results go on the batch with dp_batch_set_data(). */
  gboolean (*prepare) (gpointer self, DpBatch *batch, GError **error);
  /* Optional: called once after the last batch (flush, close, rename …). */
  gboolean (*finish) (gpointer self, GError **error);
  /* Frees the instance; called whether or not finish() ran or succeeded. */
  void (*destroy) (gpointer self);

  gpointer reserved[8];
};

typedef struct {
  guint32 abi_major;            /* DP_ABI_MAJOR the plugin was built with */
  guint32 abi_minor;            /* DP_ABI_MINOR the plugin was built with */
  guint32 struct_size;          /* sizeof (DpPluginDescriptor) when built */
  guint32 stage_info_size;      /* sizeof (DpStageInfo) when built */
  const char *name;
  const char *version;
  const char *license;          /* SPDX identifier */
  const char *description;
  const DpStageInfo *const *stages;  /* NULL-terminated */
  gpointer reserved[8];
} DpPluginDescriptor;

#define DP_PLUGIN_SYMBOL "dp_plugin_descriptor"

/* Defines the plugin's descriptor.  The trailing arguments are pointers to the
 * plugin's DpStageInfo structures:
 *
 *   DP_PLUGIN_DEFINE ("keywords", "1.0", "MIT", "Tags keywords", &keyword_stage);
 */
#define DP_PLUGIN_DEFINE(NAME, VERSION, LICENSE, DESCRIPTION, ...)            \
  static const DpStageInfo *const dp_plugin_stages_[] = { __VA_ARGS__, NULL }; \
  G_MODULE_EXPORT const DpPluginDescriptor dp_plugin_descriptor = {          \
    .abi_major = DP_ABI_MAJOR,                                                \
    .abi_minor = DP_ABI_MINOR,                                                \
    .struct_size = sizeof (DpPluginDescriptor),                               \
    .stage_info_size = sizeof (DpStageInfo),                                  \
    .name = (NAME),                                                           \
    .version = (VERSION),                                                     \
    .license = (LICENSE),                                                     \
    .description = (DESCRIPTION),                                             \
    .stages = dp_plugin_stages_,                                              \
  }

#ifndef G_MODULE_EXPORT
#define G_MODULE_EXPORT __attribute__ ((visibility ("default")))
#endif

G_END_DECLS
