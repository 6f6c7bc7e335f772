"""Reading schema.org values as pages write them, whatever the syntax they came in.

The same property arrives as a string, a number, a list, a ``{"@value": ...}`` object, a nested node or
an ``{"@id": ...}`` reference into an ``@graph``; ratings come on any scale; counts carry thousands
separators. These helpers turn such values into plain Python values, or ``None`` rather than a guess.
"""

from __future__ import annotations

from typing import Any

from sentiment.parse.clean import clean_text

DEFAULT_BEST = 5.0
DEFAULT_WORST = 1.0
_EPSILON = 1e-9

#: Nodes by ``@id``, to resolve ``{"@id": ...}`` references.
Index = dict[str, dict[str, Any]]


def index_by_id(nodes: list[dict[str, Any]]) -> Index:
    """Nodes by ``@id`` (only those with content, the first in document order), to resolve ``{"@id": ...}``
    references in graphs.

    The walk uses its own stack, not recursion: however deep the values nest, it cannot raise
    RecursionError (the structured-data reader bounds depth too, but this helper does not rely on it).
    """
    index: Index = {}
    pending: list[Any] = [nodes]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            node_id = value.get("@id")
            if isinstance(node_id, str) and len(value) > 1:
                index.setdefault(node_id, value)
            pending.extend(reversed(value.values()))
        elif isinstance(value, list):
            pending.extend(reversed(value))
    return index


def resolve(value: Any, index: Index) -> Any:
    """The node a bare ``{"@id": ...}`` reference points to (the reference itself if unknown)."""
    if isinstance(value, dict) and set(value) == {"@id"} and isinstance(value["@id"], str):
        return index.get(value["@id"], value)
    return value


def as_list(value: Any) -> list[Any]:
    """A property's values as a list: JSON-LD allows one value or many."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def first_string(value: Any) -> str | None:
    """The first string in a JSON-LD value (plain, list, or ``{"@value": ...}``)."""
    for candidate in as_list(value):
        if isinstance(candidate, dict):
            candidate = candidate.get("@value", candidate.get("value"))
        if isinstance(candidate, str | int | float) and not isinstance(candidate, bool):
            text = str(candidate).strip()
            if text:
                return text
    return None


def clean_value(value: Any) -> str | None:
    """The first string, as clean text (values may hold HTML and entities); ``None`` if empty."""
    text = first_string(value)
    return clean_text(text) or None if text else None


def to_number(value: Any) -> float | None:
    """``4``, ``"4.5"``, ``"4,5"``, ``"4.5 stars"`` -> float; anything else -> None."""
    text = first_string(value)
    if text is None:
        return None
    token = text.split()[0].replace(",", ".") if text.split() else ""
    try:
        return float(token)
    except ValueError:
        return None


def to_count(value: Any) -> int | None:
    """``489``, ``"1,234"``, ``"1 234"`` -> int."""
    text = first_string(value)
    if text is None:
        return None
    digits = text.replace(",", "").replace(".", "").replace(" ", "").replace("\u00a0", "")
    return int(digits) if digits.isdigit() else None


def normalise_rating(value: Any, best: Any = None, worst: Any = None) -> float | None:
    """A rating on the 1..5 scale from a value and its bestRating/worstRating (schema.org defaults 5/1).

    ``value`` may be a Rating dict (its own best/worst win) or a bare number or string. Values outside
    their stated scale are rejected rather than guessed.
    """
    if isinstance(value, dict):
        best = value.get("bestRating", best)
        worst = value.get("worstRating", worst)
        value = value.get("ratingValue")
    number = to_number(value)
    high = to_number(best)
    low = to_number(worst)
    high = DEFAULT_BEST if high is None else high
    low = DEFAULT_WORST if low is None else low
    if number is None or high <= low or not low - _EPSILON <= number <= high + _EPSILON:
        return None
    return round(1 + 4 * (number - low) / (high - low), 4)


def author_name(value: Any) -> str | None:
    """The first author's name: a Person/Organization node (``name``, else given + family name) or a string."""
    for candidate in as_list(value):
        if isinstance(candidate, dict):
            name = clean_value(candidate.get("name")) or clean_value(
                " ".join(
                    filter(None, [first_string(candidate.get("givenName")), first_string(candidate.get("familyName"))])
                )
            )
            if name:
                return name
        elif (name := clean_value(candidate)) is not None:
            return name
    return None


def address_line(value: Any, index: Index) -> str | None:
    """A PostalAddress in one line, ordered as the config's ``Address.one_line`` (to compare them)."""
    for candidate in as_list(resolve(value, index)):
        candidate = resolve(candidate, index)
        if isinstance(candidate, dict):
            country = resolve(candidate.get("addressCountry"), index)
            if isinstance(country, dict):
                country = country.get("name")
            keys = ("streetAddress", "postalCode", "addressLocality", "addressRegion")
            parts = [clean_value(candidate.get(key)) for key in keys] + [clean_value(country)]
            line = ", ".join(part for part in parts if part)
            if line:
                return line
        elif (text := clean_value(candidate)) is not None:
            return text
    return None
