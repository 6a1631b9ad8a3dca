"""Every safety/ error prints its own code, even when two templates read the same."""
from __future__ import annotations

from safety.errors import Errors, err


def test_each_error_prints_its_own_code():
    values = dict(file="f.yml", problem="p", index=1, rule="r", other="o", category="c", known="k",
                  kind="k", fields="x", allowed="y", field="z", dir="d", reserved="r", locale="xx",
                  name="n", line=3, audience="a")
    codes = [name for name in vars(Errors) if name.startswith("E")]
    assert len(codes) > 20
    for code in codes:
        assert err(getattr(Errors, code), **values).startswith(f"[{code}] "), code


def test_resource_file_errors_are_not_reported_as_rule_file_errors():
    # E021 reads exactly like E001 and E022 like E002: they used to print the rule files' codes.
    assert Errors.E021 == Errors.E001 and Errors.E022 == Errors.E002
    assert err(Errors.E021, file="en-US.yml", problem="bad").startswith("[E021]")
    assert err(Errors.E022, file="en-US.yml", problem="bad").startswith("[E022]")
