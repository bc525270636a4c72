/* main.c — the docpipe command line: run, check, plugins, help.
 *
 * Each subcommand parses its own options with GOption; they share the options
 * that locate plugins and alter a pipeline, so `check` validates exactly what
 * `run` would run.  Every line docpipe writes to stderr starts with "docpipe:"
 * (or "docpipe[PLUGIN]:" for a plugin's log messages), so its messages can be
 * told from a stage's output and grepped for; `run` may put a timestamp before
 * it or write JSON instead (--log-format, log.c).  Exit codes are in core.h
 * and docs/cli.md.
 */
#include "runner.h"
#include "core.h"
#include "inspect.h"
#include "lock.h"
#include "log.h"
#include "params-private.h"
#include "shard.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char *opt_plugin_path;
static char **opt_set;
static char *opt_expr;
static char *opt_stats;
static char *opt_shard;
static gboolean opt_full;
static gboolean opt_quiet, opt_verbose, opt_json, opt_version;
static char *opt_workers;        /* -j N, checked and turned into pipeline.workers=N */
static char *opt_lock;
static char *opt_log_format;
static gboolean opt_progress, opt_no_progress;

static const GOptionEntry pipeline_entries[] = {
  { "expression", 'e', 0, G_OPTION_ARG_FILENAME, &opt_expr, "Run an inline pipeline: 'reader path=- ! writer path=-'", "EXPR" },
  { "set", 's', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_set, "Override a parameter (repeatable; STAGE may be 'pipeline')", "STAGE.KEY=VALUE" },
  { "plugin-path", 'P', 0, G_OPTION_ARG_FILENAME, &opt_plugin_path, "Colon-separated plugin directories searched first", "DIRS" },
  { NULL }
};

static const GOptionEntry run_entries[] = {
  { "stats", 0, 0, G_OPTION_ARG_FILENAME, &opt_stats, "Write a JSON run summary to FILE", "FILE" },
  { "workers", 'j', 0, G_OPTION_ARG_STRING, &opt_workers, "Worker threads (= --set pipeline.workers=N, and wins over it); 0: one per core", "N" },
  { "lock", 0, 0, G_OPTION_ARG_FILENAME, &opt_lock, "Refuse to start while another run holds FILE (= --set pipeline.lock=FILE)", "FILE" },
  { "progress", 0, 0, G_OPTION_ARG_NONE, &opt_progress, "Show progress even when stderr is not a terminal", NULL },
  { "no-progress", 0, 0, G_OPTION_ARG_NONE, &opt_no_progress, "Never show progress", NULL },
  { "log-format", 0, 0, G_OPTION_ARG_STRING, &opt_log_format, "Messages on stderr: auto (default), plain, text (timestamped) or json", "FORMAT" },
  { "shard", 0, 0, G_OPTION_ARG_STRING, &opt_shard, "Process only shard K of N (0 <= K < N) of the documents, by id", "K/N" },
  { "full", 0, 0, G_OPTION_ARG_NONE, &opt_full, "Process every document, even those the state file says are done", NULL },
  { NULL }
};

static const GOptionEntry plugins_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "Print as JSON", NULL },
  { "plugin-path", 'P', 0, G_OPTION_ARG_FILENAME, &opt_plugin_path, "Colon-separated plugin directories searched first", "DIRS" },
  { NULL }
};

/* Every command takes these, --version included: `docpipe run --version` is
 * what someone checking which docpipe a script runs will type. */
static const GOptionEntry common_entries[] = {
  { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "Only print errors", NULL },
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "Print debugging messages", NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, "Print the version and exit", NULL },
  { NULL }
};

/* Record fields a message may carry (g_log_structured), as JSON log members. */
static const struct { const char *field, *member; } log_members[] = {
  { "DP_RECORD", "record" }, { "DP_SOURCE", "source" }, { "DP_STAGE", "stage" },
};

static void
add_log_member (JsonObject **extra, const GLogField *f)
{
  for (guint k = 0; k < G_N_ELEMENTS (log_members); k++)
    if (strcmp (f->key, log_members[k].field) == 0)
      {
        if (!*extra)
          *extra = json_object_new ();
        g_autofree char *value = f->length < 0 ? g_strdup (f->value) : g_strndup (f->value, f->length);
        if (*value)
          json_object_set_string_member (*extra, log_members[k].member, value);
      }
}

