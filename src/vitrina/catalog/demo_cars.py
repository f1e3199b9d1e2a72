"""The Aurora cars as digital twins: smooth lofted bodywork in clear-coated metallic
paint, a glass canopy with the interior visible through it, tyres and rims turned on
a lathe, light bars, and a simplified level (node "lod1") for distance.

Cars face +z, sit on y = 0 and measure in metres. Node and material names are the
contract with the configurator (see docs/catalog.md): options recolour "paint", "rim"
and "upholstery", swap "wheel_fl" for "wheel_fl_sport" (and the other three), show
"spoiler" or "tow_hitch"; explainers point at "charging_port" and "dashboard".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from vitrina.catalog.gltf_writer import Geometry, GlbWriter, Material, cylinder
from vitrina.catalog.shapes import lathe, loft, moved, rounded_box, superellipse

PAINT = Material(
    "paint",
    (0.93, 0.93, 0.91, 1.0),
    metallic=0.55,
    roughness=0.32,
    clearcoat=1.0,
    clearcoat_roughness=0.04,
)
GLASS = Material("glass", (0.015, 0.02, 0.026, 0.84), metallic=0.0, roughness=0.02)
TYRE = Material("tyre", (0.035, 0.035, 0.038, 1.0), roughness=0.85)
RIM = Material("rim", (0.78, 0.79, 0.81, 1.0), metallic=1.0, roughness=0.22)
UPHOLSTERY = Material("upholstery", (0.2, 0.2, 0.22, 1.0), roughness=0.75)
TRIM = Material("trim", (0.05, 0.05, 0.055, 1.0), metallic=0.2, roughness=0.45)
SCREEN = Material("screen", (0.02, 0.04, 0.08, 1.0), roughness=0.1, emissive=(0.1, 0.35, 0.7))
LIGHT = Material("light", (1.0, 1.0, 0.97, 1.0), emissive=(1.0, 1.0, 0.92))
TAIL_LIGHT = Material("tail_light", (0.6, 0.02, 0.02, 1.0), emissive=(0.9, 0.02, 0.02))
PORT = Material("port", (0.12, 0.12, 0.13, 1.0), metallic=0.4, roughness=0.35)
CHROME = Material("chrome", (0.95, 0.95, 0.95, 1.0), metallic=1.0, roughness=0.06)
BRAKE = Material("brake", (0.42, 0.42, 0.44, 1.0), metallic=1.0, roughness=0.4)
CALIPER = Material("caliper", (0.75, 0.08, 0.06, 1.0), roughness=0.35)

# The wheels on the -x side are the same meshes turned half a turn about y.
HALF_TURN_Y = (0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class CarShape:
    length: float
    width: float
    clearance: float
    belt: float
    """Height of the window line."""
    roof: float
    """Height of the roof."""
    wheelbase: float
    wheel_radius: float
    cabin: tuple[float, float]
    """Where the glass canopy starts and ends, as fractions of the length from the rear."""
    hood_drop: float
    generator: str


E1 = CarShape(4.3, 1.82, 0.16, 0.98, 1.56, 2.7, 0.34, (0.14, 0.72), 0.2, "Aurora E1 twin")
GT = CarShape(4.75, 1.92, 0.13, 0.88, 1.36, 2.9, 0.36, (0.17, 0.69), 0.24, "Aurora GT twin")


def _smooth(edge0: float, edge1: float, x: float) -> float:
    t = min(1.0, max(0.0, (x - edge0) / (edge1 - edge0)))
    return t * t * (3 - 2 * t)


class Body:
    """The body's profile as functions of u, the fraction of the length from the rear."""

    def __init__(self, shape: CarShape) -> None:
        self.s = shape
        self.axles = (-shape.wheelbase / 2, shape.wheelbase / 2)

    def z(self, u: float) -> float:
        return -self.s.length / 2 + u * self.s.length

    def half_width(self, u: float) -> float:
        ends = abs(2 * u - 1)
        rounding = math.sqrt(max(0.0, 1 - (max(0.0, ends - 0.72) / 0.28) ** 2))
        return self.s.width / 2 * (0.78 + 0.22 * rounding)

    def top(self, u: float) -> float:
        s = self.s
        y = s.belt - s.hood_drop * _smooth(0.66, 1.0, u) - 0.07 * _smooth(0.12, 0.0, u)
        nose = max(0.0, u - 0.94) / 0.06
        tail = max(0.0, 0.04 - u) / 0.04
        return (
            y
            - 0.16 * (1 - math.sqrt(max(0.0, 1 - nose**2)))
            - 0.1 * (1 - math.sqrt(max(0.0, 1 - tail**2)))
        )

    def bottom(self, u: float) -> float:
        s = self.s
        y = s.clearance + 0.14 * _smooth(0.9, 1.0, u) + 0.12 * _smooth(0.08, 0.0, u)
        z = self.z(u)
        arch = s.wheel_radius + 0.07
        for axle in self.axles:
            dz = z - axle
            if abs(dz) < arch:
                y = max(y, s.wheel_radius + math.sqrt(arch * arch - dz * dz) * 0.92)
        return y

    def ring(self, u: float, points: int) -> list[tuple[float, float, float]]:
        return superellipse(
            self.half_width(u),
            self.bottom(u),
            self.top(u),
            self.z(u),
            points=points,
            exponent=4.5,
            top_narrowing=0.1,
            bottom_narrowing=0.05,
        )

    def roof_height(self, u: float) -> float:
        """Height of the canopy above the window line (0 outside the cabin)."""
        a, b = self.s.cabin
        rise = _smooth(a, a + 0.16, u) * _smooth(b, b - 0.19, u)
        return (self.s.roof - self.s.belt) * max(rise, 0.0)

    def canopy_ring(
        self, u: float, points: int, *, grow: float = 0.0
    ) -> list[tuple[float, float, float]]:
        h = max(self.roof_height(u), 0.02)
        return superellipse(
            self.half_width(u) * 0.9 + grow,
            self.s.belt - h - grow,
            self.s.belt + h + grow,
            self.z(u),
            points=points,
            exponent=3.2,
            top_narrowing=0.28,
        )


