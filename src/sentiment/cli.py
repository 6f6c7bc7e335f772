"""The ``sentiment`` command line.

``sentiment run --config FILE``        run the nightly flow once under Prefect
``sentiment rescore --config FILE``    score stored mentions with the configured model version
``sentiment backfill --config FILE --source NAME [FILE ...]``  import history in chunks that resume
``sentiment demo``                     serve the bundled sample web and run the flow against it
``sentiment model predict``            JSON lines in, one prediction (with topics) per line out
``sentiment model prepare``            build the embedded model's cache directory
``sentiment config check FILE``        validate a monitor config

Errors of the library (:class:`~sentiment.errors.SentimentError`) are printed as one clear message and
exit with status 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sentiment import redact
from sentiment.errors import ConfigError, SentimentError, StoreError
from sentiment.summary import console

if TYPE_CHECKING:
    from sentiment.config import MonitorConfig


def _flow_command(name: str) -> Callable[[argparse.Namespace], int]:
    """A command that runs a flow, found through the ``sentiment.commands`` entry points (``flows.commands``):
    the library never imports the orchestrator."""

    def command(args: argparse.Namespace) -> int:
        found = [ep for ep in entry_points(group="sentiment.commands") if ep.name == name]
        if not found:
            raise SentimentError(
                f"command {name!r} needs the flows package installed with this one (pip install -e . from the "
                "repository); it is not"
            )
        return int(found[0].load()(args))

    return command


def _predict(args: argparse.Namespace) -> int:
    from sentiment.config import ModelSettings
    from sentiment.model import load_model
    from sentiment.model.predict_cli import run_predict
    from sentiment.model.topic_reader import TopicReader
    from sentiment.taxonomy import TopicSettings

    model = load_model(ModelSettings())
    topics = None
    if not args.no_topics:
        choice = Path(args.topics)
        settings = (
            TopicSettings(taxonomy=str(choice.resolve()))
            if choice.suffix in (".yaml", ".yml")
            else TopicSettings(model=args.topics if args.topics == "default" else str(choice.resolve()))
        )
        topics = TopicReader.load(settings, sentiment=model)
    stream: TextIO = open(args.input, encoding="utf-8") if args.input else sys.stdin  # noqa: SIM115
    try:
        run_predict(stream, sys.stdout, model, batch_size=args.batch_size, topics=topics)
    finally:
        if args.input:
            stream.close()
    return 0


def _prepare(args: argparse.Namespace) -> int:
    from sentiment.config import ModelSettings
    from sentiment.model import load_model
    from sentiment.progress import progress_bar

    with progress_bar("preparing model") as progress:
        model = load_model(ModelSettings(), progress=progress)
    console.print(f"model ready: {model.model_id} version {model.version}")
    return 0


def _parse(args: argparse.Namespace) -> int:
    import yaml

    from sentiment.preview import preview_saved, read_saved

    options: dict[str, Any] = {}
    for pair in args.option:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SentimentError(f"--option {pair!r} is not KEY=VALUE; allowed: e.g. --option max_pages=3")
        options[key] = yaml.safe_load(value)
    url = args.url or "https://example.invalid/"
    result = preview_saved(args.kind, read_saved(args.file), url, options)
    if args.summary:
        print(json.dumps(result.summary, ensure_ascii=False, default=str))
    else:
        for item in result.items:
            print(json.dumps(item, ensure_ascii=False))
    return 0


def _check(args: argparse.Namespace) -> int:
    """Validate a config as the nightly run would use it, and report every problem at once.

    Loading checks the file's schema; the run also builds each source (its kind and options), reads each
    channel's URL from the environment and reads the taxonomy. A problem found only there would otherwise
    surface at night, and one per fix-and-retry: so they are all collected, one line each, exit status 2.
    """

    from sentiment.config import load_config
    from sentiment.model.topic_reader import configured_head
    from sentiment.sources.registry import build_source

    config = load_config(args.file)
    problems: list[str] = []
    for source in config.sources:  # disabled ones too: enabling one should not reveal a broken entry
        try:
            build_source(source, config)
        except SentimentError as err:
            problems.append(str(err))
    for channel in config.channels:
        try:
            channel.url()  # its errors name the variable, never the secret URL
        except SentimentError as err:
            problems.append(str(err))
    topics = "topics off"
    if config.topics.enabled:
        try:
            _, head = configured_head(config.topics, Path(args.file).parent)
            topics = f"{len(head.topics)} topics"
        except SentimentError as err:
            problems.append(str(err))
    if problems:
        raise ConfigError(
            f"config {args.file} has {len(problems)} problem(s) the run would fail on:\n"
            + "\n".join(f"  {problem}" for problem in problems)
        )
    console.print(
        f"{args.file}: ok — {len(config.brands)} brands, "
        f"{sum(len(b.locations) for b in config.brands)} locations, {len(config.sources)} sources, "
        f"{len(config.channels)} channels, {topics}"
    )
    return 0


def _analyst_copy(config: str, command: str) -> tuple[MonitorConfig, Path]:
    """The config's monitor and what analysts read: the published read copy (no lock on the nightly writer),
    or the database itself where nothing was published yet."""
    from sentiment.config import load_config
    from sentiment.pipeline import published_path

    monitor = load_config(config)
    database = monitor.database_path()
    read_copy = published_path(database)
    source = read_copy if read_copy.is_file() else database
    if not source.is_file():
        raise StoreError(f"{command}: no database at {str(database)!r}; allowed: a config whose monitor has run once")
    return monitor, source


def _export(args: argparse.Namespace) -> int:
    """The Parquet export of what analysts read."""
    from sentiment.store import Store
    from sentiment.store.export import export_parquet

    _, source = _analyst_copy(args.config, "export")
    with Store(source, read_only=True) as store:
        rows = export_parquet(store, args.out)
    print(json.dumps({"source": str(source), "out": str(args.out), "rows": rows}))
    return 0


def _report(args: argparse.Namespace) -> int:
    """The analyst's HTML report of what analysts read, for the last night or ``--as-of``."""
    from sentiment.report import report_path, write_report
    from sentiment.store import Store

    monitor, source = _analyst_copy(args.config, "report")
    out = args.out or report_path(monitor.database_path())
    with Store(source, read_only=True) as store:
        write_report(store, monitor, out, as_of=args.as_of)
    print(json.dumps({"source": str(source), "report": str(out)}))
    return 0


