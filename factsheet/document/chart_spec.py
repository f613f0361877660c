"""What a chart spec may say: an allowlist of Vega-Lite's marks, properties,
encoding channels and transforms, checked before anything is drawn.

A spec comes from the sheet, and the sheet may come from outside. Vega-Lite
passes some strings straight into the SVG (a mark's `blend` into its style, a
`href` channel into links), fetches what a `url` names, and evaluates
expressions that can allocate without bound (`sequence(0, 3e6)` then
`flatten`). So only what a fact sheet's chart needs is taken, each value of
the type it should have; anything else is refused at its line and column.
Expressions (`calculate`, a `filter` string) may use datum fields, numbers,
strings and operators, never a function call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from factsheet.errors import Pos, Problem

# A check returns why a value is refused (empty: taken). Objects are checked
# key by key below, so that a refused key is named at its own line.
Check = Callable[[object], str]
Path = tuple[str | int, ...]

MAX_SPEC_DEPTH = 12  # a fact-sheet spec nests some 5 deep
MAX_LIST = 100
MAX_STRING = 200


def number(value: object) -> str:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) <= 1e9
    return "" if ok else "a number"


def boolean(value: object) -> str:
    return "" if isinstance(value, bool) else "true or false"


def null(value: object) -> str:
    return "" if value is None else "null"


def pattern(regex: str, what: str) -> Check:
    compiled = re.compile(regex)

    def check(value: object) -> str:
        ok = isinstance(value, str) and len(value) <= MAX_STRING and compiled.fullmatch(value)
        return "" if ok else what

    return check


def one_of(*values: str) -> Check:
    def check(value: object) -> str:
        return "" if value in values else "one of " + ", ".join(f"'{v}'" for v in values)

    return check


@dataclass(frozen=True)
class Either:
    """Any of some checks: a value is taken when one takes it."""

    checks: tuple[Check, ...]

    def __call__(self, value: object) -> str:
        reasons = [c(value) for c in self.checks]
        return "" if "" in reasons else " or ".join(dict.fromkeys(reasons))


def either(*checks: Check) -> Either:
    return Either(checks)


@dataclass(frozen=True)
class ListOf:
    """A list of at most MAX_LIST items, each taken by `item`."""

    item: Check

    def __call__(self, value: object) -> str:
        if not isinstance(value, list) or len(value) > MAX_LIST:
            return f"a list of at most {MAX_LIST} items"
        reasons = [self.item(v) for v in value]
        return next((f"a list, each {r}" for r in reasons if r), "")


def list_of(item: Check) -> ListOf:
    return ListOf(item)


@dataclass(frozen=True)
class Props:
    """An object of allowed keys, each value checked (a scale, an axis)."""

    allowed: dict[str, Check]
    what: str

    def __call__(self, value: object) -> str:
        return keys_of(value, self.allowed)


# Plain words: field names, titles, labels. Vega escapes them as SVG text.
TEXT = pattern(r"[^\x00-\x1f]*", f"text of at most {MAX_STRING} characters")
NAME = pattern(r"[^\x00-\x1f]{1,100}", "a field name")
# A colour as CSS writes it plainly: #rgb, #rrggbb(aa), a name, or rgb()/hsl() of numbers.
COLOR = pattern(
    r"#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|(?:rgb|hsl)a?\([0-9., %]{1,40}\)",
    "a colour (#rrggbb, a colour name, rgb(…))",
)
# A d3 number or time format ("~s", ",.0f", "%Y"): symbols, digits, letters.
FORMAT = pattern(r"[-+ #$,.%~0-9a-zA-Z()]{0,20}", "a d3 format such as ',.0f' or '%Y'")
SCHEME = pattern(r"[a-z][a-z0-9-]{0,30}", "a colour scheme's name")
TYPE = one_of("quantitative", "ordinal", "nominal", "temporal")
AGGREGATE = one_of(
    "count", "sum", "mean", "average", "median", "min", "max", "distinct", "valid",
    "missing", "q1", "q3", "stdev", "variance", "product",
)  # fmt: skip
TIME_UNIT = pattern(
    r"(utc)?(year|quarter|month|week|day|date|dayofyear|hours|minutes|seconds)+",
    "a time unit such as 'year' or 'yearmonth'",
)
SCALAR = either(number, boolean, null, TEXT)

MARK_TYPES = ("bar", "line", "area", "point", "circle", "square", "rule", "text", "arc", "tick")
MARK_TYPE = one_of(*MARK_TYPES)
BAND = either(number, Props({"band": number}, "a width"))

MARK_PROPS: dict[str, Check] = {
    "type": MARK_TYPE,
    "color": COLOR, "fill": COLOR, "stroke": COLOR,
    "opacity": number, "fillOpacity": number, "strokeOpacity": number,
    "strokeWidth": number, "strokeDash": list_of(number),
    "strokeCap": one_of("butt", "round", "square"),
    "strokeJoin": one_of("miter", "round", "bevel"),
    "filled": boolean, "point": boolean, "line": boolean, "clip": boolean,
    "interpolate": one_of("linear", "monotone", "step", "step-before", "step-after",
                          "basis", "cardinal", "natural"),
    "orient": one_of("horizontal", "vertical"),
    "width": BAND, "height": BAND, "size": number, "thickness": number,
    "binSpacing": number,
    "cornerRadius": number, "cornerRadiusEnd": number,
    "innerRadius": number, "outerRadius": number, "padAngle": number,
    "shape": one_of("circle", "square", "cross", "diamond", "triangle-up",
                    "triangle-down", "triangle-right", "triangle-left"),
    "align": one_of("left", "center", "right"),
    "baseline": one_of("top", "middle", "bottom", "alphabetic", "line-top", "line-bottom"),
    "dx": number, "dy": number, "angle": number, "radius": number,
    "fontSize": number, "fontWeight": either(number, one_of("normal", "bold")),
    "fontStyle": one_of("normal", "italic"), "limit": number,
    "text": TEXT,
}  # fmt: skip

SORT = either(
    null,
    one_of("ascending", "descending", "x", "y", "-x", "-y", "color", "-color"),
    list_of(SCALAR),
    Props({"field": NAME, "op": AGGREGATE, "order": one_of("ascending", "descending")}, "sort"),
)
SCALE_PROPS: dict[str, Check] = {
    "type": one_of("linear", "log", "sqrt", "pow", "symlog", "time", "utc", "ordinal",
                   "band", "point"),
    "domain": list_of(SCALAR), "range": list_of(either(number, COLOR)),
    "scheme": SCHEME, "zero": boolean, "nice": either(boolean, number),
    "reverse": boolean, "padding": number, "paddingInner": number, "paddingOuter": number,
    "domainMin": number, "domainMax": number, "exponent": number, "clamp": boolean,
}  # fmt: skip
AXIS_PROPS: dict[str, Check] = {
    "title": either(TEXT, null), "tickCount": number, "format": FORMAT,
    "labelAngle": number, "grid": boolean, "labels": boolean, "ticks": boolean,
    "domain": boolean, "orient": one_of("top", "bottom", "left", "right"),
    "values": list_of(SCALAR), "labelOverlap": boolean, "labelLimit": number,
    "tickMinStep": number, "offset": number,
}  # fmt: skip
LEGEND_PROPS: dict[str, Check] = {
    "title": either(TEXT, null), "orient": one_of("top", "bottom", "left", "right", "none"),
    "direction": one_of("horizontal", "vertical"), "columns": number,
    "values": list_of(SCALAR), "format": FORMAT,
}  # fmt: skip
CHANNEL_PROPS: dict[str, Check] = {
    "field": NAME, "type": TYPE, "aggregate": AGGREGATE, "timeUnit": TIME_UNIT,
    "title": either(TEXT, null), "sort": SORT, "format": FORMAT,
    "stack": either(boolean, null, one_of("zero", "normalize", "center")),
    "bin": either(boolean, Props({"maxbins": number, "step": number}, "bin")),
    "value": either(number, COLOR, boolean, null), "datum": SCALAR,
    "bandPosition": number,
    "scale": either(null, Props(SCALE_PROPS, "scale")),
    "axis": either(null, Props(AXIS_PROPS, "axis")),
    "legend": either(null, Props(LEGEND_PROPS, "legend")),
}  # fmt: skip
CHANNELS = (
    "x", "y", "x2", "y2", "xOffset", "yOffset", "color", "fill", "stroke", "opacity",
    "fillOpacity", "strokeOpacity", "strokeWidth", "strokeDash", "size", "shape", "angle",
    "theta", "theta2", "radius", "radius2", "text", "detail", "order",
)  # fmt: skip

# An expression: datum fields, numbers, strings and operators. No name but
# `datum` and no call, so nothing like sequence(), and nothing that loops.
EXPRESSION_TOKEN = re.compile(
    r"""\s+|datum\.[A-Za-z_]\w*|datum\[(?:"[^"\\]*"|'[^'\\]*')\]|\d+(?:\.\d+)?"""
    r"""|"[^"\\]*"|'[^'\\]*'|===?|!==?|<=?|>=?|&&|\|\||[-+*/%!?:()]|true|false|null"""
)
MAX_EXPRESSION = 200


