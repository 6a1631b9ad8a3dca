"""Content designers' tooling: checks over domain.yml and data/ that run in seconds, and the report.

Modules, one job each:
- ``project``: reads domain, data, config and actions with real line numbers.
- ``lint``: the content rules (variations, reading level, phrases, resources/footer, NLU, usage, buttons).
- ``readability``: the reading-level score (textstat, offline).
- ``safety_contract``: the pieces the safety routing needs (data: ``safety_contract.yml``).
- ``check``: ``make check-content`` after ``bot validate``: lint + safety contract, one exit code.
- ``report``: ``make report``: var/reports/index.html.
Data files beside them: ``content_rules.yml`` (thresholds, exceptions), ``phrases.yml`` (ruled-out phrases).
"""
