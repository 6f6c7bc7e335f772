"""The labelled set of the default taxonomy: references into ``../shared/data`` plus labels, never texts.

``models/topics/labelled.jsonl`` grows the 567-text evaluation set (``eval_set.jsonl``, kept whole)
with review sentences, social posts and customer-service utterances from eight more sources. The
licences forbid copying those texts into the repository, so each line points at its source and
carries a short sha256 of the resolved text: a source or parser that changed under the labels is an
error, not a silent drift. ``models/topics/LABELLING.md`` says how it was drawn and labelled.

Most sources have their own labels (SemEval aspect categories, GermEval categories, airline
complaint reasons, banking intents, ...). The ``*_TOPICS`` dicts below map them onto the taxonomy's
topic ids; an item whose labels come only from such a mapping is ``how: "mapped"``, one whose text
was read and labelled under the guideline is ``how: "read"``. Mapped labels can miss a topic the
source's scheme does not cover, which is why every held-out text is read.

The held-out part (where the project's target is measured) is recomputed from the file, never
stored: items are grouped by their rarest topic ("other" for none), each group is ordered by the
sha256 of the item id, and the first third (rounded up) of every group is held out. Taking a prefix
rather than alternating means that relabelling or adding one item moves at most one neighbour.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from sentiment.errors import ModelError
from sentiment.model.topic_reader import default_topics_dir
from sentiment.records import LABELS
from sentiment.taxonomy import OTHER, load_taxonomy
from sentiment.training import reading
from sentiment.training.data import clean_text
from sentiment.training.topic_data import (
    check_text,
    default_eval_set_path,
    rarest_topic_strata,
    read_eval_set,
    resolve,
    shared_data_dir,
)

Part = Literal["fit", "held-out"]
PARTS: tuple[Part, Part] = ("fit", "held-out")
HOW = ("read", "mapped")
#: Share of every rarest-topic group that is held out (rounded up).
HOLDOUT_SHARE = 1 / 3
#: Reference kinds: the eval set's three (resolved by ``topic_data.resolve``) and this module's three.
REF_KINDS = ("line", "review", "pointer", "sentence", "document", "row")
_SHA = re.compile(r"^[0-9a-f]{16}$")

# --- mappings: a source label -> the taxonomy topics it implies (empty: no topic, i.e. "other") --------

#: SemEval-2016 restaurant aspect categories (ENTITY#ATTRIBUTE). SERVICE covers staff and waiting:
#: it maps to staff_attitude, and wait_time is only set where a reader saw waiting in the text.
SEMEVAL_TOPICS: dict[str, tuple[str, ...]] = {
    "RESTAURANT#GENERAL": (),
    "RESTAURANT#MISCELLANEOUS": (),
    "RESTAURANT#PRICES": ("price_value",),
    "FOOD#QUALITY": ("product_quality",),
    "FOOD#STYLE_OPTIONS": ("product_quality",),
    "FOOD#PRICES": ("price_value",),
    "DRINKS#QUALITY": ("product_quality",),
    "DRINKS#STYLE_OPTIONS": ("product_quality",),
    "DRINKS#PRICES": ("price_value",),
    "AMBIENCE#GENERAL": ("comfort_ambience",),
    "SERVICE#GENERAL": ("staff_attitude",),
    "LOCATION#GENERAL": ("location_access",),
}
#: GermEval 2017 aspect categories (the part before ``#``) of posts about Deutsche Bahn.
GERMEVAL_TOPICS: dict[str, tuple[str, ...]] = {
    "Allgemein": (),
    "Image": (),
    "Sicherheit": (),
    "Informationen": (),
    "Reisen_mit_Kindern": (),
    "Gepäck": (),
    "Zugfahrt": ("wait_time",),
    "Sonstige_Unregelmässigkeiten": ("wait_time",),
    "Atmosphäre": ("comfort_ambience",),
    "Auslastung_und_Platzangebot": ("comfort_ambience",),
    "Komfort_und_Ausstattung": ("comfort_ambience",),
    "Design": ("comfort_ambience",),
    "Barrierefreiheit": ("location_access",),
    "Connectivity": ("outages_connectivity",),
    "DB_App_und_Website": ("digital_self_service",),
    "QR-Code": ("digital_self_service",),
    "Ticketkauf": ("price_value",),
    "Service_und_Kundenbetreuung": ("staff_attitude",),
    "Toiletten": ("cleanliness",),
    "Gastronomisches_Angebot": ("product_quality",),
}
#: Twitter US airline ``negativereason`` (empty for positive and neutral tweets).
AIRLINE_TOPICS: dict[str, tuple[str, ...]] = {
    "Late Flight": ("wait_time",),
    "Cancelled Flight": ("wait_time",),
    "longlines": ("wait_time",),
    "Customer Service Issue": ("contact",),
    "Flight Attendant Complaints": ("staff_attitude",),
    "Bad Flight": ("comfort_ambience",),
    "Flight Booking Problems": ("digital_self_service",),
    "Lost Luggage": (),
    "Damaged Luggage": (),
    "Can't Tell": (),
    "": (),
}
#: BANKING77 intents; intents not listed carry no topic (account, card and transfer questions).
BANKING77_TOPICS: dict[str, tuple[str, ...]] = {
    "card_arrival": ("delivery",),
    "card_delivery_estimate": ("delivery",),
    "request_refund": ("returns_refunds",),
    "Refund_not_showing_up": ("returns_refunds",),
    "extra_charge_on_statement": ("billing_payments",),
    "transaction_charged_twice": ("billing_payments",),
    "card_payment_not_recognised": ("billing_payments",),
    "direct_debit_payment_not_recognised": ("billing_payments",),
    "declined_card_payment": ("billing_payments",),
    "pending_card_payment": ("billing_payments",),
    "declined_transfer": ("billing_payments",),
    "failed_transfer": ("billing_payments",),
    "card_payment_fee_charged": ("billing_payments", "price_value"),
    "transfer_fee_charged": ("billing_payments", "price_value"),
    "cash_withdrawal_charge": ("billing_payments", "price_value"),
    "exchange_rate": ("price_value",),
    "exchange_charge": ("price_value",),
    "unable_to_verify_identity": ("digital_self_service",),
    "passcode_forgotten": ("digital_self_service",),
    "exchange_via_app": ("digital_self_service",),
    "country_support": ("opening_hours_availability",),
}
#: NLU++ intents (hotels and banking domains); a hotel facility asked about with "when" is opening
#: hours (see :data:`NLUPP_WHEN_FACILITIES`).
NLUPP_TOPICS: dict[str, tuple[str, ...]] = {
    "handoff": ("contact",),
    "refund": ("returns_refunds",),
    "parking": ("location_access",),
    "accesibility": ("location_access",),
    "wifi": ("outages_connectivity",),
    "housekeeping": ("cleanliness",),
}
NLUPP_WHEN_FACILITIES = frozenset(
    {"restaurant", "gym", "spa", "swimming_pool", "room_service", "check_in", "check_out"}
)
#: german-hotel-aspects (SuperGLEBer) aspects.
HOTEL_DE_TOPICS: dict[str, tuple[str, ...]] = {
    "HOTEL": (),
    "ZIMMER": ("comfort_ambience",),
    "SERVICE": ("staff_attitude",),
    "LAGE": ("location_access",),
    "ESSEN&TRINKEN": ("product_quality",),
}
#: IndoNLU HoASA hotel aspects ("neut" means the aspect is not mentioned).
HOASA_TOPICS: dict[str, tuple[str, ...]] = {
    "ac": ("comfort_ambience",),
    "air_panas": ("comfort_ambience",),
    "bau": ("cleanliness",),
    "general": (),
    "kebersihan": ("cleanliness",),
    "linen": ("cleanliness",),
    "service": ("staff_attitude",),
    "sunrise_meal": ("product_quality",),
    "tv": ("outages_connectivity",),
    "wifi": ("outages_connectivity",),
}
#: IndoNLU CASA car aspects ("neutral" means the aspect is not mentioned).
CASA_TOPICS: dict[str, tuple[str, ...]] = {
    "fuel": ("product_quality",),
    "machine": ("product_quality",),
    "part": ("product_quality",),
    "others": (),
    "price": ("price_value",),
    "service": ("staff_attitude",),
}
#: Source polarity spellings (SemEval/GermEval/CASA, HoASA, german-hotel-aspects) -> ours.
_POLARITY = {
    **{label: label for label in ("positive", "negative", "neutral")},
    **{"pos": "positive", "neg": "negative", "positiv": "positive", "negativ": "negative"},
}


@dataclass(frozen=True, slots=True)
class Table:
    """A CSV or tab file read as rows numbered from 1 (after the header): where its text is."""

    text: int | str
    header: bool = True
    delimiter: str = ","


#: Row-addressed files by folder (the file name picks the rows, the folder the format).
TABLES: dict[str, Table] = {
    "twitter-airline-sentiment": Table("text"),
    "complaints-social-media": Table(1, header=False),
    "arabic-reviews": Table("text"),
    "banking77-nlupp": Table("text"),
    "indonlu": Table(0),
    "german-hotel-aspects": Table(1, header=False, delimiter="\t"),
}


# --- items -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelledItem:
    """One line of ``labelled.jsonl``: where the text is, its labels and how they were decided."""

    ref: dict[str, Any]
    lang: str
    topics: tuple[str, ...]
    sha256: str
    how: str
    aspects: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """Unique within the set; the eval set's ids for its kinds (``file:line``, ``file#review``, ...)."""
        return item_id(self.ref)

    def as_json(self) -> dict[str, Any]:
        line: dict[str, Any] = {"ref": self.ref, "lang": self.lang, "topics": list(self.topics)}
        if self.aspects:
            line["aspects"] = self.aspects
        return line | {"sha256": self.sha256, "how": self.how}


