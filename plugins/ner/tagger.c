/* tagger.c — the NER as a whole: named entities into a record's "entities"
 * layer.  The ner stage (ner.c) is a thin plugin around it; the benchmark
 * calls it directly.
 *
 * For each record: the trained model tags every sentence (PER, ORG, LOC,
 * MISC; ner-features.c, lib/seqtag), words it left out that spell an entity
 * it tagged elsewhere in the document are given the same tags, the rules find dates, times, amounts
 * and percentages (temporal.c), the user's gazetteer adds its names with
 * its labels (usergaz.c), overlaps are settled, and linking (linking.c)
 * gives every entity a canonical name and a per-document cluster number.
 *
 * Overlaps: a gazetteer name wins over what it overlaps (that is how a user
 * overrides the model's label), unless it lies strictly inside a longer
 * entity of the model; between the model and the rules the longer span wins,
 * the rules on a tie.
 */
#include "tagger.h"

#include <string.h>
#include <sys/mman.h>

#include "gazetteer.h"
#include "linking.h"
#include "names.h"
#include "ner-features.h"
#include "temporal.h"
#include "usergaz.h"

typedef enum { FROM_RULE, FROM_MODEL, FROM_GAZETTEER } Source;
static const char *const source_names[] = { "rule", "model", "gazetteer" };

struct _DpNerTagger {
  DpSeqModel *model;
  DpGazetteer *gaz;
  DpClusters *clusters;   /* NULL without */
  DpUserGaz *user;        /* NULL without a gazetteer file */
  DpUserGaz *aliases;     /* NULL when disabled */
  const char **tag_names; /* the model's tags, for dp_ner_doc_remember() */
  const char **tag_types; /* per tag: interned entity type, NULL for O */
  char *tag_bilou;        /* per tag: 'B', 'I', 'L', 'U' or 'O' */
  gboolean rules, link;
  gsize max_document_size;
};

struct _DpNerScratch {
  DpNerDoc *doc;
  DpSeqFeatures f;
  GArray *starts;                  /* guint32: the first token of each piece the model tags */
  GArray *tags;                    /* guint16 */
  GArray *mentions;                /* Mention */
  GArray *rules, *matches;         /* DpRuleEntity, DpUserGazMatch */
  GArray *owner;                   /* guint32 per token: 1 + the mention covering it, or 0 */
  GArray *linked;                  /* DpNerMention: the kept mentions, for dp_ner_link() */
  GString *word;
  GStringChunk *names;             /* canonical names made for this record */
};

typedef struct {
  DpNerMention m;
  Source source;
} Mention;

/* ---- the instance ----------------------------------------------------------- */

void
dp_ner_tagger_free (DpNerTagger *ner)
{
  if (!ner)
    return;
  dp_seq_model_free (ner->model);
  dp_gazetteer_free (ner->gaz);
  dp_clusters_free (ner->clusters);
  dp_user_gaz_free (ner->user);
  dp_user_gaz_free (ner->aliases);
  g_free (ner->tag_names);
  g_free (ner->tag_types);
  g_free (ner->tag_bilou);
  g_free (ner);
}

static gboolean
read_tags (DpNerTagger *ner, const char *model_path, GError **error)
{
  guint n = dp_seq_model_n_tags (ner->model);
  ner->tag_names = g_new0 (const char *, n + 1);
  ner->tag_types = g_new0 (const char *, n);
  ner->tag_bilou = g_new0 (char, n);
  for (guint t = 0; t < n; t++)
    {
      const char *name = dp_seq_model_tag_name (ner->model, t);
      ner->tag_names[t] = name;
      if (strcmp (name, "O") == 0)
        ner->tag_bilou[t] = 'O';
      else if (strlen (name) > 2 && name[1] == '-' && strchr ("BILU", name[0]))
        {
          ner->tag_bilou[t] = name[0];
          ner->tag_types[t] = g_intern_string (name + 2);
        }
      else
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "%s: not an entity model (tag '%s' is not O or B-/I-/L-/U-TYPE)", model_path, name);
          return FALSE;
        }
    }
  if (ner->tag_bilou[0] != 'O')
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not an entity model (its first tag is not O)",
                   model_path);
      return FALSE;
    }
  return TRUE;
}