static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  const char *domain = NULL, *message = NULL;
  g_autoptr (JsonObject) extra = NULL;
  for (gsize i = 0; i < n_fields; i++)
    if (strcmp (fields[i].key, "GLIB_DOMAIN") == 0)
      domain = fields[i].value;
    else if (strcmp (fields[i].key, "MESSAGE") == 0)
      message = fields[i].value;
    else
      add_log_member (&extra, &fields[i]);
  const char *what = (level & G_LOG_LEVEL_ERROR) ? "error"
                   : (level & G_LOG_LEVEL_CRITICAL) ? "critical"
                   : (level & G_LOG_LEVEL_WARNING) ? "warning"
                   : (level & G_LOG_LEVEL_DEBUG) ? "debug" : "info";
  if ((level & G_LOG_LEVEL_DEBUG) && !opt_verbose)
    return G_LOG_WRITER_HANDLED;
  if ((level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_WARNING)) && opt_quiet)
    return G_LOG_WRITER_HANDLED;
  /* Plugins log under their own domain; the line says whose message it is. */
  dp_log_write (what, domain, message ? message : "", extra);
  return G_LOG_WRITER_HANDLED;
}

static GOptionContext *
new_context (const char *params, const char *summary, const GOptionEntry *entries)
{
  GOptionContext *ctx = g_option_context_new (params);
  g_option_context_set_summary (ctx, summary);
  if (entries)
    g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_main_entries (ctx, common_entries, NULL);
  return ctx;
}

static int
usage_error (const char *message)
{
  g_printerr ("docpipe: %s (see '%s --help')\n", message, g_get_prgname ());
  return DP_EXIT_USAGE;
}

/* Prints a multi-line error (a pipeline's problems, one per line) with every
 * line prefixed; "  note: …" lines become "docpipe: note: …". */
static void
print_error (const char *message)
{
  g_auto (GStrv) lines = g_strsplit (message, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      const char *line = lines[i];
      while (*line == ' ')
        line++;
      if (g_str_has_prefix (line, "note: "))
        g_printerr ("docpipe: %s\n", line);
      else if (*line || lines[i + 1])
        g_printerr ("docpipe: error: %s\n", line);
    }
}

static void
print_version (void)
{
  g_print ("docpipe %s (plugin ABI %d.%d)\n", DP_VERSION, DP_ABI_MAJOR, DP_ABI_MINOR);
}

/* Parses a command's options.  FALSE: the command is over (--version, or a
 * usage error), with *code the exit code. */
static gboolean
parse_options (GOptionContext *ctx, int *argc, char ***argv, int *code)
{
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, argc, argv, &error))
    {
      *code = usage_error (error->message);
      return FALSE;
    }
  if (opt_version)
    {
      print_version ();
      *code = DP_EXIT_OK;
      return FALSE;
    }
  return TRUE;
}

/* Loads the pipeline named by the arguments (a file or -e). */
static DpPipeline *
load_pipeline (int argc, char **argv, int *code)
{
  *code = DP_EXIT_USAGE;
  if ((opt_expr != NULL) == (argc == 2) || argc > 2)
    {
      usage_error ("give exactly one pipeline: a FILE or -e EXPR");
      return NULL;
    }
  DpLoadOptions lo = { opt_plugin_path, (const char *const *) opt_set };
  g_autoptr (GError) error = NULL;
  DpPipeline *pl = opt_expr ? dp_pipeline_parse_expression (opt_expr, &lo, &error)
                            : dp_pipeline_load_file (argv[1], &lo, &error);
  if (pl && !dp_pipeline_check_paths (pl, &error))
    g_clear_pointer (&pl, dp_pipeline_free);
  if (!pl)
    print_error (error->message);
  return pl;
}

static GOptionContext *
run_context (void)
{
  GOptionContext *ctx = new_context ("FILE | -e EXPR", "Run a pipeline.", pipeline_entries);
  g_option_context_add_main_entries (ctx, run_entries, NULL);
  return ctx;
}

/* -j N: checked against the workers setting's own range, so the message names -j. */
static gboolean
workers_override (GPtrArray *overrides, int *code)
{
  if (!opt_workers)
    return TRUE;
  const DpParamSpec *spec = dp_pipeline_settings_specs ();
  while (strcmp (spec->name, "workers") != 0)
    spec++;
  guint64 n;
  if (!g_ascii_string_to_unsigned (opt_workers, 10, (guint64) spec->min, (guint64) spec->max, &n, NULL))
    {
      g_autofree char *msg = g_strdup_printf ("-j/--workers: '%s' is not a number from %g to %g",
                                              opt_workers, spec->min, spec->max);
      *code = usage_error (msg);
      return FALSE;
    }
  g_ptr_array_add (overrides, g_strdup_printf ("pipeline.workers=%" G_GUINT64_FORMAT, n));
  return TRUE;
}

/* --set, then -j and --lock as the overrides they stand for: given last, they win. */
static char **
run_overrides (int *code)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; opt_set && opt_set[i]; i++)
    g_ptr_array_add (all, g_strdup (opt_set[i]));
  if (!workers_override (all, code))
    return NULL;
  if (opt_lock)
    g_ptr_array_add (all, g_strconcat ("pipeline.lock=", opt_lock, NULL));
  g_ptr_array_add (all, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&all), FALSE);
}

