"""The monitor config: brands, locations, sources, alert rules, channels, HTTP, model and topic settings.

Loaded from YAML and validated with pydantic. ``${VAR}`` in any string value is replaced by the
environment variable ``VAR`` (so one config file serves the demo, staging and production); secrets such
as webhook URLs are never written in the file at all: a channel names the environment variable that
holds its URL (``url_env``), and the value is read only when a notification is sent.

Every validation error is turned into a :class:`~sentiment.errors.ConfigError` whose message names the
field path, the bad value and what is allowed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sentiment.errors import ConfigError
from sentiment.taxonomy import TopicSettings

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Address(_Strict):
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    region: str | None = None
    country: str | None = None

    def one_line(self) -> str:
        parts = [self.street, self.postal_code, self.city, self.region, self.country]
        return ", ".join(p for p in parts if p)


class Location(_Strict):
    """A place of a brand (a branch, a shop, a restaurant)."""

    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    address: Address | None = None


class Brand(_Strict):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    competitor: bool = False
    #: Phrases that veto an alias match lying inside them: a café called "Apple Tree" is not Apple.
    exclude: list[str] = Field(default_factory=list)
    locations: list[Location] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_locations(self) -> Brand:
        _no_duplicates([loc.name for loc in self.locations], f"brand {self.name!r} location names")
        return self

    def location_names(self) -> dict[str, str]:
        """Each location's name and aliases, case and accents folded, to the location's name: how an export's
        location column (a survey, a review file) names a location."""
        from sentiment.parse.clean import fold  # not at import: it loads ftfy and lxml, which a config need not

        return {fold(name): loc.name for loc in self.locations for name in (loc.name, *loc.aliases)}


class SourceConfig(_Strict):
    """One configured source: a kind from the registry, a URL, and the brand/location it speaks of.

    ``options`` are passed to the source kind, which validates them itself (each kind knows its own).
    """

    name: str = Field(pattern=_NAME)
    kind: str
    url: str
    brand: str
    location: str | None = None
    enabled: bool = True
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _url_scheme(self) -> SourceConfig:
        # Only file imports may read a local file (file://); everything else is fetched over HTTP.
        schemes = ("http://", "https://", "file://") if self.kind == "file" else ("http://", "https://")
        if not self.url.startswith(schemes):
            allowed = " or ".join(schemes)
            raise ValueError(
                f"source {self.name!r}: {self.url!r} is not an allowed URL; allowed: URLs starting with {allowed}"
            )
        return self


class AlertRules(_Strict):
    """Parameters of the alert rules (see :mod:`sentiment.alerts`); ``bench/alerts.py`` measures them."""

    recent_days: int = Field(default=28, ge=1, le=90)
    baseline_days: int = Field(default=84, ge=7, le=365)
    min_mentions: int = Field(default=5, ge=3)
    threshold: float = Field(default=4.0, gt=0, le=20)
    min_drop: float = Field(default=0.15, gt=0, le=2)
    prior_mentions: float = Field(default=20.0, ge=0, le=1000)
    cooldown_days: int = Field(default=7, ge=0, le=365)
    spike_threshold: float = Field(default=5.0, gt=0, le=50)
    spike_min_negative: int = Field(default=5, ge=1)
    surge_threshold: float = Field(default=6.0, gt=0, le=50)
    surge_min_negative: int = Field(default=4, ge=1)
    theme_days: int = Field(default=7, ge=1, le=60)
    theme_min_mentions: int = Field(default=4, ge=2)
    theme_min_authors: int = Field(default=2, ge=1)
    theme_similarity: float = Field(default=0.5, gt=0, lt=1)
    include_competitors: bool = False


class Channel(_Strict):
    """A notification channel. Its URL is a secret: the config names the environment variable.

    ``kind: webhook`` POSTs each alert as JSON to an http(s) URL; ``kind: apprise`` sends it through an
    apprise URL (``slack://``, ``workflows://`` for Microsoft Teams, ``discord://``, ``tgram://``,
    ``mailto://``, ``json://`` and the rest apprise supports), formatted for that channel.
    """

    name: str = Field(pattern=_NAME)
    kind: Literal["webhook", "apprise"] = "webhook"
    url_env: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    timeout_s: float = Field(default=10.0, gt=0, le=120)

    def url(self) -> str:
        """Read the secret URL from the environment; the error names the variable, never a value."""
        from sentiment import redact

        value = redact.env_secret(self.url_env)
        allowed = "an http(s) URL" if self.kind == "webhook" else "an apprise URL (slack://, mailto://, json:// ...)"
        if not value:
            raise ConfigError(
                f"channel {self.name!r}: environment variable {self.url_env} is not set; allowed: {allowed} in that variable"
            )
        if self.kind == "webhook" and not value.startswith(("http://", "https://")):
            raise ConfigError(
                f"channel {self.name!r}: environment variable {self.url_env} does not hold an http(s) URL"
            )
        if self.kind == "apprise":
            import apprise

            if apprise.Apprise.instantiate(value) is None:
                raise ConfigError(
                    f"channel {self.name!r}: environment variable {self.url_env} does not hold a URL apprise can "
                    f"send to; allowed: {allowed}"
                )
        return value


class HttpSettings(_Strict):
    user_agent: str = "sentiment-monitor/0.1 (+https://example.invalid/sentiment-monitor)"
    timeout_s: float = Field(default=20.0, gt=0, le=300)
    max_retries: int = Field(default=3, ge=0, le=10)
    backoff_s: float = Field(default=1.0, ge=0, le=60)
    max_retry_after_s: float = Field(default=120.0, ge=0, le=3600)
    per_host_concurrency: int = Field(default=2, ge=1, le=32)
    min_interval_s: float = Field(default=0.0, ge=0, le=60)
    max_response_bytes: int = Field(default=5_000_000, ge=1_000, le=200_000_000)
    respect_robots: bool = True
    max_pages: int = Field(default=50, ge=1, le=10_000)
    #: Off by default: sources, redirects and webhooks reach public addresses only (no loopback,
    #: private, link-local or cloud-metadata targets; see :mod:`sentiment.netguard`).
    allow_private_addresses: bool = False


class ModelSettings(_Strict):
    name: str = "embedded"
    #: Texts per forward pass. 16 measured fastest for the int8 embedded model on 2 cores (206 texts/s,
    #: against 195 at 32 and 191 at 64, on bench/scoring.py's texts): small batches stay in cache.
    batch_size: int = Field(default=16, ge=1, le=1024)
    cache_dir: str | None = None
    #: Tokens the embedded model reads per mention at most (its first ones; the score row says
    #: ``truncated``): 8 windows of 510. Without a cap one 1 MB paste cost 64 s and 1.1 GB to score.
    max_tokens: int = Field(default=4096, ge=16, le=100_000)


class ClusterSettings(_Strict):
    """Scoring on a Dask cluster (``cluster:`` in the config; none by default: the run scores in its own process).

    ``address`` is an existing cluster's scheduler (``tcp://scheduler:8786``; Kubernetes, any Dask
    deployment); ``local_workers`` starts a ``LocalCluster`` of that many worker processes on this
    machine instead. Each worker loads the model and topic head once and reads batches of texts; the
    run keeps storing, one writer. ``threads_per_worker`` is torch's threads in each worker (default:
    this machine's cores shared among the local workers, else torch's own choice)."""

    address: str | None = Field(default=None, min_length=1)
    local_workers: int | None = Field(default=None, ge=1, le=64)
    threads_per_worker: int | None = Field(default=None, ge=1, le=256)

    @model_validator(mode="after")
    def _one_cluster(self) -> ClusterSettings:
        if (self.address is None) == (self.local_workers is None):
            raise ValueError(
                f"cluster needs exactly one of address (got {self.address!r}) and local_workers "
                f"(got {self.local_workers!r}); allowed: address: tcp://host:8786, or local_workers: 2"
            )
        return self


class TextSettings(_Strict):
    #: Characters a mention keeps at most (cut at a word boundary; the mention row says ``truncated``).
    #: Reviews and posts are far shorter; a long article keeps its first 20,000 characters.
    max_chars: int = Field(default=20_000, ge=100, le=1_000_000)


class SurveyColumns(_Strict):
    """Which column (CSV header, or JSON key) of a survey export holds each field; at least one score."""

    location: str = Field(min_length=1)
    date: str = Field(min_length=1)
    nps: str | None = None
    csat: str | None = None
    verbatim: str | None = None
    id: str | None = None

    @model_validator(mode="after")
    def _a_score(self) -> SurveyColumns:
        if self.nps is None and self.csat is None:
            raise ValueError("a survey needs a score column; allowed: nps (0-10), csat (1-5) or both")
        return self


class SurveyImport(_Strict):
    """A survey export of one brand (``sentiment surveys import``): NPS 0-10 and/or CSAT 1-5 per response,
    with its location (a location's name or alias) and date, read with the ``file`` source's mapping style."""

    name: str = Field(pattern=_NAME)
    brand: str
    path: str = Field(min_length=1)
    columns: SurveyColumns
    format: Literal["csv", "jsonl"] | None = None
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    date_formats: list[str] = Field(default_factory=list)


class MonitorConfig(_Strict):
    timezone: str = "UTC"
    database: str = "data/monitor.duckdb"
    brands: list[Brand] = Field(min_length=1)
    sources: list[SourceConfig] = Field(default_factory=list)
    alerts: AlertRules = AlertRules()
    channels: list[Channel] = Field(default_factory=list)
    http: HttpSettings = HttpSettings()
    model: ModelSettings = ModelSettings()
    text: TextSettings = TextSettings()
    #: Where texts are scored: in the run's own process (None), or on a Dask cluster.
    cluster: ClusterSettings | None = None
    #: Topics and aspect sentiment per mention (:mod:`sentiment.taxonomy`): the bundled taxonomy by default.
    topics: TopicSettings = TopicSettings()
    #: A folder the nightly run writes the Parquet export to after publishing (:mod:`sentiment.store.export`);
    #: none by default.
    export: str | None = Field(default=None, min_length=1)
    #: Survey exports the reality gap compares with what customers say in public (:mod:`sentiment.surveys`).
    surveys: list[SurveyImport] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not a known IANA time zone; allowed: names such as 'UTC' or 'Europe/Warsaw'"
            ) from None
        return value

    @model_validator(mode="after")
    def _references(self) -> MonitorConfig:
        _no_duplicates([b.name for b in self.brands], "brand names")
        _no_duplicates([s.name for s in self.sources], "source names")
        _no_duplicates([c.name for c in self.channels], "channel names")
        _no_duplicates([v.name for v in self.surveys], "survey names")
        brands = {b.name: b for b in self.brands}
        for survey in self.surveys:
            if survey.brand not in brands:
                raise ValueError(
                    f"survey {survey.name!r}: brand {survey.brand!r} is not configured; allowed: {sorted(brands)}"
                )
        for source in self.sources:
            brand = brands.get(source.brand)
            if brand is None:
                raise ValueError(
                    f"source {source.name!r}: brand {source.brand!r} is not configured; allowed: {sorted(brands)}"
                )
            if source.location is not None:
                names = [loc.name for loc in brand.locations]
                if source.location not in names:
                    raise ValueError(
                        f"source {source.name!r}: location {source.location!r} is not a location of brand "
                        f"{brand.name!r}; allowed: {names}"
                    )
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def brand(self, name: str) -> Brand:
        for brand in self.brands:
            if brand.name == name:
                return brand
        raise ConfigError(f"brand {name!r} is not configured; allowed: {[b.name for b in self.brands]}")

    def database_path(self, base: Path | None = None) -> Path:
        path = Path(self.database)
        return path if path.is_absolute() or base is None else base / path


def _no_duplicates(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} must be unique; {name!r} appears more than once")
        seen.add(name)


#: How many nodes aliases may bring into a config file in all, counting every alias as a full copy of its
#: anchor. Sharing an options block among a few hundred sources stays far below it; an alias bomb (nine
#: levels of nine aliases: about 387 million nodes from a few hundred bytes) is refused after a few levels.
MAX_ALIAS_NODES = 10_000
#: How deeply collections may nest in a config file. Real configs nest about six levels; PyYAML composes
#: recursively, so a file of ten thousand ``[`` would otherwise end in a RecursionError.
MAX_YAML_NESTING = 64


class _RefusedYaml(Exception):
    """A config file the loader refuses to compose: what is wrong, and where."""

    def __init__(self, problem: str, event: yaml.Event) -> None:
        super().__init__(problem)
        self.problem = problem
        self.mark = event.start_mark


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing alias bombs, self-referencing aliases and runaway nesting.

    ``safe_load`` turns an alias into a shared reference: cheap to load, but everything that walks the
    result (``${VAR}`` expansion, pydantic) visits each copy, so a bomb costs unbounded time and memory and
    an alias inside its own anchor makes a cycle that recursion never leaves. Counting while composing
    stops such a file before anything is built from it.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._nodes = 0  # nodes composed so far, each alias counted at its anchor's expanded size
        self._alias_nodes = 0
        self._anchor_nodes: dict[str, int] = {}
        self._open_anchors: set[str] = set()
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
        anchor = event.anchor if isinstance(event, yaml.NodeEvent) else None
        if isinstance(event, yaml.AliasEvent) and anchor is not None:
            if anchor in self._open_anchors:
                raise _RefusedYaml(
                    f"alias *{anchor} lies inside its own anchor &{anchor} (a self-referencing structure); "
                    "allowed: aliases to an anchor whose node is complete",
                    event,
                )
            size = self._anchor_nodes.get(anchor, 0)  # an undefined alias: PyYAML names it below
            self._nodes += size
            self._alias_nodes += size
            if self._alias_nodes > MAX_ALIAS_NODES:
                raise _RefusedYaml(
                    f"alias *{anchor} brings in {size} nodes, {self._alias_nodes} by aliases so far; "
                    f"allowed: at most {MAX_ALIAS_NODES} nodes brought in by aliases in all",
                    event,
                )
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_YAML_NESTING:
            raise _RefusedYaml(
                f"collections nest more than {MAX_YAML_NESTING} levels deep; allowed: at most {MAX_YAML_NESTING}",
                event,
            )
        start = self._nodes
        self._nodes += 1
        if anchor is not None:
            self._open_anchors.add(anchor)
        node = super().compose_node(parent, index)
        if anchor is not None:
            self._open_anchors.discard(anchor)
            self._anchor_nodes[anchor] = self._nodes - start
        self._depth -= 1
        return node


def _expand_env(value: Any, path: str = "") -> Any:
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            var = match.group(1)
            if var not in os.environ:
                raise ConfigError(
                    f"{path or 'config'}: environment variable {var} is referenced as ${{{var}}} but not set; "
                    "allowed: set it, or write the value in the file"
                )
            return os.environ[var]

        return _ENV_REF.sub(replace, value)
    if isinstance(value, dict):
        return {k: _expand_env(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def _format_validation_error(err: ValidationError, origin: str) -> str:
    lines = []
    for item in err.errors():
        loc = ".".join(str(p) for p in item["loc"]) or "config"
        msg = item["msg"].removeprefix("Value error, ")
        bad = item.get("input")
        if item["type"] == "extra_forbidden":
            msg = "unknown field; check the spelling against the documented config"
        shown = "" if isinstance(bad, dict | list) or item["type"] == "missing" else f" (got {bad!r})"
        lines.append(f"  {loc}: {msg}{shown}")
    return f"invalid monitor config {origin}:\n" + "\n".join(lines)


def parse_config(data: Any, origin: str = "<dict>") -> MonitorConfig:
    """Validate an already-parsed mapping (after ``${VAR}`` expansion) into a :class:`MonitorConfig`."""
    if not isinstance(data, dict):
        raise ConfigError(
            f"invalid monitor config {origin}: the top level must be a mapping, got {type(data).__name__}"
        )
    try:
        return MonitorConfig.model_validate(_expand_env(data))
    except ValidationError as err:
        raise ConfigError(_format_validation_error(err, origin)) from None


def load_config(path: str | Path) -> MonitorConfig:
    """Read and validate a YAML monitor config; relative ``database`` paths stay relative to the CWD."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {str(path)!r} does not exist") from None
    except UnicodeDecodeError as err:
        raise ConfigError(f"config file {str(path)!r} is not UTF-8 text ({err.reason} at byte {err.start})") from None
    try:
        data = yaml.load(text, Loader=_BoundedLoader)  # a SafeLoader: no arbitrary Python objects
    except _RefusedYaml as err:
        where = f" at line {err.mark.line + 1}, column {err.mark.column + 1}" if err.mark else ""
        raise ConfigError(f"config file {str(path)!r} is refused{where}: {err.problem}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(
            f"config file {str(path)!r} is not valid YAML{where}: {getattr(err, 'problem', err)}"
        ) from None
    return parse_config(data, origin=repr(str(path)))