/* The fingerprint the model's metadata gives for @key ("gazetteers: "), or 0. */
static guint64
recorded (const DpNerTagger *ner, const char *key)
{
  const char *meta = strstr (dp_seq_model_get_meta (ner->model), key);
  return meta ? g_ascii_strtoull (meta + strlen (key), NULL, 16) : 0;
}

/* A model scores the gazetteer and cluster features it was trained with:
 * other lists make it quietly worse, so say so. */
static void
check_gazetteers (const DpNerTagger *ner, const DpNerOptions *opts)
{
  guint64 gaz = recorded (ner, "gazetteers: "), clusters = recorded (ner, "clusters: ");
  if (gaz && gaz != dp_gazetteer_fingerprint (ner->gaz))
    g_warning ("%s was trained with other gazetteer lists than those in %s: expect lower accuracy",
               opts->model, opts->gazetteers);
  if (clusters != (ner->clusters ? dp_clusters_fingerprint (ner->clusters) : 0))
    g_warning ("%s was trained with other word clusters than %s: expect lower accuracy", opts->model,
               opts->clusters ? opts->clusters : "none");
}

DpNerTagger *
dp_ner_tagger_new (const DpNerOptions *opts, GError **error)
{
  DpNerTagger *ner = g_new0 (DpNerTagger, 1);
  ner->rules = opts->rules;
  ner->link = opts->link;
  ner->max_document_size = opts->max_document_size;
  if (!(ner->model = dp_seq_model_load (opts->model, error))
      || !read_tags (ner, opts->model, error)
      || !(ner->gaz = dp_gazetteer_load (opts->gazetteers, error))
      || (opts->clusters && !(ner->clusters = dp_clusters_load (opts->clusters, error)))
      || (opts->user_gazetteer && !(ner->user = dp_user_gaz_load (opts->user_gazetteer, error)))
      || (opts->aliases && !(ner->aliases = dp_user_gaz_load (opts->aliases, error))))
    {
      dp_ner_tagger_free (ner);
      return NULL;
    }
  check_gazetteers (ner, opts);
  return ner;
}

/* ---- finding mentions --------------------------------------------------------- */

DpNerScratch *
dp_ner_scratch_new (const DpNerTagger *ner)
{
  DpNerScratch *s = g_new0 (DpNerScratch, 1);
  s->doc = dp_ner_doc_new (ner->gaz, ner->clusters);
  dp_seq_features_init (&s->f);
  s->starts = g_array_new (FALSE, FALSE, sizeof (guint32));
  s->tags = g_array_new (FALSE, FALSE, sizeof (guint16));
  s->mentions = g_array_new (FALSE, FALSE, sizeof (Mention));
  s->rules = g_array_new (FALSE, FALSE, sizeof (DpRuleEntity));
  s->matches = g_array_new (FALSE, FALSE, sizeof (DpUserGazMatch));
  s->owner = g_array_new (FALSE, TRUE, sizeof (guint32));
  s->linked = g_array_new (FALSE, FALSE, sizeof (DpNerMention));
  s->word = g_string_new (NULL);
  s->names = g_string_chunk_new (256);
  return s;
}

void
dp_ner_scratch_free (DpNerScratch *s)
{
  if (!s)
    return;
  dp_ner_doc_free (s->doc);
  dp_seq_features_clear (&s->f);
  g_array_unref (s->starts);
  g_array_unref (s->tags);
  g_array_unref (s->mentions);
  g_array_unref (s->rules);
  g_array_unref (s->matches);
  g_array_unref (s->owner);
  g_array_unref (s->linked);
  g_string_free (s->word, TRUE);
  g_string_chunk_free (s->names);
  g_free (s);
}

