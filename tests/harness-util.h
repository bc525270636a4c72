/* harness-util.h — what the tests driving stages through libdocpipe-harness
 * share: its calls that must succeed, asserted. */
#pragma once

#include "test-util.h"

#include <docpipe/harness.h>

static inline void
ht_push_ok (DpHarness *h, const char *json)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_harness_push (h, json, &error));
  g_assert_no_error (error);
}

static inline void
ht_process_ok (DpHarness *h)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_harness_process (h, &error));
  g_assert_no_error (error);
}

static inline void
ht_finish_ok (DpHarness *h)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (dp_harness_finish (h, &error));
  g_assert_no_error (error);
}
