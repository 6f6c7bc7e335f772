"""What runs at night loads no training code: the runtime package stays small and free of ``peft``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_nightly_flow_and_predict_import_nothing_from_training() -> None:
    script = (
        "import sys\n"
        "import flows.nightly, flows.rescore, sentiment.cli, sentiment.model.predict_cli, sentiment.model.topic_reader\n"
        "print(sorted(m for m in sys.modules if m.startswith('sentiment.training') or m.split('.')[0] == 'peft'))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
