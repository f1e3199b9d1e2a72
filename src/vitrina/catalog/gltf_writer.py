"""A minimal glTF 2.0 binary writer: meshes made of boxes, frustums, cylinders and spheres.

Written with the standard library (struct/array) rather than a glTF package: the demo
twins need only positions, normals, indices, named nodes and named PBR materials, and
every file we write passes our own validator (glb.py) and the Khronos validator.
"""

from __future__ import annotations

import json
import math
import struct
from array import array
from dataclasses import dataclass, field
from typing import Any

Vec3 = tuple[float, float, float]
CLEARCOAT = "KHR_materials_clearcoat"


@dataclass
class Geometry:
    positions: list[float] = field(default_factory=list)
    normals: list[float] = field(default_factory=list)
    indices: list[int] = field(default_factory=list)

    @property
    def vertex_count(self) -> int:
        return len(self.positions) // 3

    def extend(self, other: Geometry) -> Geometry:
        base = self.vertex_count
        self.positions += other.positions
        self.normals += other.normals
        self.indices += [i + base for i in other.indices]
        return self


def box(size: Vec3, center: Vec3 = (0.0, 0.0, 0.0)) -> Geometry:
    sx, sy, sz = (s / 2 for s in size)
    cx, cy, cz = center
    geo = Geometry()
    # One quad per face with its own normal, so edges stay sharp.
    faces: list[tuple[Vec3, Vec3, Vec3]] = [
        ((1, 0, 0), (0, 0, -1), (0, 1, 0)),
        ((-1, 0, 0), (0, 0, 1), (0, 1, 0)),
        ((0, 1, 0), (1, 0, 0), (0, 0, -1)),
        ((0, -1, 0), (1, 0, 0), (0, 0, 1)),
        ((0, 0, 1), (1, 0, 0), (0, 1, 0)),
        ((0, 0, -1), (-1, 0, 0), (0, 1, 0)),
    ]
    for normal, u, v in faces:
        base = geo.vertex_count
        for du, dv in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            point = [normal[k] + du * u[k] + dv * v[k] for k in range(3)]
            geo.positions += [cx + point[0] * sx, cy + point[1] * sy, cz + point[2] * sz]
            geo.normals += list(normal)
        geo.indices += [base, base + 1, base + 2, base, base + 2, base + 3]
    return geo


def frustum(
    bottom: tuple[float, float],
    top: tuple[float, float],
    *,
    y0: float,
    y1: float,
    z_bottom: float = 0.0,
    z_top: float = 0.0,
) -> Geometry:
    """A six-faced solid from a bottom rectangle (width x, length z) to a smaller top one:
    a car's glasshouse with sloped windscreen and rear window."""
    (bw, bl), (tw, tl) = bottom, top
    lower = [
        (-bw / 2, y0, z_bottom - bl / 2),
        (bw / 2, y0, z_bottom - bl / 2),
        (bw / 2, y0, z_bottom + bl / 2),
        (-bw / 2, y0, z_bottom + bl / 2),
    ]
    upper = [
        (-tw / 2, y1, z_top - tl / 2),
        (tw / 2, y1, z_top - tl / 2),
        (tw / 2, y1, z_top + tl / 2),
        (-tw / 2, y1, z_top + tl / 2),
    ]
    quads = [
        lower,
        upper,
        *([lower[i], lower[(i + 1) % 4], upper[(i + 1) % 4], upper[i]] for i in range(4)),
    ]
    center = [sum(p[k] for p in lower + upper) / 8 for k in range(3)]
    geo = Geometry()
    for quad in quads:
        a, b, c = quad[0], quad[1], quad[2]
        u = [b[k] - a[k] for k in range(3)]
        v = [c[k] - a[k] for k in range(3)]
        n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]]
        face_center = [sum(p[k] for p in quad) / 4 for k in range(3)]
        if sum(n[k] * (face_center[k] - center[k]) for k in range(3)) < 0:
            quad = quad[::-1]  # wind counter-clockwise seen from outside
            n = [-x for x in n]
        length = math.sqrt(sum(x * x for x in n))
        base = geo.vertex_count
        for point in quad:
            geo.positions += list(point)
            geo.normals += [x / length for x in n]
        geo.indices += [base, base + 1, base + 2, base, base + 2, base + 3]
    return geo


