"""Blueprint of the broadcasts area: push messages from coordinators to volunteers."""
