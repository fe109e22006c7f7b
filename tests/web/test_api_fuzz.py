"""schemathesis against the OpenAPI schema: no 5xx, every response as documented."""

import tempfile

from hypothesis import HealthCheck, settings
from schemathesis import openapi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.settings import Settings
from app.web.app import create_app

app = create_app(Settings(database_url=f"sqlite:///{tempfile.mkdtemp()}/fuzz.db"))
schema = openapi.from_asgi("/openapi.json", app).include(path_regex="^/api/")


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_every_generated_request_as_its_schema_says(case):
    # A schema-valid command can still be refused with 422 (an unknown guest, a disk op on
    # a NIC): those rules live in the scenario, not in the schema, so that check is off.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
