"""Notices in SQL: the audience of an event, notices, preferences and the e-mails owed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, delete, distinct, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from haztrak.adapters.persistence.notice_tables import (
    NoticeMailRow,
    NoticePreferenceRow,
    NoticeRow,
)
from haztrak.adapters.persistence.tables import (
    OrgMembershipRow,
    SitePermissionRow,
    SiteRow,
    UserRow,
    cast_table,
)
from haztrak.application.ports.notices import MailToSend, NoticeCursor, NoticeMail, Recipient
from haztrak.domain.events import EventKind
from haztrak.domain.identity import OrgRole
from haztrak.domain.notices import Channel, Delivery, Notice, NoticePreferences

_notices = cast_table(NoticeRow)
_mails = cast_table(NoticeMailRow)


def _insert(session: AsyncSession, table: Any) -> Any:
    postgres = session.get_bind().dialect.name == "postgresql"
    return pg_insert(table) if postgres else sqlite_insert(table)


def _recipient(row: UserRow) -> Recipient:
    name = f"{row.first_name} {row.last_name}".strip()
    return Recipient(user_id=row.id, username=row.username, email=row.email or "", name=name)


class SqlNoticeAudience:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def users_of_sites(self, epa_ids: Sequence[str]) -> Sequence[Recipient]:
        if not epa_ids:
            return []
        with_role = (
            select(SitePermissionRow.user_id)
            .join(SiteRow, SiteRow.id == SitePermissionRow.site_id)
            .where(SiteRow.epa_id.in_(epa_ids))
        )
        admins = (
            select(OrgMembershipRow.user_id)
            .join(SiteRow, SiteRow.org_id == OrgMembershipRow.org_id)
            .where(SiteRow.epa_id.in_(epa_ids), OrgMembershipRow.role == OrgRole.ADMIN.value)
        )
        rows = await self._session.scalars(
            select(UserRow)
            .where(UserRow.is_active, or_(UserRow.id.in_(with_role), UserRow.id.in_(admins)))
            .order_by(UserRow.username)
        )
        return [_recipient(r) for r in rows]

    async def members_of_orgs(self, org_ids: Sequence[UUID]) -> Sequence[Recipient]:
        if not org_ids:
            return []
        members = select(OrgMembershipRow.user_id).where(OrgMembershipRow.org_id.in_(org_ids))
        rows = await self._session.scalars(
            select(UserRow)
            .where(UserRow.is_active, UserRow.id.in_(members))
            .order_by(UserRow.username)
        )
        return [_recipient(r) for r in rows]

    async def users(self, user_ids: Sequence[UUID]) -> Sequence[Recipient]:
        if not user_ids:
            return []
        rows = await self._session.scalars(
            select(UserRow).where(UserRow.is_active, UserRow.id.in_(user_ids))
        )
        return [_recipient(r) for r in rows]

    async def all_site_ids(self) -> Sequence[str]:
        return list(await self._session.scalars(select(SiteRow.epa_id).order_by(SiteRow.epa_id)))


def _notice(row: Any) -> Notice:
    return Notice(
        id=row.id,
        user_id=row.user_id,
        event_id=row.event_id,
        kind=EventKind(row.kind),
        at=row.at,
        mtn=row.mtn,
        detail={str(k): str(v) for k, v in (row.detail or {}).items()},
        read_at=row.read_at,
    )


class SqlNoticeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, notice: Notice) -> bool:
        statement = _insert(self._session, _notices).values(
            id=notice.id,
            user_id=notice.user_id,
            event_id=notice.event_id,
            kind=notice.kind.value,
            at=notice.at,
            mtn=notice.mtn,
            detail=dict(notice.detail),
            read_at=notice.read_at,
        )
        result = await self._session.execute(
            statement.on_conflict_do_nothing(index_elements=["event_id", "user_id"])
        )
        return bool(getattr(result, "rowcount", 0))

    async def page(
        self, user_id: UUID, *, limit: int, after: NoticeCursor | None = None, unread_only: bool
    ) -> Sequence[Notice]:
        query = select(NoticeRow).where(NoticeRow.user_id == user_id)
        if unread_only:
            query = query.where(NoticeRow.read_at.is_(None))
        if after is not None:
            query = query.where(
                or_(
                    NoticeRow.at < after.at,
                    and_(NoticeRow.at == after.at, NoticeRow.id < after.id),
                )
            )
        rows = await self._session.scalars(
            query.order_by(NoticeRow.at.desc(), NoticeRow.id.desc()).limit(limit)
        )
        return [_notice(r) for r in rows]

    async def unread_count(self, user_id: UUID) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(NoticeRow)
            .where(NoticeRow.user_id == user_id, NoticeRow.read_at.is_(None))
        )
        return int(count or 0)

    async def mark_read(self, user_id: UUID, notice_id: UUID, at: datetime) -> bool:
        found = await self._session.scalar(
            select(NoticeRow.id).where(NoticeRow.id == notice_id, NoticeRow.user_id == user_id)
        )
        if found is None:
            return False
        await self._session.execute(
            update(NoticeRow)
            .where(NoticeRow.id == notice_id, NoticeRow.read_at.is_(None))
            .values(read_at=at)
        )
        return True

    async def mark_all_read(self, user_id: UUID, at: datetime) -> int:
        result = await self._session.execute(
            update(NoticeRow)
            .where(NoticeRow.user_id == user_id, NoticeRow.read_at.is_(None))
            .values(read_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class SqlNoticePreferenceStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: UUID) -> NoticePreferences:
        return (await self.get_many([user_id])).get(user_id, NoticePreferences())

    async def get_many(self, user_ids: Sequence[UUID]) -> Mapping[UUID, NoticePreferences]:
        if not user_ids:
            return {}
        found: dict[UUID, dict[EventKind, Delivery]] = {}
        rows = await self._session.execute(
            select(
                NoticePreferenceRow.user_id, NoticePreferenceRow.kind, NoticePreferenceRow.delivery
            ).where(NoticePreferenceRow.user_id.in_(user_ids))
        )
        for user_id, kind, delivery in rows:
            try:
                found.setdefault(user_id, {})[EventKind(kind)] = Delivery(delivery)
            except ValueError:  # a kind or delivery no longer offered
                continue
        return {u: NoticePreferences(deliveries=d) for u, d in found.items()}

    async def set(self, user_id: UUID, preferences: NoticePreferences) -> None:
        await self._session.execute(
            delete(NoticePreferenceRow).where(NoticePreferenceRow.user_id == user_id)
        )
        rows = [
            {"user_id": user_id, "kind": kind.value, "delivery": delivery.value}
            for kind, delivery in preferences.deliveries.items()
            if delivery is not Delivery.IN_APP
        ]
        if rows:
            await self._session.execute(_insert(self._session, NoticePreferenceRow.__table__), rows)


def _mail(row: NoticeMailRow) -> NoticeMail:
    return NoticeMail(
        id=row.id,
        event_id=row.event_id,
        user_id=row.user_id,
        channel=Channel(row.channel),
        notice_id=row.notice_id,
        created_at=row.created_at,
        sent_at=row.sent_at,
        attempts=row.attempts,
    )


class SqlNoticeMails:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, mail: NoticeMail) -> bool:
        statement = _insert(self._session, _mails).values(
            id=mail.id,
            event_id=mail.event_id,
            user_id=mail.user_id,
            channel=mail.channel.value,
            notice_id=mail.notice_id,
            created_at=mail.created_at,
            sent_at=mail.sent_at,
            attempts=mail.attempts,
        )
        result = await self._session.execute(
            statement.on_conflict_do_nothing(index_elements=["event_id", "user_id", "channel"])
        )
        return bool(getattr(result, "rowcount", 0))

    def _joined(self) -> Any:
        return (
            select(NoticeMailRow, NoticeRow, UserRow)
            .join(NoticeRow, NoticeRow.id == NoticeMailRow.notice_id)
            .join(UserRow, UserRow.id == NoticeMailRow.user_id)
        )

    async def get(self, mail_id: UUID) -> MailToSend | None:
        row = (
            await self._session.execute(self._joined().where(NoticeMailRow.id == mail_id))
        ).first()
        if row is None:
            return None
        mail, notice, user = row
        return MailToSend(mail=_mail(mail), notice=_notice(notice), recipient=_recipient(user))

    async def count_attempt(self, mail_id: UUID) -> None:
        await self._session.execute(
            update(NoticeMailRow)
            .where(NoticeMailRow.id == mail_id)
            .values(attempts=NoticeMailRow.attempts + 1)
        )

    async def mark_sent(self, mail_ids: Sequence[UUID], at: datetime) -> None:
        if mail_ids:
            await self._session.execute(
                update(NoticeMailRow)
                .where(NoticeMailRow.id.in_(mail_ids), NoticeMailRow.sent_at.is_(None))
                .values(sent_at=at)
            )

    async def digest_users(self, *, limit: int) -> Sequence[UUID]:
        rows = await self._session.scalars(
            select(distinct(NoticeMailRow.user_id))
            .where(NoticeMailRow.channel == Channel.DIGEST.value, NoticeMailRow.sent_at.is_(None))
            .limit(limit)
        )
        return list(rows)

    async def digest_of(self, user_id: UUID) -> Sequence[MailToSend]:
        rows = await self._session.execute(
            self._joined()
            .where(
                NoticeMailRow.user_id == user_id,
                NoticeMailRow.channel == Channel.DIGEST.value,
                NoticeMailRow.sent_at.is_(None),
            )
            .order_by(NoticeRow.at, NoticeRow.id)
        )
        return [
            MailToSend(mail=_mail(m), notice=_notice(n), recipient=_recipient(u))
            for m, n, u in rows
        ]