@dataclass(frozen=True, slots=True)
class LabelledText:
    """An item with its resolved text and its part ("fit" or "held-out")."""

    item: LabelledItem
    text: str
    part: Part


def item_id(ref: Mapping[str, Any]) -> str:
    file = ref["file"]
    if "review" in ref:
        return f"{file}#{ref['review']}"
    if "pointer" in ref:
        return f"{file}#{ref['pointer']}"
    if "sentence" in ref:
        return f"{file}@{ref['sentence']}"
    kind = next(k for k in ("line", "document", "row") if k in ref)
    return f"{file}:{ref[kind]}"


def default_labelled_path() -> Path:
    """``models/topics/labelled.jsonl`` in ``$SENTIMENT_MODELS_DIR`` or the repository."""
    return default_topics_dir() / "labelled.jsonl"


@lru_cache(maxsize=1)
def topic_ids() -> tuple[str, ...]:
    """The default taxonomy's topic ids in its order (parsed once: mapping runs per source row)."""
    return tuple(load_taxonomy().ids)


def read_labelled(path: Path) -> list[LabelledItem]:
    """Parse ``labelled.jsonl``; an error names the line and what is allowed there."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise ModelError(f"cannot read the labelled topic set {path}: {err}") from err
    items = [_parse(line, f"{path} line {number}") for number, line in enumerate(lines, start=1) if line.strip()]
    ids = Counter(item.id for item in items)
    duplicates = sorted(i for i, n in ids.items() if n > 1)
    if duplicates:
        raise ModelError(f"{path}: items listed twice: {duplicates[:5]}")
    return items


def _parse(line: str, where: str) -> LabelledItem:
    try:
        raw = json.loads(line)
        item = LabelledItem(
            ref=dict(raw["ref"]),
            lang=str(raw["lang"]),
            topics=tuple(raw["topics"]),
            sha256=str(raw["sha256"]),
            how=str(raw["how"]),
            aspects=dict(raw.get("aspects", {})),
        )
    except (ValueError, KeyError, TypeError) as err:
        raise ModelError(f"{where}: expected {{ref, lang, topics, aspects?, sha256, how}} ({err})") from None
    kinds = [k for k in REF_KINDS if k in item.ref]
    if set(item.ref) != {"file", *kinds} or len(kinds) != 1:
        raise ModelError(f"{where}: ref needs 'file' and exactly one of {', '.join(REF_KINDS)}; got {item.ref}")
    unknown = sorted(set(item.topics) - set(topic_ids()))
    if unknown or len(set(item.topics)) != len(item.topics):
        raise ModelError(f"{where}: topics must be distinct default-taxonomy ids ({', '.join(sorted(topic_ids()))})")
    if item.how not in HOW:
        raise ModelError(f"{where}: how must be one of {', '.join(HOW)}, not {item.how!r}")
    if not _SHA.match(item.sha256):
        raise ModelError(f"{where}: sha256 must be the first 16 hex digits of the text's sha256")
    if not set(item.aspects) <= set(item.topics) or not set(item.aspects.values()) <= set(LABELS):
        raise ModelError(f"{where}: aspects map topics of the item to one of {', '.join(LABELS)}")
    return item


def assign_holdout(items: Sequence[LabelledItem]) -> dict[str, Part]:
    """The deterministic stratified held-out part described in the module docstring."""
    parts: dict[str, Part] = {}
    for indices in rarest_topic_strata([item.topics for item in items]).values():
        members = [items[i] for i in indices]
        ordered = sorted(members, key=lambda i: hashlib.sha256(i.id.encode()).hexdigest())
        held = math.ceil(len(ordered) * HOLDOUT_SHARE)
        for position, item in enumerate(ordered):
            parts[item.id] = "held-out" if position < held else "fit"
    return parts


def load_labelled_texts(
    path: Path | None = None, data_dir: Path | None = None, *, check_hashes: bool = True
) -> list[LabelledText]:
    """Every item with its text and part; a changed source text is an error, not a silent drift."""
    items = read_labelled(path or default_labelled_path())
    parts = assign_holdout(items)
    texts = []
    for item in items:
        text = resolve_ref(item.ref, data_dir)
        if check_hashes:
            check_text("labelled item", item.id, text, item.sha256)
        texts.append(LabelledText(item, text, parts[item.id]))
    return texts


# --- resolving references --------------------------------------------------------------------------


def resolve_ref(ref: Mapping[str, Any], data_dir: Path | None = None) -> str:
    """The text a reference points at, cleaned as the sentiment loaders in ``reading`` clean it."""
    root = data_dir or shared_data_dir()
    if "sentence" in ref:
        return clean_text(_semeval(root / ref["file"])[str(ref["sentence"])][0])
    if "document" in ref:
        return clean_text(_germeval(root / ref["file"])[_index(ref["document"], ref)][0])
    if "row" in ref:
        return clean_text(_text_of(_row(root, ref), _table(ref)))
    return resolve(dict(ref), root)


def source_labels(ref: Mapping[str, Any], data_dir: Path | None = None) -> list[tuple[str, str]]:
    """The source's own labels of a referenced text as (label, polarity or "") pairs, for mapping."""
    root = data_dir or shared_data_dir()
    file = str(ref["file"])
    if "sentence" in ref:
        return _semeval(root / file)[str(ref["sentence"])][1]
    if "document" in ref:
        return _germeval(root / file)[_index(ref["document"], ref)][1]
    if "pointer" in ref and file.startswith("banking77-nlupp/"):
        entry = _json(root / file)[int(str(ref["pointer"]).split("/")[1])]
        return [(intent, "") for intent in entry.get("intents", [])]
    if "row" in ref:
        return _row_labels(file, _row(root, ref))
    return []


