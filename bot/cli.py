"""The `qotd` command line (SPEC §3): parse arguments, load settings, run one command."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bot import __version__
from bot.config import ConfigError, Settings, load_settings

log = logging.getLogger("bot")

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace], int]


def _settings(command: str) -> Settings:
    settings = load_settings(command)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if settings.log_level != "DEBUG":
        # Alembic and APScheduler narrate every step at INFO; we log our own summaries.
        logging.getLogger("alembic").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return settings


def _prepare_database(settings: Settings) -> None:
    """Bring an empty or outdated database to the newest schema before serving."""
    from bot.db.engine import make_engine
    from bot.db.migrate import ensure_up_to_date

    engine = make_engine(settings.database_url)
    try:
        if ensure_up_to_date(engine):
            log.info("database schema upgraded to the newest revision")
    finally:
        engine.dispose()


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Apply migrations up to the newest revision."""
    from bot.db.engine import make_engine
    from bot.db.migrate import current_revision, upgrade

    settings = _settings("db")
    engine = make_engine(settings.database_url)
    try:
        before = current_revision(engine)
        upgrade(engine)
        after = current_revision(engine)
    finally:
        engine.dispose()
    if before == after:
        print(f"Database already at the newest revision ({after}).")
    else:
        print(f"Database upgraded from {before or 'empty'} to {after}.")
    return EXIT_OK


def content_directories(settings: Settings, extra: str | None = None) -> list[Path]:
    """The built-in bank, then CONTENT_DIR, then an extra directory (if given)."""
    from bot.paths import builtin_content_dir

    dirs = [builtin_content_dir()]
    for candidate in (settings.content_dir, Path(extra) if extra else None):
        if candidate is not None and candidate.resolve() not in {d.resolve() for d in dirs}:
            dirs.append(candidate)
    return dirs


def cmd_content_check(args: argparse.Namespace) -> int:
    """Validate the bank and extra packs; list every problem or print a one-line summary."""
    from bot.domain.bank import check

    settings = _settings("content")
    bank, problems = check(content_directories(settings, args.dir))
    if problems:
        for problem in problems:
            print(_relative(problem))
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found.")
        return EXIT_PROBLEMS
    print(f"OK: {bank.summary()}")
    return EXIT_OK


def _relative(problem: object) -> str:
    text = str(problem)
    cwd = str(Path.cwd()) + "/"
    return text[len(cwd) :] if text.startswith(cwd) else text


