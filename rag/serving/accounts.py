"""Users (name, role, password) and API keys (name, role, key), in one JSON file under the index folder.

Passwords are stored as argon2id hashes (argon2-cffi): slow on purpose, because people pick
guessable passwords. API keys are 256-bit random secrets that only a program ever types, so a
salted slow hash buys nothing and would cost every API request ~0.3 s: they are stored as SHA-256
digests and looked up by a short public key id. Neither passwords nor keys are kept in plain text,
logged, or shown in a repr or an error message; ``rag key create`` prints a key once.

The file is rewritten whole with ``rag.files.atomic_write`` under an ``flock``, so a server that
re-reads it (on a change of its size, mtime or inode) never sees half of it.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from rag.errors import RAGError
from rag.files import atomic_write

logger = logging.getLogger(__name__)

ServingRole = Literal["reader", "editor"]
SERVING_ROLES: tuple[ServingRole, ...] = get_args(ServingRole)
ACCOUNTS_FILE = "accounts.json"  # in the index folder
MIN_PASSWORD_CHARS = 8
KEY_PREFIX = "rag"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
_KEY = re.compile(rf"^{KEY_PREFIX}_([0-9a-f]{{12}})_([A-Za-z0-9_-]{{40,}})$")


class AccountError(RAGError):
    """A bad account name, role or password, or an unknown account."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a user or an API key, by name, with its role. Holds no secret."""

    name: str
    role: ServingRole
    kind: Literal["user", "key", "local"]

    @property
    def is_editor(self) -> bool:
        return self.role == "editor"


@dataclass(frozen=True, slots=True)
class Entry:
    """One stored user or key; ``secret_hash`` is an argon2 hash (user) or a SHA-256 digest (key)."""

    name: str
    role: ServingRole
    created: float  # unix time
    secret_hash: str = field(repr=False)
    key_id: str = ""  # keys only: the public part of the key that finds this entry


def accounts_path(index_dir: Path) -> Path:
    return Path(index_dir) / ACCOUNTS_FILE


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise AccountError(f"bad name {name!r}: use 1-64 letters, digits and _ . @ - (starting with a letter or digit)")
    return name


def check_role(role: str) -> ServingRole:
    for r in SERVING_ROLES:
        if role == r:
            return r
    raise AccountError(f"unknown role {role!r}; choose one of {', '.join(SERVING_ROLES)}")


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id, RFC 9106 low-memory profile (64 MiB, 3 passes)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class Accounts:
    """The accounts file of one index folder; reads are cached until the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._stamp: tuple[int, int, int] | None = None
        self._users: dict[str, Entry] = {}
        self._keys: dict[str, Entry] = {}
        self._dummy_hash: str | None = None  # verified against for unknown users, so timing tells nothing

    def __repr__(self) -> str:
        return f"Accounts({str(self.path)!r})"

    # ----- reading
    def _load(self) -> None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._users, self._keys = None, {}, {}
            return
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp == self._stamp:
            return
        data = json.loads(self.path.read_text(encoding="utf-8"))
        self._users = {n: Entry(n, check_role(u["role"]), u["created"], u["password"])
                       for n, u in data.get("users", {}).items()}
        self._keys = {n: Entry(n, check_role(k["role"]), k["created"], k["sha256"], k["id"])
                      for n, k in data.get("keys", {}).items()}
        self._stamp = stamp

    def users(self) -> list[Entry]:
        self._load()
        return [self._users[n] for n in sorted(self._users)]

    def keys(self) -> list[Entry]:
        self._load()
        return [self._keys[n] for n in sorted(self._keys)]

    def is_empty(self) -> bool:
        """True when no user and no key exists: a loopback server then stays open."""
        self._load()
        return not self._users and not self._keys

    def user(self, name: str | None) -> Principal | None:
        """The signed-in user ``name`` as it is now (None once removed)."""
        self._load()
        entry = self._users.get(name or "")
        return Principal(entry.name, entry.role, "user") if entry else None

    # ----- checking secrets
    def check_password(self, name: str, password: str) -> bool:
        """True when ``password`` is ``name``'s; the Gradio sign-in page calls this."""
        from argon2.exceptions import InvalidHashError, VerificationError

        self._load()
        entry = self._users.get(name)
        if entry is None:
            self._dummy_hash = self._dummy_hash or _hasher().hash(secrets.token_hex(16))
            target = self._dummy_hash
        else:
            target = entry.secret_hash
        try:
            ok = _hasher().verify(target, password)
        except (VerificationError, InvalidHashError):
            ok = False
        if not (ok and entry is not None):
            logger.info("failed sign-in for user name %r", name if entry is not None else "(unknown)")
            return False
        return True

    def check_key(self, key: str) -> Principal | None:
        """The key's principal, or None for a malformed, unknown or revoked key."""
        match = _KEY.match(key or "")
        if not match:
            return None
        self._load()
        key_id, secret = match.groups()
        for entry in self._keys.values():
            if entry.key_id == key_id and hmac.compare_digest(entry.secret_hash, _digest(secret)):
                return Principal(entry.name, entry.role, "key")
        return None

    # ----- changing
    def add_user(self, name: str, *, role: str, password: str) -> bool:
        """Add ``name`` or replace its role and password; True when it was new."""
        check_name(name)
        role = check_role(role)
        if len(password) < MIN_PASSWORD_CHARS:
            raise AccountError(f"the password is too short: use at least {MIN_PASSWORD_CHARS} characters")
        hashed = _hasher().hash(password)
        with self._editing() as data:
            new = name not in data["users"]
            data["users"][name] = {"role": role, "password": hashed, "created": time.time()}
        return new

    def remove_user(self, name: str) -> None:
        with self._editing() as data:
            if data["users"].pop(name, None) is None:
                raise AccountError(f"no user named {name!r}; see `rag user list`")

    def create_key(self, name: str, *, role: str) -> str:
        """Create the key ``name`` and return it: the only time the key itself exists anywhere."""
        check_name(name)
        role = check_role(role)
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        with self._editing() as data:
            if name in data["keys"]:
                raise AccountError(f"a key named {name!r} exists; revoke it first (`rag key revoke {name}`)")
            data["keys"][name] = {"role": role, "id": key_id, "sha256": _digest(secret), "created": time.time()}
        return f"{KEY_PREFIX}_{key_id}_{secret}"

    def revoke_key(self, name: str) -> None:
        with self._editing() as data:
            if data["keys"].pop(name, None) is None:
                raise AccountError(f"no key named {name!r}; see `rag key list`")

    @contextmanager
    def _editing(self) -> Iterator[dict[str, Any]]:
        """Read, change and atomically rewrite the file while holding an exclusive lock beside it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(self.path.with_name(f".{self.path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = json.loads(self.path.read_text(encoding="utf-8")) if self.path.is_file() else {}
            data = {"version": 1, "users": data.get("users", {}), "keys": data.get("keys", {})}
            yield data
            atomic_write(self.path, json.dumps(data, ensure_ascii=False, indent=1), mode=0o600)
        finally:
            os.close(lock)
        self._stamp = None
