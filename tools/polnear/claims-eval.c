/* claims-eval.c — docpipe-claims-eval: scores a pipeline's `claims` layer
 * against PolNeAR-format gold attributions with the rules of
 * ../shared/README.md (see docs/claims-eval.md), and writes the gold
 * articles' texts as JSON lines for a pipeline to run on. */
#include "polnear.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

/* Everything one run knows: the gold documents by article, what was seen. */
typedef struct {
  GPtrArray *docs;          /* DpnDocument * */
  GHashTable *by_article;   /* article -> GPtrArray of DpnDocument * (borrowed) */
  GHashTable *seen;         /* articles that had a record */
  DpnScores scores;
  guint records, claims, unknown_records, duplicate_records, bad_lines;
} Eval;

static void
eval_clear (Eval *ev)
{
  g_clear_pointer (&ev->by_article, g_hash_table_unref);
  g_clear_pointer (&ev->seen, g_hash_table_unref);
  g_clear_pointer (&ev->docs, g_ptr_array_unref);
}

static gboolean
eval_load_gold (Eval *ev, const char *dir, GError **error)
{
  ev->docs = dpn_corpus_load (dir, error);
  if (ev->docs == NULL)
    return FALSE;
  ev->by_article = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  ev->seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < ev->docs->len; i++)
    {
      DpnDocument *d = ev->docs->pdata[i];
      GPtrArray *list = g_hash_table_lookup (ev->by_article, d->article);
      if (list == NULL)
        g_hash_table_insert (ev->by_article, d->article, list = g_ptr_array_new ());
      g_ptr_array_add (list, d);
    }
  return TRUE;
}

/* ---- predictions -------------------------------------------------------------- */

static const char *
object_string (JsonObject *o, const char *member)
{
  JsonNode *n = json_object_get_member (o, member);
  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
    ? json_node_get_string (n) : NULL;
}

/* The record's id if it names a gold article, else its id's or its source's
 * base name without .txt. */
static char *
record_article (Eval *ev, JsonObject *rec)
{
  const char *cands[] = { object_string (rec, "id"), object_string (rec, "source") };
  for (guint i = 0; i < G_N_ELEMENTS (cands); i++)
    {
      if (cands[i] == NULL)
        continue;
      if (g_hash_table_contains (ev->by_article, cands[i]))
        return g_strdup (cands[i]);
      g_autofree char *base = g_path_get_basename (cands[i]);
      if (g_str_has_suffix (base, ".txt"))
        base[strlen (base) - 4] = '\0';
      if (g_hash_table_contains (ev->by_article, base))
        return g_steal_pointer (&base);
    }
  return NULL;
}

/* A nested span {start, end} (or a span's own), appended to @out; nothing
 * for null or a missing member. */
static gboolean
read_range (JsonObject *o, GArray *out)
{
  if (o == NULL || !json_object_has_member (o, "start") || !json_object_has_member (o, "end"))
    return FALSE;
  DpnRange r = { json_object_get_int_member (o, "start"), json_object_get_int_member (o, "end") };
  if (r.start < 0 || r.end < r.start)
    return FALSE;
  g_array_append_val (out, r);
  return TRUE;
}

