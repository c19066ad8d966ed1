"""maintctl: the whole life of a maintenance window, from request to review."""

__version__ = "0.1.0"
