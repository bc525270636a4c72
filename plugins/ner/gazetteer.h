/* gazetteer.h — name lists the NER features consult (countries, cities, first
 * names …), matched on token sequences of up to DP_GAZ_MAX_WORDS words. */
#pragma once

#include <glib.h>

#define DP_GAZ_MAX_WORDS 4

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

/* Bit set of the lists that contain the phrase of @n words (exact case, and
 * case-folded for lists where case does not matter). */
guint32 dp_gazetteer_lookup (const DpGazetteer *gaz, const char *const *words, const gsize *lens, guint n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DpGazetteer, dp_gazetteer_free)
