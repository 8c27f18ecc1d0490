"""Scheduler scale: many channels due in the same minute, against the fake Slack's rate limits.

10,000 channels in 100 workspaces are due at once. The fake answers chat.postMessage as Slack
does: about one post per second per channel and a per-workspace token bucket, with 429 and
Retry-After beyond it. The clock's tick posts them; we report the time until all are posted,
duplicates and misses (both must be 0) and peak RSS. The baseline, in the same run and against
the same fake, posts the same number of messages straight through the gateway with the same
concurrency and no database: the cost of Slack alone.

    python bench/scheduler_scale.py [--workspaces 100] [--channels-per 100] [--database-url URL]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import build_deps  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.db import queries  # noqa: E402
from bot.db.engine import make_engine  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.slack.gateway import WebClientGateway, make_web_client  # noqa: E402
from bot.usecases import daily  # noqa: E402
from tests.slack_fake import BOT_TOKEN, FakeSlack  # noqa: E402

BURST = 200
REFILL = 100.0  # posts per second per workspace once the burst is spent


def team_of(channel: str) -> str:
    return "T" + channel[1:4]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspaces", type=int, default=100)
    parser.add_argument("--channels-per", type=int, default=100)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    total = args.workspaces * args.channels_per
    channels = [
        f"C{w:03d}{c:05d}" for w in range(args.workspaces) for c in range(args.channels_per)
    ]

    with FakeSlack() as fake:
        fake.limit_posts(team_of=team_of, burst=BURST, refill_per_second=REFILL)
        client = make_web_client(BOT_TOKEN, fake.url)

        # Baseline: the same posts straight through the gateway, same concurrency, no database.
        gateway = WebClientGateway(client)
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=daily.POST_WORKERS) as pool:
            list(pool.map(lambda ch: gateway.post_message(ch, "baseline"), channels))
        baseline = time.monotonic() - start
        fake.reset()
        fake.limit_posts(team_of=team_of, burst=BURST, refill_per_second=REFILL)

        url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='qotd-scale-')}/scale.db"
        engine = make_engine(url)
        upgrade(engine)
        settings = load_settings(
            None, {"DATABASE_URL": url, "SLACK_API_URL": fake.url}, env_file=None
        )
        deps = build_deps(settings, engine, client, clock=SystemClock())
        now = datetime.now(UTC)
        with deps.session_factory.begin() as s:
            for channel in channels:
                ch = queries.channel(s, team_of(channel), channel, now)
                ch.schedule_days = "0,1,2,3,4,5,6"
                ch.schedule_time = now.replace(second=0, microsecond=0).time()
                ch.timezone = "UTC"
                ch.schedule_since = now - timedelta(minutes=1)
        start = time.monotonic()
        ticks = 0
        while True:
            ticks += 1
            daily.tick(deps)
            posted = {
                str(c.args["channel"]) for c in fake.calls_to("chat.postMessage") if c.status == 200
            }
            if len(posted) >= total or time.monotonic() - start > 1800:
                break
        elapsed = time.monotonic() - start
        daily.tick(deps)  # one more: nothing may be posted twice
        ok = Counter(
            str(c.args["channel"]) for c in fake.calls_to("chat.postMessage") if c.status == 200
        )
        limited = sum(1 for c in fake.calls_to("chat.postMessage") if c.status == 429)
        engine.dispose()

    duplicates = sum(n - 1 for n in ok.values() if n > 1)
    misses = total - len(ok)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{total} channels in {args.workspaces} workspaces due at once; database "
          f"{url.split(':')[0]}; fake limits: 1 post/s per channel, burst {BURST} then "
          f"{REFILL:.0f}/s per workspace")  # fmt: skip
    print()
    print("| measure | scheduler (tick) | baseline (gateway only) | ratio |")
    print("| --- | --- | --- | --- |")
    ratio = elapsed / baseline
    print(f"| time until all posted | {elapsed:.1f} s | {baseline:.1f} s | {ratio:.2f}x |")
    print(f"| posts per second | {total / elapsed:.0f} | {total / baseline:.0f} | |")
    print(f"| ticks | {ticks} | | |")
    print(f"| 429 answers waited out | {limited} | | |")
    print(f"| duplicates | {duplicates} | | must be 0 |")
    print(f"| misses | {misses} | | must be 0 |")
    print(f"| peak RSS (whole benchmark process, fake included) | {rss:.0f} MB | | |")
    return 0 if duplicates == 0 and misses == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
