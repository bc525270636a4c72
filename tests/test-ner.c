/* test-ner.c — the ner stage in a pipeline: the sample corpus through
 * reader ! normalizer ! ner ! writer, with the entities an analyst would
 * check (names, their labels, canonical names and clusters, dates and
 * amounts from the rules), a user gazetteer overriding the model, the
 * errors a user sees for a missing or broken model and a bad gazetteer, and
 * records too large for the stage (a size limit, an address-space limit)
 * going to the dead letters while the run goes on. */
#include "test-util.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#define PLUGIN_PATH DP_TEST_PLUGINS
#define SAMPLES DP_TEST_SRCDIR "/samples/news"

static char *dir;

/* Runs docpipe on a pipeline expression; @quiet hides warnings (-q). */
static DpTestResult
run_as (const char *expression, gboolean quiet)
{
  const char *argv[] = { DP_TEST_DOCPIPE, "run", quiet ? "-q" : "-v", "-P", PLUGIN_PATH, "-e", expression, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                                 &error);
  g_assert_no_error (error);
  return dp_test_communicate (p, NULL);
}

static DpTestResult
run (const char *expression)
{
  return run_as (expression, TRUE);
}

/* The records of a run's output, by id. */
static GHashTable *
records_of (const char *out)
{
  GHashTable *recs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      if (!*lines[i])
        continue;
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GError) error = NULL;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
      JsonObject *o = json_node_get_object (json_parser_get_root (parser));
      g_hash_table_insert (recs, g_strdup (json_object_get_string_member (o, "id")), json_object_ref (o));
    }
  return recs;
}

static JsonArray *
entities (GHashTable *recs, const char *id)
{
  JsonObject *rec = g_hash_table_lookup (recs, id);
  g_assert_nonnull (rec);
  return json_object_get_array_member (json_object_get_object_member (rec, "layers"), "entities");
}

/* The @nth entity (0-based) whose text is @text, or NULL. */
static JsonObject *
find (JsonArray *ents, const char *text, guint nth)
{
  for (guint i = 0; i < json_array_get_length (ents); i++)
    {
      JsonObject *e = json_array_get_object_element (ents, i);
      if (strcmp (json_object_get_string_member (e, "text"), text) == 0 && nth-- == 0)
        return e;
    }
  return NULL;
}

static void
assert_entity (JsonArray *ents, const char *text, const char *label, const char *canonical, const char *source)
{
  JsonObject *e = find (ents, text, 0);
  if (!e)
    g_error ("no entity '%s'", text);
  g_assert_cmpstr (json_object_get_string_member (e, "label"), ==, label);
  g_assert_cmpstr (json_object_get_string_member (e, "canonical"), ==, canonical);
  g_assert_cmpstr (json_object_get_string_member (e, "source"), ==, source);
}

static gint64
cluster_of (JsonArray *ents, const char *text)
{
  JsonObject *e = find (ents, text, 0);
  g_assert_nonnull (e);
  return json_object_get_int_member (e, "cluster");
}

