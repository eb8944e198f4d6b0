"""Storage errors the layers above can act on without knowing SQL."""


class AlreadyExists(Exception):
    """A unique key is taken (the same Slack file imported twice, an audience name in use)."""
