"""The worker's loops: publish jobs, deliver events to the chats, and the minute tick.

Each loop survives a failing step (logged, retried on the next round) so one bad
job or one chat being down never stops the others. `stop` ends them promptly.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from chatbot.ports import Clock, EventFeed, JobQueue, Notifier
from chatbot.publishing import Publisher
from chatbot.workflow import Workflow

log = logging.getLogger(__name__)


class Worker:
    def __init__(
        self,
        workflow: Workflow,
        publisher: Publisher | None,
        queue: JobQueue,
        events: EventFeed,
        notifiers: Sequence[Notifier],
        clock: Clock,
        consumer: str = "worker-1",
        block_ms: int = 500,
        tick_seconds: float = 30.0,
    ) -> None:
        self.workflow = workflow
        self.publisher = publisher
        self.queue = queue
        self.events = events
        self.notifiers = list(notifiers)
        self.clock = clock
        self.consumer = consumer
        self.block_ms = block_ms
        self.tick_seconds = tick_seconds
        self.stopping = threading.Event()
        self.identity_ok = False
        self._threads: list[threading.Thread] = []

    # -- one round of each loop (the tests drive these directly) ---------------

    def publish_round(self) -> int:
        """Release due jobs, then publish what is queued. Returns jobs handled."""
        if self.publisher is None:
            raise RuntimeError("this worker only notifies; it has no X credentials to publish")
        self.queue.release_due(self.clock.now())
        if not self.identity_ok:
            # Art. 4: never publish from an account that is not ours; look again later.
            self.identity_ok = self.publisher.check_identity()
            if not self.identity_ok:
                self.stopping.wait(5)
                return 0
        handled = 0
        for claimed in self.queue.claim(self.consumer, self.block_ms):
            if self.stopping.is_set():
                # Claimed while shutting down: hand it straight back for another worker
                # rather than publish with one that is going away (or leave it pending
                # until the reclaim period runs out).
                self.queue.defer(claimed.entry_id, claimed.job, self.clock.now())
                continue
            self.publisher.handle(claimed)
            handled += 1
        return handled

    def notify_round(self) -> int:
        delivered = 0
        for entry_id, event in self.events.read(self.consumer, self.block_ms):
            for notifier in self.notifiers:
                try:
                    notifier.notify(event)
                except Exception:  # one chat being down must not silence the others
                    log.exception("notifier %s failed on %s %s", type(notifier).__name__,
                                  event.kind, event.subject)
            self.events.ack(entry_id)
            delivered += 1
        return delivered

    def tick(self) -> None:
        self.queue.release_due(self.clock.now())
        self.workflow.send_reminders()
        # Once a day the chain's head goes to the notification channel: a copy of it
        # outside Redis, which whoever could rewrite Redis cannot rewrite.
        self.workflow.announce_audit_head(only_if_due=True)
        self.workflow.end_budget_hold_of_past_month()

    # -- running -----------------------------------------------------------------

    def start(self, only: str | None = None) -> None:
        """All loops, or `only="publish"` (with the tick) or `only="notify"`: publishing
        and telling the chats can run as separate processes, so a slow chat API never
        delays a post and the card updates never compete with publishing for the CPU."""
        loops: list[tuple[str, Callable[[], object], float]] = [
            ("publish", self.publish_round, 0.0),
            ("notify", self.notify_round, 0.0),
            ("tick", self.tick, self.tick_seconds),
        ]
        wanted = {None: {"publish", "notify", "tick"}, "publish": {"publish", "tick"},
                  "notify": {"notify"}}[only]
        for name, step, pause in loops:
            if name not in wanted:
                continue
            thread = threading.Thread(target=self._loop, args=(name, step, pause),
                                      name=f"xpost-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        for thread in self._threads:
            thread.join(timeout)

    def _loop(self, name: str, step: Callable[[], object], pause: float) -> None:
        failures = 0
        while not self.stopping.is_set():
            try:
                step()
                failures = 0
            except Exception:
                failures += 1
                log.exception("worker loop %s failed (%d in a row)", name, failures)
                # Redis down or similar: wait a little longer each time, up to 10 s.
                self.stopping.wait(min(10.0, 0.5 * 2 ** min(failures, 5)))
                continue
            if pause:
                self.stopping.wait(pause)

    def run_forever(self, only: str | None = None) -> None:
        self.start(only)
        try:
            while not self.stopping.is_set():
                time.sleep(0.5)
        finally:
            self.stop()
