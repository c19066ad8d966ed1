"""The maintctl command line: a client of the HTTP API."""