def _stations(count: int, start: float = 0.0, end: float = 1.0) -> list[float]:
    return [start + (end - start) * i / (count - 1) for i in range(count)]


def _body(body: Body, stations: int, points: int) -> Geometry:
    return loft([body.ring(u, points) for u in _stations(stations)])


def _canopy(body: Body, stations: int, points: int) -> Geometry:
    a, b = body.s.cabin
    return loft([body.canopy_ring(u, points) for u in _stations(stations, a, b)])


def _roof(body: Body) -> Geometry:
    """The painted roof: a thin shell over the top of the canopy's middle (the glass shows
    in front, behind and along the sides)."""
    a, b = body.s.cabin
    rings = []
    for u in _stations(18, a + 0.17, b - 0.2):
        ring = body.canopy_ring(u, 32, grow=0.012)
        upper = ring[5:12]  # the top arc, about 55 to 125 degrees
        inner = [(x * 0.97, y - 0.025, z) for x, y, z in reversed(upper)]
        rings.append(upper + inner)
    return loft(rings)


def _tyre(radius: float, width: float, inner: float) -> Geometry:
    w = width / 2
    c = 0.05
    profile = [
        (inner, -w),
        (radius - c, -w),
        (radius - c * 0.3, -w + c * 0.3),
        (radius, -w + c),
        (radius, w - c),
        (radius - c * 0.3, w - c * 0.3),
        (radius - c, w),
        (inner, w),
    ]
    return lathe(profile, segments=40, closed=True)


def _spoke(length: float, inner: float, angle: float, face_x: float, thick: float) -> Geometry:
    """A spoke from radius `inner` outwards, turned to `angle` about the axle."""
    spoke = rounded_box((thick, length, thick * 1.4), (face_x, inner + length / 2, 0.0), exponent=4)
    return moved(spoke, rotate_x=angle)


def _aero_rim(rim_r: float, width: float) -> Geometry:
    w = width / 2
    dish = lathe(
        [
            (rim_r * 0.98, -w + 0.02),
            (rim_r, w - 0.03),
            (rim_r, w - 0.03),
            (rim_r * 0.94, w - 0.01),
            (rim_r * 0.6, w - 0.03),
            (rim_r * 0.3, w - 0.035),
            (rim_r * 0.3, w - 0.035),
            (0.0, w - 0.02),
        ],
        segments=40,
    )
    for k in range(5):  # raised blades across the aero disc
        dish.extend(_spoke(rim_r * 0.6, rim_r * 0.3, 2 * math.pi * k / 5, w - 0.03, 0.05))
    return dish


