#!/usr/bin/env python3
"""Build the gazetteer lists shipped with the NER stage (plugins/ner/data/gazetteers/).

What it builds (UTF-8 text, one entry per line, byte-order sorted, deduplicated,
each file starting with one "# source: ...; licence: ...; built by ..." line):

  countries.txt      country names: common, official and alternative spellings
                     (mledoze/countries, ODbL), ISO 3166-1 names / official /
                     common names and ISO 3166-3 former country names (Debian
                     iso-codes, LGPL-2.1+), plus a few hand-written short forms
                     ("U.S.", "U.K.", "U.S.A.", "Britain")            -> ODbL
  demonyms.txt       English demonyms / nationality adjectives (mledoze, ODbL)
                     plus regular plurals derived from them          -> ODbL
  capitals.txt       capitals (mledoze, ODbL) + ASCII-folded forms    -> ODbL
  subdivisions.txt   ISO 3166-2 subdivision names (iso-codes, LGPL-2.1+),
                     bracketed/inverted forms split, ASCII-folded forms added
  cities.txt         cities with population >= 15,000 from GeoNames (CC BY 4.0)
                     via Debian geonames (cities.tsv, en_names_by_geonameid.tsv)
                     and datahub world-cities (world-cities.csv); local, English
                     and ASCII-folded names; names shorter than 3 characters dropped
  currencies.txt     ISO 4217 currency names and codes (iso-codes, LGPL-2.1+)
  first-names.txt    1990 US Census first names, male + female, freq >= 0.001 %
                     (US government work, public domain), Title Case
  surnames.txt       1990 US Census surnames (the source copy holds the top
                     1,000 by rank), Title Case with Mc/Mac/O' handling
  org-words.txt      hand-written for docpipe (MIT, like the project)
  person-titles.txt  hand-written for docpipe (MIT, like the project)

and, beside the gazetteers directory (plugins/ner/data/aliases.tsv), the alias
table the ner stage uses to give canonical names to the countries its model
finds (see build_aliases):

  aliases.tsv        "LOC<TAB>name<TAB>common English name" for every name of a
                     country: mledoze name.common, name.official, altSpellings,
                     ISO 3166-1 name / official / common names (uninverted),
                     and the hand-written short forms           -> ODbL

Sources are read from the shared data directory (../shared/data/gazetteers from
the project root); no corpus text is read. Standard library only.

Rerun from the project root:

    python3 tools/build-gazetteers.py ../shared/data/gazetteers plugins/ner/data/gazetteers

(an optional third argument names the alias table; by default it is
aliases.tsv in the parent of OUT_DIR).  See docs/gazetteers.md for
provenance, licences and obligations.
"""

import csv
import json
import os
import re
import sys
import unicodedata

TOOL = "built by tools/build-gazetteers.py"

CITY_MIN_POPULATION = 15000
CITY_MIN_LEN = 3
FIRST_NAME_MIN_FREQ = 0.001  # percent
SURNAME_MAX_RANK = 20000

# ---------------------------------------------------------------------------
# helpers


def clean(s):
    """Normalise whitespace and Unicode composition; return '' for empty."""
    if s is None:
        return ""
    s = unicodedata.normalize("NFC", str(s))
    s = re.sub(r"\s+", " ", s).strip()
    return s


_FOLD_MAP = {
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d",
    "Ð": "D", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
    "þ": "th", "Þ": "Th", "ı": "i", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T",
    "ŀ": "l", "Ŀ": "L", "ĸ": "k", "ŋ": "ng", "Ŋ": "Ng",
    "ʼ": "'", "ʻ": "'", "’": "'", "‘": "'", "ʿ": "'", "ʾ": "'", "`": "'",
    "´": "'", "–": "-", "—": "-", "‐": "-", "‑": "-",
}


def ascii_fold(s):
    """ASCII transliteration by stripping diacritics; None if not possible."""
    s = "".join(_FOLD_MAP.get(ch, ch) for ch in s)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = clean(s)
    try:
        s.encode("ascii")
    except UnicodeEncodeError:
        return None
    return s


