"""iCalendar (RFC 5545) invitations for appointments, with their time zone.

One appointment is one VEVENT whose UID never changes; every change sent to the customer
carries a higher SEQUENCE, so calendar clients update or remove the event they already
have (METHOD:REQUEST for new and moved appointments, METHOD:CANCEL when cancelled).
"""

from __future__ import annotations

from datetime import date, datetime
from email.utils import parseaddr

from icalendar import Calendar, Event

from vitrina.scheduling.hours import zone
from vitrina.scheduling.models import Appointment, AppointmentStatus, AppointmentType

PRODID = "-//Vitrina//Scheduling//EN"


def build_ics(
    *,
    appointment: Appointment,
    appointment_type: AppointmentType,
    resource_names: list[str],
    organizer: str,
    brand_name: str,
    now: datetime,
) -> bytes:
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    tz = zone(appointment_type.timezone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")

    event = Event()
    event.add("uid", appointment.ics_uid)
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", appointment.start_at.astimezone(tz))
    event.add("dtend", appointment.end_at.astimezone(tz))
    event.add("summary", f"{appointment_type.name} — {brand_name}")
    with_whom = f"With: {', '.join(resource_names)}\n" if resource_names else ""
    event.add("description", f"{appointment_type.description}\n{with_whom}".strip())
    if appointment_type.location:
        event.add("location", appointment_type.location)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    _, organizer_address = parseaddr(organizer)
    event.add("organizer", f"mailto:{organizer_address}", parameters={"CN": brand_name})
    if appointment.customer_email:
        event.add(
            "attendee",
            f"mailto:{appointment.customer_email}",
            parameters={
                "CN": appointment.customer_name or appointment.customer_email,
                "ROLE": "REQ-PARTICIPANT",
                "PARTSTAT": "ACCEPTED",
                "RSVP": "FALSE",
            },
        )
    calendar.add_component(event)
    year = appointment.start_at.year
    calendar.add_missing_timezones(first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1))
    data: bytes = calendar.to_ical()
    return data
