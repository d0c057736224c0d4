"""The actors on dramatiq's StubBroker with a real Worker: a message carries a task id, the
actor hands it to the runner, and a runner's "again in n seconds" becomes a delayed retry."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

import dramatiq
from dramatiq.brokers.stub import StubBroker

from haztrak.adapters.queue.brokers import BULK_QUEUE, QUEUE, create_broker
from haztrak.adapters.queue.dramatiq_queue import DramatiqTaskQueue
from haztrak.domain.tasks import RetryPolicy, Task, TaskName
from haztrak.entrypoints.worker.actors import declare_actors
from tests.polling import eventually


def _task(name: TaskName) -> Task:
    return Task(id=uuid.uuid4(), name=name, owner_id=None, created_at=datetime.now(UTC))


async def test_actors_take_ids_and_turn_a_retry_request_into_a_delayed_delivery() -> None:
    broker = create_broker(None, RetryPolicy(first_delay=0, max_delay=1))
    assert isinstance(broker, StubBroker)
    seen: list[str] = []
    lock = threading.Lock()

    def execute(task_id: str) -> float | None:
        with lock:
            seen.append(task_id)
            return 0.05 if seen.count(task_id) < 3 else None  # "again in 50 ms", twice

    declare_actors(broker, execute)
    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        queue = DramatiqTaskQueue(broker)
        interactive, bulk = _task(TaskName.QUICKER_SIGN), _task(TaskName.SYNC_SITE_MANIFESTS)
        await queue.enqueue(interactive)
        await queue.enqueue(bulk)

        async def all_done() -> bool | None:
            with lock:
                return True if len(seen) == 6 else None

        await eventually(all_done)
        broker.join(QUEUE)
        broker.join(BULK_QUEUE)
        assert sorted(set(seen)) == sorted({str(interactive.id), str(bulk.id)})
        assert seen.count(str(interactive.id)) == seen.count(str(bulk.id)) == 3
        assert broker.dead_letters == []
    finally:
        worker.stop()
        broker.close()


def test_bulk_work_yields_to_interactive_work() -> None:
    broker = create_broker(None, RetryPolicy())
    declare_actors(broker, lambda task_id: None)
    assert broker.get_actor("run_task").priority < broker.get_actor("run_bulk_task").priority
    assert broker.get_actor("run_bulk_task").queue_name == BULK_QUEUE
    broker.close()
