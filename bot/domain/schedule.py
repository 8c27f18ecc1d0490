"""Local time arithmetic for channels: posting schedules, dates, close times, time display."""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_CLOSE_MINUTES = 8 * 60
UTC_NAME = "UTC"


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone `name`, falling back to UTC for a missing or unknown name."""
    try:
        return ZoneInfo(name or UTC_NAME)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(UTC_NAME)


def local_date(moment: datetime, tz: str) -> date:
    """The calendar date at `moment` in the zone `tz`."""
    return moment.astimezone(zone(tz)).date()


def closes_at(
    opened_at: datetime, tz: str, close_time: time | None, close_after_minutes: int | None
) -> datetime:
    """When a question posted at `opened_at` closes.

    A fixed local close time applies on the day of posting, or the next day when that time has
    already passed (at least an hour after posting); otherwise N minutes after posting.
    """
    if close_time is not None:
        local = opened_at.astimezone(zone(tz))
        candidate = datetime.combine(local.date(), close_time, tzinfo=zone(tz))
        if candidate - local < timedelta(hours=1):
            candidate = datetime.combine(
                local.date() + timedelta(days=1), close_time, tzinfo=zone(tz)
            )
        # Normalise through UTC so a time skipped by a DST change lands on a real instant.
        return candidate.astimezone(zone(UTC_NAME))
    minutes = close_after_minutes or DEFAULT_CLOSE_MINUTES
    return opened_at + timedelta(minutes=minutes)


def format_local(moment: datetime, tz: str, now: datetime | None = None) -> str:
    """`17:00 CET` today, else `Tue 3 Mar, 17:00 CET`, in the channel's zone."""
    local = moment.astimezone(zone(tz))
    clock = f"{local:%H:%M} {local.tzname() or tz}"
    if now is not None and local.date() == now.astimezone(zone(tz)).date():
        return f"today {clock}"
    return f"{local:%a} {local.day} {local:%b}, {clock}"


# --- Posting schedules -------------------------------------------------------------------------

DAY_ABBREVIATIONS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS = frozenset(range(5))
WEEKEND = frozenset({5, 6})
EVERY_DAY = frozenset(range(7))
_KEYWORDS: dict[str, frozenset[int]] = {
    "weekdays": WEEKDAYS,
    "weekday": WEEKDAYS,
    "weekends": WEEKEND,
    "weekend": WEEKEND,
    "daily": EVERY_DAY,
    "everyday": EVERY_DAY,
}
# Words people naturally write ("every monday at 9am") that carry no meaning of their own.
_FILLER = frozenset({"every", "at", "on"})
_EXAMPLE = "`weekdays 09:30 Europe/Paris`"
_TIME = re.compile(r"(\d{1,2})(?::(\d{2}))?(am|pm)?", re.IGNORECASE)
# Zone suggestions below this similarity are noise, and so are ones far behind the best.
_SUGGEST_CUTOFF = 0.6
_SUGGEST_SPREAD = 0.1
# No IANA name is longer; comparing a longer paste with every zone only wastes time.
_MAX_ZONE_NAME = 64
# How much of a person's word an error message quotes back.
_QUOTE_LIMIT = 40


def _code(word: str) -> str:
    """A person's word quoted back as Slack inline code: shortened, with no markup of its own."""
    word = word.replace("`", "'")
    if len(word) > _QUOTE_LIMIT:
        word = word[: _QUOTE_LIMIT - 1] + "…"
    return "`" + word.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "`"


GRACE = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class Schedule:
    """Post on `days` (0 = Monday) at the local time `at` in the IANA zone `timezone`."""

    days: frozenset[int]
    at: time
    timezone: str

    def __post_init__(self) -> None:
        # An empty schedule would make next_occurrence search forever; "no schedule" is
        # ScheduleOff, not an empty day set.
        if not self.days or not self.days <= EVERY_DAY:
            raise ValueError(f"schedule days must be a non-empty subset of 0..6: {self.days}")

    def describe(self) -> str:
        """`weekdays at 09:30 (Europe/Paris)`, `Mon, Wed and Fri at 17:00 (UTC)` and so on."""
        return f"{describe_days(self.days)} at {self.at:%H:%M} ({self.timezone})"


@dataclass(frozen=True, slots=True)
class ScheduleOff:
    """`/qotd schedule off`: stop scheduled questions."""


def describe_days(days: frozenset[int]) -> str:
    """`every day`, `weekdays`, `weekends`, `Mondays` or `Mon, Wed and Fri`."""
    if days == EVERY_DAY:
        return "every day"
    if days == WEEKDAYS:
        return "weekdays"
    if days == WEEKEND:
        return "weekends"
    names = [DAY_ABBREVIATIONS[d] for d in sorted(days)]
    if len(names) == 1:
        return f"{_DAY_NAMES[min(days)].capitalize()}s"
    return f"{', '.join(names[:-1])} and {names[-1]}"


