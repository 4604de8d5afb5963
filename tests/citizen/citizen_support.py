"""Synthetic people for the citizen tests: Faker zh_CN names and resident ID numbers (Faker's zh_CN ``ssn``
gives GB 11643 numbers with a valid ISO 7064 MOD 11-2 check character), registered in Siming district.
None of them exists."""

from __future__ import annotations

import datetime as dt

from faker import Faker

PASSWORD = "correct horse battery staple"
# A Wednesday: the booking window (next day to 7 working days ahead) is Thu 2026-03-05 … Fri 2026-03-13.
TODAY = dt.date(2026, 3, 4)


def _faker(seed: int) -> Faker:
    f = Faker("zh_CN")
    f.seed_instance(seed)
    return f


def id_number(seed: int) -> str:
    return _faker(seed).ssn(min_age=18, max_age=70, area_code="350203")


def fake_name(seed: int) -> str:
    return _faker(seed).name()


def make_citizen(username: str, seed: int):
    from pingan.citizen import services

    return services.citizen_register(username=username, password=PASSWORD, name=fake_name(seed),
                                     id_number=id_number(seed))
