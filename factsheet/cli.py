"""The command line: parse arguments into Options, build, print, exit."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from factsheet import RUN, __version__
from factsheet.build.pool import Stopped
from factsheet.build.run import Report, build
from factsheet.errors import FactsheetError
from factsheet.options import MEMORY_LIMIT_FLAG, TIME_LIMIT_FLAG, Make, Options, Run
from factsheet.outputs.registry import KINDS, kinds_asked
from factsheet.paths import missing_font_packages

USAGE_ERROR = 2
COMMANDS = f"""commands:
  {RUN} new SLUG [--sheets DIR]
      start a new sheet from commented examples that build as they are
  {RUN} watch [SHEET_DIR ...] [--serve [--port N]]
      rebuild on every save; with --serve, a preview in the browser that follows
  {RUN} changes SHEET_DIR LANG [SECTION ...]
      show what the reference text changed since a translation was reviewed
  {RUN} reviewed SHEET_DIR LANG (SECTION ... | --all) [--by NAME]
      record that a translation was reviewed against the reference language
  {RUN} export SHEET_DIR LANG --out FILE.po|FILE.xlf
      write a translation for a CAT tool (Poedit, Weblate, memoQ, Trados, OmegaT)
  {RUN} import SHEET_DIR LANG FILE
      read it back into LANG.yaml, when the whole translation passes the checks

'{RUN} COMMAND --help' tells more of each."""


def parse_args(argv: list[str]) -> tuple[Options, bool]:
    parser = argparse.ArgumentParser(
        prog="make_pdf.py",
        usage=f"{RUN} [SHEET_DIR ...] [options]\n       {RUN} COMMAND ...",
        description="Build cited fact sheets into PDFs, one per language.",
        epilog=COMMANDS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--draft", action="store_true", help="mark every page DRAFT")
    for kind in KINDS:
        if kind.flag:
            parser.add_argument(kind.flag, action="store_true", help=kind.help)
    parser.add_argument("--force", action="store_true", help="rebuild sheets that are up to date")
    defaults = Run()
    parser.add_argument(
        TIME_LIMIT_FLAG, type=float, default=defaults.time_limit, metavar="SECONDS",
        help=f"CPU time each edition may take (default: {defaults.time_limit:g})",
    )  # fmt: skip
    parser.add_argument(
        MEMORY_LIMIT_FLAG, type=int, default=defaults.memory_limit, metavar="MB",
        help=f"memory each edition may take (default: {defaults.memory_limit})",
    )  # fmt: skip
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    parser.add_argument("--version", action="version", version=f"factsheet {__version__}")
    args = parser.parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be 1 or more")
    if args.time_limit <= 0 or args.memory_limit < 64:
        parser.error("--time-limit must be above 0 and --memory-limit at least 64")
    flags = {kind.flag for kind in KINDS if kind.flag and getattr(args, flag_dest(kind.flag))}
    jobs = {"jobs": args.jobs} if args.jobs else {}
    options = Options(
        sheets=tuple(args.sheets),
        out=args.out,
        make=Make(
            langs=tuple(lang.strip().lower() for lang in args.lang.split(",") if lang.strip()),
            paper=args.paper,
            draft=args.draft,
            strict=args.strict,
            kinds=kinds_asked(flags),  # the press kit holds every other output: it asks for them
        ),
        run=Run(
            check_only=args.check,
            force=args.force,
            time_limit=args.time_limit,
            memory_limit=args.memory_limit,
            **jobs,
        ),
    )
    return options, args.debug


def flag_dest(flag: str) -> str:
    """argparse's attribute for a flag: --print-shop -> print_shop."""
    return flag.removeprefix("--").replace("-", "_")


