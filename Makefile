# Two commands do all the set-up on a fresh machine:
#   make demo   build the environment if needed, run the main job on the embedded (synthetic) example
#   make test   build the environment if needed, run the whole test suite (notebooks and doctests included)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SHARED_DATA ?= $(abspath ../shared/data)
export EGOVKIT_SHARED_DATA ?= $(SHARED_DATA)
export EGOVKIT_DATA_MIRROR ?= $(SHARED_DATA)/originals
export MPLBACKEND ?= Agg
# real-data tests fail (instead of skipping) when ../shared/data is missing
export EGOVKIT_REQUIRE_DATA ?= 1

.PHONY: demo test env browser clean bench app

env: $(VENV)/.installed

# egovkit with its test extra (pytest, nbval + ipykernel for the notebooks, playwright, ruff...; pyproject.toml)
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

# Debian's chromium for the browser tests (Playwright drives it; it never downloads its own).
browser:
	@test -x /usr/bin/chromium || { command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium not installed: browser tests will be skipped"; }

# egovkit demo replaces its own earlier demo report (said on the terminal), so this can run again; it
# refuses a folder holding other files (--force would keep them and write beside them).
demo: env
	$(VENV)/bin/egovkit demo --out out/demo

# the browser app on http://localhost:8501/ (this computer only; Ctrl+C stops it)
app: env
	$(VENV)/bin/egovkit app

# ruff first (configured in pyproject.toml: a lint error fails the target), then tests/, the notebooks
# (nbval, top to bottom) and the examples in egovkit's docstrings (--doctest-modules only reads .py
# files; nbval only .ipynb ones)
test: env browser
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n 2 --dist loadfile tests notebooks egovkit --doctest-modules --nbval-lax -q

bench: env
	for f in benchmarks/*.py; do $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) out .pytest_cache
