"""Near copies (a retweet, a syndicated article, a lightly edited review) link to their first copy, in one
batch and across nights through the real store; different texts, short texts and other brands do not."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from sentiment.store import Store
from sentiment.text import near_dups
from sentiment.text.prepare import prepare
from tests.helpers import mention, monitor

REVIEW = "We waited forty minutes for two coffees at the Rynek branch, the staff ignored us and the cake was stale."
EDITED = (
    "We waited forty minutes for two coffees at the Rynek branch, the staff ignored us and the cake was stale!! "
    "Never again."
)
ARTICLE = "Bella Caffè opens its tenth café in Kraków with a roastery, a reading room and a garden for 120 guests"


def test_words_drop_what_reposting_changes() -> None:
    assert near_dups.words("RT @bella_fan: Great #coffee at https://t.co/xYz @BellaCaffe, thanks!") == [
        "great",
        "coffee",
        "at",
        "thanks",
    ]


def test_a_retweet_and_an_edited_copy_are_similar_and_a_different_review_is_not() -> None:
    original = near_dups.signature(REVIEW)
    retweet = near_dups.signature(f"RT @anna: {REVIEW} https://t.co/abc")
    edited = near_dups.signature(EDITED)
    other = near_dups.signature("Lovely cakes and a calm room to read in, the staff smiled and the coffee was hot.")
    assert original is not None and retweet is not None and edited is not None and other is not None
    assert near_dups.similarity(original, retweet) == 1.0
    assert near_dups.similarity(original, edited) >= near_dups.THRESHOLD
    assert near_dups.similarity(original, other) < 0.2
    assert near_dups.signature("Great coffee, friendly staff, will come back") is None  # 7 words: too short


def test_near_copies_in_one_batch_link_to_the_oldest_and_count_apart() -> None:
    out = prepare(
        [
            mention("b", f"RT @anna: {REVIEW}", author="Bob", day=3),
            mention("a", REVIEW, author="Anna", day=1),
            mention("c", EDITED, author="Cleo", day=2),
            mention("d", ARTICLE, author="Dan", day=2),
        ],
        monitor=monitor(),
        salt="s",
    )
    by_item = {m.source_item_id: m for m in out.mentions}
    first = by_item["a"]
    assert (by_item["b"].duplicate_of, by_item["c"].duplicate_of) == (first.id, first.id)
    assert (first.duplicate_of, by_item["d"].duplicate_of) == (None, None)
    assert (out.duplicates, out.near_duplicates) == (2, 2)
    assert first.minhash is not None and len(first.band_keys) == near_dups.BANDS
    assert by_item["b"].minhash is None  # only first copies are kept for later nights


def test_the_same_text_about_two_brands_is_a_mention_of_each() -> None:
    out = prepare(
        [mention("a", ARTICLE, brand="Bella Caffè"), mention("b", f"{ARTICLE}!", brand="Nordbrew")],
        monitor=monitor(),
        salt="s",
    )
    assert [m.duplicate_of for m in out.mentions] == [None, None]


def test_a_near_copy_on_a_later_night_links_through_the_store(tmp_path: Path) -> None:
    tz = ZoneInfo("Europe/Warsaw")
    with Store(tmp_path / "m.duckdb") as store:
        night1 = prepare([mention("a", ARTICLE, source="news1", brand="Bella Caffè")], monitor=monitor(), salt="s")
        store.insert_mentions(night1.mentions, run_id="r1", tz=tz)
        syndicated = mention("x", f"{ARTICLE} (PAP)", source="news2", brand="Bella Caffè", day=4)
        night2 = prepare(
            [syndicated],
            monitor=monitor(),
            salt="s",
            first_copies=store.first_copies,
            near_copies=store.near_copies,
        )
        store.insert_mentions(night2.mentions, run_id="r2", tz=tz)
        assert night2.mentions[0].duplicate_of == night1.mentions[0].id
        rows = store.con.execute(
            "SELECT (SELECT count(*) FROM minhash_signatures), (SELECT count(*) FROM minhash_bands), "
            "(SELECT count(*) FROM mentions WHERE duplicate_of IS NOT NULL)"
        ).fetchone()
        assert rows == (1, near_dups.BANDS, 1)