def expression(value: object) -> str:
    what = "an expression of datum fields, numbers, strings and operators, with no call"
    if not isinstance(value, str) or len(value) > MAX_EXPRESSION:
        return f"{what}, of at most {MAX_EXPRESSION} characters"
    at = 0
    while at < len(value):
        token = EXPRESSION_TOKEN.match(value, at)
        if token is None or token.end() == at:
            return f"{what} (not '{value[at : at + 20]}')"
        at = token.end()
    return ""


PREDICATE_PROPS: dict[str, Check] = {
    "field": NAME, "timeUnit": TIME_UNIT, "equal": SCALAR, "lt": SCALAR, "lte": SCALAR,
    "gt": SCALAR, "gte": SCALAR, "range": list_of(SCALAR), "oneOf": list_of(SCALAR),
    "valid": boolean,
}  # fmt: skip
AGGREGATE_FIELD = {"op": AGGREGATE, "field": NAME, "as": NAME}
WINDOW_FIELD = {
    "op": either(AGGREGATE, one_of("row_number", "rank", "dense_rank", "percent_rank",
                                   "cume_dist", "lag", "lead", "first_value", "last_value")),
    "field": NAME, "as": NAME, "param": number,
}  # fmt: skip
TRANSFORMS: dict[str, dict[str, Check]] = {
    "filter": {"filter": either(expression, Props(PREDICATE_PROPS, "a filter"))},
    "calculate": {"calculate": expression, "as": NAME},
    "fold": {"fold": list_of(NAME), "as": list_of(NAME)},
    "aggregate": {
        "aggregate": list_of(Props(AGGREGATE_FIELD, "an aggregate")),
        "groupby": list_of(NAME),
    },
    "joinaggregate": {
        "joinaggregate": list_of(Props(AGGREGATE_FIELD, "an aggregate")),
        "groupby": list_of(NAME),
    },
    "window": {
        "window": list_of(Props(WINDOW_FIELD, "a window")),
        "frame": list_of(either(number, null)), "groupby": list_of(NAME),
        "sort": list_of(Props({"field": NAME, "order": one_of("ascending", "descending")}, "sort")),
        "ignorePeers": boolean,
    },
}  # fmt: skip
RESOLVE_PROPS = {
    part: Props({c: one_of("shared", "independent") for c in CHANNELS}, part)
    for part in ("scale", "axis", "legend")
}
SIZE = either(number, one_of("container"))


