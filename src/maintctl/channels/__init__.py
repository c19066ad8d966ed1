"""Ways of telling people: one small module per outside system behind channels.base.Transport."""
