"""Turn the --storage text into an Optuna storage, in one place.

Two kinds of text are accepted:
  * any SQLAlchemy URL: Optuna's RDB storage (sqlite:///x.db, postgresql+psycopg://u:p@host/db);
  * journal:///PATH: Optuna's journal storage in a log file, for several processes on one machine
    without a database server. PATH follows the sqlite rule: journal:///rel.log is relative to the
    working directory, journal:////abs/path.log is absolute.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

from optuna.exceptions import ExperimentalWarning, StorageInternalError
from optuna.storages import BaseStorage, RDBStorage
from optuna.storages.journal import JournalFileBackend, JournalStorage
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, ProgrammingError, SQLAlchemyError

from digits.cli import UsageError

JOURNAL_PREFIX = "journal:///"
# A worker that dies without a goodbye (kill -9, lost machine) leaves its trial RUNNING, and
# RUNNING trials count against the shared budget. With a heartbeat, Optuna marks such a trial
# FAIL once it has been silent for the grace period, so a later worker can top the study up.
HEARTBEAT_SECONDS = 60
GRACE_SECONDS = 180


class StorageError(UsageError):
    """The storage could not be opened or used (bad URL, missing driver, unreachable server)."""


def default_storage(artifacts: Path) -> str:
    return f"sqlite:///{artifacts / 'study.db'}"


def make_storage(url: str) -> BaseStorage:
    """The Optuna storage that `url` names (opening it may connect to a server)."""
    if url.startswith("journal:"):
        return JournalStorage(JournalFileBackend(str(journal_path(url))))
    return rdb_storage(url)


def rdb_storage(url: str) -> RDBStorage:
    """Optuna's RDB storage with a heartbeat, tolerating workers that start together.

    On an empty database every worker tries to create Optuna's tables; all but one fail with
    a duplicate-object error once the winner commits (optuna/optuna#1092). By then the tables
    exist, so opening again succeeds.
    """
    for pause in (0.5, 1.0):
        try:
            return _heartbeat_rdb_storage(url)
        except (IntegrityError, ProgrammingError):
            time.sleep(pause)
    return _heartbeat_rdb_storage(url)


def _heartbeat_rdb_storage(url: str) -> RDBStorage:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)  # heartbeats are "experimental"
        return RDBStorage(url, heartbeat_interval=HEARTBEAT_SECONDS, grace_period=GRACE_SECONDS)


def journal_path(url: str) -> Path:
    path = url.removeprefix(JOURNAL_PREFIX)
    if path == url or not path:
        raise ValueError(f"expected {JOURNAL_PREFIX}PATH, e.g. journal:///artifacts/study.log")
    return Path(path)


def describe(url: str) -> str:
    """`url` fit for a log line: the password, if any, is masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(url.split("@")[-1])


def storage_error(url: str, exc: BaseException, action: str = "open") -> StorageError:
    """One line naming the storage (password masked) and the first line of what went wrong."""
    first_line = (str(exc).splitlines() or [""])[0]
    return StorageError(
        f"cannot {action} storage {describe(url)}: {type(exc).__name__}: {first_line}"
    )


def storage_failure(exc: BaseException) -> BaseException | None:
    """The database error behind `exc`, if a lost or failing database is what went wrong.

    Optuna may re-raise a storage failure as something else (in 5.0, an UnboundLocalError while
    it cleans up the trial), so the whole chain is searched; the driver's own error names the
    cause best, Optuna's StorageInternalError wrapping it does not.
    """
    chain: list[BaseException] = []
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    for kind in (SQLAlchemyError, StorageInternalError):
        found = [e for e in chain if isinstance(e, kind)]
        if found:
            return found[-1]
    return None
