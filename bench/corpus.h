/* corpus.h — what the benchmark programs share: reading the texts of a
 * JSON-lines corpus, and medians. */
#pragma once

#include <glib.h>

/* The "text" member of every line of @path (lines without one are skipped);
 * exits with a message if the file cannot be read.  @bytes: their total size. */
GPtrArray *bench_load_texts (const char *path, gsize *bytes);

/* The median of @n values (sorts them). */
double bench_median (double *values, int n);
