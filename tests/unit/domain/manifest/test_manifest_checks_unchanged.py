"""The shape check and the business rules report what they reported before they were optimized.

`manifest_checks_golden.json` holds manifests (EPA's examples and this project's test manifests,
each changed in a few places: keys removed or added, values of the wrong type, out of range or
from no list, parties unregistered, dates out of order, ...) and the problems that
`schema_problems` and `business_problems` found in them before the two were made fast. They
must find the same problems, in the same order, in the same words. A deliberate change to a
message or a rule changes the file with it: `python -m
tests.unit.domain.manifest.test_manifest_checks_unchanged` rewrites the expected problems from
the current code, and the diff shows what changed.

The schema check accepts most documents with msgspec types and walks only those they refuse;
the tests here also hold the two together.
"""

from __future__ import annotations

import collections
import copy
import dataclasses
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest
from tests.manifest_documents import manifest_document

from haztrak.domain.manifest import (
    BUSINESS_RULES,
    CheckPurpose,
    Manifest,
    Problem,
    RuleContext,
    business_problems,
    manifest_dropping_unknown_fields,
    manifest_from_document,
    schema_problems,
)
from haztrak.domain.manifest import schema as specs
from haztrak.domain.manifest.problems import ManifestShapeError

GOLDEN = Path(__file__).with_name("manifest_checks_golden.json")
NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
_golden: dict[str, Any] = json.loads(GOLDEN.read_bytes())
CASES: list[dict[str, Any]] = _golden["cases"]
CASE_IDS = [f"{index:03}-{case['base']}" for index, case in enumerate(CASES)]
RULE_CASES = [case for case in CASES if "business" in case]
RULE_CASE_IDS = [id_ for id_, case in zip(CASE_IDS, CASES, strict=True) if "business" in case]


def document_of(case: dict[str, Any]) -> Any:
    document = copy.deepcopy(_golden["bases"][case["base"]])
    for change in case["changes"]:
        path = change[0]
        if not path:
            document = copy.deepcopy(change[1])
            continue
        target = document
        for key in path[:-1]:
            target = target[key]
        if len(change) == 1:
            del target[path[-1]]
        else:
            target[path[-1]] = copy.deepcopy(change[1])
    return document


def pairs(problems: list[Problem]) -> list[list[str]]:
    return [[problem.field, problem.message] for problem in problems]


def walked(document: object) -> list[Problem]:
    """The problems the walk finds, without the quick pass."""
    problems: list[Problem] = []
    specs._check_manifest(document, "", "", problems)
    return problems


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_schema_check_reports_what_it_did(case: dict[str, Any]) -> None:
    assert pairs(schema_problems(document_of(case))) == case["schema"]


@pytest.mark.parametrize("case", RULE_CASES, ids=RULE_CASE_IDS)
def test_the_business_rules_report_what_they_did(case: dict[str, Any]) -> None:
    manifest = msgspec.convert(document_of(case), Manifest)

    problems = business_problems(manifest, now=NOW, purpose=CheckPurpose(case["purpose"]))

    assert pairs(problems) == case["business"]


@pytest.mark.parametrize("case", RULE_CASES, ids=RULE_CASE_IDS)
def test_business_problems_are_those_of_the_rules_run_one_by_one(case: dict[str, Any]) -> None:
    """`business_problems` shares what several rules walk through; each rule alone finds it."""
    manifest = msgspec.convert(document_of(case), Manifest)
    purpose = CheckPurpose(case["purpose"])
    context = RuleContext(now=NOW, purpose=purpose)

    one_by_one = [problem for rule in BUSINESS_RULES for problem in rule(manifest, context)]

    assert business_problems(manifest, now=NOW, purpose=purpose) == one_by_one


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_quick_pass_accepts_exactly_what_the_walk_finds_no_fault_in(
    case: dict[str, Any],
) -> None:
    document = document_of(case)

    assert specs._passes_quickly(document) is (walked(document) == [])


class _NotADict(collections.UserDict[str, Any]):
    pass


@dataclasses.dataclass
class _Phone:
    number: str


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        ({"transporters": ()}, [("transporters", "must be a list")]),
        ({"wastes": set()}, [("wastes", "must be a list")]),
        ({"createdDate": datetime(2019, 3, 13, tzinfo=UTC)}, [("createdDate", "must be a string")]),
        ({"lockReason": Decimal("1")}, [("lockReason", "must be a string")]),
        ({1: "one"}, [("1", "unknown field")]),
        ({"importInfo": _NotADict(portOfEntry={})}, [("importInfo", "must be an object")]),
        (
            {"broker": {"emergencyPhone": _Phone("703-308-0023")}},
            [("broker.emergencyPhone", "must be an object")],
        ),
        ({"isPublic": 1}, [("isPublic", "must be true or false")]),
        ({"correctionRequests": [{"sections": [{"sectionNumber": "1", "note": "open"}]}]}, []),
        ({"correctionInfo": {"versionNumber": 2**80}}, []),
        (
            {"printedDocument": {"name": "manifest.pdf\n"}},
            [
                (
                    "printedDocument.name",
                    "may contain only letters, digits, spaces and the characters _ - .",
                )
            ],
        ),
    ],
)
def test_what_json_cannot_hold_exactly_is_walked(
    change: dict[Any, Any], problems: list[tuple[str, str]]
) -> None:
    """A document that is not plain JSON (or that JSON would change) gets the walk's answer."""
    document = {**manifest_document(), **change}

    assert [(p.field, p.message) for p in schema_problems(document)] == problems
    assert schema_problems(document) == walked(document)


def _rewrite() -> None:
    """Record what the current code finds in every case (after a deliberate change)."""
    for case in CASES:
        document = document_of(case)
        case["schema"] = pairs(schema_problems(document))
        if "business" in case:
            manifest = msgspec.convert(document, Manifest)
            purpose = CheckPurpose(case["purpose"])
            case["business"] = pairs(business_problems(manifest, now=NOW, purpose=purpose))

    def dumps(value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    bases = _golden["bases"]
    lines = ["{", f'"about":{dumps(_golden["about"])},', '"bases":{']
    lines += [f"{dumps(name)}:{dumps(base)}," for name, base in bases.items()]
    lines[-1] = lines[-1].removesuffix(",")
    lines += ["},", '"cases":[', *(f"{dumps(case)}," for case in CASES)]
    lines[-1] = lines[-1].removesuffix(",")
    lines += ["]", "}"]
    GOLDEN.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    _rewrite()


def _dropped_then_read(document: Any) -> tuple[Manifest | None, list[Problem], list[Problem]]:
    """What reading a client's document did before the one-step read: drop, then check."""
    dropped = specs.drop_unknown_fields(document)
    try:
        return manifest_from_document(document), dropped, []
    except ManifestShapeError as error:
        return None, dropped, error.problems


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_reading_in_one_step_is_dropping_then_checking(case: dict[str, Any]) -> None:
    """`manifest_dropping_unknown_fields` skips the drop's walk for a well-formed document."""
    before, now = document_of(case), document_of(case)
    manifest, dropped, problems = _dropped_then_read(before)
    if problems:
        with pytest.raises(ManifestShapeError) as raised:
            manifest_dropping_unknown_fields(now)
        assert raised.value.problems == problems
    else:
        assert manifest_dropping_unknown_fields(now) == (manifest, dropped)
    assert now == before  # the same keys dropped
