"""The whole local runtime in one process: AWS services, the engine and its API, the catalog's workflows,
the API endpoint and the fake vendor.

    with LocalStack(StackConfig.on_free_ports(clock="virtual")) as stack:
        stack.addresses.api            # POST {api}/schedules ...
        stack.advance(86_400)          # or POST {api}/_local/clock

Start order matters: functions are registered before the engine's worker starts, so that executions
resumed from `--state-dir` find them, and a clock move a crash cut short is completed only once
everything that runs on the way is there.

One clock: the engine's. The catalog's functions run in worker processes of the stack's Lambda service
(`functions.py`); on a virtual or skip clock each invocation carries the engine's time and the handlers
read it through the seam in `functions.common.clock`. DynamoDB stamps its stream records with it, the
fake vendor and the rate schedules measure time on it.

With `--state-dir`, everything a client got a 2xx for survives a restart, kill -9 included: the engine's
executions, timers and clock (SQLite), the ledger (SQLite), the embedded AWS services' state
(`aws_state`), the stream trigger's position, the fake vendor's operations and an interrupted clock
move. `docs/local-durability.md` describes the guarantees.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from catalog import STATE_MACHINES
from catalog.model import StateMachine
from local.engine import Engine, MemoryStore, RealClock, SkipClock, SqliteStore, VirtualClock
from local.engine.clock import Clock
from local.engine.store import Store
from local.lambda_service.command_line import STATE_SUBDIRECTORY as LAMBDA_STATE_SUBDIRECTORY
from local.lambda_service.registry import FunctionRegistry
from local.lambda_service.rest_api import LambdaRestApi
from local.lambda_service.worker_process import start_template
from local.sfn_api import SfnApiServer
from local.sfn_api.clock_mover import ClockMover
from local.sfn_api.sfn_command import STATE_FILE_NAME
from local.stack.api_gateway import RouteTable
from local.stack.api_server import ApiIntegration, LocalApiServer
from local.stack.aws_services import EmbeddedAwsServices
from local.stack.config import ACCOUNT_ID, REGION, StackConfig
from local.stack.deployment_values import LocalDeployment
from local.stack.functions import SHARED_LIBRARIES, LocalEndpoints
from local.stack.workflows import DeployedWorkflow, deploy_workflow
from local.third_party_fake import FakeThirdPartyApi

logger = logging.getLogger(__name__)

AWS_STATE_FILE_NAME = "aws-services.pickle"


@dataclass(frozen=True)
class StackAddresses:
    """Base URLs of everything the stack serves."""

    api: str
    """The catalog's APIs (the Schedule API) and `/_local/clock`."""
    stepfunctions: str
    """The Step Functions API (AWS JSON 1.0) and `/_local/clock`."""
    aws: str
    """The embedded AWS services (moto)."""
    third_party: str
    """The fake vendor API (control routes under `/_control/`)."""


