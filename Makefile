# The two commands a reader or contributor needs: `make book` and `make test`.
# Everything installs itself into .venv on first use (and again when pyproject.toml or
# constraints.txt change), from the pinned versions in constraints.txt.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HTML   := _build/html
# The PDF is built apart from the site (its own parsed pages: a page's figures are parsed
# differently for LaTeX), from the same execution cache.
PDF_BUILD := _build/pdf
PDF    := $(PDF_BUILD)/_build/latex/calcbook.pdf
PORT   ?= 8000
# Strict: every warning is an error, broken references are reported, and all are listed
# before the build fails.
JB_FLAGS := -W -n --keep-going
# Tests run on every core (pytest-xdist); the checks that share one opened page or one built
# environment stay together on one worker (--dist loadscope, with the scopes that
# tests/conftest.py defines). PYTEST_WORKERS=0 runs serially.
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadscope

.PHONY: help install execute book build-html pdf serve test test-steps test-unit test-under-load lint bench bench-pages \
        screenshots clean clean-cache

help:
	@echo "make book    build the HTML book into $(HTML) (executes changed pages only)"
	@echo "make pdf     build the book as a PDF into $(PDF) (installs Debian's TeX if missing)"
	@echo "make serve   preview the built book on http://localhost:$(PORT)"
	@echo "make test    lint, unit tests, build the book, check the site, drive it in Chromium"
	@echo "make test-unit    the package's unit and property tests only (within 2 minutes)"
	@echo "make test-under-load  the browser tests 3 times in a row with every core kept busy"
	@echo "make lint    ruff, and the GitHub workflows (zizmor, JSON schema)"
	@echo "make bench   build and site benchmarks, accuracy and cost of derivatives, backprop, Taylor, optimisers, NIST regression, page speed"
	@echo "make bench-pages  page speed only: Lighthouse (mobile and desktop) on the built site served gzipped"
	@echo "make screenshots  screenshots of the built pages, light and dark"
	@echo "make clean   remove $(HTML) (keeps the execution cache); clean-cache removes it too"

install: $(STAMP)

# uv (pinned in constraints.txt, installed by pip) installs the same pinned versions as pip
# would, downloading in parallel: about 30 s instead of 80 s in a fresh clone. It compiles the
# modules to bytecode at install, as pip does: where PYTHONDONTWRITEBYTECODE is set (as on
# the CI machines), Python would otherwise compile them again at every import (a page's
# kernel took 14 s to import its libraries instead of 4 s).
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -c constraints.txt \
	  -e ".[book,test]"
	@touch $(STAMP)

# The execution cache keys a page on its code cells only, so a change to the calcbook package
# (or to the pinned dependencies) that the pages call would leave stale outputs. A hash of
# both is kept beside the cache; when it changes, every page is read and executed again.
CODE_HASH = $(shell cat $$(find src/calcbook -type f ! -path '*__pycache__*' | LC_ALL=C sort) \
                constraints.txt | sha256sum | cut -c1-16)
CODE_HASH_FILE := _build/.calcbook-code-hash

# Forget the executed pages when the calcbook code they call changed (see above).
define CHECK_CODE_HASH
	@if [ -d _build ] && [ "$$(cat $(CODE_HASH_FILE) 2>/dev/null)" != "$(CODE_HASH)" ]; then \
	  echo "calcbook or its dependencies changed: every page is executed again"; \
	  rm -rf _build/.jupyter_cache _build/.doctrees _build/jupyter_execute \
	    $(PDF_BUILD)/_build/.doctrees; fi
	@# The cache now holds (or will hold) outputs of this code only, also if the build fails.
	@mkdir -p _build && echo $(CODE_HASH) > $(CODE_HASH_FILE)
endef

# Execute the pages the cache lacks on every core first (the build would run them one by one);
# a page that fails is left to the build, which reports it.
execute: $(STAMP)
	$(CHECK_CODE_HASH)
	$(BIN)/python scripts/execute_pages.py

# On failure forget the parsed pages (not the execution cache), so the next build reads them
# again and reports the same problems instead of "no targets are out of date".
define BUILD_HTML
	$(BIN)/jupyter-book build . $(JB_FLAGS) || { rm -rf _build/.doctrees; exit 1; }
	@echo "The book is in $(HTML)/index.html (preview it with: make serve)"
endef

book: execute
	$(BUILD_HTML)

# The build alone, for test-steps, whose `execute` has run (a second pass finds every page
# in the cache, but takes seconds to say so).
build-html: $(STAMP)
	$(BUILD_HTML)

