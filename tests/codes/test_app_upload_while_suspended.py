"""While a partial roster keeps the code suspended, the upload page keeps saying who is missing and that they
belong on the next roster (issue 11, fresh-user trial: after a partial roster with nobody flagged on it
suspended the code, /screening/upload/ said nothing of the missing people — it had before the upload)."""

from __future__ import annotations

import pytest
from test_app_left_out import roster
from test_app_partial_roster_words import get
from test_app_support import isolated, sign_in  # noqa: F401 - fixture

from pingan.codes.models import CodeReview

pytestmark = pytest.mark.usefixtures("isolated")

SAID = {"zh-hans": ("1 名在此前名单中为黄色、红色或待核实的人员不在", "请把他们写入下一份名单"),
        "en": ("1 person who was yellow, red or unresolved on an earlier roster is not on the roster of",
               "put them on the next roster")}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_upload_page_names_the_missing_people_while_the_code_is_suspended(client, cast, language):
    sign_in(client, cast.landlord_a)
    roster(cast.premises_a, ["green", "yellow"])  # a yellow code
    roster(cast.premises_a, ["green"])  # the yellow tenant left out, nobody flagged on the new roster: suspended
    assert CodeReview.objects.filter(premises=cast.premises_a, status="open", kind="suspension").exists()
    upload = get(client, "/screening/upload/", language)
    notice = upload[upload.index('id="full-roster"'):upload.index("</div>", upload.index('id="full-roster"'))]
    assert all(w in notice for w in SAID[language]) and cast.premises_a.name in notice, notice
