"""jet-match: placement matching for the JET Programme."""

__version__ = "0.1.0"