def map_labels(ref: Mapping[str, Any], labels: Sequence[tuple[str, str]]) -> tuple[list[str], dict[str, str]]:
    """Topics and agreed aspect polarities implied by a text's source labels (see LABELLING.md)."""
    mapping = _mapping_for(str(ref["file"]))
    names = {name for name, _ in labels}
    polarities: dict[str, set[str]] = {}
    for name, polarity in labels:
        for topic in mapping.get(name, ()):
            polarities.setdefault(topic, set()).add(polarity)
    if mapping is NLUPP_TOPICS and "when" in names and names & NLUPP_WHEN_FACILITIES:
        polarities.setdefault("opening_hours_availability", set()).add("")
    topics = [t for t in topic_ids() if t in polarities]
    aspects = {t: p.pop() for t, p in polarities.items() if len(p) == 1 and next(iter(p)) in LABELS}
    return topics, {t: aspects[t] for t in topics if t in aspects}


def _mapping_for(file: str) -> dict[str, tuple[str, ...]]:
    folder = file.split("/")[0]
    if folder == "indonlu":
        return HOASA_TOPICS if file.startswith("indonlu/hoasa") else CASA_TOPICS
    if folder == "banking77-nlupp":
        return BANKING77_TOPICS if "/banking77/" in file else NLUPP_TOPICS
    by_folder = {
        "semeval2016-absa": SEMEVAL_TOPICS,
        "germeval2017": GERMEVAL_TOPICS,
        "twitter-airline-sentiment": AIRLINE_TOPICS,
        "german-hotel-aspects": HOTEL_DE_TOPICS,
    }
    return by_folder.get(folder, {})


