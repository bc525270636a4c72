/* html.c — an HTML page to the text a reader sees, with its title, <meta>
 * descriptions and language in the record's meta.
 *
 * libxml2's HTML parser builds the tree (it recovers from any tag soup, and
 * builds without recursion: XML_PARSE_HUGE lifts its nesting limit of 256
 * levels, which would drop the rest of a page, and its 10 MB limit on one text
 * node; max-record-size bounds the input); the tree is then walked without
 * recursion too.  What is left out: what a browser
 * does not show (script, style, template, hidden elements, the head) and
 * what is page chrome rather than content (navigation, forms, asides,
 * headers and footers outside an article, elements marked as adverts,
 * comments or share bars).  Block elements end paragraphs (a blank line),
 * list items and table rows end lines, <br> breaks a line, and whitespace
 * collapses as a browser collapses it (kept inside <pre>).
 */
#include "reader.h"

#include <libxml/HTMLparser.h>
#include <string.h>

/* Read once per run, before any worker parses: libxml2's global set-up. */
void
reader_html_init (void)
{
  xmlInitParser ();
}

/* ---- the declared charset ----------------------------------------------------- */

/* HTML says the declaration must come in the first 1024 bytes; pages are
 * lax about it, so a little more is looked at. */
#define DECLARATION_WINDOW 4096

static const char *
find_ci (const char *p, const char *end, const char *needle)
{
  gsize n = strlen (needle);
  for (; p + n <= end; p++)
    if (g_ascii_strncasecmp (p, needle, n) == 0)
      return p;
  return NULL;
}

/* charset=NAME inside one <meta …> tag [p, end). */
static char *
charset_in_tag (const char *p, const char *end)
{
  const char *c = p;
  for (;;)
    {
      if (!(c = find_ci (c, end, "charset")))
        return NULL;
      c += strlen ("charset");
      while (c < end && g_ascii_isspace (*c))
        c++;
      if (c < end && *c == '=')
        break;   /* not the word in some other attribute's text */
    }
  c++;
  while (c < end && (g_ascii_isspace (*c) || *c == '"' || *c == '\''))
    c++;
  const char *s = c;
  while (c < end && (g_ascii_isalnum (*c) || strchr ("-_.:", *c)))
    c++;
  return c > s ? g_strndup (s, c - s) : NULL;
}

char *
reader_html_declared_charset (const char *raw, gsize len)
{
  const char *end = raw + MIN (len, DECLARATION_WINDOW), *p = raw;
  while ((p = find_ci (p, end, "<meta")))
    {
      const char *close = memchr (p, '>', end - p);
      if (!close)
        return NULL;
      char *name = charset_in_tag (p, close);
      if (name)
        return name;
      p = close;
    }
  return NULL;
}

/* ---- meta ----------------------------------------------------------------------- */

/* <meta name|property=…> kept in the record's meta: descriptions of the
 * document, not the page's plumbing (viewport, robots, verification codes). */
static const char *const meta_names[] = {
  "description", "author", "keywords", "news_keywords", "date", "publisher", "copyright",
  "byline", "language", "subject", NULL
};
static const char *const meta_prefixes[] = { "og:", "article:", "dc.", "dcterms.", NULL };

static gboolean
meta_wanted (const char *key)
{
  if (g_strv_contains (meta_names, key))
    return TRUE;
  for (guint i = 0; meta_prefixes[i]; i++)
    if (g_str_has_prefix (key, meta_prefixes[i]))
      return TRUE;
  return FALSE;
}

/* A repeated key (article:tag) becomes an array of its values. */
static void
meta_add (JsonObject *meta, const char *key, const char *value)
{
  JsonNode *old = json_object_get_member (meta, key);
  if (!old)
    {
      json_object_set_string_member (meta, key, value);
      return;
    }
  if (JSON_NODE_HOLDS_ARRAY (old))
    {
      json_array_add_string_element (json_node_get_array (old), value);
      return;
    }
  JsonArray *a = json_array_new ();
  json_array_add_element (a, json_node_ref (old));
  json_array_add_string_element (a, value);
  json_object_set_array_member (meta, key, a);
}

/* An attribute's value (HTML attributes are one text node), or NULL. */
static const char *
attr (const xmlNode *node, const char *name)
{
  for (const xmlAttr *a = node->properties; a; a = a->next)
    if (g_ascii_strcasecmp ((const char *) a->name, name) == 0)
      return a->children && a->children->content ? (const char *) a->children->content : "";
  return NULL;
}

/* @s with its whitespace collapsed and trimmed (a new string). */
static char *
collapse (const char *s)
{
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;
  for (; *s; s++)
    if (g_ascii_isspace (*s))
      space = TRUE;
    else
      {
        if (space && out->len)
          g_string_append_c (out, ' ');
        space = FALSE;
        g_string_append_c (out, *s);
      }
  return g_string_free (out, FALSE);
}