# The book as a PDF: Sphinx's LaTeX writer (the same pages, executed from the same cache), then
# XeLaTeX through latexmk, from Debian's TeX, which scripts/install-tex.sh installs if it is
# missing. As strict as `make book` (any Sphinx warning fails), and any LaTeX error stops it
# (-halt-on-error). Then tests/test_pdf.py checks the PDF: every part, every figure, no
# unresolved reference or citation.
LATEX_FLAGS := -interaction=nonstopmode -halt-on-error -file-line-error

pdf: $(STAMP)
	scripts/install-tex.sh
	$(CHECK_CODE_HASH)
	$(BIN)/python scripts/execute_pages.py
	@start=$$(date +%s); \
	LATEXOPTS="$(LATEX_FLAGS)" $(BIN)/jupyter-book build . --builder pdflatex \
	  --path-output $(PDF_BUILD) $(JB_FLAGS) || { rm -rf $(PDF_BUILD)/_build/.doctrees; exit 1; }; \
	echo "PDF built in $$(( $$(date +%s) - start )) s: $(PDF)"
	CALCBOOK_PDF=$(PDF) $(BIN)/python -m pytest tests/test_pdf.py -p no:cacheprovider -q

serve: $(STAMP)
	@test -f $(HTML)/index.html || $(MAKE) book
	@echo "Serving $(HTML) on http://localhost:$(PORT) (Ctrl-C stops)"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory $(HTML)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/zizmor --offline --no-progress .github/workflows
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

# Each test command ends with its time against the budget in CONTRIBUTING.md, pass or fail.
test-unit: $(STAMP)
	@start=$$(date +%s); rc=0; \
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not book and not browser and not slow" \
	  --durations=10 || rc=$$?; \
	$(PYTHON) scripts/budget.py test-unit $$start; exit $$rc

test:
	@start=$$(date +%s); rc=0; \
	$(MAKE) --no-print-directory test-steps || rc=$$?; \
	$(PYTHON) scripts/budget.py make-test $$start; exit $$rc

# The Binder simulation (tests/test_binder.py) needs no built book: it runs beside the pages'
# execution and the build (which keeps only one core of two busy while Sphinx reads and
# writes the pages, and leaves cores idle at the end of the execution), and its report is
# printed after the build's. Then every other test runs, on every core.
BINDER_LOG := _build/test-binder.log

test-steps: lint
	@rc=0; binder_rc=0; mkdir -p _build; \
	$(BIN)/python -m pytest tests/test_binder.py -p no:cacheprovider --durations=5 \
	  > $(BINDER_LOG) 2>&1 & binder=$$!; \
	$(MAKE) --no-print-directory execute || rc=$$?; \
	[ $$rc -ne 0 ] || $(MAKE) --no-print-directory build-html || rc=$$?; \
	wait $$binder || binder_rc=$$?; \
	echo "::: the Binder simulation, run beside the build (exit $$binder_rc):"; \
	cat $(BINDER_LOG); \
	[ $$rc -eq 0 ] || exit $$rc; \
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) --durations=25 --ignore=tests/test_binder.py \
	  || rc=$$?; \
	[ $$binder_rc -eq 0 ] || echo "The Binder simulation failed: its report is above."; \
	[ $$rc -ne 0 ] && exit $$rc; exit $$binder_rc

# The proof that the browser tests wait for conditions, not for time: three runs in a row
# while every core is kept busy by another process (scripts/under_load.py).
test-under-load: $(STAMP)
	@test -f $(HTML)/index.html || $(MAKE) book
	$(BIN)/python scripts/under_load.py --repeat 3 -- \
	  $(BIN)/python -m pytest $(PYTEST_PARALLEL) -m browser -p no:cacheprovider -q

# benchmarks/network.py compares backprop with PyTorch: the bench extra installs its CPU build.
BENCH_STAMP := $(VENV)/.installed-bench

# pip, not uv: pip takes PyTorch's CPU build from the machine's wheels where it has them.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[book,test,bench]"
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/build.py
	$(BIN)/python benchmarks/derivatives.py
	$(BIN)/python benchmarks/multivariate.py
	$(BIN)/python benchmarks/network.py
	$(BIN)/python benchmarks/taylor.py
	$(BIN)/python benchmarks/optimise.py
	$(BIN)/python benchmarks/regression.py
	$(MAKE) --no-print-directory bench-pages

# Lighthouse (pinned in benchmarks/lighthouse/package-lock.json) is installed by the script with
# `npm ci` into benchmarks/lighthouse/node_modules on first use: only this target needs Node.
bench-pages: book
	$(BIN)/python benchmarks/pagespeed.py $(PAGESPEED_ARGS)

screenshots: $(STAMP)
	@test -f $(HTML)/index.html || $(MAKE) book
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(HTML) $(PDF_BUILD) _build/jupyter_execute

clean-cache: clean
	rm -rf _build
