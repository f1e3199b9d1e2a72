"""The Aurora Motors digital twins, built from primitives so nothing is downloaded.

Cars face +z, sit on y = 0 and measure in metres. Node and material names are the
contract with the configurator: options recolour materials ("paint", "rim",
"upholstery"), swap parts ("wheel_fl" -> "wheel_fl_sport") or show parts ("spoiler",
"tow_hitch"); explainers point at nodes ("charging_port", "dashboard").
"""

from __future__ import annotations

from dataclasses import dataclass

from vitrina.catalog.gltf_writer import GlbWriter, Material, box, cylinder, frustum

PAINT = Material("paint", (0.93, 0.93, 0.91, 1.0), metallic=0.6, roughness=0.3)
GLASS = Material("glass", (0.1, 0.14, 0.18, 0.55), metallic=0.1, roughness=0.05)
TYRE = Material("tyre", (0.05, 0.05, 0.05, 1.0), roughness=0.9)
RIM = Material("rim", (0.75, 0.76, 0.78, 1.0), metallic=0.9, roughness=0.25)
UPHOLSTERY = Material("upholstery", (0.2, 0.2, 0.22, 1.0), roughness=0.8)
TRIM = Material("trim", (0.08, 0.08, 0.09, 1.0), roughness=0.5)
SCREEN = Material("screen", (0.02, 0.05, 0.1, 1.0), roughness=0.2, emissive=(0.05, 0.3, 0.6))
LIGHT = Material("light", (1.0, 1.0, 0.95, 1.0), emissive=(1.0, 1.0, 0.9))
TAIL_LIGHT = Material("tail_light", (0.6, 0.02, 0.02, 1.0), emissive=(0.8, 0.0, 0.0))
PORT = Material("port", (0.15, 0.15, 0.15, 1.0), metallic=0.3, roughness=0.4)
CHROME = Material("chrome", (0.9, 0.9, 0.9, 1.0), metallic=1.0, roughness=0.1)


@dataclass(frozen=True)
class CarShape:
    length: float
    width: float
    body_height: float
    roof_height: float
    wheelbase: float
    wheel_radius: float
    generator: str


E1 = CarShape(4.3, 1.82, 0.62, 0.62, 2.7, 0.34, "Aurora E1 twin")
GT = CarShape(4.75, 1.92, 0.55, 0.5, 2.9, 0.36, "Aurora GT twin")


def _wheel_meshes(writer: GlbWriter, shape: CarShape) -> tuple[int, int]:
    r = shape.wheel_radius
    standard = writer.mesh(
        "wheel_standard",
        [(cylinder(r, 0.23), TYRE), (cylinder(r * 0.62, 0.245, segments=16), RIM)],
    )
    # A hub with four spokes: recognisably a "sport" wheel at showroom distance.
    spokes = cylinder(r * 0.2, 0.26, segments=12)
    spokes.extend(box((0.04, r * 1.5, 0.06)))
    spokes.extend(box((0.04, 0.06, r * 1.5)))
    sport = writer.mesh(
        "wheel_sport",
        [
            (cylinder(r * 1.04, 0.25), TYRE),
            (cylinder(r * 0.78, 0.255, segments=24), RIM),
            (spokes, CHROME),
        ],
    )
    return standard, sport


def car_glb(shape: CarShape) -> bytes:
    w = GlbWriter(shape.generator)
    half_l, half_w = shape.length / 2, shape.width / 2
    floor = shape.wheel_radius * 0.55
    body_top = floor + shape.body_height
    body = frustum(
        (shape.width, shape.length),
        (shape.width * 0.96, shape.length * 0.96),
        y0=floor,
        y1=body_top,
    )
    # The glasshouse: a sloped windscreen, a shorter roof line, a sloped rear window.
    cabin_len = shape.length * 0.52
    cabin_top = body_top + shape.roof_height * 0.85
    roof_len = cabin_len * 0.55
    glass = frustum(
        (shape.width * 0.9, cabin_len),
        (shape.width * 0.78, roof_len),
        y0=body_top,
        y1=cabin_top,
        z_bottom=-0.1,
        z_top=-0.25,
    )
    roof = frustum(
        (shape.width * 0.79, roof_len * 1.02),
        (shape.width * 0.76, roof_len * 0.96),
        y0=cabin_top,
        y1=cabin_top + 0.05,
        z_bottom=-0.25,
        z_top=-0.25,
    )
    parts: list[int] = [
        w.node("body", mesh=w.mesh("body", [(body, PAINT), (roof, PAINT)])),
        w.node("windows", mesh=w.mesh("windows", [(glass, GLASS)])),
    ]
    standard, sport = _wheel_meshes(w, shape)
    axle_y = shape.wheel_radius
    for name, x, z in (
        ("fl", half_w - 0.12, shape.wheelbase / 2),
        ("fr", -half_w + 0.12, shape.wheelbase / 2),
        ("rl", half_w - 0.12, -shape.wheelbase / 2),
        ("rr", -half_w + 0.12, -shape.wheelbase / 2),
    ):
        parts.append(w.node(f"wheel_{name}", mesh=standard, translation=(x, axle_y, z)))
        parts.append(w.node(f"wheel_{name}_sport", mesh=sport, translation=(x, axle_y, z)))
    seat = box((0.5, 0.12, 0.5), (0, 0, 0)).extend(box((0.5, 0.5, 0.1), (0, 0.25, -0.25)))
    seat_nodes = [
        w.node(
            f"seat_{pos}",
            mesh=w.mesh(f"seat_{pos}", [(seat, UPHOLSTERY)]),
            translation=(x, body_top - 0.05, z),
        )
        for pos, x, z in (("driver", 0.42, 0.1), ("passenger", -0.42, 0.1), ("rear", 0.0, -0.6))
    ]
    parts.append(w.node("seats", children=seat_nodes))
    dash = box((shape.width * 0.8, 0.16, 0.3), (0, body_top + 0.04, 0.7))
    screen = box((0.45, 0.2, 0.02), (0, body_top + 0.2, 0.6))
    parts.append(w.node("dashboard", mesh=w.mesh("dashboard", [(dash, TRIM), (screen, SCREEN)])))
    port = box((0.02, 0.14, 0.2), (half_w + 0.01, body_top - 0.12, -half_l + 0.55))
    parts.append(w.node("charging_port", mesh=w.mesh("charging_port", [(port, PORT)])))
    lights = box((0.4, 0.08, 0.04), (half_w - 0.35, body_top - 0.12, half_l)).extend(
        box((0.4, 0.08, 0.04), (-half_w + 0.35, body_top - 0.12, half_l))
    )
    tail = box((shape.width * 0.9, 0.06, 0.04), (0, body_top - 0.1, -half_l))
    parts.append(w.node("headlights", mesh=w.mesh("headlights", [(lights, LIGHT)])))
    parts.append(w.node("tail_lights", mesh=w.mesh("tail_lights", [(tail, TAIL_LIGHT)])))
    spoiler = box((shape.width * 0.8, 0.04, 0.3), (0, body_top + 0.18, -half_l + 0.2))
    spoiler_posts = box((0.05, 0.16, 0.06), (0.5, body_top + 0.08, -half_l + 0.2)).extend(
        box((0.05, 0.16, 0.06), (-0.5, body_top + 0.08, -half_l + 0.2))
    )
    parts.append(
        w.node("spoiler", mesh=w.mesh("spoiler", [(spoiler, PAINT), (spoiler_posts, TRIM)]))
    )
    hitch = cylinder(0.04, 0.3, segments=12, center=(0, floor + 0.05, -half_l - 0.1))
    parts.append(w.node("tow_hitch", mesh=w.mesh("tow_hitch", [(hitch, CHROME)])))
    w.node("car", children=parts, root=True)
    return w.to_bytes()


