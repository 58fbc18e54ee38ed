# The two commands of the README:
#   make sample   set up .venv and run the built-in sample clip through the thug_glasses lens into out.mp4
#   make test     set up .venv with the test tools, run ruff (lint + format check) and the whole test suite
VENV ?= .venv
PYTEST_ARGS ?=

.PHONY: sample test bench

sample:
	scripts/setup_env.sh run
	$(VENV)/bin/lensengine run --input sample --output out.mp4 --stats

test:
	scripts/setup_env.sh test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/python -m pytest -q $(PYTEST_ARGS)

bench:
	$(VENV)/bin/python benchmarks/pipeline.py