def main(
    argv: list[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the CLI in-process; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    argv = sys.argv[1:] if argv is None else argv
    try:
        command = SUBCOMMANDS.get(argv[0]) if argv else None
        if command is not None:
            return command(argv[1:], out)
        return build_main(argv, out, err)
    except SystemExit as exc:  # argparse: --help, --version, or a usage error
        return 0 if exc.code in (0, None) else USAGE_ERROR
    except FactsheetError as exc:
        print(exc, file=err)
        return 1
    except KeyboardInterrupt:  # before or after a build: nothing was half done
        print("stopped by Ctrl-C", file=err)
        return 128 + signal.SIGINT
    except Stopped as stop:
        print(f"stopped by {SIGNAL_NAMES.get(stop.signum, stop)}", file=err)
        return stop.exit_code


def build_main(argv: list[str], out: TextIO, err: TextIO) -> int:
    """`make_pdf.py [SHEET_DIR ...] [options]`: build, then report every problem."""
    options, debug = parse_args(argv)
    missing = missing_font_packages()
    if missing:
        print(f"factsheet: font packages not installed: {', '.join(missing)}; run "
              "`make` to set up the project's environment", file=err)  # fmt: skip
        return 1
    bar = progress_bar(err) if err.isatty() else None
    try:
        report = build(options, bar)
    except FactsheetError:
        raise  # bad input: main prints it
    except Exception as exc:  # a bug, not bad input: one line unless --debug
        if debug:
            raise
        print(f"factsheet: internal error: {exc!r} (run with --debug for details)", file=err)
        return 1
    if bar is not None:
        print(file=err)  # end the progress bar's line
    # What happened, in order: a draft past its budget was written, then the
    # problems say why its edition failed.
    for path in report.drafts:
        print(f"wrote {path}: a draft, the pages past its budget marked", file=out, flush=True)
    for problem in report.problems:
        print(problem, file=err)
    for line in report.reading + report.fitted:
        print(line, file=out)
    for path in report.written:
        if path not in report.drafts:
            print(f"wrote {path}", file=out)
    for path in report.removed:
        print(f"removed {path}: its edition failed; an older copy must not look current", file=out)
    if report.stopped is not None:
        print(stopped_line(report), file=err)
        return 128 + report.stopped
    print(summary(report, options.run.check_only), file=out)
    return 0 if report.ok else 1


SIGNAL_NAMES = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM", signal.SIGHUP: "SIGHUP"}


def stopped_line(report: Report) -> str:
    """ "stopped by Ctrl-C: 13 of 30 PDFs built; run again to finish"."""
    what = SIGNAL_NAMES.get(report.stopped, f"signal {report.stopped}")  # type: ignore[call-overload]
    pdfs = sum(path.suffix == ".pdf" for path in report.written)
    return (
        f"stopped by {what}: {pdfs} of {report.pdfs_planned} PDFs built; "
        "run again to finish (what was built is kept)"
    )


def summary(report: Report, checked: bool) -> str:
    """The last line: sheets counted as sheets, files as files.

    "2 sheets: 1 built, 1 up to date, 0 failed; wrote 2 PDFs in 3.1 s"."""
    sheets = plural(len(report.sheets), "sheet")
    failed = len(report.failed_sheets)
    seconds = f"in {report.seconds:.1f} s"
    if checked:
        return f"{sheets} checked: {len(report.sheets) - failed} passed, {failed} failed, {seconds}"
    pdfs = sum(path.suffix == ".pdf" for path in report.written)
    others = len(report.written) - pdfs
    files = plural(pdfs, "PDF") + (f" and {plural(others, 'other file')}" if others else "")
    counts = f"{len(report.built_sheets)} built, {len(report.skipped)} up to date, {failed} failed"
    return f"{sheets}: {counts}; wrote {files} {seconds}"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def progress_bar(stream: TextIO) -> Callable[[int, int, str], None]:
    """A one-line bar for terminals: [#####.....] 3/6 decriminalization.es"""

    def show(done: int, total: int, name: str) -> None:
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "." * (width - filled)
        stream.write(f"\r[{bar}] {done}/{total} {name:<40.40}")
        stream.flush()

    return show


def new_main(argv: list[str], out: TextIO) -> int:
    """`make_pdf.py new SLUG`: a new sheet folder with example files that build."""
    from factsheet.scaffold import new_sheet

    parser = argparse.ArgumentParser(
        prog=f"{RUN} new", description="Start a new sheet from commented examples."
    )
    parser.add_argument("slug", help="the folder name, e.g. overdose-prevention")
    parser.add_argument("--sheets", type=Path, default=Path("sheets"), help="where to put it")
    args = parser.parse_args(argv)
    sheets, slug = args.sheets, args.slug
    if "/" in slug.strip("/"):  # `new sheets/foo`: a path, not a name
        sheets, slug = Path(slug).parent, Path(slug).name
    folder = new_sheet(sheets, slug)
    print(f"created {folder}: edit its files, then run: {RUN} {folder}", file=out)
    return 0


def translation_parser(command: str, description: str) -> argparse.ArgumentParser:
    """The translators' commands all start `COMMAND SHEET_DIR LANG`."""
    parser = argparse.ArgumentParser(prog=f"{RUN} {command}", description=description)
    parser.add_argument("sheet", type=Path, metavar="SHEET_DIR")
    parser.add_argument("lang", metavar="LANG", help="the translation, e.g. es")
    return parser


def reviewed_main(argv: list[str], out: TextIO) -> int:
    """`make_pdf.py reviewed SHEET_DIR LANG SECTION ...`: record a translator's review."""
    parser = translation_parser(
        "reviewed",
        "Mark translated sections as reviewed against the reference language. "
        "A section that still fails the checks is not marked.",
    )
    parser.add_argument("sections", nargs="*", metavar="SECTION", help="section ids")
    parser.add_argument("--all", action="store_true", help="every section of the translation")
    parser.add_argument("--by", default=None, help="who reviewed (default: the git user's name)")
    args = parser.parse_args(argv)
    if bool(args.sections) == args.all:
        parser.error("name the sections you reviewed, or give --all")
    from factsheet.sources.load import load_sheet
    from factsheet.sources.review import reviewer_name
    from factsheet.translation.exchange import review_sections

    sheet = load_sheet(args.sheet)
    lang = args.lang.lower()
    by = reviewer_name(sheet.root) if args.by is None else args.by.strip()
    marked, refused = review_sections(sheet, lang, args.sections, by)
    if marked:
        who = f" (by {by})" if by else ""
        print(f"marked reviewed in {lang}{who}: {', '.join(marked)}", file=out)
    if refused:
        raise FactsheetError(refused)
    return 0


def changes_main(argv: list[str], out: TextIO) -> int:
    """`make_pdf.py changes SHEET_DIR LANG [SECTION ...]`: what to review, as a diff."""
    parser = translation_parser(
        "changes",
        "Show, as a word diff, how the reference text changed since each "
        "out-of-date section of a translation was reviewed ([-removed-] {+added+}).",
    )
    parser.add_argument(
        "sections", nargs="*", metavar="SECTION", help="section ids (default: out of date)"
    )
    args = parser.parse_args(argv)
    from factsheet.sources.load import load_sheet
    from factsheet.sources.review import describe_changes

    sheet = load_sheet(args.sheet)
    for line in describe_changes(sheet, args.lang.lower(), args.sections):
        print(line, file=out)
    return 0


def export_main(argv: list[str], out: TextIO) -> int:
    """`make_pdf.py export SHEET_DIR LANG --out FILE [--format po|xliff]`."""
    parser = translation_parser(
        "export",
        "Write one translation unit per title, heading, paragraph and list "
        "item, for Poedit, Weblate and other PO editors (po) or for memoQ, Trados and "
        "OmegaT (xliff, version 1.2). Out-of-date units are marked for review with the "
        "reference text as it was reviewed.",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="the file to write: .po or .xlf")  # fmt: skip
    parser.add_argument("--format", choices=["po", "xliff"],
                        help="default: from FILE's extension")  # fmt: skip
    args = parser.parse_args(argv)
    from factsheet.errors import Pos, Problem, display_path
    from factsheet.sources.load import load_sheet
    from factsheet.translation.exchange import export_translation, format_of

    fmt = format_of(args.out, args.format)
    sheet = load_sheet(args.sheet)
    text, counts = export_translation(sheet, args.lang.lower(), fmt, args.out)
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as exc:
        where = Pos(display_path(args.out))
        message = f"cannot write the file: {exc.strerror}"
        raise FactsheetError([Problem(where, message, code="file.not-writable")]) from None
    print(f"wrote {args.out}: {counts}", file=out)
    return 0


def import_main(argv: list[str], out: TextIO) -> int:
    """`make_pdf.py import SHEET_DIR LANG FILE`: a PO or XLIFF file back into LANG.yaml."""
    parser = translation_parser(
        "import",
        "Read a translated PO or XLIFF file back into LANG.yaml. Nothing is "
        "written unless the whole translation passes the checks; sections whose units "
        "are all translated and not marked for review are recorded as reviewed.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="a .po or .xlf file")
    parser.add_argument("--by", default=None, help="who reviewed (default: the git user's name)")
    args = parser.parse_args(argv)
    from factsheet.sources.load import load_sheet
    from factsheet.sources.review import reviewer_name
    from factsheet.translation.exchange import import_translation

    sheet = load_sheet(args.sheet)
    by = reviewer_name(sheet.root) if args.by is None else args.by.strip()
    for line in import_translation(sheet, args.lang.lower(), args.file, by):
        print(line, file=out)
    return 0


def watch_main(argv: list[str], out: TextIO) -> int:
    """`make_pdf.py watch [SHEET_DIR ...] [--serve [--port N]]`."""
    parser = argparse.ArgumentParser(
        prog=f"{RUN} watch",
        description="Build, then rebuild what each save touches, in a process that stays "
        "warm. Problems print as they are found. Ctrl-C stops.",
    )
    parser.add_argument("sheets", nargs="*", type=Path, metavar="SHEET_DIR",
                        help="sheet folders (default: every sheet under sheets/)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=Path("output"), help="output folder")
    parser.add_argument("--serve", action="store_true",
                        help="show the sheets in a browser at http://127.0.0.1:PORT/")  # fmt: skip
    parser.add_argument("--port", type=int, default=8000, help="the preview's port (default 8000)")
    parser.add_argument("--draft", action="store_true", help="mark every page DRAFT")
    parser.add_argument("--paper", choices=["letter", "a4"], help="override the paper size")
    args = parser.parse_args(argv)
    from factsheet.live.watch import watch

    make = Make(draft=args.draft, paper=args.paper)
    options = Options(sheets=tuple(args.sheets), out=args.out, make=make)
    return watch(options, out, serve=args.serve, port=args.port)


SUBCOMMANDS: dict[str, Callable[[list[str], TextIO], int]] = {
    "watch": watch_main,
    "new": new_main,
    "reviewed": reviewed_main,
    "changes": changes_main,
    "export": export_main,
    "import": import_main,
}
