"""Planning a build: which sheets to build, and the cheap stages for each.

pipeline.prepare_sheet for every sheet asked for, then one task per language
(and the bilingual editions). A sheet whose inputs match the last build's
record (state.py) is skipped unread; a sheet or language that fails here never
reaches the costly stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from factsheet.build.state import shared_inputs_digest, sheet_key, up_to_date
from factsheet.errors import Pos, Problem, display_path
from factsheet.model import Edition, Task
from factsheet.options import Options
from factsheet.outputs import bilingual_pdf
from factsheet.pipeline import prepare_sheet


def find_sheets(options: Options) -> tuple[list[Path], list[Problem]]:
    if options.sheets:
        folders = list(options.sheets)
    else:
        root = options.sheets_root
        folders = sorted(p.parent for p in root.glob("*/sheet.yaml")) if root.is_dir() else []
        if not folders:
            message = "no sheet folders (with a sheet.yaml) found"
            return [], [Problem(Pos(display_path(root)), message, code="sheets.none-found")]
    problems = []
    found = []
    slugs: dict[str, Path] = {}
    for folder in folders:
        if not (folder / "sheet.yaml").is_file():
            message = "not a sheet folder: it has no sheet.yaml"
            problems.append(Problem(Pos(display_path(folder)), message, code="sheets.not-a-sheet"))
            continue
        slug = folder.resolve().name
        if slug in slugs and slugs[slug].resolve() != folder.resolve():
            message = f"two sheets are named '{slug}' ({slugs[slug]})"
            problems.append(Problem(Pos(display_path(folder)), message, code="sheets.same-slug"))
            continue
        if slug not in slugs:
            slugs[slug] = folder
            found.append(folder)
    return found, problems


@dataclass
class Plan:
    tasks: list[Task] = field(default_factory=list)
    combined: list[Task] = field(default_factory=list)  # bilingual editions: run last
    failed: list[Edition] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # slugs whose outputs are current
    sheets: list[str] = field(default_factory=list)  # slugs of every sheet found
    keys: dict[str, str] = field(default_factory=dict)  # slug -> input fingerprint
    reading: list[str] = field(default_factory=list)  # "slug: en: grade 7.4 (target 8)"
    problems: list[Problem] = field(default_factory=list)


def plan(options: Options, state: dict[str, dict] | None = None) -> Plan:
    """The first, cheap stages for every sheet (load, check, inline), then one task per
    language; a sheet or language that fails here never reaches the costly stages.
    A sheet whose inputs match `state` (the last build's record) is skipped unread;
    with --force it is built anyway, and its key still recorded for the next run."""
    folders, problems = find_sheets(options)
    result = Plan(problems=problems)
    recorded = state is not None and not options.run.check_only
    shared = shared_inputs_digest(options) if recorded else None
    for folder in folders:
        result.sheets.append(folder.resolve().name)
        if shared is not None:
            slug = folder.resolve().name
            result.keys[slug] = sheet_key(folder, shared)
            current = up_to_date(state.get(slug), result.keys[slug], options)  # type: ignore[union-attr]
            if current and not options.run.force:
                result.skipped.append(slug)
                continue
        plan_sheet(folder, options, result)
    return result


def plan_sheet(folder: Path, options: Options, result: Plan) -> None:
    """The cheap stages for one sheet (pipeline.prepare_sheet), then its tasks or
    failures added to `result`."""
    make = options.make
    prepared = prepare_sheet(folder, make.strict, draft=make.draft, langs=make.langs)
    result.problems += prepared.problems
    sheet = prepared.sheet
    if sheet is not None and prepared.reading:
        result.reading.append(f"{sheet.slug}: {prepared.reading}")
    if sheet is None or prepared.sheet_failed:
        result.failed.append(Edition(folder.resolve().name))
        return
    ready = []
    wanted = options.make.langs or sheet.config.languages
    for lang in wanted:
        if lang not in sheet.config.languages:
            where = sheet.config.pos_of("languages")
            message = f"--lang asks for '{lang}', which this sheet does not list"
            result.problems.append(Problem(where, message, code="options.unknown-language"))
            result.failed.append(Edition(sheet.slug, (lang,)))
        elif lang in prepared.failed_langs:
            result.failed.append(Edition(sheet.slug, (lang,)))
        elif lang in prepared.docs:
            ready.append(prepared.docs[lang])
            result.tasks.append(Task(sheet, (prepared.docs[lang],)))
    bilingual = options.make.wants(bilingual_pdf.KIND.key)
    if bilingual and len(ready) == len(wanted) > 1 and not options.run.check_only:
        result.combined.append(Task(sheet, tuple(ready)))
