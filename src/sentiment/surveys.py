"""Survey import: a company's own NPS / CSAT results per location, for the reality gap.

Companies score well in their own surveys while customers leave. ``sentiment surveys import --config
monitor.yaml`` reads each configured export (CSV or JSON lines, columns mapped in the config as the
``file`` source maps them) into ``survey_responses``; the ``reality_gap`` view puts each location's
monthly survey score beside what customers said in public that month. A response's location is a
location's name or alias (case and accents ignored); a row that cannot be read is skipped, counted by
reason and listed with its row number, and the rest are imported. Importing again adds nothing: ids
are the export's response ids, or a hash of the row.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sentiment.config import Brand, MonitorConfig, SurveyImport
from sentiment.errors import ConfigError
from sentiment.parse.clean import clean_text, fold
from sentiment.parse.dates import parse_date
from sentiment.parse.tabular import MAX_LOGGED_PROBLEMS, guess_format, records, value
from sentiment.records import SurveyResponse
from sentiment.store.db import Store

logger = logging.getLogger(__name__)


@dataclass
class ParsedSurvey:
    responses: list[SurveyResponse] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    #: (row number, reason) of each skipped row: CSV rows count the header as row 1, JSONL rows are lines.
    problems: list[tuple[int, str]] = field(default_factory=list)


def _score(raw: str | None, low: float, high: float, *, whole: bool = False) -> tuple[bool, float | None]:
    """(readable, number): an empty cell is readable and ``None``; a number outside [low, high], a
    fraction where a whole number is due (NPS) or text is not readable."""
    if raw is None:
        return True, None
    try:
        number = float(raw.replace(",", "."))
    except ValueError:
        return False, None
    return low <= number <= high and (not whole or number.is_integer()), number


def parse_survey(text: str, spec: SurveyImport, brand: Brand, tz: ZoneInfo) -> ParsedSurvey:
    """Read one export; a CSV header that lacks a mapped column is a ParseError naming the columns it has."""
    columns = spec.columns
    locations = brand.location_names()
    out = ParsedSurvey()
    occurrences: Counter[str] = Counter()
    wanted = [c for c in (columns.location, columns.date, columns.nps, columns.csat, columns.verbatim, columns.id) if c]
    for number, record in records(text, spec.format or guess_format(spec.path, text), spec.delimiter, wanted):

        def skip(reason: str, row: int = number) -> None:
            out.skipped[reason] += 1
            out.problems.append((row, reason))

        if record is None:
            skip("bad_row")
            continue
        location = locations.get(fold(value(record, columns.location) or ""))
        if location is None:
            skip("unknown_location")
            continue
        raw_date = value(record, columns.date)
        when = parse_date(raw_date, spec.date_formats) if raw_date else None
        if when is None:
            skip("bad_date")
            continue
        nps_ok, nps = _score(value(record, columns.nps), 0, 10, whole=True)
        csat_ok, csat = _score(value(record, columns.csat), 1, 5)
        if not (nps_ok and csat_ok):
            skip("bad_score")
            continue
        if nps is None and csat is None:
            skip("no_score")
            continue
        verbatim = clean_text(value(record, columns.verbatim) or "") or None
        key = value(record, columns.id)
        if key is None:
            row_key = "\x1f".join([location, raw_date or "", str(nps), str(csat), verbatim or ""])
            occurrences[row_key] += 1
            key = f"{row_key}\x1f{occurrences[row_key]}"
        response_id = f"{spec.name}:{key}" if columns.id else f"{spec.name}:{_digest(key)}"
        out.responses.append(
            SurveyResponse(
                id=response_id,
                survey=spec.name,
                brand=brand.name,
                location=location,
                responded_on=when.astimezone(tz).date(),
                nps=None if nps is None else int(nps),
                csat=csat,
                verbatim=verbatim,
            )
        )
    return out


def export_path(spec: SurveyImport, base_dir: Path | None) -> Path:
    """Where a survey's export is: its ``path``, relative to ``base_dir`` (the config's folder) unless absolute."""
    path = Path(spec.path)
    return path if path.is_absolute() or base_dir is None else base_dir / path


def import_surveys(store: Store, monitor: MonitorConfig, base_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """Import every configured survey export; per survey the responses read, new, and skipped by reason."""
    report: dict[str, dict[str, Any]] = {}
    for spec in monitor.surveys:
        path = export_path(spec, base_dir)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as err:
            raise ConfigError(f"survey {spec.name!r}: cannot read {str(path)!r}: {err.strerror or err}") from None
        parsed = parse_survey(text, spec, monitor.brand(spec.brand), monitor.tz)
        for row, reason in parsed.problems[:MAX_LOGGED_PROBLEMS]:
            logger.warning("survey %s: skipping row %d: %s", spec.name, row, reason)
        new = store.insert_survey_responses(parsed.responses)
        report[spec.name] = {"read": len(parsed.responses), "new": new, "skipped": dict(parsed.skipped)}
    return report


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:24]