static void
test_samples (void)
{
  DpTestResult r = run ("reader path=" SAMPLES "/*.txt format=text ! normalizer ! ner ! writer");
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (GHashTable) recs = records_of (r.out);
  g_assert_cmpuint (g_hash_table_size (recs), ==, 12);

  JsonArray *e = entities (recs, "01-iaea-inspectors-turned-away");
  assert_entity (e, "Helena Marchetti", "PER", "Helena Marchetti", "model");
  assert_entity (e, "Kamrani", "PER", "Dariush Kamrani", "model");
  g_assert_cmpint (cluster_of (e, "Kamrani"), ==, cluster_of (e, "Dariush Kamrani"));
  assert_entity (e, "IAEA", "ORG", "International Atomic Energy Agency", "model");
  g_assert_cmpint (cluster_of (e, "IAEA"), ==, cluster_of (e, "International Atomic Energy Agency"));
  assert_entity (e, "Vienna", "LOC", "Vienna", "model");
  assert_entity (e, "Tehran", "LOC", "Tehran", "model");
  assert_entity (e, "Nov. 28", "DATE", "Nov. 28", "rule");
  assert_entity (e, "March 3, 2026", "DATE", "March 3, 2026", "rule");
  assert_entity (e, "60%", "PERCENT", "60%", "rule");
  assert_entity (e, "European Union", "ORG", "European Union", "model");
  /* Every mention of Iran is one cluster. */
  for (guint k = 0; find (e, "Iran", k); k++)
    g_assert_cmpint (json_object_get_int_member (find (e, "Iran", k), "cluster"), ==, cluster_of (e, "Iran"));

  e = entities (recs, "02-sahand-7b-missile-test");
  assert_entity (e, "Mahmoud Tavakoli", "PER", "Mahmoud Tavakoli", "model");
  assert_entity (e, "U.S.", "LOC", "United States", "model");        /* the shipped aliases */
  /* Defined in the text ("… Council (GCC)"): found by the acronym rule if the model misses it. */
  JsonObject *gcc = find (e, "GCC", 0);
  g_assert_nonnull (gcc);
  g_assert_cmpstr (json_object_get_string_member (gcc, "label"), ==, "ORG");
  g_assert_cmpstr (json_object_get_string_member (gcc, "canonical"), ==, "Gulf Cooperation Council");
  assert_entity (e, "3:32am EDT", "TIME", "3:32am EDT", "rule");
  assert_entity (e, "Riyadh", "LOC", "Riyadh", "model");

  e = entities (recs, "03-un-panel-north-korea-payments");
  assert_entity (e, "$1.2 billion", "MONEY", "$1.2 billion", "rule");
  assert_entity (e, "Ri", "PER", "Ri Song-chol", "model");
  assert_entity (e, "Korea Taedong General Trading Corporation", "ORG", "Korea Taedong General Trading Corporation", "model");
  assert_entity (e, "North Korea", "LOC", "North Korea", "model");
  assert_entity (e, "early 1990s", "DATE", "early 1990s", "rule");

  e = entities (recs, "04-zurich-bank-sanctions-inquiry");
  assert_entity (e, "CHF 340 million", "MONEY", "CHF 340 million", "rule");
  assert_entity (e, "Sophie Reymond", "PER", "Sophie Reymond", "model");
  assert_entity (e, "Swiss", "MISC", "Swiss", "model");

  /* Spans are exact: an entity's text is the record's text at its offsets. */
  JsonObject *rec = g_hash_table_lookup (recs, "06-nato-baltic-drill-gdansk");
  const char *text = json_object_get_string_member (rec, "text");
  e = entities (recs, "06-nato-baltic-drill-gdansk");
  g_assert_cmpuint (json_array_get_length (e), >, 20);
  for (guint i = 0; i < json_array_get_length (e); i++)
    {
      JsonObject *ent = json_array_get_object_element (e, i);
      gint64 start = json_object_get_int_member (ent, "start"), end = json_object_get_int_member (ent, "end");
      g_autofree char *covered = g_utf8_substring (text, start, end);
      g_assert_cmpstr (covered, ==, json_object_get_string_member (ent, "text"));
    }
  dp_test_result_clear (&r);
}

static void
test_gazetteer (void)
{
  g_autofree char *path = g_build_filename (dir, "names.tsv", NULL);
  g_assert_true (g_file_set_contents (path,
    "# label\tname\tcanonical\n"
    "FACILITY\tKaleh Sefid\tKaleh Sefid enrichment complex\n"
    "WEAPON\tSahand-7B\n"
    "ORG\tMeridian Wire\tMeridian Wire news agency\n", -1, NULL));
  g_autofree char *expr = g_strdup_printf ("reader path=" SAMPLES "/0[125]*.txt format=text ! normalizer ! "
                                           "ner gazetteer=%s ! writer", path);
  DpTestResult r = run (expr);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (GHashTable) recs = records_of (r.out);
  JsonArray *e = entities (recs, "01-iaea-inspectors-turned-away");
  /* The model calls it a person; the user's list says otherwise. */
  assert_entity (e, "Kaleh Sefid", "FACILITY", "Kaleh Sefid enrichment complex", "gazetteer");
  e = entities (recs, "02-sahand-7b-missile-test");
  assert_entity (e, "Sahand-7B", "WEAPON", "Sahand-7B", "gazetteer");
  g_assert_cmpint (json_object_get_int_member (find (e, "Sahand-7B", 2), "cluster"), ==, cluster_of (e, "Sahand-7B"));
  e = entities (recs, "05-seoul-artillery-brief");
  assert_entity (e, "Meridian Wire", "ORG", "Meridian Wire news agency", "gazetteer");
  dp_test_result_clear (&r);
}