static void
add_mention (DpNerScratch *s, const DpToken *tokens, guint first, guint n, const char *label,
             const char *canonical, Source source)
{
  Mention m = { { tokens[first].start, tokens[first + n - 1].end, first, n, label, canonical, NULL, 0 }, source };
  g_array_append_val (s->mentions, m);
}

/* The pieces the model tags: the sentences, those longer than
 * DP_NER_MAX_SENTENCE_TOKENS cut into pieces of that many tokens, so that one
 * huge "sentence" (text without punctuation) costs no more working memory
 * than a long real one.  Ends with n_tokens. */
static guint
cut_sentences (DpNerScratch *s, const DpSentence *sents, guint n_sents, guint n_tokens)
{
  g_array_set_size (s->starts, 0);
  for (guint k = 0; k < n_sents; k++)
    for (guint32 at = 0; at < sents[k].n_tokens; at += DP_NER_MAX_SENTENCE_TOKENS)
      {
        guint32 first = sents[k].first_token + at;
        g_array_append_val (s->starts, first);
      }
  guint n_pieces = s->starts->len;
  guint32 end = n_tokens;
  g_array_append_val (s->starts, end);
  return n_pieces;
}

/* The model's tags as mentions.  A name never runs on over a line break:
 * where the tags do (a heading and the line after it, a byline and the name
 * that opens the next line, or a name the consistency pass spelled over a
 * break), the mention ends at the break, and the part after it is kept only
 * if it is a whole mention of its own (it ends where the tags end it). */
static void
add_model_mentions (const DpNerTagger *ner, DpNerScratch *s, const DpToken *tokens, guint n_tokens,
                    const guint16 *tags)
{
  guint begin = 0;
  gboolean open = FALSE;
  for (guint i = 0; i < n_tokens; i++)
    {
      char b = ner->tag_bilou[tags[i]];
      if (open && (b == 'I' || b == 'L') && (tokens[i].flags & DP_TOKEN_FLAG_NEWLINE_BEFORE))
        {
          add_mention (s, tokens, begin, i - begin, ner->tag_types[tags[i - 1]], NULL, FROM_MODEL);
          begin = i;
        }
      switch (b)
        {
        case 'B': begin = i; open = TRUE; break;
        case 'U': begin = i; G_GNUC_FALLTHROUGH;
        case 'L':
          add_mention (s, tokens, begin, i - begin + 1, ner->tag_types[tags[i]], NULL, FROM_MODEL);
          open = FALSE;
          break;
        case 'I': break;
        default: open = FALSE; break;
        }
    }
}

/* The model, sentence after sentence, each seeing the tags of the ones before. */
static void
tag_with_model (const DpNerTagger *ner, DpNerScratch *s, const char *text, const DpToken *tokens, guint n_tokens,
                const DpSentence *sents, guint n_sents)
{
  guint n_pieces = cut_sentences (s, sents, n_sents, n_tokens);
  const guint32 *starts = (const guint32 *) s->starts->data;
  dp_ner_doc_set_tokens (s->doc, text, tokens, n_tokens, starts, n_pieces);
  g_array_set_size (s->tags, n_tokens);
  guint16 *tags = (guint16 *) s->tags->data;
  if (n_tokens > 0)   /* an empty text has no array to clear (memset of NULL) */
    memset (tags, 0, (gsize) n_tokens * sizeof *tags);
  for (guint k = 0; k < n_pieces; k++)
    {
      guint16 *sentence_tags = tags + starts[k];
      dp_ner_doc_features (s->doc, k, &s->f);
      dp_seq_model_decode (ner->model, &s->f, sentence_tags);
      dp_ner_doc_remember (s->doc, k, sentence_tags, ner->tag_names);
    }
  dp_ner_doc_propagate (s->doc, tags, ner->tag_names);
  dp_ner_doc_fix_entities (s->doc, tags, ner->tag_names);
  add_model_mentions (ner, s, tokens, n_tokens, tags);
}

