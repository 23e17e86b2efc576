"""Several commands in one SSH session: one remote script that runs them in turn and frames each
one's stdout, stderr and exit status, split back apart here per command.

Why: a host whose non-interactive login runs a slow shell set-up (a .bashrc sourcing version
managers) pays it once per session; a run asks the host about ten things.

The frames: the script prints `<B> start` on both streams, then after each command i
`\\n<B> end i STATUS TIMED` on stdout and `\\n<B> end i` on stderr, B a boundary drawn at random
for each batch (128 bits): a command's output cannot know it, so it cannot forge a frame. The
newline before each frame is the script's own and is taken off again: output without a trailing
newline comes back without one. Whatever the login shell prints before the script starts (a
noisy .bashrc) is before the start marker and dropped.

Each command is `shlex.join(argv)` as before (no text spliced unquoted), run with stdin from
/dev/null under coreutils `timeout` (when the host has it and the program exists: a missing
program keeps the shell's own "command not found" message), so one that hangs fails alone.
The script is POSIX sh, run by the login shell as a single command would be (bash, dash, zsh).
"""

from __future__ import annotations

import secrets
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Seconds between timeout's TERM and its KILL for a command that ignores TERM.
KILL_AFTER_S = 2
# GNU timeout's status when it ended the command (a command's own 124 reads the same: none
# of the suite's commands exits 124 on its own).
TIMED_OUT_STATUS = 124


@dataclass(frozen=True)
class HostCommand:
    """A command a measurement will ask the host, declared so that gathering can send every
    command of a run in one session (SshProbe.plan). `privileged`: `sudo -n` when the target
    needs it."""

    argv: tuple[str, ...]
    privileged: bool = False

    @classmethod
    def of(cls, argvs: Iterable[Sequence[str]], privileged: bool = False) -> list[HostCommand]:
        return [cls(tuple(argv), privileged) for argv in argvs]


def new_boundary() -> str:
    """A marker no command's output can guess (drawn for each batch)."""
    return f"burnin-{secrets.token_hex(16)}"


@dataclass(frozen=True)
class Frame:
    """One command's share of the batch: None exit_code when it did not finish."""

    stdout: str
    stderr: str
    exit_code: int | None
    timed_out: bool = False  # ended by the per-command timeout


# Whether the host has coreutils' timeout (a minimal image may not: commands then run unbounded
# on the host, and the session's overall bound still ends the batch).
_HAS_TIMEOUT = "command -v timeout >/dev/null 2>&1 && burnin_timeout=1 || burnin_timeout=0"


def _command_lines(argv: Sequence[str], timeout_s: str) -> list[str]:
    """One command under `timeout` (its program found: a missing one keeps the shell's own
    "command not found" message, as when it runs alone), stdin from /dev/null."""
    command = shlex.join(argv)
    return [
        f'if [ "$burnin_timeout" = 1 ] && command -v {shlex.quote(argv[0])} >/dev/null 2>&1; then',
        f"  burnin_timed=1; timeout -k {KILL_AFTER_S} {timeout_s} {command} </dev/null",
        f"else burnin_timed=0; {command} </dev/null",
        "fi",
    ]


def batch_script(argvs: Sequence[Sequence[str]], boundary: str, timeout_s: float) -> str:
    """The remote script running every argv in turn (each word quoted), framed by `boundary`."""
    if not boundary.replace("-", "").isalnum():
        raise ValueError(f"boundary must be letters, digits and dashes, got {boundary!r}")
    seconds = f"{max(timeout_s, 0.1):g}"
    lines = [
        _HAS_TIMEOUT,
        f"printf '%s start\\n' {boundary}",
        f"printf '%s start\\n' {boundary} >&2",
    ]
    for index, argv in enumerate(argvs):
        if not argv:
            raise ValueError(f"command {index} is empty")
        lines += [
            *_command_lines(argv, seconds),
            "burnin_status=$?",
            f'printf \'\\n%s end {index} %d %d\\n\' {boundary} "$burnin_status" "$burnin_timed"',
            f"printf '\\n%s end {index}\\n' {boundary} >&2",
        ]
    lines.append("exit 0")
    return "\n".join(lines) + "\n"


def _after_start(text: str, boundary: str) -> str | None:
    marker = f"{boundary} start\n"
    at = text.find(marker)
    return None if at < 0 else text[at + len(marker) :]


def split_frames(stdout: str, stderr: str, boundary: str, count: int) -> list[Frame] | None:
    """Each command's Frame, in order; one that did not finish (the session ended first) has
    exit_code None and what it printed so far. None: the script never started (no start marker
    on stdout: the login shell could not run it, or the session died before)."""
    out = _after_start(stdout, boundary)
    if out is None:
        return None
    err = _after_start(stderr, boundary)
    err = "" if err is None else err
    frames: list[Frame] = []
    out_at = err_at = 0
    finished = True
    for index in range(count):
        if not finished:
            frames.append(Frame("", "", None))
            continue
        out_marker = f"\n{boundary} end {index} "
        err_marker = f"\n{boundary} end {index}\n"
        end = out.find(out_marker, out_at)
        err_end = err.find(err_marker, err_at)
        command_err = err[err_at:] if err_end < 0 else err[err_at:err_end]
        if end < 0:
            frames.append(Frame(out[out_at:], command_err, None))
            finished = False
            continue
        line_end = out.find("\n", end + len(out_marker))
        fields = out[end + len(out_marker) : None if line_end < 0 else line_end].split()
        if line_end < 0 or len(fields) != 2 or not all(f.isdigit() for f in fields):
            # The frame line itself was cut off: the session ended while it was written.
            frames.append(Frame(out[out_at:end], command_err, None))
            finished = False
            continue
        status, timed = int(fields[0]), fields[1] == "1"
        timed_out = timed and status == TIMED_OUT_STATUS
        frames.append(Frame(out[out_at:end], command_err, None if timed_out else status, timed_out))
        out_at = line_end + 1
        err_at = len(err) if err_end < 0 else err_end + len(err_marker)
    return frames
