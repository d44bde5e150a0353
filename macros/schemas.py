"""`python -m macros.schemas`: write schemas/*.schema.json (editor help) from the one schema in schema.py."""

from __future__ import annotations

import json
import sys

from .data import ROOT
from .schema import MODELS

OUT = ROOT / "schemas"
UI_SCHEMA = {
    "title": "UI strings",
    "description": "画面の文言（ja.yml と en.yml は同じキー） / interface words (the same keys in ja.yml and en.yml)",
    "type": "object",
    "additionalProperties": {"anyOf": [{"type": "string", "minLength": 1}, {"$ref": "#"}]},
}


def generated() -> dict[str, str]:
    """File name → JSON text of every editor schema."""
    schemas = {name: model.model_json_schema() for name, model in MODELS.items()}
    schemas["ui"] = UI_SCHEMA
    out = {}
    for name, schema in schemas.items():
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
        out[f"{name}.schema.json"] = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
    return out


def main() -> int:
    OUT.mkdir(exist_ok=True)
    schemas = generated()
    for name, text in schemas.items():
        (OUT / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(schemas)} schemas to {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
