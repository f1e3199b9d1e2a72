"""Consent histories of a batch of subjects, answering "in force at t?" without queries."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from vitrina.privacy.texts import Purpose


class ConsentBook:
    """Consent histories of many subjects for one brand, answering 'in force at t?' fast.

    Built with one query for a whole batch of signals.
    """

    def __init__(
        self,
        records: Iterable[tuple[str, str, datetime, bool, int, bool]],
        reconsent: Iterable[tuple[str, datetime, int]],
    ) -> None:
        times: dict[tuple[str, str], list[datetime]] = {}
        values: dict[tuple[str, str], list[tuple[bool, int]]] = {}
        known: set[str] = set()
        erased_subjects: set[str] = set()
        for subject, purpose, at, granted, version, erased in records:
            known.add(subject)
            if erased:
                erased_subjects.add(subject)
            key = (subject, purpose)
            if key in times:
                times[key].append(at)
                values[key].append((granted, version))
            else:
                times[key] = [at]
                values[key] = [(granted, version)]
        self._times, self._values = times, values
        self.known, self.erased = known, erased_subjects
        self._floors: dict[str, tuple[list[datetime], list[int]]] = defaultdict(lambda: ([], []))
        for purpose, at, version in reconsent:
            floor_times, floor_versions = self._floors[purpose]
            floor_times.append(at)
            floor_versions.append(version)

    def _floor(self, purpose: str, at: datetime) -> int:
        times, versions = self._floors.get(purpose, ([], []))
        i = bisect.bisect_right(times, at)
        return versions[i - 1] if i else 0

    def since(self, subject: str, purpose: str, now: datetime) -> datetime | None:
        """When the consent in force at `now` began, without interruption; None if not in force.

        Signals stamped before this moment are refused even if an earlier consent covered
        them: a withdrawal is final for everything that arrives after it.
        """
        if subject in self.erased or purpose == Purpose.ESSENTIAL:
            return None if subject in self.erased else datetime.min.replace(tzinfo=UTC)
        times = self._times.get((subject, purpose))
        if not times:
            return None
        last = bisect.bisect_right(times, now)
        floor = self._floor(purpose, now)
        values = self._values[(subject, purpose)]
        start = None
        for i in range(last - 1, -1, -1):
            granted, version = values[i]
            if not granted or version < floor:
                break
            start = times[i]
        return start

    def in_force(self, subject: str, purpose: str, at: datetime) -> bool:
        if subject in self.erased:
            return False
        if purpose == Purpose.ESSENTIAL:
            return True
        times = self._times.get((subject, purpose))
        if not times:
            return False
        i = bisect.bisect_right(times, at)
        if i == 0:
            return False
        granted, version = self._values[(subject, purpose)][i - 1]
        return granted and version >= self._floor(purpose, at)
