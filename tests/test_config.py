from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sentiment.config import Channel, load_config, parse_config
from sentiment.errors import ConfigError
from sentiment.taxonomy import load_taxonomy
from tests.helpers import monitor

BRANDS = [{"name": "Acme", "locations": [{"name": "Acme Oslo"}]}]


def test_valid_config_resolves_brands_and_timezone() -> None:
    cfg = monitor()
    assert cfg.brand("Bella Caffè").locations[0].aliases == ["Kraków Rynek", "Rynek Główny"]
    assert cfg.tz.key == "Europe/Warsaw"
    assert cfg.alerts.cooldown_days == 7


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("brands:\n  - name: Acme\n    aliases: [unclosed\n")
    with pytest.raises(ConfigError, match=r"not valid YAML at line \d+, column \d+"):
        load_config(path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml' does not exist"):
        load_config(tmp_path / "nope.yaml")


def test_unknown_field_names_path_and_value() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config({"brands": BRANDS, "alerts": {"recent_dayz": 3}})
    assert "alerts.recent_dayz: unknown field" in str(err.value)


def test_out_of_range_value_names_field_bound_and_value() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config({"brands": BRANDS, "alerts": {"min_mentions": 1}})
    assert "alerts.min_mentions: Input should be greater than or equal to 3 (got 1)" in str(err.value)


def test_source_with_unknown_brand_lists_allowed() -> None:
    source = {"name": "s1", "kind": "rss", "url": "https://example.org/feed", "brand": "Acmee"}
    with pytest.raises(ConfigError, match=r"brand 'Acmee' is not configured; allowed: \['Acme'\]"):
        parse_config({"brands": BRANDS, "sources": [source]})


def test_source_with_location_of_another_brand_is_refused() -> None:
    source = {"name": "s1", "kind": "rss", "url": "https://x.org/f", "brand": "Acme", "location": "Oslo"}
    with pytest.raises(
        ConfigError, match=r"location 'Oslo' is not a location of brand 'Acme'; allowed: \['Acme Oslo'\]"
    ):
        parse_config({"brands": BRANDS, "sources": [source]})


def test_non_http_url_is_refused() -> None:
    source = {"name": "s1", "kind": "rss", "url": "ftp://x.org/f", "brand": "Acme"}
    with pytest.raises(ConfigError, match=r"'ftp://x\.org/f' is not an allowed URL; allowed: URLs starting with http"):
        parse_config({"brands": BRANDS, "sources": [source]})
    local = {"name": "s1", "kind": "rss", "url": "file:///tmp/feed.xml", "brand": "Acme"}
    with pytest.raises(ConfigError, match=r"allowed: URLs starting with http:// or https://"):
        parse_config({"brands": BRANDS, "sources": [local]})
    export = {**local, "kind": "file", "url": "file:///tmp/export.csv"}
    assert parse_config({"brands": BRANDS, "sources": [export]}).sources[0].url == "file:///tmp/export.csv"


def test_brand_exclusions_are_configured() -> None:
    cfg = parse_config({"brands": [{"name": "Apple", "exclude": ["Apple Tree"]}]})
    assert cfg.brands[0].exclude == ["Apple Tree"]


def test_bad_timezone_says_what_is_allowed() -> None:
    with pytest.raises(ConfigError, match="'Mars/Olympus' is not a known IANA time zone"):
        parse_config({"brands": BRANDS, "timezone": "Mars/Olympus"})


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"brand names must be unique; 'Acme' appears more than once"):
        parse_config({"brands": BRANDS + BRANDS})


def test_env_references_are_expanded_and_missing_ones_named(monkeypatch: pytest.MonkeyPatch) -> None:
    source = {"name": "s1", "kind": "rss", "url": "${FEED_BASE}/feed.xml", "brand": "Acme"}
    monkeypatch.setenv("FEED_BASE", "http://127.0.0.1:9999")
    assert parse_config({"brands": BRANDS, "sources": [source]}).sources[0].url == "http://127.0.0.1:9999/feed.xml"
    monkeypatch.delenv("FEED_BASE")
    with pytest.raises(ConfigError, match=r"sources\[0\].url: environment variable FEED_BASE is referenced"):
        parse_config({"brands": BRANDS, "sources": [source]})


def test_channel_url_comes_from_env_and_errors_never_show_it(monkeypatch: pytest.MonkeyPatch) -> None:
    channel = Channel(name="ops", url_env="OPS_HOOK")
    monkeypatch.delenv("OPS_HOOK", raising=False)
    with pytest.raises(ConfigError, match="environment variable OPS_HOOK is not set"):
        channel.url()
    monkeypatch.setenv("OPS_HOOK", "not-a-url-secret-token-123")
    with pytest.raises(ConfigError) as err:
        channel.url()
    assert "secret-token" not in str(err.value)
    monkeypatch.setenv("OPS_HOOK", "https://hooks.example.org/T000/secret")
    assert channel.url() == "https://hooks.example.org/T000/secret"


MORTGAGE = {
    "id": "mortgage",
    "name": "Mortgages",
    "description": "Home loans: mortgage rates, applications, approvals and repayments.",
    "examples": {"en": ["My mortgage application took months."], "pl": ["Kredyt hipoteczny jest za drogi."]},
}


def test_topics_default_to_the_bundled_taxonomy() -> None:
    topics = parse_config({"brands": BRANDS}).topics
    assert (topics.enabled, topics.model, topics.taxonomy, topics.extend, topics.replace) == (
        True,
        "default",
        "default",
        [],
        False,
    )
    assert "wait_time" in load_taxonomy(topics).ids


