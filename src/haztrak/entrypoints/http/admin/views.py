"""The admin site's model views: what staff see and change, table by table.

`AdminView` holds what every view shares: secret columns are never rendered (a column listed
in SECRET_COLUMNS shows only "set" or "not set"), foreign keys are shown and chosen by name,
write-only inputs (passwords, the RCRAInfo API key) never carry a value back to the page, and
rules of the domain (username, EPA ID, slug patterns) check the form. Writes go through
`AuditedSession`, which audits them; `ReadOnlyView` turns every write off.

A change the API also makes goes through the API's use case, by its staff door (`Staff...`):
org memberships, site roles, new sites and org credentials keep one set of rules whatever the
door; those use cases audit the change themselves.
"""

from __future__ import annotations

import asyncio
import builtins
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID, uuid4

import msgspec
from dishka import AsyncContainer
from sqladmin import ModelView
from sqladmin.filters import AllUniqueStringValuesFilter, BooleanFilter, ForeignKeyFilter
from sqladmin.formatters import BASE_FORMATTERS
from sqladmin.forms import ModelConverter, converts
from sqladmin.models import ModelViewMeta
from sqladmin.pagination import Pagination
from sqlalchemy import inspect as sqlalchemy_inspect
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import ColumnProperty
from starlette.requests import Request
from wtforms import BooleanField, Field, Form, PasswordField, SelectField, ValidationError
from wtforms.fields.core import UnboundField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from haztrak.adapters.persistence.tables import (
    AuditEntryRow,
    Base,
    DotLookupRow,
    FederalWasteCodeRow,
    ManifestRow,
    OrgMembershipRow,
    OrgRow,
    RcrainfoProfileRow,
    RcraSiteRow,
    SitePermissionRow,
    SiteRow,
    StateWasteCodeRow,
    UserRow,
)
from haztrak.application.identity.orgs import (
    StaffAddOrgMember,
    StaffAddOrgSite,
    StaffRemoveOrgMember,
    StaffSetOrgRcrainfoCredentials,
    StaffSetSiteRole,
)
from haztrak.application.identity.profile import EMAIL_PATTERN, CreateUser
from haztrak.application.ports.lookups import DotLookup
from haztrak.application.ports.security import PasswordHasher
from haztrak.domain.errors import DomainError
from haztrak.domain.handlers import EPA_ID_PATTERN, RcraSite, SiteType
from haztrak.domain.identity import SLUG_PATTERN, USERNAME_PATTERN, OrgRole, SiteRole, User
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.http.admin.audit import SECRET_COLUMNS

MIN_PASSWORD_LENGTH = 8  # as CreateUser requires
EPA_ID_RULE = "a two-letter state code, then 2-10 letters or digits"


class AdminRefusal(DomainError):
    """A change the admin site will not make; the message is shown above the form."""


@dataclass(frozen=True)
class Reference:
    """A foreign key that staff see and choose by a name rather than an id."""

    model: type[Base]
    label: Callable[[Any], str]
    order_by: Any
    #: The key the use cases take (slug, username, EPA ID).
    natural_key: Callable[[Any], str] = str


ORG = Reference(OrgRow, lambda o: o.name, OrgRow.name, lambda o: o.slug)
USER = Reference(UserRow, lambda u: u.username, UserRow.username, lambda u: u.username)
SITE = Reference(SiteRow, lambda s: f"{s.epa_id} ({s.name})", SiteRow.epa_id, lambda s: s.epa_id)
MANIFEST = Reference(ManifestRow, lambda m: m.mtn, ManifestRow.mtn, lambda m: m.mtn)


def _container(request: Request) -> AsyncContainer:
    container: AsyncContainer = request.state.dishka_container
    return container


def _staff(request: Request) -> User:
    user: User = request.state.admin_user
    return user


def _primary_key(model: type[Base]) -> Any:
    (pk,) = sqlalchemy_inspect(model).primary_key
    return pk


def _as_uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _pattern(pattern: Any, message: str) -> Regexp:
    return Regexp(pattern, message=message)


class Converter(ModelConverter):
    """sqladmin's converter, and advanced-alchemy's GUID columns as UUID inputs."""

    @converts("GUID")  # type: ignore[untyped-decorator]
    def conv_guid(self, model: type, prop: ColumnProperty[Any], kwargs: dict[str, Any]) -> Any:
        return self.conv_uuid(model=model, prop=prop, kwargs=kwargs)


class _AdminViewMeta(ModelViewMeta):
    """Lets a view name its URL (`slug`) instead of sqladmin's `user-row`."""

    def __new__(
        mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any], **kwargs: Any
    ) -> Any:
        cls = super().__new__(mcs, name, bases, attrs, **kwargs)
        if "slug" in attrs:
            cls.identity = attrs["slug"]
        return cls


