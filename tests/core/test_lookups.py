"""``__in`` with integers no column can hold matches nothing on every database (``core.lookups``): SQLite's
driver raised ``OverflowError`` for them (a 500 from ``POST /api/v1/alerts-dead-letters/replay`` with
``{"ids": [2**70]}`` on the embedded default)."""

from __future__ import annotations

import pytest

from pingan.core.models import OrgUnit, User

pytestmark = pytest.mark.django_db

HUGE, TINY = 2**70, -(2**70)


def test_out_of_range_ids_in_a_list_match_nothing_and_the_others_still_match(cast):
    a = cast.officer_a
    for values in ([HUGE], [TINY], [HUGE, TINY]):
        assert list(User.objects.filter(pk__in=values)) == []
        assert list(User.objects.filter(id__in=values)) == []
        assert User.objects.exclude(pk__in=values).count() == User.objects.count()
    assert list(User.objects.filter(pk__in=[HUGE, a.pk, TINY])) == [a]
    assert list(User.objects.filter(pk__in={HUGE, a.pk})) == [a]  # any iterable, as Django takes
    assert list(User.objects.filter(pk__in=(str(a.pk), str(HUGE)))) == [a]  # strings are converted first
    # 2**63 - 1 is the largest bigint: still a value a column holds, and asked for
    assert list(User.objects.filter(pk__in=[2**63 - 1])) == []


def test_foreign_keys_too(cast):
    a = cast.officer_a
    assert list(User.objects.filter(unit_id__in=[HUGE])) == []
    assert list(User.objects.filter(unit__in=[HUGE, TINY])) == []
    assert set(User.objects.filter(unit__in=[HUGE, cast.unit_a.pk])) == set(User.objects.filter(unit=cast.unit_a))
    assert a in User.objects.filter(unit_id__in=[cast.unit_a.pk, HUGE])
    assert User.objects.exclude(unit_id__in=[HUGE]).count() == User.objects.count()
    assert list(User.objects.filter(unit_id=HUGE)) == list(User.objects.filter(unit=TINY)) == []
    assert User.objects.exclude(unit_id=HUGE).count() == User.objects.count()
    assert list(User.objects.filter(unit=cast.unit_a.pk, pk=a.pk)) == [a]
    # a sub-query is left alone
    assert a in User.objects.filter(unit__in=OrgUnit.objects.filter(pk=cast.unit_a.pk))
