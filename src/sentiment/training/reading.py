"""Every labelled sentiment set in ``../shared/data``, read one way, for the reading benchmark.

``bench/reading.py`` scores the product over the test split of each set here, and later training in
issue 9 selects models on the val splits: so each loader returns ``{"train", "val", "test"}`` lists
of :class:`Example` with an id that stays the same from run to run (a line or row number, or the
set's own sentence id), the cleaned text, the gold label and the language.

Splits. Where the publishers give a test split it is used as published, so that our figure sits
beside theirs (xlm-t-umsab, semeval2016-absa, germeval2017 ``test_syn``, IndoNLU SmSA,
german-hotel-aspects). Their train and val splits are cleaned of leaks: going test, then val, then
train, a text is kept only the first time it is seen, so no test text is trained on and no text
is in two splits. Sets with no official split (arabic-reviews, twitter-airline-sentiment,
complaints-social-media) and germeval2017's train/val (the organisers' train split is not in
``shared/``: we cut its dev file) get a fixed split defined here and stored under
``models/reading/`` as row numbers, never texts: exact duplicates (after whitespace is collapsed)
are kept once, at their first row, then each stratum (label, and domain where the set has several)
is ordered by a seeded hash of the row id and cut into test, val and train. ``write_split_files``
recomputes the files; the tests check that they reproduce.

Labels. Gold labels are the product's ``negative``/``neutral``/``positive`` where the set has those
three; two sets keep their own two labels, and :attr:`ReadingSet.read` says how a product
prediction becomes one of them: arabic-reviews is scored positive/negative (its anchor is 2-class;
the 573 neutral rows are left out), complaints-social-media complaint/not complaint (a text the
product reads as negative counts as a complaint: a proxy, since the paper shows that complaints and
negative sentiment differ). Aspect sets (semeval2016-absa, german-hotel-aspects) become sentence
sentiment where every opinion in the sentence has the same polarity; sentences without opinions or
with opinions of different polarities (or ``conflict``) are left out.

Texts go through :func:`sentiment.training.data.clean_text` (HTML entities, ``\\uXXXX`` escapes),
as production text is unescaped before scoring.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sentiment.errors import ModelError
from sentiment.records import LABELS, Prediction
from sentiment.training.data import LANGUAGES, clean_text, default_data_dir, load_split
from sentiment.training.metrics import accuracy, macro_f1

SPLITS = ("train", "val", "test")
#: Where the defined split files live: in the repository, beside the model they evaluate.
SPLITS_DIR = Path(__file__).resolve().parents[3] / "models" / "reading"
#: Seed of the defined splits; changing it changes every defined split (and so the figures).
SEED = "reading-v1"
UMSAB_ISO = {
    "arabic": "ar",
    "english": "en",
    "french": "fr",
    "german": "de",
    "hindi": "hi",
    "italian": "it",
    "portuguese": "pt",
    "spanish": "es",
}
SEMEVAL_LANGUAGES = ("en", "es", "fr", "ru")
ARABIC_FILES = ("PROD.csv", "RES1.csv", "RES2.csv", "ATT.csv")
Splits = dict[str, list["Example"]]


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text: ``id`` is stable across runs and never contains the text."""

    id: str
    text: str
    label: str
    language: str


@dataclass(frozen=True, slots=True)
class Anchor:
    """A published figure to read ours against: ``figure`` as the README gives it (x 100), who
    reached it, whether the README vouches for it, and why it is or is not like-for-like."""

    figure: str
    source: str
    verified: bool
    note: str = ""


@dataclass(frozen=True, slots=True)
class ReadingSet:
    """One benchmark set: how to load it, what its labels are, how the product's reading maps onto
    them, which metric its publishers report, their figure per language, and the terms of the data
    (as the set's README in ``shared/data`` records them; a model trained on it inherits them)."""

    name: str
    labels: tuple[str, ...]
    metric: str
    split_source: str
    measures: str
    load: Callable[[Path], Splits]
    read: Callable[[Prediction], str]
    anchors: dict[str, Anchor]
    licence: str


