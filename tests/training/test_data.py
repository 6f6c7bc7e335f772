"""Reading the xlm-t-umsab splits from shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment.errors import ModelError
from sentiment.training.data import LANGUAGES, clean_text, load_split


def test_clean_text_undoes_export_artefacts() -> None:
    assert clean_text("c\\u2019mon &amp; go ") == "c’mon & go"
    assert clean_text("Frank Gaffrey\\u002c Cliff") == "Frank Gaffrey, Cliff"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_the_documented_sizes(shared_data: Path, language: str) -> None:
    root = shared_data / "xlm-t-umsab"
    sizes = {s: len(load_split(root, language, s).texts) for s in ("train", "val", "test")}
    assert sizes == {"train": 1839, "val": 324, "test": 870}
    test = load_split(root, language, "test")
    assert [test.labels.count(c) for c in (0, 1, 2)] == [290, 290, 290]


def test_mismatched_files_name_both(tmp_path: Path) -> None:
    folder = tmp_path / "english"
    folder.mkdir()
    (folder / "val_text.txt").write_text("a\nb\nc", encoding="utf-8")
    (folder / "val_labels.txt").write_text("0\n1", encoding="utf-8")
    with pytest.raises(ModelError, match=r"has 3 lines but .*val_labels\.txt has 2"):
        load_split(tmp_path, "english", "val")


def test_unknown_labels_are_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "english"
    folder.mkdir()
    (folder / "val_text.txt").write_text("a\nb", encoding="utf-8")
    (folder / "val_labels.txt").write_text("0\n5", encoding="utf-8")
    with pytest.raises(ModelError, match="labels other than 0, 1, 2"):
        load_split(tmp_path, "english", "val")
