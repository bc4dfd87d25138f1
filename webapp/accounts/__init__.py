"""Blueprint of the accounts area."""
