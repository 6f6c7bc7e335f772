"""The unit splitter: sentences, then clauses before contrastive conjunctions, in several languages."""

from __future__ import annotations

import pytest

from sentiment.model.sentences import split_clauses, split_sentences, split_units


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        ("Great coffee but we waited 40 minutes.", ["Great coffee", "but we waited 40 minutes."]),
        ("Super Kaffee, aber wir haben 40 Minuten gewartet.", ["Super Kaffee", "aber wir haben 40 Minuten gewartet."]),
        ("Świetna kawa, ale czekaliśmy 40 minut.", ["Świetna kawa", "ale czekaliśmy 40 minut."]),
        ("Café excellent mais on a attendu.", ["Café excellent", "mais on a attendu."]),
        ("El café muy rico, pero esperamos mucho.", ["El café muy rico", "pero esperamos mucho."]),
        ("Caffè ottimo, ma abbiamo aspettato.", ["Caffè ottimo", "ma abbiamo aspettato."]),
        ("Café ótimo, mas esperamos muito.", ["Café ótimo", "mas esperamos muito."]),
    ],
)
def test_contrastive_conjunctions_cut_a_sentence(text: str, clauses: list[str]) -> None:
    assert split_clauses(text) == clauses


@pytest.mark.parametrize(
    "sentence",
    [
        "Ma che bello!",  # "ma" at the start: nothing before it to cut off
        "Nice though",  # a one-word part is not a clause
        "Ona ma psa i kota.",  # Polish "ma" (has) without a comma is not Italian "but"
        "But why?",
    ],
)
def test_no_cut_without_two_real_parts(sentence: str) -> None:
    assert split_clauses(sentence) == [sentence]


def test_sentences_end_at_marks_and_line_breaks_but_not_inside_numbers() -> None:
    text = "Price was 4.5 euros! Too much? Yes.\nとても美味しい。また作ります"
    assert split_sentences(text) == ["Price was 4.5 euros!", "Too much?", "Yes.", "とても美味しい。", "また作ります"]


def test_units_are_clauses_of_sentences_and_empty_text_has_none() -> None:
    assert split_units("Good food but slow. Nice staff.") == ["Good food", "but slow.", "Nice staff."]
    assert split_units("Good food but slow. Nice staff.", clauses=False) == ["Good food but slow.", "Nice staff."]
    assert split_units("   ") == []
