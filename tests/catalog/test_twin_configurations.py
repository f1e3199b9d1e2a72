"""Every configuration the demo offers is a valid glTF twin.

Each valid combination of a demo car's options (group limits and rules checked by the
catalog's own rules engine) is baked into its own .glb: paint and other colours set on
the materials, hidden and swapped-out parts removed, shown parts kept. Every baked file
must pass our validator, and the Khronos validator when it is installed (see
docs/catalog.md). Options without effects on the twin (packs) give identical files, so
each distinct look is validated once.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import struct
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from vitrina.catalog.demo import TWINS, demo_products
from vitrina.catalog.glb import inspect_glb
from vitrina.catalog.rules import Configurator
from vitrina.catalog.schemas import ProductUpsert

CARS = ("aurora-e1", "aurora-gt")


def _split(data: bytes) -> tuple[dict[str, Any], bytes]:
    (json_len,) = struct.unpack_from("<I", data, 12)
    doc = json.loads(data[20 : 20 + json_len])
    at = 20 + json_len
    (bin_len,) = struct.unpack_from("<I", data, at)
    return doc, data[at + 8 : at + 8 + bin_len]


def _join(doc: dict[str, Any], binary: bytes) -> bytes:
    payload = json.dumps(doc, separators=(",", ":")).encode()
    payload += b" " * (-len(payload) % 4)
    total = 12 + 8 + len(payload) + 8 + len(binary)
    return (
        struct.pack("<4sII", b"glTF", 2, total)
        + struct.pack("<II", len(payload), 0x4E4F534A)
        + payload
        + struct.pack("<II", len(binary), 0x004E4942)
        + binary
    )


def _linear(hex_colour: str) -> list[float]:
    """An sRGB "#rrggbb" as glTF's linear baseColorFactor."""
    out = []
    for k in (1, 3, 5):
        c = int(hex_colour[k : k + 2], 16) / 255
        out.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return [round(v, 6) for v in out]


def _selections(product: ProductUpsert) -> Iterator[tuple[str, ...]]:
    per_group = []
    for group in product.option_groups:
        ids = [o.id for o in group.options]
        choices = [
            combo
            for n in range(group.min_choices, group.max_choices + 1)
            for combo in itertools.combinations(ids, n)
        ]
        per_group.append(choices)
    for picked in itertools.product(*per_group):
        yield tuple(o for combo in picked for o in combo)


def _bake(twin: bytes, product: ProductUpsert, selection: tuple[str, ...]) -> bytes:
    doc, binary = _split(twin)
    effects = [
        e for g in product.option_groups for o in g.options if o.id in selection for e in o.effects
    ]
    hidden = set(product_hidden_parts(product))
    for e in effects:
        if e.kind == "material_color":
            for m in doc["materials"]:
                if m["name"] == e.target:
                    alpha = m["pbrMetallicRoughness"]["baseColorFactor"][3]
                    m["pbrMetallicRoughness"]["baseColorFactor"] = [*_linear(str(e.value)), alpha]
        elif e.kind == "visibility":
            (hidden.discard if e.value else hidden.add)(e.target)
        elif e.kind == "part_swap":
            hidden.add(e.target)
            hidden.discard(str(e.value))
    drop = {i for i, n in enumerate(doc["nodes"]) if n.get("name") in hidden}
    for node in doc["nodes"]:
        if "children" in node:
            node["children"] = [c for c in node["children"] if c not in drop]
            if not node["children"]:
                del node["children"]
    return _join(doc, binary)


def product_hidden_parts(product: ProductUpsert) -> list[str]:
    """Parts that start hidden: replacements and parts an option shows (docs/catalog.md)."""
    parts = []
    for g in product.option_groups:
        for o in g.options:
            for e in o.effects:
                if e.kind == "part_swap":
                    parts.append(str(e.value))
                elif e.kind == "visibility" and e.value:
                    parts.append(e.target)
    return parts


def _looks(slug: str) -> dict[str, bytes]:
    product = next(p for p in demo_products() if p.slug == slug)
    twin = TWINS[slug][1]()
    rules = Configurator(
        currency=product.currency,
        base_price=Decimal(str(product.base_price)),
        groups=product.option_groups,
        rules=product.rules,
    )
    looks: dict[str, bytes] = {}
    valid = 0
    for selection in _selections(product):
        if not rules.evaluate(selection).valid:
            continue
        valid += 1
        baked = _bake(twin, product, selection)
        looks.setdefault(str(hash(baked)), baked)
    assert valid > 50  # the demo offers many configurations: the enumeration found them
    return looks


@pytest.mark.parametrize("slug", CARS)
def test_every_configuration_is_a_valid_twin(slug: str, tmp_path: Path) -> None:
    looks = _looks(slug)
    assert len(looks) >= 24  # paint x wheels x rims x interior x spoiler/hitch, at least
    for baked in looks.values():
        summary = inspect_glb(baked)
        assert "paint" in summary.materials
    modules = next(
        (
            Path(c)
            for c in (
                os.environ.get("VITRINA_GLTF_VALIDATOR_MODULES", ""),
                "var/tools/node_modules",
            )
            if c and (Path(c) / "gltf-validator").is_dir()
        ),
        None,
    )
    if modules is None or shutil.which("node") is None:
        pytest.skip(
            "install the npm package gltf-validator: npm install --prefix var/tools gltf-validator"
        )
    files = []
    for i, baked in enumerate(looks.values()):
        path = tmp_path / f"{slug}-{i}.glb"
        path.write_bytes(baked)
        files.append(str(path))
    script = Path(__file__).with_name("khronos_validate.cjs")
    run = subprocess.run(
        ["node", str(script), *files],
        capture_output=True,
        text=True,
        env={**os.environ, "NODE_PATH": str(modules.resolve())},
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr
    reports = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(reports) == len(files)
    for report in reports:
        assert report["errors"] == 0 and report["warnings"] == 0, report
