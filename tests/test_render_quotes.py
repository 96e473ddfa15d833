"""Finding quotes in the brief and checking them against the responses they cite."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ltbrief.render.quotes import (
    block_quotes,
    find_mismatch,
    inline_quotes,
    normalise,
    quote_fragments,
)
from ltbrief.render.scan import scan

RESPONSE = (
    "COVID struck as the old worker furloughed. Made movement to next stage difficult. "
    "Contact with 'likeminded' residents was important and that has been very constrained."
)


class TestFragments:
    def test_elisions_and_insertions_split_the_quote(self) -> None:
        quote = (
            '"COVID struck as the old worker [being] furloughed. [It made] movement to next '
            'stage difficult...that has...[been] very constrained."'
        )
        assert quote_fragments(quote) == [
            "covid struck as the old worker",
            "furloughed.",
            "movement to next stage difficult",
            "that has",
            "very constrained.",
        ]

    def test_normalise_ignores_quote_style_case_space_and_escapes(self) -> None:
        assert normalise("“Don’t”  \\*stop\\*\n NOW") == "dont *stop* now"


class TestFindMismatch:
    def test_an_edited_quote_matches(self) -> None:
        quote = "“…the old worker [being] furloughed. [It made] movement to next stage difficult”"
        assert find_mismatch(quote, RESPONSE) is None

    def test_quote_marks_and_case_do_not_matter(self) -> None:
        assert find_mismatch('"contact with “likeminded” residents"', RESPONSE) is None

    def test_changed_words_are_reported_with_the_closest_passage(self) -> None:
        mismatch = find_mismatch('"Contact with likeminded people was important"', RESPONSE)
        assert mismatch is not None
        assert mismatch.fragment == "contact with likeminded people was important"
        assert mismatch.closest == "Contact with 'likeminded' residents was important"

    def test_fragments_must_keep_their_order(self) -> None:
        assert find_mismatch("very constrained [...] COVID struck", RESPONSE) is not None

    def test_fragments_match_whole_words(self) -> None:
        assert find_mismatch("old work", RESPONSE) is not None


@given(
    words=st.lists(st.from_regex(r"[A-Za-z']{1,8}[.,]?", fullmatch=True), min_size=3, max_size=40),
    data=st.data(),
)
def test_any_ordered_excerpts_with_an_elision_match(words: list[str], data: st.DataObject) -> None:
    """Two runs of words, in order, joined by an elision always match their response."""
    response = " ".join(words)
    cut = data.draw(st.integers(1, len(words) - 1))
    first = data.draw(st.integers(0, cut - 1))
    last = data.draw(st.integers(cut + 1, len(words)))
    quote = '"' + " ".join(words[first:cut]) + " ... " + " ".join(words[cut:last]) + '"'
    if all(quote_fragments(quote)):
        assert find_mismatch(quote, response) is None


class TestFindingQuotes:
    def test_block_quotes_come_from_quote_divs(self) -> None:
        text = (
            '::: {.respondent-quote response="PMS20-0001"}\n'
            '> "First line\n'
            '> second line"\n'
            ":::\n"
            "\n"
            "::: {.respondent-quote}\n"
            '> "No id"\n'
            ":::\n"
        )
        quotes = block_quotes(scan(text))
        assert [(q.line, q.response_id, q.text) for q in quotes] == [
            (1, "PMS20-0001", '"First line second line"'),
            (6, None, '"No id"'),
        ]

    def test_inline_quotes_allow_brackets_inside(self) -> None:
        text = 'Said:\n["fresh [new] ideas"]{.respondent-quote response="PMS20-0745"} and [x]{.y}.'
        quotes = inline_quotes(text)
        assert [(q.line, q.response_id, q.text) for q in quotes] == [
            (2, "PMS20-0745", '"fresh [new] ideas"')
        ]
