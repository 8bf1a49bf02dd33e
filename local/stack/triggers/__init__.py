"""What invokes a workflow's functions besides the state machine and the API: table streams, topic
subscriptions and rate schedules, each polled on a background thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from catalog.model import StateMachine
from local.engine.clock import Clock
from local.stack.aws_services import EmbeddedAwsServices
from local.stack.functions import CatalogFunction
from local.stack.naming import resource_name
from local.stack.provisioning import ProvisionedResources
from local.stack.triggers.loop import PollingLoop
from local.stack.triggers.schedule import RateSchedule
from local.stack.triggers.stream_source import StreamSourceDelivery
from local.stack.triggers.subscription import TopicSubscription

__all__ = ["PollingLoop", "RateSchedule", "Triggers", "build_triggers"]


@dataclass(frozen=True)
class Triggers:
    """What invokes one workflow's functions besides the state machine and the API."""

    loops: tuple[PollingLoop, ...]
    """One (not yet started) loop per stream source, subscription and schedule."""
    schedules: tuple[RateSchedule, ...]
    """The schedules among them, for the clock control to stop at each run's time."""


def build_triggers(
    machine: StateMachine,
    *,
    resources: ProvisionedResources,
    functions: Mapping[str, CatalogFunction],
    tunables: Mapping[str, int | str],
    services: EmbeddedAwsServices,
    clock: Clock,
    data_dir: Path,
) -> Triggers:
    """The stream sources, subscriptions and schedules `machine` declares (stream positions in `data_dir`)."""
    loops = [
        PollingLoop(
            f"{resource_name(machine, source.table)} stream -> {functions[source.function].name}",
            StreamSourceDelivery(
                source=source,
                stream_arn=resources.stream_arns[source.table],
                function=functions[source.function],
                failure_queue_url=resources.queue_urls[source.failure_queue],
                services=services,
                clock=clock,
                position_file=data_dir / f"{resource_name(machine, source.table)}-stream-position.json",
            ).poll,
        )
        for source in machine.stream_sources
    ]
    loops += [
        PollingLoop(
            f"{resource_name(machine, subscription.topic)} -> {functions[subscription.function].name}",
            TopicSubscription(
                topic_arn=resources.topic_arns[subscription.topic],
                function=functions[subscription.function],
                failure_queue_url=resources.queue_urls[subscription.failure_queue],
                services=services,
            ).poll,
        )
        for subscription in machine.subscriptions
    ]
    schedules = [
        RateSchedule(
            name=resource_name(machine, schedule.function) + "-schedule",
            function=functions[schedule.function],
            every=timedelta(minutes=int(tunables[schedule.every_minutes.tunable])),
            clock=clock,
        )
        for schedule in machine.schedules
    ]
    loops += [
        PollingLoop(f"every {schedule.every} -> {schedule.function_name}", schedule.poll)
        for schedule in schedules
    ]
    return Triggers(loops=tuple(loops), schedules=tuple(schedules))