static JsonObject *
member_object (JsonObject *o, const char *member)
{
  JsonNode *n = json_object_get_member (o, member);
  return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

/* The stage's own `kind`, else -1 (the scorer then computes it from the text). */
static int
claim_kind (JsonObject *span)
{
  const char *k = object_string (span, "kind");
  for (int i = 0; k != NULL && i < DPN_N_KINDS; i++)
    if (strcmp (k, dpn_kind_name (i)) == 0)
      return i;
  return -1;
}

static GPtrArray *
record_claims (JsonObject *rec)
{
  GPtrArray *claims = g_ptr_array_new_with_free_func ((GDestroyNotify) dpn_claim_free);
  JsonObject *layers = member_object (rec, "layers");
  JsonNode *layer = layers != NULL ? json_object_get_member (layers, "claims") : NULL;
  if (layer == NULL || !JSON_NODE_HOLDS_ARRAY (layer))
    return claims;
  JsonArray *spans = json_node_get_array (layer);
  for (guint i = 0; i < json_array_get_length (spans); i++)
    {
      JsonNode *n = json_array_get_element (spans, i);
      g_autoptr (DpnClaim) c = dpn_claim_new ();
      if (!JSON_NODE_HOLDS_OBJECT (n) || !read_range (json_node_get_object (n), c->content))
        continue;
      c->kind = claim_kind (json_node_get_object (n));
      read_range (member_object (json_node_get_object (n), "cue"), c->cue);
      read_range (member_object (json_node_get_object (n), "speaker"), c->speaker);
      g_ptr_array_add (claims, g_steal_pointer (&c));
    }
  return claims;
}

/* Every annotation file of the article scores the record's claims. */
static void
eval_record (Eval *ev, JsonObject *rec, const char *where)
{
  ev->records++;
  g_autofree char *article = record_article (ev, rec);
  if (article == NULL)
    {
      ev->unknown_records++;
      return;
    }
  if (g_hash_table_contains (ev->seen, article))
    {
      g_printerr ("%s: a second record for article %s, ignored\n", where, article);
      ev->duplicate_records++;
      return;
    }
  GPtrArray *docs = g_hash_table_lookup (ev->by_article, article);
  const DpnDocument *first = docs->pdata[0];
  g_hash_table_add (ev->seen, first->article);
  const char *text = object_string (rec, "text");
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    text = "";
  glong n_chars = g_utf8_strlen (text, -1);
  g_autoptr (GPtrArray) claims = record_claims (rec);
  ev->claims += claims->len;
  for (guint i = 0; i < docs->len; i++)
    dpn_score_document (docs->pdata[i], text, n_chars, claims, &ev->scores);
}

static gboolean
eval_predictions (Eval *ev, const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;
  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  g_autoptr (JsonParser) parser = json_parser_new ();
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_strstrip (lines[i])[0] == '\0')
        continue;
      g_autofree char *where = g_strdup_printf ("%s:%u", path, i + 1);
      g_autoptr (GError) local = NULL;
      if (!json_parser_load_from_data (parser, lines[i], -1, &local)
          || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          g_printerr ("%s: not a JSON object%s%s, skipped\n", where, local ? ": " : "",
                      local ? local->message : "");
          ev->bad_lines++;
          continue;
        }
      eval_record (ev, json_node_get_object (json_parser_get_root (parser)), where);
    }
  return TRUE;
}

/* An article the predictions leave out has all its attributions missed. */
static void
eval_missing (Eval *ev)
{
  g_autoptr (GPtrArray) none = g_ptr_array_new ();
  for (guint i = 0; i < ev->docs->len; i++)
    {
      const DpnDocument *d = ev->docs->pdata[i];
      if (!g_hash_table_contains (ev->seen, d->article))
        dpn_score_document (d, d->text, d->n_chars, none, &ev->scores);
    }
}

/* ---- output ------------------------------------------------------------------- */

static double
ratio (guint a, guint b)
{
  return b > 0 ? (double) a / b : 0.0;
}

static void
kind_figures (const DpnScores *s, guint k, double f[5])
{
  f[0] = ratio (s->matched_pred[k], s->pred[k]);
  f[1] = ratio (s->matched_gold[k], s->gold[k]);
  f[2] = f[0] + f[1] > 0 ? 2 * f[0] * f[1] / (f[0] + f[1]) : 0.0;
  f[3] = ratio (s->cue_ok[k], s->matched_gold[k]);
  f[4] = ratio (s->speaker_ok[k], s->matched_gold[k]);
}

static guint
missing_articles (const Eval *ev)
{
  return g_hash_table_size (ev->by_article) - g_hash_table_size (ev->seen);
}

