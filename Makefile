# The two commands of smvar:
#   make book   install, execute every notebook on the default basin, build the HTML book
#   make test   install with development tools and run the tests
PYTHON ?= python3
VENV   ?= .venv
BASIN  ?= data/basins/heihe.yaml
RUN    ?= runs/heihe
BIN     = $(VENV)/bin
MATHJAX = _vendor/mathjax/tex-mml-chtml.js

.PHONY: book test install vendor lock clean help

help:
	@echo "make book   - install, run every notebook on $(BASIN), build the HTML book"
	@echo "make test   - install with development extras and run pytest"

# Installs exactly the versions in constraints.txt (the lock file), so that a
# rerun next year resolves the same stack.
$(BIN)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name smvar --display-name "Python (smvar)" >/dev/null
	touch $@

install: $(BIN)/.installed

# MathJax served by the book itself so that math renders without network.
$(MATHJAX):
	mkdir -p .cache/npm _vendor
	cd .cache/npm && npm install --no-audit --no-fund --silent mathjax@3.2.2
	rm -rf _vendor/mathjax
	cp -r .cache/npm/node_modules/mathjax/es5 _vendor/mathjax

vendor: $(MATHJAX)

# The PDF of the whole book is printed by headless Chromium (Debian: apt-get install chromium);
# without it, `make book` still builds the HTML and says in one line how to get the PDF.
book: install vendor
	$(BIN)/smvar run $(BASIN) --out $(RUN)
	$(BIN)/smvar book $(RUN)
	$(BIN)/python -m smvar.book pdf $(RUN)/book
	@echo "The book is at $(abspath $(RUN))/book/_build/html/index.html"

test: install vendor
	$(BIN)/python -m pytest -q

# Refresh the lock file from the current environment (run by hand, then commit).
lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v -i "^smvar\|^pyinstrument\|^line.profiler" > constraints.txt

clean:
	rm -rf runs _build .pytest_cache
