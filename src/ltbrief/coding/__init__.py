"""The analysts' coding in: each qualitative-analysis tool's export read into coded passages.

One module per format (``tidy`` this project's CSV, ``qdpx`` a REFI-QDA project, ``qdc`` a
REFI-QDA codebook, ``qualcoder``, ``taguette``), all giving one frame of passages
(``passages``); ``refi`` is what the two REFI-QDA formats share. ``link`` ties documents
to responses and checks each passage against the answer it codes; ``codes`` places the
tool's codes on the codebook's sub-themes; ``agreement`` measures how far the coders agree.
"""