static gboolean
is_punct (const char *text, const DpToken *t, char c)
{
  return t->end == t->start + 1 && text[t->start] == c;
}

/* An abbreviation written after a name: "Korea Mining Development Trading
 * Corp (KOMID)" -> KOMID, whatever its letters. */
static gboolean
abbreviation_after (const char *text, const DpToken *tokens, guint n_tokens, const DpNerMention *m, guint *at)
{
  guint a = m->first_token + m->n_tokens;
  if (a + 2 >= n_tokens || !is_punct (text, &tokens[a], '(') || !is_punct (text, &tokens[a + 2], ')'))
    return FALSE;
  const char *w = text + tokens[a + 1].start;
  gsize len = tokens[a + 1].end - tokens[a + 1].start, upper = 0;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isalnum (w[i]) && w[i] != '.')
        return FALSE;
      upper += g_ascii_isupper (w[i]) != 0;
    }
  *at = a + 1;
  return upper >= 2 && upper * 2 >= len && len <= 10 && g_ascii_isupper (w[0]);
}

/* Acronyms of the organisations the model found, where the model left them
 * untagged or called them something else (a bare acronym says little about
 * itself): an abbreviation written after an ORG's name ("… Corp (KOMID)")
 * is that ORG, with its name as canonical name, wherever the document uses
 * it; an acronym spelling the initials of an ORG the document names ("GCC"
 * and "Gulf Cooperation Council") is an ORG where the model left it
 * untagged (linking then joins the two).  Runs on the model's mentions,
 * before the other sources add theirs. */
static void
tag_acronyms (DpNerScratch *s, const char *text, const DpToken *tokens, guint n_tokens)
{
  guint n_model = s->mentions->len;
  g_autoptr (GHashTable) initials = NULL;   /* initials of the ORG names */
  g_autoptr (GHashTable) defined = NULL;    /* abbreviation -> the name it was written after */
  g_autoptr (GString) letters = g_string_new (NULL);
  g_array_set_size (s->owner, 0);
  g_array_set_size (s->owner, n_tokens);
  guint32 *owner = (guint32 *) s->owner->data;   /* 1 + the model mention covering each token */
  for (guint i = 0; i < n_model; i++)
    {
      const DpNerMention *m = &g_array_index (s->mentions, Mention, i).m;
      for (guint t = m->first_token; t < m->first_token + m->n_tokens; t++)
        owner[t] = i + 1;
    }
  for (guint i = 0; i < n_model; i++)
    {
      const DpNerMention *m = &g_array_index (s->mentions, Mention, i).m;
      guint at;
      if (strcmp (m->label, "ORG") != 0 || m->n_tokens < 2)
        continue;
      if (dp_ner_initials (text, tokens, m->first_token, m->n_tokens, letters))
        {
          if (!initials)
            initials = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          g_hash_table_add (initials, g_strdup (letters->str));
        }
      if (abbreviation_after (text, tokens, n_tokens, m, &at))
        {
          if (!defined)
            defined = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          g_string_truncate (letters, 0);
          dp_name_append_collapsed (letters, text + m->start, m->end - m->start);
          g_hash_table_insert (defined, g_strndup (text + tokens[at].start, tokens[at].end - tokens[at].start),
                               g_string_chunk_insert (s->names, letters->str));
        }
    }
  for (guint t = 0; (initials || defined) && t < n_tokens; t++)
    {
      if (tokens[t].kind != DP_TOKEN_WORD || !g_ascii_isupper (text[tokens[t].start]))
        continue;
      Mention *m = owner[t] ? &g_array_index (s->mentions, Mention, owner[t] - 1) : NULL;
      if (m && m->m.n_tokens > 1)
        continue;
      const char *name = NULL;
      if (defined)
        {
          g_string_truncate (s->word, 0);
          g_string_append_len (s->word, text + tokens[t].start, tokens[t].end - tokens[t].start);
          name = g_hash_table_lookup (defined, s->word->str);
        }
      if (name && m)
        m->m.label = g_intern_static_string ("ORG"), m->m.given_canonical = name;
      else if (name)
        add_mention (s, tokens, t, 1, g_intern_static_string ("ORG"), name, FROM_RULE);
      else if (!m && initials
               && dp_ner_acronym_letters (text + tokens[t].start, tokens[t].end - tokens[t].start, letters)
               && g_hash_table_contains (initials, letters->str))
        add_mention (s, tokens, t, 1, g_intern_static_string ("ORG"), NULL, FROM_RULE);
    }
}

