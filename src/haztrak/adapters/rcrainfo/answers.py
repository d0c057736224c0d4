"""RCRAInfo's answers as domain results or one `RcrainfoError` with a kind.

The client never raises on HTTP errors and EPA does not document status codes per error, so an
answer is classified by its status and by the shape of its body (NOTES §1.4):

| answer                                              | result                               |
|-----------------------------------------------------|--------------------------------------|
| 2xx, the expected shape                             | the domain result                    |
| `{code}` E_SecurityApiInvalidCredentials, IdLocked, | UNAUTHORIZED, credentials_refused:   |
| InvalidStatus                                       | not tried again until they change    |
| `{code}` E_SecurityApiTokenExpired, TokenInvalid    | log in again and repeat the call once|
| `{code}` E_…Permissions, E_…AuthorizationSave       | FORBIDDEN                            |
| `{code}` E_…NotFound, E_SiteIsNotFound              | NOT_FOUND                            |
| `{code}` E_ManifestLocked…                          | LOCKED                               |
| 5xx, 408, 429, unreadable bodies of any status      | TRANSIENT                            |
| `{errors, operationStatus}` report with errors      | VALIDATION with field errors and     |
|                                                     | warnings                             |
| any other `{code}` (E_Invalid…, E_SystemError 4xx)  | VALIDATION                           |
| no code: 401 / 403 / 404 / other 4xx                | UNAUTHORIZED / FORBIDDEN / NOT_FOUND |
|                                                     | / VALIDATION                         |

Only EPA's credential codes refuse the credentials: a bare 401 without a code (a gateway's, say)
is UNAUTHORIZED for that call, but the key is neither set aside nor reported as failing.

The error document's code may come as `code` or `error`, padded with spaces; its message as
`message`. Reports name entity reports `transporterReports`/`wasteReports` in EPA's examples and
`transportersReports`/`wastesReports` in its schema; both are read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from haztrak.application.ports.rcrainfo import (
    RcrainfoError,
    RcrainfoErrorKind,
    RcrainfoProblem,
    RcrainfoUser,
    SaveReport,
    SignReport,
    SignResult,
)
from haztrak.domain.handlers import RcraSite, RcraSiteDetails
from haztrak.domain.identity import RcraSitePermission
from haztrak.domain.manifest import (
    CodeDescription,
    Manifest,
    ManifestShapeError,
    manifest_from_document,
)
from haztrak.domain.manifest.corrections import ManifestVersion, VersionHistory

Kind = RcrainfoErrorKind

CREDENTIAL_CODES = frozenset(
    {"E_SecurityApiInvalidCredentials", "E_SecurityApiIdLocked", "E_SecurityApiInvalidStatus"}
)
"""The credentials themselves are refused: trying them again counts towards EPA's lockout."""
TOKEN_CODES = frozenset({"E_SecurityApiTokenExpired", "E_SecurityApiTokenInvalid"})
"""The token is no good (any more): log in again, once."""
TRANSIENT_STATUSES = frozenset({408, 429})
FAILED = "Failed"
_ENTITY_REPORTS = ("generatorReport", "tsdfReport", "brokerReport")
_ENTITY_REPORT_LISTS = (
    "transporterReports",
    "transportersReports",
    "wasteReports",
    "wastesReports",
)
_MAX_MESSAGE = 500
_PERMISSION_MODULES = {
    "annualreport": "annual_report",
    "biennialreport": "biennial_report",
    "emanifest": "emanifest",
    "wiets": "wiets",
    "myrcraid": "my_rcra_id",
}


class Answer(msgspec.Struct, frozen=True):
    """One HTTP answer: its status and its body as JSON (`readable` is False when the body was
    not JSON; an empty body reads as None)."""

    status: int
    body: Any = None
    readable: bool = True

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def code(self) -> str | None:
        return error_code(self.body)