def _index(value: Any, ref: Mapping[str, Any]) -> int:
    if not isinstance(value, int) or value < 1:
        raise ModelError(f"{dict(ref)}: positions count from 1")
    return value - 1


def _table(ref: Mapping[str, Any]) -> Table:
    folder = str(ref["file"]).split("/")[0]
    if folder not in TABLES:
        raise ModelError(f"{ref['file']}: rows can be read in {', '.join(TABLES)} only")
    return TABLES[folder]


def _row(root: Path, ref: Mapping[str, Any]) -> dict[str, str] | list[str]:
    rows = _rows(root / ref["file"], _table(ref))
    index = _index(ref["row"], ref)
    if index >= len(rows):
        raise ModelError(f"{ref['file']} has {len(rows)} rows; row {ref['row']} does not exist")
    return rows[index]


def _text_of(row: dict[str, str] | list[str], table: Table) -> str:
    if isinstance(row, dict):
        return row[str(table.text)] if isinstance(table.text, str) else list(row.values())[table.text]
    return row[int(table.text)]


def _row_labels(file: str, row: dict[str, str] | list[str]) -> list[tuple[str, str]]:
    """Source labels of a table row: aspect columns, an intent, a complaint reason or hotel tags."""
    if isinstance(row, list):
        if file.startswith("german-hotel-aspects/"):
            return [
                (tag.removeprefix("__label__").rpartition(":")[0], _POLARITY[tag.rpartition(":")[2]])
                for tag in row[0].split()
            ]
        return []
    if file.startswith("indonlu/"):
        return [(k, _POLARITY[v]) for k, v in list(row.items())[1:] if v in ("pos", "neg", "positive", "negative")]
    if "category" in row:
        return [(row["category"], "")]
    if "negativereason" in row:
        return [(row["negativereason"], "negative" if row["negativereason"] else "")]
    return []