def with_folds(names):
    out = set()
    for n in names:
        out.add(n)
        f = ascii_fold(n)
        if f and f != n:
            out.add(f)
    return out


def write_list(path, header, entries):
    entries = {clean(e) for e in entries}
    entries.discard("")
    entries = {e for e in entries if not e.startswith("#")}
    lines = sorted(entries, key=lambda e: e.encode("utf-8"))
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("# " + header + "; " + TOOL + "\n")
        for e in lines:
            f.write(e + "\n")
    return len(lines)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


# ---------------------------------------------------------------------------
# countries, demonyms, capitals (mledoze ODbL + iso-codes LGPL)

# Short forms news uses that the sources do not spell out; written by us.
COUNTRY_SHORT_FORMS_HANDWRITTEN = ["U.S.", "U.S.A.", "U.K.", "Britain"]

# ISO alpha-2 codes appear in mledoze altSpellings ("IR", "KP", "IN", "IT"...);
# they are dropped as country names except these, which news uses as names.
KEEP_ALPHA2 = {"US", "UK"}
# Alternative spellings in the sources that are fragments or ordinary words.
COUNTRY_ALT_DROP = {"Island", "Prathet", "Mann", "Zhonghua", "the Abode of Peace",
                    "Mexicanos", "Portuguesa"}


# Parenthesised/bracketed notes in ISO names that are not names themselves.
_NOT_A_NAME = re.compile(r"^(R[ée]gion( [IVX]+(-[AB])?)?|city|stolitsa|française"
                         r"|Arctic Region|.*part(ial)?|EH|Socialist|Keeling"
                         r"|[A-Z]{2}-[0-9]+)$")
_ISO_CODE_SUFFIX = re.compile(r"\s+[A-Z]{2}-[A-Z0-9]{1,3}$")


def uninvert(name):
    """Turn an ISO-style name into the forms running text uses.

    'Korea, Republic of'          -> 'Korea', 'Republic of Korea'
    'Tatarstan, Respublika'       -> 'Tatarstan', 'Respublika Tatarstan'
    'Barcelona [Barcelona]'       -> 'Barcelona'
    'Swansea [Abertawe GB-ATA]'   -> 'Swansea', 'Abertawe'
    'Distrito Nacional (Santo Domingo)' -> 'Distrito Nacional', 'Santo Domingo'
    'Bournemouth, Christchurch and Poole' is a list: kept whole.
    """
    name = clean(name)
    out = []
    for pattern in (r"\[([^\]]*)\]", r"\(([^)]*)\)"):
        for inner in re.findall(pattern, name):
            inner = clean(_ISO_CODE_SUFFIX.sub("", inner))
            if inner[:1].isupper() and not _NOT_A_NAME.match(inner):
                out.extend(uninvert(inner))
        name = clean(re.sub(pattern, " ", name))
    if ", " in name and not re.search(r"\b(and|y|et|und)\b", name):
        head, tail = name.split(", ", 1)
        if head[:1].isupper():
            out.append(head)
        if "," not in tail and (re.search(r"\b(of|de|del|din|the)$", tail)
                                or " " not in tail or not head[:1].isupper()):
            out.append(clean(tail + " " + head))
    elif name:
        out.append(name)
    return [o for o in out if o]


def build_countries(src):
    mledoze = load_json(os.path.join(src, "mledoze_countries", "countries.json"))
    iso1 = load_json(os.path.join(src, "iso_codes", "iso_3166-1.json"))["3166-1"]
    iso3 = load_json(os.path.join(src, "iso_codes", "iso_3166-3.json"))["3166-3"]

    alpha2 = {c["cca2"] for c in mledoze} | {c["alpha_2"] for c in iso1}
    names = set()
    for c in mledoze:
        names.add(c["name"]["common"])
        names.add(c["name"]["official"])
        for alt in c.get("altSpellings", []):
            alt = clean(alt)
            if alt in alpha2 and alt not in KEEP_ALPHA2:
                continue
            names.add(alt)
    for c in iso1:
        for key in ("name", "official_name", "common_name"):
            if c.get(key):
                names.add(c[key])
                names.update(uninvert(c[key]))
    for c in iso3:
        # former countries: 'USSR, Union of Soviet Socialist Republics' -> 'USSR'
        n = clean(c["name"])
        names.update(uninvert(n) if "," not in n else [clean(n.split(",", 1)[0])])
    # altSpellings that are demonyms ("Thai", "Togolese") or fragments
    official = {c["name"]["common"] for c in mledoze}
    names -= (build_demonyms(src) | COUNTRY_ALT_DROP) - official
    names.update(COUNTRY_SHORT_FORMS_HANDWRITTEN)
    return names


