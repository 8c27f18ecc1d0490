"""Hypothesis strategies for hostile input: what people paste into Slack, and worse.

Text mixes ordinary words with control characters (NUL included), right-to-left scripts and
override marks, emoji sequences, combining marks, Slack markup and entities, and now and then a
huge paste. Everything is deterministic under the FAST settings below.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Fast and reproducible: the same examples on every run, no per-example deadline (the first
# grading call warms caches), and a budget that keeps the suite's run time small.
FAST = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# For properties that touch a database or a big input: fewer examples, same determinism.
SLOW = settings(FAST, max_examples=40)

NASTY_PIECES = (
    "\x00", "\x07", "\x1b[31m", "\r\n", "\t", "\x7f", "\u0085", "\u2028", "\ufeff", "\u200b",
    "\u202e", "\u200f", "مرحبا بالعالم", "שלום", "नमस्ते", "你好，世界", "Ελληνικά", "İıßﬁ",
    "e\u0301\u0301\u0301", "Z\u0337\u0321a\u0337l\u0337g\u0337o", "😀", "👩\u200d💻", "🏳️\u200d🌈",
    "🇫🇷", ":smile:", ":not-an-emoji::", "<@U012AB3CD>", "<#C012AB3CD|general>", "<!channel>",
    "<!here>", "<https://example.com|a link>", "<mailto:a@b.c>", "&amp;", "&lt;", "&", "<", ">",
    "*bold*", "_italic_", "~strike~", "`code`", "```block```", "> quote", "• bullet", "\\",
    "%s%n", "{0}", "${x}", "' OR 1=1 --", "<script>alert(1)</script>", "null", "None", "-1",
    "09:30", "+8h", "mon,wed", "Europe/Paris", "weekdays", "forget-me", "overfitting",
    "gradient descent", "not", "doesn't",
)  # fmt: skip

words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=24)
pieces = st.one_of(st.sampled_from(NASTY_PIECES), words, st.just(" "))
mixed = st.lists(pieces, max_size=30).map("".join)
huge = st.builds(
    lambda piece, n: (piece + " ") * n,
    st.sampled_from(("overfitting ", "😀", "<@U1> &", "\x00a", "word")),
    st.integers(min_value=2_000, max_value=12_000),
)
# Any text a person could send, weighted towards the interesting cases.
text = st.one_of(st.text(max_size=200), mixed, mixed, huge)
# The same without huge pastes, for fields repeated many times in one payload.
medium_text = st.one_of(st.text(max_size=200), mixed)
short_text = st.one_of(st.text(max_size=60), st.lists(pieces, max_size=8).map("".join))