/* An article laid out one paragraph a line, with headings, a byline and an
 * author's note (our own text, shaped like the seed articles): no entity
 * runs over a line break ("Middle East\nOfficially", "Min Jae Park\nMin Jae
 * Park"), and the byline names a person, not a place ("Amara" LOC). */
static void
test_line_breaks (void)
{
  g_autofree char *path = g_build_filename (dir, "headings.txt", NULL);
  g_assert_true (g_file_set_contents (path,
    "Iran and Venezuela Deepen Their Oil Partnership in the Middle East\n"
    "By Amara Okafor\n"
    "CARACAS \xe2\x80\x94 A delegation from Tehran led by Oil Minister Javad Owji arrived in Caracas on Monday, "
    "the second visit in a year, as both governments look for ways around Western sanctions.\n"
    "Talks Focus on Refineries and Tankers\n"
    "Officials said the talks would cover the repair of Venezuelan refineries and the lease of Iranian tankers. "
    "Neither side gave figures.\n"
    "Partners in the Middle East\n"
    "Officially, the two countries describe their ties as a partnership of equals. Analysts in Washington see "
    "a marriage of convenience.\n"
    "Min Jae Park\n"
    "Min Jae Park is a correspondent for Global Energy Review covering Latin America and the Gulf. He is based "
    "in Bogota.\n", -1, NULL));
  for (guint normalize = 0; normalize < 2; normalize++)
    {
      g_autofree char *expr = g_strdup_printf ("reader path=%s format=text %s ! ner ! writer", path,
                                               normalize ? "! normalizer" : "");
      DpTestResult r = run (expr);
      g_assert_cmpint (r.status, ==, 0);
      g_autoptr (GHashTable) recs = records_of (r.out);
      JsonArray *e = entities (recs, "headings");
      for (guint i = 0; i < json_array_get_length (e); i++)
        {
          const char *text = json_object_get_string_member (json_array_get_object_element (e, i), "text");
          g_test_message ("entity: %s", text);
          g_assert_null (strchr (text, '\n'));
          g_assert_cmpstr (text, !=, "Amara");
          g_assert_cmpstr (text, !=, "Officials");
        }
      assert_entity (e, "Amara Okafor", "PER", "Amara Okafor", "rule");
      g_assert_nonnull (find (e, "Min Jae Park", 1));
      g_assert_nonnull (find (e, "Middle East", 1));
      dp_test_result_clear (&r);
    }

  /* Raw hard-wrapped text, one sentence: the model's tags run over the
   * break, the entity stops at it. */
  g_autofree char *wrapped = g_build_filename (dir, "wrapped.txt", NULL);
  g_assert_true (g_file_set_contents (wrapped,
    "Treasury Secretary James\nBaker said the dollar would fall sharply against the yen.\n", -1, NULL));
  g_autofree char *expr = g_strdup_printf ("reader path=%s format=text ! ner ! writer", wrapped);
  DpTestResult r = run (expr);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (GHashTable) recs = records_of (r.out);
  JsonArray *e = entities (recs, "wrapped");
  g_assert_cmpuint (json_array_get_length (e), >, 0);
  for (guint i = 0; i < json_array_get_length (e); i++)
    g_assert_null (strchr (json_object_get_string_member (json_array_get_object_element (e, i), "text"), '\n'));
  g_assert_nonnull (find (e, "James", 0));
  dp_test_result_clear (&r);
}

/* An abbreviation written after a name is that organisation, wherever the
 * document uses it, whatever its letters. */
