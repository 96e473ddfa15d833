"""Raw inputs in: each tool's export read, unchanged, into one canonical frame.

``mapping`` reads ``data/sources.yml``: the files, and the role of each survey column.
A container reader turns a file into a grid of cells (``text`` for CSV and TSV,
``workbook`` for XLSX); a layout reader reads its header rows (``plain``, ``qualtrics``,
``surveymonkey``, ``forms``); ``canonical`` applies the mapping; ``survey`` puts them
together. Stage 01's rules, redaction and suites see the same frame whatever tool wrote
the export. ``tidy`` reads the project's own CSV files (coding, area list).

Nothing heavy is imported here: the build reads the mapping without loading pandas.
"""
