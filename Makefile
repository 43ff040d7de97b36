# symtune_jax: `make demo` (set up + main job on the shipped sample), `make test` (set up + tests).
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.stamp-install
# Wheels of T5X, airio and jestimator built from the commits docs/T5X.md pins
# (not on the package index). When the folder exists, `make test` installs them
# (once: a stamp) and every T5X test runs; without it those tests skip.
WHEELS    ?= ../shared/wheels
T5X_WHEELS := $(wildcard $(WHEELS)/*.whl)
T5X_STAMP := $(VENV)/.stamp-t5x

.PHONY: setup t5x demo test test-beam bench clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

# T5X and its pinned extras, without dependency resolution (T5X's setup.py would
# replace the pinned stack with git HEADs): docs/T5X.md, "Installing T5X".
$(T5X_STAMP): $(STAMP) requirements-t5x.txt $(T5X_WHEELS)
	$(PY) -m pip install -q --no-deps $(T5X_WHEELS) -r requirements-t5x.txt
	$(PY) -c "import t5x.train, t5x.eval, t5x.infer"
	touch $(T5X_STAMP)

t5x: $(if $(T5X_WHEELS),$(T5X_STAMP),$(STAMP))
	@test -n "$(T5X_WHEELS)" || echo "no wheels in $(WHEELS): install T5X from git (docs/T5X.md)"

demo: $(STAMP) $(if $(T5X_WHEELS),$(T5X_STAMP))
	$(VENV)/bin/symtune demo --out demo_out

test: $(STAMP) $(if $(T5X_WHEELS),$(T5X_STAMP))
	@$(PY) -c "import importlib.util as u; print('T5X', 'installed: the T5X tests run' if u.find_spec('t5x') else 'not installed: the T5X tests skip (docs/T5X.md)')"
	$(PY) -m pytest -q -n 2 --durations=15 tests

# Beam caching in its own virtualenv: the beam extra pins protobuf 6, pyarrow 25,
# pillow 12 and python-dateutil 2 (docs/T5X.md, "What the beam extra changes").
BEAM_VENV := .venv-beam
$(BEAM_VENV)/.stamp-install: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BEAM_VENV)/bin/python || $(PYTHON) -m venv $(BEAM_VENV)
	$(BEAM_VENV)/bin/python -m pip install -q --upgrade pip
	$(BEAM_VENV)/bin/python -m pip install -q -r requirements-dev.txt -e '.[beam]'
	$(BEAM_VENV)/bin/python -m pip check
	touch $@

test-beam: $(BEAM_VENV)/.stamp-install
	$(BEAM_VENV)/bin/python -m pytest -q -p no:xdist tests/tasks/test_beam_cache.py \
	  tests/tasks/test_sharding.py tests/t5x_gin/test_requirements.py

bench: $(STAMP)
	$(PY) benchmarks/sql_generation.py
	$(PY) benchmarks/sql_trust_audit.py
	$(PY) benchmarks/sql_differential.py
	$(PY) benchmarks/symbol_prompts.py
	$(PY) benchmarks/selection.py
	$(PY) benchmarks/input_pipeline.py
	$(PY) benchmarks/tables_io.py

clean:
	rm -rf $(VENV) $(BEAM_VENV) demo_out
