"""The risk datasets pingan names itself read in the reader's language (issue 11: the demo's Chinese output said
"风险地区名单：NHC risk areas 2022 (bundled)" and "关注名单：UN SC consolidated list (bundled, 2026-02-27)")."""

from __future__ import annotations

import pytest
from django.utils import translation
from page_language import assert_language

from pingan.screening import riskimport
from pingan.screening.labels import dataset_label

STORED = ["NHC risk areas 2022 (bundled)", "UN SC consolidated list (bundled, 2026-02-27)",
          "NHC risk areas (snapshots)", "UN SC consolidated list (consolidated.xml)", "OFAC SDN (sdn)"]


@pytest.mark.parametrize("name", STORED)
def test_a_dataset_pingan_names_reads_in_the_readers_language(name):
    with translation.override("zh-hans"):
        zh = dataset_label(name)
    with translation.override("en"):
        en = dataset_label(name)
    assert_language(zh, "zh-hans", ["2026-02-27", "snapshots", "consolidated.xml", "sdn", "OFAC"])
    assert_language(en, "en", [])
    assert zh != name


def test_the_names_riskimport_stores_are_the_ones_labelled():
    """The importer's own names (a change there must change :data:`DATASET_NAMES` too)."""
    import inspect

    source = inspect.getsource(riskimport)
    assert '"NHC risk areas 2022 (bundled)"' in source and '"UN SC consolidated list (bundled, 2026-02-27)"' in source


def test_a_name_an_operator_gave_stays_as_it_is():
    with translation.override("zh-hans"):
        assert dataset_label("厦门行程 2022-08") == "厦门行程 2022-08"