static void
take_meta (const xmlNode *node, JsonObject *meta)
{
  const char *key = attr (node, "name");
  if (!key)
    key = attr (node, "property");
  const char *content = attr (node, "content");
  if (!key || !content)
    return;
  g_autofree char *lower = g_ascii_strdown (key, -1);
  g_autofree char *value = collapse (content);
  if (meta_wanted (lower) && *value)
    meta_add (meta, lower, value);
}

static void
take_title (xmlNode *node, JsonObject *meta)
{
  if (json_object_has_member (meta, "title"))
    return;
  xmlChar *content = xmlNodeGetContent (node);
  g_autofree char *title = collapse (content ? (const char *) content : "");
  xmlFree (content);
  if (*title)
    json_object_set_string_member (meta, "title", title);
}

/* ---- what is shown ---------------------------------------------------------------- */

/* Never shown, or not content. */
static const char *const skipped[] = {
  "script", "style", "noscript", "template", "svg", "math", "form", "iframe", "object", "embed",
  "canvas", "nav", "aside", "button", "select", "input", "textarea", "datalist", "audio", "video",
  "map", "link", "base", NULL
};
/* ARIA landmarks of page chrome. */
static const char *const chrome_roles[] = {
  "navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "dialog",
  "alert", NULL
};
/* class or id tokens of adverts, comment threads, share bars and banners. */
static const char *const chrome_tokens[] = {
  "ad", "ads", "advert", "advertisement", "sponsored", "promo", "comments", "comment-section",
  "share", "social-share", "cookie-banner", "cookie-notice", "newsletter-signup", NULL
};

static gboolean
chrome_token (const char *t, gsize n)
{
  g_autofree char *lower = g_ascii_strdown (t, (gssize) n);
  return g_strv_contains (chrome_tokens, lower) || g_str_has_prefix (lower, "ad-")
         || g_str_has_prefix (lower, "ads-");
}

static gboolean
chrome_class (const char *value)
{
  const char *p = value;
  while (*p)
    {
      while (*p && g_ascii_isspace (*p))
        p++;
      const char *s = p;
      while (*p && !g_ascii_isspace (*p))
        p++;
      if (p > s && chrome_token (s, p - s))
        return TRUE;
    }
  return FALSE;
}

/* Hidden by an attribute or an inline style. */
static gboolean
hidden (const xmlNode *node)
{
  const char *v;
  if (attr (node, "hidden"))
    return TRUE;
  if ((v = attr (node, "aria-hidden")) && g_ascii_strcasecmp (v, "true") == 0)
    return TRUE;
  if ((v = attr (node, "style")))
    {
      g_autofree char *s = collapse (v);
      g_autofree char *lower = g_ascii_strdown (s, -1);
      if (strstr (lower, "display:none") || strstr (lower, "display: none")
          || strstr (lower, "visibility:hidden") || strstr (lower, "visibility: hidden"))
        return TRUE;
    }
  return FALSE;
}

typedef struct {
  GString *out;
  int pending;         /* line breaks owed before the next text: 0, 1 or 2 */
  gboolean space;      /* a collapsed space owed before the next text */
  gboolean tab;        /* a table cell ended: a tab before the next text */
  int pre;             /* depth inside <pre>: whitespace kept */
  int article;         /* depth inside <article> or <main>: headers and footers are content */
  int head;            /* depth inside <head>: nothing shown */
  JsonObject *meta;
} Walk;

static gboolean
named (const xmlNode *node, const char *name)
{
  return g_ascii_strcasecmp ((const char *) node->name, name) == 0;
}

/* TRUE: the element and everything in it are left out. */
static gboolean
leave_out (const Walk *w, const xmlNode *node)
{
  const char *name = (const char *) node->name;
  if (g_strv_contains (skipped, name))
    return TRUE;
  if ((named (node, "header") || named (node, "footer")) && w->article == 0)
    return TRUE;
  if (named (node, "dialog") && !attr (node, "open"))
    return TRUE;
  const char *v;
  if ((v = attr (node, "role")) && g_strv_contains (chrome_roles, v))
    return TRUE;
  /* (Not on the page's frame: <body class="ads-enabled"> holds the page.) */
  gboolean frame = named (node, "html") || named (node, "body") || named (node, "main") || named (node, "article");
  if (!frame && (((v = attr (node, "class")) && chrome_class (v)) || ((v = attr (node, "id")) && chrome_token (v, strlen (v)))))
    return TRUE;
  return hidden (node);
}

static const char *const paragraph_blocks[] = {
  "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl",
  "blockquote", "pre", "table", "figure", "figcaption", "hr", "address", "body", "header", "footer",
  "fieldset", "center", "details", "summary", "caption", "legend", "hgroup", "menu", "dir", NULL
};
static const char *const line_blocks[] = { "li", "dt", "dd", "tr", NULL };