def test_a_topics_section_extends_or_replaces_the_taxonomy() -> None:
    extended = parse_config({"brands": BRANDS, "topics": {"extend": [MORTGAGE], "model": "heads/bank"}}).topics
    assert extended.model == "heads/bank" and extended.extend[0].examples["pl"] == ["Kredyt hipoteczny jest za drogi."]
    ids = load_taxonomy(extended).ids
    assert ids[-1] == "mortgage" and ids[:-1] == load_taxonomy().ids
    replaced = parse_config({"brands": BRANDS, "topics": {"replace": True, "extend": [MORTGAGE]}}).topics
    assert load_taxonomy(replaced).ids == ["mortgage"]
    assert parse_config({"brands": BRANDS, "topics": {"enabled": False}}).topics.enabled is False


@pytest.mark.parametrize(
    ("topics", "messages"),
    [
        (
            {"extend": [{**MORTGAGE, "id": "Home Loans"}]},
            ["topics.extend.0.id: String should match pattern", "(got 'Home Loans')"],
        ),
        (
            {"extend": [{**MORTGAGE, "id": "other"}]},
            ["topics.extend.0.id: 'other' is the bucket for texts without a topic; choose another id (got 'other')"],
        ),
        ({"batch_size": 64}, ["topics.batch_size: unknown field", "(got 64)"]),
        ({"enabled": "sometimes"}, ["topics.enabled: Input should be a valid boolean", "(got 'sometimes')"]),
        ({"taxonomi": "bank.yaml"}, ["topics.taxonomi: unknown field", "(got 'bank.yaml')"]),
        ({"replace": True}, ["topics: topics.replace is true but topics.extend is empty"]),
    ],
)
def test_a_bad_topics_section_names_the_field_and_the_value(topics: dict[str, object], messages: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config({"brands": BRANDS, "topics": topics})
    for message in messages:
        assert message in str(err.value)


def test_a_relative_taxonomy_file_is_read_beside_the_config(tmp_path: Path) -> None:
    (tmp_path / "bank.yaml").write_text(yaml.safe_dump({"version": 1, "topics": [MORTGAGE]}), encoding="utf-8")
    path = tmp_path / "monitor.yaml"
    path.write_text(yaml.safe_dump({"brands": BRANDS, "topics": {"taxonomy": "bank.yaml"}}), encoding="utf-8")
    assert load_taxonomy(load_config(path).topics, base_dir=path.parent).ids == ["mortgage"]


def _alias_bomb(levels: int) -> str:
    """The "billion laughs": each level is nine aliases of the level before, 9**levels nodes in all."""
    lines = ["brands: [{name: Acme}]", 'l0: &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_after_a_bounded_number_of_nodes(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_alias_bomb(9), encoding="utf-8")  # 387 million nodes if expanded
    with pytest.raises(ConfigError) as err:
        load_config(path)
    # Refused at the first alias of level 4, once 15670 nodes (not 9**9) had been brought in by aliases:
    # levels 1-3 bring in 90 + 819 + 7380, and level 4's first alias 7381 more.
    assert str(err.value) == (
        f"config file {str(path)!r} is refused at line 6, column 10: alias *l3 brings in 7381 nodes, "
        "15670 by aliases so far; allowed: at most 10000 nodes brought in by aliases in all"
    )


def test_an_alias_inside_its_own_anchor_is_refused_without_recursing(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("brands: &b [{name: Acme, locations: *b}]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:  # not a RecursionError
        load_config(path)
    assert str(err.value) == (
        f"config file {str(path)!r} is refused at line 1, column 37: alias *b lies inside its own anchor &b "
        "(a self-referencing structure); allowed: aliases to an anchor whose node is complete"
    )
    path.write_text("brands: [{name: Acme}]\nbase: &m {a: 1, <<: *m}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 2, column 21: alias \*m lies inside its own anchor &m"):
        load_config(path)


def test_runaway_nesting_is_refused_without_recursing(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("brands: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"is refused at line 1, column 72: collections nest more than 64 levels"):
        load_config(path)


def test_an_anchor_shared_by_a_few_aliases_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "shared.yaml"
    path.write_text(
        "brands:\n"
        "  - name: Acme\n"
        "    locations:\n"
        "      - {name: Acme Oslo, address: &addr {city: Oslo, country: Norway}}\n"
        "      - {name: Acme Oslo S, address: {<<: *addr, street: Jernbanetorget 1}}\n"
        "sources:\n"
        "  - {name: r1, kind: review_page, url: 'https://a.example/1', brand: Acme, options: &opts {max_pages: 3}}\n"
        "  - {name: r2, kind: review_page, url: 'https://a.example/2', brand: Acme, options: *opts}\n",
        encoding="utf-8",
    )
    cfg = load_config(path)
    assert [s.options for s in cfg.sources] == [{"max_pages": 3}, {"max_pages": 3}]
    assert [loc.address.one_line() for loc in cfg.brands[0].locations if loc.address] == [
        "Oslo, Norway",
        "Jernbanetorget 1, Oslo, Norway",
    ]
    # The bound itself: three levels of nine aliases (8289 nodes by aliases) still load.
    path.write_text(_alias_bomb(4), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"l0: unknown field"):  # loaded, then refused by validation
        load_config(path)
