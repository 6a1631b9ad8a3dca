"""Opening hours are read from the sentence the clinic page shows."""
from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.hours import is_open, open_minutes_between, parse_opening_hours
from bot.settings import SettingsError, load_settings


def test_the_configured_sentence_parses(settings):
    hours = parse_opening_hours(settings.clinic.opening_hours)
    assert hours, "settings.yml's opening hours should name at least one open day"
    assert all(opens < closes for spans in hours.values() for opens, closes in spans)


def test_day_ranges_and_single_days():
    hours = parse_opening_hours("Mon-Fri 8:30-18:00, Sat 9-13")
    assert set(hours) == {0, 1, 2, 3, 4, 5}
    assert hours[5] == [(time(9), time(13))]
    utc = ZoneInfo("UTC")
    assert is_open(hours, datetime(2026, 12, 7, 8, 30, tzinfo=timezone.utc), utc)  # a Monday
    assert not is_open(hours, datetime(2026, 12, 6, 10, 0, tzinfo=timezone.utc), utc)  # a Sunday
    friday_evening = datetime(2026, 12, 4, 17, 50, tzinfo=timezone.utc)
    monday_morning = datetime(2026, 12, 7, 8, 40, tzinfo=timezone.utc)
    assert open_minutes_between(hours, friday_evening, monday_morning, utc) == 10 + 240 + 10


@pytest.mark.parametrize("bad", ["Mon-Fri", "Funday 9-17", "Mon 18:00-9:00", "Mon 25:00-26:00"])
def test_unreadable_hours_are_a_settings_error_naming_the_part(tmp_path, bad):
    path = tmp_path / "settings.yml"
    path.write_text(f'clinic: {{name: X, opening_hours: "{bad}"}}\n')
    with pytest.raises(SettingsError, match="opening_hours"):
        load_settings(path, environ={})
