"""Blueprint of the message list: what the campaign sent, holds, failed or did not send."""
