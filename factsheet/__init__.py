"""factsheet: cited, bilingual fact sheets from YAML to print-ready PDF."""

__version__ = "0.1.0"