/* The break an element makes before and after itself: 0, 1 (a line) or 2 (a paragraph). */
static int
block_break (const xmlNode *node)
{
  const char *name = (const char *) node->name;
  if (g_strv_contains (paragraph_blocks, name))
    return 2;
  return g_strv_contains (line_blocks, name) ? 1 : 0;
}

/* What is owed before text: breaks, a tab or a space, never at the start. */
static void
flush (Walk *w)
{
  if (w->out->len > 0)
    {
      if (w->pending)
        g_string_append_len (w->out, "\n\n", w->pending);
      else if (w->tab)
        g_string_append_c (w->out, '\t');
      else if (w->space && w->out->str[w->out->len - 1] != '\n')
        g_string_append_c (w->out, ' ');
    }
  w->pending = 0;
  w->space = w->tab = FALSE;
}

static void
add_text (Walk *w, const char *s)
{
  if (w->head)
    return;
  if (w->pre)
    {
      if (*s)
        flush (w), g_string_append (w->out, s);
      return;
    }
  while (*s)
    {
      const char *start = s;
      while (*s && !g_ascii_isspace (*s))
        s++;
      if (s > start)
        {
          flush (w);
          g_string_append_len (w->out, start, s - start);
        }
      if (*s)
        w->space = TRUE;
      while (*s && g_ascii_isspace (*s))
        s++;
    }
}

static void
add_break (Walk *w, int n)
{
  w->pending = MIN (2, MAX (w->pending, n));
}

/* Entering an element; FALSE: its children are not visited. */
static gboolean
enter (Walk *w, xmlNode *node)
{
  if (named (node, "title"))
    return take_title (node, w->meta), FALSE;
  if (named (node, "meta"))
    return take_meta (node, w->meta), FALSE;
  const char *lang = named (node, "html") ? attr (node, "lang") : NULL;
  if (lang && *lang)
    json_object_set_string_member (w->meta, "lang", lang);
  if (leave_out (w, node))
    return FALSE;
  if (named (node, "br"))
    w->pending = MIN (2, w->pending + 1);
  w->head += named (node, "head");
  add_break (w, block_break (node));
  w->pre += named (node, "pre");
  w->article += named (node, "article") || named (node, "main");
  return TRUE;
}

static void
leave (Walk *w, xmlNode *node)
{
  add_break (w, block_break (node));
  w->pre -= named (node, "pre");
  w->article -= named (node, "article") || named (node, "main");
  w->head -= named (node, "head");
  if (named (node, "td") || named (node, "th"))
    w->tab = TRUE;
}

/* Depth first without recursion: the tree's parent links lead back up. */
static void
walk_tree (Walk *w, xmlNode *root)
{
  xmlNode *node = root;
  while (node)
    {
      gboolean entered = FALSE, descend = FALSE;
      if (node->type == XML_ELEMENT_NODE)
        descend = (entered = enter (w, node)) && node->children;
      else if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE)
        add_text (w, (const char *) node->content);
      if (descend)
        {
          node = node->children;
          continue;
        }
      /* An element entered without children to visit is left at once. */
      if (node->type == XML_ELEMENT_NODE && entered)
        leave (w, node);
      while (node && node != root && !node->next)
        {
          node = node->parent;
          if (node && node->type == XML_ELEMENT_NODE)
            leave (w, node);
        }
      node = node && node != root ? node->next : NULL;
    }
}

char *
reader_html_to_text (const char *html, gsize len, JsonObject *meta)
{
  Walk w = { .out = g_string_sized_new (len / 2 + 16), .meta = meta };
  int options = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET
                | HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT | XML_PARSE_HUGE;
  htmlDocPtr doc = len ? htmlReadMemory (html, (int) len, NULL, "UTF-8", options) : NULL;
  if (doc && xmlDocGetRootElement (doc))
    walk_tree (&w, xmlDocGetRootElement (doc));
  if (doc)
    xmlFreeDoc (doc);
  return g_string_free (w.out, FALSE);
}

gboolean
reader_decode_html (DpRecord *rec, const char *raw, gsize len, gpointer user_data, GError **error)
{
  g_autofree char *declared = reader_html_declared_charset (raw, len);
  g_autofree char *utf8 = NULL;
  gsize n, skip;
  guint bad;
  const char *used;
  if (!reader_to_utf8 (user_data, raw, len, declared, &utf8, &n, &skip, &bad, &used, error))
    return FALSE;
  if (!utf8)
    n = len - skip;
  if (n > G_MAXINT)
    {
      g_set_error (error, DP_RECORD_ERROR, DP_RECORD_ERROR_TOO_LARGE, "page of %" G_GSIZE_FORMAT " bytes is too large for the HTML parser", n);
      return FALSE;
    }
  JsonObject *meta = dp_record_get_meta (rec);
  g_autofree char *text = reader_html_to_text (utf8 ? utf8 : raw + skip, n, meta);
  if (!dp_record_set_text (rec, text, -1, error))
    return FALSE;
  reader_note_decoding (rec, bad, used);
  return TRUE;
}
