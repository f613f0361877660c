"""The live tools: `watch` rebuilds on every save; `preview` serves the page that
follows it in a browser.

May import: the base modules, `sources`, `build` and `outputs` (file names).
"""
