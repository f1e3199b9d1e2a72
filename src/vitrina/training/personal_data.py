"""Training holds staff data only, and no customer's.

The simulated customer is fiction written by the brand. A trainee's replies, scores and
the supervisors' comments are about members of staff at work: staff records of the brand
(docs/training.md, "Kept apart from real service"), not customer personal data to seal under a
customer's key, export or erase with a customer.
"""

from __future__ import annotations

from vitrina.core import sealing

sealing.not_personal(
    "training_event",
    line="a trainee's rehearsal reply or the scripted customer's line (staff data, fiction)",
    detail="how a rehearsal reply was read: intent, labels, branch (staff data)",
)
sealing.not_personal("training_comment", remark="a supervisor's remark on a rehearsal (staff)")
sealing.not_personal("training_scenario", source="a brand's scenario script (fiction)")