class LocalStack:
    """Starts and stops the local runtime; see the module docstring.

    One stack per process at a time: moto's state is process-wide, and a stack resets it when it closes.
    """

    def __init__(self, config: StackConfig, machines: Mapping[str, StateMachine] = STATE_MACHINES) -> None:
        self.config = config
        self._machines = machines
        self._closers: list[Any] = []
        self._engine: Engine | None = None
        self._aws: EmbeddedAwsServices | None = None
        self._third_party: FakeThirdPartyApi | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._addresses: StackAddresses | None = None
        self._clock: ClockMover | None = None
        self.workflows: dict[str, DeployedWorkflow] = {}
        self.completed_clock_move: datetime | None = None
        """The target of a clock move that a crash had cut short and this start completed."""

    def start(self) -> StackAddresses:
        """Start everything; on any failure, stop what had started and re-raise."""
        try:
            return self._start()
        except BaseException:
            self.close()
            raise

    def _start(self) -> StackAddresses:
        config = self.config
        if config.state_dir is not None:
            config.state_dir.mkdir(parents=True, exist_ok=True)
        clock = _clock(config.clock)
        aws_url = self._start_aws_services(clock)
        engine = self._build_engine(clock, aws_url)
        clock_mover = ClockMover(engine, journal_dir=config.state_dir)
        self._clock = clock_mover
        lambda_service = self._start_lambda_service(engine)
        sfn_server = self._started(
            SfnApiServer(
                engine,
                host=config.host,
                port=config.sfn_port,
                clock_control=clock_mover,
                lambda_api=LambdaRestApi(lambda_service),
            )
        )
        sfn_server.start()
        sfn_url = sfn_server.endpoint_url
        third_party_url = self._start_third_party()
        self._deploy_workflows(
            lambda_service,
            LocalEndpoints(aws=aws_url, stepfunctions=sfn_url),
            LocalDeployment(third_party_url=third_party_url),
        )
        start_template(SHARED_LIBRARIES)  # the functions' workers fork from it; it imports meanwhile
        clock_mover.follow(
            [schedule for workflow in self.workflows.values() for schedule in workflow.schedules]
        )
        api_server = LocalApiServer(
            clock_mover, self._api_integrations(), host=config.host, port=config.api_port
        )
        api_url = self._started(api_server).start()
        self._start_running_executions()
        self._start_triggers()
        self.completed_clock_move = clock_mover.complete_interrupted_move()
        self._addresses = StackAddresses(
            api=api_url, stepfunctions=sfn_url, aws=aws_url, third_party=third_party_url
        )
        return self._addresses

    def _start_aws_services(self, clock: Clock) -> str:
        state_dir = self.config.state_dir
        self._aws = self._started(
            EmbeddedAwsServices(
                host=self.config.host,
                port=self.config.aws_port,
                clock=clock.now,
                state_file=state_dir / AWS_STATE_FILE_NAME if state_dir is not None else None,
            )
        )
        return self._aws.start()

    def _build_engine(self, clock: Clock, aws_url: str) -> Engine:
        """The engine the HTTP servers call."""
        self._engine = self._started(
            Engine(
                clock=clock,
                store=self._store(),
                account_id=ACCOUNT_ID,
                region=REGION,
                aws_endpoint_url=aws_url,
            )
        )
        return self._engine

    def _start_lambda_service(self, engine: Engine) -> FunctionRegistry:
        """The Lambda service that runs the catalog's functions, and any a user creates through its API
        (served beside the Step Functions API; kept under --state-dir/lambda)."""
        state_dir = self.config.state_dir
        registry = self._started(
            FunctionRegistry(
                account_id=ACCOUNT_ID,
                region=REGION,
                root=state_dir / LAMBDA_STATE_SUBDIRECTORY if state_dir is not None else None,
                concurrency=self.config.lambda_concurrency,
            )
        )
        registry.start()
        engine.use_lambda_invoker(registry)
        return registry

    def _start_third_party(self) -> str:
        # The fake vendor measures its delays on the stack's clock, so a virtual day is a day to it too.
        self._third_party = FakeThirdPartyApi(clock=self.engine.clock.now, state_dir=self.config.state_dir)
        url = self._third_party.start(self.config.host, self.config.third_party_port)
        self._started(_Stopper(self._third_party.stop))
        return url

    def _deploy_workflows(
        self, lambda_service: FunctionRegistry, endpoints: LocalEndpoints, deployment: LocalDeployment
    ) -> None:
        for name, machine in self._machines.items():
            self.workflows[name] = deploy_workflow(
                machine,
                engine=self.engine,
                lambda_service=lambda_service,
                follows_clock=self.config.clock != "real",
                services=self.aws,
                endpoints=endpoints,
                deployment=deployment,
                data_dir=self._data_dir(),
                tunable_overrides=self.config.tunable_overrides.get(name),
                function_metrics=self.config.function_metrics,
            )

    def _start_triggers(self) -> None:
        for workflow in self.workflows.values():
            for trigger in workflow.triggers:
                self._started(trigger).start()

    def _start_running_executions(self) -> None:
        """Start running executions (also those a restart resumes), once every function is registered."""
        self.engine.start()

    def advance(self, seconds: float) -> datetime:
        """Move a virtual or skip clock forward, running everything due by then (like POST /_local/clock)."""
        if self.config.clock == "real":
            raise RuntimeError("a real clock cannot be moved")
        return self.clock.advance(seconds)

    def _data_dir(self) -> Path:
        """Where databases live: under --state-dir, or in a directory removed when the stack closes."""
        if self.config.state_dir is not None:
            return self.config.state_dir
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="local-stack-")
            self._closers.append(_Stopper(self._scratch.cleanup))
        return Path(self._scratch.name)

    def _store(self) -> Store:
        if self.config.state_dir is None:
            return MemoryStore()
        return SqliteStore(self.config.state_dir / STATE_FILE_NAME)

    def _api_integrations(self) -> list[ApiIntegration]:
        return [
            ApiIntegration(
                routes=RouteTable.of(workflow.machine.api.routes),
                function=workflow.function(workflow.machine.api.function),
            )
            for workflow in self.workflows.values()
            if workflow.machine.api is not None
        ]

    def _started(self, component: Any) -> Any:
        """Remember `component` so that `close()` stops it (in reverse order of starting)."""
        self._closers.append(component)
        return component

    @property
    def addresses(self) -> StackAddresses:
        """Where everything listens; only once started."""
        if self._addresses is None:
            raise RuntimeError("the local stack is not running")
        return self._addresses

    @property
    def engine(self) -> Engine:
        """The local Step Functions engine."""
        if self._engine is None:
            raise RuntimeError("the local stack is not running")
        return self._engine

    @property
    def clock(self) -> ClockMover:
        """The stack's clock, as `/_local/clock` moves it."""
        if self._clock is None:
            raise RuntimeError("the local stack is not running")
        return self._clock

    @property
    def aws(self) -> EmbeddedAwsServices:
        """The embedded AWS services (for boto3 clients pointed at them)."""
        if self._aws is None:
            raise RuntimeError("the local stack is not running")
        return self._aws

    @property
    def third_party(self) -> FakeThirdPartyApi:
        """The fake vendor (its `vendor` attribute sets failure modes)."""
        if self._third_party is None:
            raise RuntimeError("the local stack is not running")
        return self._third_party

    def close(self) -> None:
        """Stop everything that was started, newest first; safe to call twice."""
        while self._closers:
            component = self._closers.pop()
            try:
                component.close()
            except Exception:  # keep stopping the rest
                logger.exception("stopping %s failed", type(component).__name__)
        self._addresses = None
        self._scratch = None
        self._clock = None

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _clock(mode: str) -> Clock:
    """The clock for `mode`. A virtual or skip clock starts at the wall clock's time the first time;
    after a restart the engine resumes it exactly where the store says it stood."""
    if mode == "real":
        return RealClock()
    return VirtualClock() if mode == "virtual" else SkipClock()


class _Stopper:
    """Something to stop that has no `close()`: the function that stops it."""

    def __init__(self, stop: Callable[[], object]) -> None:
        self._stop = stop

    def close(self) -> None:
        self._stop()