static void
test_abbreviation (void)
{
  g_autofree char *path = g_build_filename (dir, "komid.txt", NULL);
  g_assert_true (g_file_set_contents (path,
    "Investigators said the Korea Mining Development Trading Corporation (KOMID) shipped the parts "
    "through a third country.\n\nA spokesman for KOMID denied the report on Monday.\n", -1, NULL));
  g_autofree char *expr = g_strdup_printf ("reader path=%s format=text ! ner ! writer", path);
  DpTestResult r = run (expr);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (GHashTable) recs = records_of (r.out);
  JsonArray *e = entities (recs, "komid");
  for (guint k = 0; k < 2; k++)
    {
      JsonObject *komid = find (e, "KOMID", k);
      g_assert_nonnull (komid);
      g_assert_cmpstr (json_object_get_string_member (komid, "label"), ==, "ORG");
      g_assert_cmpstr (json_object_get_string_member (komid, "canonical"), ==,
                       "Korea Mining Development Trading Corporation");
      g_assert_cmpint (json_object_get_int_member (komid, "cluster"), ==,
                       cluster_of (e, "Korea Mining Development Trading Corporation"));
    }
  dp_test_result_clear (&r);

  /* Tagging the output again replaces the layer: the same entities, once. */
  g_autofree char *once = g_build_filename (dir, "once.jsonl", NULL);
  g_free (expr);
  expr = g_strdup_printf ("reader path=%s format=text ! ner ! writer path=%s", path, once);
  r = run (expr);
  g_assert_cmpint (r.status, ==, 0);
  dp_test_result_clear (&r);
  g_free (expr);
  expr = g_strdup_printf ("reader path=%s format=jsonl ! ner ! writer", once);
  r = run (expr);
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (GHashTable) again = records_of (r.out);
  g_assert_cmpuint (json_array_get_length (entities (again, "komid")), ==, json_array_get_length (e));
  dp_test_result_clear (&r);
  g_remove (once);
  g_remove (path);
}

static void
test_options (void)
{
  DpTestResult r = run ("reader path=" SAMPLES "/01*.txt format=text ! ner rules=false link=false aliases= ! writer");
  g_assert_cmpint (r.status, ==, 0);
  g_autoptr (GHashTable) recs = records_of (r.out);
  JsonArray *e = entities (recs, "01-iaea-inspectors-turned-away");
  g_assert_nonnull (find (e, "Helena Marchetti", 0));
  for (guint i = 0; i < json_array_get_length (e); i++)
    {
      JsonObject *ent = json_array_get_object_element (e, i);
      g_assert_cmpstr (json_object_get_string_member (ent, "source"), ==, "model");
      g_assert_false (json_object_has_member (ent, "canonical"));
      g_assert_false (json_object_has_member (ent, "cluster"));
    }
  dp_test_result_clear (&r);

  /* Lists other than the model's work, with a warning. */
  g_autofree char *expr = g_strdup_printf ("reader path=" SAMPLES "/01*.txt format=text ! ner gazetteers=%s ! writer", dir);
  r = run_as (expr, FALSE);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "trained with other gazetteer lists"));
  g_assert_null (strstr (r.err, "word clusters"));
  dp_test_result_clear (&r);
  g_free (expr);
  expr = g_strdup_printf ("reader path=" SAMPLES "/01*.txt format=text ! ner clusters= ! writer");
  r = run_as (expr, FALSE);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "trained with other word clusters than none"));
  g_assert_null (strstr (r.err, "gazetteer lists"));
  dp_test_result_clear (&r);
}

static void
assert_fails (const char *stage, const char *message)
{
  g_autofree char *expr = g_strdup_printf ("reader path=" SAMPLES "/01*.txt format=text ! %s ! writer", stage);
  DpTestResult r = run (expr);
  g_assert_cmpint (r.status, !=, 0);
  if (!strstr (r.err, message))
    g_error ("expected '%s' in: %s", message, r.err);
  g_assert_cmpstr (r.out, ==, "");
  dp_test_result_clear (&r);
}

