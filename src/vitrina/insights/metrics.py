"""Prometheus counters of signal ingestion, exposed on /metrics."""

from __future__ import annotations

from prometheus_client import Counter

SIGNALS_ACCEPTED = Counter(
    "vitrina_signals_accepted_total", "Interaction signals accepted at ingestion.", ["type"]
)
SIGNALS_REJECTED = Counter(
    "vitrina_signals_rejected_total",
    "Interaction signals refused at ingestion, by reason.",
    ["reason"],
)
