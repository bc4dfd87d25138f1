"""Blueprint of the planning area."""
