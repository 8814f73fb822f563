"""The OpenAPI schema and its docs page: generated without warnings, valid, and served offline."""

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command


def test_schema_generation_is_valid_and_free_of_warnings(tmp_path):
    # --fail-on-warn turns any drf-spectacular warning (an untyped field, an unresolvable path
    # parameter, an authenticator without a schema) into an error; --validate checks it against OpenAPI 3.
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/restaurants/{restaurant_id}/tables/" in target.read_text()


@pytest.mark.django_db
def test_the_schema_describes_api_key_auth_tags_and_the_error_shape(client):
    schema = client.get("/api/schema/?format=json").json()
    scheme = schema["components"]["securitySchemes"]["ApiKeyAuth"]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "Authorization"}
    assert "Api-Key <key>" in scheme["description"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("tags"), f"{method.upper()} {path} has no tag"
            assert {"ApiKeyAuth": []} in operation["security"], f"{method.upper()} {path} omits key auth"
            not_found = operation["responses"]["404"]["content"]["application/json"]["schema"]
            assert not_found == {"$ref": "#/components/schemas/Error"}


@pytest.mark.django_db
def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()  # nothing fetched from the internet
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
