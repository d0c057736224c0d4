"""RCRAInfo's answers classified: by status and body shape into domain results or one error
with a kind (the table in `haztrak.adapters.rcrainfo.answers`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from haztrak.adapters.rcrainfo import answers
from haztrak.adapters.rcrainfo.answers import Answer
from haztrak.application.ports.rcrainfo import RcrainfoError, RcrainfoErrorKind

Kind = RcrainfoErrorKind
FIXTURES = Path(__file__).parents[3] / "fixtures"
EXAMPLES = FIXTURES / "emanifest" / "examples"


def fixture(path: Path) -> Any:
    return json.loads(path.read_text())


def error_doc(code: str, message: str = "a message", key: str = "code") -> dict[str, str]:
    return {key: code, "message": message, "errorId": "e1", "date": "2024-01-01T00:00:00Z"}


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (401, "E_SecurityApiInvalidCredentials", Kind.UNAUTHORIZED),
        (401, "E_SecurityApiIdLocked", Kind.UNAUTHORIZED),
        (401, "E_SecurityApiInvalidStatus", Kind.UNAUTHORIZED),
        (401, "E_SecurityApiTokenExpired", Kind.TRANSIENT),  # still, right after a new login
        (401, "E_SecurityApiTokenInvalid", Kind.TRANSIENT),
        (403, "E_SitePermissions", Kind.FORBIDDEN),
        (401, "E_IndustryPermissions", Kind.FORBIDDEN),
        (400, "E_GeneratorAuthorizationSave", Kind.FORBIDDEN),
        (400, "E_BrokerAuthorizationSave", Kind.FORBIDDEN),
        (404, "E_ManifestTrackingNumberNotFound", Kind.NOT_FOUND),
        (400, "E_SiteIsNotFound", Kind.NOT_FOUND),
        (404, "E_ProperShippingNameNotFound", Kind.NOT_FOUND),
        (400, "E_ManifestLockedAsyncSign", Kind.LOCKED),
        (400, "E_ManifestLockedEpaChangeBiller", Kind.LOCKED),
        (400, "E_InvalidManifestTrackingNumber", Kind.VALIDATION),
        (400, "E_IncorrectStatusForDelete", Kind.VALIDATION),
        (400, "E_SystemError", Kind.VALIDATION),
        (500, "E_SystemError", Kind.TRANSIENT),
        (503, "E_SystemError", Kind.TRANSIENT),
        (429, "E_TooManyRequests", Kind.TRANSIENT),
    ],
)
def test_error_documents_by_code(status: int, code: str, kind: RcrainfoErrorKind) -> None:
    error = answers.failure(Answer(status, error_doc(code, "EPA says no")), "the call")
    assert (error.kind, error.code, error.message) == (kind, code, "EPA says no")
    assert error.retryable is (kind is Kind.TRANSIENT)


def test_codes_come_as_error_and_padded_with_spaces() -> None:
    assert answers.error_code({"error": "E_BillingAdminPermissions"}) == "E_BillingAdminPermissions"
    assert answers.error_code({"code": " E_InvalidIdNumber "}) == "E_InvalidIdNumber"
    error = answers.failure(Answer(400, error_doc(" E_SitePermissions ", key="error")), "x")
    assert (error.kind, error.code) == (Kind.FORBIDDEN, "E_SitePermissions")


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, Kind.UNAUTHORIZED),
        (403, Kind.FORBIDDEN),
        (404, Kind.NOT_FOUND),
        (400, Kind.VALIDATION),
        (408, Kind.TRANSIENT),
        (502, Kind.TRANSIENT),
    ],
)
def test_answers_without_a_code_go_by_status(status: int, kind: RcrainfoErrorKind) -> None:
    error = answers.failure(Answer(status, None), "the site details")
    assert error.kind is kind
    assert error.code is None
    assert f"HTTP {status}" in error.message


@pytest.mark.parametrize("status", [200, 400, 502, 503])
def test_a_body_that_is_not_json_is_transient(status: int) -> None:
    answer = answers.read_answer(status, b"<html>Service Unavailable</html>")
    assert not answer.readable
    assert answers.failure(answer, "the call").kind is Kind.TRANSIENT


def test_a_success_of_the_wrong_shape_is_transient() -> None:
    with pytest.raises(RcrainfoError) as caught:
        answers.data_list(Answer(200, {"unexpected": True}), "the lookup")
    assert caught.value.kind is Kind.TRANSIENT
    with pytest.raises(RcrainfoError):
        answers.data_object(Answer(200, ["a"]), "the site")


def test_empty_bodies_read_as_none() -> None:
    assert answers.read_answer(204, b"  ") == Answer(204, None)


def test_token_problems_are_told_apart() -> None:
    for code in answers.TOKEN_CODES:
        assert answers.is_token_problem(Answer(401, error_doc(code)))
    assert not answers.is_token_problem(Answer(401, error_doc("E_SecurityApiInvalidCredentials")))
    assert not answers.is_token_problem(Answer(200, {"code": "E_SecurityApiTokenExpired"}))


def test_only_credential_codes_refuse_credentials() -> None:
    refused = answers.failure(Answer(401, error_doc("E_SecurityApiIdLocked")), "x")
    forbidden = answers.failure(Answer(403, error_doc("E_SitePermissions")), "x")
    assert refused.credentials_refused
    assert not forbidden.credentials_refused


@pytest.mark.parametrize("body", [None, {"message": "Unauthorized"}])
def test_a_bare_401_is_no_refusal_of_the_credentials(body: object) -> None:
    """EPA (NOTES §1.3): E_SecurityApiInvalidCredentials, E_SecurityApiIdLocked and
    E_SecurityApiInvalidStatus refuse a key; a gateway's 401 without one of them does not."""
    for error in (
        answers.failure(Answer(401, body), "x"),
        answers.login_failure(Answer(401, body)),
    ):
        assert error.kind is Kind.UNAUTHORIZED  # the call fails, and is not repeated
        assert not error.credentials_refused
    assert answers.login_failure(
        Answer(401, error_doc("E_SecurityApiInvalidCredentials"))
    ).credentials_refused