static void
print_text (const Eval *ev)
{
  const DpnScores *s = &ev->scores;
  printf ("gold: %u articles, %u annotation files, %u attributions\n",
          g_hash_table_size (ev->by_article), ev->docs->len, s->gold[DPN_N_KINDS]);
  printf ("predictions: %u records, %u claims; %u records with no gold article, "
          "%u duplicate records, %u unreadable lines; %u gold articles with no record\n",
          ev->records, ev->claims, ev->unknown_records, ev->duplicate_records, ev->bad_lines,
          missing_articles (ev));
  printf ("%-9s %6s %6s %6s %7s %7s %7s %7s %7s\n", "kind", "gold", "pred", "match",
          "P", "R", "F1", "cue", "speaker");
  for (guint k = 0; k <= DPN_N_KINDS; k++)
    {
      guint i = (k + DPN_N_KINDS) % (DPN_N_KINDS + 1);  /* "all" first */
      double f[5];
      kind_figures (s, i, f);
      printf ("%-9s %6u %6u %6u %7.4f %7.4f %7.4f %7.4f %7.4f\n", dpn_kind_name (i),
              s->gold[i], s->pred[i], s->matched_gold[i], f[0], f[1], f[2], f[3], f[4]);
    }
}

static void
json_kind (JsonBuilder *b, const DpnScores *s, guint k)
{
  static const char *const names[] = { "precision", "recall", "f1", "cue", "speaker" };
  double f[5];
  kind_figures (s, k, f);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "gold");
  json_builder_add_int_value (b, s->gold[k]);
  json_builder_set_member_name (b, "pred");
  json_builder_add_int_value (b, s->pred[k]);
  json_builder_set_member_name (b, "matched");
  json_builder_add_int_value (b, s->matched_gold[k]);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      json_builder_set_member_name (b, names[i]);
      json_builder_add_double_value (b, f[i]);
    }
  json_builder_end_object (b);
}

static void
json_count (JsonBuilder *b, const char *name, guint value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
print_json (const Eval *ev)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_count (b, "gold_articles", g_hash_table_size (ev->by_article));
  json_count (b, "gold_files", ev->docs->len);
  json_count (b, "records", ev->records);
  json_count (b, "claims", ev->claims);
  json_count (b, "records_without_gold", ev->unknown_records);
  json_count (b, "duplicate_records", ev->duplicate_records);
  json_count (b, "unreadable_lines", ev->bad_lines);
  json_count (b, "articles_without_record", missing_articles (ev));
  json_builder_set_member_name (b, "all");
  json_kind (b, &ev->scores, DPN_N_KINDS);
  json_builder_set_member_name (b, "kinds");
  json_builder_begin_object (b);
  for (guint k = 0; k < DPN_N_KINDS; k++)
    {
      json_builder_set_member_name (b, dpn_kind_name (k));
      json_kind (b, &ev->scores, k);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *out = json_to_string (root, TRUE);
  printf ("%s\n", out);
}

/* ---- writing JSON lines ------------------------------------------------------- */

static void
add_range (JsonBuilder *b, const char *member, const GArray *r)
{
  json_builder_set_member_name (b, member);
  if (r->len == 0)
    {
      json_builder_add_null_value (b);
      return;
    }
  g_autoptr (GArray) hull = dpn_ranges_hull (r);
  json_builder_begin_object (b);
  json_count (b, "start", g_array_index (hull, DpnRange, 0).start);
  json_count (b, "end", g_array_index (hull, DpnRange, 0).end);
  json_builder_end_object (b);
}

/* Gold as a claims layer (each role's hull, the gold kind), for checking the
 * scorer. */
static void
add_gold_claims (JsonBuilder *b, const DpnDocument *d)
{
  json_builder_set_member_name (b, "layers");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "claims");
  json_builder_begin_array (b);
  for (guint i = 0; i < d->attributions->len; i++)
    {
      const DpnAttribution *a = d->attributions->pdata[i];
      if (a->content->len == 0)
        continue;
      g_autoptr (GArray) hull = dpn_ranges_hull (a->content);
      json_builder_begin_object (b);
      json_count (b, "start", g_array_index (hull, DpnRange, 0).start);
      json_count (b, "end", g_array_index (hull, DpnRange, 0).end);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, dpn_kind_name (dpn_kind_of (d->text, d->n_chars, a->content)));
      add_range (b, "cue", a->cue);
      add_range (b, "speaker", a->source);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static gboolean
write_line (GOutputStream *out, const DpnDocument *d, gboolean with_gold, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, d->article);
  json_builder_set_member_name (b, "text");
  json_builder_add_string_value (b, d->text);
  if (with_gold)
    add_gold_claims (b, d);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *s = json_to_string (root, FALSE);
  return g_output_stream_write_all (out, s, strlen (s), NULL, NULL, error)
         && g_output_stream_write_all (out, "\n", 1, NULL, NULL, error);
}