def _when(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class AdminView(ModelView, metaclass=_AdminViewMeta):
    slug: ClassVar[str] = ""
    can_export = False
    can_import = False
    page_size = 25
    form_converter = Converter
    column_type_formatters = {**BASE_FORMATTERS, datetime: _when}

    #: Foreign-key columns shown and chosen by name.
    references: ClassVar[dict[str, Reference]] = {}
    #: Columns whose value must be one of these.
    choices: ClassVar[dict[str, Sequence[str]]] = {}
    #: Extra validators for form columns, from the domain's rules.
    field_validators: ClassVar[dict[str, Sequence[Callable[..., object]]]] = {}

    def __init__(self) -> None:
        super().__init__()
        # Readable labels for every column the view does not label itself.
        readable = {name: _readable(name, name in self.references) for name in self._prop_names}
        self._column_labels = readable | self._column_labels
        self._column_labels_value_by_key = {v: k for k, v in self._column_labels.items()}

    def is_accessible(self, request: Request) -> bool:
        # Only a signed-in staff user sees a view, even in the menu of an error page.
        return getattr(request.state, "admin_user", None) is not None

    def is_visible(self, request: Request) -> bool:
        return self.is_accessible(request)

    # Secret columns never reach a list, a detail page, a form or an export.

    def get_list_columns(self) -> builtins.list[str]:
        return [c for c in super().get_list_columns() if c not in self._hidden_secrets]

    def get_details_columns(self) -> builtins.list[str]:
        return [c for c in super().get_details_columns() if c not in self._hidden_secrets]

    def get_form_columns(self) -> builtins.list[str]:
        return [c for c in super().get_form_columns() if c not in SECRET_COLUMNS]

    def get_export_columns(self) -> builtins.list[str]:
        return [c for c in super().get_export_columns() if c not in SECRET_COLUMNS]

    def get_import_columns(self) -> builtins.list[str]:
        return [c for c in super().get_import_columns() if c not in SECRET_COLUMNS]

    @property
    def _hidden_secrets(self) -> frozenset[str]:
        """Secret columns not shown as "set" / "not set" (those listed in column_list are)."""
        shown = {self._get_prop_name(c) for c in self.column_list} if self.column_list else set()
        return SECRET_COLUMNS - shown

    async def get_list_value(
        self, obj: Any, prop: str, request: Request | None = None
    ) -> tuple[Any, Any]:
        if prop in SECRET_COLUMNS:
            return _presence(obj, prop)
        if prop in self.references and request is not None:
            label = await self._label(request, self.references[prop], getattr(obj, prop))
            return label, label
        return await super().get_list_value(obj, prop, request)

    async def get_detail_value(
        self, obj: Any, prop: str, request: Request | None = None
    ) -> tuple[Any, Any]:
        if prop in SECRET_COLUMNS:
            return _presence(obj, prop)
        if prop in self.references and request is not None:
            label = await self._label(request, self.references[prop], getattr(obj, prop))
            return label, label
        return await super().get_detail_value(obj, prop, request)

    async def list(self, request: Request) -> Pagination:
        page = await super().list(request)
        await self._preload_labels(request, page.rows)
        return page

    # Foreign keys by name: one query per referenced table per page.

    @staticmethod
    def _label_cache(request: Request) -> dict[tuple[type, Any], str]:
        cache: dict[tuple[type, Any], str] | None = getattr(request.state, "admin_labels", None)
        if cache is None:
            cache = {}
            request.state.admin_labels = cache
        return cache

    async def _preload_labels(self, request: Request, rows: Sequence[Any]) -> None:
        cache = self._label_cache(request)
        for prop, ref in self.references.items():
            if prop not in self._list_prop_names:
                continue
            wanted = {getattr(r, prop) for r in rows} - {None}
            wanted -= {key for model, key in cache if model is ref.model}
            if wanted:
                await self._load_labels(cache, ref, wanted)

    async def _load_labels(
        self, cache: dict[tuple[type, Any], str], ref: Reference, keys: set[Any]
    ) -> None:
        pk = _primary_key(ref.model)
        rows = await self._run_query(select(ref.model).where(pk.in_(keys)))
        for row in rows:
            cache[ref.model, getattr(row, pk.key)] = ref.label(row)

    async def _label(self, request: Request, ref: Reference, key: Any) -> str:
        if key is None:
            return ""
        cache = self._label_cache(request)
        if (ref.model, key) not in cache:
            await self._load_labels(cache, ref, {key})
        return cache.get((ref.model, key), f"{key} (missing)")

    async def _choices(self, ref: Reference) -> builtins.list[tuple[UUID, str]]:
        pk = _primary_key(ref.model)
        rows = await self._run_query(select(ref.model).order_by(ref.order_by))
        return [(getattr(row, pk.key), ref.label(row)) for row in rows]

    # Forms.

    def extra_fields(self) -> dict[str, Any]:
        """Inputs that are not columns (write-only secrets); `apply` receives their values."""
        return {}

    async def scaffold_form(self, rules: builtins.list[str] | None = None) -> type[Form]:
        base = await super().scaffold_form(rules)
        fields: dict[str, Any] = {}
        for name, ref in self.references.items():
            if name in self._form_prop_names:
                fields[name] = _select(
                    self._column_labels[name], await self._choices(ref), coerce=_as_uuid
                )
        for name, allowed in self.choices.items():
            if name in self._form_prop_names:
                fields[name] = _select(self._column_labels[name], [(v, v) for v in allowed])
        fields |= self.extra_fields()
        if rules:
            fields = {name: field for name, field in fields.items() if name in rules}
        form = type(base.__name__, (base,), fields)
        self._arrange(form, [*self._form_prop_names, *self.extra_fields()])
        return form

    def _arrange(self, form: type[Form], order: builtins.list[str]) -> None:
        """Fields in the order the view lists them, with the domain's validators added."""
        for position, name in enumerate(order):
            unbound = getattr(form, name, None)
            if not isinstance(unbound, UnboundField):
                continue
            unbound.creation_counter = position - len(order)
            if extra := self.field_validators.get(name):
                unbound.kwargs["validators"] = [*unbound.kwargs.get("validators", []), *extra]

    async def on_model_change(
        self, data: dict[str, Any], model: Any, is_created: bool, request: Request
    ) -> None:
        # Inputs that are not columns must leave `data` before sqladmin copies it to the row.
        extras = {name: data.pop(name) for name in self.extra_fields() if name in data}
        await self.apply(data, extras, model, is_created, request)

    async def apply(
        self,
        data: dict[str, Any],
        extras: dict[str, Any],
        model: Any,
        is_created: bool,
        request: Request,
    ) -> None:
        """Rules for one change, before sqladmin copies `data` onto the row."""

    # A database refusal is reported in words; its message (with the statement's
    # parameters, possibly secrets) is never shown or logged.

    async def insert_model(self, request: Request, data: dict[str, Any]) -> Any:
        try:
            return await super().insert_model(request, data)
        except SQLAlchemyError:
            raise AdminRefusal(self._refusal()) from None

    async def update_model(self, request: Request, pk: str, data: dict[str, Any]) -> Any:
        try:
            return await super().update_model(request, pk, data)
        except SQLAlchemyError:
            raise AdminRefusal(self._refusal()) from None

    async def delete_model(self, request: Request, pk: Any) -> None:
        try:
            await super().delete_model(request, pk)
        except SQLAlchemyError:
            raise AdminRefusal(
                f"The database refused to delete this {self.name.lower()}."
            ) from None

    def _refusal(self) -> str:
        return (
            f"The database refused this {self.name.lower()}: it would duplicate an existing "
            "record or refer to one that does not exist."
        )

    async def _existing(self, pk: Any) -> Any:
        """The row with this identifier, or a refusal naming it missing."""
        try:
            rows = await self._run_query(self._stmt_by_identifier(str(pk)))
        except ValueError:
            rows = []
        if not rows:
            raise AdminRefusal(f"This {self.name.lower()} does not exist (any more).")
        return rows[0]

    async def _name_of(self, ref: Reference, key: Any) -> str:
        """The natural key the use cases take (slug, username, EPA ID) of a referenced row."""
        pk = _primary_key(ref.model)
        rows = await self._run_query(select(ref.model).where(pk == _as_uuid(key)))
        if not rows:
            raise AdminRefusal(f"The chosen {ref.model.__tablename__[:-1]} does not exist.")
        return ref.natural_key(rows[0])

    # An id that does not parse is a missing object (404), not an error.

    async def get_object_for_details(self, request: Request) -> Any:
        try:
            return await super().get_object_for_details(request)
        except ValueError:
            return None

    async def get_object_for_edit(self, request: Request) -> Any:
        try:
            return await super().get_object_for_edit(request)
        except ValueError:
            return None

    async def get_object_for_delete(self, value: Any) -> Any:
        try:
            return await super().get_object_for_delete(value)
        except ValueError:
            return None


class ReadOnlyView(AdminView):
    can_create = False
    can_edit = False
    can_delete = False


_WORDS = {
    "id": "ID",
    "api": "API",
    "epa": "EPA",
    "dot": "DOT",
    "mtn": "MTN",
    "rcra": "RCRA",
    "rcrainfo": "RCRAInfo",
}


def _readable(column: str, is_reference: bool) -> str:
    """`rcrainfo_api_id` as "RCRAInfo API ID"; a reference `org_id` as "Org"."""
    if is_reference:
        column = column.removesuffix("_id")
    text = " ".join(_WORDS.get(word, word) for word in column.split("_"))
    return text[:1].upper() + text[1:]


def _select(label: str, choices: list[tuple[Any, str]], **kwargs: Any) -> Any:
    return SelectField(
        label,
        choices=choices,
        validators=[InputRequired()],
        render_kw={"class": "form-select"},
        **kwargs,
    )


def _password(label: str, validators: list[Any], description: str = "") -> Any:
    return PasswordField(
        label,
        validators=validators,
        description=description,
        render_kw={"class": "form-control", "autocomplete": "new-password"},
    )


def _presence(obj: Any, prop: str) -> tuple[str, str]:
    marker = "set" if getattr(obj, prop, None) else "not set"
    return marker, marker


# Accounts


class UserView(AdminView, model=UserRow):
    slug = "user"
    name, name_plural, icon, category = "User", "Users", "fa-solid fa-user", "Accounts"
    column_list = [
        UserRow.username,
        UserRow.email,
        UserRow.first_name,
        UserRow.last_name,
        UserRow.is_active,
        UserRow.is_staff,
        UserRow.created_at,
    ]
    column_searchable_list = [UserRow.username, UserRow.email, UserRow.last_name]
    column_sortable_list = [UserRow.username, UserRow.email, UserRow.created_at]
    column_default_sort = [(UserRow.username, False)]
    column_filters = [BooleanFilter(UserRow.is_active), BooleanFilter(UserRow.is_staff)]
    column_labels = {UserRow.is_staff: "Staff", UserRow.is_active: "Active"}
    form_columns = [
        UserRow.username,
        UserRow.email,
        UserRow.first_name,
        UserRow.last_name,
        UserRow.is_active,
        UserRow.is_staff,
    ]
    form_create_rules = ["username", "email", "first_name", "last_name", "is_staff", "password"]
    form_edit_rules = [
        "username",
        "email",
        "first_name",
        "last_name",
        "is_active",
        "is_staff",
        "new_password",
    ]
    field_validators = {
        "username": [
            _pattern(USERNAME_PATTERN, "1-150 letters, digits or the characters _ . @ + -")
        ],
        "email": [Optional(), _pattern(EMAIL_PATTERN, "must be an email address")],
    }

    def extra_fields(self) -> dict[str, Any]:
        return {
            "password": _password("Password", [InputRequired(), Length(min=MIN_PASSWORD_LENGTH)]),
            "new_password": _password(
                "New password",
                [Optional(), Length(min=MIN_PASSWORD_LENGTH)],
                "Sets a new password. Leave blank to keep the current one.",
            ),
        }

    async def insert_model(self, request: Request, data: dict[str, Any]) -> Any:
        """A new user is made by the same use case as `haztrak createuser`."""
        create = await _container(request).get(CreateUser)
        user = await create(
            data["username"],
            Secret(data.get("password") or ""),
            email=data.get("email") or "",
            first_name=data.get("first_name") or "",
            last_name=data.get("last_name") or "",
            is_staff=bool(data.get("is_staff")),
            actor=_staff(request),
        )
        return UserRow(id=user.id, username=user.username)  # enough for sqladmin's redirect

    async def apply(
        self,
        data: dict[str, Any],
        extras: dict[str, Any],
        model: Any,
        is_created: bool,
        request: Request,
    ) -> None:
        if model.id == _staff(request).id and not (data.get("is_active") and data.get("is_staff")):
            raise AdminRefusal(
                "You cannot deactivate your own account or take away your own staff status."
            )
        if password := extras.get("new_password"):
            hasher = await _container(request).get(PasswordHasher)
            model.password_hash = await asyncio.to_thread(hasher.hash, Secret(password))

    async def delete_model(self, request: Request, pk: Any) -> None:
        if str(pk) == str(_staff(request).id):
            raise AdminRefusal("You cannot delete your own account.")
        await super().delete_model(request, pk)


class RcrainfoProfileView(ReadOnlyView, model=RcrainfoProfileRow):
    slug = "rcrainfo-profile"
    name, name_plural, icon, category = (
        "RCRAInfo profile",
        "RCRAInfo profiles",
        "fa-solid fa-id-card",
        "Accounts",
    )
    references = {"user_id": USER}
    column_list = [
        RcrainfoProfileRow.user_id,
        RcrainfoProfileRow.rcra_username,
        RcrainfoProfileRow.api_id,
        RcrainfoProfileRow.api_key_encrypted,
        RcrainfoProfileRow.phone_number,
    ]
    column_details_list = column_list
    column_labels = {
        RcrainfoProfileRow.user_id: "User",
        RcrainfoProfileRow.api_id: "API ID",
        RcrainfoProfileRow.api_key_encrypted: "API key",
    }


# Organizations and sites


class OrgView(AdminView, model=OrgRow):
    slug = "org"
    name, name_plural, icon, category = "Org", "Orgs", "fa-solid fa-building", "Organizations"
    column_list = [
        OrgRow.name,
        OrgRow.slug,
        OrgRow.rcrainfo_api_id,
        OrgRow.rcrainfo_api_key_encrypted,
        OrgRow.rcrainfo_credentials_failing,
    ]
    column_details_list = column_list
    column_searchable_list = [OrgRow.name, OrgRow.slug]
    column_sortable_list = [OrgRow.name, OrgRow.slug]
    column_default_sort = [(OrgRow.name, False)]
    column_labels = {
        OrgRow.rcrainfo_api_id: "RCRAInfo API ID",
        OrgRow.rcrainfo_api_key_encrypted: "RCRAInfo API key",
        OrgRow.rcrainfo_credentials_failing: "Credentials failing",
    }
    # "Credentials failing" is RCRAInfo's verdict, not an input: new credentials clear it.
    form_columns = [OrgRow.name, OrgRow.slug, OrgRow.rcrainfo_api_id]
    field_validators = {
        "slug": [_pattern(SLUG_PATTERN, "lowercase letters and digits, joined by hyphens")]
    }

    def extra_fields(self) -> dict[str, Any]:
        return {
            "new_api_key": _password(
                "Replace RCRAInfo API key",
                [Optional(), Length(max=500)],
                "Write-only: the key is stored encrypted and never shown. "
                "Leave blank to keep the current key.",
            ),
            "remove_api_key": BooleanField(
                "Remove the stored RCRAInfo API key", render_kw={"class": "form-check-input"}
            ),
        }

    async def apply(
        self,
        data: dict[str, Any],
        extras: dict[str, Any],
        model: Any,
        is_created: bool,
        request: Request,
    ) -> None:
        if is_created:
            model.id = uuid4()

    async def insert_model(self, request: Request, data: dict[str, Any]) -> Any:
        credentials = self._credentials(data)
        org = await super().insert_model(request, data)
        await self._set_credentials(request, org, *credentials)
        return org

    async def update_model(self, request: Request, pk: str, data: dict[str, Any]) -> Any:
        credentials = self._credentials(data)
        org = await super().update_model(request, pk, data)
        await self._set_credentials(request, org, *credentials)
        return org

    def _credentials(self, data: dict[str, Any]) -> tuple[str | None, Secret | None]:
        """The API ID and key out of the form (they go through the use case, not the row):
        a typed key replaces the stored one, "remove" removes it (""), None keeps it."""
        api_id = (data.pop("rcrainfo_api_id", None) or "").strip() or None
        new_key = data.pop("new_api_key", None)
        remove = data.pop("remove_api_key", None)
        key = Secret(new_key) if new_key else Secret("") if remove else None
        return api_id, key

    async def _set_credentials(
        self, request: Request, org: Any, api_id: str | None, key: Secret | None
    ) -> None:
        if key is None and api_id == org.rcrainfo_api_id:
            return  # the credentials did not change
        set_credentials = await _container(request).get(StaffSetOrgRcrainfoCredentials)
        await set_credentials(_staff(request), org.slug, api_id, key)


class OrgMembershipView(AdminView, model=OrgMembershipRow):
    slug = "org-membership"
    name, name_plural, icon, category = (
        "Org membership",
        "Org memberships",
        "fa-solid fa-people-group",
        "Organizations",
    )
    references = {"org_id": ORG, "user_id": USER}
    choices = {"role": [role.value for role in OrgRole]}
    column_list = [OrgMembershipRow.org_id, OrgMembershipRow.user_id, OrgMembershipRow.role]
    column_details_list = column_list
    column_filters = [
        ForeignKeyFilter(OrgMembershipRow.org_id, OrgRow.name, OrgRow, title="Org"),
        AllUniqueStringValuesFilter(OrgMembershipRow.role),
    ]
    form_columns = column_list
    form_edit_rules = ["role"]  # a membership moves to no other org or user

    async def _names(self, org_id: Any, user_id: Any) -> tuple[str, str]:
        return await self._name_of(ORG, org_id), await self._name_of(USER, user_id)

    async def insert_model(self, request: Request, data: dict[str, Any]) -> Any:
        org_id, user_id = _as_uuid(data["org_id"]), _as_uuid(data["user_id"])
        existing = await self._run_query(
            select(OrgMembershipRow).where(
                OrgMembershipRow.org_id == org_id, OrgMembershipRow.user_id == user_id
            )
        )
        if existing:
            raise AdminRefusal(self._refusal())
        await self._set(request, org_id, user_id, data["role"])
        return OrgMembershipRow(org_id=org_id, user_id=user_id, role=data["role"])

    async def update_model(self, request: Request, pk: str, data: dict[str, Any]) -> Any:
        row = await self._existing(pk)
        await self._set(request, row.org_id, row.user_id, data["role"])
        return await self._existing(pk)

    async def _set(self, request: Request, org_id: Any, user_id: Any, role: str) -> None:
        slug, username = await self._names(org_id, user_id)
        add = await _container(request).get(StaffAddOrgMember)
        await add(_staff(request), slug, username, OrgRole(role))

    async def delete_model(self, request: Request, pk: Any) -> None:
        """As the API removes a member: with every role held on the org's sites, and never
        the org's last admin."""
        row = await self._existing(pk)
        slug, username = await self._names(row.org_id, row.user_id)
        remove = await _container(request).get(StaffRemoveOrgMember)
        await remove(_staff(request), slug, username)


class SiteView(AdminView, model=SiteRow):
    slug = "site"
    name, name_plural, icon, category = "Site", "Sites", "fa-solid fa-industry", "Organizations"
    references = {"org_id": ORG}
    choices = {"site_type": [t.value for t in SiteType]}
    column_list = [
        SiteRow.epa_id,
        SiteRow.name,
        SiteRow.site_type,
        SiteRow.org_id,
        SiteRow.last_manifest_sync,
    ]
    column_details_list = column_list
    column_searchable_list = [SiteRow.epa_id, SiteRow.name]
    column_sortable_list = [SiteRow.epa_id, SiteRow.name]
    column_default_sort = [(SiteRow.epa_id, False)]
    column_filters = [ForeignKeyFilter(SiteRow.org_id, OrgRow.name, OrgRow, title="Org")]
    column_labels = {SiteRow.epa_id: "EPA ID"}
    form_columns = [SiteRow.epa_id, SiteRow.name, SiteRow.site_type, SiteRow.org_id]
    # A site keeps its EPA ID and org: its roles and manifests are tied to both.
    form_edit_rules = ["name", "site_type"]
    field_validators = {"epa_id": [_pattern(EPA_ID_PATTERN, EPA_ID_RULE)]}

    async def insert_model(self, request: Request, data: dict[str, Any]) -> Any:
        """A new site is made as the API makes one: with its RCRA handler record."""
        add = await _container(request).get(StaffAddOrgSite)
        view = await add(
            _staff(request),
            await self._name_of(ORG, data["org_id"]),
            data["epa_id"],
            data["name"],
            SiteType(data["site_type"]),
        )
        return SiteRow(id=view.site.id, epa_id=view.site.epa_id)  # enough for the redirect


class SitePermissionView(AdminView, model=SitePermissionRow):
    slug = "site-role"
    name, name_plural, icon, category = (
        "Site role",
        "Site roles",
        "fa-solid fa-user-shield",
        "Organizations",
    )
    references = {"site_id": SITE, "user_id": USER}
    choices = {"role": [role.value for role in SiteRole]}
    column_list = [SitePermissionRow.site_id, SitePermissionRow.user_id, SitePermissionRow.role]
    column_details_list = column_list
    column_filters = [AllUniqueStringValuesFilter(SitePermissionRow.role)]
    form_columns = column_list
    form_edit_rules = ["role"]  # a role moves to no other site or user

    async def insert_model(self, request: Request, data: dict[str, Any]) -> Any:
        site_id, user_id = _as_uuid(data["site_id"]), _as_uuid(data["user_id"])
        existing = await self._run_query(
            select(SitePermissionRow).where(
                SitePermissionRow.site_id == site_id, SitePermissionRow.user_id == user_id
            )
        )
        if existing:
            raise AdminRefusal(self._refusal())
        await self._set(request, site_id, user_id, SiteRole(data["role"]))
        return SitePermissionRow(site_id=site_id, user_id=user_id, role=data["role"])

    async def update_model(self, request: Request, pk: str, data: dict[str, Any]) -> Any:
        row = await self._existing(pk)
        await self._set(request, row.site_id, row.user_id, SiteRole(data["role"]))
        return await self._existing(pk)

    async def delete_model(self, request: Request, pk: Any) -> None:
        row = await self._existing(pk)
        await self._set(request, row.site_id, row.user_id, None)

    async def _set(
        self, request: Request, site_id: Any, user_id: Any, role: SiteRole | None
    ) -> None:
        """As the API sets a role: for a member of the site's org only."""
        sites = await self._run_query(select(SiteRow).where(SiteRow.id == _as_uuid(site_id)))
        if not sites:
            raise AdminRefusal("The chosen site does not exist.")
        site = sites[0]
        slug = await self._name_of(ORG, site.org_id)
        set_role = await _container(request).get(StaffSetSiteRole)
        await set_role(_staff(request), slug, await self._name_of(USER, user_id), site.epa_id, role)


# RCRA handlers


def _rcra_site_document(form: Any, field: Field) -> None:
    try:
        _handler_document(field.data, form.epa_id.data, form.site_type.data, form.name.data)
    except (msgspec.ValidationError, ValueError) as exc:
        raise ValidationError(f"not an RCRAInfo handler: {exc}") from None


def _handler_document(document: Any, epa_id: str, site_type: str, name: str) -> dict[str, Any]:
    """EPA's handler JSON with the row's own ID, type and name, checked against the domain."""
    if document in (None, ""):
        document = {}
    if not isinstance(document, dict):
        raise ValueError("the document must be a JSON object")
    merged = {**document, "epaSiteId": epa_id, "siteType": site_type, "name": name}
    site = msgspec.convert(merged, RcraSite)
    builtins: dict[str, Any] = msgspec.to_builtins(site)
    return builtins


class RcraSiteView(AdminView, model=RcraSiteRow):
    slug = "rcra-site"
    name, name_plural, icon, category = (
        "RCRA handler",
        "RCRA handlers",
        "fa-solid fa-truck-field",
        "RCRA handlers",
    )
    form_include_pk = True
    choices = {"site_type": [t.value for t in SiteType]}
    column_list = [RcraSiteRow.epa_id, RcraSiteRow.name, RcraSiteRow.site_type]
    column_searchable_list = [RcraSiteRow.epa_id, RcraSiteRow.name]
    column_sortable_list = [RcraSiteRow.epa_id, RcraSiteRow.name]
    column_default_sort = [(RcraSiteRow.epa_id, False)]
    column_filters = [AllUniqueStringValuesFilter(RcraSiteRow.site_type)]
    column_labels = {RcraSiteRow.epa_id: "EPA ID", RcraSiteRow.document: "RCRAInfo document"}
    form_columns = [
        RcraSiteRow.epa_id,
        RcraSiteRow.site_type,
        RcraSiteRow.name,
        RcraSiteRow.document,
    ]
    field_validators = {
        "epa_id": [_pattern(EPA_ID_PATTERN, EPA_ID_RULE)],
        "document": [_rcra_site_document],
    }

    async def apply(
        self,
        data: dict[str, Any],
        extras: dict[str, Any],
        model: Any,
        is_created: bool,
        request: Request,
    ) -> None:
        data["document"] = _handler_document(
            data.get("document"), data["epa_id"], data["site_type"], data["name"]
        )


# Lookups (the API serves them from a cache: a change shows within five minutes)


class FederalWasteCodeView(AdminView, model=FederalWasteCodeRow):
    slug = "federal-waste-code"
    name, name_plural, icon, category = (
        "Federal waste code",
        "Federal waste codes",
        "fa-solid fa-biohazard",
        "Lookups",
    )
    form_include_pk = True
    column_list = [FederalWasteCodeRow.code, FederalWasteCodeRow.description]
    column_searchable_list = column_list
    column_sortable_list = [FederalWasteCodeRow.code]
    column_default_sort = [(FederalWasteCodeRow.code, False)]


class StateWasteCodeView(AdminView, model=StateWasteCodeRow):
    slug = "state-waste-code"
    name, name_plural, icon, category = (
        "State waste code",
        "State waste codes",
        "fa-solid fa-flag-usa",
        "Lookups",
    )
    form_include_pk = True
    column_list = [StateWasteCodeRow.state, StateWasteCodeRow.code, StateWasteCodeRow.description]
    column_searchable_list = column_list
    column_sortable_list = [StateWasteCodeRow.state, StateWasteCodeRow.code]
    column_default_sort = [(StateWasteCodeRow.state, False), (StateWasteCodeRow.code, False)]
    column_filters = [AllUniqueStringValuesFilter(StateWasteCodeRow.state)]
    field_validators = {"state": [_pattern(r"^[A-Z]{2}$", "a two-letter state code")]}


class DotLookupView(AdminView, model=DotLookupRow):
    slug = "dot-lookup"
    name, name_plural, icon, category = (
        "DOT value",
        "DOT values",
        "fa-solid fa-triangle-exclamation",
        "Lookups",
    )
    form_include_pk = True
    choices = {"kind": [kind.value for kind in DotLookup]}
    column_list = [DotLookupRow.kind, DotLookupRow.value]
    column_searchable_list = [DotLookupRow.value]
    column_sortable_list = column_list
    column_default_sort = [(DotLookupRow.kind, False), (DotLookupRow.value, False)]
    column_filters = [AllUniqueStringValuesFilter(DotLookupRow.kind)]


# Read only: manifests, tokens, what RCRAInfo reported, the audit log


def _handlers(document: Any, *, names: bool) -> str:
    """Generator, transporters in order, and the designated facility, from EPA's JSON."""
    if not isinstance(document, dict):
        return ""

    def site(handler: Any) -> str:
        if not isinstance(handler, dict):
            return "?"
        epa_id = str(handler.get("epaSiteId") or "?")
        name = handler.get("name")
        return f"{epa_id} ({name})" if names and name else epa_id

    transporters = document.get("transporters")
    parties = [
        ("Generator", document.get("generator")),
        *(
            (f"Transporter {i}", t)
            for i, t in enumerate(transporters if isinstance(transporters, list) else [], 1)
        ),
        ("TSDF", document.get("designatedFacility")),
    ]
    if names:
        return " → ".join(f"{role} {site(handler)}" for role, handler in parties)
    return " → ".join(site(handler) for _, handler in parties)


class ManifestView(ReadOnlyView, model=ManifestRow):
    slug = "manifest"
    name, name_plural, icon, category = (
        "Manifest",
        "Manifests",
        "fa-solid fa-file-lines",
        "Manifests",
    )
    references = {"owner_org_id": ORG}
    column_list = [
        ManifestRow.mtn,
        ManifestRow.status,
        ManifestRow.submission_type,
        ManifestRow.document,
        ManifestRow.owner_org_id,
        ManifestRow.updated_at,
    ]
    column_details_list = [
        ManifestRow.mtn,
        ManifestRow.status,
        ManifestRow.submission_type,
        ManifestRow.signature_status,
        ManifestRow.document,
        ManifestRow.owner_org_id,
        ManifestRow.owner_site_id,
        ManifestRow.version,
        ManifestRow.created_at,
        ManifestRow.updated_at,
    ]
    column_labels = {
        ManifestRow.mtn: "Tracking number",
        ManifestRow.document: "Handlers",
        ManifestRow.owner_org_id: "Owner org",
        ManifestRow.owner_site_id: "Owner site (a draft is its alone)",
    }
    column_formatters = {ManifestRow.document: lambda m, _: _handlers(m.document, names=False)}
    column_formatters_detail = {
        ManifestRow.document: lambda m, _: _handlers(m.document, names=True)
    }
    column_searchable_list = [ManifestRow.mtn]
    column_sortable_list = [ManifestRow.mtn, ManifestRow.status, ManifestRow.updated_at]
    column_default_sort = [(ManifestRow.updated_at, True)]
    column_filters = [AllUniqueStringValuesFilter(ManifestRow.status)]


class AuditLogView(ReadOnlyView, model=AuditEntryRow):
    slug = "audit-log"
    name, name_plural, icon, category = (
        "Audit entry",
        "Audit log",
        "fa-solid fa-clipboard-list",
        "Audit",
    )
    column_list = [
        AuditEntryRow.at,
        AuditEntryRow.actor,
        AuditEntryRow.action,
        AuditEntryRow.object_type,
        AuditEntryRow.object_id,
        AuditEntryRow.detail,
    ]
    column_details_list = [AuditEntryRow.id, AuditEntryRow.actor_id, *column_list]
    column_searchable_list = [AuditEntryRow.actor, AuditEntryRow.object_id]
    column_sortable_list = [AuditEntryRow.at, AuditEntryRow.actor, AuditEntryRow.action]
    column_default_sort = [(AuditEntryRow.at, True), (AuditEntryRow.id, True)]
    column_filters = [
        AllUniqueStringValuesFilter(AuditEntryRow.action),
        AllUniqueStringValuesFilter(AuditEntryRow.object_type),
    ]
    page_size = 50


def read_only(
    model: type[Base],
    name: str,
    plural: str,
    *,
    slug: str,
    category: str,
    icon: str = "fa-solid fa-table",
    references: dict[str, Reference] | None = None,
    columns: Sequence[Any] = (),
    newest_first: Any = None,
) -> type[ReadOnlyView]:
    """A read-only view of a table (secret columns excepted): one entry per further table.
    `columns` picks the list's columns (the detail page shows them all); `newest_first`
    is the column the list sorts on, descending."""
    attrs: dict[str, Any] = {
        "slug": slug,
        "name": name,
        "name_plural": plural,
        "category": category,
        "icon": icon,
        "references": references or {},
    }
    if columns:
        attrs["column_list"] = list(columns)
    if newest_first is not None:
        attrs["column_default_sort"] = [(newest_first, True)]
    return types.new_class(
        f"{model.__name__}View", (ReadOnlyView,), {"model": model}, lambda ns: ns.update(attrs)
    )
