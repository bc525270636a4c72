/* gazetteer.h — name lists the NER features consult (countries, cities, first
 * names …), matched on token sequences of up to DP_GAZ_MAX_WORDS words. */
#pragma once

#include <glib.h>

#define DP_GAZ_MAX_WORDS 4
#define DP_GAZ_MAX_WORD_BYTES 63   /* longer words are hashed on their first 63 bytes */

typedef enum {
  DP_GAZ_COUNTRY, DP_GAZ_DEMONYM, DP_GAZ_CAPITAL, DP_GAZ_CITY, DP_GAZ_SUBDIVISION,
  DP_GAZ_FIRST_NAME, DP_GAZ_SURNAME, DP_GAZ_ORG_WORD, DP_GAZ_TITLE, DP_GAZ_CURRENCY,
  DP_GAZ_N_LISTS
} DpGazList;

typedef struct _DpGazetteer DpGazetteer;

/* Loads every list found in @dir (countries.txt, cities.txt …); missing lists are empty. */
DpGazetteer *dp_gazetteer_load (const char *dir, GError **error);
void         dp_gazetteer_free (DpGazetteer *gaz);
const char  *dp_gaz_list_name (DpGazList list);

/* Bit set of the lists that contain the phrase of @n words, compared
 * ignoring ASCII case. */
guint32 dp_gazetteer_lookup (const DpGazetteer *gaz, const char *const *words, const gsize *lens, guint n);

/* The same by hashes: a phrase's hash is its first word's hash, extended by
 * each following word's.  @longer (may be NULL) tells whether some longer
 * entry starts with this phrase. */
guint64 dp_gaz_word_hash (const char *word, gsize len);
/* The same for a word already in lower case (ASCII, as dp_name_lower()). */
guint64 dp_gaz_lower_hash (const char *lower, gsize len);
guint64 dp_gaz_phrase_extend (guint64 phrase, guint64 word);
guint32 dp_gazetteer_lookup_hash (const DpGazetteer *gaz, guint64 phrase, gboolean *longer);

/* A number that changes when any list changes: models record the one they
 * were trained with, and the stage checks it. */
guint64 dp_gazetteer_fingerprint (const DpGazetteer *gaz);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpGazetteer, dp_gazetteer_free)
