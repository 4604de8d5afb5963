"""``pingan.lib.gcpause.gc_paused`` is the one way pingan pauses the cyclic garbage collector."""

from __future__ import annotations

import gc
import re
from pathlib import Path

import pytest

from pingan.lib.gcpause import gc_paused

SRC = Path(__file__).resolve().parents[2] / "src" / "pingan"


@pytest.mark.parametrize("enabled", [True, False])
def test_it_pauses_and_restores_what_was_there_even_on_an_error(enabled):
    before = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(RuntimeError), gc_paused():
            assert not gc.isenabled()
            raise RuntimeError
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if before else gc.disable)()


def test_no_module_pauses_the_collector_by_hand():
    """screening.roster switched it off and on again itself (issue 11's sweep)."""
    found = [str(path.relative_to(SRC)) for path in SRC.rglob("*.py") if path.name != "gcpause.py"
             and re.search(r"\bgc\.disable\(\)", path.read_text(encoding="utf-8"))]
    assert found == []
