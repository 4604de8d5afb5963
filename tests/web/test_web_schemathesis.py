"""Property-based API testing: schemathesis generates requests from the OpenAPI document; none may get a 5xx.

Runs in-process against the WSGI application (same database transaction as the test), authenticated with
API tokens of a landlord and of an officer, a few examples per operation.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = 8


@pytest.mark.parametrize("who", ["landlord_a", "officer_a"])
def test_it_answers_generated_requests_without_server_errors(cast, screened, who):
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    from pingan.core.services import token_create

    secret = token_create(user=getattr(cast, who), name="schemathesis", purpose="epidemic_screening").secret

    failures: list[str] = []
    statuses: set[int] = set()

    def check(case) -> None:
        response = case.call(headers={"Authorization": f"Bearer {secret}"})
        statuses.add(response.status_code)
        if response.status_code >= 500:
            failures.append(f"{case.operation.label}: {response.status_code} for {case.path_parameters} "
                            f"{case.query} → {response.text[:300]}")

    # the WSGI handler closes the database connection after each request, which would end the test's
    # transaction; Django's own test client detaches the same receivers for the same reason
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
        operations = [r.ok() for r in schema.get_all_operations()]
        assert len(operations) >= 10
        for operation in operations:
            run = given(case=operation.as_strategy())(check)
            settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                     suppress_health_check=list(HealthCheck))(run)()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    assert not failures, "\n".join(failures)
    assert 200 in statuses and statuses & {404, 422}  # the generated requests did reach the handlers
