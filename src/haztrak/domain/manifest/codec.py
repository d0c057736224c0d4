"""A manifest from EPA's JSON and back, losslessly."""

from __future__ import annotations

import re

import msgspec

from haztrak.domain.manifest.model import Manifest
from haztrak.domain.manifest.problems import ManifestShapeError, Problem
from haztrak.domain.manifest.schema import drop_unknown_fields, is_well_formed, schema_problems

_encoder = msgspec.json.Encoder()
_VALIDATION_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")


def decode_manifest(data: bytes | str) -> Manifest:
    """Decode EPA's manifest JSON, or raise ManifestShapeError listing every problem at once."""
    return manifest_from_document(document_from_json(data))


def document_from_json(data: bytes | str) -> object:
    """The parsed JSON of a manifest, or ManifestShapeError if it is not JSON a manifest can be."""
    try:
        return msgspec.json.decode(data)
    except msgspec.DecodeError as error:
        raise ManifestShapeError([Problem("", f"is not valid JSON: {error}")]) from None
    except RecursionError:  # far deeper than any manifest; the decoder gives up first
        raise ManifestShapeError([Problem("", "is nested too deeply to be a manifest")]) from None


def manifest_from_document(document: object) -> Manifest:
    """The same as `decode_manifest`, for JSON that is already parsed into dicts and lists."""
    problems = schema_problems(document)
    if problems:
        raise ManifestShapeError(problems)
    return _converted(document)


def _converted(document: object) -> Manifest:
    try:
        return msgspec.convert(document, Manifest)
    except msgspec.ValidationError as error:
        # The specs and the model agree (a test holds them together); this is a safety net.
        raise ManifestShapeError([_problem_from(error)]) from None


def manifest_dropping_unknown_fields(document: object) -> tuple[Manifest, list[Problem]]:
    """`drop_unknown_fields(document)`, then `manifest_from_document(document)`: the manifest
    and the keys dropped, or ManifestShapeError. A well-formed document (most are) has no key
    to drop and needs no walk: it is checked once and converted."""
    if is_well_formed(document):
        return _converted(document), []
    dropped = drop_unknown_fields(document)
    return manifest_from_document(document), dropped


def encode_manifest(manifest: Manifest) -> bytes:
    return _encoder.encode(manifest)


def _problem_from(error: msgspec.ValidationError) -> Problem:
    text = str(error)
    match = _VALIDATION_PATH.search(text)
    if match is None:
        return Problem("", text)
    path = re.sub(r"\[(\d+)\]", r".\1", match["path"]).lstrip(".")
    return Problem(path, text[: match.start()])
