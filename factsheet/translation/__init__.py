"""The translators' exchange: `export` and `import` of PO and XLIFF files
(`exchange`, `pofile`, `xliff`).

May import: the base modules, `sources`, `document` (the Markdown syntax),
`checks` and `pipeline` (an import is checked like any build before anything
is written).
"""
