"""The translators' exchange: `export` and `import` of PO and XLIFF files
(`exchange`, `pofile`, `xliff`).

May import: the base modules, `sources` and `checks` (an import is checked
like any build before anything is written).
"""