def cylinder(
    radius: float, length: float, *, segments: int = 24, center: Vec3 = (0.0, 0.0, 0.0)
) -> Geometry:
    """A closed cylinder along the x axis (the axle direction of a wheel)."""
    cx, cy, cz = center
    half = length / 2
    geo = Geometry()
    for i in range(segments + 1):
        a = 2 * math.pi * i / segments
        y, z = math.cos(a), math.sin(a)
        for x in (-half, half):
            geo.positions += [cx + x, cy + radius * y, cz + radius * z]
            geo.normals += [0.0, y, z]
    for i in range(segments):
        a, b, c, d = 2 * i, 2 * i + 1, 2 * i + 2, 2 * i + 3
        geo.indices += [a, c, b, b, c, d]
    for side, sign in ((-half, -1.0), (half, 1.0)):
        center_index = geo.vertex_count
        geo.positions += [cx + side, cy, cz]
        geo.normals += [sign, 0.0, 0.0]
        for i in range(segments + 1):
            a = 2 * math.pi * i / segments
            geo.positions += [cx + side, cy + radius * math.cos(a), cz + radius * math.sin(a)]
            geo.normals += [sign, 0.0, 0.0]
        for i in range(segments):
            first, second = center_index + 1 + i, center_index + 2 + i
            if sign > 0:
                geo.indices += [center_index, first, second]
            else:
                geo.indices += [center_index, second, first]
    return geo


def sphere(
    radius: float, *, rings: int = 16, sectors: int = 32, center: Vec3 = (0.0, 0.0, 0.0)
) -> Geometry:
    cx, cy, cz = center
    geo = Geometry()
    for r in range(rings + 1):
        phi = math.pi * r / rings
        for s in range(sectors + 1):
            theta = 2 * math.pi * s / sectors
            n = (math.sin(phi) * math.cos(theta), math.cos(phi), math.sin(phi) * math.sin(theta))
            geo.positions += [cx + radius * n[0], cy + radius * n[1], cz + radius * n[2]]
            geo.normals += list(n)
    row = sectors + 1
    for r in range(rings):
        for s in range(sectors):
            a, b = r * row + s, (r + 1) * row + s
            if r != 0:
                geo.indices += [a, a + 1, b]
            if r != rings - 1:
                geo.indices += [a + 1, b + 1, b]
    return geo


@dataclass(frozen=True)
class Material:
    name: str
    color: tuple[float, float, float, float]
    metallic: float = 0.0
    roughness: float = 0.6
    emissive: Vec3 | None = None
    # KHR_materials_clearcoat: the lacquer over a car's metallic paint.
    clearcoat: float = 0.0
    clearcoat_roughness: float = 0.0


