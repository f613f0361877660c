"""The chart-drawing process: vl-convert (Vega in a JavaScript engine) run in a
child of its own, under a memory limit, which charts.py starts with a time limit.

Why a child: a chart from outside could exhaust memory or time, and the
engine dies of it ("Fatal JavaScript out of memory") with no message; here
that kills only this process, and the build reports it. And the engine starts
threads of its own: a process that has imported it must not fork, so the
build's own processes never import it.

Run as a script, `python -I chart_draw.py` (standard library and vl-convert
only, so it needs no import path): reads {"memory": bytes, "charts": [{"id",
"spec", "config", "numbers", "dates"}]} as JSON on stdin, writes a list of
{"svg": …} or {"error": …} on stdout, and the id of each chart on stderr as it
starts it (so that a chart that kills the process can be named).
"""

from __future__ import annotations

import ctypes
import json
import resource
import signal
import sys


def limit_memory(data_bytes: int) -> None:
    """RLIMIT_DATA, not RLIMIT_AS: the engine reserves some 64 GB of address
    space it never uses, so only the memory written to can be bounded; of it,
    the engine's start takes about 580 MB."""
    resource.setrlimit(resource.RLIMIT_DATA, (data_bytes, data_bytes))


def die_with_parent() -> None:
    """A build killed while drawing takes this process with it."""
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def main() -> None:
    request = json.load(sys.stdin)
    die_with_parent()
    limit_memory(int(request["memory"]))
    import vl_convert

    results = []
    for chart in request["charts"]:
        print(chart["id"], file=sys.stderr, flush=True)
        try:
            svg = vl_convert.vegalite_to_svg(
                chart["spec"],
                config=chart["config"],
                allowed_base_urls=[],
                format_locale=chart["numbers"],
                time_format_locale=chart["dates"],
            )
            results.append({"svg": svg})
        except (ValueError, RuntimeError) as exc:  # what vl-convert raises
            results.append({"error": str(exc)})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
