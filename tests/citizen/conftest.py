"""Citizen-services fixtures: two citizens with identities (synthetic: Faker zh_CN names, valid GB 11643
numbers generated for the test), the catalogue, and a counter at each of stations A and B."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from citizen_support import make_citizen


@dataclass
class World:
    alice: object
    bob: object
    counter_a: object
    counter_b: object


@pytest.fixture
def world(cast) -> World:
    from pingan.citizen import services

    services.catalogue_load()
    ca = services.counter_create(unit=cast.unit_a, name="莲前派出所户政窗口", services=[
        "residence_permit_first", "residence_permit_endorsement", "id_card_replacement", "household_move_in"],
        sessions=[["08:30", "12:00"], ["14:30", "17:30"]], slot_minutes=30, capacity=2)
    cb = services.counter_create(unit=cast.unit_b, name="江头派出所户政窗口", services=["id_card_replacement"],
                                 sessions=[["09:00", "12:00"]], slot_minutes=60, capacity=1)
    return World(make_citizen("alice", seed=1), make_citizen("bob", seed=2), ca, cb)


@pytest.fixture(autouse=True)
def _purpose_of_use():
    """Service and selector tests act as a police user who declared a purpose (pages and tokens do it)."""
    from pingan.core import audit

    token = audit.set_context(audit.AuditContext(purpose="citizen_services"))
    yield
    audit.reset_context(token)
