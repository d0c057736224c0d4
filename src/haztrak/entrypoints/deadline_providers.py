"""dishka providers for deadlines: the RCRA clocks of manifests and generator categories."""

from __future__ import annotations

from dishka import Provider, Scope, provide, provide_all

from haztrak.adapters.persistence.deadlines import SqlDeadlineStore
from haztrak.application.deadlines import (
    GetGeneratorCategory,
    ListDeadlines,
    RecordDeadlineReported,
    SetGeneratorCategory,
)
from haztrak.application.ports.deadlines import DeadlineStore


class DeadlineProvider(Provider):
    scope = Scope.REQUEST

    store = provide(SqlDeadlineStore, provides=DeadlineStore)
    use_cases = provide_all(
        ListDeadlines, RecordDeadlineReported, GetGeneratorCategory, SetGeneratorCategory
    )