def shared_data_dir() -> Path:
    """``$SENTIMENT_SHARED_DIR/data``, else ``../shared/data`` beside the repository."""
    return default_data_dir().parent


def text_key(text: str) -> str:
    """What counts as the same text: equal after collapsing whitespace (exact otherwise)."""
    return " ".join(text.split())


def _product_label(prediction: Prediction) -> str:
    return prediction.label


def _positive_or_negative(prediction: Prediction) -> str:
    """The more probable of positive and negative: a text the product calls neutral still leans."""
    probabilities = prediction.probabilities
    return "positive" if probabilities["positive"] >= probabilities["negative"] else "negative"


def _complaint(prediction: Prediction) -> str:
    return "complaint" if prediction.label == "negative" else "not_complaint"


def _leak_free(test: list[Example], val: list[Example], train: list[Example]) -> Splits:
    """Keep the official test whole; drop from val and train every text already seen (test first)."""
    seen = {text_key(e.text) for e in test}
    kept: dict[str, list[Example]] = {"test": test}
    for name, examples in (("val", val), ("train", train)):
        kept[name] = []
        for example in examples:
            key = text_key(example.text)
            if key not in seen:
                seen.add(key)
                kept[name].append(example)
    return {name: kept[name] for name in SPLITS}


def _agreeing(polarities: Iterable[str]) -> str | None:
    """The sentence's label when all its opinions share one polarity, else None (none or mixed)."""
    distinct = set(polarities)
    if len(distinct) != 1:
        return None
    polarity = distinct.pop()
    return polarity if polarity in LABELS else None


# --- sets with official splits -------------------------------------------------------------------


def load_umsab(data: Path) -> Splits:
    """xlm-t-umsab per language (train 1,839 / val 324 / test 870 as published), ids ``language/split:line``."""
    by_split: dict[str, list[Example]] = {split: [] for split in SPLITS}
    for language in LANGUAGES:
        for split in SPLITS:
            part = load_split(data / "xlm-t-umsab", language, split)
            by_split[split] += [
                Example(f"{language}/{split}:{line}", text, LABELS[label], UMSAB_ISO[language])
                for line, (text, label) in enumerate(zip(part.texts, part.labels, strict=True), start=1)
            ]
    return _leak_free(by_split["test"], by_split["val"], by_split["train"])


def load_semeval(data: Path) -> Splits:
    """SemEval-2016 restaurant sentences (en, es, fr, ru) whose opinions agree; ids ``lang/split/sentence-id``.

    The shared copy's ``dev`` (carved from the official train) is our val.
    """
    by_split: dict[str, list[Example]] = {split: [] for split in SPLITS}
    for language in SEMEVAL_LANGUAGES:
        for split, file in (("train", "train"), ("val", "dev"), ("test", "test")):
            root = ET.parse(data / "semeval2016-absa" / language / f"{file}.xml").getroot()
            for sentence in root.iter("sentence"):
                label = _agreeing(o.get("polarity", "") for o in sentence.iter("Opinion"))
                text = clean_text(sentence.findtext("text") or "")
                if label and text:
                    by_split[split].append(Example(f"{language}/{file}/{sentence.get('id')}", text, label, language))
    return _leak_free(by_split["test"], by_split["val"], by_split["train"])


def _germeval_documents(data: Path, file: str) -> list[Example]:
    """Relevant documents of one GermEval 2017 file with their document sentiment, ids ``file:position``."""
    root = ET.parse(data / "germeval2017" / "fixed" / f"{file}-2017-09-15.xml").getroot()
    examples = []
    for position, document in enumerate(root.iter("Document"), start=1):
        text = clean_text(document.findtext("text") or "")
        label = (document.findtext("sentiment") or "").strip()
        if document.findtext("relevance") == "true" and text and label in LABELS:
            examples.append(Example(f"{file}:{position}", text, label, "de"))
    return examples


def load_germeval(data: Path) -> Splits:
    """GermEval 2017 document sentiment of relevant documents: test = ``test_syn`` as published,
    train/val = the defined cut of ``dev`` (the official train split is not in shared/)."""
    test = _germeval_documents(data, "test_syn")
    dev = {e.id: e for e in _germeval_documents(data, "dev")}
    defined = read_split_file("germeval2017")
    return {split: test if split == "test" else [dev[i] for i in defined[split]] for split in SPLITS}


