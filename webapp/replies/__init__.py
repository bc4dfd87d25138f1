"""Blueprint of the volunteer replies: confirm or cancel from a link, unsubscribe."""
