"""``python -m ltbrief.synth``: write the synthetic survey (see ``ltbrief.synth``)."""

from ltbrief.synth import main

raise SystemExit(main())
