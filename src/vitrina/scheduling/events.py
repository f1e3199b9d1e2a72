"""Events other domains may subscribe to (CRM timeline, conversations, insights)."""

from __future__ import annotations

from datetime import datetime

from vitrina.core.events import DomainEvent


class AppointmentChanged(DomainEvent):
    type = "scheduling.appointment_changed"
    appointment_id: str
    brand_slug: str
    customer_ref: str
    type_slug: str
    start: datetime
    end: datetime
    status: str
    # Set when the customer is known to the CRM, whose timeline then records the event.
    customer_id: str | None = None
    summary: str = ""
    channel: str = "scheduling"
    # The catalog product the appointment is about (a test drive's car), or "".
    product: str = ""


class AppointmentBooked(AppointmentChanged):
    type = "scheduling.appointment_booked"


class AppointmentRescheduled(AppointmentChanged):
    type = "scheduling.appointment_rescheduled"
    previous_start: datetime


class AppointmentCancelled(AppointmentChanged):
    type = "scheduling.appointment_cancelled"
    reason: str = ""
