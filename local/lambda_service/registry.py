"""The functions of the local Lambda service: created, changed and deleted through the API, run in workers.

Files under the root directory (`--state-dir`/lambda, else a temporary directory removed at close):

    <name>/function.json       the function's settings and code facts, replaced in one step
    <name>/code-<revision>/    the unpacked code of one upload

A function created through the API is stored there and loaded again at start. One registered from a
directory (`--function`) runs that directory's code for this run only, and shadows a stored function of the
same name until the run ends.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local.durable_file import read_json, write_json_atomically
from local.engine.lambda_runtime import LambdaOutcome, LambdaServiceError
from local.lambda_service.functions import (
    FunctionCode,
    FunctionSettings,
    invalid_parameter,
    settings_to_create,
    updated_settings,
    zip_archive,
)
from local.lambda_service.worker_pool import Invocation, WorkerPool, WorkerSpec

logger = logging.getLogger(__name__)

CONFIGURATION_FILE = "function.json"
DEFAULT_CONCURRENCY = 10
"""Worker processes per function unless told otherwise."""
LATEST = "$LATEST"


@dataclass(frozen=True)
class _Version:
    """One state of a function: what GetFunctionConfiguration shows."""

    settings: FunctionSettings
    code: FunctionCode
    last_modified: str
    revision_id: str
    stored: bool  # written under the root and loaded again at start


ClientContextSource = Callable[[], Mapping[str, Any]]
"""Gives the client context of each invocation of a function (see `register_directory`)."""


@dataclass
class _Function:
    version: _Version
    pool: WorkerPool
    client_context: ClientContextSource | None = None
    preload: tuple[str, ...] = ()


class FunctionRegistry:
    """Lambda functions by name, each with its pool of warm workers; also the engine's `LambdaInvoker`."""

    def __init__(self, *, account_id: str, region: str, root: Path | None, concurrency: int) -> None:
        """`root` keeps functions across restarts; None keeps them in a temporary directory for this run."""
        self.account_id = account_id
        self.region = region
        self._root = root
        self._temporary_root = root is None
        self._concurrency = concurrency
        self._functions: dict[str, _Function] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Create the root directory and load the stored functions."""
        if self._root is None:
            return  # the temporary root is made by the first upload: a server killed before leaves nothing
        self._root.mkdir(parents=True, exist_ok=True)
        for directory in sorted(self._root.iterdir()):
            if directory.is_dir():
                self._load(directory)

    def close(self) -> None:
        """Stop every worker; a temporary root is removed."""
        with self._lock:
            functions, self._functions = list(self._functions.values()), {}
        for function in functions:
            function.pool.close()
        if self._temporary_root and self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)

    # ------------------------------------------------------------------ the API's operations

    def function_arn(self, name: str) -> str:
        """The ARN of a function in this service's account and region."""
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{name}"

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        """CreateFunction: store the settings and unpack the zip; the configuration."""
        settings = settings_to_create(body)
        archive = zip_archive(body.get("Code"))
        with self._lock:
            if settings.name in self._functions:
                raise LambdaServiceError(
                    "ResourceConflictException", f"Function already exist: {settings.name}", status_code=409
                )
            version = _new_version(settings, self._unpack(settings.name, archive), stored=True)
            self._save(version)
            self._functions[settings.name] = _Function(
                version, WorkerPool(self._spec(version), self._concurrency)
            )
        return self.configuration_document(version)

    def register_directory(
        self,
        name: str,
        directory: Path,
        handler: str,
        *,
        configuration: Mapping[str, Any] | None = None,
        concurrency: int | None = None,
        client_context: ClientContextSource | None = None,
        preload: Sequence[str] = (),
    ) -> None:
        """Run `handler` (`module.function`) from the code in `directory`, for this run (`--function`).

        `configuration` takes CreateFunction's members (`Environment`, `Timeout`, `MemorySize`, ...);
        `concurrency` caps this function's workers below the service's limit (its reserved concurrency);
        `client_context` gives each invocation's `context.client_context`, as a caller of Invoke may;
        `preload` names libraries installed here that the code imports, shared by its workers
        (`worker_process.py`).
        """
        runtime = f"python{sys.version_info.major}.{sys.version_info.minor}"  # what the workers run
        settings = settings_to_create(
            {**(configuration or {}), "FunctionName": name, "Runtime": runtime, "Handler": handler}
        )
        version = _new_version(settings, FunctionCode(directory.resolve()), stored=False)
        limit = self._concurrency if concurrency is None else max(1, min(concurrency, self._concurrency))
        self._put(version, limit, client_context, tuple(preload))

    def get_function(self, identifier: str, qualifier: str | None = None) -> dict[str, Any]:
        """GetFunction."""
        version = self._find(identifier, qualifier).version
        return {
            "Configuration": self.configuration_document(version),
            "Code": {"RepositoryType": "S3", "Location": version.code.directory.as_uri()},
        }

    def get_configuration(self, identifier: str, qualifier: str | None = None) -> dict[str, Any]:
        """GetFunctionConfiguration."""
        return self.configuration_document(self._find(identifier, qualifier).version)

    def list_configurations(self) -> list[dict[str, Any]]:
        """ListFunctions, by name."""
        with self._lock:
            versions = [self._functions[name].version for name in sorted(self._functions)]
        return [self.configuration_document(version) for version in versions]

    def delete(self, identifier: str, qualifier: str | None = None) -> None:
        """DeleteFunction: its workers stop, its stored files go."""
        name = self._find(identifier, qualifier).version.settings.name
        with self._lock:
            function = self._functions.pop(name, None)
            if function is not None and self._root is not None:
                shutil.rmtree(self._root / name, ignore_errors=True)
        if function is not None:
            function.pool.close()

    def update_code(self, identifier: str, body: dict[str, Any]) -> dict[str, Any]:
        """UpdateFunctionCode: later invocations run the new code."""
        name = self._find(identifier, None).version.settings.name
        archive = zip_archive(body)
        with self._lock:
            current = self._existing(name).version
            code = self._unpack(name, archive)
            return self._replace(_new_version(current.settings, code, stored=True))

    def update_configuration(self, identifier: str, body: dict[str, Any]) -> dict[str, Any]:
        """UpdateFunctionConfiguration: later invocations run with the new settings."""
        name = self._find(identifier, None).version.settings.name
        with self._lock:
            current = self._existing(name).version
            settings = updated_settings(current.settings, body)
            return self._replace(_new_version(settings, current.code, stored=current.stored))

    def knows(self, identifier: str) -> bool:
        """Whether a function by that name exists here."""
        with self._lock:
            return _name_and_qualifier(identifier)[0] in self._functions

    # ------------------------------------------------------------------ invoking

    def invoke(self, function: str, event: Any, qualifier: str | None = None) -> LambdaOutcome:
        """Invoke (RequestResponse): run the function in a worker of its own and wait for the outcome."""
        found = self._find(function, qualifier)
        return found.pool.invoke(self._invocation(found, event))

    def invoke_later(self, function: str, event: Any, qualifier: str | None = None) -> str:
        """Invoke (Event): run the function in the background; its request id."""
        found = self._find(function, qualifier)
        invocation = self._invocation(found, event)
        threading.Thread(
            target=_run_in_background, args=(found.pool, invocation), name="lambda-event", daemon=True
        ).start()
        return invocation.request_id

    # ------------------------------------------------------------------ shapes

    def configuration_document(self, version: _Version) -> dict[str, Any]:
        """A function's configuration as the API shows it."""
        settings = version.settings
        return {
            "FunctionName": settings.name,
            "FunctionArn": self.function_arn(settings.name),
            "Runtime": settings.runtime,
            "Role": settings.role,
            "Handler": settings.handler,
            "CodeSize": version.code.size,
            "Description": settings.description,
            "Timeout": settings.timeout,
            "MemorySize": settings.memory_size,
            "LastModified": version.last_modified,
            "CodeSha256": version.code.sha256,
            "Version": LATEST,
            "Environment": {"Variables": dict(settings.environment)},
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": version.revision_id,
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": ["x86_64"],
            "EphemeralStorage": {"Size": 512},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{settings.name}"},
        }

    # ------------------------------------------------------------------ internals

    def _find(self, identifier: str, qualifier: str | None) -> _Function:
        name, named_qualifier = _name_and_qualifier(identifier)
        qualifier = qualifier or named_qualifier
        with self._lock:
            function = self._functions.get(name)
        if function is None or qualifier not in (None, LATEST):
            suffix = f":{qualifier}" if qualifier else ""
            raise LambdaServiceError.function_not_found(self.function_arn(name) + suffix)
        return function

    def _existing(self, name: str) -> _Function:
        function = self._functions.get(name)
        if function is None:  # deleted since `_find`
            raise LambdaServiceError.function_not_found(self.function_arn(name))
        return function

    def _invocation(self, function: _Function, event: Any) -> Invocation:
        source = function.client_context
        return Invocation(
            request_id=str(uuid.uuid4()),
            event=event,
            invoked_function_arn=self.function_arn(function.version.settings.name),
            client_context=source() if source is not None else None,
        )

    def _put(
        self,
        version: _Version,
        concurrency: int | None = None,
        client_context: ClientContextSource | None = None,
        preload: tuple[str, ...] = (),
    ) -> None:
        with self._lock:
            previous = self._functions.pop(version.settings.name, None)
            pool = WorkerPool(self._spec(version, preload), concurrency or self._concurrency)
            self._functions[version.settings.name] = _Function(version, pool, client_context, preload)
        if previous is not None:
            previous.pool.close()

    def _replace(self, version: _Version) -> dict[str, Any]:
        """Install a new version of an existing function (the caller holds the lock)."""
        function = self._functions[version.settings.name]
        if version.stored:
            self._save(version)
        function.version = version
        function.pool.use(self._spec(version, function.preload))
        return self.configuration_document(version)

    def _unpack(self, name: str, archive: bytes) -> FunctionCode:
        target = self._root_dir() / name / f"code-{uuid.uuid4().hex}"
        target.mkdir(parents=True)
        try:
            with zipfile.ZipFile(io.BytesIO(archive)) as package:
                package.extractall(target)
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            shutil.rmtree(target, ignore_errors=True)
            raise invalid_parameter(
                "Could not unzip uploaded file. Please check your file, then try to upload again."
            ) from error
        digest = base64.b64encode(hashlib.sha256(archive).digest()).decode()
        return FunctionCode(target, size=len(archive), sha256=digest)

    def _save(self, version: _Version) -> None:
        document = {
            "Settings": version.settings.to_json(),
            "Code": {
                "Directory": version.code.directory.name,
                "Size": version.code.size,
                "Sha256": version.code.sha256,
            },
            "LastModified": version.last_modified,
            "RevisionId": version.revision_id,
        }
        # The code it replaces stays until the next start (`_load`): busy workers may still import from it.
        write_json_atomically(self._root_dir() / version.settings.name / CONFIGURATION_FILE, document)

    def _root_dir(self) -> Path:
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="local-lambda-"))
        return self._root

    def _load(self, directory: Path) -> None:
        document = read_json(directory / CONFIGURATION_FILE)
        if not isinstance(document, dict):
            logger.warning("Ignoring %s: it holds no %s", directory, CONFIGURATION_FILE)
            return
        try:
            settings = settings_to_create(document["Settings"])
            code = document["Code"]
            version = _Version(
                settings=settings,
                code=FunctionCode(directory / code["Directory"], size=code["Size"], sha256=code["Sha256"]),
                last_modified=document["LastModified"],
                revision_id=document["RevisionId"],
                stored=True,
            )
        except (KeyError, TypeError, LambdaServiceError) as error:
            logger.warning("Ignoring the function stored in %s: %s", directory, error)
            return
        for leftover in directory.glob("code-*"):  # code replaced by an upload in an earlier run
            if leftover != version.code.directory:
                shutil.rmtree(leftover, ignore_errors=True)
        self._put(version)

    def _spec(self, version: _Version, preload: tuple[str, ...] = ()) -> WorkerSpec:
        settings = version.settings
        stream = f"{time.strftime('%Y/%m/%d')}/[{LATEST}]{uuid.uuid4().hex}"
        environment = {
            **os.environ,
            "AWS_LAMBDA_FUNCTION_NAME": settings.name,
            "AWS_LAMBDA_FUNCTION_VERSION": LATEST,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(settings.memory_size),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{settings.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{settings.runtime}",
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "LAMBDA_TASK_ROOT": str(version.code.directory),
            "_HANDLER": settings.handler,
            "TZ": ":UTC",
            "PYTHONUNBUFFERED": "1",  # prints reach the log as they happen
            **settings.environment,
        }
        return WorkerSpec(
            version.code.directory, settings.handler, environment, float(settings.timeout), preload
        )


def _new_version(settings: FunctionSettings, code: FunctionCode, *, stored: bool) -> _Version:
    modified = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"
    return _Version(settings, code, modified, str(uuid.uuid4()), stored)


def _name_and_qualifier(identifier: str) -> tuple[str, str | None]:
    """A function name, a full ARN or a partial one (`123456789012:function:name`), each with an optional
    `:qualifier`."""
    parts = identifier.split(":")
    if "function" in parts[:-1]:
        parts = parts[parts.index("function") + 1 :]
    return parts[0], (parts[1] if len(parts) > 1 else None)


def _run_in_background(pool: WorkerPool, invocation: Invocation) -> None:
    try:
        outcome = pool.invoke(invocation)
    except LambdaServiceError as error:
        logger.warning("Asynchronous invocation %s was not run: %s", invocation.request_id, error.message)
        return
    if not outcome.ok:
        logger.info("Asynchronous invocation %s failed: %s", invocation.request_id, outcome.error_payload)
