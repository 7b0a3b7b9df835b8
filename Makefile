# The two commands a reader or contributor needs: `make book` and `make test`.
# Everything installs itself into .venv on first use (and again when pyproject.toml or
# constraints.txt change), from the pinned versions in constraints.txt.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HTML   := _build/html
PORT   ?= 8000
# Strict: every warning is an error, broken references are reported, and all are listed
# before the build fails.
JB_FLAGS := -W -n --keep-going

.PHONY: help install book serve test test-unit lint bench screenshots clean clean-cache

help:
	@echo "make book    build the HTML book into $(HTML) (executes changed pages only)"
	@echo "make serve   preview the built book on http://localhost:$(PORT)"
	@echo "make test    lint, unit tests, build the book, check the site, drive it in Chromium"
	@echo "make lint    ruff, and the GitHub workflows (zizmor, JSON schema)"
	@echo "make bench   build and site benchmarks, accuracy and cost of derivatives"
	@echo "make screenshots  screenshots of the built pages, light and dark"
	@echo "make clean   remove $(HTML) (keeps the execution cache); clean-cache removes it too"

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[book,test]"
	@touch $(STAMP)

# The execution cache keys a page on its code cells only, so a change to the calcbook package
# (or to the pinned dependencies) that the pages call would leave stale outputs. A hash of
# both is kept beside the cache; when it changes, every page is read and executed again.
CODE_HASH = $(shell cat $$(find src/calcbook -type f ! -path '*__pycache__*' | LC_ALL=C sort) \
                constraints.txt | sha256sum | cut -c1-16)
CODE_HASH_FILE := _build/.calcbook-code-hash

book: $(STAMP)
	@if [ -d _build ] && [ "$$(cat $(CODE_HASH_FILE) 2>/dev/null)" != "$(CODE_HASH)" ]; then \
	  echo "calcbook or its dependencies changed: every page is executed again"; \
	  rm -rf _build/.jupyter_cache _build/.doctrees _build/jupyter_execute; fi
	@# The cache now holds (or will hold) outputs of this code only, also if the build fails.
	@mkdir -p _build && echo $(CODE_HASH) > $(CODE_HASH_FILE)
	@# On failure forget the parsed pages (not the execution cache), so the next build reads
	@# them again and reports the same problems instead of "no targets are out of date".
	$(BIN)/jupyter-book build . $(JB_FLAGS) || { rm -rf _build/.doctrees; exit 1; }
	@echo "The book is in $(HTML)/index.html (preview it with: make serve)"

serve: $(STAMP)
	@test -f $(HTML)/index.html || $(MAKE) book
	@echo "Serving $(HTML) on http://localhost:$(PORT) (Ctrl-C stops)"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory $(HTML)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/zizmor --offline --no-progress .github/workflows
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

test-unit: $(STAMP)
	$(BIN)/python -m pytest -m "not book and not browser"

test: lint book
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/build.py
	$(BIN)/python benchmarks/derivatives.py
	$(BIN)/python benchmarks/multivariate.py

screenshots: $(STAMP)
	@test -f $(HTML)/index.html || $(MAKE) book
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(HTML) _build/jupyter_execute

clean-cache: clean
	rm -rf _build