def parse_schedule(args: str, default_tz: str | None) -> Schedule | ScheduleOff | str:
    """Parse `/qotd schedule` arguments; a str return is an error message naming the bad part."""
    text = _normalise(args)
    if not text:
        return f"Say when to post, like {_EXAMPLE}, or `off` to stop."
    tokens = text.split()
    if [t.lower() for t in tokens] == ["off"]:
        return ScheduleOff()
    days: set[int] = set()
    at: time | None = None
    tz: str | None = None
    for token in tokens:
        lowered = token.lower()
        if lowered in _FILLER:
            continue
        if lowered == "off":
            return "`off` goes on its own: `/qotd schedule off`."
        kind = _kind(token, after_time=at is not None)
        if kind == "days":
            parsed_days = _parse_days(token)
            if isinstance(parsed_days, str):
                return parsed_days
            days |= parsed_days
        elif kind == "time":
            parsed_time = _parse_time(token)
            if isinstance(parsed_time, str):
                return parsed_time
            if at is not None:
                return f"{_code(token)} is a second time: give one time, like 09:30."
            at = parsed_time
        else:
            found = _canonical_zone(token)
            if found is None:
                return _unknown_zone(token)
            if tz is not None:
                return f"{_code(token)} is a second timezone: give one, like Europe/Paris."
            tz = found
    missing = [part for part, absent in (("days", not days), ("time", at is None)) if absent]
    if missing:
        return f"Missing the {' and the '.join(missing)}: say when, like {_EXAMPLE}."
    assert at is not None  # for mypy: `missing` covers it
    zone_name = tz or _canonical_zone(default_tz or UTC_NAME) or UTC_NAME
    return Schedule(frozenset(days), at, zone_name)


def _normalise(args: str) -> str:
    """Join the pieces people space out: `mon, wed` → `mon,wed`, `mon - fri`, `9 am`."""
    text = re.sub(r"\s*,\s*", ",", args.strip())
    text = re.sub(r"(?<=[A-Za-z])\s+-\s+(?=[A-Za-z])", "-", text)
    text = re.sub(r"\bevery\s+day\b", "daily", text, flags=re.IGNORECASE)
    return re.sub(r"(?<=\d)\s+(am|pm)\b", r"\1", text, flags=re.IGNORECASE)


def _kind(token: str, *, after_time: bool) -> str:
    """Whether `token` is meant as days, a time or a timezone, judged by its shape."""
    lowered = token.lower()
    if lowered[0].isdigit() and "/" not in lowered:
        return "time"
    if "/" in lowered or not re.fullmatch(r"[a-z,\-]+", lowered):
        return "timezone"
    if isinstance(_parse_days(token), frozenset):
        return "days"
    if _canonical_zone(token) is not None:
        # Bare IANA names such as UTC or Japan.
        return "timezone"
    # A misspelt word after the time is most likely the zone ("Pariss"), before it a day.
    return "timezone" if after_time and "," not in lowered else "days"


def _day(part: str) -> int | None:
    """0-6 for `mon`, `tues`, `Wednesday`, `fridays` (any 3+ letter prefix, or a plural)."""
    word = part.lower()
    if len(word) > 6 and word.endswith("s"):
        word = word[:-1]
    if len(word) < 3:
        return None
    return next((n for n, name in enumerate(_DAY_NAMES) if name.startswith(word)), None)


def _parse_days(token: str) -> frozenset[int] | str:
    """Days from `weekdays`, `mon,wed,fri`, `mon-fri` (ranges may wrap: `fri-mon`)."""
    days: set[int] = set()
    for part in token.split(","):
        if not part:
            continue
        keyword = _KEYWORDS.get(part.lower())
        if keyword is not None:
            days |= keyword
            continue
        ends = part.split("-")
        numbers = [_day(end) for end in ends]
        for end, number in zip(ends, numbers, strict=True):
            if number is None:
                return _not_a_day(end or part)
        first, last = numbers[0], numbers[-1]
        if len(numbers) > 2 or first is None or last is None:
            return _not_a_day(part)
        days.update((first + n) % 7 for n in range((last - first) % 7 + 1))
    if not days:
        return _not_a_day(token)
    return frozenset(days)


def _not_a_day(part: str) -> str:
    return f"{_code(part)} is not a day: use weekdays, daily, or days like mon,wed,fri."


def _parse_time(token: str) -> time | str:
    """24-hour `9:30`/`09:30`, or `9am`/`5:30pm`."""
    error = f"{_code(token)} is not a time: use 24-hour HH:MM like 09:30."
    match = _TIME.fullmatch(token)
    if match is None:
        return error
    hour_text, minute_text, meridiem = match.groups()
    hour, minute = int(hour_text), int(minute_text or 0)
    if meridiem is None:
        # A bare hour ("17") is ambiguous between a time and a typo: ask for HH:MM.
        if minute_text is None or hour > 23:
            return error
    else:
        if not 1 <= hour <= 12:
            return error
        hour = hour % 12 + (12 if meridiem.lower() == "pm" else 0)
    if minute > 59:
        return error
    return time(hour, minute)


