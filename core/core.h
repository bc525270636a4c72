/* core.h — what the core's modules share: error domain and exit codes. */
#pragma once

#include <glib.h>

#define DP_CONFIG_ERROR (dp_config_error_quark ())
GQuark dp_config_error_quark (void);

typedef enum {
  DP_CONFIG_ERROR_SYNTAX,    /* the pipeline file or expression cannot be read */
  DP_CONFIG_ERROR_KEY,       /* unknown key */
  DP_CONFIG_ERROR_VALUE,     /* a value of the wrong type or out of range */
  DP_CONFIG_ERROR_MISSING,   /* a required key is missing */
  DP_CONFIG_ERROR_PLUGIN,    /* unknown stage type, or a plugin that cannot be used */
  DP_CONFIG_ERROR_STRUCTURE, /* stages in an impossible order, missing layers */
} DpConfigError;

/* Exit codes, documented in docs/cli.md. */
enum {
  DP_EXIT_OK = 0,
  DP_EXIT_FAILURE = 1,
  DP_EXIT_USAGE = 2,
  DP_EXIT_DEAD_LETTERS = 3,
  DP_EXIT_DEAD_LETTERS_LOST = 4,  /* a dead letter could not be written */
  DP_EXIT_LOCKED = 75,            /* another run holds the lock (EX_TEMPFAIL: try later) */
  DP_EXIT_SIGINT = 130,
  DP_EXIT_SIGTERM = 143,
};