def load_smsa(data: Path) -> Splits:
    """IndoNLU SmSA (Indonesian document sentiment) as published: train / valid (our val) / test;
    ids ``file:line``."""
    by_split: dict[str, list[Example]] = {}
    for split, file in (("train", "train"), ("val", "valid"), ("test", "test")):
        path = data / "indonlu" / "smsa_doc-sentiment-prosa" / f"{file}_preprocess.tsv"
        examples = []
        for line, row in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            text, _, label = row.rpartition("\t")
            if label not in LABELS:
                raise ModelError(f"{path}:{line} has label {label!r}")
            examples.append(Example(f"{file}:{line}", clean_text(text), label, "id"))
        by_split[split] = examples
    return _leak_free(by_split["test"], by_split["val"], by_split["train"])


HOTEL_POLARITY = {"positiv": "positive", "negativ": "negative", "neutral": "neutral"}


def load_hotel(data: Path) -> Splits:
    """SuperGLEBer German hotel sentences as published (train / dev = our val / test), labelled where
    all their aspect polarities agree; ids ``file:line``."""
    by_split: dict[str, list[Example]] = {}
    for split, file in (("train", "train"), ("val", "dev"), ("test", "test")):
        path = data / "german-hotel-aspects" / f"{file}.txt"
        examples = []
        for line, row in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            tags, _, text = row.partition("\t")
            polarities = [HOTEL_POLARITY[tag.rpartition(":")[2]] for tag in tags.split()]
            label = _agreeing(polarities)
            if label and text.strip():
                examples.append(Example(f"{file}:{line}", clean_text(text), label, "de"))
        by_split[split] = examples
    return _leak_free(by_split["test"], by_split["val"], by_split["train"])


# --- sets with defined splits --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    """One labelled row of a set without an official split, with the stratum it is cut in."""

    example: Example
    stratum: str


def _arabic_rows(data: Path) -> list[Row]:
    """Every positive/negative row of the four review files (neutral rows are left out), ids ``FILE:row``."""
    rows = []
    for file in ARABIC_FILES:
        with (data / "arabic-reviews" / file).open(encoding="utf-8", newline="") as handle:
            for number, record in enumerate(csv.DictReader(handle), start=1):
                polarity = int(float(record["polarity"]))
                if polarity == 0:
                    continue
                label = "positive" if polarity > 0 else "negative"
                example = Example(f"{file}:{number}", clean_text(record["text"]), label, "ar")
                rows.append(Row(example, f"{file}/{label}"))
    return rows


def _airline_rows(data: Path) -> list[Row]:
    """The 14,640 airline tweets, ids ``Tweets.csv:row`` (tweet ids repeat in the file)."""
    with (data / "twitter-airline-sentiment" / "Tweets.csv").open(encoding="utf-8", newline="") as handle:
        return [
            Row(
                Example(f"Tweets.csv:{number}", clean_text(r["text"]), r["airline_sentiment"], "en"),
                f"{r['airline']}/{r['airline_sentiment']}",
            )
            for number, r in enumerate(csv.DictReader(handle), start=1)
        ]


def _complaint_rows(data: Path) -> list[Row]:
    """The 3,449 tweets (``tweet_id, text, complaint, domain``, no header), ids ``complaints-data.csv:row``."""
    with (data / "complaints-social-media" / "complaints-data.csv").open(encoding="utf-8", newline="") as handle:
        rows = []
        for number, (_, text, complaint, domain) in enumerate(csv.reader(handle), start=1):
            label = "complaint" if complaint == "1" else "not_complaint"
            rows.append(
                Row(Example(f"complaints-data.csv:{number}", clean_text(text), label, "en"), f"{domain}/{label}")
            )
        return rows


def _germeval_dev_rows(data: Path) -> list[Row]:
    """Relevant dev documents, stratified by label, for our train/val cut."""
    return [Row(e, e.label) for e in _germeval_documents(data, "dev")]


