"""Secrets at rest: the keyring store (through keyring itself, on an in-memory backend) and the
encrypted file store (wrong passphrase, corrupted file, mode 0600, never plaintext)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from polyport_core.auth._store import (
    EncryptedFileStore,
    KeyringStore,
    SecretStoreError,
    default_store,
)
from polyport_core.testing.keyring_backend import memory_keyring

TOKEN = "at-9f8e7d6c5b4a39281706f5e4d3c2b1a0"


def test_keyring_store_round_trip_and_index() -> None:
    with memory_keyring() as backend:
        store = KeyringStore()
        store.set("oauth:acme:work", TOKEN)
        store.set("oauth:acme:home", "another-secret-value")
        assert store.get("oauth:acme:work").get_secret_value() == TOKEN  # type: ignore[union-attr]
        assert store.keys() == ["oauth:acme:home", "oauth:acme:work"]
        assert backend.passwords[("polyport", "oauth:acme:work")] == TOKEN
        assert store.delete("oauth:acme:work") is True
        assert store.delete("oauth:acme:work") is False
        assert store.keys() == ["oauth:acme:home"]
        assert store.get("oauth:acme:work") is None


def test_keyring_store_without_backend_names_the_way_out() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(SecretStoreError, match="POLYPORT_STORE_PASSPHRASE"):
            KeyringStore().set("k", TOKEN)
    finally:
        keyring.set_keyring(previous)


def test_file_store_round_trip_encrypted_and_private(tmp_path: Path) -> None:
    path = tmp_path / "secrets.enc"
    store = EncryptedFileStore(path, passphrase="correct horse battery")
    store.set("oauth:acme:work", TOKEN)
    again = EncryptedFileStore(path, passphrase="correct horse battery").get("oauth:acme:work")
    assert again is not None
    assert again.get_secret_value() == TOKEN
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_bytes()
    assert TOKEN.encode() not in raw
    assert b"oauth:acme:work" not in raw  # even the names are inside the ciphertext
    assert json.loads(raw)["kdf"] == "scrypt"
    assert store.delete("oauth:acme:work") is True
    assert store.keys() == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secrets.enc", "secrets.enc.lock"]  # no temp file left


def test_file_store_wrong_passphrase_is_clear_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "secrets.enc"
    EncryptedFileStore(path, passphrase="first-pass-aaaa").set("k", TOKEN)
    before = path.read_bytes()
    wrong = EncryptedFileStore(path, passphrase="second-pass-bbbb")
    with pytest.raises(SecretStoreError, match="wrong passphrase") as caught:
        wrong.set("k", "replacement-value")
    assert str(path) in str(caught.value)
    assert "first-pass-aaaa" not in str(caught.value)
    with pytest.raises(SecretStoreError, match="wrong passphrase"):
        wrong.get("k")
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda raw: raw[: len(raw) // 2], "corrupted"),
        (lambda raw: b"plain text, not a store", "corrupted"),
        (lambda raw: raw.replace(b'"ciphertext": "', b'"ciphertext": "AAAA'), "corrupted"),
    ],
)
def test_file_store_corrupted_file_is_clear(tmp_path: Path, damage: object, reason: str) -> None:
    path = tmp_path / "secrets.enc"
    EncryptedFileStore(path, passphrase="pw-123456").set("k", TOKEN)
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    with pytest.raises(SecretStoreError, match=reason) as caught:
        EncryptedFileStore(path, passphrase="pw-123456").get("k")
    assert str(path) in str(caught.value)


def test_file_store_needs_a_passphrase(tmp_path: Path) -> None:
    with pytest.raises(SecretStoreError, match="POLYPORT_STORE_PASSPHRASE"):
        EncryptedFileStore(tmp_path / "s.enc")


def test_file_store_with_key_in_keyring(tmp_path: Path) -> None:
    path = tmp_path / "secrets.enc"
    with memory_keyring() as backend:
        EncryptedFileStore(path, key_in_keyring=True).set("k", TOKEN)
        assert EncryptedFileStore(path, key_in_keyring=True).get("k").get_secret_value() == TOKEN  # type: ignore[union-attr]
        assert len(backend.passwords) == 2  # the file key and the index entry, not the token
        assert TOKEN not in backend.passwords.values()
    with pytest.raises(SecretStoreError, match="written with a key in the OS keyring"):
        EncryptedFileStore(path, passphrase="pw-123456").get("k")


def test_default_store_choice(tmp_path: Path) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(SecretStoreError, match="POLYPORT_STORE_PASSPHRASE"):
            default_store({})
        assert isinstance(default_store({"POLYPORT_STORE_PASSPHRASE": "pw-123456"}), EncryptedFileStore)
        with pytest.raises(SecretStoreError, match="'keyring' or 'file'"):
            default_store({"POLYPORT_SECRET_STORE": "s3"})
    finally:
        keyring.set_keyring(previous)
    with memory_keyring():
        assert isinstance(default_store({}), KeyringStore)
        forced = default_store({"POLYPORT_SECRET_STORE": "file", "POLYPORT_STORE_PASSPHRASE": "x1"})
        assert isinstance(forced, EncryptedFileStore)


def test_file_store_writers_in_two_processes_lose_nothing(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "secrets.enc"
    EncryptedFileStore(path, passphrase="pw-shared-123").set("seed", "value-0123456789")
    code = (
        "import sys\n"
        "from polyport_core.auth._store import EncryptedFileStore\n"
        "store = EncryptedFileStore(sys.argv[1], passphrase='pw-shared-123')\n"
        "for i in range(4):\n"
        "    store.set(f'{sys.argv[2]}-{i}', 'value-0123456789')\n"
    )
    writers = [subprocess.Popen([sys.executable, "-c", code, str(path), name]) for name in ("a", "b")]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    keys = EncryptedFileStore(path, passphrase="pw-shared-123").keys()
    assert keys == [*(f"{n}-{i}" for n in ("a", "b") for i in range(4)), "seed"]