def keys_of(value: object, allowed: dict[str, Check]) -> str:
    """A nested object checked as a whole (a scale, an axis): its first refusal."""
    if not isinstance(value, dict):
        return "an object"
    for key, item in value.items():
        if key not in allowed:
            return f"an object without '{key}' (it takes {', '.join(allowed)})"
        reason = allowed[key](item)
        if reason:
            return f"an object whose '{key}' is {reason}"
    return ""


@dataclass(frozen=True)
class Refusal:
    """What the allowlist refuses, and where: `path` is the keys down to it."""

    path: Path
    message: str
    code: str


def refusals(spec: dict) -> list[Refusal]:
    """Everything in a spec the allowlist refuses, in the order it is written."""
    found: list[Refusal] = []
    top = {"$schema", "data", "description", "width", "height", "layer", "resolve", "mark",
           "encoding", "transform"}  # fmt: skip
    found += unit(spec, (), top)
    return found


def unit(spec: dict, path: Path, allowed: set[str]) -> list[Refusal]:
    """A view (the spec, or one of its layers): its keys, mark, encoding and transforms."""
    found = []
    for key, value in spec.items():
        here = (*path, key)
        if key not in allowed:
            found.append(refused(here, f"'{key}'", sorted(allowed)))
        elif key in ("$schema", "description"):
            found += checked(here, value, TEXT)
        elif key in ("width", "height"):
            found += checked(here, value, SIZE)
        elif key == "mark":
            found += mark(value, here)
        elif key == "encoding":
            found += encoding(value, here)
        elif key == "transform":
            found += transforms(value, here)
        elif key == "resolve":
            found += properties(value, here, RESOLVE_PROPS, "resolve")
        elif key == "layer":
            if not isinstance(value, list) or not value or len(value) > 10:
                found.append(Refusal(here, "layer: a list of 1 to 10 views", "chart.spec"))
                continue
            inner = {"mark", "encoding", "transform", "width", "height"}
            for index, view in enumerate(value):
                if not isinstance(view, dict):
                    found.append(Refusal((*here, index), "a layer is an object", "chart.spec"))
                else:
                    found += unit(view, (*here, index), inner)
        # `data` is read_chart's: one CSV file of the sheet.
    return found