/* A byline is a person: "By Amara Okafor" on a line of its own (or before
 * "|", a comma, a date) names its writer, which the model, seeing a
 * capitalised word after "By" as it sees "by Vienna", may take for a place. */
static void
tag_bylines (DpNerScratch *s, const char *text, const DpToken *tokens, guint n_tokens,
             const DpSentence *sents, guint n_sents)
{
  for (guint k = 0; k < n_sents; k++)
    {
      guint by = sents[k].first_token, end = by + sents[k].n_tokens, j = by + 1;
      const DpToken *t = &tokens[by];
      if (!(by == 0 || (t->flags & DP_TOKEN_FLAG_NEWLINE_BEFORE)) || t->end - t->start != 2
          || !(memcmp (text + t->start, "By", 2) == 0 || memcmp (text + t->start, "BY", 2) == 0))
        continue;
      while (j < end && j < by + 6 && tokens[j].kind == DP_TOKEN_WORD && g_ascii_isupper (text[tokens[j].start])
             && !(tokens[j].flags & DP_TOKEN_FLAG_NEWLINE_BEFORE))
        j++;
      gboolean ends = j == end || (tokens[j].flags & DP_TOKEN_FLAG_NEWLINE_BEFORE) || tokens[j].kind != DP_TOKEN_WORD;
      if (ends && j - by - 1 >= 2 && j - by - 1 <= 4)
        add_mention (s, tokens, by + 1, j - by - 1, g_intern_static_string ("PER"), NULL, FROM_RULE);
    }
}

