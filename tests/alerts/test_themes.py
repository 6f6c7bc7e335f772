from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from sentiment import pipeline
from sentiment.alerts.themes import ThemeMention, find_themes, reference_centre, reference_texts, theme_alert
from sentiment.model.embedded import ensure_encoder
from sentiment.model.encoder import E5Encoder
from sentiment.store import Store

AS_OF = date(2026, 11, 23)
BRAND, KRAKOW, BERLIN = "Bella Caffè", "Bella Kraków", "Bella Berlin"


def _mention(i: int, kind: str, *, location: str | None = KRAKOW, author: str | None = None,
             day: date = AS_OF) -> ThemeMention:  # fmt: skip
    texts = {"app": f"The app crashes at login, order {i} lost", "fee": f"A new service fee on bill {i}",
             "misc": f"Something else entirely, matter {i}"}  # fmt: skip
    return ThemeMention(f"{kind}{i:02d}", BRAND, location, day, texts[kind], author or f"author{i}", -0.5 - i / 100)


def _embed(texts: Sequence[str]) -> np.ndarray:
    """Hand-made embeddings in 64 dimensions: texts about the app or the fee share a direction (plus a
    little noise); anything else points somewhere of its own, as unrelated complaints do."""
    rows = []
    for t in texts:
        rng = np.random.default_rng(zlib.crc32(t.encode()))
        if "app" in t or "fee" in t:
            base = np.zeros(64)
            base[0 if "app" in t else 1] = 1.0
            rows.append(base + 0.05 * rng.normal(size=64))
        else:
            rows.append(rng.normal(size=64))
    out = np.array(rows)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


BACKGROUND = [_mention(i, "misc", location=BERLIN) for i in range(50, 62)]


def _find(recent: list[ThemeMention], earlier: list[ThemeMention] | None = None) -> list:  # type: ignore[type-arg]
    return find_themes(recent + BACKGROUND, earlier or [], _embed, np.zeros(64), min_mentions=4, min_authors=2,
                       similarity=0.5)  # fmt: skip


def test_similar_complaints_no_topic_covers_become_a_theme() -> None:
    (theme,) = _find([_mention(i, "app") for i in range(5)])
    assert (theme.brand, theme.location, theme.authors, theme.earlier) == (BRAND, KRAKOW, 5, 0)
    assert [m.mention_id for m in theme.mentions] == ["app00", "app01", "app02", "app03", "app04"]
    assert theme.words == ("crashes", "login", "lost", "order")
    alert = theme_alert(theme, AS_OF, 7)
    assert alert.message == (
        "Emerging theme at Bella Kraków (Bella Caffè): 5 negative mentions no topic covers, from 5 authors, "
        "over 2026-11-17..2026-11-23 (0 like them in the 28 days before); shared words: crashes, login, lost, order"
    )
    assert (alert.rule, alert.scope, alert.n_recent, alert.baseline_start) == (
        "emerging_theme", "location", 5, date(2026, 10, 20),
    )  # fmt: skip
    assert [q["mention_id"] for q in alert.details["examples"]] == ["app04", "app03", "app02"]  # most negative
    assert theme_alert(theme, AS_OF, 7).id == alert.id


def test_one_author_or_too_few_mentions_make_no_theme() -> None:
    assert _find([_mention(i, "app", author="same-person") for i in range(6)]) == []
    assert _find([_mention(i, "app") for i in range(3)]) == []
    # unknown authors count apart
    (theme,) = _find(
        [ThemeMention(f"x{i}", BRAND, KRAKOW, AS_OF, f"the app crashes {i}", None, -0.6) for i in range(4)]
    )
    assert theme.authors == 4


def test_a_theme_already_heard_before_is_not_new() -> None:
    recent = [_mention(i, "fee") for i in range(4)]
    before = [_mention(i, "fee", day=date(2026, 11, 1)) for i in range(10, 14)]
    assert _find(recent, before) == []
    (theme,) = _find(recent, before[:3])
    assert theme.earlier == 3