def mark(value: object, path: Path) -> list[Refusal]:
    if isinstance(value, str):
        return checked(path, value, MARK_TYPE)
    found = properties(value, path, MARK_PROPS, "mark")
    if isinstance(value, dict) and "type" not in value:
        found.append(Refusal(path, 'mark: give its type, such as "bar"', "chart.spec"))
    return found


def encoding(value: object, path: Path) -> list[Refusal]:
    if not isinstance(value, dict):
        return [Refusal(path, "encoding: an object of channels", "chart.spec")]
    found = []
    for channel, definition in value.items():
        here = (*path, channel)
        if channel not in CHANNELS:
            found.append(refused(here, f"the '{channel}' channel", CHANNELS))
        elif channel in ("detail", "order") and isinstance(definition, list):
            for index, item in enumerate(definition[:MAX_LIST]):
                found += properties(item, (*here, index), CHANNEL_PROPS, "channel")
        else:
            found += properties(definition, here, CHANNEL_PROPS, "channel")
    return found


def transforms(value: object, path: Path) -> list[Refusal]:
    if not isinstance(value, list) or len(value) > 20:
        return [Refusal(path, "transform: a list of at most 20 transforms", "chart.spec")]
    found = []
    for index, step in enumerate(value):
        here = (*path, index)
        kind = next((k for k in TRANSFORMS if isinstance(step, dict) and k in step), None)
        if kind is None:
            named = next(iter(step), "?") if isinstance(step, dict) and step else "?"
            found.append(refused((*here, named), f"the '{named}' transform", list(TRANSFORMS)))
        else:
            found += properties(step, here, TRANSFORMS[kind], f"a {kind} transform")
    return found


