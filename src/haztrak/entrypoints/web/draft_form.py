"""The draft editor's form and EPA's manifest JSON, both ways.

Every input is named by its EPA path with dots (`generator.epaSiteId`,
`transporters.0.siteAddress.city`, `wastes.1.quantity.unitOfMeasurement.code`), so a problem
that validation reports at an EPA path finds its input by that name. A few inputs are not EPA
fields: the DOT description is typed in its parts (`wastes.0.dotInformation.shippingName`,
`.hazardClass`, `.packingGroup`) and printed as EPA's `printedDotInformation`; waste codes are
typed as one list (`wastes.0.hazardousWaste.federalWasteCodes`: "D001, F005"). Names that start
with `_` belong to the editor (search boxes, the source row of a line), never to the document.

Building starts from the stored document (or the handler's record when a party changed) and
lays the form over it, so that fields the form does not show are kept. A value that is not a
number where EPA wants one is passed on as typed: validation then names it at its path.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import msgspec

Document = dict[str, Any]

PARTY_FIELDS: tuple[tuple[str, str], ...] = (
    ("epaSiteId", "EPA ID"),
    ("name", "Name"),
    ("siteAddress.streetNumber", "Street number"),
    ("siteAddress.address1", "Street"),
    ("siteAddress.city", "City"),
    ("siteAddress.state.code", "State"),
    ("siteAddress.zip", "ZIP code"),
    ("contact.phone.number", "Contact phone"),
)
"""The inputs of a transporter and of the designated facility (paths inside the handler)."""

GENERATOR_FIELDS: tuple[tuple[str, str], ...] = (
    ("epaSiteId", "Generator site"),
    ("emergencyPhone.number", "Emergency response phone"),
)
"""The generator is one of the user's sites: its name and address come from its record."""

WASTE_FIELDS: tuple[tuple[str, str], ...] = (
    ("dotHazardous", "DOT hazardous material"),
    ("dotInformation.idNumber.code", "DOT ID number"),
    ("dotInformation.shippingName", "Proper shipping name"),
    ("dotInformation.hazardClass", "Hazard class"),
    ("dotInformation.packingGroup", "Packing group"),
    ("wasteDescription", "Waste description"),
    ("quantity.containerNumber", "Number of containers"),
    ("quantity.containerType.code", "Container type"),
    ("quantity.quantity", "Total quantity"),
    ("quantity.unitOfMeasurement.code", "Unit"),
    ("epaWaste", "EPA hazardous waste"),
    ("hazardousWaste.federalWasteCodes", "Federal waste codes"),
    ("hazardousWaste.generatorStateWasteCodes", "Generator state waste codes"),
    ("hazardousWaste.tsdfStateWasteCodes", "Facility state waste codes"),
    ("managementMethod.code", "Management method"),
    ("additionalInfo.handlingInstructions", "Special handling"),
)

PARTY_SLOTS = ("generator", "designatedFacility")
"""Single parties; transporters are `transporters.N`."""

