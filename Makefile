# Two entry points for a fresh clone: `make site` and `make test`.
# Each creates .venv with what it needs; only Python >= 3.11 is required.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: site check test clean

$(BIN)/jobzone: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

site: $(BIN)/jobzone
	$(BIN)/jobzone build

check: $(BIN)/jobzone
	$(BIN)/jobzone check

test: $(BIN)/jobzone
	$(BIN)/python -m pytest

clean:
	rm -rf site .pytest_cache
