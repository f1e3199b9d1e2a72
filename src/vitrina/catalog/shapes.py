"""Smooth surfaces for the demo twins: lofts through cross-sections and lathes.

A loft joins rings of points (cross-sections of a car body, say) into one smooth
surface with averaged normals; a lathe turns a profile about the x axis (tyres, rims,
steering wheels). Both return `gltf_writer.Geometry` with unit normals and triangles
wound counter-clockwise seen from outside, as glTF expects.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from vitrina.catalog.gltf_writer import Geometry, Vec3

Ring = Sequence[Vec3]


def _sub(a: Vec3, b: Vec3) -> Vec3:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def _cross(a: Vec3, b: Vec3) -> Vec3:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _dot(a: Vec3, b: Vec3) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _unit(v: Vec3, fallback: Vec3 = (0.0, 1.0, 0.0)) -> Vec3:
    length = math.sqrt(_dot(v, v))
    if length < 1e-12:
        return fallback
    return (v[0] / length, v[1] / length, v[2] / length)


def _centre(points: Sequence[Vec3]) -> Vec3:
    n = len(points)
    return (
        sum(p[0] for p in points) / n,
        sum(p[1] for p in points) / n,
        sum(p[2] for p in points) / n,
    )


def loft(rings: Sequence[Ring], *, cap_start: bool = True, cap_end: bool = True) -> Geometry:
    """A closed-ring loft: every ring has the same number of points; the surface faces
    away from each ring's centre, and the open ends are closed by flat caps."""
    count = len(rings[0])
    stations = len(rings)
    positions: list[Vec3] = [p for ring in rings for p in ring]
    centres = [_centre(ring) for ring in rings]
    triangles: list[tuple[int, int, int]] = []
    for j in range(stations - 1):
        for i in range(count):
            a = j * count + i
            b = j * count + (i + 1) % count
            c = (j + 1) * count + (i + 1) % count
            d = (j + 1) * count + i
            for tri in ((a, b, c), (a, c, d)):
                triangles.append(_outward(tri, positions, centres[j]))
    normals = _smooth_normals(positions, triangles)
    geo = Geometry()
    for p, n in zip(positions, normals, strict=True):
        geo.positions += list(p)
        geo.normals += list(n)
    for tri in triangles:
        if _area2(tri, positions) > 1e-14:  # no degenerate triangles where a ring pinches
            geo.indices += list(tri)
    ends = []
    if cap_start:
        ends.append((rings[0], _unit(_sub(centres[0], centres[1]))))
    if cap_end:
        ends.append((rings[-1], _unit(_sub(centres[-1], centres[-2]))))
    for ring, normal in ends:
        geo.extend(_cap(ring, normal))
    return geo


def _area2(tri: tuple[int, int, int], positions: Sequence[Vec3]) -> float:
    a, b, c = (positions[k] for k in tri)
    n = _cross(_sub(b, a), _sub(c, a))
    return _dot(n, n)


def _outward(
    tri: tuple[int, int, int], positions: Sequence[Vec3], centre: Vec3
) -> tuple[int, int, int]:
    a, b, c = (positions[k] for k in tri)
    n = _cross(_sub(b, a), _sub(c, a))
    middle = _centre((a, b, c))
    if _dot(n, _sub(middle, centre)) < 0:
        return (tri[0], tri[2], tri[1])
    return tri


def _smooth_normals(
    positions: Sequence[Vec3], triangles: Sequence[tuple[int, int, int]]
) -> list[Vec3]:
    acc = [[0.0, 0.0, 0.0] for _ in positions]
    for tri in triangles:
        a, b, c = (positions[k] for k in tri)
        n = _cross(_sub(b, a), _sub(c, a))  # area-weighted
        for k in tri:
            acc[k][0] += n[0]
            acc[k][1] += n[1]
            acc[k][2] += n[2]
    return [_unit((v[0], v[1], v[2])) for v in acc]


def _cap(ring: Ring, normal: Vec3) -> Geometry:
    geo = Geometry()
    centre = _centre(ring)
    geo.positions += list(centre)
    geo.normals += list(normal)
    for p in ring:
        geo.positions += list(p)
        geo.normals += list(normal)
    n = len(ring)
    for i in range(n):
        tri = (0, 1 + i, 1 + (i + 1) % n)
        a, b, c = centre, ring[i], ring[(i + 1) % n]
        face = _cross(_sub(b, a), _sub(c, a))
        if _dot(face, face) < 1e-14:
            continue
        if _dot(face, normal) < 0:
            tri = (tri[0], tri[2], tri[1])
        geo.indices += list(tri)
    return geo


