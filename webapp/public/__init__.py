"""Blueprint of the public area."""