def _runtime(settings: Settings) -> tuple[Any, Any, Any, Any]:
    """Engine (migrated), Web API client, deps and (OAuth mode) installations for the
    long-running commands."""
    from bot.app import bot_client, build_deps, installations_for
    from bot.db.engine import make_engine
    from bot.db.migrate import ensure_up_to_date

    engine = make_engine(settings.database_url)
    if ensure_up_to_date(engine):
        log.info("database schema upgraded to the newest revision")
    client = bot_client(settings)
    installations = installations_for(settings, engine)
    deps = build_deps(settings, engine, client, installations=installations)
    return engine, client, deps, installations


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve Slack over HTTP with waitress until SIGTERM or Ctrl-C."""
    from bot.app import create_app, database_healthy
    from bot.server import Router, make_server

    settings = _settings("serve")
    engine, client, deps, installations = _runtime(settings)
    app = create_app(deps, client, installations)
    _confirm_single_workspace(client, deps, installations)
    router = Router(app, database_healthy(engine))
    server = make_server(router, "0.0.0.0", settings.port)
    clock = None if args.no_clock else _start_clock(deps)
    inbox_job = _start_inbox(app, deps)
    signal.signal(signal.SIGTERM, lambda *_: server.close())
    log.info("qotd serve listening on port %s (POST /slack/events, GET /healthz)", settings.port)
    if installations is not None:
        log.info("multi-workspace installs at GET /slack/install and /slack/oauth_redirect")
    try:
        server.run()
    except OSError:
        if server.socket is not None:  # closed by SIGTERM: a clean stop
            raise
    finally:
        inbox_job.shutdown(wait=False)
        if clock is not None:
            clock.shutdown(wait=False)
        engine.dispose()
    return EXIT_OK


def _confirm_single_workspace(client: Any, deps: Any, installations: Any) -> None:
    """Single-workspace mode: a working SLACK_BOT_TOKEN means the app is installed.

    OAuth mode records reinstalls in its callback; here a reinstall is a new token and a restart,
    so the start clears an uninstall mark that would otherwise delete the data after 30 days.
    """
    from slack_sdk.errors import SlackApiError

    from bot.usecases import privacy

    if installations is not None:
        return
    try:
        who = client.auth_test()
    except (SlackApiError, OSError) as exc:
        log.warning("could not confirm the workspace of SLACK_BOT_TOKEN: %s", exc)
        return
    privacy.mark_installed(deps, str(who["team_id"]), bot_user_id=who.get("user_id"))


def _start_inbox(app: Any, deps: Any) -> Any:
    """Replay requests left unfinished (by a crash) at start-up and every few seconds after."""
    from bot.scheduler import make_inbox_scheduler
    from bot.slack.listeners.inbox import replayer

    scheduler = make_inbox_scheduler(replayer(app, deps))
    scheduler.start()
    return scheduler


def _start_clock(deps: Any) -> Any:
    from bot.scheduler import make_scheduler

    scheduler = make_scheduler(deps, blocking=False)
    scheduler.start()
    log.info("in-process scheduler started")
    return scheduler


def cmd_clock(args: argparse.Namespace) -> int:
    """Run the scheduler alone until SIGTERM or Ctrl-C."""
    from bot.scheduler import make_scheduler

    settings = _settings("clock")
    engine, _client, deps, _installations = _runtime(settings)
    scheduler = make_scheduler(deps, blocking=True)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    log.info("qotd clock running")
    try:
        scheduler.start()
    finally:
        engine.dispose()
    return EXIT_OK


def cmd_socket(args: argparse.Namespace) -> int:
    """Connect over Socket Mode and handle events until interrupted."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app

    settings = _settings("socket")
    engine, client, deps, installations = _runtime(settings)
    assert settings.slack_app_token is not None
    app = create_app(deps, client, installations)
    _confirm_single_workspace(client, deps, installations)
    handler = SocketModeHandler(app, settings.slack_app_token.get_secret_value())
    clock = None if args.no_clock else _start_clock(deps)
    inbox_job = _start_inbox(app, deps)
    log.info("qotd socket connecting to Slack over Socket Mode")
    try:
        handler.start()  # type: ignore[no-untyped-call]
    finally:
        inbox_job.shutdown(wait=False)
        if clock is not None:
            clock.shutdown(wait=False)
        engine.dispose()
    return EXIT_OK


