"""The default taxonomy as data, and the ``topics:`` config section that replaces or extends it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from sentiment.errors import ConfigError
from sentiment.taxonomy import OTHER, Topic, TopicSettings, default_taxonomy_path, load_taxonomy

BANK_TOPIC = {
    "id": "mortgage",
    "name": "Mortgages",
    "description": "Home loans: mortgage rates, applications, approvals and repayments.",
    "examples": {"en": ["My mortgage application took months."], "de": ["Die Baufinanzierung war teuer."]},
}


def test_default_taxonomy_has_the_customer_experience_topics_in_several_languages() -> None:
    taxonomy = load_taxonomy()
    assert len(taxonomy.topics) >= 12
    for expected in (
        "contact", "wait_time", "staff_attitude", "price_value", "product_quality", "delivery",
        "returns_refunds", "billing_payments", "cleanliness", "digital_self_service",
        "opening_hours_availability", "location_access",
    ):  # fmt: skip
        assert expected in taxonomy.ids
    for topic in taxonomy.topics:
        assert {"en", "de", "fr", "es", "it", "pl", "pt"} <= set(topic.examples), topic.id
        assert topic.texts()[0] == topic.description
    assert default_taxonomy_path().name == "taxonomy.yaml"


def test_extend_adds_and_overrides_topics_in_place() -> None:
    changed = load_taxonomy().topic("delivery").model_copy(update={"name": "Shipping"})
    taxonomy = load_taxonomy(TopicSettings(extend=[Topic.model_validate(BANK_TOPIC), changed]))
    assert taxonomy.ids[-1] == "mortgage"
    assert taxonomy.ids.index("delivery") == load_taxonomy().ids.index("delivery")
    assert taxonomy.topic("delivery").name == "Shipping"


def test_replace_keeps_only_the_configured_topics() -> None:
    taxonomy = load_taxonomy(TopicSettings(replace=True, extend=[Topic.model_validate(BANK_TOPIC)]))
    assert taxonomy.ids == ["mortgage"]


def test_a_taxonomy_file_relative_to_the_config_folder(tmp_path: Path) -> None:
    (tmp_path / "bank.yaml").write_text(
        "version: 1\ntopics:\n  - id: mortgage\n    name: Mortgages\n"
        "    description: Home loans and their rates.\n    examples: {en: [Rates went up.]}\n",
        encoding="utf-8",
    )
    assert load_taxonomy(TopicSettings(taxonomy="bank.yaml"), base_dir=tmp_path).ids == ["mortgage"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("topics: [", "not valid YAML"),
        ("topics: []", "topics: List should have at least 1 item"),
        ("topics:\n  - {id: Bad Id, name: x, description: long enough here}", "topics.0.id"),
    ],
)
def test_a_bad_taxonomy_file_names_the_file_and_the_field(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as err:
        load_taxonomy(TopicSettings(taxonomy=str(path)))
    assert str(path) in str(err.value)


def test_settings_reject_replace_without_topics_and_other_as_an_id() -> None:
    with pytest.raises(ValidationError, match=r"topics\.extend is empty"):
        TopicSettings(replace=True)
    with pytest.raises(ValidationError, match="bucket for texts without a topic"):
        Topic.model_validate({**BANK_TOPIC, "id": OTHER})
    with pytest.raises(ValidationError, match="appears twice"):
        load_taxonomy().model_validate({"topics": [BANK_TOPIC, BANK_TOPIC]})


def test_a_fingerprint_changes_with_the_wording_only() -> None:
    topic = Topic.model_validate(BANK_TOPIC)
    assert topic.fingerprint() == Topic.model_validate({**BANK_TOPIC, "name": "Loans"}).fingerprint()
    reworded = {**BANK_TOPIC, "examples": {"en": ["Mortgage rates are too high."]}}
    assert topic.fingerprint() != Topic.model_validate(reworded).fingerprint()