DEMONYM_PLURAL_EXCEPTIONS = {"Vatican", "Djibouti", "Gibraltar", "Greenlandic",
                             "Ålandish", "Antarctican", "Kirghiz", "Manx",
                             "Malagasy", "Swiss", "I-Kiribati", "Ni-Vanuatu",
                             "Mosotho", "Motswana", "Sammarinese"}


def demonym_plural(d):
    """Regular English plural of a demonym noun ('Iranian' -> 'Iranians'),
    or None where the noun is not formed that way ('French', 'Chinese')."""
    if d in DEMONYM_PLURAL_EXCEPTIONS:
        return None
    last = d.split()[-1]
    if re.search(r"(ese|ish|ss|tch|nch|sh)$", last):
        return None
    if re.search(r"(an|i|er|ot|ar|ek|ech|ak|ene|ino|in|en|ean)$", last):
        return d + "s"
    return None


def build_demonyms(src):
    mledoze = load_json(os.path.join(src, "mledoze_countries", "countries.json"))
    out = set()
    for c in mledoze:
        eng = c.get("demonyms", {}).get("eng", {})
        for g in ("f", "m"):
            v = clean(eng.get(g))
            if not v:
                continue
            for part in re.split(r",\s*|\s+or\s+", v):
                part = clean(part)
                if not part:
                    continue
                out.add(part)
                p = demonym_plural(part)
                if p:
                    out.add(p)
    return out


def build_capitals(src):
    mledoze = load_json(os.path.join(src, "mledoze_countries", "countries.json"))
    caps = {clean(cap) for c in mledoze for cap in c.get("capital", [])}
    return with_folds(caps)


# ---------------------------------------------------------------------------
# aliases.tsv: country name -> common English name (mledoze ODbL + iso-codes LGPL)

# What the hand-written short forms above stand for (mledoze name.common).
COUNTRY_SHORT_FORM_TARGETS = {"U.S.": "United States", "U.S.A.": "United States",
                              "U.K.": "United Kingdom", "Britain": "United Kingdom"}
ALIAS_LABEL = "LOC"


def alias_forms(name):
    """The forms of one source name an alias is made for: as given, and for
    inverted or bracketed ISO-style names the forms running text uses."""
    name = clean(name)
    if "," in name or "(" in name or "[" in name:
        return uninvert(name)
    return [name] if name else []


