"""Crisis resources: loading, merging a clinic file, validation, payload order, text."""
from __future__ import annotations

from pathlib import Path

import pytest

from safety.errors import ResourceError
from safety.resources import load_resources


def test_default_locale_is_en_us_with_988_as_primary_line():
    rs = load_resources()
    assert rs.locale == "en-US" and rs.primary_line == "988"


def test_emergency_payload_puts_the_emergency_number_first():
    payload = load_resources("en-US").as_payload("emergency")
    assert payload["type"] == "crisis_resources" and payload["kind"] == "emergency"
    assert payload["resources"][0]["phone"] == "911"
    assert set(payload["resources"][0]) == {"name", "phone", "sms", "url", "hours"}


def test_crisis_payload_leads_with_crisis_lines_and_still_includes_emergency():
    resources = load_resources("en-US").as_payload("crisis")["resources"]
    assert resources[0]["phone"] == "988"
    assert resources[-1]["phone"] == "911"
    assert {"number": "741741", "keyword": "HOME"} in [r["sms"] for r in resources]


def test_us_text_shows_every_number_and_keyword():
    text = load_resources("en-US").as_text("crisis")
    assert "988 Suicide & Crisis Lifeline: call or text 988 (24/7), chat 988lifeline.org" in text
    assert "text HOME to 741741" in text and "911" in text


def test_gb_resources():
    rs = load_resources("en-GB")
    assert rs.primary_line == "116 123"
    text = rs.as_text("emergency")
    assert text.splitlines()[0].startswith("Emergency services: call 999")
    for needle in ("116 123", "jo@samaritans.org", "text SHOUT to 85258", "111", "option 2", "0800 1111", "under 19"):
        assert needle in text, needle


def test_unknown_locale_lists_known_locales():
    with pytest.raises(ResourceError, match=r"\[E020\].*fr-FR.*en-GB, en-US"):
        load_resources("fr-FR")


def test_unknown_kind_is_rejected():
    with pytest.raises(ResourceError, match=r"\[E025\]"):
        load_resources().as_payload("panic")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "clinic.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_clinic_file_adds_a_line_and_overrides_hours(tmp_path):
    extra = write(tmp_path, """
resources:
  - name: Riverside Clinic duty line
    phone: "555 0100"
    hours: "Mon-Fri 9:00-17:00"
hours:
  Crisis Text Line: "24/7 (English and Spanish)"
""")
    rs = load_resources("en-US", extra)
    names = [r["name"] for r in rs.as_payload("crisis")["resources"]]
    assert names[-1] == "Emergency services" and "Riverside Clinic duty line" in names
    assert "Riverside Clinic duty line: call 555 0100 (Mon-Fri 9:00-17:00)" in rs.as_text("crisis")
    assert "24/7 (English and Spanish)" in rs.as_text("crisis")
    assert rs.as_payload("emergency")["resources"][0]["name"] == "Emergency services"


def test_clinic_entry_with_an_existing_name_updates_it(tmp_path):
    extra = write(tmp_path, """
resources:
  - name: 988 Suicide & Crisis Lifeline
    url: https://988lifeline.org/chat
""")
    first = load_resources("en-US", extra).as_payload("crisis")["resources"][0]
    assert first["url"] == "https://988lifeline.org/chat" and first["phone"] == "988"


@pytest.mark.parametrize("body, field", [
    ("resources:\n  - name: X\n    phone: 5550100\n    hours: 24/7\n", "phone"),
    ("resources:\n  - name: X\n    url: not a url\n    hours: 24/7\n", "url"),
    ("resources:\n  - name: X\n    phone: \"555\"\n", "hours"),
    ("resources:\n  - name: X\n    phone: \"555\"\n    hours: 24/7\n    fax: \"1\"\n", "fax"),
    ("resources:\n  - name: X\n    sms: {number: \"1\", word: HI}\n    hours: 24/7\n", "sms"),
    ("resources:\n  - name: X\n    phone: \"555\"\n    hours: 24/7\n    emergency: yes please\n", "emergency"),
])
def test_invalid_clinic_entries_name_file_and_field(tmp_path, body, field):
    extra = write(tmp_path, body)
    with pytest.raises(ResourceError) as exc:
        load_resources("en-US", extra)
    msg = str(exc.value)
    assert "clinic.yml" in msg and f"'{field}" in msg and "'X'" in msg


