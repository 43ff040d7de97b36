# symtune_jax: `make demo` (set up + main job on the shipped sample), `make test` (set up + tests).
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.stamp-install

.PHONY: setup demo test bench clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/symtune demo --out demo_out

test: $(STAMP)
	$(PY) -m pytest -q -n 2 tests

bench: $(STAMP)
	$(PY) benchmarks/sql_generation.py
	$(PY) benchmarks/sql_trust_audit.py
	$(PY) benchmarks/sql_differential.py
	$(PY) benchmarks/symbol_prompts.py
	$(PY) benchmarks/selection.py
	$(PY) benchmarks/input_pipeline.py
	$(PY) benchmarks/tables_io.py

clean:
	rm -rf $(VENV) demo_out
