"""Routing: advisor presence and capacity, queues, offers, accept, transfer, SLA.

The domain's functions for its routes, jobs and other domains, one module per use case:
`presence` (advisors' status, capacity and consoles), `matching` (the routing decision
and offers), `handover` (accept and transfer) and `queues` (queues, places and wait
estimates, SLA escalation). Import this module: `from vitrina.routing import service`.
"""

from __future__ import annotations

from vitrina.routing.handover import accept, transfer
from vitrina.routing.matching import Need, choose, eligible, offer_waiting, route, route_many
from vitrina.routing.presence import (
    advisor_freed,
    connected,
    disconnected,
    get_advisor,
    list_advisors,
    lock_advisor,
    release_if_gone,
    set_presence,
)
from vitrina.routing.queues import (
    DEFAULT_SLA_S,
    create_queue,
    escalate_overdue,
    list_queues,
    queue_place,
    queue_places,
)

__all__ = [
    "DEFAULT_SLA_S",
    "Need",
    "accept",
    "advisor_freed",
    "choose",
    "connected",
    "create_queue",
    "disconnected",
    "eligible",
    "escalate_overdue",
    "get_advisor",
    "list_advisors",
    "list_queues",
    "lock_advisor",
    "offer_waiting",
    "queue_place",
    "queue_places",
    "release_if_gone",
    "route",
    "route_many",
    "set_presence",
    "transfer",
]