def read_answer(status: int, content: bytes) -> Answer:
    if not content.strip():
        return Answer(status, None)
    try:
        return Answer(status, msgspec.json.decode(content))
    except msgspec.DecodeError:
        return Answer(status, None, readable=False)


def error_code(body: object) -> str | None:
    """The code of an error document (`code`, or `error` as the billing docs show it)."""
    if not isinstance(body, dict):
        return None
    for key in ("code", "error"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def is_report(body: object) -> bool:
    return isinstance(body, dict) and ("operationStatus" in body or "errors" in body)


def is_token_problem(answer: Answer) -> bool:
    return not answer.ok and answer.code in TOKEN_CODES


def kind_for(code: str | None, status: int) -> RcrainfoErrorKind:
    if code is not None:
        if code in CREDENTIAL_CODES:
            return Kind.UNAUTHORIZED
        if code.startswith("E_ManifestLocked"):
            return Kind.LOCKED
        if code.endswith(("Permissions", "AuthorizationSave")):
            return Kind.FORBIDDEN
        if code.endswith("NotFound"):
            return Kind.NOT_FOUND
    if status >= 500 or status in TRANSIENT_STATUSES or code in TOKEN_CODES:
        # A token refused again right after a fresh login is RCRAInfo's trouble, not ours.
        return Kind.TRANSIENT
    if code is None:
        by_status = {401: Kind.UNAUTHORIZED, 403: Kind.FORBIDDEN, 404: Kind.NOT_FOUND}
        return by_status.get(status, Kind.VALIDATION)
    return Kind.VALIDATION


def failure(answer: Answer, what: str) -> RcrainfoError:
    """The error for an answer that is not the success `what` expected."""
    if not answer.readable or (answer.ok and not is_report(answer.body)):
        return RcrainfoError(
            Kind.TRANSIENT,
            f"RCRAInfo answered {what} with HTTP {answer.status} and a body that is not the "
            "JSON expected",
        )
    if is_report(answer.body) and not (answer.status >= 500 and not answer.body.get("errors")):
        errors, warnings = report_findings(answer.body)
        return RcrainfoError(
            Kind.VALIDATION,
            _report_message(what, errors),
            field_errors=errors,
            warnings=warnings,
        )
    code = answer.code
    message = _text(answer.body.get("message")) if isinstance(answer.body, dict) else ""
    if not message:
        message = f"RCRAInfo answered {what} with HTTP {answer.status}"
    return RcrainfoError(
        kind_for(code, answer.status),
        message,
        code=code,
        credentials_refused=code in CREDENTIAL_CODES,
    )


def login_failure(answer: Answer) -> RcrainfoError:
    """RCRAInfo did not give a token. Anything but a server fault fails the login without a
    retry (a second try could lock the API ID); only EPA's credential codes refuse the
    credentials themselves."""
    code = answer.code
    server_fault = answer.status >= 500 or answer.status in TRANSIENT_STATUSES
    if server_fault or (answer.ok and code is None) or not answer.readable:
        return RcrainfoError(
            Kind.TRANSIENT,
            f"RCRAInfo's login answered HTTP {answer.status} without a token",
            code=code,
        )
    message = _text(answer.body.get("message")) if isinstance(answer.body, dict) else ""
    if code in CREDENTIAL_CODES:
        return RcrainfoError(
            Kind.UNAUTHORIZED,
            f"RCRAInfo refused the API ID and key: {message or f'HTTP {answer.status}'}",
            code=code,
            credentials_refused=True,
        )
    return RcrainfoError(
        Kind.UNAUTHORIZED,
        f"RCRAInfo's login answered HTTP {answer.status}"
        + (f" ({code})" if code else " without an EPA error code"),
        code=code,
    )


def transport_failure(what: str, exception: BaseException) -> RcrainfoError:
    """A request that got no usable answer. Only the exception's type is kept: its text may
    hold the URL, and the login URL holds the API key."""
    return RcrainfoError(
        Kind.TRANSIENT, f"RCRAInfo did not answer {what} ({type(exception).__name__})"
    )


def unreadable(what: str, detail: str, problems: Iterable[RcrainfoProblem] = ()) -> RcrainfoError:
    """RCRAInfo answered, but with data that does not fit EPA's own schema."""
    return RcrainfoError(
        Kind.VALIDATION,
        f"RCRAInfo answered {what} with data Haztrak cannot read: {detail}"[:_MAX_MESSAGE],
        field_errors=list(problems),
    )


def problems(entries: object) -> list[RcrainfoProblem]:
    """EPA's `[{message, field, value}]` entries (values that are not strings become JSON)."""
    if not isinstance(entries, list):
        return []
    found = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        value = entry.get("value")
        found.append(
            RcrainfoProblem(
                message=_text(entry.get("message")),
                field=_text(entry.get("field")) or None,
                value=None if value is None else _as_text(value),
            )
        )
    return found


def report_findings(body: dict[str, Any]) -> tuple[list[RcrainfoProblem], list[RcrainfoProblem]]:
    """Every error and warning of a save/update/delete report, the entity reports' too."""
    errors = problems(body.get("errors"))
    warnings = problems(body.get("warnings"))
    entity_reports: list[object] = [body.get(key) for key in _ENTITY_REPORTS]
    for key in _ENTITY_REPORT_LISTS:
        listed = body.get(key)
        if isinstance(listed, list):
            entity_reports.extend(listed)
    for report in entity_reports:
        if isinstance(report, dict):
            errors.extend(problems(report.get("errors")))
            warnings.extend(problems(report.get("warnings")))
    return errors, warnings


def save_report(answer: Answer, what: str, tracking_number: str | None = None) -> SaveReport:
    """A save, update or delete that e-Manifest accepted (warnings kept), or its refusal."""
    body = answer.body
    if not answer.ok or not is_report(body) or body.get("operationStatus") == FAILED:
        raise failure(answer, what)
    errors, warnings = report_findings(body)
    if errors:
        raise failure(Answer(400, body), what)
    mtn = body.get("manifestTrackingNumber") or tracking_number
    if not isinstance(mtn, str) or not mtn:
        raise unreadable(what, "the report has no manifest tracking number")
    version = body.get("currentVersionNumber")
    return SaveReport(
        manifest_tracking_number=mtn,
        operation_status=_text(body.get("operationStatus")) or "Saved",
        report_id=_optional_text(body.get("reportId")),
        date=_optional_text(body.get("date")),
        warnings=warnings,
        current_version_number=version if isinstance(version, int) and version > 0 else None,
    )


def sign_report(answer: Answer) -> SignReport:
    """Quicker Sign's report when at least one manifest was signed; VALIDATION when none was
    (each manifest's error is a field error whose value is its tracking number)."""
    what = "Quicker Sign"
    body = answer.body
    if not isinstance(body, dict) or "manifestReports" not in body:
        raise failure(answer, what)
    signer = body.get("signerReport")
    if not isinstance(signer, dict):
        signer = {}
    warnings = problems(signer.get("warnings"))
    signer_error = problems([signer.get("signerError")])
    results = [_sign_result(entry) for entry in body.get("manifestReports") or []]
    if signer_error or not any(result.signed for result in results):
        field_errors = signer_error + [e for result in results for e in result.errors]
        first = field_errors[0].message if field_errors else "no manifest was signed"
        return_status = _text(body.get("operationStatus")) or FAILED
        raise RcrainfoError(
            Kind.VALIDATION,
            f"Quicker Sign {return_status}: {first}"[:_MAX_MESSAGE],
            field_errors=field_errors,
            warnings=warnings,
        )
    return SignReport(
        operation_status=_text(body.get("operationStatus")),
        report_id=_optional_text(body.get("reportId")),
        results=results,
        warnings=warnings,
    )


def _sign_result(entry: object) -> SignResult:
    if not isinstance(entry, dict):
        return SignResult(manifest_tracking_number="", signed=False)
    mtn = _text(entry.get("manifestTrackingNumber"))
    errors = problems([entry.get("manifestError")]) + problems(entry.get("errors"))
    errors = [
        e if e.value is not None else msgspec.structs.replace(e, value=mtn or None) for e in errors
    ]
    return SignResult(
        manifest_tracking_number=mtn,
        signed="manifestSigned" in entry and not errors,
        errors=errors,
    )


def data_list(answer: Answer, what: str) -> list[Any]:
    if answer.ok and isinstance(answer.body, list):
        return answer.body
    raise failure(answer, what)


def data_object(answer: Answer, what: str) -> dict[str, Any]:
    if answer.ok and isinstance(answer.body, dict) and error_code(answer.body) is None:
        return answer.body
    raise failure(answer, what)


def _report_message(what: str, errors: list[RcrainfoProblem]) -> str:
    if not errors:
        return f"e-Manifest refused {what}"
    first = errors[0]
    where = f"{first.field}: " if first.field else ""
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"e-Manifest refused {what}: {where}{first.message}{more}"[:_MAX_MESSAGE]


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _optional_text(value: object) -> str | None:
    return _text(value) or None


def _as_text(value: object) -> str:
    return value if isinstance(value, str) else msgspec.json.encode(value).decode()


def site(document: object, what: str) -> RcraSite:
    try:
        return msgspec.convert(document, RcraSiteDetails)
    except msgspec.ValidationError as error:
        failure = unreadable(what, str(error))
    raise failure


def code_descriptions(entries: list[Any], what: str) -> list[CodeDescription]:
    try:
        return msgspec.convert(entries, list[CodeDescription])
    except msgspec.ValidationError as error:
        failure = unreadable(what, str(error))
    raise failure


def users(body: dict[str, Any]) -> list[RcrainfoUser]:
    """The users of a user-search page, each with a permission row per site."""
    return [_user(entry) for entry in body.get("users") or [] if _is_user(entry)]


def version_history(body: dict[str, Any], mtn: str, what: str) -> VersionHistory:
    """EPA's correction details: `{manifestTrackingNumber, emanifestVersions[]}`."""
    try:
        versions = msgspec.convert(
            body.get("emanifestVersions") or [], list[ManifestVersion], strict=False
        )
    except msgspec.ValidationError as error:
        failure = unreadable(what, str(error))
    else:
        return VersionHistory.of(mtn, versions)
    raise failure


def manifest(document: dict[str, Any], what: str) -> Manifest:
    try:
        return manifest_from_document(document)
    except ManifestShapeError as error:
        found = [RcrainfoProblem(message=p.message, field=p.field or None) for p in error.problems]
        failure = unreadable(what, str(error), found)
    raise failure


def _is_user(entry: object) -> bool:
    return isinstance(entry, dict) and isinstance(entry.get("userId"), str)


def _user(entry: dict[str, Any]) -> RcrainfoUser:
    return RcrainfoUser(
        user_id=entry["userId"],
        permissions=[
            _permission(site)
            for site in entry.get("sites") or []
            if isinstance(site, dict) and isinstance(site.get("siteId"), str)
        ],
    )


def _permission(site: dict[str, Any]) -> RcraSitePermission:
    """RCRAInfo's `[{module, level}]` on one site, as one row of levels."""
    levels: dict[str, Any] = {}
    site_management = False
    for entry in site.get("permissions") or []:
        if not isinstance(entry, dict):
            continue
        module = str(entry.get("module", "")).strip().lower()
        level = str(entry.get("level", "")).strip() or "None"
        if module == "sitemanagement":
            site_management = level.lower() == "active"
        elif module in _PERMISSION_MODULES:
            levels[_PERMISSION_MODULES[module]] = level
    return RcraSitePermission(epa_site_id=site["siteId"], site_management=site_management, **levels)
