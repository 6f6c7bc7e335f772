"""The training mixtures on the real shared data: groups, caps, no test text, a held-out language."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment.errors import ModelError
from sentiment.training import reading
from sentiment.training.data import LANGUAGES, default_data_dir, load_split
from sentiment.training.finetune import write_bundle
from sentiment.training.mixture import TRAIN_PER_GROUP, VAL_PER_GROUP, load_mixture


def test_the_umsab_mixture_is_the_committed_recipes_data() -> None:
    mixture = load_mixture("umsab", default_data_dir())
    assert [g.name for g in mixture.groups] == list(LANGUAGES)
    english = mixture.groups[LANGUAGES.index("english")]
    assert english.texts["train"] == load_split(default_data_dir(), "english", "train").texts
    assert mixture.sizes()["hindi"] == {"train": 1839, "val": 324}


def test_the_reading_mixture_has_a_group_per_set_and_language_and_no_test_text() -> None:
    mixture = load_mixture("reading", default_data_dir())
    names = [g.name for g in mixture.groups]
    assert len(names) == 17
    assert {"semeval2016-absa/ru", "germeval2017/de", "indonlu-smsa/id", "arabic-reviews/ar"} <= set(names)
    assert not any(n.startswith("complaints-social-media") for n in names)  # not sentiment: evaluated only
    for group in mixture.groups:
        assert 0 < len(group.texts["train"]) <= TRAIN_PER_GROUP and 0 < len(group.texts["val"]) <= VAL_PER_GROUP
        assert set(group.labels["train"]) <= {0, 1, 2}
    test_texts = {
        reading.text_key(e.text) for entry in reading.SETS for e in entry.load(reading.shared_data_dir())["test"]
    }
    trained = {reading.text_key(t) for g in mixture.groups for s in ("train", "val") for t in g.texts[s]}
    assert not trained & test_texts
    # The same draw every time.
    again = load_mixture("reading", default_data_dir())
    assert [g.texts["train"][:5] for g in again.groups] == [g.texts["train"][:5] for g in mixture.groups]


def test_a_held_out_language_is_left_out_of_training_and_validation() -> None:
    without = load_mixture("reading", default_data_dir(), hold_out="id")
    assert without.name == "reading-without-id"
    assert "indonlu-smsa/id" not in [g.name for g in without.groups] and len(without.groups) == 16
    with pytest.raises(ModelError, match="no set has language 'xx'"):
        load_mixture("reading", default_data_dir(), hold_out="xx")
    with pytest.raises(ModelError, match="allowed: --mixture reading"):
        load_mixture("umsab", default_data_dir(), hold_out="id")


def test_a_bundle_with_umsab_test_splits_needs_the_umsab_mixture(tmp_path: Path) -> None:
    mixture = load_mixture("reading", default_data_dir())
    with pytest.raises(ModelError, match="allowed: --with-test with --mixture umsab"):
        write_bundle(tmp_path / "b.safetensors", mixture, None, with_test_from=default_data_dir())
    assert not (tmp_path / "b.safetensors").exists()
