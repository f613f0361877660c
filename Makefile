# `make` sets everything up and builds every sheet; `make test` runs the checks.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
READY := $(VENV)/.ready

.PHONY: all pdf check test test-quick lint i18n clean bench bench-web

all: pdf

$(READY): pyproject.toml scripts/system-deps.sh
	sh scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(READY)

pdf: $(READY)
	FACTSHEET_SERVER=off $(PY) make_pdf.py  # one batch: a warm server would not pay

check: $(READY)
	$(PY) make_pdf.py --check

lint: $(READY)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: lint
	sh scripts/test-deps.sh
	$(PY) -m pytest

# The edit loop: the tests that lay out no PDF.
test-quick: $(READY)
	$(PY) -m pytest -m "not pdf"

# Speed against the goals (bench/RESULTS.md); Paged.js from npm runs on Debian's
# Chromium (no browser download).
bench: $(READY)
	sh scripts/test-deps.sh
	PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix bench --silent --no-audit --no-fund
	$(PY) bench/run.py

# Lighthouse on the sample's web pages (npm, into bench/node_modules).
bench-web: $(READY)
	sh scripts/test-deps.sh
	PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix bench --silent --no-audit --no-fund
	$(PY) bench/lighthouse.py

# Extract interface strings into the template and merge them into every catalog.
i18n: $(READY)
	$(VENV)/bin/pybabel extract -F babel.cfg --no-location --sort-output \
		--project=factsheet -o locales/messages.pot .
	$(VENV)/bin/pybabel update -i locales/messages.pot -d locales --no-wrap --no-fuzzy-matching

clean:
	rm -rf output $(VENV) *.egg-info .pytest_cache .ruff_cache bench/node_modules
