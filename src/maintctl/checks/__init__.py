"""Check kinds: one module per outside system behind checks.base.Check, registered by kind."""