/* Where progress goes: a terminal line by default when stderr is a terminal
 * (not with -q, nor with JSON logs, which are for machines); --progress forces
 * it, as log lines when stderr is not a terminal. */
static DpProgressMode
progress_mode (void)
{
  gboolean tty = isatty (STDERR_FILENO);
  if (opt_no_progress)
    return DP_PROGRESS_OFF;
  if (opt_progress)
    return tty && dp_log_get_format () != DP_LOG_JSON ? DP_PROGRESS_TERMINAL : DP_PROGRESS_LOG;
  return tty && !opt_quiet && dp_log_get_format () != DP_LOG_JSON ? DP_PROGRESS_TERMINAL : DP_PROGRESS_OFF;
}

/* The run's options that are not the pipeline's: log format, progress. */
static gboolean
apply_run_options (int *code)
{
  DpLogFormat format;
  if (!dp_log_parse_format (opt_log_format ? opt_log_format : "auto", &format))
    {
      *code = usage_error ("--log-format: expected auto, plain, text or json");
      return FALSE;
    }
  if (opt_progress && opt_no_progress)
    {
      *code = usage_error ("--progress and --no-progress contradict each other");
      return FALSE;
    }
  dp_log_set_format (format);
  return TRUE;
}

/* Takes the pipeline's lock, if it has one; FALSE, with *code set, when it cannot. */
static gboolean
take_lock (DpPipeline *pl, DpLock **lock, int *code)
{
  const char *path = dp_params_get_path (pl->settings, "lock");
  *lock = NULL;
  if (!path)
    return TRUE;
  g_autoptr (GError) error = NULL;
  if ((*lock = dp_lock_acquire (path, &error)))
    return TRUE;
  print_error (error->message);
  *code = g_error_matches (error, DP_LOCK_ERROR, DP_LOCK_ERROR_BUSY) ? DP_EXIT_LOCKED : DP_EXIT_FAILURE;
  return FALSE;
}

static int
cmd_run (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = run_context ();
  int code = DP_EXIT_FAILURE;   /* every path that fails sets it; this quiets -Wmaybe-uninitialized */
  if (!parse_options (ctx, &argc, &argv, &code) || !apply_run_options (&code))
    return code;
  g_autoptr (GError) shard_error = NULL;
  if (opt_shard && !dp_shard_parse (opt_shard, NULL, NULL, &shard_error))
    {
      g_autofree char *message = g_strdup_printf ("--shard %s", shard_error->message);
      return usage_error (message);
    }
  g_auto (GStrv) overrides = run_overrides (&code);
  if (!overrides)
    return code;
  g_strfreev (opt_set);
  opt_set = g_steal_pointer (&overrides);
  g_autoptr (DpPipeline) pl = load_pipeline (argc, argv, &code);
  if (!pl)
    return code;
  g_autoptr (DpLock) lock = NULL;
  if (!take_lock (pl, &lock, &code))
    return code;
  DpRunOptions ro = { opt_stats, progress_mode (), opt_quiet, opt_full, opt_shard };
  g_autoptr (GError) error = NULL;
  g_autoptr (DpRunner) runner = dp_runner_new (pl, &ro, &error);
  if (!runner)
    {
      print_error (error->message);
      return DP_EXIT_FAILURE;
    }
  return dp_runner_run (runner);
}

static GOptionContext *
check_context (void)
{
  return new_context ("FILE | -e EXPR",
                      "Validate a pipeline without running it: keys, types, plugins, layers.",
                      pipeline_entries);
}

static int
cmd_check (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = check_context ();
  int code;
  if (!parse_options (ctx, &argc, &argv, &code))
    return code;
  g_autoptr (DpPipeline) pl = load_pipeline (argc, argv, &code);
  if (!pl)
    return code;
  if (!opt_quiet)
    {
      g_autoptr (GString) chain = g_string_new (NULL);
      for (guint i = 0; i < pl->stages->len; i++)
        {
          DpStageConfig *sc = g_ptr_array_index (pl->stages, i);
          g_string_append_printf (chain, "%s%s (%s)", i ? " ! " : "", sc->name, sc->ref->info->name);
        }
      g_print ("%s: OK: %s\n", pl->file, chain->str);
    }
  return DP_EXIT_OK;
}

static GOptionContext *
plugins_context (void)
{
  return new_context ("[STAGE]",
                      "List the available stages, or describe one: parameters, defaults, layers.",
                      plugins_entries);
}

static int
cmd_plugins (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = plugins_context ();
  int code;
  if (!parse_options (ctx, &argc, &argv, &code))
    return code;
  if (argc > 2)
    return usage_error ("at most one STAGE");
  g_auto (GStrv) dirs = dp_plugin_dirs (opt_plugin_path, NULL);
  g_autoptr (DpRegistry) reg = dp_registry_new ((const char *const *) dirs);
  return dp_cli_plugins (reg, argc == 2 ? argv[1] : NULL, opt_json);
}

