PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint gallery clean

$(BIN)/python:
	$(shell command -v $(PYTHON) >/dev/null 2>&1 && echo $(PYTHON) || echo python3) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev,deep,ray]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/dynalab compare --force

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/dynalab bench

lint: $(STAMP)
	$(BIN)/ruff check src tests

REPRODUCTIONS := fig8.2 fig8.3 fig8.4 fig8.5 ex8.4 fig8.8
STUDIES := stochastic-model planning-amplifies-error exploitation sweeping-per-episode \
	neural-model-error imagination

gallery: $(STAMP)
	mkdir -p docs/gallery
	for name in $(REPRODUCTIONS); do \
		$(BIN)/dynalab reproduce $$name --out runs/$$name --force --quiet || exit 1; \
		for png in runs/$$name/*.png; do cp $$png docs/gallery/$$name-$$(basename $$png); done; \
	done
	for name in $(STUDIES); do \
		$(BIN)/dynalab study $$name --out runs/$$name --force --quiet; \
		status=$$?; [ $$status -le 1 ] || exit $$status; \
		for picture in runs/$$name/*.png runs/$$name/*.gif; do \
			if [ -e $$picture ]; then cp $$picture docs/gallery/$$name-$$(basename $$picture); fi; \
		done; \
	done
	$(BIN)/dynalab tradeoff --out runs/tradeoff --force --quiet
	for png in runs/tradeoff/*.png; do cp $$png docs/gallery/tradeoff-$$(basename $$png); done
	$(BIN)/dynalab compare --env dyna-maze:scale=3 --runs 10 --episodes 30 --out runs/scaled --force --quiet
	cp runs/scaled/policy.png docs/gallery/scaled-dyna-maze-policy.png
	$(BIN)/dynalab animate --out docs/gallery/animate-dyna-maze.gif --force
	$(BIN)/dynalab animate --out docs/gallery/animate-dyna-maze-strip.png --force
	$(BIN)/dynalab animate --env blocking-maze --agents dyna-q:n=10,alpha=1 \
		dyna-q+:n=10,alpha=1,kappa=0.001 --steps 3000 --out docs/gallery/animate-blocking-maze.gif --force
	$(BIN)/dynalab animate --agents dyna-q:n=5 prioritized-sweeping:n=5 \
		--out docs/gallery/animate-prioritized-sweeping.gif --force
	mkdir -p runs
	$(BIN)/dynalab sweep --example > runs/sweep-example.toml
	$(BIN)/dynalab sweep runs/sweep-example.toml --out runs/sweep-example --force
	for png in runs/sweep-example/sensitivity-*.png; do cp $$png docs/gallery/sweep-$$(basename $$png); done

clean:
	rm -rf $(VENV) runs
