# The two commands: `make run` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
VENV := .venv
BOT := $(VENV)/bin/bot
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: help setup run run-cluster test train validate bench load safety-model

help:  ## one line per target
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

setup:  ## find Python 3.10, create .venv, install the lock file when it changed
	@bot/bootstrap.sh

run: setup  ## train if data changed, start every service on localhost, print the URLs
	@$(BOT) run

run-cluster: setup  ## 2 Rasa replicas on DATABASE_URL (PostgreSQL) + REDIS_URL, actions, web app
	@$(BOT) run-cluster

train: setup  ## train the model only when data, domain or config changed
	@$(BOT) train

validate: setup  ## rasa data validate --fail-on-warnings
	@$(BOT) validate

test: setup browser-deps  ## the whole suite (trains first when needed)
	@$(BOT) train
	@$(VENV)/bin/python -m pytest

bench: setup  ## speed and memory: our bot vs a plain `rasa init` bot
	@$(BOT) bench

# LOAD_URL=http://host:port runs against a running web app (its DATABASE_URL set here for the case check).
load: setup  ## 50 simulated people for 2 minutes through the web app: errors, p50/p95/p99, msg/s, cases
	@$(BOT) train
	@$(VENV)/bin/python -m bot.load $(if $(LOAD_URL),--base-url $(LOAD_URL)) --report var/reports/load.json

safety-model: setup  ## retrain safety/model/ (risk model + card) from ../shared/safety-training, when it is there
	@$(VENV)/bin/python -m safety.train_risk_model

# Browser tests (tests/browser/) need Debian's Chromium (installed here only when running as root)
# and axe-core, vendored with npm into the git-ignored tests/browser/node_modules/.
.PHONY: browser-deps
AXE := tests/browser/node_modules/axe-core/axe.min.js

browser-deps:  ## Chromium (apt-get, as root) and axe-core (npm) for the browser tests
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && export DEBIAN_FRONTEND=noninteractive \
		&& apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
		|| { echo "error: the browser tests need Chromium; install it: sudo apt-get install -y chromium" >&2; exit 1; }
	@[ -f $(AXE) ] || { command -v npm >/dev/null && npm ci --prefix tests/browser --no-audit --no-fund; } \
		|| { echo "error: the browser tests need axe-core; install Node.js 18+ (npm), then: make browser-deps" >&2; exit 1; }

# Content designers' checks (bot/content/; docs/content-guide.md).
.PHONY: check-content report

check-content: setup  ## bot validate, then content lint + safety contract; file:line findings, no training
	@status=0; $(BOT) validate || status=1; $(VENV)/bin/python -m bot.content.check || status=1; exit $$status

report: setup  ## var/reports/index.html: intent cross-validation, conversation tests, safety corpus, story graph (SEED=1: fixed folds)
	@$(VENV)/bin/python -m bot.content.report $(if $(SEED),--seed $(SEED))