def _day(value: str) -> date:
    """A ``--as-of`` day."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a day; allowed: YYYY-MM-DD, e.g. 2026-12-06") from None


def _surveys_import(args: argparse.Namespace) -> int:
    """Import the config's survey exports into its database (paths relative to the config's folder)."""
    from sentiment.config import load_config
    from sentiment.store import Store
    from sentiment.surveys import import_surveys

    monitor = load_config(args.config)
    if not monitor.surveys:
        raise ConfigError(f"{args.config}: no surveys configured; allowed: a 'surveys:' list (see the README)")
    with Store(monitor.database_path()) as store:
        report = import_surveys(store, monitor, Path(args.config).resolve().parent)
    print(json.dumps(report, ensure_ascii=False))
    return 0


def _topics_fit(args: argparse.Namespace) -> int:
    # Fitting is training: its module is imported only when asked for, never by the nightly run.
    from sentiment.training.topics_fit import run

    command = (
        f"sentiment topics fit --taxonomy {args.taxonomy} --examples {args.examples} --out {args.out} --tap {args.tap}"
    )
    report = run(args.taxonomy, args.examples, args.out, args.tap, command)
    held = report.get("held_out")
    summary = f"held-out macro-F1 {held['macro_f1']:.3f} on {held['n']} texts" if held else "no held-out part"
    print(f"wrote {args.out} ({summary}; card in {args.out / 'README.md'})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sentiment", description="Review and social-sentiment monitor.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the nightly flow once")
    run.add_argument("--config", required=True, help="monitor config (YAML)")
    run.add_argument("--as-of", help="the run's day (YYYY-MM-DD); default: today in the config's time zone")
    run.add_argument("--json", action="store_true", help="print the summary as JSON")
    run.set_defaults(func=_flow_command("run"))

    rescore = sub.add_parser("rescore", help="score stored mentions with the configured model version")
    rescore.add_argument("--config", required=True, help="monitor config (YAML)")
    rescore.set_defaults(func=_flow_command("rescore"))

    backfill = sub.add_parser(
        "backfill", help="import history: a file source's exports in resumable chunks, or a source's full archive"
    )
    backfill.add_argument("--config", required=True, help="monitor config (YAML)")
    backfill.add_argument(
        "--source", required=True, help="a configured source: a file source reads FILES, any other kind its archive"
    )
    backfill.add_argument("files", nargs="*", help="CSV or JSONL exports (default: the file source's own path)")
    backfill.add_argument("--chunk-rows", type=int, default=10_000, help="rows stored and scored per chunk")
    backfill.add_argument("--publish-every", type=int, default=10, help="publish the read copy every N chunks")
    backfill.add_argument("--max-pages", type=int, default=1000, help="page limit for a web source's archive")
    backfill.add_argument("--json", action="store_true", help="print the result as JSON")
    backfill.set_defaults(func=_flow_command("backfill"))
    demo = sub.add_parser("demo", help="serve the bundled sample web on localhost and run the flow on it")
    demo.add_argument("--config", default="examples/demo.yaml")
    demo.add_argument("--port", type=int, default=0, help="port for the sample web (default: a free one)")
    demo.set_defaults(func=_flow_command("demo"))

    model = sub.add_parser("model", help="the embedded sentiment model")
    model_sub = model.add_subparsers(dest="model_command", required=True)
    predict = model_sub.add_parser("predict", help='JSON lines {"id", "text"} in, predictions out')
    predict.add_argument("--input", help="read from this file instead of stdin")
    predict.add_argument(
        "--batch-size",
        type=int,
        default=1024,
        help="lines read and scored together (default 1024); the model makes its own batches within them",
    )
    predict.add_argument(
        "--topics",
        default="default",
        help="a fitted topic head directory (`sentiment topics fit --out DIR`) or a taxonomy YAML whose topics "
        "the default head knows; default: the shipped head for the default taxonomy",
    )
    predict.add_argument("--no-topics", action="store_true", help="sentiment only: skip topics and aspect sentiment")
    predict.set_defaults(func=_predict)
    prepare = model_sub.add_parser("prepare", help="build the embedded model's cache directory")
    prepare.set_defaults(func=_prepare)

    topics = sub.add_parser("topics", help="topic taxonomies")
    topics_sub = topics.add_subparsers(dest="topics_command", required=True)
    fit = topics_sub.add_parser("fit", help="fit a taxonomy's topic head from labelled examples")
    fit.add_argument("--taxonomy", required=True, help="taxonomy YAML, or 'default' for the bundled one")
    fit.add_argument("--examples", type=Path, required=True, help='JSON lines {"text", "topics", "aspects"?}')
    fit.add_argument("--out", type=Path, required=True, help="folder for the fitted head and its card")
    fit.add_argument("--tap", type=int, default=6, help="encoder layer the topics read (default 6)")
    fit.set_defaults(func=_topics_fit)

    sources = sub.add_parser("sources", help="source kinds")
    sources_sub = sources.add_subparsers(dest="sources_command", required=True)
    parse = sources_sub.add_parser("parse", help="print the mentions a saved response yields, one JSON line each")
    parse.add_argument("--kind", required=True, help="source kind (review_page, rss, mastodon, ...)")
    parse.add_argument("--file", required=True, help="the saved response body")
    parse.add_argument("--url", help="where the body came from (resolves relative links and ids)")
    parse.add_argument("--summary", action="store_true", help="print page-level facts instead of the mentions")
    parse.add_argument("--option", action="append", default=[], metavar="KEY=VALUE", help="a source option")
    parse.set_defaults(func=_parse)

    export = sub.add_parser("export", help="write Parquet of mentions, scores, topics and daily aggregates")
    export.add_argument("--config", required=True, help="monitor config (YAML)")
    export.add_argument("--out", required=True, type=Path, help="the folder to write (replaced whole)")
    export.set_defaults(func=_export)

    report = sub.add_parser("report", help="write the analyst's HTML report (self-contained, works offline)")
    report.add_argument("--config", required=True, help="monitor config (YAML)")
    report.add_argument("--as-of", type=_day, help="the report's day (YYYY-MM-DD); default: the last run's day")
    report.add_argument(
        "--out", type=Path, help="the HTML file to write; default: beside the database, e.g. data/monitor.report.html"
    )
    report.set_defaults(func=_report)

    surveys = sub.add_parser("surveys", help="a company's own survey results, for the reality gap")
    surveys_sub = surveys.add_subparsers(dest="surveys_command", required=True)
    survey_import = surveys_sub.add_parser("import", help="import the config's survey exports")
    survey_import.add_argument("--config", required=True, help="monitor config (YAML)")
    survey_import.set_defaults(func=_surveys_import)

    config = sub.add_parser("config", help="monitor config")
    config_sub = config.add_subparsers(dest="config_command", required=True)
    check = config_sub.add_parser("check", help="validate a monitor config")
    check.add_argument("file")
    check.set_defaults(func=_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # The monitor runs offline: Prefect's usage telemetry would only log a failed lookup every run.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    args = build_parser().parse_args(argv)
    redact.install()
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args))
    except SentimentError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as err:
        print(f"interrupted: {err or 'SIGINT'}; the run is recorded as interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (``| head``) has gone; that is not an error of ours.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
