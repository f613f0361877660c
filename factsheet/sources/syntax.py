"""The content format's block syntax that more than one stage reads: `::: name`
containers (a box, key figures, a chart), which inline renders and blocks splits
into translation units."""

from __future__ import annotations

import re

CONTAINERS = ("box", "figures", "chart")  # `::: name` blocks (mdit-py-plugins' container)
# Where a container's title starts on its fence: after `::: box`, after `::: chart <id>`.
FENCE_HEAD = re.compile(r"^[ \t]*:::[ \t]*(?:chart[ \t]+\S+|\w+)[ \t]*")


def container_title(name: str, info: str) -> tuple[str, str]:
    """A container's (chart id, title) from its fence: `::: box Title` has no id,
    `::: chart overdose-deaths Title` has one."""
    rest = info.strip().removeprefix(name).strip()
    if name != "chart":
        return "", rest
    chart_id, _, title = rest.partition(" ")
    return chart_id, title.strip()
