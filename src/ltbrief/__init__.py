"""Rebuild Local Trust's brief on partnerships' challenges and support needs from raw data."""

__version__ = "0.1.0"
