/* inspect.h — `docpipe plugins`: stage listings and descriptions from the tables. */
#pragma once

#include "loader.h"

/* Prints every stage, or one stage in detail; returns an exit code. */
int dp_cli_plugins (DpRegistry *reg, const char *stage, gboolean json);