def properties(value: object, path: Path, allowed: dict[str, Check], what: str) -> list[Refusal]:
    """An object whose keys are each allowed and each value of its type."""
    if not isinstance(value, dict):
        return [Refusal(path, f"{dotted(path)}: an object", "chart.spec")]
    found = []
    for key, item in value.items():
        here = (*path, key)
        if key not in allowed:
            found.append(refused(here, f"'{key}' in {what}", list(allowed)))
        else:
            found += checked(here, item, allowed[key])
    return found


def checked(path: Path, value: object, check: Check) -> list[Refusal]:
    """A value checked; an object or list that its check takes apart is followed
    down, so that what is refused in it is named at its own line."""
    options = check.checks if isinstance(check, Either) else (check,)
    objects = [c for c in options if isinstance(c, Props)]
    if isinstance(value, dict) and objects:
        return properties(value, path, objects[0].allowed, objects[0].what)
    lists = [c for c in options if isinstance(c, ListOf)]
    if isinstance(value, list) and lists and len(value) <= MAX_LIST:
        return [r for i, item in enumerate(value) for r in checked((*path, i), item, lists[0].item)]
    reason = check(value)
    if not reason:
        return []
    code = "chart.refused-expression" if check is expression else "chart.refused-value"
    if "expression" in reason:
        code = "chart.refused-expression"
    return [Refusal(path, f"{dotted(path)} must be {reason}", code)]


def refused(path: Path, what: str, allowed: list[str] | tuple[str, ...]) -> Refusal:
    return Refusal(
        path,
        f"{dotted(path)}: a chart does not take {what} (it takes {', '.join(allowed)})",
        "chart.refused-property",
    )


def dotted(path: Path) -> str:
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text


def too_deep(value: object, depth: int = 0) -> bool:
    if depth > MAX_SPEC_DEPTH:
        return True
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return any(too_deep(v, depth + 1) for v in items)


def check_spec(spec: dict, text: str, shown: str) -> list[Problem]:
    """The allowlist's refusals as problems, each at the line and column of its key."""
    if too_deep(spec):
        message = f"nested more than {MAX_SPEC_DEPTH} deep: a chart's spec is simpler"
        return [Problem(Pos(shown, 1, 1), message, code="chart.spec")]
    where = key_positions(text)
    return [
        Problem(Pos(shown, *where.get(r.path, (1, 1))), r.message, code=r.code)
        for r in refusals(spec)
    ]


def key_positions(text: str) -> dict[Path, tuple[int, int]]:
    """The line and column of each key (and list item) of a JSON text, by its path:
    the standard library's parser keeps no positions."""
    positions: dict[Path, tuple[int, int]] = {}
    decoder = json.JSONDecoder()
    stack: list[list] = []  # [path, next index or None for an object, pending key]
    path: Path = ()
    at = 0

    def place(offset: int) -> tuple[int, int]:
        line = text.count("\n", 0, offset) + 1
        return line, offset - (text.rfind("\n", 0, offset) + 1) + 1

    expect_key = False
    while at < len(text):
        char = text[at]
        if char in " \t\r\n,:":
            at += 1
            continue
        if expect_key and char == '"':
            key, end = json.decoder.scanstring(text, at + 1)
            path = (*stack[-1][0], key)
            positions.setdefault(path, place(at))
            expect_key = False
            at = end
            continue
        if stack and stack[-1][1] is not None and char not in "]}":
            path = (*stack[-1][0], stack[-1][1])
            positions.setdefault(path, place(at))
            stack[-1][1] += 1
        if char in "{[":
            stack.append([path, None if char == "{" else 0])
            expect_key = char == "{"
            at += 1
        elif char in "}]":
            stack.pop()
            at += 1
            expect_key = bool(stack) and stack[-1][1] is None
        else:
            _, at = decoder.raw_decode(text, at)
            expect_key = bool(stack) and stack[-1][1] is None
    return positions
