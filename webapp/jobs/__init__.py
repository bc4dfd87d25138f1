"""RQ jobs: thin top-level functions taking ids, each running in an app context."""
