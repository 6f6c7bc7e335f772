"""Importing history: a file source's exports of a million rows, read in chunks that survive a kill.

A first install brings years of reviews: platform exports, a CRM dump, a survey tool's verbatims. The
nightly path reads a whole export into memory and scores it in one stage; a backfill cannot. Here a
file is read one row at a time (:class:`~sentiment.sources.file.RowReader` over a text stream), cut
into chunks of ``chunk_size`` readable rows, and each chunk is stored (text stage, idempotent insert)
and scored before the next is read. After each chunk, ``backfill_progress`` records how many rows of
the file (keyed by its bytes' sha256) are done, so a run killed at any point starts again after the
last finished chunk; the chunk that was cut off is read again, and the store's deterministic ids make
its rows that were already written a no-op. Nothing is lost or counted twice.

Rows are always read from the start of the file: an id-less row's id counts the identical rows before
it, so skipping ahead by bytes would change ids. Reading rows is fast next to scoring them.

The Prefect flow (``flows/backfill.py``) drives these functions chunk by chunk.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from sentiment.config import MonitorConfig, SourceConfig
from sentiment.errors import ConfigError, SourceError
from sentiment.parse.decode import decode_body
from sentiment.parse.tabular import MAX_LOGGED_PROBLEMS, guess_format
from sentiment.records import BackfillProgress, Mention
from sentiment.sources.file import FileSource, RowReader
from sentiment.sources.registry import build_source

log = logging.getLogger(__name__)

#: Bytes read to judge a file's encoding when the source names none (BOM, else UTF-8 if it fits, else
#: windows-1252, as for a fetched export).
SNIFF_BYTES = 1 << 20
#: Readable rows per chunk by default: about two minutes of scoring on two cores, so a kill costs little.
DEFAULT_CHUNK_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class HistoryFile:
    """One export to import: where it is, what its bytes hash to, and how to read it."""

    path: Path
    sha256: str
    encoding: str
    format: str


@dataclass(frozen=True, slots=True)
class Chunk:
    """Readable rows ``start`` up to ``end`` of a file as mentions, and the file's skips up to ``end``."""

    number: int
    start: int
    end: int
    mentions: list[Mention]
    skipped: dict[str, int]
    last: bool


def file_source(monitor: MonitorConfig, name: str) -> FileSource:
    """The configured ``file`` source called ``name``: its columns, formats and brand read the history."""
    files = [s.name for s in monitor.sources if s.kind == "file"]
    config: SourceConfig | None = next((s for s in monitor.sources if s.name == name), None)
    if config is None or config.kind != "file":
        problem = "is not a configured source" if config is None else f"is a {config.kind!r} source"
        raise ConfigError(f"backfill source {name!r} {problem}; allowed: the file sources {files or '(none)'}")
    source = build_source(config, monitor)
    assert isinstance(source, FileSource)
    return source


def history_files(source: FileSource, paths: list[str]) -> list[HistoryFile]:
    """The files to import (``paths``, else the source's own ``path``), each hashed and sniffed.

    A missing or unreadable file is a :class:`SourceError` naming it before anything is imported."""
    chosen = paths or ([source.options.path] if source.options.path else [])
    if not chosen:
        raise ConfigError(f"source {source.name!r} has no path option; give the files to import")
    out = []
    for raw in chosen:
        path = Path(raw)
        try:
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                head = handle.read(SNIFF_BYTES)
                digest.update(head)
                while block := handle.read(1 << 22):
                    digest.update(block)
        except OSError as err:
            raise SourceError(
                f"backfill file {raw!r} cannot be read: {err.strerror or err}; allowed: a readable CSV or JSONL file",
                reason="file_unreadable",
            ) from None
        encoding = source.options.encoding or _sniff_encoding(head)
        fmt = source.options.format or guess_format(path.name, head[:4096].decode("utf-8", errors="replace"))
        out.append(HistoryFile(path, digest.hexdigest(), encoding, fmt))
    return out


def _sniff_encoding(head: bytes) -> str:
    """The codec for the whole file judged on its first rows (cut at a line end, so that a character
    split by the sample's end is not counted against UTF-8); a BOM is consumed by the codec."""
    decoded = decode_body(head[: head.rfind(b"\n") + 1] or head)
    if decoded.encoding == "utf-8" and head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    return decoded.encoding.removesuffix("-le").removesuffix("-be") if decoded.declared else decoded.encoding


def chunks(source: FileSource, history: HistoryFile, chunk_rows: int, *, start: int = 0) -> Iterator[Chunk]:
    """The file's readable rows from row ``start`` on, ``chunk_rows`` at a time, as mentions.

    The rows before ``start`` are read again (and dropped) so that ids and skip counts come out as in
    one uninterrupted read. The last chunk says ``last`` (it may be empty: a file whose rows were all
    done, or that has none).
    """
    if chunk_rows < 1:
        raise ConfigError(f"chunk size {chunk_rows} is not allowed; allowed: 1 or more rows")
    reader = RowReader(source.options, max_problems=MAX_LOGGED_PROBLEMS)
    with _open(history) as stream:
        done, batch = 0, []
        full: Chunk | None = None  # held back until the next row shows whether it is the last
        for row in reader.rows(stream, "jsonl" if history.format == "jsonl" else "csv"):
            done += 1
            if done <= start:
                continue
            batch.append(source.mention(row))
            if len(batch) == chunk_rows:
                if full is not None:
                    yield full
                number = full.number + 1 if full else 0
                full, batch = Chunk(number, done - chunk_rows, done, batch, dict(reader.skipped), last=False), []
        for line, reason in reader.problems:
            log.warning("backfill %s: skipping row %d of %s: %s", source.name, line, history.path.name, reason)
        skipped = dict(reader.skipped)
        if full is not None and not batch:
            yield replace(full, skipped=skipped, last=True)
            return
        if full is not None:
            yield full
        first = max(start, done - len(batch))
        yield Chunk(full.number + 1 if full else 0, first, max(start, done), batch, skipped, last=True)


def _open(history: HistoryFile) -> TextIO:
    return history.path.open(encoding=history.encoding, errors="replace", newline="")


def advanced(chunk: Chunk) -> BackfillProgress:
    """The file's progress once ``chunk`` is stored and scored."""
    return BackfillProgress(chunk.end, chunk.skipped, chunk.last)
