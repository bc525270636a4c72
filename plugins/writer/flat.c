/* flat.c — entities and claims as flat rows (see flat.h). */
#include "flat.h"

#include <stdio.h>
#include <string.h>

static WrSlice
slice (DpRecord *rec, gsize start, gsize end)
{
  gsize len;
  const char *text = dp_record_get_text (rec, &len);
  if (start > end || end > len)
    return (WrSlice) { NULL, 0 };
  return (WrSlice) { text + start, end - start };
}

static const char *
attr_string (JsonObject *o, const char *name)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
         ? json_node_get_string (n) : NULL;
}

static JsonObject *
attr_object (JsonObject *o, const char *name)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  return n && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static gboolean
attr_int (JsonObject *o, const char *name, gint64 *value)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  if (!n || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (n);
  return TRUE;
}

/* A nested span's text; its offsets are bytes in memory. */
static WrSlice
nested (DpRecord *rec, JsonObject *span)
{
  gint64 start, end;
  if (!span || !attr_int (span, "start", &start) || !attr_int (span, "end", &end) || start < 0 || end < 0)
    return (WrSlice) { NULL, 0 };
  return slice (rec, (gsize) start, (gsize) end);
}

void
wr_entity_init (WrEntity *e, DpRecord *rec, DpSpan *span)
{
  JsonObject *attrs = dp_span_peek_attrs (span);
  *e = (WrEntity) {
    .id = dp_span_dup_id (span),
    .start = (gint64) dp_record_byte_to_char (rec, dp_span_get_start (span)),
    .end = (gint64) dp_record_byte_to_char (rec, dp_span_get_end (span)),
    .label = dp_span_get_label (span),
    .text = slice (rec, dp_span_get_start (span), dp_span_get_end (span)),
    .canonical = attr_string (attrs, "canonical"),
  };
  e->has_cluster = attr_int (attrs, "cluster", &e->cluster);
}

void
wr_claim_init (WrClaim *c, DpRecord *rec, DpSpan *span)
{
  JsonObject *attrs = dp_span_peek_attrs (span);
  JsonObject *speaker = attr_object (attrs, "speaker");
  JsonNode *hedges = attrs ? json_object_get_member (attrs, "hedges") : NULL;
  *c = (WrClaim) {
    .id = dp_span_dup_id (span),
    .start = (gint64) dp_record_byte_to_char (rec, dp_span_get_start (span)),
    .end = (gint64) dp_record_byte_to_char (rec, dp_span_get_end (span)),
    .content = slice (rec, dp_span_get_start (span), dp_span_get_end (span)),
    .cue = nested (rec, attr_object (attrs, "cue")),
    .speaker = nested (rec, speaker),
    .speaker_entity = attr_string (speaker, "entity"),
    .speaker_canonical = attr_string (speaker, "canonical"),
    .kind = attr_string (attrs, "kind"),
    .act = attr_string (attrs, "act"),
    .hedges = hedges && JSON_NODE_HOLDS_ARRAY (hedges) ? json_node_get_array (hedges) : NULL,
  };
}

void
wr_entity_clear (WrEntity *e)
{
  g_clear_pointer (&e->id, g_free);
}

void
wr_claim_clear (WrClaim *c)
{
  g_clear_pointer (&c->id, g_free);
}

static WrSlice
hedge (DpRecord *rec, JsonArray *hedges, guint i)
{
  JsonNode *n = json_array_get_element (hedges, i);
  return nested (rec, JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL);
}

void
wr_hedges_join (DpRecord *rec, JsonArray *hedges, GString *out)
{
  guint n = hedges ? json_array_get_length (hedges) : 0;
  for (guint i = 0; i < n; i++)
    {
      WrSlice s = hedge (rec, hedges, i);
      if (out->len)
        g_string_append (out, "; ");
      if (s.ptr)
        g_string_append_len (out, s.ptr, (gssize) s.len);
    }
}

void
wr_hedges_json (DpRecord *rec, JsonArray *hedges, GString *out)
{
  guint n = hedges ? json_array_get_length (hedges) : 0;
  g_string_append_c (out, '[');
  for (guint i = 0; i < n; i++)
    {
      WrSlice s = hedge (rec, hedges, i);
      if (i)
        g_string_append_c (out, ',');
      dp_json_append_string (out, s.ptr ? s.ptr : "", s.ptr ? (gssize) s.len : 0);
    }
  g_string_append_c (out, ']');
}

void
wr_meta_value (JsonNode *node, GString *out)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_string_append (out, json_node_get_string (node));
      return;
    }
  g_autofree char *json = json_to_string (node, FALSE);
  g_string_append (out, json);
}

static const char *const months[] = {
  "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
};

/* "26-FEB-1987" (the Reuters corpus's form), any case. */
static gboolean
parse_dmy (const char *s, GDateDay *d, GDateMonth *m, GDateYear *y)
{
  char mon[4] = { 0 };
  unsigned day, year;
  int used = 0;
  if (sscanf (s, "%2u-%3[A-Za-z]-%4u%n", &day, mon, &year, &used) != 3 || used < 10)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (months); i++)
    if (g_ascii_strcasecmp (mon, months[i]) == 0)
      {
        *d = (GDateDay) day, *m = (GDateMonth) (i + 1), *y = (GDateYear) year;
        return TRUE;
      }
  return FALSE;
}

gboolean
wr_parse_date (const char *value, char out[11])
{
  unsigned y, m, d;
  int used = 0;
  GDateDay day = 0;
  GDateMonth month = 0;
  GDateYear year = 0;
  if (!value)
    return FALSE;
  while (g_ascii_isspace (*value))
    value++;
  if (sscanf (value, "%4u-%2u-%2u%n", &y, &m, &d, &used) == 3 && used == 10)
    day = (GDateDay) d, month = (GDateMonth) m, year = (GDateYear) y;
  else if (!parse_dmy (value, &day, &month, &year))
    {
      /* Only with a month's name: in digits alone, 12/04/2005 is April or
       * December depending on where it was written. */
      gboolean named = FALSE;
      for (const char *p = value; *p && !named; p++)
        named = g_ascii_isalpha (*p);
      if (!named)
        return FALSE;
      g_autoptr (GDate) date = g_date_new ();
      g_date_set_parse (date, value);
      if (!g_date_valid (date))
        return FALSE;
      day = g_date_get_day (date), month = g_date_get_month (date), year = g_date_get_year (date);
    }
  if (!g_date_valid_dmy (day, month, year))
    return FALSE;
  g_snprintf (out, 11, "%04u-%02u-%02u", (unsigned) year, (unsigned) month, (unsigned) day);
  return TRUE;
}
