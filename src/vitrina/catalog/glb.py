"""Validation of glTF 2.0 binary (.glb) files, with a precise reason for every refusal.

Checks the container (header, chunks), the JSON document and every reference in it:
buffers, buffer views, accessors (bounds and alignment), meshes (attributes, index
ranges), nodes (hierarchy without cycles), scenes, materials, textures and images.
Assets must be self-contained: external or data URIs are refused so a stored twin never
depends on another file.
"""

from __future__ import annotations

import json
import struct
from array import array
from dataclasses import dataclass
from typing import Any

_MAGIC = b"glTF"
_CHUNK_JSON = 0x4E4F534A
_CHUNK_BIN = 0x004E4942
_COMPONENT_SIZES = {5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4}
_TYPE_SIZES = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}
_INDEX_TYPES = {5121: "B", 5123: "H", 5125: "I"}
# Extensions the storefront viewer (three.js GLTFLoader) understands without extra decoders.
SUPPORTED_REQUIRED_EXTENSIONS = frozenset(
    {
        "KHR_materials_unlit",
        "KHR_materials_emissive_strength",
        "KHR_texture_transform",
        "KHR_mesh_quantization",
    }
)


class GlbError(ValueError):
    """The file is not a usable glTF 2.0 binary; `where` is a JSON path into the document."""

    def __init__(self, reason: str, where: str = "") -> None:
        super().__init__(f"{where}: {reason}" if where else reason)
        self.reason = reason
        self.where = where


@dataclass(frozen=True, slots=True)
class GlbSummary:
    byte_size: int
    nodes: tuple[str, ...]
    materials: tuple[str, ...]
    meshes: int
    triangles: int


def _int(doc: dict[str, Any], key: str, where: str, *, default: int | None = None) -> int:
    value = doc.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise GlbError(f"{key} must be an integer", where)
    return value


