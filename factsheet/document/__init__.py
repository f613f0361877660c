"""The document stages: a sheet's words made into one HTML document per language.

`inline` turns the Markdown subset into HTML fragments with numbered note
calls, `cite` formats the notes and the source list (CSL), `charts` draws
Vega-Lite charts to SVG, `i18n` speaks the interface language and `render`
arranges it all with Jinja. May import: the base modules and `sources`.
"""