def build_aliases(src):
    """(name, canonical) pairs: every name of a current country -> its
    mledoze name.common ("DPRK" -> "North Korea").

    Skipped, so that a name the stage looks up never gets a wrong country:
      - bare ISO alpha-2 codes ("IN", "IT", "NO", "IR") except KEEP_ALPHA2
        ("US", "UK"); the stage matches single words in exact case, so "US"
        never stands for "us";
      - demonyms among the alt spellings ("Thai") and COUNTRY_ALT_DROP;
      - names starting with a lower-case letter: transliterations and
        descriptions ("al-Jumhuriyyah ...", "the Abode of Peace");
      - names that would stand for two countries ("Korea", "Virgin Islands"),
        except that a country's own common name always maps to itself
        ("Congo" -> "Congo", not "DR Congo");
      - ISO 3166-3 former countries: "USSR" is not another name of Russia.
    Each common name also maps to itself, so the table lists every name it
    can canonicalise and case variants of multi-word names resolve too."""
    mledoze = load_json(os.path.join(src, "mledoze_countries", "countries.json"))
    iso1 = load_json(os.path.join(src, "iso_codes", "iso_3166-1.json"))["3166-1"]
    alpha2 = {c["cca2"] for c in mledoze} | {c["alpha_2"] for c in iso1}
    common = {c["cca2"]: clean(c["name"]["common"]) for c in mledoze}
    commons = set(common.values())
    drop = (build_demonyms(src) | COUNTRY_ALT_DROP) - commons

    targets = {}  # name -> set of canonical names

    def add(name, canonical):
        if not name or name in drop or name[:1].islower():
            return
        if name in alpha2 and name not in KEEP_ALPHA2:
            return
        targets.setdefault(name, set()).add(canonical)

    for c in mledoze:
        canonical = common[c["cca2"]]
        for n in [c["name"]["common"], c["name"]["official"]] + c.get("altSpellings", []):
            for f in alias_forms(n):
                add(f, canonical)
    for c in iso1:
        canonical = common.get(c["alpha_2"])
        if canonical is None:
            continue
        for key in ("name", "official_name", "common_name"):
            for f in alias_forms(c.get(key)):
                add(f, canonical)
    assert set(COUNTRY_SHORT_FORM_TARGETS) == set(COUNTRY_SHORT_FORMS_HANDWRITTEN)
    for n, canonical in COUNTRY_SHORT_FORM_TARGETS.items():
        assert canonical in commons, canonical
        add(n, canonical)

    pairs = set()
    for name, cans in targets.items():
        if name in commons:
            pairs.add((name, name))
        elif len(cans) == 1:
            pairs.add((name, next(iter(cans))))
    return pairs


def write_aliases(path, header, pairs):
    lines = sorted(pairs, key=lambda p: (p[0].encode("utf-8"), p[1].encode("utf-8")))
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("# " + header + "; " + TOOL + "\n")
        f.write("# label<TAB>name<TAB>canonical: the ner stage gives the canonical name "
                "to entities its model finds under one of these names\n")
        for name, canonical in lines:
            assert "\t" not in name and "\t" not in canonical
            f.write(ALIAS_LABEL + "\t" + name + "\t" + canonical + "\n")
    return len(lines)


# ---------------------------------------------------------------------------
# subdivisions, currencies (iso-codes LGPL)


def build_subdivisions(src):
    iso2 = load_json(os.path.join(src, "iso_codes", "iso_3166-2.json"))["3166-2"]
    names = set()
    for e in iso2:
        for n in uninvert(e["name"]):
            # lower-case leads are descriptions ("nohiyahoi tobei jumhurí")
            if len(n) < 2 or n[:1].islower():
                continue
            names.add(n)
            # "‘Ajmān" (leading ayn) -> also "Ajmān"
            bare = n.lstrip("‘’ʻʼʿʾ'`")
            if bare != n and len(bare) >= 2:
                names.add(bare)
    return with_folds(names)


def build_currencies(src):
    iso = load_json(os.path.join(src, "iso_codes", "iso_4217.json"))["4217"]
    out = set()
    for e in iso:
        name = clean(e["name"])
        if name.startswith(("Codes specifically", "The codes assigned")):
            out.add(e["alpha_3"])
            continue
        out.add(name)
        # "Mexican Unidad de Inversion (UDI)" -> also "Mexican Unidad de Inversion"
        short = clean(re.sub(r"\s*\([^)]*\)", "", name))
        if short:
            out.add(short)
        out.add(e["alpha_3"])
    return out


# ---------------------------------------------------------------------------
# cities (GeoNames, CC BY 4.0)


