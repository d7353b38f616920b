# Set-up and checks; every target installs what it needs on a fresh machine.
#   make run    - the pipeline end to end on its bundled test profile (no containers)
#   make test   - the linters, the Python and pipeline tests (pytest), then nf-test where installed
SHELL := /bin/bash
PYTHON ?= python3
VENV := $(CURDIR)/.venv
# The project's virtual environment first; a Nextflow already on PATH wins over ours.
export PATH := $(VENV)/bin:$(PATH):$(CURDIR)/.tools/bin
export NXF_OFFLINE ?= true
PYTEST_ARGS ?=
# More nf-test options, e.g. NF_TEST_ARGS=--verbose
NF_TEST_ARGS ?=

.PHONY: install nextflow nf-test-tool run lint generated test unit nf-test slurm-test image container-test lock clean

install: $(VENV)/.installed nextflow

$(VENV)/.installed: pyproject.toml requirements/lock.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -c requirements/lock.txt -e ".[cpu,report,test]"
	touch $@

nextflow:
	@command -v nextflow >/dev/null || scripts/install-nextflow.sh .tools

# nf-test's official release into .tools/ (needs internet), unless nf-test is on the PATH.
nf-test-tool: nextflow
	scripts/install-nf-test.sh .tools

run: install
	nextflow run . -profile test --outdir results

# Python's linter and formatter (ruff, settings in pyproject.toml), Nextflow's strict parser
# (what Nextflow 26.04 and later read) and nf-core's pipeline lint.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	scripts/strict-lint.sh
	scripts/nf-core-lint.sh

# The copies generated from the estimators' signatures; tests fail until they follow a change.
generated: install
	$(VENV)/bin/tdimpute methods --json > assets/methods.json
	$(VENV)/bin/python scripts/write-defaults-table.py docs/usage.md

test: install lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)
	$(MAKE) nf-test

# Where nf-test is installed (on the PATH or in .tools/bin: make nf-test-tool): every module,
# subworkflow and pipeline test in NF_TEST_SHARDS shards at once (--ci: a missing snapshot
# fails instead of being written), then the one that runs the pipeline where the package is
# not installed. To update snapshots, run nf-test itself (docs/testing.md).
NF_TEST_SHARDS ?= 2
nf-test: install
	@if ! command -v nf-test >/dev/null; then \
	    echo "nf-test: skipped, not installed (make nf-test-tool installs it where there is internet)"; \
	else \
	    scripts/nf-test-shards.sh $(NF_TEST_SHARDS) --ci --tag modules,subworkflows,pipeline $(NF_TEST_ARGS) && \
	    bash tests/without_package.sh nf-test test --ci --tag without_package; \
	fi

unit: install
	$(VENV)/bin/pytest tests/unit $(PYTEST_ARGS)

# The slurm profile on a one-node Slurm cluster of this machine, stopped again however the tests
# end. Needs root and Debian's slurm-wlm and munge (apt-get install -y slurm-wlm munge).
slurm-test: install
	trap 'scripts/slurm-cluster.sh stop' EXIT; \
	scripts/slurm-cluster.sh start && \
	SLURM_CONF=$(CURDIR)/.slurm/slurm.conf TDIMPUTE_SLURM_TESTS=required $(VENV)/bin/pytest tests/slurm $(PYTEST_ARGS)

# The CPU image, from a Debian base bootstrapped here (no image registry needed).
PODMAN_OPTIONS ?= --runtime /usr/sbin/runc
export PODMAN_OPTIONS
image:
	scripts/build-image.sh cpu --local-base

# The test profile inside the image against the same run outside, on the fewest methods that
# still run every process of the benchmark (tdimpute brings PRETRAIN).
CONTAINER_TEST_ARGS ?= --methods mean,tdimpute
container-test: install image
	rm -rf results-local results-podman
	nextflow run . -profile test --outdir results-local $(CONTAINER_TEST_ARGS)
	nextflow run . -profile test,podman -c conf/podman_runc.config --outdir results-podman $(CONTAINER_TEST_ARGS)
	$(VENV)/bin/python tests/containers/compare_runs.py results-local results-podman

# Rewrite the lock from a fresh resolution of pyproject's dependencies.
lock:
	rm -rf /tmp/tdimpute-lock && $(PYTHON) -m venv /tmp/tdimpute-lock
	/tmp/tdimpute-lock/bin/pip install -q ".[cpu,report,test]"
	{ echo "# One lock for CI and the container images: pip install -c requirements/lock.txt ..."; \
	  echo "# Regenerate with: make lock"; \
	  /tmp/tdimpute-lock/bin/pip freeze --exclude tdimpute; \
	  echo "# The GPU build (tdimpute[gpu]) at the same version."; \
	  /tmp/tdimpute-lock/bin/pip freeze | sed -n 's/^tensorflow_cpu==/tensorflow==/p'; } > requirements/lock.txt
	rm -rf /tmp/tdimpute-lock

clean:
	rm -rf work results results-local results-podman .nextflow .nextflow.log* .pytest_cache .nf-test .bare-venv
