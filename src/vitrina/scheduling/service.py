"""The scheduling domain's service API: what other domains (the virtual agent, the CRM,
the console) call, as `from vitrina.scheduling import service as scheduling`.

Every function takes the caller's `AsyncSession` and keyword-only arguments, flushes but
never commits, and raises `AppError` subclasses with a `SchedulingErrorCode`. `actor` is
the calling principal for brand isolation and ownership checks; `None` means the system
itself (the virtual agent acting for a customer, the worker, a seeder). `now` may be given
to evaluate rules at a chosen instant; it defaults to the current time.
"""

from __future__ import annotations

from vitrina.scheduling.access import check_brand, may_serve
from vitrina.scheduling.booking import (
    DEFAULT_HOLD_TTL,
    Customer,
    SlotTaken,
    book,
    hold,
    release_expired_holds,
)
from vitrina.scheduling.catalog import (
    create_resource,
    create_type,
    get_resource_or_raise,
    get_type,
    get_type_or_raise,
    list_resources,
    list_types,
    update_resource,
    update_type,
)
from vitrina.scheduling.changes import cancel, confirm, reschedule
from vitrina.scheduling.events import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentChanged,
    AppointmentRescheduled,
)
from vitrina.scheduling.models import Appointment, AppointmentStatus, AppointmentType, Resource
from vitrina.scheduling.search import SlotSearch, explain, explain_slot, find_slots
from vitrina.scheduling.views import (
    agenda,
    describe,
    effective_status,
    get_or_raise,
    invitation,
    list_for_customer,
)

__all__ = [
    "DEFAULT_HOLD_TTL",
    "Appointment",
    "AppointmentBooked",
    "AppointmentCancelled",
    "AppointmentChanged",
    "AppointmentRescheduled",
    "AppointmentStatus",
    "AppointmentType",
    "Customer",
    "Resource",
    "SlotSearch",
    "SlotTaken",
    "agenda",
    "book",
    "cancel",
    "check_brand",
    "confirm",
    "create_resource",
    "create_type",
    "describe",
    "effective_status",
    "explain",
    "explain_slot",
    "find_slots",
    "get_or_raise",
    "get_resource_or_raise",
    "get_type",
    "get_type_or_raise",
    "hold",
    "invitation",
    "list_for_customer",
    "list_resources",
    "list_types",
    "may_serve",
    "release_expired_holds",
    "reschedule",
    "update_resource",
    "update_type",
]
