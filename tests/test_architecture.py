"""The dependency rule of STYLE.md, enforced: the domain stays pure, Slack I/O stays at the edge."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "bot"

# For each layer (module prefix): project imports it may not make, and libraries it may not use.
RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "bot.domain": (
        ("bot.db", "bot.usecases", "bot.slack", "bot.cli", "bot.app", "bot.deps", "bot.config"),
        ("slack_bolt", "slack_sdk", "sqlalchemy", "alembic", "apscheduler", "waitress"),
    ),
    "bot.db": (("bot.usecases", "bot.slack", "bot.cli", "bot.app"), ("slack_bolt", "slack_sdk")),
    "bot.usecases": (("bot.slack.listeners", "bot.cli", "bot.app"), ("slack_bolt",)),
    "bot.slack.blocks": (("bot.db", "bot.usecases"), ("slack_bolt", "slack_sdk", "sqlalchemy")),
    "bot.slack.listeners": (("bot.db",), ("sqlalchemy",)),
    # Charts and other files: pure rendering (Pillow), no database or Slack.
    "bot.render": (
        ("bot.db", "bot.usecases", "bot.slack", "bot.cli", "bot.app", "bot.deps", "bot.config"),
        ("slack_bolt", "slack_sdk", "sqlalchemy", "alembic", "apscheduler", "waitress"),
    ),
    "bot.slack.recap_blocks": (
        ("bot.db", "bot.usecases"),
        ("slack_bolt", "slack_sdk", "sqlalchemy"),
    ),
}

# Narrow exceptions, each with its reason.
ALLOWED: dict[str, set[str]] = {
    # slack_sdk owns the shape of its OAuth tables; only their builders are used, to migrate them.
    "bot.db.slack_tables": {
        "slack_sdk.oauth.installation_store.sqlalchemy",
        "slack_sdk.oauth.state_store.sqlalchemy",
    },
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_the_package_has_modules_to_check() -> None:
    names = {module_name(p) for p in MODULES}
    assert {"bot.cli", "bot.config", "bot.db.models", "bot.domain.bank"} <= names


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_module_respects_the_dependency_rule(path: Path) -> None:
    name = module_name(path)
    imported = imports_of(path)
    for layer, (banned_project, banned_libraries) in RULES.items():
        if name != layer and not name.startswith(layer + "."):
            continue
        for module in imported - ALLOWED.get(name, set()):
            root = module.split(".")[0]
            assert root not in banned_libraries, f"{name} imports {module}"
            assert not any(module == b or module.startswith(b + ".") for b in banned_project), (
                f"{name} imports {module}"
            )


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_only_the_grader_imports_rapidfuzz(path: Path) -> None:
    if module_name(path) != "bot.domain.grading":
        assert not any(m.split(".")[0] == "rapidfuzz" for m in imports_of(path))
