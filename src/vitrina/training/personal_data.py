"""Training holds staff data only, and no customer's.

The simulated customer is fiction written by the brand. A trainee's replies, scores and
the supervisors' comments are about members of staff at work: the personal data of that
member of staff, kept with the brand, not customer personal data to seal under a
customer's key, export or erase with a customer. Nothing here registers with the privacy
registry (customers and guests only); the member of staff's own export and erasure are
`service.trainee_records` and `service.erase_trainee`, behind
`GET`/`DELETE /api/training/brands/{slug}/staff/{user_id}/records` (docs/training.md,
"Staff records").
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