/* One line per article (its first annotation file, in name order). */
static gboolean
write_jsonl (const Eval *ev, const char *path, gboolean with_gold, GError **error)
{
  g_autoptr (GFile) f = g_file_new_for_commandline_arg (path);
  g_autoptr (GFileOutputStream) out = g_file_replace (f, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error);
  if (out == NULL)
    return FALSE;
  g_autoptr (GHashTable) done = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < ev->docs->len; i++)
    {
      const DpnDocument *d = ev->docs->pdata[i];
      if (!g_hash_table_add (done, d->article))
        continue;
      if (!write_line (G_OUTPUT_STREAM (out), d, with_gold, error))
        return FALSE;
    }
  return g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);
}

/* ---- main --------------------------------------------------------------------- */

static const char summary[] =
  "Scores PREDICTIONS.jsonl (docpipe JSON lines with a `claims` layer) against the\n"
  "PolNeAR-format gold in DIR (DIR/text/NAME.txt, DIR/attributions/NAME.ann).\n"
  "A record names its article by its id, or by its id's or source's base name\n"
  "without .txt.  Offsets are code points of the ORIGINAL text: the normalizer\n"
  "rewrites text, so write predictions with `writer offsets=original`, e.g.\n"
  "  docpipe-claims-eval --gold DIR --text-dir-to-jsonl in.jsonl\n"
  "  docpipe run -e 'reader path=in.jsonl ! normalizer ! ner ! claims ! writer path=out.jsonl offsets=original'\n"
  "  docpipe-claims-eval --gold DIR out.jsonl\n"
  "A claim matches a gold attribution when their contents overlap by at least\n"
  "half of the longer one's characters, one to one (greedily, largest overlap\n"
  "first).  See docs/claims-eval.md.";

int
main (int argc, char **argv)
{
  g_autofree char *gold = NULL, *texts_out = NULL, *gold_out = NULL;
  gboolean as_json = FALSE;
  GOptionEntry entries[] = {
    { "gold", 'g', 0, G_OPTION_ARG_FILENAME, &gold, "Gold directory (text/ and attributions/)", "DIR" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print the scores as JSON", NULL },
    { "text-dir-to-jsonl", 0, 0, G_OPTION_ARG_FILENAME, &texts_out,
      "Write the gold articles' texts as JSON lines (id = file name) to FILE and exit", "FILE" },
    { "gold-as-predictions", 0, 0, G_OPTION_ARG_FILENAME, &gold_out,
      "Write the gold attributions as a claims layer to FILE and exit (checks the scorer)", "FILE" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("PREDICTIONS.jsonl");
  g_option_context_set_summary (ctx, summary);
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("docpipe-claims-eval: %s\n", error->message);
      return 2;
    }
  gboolean writing = texts_out != NULL || gold_out != NULL;
  if (gold == NULL || (!writing && argc != 2) || (writing && argc != 1))
    {
      g_printerr ("usage: docpipe-claims-eval --gold DIR [--json] PREDICTIONS.jsonl\n"
                  "       docpipe-claims-eval --gold DIR --text-dir-to-jsonl FILE\n");
      return 2;
    }
  Eval ev = { 0 };
  gboolean ok = eval_load_gold (&ev, gold, &error);
  if (ok && writing)
    ok = write_jsonl (&ev, texts_out != NULL ? texts_out : gold_out, texts_out == NULL, &error);
  else if (ok)
    ok = eval_predictions (&ev, argv[1], &error);
  if (ok && !writing)
    eval_missing (&ev);
  if (ok && !writing)
    (as_json ? print_json : print_text) (&ev);
  eval_clear (&ev);
  if (!ok)
    {
      g_printerr ("docpipe-claims-eval: %s\n", error->message);
      return 1;
    }
  return 0;
}
