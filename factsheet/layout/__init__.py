"""Layout and PDF: HTML laid out into pages by WeasyPrint and written as PDF.

`pdf` is the only module that imports WeasyPrint; `fit` lays out again until
the sheet fits its page budget with every note on its call's page; `tags`
mends the PDF's structure tree; `instances` and `webfonts` make the fonts that
the PDF and the web page embed. May import: the base modules.
"""
