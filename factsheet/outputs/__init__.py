"""The kinds of output a build makes, one module each (`office_pdf`, `print_pdf`,
`page_image`, `web_page`, `bilingual_pdf`, `press_kit`), what makes them, their
file names and flags (`kinds`, `registry`), and what the printed ones share
(`printing`).

May import: the base modules, `sources`, `checks`, `document` and `layout`
(layout only inside functions, so that `--check` never loads WeasyPrint).
"""
