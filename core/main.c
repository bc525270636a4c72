/* main.c — the docpipe command line: run, check, plugins.
 *
 * Each subcommand parses its own options with GOption; they share the options
 * that locate plugins and alter a pipeline, so `check` validates exactly what
 * `run` would run.  Exit codes are in core.h and docs/cli.md.
 */
#include "runner.h"
#include "core.h"
#include "inspect.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char *opt_plugin_path;
static char **opt_set;
static char *opt_expr;
static char *opt_stats;
static gboolean opt_quiet, opt_verbose, opt_json, opt_version;

static const GOptionEntry pipeline_entries[] = {
  { "expression", 'e', 0, G_OPTION_ARG_FILENAME, &opt_expr, "Run an inline pipeline: 'reader path=- ! writer path=-'", "EXPR" },
  { "set", 's', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_set, "Override a parameter (repeatable; STAGE may be 'pipeline')", "STAGE.KEY=VALUE" },
  { "plugin-path", 'P', 0, G_OPTION_ARG_FILENAME, &opt_plugin_path, "Colon-separated plugin directories searched first", "DIRS" },
  { NULL }
};

static const GOptionEntry run_entries[] = {
  { "stats", 0, 0, G_OPTION_ARG_FILENAME, &opt_stats, "Write a JSON run summary to FILE", "FILE" },
  { NULL }
};

static const GOptionEntry plugins_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, "Print as JSON", NULL },
  { "plugin-path", 'P', 0, G_OPTION_ARG_FILENAME, &opt_plugin_path, "Colon-separated plugin directories searched first", "DIRS" },
  { NULL }
};

static const GOptionEntry common_entries[] = {
  { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "Only print errors", NULL },
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "Print debugging messages", NULL },
  { NULL }
};

static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  const char *domain = NULL, *message = NULL;
  for (gsize i = 0; i < n_fields; i++)
    if (strcmp (fields[i].key, "GLIB_DOMAIN") == 0)
      domain = fields[i].value;
    else if (strcmp (fields[i].key, "MESSAGE") == 0)
      message = fields[i].value;
  const char *what = (level & G_LOG_LEVEL_ERROR) ? "error"
                   : (level & G_LOG_LEVEL_CRITICAL) ? "critical"
                   : (level & G_LOG_LEVEL_WARNING) ? "warning"
                   : (level & G_LOG_LEVEL_DEBUG) ? "debug" : "info";
  if ((level & G_LOG_LEVEL_DEBUG) && !opt_verbose)
    return G_LOG_WRITER_HANDLED;
  if ((level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_WARNING)) && opt_quiet)
    return G_LOG_WRITER_HANDLED;
  /* Plugins log under their own domain; say whose message it is. */
  gboolean other = domain && strcmp (domain, "docpipe") != 0;
  g_printerr ("docpipe%s%s%s: %s: %s\n", other ? "[" : "", other ? domain : "", other ? "]" : "",
              what, message ? message : "");
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
  g_printerr ("docpipe: %s\nTry '%s --help'.\n", message, g_get_prgname ());
  return DP_EXIT_USAGE;
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
  if (!pl)
    g_printerr ("%s\n", error->message);
  return pl;
}

static int
cmd_run (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = new_context ("FILE | -e EXPR", "Run a pipeline.", pipeline_entries);
  g_option_context_add_main_entries (ctx, run_entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage_error (error->message);
  int code;
  g_autoptr (DpPipeline) pl = load_pipeline (argc, argv, &code);
  if (!pl)
    return code;
  DpRunOptions ro = { opt_stats, isatty (STDERR_FILENO) && !opt_quiet, opt_quiet };
  g_autoptr (DpRunner) runner = dp_runner_new (pl, &ro, &error);
  if (!runner)
    {
      g_printerr ("docpipe: error: %s\n", error->message);
      return DP_EXIT_FAILURE;
    }
  return dp_runner_run (runner);
}

static int
cmd_check (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = new_context ("FILE | -e EXPR",
                                                "Validate a pipeline without running it: keys, types, plugins, layers.",
                                                pipeline_entries);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage_error (error->message);
  int code;
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

static int
cmd_plugins (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = new_context ("[STAGE]",
                                                "List the available stages, or describe one: parameters, defaults, layers.",
                                                plugins_entries);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage_error (error->message);
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
  "\n"
  "Run 'docpipe COMMAND --help' for a command's options.\n"
  "Exit codes: 0 all records processed, 1 failure, 2 usage or configuration error,\n"
  "3 finished but some records were dead-lettered, 4 dead letters could not be\n"
  "written, 130/143 interrupted.";

int
main (int argc, char **argv)
{
  /* Messages follow the user's locale; numbers never do (JSON, parameters).
   * Expressions, --set and paths are taken as bytes (G_OPTION_ARG_FILENAME),
   * so non-ASCII names work whatever the locale. */
  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");
  g_log_set_writer_func (log_writer, NULL, NULL);
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
      const char *cmd = argv[1];
      g_autofree char *prg = g_strdup_printf ("docpipe %s", cmd);
      g_set_prgname (prg);
      if (strcmp (cmd, "run") == 0)
        return cmd_run (argc - 1, argv + 1);
      if (strcmp (cmd, "check") == 0)
        return cmd_check (argc - 1, argv + 1);
      if (strcmp (cmd, "plugins") == 0)
        return cmd_plugins (argc - 1, argv + 1);
      g_printerr ("docpipe: unknown command '%s' (commands: run, check, plugins)\n", cmd);
      return DP_EXIT_USAGE;
    }
  static const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, "Print the version and exit", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = new_context ("COMMAND [ARGS…]", main_summary, entries);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage_error (error->message);
  if (opt_version)
    {
      g_print ("docpipe %s (plugin ABI %d.%d)\n", DP_VERSION, DP_ABI_MAJOR, DP_ABI_MINOR);
      return DP_EXIT_OK;
    }
  g_autofree char *help = g_option_context_get_help (ctx, TRUE, NULL);
  g_printerr ("%s", help);
  return DP_EXIT_USAGE;
}
