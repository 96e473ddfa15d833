"""The bad-input corpus: recipes that break a copy of a project that built (see README.md)."""