def _germeval_test_texts(data: Path) -> set[str]:
    return {text_key(e.text) for e in _germeval_documents(data, "test_syn")}


@dataclass(frozen=True, slots=True)
class SplitRule:
    """How a set without an official split is cut: its rows and the share of each stratum per split."""

    rows: Callable[[Path], list[Row]]
    shares: dict[str, float]
    source: str
    #: Texts (``text_key``) of an official test split that the defined train/val must not hold.
    official_test: Callable[[Path], set[str]] | None = None


SPLIT_RULES: dict[str, SplitRule] = {
    "arabic-reviews": SplitRule(
        _arabic_rows, {"test": 0.15, "val": 0.10}, "arabic-reviews/{PROD,RES1,RES2,ATT}.csv, data rows from 1"
    ),
    "twitter-airline-sentiment": SplitRule(
        _airline_rows, {"test": 0.20, "val": 0.10}, "twitter-airline-sentiment/Tweets.csv, data rows from 1"
    ),
    "complaints-social-media": SplitRule(
        _complaint_rows, {"test": 0.20, "val": 0.10}, "complaints-social-media/complaints-data.csv, rows from 1"
    ),
    "germeval2017": SplitRule(
        _germeval_dev_rows,
        {"test": 0.0, "val": 0.15},
        "germeval2017/fixed/dev-2017-09-15.xml, documents from 1 (test is the official test_syn)",
        _germeval_test_texts,
    ),
}


def _rank(example_id: str) -> str:
    return hashlib.sha256(f"{SEED}:{example_id}".encode()).hexdigest()


def define_splits(name: str, data: Path) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Cut a set without an official split: ids per split (in row order) and what was dropped.

    Duplicates, empty texts and texts of an official test split are dropped before cutting, so a
    text can only land in one split;
    each stratum is cut by rank, so the split of a row depends on its id and the seed alone.
    """
    rule = SPLIT_RULES[name]
    official_test = rule.official_test(data) if rule.official_test else set()
    seen: set[str] = set()
    strata: dict[str, list[Row]] = {}
    dropped = {"duplicate": 0, "empty": 0, "in_official_test": 0}
    rows = rule.rows(data)
    for row in rows:
        key = text_key(row.example.text)
        if not key:
            dropped["empty"] += 1
        elif key in official_test:
            dropped["in_official_test"] += 1
        elif key in seen:
            dropped["duplicate"] += 1
        else:
            seen.add(key)
            strata.setdefault(row.stratum, []).append(row)
    split_of: dict[str, str] = {}
    for members in strata.values():
        ranked = sorted(members, key=lambda r: _rank(r.example.id))
        n_test = round(len(ranked) * rule.shares["test"])
        n_val = round(len(ranked) * rule.shares["val"])
        for index, row in enumerate(ranked):
            split_of[row.example.id] = "test" if index < n_test else "val" if index < n_test + n_val else "train"
    ids: dict[str, list[str]] = {split: [] for split in SPLITS}
    for row in rows:
        if row.example.id in split_of:
            ids[split_of[row.example.id]].append(row.example.id)
    return ids, dropped


def split_file_text(name: str, data: Path) -> str:
    """The split file of ``name`` as written: a small header and one line of ids per split."""
    ids, dropped = define_splits(name, data)
    rule = SPLIT_RULES[name]
    header = {
        "set": name,
        "rows": rule.source,
        "seed": SEED,
        "rule": (
            "exact duplicates (whitespace collapsed) kept at their first row; each stratum ordered by "
            "sha256(seed:id) and cut into test, val, train by these shares"
        ),
        "shares": rule.shares,
        "dropped": dropped,
        "counts": {split: len(ids[split]) for split in SPLITS},
    }
    lines = [f'  "{key}": {json.dumps(value, ensure_ascii=False)},' for key, value in header.items()]
    body = ",\n".join(f'    "{split}": {json.dumps(_group_rows(ids[split]))}' for split in SPLITS)
    return "{\n" + "\n".join(lines) + '\n  "splits": {\n' + body + "\n  }\n}\n"


def _group_rows(ids: Sequence[str]) -> dict[str, list[int]]:
    """``["A.csv:1", "A.csv:4", "B.csv:2"]`` -> ``{"A.csv": [1, 4], "B.csv": [2]}`` (a third of the bytes)."""
    grouped: dict[str, list[int]] = {}
    for example_id in ids:
        file, _, row = example_id.rpartition(":")
        grouped.setdefault(file, []).append(int(row))
    return grouped


def write_split_files(data: Path, out_dir: Path = SPLITS_DIR) -> list[Path]:
    """(Re)write every defined split file; the committed ones must come out byte for byte."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in SPLIT_RULES:
        path = out_dir / f"{name}.json"
        path.write_text(split_file_text(name, data), encoding="utf-8")
        paths.append(path)
    return paths


