from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from vitrina.core.security import Scope
from vitrina.identity.schemas import StrictModel

BrandSlug = Field(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")


class SiweNonceRequest(StrictModel):
    brand: str = BrandSlug


class SiweNonceRead(BaseModel):
    nonce: str
    domain: str = Field(description="The domain the message must name (host[:port]).")
    uri: str
    chain_ids: list[int]
    statement: str
    expires_at: datetime


class SiweVerifyRequest(StrictModel):
    message: str = Field(min_length=1, max_length=4096)
    signature: str = Field(min_length=1, max_length=200)
    link: bool = Field(
        default=False,
        description="Add this wallet to the customer the session is already verified as.",
    )


class EmailCodeRequest(StrictModel):
    brand: str = BrandSlug
    email: str = Field(min_length=3, max_length=254)


class EmailCodeSent(BaseModel):
    challenge_id: str
    expires_at: datetime


class EmailCodeVerify(StrictModel):
    challenge_id: str = Field(max_length=36)
    code: str = Field(pattern=r"^\d{6}$")
    link: bool = False


class DidChallengeRequest(StrictModel):
    brand: str = BrandSlug
    did: str = Field(min_length=9, max_length=128)


class DidChallengeRead(BaseModel):
    challenge: str = Field(description="Sign these exact UTF-8 bytes with the DID's key.")
    expires_at: datetime


class DidVerifyRequest(StrictModel):
    challenge: str = Field(max_length=1024)
    signature: str = Field(max_length=200, description="Ed25519 signature, base64url or hex.")
    link: bool = False


class VerificationRead(BaseModel):
    verified: bool
    customer_id: str | None = None
    display_name: str | None = None
    method: str | None = None
    level: int | None = None
    identifier: str | None = None
    verified_at: datetime | None = None
    expires_at: datetime | None = None
    created: bool = False


class ApiTokenCreate(StrictModel):
    name: str = Field(min_length=1, max_length=120)
    scopes: list[Scope] = Field(min_length=1)
    brand_slugs: list[str] = Field(min_length=1, max_length=100)
    ttl_days: int | None = Field(default=None, ge=1, le=3650)


class ApiTokenRead(BaseModel):
    model_config = {"from_attributes": True}
    id: str
    name: str
    prefix: str
    scopes: list[str]
    brand_slugs: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(ApiTokenRead):
    token: str = Field(description="Shown once; store it now. Send as 'Bearer <token>'.")
