"""Routing holds staff and queues, no customer's personal data.

Conversations waiting in queues are the conversations domain's (sealed there).
"""

from __future__ import annotations

from vitrina.core import sealing

sealing.not_personal("routing_advisor", display_name="an advisor's name (staff)")
sealing.not_personal("routing_queue", name="a queue of the brand")
