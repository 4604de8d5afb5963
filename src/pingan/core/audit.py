"""The audit trail: append-only, hash-chained records of every read or change of personal data.

Who looked at which person, when and why — docs/audit.md says how to use it from an app; in short:

* a read of one object: :func:`record_read` (``action="read"``) with the :class:`Subject` (the person) it shows;
* a read of a list: wrap the scoped queryset with :func:`audited`; the rows actually fetched for display (a
  page of a list, an API page) are recorded as one ``list`` record naming every person on it, compactly;
* a change: :func:`record` with the action and the object.

**Purpose.** A police account (officer, station chief, analyst) must have a purpose of use for every read of
personal data. Where the law of the action fixes it, the app does: every page and API endpoint of an app
registered with ``register_purpose(code, label, app=...)`` (alert handling, dispatch, anti-fraud, citizen
services) or :func:`fix_purpose` (case property: case investigation) records under that purpose, whatever was
declared (:data:`FIXED_PURPOSES`, applied by ``core.web.page``, the API and the home panels). Elsewhere
(screening, the jurisdiction, safety codes) it is the one declared for the session among
:data:`DECLARED_PURPOSES` (pages), the API token's, or the request's ``X-Purpose`` header (the API).
:func:`record_read` and :func:`audited` raise :class:`PurposeRequired` (HTTP 403) without one.
The purposes are codes (:data:`PURPOSES`); apps may add their own with :func:`register_purpose`.

**Subjects.** The persons a record shows are stored as keyed 64-bit digests (HMAC-SHA-256 with the audit key,
``pingan.core.auditkeys``) of their normalised name, document number and phone number, in
:class:`~pingan.core.models.AuditSubject` rows (``seq``, ``key``). The record itself carries their count and
a digest of the sorted keys (``detail["subjects"] = {"n": 30, "h": "…"}``), so the index is covered by the
chain, and the trail holds no name or ID number in clear: an auditor finds "who looked at 张伟 / 3502…" by
computing the same digests (:func:`subject_keys_for_query`).

**Chain.** Each record's ``hash`` is SHA-256 over the previous record's hash and the canonical JSON (sorted
keys, no spaces, UTF-8) of its own fields; the chain head (:class:`~pingan.core.models.AuditHead`) holds the
last sequence number and hash. :func:`verify` walks the chain and names the first record that is missing,
inserted or edited (the usual tamper-evident log: Schneier & Kelsey, "Secure audit logs to support computer
forensics", ACM TISSEC 1999).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import hmac
import json
import logging
import operator
import re
import struct
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import msgspec
from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pingan.core import auditkeys
from pingan.core import checkpoints as _checkpoints
from pingan.core.copystore import copy_insert, copy_rows
from pingan.core.errors import PermissionDenied
from pingan.core.models import POLICE_ROLES, AuditHead, AuditRecord, AuditSubject

GENESIS = "0" * 64

# ------------------------------------------------------------------------------------------------ context


@dataclass(frozen=True)
class Agent:
    """What acted when no person did, and on whose behalf (issue 11: the trail said "system").

    ``kind``: ``command`` (``name`` the command as typed, ``pingan stats import``; ``by`` the server
    account that ran it), ``task`` (``name`` the job kind, ``object_id`` the job; ``by``/``by_id`` the account
    that queued it), ``request`` (a page or API request that acted without an account of its own, ``by`` the
    signed-in account if any), ``terminal`` (a counter's kiosk, ``object_id`` its id), ``platform`` (a
    GA/T 1400 platform or device, ``object_id`` its id), ``system`` (nothing else is known). Records keep it
    as ``actor = "kind:name"`` and ``detail["agent"]``; the audit page shows it by label
    (:func:`agent_text`).
    """

    kind: str
    name: str = ""
    object_id: str = ""
    by: str = ""
    by_id: int | None = None

    @property
    def code(self) -> str:
        """What the record's ``actor`` column holds: ``kind`` or ``kind:name`` (at most 150 characters)."""
        return (f"{self.kind}:{self.name}" if self.name else self.kind)[:150]

    def as_detail(self) -> dict:
        out = {"kind": self.kind}
        for key in ("name", "object_id", "by"):
            if value := getattr(self, key):
                out[key] = str(value)[:150]
        if self.by_id is not None:
            out["by_id"] = self.by_id
        return out


@dataclass
class AuditContext:
    """Who is acting and why, for the records written during one request or command.

    ``request_id`` is pingan's own id of the request (never the client's); ``client_request_id`` is the
    ``X-Request-ID`` the client sent, kept only when well-formed (:func:`clean_request_id`). ``agent``: what
    acts when a record has no account (:class:`Agent`: the command or task running); ``signed_in``: for a
    request, a callable giving its account (looked up when a record without an actor is written, after
    authentication).
    """

    request_id: str = ""
    client_addr: str = ""
    purpose: str = ""
    client_request_id: str = ""
    agent: Agent | None = None
    signed_in: Callable[[], Any] | None = None


_context: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("pingan_audit", default=None)


def set_context(ctx: AuditContext) -> contextvars.Token:
    """Install the context for the current request/command; returns a token for :func:`reset_context`."""
    return _context.set(ctx)


def reset_context(token: contextvars.Token) -> None:
    _context.reset(token)


def current_context() -> AuditContext:
    """The context of the current request/command (an empty one outside any)."""
    return _context.get() or AuditContext()


