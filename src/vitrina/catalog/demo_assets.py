"""The Aurora Motors digital twins, built in code so nothing is downloaded: the cars
(demo_cars.py), the home charger and the showroom sign.

Node and material names are the contract with the configurator: options recolour
materials, swap parts or show parts; explainers point at nodes.
"""

from __future__ import annotations

from vitrina.catalog.demo_cars import E1, GT, CarShape, car_glb
from vitrina.catalog.gltf_writer import GlbWriter, Material, box, cylinder

__all__ = ["E1", "GT", "CarShape", "car_glb", "sign_glb", "wallbox_glb"]

SCREEN = Material("screen", (0.02, 0.05, 0.1, 1.0), roughness=0.2, emissive=(0.05, 0.3, 0.6))

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
