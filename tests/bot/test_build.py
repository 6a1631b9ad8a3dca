"""Generated Rasa inputs follow the clinic's settings: crisis resources, footer, endpoints."""
import pytest
import yaml

from bot.build import BuildError, build, crisis_domain_fragment, domain_dir, endpoints, endpoints_file
from bot.settings import load_settings
from safety.resources import load_resources

LOCK_STORE = "bot.lock_store.AtomicRedisLockStore"


def fragment(settings):
    domain = yaml.safe_load((settings.root / "domain.yml").read_text())
    return crisis_domain_fragment(settings, domain)


def initial(fragment_, slot):
    return fragment_["slots"][slot]["initial_value"]


def test_the_configured_resources_become_slots_and_payload_responses(settings):
    resources = load_resources(settings.clinic.locale, settings.extra_resources_path)
    generated = fragment(settings)
    assert initial(generated, "crisis_line") == resources.primary_line
    for line in resources.lines_for("crisis"):
        assert line.name in initial(generated, "crisis_resources_text")
    assert resources.emergency_line in initial(generated, "emergency_resources_text").split(":")[1]
    card = generated["responses"]["utter_emergency_resources_card"][-1]  # the default: no condition
    assert "condition" not in card
    assert card["custom"]["type"] == "crisis_resources"
    assert card["custom"]["resources"][0]["phone"] == resources.emergency_line  # emergency number first
    assert initial(generated, "clinic_name") == settings.clinic.name


def test_the_demo_locale_en_us_becomes_988_and_911(tmp_path):
    settings = load_settings(environ={"BOT_VAR_DIR": str(tmp_path), "BOT_LOCALE": "en-US"})
    generated = fragment(settings)
    assert initial(generated, "crisis_line") == "988"
    assert initial(generated, "crisis_contact") == "call or text 988"  # 988 takes calls and texts
    assert "741741" in initial(generated, "crisis_resources_text")
    assert initial(generated, "emergency_resources_text").startswith("Emergency services: call 911")


def test_the_crisis_wording_comes_from_the_main_lines_own_channels(tmp_path):
    """en-GB's main line (Samaritans, 116 123) is voice only: nothing may tell a person to text it."""
    settings = load_settings(environ={"BOT_VAR_DIR": str(tmp_path), "BOT_LOCALE": "en-GB"})
    generated = fragment(settings)
    assert initial(generated, "crisis_contact") == "call 116 123"
    [mapping] = generated["slots"]["safety_footer"]["mappings"]
    assert "call 116 123" in mapping["value"] and "text" not in mapping["value"].replace("talk to", "")
    domain_text = (settings.root / "domain.yml").read_text()
    assert "call or text {crisis_line}" not in domain_text
    assert "call or text" not in domain_text


def test_the_abuse_lines_become_their_own_slots_and_card(settings):
    generated = fragment(settings)
    resources = load_resources(settings.clinic.locale, settings.extra_resources_path)
    expected = resources.as_payload("crisis", "abuse")
    card = generated["responses"]["utter_abuse_resources_card"][-1]
    assert card["custom"] == expected and expected["situation"] == "abuse"
    names = [r["name"] for r in expected["resources"]]
    assert resources.primary.name not in names  # not the suicide line: the lines for this situation
    assert expected["resources"][-1]["phone"] == resources.emergency_line  # and the emergency number
    lines = resources.lines_for("abuse")
    # "you can reach {abuse_lines} any time": the round-the-clock lines (safety.resources.short_lines)
    said_any_time = [line for line in lines if line.hours == "24/7"] or lines
    for line in lines:
        assert line.phone in initial(generated, "abuse_resources_text")
        assert (line.phone in initial(generated, "abuse_lines")) == (line in said_any_time)
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
    assert generated["responses"]["utter_emergency_resources_card"][-1]["custom"]["resources"][0]["phone"] == "999"


def test_the_footer_is_empty_until_an_escalating_intent_fills_it(settings):
    footer = fragment(settings)["slots"]["safety_footer"]
    assert footer["initial_value"] == ""
    [mapping] = footer["mappings"]
    assert set(mapping["intent"]) == {"safety_crisis", "safety_emergency", "safety_third_party", "safety_abuse"}
    resources = load_resources(settings.clinic.locale, settings.extra_resources_path)
    assert resources.primary_contact in mapping["value"] and "{" not in mapping["value"]


def test_a_domain_without_the_footer_wording_is_a_clear_error(settings):
    with pytest.raises(BuildError, match="utter_safety_footer"):
        crisis_domain_fragment(settings, {"responses": {}})


