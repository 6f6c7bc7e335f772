# Two commands for a new user: `make demo` and `make test`. Both set up what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test lint browser model topics eval clean

install: $(STAMP)

# torch is pinned to the CPU build (pyproject.toml); the check below fails the install if any CUDA
# package was pulled in anyway.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@if $(BIN)/python -m pip list 2>/dev/null | grep -qiE '^(nvidia-|triton )'; then \
		echo "error: CUDA packages were installed; this project needs the CPU build of torch only" >&2; exit 1; fi
	touch $(STAMP)

demo: install
	$(BIN)/sentiment model prepare
	$(BIN)/sentiment demo --config examples/demo.yaml

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src/sentiment flows
	$(BIN)/pytest -q -p no:cacheprovider tests/test_layering.py  # the package map: leaves, no cycles, no Prefect

test: install lint browser
	$(BIN)/sentiment model prepare
	$(BIN)/pytest

# Debian's Chromium for the report's browser test (Playwright drives it; its own browser download does not
# work offline). Needs root, as CI runs; `apt-get update` only when the package lists are missing it.
browser:
	@test -x /usr/bin/chromium || DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
		|| (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null)

# Fine-tune the embedded sentiment model and regenerate its evaluation and model card (models/).
# On 2 CPU cores the fine-tuning takes hours; see models/embedded-sentiment/README.md for the GPU route.
model: install
	$(BIN)/python -m sentiment.training.finetune
	$(BIN)/python -m sentiment.training.evaluate
	$(BIN)/python bench/reading.py --write
	$(MAKE) topics
	$(BIN)/python bench/scoring.py --write

# Fit the default taxonomy's topic head on the sentiment model (models/topics/: head, thresholds, card).
# The examples are resolved from ../shared/data into a temporary file: third-party texts stay out of the repo.
TOPIC_EXAMPLES := /tmp/sentiment-default-topic-examples.jsonl
topics: install
	$(BIN)/python -m sentiment.training.topic_labels --export $(TOPIC_EXAMPLES)
	$(BIN)/sentiment topics fit --taxonomy default --examples $(TOPIC_EXAMPLES) --out models/topics
	rm -f $(TOPIC_EXAMPLES)

clean:
	rm -rf $(VENV) data/demo*.duckdb*
