"""What the sentiment model is trained on: groups of labelled texts, one group per set and language.

A *mixture* is a list of :class:`Group`; the bundle (:func:`sentiment.training.finetune.write_bundle`)
keeps each text's group, validation scores macro-F1 per group, and the epoch with the best mean over
groups is kept, so a large set cannot drown a small language.

Two mixtures exist:

- ``umsab``: the xlm-t-umsab tweets, every train and val text of its 8 languages, in the order the
  committed adapter (``models/embedded-sentiment``) was trained on;
- ``reading``: tweets, reviews and customer posts from every set of :mod:`sentiment.training.reading`
  whose labels are sentiment (complaint detection is evaluated, not trained on), every language, at
  most :data:`TRAIN_PER_GROUP` train and :data:`VAL_PER_GROUP` val texts per group, drawn by a seeded
  hash of the text's id (so a group's sample does not change when the set grows elsewhere). The test
  splits are never read. ``hold_out`` leaves one language out of training and validation entirely,
  to measure how the model reads a language it was not trained on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sentiment.errors import ModelError
from sentiment.records import LABELS
from sentiment.training import reading
from sentiment.training.data import LANGUAGES, load_split

MIXTURES = ("umsab", "reading")
#: Texts per group and split in the ``reading`` mixture. On 2 CPU cores a step of 32 texts costs
#: about 1.7 s, so three epochs of about 30,000 texts (every umsab, SemEval and GermEval train text;
#: 2,000 of each larger set) fit the 2-hour budget. A cap of 1,000 left GermEval's val score still
#: climbing after five epochs and cost umsab 1.2 points against the umsab-only model.
TRAIN_PER_GROUP = 2000
VAL_PER_GROUP = 300
#: Sets whose labels are not sentiment: scored by the reading benchmark, never trained on.
NOT_SENTIMENT = frozenset({"complaints-social-media"})
_SPLITS = ("train", "val")


@dataclass
class Group:
    """The train and val texts of one set in one language, labels as indices into ``LABELS``."""

    name: str
    texts: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class Mixture:
    """A named list of groups, with what the model card says about where they came from."""

    name: str
    groups: list[Group]
    sources: list[str]

    def texts(self, split: str) -> list[str]:
        return [t for g in self.groups for t in g.texts[split]]

    def sizes(self) -> dict[str, dict[str, int]]:
        return {g.name: {s: len(g.texts[s]) for s in _SPLITS} for g in self.groups}


def load_mixture(name: str, data_dir: Path, *, hold_out: str | None = None) -> Mixture:
    """The mixture called ``name`` (see the module docstring); ``data_dir`` is the xlm-t-umsab folder."""
    if name == "umsab":
        if hold_out is not None:
            raise ModelError("--hold-out works with the reading mixture; allowed: --mixture reading")
        return umsab_mixture(data_dir)
    if name == "reading":
        return reading_mixture(data_dir.parent, hold_out=hold_out)
    raise ModelError(f"unknown mixture {name!r}; allowed: {', '.join(MIXTURES)}")


def umsab_mixture(data_dir: Path) -> Mixture:
    groups = []
    for language in LANGUAGES:
        group = Group(language)
        for split in _SPLITS:
            data = load_split(data_dir, language, split)
            group.texts[split], group.labels[split] = data.texts, data.labels
        groups.append(group)
    return Mixture("umsab", groups, ["xlm-t-umsab (tweets; 8 languages)"])


def _sample(examples: list[reading.Example], cap: int) -> list[reading.Example]:
    """At most ``cap`` examples, chosen by a seeded hash of their ids, kept in their original order."""
    if len(examples) <= cap:
        return examples
    ranked = sorted(examples, key=lambda e: hashlib.sha256(f"{reading.SEED}\x1f{e.id}".encode()).hexdigest())
    keep = {e.id for e in ranked[:cap]}
    return [e for e in examples if e.id in keep]


def reading_mixture(shared_data: Path, *, hold_out: str | None = None) -> Mixture:
    """Every sentiment set of the reading benchmark, one group per set and language (see module)."""
    groups: list[Group] = []
    sources: list[str] = []
    found_hold_out = False
    for entry in reading.SETS:
        if entry.name in NOT_SENTIMENT:
            continue
        splits = entry.load(shared_data)
        sources.append(f"{entry.name}: {entry.measures}; licence: {entry.licence}")
        for language in reading.languages(splits["train"] + splits["val"]):
            if language == hold_out:
                found_hold_out = True
                continue
            group = Group(f"{entry.name}/{language}")
            for split, cap in (("train", TRAIN_PER_GROUP), ("val", VAL_PER_GROUP)):
                chosen = _sample([e for e in splits[split] if e.language == language], cap)
                group.texts[split] = [e.text for e in chosen]
                group.labels[split] = [LABELS.index(e.label) for e in chosen]
            if group.texts["train"] and group.texts["val"]:
                groups.append(group)
    if hold_out is not None and not found_hold_out:
        raise ModelError(f"no set has language {hold_out!r} to hold out")
    name = "reading" if hold_out is None else f"reading-without-{hold_out}"
    return Mixture(name, groups, sources)
