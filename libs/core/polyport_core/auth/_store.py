"""Secrets at rest: where polyport keeps tokens and keys it saved (never the provider file).

The OS keyring when a backend exists; otherwise one AES-GCM encrypted file
(``cryptography``) whose key is derived with scrypt from ``$POLYPORT_STORE_PASSPHRASE``
or kept, random, in the keyring. The file is mode 0600 and replaced atomically
(temp file + ``os.replace``), so a failed write never leaves a half file and a wrong
passphrase never overwrites what is there.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from pydantic import SecretStr

from polyport_core.errors import InvalidConfigError
from polyport_core.redaction import remember_secrets

__all__ = [
    "PASSPHRASE_ENV",
    "STORE_ENV",
    "EncryptedFileStore",
    "KeyringStore",
    "SecretStore",
    "SecretStoreError",
    "default_store",
    "keyring_available",
]

PASSPHRASE_ENV = "POLYPORT_STORE_PASSPHRASE"
STORE_ENV = "POLYPORT_SECRET_STORE"
"""``keyring`` or ``file`` to force a store; unset: the keyring when a backend exists."""

_SERVICE = "polyport"
_INDEX = "__polyport_index__"
_FILE_KEY = "__polyport_file_store_key__"
_FORMAT = "polyport-secrets/1"
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
_CHECK_LABEL = b"polyport secret store key check"


class SecretStoreError(InvalidConfigError):
    """The secret store cannot be read or written (wrong passphrase, corrupted file, no backend)."""

    kind = "secret_store"


class SecretStore(Protocol):
    """A small key → secret map. Values are opaque strings (often JSON token records)."""

    name: str

    def get(self, key: str) -> SecretStr | None:
        """The secret under ``key``, or None."""

    def set(self, key: str, value: SecretStr | str) -> None:
        """Save ``value`` under ``key`` (replacing any older value)."""

    def delete(self, key: str) -> bool:
        """Remove ``key``; whether it was there."""

    def keys(self) -> list[str]:
        """Every key saved, sorted."""


def _raw(value: SecretStr | str) -> str:
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def keyring_available() -> bool:
    """Whether a real OS keyring backend is configured (not keyring's ``fail``/null backends)."""
    import keyring
    from keyring.backends import chainer, fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return bool(backend.backends)
    return True


# ---------------------------------------------------------------- OS keyring
class KeyringStore:
    """Secrets in the OS keyring (service ``polyport``), with an index so they can be listed."""

    name = "keyring"

    def __init__(self, service: str = _SERVICE) -> None:
        self.service = service
        self._lock = threading.Lock()

    def get(self, key: str) -> SecretStr | None:
        """The secret under ``key``, or None."""
        value = self._call("get_password", key)
        if value is None:
            return None
        remember_secrets(value)
        return SecretStr(value)

    def set(self, key: str, value: SecretStr | str) -> None:
        """Save ``value`` under ``key``."""
        with self._lock:
            self._call("set_password", key, _raw(value))
            index = set(self._index())
            if key not in index:
                self._call("set_password", _INDEX, json.dumps(sorted(index | {key})))

    def delete(self, key: str) -> bool:
        """Remove ``key``; whether it was there."""
        import keyring.errors

        with self._lock:
            try:
                self._call("delete_password", key, passthrough=(keyring.errors.PasswordDeleteError,))
                existed = True
            except keyring.errors.PasswordDeleteError:
                existed = False
            index = self._index()
            if key in index:
                self._call("set_password", _INDEX, json.dumps(sorted(set(index) - {key})))
        return existed

    def keys(self) -> list[str]:
        """Every key saved, sorted."""
        return sorted(k for k in self._index() if k != _INDEX)

    def _index(self) -> list[str]:
        raw = self._call("get_password", _INDEX)
        try:
            names = json.loads(raw) if raw else []
        except ValueError:
            return []
        return [str(n) for n in names] if isinstance(names, list) else []

    def _call(self, method: str, *args: str, passthrough: tuple[type[BaseException], ...] = ()) -> Any:
        import keyring
        from keyring.errors import KeyringError, NoKeyringError

        try:
            return getattr(keyring, method)(self.service, *args)
        except passthrough:
            raise
        except NoKeyringError:
            raise SecretStoreError(
                f"no OS keyring backend is available; set {PASSPHRASE_ENV} to use the encrypted file store"
            ) from None
        except KeyringError as exc:
            raise SecretStoreError(f"the OS keyring refused {method} ({type(exc).__name__})") from None


# ---------------------------------------------------------------- encrypted file
def default_store_path() -> Path:
    """``<user data dir>/polyport/secrets.enc``."""
    from platformdirs import user_data_path

    return user_data_path("polyport") / "secrets.enc"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


class EncryptedFileStore:
    """Secrets in one AES-GCM encrypted JSON file, mode 0600, replaced atomically.

    The key is derived with scrypt from a passphrase (a fresh salt per write), or is
    a random 32-byte key kept in the OS keyring (``key_in_keyring=True``).
    """

    name = "file"

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        passphrase: SecretStr | str | None = None,
        key_in_keyring: bool = False,
    ) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        if passphrase is None and not key_in_keyring:
            raise SecretStoreError(f"the encrypted secret store {self.path} needs a passphrase: set {PASSPHRASE_ENV}")
        self._passphrase = SecretStr(_raw(passphrase)) if passphrase is not None else None
        if self._passphrase is not None:
            remember_secrets(self._passphrase)
        self._lock = threading.Lock()
        self._derived: dict[tuple[bytes, tuple[tuple[str, int], ...]], bytes] = {}
        self._last: tuple[bytes, dict[str, int]] | None = None

    # -- public map
    def get(self, key: str) -> SecretStr | None:
        """The secret under ``key``, or None."""
        value = self._read().get(key)
        if value is None:
            return None
        remember_secrets(value)
        return SecretStr(value)

    def set(self, key: str, value: SecretStr | str) -> None:
        """Save ``value`` under ``key``; the file is decrypted first, so a wrong passphrase changes nothing."""
        with self._lock, self._file_lock():
            entries = self._read()
            entries[key] = _raw(value)
            self._write(entries)

    def delete(self, key: str) -> bool:
        """Remove ``key``; whether it was there."""
        with self._lock, self._file_lock():
            entries = self._read()
            if key not in entries:
                return False
            del entries[key]
            self._write(entries)
            return True

    def keys(self) -> list[str]:
        """Every key saved, sorted."""
        return sorted(self._read())

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        """Serialise read-modify-write across processes (two processes renewing at once lose nothing)."""
        try:
            import fcntl
        except ImportError:  # Windows: the in-process lock and the atomic replace still hold
            yield
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    # -- crypto
    def _key(self, envelope: Mapping[str, Any] | None) -> tuple[bytes, dict[str, Any]]:
        """The AES key and the envelope fields that say how it was made.

        A write reuses the salt of the file it replaces (each write has a fresh random nonce), so
        one scrypt derivation serves every read and write of this store object.
        """
        if self._passphrase is None:
            return _keyring_file_key(), {"kdf": "keyring"}
        if envelope is not None:
            salt = _unb64(envelope["salt"])
            params = {k: int(envelope[k]) for k in ("n", "r", "p")}
        elif self._last is not None:
            salt, params = self._last
        else:
            salt, params = secrets.token_bytes(16), dict(_SCRYPT)
        cache_key = (salt, tuple(sorted(params.items())))
        key = self._derived.get(cache_key)
        if key is None:
            key = hashlib.scrypt(
                self._passphrase.get_secret_value().encode(),
                salt=salt,
                n=params["n"],
                r=params["r"],
                p=params["p"],
                maxmem=256 * 1024 * 1024,
                dklen=32,
            )
            self._derived = {cache_key: key}
        self._last = (salt, params)
        return key, {"kdf": "scrypt", "salt": _b64(salt), **params}

    def _read(self) -> dict[str, str]:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            blob = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise SecretStoreError(f"cannot read the secret store {self.path}: {exc.strerror}") from None
        try:
            envelope = json.loads(blob)
            if not isinstance(envelope, dict) or envelope.get("format") != _FORMAT:
                raise ValueError("not a polyport secret store")
            nonce, ciphertext, check = (_unb64(envelope[k]) for k in ("nonce", "ciphertext", "check"))
            if (envelope.get("kdf") == "keyring") != (self._passphrase is None):
                raise SecretStoreError(
                    f"the secret store {self.path} was written with "
                    f"{'a key in the OS keyring' if envelope.get('kdf') == 'keyring' else 'a passphrase'}; "
                    f"open it the same way ({PASSPHRASE_ENV})"
                )
            key, _ = self._key(envelope)
        except SecretStoreError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise SecretStoreError(
                f"the secret store {self.path} is corrupted ({_reason(exc)}); move it away and sign in again"
            ) from None
        if not hmac.compare_digest(check, _key_check(key)):
            raise SecretStoreError(
                f"cannot open the secret store {self.path}: wrong passphrase ({PASSPHRASE_ENV}); nothing was changed"
            )
        try:
            plain = AESGCM(key).decrypt(nonce, ciphertext, _FORMAT.encode())
            entries = json.loads(plain)
        except (InvalidTag, ValueError):
            raise SecretStoreError(
                f"the secret store {self.path} is corrupted (authentication failed); move it away and sign in again"
            ) from None
        if not isinstance(entries, dict):
            raise SecretStoreError(f"the secret store {self.path} is corrupted (not a map)")
        return {str(k): str(v) for k, v in entries.items()}

    def _write(self, entries: Mapping[str, str]) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        key, how = self._key(None)
        nonce = secrets.token_bytes(12)
        ciphertext = AESGCM(key).encrypt(nonce, json.dumps(dict(entries)).encode(), _FORMAT.encode())
        envelope = {
            "format": _FORMAT,
            **how,
            "nonce": _b64(nonce),
            "check": _b64(_key_check(key)),
            "ciphertext": _b64(ciphertext),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".secrets-", suffix=".tmp", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(json.dumps(envelope, indent=1).encode())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def _key_check(key: bytes) -> bytes:
    """A value that tells a wrong key from a damaged file without revealing the key."""
    return hmac.new(key, _CHECK_LABEL, hashlib.sha256).digest()[:16]


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def _keyring_file_key() -> bytes:
    """The file store's random key, created in the OS keyring on first use."""
    store = KeyringStore()
    existing = store.get(_FILE_KEY)
    if existing is not None:
        return _unb64(existing.get_secret_value())
    key = secrets.token_bytes(32)
    store.set(_FILE_KEY, _b64(key))
    return key


def default_store(env: Mapping[str, str] | None = None) -> SecretStore:
    """The store polyport saves credentials in.

    ``$POLYPORT_SECRET_STORE`` (``keyring``/``file``) forces one; otherwise the OS keyring
    when a backend exists, else the encrypted file with ``$POLYPORT_STORE_PASSPHRASE``.
    """
    environ = os.environ if env is None else env
    choice = (environ.get(STORE_ENV) or "").strip().lower()
    passphrase = environ.get(PASSPHRASE_ENV) or None
    if choice not in ("", "keyring", "file"):
        raise SecretStoreError(f"{STORE_ENV}={choice!r}: expected 'keyring' or 'file'")
    if choice == "keyring" or (not choice and passphrase is None and keyring_available()):
        return KeyringStore()
    if passphrase is None and not keyring_available():
        raise SecretStoreError(
            f"no OS keyring backend is available to keep credentials; set {PASSPHRASE_ENV} "
            "to keep them in an encrypted file instead"
        )
    return EncryptedFileStore(passphrase=passphrase, key_in_keyring=passphrase is None)