def lathe(
    profile: Sequence[tuple[float, float]],
    *,
    segments: int = 32,
    center: Vec3 = (0.0, 0.0, 0.0),
    closed: bool = False,
) -> Geometry:
    """Turns a profile of (radius, x) points about the x axis through `center`. Trace the
    outside of the solid with x increasing on outer surfaces (their normals point away
    from the axis); a face traced with the radius increasing faces -x. Repeat a point for
    a sharp crease. `closed` joins the last point back to the first (a tyre's section)."""
    cx, cy, cz = center
    pts = list(profile)
    n_pts = len(pts)
    normals2d: list[tuple[float, float]] = []
    for k in range(n_pts):
        # a repeated point takes the tangent of its own side: a crease
        prev = pts[k - 1] if (k > 0 or closed) else pts[k]
        nxt = pts[(k + 1) % n_pts] if (k < n_pts - 1 or closed) else pts[k]
        dx = nxt[1] - prev[1]
        dr = nxt[0] - prev[0]
        length = math.hypot(dx, dr) or 1.0
        normals2d.append((dx / length, -dr / length))  # (n_r, n_x)
    geo = Geometry()
    for k, (r, x) in enumerate(pts):
        n_r, n_x = normals2d[k]
        for s in range(segments):
            a = 2 * math.pi * s / segments
            ca, sa = math.cos(a), math.sin(a)
            geo.positions += [cx + x, cy + r * ca, cz + r * sa]
            nv = _unit((n_x, n_r * ca, n_r * sa), (1.0 if n_x >= 0 else -1.0, 0.0, 0.0))
            geo.normals += list(nv)
    rows = n_pts if closed else n_pts - 1
    positions = [
        (geo.positions[3 * i], geo.positions[3 * i + 1], geo.positions[3 * i + 2])
        for i in range(geo.vertex_count)
    ]
    for k in range(rows):
        k2 = (k + 1) % n_pts
        for s in range(segments):
            s2 = (s + 1) % segments
            a, b, c, d = k * segments + s, k * segments + s2, k2 * segments + s2, k2 * segments + s
            for tri in ((a, b, c), (a, c, d)):
                if _area2(tri, positions) < 1e-14:
                    continue
                p0, p1, p2 = (positions[i] for i in tri)
                face = _cross(_sub(p1, p0), _sub(p2, p0))
                want = tuple(geo.normals[3 * tri[0] + m] for m in range(3))
                if _dot(face, (want[0], want[1], want[2])) < 0:
                    tri = (tri[0], tri[2], tri[1])
                geo.indices += list(tri)
    return geo


def superellipse(
    half_width: float,
    bottom: float,
    top: float,
    z: float,
    *,
    points: int = 32,
    exponent: float = 4.0,
    top_narrowing: float = 0.0,
    bottom_narrowing: float = 0.0,
) -> list[Vec3]:
    """A rounded-rectangle cross-section in the x/y plane at `z`, from `bottom` to `top`.
    `top_narrowing` pulls the upper sides in (a car's tumblehome)."""
    yc = (bottom + top) / 2
    h = (top - bottom) / 2
    ring: list[Vec3] = []
    for i in range(points):
        t = 2 * math.pi * i / points
        c, s = math.cos(t), math.sin(t)
        x = math.copysign(abs(c) ** (2 / exponent), c) * half_width
        y = math.copysign(abs(s) ** (2 / exponent), s)
        narrowing = top_narrowing if y > 0 else bottom_narrowing
        x *= 1 - narrowing * abs(y)
        ring.append((x, yc + h * y, z))
    return ring


def moved(
    geo: Geometry,
    *,
    rotate_x: float = 0.0,
    rotate_z: float = 0.0,
    translate: Vec3 = (0.0, 0.0, 0.0),
) -> Geometry:
    """A copy of `geo` turned about x, then about z (radians), then translated."""
    cx, sx = math.cos(rotate_x), math.sin(rotate_x)
    cz, sz = math.cos(rotate_z), math.sin(rotate_z)

    def turn(x: float, y: float, z: float) -> Vec3:
        y, z = y * cx - z * sx, y * sx + z * cx
        x, y = x * cz - y * sz, x * sz + y * cz
        return (x, y, z)

    out = Geometry(indices=list(geo.indices))
    tx, ty, tz = translate
    for k in range(0, len(geo.positions), 3):
        x, y, z = turn(*geo.positions[k : k + 3])
        out.positions += [x + tx, y + ty, z + tz]
        out.normals += list(turn(*geo.normals[k : k + 3]))
    return out


def rounded_box(size: Vec3, center: Vec3 = (0.0, 0.0, 0.0), *, exponent: float = 6.0) -> Geometry:
    """A box with rounded edges along z (seats, dashboards, light bars)."""
    sx, sy, sz = size
    x, y, z = center
    rings = [
        [
            (px + x, py, pz)
            for px, py, pz in superellipse(
                sx / 2, y - sy / 2, y + sy / 2, zz, points=20, exponent=exponent
            )
        ]
        for zz in (z - sz / 2, z + sz / 2)
    ]
    return loft(rings)
