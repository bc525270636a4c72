/* complexity.h — checks that a piece of work grows linearly with its input.
 *
 * A complexity test builds an input at scale 1 and at scale 8 and compares the
 * CPU time the work takes on each, never a wall-clock limit: a linear step takes
 * about 8 times as long, a quadratic one about 64 times.  The base size doubles
 * until scale 1 takes long enough to be measured above the timer's noise, each
 * size is timed several times and the fastest run counts, and the verdict allows
 * a generous factor for caches and allocators (n log n passes too).
 *
 * Usage (inside a GLib test function):
 *
 *   static void build (GString *input, gsize scale, gpointer data) {...}
 *   static void work (const GString *input, gpointer data) {...}
 *   dp_test_assert_linear ("normalizer, only hyphens", 64 * 1024, build, work, NULL);
 *
 * With DP_TEST_COMPLEXITY_SMOKE set in the environment (the sanitizer build in
 * CI), each shape runs once at the base size and nothing is timed.
 *
 * @build appends an input of about base_size × scale bytes to an empty GString
 * (it may ignore base_size's exact value but must grow with scale), and @work
 * runs the step under test on it.  Building is not timed.
 */
#pragma once

#include <glib.h>
#include <time.h>

typedef void (*DpTestBuildFunc) (GString *input, gsize size, gpointer data);
typedef void (*DpTestWorkFunc) (const GString *input, gpointer data);

/* 8× the input may cost at most this many times the time of 1×. */
#define DP_TEST_LINEAR_MAX_RATIO 20.0
/* Scale 1 is grown until one run takes at least this long (seconds of CPU),
 * but not beyond this size, so that scale 8 stays within memory and record limits. */
#define DP_TEST_MAX_BASE_SIZE (16 * 1024 * 1024)
#define DP_TEST_MIN_BASE_SECONDS 0.02

static inline double
dp_test_cpu_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* The fastest of @runs runs of @work on an input of @size bytes. */
static inline double
dp_test_time_work (gsize size, DpTestBuildFunc build, DpTestWorkFunc work, gpointer data,
                   guint runs)
{
  g_autoptr (GString) input = g_string_new (NULL);
  build (input, size, data);
  double best = G_MAXDOUBLE;
  for (guint i = 0; i < runs; i++)
    {
      double t0 = dp_test_cpu_seconds ();
      work (input, data);
      double t = dp_test_cpu_seconds () - t0;
      best = MIN (best, t);
    }
  return best;
}

/* Asserts that @work on 8 × size bytes costs at most DP_TEST_LINEAR_MAX_RATIO
 * times @work on size bytes, for a size of at least @base_size bytes. */
static inline void
dp_test_assert_linear (const char *what, gsize base_size, DpTestBuildFunc build,
                       DpTestWorkFunc work, gpointer data)
{
  gsize size = base_size;
  if (g_getenv ("DP_TEST_COMPLEXITY_SMOKE"))
    {
      /* Sanitizer builds: the hostile shapes run once, for memory errors; the
       * timing is left to the optimised build. */
      dp_test_time_work (size, build, work, data, 1);
      g_test_message ("%s: %" G_GSIZE_FORMAT " bytes, run once (DP_TEST_COMPLEXITY_SMOKE)", what, size);
      return;
    }
  double t1 = dp_test_time_work (size, build, work, data, 1);
  while (t1 < DP_TEST_MIN_BASE_SECONDS && size < DP_TEST_MAX_BASE_SIZE)
    {
      size *= 2;
      t1 = dp_test_time_work (size, build, work, data, 1);
    }
  t1 = dp_test_time_work (size, build, work, data, 3);
  double t8 = dp_test_time_work (size * 8, build, work, data, 2);
  double ratio = t8 / MAX (t1, 1e-6);
  g_test_message ("%s: %" G_GSIZE_FORMAT " bytes %.4f s, 8x %.4f s, ratio %.1f",
                  what, size, t1, t8, ratio);
  if (ratio > DP_TEST_LINEAR_MAX_RATIO)
    g_test_fail_printf ("%s is not linear: %" G_GSIZE_FORMAT " bytes take %.4f s, 8 times as many %.4f s "
             "(ratio %.1f, at most %.0f allowed)",
             what, size, t1, t8, ratio, DP_TEST_LINEAR_MAX_RATIO);
}