def test_epas_failure_example_is_validation_with_its_field_paths() -> None:
    body = fixture(EXAMPLES / "emanifest-return-failure-example.json")
    error = answers.failure(Answer(400, body), "the manifest")
    assert error.kind is Kind.VALIDATION
    assert [(e.field, e.message) for e in error.field_errors] == [
        (e["field"], e["message"]) for e in body["errors"]
    ]
    assert error.message.startswith("e-Manifest refused the manifest: Emanifest.wastes.0: ")
    assert error.message.endswith("(and 5 more)")
    with pytest.raises(RcrainfoError) as caught:
        answers.save_report(Answer(200, body), "the manifest")  # Failed, whatever the status
    assert [e.field for e in caught.value.field_errors] == [e["field"] for e in body["errors"]]


def test_a_success_keeps_warnings_of_entity_reports_in_both_spellings() -> None:
    body = fixture(
        EXAMPLES / "Scenario-1-emanifest-update-valid-Full-Electronic-example-response.json"
    )
    report = answers.save_report(Answer(200, body), "the update")
    assert (report.manifest_tracking_number, report.operation_status) == ("100032437ELC", "Updated")
    assert report.report_id == "52647883-f0fd-44ed-8971-c1aaa5484304"
    assert [w.field for w in report.warnings] == ["Emanifest.wastes.managementMethod.code"]

    schema_spelling = {
        "operationStatus": "Saved",
        "manifestTrackingNumber": "123456789ELC",
        "warnings": [{"message": "top", "field": "Emanifest.status"}],
        "generatorReport": {"warnings": [{"message": "gen", "field": "g"}]},
        "transportersReports": [{"warnings": [{"message": "t", "field": "t", "value": 2}]}],
        "wastesReports": [{"warnings": [{"message": "w", "field": "w"}]}],
    }
    report = answers.save_report(Answer(200, schema_spelling), "the manifest")
    assert [(w.field, w.value) for w in report.warnings] == [
        ("Emanifest.status", None),
        ("g", None),
        ("t", "2"),
        ("w", None),
    ]


