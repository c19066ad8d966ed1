"""What the CLI says when it cannot run: one `error:` line and exit 3, never a traceback.

`run()` in cli/main.py sends every exception that escapes a command here, whatever the transport
to the API, so a fault found anywhere (settings, the database, a file, the network) reads the same.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from maintctl.faults import EnvironmentFault

EXIT_REFUSED = 2
EXIT_FAULT = 3
EXIT_INTERRUPTED = 130

# Set by the global --debug option: let the traceback through.
debug = False


def quiet_logs() -> None:
    """Keep the in-process API's error log (and its tracebacks) off the terminal.

    Without any handler Python prints warnings and errors to stderr ("last resort"); a null one
    stops that, and leaves handlers set up elsewhere (a server's, a test's) as they are.
    """
    logger = logging.getLogger("maintctl")
    if not debug and not logger.handlers:
        logger.addHandler(logging.NullHandler())


def line_for(exc: BaseException) -> str:
    """One line naming what could not be used and the fix."""
    from maintctl.faults import EnvironmentFault

    if isinstance(exc, EnvironmentFault):
        return f"{exc.message}; {exc.fix}"
    fault = _database_fault(exc)
    if fault is not None:
        return f"{fault.message}; {fault.fix}"
    if isinstance(exc, OSError):
        name = f" {exc.filename}" if exc.filename else ""
        return (
            f"cannot use{name}: {exc.strerror or exc}; check that it exists and that you may "
            "read and write it"
        )
    if _is_http_error(exc):
        return f"could not reach the maintctl server ({type(exc).__name__}); check MAINTCTL_URL"
    return (
        f"maintctl stopped on an unexpected error ({type(exc).__name__}); run the command "
        "again with --debug for the traceback, and report it"
    )


def _database_fault(exc: BaseException) -> EnvironmentFault | None:
    if "sqlalchemy" not in sys.modules:
        return None
    from maintctl.config import Settings
    from maintctl.store.db import fault_of

    try:
        url = Settings().resolved_database_url()
    except Exception:  # the settings are at fault too: the first fault is the one named
        return None
    return fault_of(exc, url)


def _is_http_error(exc: BaseException) -> bool:
    httpx = sys.modules.get("httpx")
    return httpx is not None and isinstance(exc, httpx.HTTPError)


def _not_utf8(exc: BaseException) -> str | None:
    """The line for a typed argument that is not UTF-8 (Python keeps such bytes as surrogates)."""
    if not isinstance(exc, UnicodeEncodeError) or "surrogates" not in exc.reason:
        return None
    char = ord(exc.object[exc.start])
    shown = f"the byte 0x{char - 0xDC00:02x}" if 0xDC80 <= char <= 0xDCFF else f"U+{char:04X}"
    return f"a value you typed holds {shown}, which is not UTF-8 text; retype it as UTF-8"


def report(exc: BaseException) -> int:
    """Print the one line for `exc` to stderr; the exit code to leave with."""
    if isinstance(exc, KeyboardInterrupt):
        print("error: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        # The reader went away (`maintctl window list | head`): nothing to say, nowhere to say it.
        with contextlib.suppress(OSError, ValueError):  # a stdout without a file: nothing to do
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    typed = _not_utf8(exc)
    if typed is not None:  # bad input, not a fault
        print(f"error: {typed}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"error: {line_for(exc)}", file=sys.stderr)
    return EXIT_FAULT
