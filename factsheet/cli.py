"""The command line: parse arguments into Options, build, print, exit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from factsheet import __version__
from factsheet.build import Options, build
from factsheet.errors import FactsheetError

USAGE_ERROR = 2


def parse_args(argv: list[str]) -> tuple[Options, bool]:
    parser = argparse.ArgumentParser(
        prog="make_pdf.py",
        description="Build cited fact sheets into PDFs, one per language.",
    )
    parser.add_argument(
        "sheets",
        nargs="*",
        type=Path,
        metavar="SHEET_DIR",
        help="sheet folders (default: every folder under sheets/ with a sheet.yaml)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("output"), help="output folder (default: output)"
    )
    parser.add_argument(
        "--lang", default="", help="only these languages, comma-separated (e.g. en,es)"
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="parallel builds (default: number of cores)"
    )
    parser.add_argument("--paper", choices=["letter", "a4"], help="override the sheet's paper size")
    parser.add_argument("--check", action="store_true", help="validate everything, write no PDF")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    parser.add_argument("--version", action="version", version=f"factsheet {__version__}")
    args = parser.parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be 1 or more")
    options = Options(
        sheets=tuple(args.sheets),
        out=args.out,
        langs=tuple(lang.strip() for lang in args.lang.split(",") if lang.strip()),
        paper=args.paper,
        check_only=args.check,
        **({"jobs": args.jobs} if args.jobs else {}),
    )
    return options, args.debug


def main(
    argv: list[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the CLI in-process; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        options, debug = parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:  # argparse: --help, --version, or a usage error
        return int(exc.code or 0) if exc.code in (0, None) else USAGE_ERROR
    try:
        report = build(options)
    except FactsheetError as exc:
        print(exc, file=err)
        return 1
    except Exception as exc:  # a bug, not bad input: one line unless --debug
        if debug:
            raise
        print(f"factsheet: internal error: {exc!r} (run with --debug for details)", file=err)
        return 1
    for problem in report.problems:
        print(problem, file=err)
    for path in report.written:
        print(f"wrote {path}", file=out)
    verb = "checked" if options.check_only else "built"
    count = report.checked - len(report.failed) if options.check_only else len(report.written)
    print(f"{verb} {count}, failed {len(report.failed)}, in {report.seconds:.1f} s", file=out)
    return 0 if report.ok else 1
