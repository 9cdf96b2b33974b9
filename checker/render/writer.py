"""Write a run's output files all or none, so that nothing is lost or overwritten by accident.

Targets are checked before anything is written: no two outputs may be the same file (however the paths are
spelled), none may be an input of the run, none a folder. Each regular file is staged under a temporary name
that `tempfile.mkstemp` creates exclusively (O_EXCL, never through a link) beside its target, then renamed into
place; special files (/dev/stdout, a pipe, a terminal) are written to as they are, never replaced. A failure
removes every temporary file and says exactly which outputs were written and which were not.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from checker.errors import os_reason


class WriteError(Exception):
    """An output could not be written: the message says which and why, and which others were or were not."""


def check_targets(targets: list[Path], inputs: list[Path]) -> None:
    """Refuse, before rendering anything, outputs that coincide, overwrite an input or name a folder."""
    taken: dict[str, Path] = {}
    sources = {_identity(path): path for path in inputs if path.exists()}
    for target in targets:
        real = os.path.realpath(target)
        if real in taken:
            raise WriteError(f"--output {taken[real]} and --output {target} are the same file; give each output its own")
        taken[real] = target
        source = sources.get(_identity(target)) if target.exists() else None
        if source is not None:
            raise WriteError(f"--output {target} is an input of this run ({source}); chc never overwrites its inputs")
        if _special(target):
            continue
        if os.path.isdir(real):
            raise WriteError(f"--output {target} is a folder; name a file in it")
        if not os.path.isdir(os.path.dirname(real)):
            raise WriteError(f"cannot write {target}: its folder does not exist")


def write_all(files: list[tuple[Path, bytes]]) -> None:
    """Write every file, or (as far as the file system allows) none; raise WriteError saying what happened."""
    staged: list[tuple[str, str, Path]] = []
    special: list[tuple[Path, bytes]] = []
    try:
        for target, data in files:
            if _special(target):
                special.append((target, data))
                continue
            real = os.path.realpath(target)
            descriptor, temporary = tempfile.mkstemp(prefix=".chc-", suffix=".tmp", dir=os.path.dirname(real))
            staged.append((temporary, real, target))
            with os.fdopen(descriptor, "wb") as out:
                out.write(data)
            os.chmod(temporary, 0o666 & ~_umask())
    except OSError as err:
        _discard(staged)
        raise WriteError(f"cannot write {target}: {os_reason(err)}; no output was written") from None
    written: list[Path] = []
    for i, (temporary, real, target) in enumerate(staged):
        try:
            os.replace(temporary, real)
        except OSError as err:
            _discard(staged[i:])
            raise WriteError(_partial(target, err, written, [t for _, _, t in staged[i + 1:]] + [t for t, _ in special])) from None
        written.append(target)
    for i, (target, data) in enumerate(special):
        try:
            with open(target, "wb") as out:
                out.write(data)
        except BrokenPipeError:
            raise  # the reader went away: the command line ends quietly, as Unix tools do
        except OSError as err:
            raise WriteError(_partial(target, err, written, [t for t, _ in special[i + 1:]])) from None
        written.append(target)


def _special(target: Path) -> bool:
    """A device, a pipe or a terminal, or a name for one under /dev or /proc (/dev/stdout stands for whatever the
    shell opened, a file included): written to as it is, never replaced by a renamed file."""
    if os.path.abspath(target).startswith(("/dev/", "/proc/")):
        return True
    return target.exists() and not stat.S_ISREG(os.stat(target).st_mode) and not target.is_dir()


def _partial(target: Path, err: OSError, written: list[Path], left: list[Path]) -> str:
    done = f"written: {', '.join(map(str, written))}" if written else "nothing else was written"
    rest = f"; not written: {', '.join(map(str, left))}" if left else ""
    return f"cannot write {target}: {os_reason(err)}; {done}{rest}"


def _discard(staged: list[tuple[str, str, Path]]) -> None:
    for temporary, _, _ in staged:
        with contextlib.suppress(OSError):  # already gone
            os.unlink(temporary)


def _identity(path: Path) -> tuple[int, int]:
    """The file itself (device and inode), whatever links or `..` its path goes through."""
    info = os.stat(path)
    return info.st_dev, info.st_ino


def _umask() -> int:
    """The process's umask, so a new output gets the permissions any other new file would."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