def test_a_success_without_warnings() -> None:
    body = fixture(EXAMPLES / "emanifest-return-success-example-no-warnings.json")
    report = answers.save_report(Answer(200, body), "the manifest")
    assert (report.manifest_tracking_number, report.warnings) == ("555555558CTN", [])


def test_errors_in_entity_reports_refuse_even_without_failed() -> None:
    body = {
        "operationStatus": "Saved",
        "manifestTrackingNumber": "123456789ELC",
        "wasteReports": [{"errors": [{"message": "bad", "field": "Emanifest.wastes.0.br"}]}],
    }
    with pytest.raises(RcrainfoError) as caught:
        answers.save_report(Answer(200, body), "the manifest")
    assert caught.value.kind is Kind.VALIDATION
    assert [e.field for e in caught.value.field_errors] == ["Emanifest.wastes.0.br"]


def test_a_report_without_a_tracking_number_uses_the_one_sent() -> None:
    report = answers.save_report(Answer(200, {"operationStatus": "Deleted"}), "x", "123456789ELC")
    assert report.manifest_tracking_number == "123456789ELC"
    with pytest.raises(RcrainfoError):
        answers.save_report(Answer(200, {"operationStatus": "Saved"}), "x")


def test_an_error_document_for_a_save_is_classified_by_its_code() -> None:
    with pytest.raises(RcrainfoError) as caught:
        answers.save_report(Answer(400, error_doc("E_ManifestLockedAsyncSign")), "the update")
    assert caught.value.kind is Kind.LOCKED


def sign_body(*reports: dict[str, Any], status: str = "AllSigned") -> dict[str, Any]:
    return {
        "reportId": "r1",
        "date": "2024-01-01T00:00:00.000+0000",
        "operationStatus": status,
        "manifestReports": list(reports),
        "signerReport": {"warnings": [{"message": "noon", "field": "printedSignatureDate"}]},
        "siteReport": {"siteId": "VATESTGEN001", "siteType": "Generator"},
    }


def test_a_quicker_sign_report_gives_each_manifests_outcome() -> None:
    body = sign_body(
        {"manifestTrackingNumber": "100000001ELC", "manifestSigned": {"message": "ok"}},
        {
            "manifestTrackingNumber": "100000002ELC",
            "manifestError": {"message": "not ready", "field": "manifestTrackingNumber"},
        },
        status="PartiallySigned",
    )
    report = answers.sign_report(Answer(200, body))
    assert report.operation_status == "PartiallySigned"
    assert [(r.manifest_tracking_number, r.signed) for r in report.results] == [
        ("100000001ELC", True),
        ("100000002ELC", False),
    ]
    assert report.results[1].errors[0].value == "100000002ELC"
    assert [w.field for w in report.warnings] == ["printedSignatureDate"]


def test_a_quicker_sign_that_signed_nothing_is_validation() -> None:
    body = sign_body(
        {
            "manifestTrackingNumber": "100000002ELC",
            "errors": [{"message": "not ready", "field": "manifestTrackingNumber"}],
        },
        status="Failed",
    )
    with pytest.raises(RcrainfoError) as caught:
        answers.sign_report(Answer(400, body))
    error = caught.value
    assert error.kind is Kind.VALIDATION
    assert [(e.message, e.value) for e in error.field_errors] == [("not ready", "100000002ELC")]
    assert error.message == "Quicker Sign Failed: not ready"