def test_build_writes_the_domain_folder_and_endpoints(settings):
    build(settings)
    assert {p.name for p in domain_dir(settings).glob("*.yml")} == {"domain.yml", "crisis_resources.yml", "session.yml"}
    written = yaml.safe_load(endpoints_file(settings).read_text())
    assert written["tracker_store"] == {"type": "bot.tracker_store.WindowedSQLTrackerStore", "dialect": "sqlite",
                                        "db": str(settings.var_dir / "bot.db"),
                                        "window_turns": settings.conversations.tracker_window_turns}
    assert written["action_endpoint"] == {"url": f"{settings.url('actions')}/webhook", "enable_selective_domain": True}
    assert "lock_store" not in written


def test_the_session_expiry_in_settings_is_the_one_rasa_runs_with(settings):
    """settings.yml's session_expiration_minutes used to do nothing (domain.yml said 60)."""
    import warnings

    from rasa.shared.core.domain import Domain

    from bot.settings import Conversations

    for minutes in (15, 240):
        changed = settings.copy(update={"conversations": Conversations(session_expiration_minutes=minutes)})
        build(changed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loaded = Domain.load(str(domain_dir(changed)))
        assert loaded.session_config.session_expiration_time == minutes
        assert loaded.session_config.carry_over_slots is True


def test_a_session_config_in_domain_yml_is_a_clear_error(settings, tmp_path):
    import shutil

    root = tmp_path / "project"
    root.mkdir()
    domain = yaml.safe_load((settings.root / "domain.yml").read_text())
    domain["session_config"] = {"session_expiration_time": 60}
    (root / "domain.yml").write_text(yaml.safe_dump(domain))
    with pytest.raises(BuildError, match="session_expiration_minutes"):
        build(settings.copy(update={"root": root}))
    shutil.rmtree(root)


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
    assert generated["lock_store"] == {"type": LOCK_STORE, "url": "cache.internal", "port": 6380, "db": 2}


def test_the_endpoints_file_is_owner_only_and_keeps_every_part_of_the_urls(tmp_path):
    import stat

    settings = load_settings(environ={
        "BOT_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgresql://clinic:s3cr%40t@db.internal:5433/assistant?sslmode=verify-full&sslrootcert=/etc/ca.pem",
        "REDIS_URL": "rediss://locker:r3d%21s@cache.internal:6380/2?ssl_ca_certs=/etc/redis-ca.pem",
    })
    build(settings)
    path = endpoints_file(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds the passwords
    written = yaml.safe_load(path.read_text())
    assert written["tracker_store"]["password"] == "s3cr@t"
    assert written["tracker_store"]["query"] == {"sslmode": "verify-full", "sslrootcert": "/etc/ca.pem"}
    assert written["lock_store"] == {
        "type": LOCK_STORE, "url": "cache.internal", "port": 6380, "db": 2, "username": "locker",
        "password": "r3d!s", "use_ssl": True, "ssl_ca_certs": "/etc/redis-ca.pem",
    }


def test_rasa_builds_its_stores_from_what_we_write(tmp_path):
    """The generated keys are the ones Rasa 3.6 takes (no store is connected here)."""
    import inspect

    from rasa.core.lock_store import RedisLockStore
    from rasa.core.tracker_store import SQLTrackerStore

    settings = load_settings(environ={
        "BOT_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgresql://clinic:pw@db.internal:5433/assistant?sslmode=require",
        "REDIS_URL": "rediss://:pw@cache.internal:6380/2",
    })
    generated = endpoints(settings)
    # Our windowed store takes Rasa's SQLTrackerStore arguments plus its window (bot/tracker_store.py).
    sql_args = set(inspect.signature(SQLTrackerStore.__init__).parameters) | {"url", "type", "window_turns"}
    assert set(generated["tracker_store"]) - {"url"} <= sql_args - {"host"}
    redis_args = set(inspect.signature(RedisLockStore.__init__).parameters) | {"url", "type"}
    assert set(generated["lock_store"]) <= redis_args
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    store = LockStore.create(EndpointConfig.from_dict(generated["lock_store"]))  # connects lazily
    assert type(store).__name__ == "AtomicRedisLockStore" and store.red.connection_pool.connection_kwargs["port"] == 6380


def test_each_known_locale_has_its_cards_chosen_by_the_conversations_locale_slot(settings):
    from safety.resources import known_locales

    generated = fragment(settings)
    assert initial(generated, "locale") == settings.clinic.locale
    for name in ("utter_crisis_resources_card", "utter_emergency_resources_card", "utter_abuse_resources_card"):
        variations = generated["responses"][name]
        # a locale's own variation (the abuse card's is the one for no particular audience)
        conditional = {v["condition"][0]["value"]: v["custom"] for v in variations
                       if "condition" in v and all(c["value"] is None for c in v["condition"][1:])}
        assert set(conditional) == set(known_locales()) - {settings.clinic.locale}
        for locale, payload in conditional.items():
            phones = {r["phone"] for r in payload["resources"] if r["phone"]}
            assert load_resources(locale).emergency_line in phones


def test_the_abuse_card_puts_the_lines_for_who_is_being_hurt_first(settings):
    """A child sees the child line first, an older person the elder-abuse line; every abuse line stays on
    the card. The conditions never overlap (Rasa would pick at random among matching ones)."""
    from safety.resources import AUDIENCES, known_locales

    variations = fragment(settings)["responses"]["utter_abuse_resources_card"]
    by_condition = {tuple((c["name"], c["value"]) for c in v["condition"]): v["custom"]
                    for v in variations if "condition" in v}
    assert len(by_condition) == len([v for v in variations if "condition" in v])
    for locale in known_locales():
        resources = load_resources(locale)
        everyone = {r.name for r in resources.ordered("crisis", "abuse")}
        for audience in AUDIENCES:
            names = [r["name"] for r in by_condition[(("locale", locale), ("abuse_audience", audience))]["resources"]]
            assert set(names) == everyone
            first = next(r for r in resources.resources if r.name == names[0])
            assert audience in first.serves, (locale, audience, names)
        if locale != settings.clinic.locale:
            assert (("locale", locale), ("abuse_audience", None)) in by_condition
    unconditional = [v for v in variations if "condition" not in v]
    assert len(unconditional) == 1


def test_the_clinic_answers_come_from_settings(tmp_path):
    """Hours, address, phone, e-mail, self-referral, services and cost wording reach the assistant from
    settings.yml; a clinic that changes them changes what the assistant says."""
    raw = yaml.safe_load((load_settings().root / "settings.yml").read_text())
    raw["clinic"].update(address="1 Test Road, Testville", services="a test programme",
                         self_referral="Ring the test desk.", cost_and_insurance="Test sessions cost nothing.")
    path = tmp_path / "settings.yml"
    path.write_text(yaml.safe_dump(raw))
    settings = load_settings(environ={"BOT_VAR_DIR": str(tmp_path), "BOT_SETTINGS_FILE": str(path)})
    generated = fragment(settings)
    clinic = settings.clinic
    for slot, value in [("clinic_hours", clinic.opening_hours), ("clinic_phone", clinic.phone),
                        ("clinic_address", "1 Test Road, Testville"), ("clinic_email", clinic.email),
                        ("clinic_services", "a test programme"), ("clinic_self_referral", "Ring the test desk."),
                        ("clinic_costs", "Test sessions cost nothing.")]:
        assert initial(generated, slot) == value


def test_the_retention_period_the_assistant_names_comes_from_settings(tmp_path):
    """utter_privacy tells the person how long conversations are kept: the clinic's setting, not a number in the domain."""
    raw = yaml.safe_load((load_settings().root / "settings.yml").read_text())
    raw.setdefault("conversations", {})["retention_days"] = 17
    path = tmp_path / "settings.yml"
    path.write_text(yaml.safe_dump(raw))
    settings = load_settings(environ={"BOT_VAR_DIR": str(tmp_path), "BOT_SETTINGS_FILE": str(path)})
    assert initial(fragment(settings), "retention_days") == "17"
    domain = yaml.safe_load((settings.root / "domain.yml").read_text())
    assert all("{retention_days}" in v["text"] for v in domain["responses"]["utter_privacy"])


def test_the_domain_types_no_clinic_value_only_placeholders(settings):
    text = (settings.root / "domain.yml").read_text()
    clinic = settings.clinic
    for value in (clinic.name, clinic.phone, clinic.address, clinic.email, clinic.opening_hours,
                  clinic.services, clinic.self_referral, clinic.cost_and_insurance):
        assert not value or value not in text
    domain = yaml.safe_load(text)
    for response, slot in [("utter_clinic_hours", "{clinic_hours}"), ("utter_clinic_location", "{clinic_address}"),
                           ("utter_clinic_contact", "{clinic_phone}"), ("utter_clinic_referral",
                                                                         "{clinic_self_referral}"),
                           ("utter_clinic_services", "{clinic_services}"), ("utter_clinic_cost", "{clinic_costs}")]:
        assert any(slot in v["text"] for v in domain["responses"][response])

@pytest.mark.parametrize("locale, expected", [
    ("en-US", ["988 Suicide & Crisis Lifeline: text 988, chat 988lifeline.org (24/7)",
               "Crisis Text Line: text HOME to 741741 (24/7)"]),
    ("en-GB", ["Samaritans: email jo@samaritans.org (24/7)", "Shout: text SHOUT to 85258 (24/7)"]),
])
def test_the_ways_to_reach_a_crisis_line_without_a_call_follow_the_locale(tmp_path, locale, expected):
    """Issue 12: "I don't want to call anyone" is offered only the ways the locale's lines really have."""
    settings = load_settings(environ={"BOT_VAR_DIR": str(tmp_path), "BOT_LOCALE": locale})
    text = initial(fragment(settings), "crisis_text_chat_lines")
    assert text.split("\n") == expected
    assert "call" not in text and "911" not in text and "999" not in text  # no phone calls, no emergency line
