/* docpipe/export.h — DP_API, the mark on everything libdocpipe exports.
 *
 * libdocpipe is built with hidden visibility: a function is part of the ABI
 * only if its declaration in an SDK header carries DP_API (as GST_API and
 * SQLITE_API do for GStreamer and SQLite).  Everything else in the library,
 * and the runner, loader and pipeline code (a static library linked into the
 * docpipe binary), stays private.  CI checks that the library's dynamic
 * symbols are exactly the DP_API declarations (tests/check-exports.sh).
 *
 * On the plugin side the mark is harmless: it says the function lives in a
 * shared library even when a plugin is built with -fvisibility=hidden.
 */
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define DP_API __attribute__ ((visibility ("default"))) extern
#else
#define DP_API extern
#endif

/* The same for libdocpipe-harness (docpipe/harness.h), a library of its own. */
#define DP_HARNESS_API DP_API
