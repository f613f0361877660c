"""factsheet: cited, bilingual fact sheets from YAML to print-ready PDF."""

__version__ = "0.1.0"
RUN = "python3 make_pdf.py"  # how the README, hints and messages say to run it
