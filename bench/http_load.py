"""HTTP load: signed answer events at a fixed rate against `qotd serve` and the local fake Slack.

Measures, for SPEC §7: acknowledgement latency p50/p99 (budget 100 ms p99), feedback latency p95
(event sent -> chat.postEphemeral received by the fake; budget 2 s), the server's peak RSS
(budget 250 MB), its CPU time per answer, and errors (must be 0). The baseline, measured in the
same run at the same rate, is GET /healthz on the same server: the cost of the server itself
without Slack handling. Three processes share the machine: `qotd serve`, the fake Slack (its own
process, so its CPU is not charged to the load generator's timing) and this load generator.

    python bench/http_load.py [--rate 100] [--seconds 60] [--database-url URL] [--senders 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from multiprocessing.managers import BaseManager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.slack_fake import BOT_TOKEN, SIGNING_SECRET, FakeSlack, sign  # noqa: E402

FILLER = (
    "In practice I would start from a simple baseline, check the data for leakage and drift, "
    "pick metrics that match the business cost of errors, and monitor the model after launch. "
)


class SlackProcess:
    """The fake Slack, run inside a manager process; the bench only asks it for summaries."""

    def __init__(self) -> None:
        self._fake = FakeSlack().start()

    def url(self) -> str:
        return self._fake.url

    def response_url(self, name: str) -> str:
        return self._fake.response_url(name)

    def posted_ts(self, count: int, timeout: float) -> list[str]:
        """The ts of the first `count` chat.postMessage calls, once they arrived."""
        return [
            str(c.response["ts"]) for c in self._fake.wait_for("chat.postMessage", count, timeout)
        ]

    def reset(self) -> None:
        self._fake.reset()

    def count(self, method: str) -> int:
        return len(self._fake.calls_to(method))

    def feedback_times(self) -> list[tuple[str, float]]:
        """(user, monotonic arrival time) of each chat.postEphemeral call."""
        return [(str(c.args["user"]), c.at) for c in self._fake.calls_to("chat.postEphemeral")]

    def cpu_seconds(self) -> float:
        return time.process_time()


class SlackManager(BaseManager):
    """Runs SlackProcess in a child process (time.monotonic is system-wide on Linux)."""


SlackManager.register("SlackProcess", SlackProcess)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Client:
    """A keep-alive HTTP client per sender thread."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def request(
        self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
    ) -> int:
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body.encode() or None, headers=headers or {})
                resp = self.conn.getresponse()
                resp.read()
                return resp.status
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                if attempt == 2:
                    raise
        return 0


def event_body(n: int, channel: str, thread_ts: str, text: str) -> str:
    ts = f"{1_780_000_000 + n}.{n % 1_000_000:06d}"
    return json.dumps(
        {
            "token": "unused",
            "team_id": "T111",
            "api_app_id": "A111",
            "type": "event_callback",
            "event_id": f"EvLOAD{n:08d}",
            "event_time": int(time.time()),
            "event": {
                "type": "message",
                "channel": channel,
                "channel_type": "channel",
                "user": f"U{n:08d}",
                "text": text,
                "ts": ts,
                "thread_ts": thread_ts,
                "event_ts": ts,
            },
        }
    )


