"""The page messages of domain errors (pingan.core.error_messages) against the services' source.

The source is read, not run: every ``DomainError`` (or subclass) constructed outside an API handler names a
message id that the table either translates or lists as never shown on a page, and every translated
template's placeholders are filled by the ``params`` the raise passes. A new error code therefore cannot
reach a page untranslated without this file failing.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import translation

import pingan
from pingan.codes.models import Dispute, LevelOverride
from pingan.core.error_messages import NO_PAGE_MESSAGE, PAGE_MESSAGES, page_message, placeholders
from pingan.core.errors import DomainError, NotFound, PermissionDenied

SRC = Path(pingan.__file__).parent
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Raise:
    where: str
    message_id: str
    params: frozenset[str]


def _modules() -> list[Path]:
    # API handlers answer with problem details (English detail, stable code) and never reach a page.
    return sorted(p for p in SRC.rglob("*.py") if p.name != "api.py" and "migrations" not in p.parts)


def _error_classes(trees: dict[Path, ast.Module]) -> dict[str, str]:
    """Class name → default code, for DomainError and every subclass defined in the scanned source."""
    classes = {"DomainError": "domain_error"}
    grew = True
    while grew:
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if not isinstance(node, ast.ClassDef) or node.name in classes:
                    continue
                bases = [b.id for b in node.bases if isinstance(b, ast.Name) and b.id in classes]
                if not bases:
                    continue
                code = classes[bases[0]]
                for stmt in node.body:
                    if (isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "code"
                                                             for t in stmt.targets)
                            and isinstance(stmt.value, ast.Constant)):
                        code = stmt.value.value
                classes[node.name] = code
                grew = True
    return classes


def _enclosing_functions(tree: ast.Module) -> dict[ast.AST, ast.FunctionDef]:
    """Node → its innermost enclosing function (ast.walk is breadth-first: inner functions come later)."""
    owner: dict[ast.AST, ast.FunctionDef] = {}
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef):
            for node in ast.walk(fn):
                if node is not fn:
                    owner[node] = fn
    return owner


def _literal_values(expr: ast.expr, node: ast.AST, tree: ast.Module, owner: dict, where: str,
                    trees: dict | None = None) -> list[str]:
    """The string values ``expr`` can take: a constant, or a parameter of the enclosing function given as a
    constant at every call of that function in the same module — or, for a shared helper never called in its own
    module (``core.errors.required_text``), at every call of it by name in the scanned source."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return [expr.value]
    fn = owner.get(node)
    if isinstance(expr, ast.Name) and fn is not None:
        args = fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs
        names = [a.arg for a in args]
        if expr.id in names:
            values = []
            calls = [c for c in ast.walk(tree) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
                     and c.func.id == fn.name]
            if not calls and trees is not None and not fn.name.startswith("_"):
                calls = [c for t in trees.values() for c in ast.walk(t) if isinstance(c, ast.Call)
                         and getattr(c.func, "id", getattr(c.func, "attr", None)) == fn.name]
            for call in calls:
                given = {k.arg: k.value for k in call.keywords}
                pos = names.index(expr.id)
                arg = given.get(expr.id, call.args[pos] if pos < len(call.args) else None)
                assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), \
                    f"{where}: {fn.name}() is called with a non-literal {expr.id}"
                values.append(arg.value)
            assert values, f"{where}: {fn.name}() is never called"
            return values
    raise AssertionError(f"{where}: the error's code or message_id is neither a literal nor a parameter")


