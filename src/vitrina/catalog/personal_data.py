"""The catalogue holds no one's personal data: products are the brand's own."""

from __future__ import annotations

from vitrina.core import sealing

sealing.not_personal(
    "catalog_product", name="a product of the brand", description="a product of the brand"
)
