"""Airbyte's standard connector tests (the `airbyte-cdk` package's suite) against our native binary.

The suite runs a connector in one of two ways: in-process, through the CDK's `AirbyteEntrypoint`
and a Python `Source` object, or as a Docker image (`docker run`). We have neither a Python class
nor a Docker daemon, so `ExecutableSource` is a `Source` whose every method runs the binary the way
the platform does (same verb, same config/catalog/state files) and hands back what it printed.
It makes up no message the binary did not print, and a non-zero exit is an uncaught error, as on
the suite's Docker path and on the platform. What the CDK's entrypoint still does around it: a few
log lines of its own, record counts on STATE messages, and, in `check` only, validating the config
against our spec first (answering FAILED itself if it does not match; ours do).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from airbyte_cdk.models import (
    AirbyteCatalog,
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteMessageSerializer,
    ConnectorSpecification,
    Type,
)
from airbyte_cdk.sources import Source
from airbyte_cdk.sources.message import InMemoryMessageRepository
from airbyte_cdk.test import standard_tests

REPO = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("CONNECTOR_BINARY", str(REPO / "target/release/source-tiktok-marketing"))


class ConnectorFailed(Exception):
    """The binary exited non-zero (deliberately not an `AirbyteTracedException`: the CDK would
    turn a config error into a FAILED status, hiding the exit code the platform sees)."""


class ExecutableSource(Source):
    # The binary validates its own config; the CDK's check of config against spec would run
    # before ours and could hide what the binary does with a bad config.
    check_config_against_spec = False

    def __init__(self) -> None:
        # Messages printed besides the one a method returns (logs, traces, a second SPEC...)
        # go out through the repository, which the entrypoint empties into the output.
        self.message_repository = InMemoryMessageRepository()
        self._config_path: str | None = None

    @property
    def name(self) -> str:
        return "source-tiktok-marketing"

    def _messages(self, *args: str) -> Iterator[AirbyteMessage]:
        """Run the binary, yield each stdout line as a message, raise if it exits non-zero."""
        with tempfile.TemporaryFile() as stderr:
            with subprocess.Popen([BINARY, *args], stdout=subprocess.PIPE, stderr=stderr) as proc:
                assert proc.stdout is not None
                for number, line in enumerate(proc.stdout, 1):
                    yield self._parse(line, number, args[0])
            if proc.returncode != 0:
                stderr.seek(0)
                tail = stderr.read().decode(errors="replace")[-2000:]
                raise ConnectorFailed(
                    f"`{' '.join(args)}` exited with code {proc.returncode}; stderr tail:\n{tail}"
                )

    @staticmethod
    def _parse(line: bytes, number: int, verb: str) -> AirbyteMessage:
        try:
            raw = orjson.loads(line)
        except orjson.JSONDecodeError:
            raw = None
        if not isinstance(raw, dict):
            # The platform reads a non-JSON stdout line as a log line; so do we.
            text = line.decode(errors="replace").rstrip("\n")
            return AirbyteMessageSerializer.load(
                {"type": "LOG", "log": {"level": "INFO", "message": text}}
            )
        try:
            return AirbyteMessageSerializer.load(raw)
        except Exception as error:  # A JSON object that is not an Airbyte message: a real fault.
            raise AssertionError(
                f"`{verb}` stdout line {number} is not a valid Airbyte message: {error}\n"
                f"{line[:500]!r}"
            ) from None

    def _single(self, kind: Type, *args: str) -> AirbyteMessage:
        """The last message of `kind`; every other message goes to the output as printed."""
        messages = self._run(*args)
        found = [m for m in messages if m.type == kind]
        if not found:
            raise AssertionError(f"`{args[0]}` printed no {kind.value} message")
        for message in messages:
            if message is not found[-1]:
                self.message_repository.emit_message(message)
        return found[-1]

    def _run(self, *args: str) -> list[AirbyteMessage]:
        messages: list[AirbyteMessage] = []
        try:
            messages.extend(self._messages(*args))
        except ConnectorFailed:
            # Keep what it printed (its TRACE error above all) in the output, then fail.
            for message in messages:
                self.message_repository.emit_message(message)
            raise
        return messages

    def spec(self, logger: Any) -> ConnectorSpecification:
        spec = self._single(Type.SPEC, "spec").spec
        assert spec is not None
        return spec

    def read_config(self, config_path: str) -> dict[str, Any]:  # type: ignore[override]
        # The entrypoint runs `spec` before every verb; its extra output belongs to no verb.
        list(self.message_repository.consume_queue())
        self._config_path = config_path  # the binary reads the very file the suite wrote
        return super().read_config(config_path)

    def configure(self, config: Any, temp_dir: str) -> Any:
        return config

    def check(self, logger: Any, config: Any) -> AirbyteConnectionStatus:
        status = self._single(Type.CONNECTION_STATUS, "check", "--config", self._config_path or "")
        assert status.connectionStatus is not None
        return status.connectionStatus

    def discover(self, logger: Any, config: Any) -> AirbyteCatalog:
        catalog = self._single(Type.CATALOG, "discover", "--config", self._config_path or "")
        assert catalog.catalog is not None
        return catalog.catalog

    # Paths, not parsed objects: the binary must judge the catalog (and state) itself.
    def read_catalog(self, catalog_path: str) -> str:  # type: ignore[override]
        return catalog_path

    def read_state(self, state_path: str | None) -> str | None:  # type: ignore[override]
        return state_path

    def read(self, logger: Any, config: Any, catalog: Any, state: Any = None) -> Iterator[AirbyteMessage]:  # type: ignore[override]
        args = ["read", "--config", self._config_path or "", "--catalog", catalog]
        if state:
            args += ["--state", state]
        yield from self._messages(*args)


class TestSourceTiktokMarketing(standard_tests.SourceTestSuiteBase):
    """Every standard source test; scenarios come from `acceptance-test-config.yml` beside us."""

    connector = ExecutableSource
    connector_name = "source-tiktok-marketing"
