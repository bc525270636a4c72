/* shard.c — splitting a batch of documents over N separate runs.
 *
 * A document's shard depends on its id alone, through a hash every other tool
 * can compute (SHA-256, not g_str_hash, whose values GLib may change and which
 * no other language has), so N runs that each take one shard process every
 * document exactly once, whatever machine each runs on, and a list of ids
 * can be split the same way outside docpipe.
 */
#include "shard.h"
#include "core.h"

#include <string.h>

static gboolean
shard_error (const char *text, GError **error, const char *why)
{
  g_set_error (error, DP_CONFIG_ERROR, DP_CONFIG_ERROR_VALUE,
               "'%s': %s (expected K/N with 0 <= K < N <= %d, e.g. 0/4 … 3/4)", text, why,
               DP_SHARD_MAX);
  return FALSE;
}

gboolean
dp_shard_parse (const char *text, guint *k, guint *n, GError **error)
{
  const char *slash = strchr (text, '/');
  if (!slash)
    return shard_error (text, error, "no '/'");
  g_autofree char *k_text = g_strndup (text, slash - text);
  guint64 kv, nv;
  if (!g_ascii_string_to_unsigned (k_text, 10, 0, G_MAXUINT32, &kv, NULL))
    return shard_error (text, error, "K is not a number");
  if (!g_ascii_string_to_unsigned (slash + 1, 10, 0, G_MAXUINT32, &nv, NULL))
    return shard_error (text, error, "N is not a number");
  if (nv < 1 || nv > DP_SHARD_MAX)
    return shard_error (text, error, "N is out of range");
  if (kv >= nv)
    return shard_error (text, error, "K must be below N: shards count from 0");
  if (k)
    *k = (guint) kv;
  if (n)
    *n = (guint) nv;
  return TRUE;
}

guint
dp_shard_of (const char *id, guint n)
{
  guint8 digest[32];
  gsize len = sizeof digest;
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, (const guchar *) id, strlen (id));
  g_checksum_get_digest (sum, digest, &len);
  guint64 v = 0;
  for (guint i = 0; i < 8; i++)
    v = (v << 8) | digest[i];
  return (guint) (v % n);
}
