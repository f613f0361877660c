"""The checks: rules across keys and files, as `Problem`s (never raised one by one).

`check` compares the languages of a sheet with each other and with its sources
(ids, citations, numbers); `glyphs` finds characters the embedded fonts cannot
print. May import: the base modules, `sources` and `document` (a check reads
what inline and charts make of the words).
"""
