"""Tokens, weights, entities and fingerprints the clustering score is built from."""

import math

from incidents.clustering import text_features as tf


def test_clean_text_strips_markup_and_bounds_the_length():
    raw = "<div>Fix&amp;deploy<script>x = '<p>'</script> done</div><!-- hidden -->" + "a" * 100_000
    cleaned = tf.clean_text(raw, limit=500)
    assert cleaned.startswith("Fix&deploy done")
    assert "script" not in cleaned and "hidden" not in cleaned
    assert len(cleaned) <= 500
    assert tf.clean_text(None) == ""


def test_stem_folds_common_inflections_only():
    assert tf.stem("servers") == tf.stem("server")
    assert tf.stem("outages") == tf.stem("outage")
    assert tf.stem("failing") == tf.stem("failed") == tf.stem("fail")
    assert tf.stem("status") == "status"
    assert tf.stem("klitschko's") == "klitschko"


def test_idf_weighs_rare_words_above_common_ones():
    assert tf.idf("klitschko") > tf.idf("earthquake") > tf.idf("people")
    assert tf.idf("zzqxunknownword") == tf.IDF_CEILING


def test_term_vector_is_unit_length_bounded_and_prefers_the_title():
    vec = tf.term_vector("Fortnite servers down", "Players report matchmaking errors. " * 50)
    assert math.isclose(math.sqrt(sum(v * v for v in vec.values())), 1.0)
    assert len(vec) <= tf.MAX_TERMS
    assert "the" not in vec
    assert tf.stem("fortnite") in vec
    once = tf.term_vector("zzqalpha outage", "zzqbeta outage")  # two words of equal rarity
    assert once["zzqalpha"] > once["zzqbeta"]


def test_salient_entities_find_names_numbers_years_and_dates():
    ents = tf.salient_entities(
        "Indian Navy captures 26 Somali pirates in Gulf of Aden",
        "November 11, 2011\nThe warship INS Sukanya foiled the attack on Thursday at 09:15 GMT, officials said.",
    )
    assert "name:sukanya" in ents
    assert "name:gulf of aden" in ents
    assert "num:26" in ents
    assert "year:2011" in ents
    assert "date:11-11" in ents
    assert "name:gmt" not in ents and "num:15" not in ents  # clock times and zones are not entities
    assert "name:thursday" not in ents and "name:the" not in ents


def test_entity_cosine_separates_two_events_of_the_same_kind():
    mysore = tf.salient_entities("Indian Navy captures 23 pirates", "INS Mysore foiled the attack in 2008.")
    mysore2 = tf.salient_entities("Pirates captured by INS Mysore", "Navy says 23 pirates caught by Mysore in 2008.")
    sukanya = tf.salient_entities("Indian Navy captures 26 pirates", "INS Sukanya foiled the attack in 2011.")
    assert tf.cosine(mysore, mysore2) > tf.cosine(mysore, sukanya) + 0.2


STORY = (
    "A faulty software update from CrowdStrike crashed Windows computers around the world on Friday, grounding "
    "flights, taking broadcasters off air and forcing hospitals to postpone operations while engineers worked."
)


def test_fingerprints_of_copies_are_close_and_of_other_texts_far():
    original = tf.fingerprint("Title", STORY)
    copy = tf.fingerprint("Title | Some Site", "By Staff\n" + STORY + "\nShare")
    other = tf.fingerprint("Title", "Cloudflare said a configuration file doubled in size and crashed the proxy "
                                    "that handles its traffic, returning errors for many popular websites.")
    assert original and tf.hamming(original, copy) <= 3
    assert tf.hamming(original, other) > 10
    assert tf.simhash("too short") == 0


def _simhash_shingle_by_shingle(text: str) -> int:
    """The fingerprint spelled out one shingle at a time (what simhash computes in lanes)."""
    mask = (1 << 64) - 1
    hashes = [tf._h64(w.lower()) for w in tf.words(text)[: tf.MAX_SIMHASH_WORDS]]
    shingles = []
    for i in range(len(hashes) - 2):
        h = 0
        for word in hashes[i : i + 3]:
            h = (h * 0x100000001B3 + word) & mask
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9 & mask
        h = (h ^ (h >> 27)) * 0x94D049BB133111EB & mask
        shingles.append(h ^ (h >> 31))
    if len(shingles) < 6:
        return 0
    return sum(1 << b for b in range(64) if 2 * sum(h >> b & 1 for h in shingles) > len(shingles))


def test_simhash_is_the_majority_of_its_shingle_hashes():
    long_text = " ".join(f"{STORY} Update {n}: engineers rolled back build {n * 7}." for n in range(30))
    for text in (STORY, STORY[:60], long_text, "word " * 700):
        assert tf.simhash(text) == _simhash_shingle_by_shingle(text)
    assert len(tf.words(long_text)) > tf.MAX_SIMHASH_WORDS


def test_fingerprint_reads_the_prose_lines_else_title_and_body():
    byline = "By Staff"
    assert tf.fingerprint("Title", f"{byline}\n{STORY}\nShare") == tf.simhash(STORY)
    assert tf.fingerprint("A short title here", "Too short\nto be prose") == tf.simhash(
        "A short title here\nToo short\nto be prose")


def test_features_are_deterministic():
    assert tf.term_vector("A", STORY) == tf.term_vector("A", STORY)
    assert tf.simhash(STORY) == tf.simhash(STORY)
    assert tf.stable_hash("error 500") == tf.stable_hash("error 500")


def test_norm_is_the_length_that_normalise_divides_by():
    vec = {"a": 3.0, "b": 4.0}
    assert tf.norm(vec) == 5.0
    assert tf.norm(tf.normalise(vec)) == 1.0
    assert tf.norm({}) == 0.0


def test_cosine_with_the_norms_given_is_the_cosine_that_works_them_out():
    short, long = {"a": 0.3, "b": 1.7}, {"b": 0.2, "c": 2.5, "a": 1.1}
    assert tf.cosine(short, long, tf.norm(short), tf.norm(long)) == tf.cosine(short, long)
    assert tf.cosine(long, short, tf.norm(long), tf.norm(short)) == tf.cosine(long, short)
    assert tf.cosine(short, {"z": 1.0}, tf.norm(short), 1.0) == 0.0


def test_entities_by_kind_keeps_each_kind_in_order():
    entities = {"name:acme": 1.0, "num:23": 0.5, "name:acme cloud": 0.7, "year:2024": 0.2}
    assert tf.entities_by_kind(entities) == {"name": {"name:acme": 1.0, "name:acme cloud": 0.7},
                                             "num": {"num:23": 0.5}, "year": {"year:2024": 0.2}}
    assert list(tf.entities_by_kind(entities)["name"]) == ["name:acme", "name:acme cloud"]