def cmd_grade(args: argparse.Namespace) -> int:
    """Grade one answer, or JSON lines from stdin (--jsonl)."""
    from bot.app import load_question_bank
    from bot.domain import grading
    from bot.usecases.grade_offline import Grader, UnknownQuestion, render

    settings = _settings("grade")
    bank = load_question_bank(settings)
    idf = grading.build_idf(
        text for q in bank.questions for kp in q.key_points for text in (kp.point, *kp.cues)
    )
    grader = Grader(bank, idf)
    if args.jsonl:
        if args.question_id is not None:
            print(
                "qotd grade: --jsonl reads everything from stdin; give no arguments",
                file=sys.stderr,
            )
            return EXIT_USAGE
        for line in sys.stdin:
            if line.strip():
                print(json.dumps(grader.grade_line(line), ensure_ascii=False), flush=True)
        return EXIT_OK
    if args.question_id is None:
        print('qotd grade: give QUESTION_ID "answer" (or --jsonl); see --help', file=sys.stderr)
        return EXIT_USAGE
    answer = args.answer
    if answer is None:
        if sys.stdin.isatty():
            print("qotd grade: give the answer as an argument or on stdin", file=sys.stderr)
            return EXIT_USAGE
        answer = sys.stdin.read()
    try:
        question, result = grader.grade_question(args.question_id, answer)
    except UnknownQuestion as exc:
        print(f"qotd grade: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    print(render(question, result))
    return EXIT_OK


def cmd_practice(args: argparse.Namespace) -> int:
    """The DM practice loop in the terminal, on DATABASE_URL (created or migrated if needed)."""
    from bot import cli_practice
    from bot.app import bot_client, build_deps
    from bot.db.engine import make_engine
    from bot.db.migrate import ensure_up_to_date

    settings = _settings("practice")
    engine = make_engine(settings.database_url)
    try:
        ensure_up_to_date(engine)
        # No Slack call is ever made: the client only completes Deps (it needs no token).
        deps = build_deps(settings, engine, bot_client(settings))
        return cli_practice.main(deps, args.user, args.topic)
    finally:
        engine.dispose()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command of SPEC §3."""
    parser = argparse.ArgumentParser(
        prog="qotd",
        description="Interview question-of-the-day bot for Slack: AI/ML questions, graded "
        "answers, leaderboards and spaced-repetition practice.",
    )
    parser.add_argument("--version", action="version", version=f"qotd {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser(
        "serve",
        help="HTTP mode: Slack events, commands and interactivity at POST /slack/events",
        description="Serve Slack's Events API, slash commands and interactivity over HTTP on "
        "PORT, with GET /healthz. Runs the scheduler in-process unless --no-clock.",
    )
    serve.add_argument("--no-clock", action="store_true", help="do not run the scheduler here")
    serve.set_defaults(handler=cmd_serve)

    socket = sub.add_parser(
        "socket",
        help="Socket Mode plus the in-process scheduler (no public URL needed)",
        description="Connect to Slack over Socket Mode (needs SLACK_APP_TOKEN) and run the "
        "scheduler in-process: the easiest way to run the bot for one team.",
    )
    socket.add_argument("--no-clock", action="store_true", help="do not run the scheduler here")
    socket.set_defaults(handler=cmd_socket)

    clock = sub.add_parser(
        "clock",
        help="the scheduler alone (for deployments running `serve --no-clock`)",
        description="Run only the scheduler: daily questions, reveals, recaps and nudges.",
    )
    clock.set_defaults(handler=cmd_clock)

    db = sub.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_sub.add_parser(
        "upgrade",
        help="apply migrations to the newest schema",
        description="Apply Alembic migrations to DATABASE_URL (creates the schema when empty).",
    )
    upgrade.set_defaults(handler=cmd_db_upgrade)

    grade = sub.add_parser(
        "grade",
        help="grade an answer offline against a question's key points",
        description='Grade an answer: `qotd grade QUESTION_ID "answer text"`, or with --jsonl '
        'read lines {"answer": ..., "key_points": [...]} (or "question_id") from stdin and '
        "write one JSON result per line.",
    )
    grade.add_argument("question_id", nargs="?", help="id of a question in the bank")
    grade.add_argument("answer", nargs="?", help="the answer text")
    grade.add_argument("--jsonl", action="store_true", help="batch mode: JSON lines on stdin")
    grade.set_defaults(handler=cmd_grade)

    content = sub.add_parser(
        "content", help="question bank tools", description="Question bank tools."
    )
    content_sub = content.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    check = content_sub.add_parser(
        "check",
        help="validate the bank and extra packs",
        description="Validate the built-in bank, CONTENT_DIR and DIR (if given): schema, unique "
        "ids, key-point quality. Exit 1 listing every problem; exit 0 with a summary.",
    )
    check.add_argument("dir", nargs="?", help="an extra pack directory to check as well")
    check.set_defaults(handler=cmd_content_check)

    practice = sub.add_parser(
        "practice",
        help="the DM practice loop in the terminal (no Slack needed)",
        description="Practise in the terminal with the same grading and database as the DM "
        "loop. With piped input an answer ends at an empty line.",
    )
    practice.add_argument("--topic", help="practise one topic")
    practice.add_argument("--user", default=None, help="whose cards to use (default: $USER)")
    practice.set_defaults(handler=cmd_practice)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `qotd` with `argv`; return the exit code."""
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"qotd: configuration error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
