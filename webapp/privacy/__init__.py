"""The person's own data (see, download, consents, erasure) and the administrators' audit log."""
