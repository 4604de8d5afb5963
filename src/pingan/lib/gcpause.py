"""Python's cyclic garbage collector paused while a block builds or copies a large acyclic structure.

Pure module (no Django). Hundreds of thousands of new containers (lists, dicts, tuples) that form no cycle
make the collector pass over the growing heap again and again: a large share of the work's time.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off; afterwards it is on again only if it was on before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