def read_split_file(name: str, directory: Path = SPLITS_DIR) -> dict[str, list[str]]:
    """Ids per split of a defined set, as committed."""
    path = directory / f"{name}.json"
    try:
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot read the split file {path}: {err}") from err
    return {
        split: [f"{file}:{row}" for file, rows in document["splits"][split].items() for row in rows] for split in SPLITS
    }


def _defined(name: str) -> Callable[[Path], Splits]:
    def load(data: Path) -> Splits:
        by_id = {row.example.id: row.example for row in SPLIT_RULES[name].rows(data)}
        defined = read_split_file(name)
        missing = [i for split in SPLITS for i in defined[split] if i not in by_id]
        if missing:
            raise ModelError(f"{name}: {len(missing)} ids of the split file are not in the data (first {missing[0]})")
        return {split: [by_id[i] for i in defined[split]] for split in SPLITS}

    load.__doc__ = f"{name} cut by the committed split file models/reading/{name}.json."
    return load


# --- the sets ------------------------------------------------------------------------------------

THREE = tuple(LABELS)
UMSAB_ANCHORS = {
    "ar": "66.9",
    "en": "70.6",
    "fr": "71.2",
    "de": "77.3",
    "hi": "56.4",
    "it": "69.1",
    "pt": "75.4",
    "es": "67.9",
}
SEMEVAL_ANCHORS = {"en": "88.13", "es": "83.58", "fr": "78.83", "ru": "77.92"}
SEMEVAL_NOTE = "per opinion given gold aspect categories (Slot3), not per sentence"

