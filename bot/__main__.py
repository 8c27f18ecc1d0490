"""`python -m bot` and the `qotd` console script."""

import sys

from bot.cli import main


def run() -> None:
    """Entry point of the console script: exit with the command's code."""
    sys.exit(main())


if __name__ == "__main__":
    run()
