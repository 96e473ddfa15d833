"""Rebuild Local Trust's brief "Challenges and support needs of partnerships" from raw survey data."""

__version__ = "0.1.0"