def build_cities(src):
    names = set()
    tsv = read_tsv(os.path.join(src, "geonames_debian", "cities.tsv"))
    for r in tsv:
        try:
            pop = int(r["population"])
        except (TypeError, ValueError):
            continue
        if pop >= CITY_MIN_POPULATION:
            names.add(clean(r["name"]))

    # world-cities.csv lists only cities above 15,000 inhabitants (its README)
    ids = set()
    with open(os.path.join(src, "world_cities", "world-cities.csv"),
              encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            names.add(clean(r["name"]))
            ids.add(r["geonameid"])
    # English names for the same GeoNames ids
    for r in read_tsv(os.path.join(src, "geonames_debian",
                                   "en_names_by_geonameid.tsv")):
        if r["geonameid"] in ids:
            names.add(clean(r["english_name"]))

    names = with_folds(names)
    return {n for n in names if len(n) >= CITY_MIN_LEN}


# ---------------------------------------------------------------------------
# person names (US Census 1990, public domain)

# Irish O' surnames the census writes without the apostrophe (OBRIEN).
O_STEMS = {"BRIEN", "BRYAN", "CONNOR", "CONNELL", "DONNELL", "NEAL", "NEIL",
           "NEILL", "HARA", "ROURKE", "KEEFE", "SULLIVAN", "LEARY", "MALLEY",
           "REILLY", "DELL", "DOWD", "SHEA", "HALLORAN", "GRADY", "DONOGHUE",
           "MEARA", "QUINN", "TOOLE", "BOYLE", "DAY", "FARRELL", "GORMAN",
           "KANE", "LOUGHLIN", "MAHONY", "CALLAGHAN", "DONOVAN", "HAGAN"}
# Scottish/Irish Mac- surnames (MACK, MACON, MACIAS are not Mac + stem).
MAC_STEMS = {"DONALD", "KENZIE", "LEOD", "INTOSH", "KAY", "LEAN", "MILLAN",
             "GREGOR", "PHERSON", "ARTHUR", "DOUGALL", "FARLANE", "INNES",
             "KINNON", "LACHLAN", "NEIL", "NEILL", "QUEEN", "RAE", "ALLISTER",
             "AULAY", "CALLUM", "DOWELL", "EWEN", "GILL", "INTYRE", "IVER",
             "KENNA", "LAREN", "MAHON", "NAMARA", "PHAIL", "CARTHY", "DUFF"}
# Compound surnames the census writes closed up.
SPACED = {"DELEON": ["De Leon", "DeLeon"], "DELACRUZ": ["De la Cruz", "De La Cruz"],
          "DEJESUS": ["De Jesus", "DeJesus"], "DELOSSANTOS": ["De los Santos"],
          "VANDYKE": ["Van Dyke", "VanDyke"], "STJOHN": ["St. John", "St John"]}


def title(s):
    # "MARY" -> "Mary", "JO ANN" -> "Jo Ann", "SMITH-JONES" -> "Smith-Jones"
    return re.sub(r"[A-Za-z]+", lambda m: m.group(0).capitalize(), s.lower())


def surname_forms(raw):
    raw = raw.upper()
    out = []
    if raw in SPACED:
        out.extend(SPACED[raw])
        out.append(title(raw))
        return out
    if raw.startswith("MC") and len(raw) > 3:
        out.append("Mc" + title(raw[2:]))
        return out
    if raw.startswith("MAC") and raw[3:] in MAC_STEMS:
        out.append("Mac" + title(raw[3:]))
        out.append(title(raw))  # "Macdonald" is common too
        return out
    if raw.startswith("O") and raw[1:] in O_STEMS:
        out.append("O'" + title(raw[1:]))
        return out
    return [title(raw)]


def build_first_names(src):
    out = set()
    for fn in ("male_first.tsv", "female_first.tsv"):
        for r in read_tsv(os.path.join(src, "us_census_1990_names", fn)):
            if float(r["freq_percent"]) >= FIRST_NAME_MIN_FREQ:
                out.add(title(clean(r["name"])))
    return out


def build_surnames(src):
    out = set()
    for r in read_tsv(os.path.join(src, "us_census_1990_names", "surnames.tsv")):
        if int(r["rank"]) <= SURNAME_MAX_RANK:
            out.update(surname_forms(clean(r["name"])))
    return out


# ---------------------------------------------------------------------------
# hand-written lists (authored for docpipe, MIT like the project)

ORG_WORDS = """
Academy Agency Air Airlines Airways Alliance Army Assembly Associates Association
Authority Bank Bancorp Board Brigade Brigades Bureau Cabinet Centre Center
Chamber Church Club Co. Coalition College Command Commission Committee Company
Conference Congress Consortium Corp. Corporation Council Court Directorate
Department Division Enterprises Exchange Federation Force Forces Foundation
Front Fund Group Guard Holdings Hospital Inc. Industries Institute
Institution International Journal League Limited Ltd. Media Ministry Mission
Movement Network News Office Organisation Organization Partners Party
Parliament PLC plc Police Press Programme Program Railways Regiment Reserve
Secretariat Senate Service Services Society Studios Syndicate Systems
Technologies Telecom Tribunal Trust Union University Agency
LLC Ltd Inc Corp Co AG GmbH S.A. SA N.V. NV
Broadcasting Council Cooperative Co-operative Guards Insurance Laboratories
Motors Petroleum Pharmaceuticals Pictures Publishing Times Post Herald
Agency Airline Assembly Bloc Brotherhood Caucus Commonwealth Directorate
Embassy Consulate Mission Parliament Politburo Presidium Revolutionary
"""

ORG_PHRASES = [
    "Armed Forces", "Central Bank", "Central Committee", "Foreign Ministry",
    "General Assembly", "Security Council", "Supreme Court", "National Assembly",
    "Revolutionary Guards", "Revolutionary Guard Corps", "News Agency",
    "Defence Ministry", "Defense Ministry", "Defense Department", "State Department",
    "High Court", "Court of Appeals", "Stock Exchange", "Football Club",
    "United Nations", "European Union", "Security Service", "Intelligence Agency",
]

PERSON_TITLES = """
President Vice-President Prime Minister Deputy Prime Minister Minister
Foreign Minister Defence Minister Defense Minister Interior Minister
Finance Minister Deputy Foreign Minister Secretary of State Secretary
Secretary-General Secretary General Under Secretary Undersecretary
Speaker Chairman Chairwoman Chairperson Chair Chancellor Vice Chancellor
Ambassador Envoy Special Envoy Consul Governor Mayor Senator Congressman
Congresswoman Representative Lawmaker MP Premier Vice Premier Chief Executive
CEO Director Director-General Director General Commissioner Spokesman
Spokeswoman Spokesperson spokesman spokeswoman spokesperson
King Queen Prince Princess Crown Prince Emperor Empress Sultan Emir Amir Sheikh
Sheik Shah Pope Cardinal Archbishop Bishop Rabbi Imam Ayatollah Grand Ayatollah
Supreme Leader Leader Marshal Field Marshal Commander
Commander-in-Chief General Gen. Lieutenant General Lt. Gen. Major General
Maj. Gen. Brigadier General Brig. Gen. Admiral Adm. Vice Admiral Rear Admiral
Colonel Col. Lieutenant Colonel Lt. Col. Major Maj. Captain Capt. Lieutenant Lt.
Sergeant Sgt. Brig. Cpl. Pvt. Judge Justice Chief Justice Attorney General
Prosecutor Inspector Detective Det. Superintendent Supt. Constable
Dr. Dr Mr. Mr Mrs. Mrs Ms. Ms Miss Sir Dame Lord Lady Baroness Baron
Sen. Rep. Gov. Lt. Gov. Prof. Professor Rev. Reverend Father Fr. Sister Brother
Hon. Mme. Mme Mlle. Herr Frau Dr.-Ing.
"""

# multi-word titles in the block above that must stay together
PERSON_TITLE_PHRASES = [
    "Prime Minister", "Deputy Prime Minister", "Foreign Minister",
    "Defence Minister", "Defense Minister", "Interior Minister", "Finance Minister",
    "Deputy Foreign Minister", "Secretary of State", "Secretary General",
    "Under Secretary", "Vice Chancellor", "Special Envoy", "Vice Premier",
    "Chief Executive", "Director General", "Crown Prince", "Grand Ayatollah",
    "Supreme Leader", "Field Marshal", "Lieutenant General", "Lt. Gen.",
    "Major General", "Maj. Gen.", "Brigadier General", "Brig. Gen.",
    "Vice Admiral", "Rear Admiral", "Lieutenant Colonel", "Lt. Col.",
    "Chief Justice", "Attorney General", "Lt. Gov.", "Foreign Secretary",
    "Home Secretary", "Defense Secretary", "Defence Secretary",
    "Vice President", "National Security Adviser", "Chief of Staff",
    "Head of State", "Opposition Leader", "Party Chairman", "Senior Minister",
    "Minister of State", "State Secretary", "Press Secretary",
]


def build_org_words():
    words = set(ORG_WORDS.split()) | set(ORG_PHRASES)
    return words


def build_person_titles():
    phrases = set(PERSON_TITLE_PHRASES)
    text = PERSON_TITLES
    # take the listed phrases out of the block first, then split the rest
    for p in sorted(phrases, key=len, reverse=True):
        text = re.sub(r"(?<!\S)" + re.escape(p) + r"(?!\S)", " ", text)
    singles = set(text.split())
    return singles | phrases


# ---------------------------------------------------------------------------

SRC_MLEDOZE = "mledoze/countries (countries.json)"
SRC_ISO = "Debian iso-codes"
LIC_ODBL = "ODbL-1.0, share-alike"
LIC_LGPL = "LGPL-2.1-or-later"
LIC_GEONAMES = "CC BY 4.0, attribution: GeoNames, www.geonames.org"
LIC_CENSUS = "public domain (US government work)"
LIC_OURS = "MIT (docpipe, hand-written)"


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write("usage: build-gazetteers.py SRC_DIR OUT_DIR [ALIASES_FILE]\n"
                         "  e.g. python3 tools/build-gazetteers.py "
                         "../shared/data/gazetteers plugins/ner/data/gazetteers\n")
        return 2
    src, out = argv[1], argv[2]
    aliases = (argv[3] if len(argv) == 4 else
               os.path.join(os.path.dirname(os.path.abspath(out)), "aliases.tsv"))
    os.makedirs(out, exist_ok=True)

    jobs = [
        ("countries.txt",
         "source: " + SRC_MLEDOZE + ", " + SRC_ISO
         + " (iso_3166-1/-3.json), hand-written short forms; licence: "
         + LIC_ODBL + " (iso-codes data also LGPL-2.1+)",
         lambda: build_countries(src)),
        ("demonyms.txt",
         "source: " + SRC_MLEDOZE + " demonyms.eng + regular plurals; licence: "
         + LIC_ODBL, lambda: build_demonyms(src)),
        ("capitals.txt",
         "source: " + SRC_MLEDOZE + " capital; licence: " + LIC_ODBL,
         lambda: build_capitals(src)),
        ("subdivisions.txt",
         "source: " + SRC_ISO + " iso_3166-2.json; licence: " + LIC_LGPL,
         lambda: build_subdivisions(src)),
        ("cities.txt",
         "source: GeoNames (geonames_debian/cities.tsv, en_names_by_geonameid.tsv, "
         "world_cities/world-cities.csv), pop. >= 15000; licence: "
         + LIC_GEONAMES, lambda: build_cities(src)),
        ("currencies.txt",
         "source: " + SRC_ISO + " iso_4217.json; licence: " + LIC_LGPL,
         lambda: build_currencies(src)),
        ("first-names.txt",
         "source: US Census 1990 first names (us_census_1990_names/male_first.tsv, "
         "female_first.tsv, freq >= 0.001%); licence: " + LIC_CENSUS,
         lambda: build_first_names(src)),
        ("surnames.txt",
         "source: US Census 1990 surnames (us_census_1990_names/surnames.tsv); "
         "licence: " + LIC_CENSUS, lambda: build_surnames(src)),
        ("org-words.txt",
         "source: hand-written for docpipe; licence: " + LIC_OURS,
         build_org_words),
        ("person-titles.txt",
         "source: hand-written for docpipe; licence: " + LIC_OURS,
         build_person_titles),
    ]
    total = 0
    for name, header, fn in jobs:
        path = os.path.join(out, name)
        n = write_list(path, header, fn())
        size = os.path.getsize(path)
        total += size
        print("%-18s %7d entries %9d bytes" % (name, n, size))
    print("%-18s %25d bytes" % ("total", total))
    n = write_aliases(aliases,
                      "source: " + SRC_MLEDOZE + " name.common/official + altSpellings, "
                      + SRC_ISO + " (iso_3166-1.json), hand-written short forms; licence: "
                      + LIC_ODBL + " (iso-codes data also LGPL-2.1+)",
                      build_aliases(src))
    print("%-18s %7d entries %9d bytes" % (os.path.basename(aliases), n,
                                           os.path.getsize(aliases)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