@contextlib.contextmanager
def acting(agent: Agent) -> Iterator[None]:
    """Records written inside ``with acting(agent):`` without an account name ``agent`` as what acted (a
    command, a background task); the rest of the current context (request id, purpose) is kept."""
    token = set_context(replace(current_context(), agent=agent))
    try:
        yield
    finally:
        reset_context(token)


def as_task(name: str, label: Promise | str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a background task (django-tasks, under ``@task()``) so that what it records without an account
    names the task (``label`` on the audit page) and its first integer argument as the object; on whose behalf
    is carried over from what runs it (the worker command's server account)."""
    import functools

    register_task(name, label)

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            outer = current_context().agent
            oid = str(args[0]) if args and isinstance(args[0], int) else ""
            agent = Agent("task", name, oid, by=outer.by if outer else "", by_id=outer.by_id if outer else None)
            with acting(agent):
                return fn(*args, **kwargs)

        return run

    return wrap


def command_agent(argv: Sequence[str], subcommands: Collection[str] = ()) -> Agent:
    """The :class:`Agent` of ``pingan <argv>`` run at the server's shell: the command and its subcommand (never
    the other arguments: they may name a person, ``audit search --person``), by the server account (the
    account ``sudo`` was run from, when it was)."""
    import getpass
    import os

    words = list(argv[:1])
    if len(argv) > 1 and argv[1] in subcommands:
        words.append(argv[1])
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for the uid (a container)
        who = f"uid {os.getuid()}"
    sudo = os.environ.get("SUDO_USER", "")
    return Agent("command", " ".join(["pingan", *words]), by=f"{sudo} (sudo {who})" if sudo and sudo != who else who)


def _agent_now(ctx: AuditContext) -> Agent:
    """What acts for a record written without an account: the context's agent; in a request, the request
    and its signed-in account; else the system."""
    if ctx.agent is not None:
        return ctx.agent
    if ctx.signed_in is not None:
        user = ctx.signed_in()
        if getattr(user, "is_authenticated", False):
            return Agent("request", by=user.username, by_id=user.pk)
        return Agent("request")
    return Agent("system")


def current_agent() -> Agent:
    """What acts now for a step written without an account (a command, a task, a request, else the system):
    for the apps' own histories (an order's events) to keep beside the step, shown with :func:`agent_text`."""
    return _agent_now(current_context())


def set_purpose(purpose: str) -> None:
    """Set the purpose of the current request (the API: from the token or the ``X-Purpose`` header)."""
    ctx = _context.get()
    if ctx is None:
        set_context(AuditContext(purpose=purpose))
    else:
        ctx.purpose = purpose


_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,64}")


def clean_request_id(value: str | None) -> str:
    """A client's ``X-Request-ID`` if it is 1-64 characters of ``A-Z a-z 0-9 . _ : + / = -``, else ``""``.

    A forged id (control characters, a forged log line, a megabyte of text) is dropped rather than cut, so
    what the trail keeps is always what a well-behaved proxy sent.
    """
    if value and _REQUEST_ID.fullmatch(value):
        return value
    return ""


# ------------------------------------------------------------------------------------------------ labels

#: Purposes of use (codes → labels). Apps add theirs with :func:`register_purpose`.
PURPOSES: dict[str, Promise | str] = {
    "epidemic_screening": _("epidemic prevention screening"),
    "case_investigation": _("case investigation"),
    "jurisdiction_management": _("jurisdiction management"),
}

#: The purposes an officer declares for work whose purpose no law of the action fixes (screening results, the
#: jurisdiction view, safety codes): the choices of ``/purpose/``.
DECLARED_PURPOSES = ("epidemic_screening", "case_investigation", "jurisdiction_management")

#: App label → the purpose the law of that app's actions fixes (``alerts`` → ``alert_response``): every record
#: written by its pages and endpoints carries it, not the session's declared purpose (issue 11: an alert
#: acknowledgement was audited under "epidemic prevention screening"). Filled by :func:`fix_purpose`.
FIXED_PURPOSES: dict[str, str] = {}

#: What each action means, for the audit page (codes → labels). Apps add theirs with :func:`register_action`.
ACTIONS: dict[str, Promise | str] = {
    "read": _("viewed"),
    "list": _("viewed a list"),
    "search": _("searched"),
    "export": _("downloaded"),
    "create": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
    # core.services: roles, units and owners change only with a second administrator's approval
    "access_change_request": _("requested a change of role, unit or owner"),
    "access_change_approve": _("approved a change of role, unit or owner"),
    "access_change_reject": _("rejected a change of role, unit or owner"),
    # core.services: premises renamed or removed by their owners, landlords' and enterprises' own sign-ups
    "rename": _("renamed"),
    "archive": _("removed (archived with its records)"),
    "registration_submit": _("registered themselves (waiting for the station)"),
    "registration_approve": _("confirmed a sign-up"),
    "registration_reject": _("refused a sign-up"),
}

#: The actions that show personal data to someone (a read, a list, a download): a search by person finds a
#: record of an object that holds the person (:func:`register_subject_resolver`) only for these.
DISCLOSING_ACTIONS = ("read", "list", "export")

#: What acted, for the audit page (:class:`Agent` kinds → labels).
AGENT_KINDS: dict[str, Promise | str] = {
    "command": _("a command at the server"),
    "task": _("a background task"),
    "request": _("a page or API request"),
    "terminal": _("a counter's kiosk"),
    "platform": _("a connected platform or device"),
    "system": _("the system"),
}

#: Background tasks by name (a job kind, ``core.jobs``) → label. Apps add theirs with :func:`register_task`.
TASKS: dict[str, Promise | str] = {}

#: What each object type is, for the audit page. Apps add theirs with :func:`register_object_type`.
OBJECT_TYPES: dict[str, Promise | str] = {
    "AuditRecord": _("audit trail"),
    "Registration": _("sign-up (landlord or enterprise)"),
}


def register_purpose(code: str, label: Promise | str, *, app: str = "") -> None:
    """Add a purpose of use (``code``: snake_case, stored; ``label``: lazily translated, shown); with ``app``
    (an app label), the purpose every page and endpoint of that app records under (:func:`fix_purpose`)."""
    PURPOSES[code] = label
    if app:
        fix_purpose(app, code)


def fix_purpose(app: str, code: str) -> None:
    """Record everything the pages and API endpoints of ``app`` (``"evidence"``) read or change under the
    purpose ``code`` (a known one), whatever the officer declared for the session."""
    if code not in PURPOSES:
        raise ValueError(f"unknown purpose {code!r}")
    FIXED_PURPOSES[app] = code


def fixed_purpose(module: str) -> str:
    """The purpose fixed for the app a module belongs to (``pingan.alerts.views`` → ``alert_response``), else
    ``""`` (the declared one applies)."""
    parts = module.split(".")
    return FIXED_PURPOSES.get(parts[1], "") if len(parts) > 1 and parts[0] == "pingan" else ""


@contextlib.contextmanager
def purpose_of(module: str) -> Iterator[None]:
    """Inside, records carry the purpose fixed for ``module``'s app, if it has one (a home panel of that app)."""
    code = fixed_purpose(module)
    if not code:
        yield
        return
    token = set_context(replace(current_context(), purpose=code))
    try:
        yield
    finally:
        reset_context(token)


def register_action(code: str, label: Promise | str) -> None:
    """Add an action's label for the audit page (e.g. ``register_action("revoke", _("revoked"))``)."""
    ACTIONS[code] = label


def register_object_type(name: str, label: Promise | str) -> None:
    """Add an object type's label for the audit page (e.g. ``"PersonResult.flagged"`` → "flagged people")."""
    OBJECT_TYPES[name] = label


#: How the audit page names the objects of a type (issue 11: "筛查人员 № 6046", a row number an auditor cannot
#: use): ``describe(ids)`` gets the records' object ids (strings) of one type, all at once, and returns
#: ``{id: text}`` in the active language — what an auditor recognises (a masked name and ID number, a premises,
#: a date), never more personal data than the record's reader saw. Apps add theirs with
#: :func:`register_object_describer`; an id it does not return is shown as the id.
OBJECT_DESCRIBERS: dict[str, Callable[[list[str]], dict[str, str]]] = {}


def register_object_describer(name: str, describe: Callable[[list[str]], dict[str, str]]) -> None:
    """Name the objects of type ``name`` on the audit page (:data:`OBJECT_DESCRIBERS`)."""
    OBJECT_DESCRIBERS[name] = describe


def rows_describer(model: Any, text: Callable[[Any], str], *, field: str = "pk",
                   related: tuple[str, ...] = ()) -> Callable[[list[str]], dict[str, str]]:
    """A describer (:func:`register_object_describer`) of the rows of ``model`` (a model class, or its
    ``"app_label.Model"``) whose ``field`` (the primary key by default; an item's label, a case's number …) is
    the record's object id: ``text(row)`` for each, in one query (``related``: ``select_related``)."""
    def describe(ids: list[str]) -> dict[str, str]:
        from django.apps import apps

        m = apps.get_model(model) if isinstance(model, str) else model
        wanted = int_ids(ids) if field == "pk" else list(ids)
        rows = m.objects.filter(**{f"{field}__in": wanted})
        if related:
            rows = rows.select_related(*related)
        return {str(getattr(r, field)): text(r) for r in rows}

    return describe


def said(*parts: Any) -> str:
    """An object's description from its parts, the empty ones left out: ``"FZ-12 · 张* · 2026-12-07"``."""
    return " · ".join(str(p) for p in parts if p not in (None, ""))


def describe_objects(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """``{(object_type, object_id): text}`` for the pairs whose type has a describer (one call per type); a
    describer that fails (a record since deleted, a malformed id) leaves its ids undescribed."""
    by_type: dict[str, set[str]] = {}
    for name, oid in pairs:
        if oid and name in OBJECT_DESCRIBERS:
            by_type.setdefault(name, set()).add(oid)
    out: dict[tuple[str, str], str] = {}
    for name, ids in by_type.items():
        try:
            described = OBJECT_DESCRIBERS[name](sorted(ids))
        except Exception:  # the page still shows the id
            logging.getLogger(__name__).warning("describing %s objects for the audit page failed", name,
                                                exc_info=True)
            continue
        out.update({(name, oid): text for oid, text in described.items() if text})
    return out


def int_ids(ids: Iterable[str]) -> list[int]:
    """The ids that are numbers (a describer's primary keys), as ints."""
    return [int(i) for i in ids if i.isdigit() and len(i) <= 18]  # a 20-digit device id is no primary key


def register_task(name: str, label: Promise | str) -> None:
    """Add a background task's label (``name``: the job kind, e.g. ``"screening"`` → "screening of a roster")."""
    TASKS[name] = label


def agent_text(detail: dict | None, actor: str = "") -> tuple[str, str]:
    """A record's agent (``detail["agent"]``, :class:`Agent`) in the active language: ``(what acted, on whose
    behalf)``, e.g. ("command pingan stats import", "started at the server by root"). A record written before
    agents were kept (``actor == "system"``) reads as the system."""
    from django.utils.translation import gettext as __

    agent = (detail or {}).get("agent") if isinstance(detail, dict) else None
    if not isinstance(agent, dict):
        return (str(AGENT_KINDS["system"]) if actor in ("", "system") else actor), ""
    kind, name, oid, by = (str(agent.get(k, "")) for k in ("kind", "name", "object_id", "by"))
    if kind == "command":
        what = __("command %(command)s") % {"command": name}
        behalf = __("run at the server by %(account)s") % {"account": by} if by else ""
    elif kind == "task":
        label = str(TASKS.get(name, name))
        what = (__("background task: %(task)s № %(id)s") % {"task": label, "id": oid} if oid
                else __("background task: %(task)s") % {"task": label})
        behalf = __("queued by %(account)s") % {"account": by} if by else __("queued at the server")
    elif kind in ("terminal", "platform"):
        what = f"{AGENT_KINDS[kind]} {name or oid}".strip()
        behalf = ""
    elif kind == "request":
        what = str(AGENT_KINDS["request"])
        behalf = __("signed in as %(account)s") % {"account": by} if by else __("not signed in")
    else:
        what, behalf = str(AGENT_KINDS.get(kind, kind)), ""
    return what, behalf


def purpose_label(code: str) -> str:
    """The purpose's label in the active language; the code itself when unknown; ``""`` for none."""
    return str(PURPOSES.get(code, code)) if code else ""


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def object_label(name: str) -> str:
    return str(OBJECT_TYPES.get(name, name))


class PurposeRequired(PermissionDenied):
    """A police account read personal data without a purpose of use (HTTP 403, code ``purpose_required``)."""

    code = "purpose_required"


def require_purpose(actor, purpose: str) -> None:
    """Raise :class:`PurposeRequired` when ``actor`` is police and ``purpose`` is empty or unknown."""
    if getattr(actor, "role", None) in POLICE_ROLES and purpose not in PURPOSES:
        raise PurposeRequired(
            "a police account must state a purpose of use to read personal data: the API token's purpose, or an "
            f"X-Purpose header, one of {', '.join(sorted(PURPOSES))}",
            extra={"purposes": sorted(PURPOSES)}, message_id="purpose_required")


# ------------------------------------------------------------------------------------------------ subjects


#: Since when records keep the digests of the phone numbers they show (issue 11: an auditor searched a phone and
#: found nothing): a record written before is found by the name or document number only. The bureau's midnight of
#: 1 December 2026 (UTC+08:00), the month the audit page names.
PHONES_KEPT_SINCE = dt.datetime(2026, 12, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@dataclass(frozen=True)
class Subject:
    """A person whose data a record shows: the name, document number and phone number as shown (any may be
    empty); ``other_ids``: more document numbers of the same person (a corrected one) — one person is one
    ``Subject``, so a record's count of people (``detail["subjects"]["n"]``) is the people shown (issue 11: a
    page of 30 people whose one corrected ID number was a second subject was recorded as "showed 31 people");
    ``other_phones``: more phone numbers of the same person (a roster row's phone as given beside the one
    screened). Phone numbers are kept since issue 11 (an auditor searched a phone and found nothing); records
    written before are found by the name or document number only."""

    name: str = ""
    id_number: str = ""
    phone: str = ""
    other_ids: tuple[str, ...] = ()
    other_phones: tuple[str, ...] = ()


_NAME_DROP = re.compile(r"[\s·•・‧.\u00b7\u2022\u30fb\u2027]+")
_ID_DROP = re.compile(r"[\s\-]+")


def _norm_name(name: str) -> str:
    return _NAME_DROP.sub("", unicodedata.normalize("NFKC", name)).casefold()


def _norm_id(number: str) -> str:
    return _ID_DROP.sub("", unicodedata.normalize("NFKC", number)).upper()


def _norm_phone(phone: str) -> str:
    """A phone number's one form: E.164 when it is valid (``+8613812345678`` for ``138 1234 5678``,
    ``+86 138…``, ``0086138…``), else its digits."""
    from pingan.lib.identity.phones import normalize_phone

    text = unicodedata.normalize("NFKC", phone)
    return normalize_phone(text) or re.sub(r"\D", "", text)


def _digest(kind: bytes, text: str) -> int:
    mac = hmac.new(auditkeys.subject_key(), kind + b"\x00" + text.encode(), hashlib.sha256).digest()
    return struct.unpack(">q", mac[:8])[0]


def subject_keys(subject: Subject) -> set[int]:
    """The keyed 64-bit digests of a subject's normalised name, document numbers and phone numbers (empty parts
    skipped)."""
    keys = set()
    if name := _norm_name(subject.name):
        keys.add(_digest(b"name", name))
    for id_number in (subject.id_number, *subject.other_ids):
        if number := _norm_id(id_number):
            keys.add(_digest(b"id", number))
    for phone in (subject.phone, *subject.other_phones):
        if number := _norm_phone(phone):
            keys.add(_digest(b"phone", number))
    return keys


def subject_keys_for_query(text: str) -> set[int]:
    """The digests an auditor's search text may match: the text as a name, a document number and a phone
    number."""
    return subject_keys(Subject(name=text, id_number=text, phone=text))


def search_text_form(text: str) -> str:
    """What an auditor's person search can find, for the page to say (issue 11: a search for part of a name gave
    no result and no hint): ``"masked"`` — a number with ``*`` in it, as the pages show them (only the full
    number has a digest); ``"partial"`` — looks like part of a name or a number (one Chinese character, a
    Latin name of one letter, or digits that are neither a 15- nor an 18-character ID number, nor a phone
    number); ``"whole"`` otherwise. The trail keeps keyed digests of whole names and numbers only, so part of
    one cannot be matched without keeping it in clear (docs/audit.md, "Subjects")."""
    t = "".join(text.split())
    if "*" in t or "＊" in t:
        return "masked"
    body = t[:-1] if t[-1:] in "Xx" else t
    if body.isdigit():
        return "whole" if len(t) in (15, 18) or len(t) == 11 else "partial"
    return "partial" if len(t) < 2 else "whole"


#: Apps' resolvers from a searched name or document number to the objects that hold the person (see
#: :func:`register_subject_resolver`).
_RESOLVERS: list[Callable[[str], dict[str, Iterable[object]]]] = []


def register_subject_resolver(resolver: Callable[[str], dict[str, Iterable[object]]]) -> None:
    """Let the audit search find reads recorded by object rather than by person.

    ``resolver(text)`` returns ``{object_type: object ids}`` of the objects that currently hold the person
    named or numbered ``text`` (e.g. screening: ``{"ScreeningJob": [job ids]}``): the search then also finds
    the records of those objects that disclosed them whole — a download of a whole job, which names the job,
    not its thousands of rows. A record that lists whom it showed (``detail["subjects"]``) is found only by its
    persons, and a change (submitted, screened) is not a disclosure (:data:`DISCLOSING_ACTIONS`).
    """
    _RESOLVERS.append(resolver)


def resolve_subject(text: str) -> dict[str, set[object]]:
    """Every registered resolver's objects for ``text``, merged by object type."""
    out: dict[str, set[object]] = {}
    for resolver in _RESOLVERS:
        for object_type, ids in resolver(text).items():
            out.setdefault(object_type, set()).update(ids)
    return out


def _subjects_summary(keys: list[int], persons: int) -> dict:
    packed = b"".join(struct.pack(">q", k) for k in keys)
    return {"n": persons, "h": hashlib.sha256(packed).hexdigest()[:32]}


# ------------------------------------------------------------------------------------------------ writing

_FIELDS = ("seq", "at", "actor_id", "actor", "role", "unit", "action", "object_type", "object_id",
           "purpose", "request_id", "client_addr", "detail")


#: The canonical JSON of a record, made once: ``json.dumps`` with these options builds an encoder per call
#: (a re-evaluation chains one record per code it issues, tens of thousands; the text is the same).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


#: The same canonical JSON made in C (msgspec, keys sorted): byte for byte what :data:`_CANONICAL` writes for
#: a body of plain values (:func:`_plain`: dicts with string keys, lists, strings, integers, booleans, ``None``)
#: — every code point of a string escaped or written as itself alike, keys in the same order
#: (``tests/core/test_audit_canonical.py`` holds the two together). ``json``'s encoder with ``sort_keys``
#: cost ~15–20 µs a record at load 10, this one ~2 plus the check (a re-evaluation chains one record per code
#: it issues, 43,165 on issue 10's bench). Anything else (a float, a tuple, a date written through
#: ``default=str``, a subclass) goes through :data:`_CANONICAL`, as every record did before.
_CANONICAL_C = msgspec.json.Encoder(order="sorted")


_SCALARS = frozenset({str, int, bool, type(None)})


def _plain(value: Any) -> bool:
    """Whether ``value`` holds only what :data:`_CANONICAL_C` writes as :data:`_CANONICAL` does (a loop over a
    stack, not a recursive call per value: the check is most of the cost)."""
    scalars = _SCALARS
    stack = [value]
    pop, extend = stack.pop, stack.extend
    while stack:
        v = pop()
        kind = type(v)
        if kind in scalars:
            continue
        if kind is dict:
            for k in v:
                if type(k) is not str:
                    return False
            extend(v.values())
        elif kind is list:
            extend(v)
        else:
            return False
    return True


def _canonical(values: dict[str, Any]) -> bytes:
    body = {k: values[k] for k in _FIELDS}
    body["at"] = values["at"].isoformat(timespec="microseconds")
    if _plain(body):
        return _CANONICAL_C.encode(body)
    return _CANONICAL.encode(body).encode()


def chain_hash(prev_hash: str, values: dict[str, Any]) -> str:
    """SHA-256 hex of ``prev_hash`` (hex) followed by the canonical JSON of the record's fields."""
    return hashlib.sha256(prev_hash.encode() + b"\n" + _canonical(values)).hexdigest()


#: The HMAC-SHA-256 inner and outer hashes with the key's pads already fed in (RFC 2104), by key: each MAC
#: then copies two hash states instead of building an HMAC object (OpenSSL's set-up took ~7 µs a MAC, the
#: copies ~3; a re-evaluation MACs one record per code it issues, tens of thousands).
_MAC_PADS: dict[bytes, tuple[Any, Any]] = {}


def _mac_pads(key: bytes) -> tuple[Any, Any]:
    pads = _MAC_PADS.get(key)
    if pads is None:
        block = hashlib.sha256().block_size
        padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
        pads = _MAC_PADS[key] = (hashlib.sha256(bytes(b ^ 0x36 for b in padded)),
                                 hashlib.sha256(bytes(b ^ 0x5C for b in padded)))
    return pads


def chain_mac(record_hash: str) -> str:
    """HMAC-SHA-256 hex of a record's hash with the audit chain key (``core.auditkeys.chain_key``): what
    ``hmac.new(key, record_hash.encode(), hashlib.sha256).hexdigest()`` gives, from :data:`_MAC_PADS`."""
    inner_pad, outer_pad = _mac_pads(auditkeys.chain_key())
    inner, outer = inner_pad.copy(), outer_pad.copy()
    inner.update(record_hash.encode())
    outer.update(inner.digest())
    return outer.hexdigest()


@dataclass
class Entry:
    """One thing to record (used by :func:`record_many` for a read of many objects at once).

    ``subjects``: the persons shown, or ``None`` when the entry shows no person (a change, a count).
    """

    action: str
    object_type: str
    object_id: str = ""
    detail: dict = field(default_factory=dict)
    subjects: Sequence[Subject] | None = None


def record(actor, action: str, object_type: str, object_id: object = "", *, purpose: str = "",
           detail: dict | None = None, subjects: Sequence[Subject] | None = None) -> AuditRecord:
    """Append one record; ``actor`` is a User, or an :class:`Agent`, or ``None`` (what the context says acts:
    the command or task running, else the request, else the system). Returns the saved record."""
    return record_many(actor, [Entry(action, object_type, str(object_id), detail or {}, subjects)],
                       purpose=purpose)[0]


def record_read(actor, object_type: str, object_id: object = "", *, subjects: Sequence[Subject] = (),
                purpose: str = "", detail: dict | None = None, action: str = "read") -> AuditRecord:
    """Record a read of personal data: who (``actor``), what (``object_type``/``object_id``), whom
    (``subjects``), why (``purpose``, else the request's). Raises :class:`PurposeRequired` for a police
    account without a purpose — call it *before* returning the data."""
    purpose = purpose or current_context().purpose
    require_purpose(actor, purpose)
    return record(actor, action, object_type, object_id, purpose=purpose, detail=detail, subjects=list(subjects))


#: From this many rows on, :func:`record_many` writes them with ``COPY`` rather than one ``INSERT`` (on
#: PostgreSQL with ``returning=False``: always).
COPY_FROM = 100


def _connection():
    """The connection the chain is written on (its head's database)."""
    return connections[router.db_for_write(AuditHead)]


def _head_lock() -> tuple[int, str]:
    """Lock the chain's head row until the transaction ends; its sequence number and hash. On PostgreSQL one
    plain statement (the queryset's compilation cost ~1 ms of client CPU: the alert worker appends a record
    per batch with new alerts)."""
    connection = _connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"SELECT seq, hash FROM {AuditHead._meta.db_table} WHERE id = 1 FOR UPDATE")  # noqa: S608 - the model's table
            row = cur.fetchone()
        if row is not None:
            return row[0], row[1]
    head = AuditHead.objects.select_for_update().filter(id=1).first()
    if head is None:
        head, _created = AuditHead.objects.select_for_update().get_or_create(id=1)
    return head.seq, head.hash


def _head_write(seq: int, digest: str) -> None:
    """The head's new sequence number and hash (its row is locked: :func:`_head_lock`): one plain statement, the
    same on every database (no queryset to compile)."""
    with _connection().cursor() as cur:
        cur.execute(f"UPDATE {AuditHead._meta.db_table} SET seq = %s, hash = %s WHERE id = 1", [seq, digest])  # noqa: S608


@transaction.atomic(savepoint=False)  # a failure must abort the caller's transaction anyway: no savepoint
def record_many(actor, entries: list[Entry], *, purpose: str = "",
                context: AuditContext | None = None, returning: bool = True) -> list[AuditRecord]:
    """Append several records in one transaction, chained in order. Locks the chain head while appending.

    ``context`` (default: the current one) supplies the request id, client address and default purpose.
    ``returning=False``: the caller does not need the records back — many of them are then written from tuples
    (no model instance per record: a re-evaluation appends one per code it issues) and ``[]`` is returned.
    """
    if not entries:
        return []
    seq, prev = _head_lock()
    ctx = context or current_context()
    agent = actor if isinstance(actor, Agent) else _agent_now(ctx) if actor is None else None
    if agent is not None:
        actor = None
    now = timezone.now()
    rows, index = [], []
    # what every record of the batch shares, worked out once (a re-evaluation appends one per code it issues)
    common = {
        "at": now,
        "actor_id": getattr(actor, "pk", None),
        "actor": agent.code if agent is not None else getattr(actor, "username", "") or "system",
        "role": getattr(actor, "role", "") or "",
        "unit": getattr(getattr(actor, "unit", None), "code", "") or "",
        "purpose": purpose or ctx.purpose,
        "request_id": ctx.request_id,
        "client_addr": ctx.client_addr,
    }
    agent_detail = agent.as_detail() if agent is not None else None
    client_request_id = ctx.client_request_id if ctx.client_request_id != ctx.request_id else ""
    for entry in entries:
        seq += 1
        detail = dict(entry.detail)
        if client_request_id:
            detail["client_request_id"] = client_request_id
        if entry.subjects is not None:
            keys: set[int] = set()
            for s in entry.subjects:
                keys |= subject_keys(s)
            ordered = sorted(keys)
            detail["subjects"] = _subjects_summary(ordered, len(entry.subjects))
            index.extend(AuditSubject(seq=seq, key=k) for k in ordered)
        if agent_detail is not None:
            detail["agent"] = dict(agent_detail)  # each record its own dict, as before
        values = {
            "seq": seq,
            **common,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id[:64],
            "detail": detail,
        }
        digest = chain_hash(prev, values)
        rows.append((prev, digest, chain_mac(digest), values))
        prev = digest
    # many records go by COPY on PostgreSQL: bulk_create's per-field preparation costs ~75 us of CPU a record,
    # COPY ~12 (a re-evaluation appends one record per code it issues, tens of thousands at once); a few go by
    # one INSERT (COPY takes a second round trip for the ids) — unless the caller needs no records back: then
    # COPY too, as bulk_create's compilation alone cost ~1 ms of client CPU (the alert worker, every batch
    # with new alerts)
    records: list[AuditRecord] = []
    if not returning and (len(rows) >= COPY_FROM or _connection().vendor == "postgresql"):
        fields = operator.itemgetter(*_FIELDS)  # not a generator per record: ~3 µs each, tens of thousands
        copy_rows(AuditRecord, ("prev_hash", "hash", "mac", *_FIELDS),
                  [(p, h, m, *fields(v)) for p, h, m, v in rows], pks=False)  # the ids by the column's default
    else:
        records = [AuditRecord(prev_hash=p, hash=h, mac=m, **v) for p, h, m, v in rows]
    for model, objs in ((AuditRecord, records), (AuditSubject, index)):
        if len(objs) >= COPY_FROM:
            copy_insert(model, objs)
        elif objs:
            model.objects.bulk_create(objs)
    _head_write(seq, prev)
    if settings.PINGAN["AUDIT_CHECKPOINT_MINUTES"]:
        transaction.on_commit(_checkpoints.checkpoint_if_due)
    return records if returning else []


# ------------------------------------------------------------------------------------------------ list reads


@dataclass(frozen=True)
class _ListRead:
    """What :func:`audited` records when the rows of a queryset are fetched."""

    actor: Any
    object_type: str
    subjects: Callable[[Any], Iterable[Subject]]
    purpose: str
    context: AuditContext
    object_id: str = ""
    detail: dict = field(default_factory=dict)

    def record(self, rows: Sequence[Any]) -> None:
        if not rows:
            # a list that fetched no row showed nobody: no personal data was read, so no record (issue 11's
            # trial: each opening of an empty queue wrote three "viewed a list … showed 0 people", 167 records
            # in ten minutes that buried the reads an auditor looks for)
            return
        people: list[Subject] = []
        known = True
        for row in rows:
            if isinstance(row, dict | tuple) or not hasattr(row, "_meta"):
                known = False  # values()/values_list() rows: the count, not who
                continue
            people.extend(self.subjects(row))
        detail = {**self.detail, "rows": len(rows)}
        if not known:
            detail["subjects_unknown"] = True
        record_many(self.actor, [Entry("list", self.object_type, self.object_id, detail, people)],
                    purpose=self.purpose, context=self.context)


class AuditedQuerySetMixin:
    """A QuerySet whose fetched rows are recorded as one ``list`` read (see :func:`audited`).

    Slicing, filtering and ordering keep the audit (``_clone``); ``count()``, ``exists()`` and aggregates
    fetch no rows and record nothing, nor does a fetch that found no row; ``iterator()`` records every chunk it
    yields.
    """

    _pingan_read: _ListRead | None = None

    def _clone(self):
        clone = super()._clone()  # type: ignore[misc]
        clone._pingan_read = self._pingan_read
        return clone

    def _fetch_all(self) -> None:
        fresh = self._result_cache is None  # type: ignore[attr-defined]
        super()._fetch_all()  # type: ignore[misc]
        if fresh and self._pingan_read is not None:
            self._pingan_read.record(self._result_cache)  # type: ignore[attr-defined]

    def iterator(self, chunk_size: int | None = None) -> Iterator[Any]:
        read = self._pingan_read
        rows = super().iterator(chunk_size=chunk_size)  # type: ignore[misc]
        if read is None:
            yield from rows
            return
        batch: list[Any] = []
        try:
            for row in rows:
                batch.append(row)
                yield row
                if len(batch) >= 2000:
                    read.record(batch)
                    batch = []
        finally:
            if batch:
                read.record(batch)


_audited_classes: dict[type, type] = {}


def audited(qs: QuerySet, *, actor, object_type: str, subjects: Callable[[Any], Iterable[Subject]],
            purpose: str = "", object_id: object = "", detail: dict | None = None) -> QuerySet:
    """``qs`` made to record a ``list`` read of ``object_type`` naming every person on the rows it fetches.

    ``subjects(row)`` yields the :class:`Subject` s one row shows (``[]`` for none). The purpose (else the
    request's) is checked now: :class:`PurposeRequired` for a police account without one. The record is
    written when the rows are fetched (a page, an API page, a template loop), with the request's context of
    now; fetching the same rows again through a new slice writes another record.
    """
    purpose = purpose or current_context().purpose
    require_purpose(actor, purpose)
    base = type(qs)
    cls = _audited_classes.get(base)
    if cls is None:
        cls = _audited_classes[base] = type(f"Audited{base.__name__}", (AuditedQuerySetMixin, base), {})
    clone = qs._chain()
    clone.__class__ = cls
    clone._pingan_read = _ListRead(actor, object_type, subjects, purpose, replace(current_context()),
                                   str(object_id), dict(detail or {}))
    return clone


# ------------------------------------------------------------------------------------------------ verifying


@dataclass
class VerifyResult:
    """Outcome of :func:`verify`: ``ok``, the count checked, the first problem found (if any), and how many
    checkpoints the trail matched (``anchored``, the newest of them ``last_checkpoint``)."""

    ok: bool
    checked: int
    problem: str = ""
    bad_seq: int | None = None
    anchored: int = 0
    last_checkpoint: Any = None


def _iter_records(batch: int = 5000) -> Iterator[tuple[AuditRecord, list[int]]]:
    """Every record in ``seq`` order with the keys of its subject index rows (sorted)."""
    last = 0
    while True:
        chunk = list(AuditRecord.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not chunk:
            return
        keys: dict[int, list[int]] = {}
        for seq, key in (AuditSubject.objects.filter(seq__gte=chunk[0].seq, seq__lte=chunk[-1].seq)
                         .order_by("seq", "key").values_list("seq", "key")):
            keys.setdefault(seq, []).append(key)
        for rec in chunk:
            yield rec, keys.get(rec.seq, [])
        last = chunk[-1].seq


def _record_problem(rec: AuditRecord, keys: list[int], prev: str, expected_seq: int, with_key: bool) -> str:
    """What is wrong with ``rec`` as the record after ``prev`` (``""``: nothing)."""
    if rec.seq != expected_seq:
        kind = "missing (deleted?)" if rec.seq > expected_seq else "duplicated"
        return f"record {expected_seq} is {kind}; next found is {rec.seq}"
    if rec.prev_hash != prev:
        return f"record {rec.seq} does not follow record {rec.seq - 1} (prev_hash mismatch: inserted or replaced)"
    if chain_hash(prev, {k: getattr(rec, k) for k in _FIELDS}) != rec.hash:
        return f"record {rec.seq} was edited (its content does not match its hash)"
    if with_key and not hmac.compare_digest(rec.mac, chain_mac(rec.hash)):
        return f"record {rec.seq} has no valid MAC: it was written or rewritten by someone without the audit key"
    summary = rec.detail.get("subjects") if isinstance(rec.detail, dict) else None
    if (summary or {}).get("h", _subjects_summary([], 0)["h"]) != _subjects_summary(keys, 0)["h"]:
        return f"the persons index of record {rec.seq} was changed (rows added to or removed from it)"
    return ""


def verify(*, with_key: bool = True, checkpoints: Sequence[Any] = ()) -> VerifyResult:
    """Walk the whole chain; return the first record that was deleted, inserted or edited.

    Checks, in order for each record: its ``seq`` follows the previous one (a gap means a deleted record),
    its ``prev_hash`` is the previous record's hash, its ``hash`` matches its content, its ``mac`` is the
    keyed MAC of its hash (``with_key``: skip it where the audit key is not at hand, e.g. an outside
    auditor with a copy of the database), its subject index rows match the digest its content names; that
    every checkpoint (``core.checkpoints.Checkpoint``, signatures already checked) names a record that is
    there with that hash; that the last record is the one the head names. An empty trail fails: without a
    checkpoint it cannot be told from an emptied one.
    """
    by_seq: dict[int, list[Any]] = {}
    for cp in checkpoints:
        by_seq.setdefault(cp.seq, []).append(cp)
    prev, expected_seq, checked, anchored, last_cp = GENESIS, 1, 0, 0, None
    for rec, keys in _iter_records():
        if problem := _record_problem(rec, keys, prev, expected_seq, with_key):
            return VerifyResult(False, checked, problem, expected_seq if rec.seq != expected_seq else rec.seq,
                                anchored, last_cp)
        for cp in by_seq.get(rec.seq, ()):
            if cp.hash != rec.hash:
                return VerifyResult(False, checked, f"record {rec.seq} is not the record the checkpoint of {cp.at} "
                                    f"names (hash {cp.hash[:16]}…, now {rec.hash[:16]}…): the trail was rewritten "
                                    f"up to record {rec.seq}", rec.seq, anchored, last_cp)
            anchored, last_cp = anchored + 1, cp
        prev, expected_seq, checked = rec.hash, expected_seq + 1, checked + 1
    beyond = [cp for cp in checkpoints if cp.seq > checked]
    if beyond:
        cp = max(beyond, key=lambda c: c.seq)
        return VerifyResult(False, checked, f"the trail ends at record {checked} but the checkpoint of {cp.at} names "
                            f"record {cp.seq}: records were removed (the trail was emptied or cut short)",
                            checked + 1, anchored, last_cp)
    if checked == 0:
        return VerifyResult(False, 0, "the trail is empty: nothing to verify, and without a checkpoint an emptied "
                            "trail cannot be told from a new one (keep checkpoints: pingan audit checkpoint)", 1)
    head = AuditHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev:
        return VerifyResult(False, checked, f"the chain ends at record {checked} but its head names record "
                            f"{head_seq}: records were removed from the end", checked + 1, anchored, last_cp)
    return VerifyResult(True, checked, anchored=anchored, last_checkpoint=last_cp)
