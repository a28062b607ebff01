# The two commands: `make report` (full report on the default corpus) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test lab validate benchmark clean-reports lock

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=python3 ...'"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/python -m analysis report

test: $(STAMP)
	$(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

validate: $(STAMP)
	$(BIN)/python -m analysis validate

clean-reports:
	rm -rf .cache reports/results reports/*.ipynb reports/*.html reports/tables reports/parameters figures/*.pdf figures/*.svg figures/*.png

# Re-pin every dependency to the newest versions that install together (needs the network).
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e ".[test]"
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v "^-e" > requirements.lock
	rm -rf .venv-lock
