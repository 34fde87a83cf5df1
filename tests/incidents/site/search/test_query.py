"""The search box's text as a safe, bounded query, and the snippets shown with results (pure)."""

from incidents.site.search.query import (
    MAX_QUERY_CHARS,
    MAX_TERMS,
    Fragment,
    Match,
    fts5_expression,
    parse_query,
    relaxed,
    snippet,
    strict,
    term_pattern,
)


def test_it_keeps_words_and_the_punctuation_inside_them():
    query = parse_query("  550 5.7.708 Service unavailable.   Access denied ")
    assert query.text == "550 5.7.708 Service unavailable. Access denied"
    assert query.terms == ("550", "5.7.708", "Service", "unavailable", "Access", "denied")
    assert query.notices == ()


def test_it_strips_punctuation_around_words():
    assert parse_query('("MO502273"), eu-central-1;').terms == ("MO502273", "eu-central-1")


def test_it_drops_stop_words_as_postgresql_does():
    assert parse_query("is GitHub down for the others").terms == ("GitHub", "others")
    assert parse_query("don't").terms == ()  # PostgreSQL splits it into two stop words too


def test_a_query_of_stop_words_only_says_so():
    query = parse_query("the and or")
    assert query.is_empty
    assert "common" in query.notices[0]


def test_it_ignores_repeated_terms_whatever_their_case():
    assert parse_query("Outage outage OUTAGE teams").terms == ("Outage", "teams")


def test_search_syntax_is_kept_as_plain_words():
    query = parse_query('NEAR(a b) "unbalanced AND OR NOT * title:x -y ^z')
    assert query.terms == ("NEAR(a", "b", "unbalanced", "title:x", "y", "z")


def test_symbols_alone_are_no_term():
    assert parse_query("*** --- ''' ___ ()").terms == ()


def test_control_and_format_characters_become_spaces():
    query = parse_query("exch\x00ange\u200bonline\u202e")
    assert query.text == "exch ange online"
    assert query.terms == ("exch", "ange", "online")


def test_it_normalises_compatibility_characters():
    assert parse_query("ＭＯ５０２２７３").terms == ("MO502273",)  # noqa: RUF001 - full-width on purpose


def test_a_long_query_is_cut_at_a_word_and_says_so():
    query = parse_query("word " * 400)
    assert len(query.text) <= MAX_QUERY_CHARS
    assert not query.text.endswith(" ")
    assert "cut" in query.notices[0]


def test_it_keeps_the_first_terms_only_and_says_so():
    query = parse_query(" ".join(f"term{n}" for n in range(MAX_TERMS + 5)))
    assert query.terms == tuple(f"term{n}" for n in range(MAX_TERMS))
    assert any(str(MAX_TERMS) in notice for notice in query.notices)


def test_a_pasted_status_page_link_searches_for_its_incident_id():
    assert parse_query("https://www.githubstatus.com/incidents/5jfkz8q1mlql").terms == ("5jfkz8q1mlql",)


def test_non_ascii_words_are_terms():
    assert parse_query("Störung 東京 café").terms == ("Störung", "東京", "café")


def test_fts5_expression_quotes_every_term():
    assert fts5_expression(Match(("NEAR(a", 'say"what', "5.7.708"))) == '"NEAR(a" "say""what" "5.7.708"'
    assert fts5_expression(Match(("a1", "b2"), any_term=True)) == '"a1" OR "b2"'


def test_relaxed_keeps_the_codes_of_a_pasted_error():
    query = parse_query("Remote server returned 550 5.7.708 traffic not accepted")
    assert strict(query).terms == query.terms
    assert relaxed(query) == Match(("550", "5.7.708"))


def test_relaxed_asks_for_any_word_when_there_are_no_codes():
    assert relaxed(parse_query("something went wrong")) == Match(("something", "went", "wrong"), any_term=True)


def test_nothing_is_looser_than_one_word_or_only_codes():
    assert relaxed(parse_query("outage")) is None
    assert relaxed(parse_query("550 5.7.708")) == Match(("550", "5.7.708"), any_term=True)


def test_snippet_marks_the_terms_around_their_first_occurrence():
    text = "Intro words. " * 30 + "Users saw 550 5.7.708 Service unavailable when sending. " + "More text. " * 30
    fragments = snippet([text], term_pattern(("5.7.708", "services")))
    hits = [fragment.text for fragment in fragments if fragment.hit]
    assert hits == ["5.7.708", "Service"]
    assert fragments[0] == Fragment("… ", False)
    assert fragments[-1] == Fragment(" …", False)
    assert len("".join(fragment.text for fragment in fragments)) < 260


def test_snippet_matches_other_forms_of_a_word():
    fragments = snippet(["Several outages hit Teams."], term_pattern(("outage",)))
    assert [fragment.text for fragment in fragments if fragment.hit] == ["outages"]


def test_snippet_takes_the_first_text_that_has_a_term():
    fragments = snippet(["nothing here", "", "the MO502273 incident"], term_pattern(("mo502273",)))
    assert "".join(fragment.text for fragment in fragments) == "the MO502273 incident"


def test_no_snippet_without_an_occurrence():
    assert snippet(["nothing here"], term_pattern(("absent",))) == ()
    assert snippet(["anything"], term_pattern(())) == ()
