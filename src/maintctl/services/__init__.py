"""Use cases: each calls the domain for every rule; the unit of work around it commits."""
