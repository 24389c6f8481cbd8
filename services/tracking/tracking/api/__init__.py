"""HTTP layer of the tracking service."""
