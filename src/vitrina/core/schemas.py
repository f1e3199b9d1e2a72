"""The base of every request body model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RequestModel(BaseModel):
    """Unknown fields are refused, and numbers must be finite.

    Python's JSON parser accepts `NaN` and `Infinity`; stored, they would break every
    reader (PostgreSQL's JSON refuses them, browsers cannot place a stand at NaN).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
