"""The sources: a sheet's files read into the model (`factsheet.model`).

`load` reads sheet.yaml, each `<lang>.yaml` and sources.yaml, every value with
its file, line and column; `theme` reads themes/<name>/; `blocks` splits a
language file into the blocks a translator works in; `review` reads and writes
the review records. May import: the base modules (errors, model, paths,
languages, cache) and nothing else of the package.
"""
