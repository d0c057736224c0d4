"""The OpenAPI document describes the API as it answers: what each request may hold (text
with its stored length and no NUL), the manifest bodies read raw, the arrays the lookups
answer, and the problem documents of each operation."""

from __future__ import annotations

from typing import Any

import pytest

from haztrak.entrypoints.http.app import create_app
from haztrak.entrypoints.http.text import NO_NUL
from haztrak.entrypoints.settings import load_settings

MANIFEST_BODIES = [
    ("post", "/api/manifest"),
    ("put", "/api/manifest/{mtn}"),
    ("post", "/api/manifest/validate"),
    ("post", "/api/manifest/emanifest"),
    ("post", "/api/manifest/{mtn}/correction"),
]
PUBLIC = {"/api/health", "/api/health/ready", "/api/browser/v1/auth/login"}


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    var = tmp_path_factory.mktemp("openapi")
    settings = load_settings(
        {"HT_VAR_DIR": str(var), "HT_SECRET_KEY": "openapi-" + "x" * 40}, dotenv=None
    )
    return create_app(settings, background=False).openapi_schema.to_schema()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "delete"}
    ]


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def is_string(schema: dict[str, Any]) -> bool:
    kinds = [schema.get("type")] + [s.get("type") for s in schema.get("oneOf", [])]
    return "string" in kinds and "enum" not in schema and schema.get("format") != "uuid"


def test_every_text_parameter_has_a_length_and_refuses_nul(document: dict[str, Any]) -> None:
    unbounded = [
        f"{method.upper()} {path} {parameter['name']}"
        for method, path, operation in operations(document)
        for parameter in operation.get("parameters", [])
        if parameter["in"] in {"query", "path"}
        and is_string(schema := parameter["schema"])
        and not (schema.get("maxLength") and schema.get("pattern") == NO_NUL)
    ]
    assert unbounded == []


def test_every_text_field_of_a_request_body_has_a_length_and_refuses_nul(
    document: dict[str, Any],
) -> None:
    unbounded = []
    for method, path, operation in operations(document):
        if (method, path) in MANIFEST_BODIES or "requestBody" not in operation:
            continue
        body = resolve(document, operation["requestBody"]["content"]["application/json"]["schema"])
        for name, field in body["properties"].items():
            items = field.get("items", {})
            for schema in (field, resolve(document, items) if items else {}):
                if is_string(schema) and not (
                    schema.get("maxLength") and schema.get("pattern") == NO_NUL
                ):
                    unbounded.append(f"{method.upper()} {path} {name}")
    assert unbounded == []


@pytest.mark.parametrize(("method", "path"), MANIFEST_BODIES)
def test_manifest_endpoints_take_epas_manifest(
    document: dict[str, Any], method: str, path: str
) -> None:
    body = document["paths"][path][method]["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Manifest"
    }
    manifest = document["components"]["schemas"]["Manifest"]
    assert {"manifestTrackingNumber", "generator", "transporters", "wastes"} <= set(
        manifest["properties"]
    )


@pytest.mark.parametrize(
    ("path", "item"),
    [
        ("/api/emanifest/code", {"type": "string"}),
        ("/api/emanifest/code/{name}", {"$ref": "#/components/schemas/CodeDescription"}),
        ("/api/waste/code/federal", {"$ref": "#/components/schemas/CodeDescription"}),
        ("/api/waste/code/state/{state_code}", {"$ref": "#/components/schemas/CodeDescription"}),
        ("/api/waste/dot/{kind}", {"type": "string"}),
    ],
)
def test_lookups_answer_arrays(document: dict[str, Any], path: str, item: Any) -> None:
    ok = document["paths"][path]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"items": item, "type": "array"}


def test_a_partys_order_is_an_integer(document: dict[str, Any]) -> None:
    order = document["components"]["schemas"]["PartyOut"]["properties"]["order"]
    assert order == {"oneOf": [{"type": "integer"}, {"type": "null"}]}


def test_every_operation_documents_its_problems(document: dict[str, Any]) -> None:
    undocumented = []
    for method, path, operation in operations(document):
        if not path.startswith("/api/browser/"):
            responses = operation["responses"]
            problems = {
                status
                for status, response in responses.items()
                if "application/problem+json" in response.get("content", {})
            }
            public = path in PUBLIC or path.startswith(("/api/waste", "/api/emanifest/code"))
            wanted = set() if public else {"401"}
            if operation.get("parameters") or "requestBody" in operation:
                wanted.add("422")
            if not wanted <= problems:
                undocumented.append(f"{method.upper()} {path}: {sorted(wanted - problems)}")
    assert undocumented == []