static const char main_summary[] =
  "Commands:\n"
  "  run       Run a pipeline file or expression\n"
  "  check     Validate a pipeline without running it\n"
  "  plugins   List stages, or show one stage's parameters\n"
  "  help      Show this help, or a command's: help COMMAND\n"
  "\n"
  "Run 'docpipe help COMMAND' (or 'docpipe COMMAND --help') for a command's options.\n"
  "Exit codes: 0 all records processed, 1 failure, 2 usage or configuration error,\n"
  "3 finished but some records were dead-lettered, 4 dead letters could not be\n"
  "written, 75 another run holds the lock, 130/143 interrupted.";

static GOptionContext *
main_context (void)
{
  return new_context ("COMMAND [ARGS…]", main_summary, NULL);
}

static int cmd_help (int argc, char **argv);

typedef struct {
  const char *name;
  int (*run) (int argc, char **argv);
  GOptionContext *(*context) (void);
} Command;

static const Command commands[] = {
  { "run", cmd_run, run_context },
  { "check", cmd_check, check_context },
  { "plugins", cmd_plugins, plugins_context },
  { "help", cmd_help, main_context },
};

/* The command named @name, or NULL after saying so (with a guess at what was meant). */
static const Command *
find_command (const char *name)
{
  const char *names[G_N_ELEMENTS (commands) + 1] = { NULL };
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (strcmp (name, commands[i].name) == 0)
        return &commands[i];
      names[i] = commands[i].name;
    }
  const char *guess = dp_did_you_mean (name, names, G_N_ELEMENTS (commands));
  g_autofree char *list = g_strjoinv (", ", (char **) names);
  if (guess)
    g_printerr ("docpipe: unknown command '%s' (did you mean '%s'?)\n", name, guess);
  else
    g_printerr ("docpipe: unknown command '%s' (commands: %s)\n", name, list);
  return NULL;
}

static void
set_prgname_for (const char *command)
{
  g_autofree char *prg = g_strdup_printf ("docpipe %s", command);
  g_set_prgname (prg);
}

/* `docpipe help [COMMAND]`: the same text as --help, on stdout, exit 0. */
static int
cmd_help (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = new_context ("[COMMAND]", "Show the help for docpipe or one of its commands.", NULL);
  int code;
  if (!parse_options (ctx, &argc, &argv, &code))
    return code;
  if (argc > 2)
    return usage_error ("at most one COMMAND");
  const Command *cmd = NULL;
  if (argc == 2 && !(cmd = find_command (argv[1])))
    return DP_EXIT_USAGE;
  /* The usage line names the command whose help this is. */
  if (cmd && cmd->run != cmd_help)
    set_prgname_for (cmd->name);
  else
    g_set_prgname ("docpipe");
  g_autoptr (GOptionContext) help_ctx = cmd ? cmd->context () : main_context ();
  g_autofree char *help = g_option_context_get_help (help_ctx, TRUE, NULL);
  g_print ("%s", help);
  return DP_EXIT_OK;
}

int
main (int argc, char **argv)
{
  /* Messages follow the user's locale; numbers never do (JSON, parameters).
   * Expressions, --set and paths are taken as bytes (G_OPTION_ARG_FILENAME),
   * so non-ASCII names work whatever the locale. */
  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");
  g_log_set_writer_func (log_writer, NULL, NULL);
  dp_log_install_printerr ();
  /* A closed output pipe is an error a sink reports, not a reason to die silently. */
  signal (SIGPIPE, SIG_IGN);
  g_set_prgname ("docpipe");
  /* Output options may also come before the command: docpipe -q run … */
  while (argc >= 2 && (strcmp (argv[1], "-q") == 0 || strcmp (argv[1], "--quiet") == 0
                       || strcmp (argv[1], "-v") == 0 || strcmp (argv[1], "--verbose") == 0))
    {
      if (argv[1][1] == 'q' || argv[1][2] == 'q')
        opt_quiet = TRUE;
      else
        opt_verbose = TRUE;
      argv[1] = argv[0];
      argv++, argc--;
    }
  if (argc >= 2 && argv[1][0] != '-')
    {
      const Command *cmd = find_command (argv[1]);
      if (!cmd)
        return DP_EXIT_USAGE;
      set_prgname_for (cmd->name);
      return cmd->run (argc - 1, argv + 1);
    }
  g_autoptr (GOptionContext) ctx = main_context ();
  int code;
  if (!parse_options (ctx, &argc, &argv, &code))
    return code;
  g_autofree char *help = g_option_context_get_help (ctx, TRUE, NULL);
  g_printerr ("%s", help);
  return DP_EXIT_USAGE;
}
