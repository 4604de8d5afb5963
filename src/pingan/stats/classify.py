"""Offence vocabulary and classification schemes: data files in ``stats/data``, read into small frozen objects.

Pure module (no Django): the selectors, the batch report, the PDF and the tests use it alike.

* ``data/offences.toml`` — pingan's offence keys (hierarchical, dot-separated: ``theft.larceny.pickpocket``)
  with their English and Chinese names and a severity for the downgrade watch, and the place types.
* ``data/classifications/*.toml`` — one scheme per file (UCR Part I, the NYPD seven majors, the two lists
  of China's eight kinds, 两抢一盗 per city, traffic accidents, …), each versioned and cited. A scheme's
  category is a list of rules; an incident falls in the category when any rule matches it. A rule names
  offence prefixes (``"theft"`` takes every ``theft.*``; ``""`` takes everything), prefixes to exclude, and
  optionally place types, whether attempts count (``attempted``: ``any``/``exclude``/``only``) and the harm
  done (``harm``: ``any``/``casualty`` — someone injured or killed — /``fatal``). A group sums member
  categories (which the scheme keeps disjoint; a test checks it).
* ``data/thresholds.toml`` — value thresholds for the downgrade watch, with their legal source.

An incident is classified by its :class:`Key` (offence, place type, attempted, harm): the rollup tables keep
counts per key, and :meth:`Scheme.categories_of` maps a key to the categories it falls in.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import NamedTuple

_DATA = resources.files("pingan.stats").joinpath("data")

HARM_NONE, HARM_INJURY, HARM_FATAL = 0, 1, 2


class ClassificationError(ValueError):
    """A data file of the vocabulary or of a scheme is inconsistent (names the file and what is wrong)."""


def harm_of(injured: int | None, killed: int | None) -> int:
    """``HARM_FATAL`` when anyone was killed, ``HARM_INJURY`` when anyone was injured, else ``HARM_NONE``."""
    if killed:
        return HARM_FATAL
    return HARM_INJURY if injured else HARM_NONE


def under(offence: str, prefix: str) -> bool:
    """True when ``offence`` is ``prefix`` or below it in the hierarchy (``""`` is above everything)."""
    return prefix == "" or offence == prefix or offence.startswith(prefix + ".")


def lang_of(language: str | None) -> str:
    """``"zh"`` for any Chinese language code, ``"en"`` otherwise."""
    return "zh" if (language or "").lower().startswith("zh") else "en"


# --------------------------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True, slots=True)
class Offence:
    key: str
    en: str
    zh: str
    severity: int

    def label(self, language: str | None = None) -> str:
        return self.zh if lang_of(language) == "zh" else self.en


@dataclass(frozen=True, slots=True)
class Vocabulary:
    version: str
    offences: Mapping[str, Offence]
    place_types: Mapping[str, tuple[str, str]]

    def offence(self, key: str) -> Offence:
        """The offence ``key``; ``KeyError`` naming it when it is not in the vocabulary."""
        try:
            return self.offences[key]
        except KeyError:
            raise KeyError(f"{key!r} is not an offence of pingan's vocabulary (stats/data/offences.toml)") from None

    def label(self, key: str, language: str | None = None) -> str:
        o = self.offences.get(key)
        return o.label(language) if o else key

    def place_label(self, key: str, language: str | None = None) -> str:
        en_zh = self.place_types.get(key)
        if en_zh is None:
            return key
        return en_zh[1] if lang_of(language) == "zh" else en_zh[0]

    def severity(self, key: str) -> int:
        o = self.offences.get(key)
        return o.severity if o else 0


@cache
def vocabulary() -> Vocabulary:
    """The offence vocabulary of ``data/offences.toml`` (read once)."""
    raw = tomllib.loads(_DATA.joinpath("offences.toml").read_text("utf-8"))
    offences = {k: Offence(k, v["en"], v["zh"], int(v["severity"])) for k, v in raw["offence"].items()}
    places = {k: (v["en"], v["zh"]) for k, v in raw["place_type"].items()}
    return Vocabulary(raw["version"], offences, places)


# ----------------------------------------------------------------------------------------------- schemes


class Key(NamedTuple):
    """What classification looks at: offence key, place type (``""`` unknown), attempted, harm (0/1/2)."""

    offence: str
    place_type: str
    attempted: bool
    harm: int


@dataclass(frozen=True, slots=True)
class Rule:
    offences: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    place_types: tuple[str, ...] | None = None
    attempted: str = "any"  # any / exclude / only
    harm: str = "any"  # any / casualty / fatal

    def matches(self, key: Key) -> bool:
        if not any(under(key.offence, p) for p in self.offences):
            return False
        if any(under(key.offence, p) for p in self.exclude):
            return False
        if self.place_types is not None and key.place_type not in self.place_types:
            return False
        if (self.attempted == "exclude" and key.attempted) or (self.attempted == "only" and not key.attempted):
            return False
        if self.harm == "casualty" and key.harm < HARM_INJURY:
            return False
        return not (self.harm == "fatal" and key.harm < HARM_FATAL)


@dataclass(frozen=True, slots=True)
class Category:
    """A row of a scheme. ``members`` is non-empty for a group (the sum of its member categories)."""

    key: str
    en: str
    zh: str
    rules: tuple[Rule, ...] = ()
    members: tuple[str, ...] = ()
    count: str = "incidents"  # incidents / victims
    streak: bool = False
    current_year_clearance: bool = False
    amounts: bool = False

    @property
    def is_group(self) -> bool:
        return bool(self.members)

    def label(self, language: str | None = None) -> str:
        return self.zh if lang_of(language) == "zh" else self.en

    def matches(self, key: Key) -> bool:
        return any(r.matches(key) for r in self.rules)


@dataclass(frozen=True, slots=True)
class Citation:
    """A source: ``title`` as published, with its English (``en``) or Chinese (``zh``) rendering where the title
    is in the other language."""

    title: str
    url: str
    en: str = ""
    zh: str = ""

    def label(self, language: str | None = None) -> str:
        return (self.zh if lang_of(language) == "zh" else self.en) or self.title


@dataclass(frozen=True)
class Scheme:
    """A versioned, cited classification: its categories (and groups) in display order."""

    id: str
    version: str
    en: str
    zh: str
    note_en: str
    note_zh: str
    citations: tuple[Citation, ...]
    categories: tuple[Category, ...]
    option_of: str = ""
    default_for: tuple[str, ...] = ()
    _by_key: dict[str, Category] = field(default_factory=dict, repr=False, compare=False)
    _cache: dict[Key, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)
    _leaf_cache: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_key.update({c.key: c for c in self.categories})

    def label(self, language: str | None = None) -> str:
        return self.zh if lang_of(language) == "zh" else self.en

    def note(self, language: str | None = None) -> str:
        return self.note_zh if lang_of(language) == "zh" else self.note_en

    def category(self, key: str) -> Category:
        """The category or group ``key``; ``KeyError`` naming the scheme otherwise."""
        try:
            return self._by_key[key]
        except KeyError:
            raise KeyError(f"scheme {self.id} has no category {key!r}") from None

    @property
    def leaves(self) -> tuple[Category, ...]:
        return tuple(c for c in self.categories if not c.is_group)

    def leaf_keys(self, key: str) -> tuple[str, ...]:
        """The leaf categories that make up ``key`` (itself for a leaf), in scheme order (cached per key)."""
        hit = self._leaf_cache.get(key)
        if hit is not None:
            return hit
        cat = self.category(key)
        if not cat.is_group:
            hit = (key,)
        else:
            out: list[str] = []
            for m in cat.members:
                out.extend(k for k in self.leaf_keys(m) if k not in out)
            hit = tuple(out)
        self._leaf_cache[key] = hit
        return hit

    def categories_of(self, key: Key) -> tuple[str, ...]:
        """The leaf categories an incident with ``key`` falls in (cached per key)."""
        hit = self._cache.get(key)
        if hit is None:
            hit = tuple(c.key for c in self.leaves if c.matches(key))
            self._cache[key] = hit
        return hit

    def rules_of(self, key: str) -> tuple[Rule, ...]:
        """Every rule of ``key`` (for a group: of its leaves), e.g. to filter incidents for a drill-down."""
        return tuple(r for leaf in self.leaf_keys(key) for r in self.category(leaf).rules)

    def stamp(self) -> str:
        """``id@version``, recorded with every figure computed under this scheme."""
        return f"{self.id}@{self.version}"


def _rule(raw: Mapping, where: str, vocab: Vocabulary) -> Rule:
    offences = tuple(raw.get("offences", ()))
    if not offences:
        raise ClassificationError(f"{where}: a rule needs 'offences'")
    for p in (*offences, *raw.get("exclude", ())):
        if p and not any(under(k, p) for k in vocab.offences):
            raise ClassificationError(f"{where}: {p!r} names no offence of the vocabulary")
    places = raw.get("place_types")
    if places is not None:
        unknown = set(places) - set(vocab.place_types)
        if unknown:
            raise ClassificationError(f"{where}: unknown place types {sorted(unknown)}")
    attempted, harm = raw.get("attempted", "any"), raw.get("harm", "any")
    if attempted not in ("any", "exclude", "only"):
        raise ClassificationError(f"{where}: attempted must be any, exclude or only, not {attempted!r}")
    if harm not in ("any", "casualty", "fatal"):
        raise ClassificationError(f"{where}: harm must be any, casualty or fatal, not {harm!r}")
    return Rule(offences, tuple(raw.get("exclude", ())), tuple(places) if places is not None else None,
                attempted, harm)


def parse_scheme(text: str, name: str = "(scheme)", vocab: Vocabulary | None = None) -> Scheme:
    """One scheme from its TOML text; ``ClassificationError`` naming ``name`` for anything inconsistent."""
    vocab = vocab or vocabulary()
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ClassificationError(f"{name}: not valid TOML ({exc})") from exc
    for req in ("id", "version", "en", "zh"):
        if req not in raw:
            raise ClassificationError(f"{name}: missing {req!r}")
    cats: list[Category] = []
    flags = ("streak", "current_year_clearance", "amounts")
    for c in raw.get("category", []):
        where = f"{name}: category {c.get('key')!r}"
        count = c.get("count", "incidents")
        if count not in ("incidents", "victims"):
            raise ClassificationError(f"{where}: count must be incidents or victims")
        rules = tuple(_rule(r, where, vocab) for r in c.get("rule", []))
        if not rules:
            raise ClassificationError(f"{where}: no rule")
        cats.append(Category(c["key"], c["en"], c["zh"], rules=rules, count=count,
                             **{f: bool(c.get(f, False)) for f in flags}))
    for g in raw.get("group", []):
        cats.append(Category(g["key"], g["en"], g["zh"], members=tuple(g["members"]),
                             **{f: bool(g.get(f, False)) for f in flags}))
    keys = [c.key for c in cats]
    if len(set(keys)) != len(keys):
        raise ClassificationError(f"{name}: a category key is used twice")
    for c in cats:
        missing = [m for m in c.members if m not in keys]
        if missing:
            raise ClassificationError(f"{name}: group {c.key!r} names unknown members {missing}")
    if "order" in raw:
        order = list(raw["order"])
        if sorted(order) != sorted(keys):
            raise ClassificationError(f"{name}: 'order' must list every category and group once")
        cats.sort(key=lambda c: order.index(c.key))
    scheme = Scheme(raw["id"], str(raw["version"]), raw["en"], raw["zh"], raw.get("note_en", "").strip(),
                    raw.get("note_zh", "").strip(),
                    tuple(Citation(c["title"], c.get("url", ""), c.get("en", ""), c.get("zh", ""))
                          for c in raw.get("citation", [])),
                    tuple(cats), raw.get("option_of", ""), tuple(raw.get("default_for", ())))
    for c in cats:  # cycles in groups would recurse forever
        _check_acyclic(scheme, c.key, (), name)
    return scheme


def _check_acyclic(scheme: Scheme, key: str, path: tuple[str, ...], name: str) -> None:
    if key in path:
        raise ClassificationError(f"{name}: groups form a cycle: {' → '.join((*path, key))}")
    for m in scheme.category(key).members:
        _check_acyclic(scheme, m, (*path, key), name)


@cache
def schemes() -> dict[str, Scheme]:
    """Every bundled scheme by id, in file-name order."""
    folder = _DATA.joinpath("classifications")
    out: dict[str, Scheme] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            s = parse_scheme(entry.read_text("utf-8"), f"classifications/{entry.name}")
            if s.id in out:
                raise ClassificationError(f"classifications/{entry.name}: scheme id {s.id!r} is used twice")
            out[s.id] = s
    return out


def scheme(scheme_id: str) -> Scheme:
    """The scheme ``scheme_id``; ``KeyError`` listing the known ones otherwise."""
    try:
        return schemes()[scheme_id]
    except KeyError:
        raise KeyError(f"no classification scheme {scheme_id!r}; known: {', '.join(schemes())}") from None


def default_scheme_for(unit_codes: Iterable[str]) -> Scheme:
    """The scheme whose ``default_for`` names the first of ``unit_codes`` (a unit and its ancestors, nearest
    first) that any scheme names; ``cn_headline`` when none does."""
    for code in unit_codes:
        for s in schemes().values():
            if code in s.default_for:
                return s
    return scheme("cn_headline")


# ------------------------------------------------------------------------------------------- thresholds


@dataclass(frozen=True, slots=True)
class Threshold:
    offences: tuple[str, ...]
    currency: str
    amount: Decimal
    inclusive: bool
    en: str
    zh: str
    source: str

    def applies(self, offence: str, currency: str) -> bool:
        return currency == self.currency and any(under(offence, p) for p in self.offences)

    def met(self, value: Decimal | None) -> bool:
        """True when ``value`` reaches the threshold (``>=`` when inclusive, ``>`` otherwise)."""
        if value is None:
            return False
        return value >= self.amount if self.inclusive else value > self.amount


@cache
def thresholds() -> tuple[Threshold, ...]:
    raw = tomllib.loads(_DATA.joinpath("thresholds.toml").read_text("utf-8"))
    return tuple(Threshold(tuple(t["offences"]), t["currency"], Decimal(str(t["amount"])), bool(t["inclusive"]),
                           t["en"], t["zh"], " ".join(t["source"].split())) for t in raw["threshold"])
