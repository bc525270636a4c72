/* clusters.h — word clusters for the NER features: each word of a fixed
 * vocabulary maps to a bit string, its path in a binary tree of clusters
 * (Brown clusters built by tools/word-clusters; prefixes of the path are
 * coarser clusters).
 *
 * File format (plugins/ner/data/clusters.txt): UTF-8 lines `bits<TAB>word`,
 * bits made of '0' and '1'; further tab-separated columns are ignored; lines
 * starting with '#' are comments, blank lines are skipped.  A word may appear
 * once.  Lines come most frequent word first: where several spellings fold to
 * the same lower-case form, the first one answers case-folded lookups.
 */
#pragma once

#include <glib.h>

typedef struct _DpClusters DpClusters;

/* Loads a cluster file; errors name the file and line. */
DpClusters *dp_clusters_load (const char *path, GError **error);
void        dp_clusters_free (DpClusters *clusters);
guint       dp_clusters_n_words (const DpClusters *clusters);

/* The bit string of @len bytes of @word (not NUL-terminated), or NULL: the
 * exact spelling first, then its ASCII lower-cased form.  *@path_len gets the
 * string's length.  Thread-safe: a loaded table is never modified. */
const char *dp_clusters_lookup (const DpClusters *clusters, const char *word, gsize len, gsize *path_len);
/* The same, and the spelling found (@word's own, or its most frequent
 * spelling in another case when only that is listed): how news writes it. */
const char *dp_clusters_lookup_spelling (const DpClusters *clusters, const char *word, gsize len, gsize *path_len,
                                         const char **spelling, gsize *spelling_len);

/* Brings what looking up the exact spellings of these @n words reads into
 * the cache, for all of them at once (a lookup's reads depend on each
 * other; many lookups' do not): then dp_clusters_lookup() of each finds
 * them there.  Only a hint: it changes no result. */
void        dp_clusters_warm (const DpClusters *clusters, const char *const *words, const gsize *lens, guint n);

/* Is this exact spelling one of the words (no case folding)? */
gboolean    dp_clusters_has_spelling (const DpClusters *clusters, const char *word, gsize len);

/* A number that changes when the clusters change (models record theirs). */
guint64 dp_clusters_fingerprint (const DpClusters *clusters);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpClusters, dp_clusters_free)
