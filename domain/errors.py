"""Errors a person can act on: their message is shown in Slack as it is."""


class DomainError(Exception):
    """A rule said no. The message speaks to the person who asked."""
