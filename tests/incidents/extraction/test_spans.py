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
