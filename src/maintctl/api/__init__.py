"""The HTTP face: FastAPI routes that turn requests into service calls."""
