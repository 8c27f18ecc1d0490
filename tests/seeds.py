"""Own-words check: runs of 8 words shared with the seed documents in ../shared/seeds.

The seeds are not ours to ship, so the repository keeps only a fingerprint of their 8-word runs
(short hashes, no text); when ../shared/seeds is present the tests use the documents themselves
and check that the fingerprint still matches them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

RUN = 8
ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = ROOT.parent / "shared" / "seeds"
FINGERPRINT = Path(__file__).resolve().parent / "data" / "seed-8word-runs.txt"


def words(text: str) -> list[str]:
    """Lowercase words with apostrophes dropped, so "don't" and "dont" compare equal."""
    text = text.lower().replace("\u2019", "'").replace("'", "")
    return re.findall(r"[a-z0-9]+", text)


def runs(text: str) -> Iterator[tuple[str, ...]]:
    """Every run of RUN consecutive words."""
    w = words(text)
    for i in range(len(w) - RUN + 1):
        yield tuple(w[i : i + RUN])


def digest(run: tuple[str, ...]) -> str:
    """A short hash of one run."""
    return hashlib.blake2b(" ".join(run).encode(), digest_size=6).hexdigest()


def seed_texts() -> list[str]:
    """The seed documents, when this checkout has ../shared/seeds beside it."""
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))]


def fingerprint_of(texts: Iterable[str]) -> set[str]:
    """Hashes of every 8-word run in `texts`."""
    return {digest(r) for t in texts for r in runs(t)}


def seed_fingerprint() -> set[str]:
    """From the seeds themselves when present, else from the committed fingerprint."""
    texts = seed_texts()
    if texts:
        return fingerprint_of(texts)
    return set(FINGERPRINT.read_text().split())


def copied_run(text: str, fingerprint: set[str]) -> str | None:
    """The first 8-word run of `text` found in the seeds, if any."""
    for r in runs(text):
        if digest(r) in fingerprint:
            return " ".join(r)
    return None


if __name__ == "__main__":  # regenerate: python -m tests.seeds
    FINGERPRINT.write_text("\n".join(sorted(fingerprint_of(seed_texts()))) + "\n")
    print(f"wrote {FINGERPRINT}")