def run_phase(
    port: int, rate: float, seconds: float, make: object, senders: int = 8
) -> tuple[list[float], int, dict[int, float]]:
    """Open-loop load: request i is due at start + i/rate, whatever earlier ones did."""
    total = int(rate * seconds)
    start = time.monotonic() + 0.2
    latencies: list[float] = []
    sent_at: dict[int, float] = {}
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))

    def sender() -> None:
        nonlocal errors
        client = Client(port)
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            due = start + n / rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            method, path, body, headers = make(n)  # type: ignore[operator]
            t0 = time.monotonic()
            try:
                status = client.request(method, path, body, headers)
            except OSError:
                status = 0
            t1 = time.monotonic()
            with lock:
                latencies.append((t1 - t0) * 1000)
                sent_at[n] = t0
                if status != 200:
                    errors += 1

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, sent_at


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--baseline-seconds", type=float, default=15.0)
    parser.add_argument("--channels", type=int, default=50, help="study channels answered in")
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--senders", type=int, default=8, help="sender threads (slow acks hold each one back)"
    )
    args = parser.parse_args()

    manager = SlackManager(ctx=multiprocessing.get_context("spawn"))
    manager.start()
    fake: Any = manager.SlackProcess()  # type: ignore[attr-defined]
    workdir = Path(tempfile.mkdtemp(prefix="qotd-load-"))
    db_url = args.database_url or f"sqlite:///{workdir / 'load.db'}"
    port = free_port()
    env = {
        # PYTHONPATH lets a run measure another checkout of the bot (before/after comparisons).
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PYTHONPATH")},
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.url(),
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--no-clock"], env=env, cwd=workdir
    )
    try:
        probe = Client(port)
        deadline = time.monotonic() + 60
        while True:
            try:
                if probe.request("GET", "/healthz") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("serve did not start")
            time.sleep(0.2)

        # One open question in each of N channels; answers are spread over their threads.
        threads: list[tuple[str, str]] = []
        for c in range(args.channels):
            channel = f"C{c:08d}"
            command = urllib.parse.urlencode(
                {
                    "team_id": "T111",
                    "channel_id": channel,
                    "user_id": "UADMIN",
                    "command": "/qotd",
                    "text": "now",
                    "response_url": fake.response_url("load"),
                    "trigger_id": "1.2.3",
                }
            )
            form = {"Content-Type": "application/x-www-form-urlencoded", **sign(command)}
            probe.request("POST", "/slack/events", command, form)
            threads.append((channel, fake.posted_ts(c + 1, 30)[c]))
        time.sleep(0.5)

        # Baseline: the same server and rate, the health endpoint.
        base_lat, base_err, _ = run_phase(
            port, args.rate, args.baseline_seconds, lambda n: ("GET", "/healthz", "", {})
        )

        rng = random.Random(7)
        words = FILLER.split()

        def answer(n: int) -> tuple[str, str, str, dict[str, str]]:
            text = " ".join(rng.choice(words) for _ in range(rng.randint(40, 150)))
            channel, thread_ts = threads[n % len(threads)]
            body = event_body(n, channel, thread_ts, text)
            return "POST", "/slack/events", body, {"Content-Type": "application/json", **sign(body)}

        fake.reset()
        cpu_before, fake_cpu_before = cpu_seconds(server.pid), fake.cpu_seconds()
        load_lat, load_err, sent_at = run_phase(
            port, args.rate, args.seconds, answer, senders=args.senders
        )
        # Slow acknowledgements hold the senders back: the rate actually offered.
        sent_rate = (len(sent_at) - 1) / max(1e-9, max(sent_at.values()) - min(sent_at.values()))
        expected = len(sent_at)
        drain_deadline = time.monotonic() + 60
        while fake.count("chat.postEphemeral") < expected:
            if time.monotonic() > drain_deadline:
                break
            time.sleep(0.5)
        server_cpu = cpu_seconds(server.pid) - cpu_before
        fake_cpu = fake.cpu_seconds() - fake_cpu_before
        print(f"feedback received: {fake.count('chat.postEphemeral')}/{expected}", file=sys.stderr)
        feedback: list[float] = []
        by_window: dict[int, list[float]] = {}  # feedback latency by 5-second window of sending
        start = min(sent_at.values())
        for user, at in fake.feedback_times():
            n = int(user[1:])
            if n in sent_at:
                feedback.append((at - sent_at[n]) * 1000)
                by_window.setdefault(int((sent_at[n] - start) // 5), []).append(feedback[-1])
        timeline = " ".join(
            f"{5 * w}s:{percentile(lat, 95):.0f}" for w, lat in sorted(by_window.items())
        )
        print(f"feedback p95 (ms) by 5 s window of sending: {timeline}", file=sys.stderr)
        missing = expected - len(feedback)
        rss = peak_rss_mb(server.pid)
        load = os.getloadavg()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            print("serve did not stop within 30 s of SIGTERM", file=sys.stderr)
        manager.shutdown()

    errors = load_err + missing
    print(
        f"rate {args.rate:.0f}/s for {args.seconds:.0f} s ({len(load_lat)} answer events in "
        f"{args.channels} threads), database {db_url.split(':')[0]}, {os.cpu_count()} cores, "
        f"load average at the end {load[0]:.1f} / {load[1]:.1f} (1 / 5 min); "
        f"events actually sent at {sent_rate:.0f}/s"
    )
    print()
    print("| measure | answer events | baseline GET /healthz | ratio | budget |")
    print("| --- | --- | --- | --- | --- |")
    for name, q in (("ack p50", 50), ("ack p99", 99)):
        ours, base = percentile(load_lat, q), percentile(base_lat, q)
        budget = "≤ 100 ms" if q == 99 else ""
        print(f"| {name} | {ours:.1f} ms | {base:.1f} ms | {ours / base:.1f}x | {budget} |")
    med, base_med = statistics.median(load_lat), statistics.median(base_lat)
    print(f"| ack median | {med:.1f} ms | {base_med:.1f} ms | {med / base_med:.1f}x | |")
    print(f"| feedback p50 | {percentile(feedback, 50):.0f} ms | | | |")
    print(f"| feedback p95 | {percentile(feedback, 95):.0f} ms | | | ≤ 2000 ms |")
    print(f"| peak RSS (serve) | {rss:.0f} MB | | | ≤ 250 MB |")
    answered = max(1, len(feedback))
    print(f"| serve CPU per answer | {server_cpu / answered * 1000:.1f} ms | | | |")
    print(f"| fake Slack CPU per answer | {fake_cpu / answered * 1000:.1f} ms | | | |")
    print(f"| errors | {errors} (HTTP {load_err}, no feedback {missing}) | {base_err} | | 0 |")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