SETS: tuple[ReadingSet, ...] = (
    ReadingSet(
        "xlm-t-umsab",
        THREE,
        "macro-F1",
        "official",
        "tweets, 8 languages, balanced 3-class test (the model's own training benchmark)",
        load_umsab,
        _product_label,
        {
            lang: Anchor(
                figure, "XLM-T multi (Barbieri et al. 2022)", True, "XLM-R base further pre-trained, 2.4x our size"
            )
            for lang, figure in UMSAB_ANCHORS.items()
        },
        "repository Apache-2.0; the underlying tweet sets (SemEval-2017, DEFT-2017, SB-10K, SAIL-2015, SENTIPOLC-2016, SentiBR, InterTASS-2017) may restrict use: research and evaluation only",
    ),
    ReadingSet(
        "semeval2016-absa",
        THREE,
        "accuracy",
        "official",
        "restaurant review sentences (en, es, fr, ru) whose opinions share one polarity",
        load_semeval,
        _product_label,
        {
            lang: Anchor(figure, "SemEval-2016 best Slot3", True, SEMEVAL_NOTE)
            for lang, figure in SEMEVAL_ANCHORS.items()
        },
        "French annotations CC BY-NC-ND 4.0; the other languages under the task's non-commercial research terms (not verified): research only, no redistribution",
    ),
    ReadingSet(
        "germeval2017",
        THREE,
        "micro-F1",
        "official test_syn; train/val defined from dev",
        "German posts and news about Deutsche Bahn: document sentiment, relevant documents only",
        load_germeval,
        _product_label,
        {
            "de": Anchor(
                "74.9",
                "best GermEval 2017 subtask B (synchronic)",
                False,
                "BERT re-evaluation 80.7 (unverified); the task's documents may include irrelevant ones",
            )
        },
        "CC BY-NC 4.0 (the organisers' dataset card)",
    ),
    ReadingSet(
        "indonlu-smsa",
        THREE,
        "macro-F1",
        "official",
        "Indonesian reviews and comments: document sentiment",
        load_smsa,
        _product_label,
        {"id": Anchor("~90-93", "IndoNLU paper, large IndoBERT / XLM-R", False)},
        "IndoNLU repository Apache-2.0 (its README badge says MIT); no separate data licence; cite Wilie et al. 2020",
    ),
    ReadingSet(
        "arabic-reviews",
        ("negative", "positive"),
        "accuracy",
        "defined",
        "Arabic product, restaurant and attraction reviews, positive vs negative",
        _defined("arabic-reviews"),
        _positive_or_negative,
        {
            "ar": Anchor(
                "~88-89",
                "2-class, classical baselines (ElSahar & El-Beltagy 2015)",
                True,
                "restaurants only, their own split",
            )
        },
        "none stated; cite ElSahar & El-Beltagy 2015: research only",
    ),
    ReadingSet(
        "twitter-airline-sentiment",
        THREE,
        "accuracy",
        "defined",
        "English tweets to US airlines (2015), 3-class, mostly negative",
        _defined("twitter-airline-sentiment"),
        _product_label,
        {"en": Anchor("~80-85", "fine-tuned transformers, random splits", False)},
        "CC BY-NC-SA 4.0 (dataset card); tweets also under X/Twitter terms",
    ),
    ReadingSet(
        "complaints-social-media",
        ("complaint", "not_complaint"),
        "macro-F1",
        "defined",
        "English tweets to customer-service accounts: complaint (read: product says negative) or not",
        _defined("complaints-social-media"),
        _complaint,
        {
            "en": Anchor(
                "79",
                "F1, trained complaint classifier, 10-fold CV (Preotiuc-Pietro et al. 2019)",
                False,
                "the paper's F1 read as macro-F1",
            )
        },
        "none stated (released with Preotiuc-Pietro et al. 2019); tweets under X/Twitter terms",
    ),
    ReadingSet(
        "german-hotel-aspects",
        THREE,
        "macro-F1",
        "official",
        "German hotel review sentences whose aspect polarities agree",
        load_hotel,
        _product_label,
        {"de": Anchor("", "none: SuperGLEBer reports aspect+polarity micro-F1 only", True)},
        "none stated in the SuperGLEBer repository: research only until the source is checked",
    ),
)


def reading_set(name: str) -> ReadingSet:
    """The set called ``name``; the error lists the names."""
    for candidate in SETS:
        if candidate.name == name:
            return candidate
    raise ModelError(f"no reading set {name!r}; sets: {', '.join(s.name for s in SETS)}")


def figures(entry: ReadingSet, group: Sequence[Example], predictions: Sequence[Prediction]) -> dict[str, Any]:
    """One set and language read by some model: ``n``, the set's metric as ``value``, and both of
    accuracy and macro-F1 (x 100, the set's labels, the product's reading mapped by ``entry.read``)."""
    gold = [entry.labels.index(e.label) for e in group]
    read = [entry.labels.index(entry.read(p)) for p in predictions]
    acc, f1 = 100 * accuracy(gold, read), 100 * macro_f1(gold, read, len(entry.labels))
    return {
        "n": len(group),
        "value": round(f1 if entry.metric == "macro-F1" else acc, 2),
        "accuracy": round(acc, 2),
        "macro_f1": round(f1, 2),
    }


def languages(examples: Sequence[Example]) -> list[str]:
    """The languages of ``examples`` in order of first appearance."""
    return list(dict.fromkeys(e.language for e in examples))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sentiment.training.reading", description=__doc__.split("\n")[0])
    parser.add_argument("--write-splits", action="store_true", help="rewrite models/reading/<set>.json")
    args = parser.parse_args(argv)
    data = shared_data_dir()
    if args.write_splits:
        for path in write_split_files(data):
            print(f"wrote {path}")
    for entry in SETS:
        splits = entry.load(data)
        print(entry.name, {split: len(splits[split]) for split in SPLITS})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
