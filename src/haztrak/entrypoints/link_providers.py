"""dishka providers for links into RCRAInfo (EPA's UI-link service): the request's use case
and the task's work."""

from __future__ import annotations

from dishka import Provider, Scope, provide_all

from haztrak.application.rcrainfo.links import GetRcrainfoLink, MakeRcrainfoLink


class LinkProvider(Provider):
    scope = Scope.REQUEST

    use_cases = provide_all(GetRcrainfoLink, MakeRcrainfoLink)
