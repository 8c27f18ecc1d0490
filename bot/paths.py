"""Where the data files shipped beside the package live (content/, migrations/)."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_PARENT = Path(__file__).resolve().parent.parent


def project_root() -> Path:
    """The checkout holding `migrations/`: next to the package, else the working directory."""
    for candidate in (_PACKAGE_PARENT, Path.cwd()):
        if (candidate / "migrations" / "env.py").is_file():
            return candidate
    raise FileNotFoundError(
        "migrations/ not found: run qotd from a checkout of the repository (pip install -e .)"
    )


def builtin_content_dir() -> Path:
    """The built-in question bank."""
    return project_root() / "content"