class GlbWriter:
    """Accumulates materials, meshes and nodes, then writes one self-contained .glb."""

    def __init__(self, generator: str = "Vitrina catalog") -> None:
        self._doc: dict[str, Any] = {
            "asset": {"version": "2.0", "generator": generator},
            "scene": 0,
            "scenes": [{"nodes": []}],
            "nodes": [],
            "meshes": [],
            "materials": [],
            "accessors": [],
            "bufferViews": [],
            "buffers": [],
        }
        self._bin = bytearray()
        self._materials: dict[str, int] = {}
        self._extensions: set[str] = set()

    def material(self, mat: Material) -> int:
        if mat.name in self._materials:
            return self._materials[mat.name]
        entry: dict[str, Any] = {
            "name": mat.name,
            "pbrMetallicRoughness": {
                "baseColorFactor": list(mat.color),
                "metallicFactor": mat.metallic,
                "roughnessFactor": mat.roughness,
            },
        }
        if mat.color[3] < 1:
            entry["alphaMode"] = "BLEND"
        if mat.emissive is not None:
            entry["emissiveFactor"] = list(mat.emissive)
        if mat.clearcoat > 0:
            entry["extensions"] = {
                CLEARCOAT: {
                    "clearcoatFactor": mat.clearcoat,
                    "clearcoatRoughnessFactor": mat.clearcoat_roughness,
                }
            }
            self._extensions.add(CLEARCOAT)
        self._doc["materials"].append(entry)
        self._materials[mat.name] = len(self._doc["materials"]) - 1
        return self._materials[mat.name]

    def mesh(self, name: str, parts: list[tuple[Geometry, Material]]) -> int:
        primitives = []
        for geo, mat in parts:
            primitives.append(
                {
                    "attributes": {
                        "POSITION": self._vec3_accessor(geo.positions, with_bounds=True),
                        "NORMAL": self._vec3_accessor(geo.normals, with_bounds=False),
                    },
                    "indices": self._index_accessor(geo.indices, geo.vertex_count),
                    "material": self.material(mat),
                    "mode": 4,
                }
            )
        self._doc["meshes"].append({"name": name, "primitives": primitives})
        return len(self._doc["meshes"]) - 1

    def node(
        self,
        name: str,
        *,
        mesh: int | None = None,
        translation: Vec3 | None = None,
        rotation: tuple[float, float, float, float] | None = None,
        children: list[int] | None = None,
        root: bool = False,
    ) -> int:
        entry: dict[str, Any] = {"name": name}
        if mesh is not None:
            entry["mesh"] = mesh
        if translation is not None:
            entry["translation"] = list(translation)
        if rotation is not None:
            entry["rotation"] = list(rotation)  # unit quaternion x, y, z, w
        if children:
            entry["children"] = children
        self._doc["nodes"].append(entry)
        index = len(self._doc["nodes"]) - 1
        if root:
            self._doc["scenes"][0]["nodes"].append(index)
        return index

    def to_bytes(self) -> bytes:
        doc = dict(self._doc)
        doc["buffers"] = [{"byteLength": len(self._bin)}]
        if self._extensions:
            # Used, not required: a viewer without it still shows the base paint.
            doc["extensionsUsed"] = sorted(self._extensions)
        payload = json.dumps(doc, separators=(",", ":")).encode()
        payload += b" " * (-len(payload) % 4)
        binary = bytes(self._bin) + b"\x00" * (-len(self._bin) % 4)
        total = 12 + 8 + len(payload) + 8 + len(binary)
        return b"".join(
            [
                struct.pack("<4sII", b"glTF", 2, total),
                struct.pack("<II", len(payload), 0x4E4F534A),
                payload,
                struct.pack("<II", len(binary), 0x004E4942),
                binary,
            ]
        )

    def _view(self, data: bytes, target: int) -> int:
        self._bin += b"\x00" * (-len(self._bin) % 4)
        self._doc["bufferViews"].append(
            {"buffer": 0, "byteOffset": len(self._bin), "byteLength": len(data), "target": target}
        )
        self._bin += data
        return len(self._doc["bufferViews"]) - 1

    def _vec3_accessor(self, values: list[float], *, with_bounds: bool) -> int:
        data = array("f", values)
        accessor: dict[str, Any] = {
            "bufferView": self._view(data.tobytes(), 34962),
            "componentType": 5126,
            "count": len(values) // 3,
            "type": "VEC3",
        }
        if with_bounds:
            # Bounds of the float32 values actually stored, as the validator recomputes them.
            accessor["min"] = [min(data[k::3]) for k in range(3)]
            accessor["max"] = [max(data[k::3]) for k in range(3)]
        self._doc["accessors"].append(accessor)
        return len(self._doc["accessors"]) - 1

    def _index_accessor(self, indices: list[int], vertex_count: int) -> int:
        wide = vertex_count > 65535
        data = array("I" if wide else "H", indices)
        self._doc["accessors"].append(
            {
                "bufferView": self._view(data.tobytes(), 34963),
                "componentType": 5125 if wide else 5123,
                "count": len(indices),
                "type": "SCALAR",
            }
        )
        return len(self._doc["accessors"]) - 1
