"""Brands hold no one's personal data; their names are the brands' own."""

from __future__ import annotations

from vitrina.core import sealing

sealing.not_personal("brand", name="the brand's own name")
