"""Enforce maintctl's maintenance mode and traffic mode in a Python service (ASGI or WSGI).

    from maintctl_middleware import MaintenanceASGI
    app = MaintenanceASGI(app, server="http://maintctl:8080", systems=["api"])

Standard library only; see README.md.
"""

from __future__ import annotations

from maintctl_middleware.asgi import MaintenanceASGI
from maintctl_middleware.guard import DEFAULT_RETRY_AFTER
from maintctl_middleware.wsgi import ENVIRON_KEY, MaintenanceWSGI

__all__ = ["DEFAULT_RETRY_AFTER", "ENVIRON_KEY", "MaintenanceASGI", "MaintenanceWSGI"]
__version__ = "0.1.0"
