"""The sources: a sheet's files read into the model (`factsheet.model`).

`reader` reads YAML into nodes with positions; `load` reads sheet.yaml, each
`<lang>.yaml` and sources.yaml into the model; `theme` reads themes/<name>/;
`syntax` knows the `::: name` blocks; `blocks` splits a
language file into the blocks a translator works in; `review` reads and writes
the review records. May import: the base modules (errors, model, paths,
languages, cache) and nothing else of the package.
"""
