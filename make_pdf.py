#!/usr/bin/env python3
"""Build fact sheets into PDFs: `python make_pdf.py --help`."""

import sys

from factsheet.cli import main

if __name__ == "__main__":
    sys.exit(main())
