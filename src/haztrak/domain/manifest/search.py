"""What a person types to find a manifest: part of its tracking number, its handlers' EPA IDs
and names, its waste codes.

A manifest is indexed by terms (upper case, single spaces); a search text matches a term it
begins. A name is indexed from each of its words on, so "chem" finds "ACME CHEMICAL CORP" and
"acme chem" finds it too, while each lookup stays a prefix range on one index. The tracking
number is indexed from each of its characters on, so that any part of it is the beginning of
a term: a search is then one prefix range on one index, which the database can walk in either
direction (from the few matches, or along the list's order checking each manifest).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from haztrak.domain.manifest.model import Manifest

MAX_TERM = 100
"""Longer terms are cut: a search text is never that long."""


def normalize_search_text(text: str) -> str:
    """Upper case with single spaces, as terms are kept."""
    return " ".join(text.upper().split())[:MAX_TERM]


def prefix_end(prefix: str) -> str:
    """The least text after every text that begins with `prefix`, in code point order (as a
    binary collation compares): `prefix <= term < prefix_end(prefix)` is "term begins with
    prefix"."""
    return prefix + "\U0010ffff"


def _name_terms(name: str) -> Iterator[str]:
    words = normalize_search_text(name).split(" ")
    for start in range(len(words)):
        term = " ".join(words[start:])
        if term:
            yield term[:MAX_TERM]


def tracking_number_terms(mtn: str) -> Iterator[str]:
    """The tracking number from each of its characters on: any part of it begins one."""
    normal = normalize_search_text(mtn)
    return (normal[start:] for start in range(len(normal)))


def search_terms(manifest: Manifest) -> frozenset[str]:
    """The terms a manifest is found by (its tracking number from each character on), and
    the tracking numbers of the manifests whose rejected or residue waste it carries on."""
    terms: set[str] = set()
    if manifest.manifest_tracking_number:
        terms.update(tracking_number_terms(manifest.manifest_tracking_number))
    for _, handler in manifest.handlers():
        if handler.epa_site_id:
            terms.add(normalize_search_text(handler.epa_site_id))
        if handler.name:
            terms.update(_name_terms(handler.name))
    for waste in manifest.wastes or ():
        codes = waste.hazardous_waste
        if codes is None:
            continue
        listed: Iterable[str] = [
            *(c.code for c in codes.federal_waste_codes or ()),
            *(c.code for c in codes.tsdf_state_waste_codes or ()),
            *(c.code for c in codes.generator_state_waste_codes or ()),
            *(codes.tx_waste_codes or ()),
        ]
        terms.update(normalize_search_text(code) for code in listed if code and code.strip())
    additional = manifest.additional_info
    # A manifest carrying rejected or residue waste on is found by the one it came from.
    for original in (additional.original_manifest_tracking_numbers or ()) if additional else ():
        terms.add(normalize_search_text(original))
    terms.discard("")
    return frozenset(terms)
