"""Writing the record safely: with the user's umask, never through a symlink someone planted
in the reports directory (a new file is renamed over the name, replacing the link itself)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes) -> None:
    """`path` holds `data` afterwards, as a regular file made with the umask's permissions;
    a symlink at `path` is replaced, its target left alone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def copy_atomic(source: Path, destination: Path) -> None:
    write_atomic(destination, source.read_bytes())


def clear_planted_link(path: Path) -> None:
    """A symlink where a file of ours is about to be written by someone else's code
    (pytest-html, JUnit): remove the link, never what it points at."""
    if path.is_symlink():
        path.unlink()


def reserve_stem(directory: Path, stem: str, suffix: str = ".html") -> str:
    """`stem`, or `stem-2`, `stem-3`, ...: the first whose file does not exist yet, taken by
    creating it exclusively, so two runs started in the same second (overlapping cron jobs)
    never write over each other's record. The file is left empty for its writer, made as every
    artefact is (0666 under the umask): pytest-html writes into it and keeps its mode, so the
    default 0777 of os.open would leave the HTML report executable."""
    directory.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        candidate = stem if n == 1 else f"{stem}-{n}"
        try:
            handle = os.open(
                directory / f"{candidate}{suffix}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666
            )
        except FileExistsError:  # also a planted symlink: never followed
            continue
        os.close(handle)
        return candidate
    raise FileExistsError(f"{directory}: {stem}{suffix} and 998 numbered variants all exist")
