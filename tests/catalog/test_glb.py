"""glTF 2.0 binary validation: the demo twins pass; broken files fail with a precise reason."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vitrina.catalog.demo_assets import E1, GT, car_glb, sign_glb, wallbox_glb
from vitrina.catalog.glb import GlbError, GlbSummary, inspect_glb

CAR_PARTS = {
    "body",
    "wheel_fl",
    "wheel_fr",
    "wheel_rl",
    "wheel_rr",
    "seats",
    "dashboard",
    "charging_port",
}


def _split(data: bytes) -> tuple[dict[str, Any], bytes]:
    json_len = struct.unpack_from("<I", data, 12)[0]
    doc = json.loads(data[20 : 20 + json_len])
    bin_chunk = data[20 + json_len + 8 :]
    return doc, bin_chunk


def _join(doc: dict[str, Any], bin_chunk: bytes) -> bytes:
    payload = json.dumps(doc).encode()
    payload += b" " * (-len(payload) % 4)
    total = 12 + 8 + len(payload) + 8 + len(bin_chunk)
    return (
        struct.pack("<4sII", b"glTF", 2, total)
        + struct.pack("<II", len(payload), 0x4E4F534A)
        + payload
        + struct.pack("<II", len(bin_chunk), 0x004E4942)
        + bin_chunk
    )


def test_demo_car_has_named_parts_and_recolourable_materials() -> None:
    for shape in (E1, GT):
        summary = inspect_glb(car_glb(shape))
        assert set(summary.nodes) >= CAR_PARTS
        assert {"paint", "rim", "upholstery"} <= set(summary.materials)
        assert summary.triangles > 500


def test_demo_wallbox_and_sign_are_valid() -> None:
    assert {"housing", "cable", "cable_long", "status_light", "connector"} <= set(
        inspect_glb(wallbox_glb()).nodes
    )
    assert {"panel", "post", "logo"} <= set(inspect_glb(sign_glb()).nodes)


def test_generation_is_deterministic() -> None:
    # Same bytes, same SHA-256: re-seeding never stores a second copy.
    assert car_glb(E1) == car_glb(E1)


def _mutated(change: Any) -> bytes:
    doc, bin_chunk = _split(car_glb(E1))
    change(doc)
    return _join(doc, bin_chunk)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b"PK\x03\x04" + b"\x00" * 40, "does not start with 'glTF'"),
        (struct.pack("<4sII", b"glTF", 1, 28) + b"\x00" * 16, "version 1"),
        (car_glb(E1)[:-100], "header declares"),
        (
            struct.pack("<4sII", b"glTF", 2, 24) + struct.pack("<II", 4, 0x4E4F534A) + b"{]  ",
            "not valid UTF-8 JSON",
        ),
    ],
    ids=["empty", "zip", "gltf1", "truncated", "bad-json"],
)
def test_broken_containers(data: bytes, reason: str) -> None:
    with pytest.raises(GlbError) as err:
        inspect_glb(data)
    assert reason in str(err.value)


@pytest.mark.parametrize(
    ("change", "where", "reason"),
    [
        (lambda d: d["asset"].update(version="1.0"), "asset", 'asset.version must be "2.0"'),
        (lambda d: d["accessors"][0].update(count=10**6), "accessors[0]", "elements need"),
        (lambda d: d["accessors"][0].update(componentType=1234), "accessors[0]", "componentType"),
        (
            lambda d: d["bufferViews"][0].update(byteOffset=10**7),
            "bufferViews[0]",
            "fall outside buffer 0",
        ),
        (lambda d: d["buffers"][0].update(uri="car.bin"), "buffers[0]", "external or data URI"),
        (
            lambda d: d["meshes"][0]["primitives"][0].update(material=99),
            "meshes[0].primitives[0]",
            "material 99",
        ),
        (lambda d: d["nodes"][0].update(children=[0]), "nodes[0]", "more than one parent"),
        (lambda d: d["nodes"][0].update(mesh=500), "nodes[0]", "mesh 500"),
        (
            lambda d: d.update(extensionsRequired=["KHR_draco_mesh_compression"]),
            "extensionsRequired",
            "unsupported",
        ),
        (
            lambda d: d["accessors"][0].pop("min"),
            "meshes[0].primitives[0]",
            "POSITION must be a VEC3 accessor with min and max",
        ),
    ],
    ids=[
        "version",
        "accessor-overrun",
        "component",
        "view-outside",
        "external-uri",
        "material",
        "cycle",
        "node-mesh",
        "draco",
        "no-bounds",
    ],
)
def test_broken_documents_name_the_faulty_object(change: Any, where: str, reason: str) -> None:
    with pytest.raises(GlbError) as err:
        inspect_glb(_mutated(change))
    assert err.value.where == where
    assert reason in err.value.reason


def test_index_past_the_vertices() -> None:
    doc, bin_chunk = _split(car_glb(E1))
    primitive = doc["meshes"][0]["primitives"][0]
    index_accessor = doc["accessors"][primitive["indices"]]
    vertices = doc["accessors"][primitive["attributes"]["POSITION"]]["count"]
    view = doc["bufferViews"][index_accessor["bufferView"]]
    patched = bytearray(bin_chunk)
    struct.pack_into("<H", patched, view["byteOffset"], 60000)
    assert vertices < 60000
    with pytest.raises(GlbError, match=f"an index points past the {vertices} vertices"):
        inspect_glb(_join(doc, bytes(patched)))


def _khronos_validator() -> Path | None:
    """node_modules folder holding the npm package gltf-validator (see docs/catalog.md)."""
    candidates = [os.environ.get("VITRINA_GLTF_VALIDATOR_MODULES", ""), "var/tools/node_modules"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "gltf-validator").is_dir():
            return Path(candidate).resolve()
    return None


def test_demo_twins_pass_the_khronos_validator(tmp_path: Path) -> None:
    modules = _khronos_validator()
    if modules is None or shutil.which("node") is None:
        pytest.skip(
            "install the npm package gltf-validator: npm install --prefix var/tools gltf-validator"
        )
    files = []
    for name, data in (
        ("e1", car_glb(E1)),
        ("gt", car_glb(GT)),
        ("wallbox", wallbox_glb()),
        ("sign", sign_glb()),
    ):
        path = tmp_path / f"{name}.glb"
        path.write_bytes(data)
        files.append(str(path))
    script = Path(__file__).with_name("khronos_validate.cjs")
    run = subprocess.run(
        ["node", str(script), *files],
        capture_output=True,
        text=True,
        env={**os.environ, "NODE_PATH": str(modules)},
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    reports = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(reports) == 4
    for report in reports:
        assert report["errors"] == 0 and report["warnings"] == 0, report


def test_animations_and_skins_must_resolve() -> None:
    def bad_animation(doc: dict[str, Any]) -> None:
        doc["animations"] = [
            {
                "samplers": [{"input": 0, "output": 999}],
                "channels": [{"sampler": 0, "target": {"node": 0, "path": "translation"}}],
            }
        ]

    with pytest.raises(GlbError) as err:
        inspect_glb(_mutated(bad_animation))
    assert err.value.where == "animations[0].samplers[0].output"

    def bad_skin(doc: dict[str, Any]) -> None:
        doc["skins"] = [{"joints": [0, 4242]}]

    with pytest.raises(GlbError, match="refers to node 4242"):
        inspect_glb(_mutated(bad_skin))


_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.lists(st.integers(-2, 10), max_size=3),
    st.dictionaries(st.sampled_from(["a", "count", "nodes"]), st.integers(-1, 3), max_size=2),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:4]):
            found += _paths(item, (*prefix, index))
    return found


_WALLBOX_DOC, _WALLBOX_BIN = _split(wallbox_glb())
_WALLBOX_PATHS = _paths(_WALLBOX_DOC)


@settings(max_examples=300, deadline=None)
@given(
    edits=st.lists(st.tuples(st.sampled_from(_WALLBOX_PATHS), _JUNK), min_size=1, max_size=3),
    flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=4),
)
def test_damaged_files_are_refused_never_crash(
    edits: list[tuple[tuple[Any, ...], Any]], flips: list[tuple[int, int]]
) -> None:
    doc = json.loads(json.dumps(_WALLBOX_DOC))
    for path, value in edits:
        target: Any = doc
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed this path
    data = bytearray(_join(doc, _WALLBOX_BIN))
    for offset, byte in flips:
        data[offset % len(data)] = byte
    # Either a usable summary or a GlbError with a reason; any other exception fails.
    try:
        summary: GlbSummary | None = inspect_glb(bytes(data))
        reason = ""
    except GlbError as exc:
        summary, reason = None, exc.reason
    assert (summary is not None and summary.meshes >= 1) or reason
