# The README's two commands are `make demo` and `make test`; both install first.
VENV ?= $(CURDIR)/.venv
PY := $(VENV)/bin/python
export PATH := $(VENV)/bin:$(PATH)

.PHONY: install demo test test-fast lint format docs transfer-study wecromcl-study \
	anchor-points-example

install:
	bash scripts/install.sh

demo: install
	bash projects/demo/demo.sh

# Does pre-training help PSENet on real images? (projects/transfer_study/README.md)
TOTALTEXT ?= data/totaltext_train
STUDY_DIR ?= work_dirs/transfer_study
transfer-study: install
	$(PY) -m projects.transfer_study.run_study $(STUDY_DIR) \
	  --train-ann $(TOTALTEXT)/textspotting_train.json $(STUDY_ARGS)

# Do WeCromCL's maps find the queried word? (projects/wecromcl_localization/README.md);
# about 17 minutes per seed on a 2-core CPU (measured 2026-11-26)
WSTUDY_DIR ?= work_dirs/wecromcl_study
WSTUDY_ARGS ?= --variants paper --seeds 0 1 2
wecromcl-study: install
	$(PY) -m projects.wecromcl_localization.run_study $(WSTUDY_DIR) $(WSTUDY_ARGS)

# WeCromCL anchor points for images labelled only with their words, scored against
# the polygons the tool never saw (docs/en/user_guides/anchor_points.md)
anchor-points-example: install
	bash scripts/anchor_points_example.sh

test: install lint
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not slow"

# The documentation (docs/en, set up in docs/en/conf.py) as HTML in docs/en/_build/html,
# warnings as errors. Its requirements go into the venv here, not with `make install`;
# the checks of the pages' links, paths and command lines are tests (tests/test_docs).
DOCS_OUT ?= docs/en/_build/html
docs: install
	$(PY) -m pip --disable-pip-version-check install -q -r requirements/docs.txt \
	  -c requirements/constraints.txt
	$(PY) -m sphinx -W --keep-going -E -q -b html docs/en $(DOCS_OUT)
	@echo "[docs] built: $(DOCS_OUT)/index.html"

lint: install
	$(PY) -m flake8 mmocr_oclip tools tests configs scripts projects setup.py docs/en/conf.py
	$(PY) -m isort --check-only --diff mmocr_oclip tools tests configs projects setup.py docs/en/conf.py
	$(PY) -m yapf --diff --recursive mmocr_oclip tools tests configs projects setup.py docs/en/conf.py

format: install
	$(PY) -m isort mmocr_oclip tools tests configs projects setup.py docs/en/conf.py
	$(PY) -m yapf --in-place --recursive mmocr_oclip tools tests configs projects setup.py docs/en/conf.py
