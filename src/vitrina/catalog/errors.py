from __future__ import annotations

from enum import StrEnum


class CatalogErrorCode(StrEnum):
    PRODUCT_NOT_FOUND = "product_not_found"
    CONFIGURATION_NOT_FOUND = "configuration_not_found"
    ASSET_NOT_FOUND = "asset_not_found"
    INVALID_ASSET = "invalid_asset"
    ASSET_TOO_LARGE = "asset_too_large"
    INVALID_PRICE = "invalid_price"
    INVALID_CONFIGURATOR = "invalid_configurator"
    UNKNOWN_OPTION = "unknown_option"
    UNKNOWN_PART = "unknown_part"
    CONFIGURATION_INVALID = "configuration_invalid"
    IMPORT_INVALID = "import_invalid"
    BRAND_FORBIDDEN = "brand_forbidden"
