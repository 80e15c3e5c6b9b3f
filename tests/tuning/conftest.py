"""A real, throwaway PostgreSQL server for the distributed-tuning tests.

Debian's `postgresql` package provides the binaries (tools/system-deps.sh installs it); the
fixture never touches a system service: it creates its own cluster in a temporary directory,
listening on 127.0.0.1 on a free port, and stops it when the session ends.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import need

USER = "tuner"


def postgres_bin() -> Path | None:
    """Debian keeps the server binaries of each major version outside PATH; take the newest."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_server_user(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: root runs it as Debian's `postgres` user."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


@dataclass(frozen=True)
class Server:
    port: int
    sockets: Path  # unix-socket directory, for the superuser's trusted setup connections
    password: str  # of USER, who logs in over TCP


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    """A PostgreSQL cluster of our own, started for the session and stopped after it."""
    bin_dir = postgres_bin()
    need(bin_dir is not None, "PostgreSQL server binaries (Debian package postgresql)")
    server_user = None
    if os.geteuid() == 0:
        try:
            server_user = pwd.getpwnam("postgres")
        except KeyError:
            pass
        need(server_user is not None, "the `postgres` user (Debian package postgresql)")

    # Not under pytest's tmp dir: that is private to the test user, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="digits-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if server_user is not None:
        for path in (root, sockets):
            os.chown(path, server_user.pw_uid, server_user.pw_gid)
    server = Server(port=free_port(), sockets=sockets, password=secrets.token_urlsafe(16))

    def run(*argv: str) -> None:
        done = subprocess.run(as_server_user(list(argv)), capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, f"{argv[0]} failed: {done.stderr or done.stdout}"

    try:
        # Socket connections are trusted, for setup only; TCP ones need USER's password.
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth-local=trust",
            "--auth-host=scram-sha-256", "--no-sync")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w",
            "-o", f"-c listen_addresses=127.0.0.1 -p {server.port} -k {sockets} -c fsync=off",
            "start")
        try:
            with admin(server) as conn:
                conn.execute(f"CREATE ROLE {USER} LOGIN PASSWORD '{server.password}'")
            yield server
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def admin(server: Server):
    import psycopg

    return psycopg.connect(host=str(server.sockets), port=server.port, user="postgres",
                           dbname="postgres", autocommit=True)


@pytest.fixture
def postgres_url(postgres_server: Server) -> str:
    """SQLAlchemy URL of a new, empty database for one test, as a user would be handed one."""
    name = f"digits_{secrets.token_hex(4)}"
    with admin(postgres_server) as conn:
        conn.execute(f"CREATE DATABASE {name} OWNER {USER}")
    return (f"postgresql+psycopg://{USER}:{postgres_server.password}"
            f"@127.0.0.1:{postgres_server.port}/{name}")
