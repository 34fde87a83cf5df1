from incidents.extraction.spans import blanked, positions_in, sentence_spans, sentences


def test_a_sentence_does_not_end_at_a_m_or_u_s():
    line = "It began at 9:12 a.m. ET in the U.S. and spread. Then it ended."
    assert [line[a:b] for a, b in sentence_spans(line)] == [
        "It began at 9:12 a.m. ET in the U.S. and spread.", " Then it ended."]


def test_sentences_are_offsets_into_the_whole_text():
    text = "One. Two.\nThree"
    assert [text[a:b].strip() for a, b in sentences(text)] == ["One.", "Two.", "Three"]


def test_blanking_keeps_offsets_and_line_breaks():
    text = "ab\ncd"
    assert blanked(text, positions_in([(1, 4)], len(text))) == "a \n d"


def test_blanking_hides_every_run_and_nothing_else():
    text = "one two\nthree four"
    hidden = positions_in([(0, 3), (6, 11), (14, 30)], len(text))  # the last span runs past the text
    assert blanked(text, hidden) == "    tw \n   ee     "
    assert blanked(text, positions_in([], len(text))) == text


def test_the_sentences_of_a_text_are_the_same_each_time_it_is_asked():
    text = "One. Two.\nThree"
    assert sentences(text) == sentences(text) == ((0, 4), (4, 9), (10, 15))
