"""Clinic opening hours, read from the same sentence the clinic page shows ("Mon-Fri 8:30-18:00, Sat 9:00-13:00").

Why parse the displayed sentence rather than add a second, structured setting: one value cannot
disagree with itself. The grammar is small: comma-separated parts, each a day or day range and a
time range. The second alert counts waiting time only within these hours.
"""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
PART = re.compile(
    r"^\s*(?P<first>[A-Za-z]{3})[a-z]*\.?\s*(?:-\s*(?P<last>[A-Za-z]{3})[a-z]*\.?)?\s+"
    r"(?P<open>\d{1,2}(?::\d{2})?)\s*-\s*(?P<close>\d{1,2}(?::\d{2})?)\s*$"
)
# weekday (0 = Monday) -> list of (open, close)
Hours = dict[int, list[tuple[time, time]]]


def _time(text: str) -> time:
    hour, _, minute = text.partition(":")
    if int(hour) == 24 and int(minute or 0) == 0:
        return time(23, 59, 59)
    return time(int(hour), int(minute or 0))


def parse_opening_hours(text: str) -> Hours:
    """{weekday: [(open, close), ...]}; empty text means no opening hours. ValueError names a bad part."""
    hours: Hours = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        match = PART.match(part)
        if not match or match["first"].lower() not in DAYS or (
            match["last"] and match["last"].lower() not in DAYS
        ):
            raise ValueError(f'cannot read the opening hours part "{part}" (write e.g. "Mon-Fri 8:30-18:00")')
        first = DAYS.index(match["first"].lower())
        last = DAYS.index(match["last"].lower()) if match["last"] else first
        try:
            opens, closes = _time(match["open"]), _time(match["close"])
        except ValueError:
            raise ValueError(f'the opening hours part "{part}" has an impossible time') from None
        if closes <= opens:
            raise ValueError(f'in the opening hours part "{part}" closing is not after opening')
        day = first
        while True:
            hours.setdefault(day, []).append((opens, closes))
            if day == last:
                break
            day = (day + 1) % 7
    return hours


def is_open(hours: Hours, moment: datetime, zone: ZoneInfo) -> bool:
    local = moment.astimezone(zone)
    return any(opens <= local.time() < closes for opens, closes in hours.get(local.weekday(), []))


def open_minutes_between(
    hours: Hours, start: datetime, end: datetime, zone: ZoneInfo, stop_at: Optional[float] = None
) -> float:
    """Minutes between start and end that fall within opening hours (counted per minute; stops
    counting once `stop_at` is reached, which is all a caller waiting for a threshold needs)."""
    minutes = 0.0
    step = timedelta(minutes=1)
    moment = start
    while moment < end:
        if is_open(hours, moment, zone):
            minutes += 1
            if stop_at is not None and minutes >= stop_at:
                break
        moment += step
    return minutes
