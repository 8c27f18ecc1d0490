"""Interview question-of-the-day bot for Slack."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("qotd-bot")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
