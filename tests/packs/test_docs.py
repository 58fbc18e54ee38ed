"""docs/packs.md shows the schema as lensengine.packs.manifest defines it."""

from pathlib import Path

from lensengine.packs.manifest import LensSpec, schema_reference

DOC = Path(__file__).parents[2] / "docs" / "packs.md"


def test_the_field_table_in_the_docs_is_the_schema() -> None:
    text = DOC.read_text(encoding="utf-8")
    begin, end = "<!-- schema_reference() begins -->\n", "<!-- schema_reference() ends -->"
    assert text[text.index(begin) + len(begin) : text.index(end)] == schema_reference()


def test_the_reference_lists_every_field_once() -> None:
    reference = schema_reference()
    for name in LensSpec.model_fields:
        assert reference.count(f"{name}` |") == 1, name
    assert "| `input.crop_size` | integer, 16..2048 | yes |" in reference
    assert "| `provenance` | table | no |" in reference
