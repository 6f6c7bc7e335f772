# Two commands for a new user: `make demo` and `make test`. Both set up what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test lint model eval clean

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

test: install lint
	$(BIN)/sentiment model prepare
	$(BIN)/pytest

# Fine-tune the embedded sentiment model and regenerate its evaluation and model card (models/).
# On 2 CPU cores the fine-tuning takes hours; see models/embedded-sentiment/README.md for the GPU route.
model: install
	$(BIN)/python -m sentiment.training.finetune
	$(BIN)/python -m sentiment.training.evaluate
	$(BIN)/python bench/reading.py --write
	$(BIN)/python bench/scoring.py --write

clean:
	rm -rf $(VENV) data/demo*.duckdb*
