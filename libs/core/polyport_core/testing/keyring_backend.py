"""An in-memory OS keyring backend (a real ``keyring`` backend class) for tests.

``with memory_keyring() as backend:`` installs it as the process keyring and puts the
previous backend back afterwards, so code under test goes through ``keyring`` itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

__all__ = ["MemoryKeyring", "memory_keyring"]


class MemoryKeyring(KeyringBackend):
    """Passwords kept in a dict, keyed by (service, username)."""

    priority = 1.0

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        """The stored password, or None."""
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store ``password``."""
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        """Remove the password; ``PasswordDeleteError`` when there is none (as real backends do)."""
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError(f"no password for {service}/{username}")


# keyring registers every backend class it sees as a candidate for auto-detection; this one
# must only ever be installed on purpose, never become a process's default by being imported.
KeyringBackend._classes.discard(MemoryKeyring)


@contextmanager
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Install a fresh ``MemoryKeyring`` as the process keyring for the block."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