def test_hours_for_an_unknown_resource_is_an_error(tmp_path):
    extra = write(tmp_path, "hours:\n  Nobody: 24/7\n")
    with pytest.raises(ResourceError, match=r"clinic\.yml.*no resource named 'Nobody'"):
        load_resources("en-US", extra)


def test_a_second_emergency_number_is_rejected(tmp_path):
    extra = write(tmp_path, "resources:\n  - name: Police\n    phone: \"112\"\n    hours: 24/7\n    emergency: true\n")
    with pytest.raises(ResourceError, match="exactly one resource"):
        load_resources("en-US", extra)


def test_no_phone_numbers_in_code():
    import re
    root = Path(__file__).resolve().parents[2] / "safety"
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for number in ("988", "741741", "911", "116 123", "85258", "999", "0800 1111"):
            code = [ln.split("#")[0] for ln in text.splitlines() if not ln.strip().startswith((">>>", "'", '"'))]
            assert not [ln for ln in code if re.search(rf"['\"]{re.escape(number)}['\"]", ln)], (path.name, number)


# --- situations: the lines for abuse and a child at risk ------------------------------------------

@pytest.mark.parametrize("locale, numbers", [
    ("en-US", ["1-800-422-4453", "1-800-799-7233", "1-800-677-1116"]),
    ("en-GB", ["0800 1111", "0808 2000 247", "0808 808 8141"]),
])
def test_abuse_situation_shows_its_own_lines_and_the_emergency_number(locale, numbers):
    rs = load_resources(locale)
    payload = rs.as_payload("crisis", "abuse")
    phones = [r["phone"] for r in payload["resources"]]
    assert phones == numbers + [rs.emergency_line]
    assert rs.primary_line not in phones
    assert payload["situation"] == "abuse"


def test_the_us_domestic_violence_hotline_takes_texts_too():
    text = load_resources("en-US").as_text("crisis", "abuse")
    assert "text START to 88788" in text


def test_abuse_lines_stay_out_of_the_crisis_card_and_the_primary_line():
    rs = load_resources("en-US")
    crisis = [r["name"] for r in rs.as_payload("crisis")["resources"]]
    assert not any("Abuse" in name or "Domestic" in name for name in crisis)
    assert rs.primary_line == "988"
    assert "situation" not in rs.as_payload("crisis")


@pytest.mark.parametrize("locale", ["en-US", "en-GB"])
def test_an_older_person_who_is_abused_is_shown_a_line_for_older_people(locale):
    """An older person robbed and frightened at home was given only the child and domestic-abuse lines."""
    lines = load_resources(locale).lines_for("abuse")
    assert any(r.audience and "older" in r.audience for r in lines)


def test_the_lines_said_to_be_there_any_time_are_the_round_the_clock_ones(tmp_path):
    """The replies say "you can reach {abuse_lines} any time": a line with office hours is only in the list and the
    card, which show its hours."""
    extra = write(tmp_path, "resources:\n  - name: County Safeguarding Team\n    phone: \"555 0100\"\n"
                            "    hours: Mon-Fri 9-17\n    situations: [abuse]\n")
    rs = load_resources("en-US", extra)
    around_the_clock = [r for r in rs.lines_for("abuse") if r.hours == "24/7"]
    assert len(around_the_clock) >= 2
    said = rs.short_lines("abuse")
    assert all(r.phone in said for r in around_the_clock)
    assert "555 0100" not in said and "County Safeguarding Team" in rs.as_text("crisis", "abuse")
    assert said.count(" and ") == 1 and (len(around_the_clock) == 2 or ", " in said)


