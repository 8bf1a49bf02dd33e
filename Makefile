# The commands a person types. Each target creates .venv (and node_modules: the CDK CLI, the console's mermaid)
# in the checkout on first use and reinstalls when the pinned dependencies change.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CDK := node_modules/.bin/cdk
# The CDK CLI runs offline: no version check, no notices, no telemetry.
CDK_ENV := CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=true JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION=1 JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=1
CDK_FLAGS := --no-notices --no-version-reporting
PYTEST_WORKERS ?= auto
# Built by its own target below; the CDK app ships it as the consent functions' dependencies layer.
CONSENT_LAYER := build/layers/consent-deletion
export TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: help install demo test lint format synth deploy openapi bench clean

help:
	@echo "make demo     run both workflows end to end on this machine (no AWS, no Docker)"
	@echo "make test     run the whole test suite (unit, integration, infra, local, conformance)"
	@echo "make lint     ruff and mypy"
	@echo "make synth    synthesize the CDK app into cdk.out (offline)"
	@echo "make deploy   deploy the CDK app to the AWS account of your current credentials"
	@echo "make openapi  regenerate docs/openapi.json from the front door's code"
	@echo "make bench    run the benchmarks under bench/ and print their numbers"

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[infra,dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

demo: $(VENV)/.installed node_modules/.installed
	$(PY) -m local demo

test: $(VENV)/.installed node_modules/.installed
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy catalog functions workflows local app.py
	$(PY) -m mypy --strict local/engine

format: $(VENV)/.installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

synth: $(VENV)/.installed node_modules/.installed $(CONSENT_LAYER)/python
	$(CDK_ENV) $(CDK) synth $(CDK_FLAGS) --quiet
	@echo "synthesized into cdk.out/"

deploy: $(VENV)/.installed node_modules/.installed $(CONSENT_LAYER)/python $(CONSENT_LAYER)/rds-ca/global-bundle.pem
	$(CDK_ENV) $(CDK) deploy $(CDK_FLAGS) --all

# The consent-deletion functions' dependencies layer: the pinned packages for the Lambda runtime
# (Python 3.13 on arm64, as in workflows/names.py), from PyPI. Built next to the final directory and
# moved into place, so a failed build leaves nothing that looks finished.
$(CONSENT_LAYER)/python: functions/consent_deletion/requirements.txt | $(VENV)/.installed
	rm -rf $@ $@.partial
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
		--platform manylinux2014_aarch64 --implementation cp --python-version 3.13 \
		--target $@.partial -r functions/consent_deletion/requirements.txt
	rm -rf $@.partial/bin
	mv $@.partial $@

# The RDS certificate bundle the ledger verifies the database with; needed to deploy, not to synthesize.
$(CONSENT_LAYER)/rds-ca/global-bundle.pem:
	mkdir -p $(@D)
	curl --fail --silent --show-error --location --output $@.partial \
		https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem
	mv $@.partial $@

openapi: $(VENV)/.installed
	$(PY) -m functions.scheduled_requests.front_door.openapi > docs/openapi.json

bench: $(VENV)/.installed
	$(PY) -m bench

clean:
	rm -rf $(VENV) node_modules cdk.out build .pytest_cache .mypy_cache .ruff_cache
