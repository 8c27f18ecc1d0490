"""Local time arithmetic for channels: dates, close times, and how times are shown."""

from __future__ import annotations

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