def raises_in_source() -> list[Raise]:
    trees = {p: ast.parse(p.read_text(), str(p)) for p in _modules()}
    classes = _error_classes(trees)
    found = []
    for path, tree in trees.items():
        owner = _enclosing_functions(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in classes):
                continue
            where = f"{path.relative_to(SRC)}:{node.lineno}"
            kw = {k.arg: k.value for k in node.keywords}
            chosen = kw.get("message_id", kw.get("code"))
            ids = [classes[node.func.id]] if chosen is None else _literal_values(chosen, node, tree, owner, where,
                                                                                 trees)
            params = kw.get("params")
            if params is None:
                keys: set[str] = set()
            elif isinstance(params, ast.Dict):
                keys = set()
                for k, v in zip(params.keys, params.values, strict=True):
                    if k is None:  # **helper(...): the helper's returned dict literal (this module's, or
                        # module.helper(...) of another scanned module, e.g. textchars.named)
                        name = getattr(v.func, "id", None) or getattr(v.func, "attr", None)
                        helper = next(f for t in ([tree] if isinstance(v.func, ast.Name) else trees.values())
                                      for f in ast.walk(t) if isinstance(f, ast.FunctionDef) and f.name == name)
                        keys |= _returned_keys(helper, where)
                    else:
                        keys.add(k.value)
            elif isinstance(params, ast.Call):
                helper = next((f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)
                               and f.name == getattr(params.func, "id", None)), None)
                assert helper is not None, f"{where}: params must be a dict literal or a helper of this module"
                keys = _returned_keys(helper, where)
            else:
                raise AssertionError(f"{where}: params must be a dict literal or a helper of this module")
            found += [Raise(where, i, frozenset(keys)) for i in ids]
    return found


def _returned_keys(fn: ast.FunctionDef, where: str) -> set[str]:
    """The keys of the dict literal ``fn`` returns; a key that is a keyword-only parameter is its default."""
    returns = [n.value for n in ast.walk(fn) if isinstance(n, ast.Return)]
    assert len(returns) == 1 and isinstance(returns[0], ast.Dict), f"{where}: {fn.name} must return a dict literal"
    defaults = {a.arg: d.value for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True)
                if isinstance(d, ast.Constant)}
    return {defaults[k.id] if isinstance(k, ast.Name) else k.value for k in returns[0].keys}


RAISES = raises_in_source()


def test_it_finds_the_errors_of_every_app():
    ids = {r.message_id for r in RAISES}
    # one from each place, including a code passed through the _clean_text helper and a class default
    assert {"not_screened", "text_too_long", "outcome_required", "unknown_adcode", "empty_upload",
            "no_risk_data", "bad_watchlist", "not_found", "permission_denied"} <= ids
    assert len(RAISES) > 50


def test_every_message_id_raised_outside_the_api_is_either_translated_or_never_on_a_page():
    missing = sorted({f"{r.message_id} ({r.where})" for r in RAISES
                      if r.message_id not in PAGE_MESSAGES and r.message_id not in NO_PAGE_MESSAGE})
    assert missing == [], "add these to PAGE_MESSAGES (translated) or NO_PAGE_MESSAGE"


def test_the_table_has_no_entry_that_nothing_raises():
    raised = {r.message_id for r in RAISES}
    assert set(PAGE_MESSAGES) - raised == set()
    assert NO_PAGE_MESSAGE - raised == set()
    assert set(PAGE_MESSAGES) & NO_PAGE_MESSAGE == set()


def said(template) -> str:
    """A page message's text in the active language; a message of one or several (``ngettext_lazy(…, "n")``,
    whose ``str()`` is empty) both forms."""
    from django.utils.translation import ngettext

    kw = getattr(template, "_kw", {})  # a lazy translation's arguments
    if "plural" in kw:
        return " ".join(ngettext(kw["singular"], kw["plural"], n) for n in (1, 2))
    return str(template)


def test_every_raise_gives_the_values_its_page_message_needs():
    unfilled = [f"{r.where} {r.message_id}: {sorted(placeholders(said(PAGE_MESSAGES[r.message_id])) - r.params)}"
                for r in RAISES if r.message_id in PAGE_MESSAGES
                and not placeholders(said(PAGE_MESSAGES[r.message_id])) <= r.params]
    assert unfilled == []


