"""The ledger: a tamper-evident, signed, append-only log per brand that anyone can verify
offline (docs/ledger.md)."""
