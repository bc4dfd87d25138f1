"""Blueprint of the canvass area."""