@pytest.mark.parametrize("message_id", sorted(PAGE_MESSAGES))
def test_every_page_message_has_a_chinese_translation_with_the_same_placeholders(message_id):
    template = PAGE_MESSAGES[message_id]
    with translation.override("en"):
        en = said(template)
    with translation.override("zh-hans"):
        zh = said(template)
    assert CJK.search(zh), zh
    assert CJK.search(en) is None, en
    assert placeholders(zh) == placeholders(en)


def test_the_page_message_fills_in_the_params_in_the_active_language():
    exc = DomainError("premises 7 (莲前出租屋) has never been screened", code="not_screened",
                      params={"premises_id": 7, "premises": "莲前出租屋"})
    with translation.override("zh-hans"):
        assert page_message(exc) == "“莲前出租屋”尚未筛查过：请先提交名单；平安码等级以最近一次筛查为准。"
    with translation.override("en"):
        assert page_message(exc) == ("莲前出租屋 has never been screened: submit a roster first; the safety code's "
                                     "level comes from the latest screening.")
    assert exc.message == "premises 7 (莲前出租屋) has never been screened"  # what the API says is unchanged


def test_a_status_is_shown_by_its_label_in_the_active_language():
    exc = DomainError("dispute 3 was already upheld", code="already_resolved",
                      params={"dispute": 3, "status": Dispute.Status.UPHELD})
    with translation.override("zh-hans"):
        assert page_message(exc) == "纠错申请（3）已处理（已支持）。"  # no such request here: the id stays
    exc = DomainError("level change 4 was already approved", code="already_decided",
                      params={"override": 4, "status": LevelOverride.Status.APPROVED})
    with translation.override("en"):
        assert page_message(exc) == "The level change 4 was already decided (approved)."


@pytest.mark.django_db
def test_a_page_message_names_a_record_by_its_date_not_its_id(cast):
    """Issue 11: "the roster of screening job 20 …". A page names a level change by when it was requested (the
    API's English ``message`` keeps the id)."""
    from django.utils import timezone

    from pingan.codes.models import LevelOverride

    ov = LevelOverride.objects.create(premises=cast.premises_a, level="green", reason="r", requested_by=cast.officer_a)
    when = timezone.localtime(ov.requested_at).strftime("%Y-%m-%d %H:%M")
    exc = DomainError(f"level change {ov.pk} was already approved", code="already_decided",
                      params={"override": ov.pk, "status": LevelOverride.Status.APPROVED})
    with translation.override("en"):
        assert page_message(exc) == f"The level change requested on {when} was already decided (approved)."
    with translation.override("zh-hans"):
        assert page_message(exc) == f"等级调整申请（{when} 提出）已审批（已批准）。"


def test_an_unknown_code_falls_back_to_the_english_message():
    exc = DomainError("something new went wrong", code="brand_new_code")
    with translation.override("zh-hans"):
        assert page_message(exc) == "something new went wrong"


def test_a_raise_missing_a_param_falls_back_to_the_english_message(caplog):
    exc = DomainError("premises 7 has no current code to change", code="no_code")  # no params given
    with translation.override("zh-hans"):
        assert page_message(exc) == "premises 7 has no current code to change"
    assert "no_code" in caplog.text


def test_the_message_id_defaults_to_the_code_and_the_class_default():
    assert DomainError("x", code="four_eyes").message_id == "four_eyes"
    assert PermissionDenied("x").message_id == "permission_denied"
    assert NotFound("x", message_id="finer").code == "not_found"
    assert DomainError("x", code="c", params={"a": 1}).params == {"a": 1}


def test_pages_never_show_the_english_message_of_a_domain_error():
    """A view passing ``exc.message`` to a flash message or a form error would bypass the table."""
    shown = []
    for path in sorted(SRC.rglob("views.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                    node.func.attr == "add_error" or getattr(node.func.value, "id", None) == "messages"):
                for arg in node.args:
                    if isinstance(arg, ast.Attribute) and arg.attr == "message":
                        shown.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert shown == []
