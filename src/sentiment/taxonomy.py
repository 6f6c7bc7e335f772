"""The topic taxonomy as data: the default customer-experience topics and a config section to change them.

A café's topics differ from a bank's, so topics are data (``taxonomy.yaml``, shipped with the package)
that a monitor config replaces or extends, never code. This module sits outside ``sentiment.model`` so
that ``sentiment.config`` can use :class:`TopicSettings` without importing the model package (which
imports the config). Each topic carries a description and, optionally, short multilingual examples;
what assigns topics is a head fitted on labelled examples (``sentiment topics fit``, read by
:mod:`sentiment.model.topic_reader`), so a config's topics must be ones its head was fitted on.
"""

from __future__ import annotations

import hashlib
import json
from importlib.resources import files
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sentiment.errors import ConfigError

DEFAULT_TAXONOMY = "default"
OTHER = "other"
_TOPIC_ID = r"^[a-z][a-z0-9_]{1,48}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Topic(_Strict):
    """One topic: a stable id (stored with every mention), a display name, and what it means."""

    id: str = Field(pattern=_TOPIC_ID)
    name: str = Field(min_length=1)
    description: str = Field(min_length=10)
    #: Short example sentences per language code (``en``, ``de``, ``pl``, ...).
    examples: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _not_other(cls, value: str) -> str:
        if value == OTHER:
            raise ValueError(f"{OTHER!r} is the bucket for texts without a topic; choose another id")
        return value

    def texts(self) -> list[str]:
        """What the encoder compares sentences against: the description, then every example."""
        return [self.description] + [e for lang in sorted(self.examples) for e in self.examples[lang]]

    def fingerprint(self) -> str:
        """Changes whenever the description or an example changes: a calibrated threshold belongs to it."""
        payload = json.dumps([self.description, self.examples], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


class Taxonomy(_Strict):
    """An ordered list of topics with unique ids."""

    version: int = 1
    topics: list[Topic] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Taxonomy:
        seen: set[str] = set()
        for topic in self.topics:
            if topic.id in seen:
                raise ValueError(f"topic id {topic.id!r} appears twice; topic ids must be unique")
            seen.add(topic.id)
        return self

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.topics]

    def topic(self, topic_id: str) -> Topic:
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise ConfigError(f"topic {topic_id!r} is not in the taxonomy; allowed: {self.ids}")


class TopicSettings(_Strict):
    """The ``topics:`` section of a monitor config.

    ``taxonomy`` is ``"default"`` (the bundled customer-experience topics) or the path of a YAML file
    shaped like it. ``extend`` adds topics; a topic whose id already exists replaces that topic.
    ``replace: true`` drops the base taxonomy's topics, so only ``extend`` remains (a bank's own list).
    ``enabled: false`` skips topic assignment altogether.

    ``model`` is the fitted topic head that reads the topics (``sentiment topics fit --out DIR``):
    ``"default"`` (the head shipped for the default taxonomy, ``models/topics``) or a directory. With a
    directory of its own and ``taxonomy: default``, the head's own taxonomy is used; otherwise every
    configured topic must be one the head was fitted on (a subset is fine).
    """

    enabled: bool = True
    model: str = DEFAULT_TAXONOMY
    taxonomy: str = DEFAULT_TAXONOMY
    extend: list[Topic] = Field(default_factory=list)
    replace: bool = False

    @model_validator(mode="after")
    def _replace_needs_topics(self) -> TopicSettings:
        if self.replace and not self.extend:
            raise ValueError("topics.replace is true but topics.extend is empty; give the topics to use")
        return self


def default_taxonomy_path() -> Path:
    """The bundled ``taxonomy.yaml`` (package data next to this module)."""
    return Path(str(files("sentiment").joinpath("taxonomy.yaml")))


def read_taxonomy(path: Path) -> Taxonomy:
    """Parse and validate a taxonomy YAML file; the error names the file and the bad field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"cannot read the topic taxonomy {path}: {err}") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"the topic taxonomy {path} is not valid YAML: {err}") from err
    try:
        return Taxonomy.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(f"the topic taxonomy {path} is invalid: {_first_error(err)}") from err


def load_taxonomy(settings: TopicSettings | None = None, base_dir: Path | None = None) -> Taxonomy:
    """The taxonomy a monitor uses: the base file, replaced or extended as the settings say.

    A relative ``taxonomy`` path is resolved against ``base_dir`` (the config file's folder).
    """
    settings = settings or TopicSettings()
    if settings.taxonomy == DEFAULT_TAXONOMY:
        base = read_taxonomy(default_taxonomy_path())
    else:
        path = Path(settings.taxonomy).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        base = read_taxonomy(path)
    if not settings.extend:
        return base
    extra = {t.id: t for t in settings.extend}
    kept: list[Topic] = [] if settings.replace else [extra.pop(t.id, t) for t in base.topics]
    return Taxonomy(version=base.version, topics=kept + list(extra.values()))


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return f"{where}: {first['msg']}"