def test_a_clinic_adds_its_own_abuse_line(tmp_path):
    extra = write(tmp_path, "resources:\n  - name: County Safeguarding Team\n    phone: \"555 0100\"\n"
                            "    hours: Mon-Fri 9-17\n    situations: [abuse]\n")
    rs = load_resources("en-US", extra)
    assert "County Safeguarding Team" in [r.name for r in rs.lines_for("abuse")]
    assert "County Safeguarding Team" not in [r.name for r in rs.lines_for("crisis")]


def test_an_unknown_situation_is_a_clear_error(tmp_path):
    extra = write(tmp_path, "resources:\n  - name: X\n    phone: \"555 0100\"\n    hours: 24/7\n    situations: [flood]\n")
    with pytest.raises(ResourceError, match=r"situations.*crisis, abuse"):
        load_resources("en-US", extra)


def test_a_locale_without_abuse_lines_falls_back_to_the_crisis_lines(tmp_path):
    (tmp_path / "xx-XX.yml").write_text(
        "locale: xx-XX\nresources:\n  - name: Line\n    phone: \"123\"\n    hours: 24/7\n"
        "  - name: Emergency\n    phone: \"112\"\n    hours: 24/7\n    emergency: true\n", encoding="utf-8")
    rs = load_resources("xx-XX", directory=tmp_path)
    assert [r.name for r in rs.ordered("crisis", "abuse")] == ["Line", "Emergency"]


# --- who is being hurt: the lines for that person first ------------------------------------------

@pytest.mark.parametrize("locale", ["en-US", "en-GB"])
@pytest.mark.parametrize("audience", ["child", "adult", "older_adult"])
def test_the_lines_for_who_is_being_hurt_come_first_and_none_is_dropped(locale, audience):
    rs = load_resources(locale)
    ordered = rs.lines_for("abuse", audience)
    assert audience in ordered[0].serves
    assert {r.name for r in ordered} == {r.name for r in rs.lines_for("abuse")}
    said = rs.short_lines("abuse", audience)
    named = [r for r in rs.lines_for("abuse") if r.name in said]
    assert named and all(audience in r.serves for r in named)


def test_an_older_persons_sentence_names_a_line_open_now_and_the_card_leads_with_theirs():
    """The Eldercare Locator keeps office hours: the card shows it first with its hours; the sentence that
    says "you can reach" them "any time" names the round-the-clock line that also serves older people."""
    rs = load_resources("en-US")
    first = rs.lines_for("abuse", "older_adult")[0]
    assert "older_adult" in first.serves
    said = rs.short_lines("abuse", "older_adult")
    assert said and all(r.hours == "24/7" for r in rs.lines_for("abuse") if r.name in said)


def test_a_clinic_line_that_names_nobody_serves_everyone_after_the_specific_ones(tmp_path):
    extra = write(tmp_path, "resources:\n  - name: County Safeguarding Team\n    phone: \"555 0100\"\n"
                            "    hours: 24/7\n    situations: [abuse]\n")
    rs = load_resources("en-US", extra)
    for audience in ("child", "adult", "older_adult"):
        names = [r.name for r in rs.serving("abuse", audience)]
        assert names[-1] == "County Safeguarding Team" and len(names) >= 2


def test_an_unknown_audience_is_a_clear_error(tmp_path):
    with pytest.raises(ResourceError, match=r"Unknown audience 'toddler'.*child, adult, older_adult"):
        load_resources("en-US").lines_for("abuse", "toddler")
    extra = write(tmp_path, "resources:\n  - name: X\n    phone: \"555 0100\"\n    hours: 24/7\n"
                            "    situations: [abuse]\n    serves: [teens]\n")
    with pytest.raises(ResourceError, match=r"serves.*child, adult, older_adult"):
        load_resources("en-US", extra)
