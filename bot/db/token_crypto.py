"""Workspace bot tokens encrypted at rest with Fernet (TOKEN_ENCRYPTION_KEY).

Fernet (from `cryptography`) is authenticated encryption: a database dump is useless without the
key, and a tampered value fails to decrypt instead of turning into a wrong token. The setting may
hold several comma-separated keys so a key can be rotated: the first encrypts, every key decrypts.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

GENERATE_HINT = (
    "generate one with: python -c "
    "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)

# Slack tokens start with "xox" (xoxb-, xoxp-, xoxe.xoxb-); Fernet values always start with
# "gAAAAA". A value written before encryption was switched on stays readable.
PLAINTEXT_PREFIX = "xox"


class TokenDecryptError(Exception):
    """A stored token cannot be decrypted with any configured key (wrong or missing old key)."""


def parse_keys(value: str) -> list[Fernet]:
    """The Fernet keys in a comma-separated TOKEN_ENCRYPTION_KEY; ValueError names the bad one."""
    parts = [part.strip() for part in value.split(",")]
    if not parts or any(not part for part in parts):
        raise ValueError(f"must be one or more comma-separated Fernet keys; {GENERATE_HINT}")
    keys: list[Fernet] = []
    for n, part in enumerate(parts, start=1):
        try:
            keys.append(Fernet(part.encode()))
        except (ValueError, TypeError):
            which = f"key {n} is" if len(parts) > 1 else "it is"
            raise ValueError(
                f"{which} not a Fernet key (32 url-safe base64-encoded bytes); {GENERATE_HINT}"
            ) from None
    return keys


class TokenCipher:
    """Encrypt tokens with the first key; decrypt with any of them."""

    def __init__(self, keys: str) -> None:
        self._fernet = MultiFernet(parse_keys(keys))

    def encrypt(self, token: str) -> str:
        """The token as URL-safe text that only the configured keys can read."""
        return self._fernet.encrypt(token.encode()).decode("ascii")

    def decrypt(self, stored: str) -> str:
        """The token from a stored value (a plaintext Slack token is returned unchanged)."""
        if stored.startswith(PLAINTEXT_PREFIX):
            return stored
        try:
            return self._fernet.decrypt(stored.encode("ascii")).decode()
        except (InvalidToken, UnicodeError):
            raise TokenDecryptError(
                "a stored Slack token cannot be decrypted with TOKEN_ENCRYPTION_KEY; if the key "
                "was changed, list the old key after the new one (comma-separated)"
            ) from None
