"""Planning a build: which sheets to build, and the cheap stages for each.

load -> check -> inline for every sheet asked for, then one task per language
(and the bilingual editions). A sheet whose inputs match the last build's
record (state.py) is skipped unread; a sheet or language that fails here never
reaches the costly stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from factsheet.pipeline import Task
from factsheet.errors import FactsheetError, Pos, Problem, blocking, display_path, errors_only
from factsheet.options import Options
from factsheet.build.state import shared_inputs_digest, sheet_key, up_to_date


def find_sheets(options: Options) -> tuple[list[Path], list[Problem]]:
    if options.sheets:
        folders = list(options.sheets)
    else:
        root = options.sheets_root
        folders = sorted(p.parent for p in root.glob("*/sheet.yaml")) if root.is_dir() else []
        if not folders:
            message = "no sheet folders (with a sheet.yaml) found"
            return [], [Problem(Pos(display_path(root)), message)]
    problems = []
    found = []
    slugs: dict[str, Path] = {}
    for folder in folders:
        if not (folder / "sheet.yaml").is_file():
            message = "not a sheet folder: it has no sheet.yaml"
            problems.append(Problem(Pos(display_path(folder)), message))
            continue
        slug = folder.resolve().name
        if slug in slugs and slugs[slug].resolve() != folder.resolve():
            message = f"two sheets are named '{slug}' ({slugs[slug]})"
            problems.append(Problem(Pos(display_path(folder)), message))
            continue
        if slug not in slugs:
            slugs[slug] = folder
            found.append(folder)
    return found, problems


@dataclass
class Plan:
    tasks: list[Task] = field(default_factory=list)
    combined: list[Task] = field(default_factory=list)  # bilingual editions: run last
    failed: list[str] = field(default_factory=list)  # `<slug>.<lang>`, `<slug>.*`
    skipped: list[str] = field(default_factory=list)  # slugs whose outputs are current
    sheets: list[str] = field(default_factory=list)  # slugs of every sheet found
    keys: dict[str, str] = field(default_factory=dict)  # slug -> input fingerprint
    problems: list[Problem] = field(default_factory=list)


def plan(options: Options, state: dict[str, dict] | None = None) -> Plan:
    """The first, cheap stages for every sheet (load, check, inline), then one task per
    language; a sheet or language that fails here never reaches the costly stages.
    A sheet whose inputs match `state` (the last build's record) is skipped unread;
    with --force it is built anyway, and its key still recorded for the next run."""
    folders, problems = find_sheets(options)
    result = Plan(problems=problems)
    recorded = state is not None and not options.check_only
    shared = shared_inputs_digest(options) if recorded else None
    for folder in folders:
        result.sheets.append(folder.resolve().name)
        if shared is not None:
            slug = folder.resolve().name
            result.keys[slug] = sheet_key(folder, shared)
            current = up_to_date(state.get(slug), result.keys[slug], options)  # type: ignore[union-attr]
            if current and not options.force:
                result.skipped.append(slug)
                continue
        prepare_sheet(folder, options, result)
    return result


def prepare_sheet(folder: Path, options: Options, result: Plan) -> None:
    """load -> check -> inline for one sheet, adding its tasks or failures to `result`."""
    # Imported here, not at the top, so a build with nothing to do never pays
    # for YAML, Babel and markdown-it.
    from factsheet.checks.check import check_documents, check_sheet
    from factsheet.document.inline import inline_content
    from factsheet.sources.load import load_sheet

    try:
        sheet = load_sheet(folder)
    except FactsheetError as exc:
        result.problems += exc.problems
        result.failed.append(f"{folder.resolve().name}.*")
        return
    found = check_sheet(sheet)
    result.problems += found
    if errors_only(found):
        result.failed.append(f"{sheet.slug}.*")
        return
    docs = {}
    for lang, content in sheet.contents.items():
        try:
            docs[lang] = inline_content(content)
        except FactsheetError as exc:
            result.problems += exc.problems
            result.failed.append(f"{sheet.slug}.{lang}")
    found = check_documents(sheet, docs)
    result.problems += found
    # A problem in a language's own file stops that language; any other
    # (sources.yaml, sheet.yaml) stops the whole sheet.
    stopped = {p.pos.path for p in blocking(found, options.strict)}
    own_files = {lang: content.path for lang, content in sheet.contents.items()}
    if stopped - set(own_files.values()):
        result.failed.append(f"{sheet.slug}.*")
        return
    ready = []
    for lang in options.langs or sheet.config.languages:
        if lang not in sheet.config.languages:
            where = sheet.config.pos_of("languages")
            message = f"--lang asks for '{lang}', which this sheet does not list"
            result.problems.append(Problem(where, message))
            result.failed.append(f"{sheet.slug}.{lang}")
        elif own_files[lang] in stopped:
            result.failed.append(f"{sheet.slug}.{lang}")
        elif lang in docs:
            ready.append(docs[lang])
            result.tasks.append(Task(sheet, (docs[lang],)))
    wanted = options.langs or sheet.config.languages
    if options.bilingual and len(ready) == len(wanted) > 1 and not options.check_only:
        result.combined.append(Task(sheet, tuple(ready)))
