#!/usr/bin/env python3
"""Build fact sheets into PDFs: `python3 make_pdf.py --help`.

Whatever Python starts it, it runs in the project's own environment (.venv,
which `make` creates), so the commands in the README work as printed.
"""

import os
import sys
from pathlib import Path

VENV = Path(__file__).resolve().parent / ".venv"


def main() -> int:
    if Path(sys.prefix).resolve() != VENV.resolve():
        python = VENV / "bin" / "python"
        if python.exists():
            os.execv(python, [str(python), __file__, *sys.argv[1:]])
        print("make_pdf.py: the project is not set up here yet: run `make` first", file=sys.stderr)
        return 1
    from factsheet.build.server import run_through_server

    # A warm server runs the command in a fraction of the time (factsheet/build/server.py).
    code = run_through_server(sys.argv[1:])
    if code is not None:
        return code
    from factsheet.cli import main as run

    return run()


if __name__ == "__main__":
    sys.exit(main())
