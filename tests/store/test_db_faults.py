"""What a database error means for the one who must fix it: named, never with its password."""

from __future__ import annotations

import pytest
from sqlalchemy import exc

from maintctl.faults import EnvironmentFault
from maintctl.store.db import Database, fault_of

PG = "postgresql+psycopg://maintctl:sekrit-pw@db.internal:5433/maint"


def operational(message: str) -> exc.OperationalError:
    return exc.OperationalError("SELECT 1", {}, Exception(message))


@pytest.mark.parametrize(
    ("message", "meaning", "busy"),
    [
        ("could not serialize access due to concurrent update", "is busy", True),
        ("deadlock detected", "is busy", True),
        ("sorry, too many clients already; too many connections", "is busy", True),
        (
            'password authentication failed for user "maintctl"',
            "refused the user's password",
            False,
        ),
        ('database "maint" does not exist', "does not exist", False),
        (
            'connection to server at "10.0.0.1", port 5433 failed: Connection refused',
            "cannot reach",
            True,
        ),
    ],
)
def test_a_postgresql_error_is_named_without_the_password(
    message: str, meaning: str, busy: bool
) -> None:
    fault = fault_of(operational(message), PG)
    assert fault is not None and meaning in str(fault) and fault.busy is busy
    assert "db.internal:5433/maint" in str(fault) and "sekrit-pw" not in str(fault)


def test_a_full_connection_pool_is_busy_not_a_bug() -> None:
    fault = fault_of(exc.TimeoutError("QueuePool limit reached"), PG)
    assert fault is not None and fault.busy


@pytest.mark.parametrize(
    "error",
    [
        exc.IntegrityError("INSERT", {}, Exception("duplicate key")),
        exc.DataError("INSERT", {}, Exception("value too long")),
        ValueError("a bug"),
    ],
)
def test_errors_of_the_request_or_the_code_are_not_environment_faults(error: Exception) -> None:
    assert fault_of(error, PG) is None


@pytest.mark.parametrize(
    "url", ["not a url", "mysql://admin:sekrit-pw@h/d", "postgresql+nodriver://a:sekrit-pw@h/d"]
)
def test_a_database_url_maintctl_cannot_use_is_refused_at_once(url: str) -> None:
    with pytest.raises(EnvironmentFault) as refused:
        Database(url)
    assert "sekrit-pw" not in str(refused.value) and "MAINTCTL_DATABASE_URL" in str(refused.value)
