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
    assert (topics.enabled, topics.taxonomy, topics.extend, topics.replace) == (True, "default", [], False)
    assert "wait_time" in load_taxonomy(topics).ids


def test_a_topics_section_extends_or_replaces_the_taxonomy() -> None:
    extended = parse_config({"brands": BRANDS, "topics": {"extend": [MORTGAGE], "batch_size": 16}}).topics
    assert extended.batch_size == 16 and extended.extend[0].examples["pl"] == ["Kredyt hipoteczny jest za drogi."]
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
        ({"batch_size": 0}, ["topics.batch_size: Input should be greater than or equal to 1 (got 0)"]),
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