static void
test_errors (void)
{
  g_autofree char *missing = g_build_filename (dir, "missing.dpm", NULL);
  g_autofree char *stage = g_strdup_printf ("ner model=%s", missing);
  assert_fails (stage, "missing.dpm");

  /* A truncated copy of the shipped model, and a file that is not one. */
  g_autofree char *model = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (DP_TEST_SRCDIR "/plugins/ner/data/en-news.dpm", &model, &len, NULL));
  g_autofree char *cut = g_build_filename (dir, "cut.dpm", NULL);
  g_assert_true (g_file_set_contents (cut, model, (gssize) (len / 2), NULL));
  g_free (stage);
  stage = g_strdup_printf ("ner model=%s", cut);
  assert_fails (stage, "cut.dpm: not a usable docpipe model: truncated");
  g_free (stage);
  stage = g_strdup_printf ("ner model=%s", DP_TEST_SRCDIR "/samples/news/01-iaea-inspectors-turned-away.txt");
  assert_fails (stage, "not a usable docpipe model");

  g_autofree char *bad = g_build_filename (dir, "bad.tsv", NULL);
  g_assert_true (g_file_set_contents (bad, "PER\tAli Larijani\nno tab here\n", -1, NULL));
  g_free (stage);
  stage = g_strdup_printf ("ner gazetteer=%s", bad);
  assert_fails (stage, "bad.tsv:2:");
  g_free (stage);
  stage = g_strdup_printf ("ner aliases=%s", bad);   /* the alias table is read the same way */
  assert_fails (stage, "bad.tsv:2:");

  /* Data files that are FIFOs: reading one would wait for a writer forever. */
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  static const char *const keys[] = { "model", "clusters", "gazetteer", "aliases" };
  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      g_free (stage);
      stage = g_strdup_printf ("ner %s=%s", keys[k], fifo);
      assert_fails (stage, "fifo: not a regular file");
    }
  g_remove (fifo);
  g_remove (cut);
  g_remove (bad);
}

/* ---- records too large ---------------------------------------------------- */

/* One JSON line {"id": @id, "text": @text}. */
static void
append_record (GString *out, const char *id, const char *text)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "text");
  json_builder_add_string_value (b, text);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *line = json_to_string (root, FALSE);
  g_string_append (out, line);
  g_string_append_c (out, '\n');
}

/* The sample articles as records "small-N", and between them, if @huge_bytes,
 * one record "huge" of about that many bytes: the articles over and over. */
static char *
write_input (const char *name, gsize huge_bytes)
{
  g_autoptr (GString) in = g_string_new (NULL);
  g_autoptr (GString) huge = g_string_new (NULL);
  g_autoptr (GDir) d = g_dir_open (SAMPLES, 0, NULL);
  g_assert_nonnull (d);
  guint n = 0;
  for (const char *f; (f = g_dir_read_name (d));)
    {
      if (!g_str_has_suffix (f, ".txt"))
        continue;
      g_autofree char *path = g_build_filename (SAMPLES, f, NULL);
      g_autofree char *text = NULL;
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      g_autofree char *id = g_strdup_printf ("small-%u", n++);
      append_record (in, id, text);
      if (n == 3 && huge_bytes)
        {
          while (huge->len < huge_bytes)
            g_string_append_printf (huge, "%s\n\n", text);
          /* ASCII only: should it be tagged, writing its offsets stays cheap. */
          for (gsize i = 0; i < huge->len; i++)
            if ((guchar) huge->str[i] >= 0x80)
              huge->str[i] = ' ';
          append_record (in, "huge", huge->str);
        }
    }
  char *file = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (file, in->str, (gssize) in->len, NULL));
  return file;
}

static void
limit_address_space (gpointer bytes)
{
  struct rlimit l = { GPOINTER_TO_SIZE (bytes), GPOINTER_TO_SIZE (bytes) };
  setrlimit (RLIMIT_AS, &l);
}

/* Runs docpipe in @dir (where the dead letters go), under an address-space
 * limit of @limit bytes if not 0, with two workers whatever the number of
 * cores (each thread reserves address space of its own). */