def _index(value: Any, items: list[Any], where: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < len(items):
        raise GlbError(f"refers to {what} {value!r}, but there are {len(items)}", where)
    return value


def _refs(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise GlbError("must be an array of indices", where)
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise GlbError("must be an object", where)
    return value


def _list(doc: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = doc.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise GlbError("must be an array of objects", key)
    return items


def _split_chunks(data: bytes) -> tuple[dict[str, Any], bytes | None]:
    if not data:
        raise GlbError("the file is empty")
    if data[:4] != _MAGIC[: len(data)] or len(data) < 4:
        raise GlbError("not a glTF binary: the file does not start with 'glTF'")
    if len(data) < 20:
        raise GlbError(f"file is {len(data)} bytes, too short for a GLB header and JSON chunk")
    _magic, version, length = struct.unpack_from("<4sII", data, 0)
    if version != 2:
        raise GlbError(f"GLB container version {version}; only glTF 2.0 is accepted")
    if length != len(data):
        raise GlbError(f"header declares {length} bytes but the file has {len(data)}")
    offset, chunks = 12, []
    while offset < length:
        if offset + 8 > length:
            raise GlbError(f"truncated chunk header at byte {offset}")
        chunk_len, chunk_type = struct.unpack_from("<II", data, offset)
        start, end = offset + 8, offset + 8 + chunk_len
        if end > length:
            raise GlbError(f"chunk at byte {offset} runs past the end of the file")
        if chunk_len % 4:
            raise GlbError(f"chunk at byte {offset} is not padded to 4 bytes")
        chunks.append((chunk_type, data[start:end]))
        offset = end
    if chunks[0][0] != _CHUNK_JSON:
        raise GlbError("the first chunk must be the JSON chunk")
    bins = [c for t, c in chunks[1:] if t == _CHUNK_BIN]
    if len(bins) > 1 or (bins and chunks[1][0] != _CHUNK_BIN):
        raise GlbError("a GLB holds at most one BIN chunk, right after the JSON chunk")
    try:
        doc = json.loads(chunks[0][1].decode("utf-8").rstrip(" \x00"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GlbError(f"JSON chunk is not valid UTF-8 JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise GlbError("JSON chunk must hold an object")
    return doc, bins[0] if bins else None


def _check_asset(doc: dict[str, Any]) -> None:
    asset = doc.get("asset")
    if not isinstance(asset, dict) or asset.get("version") != "2.0":
        raise GlbError('asset.version must be "2.0"', "asset")
    required = [str(e) for e in _refs(doc.get("extensionsRequired", []), "extensionsRequired")]
    unknown = sorted(set(required) - SUPPORTED_REQUIRED_EXTENSIONS)
    if unknown:
        raise GlbError(
            f"requires unsupported extensions: {', '.join(unknown)}", "extensionsRequired"
        )


def _check_buffers(doc: dict[str, Any], bin_chunk: bytes | None) -> list[bytes]:
    buffers = _list(doc, "buffers")
    blobs = []
    for i, buf in enumerate(buffers):
        where = f"buffers[{i}]"
        size = _int(buf, "byteLength", where)
        if size < 1:
            raise GlbError("byteLength must be at least 1", where)
        if "uri" in buf:
            raise GlbError("refers to an external or data URI; upload a self-contained .glb", where)
        if i != 0 or bin_chunk is None:
            raise GlbError(
                "has no uri, so it must be the first buffer and a BIN chunk must exist", where
            )
        if not size <= len(bin_chunk) < size + 4:
            raise GlbError(
                f"byteLength {size} does not match the BIN chunk ({len(bin_chunk)} bytes)", where
            )
        blobs.append(bin_chunk[:size])
    return blobs


def _check_buffer_views(doc: dict[str, Any], blobs: list[bytes]) -> list[dict[str, Any]]:
    views = _list(doc, "bufferViews")
    for i, view in enumerate(views):
        where = f"bufferViews[{i}]"
        buf = _index(view.get("buffer"), blobs, where, "buffer")
        offset = _int(view, "byteOffset", where, default=0)
        size = _int(view, "byteLength", where)
        if offset < 0 or size < 1 or offset + size > len(blobs[buf]):
            raise GlbError(
                f"bytes {offset}..{offset + size} fall outside buffer {buf} ({len(blobs[buf])} bytes)",
                where,
            )
        if "byteStride" in view:
            stride = _int(view, "byteStride", where)
            if not 4 <= stride <= 252 or stride % 4:
                raise GlbError("byteStride must be a multiple of 4 between 4 and 252", where)
    return views


def _element_size(component: int, kind: str) -> int:
    size = _COMPONENT_SIZES[component]
    # Matrix columns start on 4-byte boundaries (glTF 2.0, "Data Alignment").
    if kind == "MAT2" and size == 1:
        return 8
    if kind == "MAT3" and size in (1, 2):
        return 12 * size
    return size * _TYPE_SIZES[kind]


def _check_accessors(doc: dict[str, Any], views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    accessors = _list(doc, "accessors")
    for i, acc in enumerate(accessors):
        where = f"accessors[{i}]"
        component, kind = acc.get("componentType"), acc.get("type")
        if not isinstance(component, int) or component not in _COMPONENT_SIZES:
            raise GlbError(f"componentType {component!r} is not a glTF component type", where)
        if not isinstance(kind, str) or kind not in _TYPE_SIZES:
            raise GlbError(f"type {kind!r} is not a glTF accessor type", where)
        count = _int(acc, "count", where)
        if count < 1:
            raise GlbError("count must be at least 1", where)
        for bound in ("min", "max"):
            if bound in acc and (
                not isinstance(acc[bound], list) or len(acc[bound]) != _TYPE_SIZES[kind]
            ):
                raise GlbError(f"{bound} must list {_TYPE_SIZES[kind]} numbers", where)
        if "sparse" in acc:
            _check_sparse(_object(acc["sparse"], f"{where}.sparse"), count, views, where)
        if "bufferView" not in acc:
            continue
        view = views[_index(acc["bufferView"], views, where, "bufferView")]
        offset = _int(acc, "byteOffset", where, default=0)
        element = _element_size(component, kind)
        stride = view.get("byteStride", element)
        if stride < element:
            raise GlbError(f"byteStride {stride} is smaller than one element ({element})", where)
        comp_size = _COMPONENT_SIZES[component]
        if (offset + view.get("byteOffset", 0)) % comp_size:
            raise GlbError(f"data is not aligned to its {comp_size}-byte components", where)
        needed = offset + stride * (count - 1) + element
        if needed > view["byteLength"]:
            raise GlbError(
                f"{count} elements need {needed} bytes but bufferView {acc['bufferView']} has {view['byteLength']}",
                where,
            )
    return accessors


def _check_sparse(
    sparse: dict[str, Any], count: int, views: list[dict[str, Any]], where: str
) -> None:
    where = f"{where}.sparse"
    changed = _int(sparse, "count", where)
    if not 1 <= changed <= count:
        raise GlbError(f"count must be between 1 and the accessor's {count}", where)
    for key in ("indices", "values"):
        part = _object(sparse.get(key), f"{where}.{key}")
        _index(part.get("bufferView"), views, f"{where}.{key}", "bufferView")


def _accessor_bytes(acc: dict[str, Any], views: list[dict[str, Any]], blobs: list[bytes]) -> bytes:
    view = views[acc["bufferView"]]
    start = view.get("byteOffset", 0) + acc.get("byteOffset", 0)
    size = _COMPONENT_SIZES[acc["componentType"]] * acc["count"]
    blob: bytes = blobs[view["buffer"]]
    return blob[start : start + size]


def _check_meshes(
    doc: dict[str, Any],
    accessors: list[dict[str, Any]],
    views: list[dict[str, Any]],
    blobs: list[bytes],
) -> int:
    materials = _list(doc, "materials")
    triangles = 0
    for m, mesh in enumerate(_list(doc, "meshes")):
        prims = mesh.get("primitives")
        if not isinstance(prims, list) or not prims:
            raise GlbError("needs at least one primitive", f"meshes[{m}]")
        for p, raw_prim in enumerate(prims):
            where = f"meshes[{m}].primitives[{p}]"
            prim = _object(raw_prim, where)
            attributes = prim.get("attributes")
            if not isinstance(attributes, dict) or not attributes:
                raise GlbError("needs attributes", where)
            counts = set()
            for name, ref in attributes.items():
                acc = accessors[_index(ref, accessors, f"{where}.attributes.{name}", "accessor")]
                counts.add(acc["count"])
                if name == "POSITION" and (
                    acc["type"] != "VEC3" or "min" not in acc or "max" not in acc
                ):
                    raise GlbError("POSITION must be a VEC3 accessor with min and max", where)
            for t, target in enumerate(_refs(prim.get("targets", []), f"{where}.targets")):
                for name, ref in _object(target, f"{where}.targets[{t}]").items():
                    acc = accessors[
                        _index(ref, accessors, f"{where}.targets[{t}].{name}", "accessor")
                    ]
                    counts.add(acc["count"])
            if len(counts) > 1:
                raise GlbError("attributes have different vertex counts", where)
            if "POSITION" not in attributes:
                raise GlbError("has no POSITION attribute", where)
            vertices = counts.pop()
            mode = prim.get("mode", 4)
            if mode not in range(7):
                raise GlbError(f"mode {mode!r} is not a glTF primitive mode", where)
            if "material" in prim:
                _index(prim["material"], materials, where, "material")
            if "indices" in prim:
                acc = accessors[_index(prim["indices"], accessors, f"{where}.indices", "accessor")]
                code = _INDEX_TYPES.get(acc["componentType"])
                if code is None or acc["type"] != "SCALAR" or "bufferView" not in acc:
                    raise GlbError("indices must be unsigned SCALAR values in a bufferView", where)
                values = array(code, _accessor_bytes(acc, views, blobs))
                if values and max(values) >= vertices:
                    raise GlbError(f"an index points past the {vertices} vertices", where)
                drawn = acc["count"]
            else:
                drawn = vertices
            if mode == 4:
                triangles += drawn // 3
    return triangles


def _check_nodes(doc: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = _list(doc, "nodes")
    meshes = _list(doc, "meshes")
    parent: dict[int, int] = {}
    for n, node in enumerate(nodes):
        where = f"nodes[{n}]"
        if "mesh" in node:
            _index(node["mesh"], meshes, where, "mesh")
        if "camera" in node:
            _index(node["camera"], _list(doc, "cameras"), where, "camera")
        if "skin" in node:
            _index(node["skin"], _list(doc, "skins"), where, "skin")
        for key, size in (("translation", 3), ("rotation", 4), ("scale", 3), ("matrix", 16)):
            if key in node and (not isinstance(node[key], list) or len(node[key]) != size):
                raise GlbError(f"{key} must list {size} numbers", where)
        for child in _refs(node.get("children", []), f"{where}.children"):
            _index(child, nodes, f"{where}.children", "node")
            if child in parent or child == n:
                raise GlbError(f"node {child} has more than one parent", where)
            parent[child] = n
    for start in range(len(nodes)):
        seen, current = set(), start
        while current in parent:
            if current in seen:
                raise GlbError("the node hierarchy has a cycle", f"nodes[{start}]")
            seen.add(current)
            current = parent[current]
    for s, scene in enumerate(_list(doc, "scenes")):
        for root in _refs(scene.get("nodes", []), f"scenes[{s}].nodes"):
            _index(root, nodes, f"scenes[{s}].nodes", "node")
            if root in parent:
                raise GlbError(f"node {root} is a scene root and also a child", f"scenes[{s}]")
    if "scene" in doc:
        _index(doc["scene"], _list(doc, "scenes"), "scene", "scene")
    return nodes


def _check_materials_and_textures(doc: dict[str, Any], views: list[dict[str, Any]]) -> None:
    images, textures = _list(doc, "images"), _list(doc, "textures")
    samplers = _list(doc, "samplers")
    for i, image in enumerate(images):
        where = f"images[{i}]"
        if "uri" in image:
            raise GlbError(
                "refers to an external or data URI; embed images in the BIN chunk", where
            )
        _index(image.get("bufferView"), views, where, "bufferView")
        if image.get("mimeType") not in ("image/png", "image/jpeg"):
            raise GlbError("mimeType must be image/png or image/jpeg", where)
    for t, texture in enumerate(textures):
        if "source" in texture:
            _index(texture["source"], images, f"textures[{t}]", "image")
        if "sampler" in texture:
            _index(texture["sampler"], samplers, f"textures[{t}]", "sampler")
    for m, material in enumerate(_list(doc, "materials")):
        where = f"materials[{m}]"
        pbr = _object(material.get("pbrMetallicRoughness", {}), f"{where}.pbrMetallicRoughness")
        color = pbr.get("baseColorFactor")
        if color is not None and (
            not isinstance(color, list)
            or len(color) != 4
            or not all(isinstance(c, int | float) and 0 <= c <= 1 for c in color)
        ):
            raise GlbError("baseColorFactor must be 4 numbers between 0 and 1", where)
        for slot, info in [*pbr.items(), *material.items()]:
            if slot.endswith("Texture") and isinstance(info, dict):
                _index(info.get("index"), textures, f"{where}.{slot}", "texture")


def _check_animations_and_skins(
    doc: dict[str, Any], accessors: list[dict[str, Any]], nodes: list[dict[str, Any]]
) -> None:
    """Animations and skins read accessors and move nodes: every reference must resolve."""
    for a, animation in enumerate(_list(doc, "animations")):
        where = f"animations[{a}]"
        samplers = _refs(animation.get("samplers"), f"{where}.samplers")
        for i, raw in enumerate(samplers):
            sampler = _object(raw, f"{where}.samplers[{i}]")
            for key in ("input", "output"):
                _index(sampler.get(key), accessors, f"{where}.samplers[{i}].{key}", "accessor")
        for c, raw in enumerate(_refs(animation.get("channels"), f"{where}.channels")):
            channel = _object(raw, f"{where}.channels[{c}]")
            _index(channel.get("sampler"), samplers, f"{where}.channels[{c}]", "sampler")
            target = _object(channel.get("target"), f"{where}.channels[{c}].target")
            if "node" in target:
                _index(target["node"], nodes, f"{where}.channels[{c}].target", "node")
    for k, skin in enumerate(_list(doc, "skins")):
        where = f"skins[{k}]"
        if "inverseBindMatrices" in skin:
            _index(skin["inverseBindMatrices"], accessors, where, "accessor")
        joints = _refs(skin.get("joints"), f"{where}.joints")
        if not joints:
            raise GlbError("needs at least one joint", where)
        for joint in joints:
            _index(joint, nodes, f"{where}.joints", "node")


def inspect_glb(data: bytes) -> GlbSummary:
    """Validates `data` as a self-contained glTF 2.0 binary; raises GlbError otherwise."""
    doc, bin_chunk = _split_chunks(data)
    _check_asset(doc)
    blobs = _check_buffers(doc, bin_chunk)
    views = _check_buffer_views(doc, blobs)
    accessors = _check_accessors(doc, views)
    triangles = _check_meshes(doc, accessors, views, blobs)
    nodes = _check_nodes(doc)
    _check_animations_and_skins(doc, accessors, nodes)
    _check_materials_and_textures(doc, views)
    meshes = _list(doc, "meshes")
    if not meshes:
        raise GlbError("has no mesh: there is nothing to show", "meshes")
    names = tuple(str(n["name"]) for n in nodes if isinstance(n.get("name"), str))
    materials = tuple(
        str(m["name"]) for m in _list(doc, "materials") if isinstance(m.get("name"), str)
    )
    return GlbSummary(len(data), names, materials, len(meshes), triangles)
