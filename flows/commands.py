"""The commands that run flows: ``sentiment run``, ``sentiment rescore``, ``sentiment backfill``, ``sentiment demo``.

The command line (:mod:`sentiment.cli`) parses the arguments and finds these functions through the
``sentiment.commands`` entry points (``pyproject.toml``), so the library never imports Prefect or the flows:
the orchestrator depends on the library, not the other way round.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime
from pathlib import Path

from flows.backfill import backfill as backfill_flow
from flows.local_api import start_local_api, stop_on_sigterm
from flows.nightly import nightly
from flows.rescore import rescore as rescore_flow
from sentiment.config import load_config
from sentiment.demo.run import chat_url, demo_timezone, mail_receiver, webhook_receiver, write_demo_survey
from sentiment.demo.server import serve_sample_web
from sentiment.pipeline import published_path
from sentiment.store import Store
from sentiment.store.report_queries import largest_reality_gaps
from sentiment.summary import console, print_summary
from sentiment.surveys import export_path


def run(args: argparse.Namespace) -> int:
    """One night by hand: the nightly flow on a temporary local Prefect API."""
    start_local_api()
    with stop_on_sigterm():
        summary = nightly(config_path=args.config, as_of=args.as_of)
    if args.json:
        print(json.dumps(summary, default=str))
    else:
        print_summary(summary)
    return 0


def rescore(args: argparse.Namespace) -> int:
    """Score every stored mention again with the configured model and make it the active one."""
    start_local_api()
    with stop_on_sigterm():
        result = rescore_flow(config_path=args.config)
    console.print(f"rescored {result['scored']} mentions; active model {' '.join(result['active'])}")
    return 0


def backfill(args: argparse.Namespace) -> int:
    """Import history with a file source (or a source's archive); rerun the same command to resume."""
    start_local_api()
    with stop_on_sigterm():
        result = backfill_flow(
            config_path=args.config, source=args.source, files=args.files, chunk_rows=args.chunk_rows,
            publish_every=args.publish_every, max_pages=args.max_pages,
        )  # fmt: skip
    if args.json:
        print(json.dumps(result, default=str))
    else:
        for file in result["files"]:
            console.print(f"{file['path']}: {file['rows']} rows" + (" (imported before)" if file.get("already") else
                          f", skipped {file['skipped'] or 'none'}"))  # fmt: skip
        console.print(
            f"backfill {result['run_id']} {result['status']}: new {result['new_mentions']}, scored {result['scored']}, "
            f"topic rows {result['topics']}"
        )
    return 0


def demo(args: argparse.Namespace) -> int:
    """The whole product offline: the sample web, a chat receiver and a mail server on localhost, and the
    real nightly flow over them (see :mod:`sentiment.demo.run`)."""
    config = args.config
    today = datetime.now(demo_timezone(config)).date()
    with (
        serve_sample_web(port=args.port, today=today) as web,
        webhook_receiver() as (hook_url, received),
        mail_receiver() as (mail_url, mails),
    ):
        os.environ["SENTIMENT_DEMO_BASE_URL"] = web.base_url
        os.environ["SENTIMENT_DEMO_CHAT_URL"] = chat_url(hook_url)
        os.environ["SENTIMENT_DEMO_MAIL_URL"] = mail_url
        monitor = load_config(config)
        for survey in monitor.surveys:
            write_demo_survey(export_path(survey, Path(config).resolve().parent), today)
        console.print(f"Sample web serving at {web.base_url} (reviews ending {today}); running the nightly flow…")
        start_local_api()
        with stop_on_sigterm():
            summary = nightly(config_path=config, as_of=today.isoformat())
    print_summary(summary)
    console.print(f"Chat receiver got {len(received)} and the mail server {len(mails)} notification(s) in this run.")
    database = monitor.database_path()
    read_copy = published_path(database)
    with Store(read_copy, read_only=True) as read:
        gaps = largest_reality_gaps(read)
    for _, location, month, own, public in gaps:
        console.print(
            f"Reality gap {month:%Y-%m} {location}: own survey {own:+.2f} (NPS / 100), public sentiment {public:+.2f}"
        )
    console.print(f"DuckDB file: {database} (read copy for analysts: {read_copy})")
    return 0
