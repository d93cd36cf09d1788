# conv-lessons: `make lab` opens the lessons, `make test` checks everything.
# Both create .venv (Python venv) on first use and install the project into it.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TORCH_VERSION ?= 2.13.0
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu

.PHONY: lab test install lint bench html clean notebooks

install: $(STAMP)

# PyTorch first, as a CPU build where we can get one: PyTorch's CPU wheel index when it answers,
# otherwise the configured index (on Linux that is a multi-GB CUDA build unless a CPU wheel is
# available locally, as on our CI machines).  Then the project, pinned to tested versions.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if $(BIN)/python -c "import torch" 2>/dev/null; then \
	  echo "torch already installed: $$($(BIN)/python -c 'import torch; print(torch.__version__)')"; \
	elif $(BIN)/python -c "import urllib.request; urllib.request.urlopen('$(TORCH_CPU_INDEX)/torch/', timeout=5)" 2>/dev/null; then \
	  echo "installing torch==$(TORCH_VERSION) (CPU build) from $(TORCH_CPU_INDEX)"; \
	  $(BIN)/python -m pip install "torch==$(TORCH_VERSION)" --index-url $(TORCH_CPU_INDEX) --extra-index-url https://pypi.org/simple; \
	else \
	  echo "$(TORCH_CPU_INDEX) does not answer: installing torch==$(TORCH_VERSION) from the configured index"; \
	  $(BIN)/python -m pip install "torch==$(TORCH_VERSION)"; \
	fi
	$(BIN)/python -m pip install -c constraints.txt -e ".[test]"
	@# In this checkout's JupyterLab a lesson's MyST source (lessons/*.md) opens as a notebook on a double-click.
	mkdir -p $(VENV)/share/jupyter/lab/settings/overrides.d
	cp tools/jupyterlab/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.d/conv-lessons.json
	@touch $(STAMP)

# JupyterLab on this checkout as it is (nothing copied), started by the same command a learner
# uses: 127.0.0.1 only, a fresh token that no Jupyter configuration can switch off, and
# notebooks/index.ipynb opened first.  More options: make lab LAB_ARGS="--port 9000 --no-browser"
LAB_ARGS ?=
lab: $(STAMP)
	$(BIN)/conv-lessons lab --no-copy "$(CURDIR)" $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/python -m ruff check conv_lessons tests benchmarks tools notebooks
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/python -m ruff check conv_lessons tests benchmarks tools notebooks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_corr2d.py

# Peak memory and wall time of executing every notebook (budget for a hub / Binder: <= 1 GB, <= 60 s).
.PHONY: bench-notebooks
bench-notebooks: $(STAMP)
	$(BIN)/python benchmarks/bench_notebooks.py

# Static site of every lesson in site/ (Sphinx + MyST-NB over the executed notebooks, tools/sphinx_site/):
# stored outputs, no kernel, no script, nothing from the internet; a broken link fails the build.
html: $(STAMP)
	$(BIN)/python tools/build_site.py --out site --strict

clean:
	rm -rf $(VENV) site .pytest_cache build

# Each lesson is a pair (jupytext.toml): its MyST source in lessons/ and its executed notebook in
# notebooks/.  `make sync` brings every pair in step after an edit on either side (it refuses a
# lesson edited on both sides), rewrites the navigation from conv_lessons/toc.py, and re-executes,
# in place and seeded, the notebooks whose code changed.  `make notebooks` also re-executes every
# notebook (after a change to the package code the lessons run).  Commit both sides.
.PHONY: sync
sync: $(STAMP)
	$(BIN)/python tools/sync_lessons.py

notebooks: $(STAMP)
	$(BIN)/python tools/sync_lessons.py --run-all

# Explorer responsiveness (issue 13): Python side per update and bytes sent (bench_explorers.py),
# then what a learner feels in JupyterLab in Chromium, key press -> new picture (bench_browser_latency.py).
.PHONY: bench-explorers
bench-explorers: $(STAMP)
	$(BIN)/python benchmarks/bench_explorers.py
	$(BIN)/python benchmarks/bench_browser_latency.py
