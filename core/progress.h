/* progress.h — the run's progress: a self-updating line on a terminal, or
 * periodic log lines when forced elsewhere. */
#pragma once

#include <glib.h>

typedef enum {
  DP_PROGRESS_OFF,
  DP_PROGRESS_TERMINAL,   /* one line, redrawn in place, erased at the end */
  DP_PROGRESS_LOG,        /* a log line now and then, and one at the end */
} DpProgressMode;

typedef struct {
  guint64 records;        /* that reached the sinks */
  guint64 text_bytes;     /* their text */
  guint64 dead;           /* dead-lettered */
  guint64 input_done;     /* input bytes the source had read for them */
  guint64 input_total;    /* all the input's bytes; 0 if unknown */
  double seconds;         /* since the run started */
} DpProgressCounts;

/* How often the runner should call dp_progress_update() in @mode, in ms. */
guint  dp_progress_interval (DpProgressMode mode);
/* The line for @c: records, MB, MB/s, dead letters, and with a known input
 * size the percentage and the time left. */
char  *dp_progress_format (const DpProgressCounts *c);
void   dp_progress_update (DpProgressMode mode, const DpProgressCounts *c);
/* The end of the run: the terminal's line is erased; a log gets a last line. */
void   dp_progress_finish (DpProgressMode mode, const DpProgressCounts *c);
