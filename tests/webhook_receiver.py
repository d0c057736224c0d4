"""A webhook receiver for tests: an HTTP server on 127.0.0.1 that records each request and
answers with the statuses it is given (then 200), or a redirect."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int = 0
    answers: list[int] = field(default_factory=list)
    """Statuses to answer, in order; 200 once they run out (or `always` when set)."""
    always: int | None = None
    received: list[Received] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/haztrak"

    def status(self) -> int:
        if self.answers:
            return self.answers.pop(0)
        return self.always if self.always is not None else 200

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.received.append(Received(method, path, headers, body))
            status = self.status()
            extra = "Location: http://127.0.0.1:1/elsewhere\r\n" if 300 <= status < 400 else ""
            answer = f"HTTP/1.1 {status} X\r\n{extra}Content-Length: 2\r\nConnection: close\r\n"
            writer.write(answer.encode() + b"\r\nok")
            await writer.drain()
            self.arrived.set()
        finally:
            writer.close()


@asynccontextmanager
async def receiver(**kwargs: object) -> AsyncIterator[Receiver]:
    found = Receiver(**kwargs)  # type: ignore[arg-type]
    server = await asyncio.start_server(found.handle, "127.0.0.1", 0)
    found.port = server.sockets[0].getsockname()[1]
    try:
        yield found
    finally:
        server.close()
        await server.wait_closed()
