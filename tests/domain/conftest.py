"""Fixtures shared by the bank tests: the built-in bank and its word rarity, loaded once."""

from __future__ import annotations

import pytest

from bot.domain.bank import Bank
from tests.bank_eval import bank_idf, load_content_bank


@pytest.fixture(scope="session")
def bank() -> Bank:
    """The built-in question bank (content/)."""
    return load_content_bank()


@pytest.fixture(scope="session")
def idf(bank: Bank) -> dict[str, float]:
    """Word rarity over the bank's key points and cues, as the bot computes it."""
    return bank_idf(bank)
