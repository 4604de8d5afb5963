"""Inventory count (盘点) reconciliation. Pure code.

Given what the records say is in a location (and every item's recorded place) and what was scanned there,
say what is missing, unexpected and in the wrong place:

* ``missing`` — recorded in the counted location (or below it) and not scanned;
* ``misplaced`` — scanned here, recorded in store but elsewhere (``label → recorded location``);
* ``unexpected`` — scanned here but not recorded in store at all (checked out, disposed, or unknown);
* ``found`` — recorded here and scanned.

A label scanned twice counts once. Locations are materialised paths, so "below" is a prefix test.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reconciliation:
    found: frozenset[str]
    missing: frozenset[str]
    misplaced: Mapping[str, str] = field(default_factory=dict)
    unexpected: frozenset[str] = frozenset()

    @property
    def clean(self) -> bool:
        return not (self.missing or self.misplaced or self.unexpected)


def reconcile(location_path: str, recorded: Mapping[str, str], scanned: Iterable[str]) -> Reconciliation:
    """``recorded``: label → location path of every item recorded in store (at least those in or below
    ``location_path`` and those scanned); ``scanned``: labels read in the location."""
    here = {label for label, path in recorded.items() if path.startswith(location_path)}
    seen = set(scanned)
    misplaced = {label: recorded[label] for label in seen - here if label in recorded}
    unexpected = frozenset(label for label in seen - here if label not in recorded)
    return Reconciliation(found=frozenset(here & seen), missing=frozenset(here - seen), misplaced=misplaced,
                          unexpected=unexpected)
