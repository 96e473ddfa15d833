"""Allow ``python -m ltbrief``."""

from ltbrief.cli import main

raise SystemExit(main())