def test_a_signer_error_refuses_the_whole_signature() -> None:
    body = sign_body()
    body["signerReport"]["signerError"] = {
        "message": "Printed Signature Name is required",
        "field": "printedSignatureName",
    }
    with pytest.raises(RcrainfoError) as caught:
        answers.sign_report(Answer(400, body))
    assert [e.field for e in caught.value.field_errors] == ["printedSignatureName"]


def test_a_quicker_sign_error_document_is_classified_by_its_code() -> None:
    with pytest.raises(RcrainfoError) as caught:
        answers.sign_report(Answer(403, error_doc("E_SitePermissions")))
    assert caught.value.kind is Kind.FORBIDDEN


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (401, error_doc("E_SecurityApiInvalidCredentials"), Kind.UNAUTHORIZED),
        (401, error_doc("E_SecurityApiIdLocked"), Kind.UNAUTHORIZED),
        (401, error_doc("E_IndustryPermissions"), Kind.UNAUTHORIZED),
        (401, None, Kind.UNAUTHORIZED),
        (503, error_doc("E_SystemError"), Kind.TRANSIENT),
        (500, None, Kind.TRANSIENT),
        (200, {"expiration": "soon"}, Kind.TRANSIENT),
    ],
)
def test_a_login_without_a_token(status: int, body: Any, kind: RcrainfoErrorKind) -> None:
    """Anything but a server fault refuses the credentials: a second try could lock them."""
    assert answers.login_failure(Answer(status, body)).kind is kind


def test_an_unreadable_login_answer_is_transient() -> None:
    answer = answers.read_answer(401, b"<html>proxy says no</html>")
    assert answers.login_failure(answer).kind is Kind.TRANSIENT


def test_a_transport_failure_keeps_only_the_exception_type() -> None:
    exception = ConnectionError("HTTPSConnectionPool: url: /rest/api/v1/auth/ID/THE-KEY")
    error = answers.transport_failure("the login", exception)
    assert error.kind is Kind.TRANSIENT
    assert "THE-KEY" not in error.message
    assert "ConnectionError" in error.message
    assert error.__cause__ is None


def test_user_search_results_become_permission_rows() -> None:
    body = fixture(FIXTURES / "rcrainfo" / "user_search_response.json")
    users = answers.users(body)
    assert [u.user_id for u in users] == ["DPGRAHAM4401"]
    permissions = {p.epa_site_id: p for p in users[0].permissions}
    broker = permissions["VAB000535062"]
    assert broker.site_management is True
    assert (broker.annual_report, broker.biennial_report, broker.emanifest) == ("Certifier",) * 3
    assert (broker.wiets, broker.my_rcra_id) == ("Certifier", "Certifier")


def test_missing_modules_are_none() -> None:
    body = {"users": [{"userId": "u", "sites": [{"siteId": "VATESTGEN001", "permissions": []}]}]}
    (permission,) = answers.users(body)[0].permissions
    assert (permission.site_management, permission.emanifest) == (False, "None")


def test_a_site_or_lookup_that_does_not_fit_is_unreadable() -> None:
    with pytest.raises(RcrainfoError) as caught:
        answers.site({"epaSiteId": "VATESTGEN001"}, "site details")
    assert caught.value.kind is Kind.VALIDATION
    assert "cannot read" in caught.value.message
    with pytest.raises(RcrainfoError):
        answers.code_descriptions([{"description": "no code"}], "a lookup")
    codes = answers.code_descriptions([{"code": "P", "description": "Pounds"}], "a lookup")
    assert [c.code for c in codes] == ["P"]


def test_a_recorded_manifest_reads_as_a_manifest() -> None:
    document = fixture(FIXTURES / "rcrainfo" / "manifest-100033134ELC.json")
    manifest = answers.manifest(document, "manifest 100033134ELC")
    assert manifest.manifest_tracking_number == "100033134ELC"
    with pytest.raises(RcrainfoError) as caught:
        answers.manifest({"wastes": "none"}, "manifest")
    assert caught.value.field_errors
