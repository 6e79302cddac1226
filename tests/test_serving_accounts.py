"""Accounts: users with hashed passwords, hashed API keys, the file they live in, and the CLI over them."""

from __future__ import annotations

import io
import json
import stat
import sys
import threading
from pathlib import Path

import pytest

from rag import cli
from rag.serving.accounts import AccountError, Accounts, Principal, accounts_path

PASSWORD = "光明-correct-horse-9"


@pytest.fixture()
def accounts(tmp_path: Path) -> Accounts:
    return Accounts(accounts_path(tmp_path / "index"))


def test_a_new_index_folder_has_no_accounts_and_no_file(accounts: Accounts) -> None:
    assert accounts.is_empty() and accounts.users() == [] and accounts.keys() == []
    assert not accounts.path.exists()
    assert accounts.check_key("rag_000000000000_" + "a" * 43) is None
    assert accounts.check_password("alice", PASSWORD) is False


def test_users_sign_in_with_their_password_only_and_roles_stick(accounts: Accounts) -> None:
    assert accounts.add_user("alice", role="editor", password=PASSWORD) is True
    assert accounts.add_user("bob", role="reader", password="reader-pass-1") is True
    assert accounts.check_password("alice", PASSWORD) is True
    assert accounts.check_password("alice", "reader-pass-1") is False
    assert accounts.check_password("carol", PASSWORD) is False
    assert accounts.user("alice") == Principal("alice", "editor", "user")
    assert accounts.user("bob") == Principal("bob", "reader", "user")
    assert [(u.name, u.role) for u in accounts.users()] == [("alice", "editor"), ("bob", "reader")]
    assert accounts.add_user("bob", role="editor", password="new-pass-22") is False  # reset password and role
    assert accounts.check_password("bob", "reader-pass-1") is False and accounts.check_password("bob", "new-pass-22")
    assert accounts.user("bob") == Principal("bob", "editor", "user")
    accounts.remove_user("bob")
    assert accounts.user("bob") is None and accounts.check_password("bob", "new-pass-22") is False
    with pytest.raises(AccountError, match=r"no user named 'bob'; see `rag user list`"):
        accounts.remove_user("bob")


def test_keys_work_until_revoked_and_only_their_exact_text_works(accounts: Accounts) -> None:
    key = accounts.create_key("indexer", role="editor")
    reader = accounts.create_key("dashboard", role="reader")
    assert key.startswith("rag_") and len(key) > 50 and key != reader
    assert accounts.check_key(key) == Principal("indexer", "editor", "key")
    assert accounts.check_key(reader) == Principal("dashboard", "reader", "key")
    assert accounts.check_key(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert accounts.check_key(key + "x") is None and accounts.check_key("") is None
    with pytest.raises(AccountError, match=r"a key named 'indexer' exists; revoke it first"):
        accounts.create_key("indexer", role="reader")
    accounts.revoke_key("indexer")
    assert accounts.check_key(key) is None and accounts.check_key(reader) is not None
    assert [k.name for k in accounts.keys()] == ["dashboard"]


def test_the_file_holds_no_secret_and_is_private(accounts: Accounts) -> None:
    accounts.add_user("alice", role="editor", password=PASSWORD)
    key = accounts.create_key("indexer", role="reader")
    text = accounts.path.read_text(encoding="utf-8")
    secret_part = key.split("_", 2)[2]
    assert PASSWORD not in text and key not in text and secret_part not in text
    data = json.loads(text)
    assert data["users"]["alice"]["password"].startswith("$argon2id$")
    assert len(data["keys"]["indexer"]["sha256"]) == 64
    assert stat.S_IMODE(accounts.path.stat().st_mode) == 0o600
    shown = repr(accounts.users()) + repr(accounts.keys()) + repr(accounts)
    assert "argon2" not in shown and data["keys"]["indexer"]["sha256"] not in shown and "alice" in shown


def test_bad_names_roles_and_short_passwords_are_refused(accounts: Accounts) -> None:
    with pytest.raises(AccountError, match=r"bad name '../x'"):
        accounts.add_user("../x", role="reader", password=PASSWORD)
    with pytest.raises(AccountError, match=r"unknown role 'admin'; choose one of reader, editor"):
        accounts.create_key("ci", role="admin")
    with pytest.raises(AccountError, match=r"the password is too short: use at least 8 characters"):
        accounts.add_user("alice", role="reader", password="short")
    assert accounts.is_empty() and not accounts.path.exists()


def test_another_process_writing_the_file_is_seen_by_a_running_reader(accounts: Accounts) -> None:
    server_view = Accounts(accounts.path)
    assert server_view.is_empty()
    key = accounts.create_key("ci", role="reader")  # "the CLI", through another object
    assert server_view.check_key(key) == Principal("ci", "reader", "key")
    Accounts(accounts.path).revoke_key("ci")
    assert server_view.check_key(key) is None and server_view.is_empty()


def test_concurrent_writers_lose_no_account(accounts: Accounts) -> None:
    def create(i: int) -> None:
        Accounts(accounts.path).create_key(f"k{i}", role="reader")

    threads = [threading.Thread(target=create, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(k.name for k in accounts.keys()) == sorted(f"k{i}" for i in range(12))


# ---------------------------------------------------------------- the CLI
def _rag(argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, stdin: str = "") -> tuple:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_users_and_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    index = str(tmp_path / "index")
    code, out, _ = _rag(["user", "add", "alice", "--role", "editor", "--index-dir", index], monkeypatch, capsys,
                        stdin=PASSWORD + "\n")
    assert code == 0 and out.startswith("added user alice (editor) in ") and PASSWORD not in out
    code, out, _ = _rag(["key", "create", "ci", "--role", "reader", "--index-dir", index], monkeypatch, capsys)
    key = out.strip().splitlines()[-1]
    assert code == 0 and "shown only this once" in out and key.startswith("rag_")
    accounts = Accounts(accounts_path(tmp_path / "index"))
    assert accounts.check_password("alice", PASSWORD) and accounts.check_key(key) == Principal("ci", "reader", "key")
    code, out, _ = _rag(["user", "list", "--index-dir", index], monkeypatch, capsys)
    assert code == 0 and out.startswith("alice\teditor\t")
    code, out, _ = _rag(["key", "list", "--index-dir", index], monkeypatch, capsys)
    assert code == 0 and out.startswith("ci\treader\t") and key not in out
    code, out, _ = _rag(["key", "revoke", "ci", "--index-dir", index], monkeypatch, capsys)
    assert (code, out) == (0, "revoked API key ci\n") and accounts.check_key(key) is None
    code, out, err = _rag(["user", "remove", "bob", "--index-dir", index], monkeypatch, capsys)
    assert code == 2 and err == "rag: error: no user named 'bob'; see `rag user list`\n"
    code, _, err = _rag(["user", "add", "bob", "--role", "reader", "--index-dir", index], monkeypatch, capsys,
                        stdin="short\n")
    assert code == 2 and "too short" in err and "short\n" not in err.replace("too short", "")
    assert [u.name for u in accounts.users()] == ["alice"]
