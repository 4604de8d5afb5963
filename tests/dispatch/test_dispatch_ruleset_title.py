"""An operation's temporary rule set stored its title as "中文 / English" in one string (issue 11); it now
keeps a program's title and the template's title per language beside it."""

from __future__ import annotations

import datetime as dt
import re

from pingan.alerts import rules as alert_rules
from pingan.dispatch import optemplates


def test_the_temporary_rule_set_has_no_bilingual_title():
    start = dt.datetime(2026, 12, 1, 18, tzinfo=dt.UTC)
    for t in optemplates.bundled().values():
        doc = optemplates.ruleset_document(t, lon=118.1, lat=24.47, op_id=7, starts_at=start,
                                           ends_at=start + dt.timedelta(hours=4))
        assert not re.search(r"[\u4e00-\u9fff]", doc["title"]) and " / " not in doc["title"], doc["title"]
        assert doc["title_text"] == {"zh": t.title_zh, "en": t.title_en}
        stored = optemplates.document_from_storage(optemplates.document_for_storage(doc))
        assert alert_rules.parse_ruleset(stored, path="operation 7").id == "op-7"
