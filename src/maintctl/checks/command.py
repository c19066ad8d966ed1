"""A command: its exit code and an output match ("Login successful"); killed at its timeout."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import signal
import time

from pydantic import Field, field_validator

from maintctl.checks.base import Check, CheckError, Observation, Params, millis
from maintctl.domain import bounds

_PIPE, _OUT, _NULL = asyncio.subprocess.PIPE, asyncio.subprocess.STDOUT, asyncio.subprocess.DEVNULL


class CommandParams(Params):
    command: str | list[str] = Field(max_length=100)
    shell: bool = False  # only when the config asks: a shell reads $, ; and | as code
    expect_exit: int = 0
    expect_output: str | None = Field(default=None, max_length=1_000)
    cwd: str | None = None

    @field_validator("command")
    @classmethod
    def _command(cls, value: str | list[str]) -> str | list[str]:
        if isinstance(value, str):
            if not value.strip() or len(value) > 4_000:
                raise ValueError("command is 1 to 4000 characters")
            try:
                shlex.split(value)
            except ValueError as exc:
                raise ValueError(f"command cannot be split into words ({exc})") from None
        elif not value:
            raise ValueError("command needs at least the program")
        return value


class CommandCheck(Check):
    PARAMS = CommandParams
    heavy = True

    async def observe(self) -> Observation:
        params = self.spec.params
        assert isinstance(params, CommandParams)
        cwd = str(self.spec.base_dir / params.cwd) if params.cwd else str(self.spec.base_dir)
        started = time.monotonic()
        try:
            if params.shell:
                text = (
                    params.command
                    if isinstance(params.command, str)
                    else shlex.join(params.command)
                )
                process = await asyncio.create_subprocess_shell(
                    text, stdin=_NULL, stdout=_PIPE, stderr=_OUT, cwd=cwd, start_new_session=True
                )
            else:
                words = (
                    shlex.split(params.command)
                    if isinstance(params.command, str)
                    else params.command
                )
                process = await asyncio.create_subprocess_exec(
                    *words, stdin=_NULL, stdout=_PIPE, stderr=_OUT, cwd=cwd, start_new_session=True
                )
        except OSError as exc:
            raise CheckError(f"cannot start the command ({exc.strerror or exc})") from None
        try:
            output = await _read(process)
            code = await process.wait()
        finally:
            if process.returncode is None:
                _kill(process)
                await process.wait()
        elapsed = millis(time.monotonic() - started)
        text = output.decode("utf-8", "replace")
        if code != params.expect_exit:
            last = _last_line(text)
            return Observation(False, code, f"Failed (exit {code}{'; ' + last if last else ''})")
        if params.expect_output is not None:
            line = next((ln for ln in text.splitlines() if params.expect_output in ln), None)
            if line is None:
                return Observation(
                    False, code, f"Unexpected output (no {params.expect_output!r} in it)"
                )
            return Observation(True, code, line.strip())
        return Observation(True, code, f"OK (exit {code}, {elapsed}ms)")


async def _read(process: asyncio.subprocess.Process) -> bytes:
    """Its output, at most bounds.CHECK_READ_MAX_BYTES; the rest is drained and dropped."""
    assert process.stdout is not None
    kept = bytearray()
    while chunk := await process.stdout.read(65_536):
        if len(kept) < bounds.CHECK_READ_MAX_BYTES:
            kept += chunk[: bounds.CHECK_READ_MAX_BYTES - len(kept)]
    return bytes(kept)


def _kill(process: asyncio.subprocess.Process) -> None:
    # The whole session: a shell's children must not outlive the check's timeout.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1][:200] if lines else ""


CHECK = CommandCheck
