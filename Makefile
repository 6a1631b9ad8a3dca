# The two commands: `make run` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
VENV := .venv
BOT := $(VENV)/bin/bot
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: help setup run test train validate bench

help:  ## one line per target
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

setup:  ## find Python 3.10, create .venv, install the lock file when it changed
	@bot/bootstrap.sh

run: setup  ## train if data changed, start every service on localhost, print the URLs
	@$(BOT) run

train: setup  ## train the model only when data, domain or config changed
	@$(BOT) train

validate: setup  ## rasa data validate --fail-on-warnings
	@$(BOT) validate

test: setup  ## the whole suite (trains first when needed)
	@$(BOT) train
	@$(VENV)/bin/python -m pytest

bench: setup  ## speed and memory: our bot vs a plain `rasa init` bot
	@$(BOT) bench
