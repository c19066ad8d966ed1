"""Pure rules: no I/O, no clock, no database. Functions take `now` as an argument."""
