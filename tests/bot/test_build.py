"""Generated Rasa inputs follow the clinic's settings: crisis resources, footer, endpoints."""
import pytest
import yaml

from bot.build import BuildError, build, crisis_domain_fragment, domain_dir, endpoints, endpoints_file
from bot.settings import load_settings
from safety.resources import load_resources


def fragment(settings):
    domain = yaml.safe_load((settings.root / "domain.yml").read_text())
    return crisis_domain_fragment(settings, domain)


def initial(fragment_, slot):
    return fragment_["slots"][slot]["initial_value"]


def test_en_us_resources_become_slots_and_payload_responses(settings):
    generated = fragment(settings)
    assert initial(generated, "crisis_line") == "988"
    assert "741741" in initial(generated, "crisis_resources_text")
    assert initial(generated, "emergency_resources_text").startswith("Emergency services: call 911")
    [card] = generated["responses"]["utter_emergency_resources_card"]
    assert card["custom"]["type"] == "crisis_resources"
    assert card["custom"]["resources"][0]["phone"] == "911"  # emergency number first
    assert initial(generated, "clinic_name") == settings.clinic.name


def test_the_abuse_lines_become_their_own_slots_and_card(settings):
    generated = fragment(settings)
    resources = load_resources(settings.clinic.locale, settings.extra_resources_path)
    expected = resources.as_payload("crisis", "abuse")
    [card] = generated["responses"]["utter_abuse_resources_card"]
    assert card["custom"] == expected and expected["situation"] == "abuse"
    names = [r["name"] for r in expected["resources"]]
    assert resources.primary.name not in names  # not the suicide line: the lines for this situation
    assert expected["resources"][-1]["phone"] == resources.emergency_line  # and the emergency number
    for line in resources.lines_for("abuse"):
        assert line.phone in initial(generated, "abuse_resources_text")
        assert line.phone in initial(generated, "abuse_lines")
    assert initial(generated, "emergency_line") == resources.emergency_line


def test_the_abuse_lines_follow_the_locale(tmp_path):
    settings = load_settings(environ={"BOT_VAR_DIR": str(tmp_path), "BOT_LOCALE": "en-GB"})
    generated = fragment(settings)
    for number in ("0800 1111", "0808 2000 247"):
        assert number in initial(generated, "abuse_lines")
    assert initial(generated, "emergency_line") == "999"


def test_the_clinic_switches_locale_in_settings(tmp_path):
    settings = load_settings(environ={"BOT_VAR_DIR": str(tmp_path), "BOT_LOCALE": "en-GB"})
    generated = fragment(settings)
    assert "116 123" in initial(generated, "crisis_resources_text")
    assert generated["responses"]["utter_emergency_resources_card"][0]["custom"]["resources"][0]["phone"] == "999"


def test_the_footer_is_empty_until_an_escalating_intent_fills_it(settings):
    footer = fragment(settings)["slots"]["safety_footer"]
    assert footer["initial_value"] == ""
    [mapping] = footer["mappings"]
    assert set(mapping["intent"]) == {"safety_crisis", "safety_emergency", "safety_third_party", "safety_abuse"}
    assert "988" in mapping["value"] and "{crisis_line}" not in mapping["value"]


def test_a_domain_without_the_footer_wording_is_a_clear_error(settings):
    with pytest.raises(BuildError, match="utter_safety_footer"):
        crisis_domain_fragment(settings, {"responses": {}})


def test_build_writes_the_domain_folder_and_endpoints(settings):
    build(settings)
    assert {p.name for p in domain_dir(settings).glob("*.yml")} == {"domain.yml", "crisis_resources.yml"}
    written = yaml.safe_load(endpoints_file(settings).read_text())
    assert written["tracker_store"] == {"type": "bot.tracker_store.WindowedSQLTrackerStore", "dialect": "sqlite",
                                        "db": str(settings.var_dir / "bot.db"),
                                        "window_turns": settings.conversations.tracker_window_turns}
    assert written["action_endpoint"] == {"url": f"{settings.url('actions')}/webhook", "enable_selective_domain": True}
    assert "lock_store" not in written


def test_postgresql_and_redis_become_rasas_tracker_and_lock_stores(tmp_path):
    settings = load_settings(environ={
        "BOT_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgresql://clinic:secret@db.internal:5433/assistant",
        "REDIS_URL": "redis://cache.internal:6380/2",
    })
    generated = endpoints(settings)
    assert generated["tracker_store"] == {
        "type": "bot.tracker_store.WindowedSQLTrackerStore", "dialect": "postgresql", "db": "assistant",
        "window_turns": settings.conversations.tracker_window_turns, "url": "db.internal", "port": 5433, "username": "clinic", "password": "secret",
    }
    assert generated["lock_store"] == {"type": "redis", "url": "cache.internal", "port": 6380, "db": 2}