_ALIASES = {"dotInformation.printedDotInformation": "dotInformation.shippingName"}
_CODE_LISTS = (
    "hazardousWaste.federalWasteCodes",
    "hazardousWaste.generatorStateWasteCodes",
    "hazardousWaste.tsdfStateWasteCodes",
)
_PACKING_GROUPS = ("I", "II", "III")
_HAZARD_CLASS = re.compile(r"^(?:[1-9](?:\.[1-6][A-Z]?)?[A-Z]?|ORM-[A-E]|Combustible|None)$")
_DOT_ID = re.compile(r"^(?:UN|NA)\d{4}$|^NOID$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_SEPARATORS = re.compile(r"[\s,;]+")
MAX_ROWS = 100
"""At most this many transporters or waste lines: a guard against a hand-made form."""


class FormRow(msgspec.Struct, kw_only=True):
    """One transporter or waste line: its inputs by path inside it, and the index of the row
    of the stored document it came from (None for a new row)."""

    values: dict[str, str]
    source: int | None = None


class DraftForm(msgspec.Struct, kw_only=True):
    """The editor's state: what the inputs hold, transporters and waste lines in order."""

    generator: dict[str, str] = msgspec.field(default_factory=dict)
    designated_facility: dict[str, str] = msgspec.field(default_factory=dict)
    transporters: list[FormRow] = msgspec.field(default_factory=list)
    wastes: list[FormRow] = msgspec.field(default_factory=list)
    controls: dict[str, str] = msgspec.field(default_factory=dict)
    """Inputs of the editor itself (names starting with `_`)."""

    # Reading the posted form

    @classmethod
    def from_fields(cls, fields: Mapping[str, str]) -> DraftForm:
        form = cls()
        transporters: dict[int, dict[str, str]] = {}
        wastes: dict[int, dict[str, str]] = {}
        for name, raw in fields.items():
            value = raw.strip() if isinstance(raw, str) else ""
            if name.startswith("_"):
                form.controls[name] = value
                continue
            head, _, rest = name.partition(".")
            if not rest:
                continue
            if head == "generator":
                if any(rest == key for key, _ in GENERATOR_FIELDS):
                    form.generator[rest] = value
            elif head == "designatedFacility":
                if any(rest == key for key, _ in PARTY_FIELDS):
                    form.designated_facility[rest] = value
            elif head in ("transporters", "wastes"):
                index, _, key = rest.partition(".")
                if not index.isdigit() or int(index) >= MAX_ROWS:
                    continue
                allowed = PARTY_FIELDS if head == "transporters" else WASTE_FIELDS
                if key == "_source" or any(key == k for k, _ in allowed):
                    rows = transporters if head == "transporters" else wastes
                    rows.setdefault(int(index), {})[key] = value
        form.transporters = [_row(transporters[i]) for i in sorted(transporters)]
        form.wastes = [_row(wastes[i]) for i in sorted(wastes)]
        return form

    # Reading a stored manifest

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> DraftForm:
        form = cls()
        generator = document.get("generator") or {}
        form.generator = {key: _text(_get(generator, key)) for key, _ in GENERATOR_FIELDS}
        facility = document.get("designatedFacility") or {}
        form.designated_facility = {key: _text(_get(facility, key)) for key, _ in PARTY_FIELDS}
        for index, transporter in _ordered(document.get("transporters") or []):
            values = {key: _text(_get(transporter, key)) for key, _ in PARTY_FIELDS}
            form.transporters.append(FormRow(values=values, source=index))
        for index, waste in enumerate(document.get("wastes") or []):
            form.wastes.append(FormRow(values=_waste_values(waste), source=index))
        return form

    # What the template shows

    def field_names(self) -> list[str]:
        """Every input's name, in the order of the page."""
        names = [f"generator.{key}" for key, _ in GENERATOR_FIELDS]
        for index in range(len(self.transporters)):
            names += [f"transporters.{index}.{key}" for key, _ in PARTY_FIELDS]
        names += [f"designatedFacility.{key}" for key, _ in PARTY_FIELDS]
        for index in range(len(self.wastes)):
            names += [f"wastes.{index}.{key}" for key, _ in WASTE_FIELDS]
        return names

    def value(self, name: str) -> str:
        head, _, rest = name.partition(".")
        if head == "generator":
            return self.generator.get(rest, "")
        if head == "designatedFacility":
            return self.designated_facility.get(rest, "")
        index, _, key = rest.partition(".")
        rows = self.transporters if head == "transporters" else self.wastes
        if head in ("transporters", "wastes") and index.isdigit() and int(index) < len(rows):
            return rows[int(index)].values.get(key, "")
        return ""

    def has_values(self, name: str) -> bool:
        return bool(self.value(name))

    # Changing the form (buttons that post it)

    def apply(self, op: str) -> bool:
        """Carry out an editor button (`add_transporter`, `remove_transporter:1`, `up:2`,
        `down:0`, `add_waste`, `remove_waste:0`); False when `op` is none of them."""
        name, _, arg = op.partition(":")
        index = int(arg) if arg.isdigit() else -1
        rows = self.wastes if name.endswith("_waste") else self.transporters
        if name == "add_transporter" and len(self.transporters) < MAX_ROWS:
            self.transporters.append(FormRow(values={}))
        elif name == "add_waste" and len(self.wastes) < MAX_ROWS:
            self.wastes.append(FormRow(values={"dotHazardous": "true", "epaWaste": "true"}))
        elif name in ("remove_transporter", "remove_waste") and 0 <= index < len(rows):
            del rows[index]
        elif name in ("up", "up_waste") and 0 < index < len(rows):
            rows[index - 1], rows[index] = rows[index], rows[index - 1]
        elif name in ("down", "down_waste") and 0 <= index < len(rows) - 1:
            rows[index], rows[index + 1] = rows[index + 1], rows[index]
        else:
            return False
        return True

    def fill_party(self, slot: str, handler: Mapping[str, Any]) -> bool:
        """Put a handler found by a search into a party's inputs; False for an unknown slot."""
        values = {key: _text(_get(handler, key)) for key, _ in PARTY_FIELDS}
        if slot == "designatedFacility":
            self.designated_facility = values
            return True
        head, _, index = slot.partition(".")
        if head == "transporters" and index.isdigit() and int(index) < len(self.transporters):
            self.transporters[int(index)] = FormRow(values=values)
            return True
        return False

    def party_epa_ids(self) -> set[str]:
        found = {self.generator.get("epaSiteId", ""), self.designated_facility.get("epaSiteId", "")}
        found |= {row.values.get("epaSiteId", "") for row in self.transporters}
        return {epa_id.upper() for epa_id in found if epa_id}

    # Building EPA's document

    def build(
        self,
        base: Mapping[str, Any] | None = None,
        directory: Callable[[str], Mapping[str, Any] | None] | None = None,
        descriptions: Mapping[str, str] | None = None,
    ) -> Document:
        """EPA's manifest JSON: `base` (the stored document) with the form laid over it.

        A party whose EPA ID differs from the stored one starts from `directory(epa_id)` (the
        handler's record), so its mailing address and the like are the new party's. Waste
        codes take their description from the stored line or from `descriptions`.
        """
        document: Document = copy.deepcopy(dict(base or {}))
        document.setdefault("submissionType", "FullElectronic")
        find = directory or (lambda _: None)
        document["generator"] = _party(
            document.get("generator"), self.generator, GENERATOR_FIELDS, find
        )
        stored_transporters = list(document.get("transporters") or [])
        transporters = []
        for order, row in enumerate(self.transporters, start=1):
            stored = _at(stored_transporters, row.source)
            transporter = _party(stored, row.values, PARTY_FIELDS, find) or {}
            transporter["order"] = order
            transporters.append(transporter)
        document["transporters"] = transporters
        document["designatedFacility"] = _party(
            document.get("designatedFacility"), self.designated_facility, PARTY_FIELDS, find
        )
        stored_wastes = list(document.get("wastes") or [])
        document["wastes"] = [
            _waste(_at(stored_wastes, row.source), row.values, line, descriptions or {})
            for line, row in enumerate(self.wastes, start=1)
        ]
        return {key: value for key, value in document.items() if value is not None}


# Problems at EPA paths, placed at inputs


class FieldProblem(msgspec.Struct, frozen=True, kw_only=True):
    field: str
    """EPA's path, as validation reported it."""
    name: str | None
    """The input it belongs to, or None when the form has none (a section says it)."""
    anchor: str
    """The id of the element the summary links to."""
    label: str
    message: str
    level: str
    """`error` (must be fixed to save) or `warning` (to fix before e-Manifest)."""

    @property
    def text(self) -> str:
        return f"{self.label}: {self.message}"


def input_id(name: str) -> str:
    """The id of the input named `name` (the macros' rule: dots become dashes)."""
    return "f-" + name.replace(".", "-")


SECTION_ANCHORS = {
    "generator": "sec-generator",
    "transporters": "sec-transporters",
    "designatedFacility": "sec-facility",
    "wastes": "sec-wastes",
}


def place_problems(form: DraftForm, problems: Iterable[tuple[str, str, str]]) -> list[FieldProblem]:
    """Each (EPA path, message, level) at the input it concerns: the input named by the path,
    else its nearest enclosing input (a code inside a list of codes), else the first input
    inside it (`wastes.0.dotInformation` is the DOT ID number), else its section."""
    names = form.field_names()
    known = set(names)
    placed = []
    for path, message, level in problems:
        name = _input_for(path, names, known)
        if name is not None:
            anchor, label = input_id(name), label_of(name)
        else:
            head = path.split(".", 1)[0]
            anchor = SECTION_ANCHORS.get(head, "draft-form")
            label = label_of(path) if path else "Manifest"
        placed.append(
            FieldProblem(
                field=path,
                name=name,
                anchor=anchor,
                label=label,
                message=in_words(message),
                level=level,
            )
        )
    return placed


_KEY = re.compile(r"\b(?:[a-z]+[A-Z][A-Za-z]*|true|false)\b")
_KEY_WORDS = {key.rsplit(".", 1)[-1]: text for key, text in WASTE_FIELDS + PARTY_FIELDS} | {
    "true": "Yes",
    "false": "No",
    "dotInformation": "DOT description",
    "epaSiteId": "EPA ID",
    "designatedFacility": "designated facility",
}


def in_words(message: str) -> str:
    """EPA's messages name fields by their JSON keys (`is required when dotHazardous is
    true`): the form's labels instead, other keys as words (`is required when "DOT
    hazardous material" is Yes`)."""

    def word(match: re.Match[str]) -> str:
        key = match.group(0)
        if key in _KEY_WORDS:
            text = _KEY_WORDS[key]
            return text if key in ("true", "false") else f"“{text}”"
        return re.sub(r"(?<!^)([A-Z])", lambda m: " " + m.group(1).lower(), key)

    return _KEY.sub(word, message)


def _input_for(path: str, names: Sequence[str], known: set[str]) -> str | None:
    head, index, rest = _split_row(path)
    for alias, target in _ALIASES.items():
        if rest == alias or rest.startswith(alias + "."):
            path = ".".join(p for p in (head, index, target) if p)
    if path in known:
        return path
    parts = path.split(".")
    for end in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    prefix = path + "."
    return next((name for name in names if name.startswith(prefix)), None)


def _split_row(path: str) -> tuple[str, str, str]:
    head, _, rest = path.partition(".")
    if head in ("transporters", "wastes"):
        index, _, rest = rest.partition(".")
        return head, index, rest
    return head, "", rest


_SECTION_LABELS = {
    "generator": "Generator",
    "designatedFacility": "Designated facility",
    "transporters": "Transporters",
    "wastes": "Waste lines",
}


def label_of(name: str) -> str:
    """A person's words for an input or an EPA path: `Transporter 2: City`."""
    head, index, rest = _split_row(name)
    if head == "transporters" and index.isdigit():
        owner, fields = f"Transporter {int(index) + 1}", PARTY_FIELDS
    elif head == "wastes" and index.isdigit():
        owner, fields = f"Waste line {int(index) + 1}", WASTE_FIELDS
    elif head == "generator":
        owner, fields = "Generator", GENERATOR_FIELDS + PARTY_FIELDS
    elif head == "designatedFacility":
        owner, fields = "Designated facility", PARTY_FIELDS
    else:
        return _SECTION_LABELS.get(head, name)
    if not rest:
        return owner
    label = next((text for key, text in fields if key == rest), None)
    if label is None:
        label = next((text for key, text in fields if rest.startswith(key + ".")), rest)
    return f"{owner}: {label}"


# Building blocks


def _row(values: dict[str, str]) -> FormRow:
    source = values.pop("_source", "")
    return FormRow(values=values, source=int(source) if source.isdigit() else None)


def _at(rows: Sequence[Any], index: int | None) -> Any:
    if index is None or not 0 <= index < len(rows):
        return None
    return rows[index]


def _ordered(transporters: Sequence[Any]) -> list[tuple[int, Any]]:
    indexed = [(i, t) for i, t in enumerate(transporters) if isinstance(t, dict)]
    return sorted(
        indexed,
        key=lambda pair: (
            not isinstance(pair[1].get("order"), int | float),
            pair[1].get("order") or 0,
            pair[0],
        ),
    )


def _get(document: Any, path: str) -> Any:
    for key in path.split("."):
        if not isinstance(document, dict):
            return None
        document = document.get(key)
    return document


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _put(document: Document, path: str, value: Any) -> None:
    """Set (or, for None, remove) the value at a dotted path, creating objects on the way."""
    keys = path.split(".")
    node = document
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            if value is None:
                return
            child = node[key] = {}
        node = child
    if value is None:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value


def _prune(document: Document, path: str) -> None:
    """Remove the object at `path` and its parents when nothing is left in them."""
    keys = path.split(".")
    for end in range(len(keys), 0, -1):
        parent = _get(document, ".".join(keys[: end - 1])) if end > 1 else document
        node = _get(document, ".".join(keys[:end]))
        if isinstance(parent, dict) and isinstance(node, dict) and not node:
            del parent[keys[end - 1]]


def _party(
    stored: Any,
    values: Mapping[str, str],
    fields: Sequence[tuple[str, str]],
    find: Callable[[str], Mapping[str, Any] | None],
) -> Document | None:
    epa_id = values.get("epaSiteId", "").upper()
    stored_id = _text(_get(stored, "epaSiteId")).upper()
    from_record = False
    if isinstance(stored, dict) and (stored_id == epa_id or not epa_id):
        party: Document = copy.deepcopy(stored)
    else:
        record = find(epa_id) if epa_id else None
        party = copy.deepcopy(dict(record)) if record else {}
        from_record = bool(record)
    if not epa_id and not any(values.values()) and not party:
        return None
    for key, _ in fields:
        value = values.get(key, "")
        if key not in values or (from_record and not value):
            continue  # a party new to the manifest keeps what its record says
        if key == "epaSiteId":
            value = value.upper()
        if key == "siteAddress.state.code":
            value = value.upper()
            if value != _text(_get(party, key)):
                _put(party, "siteAddress.state", {"code": value} if value else None)
                continue
        _put(party, key, value or None)
    for path in ("contact.phone", "contact", "emergencyPhone", "siteAddress.state"):
        _prune(party, path)
    address = party.get("siteAddress")
    if isinstance(address, dict) and not any(
        address.get(k) for k in ("address1", "streetNumber", "address2", "city", "zip", "state")
    ):
        del party["siteAddress"]
    return party


def _waste_values(waste: Mapping[str, Any]) -> dict[str, str]:
    values = {key: _text(_get(waste, key)) for key, _ in WASTE_FIELDS}
    printed = _text(_get(waste, "dotInformation.printedDotInformation"))
    name, hazard_class, group = split_dot_description(printed, values[WASTE_FIELDS[1][0]])
    values["dotInformation.shippingName"] = name
    values["dotInformation.hazardClass"] = hazard_class
    values["dotInformation.packingGroup"] = group
    for key in _CODE_LISTS:
        values[key] = ", ".join(_codes_of(_get(waste, key)))
    return values


def _codes_of(entries: Any) -> list[str]:
    if not isinstance(entries, list):
        return []
    return [e["code"] for e in entries if isinstance(e, dict) and isinstance(e.get("code"), str)]


def split_dot_description(printed: str, id_number: str) -> tuple[str, str, str]:
    """(proper shipping name, hazard class, packing group) out of a printed DOT description
    such as `UN1993, Waste Flammable liquids, n.o.s., 3, II`. Joined again by
    join_dot_description it gives back the same text."""
    parts = [part.strip() for part in printed.split(",")] if printed else []
    if parts and id_number and parts[0] == id_number:
        parts = parts[1:]
    group = parts.pop() if len(parts) > 1 and parts[-1] in _PACKING_GROUPS else ""
    hazard_class = parts.pop() if len(parts) > 1 and _HAZARD_CLASS.match(parts[-1]) else ""
    return ", ".join(parts), hazard_class, group


def join_dot_description(id_number: str, name: str, hazard_class: str, group: str) -> str:
    return ", ".join(part for part in (id_number, name, hazard_class, group) if part)


def _number(text: str) -> int | float | str:
    """A count as EPA wants it; anything else as typed, for validation to name."""
    if _INTEGER.match(text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def split_codes(text: str) -> list[str]:
    seen: list[str] = []
    for code in _SEPARATORS.split(text.upper()):
        if code and code not in seen:
            seen.append(code)
    return seen


def _object(value: Any) -> Document:
    return value if isinstance(value, dict) else {}


def _waste(
    stored: Any, values: Mapping[str, str], line: int, descriptions: Mapping[str, str]
) -> Document:
    waste: Document = copy.deepcopy(stored) if isinstance(stored, dict) else {}
    waste["lineNumber"] = line
    waste["dotHazardous"] = values.get("dotHazardous", "true") != "false"
    waste["epaWaste"] = values.get("epaWaste", "true") != "false"
    waste.setdefault("pcb", False)
    waste.setdefault("br", False)
    id_number = values.get("dotInformation.idNumber.code", "").upper()
    name = values.get("dotInformation.shippingName", "")
    hazard_class = values.get("dotInformation.hazardClass", "")
    group = values.get("dotInformation.packingGroup", "")
    if id_number or name or hazard_class or group:
        dot: Document = {}
        if id_number:
            dot["idNumber"] = {"code": id_number}
        dot["printedDotInformation"] = join_dot_description(id_number, name, hazard_class, group)
        waste["dotInformation"] = dot
    else:
        waste.pop("dotInformation", None)
    _put(waste, "wasteDescription", values.get("wasteDescription") or None)
    quantity: Document = _object(waste.get("quantity"))
    for key in ("containerNumber", "quantity"):
        text = values.get(f"quantity.{key}", "")
        _put(quantity, key, _number(text) if text else None)
    for key in ("containerType", "unitOfMeasurement"):
        code = values.get(f"quantity.{key}.code", "")
        if code != _text(_get(quantity, f"{key}.code")):
            _put(quantity, key, {"code": code} if code else None)
    if quantity:
        waste["quantity"] = quantity
    else:
        waste.pop("quantity", None)
    hazardous: Document = _object(waste.get("hazardousWaste"))
    for key in _CODE_LISTS:
        _, _, list_key = key.partition(".")
        wanted = split_codes(values.get(key, ""))
        stored_entries = hazardous.get(list_key) or []
        known = {e["code"]: e for e in stored_entries if isinstance(e, dict) and "code" in e}
        entries = []
        for code in wanted:
            entry = known.get(code) or {"code": code}
            if "description" not in entry and code in descriptions and key == _CODE_LISTS[0]:
                entry = {"code": code, "description": descriptions[code]}
            entries.append(entry)
        _put(hazardous, list_key, entries or None)
    if hazardous:
        waste["hazardousWaste"] = hazardous
    else:
        waste.pop("hazardousWaste", None)
    method = values.get("managementMethod.code", "")
    if method != _text(_get(waste, "managementMethod.code")):
        _put(waste, "managementMethod", {"code": method} if method else None)
    _put(
        waste,
        "additionalInfo.handlingInstructions",
        values.get("additionalInfo.handlingInstructions") or None,
    )
    _prune(waste, "additionalInfo")
    return waste
