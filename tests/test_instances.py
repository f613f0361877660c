"""Static font instances: the same letters and spacing as the variable fonts."""

from __future__ import annotations

import uharfbuzz as hb

from factsheet.layout.instances import OPTICAL_SIZE, WEIGHTS, static_faces
from factsheet.paths import FONT_FILES

TEXT = "When possession is decriminalized, AV To Ty «Según» 1,234.5 — ﬁ ñ"


def advances(font: hb.Font) -> list[tuple[int, int]]:
    buffer = hb.Buffer()
    buffer.add_str(TEXT)
    buffer.guess_segment_properties()
    hb.shape(font, buffer, {})
    return [(info.codepoint, pos.x_advance) for info, pos in
            zip(buffer.glyph_infos, buffer.glyph_positions, strict=True)]  # fmt: skip


def test_each_instance_shapes_text_as_the_variable_font_does(tmp_path):
    faces = static_faces(tmp_path)
    assert len(faces) == sum(len(WEIGHTS[font.role]) for font in FONT_FILES)
    for face in faces:
        font = next(f for f in FONT_FILES if (f.family, f.style) == (face.family, face.style))
        variable = hb.Font(hb.Face(font.path.read_bytes()))
        axes = {"wght": face.weight}
        if face.family == "Source Serif 4":
            axes["opsz"] = OPTICAL_SIZE
        variable.set_variations(axes)
        static = hb.Face(face.path.read_bytes())
        assert not static.axis_infos, f"{face.path.name} is still variable"
        assert advances(hb.Font(static)) == advances(variable), face.path.name


def test_instances_are_made_once_and_remade_when_gone(tmp_path):
    faces = static_faces(tmp_path)
    made = {face.path: face.path.stat().st_mtime_ns for face in faces}
    faces[0].path.unlink()
    again = static_faces(tmp_path)
    assert [f.path for f in again] == list(made)
    assert faces[0].path.is_file()
    assert all(made[f.path] == f.path.stat().st_mtime_ns for f in again[1:])
