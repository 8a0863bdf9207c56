# Every target bootstraps .venv on first use from the pinned requirements.txt.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
# the assignments are the folders of source/ that hold a manifest
ASSIGNMENTS := $(patsubst source/%/assignment.toml,%,$(wildcard source/*/assignment.toml))
export CIFAR10_DIR ?= $(CURDIR)/data/cifar-10-batches-bin
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: demo test test-fast student solutions release nbgrader-course autograde gradescope data bench clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 > /dev/null
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m autograder demo

test: $(STAMP)
	$(PY) -m pytest tests --durations=15

# the inner loop: every module's logic, without the tests marked slow (real training, notebooks, bundles)
test-fast: $(STAMP)
	$(PY) -m pytest tests -m "not slow" --durations=10

student: $(STAMP)
	$(PY) -m coursebuild student

solutions: $(STAMP)
	$(PY) -m coursebuild solutions

# rebuilds assignments/ and solutions/ from source/ first, then zips them
release: $(STAMP)
	$(PY) -m coursebuild release

# nbgrader's course directory (source/, release/, gradebook.db) in build/nbgrader; ROSTER=students.csv adds students
nbgrader-course: $(STAMP)
	$(PY) -m coursebuild nbgrader-course --out build/nbgrader $(if $(ROSTER),--roster $(ROSTER))

autograde: $(STAMP)
	@failed=""; for a in $(ASSIGNMENTS); do $(PY) -m autograder grade-all $$a submitted -j 2 || failed="$$failed $$a"; done; \
	if [ -n "$$failed" ]; then echo "make autograde: grading reported problems for:$$failed (see above)" >&2; exit 1; fi

gradescope: $(STAMP)
	@for a in $(ASSIGNMENTS); do $(PY) -m autograder gradescope $$a --out dist/$$a-gradescope.zip || exit 1; done

data: $(STAMP)
	$(PY) -m coursebuild.download_cifar10 data

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf build dist bench/results.json
