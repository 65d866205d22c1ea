"""The svcgen version (kept here so that --version needs no package metadata scan)."""

__version__ = "0.1.0"