@lru_cache(maxsize=32)
def _rows(path: Path, table: Table) -> list[dict[str, str]] | list[list[str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            if table.delimiter == "\t":
                return [line.rstrip("\n").split("\t", 1) for line in handle]
            if table.header:
                return list(csv.DictReader(handle))
            return list(csv.reader(handle))
    except OSError as err:
        raise ModelError(f"cannot read {path}: {err}") from err


Labelled = tuple[str, list[tuple[str, str]]]


@lru_cache(maxsize=16)
def _semeval(path: Path) -> dict[str, Labelled]:
    """Sentence id -> (raw text, [(category, polarity)])."""
    return {
        str(s.get("id")): (
            s.findtext("text") or "",
            [(o.get("category", ""), o.get("polarity", "")) for o in s.iter("Opinion")],
        )
        for s in _xml(path).iter("sentence")
    }


@lru_cache(maxsize=4)
def _germeval(path: Path) -> list[Labelled]:
    """Documents in file order: (raw text, [(category before '#', polarity)])."""
    return [
        (
            d.findtext("text") or "",
            [(o.get("category", "").split("#")[0], o.get("polarity", "")) for o in d.iter("Opinion")],
        )
        for d in _xml(path).iter("Document")
    ]


def _xml(path: Path) -> ET.Element:
    try:
        return ET.parse(path).getroot()
    except (OSError, ET.ParseError) as err:
        raise ModelError(f"cannot read the XML file {path}: {err}") from err


@lru_cache(maxsize=32)
def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot read the JSON file {path}: {err}") from err


# --- what must stay out ----------------------------------------------------------------------------

#: Test files of the drawn sources that no reading set loads whole: kept out entirely.
RAW_TEST_FILES = (
    *(f"semeval2016-absa/{lang}/test.xml" for lang in reading.SEMEVAL_LANGUAGES),
    "germeval2017/fixed/test_syn-2017-09-15.xml",
    "banking77-nlupp/banking77/test.csv",
    "indonlu/casa_absa-prosa/test_preprocess.csv",
    "indonlu/hoasa_absa-airy/test_preprocess.csv",
    "german-hotel-aspects/test.txt",
)


@lru_cache(maxsize=1)
def benchmark_test_keys(data_dir: Path | None = None) -> frozenset[str]:
    """``reading.text_key`` of every text in a benchmark test split: no new item may be one of them."""
    root = data_dir or shared_data_dir()
    keys = {reading.text_key(e.text) for entry in reading.SETS for e in entry.load(root)["test"]}
    for file in RAW_TEST_FILES:
        keys |= {reading.text_key(text) for text in _raw_texts(root, file)}
    return frozenset(keys)


def _raw_texts(root: Path, file: str) -> list[str]:
    if file.endswith(".xml"):
        tag = "sentence" if file.startswith("semeval") else "Document"
        return [clean_text(node.findtext("text") or "") for node in _xml(root / file).iter(tag)]
    table = _table({"file": file})
    return [clean_text(_text_of(row, table)) for row in _rows(root / file, table)]


def eval_set_ids() -> frozenset[str]:
    """Ids of the original evaluation set, kept whole (some are xlm-t-umsab test tweets)."""
    return frozenset(item.id for item in read_eval_set(default_eval_set_path()))


# --- counts ----------------------------------------------------------------------------------------


def counts_report(texts: Sequence[LabelledText]) -> str:
    """Markdown tables: positives per topic and part, items per language and per ``how``."""
    topics = [*topic_ids(), OTHER]
    by_part = {part: Counter(t for x in texts if x.part == part for t in (x.item.topics or (OTHER,))) for part in PARTS}
    lines = ["| topic | fit | held-out | total |", "|---|---:|---:|---:|"]
    for topic in topics:
        fit, held = by_part["fit"][topic], by_part["held-out"][topic]
        lines.append(f"| {topic} | {fit} | {held} | {fit + held} |")
    size = Counter(x.part for x in texts)
    lines.append(f"| **texts** | {size['fit']} | {size['held-out']} | {len(texts)} |")
    lines += ["", "| language | fit | held-out | total |", "|---|---:|---:|---:|"]
    langs = Counter((x.item.lang, x.part) for x in texts)
    for lang in sorted({x.item.lang for x in texts}, key=lambda lg: -sum(langs[lg, p] for p in PARTS)):
        fit, held = langs[lang, "fit"], langs[lang, "held-out"]
        lines.append(f"| {lang} | {fit} | {held} | {fit + held} |")
    lines += ["", "| how | fit | held-out | total |", "|---|---:|---:|---:|"]
    hows = Counter((x.item.how, x.part) for x in texts)
    for how in HOW:
        fit, held = hows[how, "fit"], hows[how, "held-out"]
        lines.append(f"| {how} | {fit} | {held} | {fit + held} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sentiment.training.topic_labels", description=__doc__.split("\n")[0]
    )
    parser.add_argument("path", nargs="?", type=Path, help="labelled.jsonl (default: models/topics/labelled.jsonl)")
    parser.add_argument(
        "--export", type=Path, default=None, help="write the texts as `sentiment topics fit` examples to this file"
    )
    args = parser.parse_args(argv)
    texts = load_labelled_texts(args.path)
    if args.export:
        export_examples(texts, args.export)
        print(f"wrote {len(texts)} examples to {args.export} (third-party texts: keep the file out of the repository)")
        return 0
    print(counts_report(texts))
    return 0


def export_examples(texts: Sequence[LabelledText], path: Path) -> None:
    """The labelled set as ``sentiment topics fit`` reads it: texts resolved, the held-out part marked
    (so the fit holds out exactly this set's held-out third), the language kept for per-language figures."""
    lines = []
    for labelled in texts:
        item = labelled.item
        line: dict[str, Any] = {"text": labelled.text, "topics": list(item.topics)}
        if item.aspects:
            line["aspects"] = item.aspects
        lines.append(
            json.dumps(line | {"held_out": labelled.part == "held-out", "lang": item.lang}, ensure_ascii=False)
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