static DpTestResult
run_limited (const char *expression, gsize limit)
{
  const char *argv[] = { DP_TEST_DOCPIPE, "run", "-q", "-s", "pipeline.workers=2", "-P", PLUGIN_PATH,
                         "-e", expression, NULL };
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                 | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (l, dir);
  if (limit)
    g_subprocess_launcher_set_child_setup (l, limit_address_space, GSIZE_TO_POINTER (limit), NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = g_subprocess_launcher_spawnv (l, argv, &error);
  g_assert_no_error (error);
  return dp_test_communicate (p, NULL);
}

/* The dead letters of the last run in @dir, by id (and removes the file). */
static GHashTable *
take_dead_letters (void)
{
  g_autofree char *path = g_build_filename (dir, "inline-dead-letter.jsonl", NULL);
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    text = g_strdup ("");
  g_remove (path);
  return records_of (text);
}

/* max-document-size: longer records are dead-lettered, naming the limit. */
static void
test_max_document_size (void)
{
  g_autofree char *in = write_input ("sizes.jsonl", 0);
  g_autofree char *expr = g_strdup_printf ("reader path=%s format=jsonl ! ner max-document-size=1850 ! writer", in);
  DpTestResult r = run_limited (expr, 0);
  g_assert_cmpint (r.status, ==, 3);
  g_autoptr (GHashTable) out = records_of (r.out);
  g_autoptr (GHashTable) dead = take_dead_letters ();
  g_assert_cmpuint (g_hash_table_size (out), >, 0);
  g_assert_cmpuint (g_hash_table_size (dead), >, 0);
  g_assert_cmpuint (g_hash_table_size (out) + g_hash_table_size (dead), ==, 12);
  GHashTableIter it;
  gpointer id, value;
  g_hash_table_iter_init (&it, dead);
  while (g_hash_table_iter_next (&it, &id, &value))
    {
      JsonObject *d = value;
      g_assert_cmpstr (json_object_get_string_member (d, "stage"), ==, "ner");
      g_assert_nonnull (strstr (json_object_get_string_member (d, "error"), "max-document-size (1850)"));
      g_assert_false (g_hash_table_contains (out, id));
    }
  g_hash_table_iter_init (&it, out);
  while (g_hash_table_iter_next (&it, &id, &value))
    g_assert_cmpuint (strlen (json_object_get_string_member (value, "text")), <=, 1850);
  dp_test_result_clear (&r);
  g_remove (in);
}

/* Under an address-space limit too small for one huge record (GLib aborts
 * the process when an allocation fails), the run goes on: the other records
 * come out, the huge one is tagged or dead-lettered, never an abort. */
static void
test_address_space_limit (void)
{
#if defined(__SANITIZE_ADDRESS__)
  g_test_skip ("AddressSanitizer reserves more address space than the limit");
  return;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  g_test_skip ("AddressSanitizer reserves more address space than the limit");
  return;
#endif
#endif
  g_autofree char *in = write_input ("huge.jsonl", 24 * 1000 * 1000);
  g_autofree char *expr = g_strdup_printf ("reader path=%s format=jsonl ! normalizer ! ner max-document-size=0 ! writer",
                                           in);
  DpTestResult r = run_limited (expr, (gsize) 900 * 1024 * 1024);
  if (r.status != 0 && r.status != 3)
    g_error ("docpipe ended with status %d: %s", r.status, r.err);
  g_autoptr (GHashTable) out = records_of (r.out);
  g_autoptr (GHashTable) dead = take_dead_letters ();
  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *id = g_strdup_printf ("small-%u", i);
      g_assert_true (g_hash_table_contains (out, id));
    }
  g_assert_true (g_hash_table_contains (out, "huge") != g_hash_table_contains (dead, "huge"));
  if (g_hash_table_contains (dead, "huge"))
    {
      JsonObject *d = g_hash_table_lookup (dead, "huge");
      g_assert_cmpstr (json_object_get_string_member (d, "stage"), ==, "ner");
      g_assert_nonnull (strstr (json_object_get_string_member (d, "error"), "no memory to tag a text of"));
      g_assert_cmpint (r.status, ==, 3);
    }
  dp_test_result_clear (&r);
  g_remove (in);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("docpipe-ner-XXXXXX", NULL);
  g_test_add_func ("/ner/stage/samples", test_samples);
  g_test_add_func ("/ner/stage/gazetteer", test_gazetteer);
  g_test_add_func ("/ner/stage/abbreviation", test_abbreviation);
  g_test_add_func ("/ner/stage/line-breaks", test_line_breaks);
  g_test_add_func ("/ner/stage/options", test_options);
  g_test_add_func ("/ner/stage/errors", test_errors);
  g_test_add_func ("/ner/stage/max-document-size", test_max_document_size);
  g_test_add_func ("/ner/stage/address-space-limit", test_address_space_limit);
  int status = g_test_run ();
  g_autofree char *names = g_build_filename (dir, "names.tsv", NULL);
  g_remove (names);
  g_rmdir (dir);
  g_free (dir);
  return status;
}
