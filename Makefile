# The README's two commands: `make book` and `make test`. Both create .venv and install on first use.
PYTHON   ?= python3
VENV     ?= .venv
PROFILE  ?= auto
DEVICE   ?= auto
NOTEBOOKS ?=
PARAMS   ?=
JOBS     ?= 2
BIN      := $(VENV)/bin
# passive OpenMP waiting, see rsa_utils/__init__.py
export OMP_WAIT_POLICY ?= PASSIVE
STAMP    := $(VENV)/.installed-stamp

.PHONY: setup book run html test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

## make book: execute every notebook (PROFILE=smoke|cpu|gpu|paper|auto, DEVICE=auto|cpu|cuda,
##            NOTEBOOKS="s1_small_models ...", PARAMS="-p n_boot 50", JOBS=1|2: sections side by
##            side) and build the HTML strictly.
##            CHECK=1 only validates the notebooks and parameters (runs and builds nothing).
book: run html

run: setup
	$(BIN)/python -m rsa_utils.runner $(NOTEBOOKS) --profile $(PROFILE) --device $(DEVICE) --jobs $(JOBS) $(PARAMS) $(if $(CHECK),--check)

html: setup
ifeq ($(CHECK),)
	$(BIN)/jupyter-book build book -W -n --keep-going
	@echo "The book: book/_build/html/index.html"
else
	@echo "CHECK=1: the HTML is not built"
endif

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make test: lint, unit tests and the smoke profile end to end (book build included), the test
##            files shared among TEST_JOBS processes (pytest-xdist; TEST_JOBS=0: one process).
TEST_JOBS ?= 2
test: lint
	$(BIN)/python -m pytest -q $(if $(filter 0,$(TEST_JOBS)),,-n $(TEST_JOBS) --dist loadfile)

bench: setup
	$(BIN)/python benchmarks/rsa_core.py

clean:
	rm -rf book/_build
