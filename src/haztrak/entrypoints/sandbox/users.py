"""RCRAInfo users and their per-site, per-module permissions, as user search reports them."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import msgspec

MODULES = ("SiteManagement", "AnnualReport", "BiennialReport", "eManifest", "myRCRAid", "WIETS")
EMANIFEST = "eManifest"
SITE_MANAGEMENT = "SiteManagement"


class Level(IntEnum):
    """e-Manifest permission levels, from least to most trusted."""

    NONE = 0
    VIEWER = 1
    PREPARER = 2
    CERTIFIER = 3

    @classmethod
    def parse(cls, text: str) -> Level:
        return {
            "Viewer": cls.VIEWER,
            "Preparer": cls.PREPARER,
            "Certifier": cls.CERTIFIER,
        }.get(text, cls.NONE)


class Permission(msgspec.Struct, frozen=True):
    module: str
    level: str


class SiteAccess(msgspec.Struct, frozen=True):
    site_id: str
    permissions: tuple[Permission, ...]

    def level(self, module: str) -> str:
        return next((p.level for p in self.permissions if p.module == module), "None")


def site_manager_access(site_id: str) -> SiteAccess:
    """What RCRAInfo shows for a Site Manager: Active site management, Certifier elsewhere."""
    return SiteAccess(
        site_id,
        tuple(
            Permission(module, "Active" if module == SITE_MANAGEMENT else "Certifier")
            for module in MODULES
        ),
    )


def module_access(site_id: str, emanifest_level: str) -> SiteAccess:
    """A user without site management who holds one e-Manifest level."""
    return SiteAccess(
        site_id,
        tuple(
            Permission(module, emanifest_level if module == EMANIFEST else "None")
            for module in MODULES
        ),
    )


class RcraUser(msgspec.Struct, frozen=True, kw_only=True):
    user_id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    last_login_date: str
    esa_status: str = "Received"
    api_id: str | None = None
    api_key: str | None = None
    api_status: str = "Active"
    sites: tuple[SiteAccess, ...] = ()

    def access(self, site_id: str) -> SiteAccess | None:
        return next((s for s in self.sites if s.site_id == site_id), None)

    def emanifest_level(self, site_id: str) -> Level:
        access = self.access(site_id)
        return Level.NONE if access is None else Level.parse(access.level(EMANIFEST))

    def manages(self, site_id: str) -> bool:
        access = self.access(site_id)
        return access is not None and access.level(SITE_MANAGEMENT) == "Active"

    @property
    def site_ids(self) -> frozenset[str]:
        return frozenset(s.site_id for s in self.sites)

    @property
    def managed_site_ids(self) -> frozenset[str]:
        return frozenset(s.site_id for s in self.sites if self.manages(s.site_id))

    @property
    def is_site_manager(self) -> bool:
        return bool(self.managed_site_ids)

    @property
    def can_esign(self) -> bool:
        return self.esa_status == "Received"

    def signer(self) -> dict[str, str]:
        """The `Signer` object e-Manifest writes into signatures."""
        return {"userId": self.user_id, "firstName": self.first_name, "lastName": self.last_name}

    def search_entry(self, site_names: dict[str, str], visible: frozenset[str]) -> dict[str, Any]:
        """The user as user search shows it, limited to the sites the searcher may see."""
        return {
            "userId": self.user_id,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "email": self.email,
            "phone": {"number": self.phone},
            "esaStatus": self.esa_status,
            "lastLoginDate": self.last_login_date,
            "sites": [
                {
                    "siteId": access.site_id,
                    "siteName": site_names.get(access.site_id, ""),
                    "permissions": [
                        {"level": p.level, "module": p.module} for p in access.permissions
                    ],
                }
                for access in self.sites
                if access.site_id in visible
            ],
        }

    def listing(self) -> dict[str, Any]:
        """The entry `haztrak sandbox --list-users` prints."""
        return {
            "userId": self.user_id,
            "apiId": self.api_id,
            "apiKey": self.api_key,
            "sites": [
                {
                    "siteId": access.site_id,
                    "permissions": [
                        {"module": p.module, "level": p.level} for p in access.permissions
                    ],
                }
                for access in self.sites
            ],
        }
