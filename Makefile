# conv-lessons: `make lab` opens the lessons, `make test` checks everything.
# Both create .venv (Python venv) on first use and install the project into it.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TORCH_VERSION ?= 2.13.0
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

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
	@touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --ip=127.0.0.1 $(ROOT_FLAG) --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks

test: $(STAMP)
	$(BIN)/python -m ruff check conv_lessons tests benchmarks tools
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/python -m ruff check conv_lessons tests benchmarks tools

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_corr2d.py

# Peak memory and wall time of executing every notebook (budget for a hub / Binder: <= 1 GB, <= 60 s).
.PHONY: bench-notebooks
bench-notebooks: $(STAMP)
	$(BIN)/python benchmarks/bench_notebooks.py

# Static HTML of every lesson in site/ (stored outputs and figures inline, readable offline).
html: $(STAMP)
	$(BIN)/python tools/build_site.py --out site

clean:
	rm -rf $(VENV) site .pytest_cache build

# Rebuild the notebooks from tools/build_*.py and execute them in place (commit the result):
# outputs are seeded, so this is repeatable.
NOTEBOOK_SCRIPTS := $(sort $(wildcard tools/build_nb*.py)) tools/build_solutions.py tools/build_index.py
notebooks: $(STAMP)
	for script in $(NOTEBOOK_SCRIPTS); do $(BIN)/python $$script || exit 1; done
	$(BIN)/python tools/execute_notebooks.py

# Explorer responsiveness (issue 13): Python side per update and bytes sent (bench_explorers.py),
# then what a learner feels in JupyterLab in Chromium, key press -> new picture (bench_browser_latency.py).
.PHONY: bench-explorers
bench-explorers: $(STAMP)
	$(BIN)/python benchmarks/bench_explorers.py
	$(BIN)/python benchmarks/bench_browser_latency.py
