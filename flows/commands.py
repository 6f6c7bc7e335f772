"""The commands that run flows: ``sentiment run``, ``sentiment rescore`` and ``sentiment demo``.

The command line (:mod:`sentiment.cli`) parses the arguments and finds these functions through the
``sentiment.commands`` entry points (``pyproject.toml``), so the library never imports Prefect or the flows:
the orchestrator depends on the library, not the other way round.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime

from flows.local_api import start_local_api, stop_on_sigterm
from flows.nightly import nightly
from flows.rescore import rescore as rescore_flow
from sentiment.config import load_config
from sentiment.demo.run import chat_url, demo_timezone, mail_receiver, webhook_receiver
from sentiment.demo.server import serve_sample_web
from sentiment.summary import console, print_summary


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
        console.print(f"Sample web serving at {web.base_url} (reviews ending {today}); running the nightly flow…")
        start_local_api()
        with stop_on_sigterm():
            summary = nightly(config_path=config, as_of=today.isoformat())
    print_summary(summary)
    console.print(f"Chat receiver got {len(received)} and the mail server {len(mails)} notification(s) in this run.")
    database = load_config(config).database_path()
    console.print(
        f"DuckDB file: {database} (read copy for analysts: {database.with_name(database.stem + '.read.duckdb')})"
    )
    return 0
