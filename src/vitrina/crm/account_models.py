"""Account data a brand holds for a customer (the demo brand's financing and vehicles)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vitrina.core.db import Base, IdMixin


class FinancingContract(IdMixin, Base):
    __tablename__ = "crm_financing_contract"
    __table_args__ = (Index("ix_crm_financing_contract_profile_id", "profile_id"),)

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    profile_id: Mapped[str] = mapped_column(ForeignKey("crm_profile.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(Text)
    product: Mapped[str] = mapped_column(String(120))
    currency: Mapped[str] = mapped_column(String(3))
    # Amounts in minor units (cents) so that sums are exact.
    balance_minor: Mapped[int] = mapped_column(Integer)
    monthly_payment_minor: Mapped[int] = mapped_column(Integer)
    next_payment_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))


class OwnedVehicle(IdMixin, Base):
    __tablename__ = "crm_vehicle"
    __table_args__ = (Index("ix_crm_vehicle_profile_id", "profile_id"),)

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    profile_id: Mapped[str] = mapped_column(ForeignKey("crm_profile.id", ondelete="CASCADE"))
    vin: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(String(120))
    year: Mapped[int] = mapped_column(Integer)
    registration: Mapped[str] = mapped_column(Text, default="")
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))


class ServiceRecord(IdMixin, Base):
    __tablename__ = "crm_service_record"
    __table_args__ = (Index("ix_crm_service_record_vehicle_id", "vehicle_id"),)

    vehicle_id: Mapped[str] = mapped_column(ForeignKey("crm_vehicle.id", ondelete="CASCADE"))
    performed_on: Mapped[date] = mapped_column(Date)
    mileage_km: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))


class AccountAccess(IdMixin, Base):
    """Every read of account data: who, as what, why."""

    __tablename__ = "crm_account_access"
    __table_args__ = (Index("ix_crm_account_access_profile_id", "profile_id", "at"),)

    brand_id: Mapped[str] = mapped_column(ForeignKey("brand.id", ondelete="CASCADE"))
    profile_id: Mapped[str] = mapped_column(ForeignKey("crm_profile.id", ondelete="CASCADE"))
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(36))
    actor_name: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]
    # Whose data key seals the personal columns (see core.sealing), set on first write.
    sealed_for: Mapped[str | None] = mapped_column(String(64))
