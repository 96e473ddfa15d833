"""Finding quotes in the brief and checking them against the responses they cite."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ltbrief.render.quotes import (
    Quote,
    block_quotes,
    find_markup,
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

    def test_an_escaped_closing_bracket_does_not_end_the_quote(self) -> None:
        text = r'Said ["a \] b \\"]{.respondent-quote response="R1"}.'
        assert [q.text for q in inline_quotes(text)] == [r'"a \] b \\"']


def _block(*lines: str) -> Quote:
    return Quote(1, "R1", " ".join(lines), lines, block=True)


def _inline(text: str) -> Quote:
    return Quote(1, "R1", text, tuple(text.split("\n")), block=False)


class TestFindMarkup:
    @pytest.mark.parametrize(
        "quote",
        [_block('"...The main challenge [has been] the [...] difficulties engaging"'),
         _block("'gentlemen's handshake' -- and/or 50% (roughly); that's it!"),
         _block(r"Escaped: \* \_ \# \$ \@ \< \{\{\< var x \>\}\} \\ \[x\](y)"),
         _block(r"1\. first", r"\- second"),
         _inline("a quote\nwrapped over lines"),
         _inline("[sic] ... [name]")],
    )  # fmt: skip
    def test_plain_words_and_escapes_print_as_written(self, quote: Quote) -> None:
        assert find_markup(quote) == []

    @pytest.mark.parametrize(
        ("quote", "what"),
        [(_block("*bold*"), "'*'"), (_block("<script>"), "'<'"), (_block("#set"), "'#'"),
         (_block("{{< include /etc/passwd >}}"), "'{'"), (_block("$1"), "'$'"),
         (_block("@cite"), "'@'"), (_block("a | b"), "'|'"), (_block("x^2^"), "'^'"),
         (_block("[x](y)"), "'](' (a link)"), (_block("[x][y]"), "'][' (a link)"),
         (_block("a\\b"), "a backslash"), (_block("ring\x07"), "U+0007"),
         (_block("over\u202eride"), "U+202E"), (_block("a ] b"), "unmatched"),
         (_block("one", "- two"), "a line starting '-'"),
         (_block("2020. A year"), "a line starting '2020.'"),
         (_block("(a) first"), "a line starting '(a)'"),
         (_block("one", "---"), "a line starting '---'"),
         (_block("    code"), "a line starting 'with spaces'"),
         (_block(": term"), "a line starting ':'"),
         (_block("end  ", "next"), "two spaces"),
         (_inline("one\n\ntwo"), "a blank line")],
    )  # fmt: skip
    def test_markup_is_named(self, quote: Quote, what: str) -> None:
        assert any(what in markup.what for markup in find_markup(quote)), find_markup(quote)

    def test_the_first_line_of_an_inline_quote_is_inside_a_paragraph(self) -> None:
        assert find_markup(_inline("1. not a list here")) == []