def test_a_theme_spread_over_locations_is_the_brands() -> None:
    recent = [_mention(i, "app", location=KRAKOW if i % 2 else BERLIN) for i in range(6)]
    (theme,) = _find(recent)
    assert theme.location is None and theme_alert(theme, AS_OF, 7).scope == "brand"


@pytest.mark.slow
def test_the_encoder_groups_one_complaint_told_four_ways() -> None:
    encoder = E5Encoder(ensure_encoder())
    texts = [
        "The new app keeps crashing when I try to log in, useless.",
        "App crashed again at login. Cannot order anything!",
        "Your app crashes every time I log in to pay. Fix it.",
        "Since the update the app crashes whenever I log in.",
        "Too expensive for what you get.",
        "Waited 40 minutes for a latte.",
        "Nobody answers the phone at this branch.",
        "The toilets were filthy.",
    ]
    recent = [ThemeMention(f"m{i}", BRAND, KRAKOW, AS_OF, t, f"a{i}", -0.7) for i, t in enumerate(texts)]

    def embed(ts: Sequence[str]) -> np.ndarray:
        return encoder.embed(ts, prefix="query: ")

    (theme,) = find_themes(recent, [], embed, reference_centre(embed), min_mentions=4, min_authors=2, similarity=0.5)
    assert [m.mention_id for m in theme.mentions] == ["m0", "m1", "m2", "m3"]
    assert theme.words == ("crashes",)


def test_the_reference_centre_is_embedded_once_per_encoder(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The nightly rule keeps the taxonomy texts' mean beside the encoder: the second night embeds none
    of them again, and a cache it cannot write costs only a log line."""
    embedded: list[int] = []

    def counting(texts: Sequence[str]) -> np.ndarray:
        embedded.append(len(texts))
        return _embed(texts)

    first = pipeline._theme_centre(tmp_path, counting)
    assert embedded == [len(reference_texts())] and len(reference_texts()) > 500
    assert [p.name.startswith("theme-centre-") for p in tmp_path.iterdir()] == [True]
    again = pipeline._theme_centre(tmp_path, counting)
    assert embedded == [len(reference_texts())]
    assert np.array_equal(first, again) and np.array_equal(first, reference_centre(_embed))

    not_a_folder = tmp_path / "encoder-is-a-file"
    not_a_folder.write_text("x")  # nothing can be written under it, not even by root
    assert np.array_equal(pipeline._theme_centre(not_a_folder, counting), first)
    assert "could not keep the theme centre" in caplog.text


@pytest.mark.slow
def test_theme_vectors_are_kept_for_the_next_night_and_only_those_read(tmp_path: Path) -> None:
    """A quiet night embeds no text an earlier night embedded; the store keeps only the last night's texts."""
    texts = ["The app crashes at login.", "Nobody answers the phone.", "Too expensive.", "Filthy toilets."]
    with Store(tmp_path / "m.duckdb") as store:
        first = pipeline.ThemeEmbed(store, None)
        vectors = first(texts)
        assert first(texts[:2]).tolist() == vectors[:2].tolist()  # the same night: from memory
        assert (first.embedded, first.reused) == (4, 0)
        first.keep()
        fresh = E5Encoder(first.encoder_dir).embed(texts, prefix="query: ")
        assert np.abs(vectors - fresh).max() < 1e-5

        second = pipeline.ThemeEmbed(store, None)
        again = second([texts[1], texts[0], "The card reader is broken."])
        assert (second.embedded, second.reused) == (1, 2)
        assert again[:2].tolist() == vectors[[1, 0]].tolist()  # bit for bit: read back, not recomputed
        assert abs(float(again[2] @ again[2]) - 1.0) < 1e-5
        second.keep()
        kept = store.theme_vectors(first.encoder_dir.name)
        assert len(kept) == 3  # "Too expensive." and "Filthy toilets." were not read: dropped
        store.keep_theme_vectors("another-encoder", {"k": b"\0" * 4}, ["k"])
        assert store.theme_vectors(first.encoder_dir.name) == {} and list(store.theme_vectors("another-encoder")) == [
            "k"
        ]