def _sport_rim(rim_r: float, width: float) -> Geometry:
    w = width / 2
    barrel = lathe(
        [
            (rim_r * 0.97, -w + 0.02),
            (rim_r, w - 0.04),
            (rim_r, w - 0.04),
            (rim_r * 0.9, w - 0.01),
        ],
        segments=40,
    )
    hub = lathe(
        [
            (rim_r * 0.2, w - 0.08),
            (rim_r * 0.2, w - 0.03),
            (rim_r * 0.2, w - 0.03),
            (0.0, w - 0.02),
        ],
        segments=20,
    )
    barrel.extend(hub)
    for k in range(10):  # five twin spokes
        angle = 2 * math.pi * (k // 2) / 5 + (0.12 if k % 2 else -0.12)
        barrel.extend(_spoke(rim_r * 0.72, rim_r * 0.18, angle, w - 0.05, 0.032))
    return barrel


def _wheel_meshes(w: GlbWriter, shape: CarShape) -> tuple[int, int]:
    r = shape.wheel_radius
    brake = cylinder(r * 0.55, 0.03, segments=28, center=(0.0, 0.0, 0.0))
    caliper = rounded_box((0.06, 0.16, 0.09), (0.03, r * 0.45, 0.0), exponent=4)
    standard = w.mesh(
        "wheel_standard",
        [(_tyre(r, 0.235, r * 0.7), TYRE), (_aero_rim(r * 0.7, 0.235), RIM), (brake, BRAKE)],
    )
    sport = w.mesh(
        "wheel_sport",
        [
            (_tyre(r * 1.03, 0.255, r * 0.8), TYRE),
            (_sport_rim(r * 0.8, 0.255), RIM),
            (brake, BRAKE),
            (caliper, CALIPER),
        ],
    )
    return standard, sport


def _seat(width: float) -> Geometry:
    seat = rounded_box((width, 0.14, 0.5), (0.0, 0.0, 0.0), exponent=5)
    back = moved(
        rounded_box((width, 0.62, 0.13), (0.0, 0.31, 0.0), exponent=5),
        rotate_x=-0.22,
        translate=(0.0, 0.05, -0.24),
    )
    head = rounded_box((width * 0.55, 0.18, 0.1), (0.0, 0.79, -0.42), exponent=5)
    return seat.extend(back).extend(head)


def _interior(w: GlbWriter, body: Body) -> list[int]:
    s = body.s
    floor_y = s.clearance + 0.32
    cab_a, cab_b = s.cabin
    front_seats_z = body.z(cab_a + (cab_b - cab_a) * 0.58)
    rear_z = body.z(cab_a + (cab_b - cab_a) * 0.22)
    seat_mesh = w.mesh("seat", [(_seat(0.52), UPHOLSTERY)])
    bench_mesh = w.mesh("seat_bench", [(_seat(1.3), UPHOLSTERY)])
    seats = [
        w.node("seat_driver", mesh=seat_mesh, translation=(0.4, floor_y, front_seats_z)),
        w.node("seat_passenger", mesh=seat_mesh, translation=(-0.4, floor_y, front_seats_z)),
        w.node("seat_rear", mesh=bench_mesh, translation=(0.0, floor_y, rear_z)),
    ]
    dash_z = body.z(cab_b) - 0.12
    dash = rounded_box((s.width * 0.86, 0.2, 0.42), (0.0, s.belt - 0.08, dash_z), exponent=5)
    screen = moved(
        rounded_box((0.5, 0.26, 0.025), (0.0, 0.0, 0.0)),
        rotate_x=-0.35,
        translate=(0.0, s.belt + 0.08, dash_z - 0.16),
    )
    wheel_ring = lathe(
        [(0.17, -0.018), (0.19, 0.0), (0.17, 0.018), (0.15, 0.0)], segments=28, closed=True
    )
    steering = moved(wheel_ring, rotate_z=math.pi / 2, translate=(0.0, 0.0, 0.0))
    steering = moved(steering, rotate_x=-1.1, translate=(0.4, s.belt - 0.02, dash_z - 0.3))
    return [
        w.node("seats", children=seats),
        w.node(
            "dashboard",
            mesh=w.mesh("dashboard", [(dash, TRIM), (screen, SCREEN), (steering, TRIM)]),
        ),
    ]


def _lod1(w: GlbWriter, body: Body) -> int:
    """The same car in a few hundred triangles, drawn beyond the tier's LOD distance."""
    s = body.s
    wheels = Geometry()
    rims = Geometry()
    for x in (s.width / 2 - 0.14, -s.width / 2 + 0.14):
        for z in body.axles:
            wheels.extend(
                cylinder(s.wheel_radius, 0.22, segments=14, center=(x, s.wheel_radius, z))
            )
            rims.extend(
                cylinder(s.wheel_radius * 0.68, 0.225, segments=14, center=(x, s.wheel_radius, z))
            )
    parts = [
        w.node(
            "lod1_body",
            mesh=w.mesh("lod1_body", [(_body(body, 18, 14), PAINT), (_canopy(body, 8, 12), GLASS)]),
        ),
        w.node("lod1_wheels", mesh=w.mesh("lod1_wheels", [(wheels, TYRE), (rims, RIM)])),
    ]
    return w.node("lod1", children=parts, root=True)


def car_glb(shape: CarShape) -> bytes:
    w = GlbWriter(shape.generator)
    body = Body(shape)
    half_l = shape.length / 2
    parts: list[int] = [
        w.node(
            "body",
            mesh=w.mesh("body", [(_body(body, 72, 40), PAINT), (_roof(body), PAINT)]),
        ),
        w.node("windows", mesh=w.mesh("windows", [(_canopy(body, 40, 32), GLASS)])),
    ]
    standard, sport = _wheel_meshes(w, shape)
    axle_y = shape.wheel_radius
    track = shape.width / 2 - 0.15
    for name, x, z in (
        ("fl", track, body.axles[1]),
        ("fr", -track, body.axles[1]),
        ("rl", track, body.axles[0]),
        ("rr", -track, body.axles[0]),
    ):
        turn = None if x > 0 else HALF_TURN_Y
        for suffix, mesh in (("", standard), ("_sport", sport)):
            parts.append(
                w.node(
                    f"wheel_{name}{suffix}", mesh=mesh, translation=(x, axle_y, z), rotation=turn
                )
            )
    parts += _interior(w, body)
    # charging flap on the left rear flank, just proud of the paint
    u_port = 0.16
    port_x = body.half_width(u_port) * 0.97
    port = rounded_box((0.05, 0.15, 0.2), (port_x, shape.belt - 0.13, body.z(u_port)), exponent=5)
    parts.append(w.node("charging_port", mesh=w.mesh("charging_port", [(port, PORT)])))
    u_front = 0.985
    bar_y = body.top(u_front) - 0.07
    front_bar = rounded_box(
        (body.half_width(u_front) * 1.7, 0.05, 0.1), (0, bar_y, body.z(u_front))
    )
    intake = rounded_box((shape.width * 0.55, 0.12, 0.1), (0, shape.clearance + 0.2, body.z(0.99)))
    parts.append(
        w.node("headlights", mesh=w.mesh("headlights", [(front_bar, LIGHT), (intake, TRIM)]))
    )
    u_rear = 0.012
    tail = rounded_box(
        (body.half_width(u_rear) * 1.8, 0.06, 0.08), (0, body.top(u_rear) - 0.08, body.z(u_rear))
    )
    parts.append(w.node("tail_lights", mesh=w.mesh("tail_lights", [(tail, TAIL_LIGHT)])))
    skirts = Geometry()
    for side in (1, -1):
        x = side * body.half_width(0.5) * 0.96
        length = shape.wheelbase - 2 * (shape.wheel_radius + 0.1)
        skirts.extend(rounded_box((0.06, 0.08, length), (x, shape.clearance + 0.05, 0.0)))
        mirror = rounded_box(
            (0.2, 0.1, 0.12),
            (side * (body.half_width(0.7) + 0.05), shape.belt + 0.08, body.z(shape.cabin[1]) - 0.1),
        )
        skirts.extend(mirror)
    parts.append(w.node("trim", mesh=w.mesh("trim", [(skirts, TRIM)])))
    spoiler_z = body.z(0.05)
    spoiler = rounded_box(
        (shape.width * 0.78, 0.035, 0.26), (0, body.top(0.05) + 0.14, spoiler_z), exponent=8
    )
    posts = rounded_box((0.05, 0.14, 0.08), (0.45, body.top(0.05) + 0.06, spoiler_z)).extend(
        rounded_box((0.05, 0.14, 0.08), (-0.45, body.top(0.05) + 0.06, spoiler_z))
    )
    parts.append(w.node("spoiler", mesh=w.mesh("spoiler", [(spoiler, PAINT), (posts, TRIM)])))
    hitch = cylinder(0.035, 0.3, segments=14, center=(0, shape.clearance + 0.12, -half_l - 0.05))
    hitch = moved(hitch, rotate_z=0.0)
    ball = lathe(
        [(0.0, -0.05), (0.035, -0.035), (0.05, 0.0), (0.035, 0.035), (0.0, 0.05)], segments=16
    )
    hitch.extend(moved(ball, translate=(0, shape.clearance + 0.2, -half_l - 0.2)))
    hitch.extend(
        moved(
            rounded_box((0.05, 0.16, 0.05), (0, 0, 0)),
            translate=(0, shape.clearance + 0.1, -half_l - 0.2),
        )
    )
    parts.append(w.node("tow_hitch", mesh=w.mesh("tow_hitch", [(hitch, CHROME)])))
    w.node("car", children=parts, root=True)
    _lod1(w, body)
    return w.to_bytes()