@functools.cache
def _zone_names() -> dict[str, str]:
    """Every IANA name the system knows, by its lower-case form (read once: it scans disk)."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def _canonical_zone(name: str) -> str | None:
    """The IANA name `name` spelt properly (`europe/paris` → `Europe/Paris`), or None."""
    return _zone_names().get(name.lower())


def suggest_zones(name: str) -> list[str]:
    """Up to three IANA names closest to the unknown `name`, best first."""
    wanted = name.lower()
    if len(wanted) > _MAX_ZONE_NAME:
        return []
    scored: list[tuple[float, str]] = []
    for lowered, proper in _zone_names().items():
        score = difflib.SequenceMatcher(None, wanted, lowered).ratio()
        if "/" not in wanted:
            # People often type just the city: compare with the last part too.
            city = lowered.rsplit("/", 1)[-1]
            score = max(score, difflib.SequenceMatcher(None, wanted, city).ratio())
        scored.append((score, proper))
    scored.sort(key=lambda item: (-item[0], item[1]))
    best = scored[0][0] if scored else 0.0
    if best < _SUGGEST_CUTOFF:
        return []
    return [proper for score, proper in scored[:3] if score >= best - _SUGGEST_SPREAD]


def _unknown_zone(name: str) -> str:
    suggestions = suggest_zones(name)
    if not suggestions:
        return (
            f"{_code(name)} is not a timezone I know: use an IANA name like Europe/Paris "
            "or America/New_York."
        )
    options = suggestions[0]
    if len(suggestions) > 1:
        options = f"{', '.join(suggestions[:-1])} or {suggestions[-1]}"
    return f"{_code(name)} is not a timezone I know. Did you mean {options}?"


# --- When scheduled posts happen -----------------------------------------------------------------


def occurrence_on(schedule: Schedule, local: date) -> datetime | None:
    """The UTC instant of the post on the local date `local`, or None on an unscheduled day.

    A local time skipped by a DST change posts at the first minute after the gap; a local time
    that happens twice posts at its first occurrence.
    """
    if local.weekday() not in schedule.days:
        return None
    tz = zone(schedule.timezone)
    utc = zone(UTC_NAME)
    wall = datetime.combine(local, schedule.at)
    # fold=0 picks the first of two repeated times, which is the one we want.
    candidate = wall.replace(tzinfo=tz).astimezone(utc)
    if candidate.astimezone(tz).replace(tzinfo=None) == wall:
        return candidate
    # In a gap, fold=1 reads the wall time with the offset after the change, giving an instant
    # before the change, and fold=0 one after it: search between them for the first whole
    # minute whose local time has reached the wall time, which is the end of the gap.
    other = wall.replace(tzinfo=tz, fold=1).astimezone(utc)
    low, high = min(other, candidate), max(other, candidate)
    steps = int((high - low) / timedelta(minutes=1))
    lo, hi = 0, steps
    while lo < hi:
        mid = (lo + hi) // 2
        if (low + timedelta(minutes=mid)).astimezone(tz).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid + 1
    return low + timedelta(minutes=lo)


def _occurrences(schedule: Schedule, start: date, end: date) -> list[tuple[date, datetime]]:
    """(local date, instant) for every scheduled day from `start` to `end` inclusive."""
    found: list[tuple[date, datetime]] = []
    day = start
    while day <= end:
        instant = occurrence_on(schedule, day)
        if instant is not None:
            found.append((day, instant))
        day += timedelta(days=1)
    return found


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")


def next_occurrence(schedule: Schedule, after: datetime) -> datetime:
    """The first scheduled instant strictly after `after`, in UTC."""
    _require_aware(after, "after")
    # Start a day early: a post pushed past a DST gap can land after its local date.
    start = local_date(after, schedule.timezone) - timedelta(days=1)
    # Eight days always include a scheduled weekday after `after`; fifteen leave room for gaps.
    for _, instant in _occurrences(schedule, start, start + timedelta(days=15)):
        if instant > after:
            return instant
    raise AssertionError("unreachable: a non-empty schedule posts within a week")


def due_occurrences(
    schedule: Schedule, last_checked: datetime, now: datetime
) -> list[tuple[date, datetime]]:
    """Scheduled (local date, UTC instant) pairs in (last_checked, now], oldest first."""
    _require_aware(last_checked, "last_checked")
    _require_aware(now, "now")
    if now <= last_checked:
        return []
    start = local_date(last_checked, schedule.timezone) - timedelta(days=1)
    end = local_date(now, schedule.timezone) + timedelta(days=1)
    return [
        (day, instant)
        for day, instant in _occurrences(schedule, start, end)
        if last_checked < instant <= now
    ]


def should_catch_up(instant: datetime, now: datetime) -> bool:
    """Whether a post due at `instant` is still worth sending at `now` (within GRACE)."""
    return now - instant <= GRACE


def week_start(local: date) -> date:
    """The Monday of the week containing `local`."""
    return local - timedelta(days=local.weekday())


def next_weekly(after: datetime, tz: str, weekday: int = 0, at: time = time(0, 5)) -> datetime:
    """The first `weekday` (0 = Monday) at local `at` in `tz` strictly after `after`, in UTC."""
    return next_occurrence(Schedule(frozenset({weekday}), at, tz), after)
