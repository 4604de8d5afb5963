"""Configuration of the person match scorer: signal weights and level thresholds.

The defaults are a starting point chosen so that the documented combinations land where
``docs/matching.md`` says (ID exact + name → certain; ID exact alone → strong; name exact + birth date
→ possible; …). Deployments tune them from a dict or a TOML ``[matching]`` table without code changes.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class MatchConfig:
    """Weights (added to the score when the signal holds) and thresholds (score → level).

    Score is unitless; a level is reached when ``score >= threshold``. ``certain`` additionally needs an
    exact document match when ``certain_requires_id`` (a name and a birth date never make a person
    certain). ``corrected_id_max_level`` caps what a typo-recovered ID can reach.
    """

    id_exact: float = 0.75
    id_corrected: float = 0.5
    id_conflict: float = -0.5
    name_exact: float = 0.3
    name_simplified: float = 0.28
    name_homophone: float = 0.18
    name_romanised: float = 0.2
    name_latin_token: float = 0.28
    name_initials: float = 0.15
    name_conflict: float = -0.2
    birth_date: float = 0.15
    birth_date_conflict: float = -0.3
    phone: float = 0.2
    certain: float = 0.9
    strong: float = 0.7
    possible: float = 0.4
    certain_requires_id: bool = True
    corrected_id_max_level: str = "strong"

    def __post_init__(self) -> None:
        if not self.possible <= self.strong <= self.certain:
            raise ValueError(
                f"matching thresholds must satisfy possible ≤ strong ≤ certain, got "
                f"{self.possible} / {self.strong} / {self.certain}"
            )
        if self.corrected_id_max_level not in ("certain", "strong", "possible", "none"):
            raise ValueError(
                "corrected_id_max_level must be certain/strong/possible/none, "
                f"got {self.corrected_id_max_level!r}"
            )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MatchConfig:
        """A config from a mapping of field → value; unknown keys and wrong types raise ``ValueError``."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"unknown matching setting(s): {', '.join(unknown)}; known: {', '.join(known)}")
        values: dict[str, Any] = {}
        for key, value in data.items():
            default = getattr(cls(), key)
            if isinstance(default, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"matching setting {key} must be true or false, got {value!r}")
            elif isinstance(default, float):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ValueError(f"matching setting {key} must be a number, got {value!r}")
                value = float(value)
            elif not isinstance(value, str):
                raise ValueError(f"matching setting {key} must be a string, got {value!r}")
            values[key] = value
        return replace(cls(), **values)

    @classmethod
    def from_toml(cls, source: str | Path, table: str = "matching") -> MatchConfig:
        """A config from TOML text or a ``.toml`` file path, read from ``[table]`` (or the top level)."""
        text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
        data = tomllib.loads(text)
        return cls.from_dict(data.get(table, data))
