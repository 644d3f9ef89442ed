# `make help` lists the targets. Everything runs in .venv, made on first use.
.DEFAULT_GOAL := help
.PHONY: help letters check test visual-refresh docs bench bench-baseline clean

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

JOBS ?=

letters: $(VENV)/.installed ## Build every council's letter (make letters JOBS=1: one at a time)
	@scripts/install-system-deps runtime
	$(BIN)/letters build $(if $(JOBS),--jobs $(JOBS))

check: $(VENV)/.installed ## Check every council file and the year file, without building
	$(BIN)/letters check

test: $(VENV)/.installed-test ## Run the tests (on every core), the linter and the type checker
	@scripts/install-system-deps test
	$(BIN)/pytest
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy --strict src/letters

visual-refresh: $(VENV)/.installed-test ## After a deliberate change to the look: new page images for the visual test
	@scripts/install-system-deps test
	LETTERS_VISUAL_REFRESH=1 $(BIN)/pytest -q tests/test_visual.py
	@echo "Look at tests/visual/expected/ (git diff shows which pages changed) before committing."

docs: $(VENV)/.installed-test ## Redraw the README's pictures in docs/ from the reference year
	@scripts/install-system-deps test
	$(BIN)/python scripts/refresh-docs docs --screenshots

BASELINE := .bench/7ef6ab8

bench: $(VENV)/.installed-test ## Time a 343-council year against the ideal, the naive way and a pinned 7ef6ab8
	@scripts/install-system-deps runtime
	$(BIN)/python benchmarks/run.py
	@if [ -x $(BASELINE)/.venv/bin/letters ]; then $(BIN)/python benchmarks/against.py $(BASELINE); \
	else echo "No pinned build of 7ef6ab8 to compare with: make bench-baseline makes one."; fi

bench-baseline: ## Pin a build of commit 7ef6ab8 (before proofreading) in .bench/ for make bench
	rm -rf $(BASELINE)
	git worktree prune
	git worktree add --detach $(BASELINE) 7ef6ab8
	$(PYTHON) -m venv $(BASELINE)/.venv
	$(BASELINE)/.venv/bin/pip install --quiet -e $(BASELINE)

clean: ## Remove build/ (the outputs)
	rm -rf build

# Building needs only the runtime packages; the tests add their own (pytest, Playwright, mypy...).
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV) || { scripts/install-system-deps venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@
