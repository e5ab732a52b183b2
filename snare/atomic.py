"""Write files and directories so that a crash never leaves a half-written result behind."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from snare.output_shape import OutputShape


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def not_regular(path: Path) -> str | None:
    """What ``path`` (links followed) is when it exists and is not a regular file, e.g. ``"a device"``; else None."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        return f"unreadable ({exc.strerror})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and an atomic rename.

    Only a regular file is ever replaced: a device, FIFO or socket at ``path`` (or a link to one) is refused with
    one line, so ``--out /dev/null --overwrite`` run as root cannot replace ``/dev/null``. A link to a regular
    file stays a link: the file it points to is replaced.
    """
    path = Path(path)
    found = not_regular(path)
    if found is not None:
        from snare.errors import SnareError

        raise SnareError(f"{path} is {found}, not a regular file; snare replaces only files; pick another path")
    if path.is_symlink():
        path = path.resolve()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        from snare.errors import SnareError

        raise SnareError(f"cannot write {path} ({exc.strerror}); pick another path") from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp creates owner-only files; use the usual umask-based mode
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def check_writable(folder: str | os.PathLike[str], what: str) -> None:
    """Fail with one line unless a file can really be created in ``folder`` (or its first existing ancestor).

    ``os.access`` is not enough: it says yes to root on a read-only mount or ``/proc``, so a file is created and
    removed instead.
    """
    from snare.errors import SnareError

    folder = Path(folder)
    existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("."))
    if not existing.is_dir():
        raise SnareError(f"{existing} is a file, not a folder; pick another path for the {what}")
    try:
        fd, probe = tempfile.mkstemp(prefix=".snare-write-check.", dir=existing)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise SnareError(f"cannot write the {what} in {existing} ({exc.strerror}); pick another path") from None


def check_file_target(path: str | os.PathLike[str], option: str, *, overwrite: bool = False) -> Path:
    """Refuse, before any work, an output *file* that is a folder, exists without ``overwrite``, or is unwritable."""
    from snare.errors import SnareError

    path = Path(path)
    if path.is_dir():
        raise SnareError(f"{option} {path} is a folder; give a file name")
    found = not_regular(path)
    if found is not None:  # with or without --overwrite: never a device, FIFO or socket (or a link to one)
        raise SnareError(
            f"{option} {path} is {found}, not a regular file; snare replaces only files; pick another path"
        )
    if path.exists() and not overwrite:
        raise SnareError(f"{option} {path} already exists; pass --overwrite to replace it or pick another name")
    check_writable(path.parent, f"{option} file")
    return path


def write_text(path: str | os.PathLike[str], text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def dumps_json(obj: Any) -> str:
    """Canonical, human-readable JSON: sorted keys, two-space indent, trailing newline."""
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def write_json(path: str | os.PathLike[str], obj: Any) -> None:
    write_text(path, dumps_json(obj))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False where that is unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import errno

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False  # old kernel or a file system without exchange: fall back to two renames
    raise OSError(code, os.strerror(code), str(b))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def _recover(final: Path) -> None:
    """Undo what a killed writer left: restore a moved-away old folder, remove dead processes' staging folders."""
    backup = final.with_name(f".{final.name}.old")
    if backup.is_dir() and not final.exists():
        os.replace(backup, final)  # killed between the two renames of the fallback path: the old output returns
    for stale in final.parent.glob(f".{glob.escape(final.name)}.*.partial"):
        pid = stale.name[len(final.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


@contextlib.contextmanager
def _locked(final: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``final`` for this process; a second writer gets a clear error, not ``OSError``."""
    import fcntl

    from snare.errors import SnareError

    lock_path = final.with_name(f".{final.name}.lock")
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666 & ~_umask())
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise SnareError(
                f"{final} is being written by another snare process; wait for it to finish or pick another path"
            ) from None
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock_path))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the previous holder removed the lock file after we opened it: take the new one
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lock_path)
        os.close(fd)


def check_destination(
    final: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    kind: tuple[OutputShape, ...] = (),
    what: str = "output",
) -> Path:
    """Refuse, before any work, an output path that cannot or must not be written; return it as a ``Path``.

    ``final`` must be a folder (or absent; a link to one counts as the folder) whose parent is writable; an
    existing non-empty folder needs ``overwrite``, and with ``kind`` it must have one of those shapes (see
    :class:`OutputShape`), so ``--overwrite`` never replaces a folder snare did not write.
    """
    from snare.errors import SnareError

    final = Path(final)
    if final.exists() and not final.is_dir():
        found = not_regular(final) or "a file"
        raise SnareError(f"{final} is {found}, not a folder; pick another path for the {what}")
    check_writable(final.parent, what)
    if final.is_dir() and any(final.iterdir()):
        if not overwrite:
            raise SnareError(f"{final} already exists and is not empty; pass --overwrite or pick another path")
        problems = [shape.problem(final) for shape in kind]
        if kind and all(problems):
            raise SnareError(
                f"{final} is not a snare {what} ({problems[0]}); --overwrite only replaces one; "
                "remove the folder yourself or pick another path"
            )
    return final


@contextlib.contextmanager
def staged_directory(
    final: str | os.PathLike[str], *, overwrite: bool = False, kind: tuple[OutputShape, ...] = (), what: str = "output"
) -> Iterator[Path]:
    """Yield a temporary sibling folder; on success it replaces ``final`` in one atomic step.

    If the body raises (or the process is interrupted) the temporary folder is removed and ``final`` is left
    exactly as it was, so readers never see a partial result. The old folder stays whole until the new one is
    complete, and the two are swapped with one ``renameat2(RENAME_EXCHANGE)``: a kill at any moment leaves the
    old or the new folder under ``final``, never neither. (Where exchange is unsupported, the old folder is
    moved aside first and a later run restores it if the process died in between.) One writer at a time per
    path; staging folders of dead writers are removed. ``kind`` and ``what``: see :func:`check_destination`.
    """
    final = Path(final)
    if final.is_symlink():  # a link to the output folder stays a link: the folder it points to is replaced
        final = final.resolve()
    parent = final.parent
    check_writable(parent, what)
    parent.mkdir(parents=True, exist_ok=True)
    with _locked(final):
        _recover(final)
        check_destination(final, overwrite=overwrite, kind=kind, what=what)
        staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.{os.getpid()}.", suffix=".partial", dir=parent))
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes owner-only folders; results are meant to be shared
        try:
            yield staging
            check_destination(final, overwrite=overwrite, kind=kind, what=what)
            _publish(staging, final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # after an exchange it holds the old output


def _publish(staging: Path, final: Path) -> None:
    if not final.exists():
        os.replace(staging, final)
    elif not _exchange(staging, final):
        backup = final.with_name(f".{final.name}.old")
        shutil.rmtree(backup, ignore_errors=True)
        os.replace(final, backup)
        os.replace(staging, final)
        shutil.rmtree(backup, ignore_errors=True)