/* The first token that ends after @offset (rule entities start on tokens). */
static guint
token_at (const DpToken *tokens, guint n, guint32 offset)
{
  guint lo = 0, hi = n;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (tokens[mid].end <= offset)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
tag_with_rules (DpNerScratch *s, const char *text, gsize len, const DpToken *tokens, guint n_tokens)
{
  g_array_set_size (s->rules, 0);
  dp_temporal_find (text, len, tokens, n_tokens, s->rules);
  for (guint i = 0; i < s->rules->len; i++)
    {
      const DpRuleEntity *r = &g_array_index (s->rules, DpRuleEntity, i);
      guint first = token_at (tokens, n_tokens, r->start), last = token_at (tokens, n_tokens, r->end - 1);
      /* A date or amount ends at a line break too: "Tuesday\nNovember 28" is a
       * heading's last word and the next line's date. */
      for (guint t = first + 1; t <= last && last < n_tokens; t++)
        if (tokens[t].flags & DP_TOKEN_FLAG_NEWLINE_BEFORE)
          last = t - 1;
      if (first <= last && last < n_tokens)
        add_mention (s, tokens, first, last - first + 1, r->label, NULL, FROM_RULE);
    }
}

static void
tag_with_gazetteer (const DpNerTagger *ner, DpNerScratch *s, const char *text, const DpToken *tokens, guint n_tokens)
{
  g_array_set_size (s->matches, 0);
  dp_user_gaz_find (ner->user, text, tokens, n_tokens, s->matches);
  for (guint i = 0; i < s->matches->len; i++)
    {
      const DpUserGazMatch *g = &g_array_index (s->matches, DpUserGazMatch, i);
      add_mention (s, tokens, g->first_token, g->n_tokens, g->label, g->canonical, FROM_GAZETTEER);
    }
}

/* Does the model's entity at @first (the model's mentions come first in
 * s->mentions, @n_model of them, in text order) span exactly @n tokens
 * with @label? */
static gboolean
model_has (const DpNerScratch *s, guint n_model, guint32 first, guint32 n, const char *label)
{
  const Mention *model = (const Mention *) s->mentions->data;
  guint lo = 0, hi = n_model;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (model[mid].m.first_token < first)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < n_model && model[lo].m.first_token == first && model[lo].m.n_tokens == n
         && strcmp (model[lo].m.label, label) == 0;
}

/* Country names of two words or more from the shipped aliases ("Democratic
 * People's Republic of Korea", "United Arab Emirates"): one place each,
 * whatever pieces the model made of them, unless the model's entity is
 * longer ("Republic of Korea Navy").  Added as gazetteer names, which is
 * how settle_overlaps() gives them that precedence; where the model found
 * the name as it is, its mention stays.  Only the text around the model's
 * entities is searched (COUNTRY_WINDOW tokens either side): a name the
 * model saw nothing of is left alone, and the search costs a few per cent
 * of the stage less. */
#define COUNTRY_WINDOW 6

static void
find_country_names (const DpNerTagger *ner, DpNerScratch *s, guint n_model, const DpToken *tokens,
                    const char *text, guint from, guint to)
{
  g_array_set_size (s->matches, 0);
  dp_user_gaz_find (ner->aliases, text, tokens + from, to - from, s->matches);
  for (guint i = 0; i < s->matches->len; i++)
    {
      const DpUserGazMatch *g = &g_array_index (s->matches, DpUserGazMatch, i);
      guint32 first = from + g->first_token;
      if (g->n_tokens >= 2 && strcmp (g->label, "LOC") == 0 && !model_has (s, n_model, first, g->n_tokens, g->label))
        add_mention (s, tokens, first, g->n_tokens, g->label, g->canonical, FROM_GAZETTEER);
    }
}

static void
tag_country_names (const DpNerTagger *ner, DpNerScratch *s, guint n_model, const char *text,
                   const DpToken *tokens, guint n_tokens)
{
  guint from = 0, to = 0;
  for (guint i = 0; i < n_model; i++)
    {
      const DpNerMention *m = &g_array_index (s->mentions, Mention, i).m;
      guint lo = m->first_token > COUNTRY_WINDOW ? m->first_token - COUNTRY_WINDOW : 0;
      guint hi = MIN (n_tokens, m->first_token + m->n_tokens + COUNTRY_WINDOW);
      if (lo > to)
        {
          if (to > from)
            find_country_names (ner, s, n_model, tokens, text, from, to);
          from = lo;
        }
      to = MAX (to, hi);
    }
  if (to > from)
    find_country_names (ner, s, n_model, tokens, text, from, to);
}

/* ---- settling overlaps -------------------------------------------------------- */

static gint
by_precedence (gconstpointer a, gconstpointer b)
{
  const Mention *x = a, *y = b;
  gboolean gx = x->source == FROM_GAZETTEER, gy = y->source == FROM_GAZETTEER;
  if (gx != gy)
    return gx ? -1 : 1;
  if (x->m.n_tokens != y->m.n_tokens)
    return x->m.n_tokens > y->m.n_tokens ? -1 : 1;
  if (x->source != y->source)
    return x->source < y->source ? -1 : 1;   /* rules before the model on a tie */
  return x->m.first_token < y->m.first_token ? -1 : x->m.first_token > y->m.first_token;
}

static gint
by_position (gconstpointer a, gconstpointer b)
{
  const Mention *x = a, *y = b;
  return x->m.first_token < y->m.first_token ? -1 : x->m.first_token > y->m.first_token;
}

/* Is gazetteer mention @g strictly inside a longer model mention?  The
 * model's mentions come first in s->mentions (@n_model of them), in text
 * order and without overlaps, so a binary search finds the candidate. */
static gboolean
inside_longer_model_entity (const DpNerScratch *s, guint n_model, const Mention *g)
{
  const Mention *model = (const Mention *) s->mentions->data;
  guint lo = 0, hi = n_model;
  while (lo < hi)   /* the last model mention starting at or before g */
    {
      guint mid = lo + (hi - lo) / 2;
      if (model[mid].m.first_token <= g->m.first_token)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == 0)
    return FALSE;
  const DpNerMention *m = &model[lo - 1].m;
  return m->n_tokens > g->m.n_tokens && m->first_token + m->n_tokens >= g->m.first_token + g->m.n_tokens;
}

/* Keeps a set of non-overlapping mentions, in text order. */
static void
settle_overlaps (DpNerScratch *s, guint n_model, guint n_tokens)
{
  GArray *all = s->mentions;
  /* Gazetteer names inside longer model entities step aside first. */
  guint kept = 0;
  for (guint i = 0; i < all->len; i++)
    {
      Mention *m = &g_array_index (all, Mention, i);
      if (m->source != FROM_GAZETTEER || !inside_longer_model_entity (s, n_model, m))
        g_array_index (all, Mention, kept++) = *m;
    }
  g_array_set_size (all, kept);
  g_array_sort (all, by_precedence);
  g_array_set_size (s->owner, 0);
  g_array_set_size (s->owner, n_tokens);
  guint32 *taken = (guint32 *) s->owner->data;
  kept = 0;
  for (guint i = 0; i < all->len; i++)
    {
      Mention *m = &g_array_index (all, Mention, i);
      gboolean free_ = TRUE;
      for (guint t = m->m.first_token; t < m->m.first_token + m->m.n_tokens && free_; t++)
        free_ = !taken[t];
      if (!free_)
        continue;
      for (guint t = m->m.first_token; t < m->m.first_token + m->m.n_tokens; t++)
        taken[t] = 1;
      g_array_index (all, Mention, kept++) = *m;
    }
  g_array_set_size (all, kept);
  g_array_sort (all, by_position);
}

/* ---- the stage ---------------------------------------------------------------- */

G_DEFINE_QUARK (dp-ner-error-quark, dp_ner_error)

/* Records from this size on are checked for room before they are tagged. */
#define CHECK_ROOM_FROM (1024 * 1024)

/* Is there address space left for tagging @len bytes?  GLib aborts the whole
 * process when an allocation fails, so a record too big for the memory the
 * process may use (ulimit -v, RLIMIT_AS) is failed before it is started.
 * Reserving the range without access commits no memory and leaves malloc's
 * state alone; it cannot see limits that do not fail allocations (a cgroup's
 * OOM killer): max_document_size is for those. */
static gboolean
has_room (gsize len)
{
  if (len < CHECK_ROOM_FROM)
    return TRUE;
  if (len > G_MAXSIZE / DP_NER_BYTES_PER_TEXT_BYTE)
    return FALSE;
  gsize want = len * DP_NER_BYTES_PER_TEXT_BYTE;
  void *p = mmap (NULL, want, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    return FALSE;
  munmap (p, want);
  return TRUE;
}

static gboolean
check_size (const DpNerTagger *ner, gsize len, GError **error)
{
  if (ner->max_document_size && len > ner->max_document_size)
    {
      g_set_error (error, DP_NER_ERROR, DP_NER_ERROR_TOO_LARGE,
                   "text of %" G_GSIZE_FORMAT " bytes is over the ner stage's max-document-size (%" G_GSIZE_FORMAT
                   "): split the document, or raise max-document-size (tagging needs up to %d times the text's size in memory)",
                   len, ner->max_document_size, DP_NER_BYTES_PER_TEXT_BYTE);
      return FALSE;
    }
  if (!has_room (len))
    {
      g_set_error (error, DP_NER_ERROR, DP_NER_ERROR_TOO_LARGE,
                   "no memory to tag a text of %" G_GSIZE_FORMAT " bytes (the ner stage needs up to %d times its size;"
                   " see ulimit -v)", len, DP_NER_BYTES_PER_TEXT_BYTE);
      return FALSE;
    }
  return TRUE;
}

static void
give_canonical_names (const DpNerTagger *ner, DpNerScratch *s, const char *text)
{
  for (guint i = 0; i < s->mentions->len; i++)
    {
      Mention *m = &g_array_index (s->mentions, Mention, i);
      if (m->m.given_canonical || m->source != FROM_MODEL)
        continue;
      const char *name = text + m->m.start;
      gsize len = m->m.end - m->m.start;
      const char *label = NULL;
      if (ner->user)
        m->m.given_canonical = dp_user_gaz_canonical (ner->user, name, len, NULL);
      if (!m->m.given_canonical && ner->aliases)
        {
          /* A country's other names, for places, and for organisations
           * named after one (a government, a team); "Jordan" the person
           * stays unnamed. */
          const char *alias = dp_user_gaz_canonical (ner->aliases, name, len, &label);
          if (alias && (strcmp (label, m->m.label) == 0 || strcmp (m->m.label, "ORG") == 0))
            m->m.given_canonical = alias;
        }
    }
}

gboolean
dp_ner_tagger_annotate (const DpNerTagger *ner, DpNerScratch *s, DpRecord *rec, GError **error)
{
  gsize len;
  const char *text = dp_record_get_text (rec, &len);
  if (!check_size (ner, len, error))
    return FALSE;
  guint n_tokens, n_sents;
  const DpToken *tokens = dp_record_tokens (rec, &n_tokens);
  const DpSentence *sents = dp_record_sentences (rec, &n_sents);
  g_array_set_size (s->mentions, 0);
  g_string_chunk_clear (s->names);
  tag_with_model (ner, s, text, tokens, n_tokens, sents, n_sents);
  guint n_model = s->mentions->len;
  tag_acronyms (s, text, tokens, n_tokens);
  if (ner->aliases)
    tag_country_names (ner, s, n_model, text, tokens, n_tokens);
  tag_bylines (s, text, tokens, n_tokens, sents, n_sents);
  if (ner->rules)
    tag_with_rules (s, text, len, tokens, n_tokens);
  if (ner->user)
    tag_with_gazetteer (ner, s, text, tokens, n_tokens);
  settle_overlaps (s, n_model, n_tokens);
  give_canonical_names (ner, s, text);
  guint n = s->mentions->len;
  g_array_set_size (s->linked, n);
  DpNerMention *m = (DpNerMention *) s->linked->data;
  for (guint i = 0; i < n; i++)
    m[i] = g_array_index (s->mentions, Mention, i).m;
  if (ner->link)
    dp_ner_link (text, tokens, m, n);
  dp_record_remove_layer (rec, "entities");   /* tagged again: replaced, not doubled */
  DpLayer *layer = dp_record_ensure_layer (rec, "entities");
  gboolean ok = TRUE;
  for (guint i = 0; i < n && ok; i++)
    {
      DpSpan *span = dp_layer_add_span (layer, m[i].start, m[i].end, m[i].label, error);
      if (!(ok = span != NULL))
        continue;
      /* The setters keep attributes compactly: a JsonObject per entity was
       * the largest part of the stage's memory on a big document. */
      if (ner->link)
        {
          dp_span_set_attr_string (span, "canonical", m[i].canonical);
          dp_span_set_attr_int (span, "cluster", m[i].cluster);
        }
      dp_span_set_attr_string (span, "source", source_names[g_array_index (s->mentions, Mention, i).source]);
    }
  dp_ner_mentions_clear (m, n);
  return ok;
}

