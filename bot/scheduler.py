"""The worker: APScheduler polls each source on its own interval until SIGTERM/SIGINT."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from types import FrameType

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from bot.config import SourceConfig
from bot.pipeline import Pipeline

log = logging.getLogger(__name__)

DELIVERY_INTERVAL_S = 5.0
SHUTDOWN_GRACE_S = 8.0  # platforms kill 10-30 s after SIGTERM; stay well inside


def run_worker(pipeline: Pipeline, sources: Sequence[SourceConfig], stop: threading.Event) -> None:
    """Blocks until `stop` is set (by a signal), then lets in-flight work finish or
    abandon cleanly: whatever is left is picked up by the next worker."""
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=UTC,
    )
    now = datetime.now(UTC)
    for index, source in enumerate(sources):
        scheduler.add_job(
            _poll,
            "interval",
            args=(pipeline, source),
            seconds=source.interval_s,
            # Jitter spreads polls of many sources; never more than a tenth of the interval.
            jitter=min(source.interval_s / 10, 60),
            next_run_time=now,
            id=f"source-{index}",
            name=source.label,
        )
    scheduler.add_job(pipeline.deliver, "interval", seconds=DELIVERY_INTERVAL_S, id="deliver")
    _install_signal_handlers(stop)
    scheduler.start()
    log.info("worker started: %d sources", len(sources))
    stop.wait()
    log.info("stopping: finishing work in flight (at most %.0f s)", SHUTDOWN_GRACE_S)
    closer = threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, daemon=True)
    closer.start()
    closer.join(SHUTDOWN_GRACE_S)
    if closer.is_alive():
        log.warning("work still in flight abandoned; it will be redone by the next worker")
    log.info("worker stopped")


def _poll(pipeline: Pipeline, source: SourceConfig) -> None:
    stats = pipeline.poll_source(source)
    stats.add(pipeline.deliver())  # new alerts go out now, not at the next delivery tick
    log.info("poll %s: %s", source.label, stats.summary())


def _install_signal_handlers(stop: threading.Event) -> None:
    def handle(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