HOUSING = Material("housing", (0.95, 0.95, 0.95, 1.0), roughness=0.4)
PANEL = Material("panel", (0.1, 0.1, 0.12, 1.0), roughness=0.3)
STATUS = Material("status_light", (0.1, 0.8, 0.3, 1.0), emissive=(0.1, 0.9, 0.3))
CABLE = Material("cable", (0.05, 0.05, 0.05, 1.0), roughness=0.7)
METAL = Material("metal", (0.6, 0.6, 0.62, 1.0), metallic=0.8, roughness=0.35)


def wallbox_glb() -> bytes:
    w = GlbWriter("Aurora Wallbox twin")
    nodes = [
        w.node("mount", mesh=w.mesh("mount", [(box((0.34, 0.5, 0.02), (0, 1.3, 0.01)), METAL)])),
        w.node(
            "housing", mesh=w.mesh("housing", [(box((0.3, 0.42, 0.12), (0, 1.3, 0.08)), HOUSING)])
        ),
        w.node(
            "display", mesh=w.mesh("display", [(box((0.16, 0.08, 0.01), (0, 1.4, 0.145)), SCREEN)])
        ),
        w.node(
            "status_light",
            mesh=w.mesh("status_light", [(box((0.18, 0.015, 0.01), (0, 1.33, 0.145)), STATUS)]),
        ),
        w.node(
            "connector",
            mesh=w.mesh("connector", [(box((0.07, 0.16, 0.07), (0.1, 1.16, 0.16)), PANEL)]),
        ),
        w.node("cable", mesh=w.mesh("cable", [(box((0.03, 0.9, 0.03), (0.1, 0.65, 0.16)), CABLE)])),
        w.node(
            "cable_long",
            mesh=w.mesh(
                "cable_long",
                [
                    (
                        box((0.03, 1.0, 0.03), (0.1, 0.6, 0.16)).extend(
                            box((0.6, 0.03, 0.03), (0.4, 0.1, 0.16))
                        ),
                        CABLE,
                    )
                ],
            ),
        ),
    ]
    w.node("wallbox", children=nodes, root=True)
    return w.to_bytes()


SIGN_PANEL = Material("sign_panel", (0.04, 0.42, 1.0, 1.0), roughness=0.5)
SIGN_FRAME = Material("sign_frame", (0.15, 0.15, 0.17, 1.0), metallic=0.7, roughness=0.3)
LOGO = Material("logo", (1.0, 0.69, 0.0, 1.0), emissive=(1.0, 0.6, 0.0))


def sign_glb() -> bytes:
    w = GlbWriter("Aurora showroom sign")
    nodes = [
        w.node("post", mesh=w.mesh("post", [(box((0.12, 2.2, 0.12), (0, 1.1, 0)), SIGN_FRAME)])),
        w.node(
            "panel",
            mesh=w.mesh(
                "panel",
                [
                    (box((1.6, 0.8, 0.08), (0, 2.5, 0)), SIGN_PANEL),
                    (box((1.7, 0.9, 0.06), (0, 2.5, -0.02)), SIGN_FRAME),
                ],
            ),
        ),
        w.node(
            "logo",
            mesh=w.mesh("logo", [(cylinder(0.25, 0.02, segments=32, center=(0, 2.5, 0.05)), LOGO)]),
        ),
    ]
    w.node("sign", children=nodes, root=True)
    return w.to_bytes()
