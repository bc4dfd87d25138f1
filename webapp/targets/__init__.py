"""Blueprint of the targets area."""
