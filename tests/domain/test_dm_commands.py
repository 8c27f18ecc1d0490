"""Reading a direct message: a command only when the message is nothing but the command."""

from __future__ import annotations

import pytest

from bot.domain import dm_commands as dc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("practice", dc.Start()),
        ("  Practice LLM-GenAI ", dc.Start("llm-genai")),
        ("practise mlops!", dc.Start("mlops")),
        ("skip", dc.Skip()),
        ("Stop.", dc.Stop()),
        ("stats", dc.ShowStats()),
        ("topics", dc.ShowTopics()),
        ("help", dc.ShowHelp()),
        ("remind on", dc.Remind(True)),
        ("remind OFF", dc.Remind(False)),
        ("level senior", dc.SetLevel("senior")),
        ("level any", dc.SetLevel(None)),
        ("stop words are removed before vectorising", None),
        ("practice makes perfect when tuning a model", None),
        ("Skip connections ease gradient flow", None),
        ("", None),
    ],
)
def test_commands_and_answers(text: str, expected: dc.DmCommand | None) -> None:
    assert dc.parse(text) == (expected if expected is not None else dc.Answer(text))


@pytest.mark.parametrize("text", ["practice <b>x</b>", "remind maybe", "level guru"])
def test_a_garbled_command_says_what_to_type(text: str) -> None:
    result = dc.parse(text)
    assert isinstance(result, dc.Unclear)
    assert "`" in result.problem
