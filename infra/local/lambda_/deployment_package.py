"""A .zip deployment package: checked as Lambda checks it, and unpacked so that no entry reaches outside.

Emulates:
- the unzipped-size quota, 250 MB = 262,144,000 bytes (docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html);
  past it ``CreateFunction``/``UpdateFunctionCode`` fail with ``InvalidParameterValueException``
  "Unzipped size must be smaller than 262144000 bytes" (observed: jkehler/awslambda-psycopg2#82,
  serverless/serverless#6792, EniasCailliau/GirlfriendGPT#74, all reported from AWS).
- a file Lambda cannot unzip: ``InvalidParameterValueException`` "Could not unzip uploaded file. Please check
  your file, then try to upload again." (observed: aws-samples/aws-rds-snapshot-management#4).
- execute bits of entries are kept (Lambda keeps them; an ``AWS_LAMBDA_EXEC_WRAPPER`` script needs them).
- symbolic links (an entry whose ``external_attr`` has ``S_IFLNK``, target in its data) stay symbolic links
  (observed: terraform-aws-modules/terraform-aws-lambda#596 "AWS Lambda itself does support this";
  aws/aws-sam-cli#4364 links ``node_modules`` to ``/opt/nodejs/node_modules`` on Lambda).

Choices (no source says what Lambda does):
- an entry with an absolute name or ``..`` components is unpacked *inside* the code folder under its name with
  the leading ``/``, drive and ``.``/``..`` components dropped, as Info-ZIP's ``unzip`` and Python's ``zipfile``
  do; an entry whose name is then empty is skipped. A backslash stays a literal character of the name.
- a symbolic link whose target resolves outside the code folder (absolute, or through ``..``, or through other
  links) is not created: the name is simply absent, as a link to a missing layer path is dangling on Lambda.
  Links are created after every file, so no file is ever written through one.
- the limit is inclusive: exactly 262,144,000 bytes is accepted, one more is refused (the quota page names the
  maximum; the message's "smaller than" is taken loosely).
- refused as "Could not unzip": not a zip, a corrupt entry (CRC or size mismatch), an encrypted entry, or
  more real bytes than the headers declare.
- the size counted is the real bytes written (file contents and link targets), never the headers alone.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

#: Lambda quota: the unzipped deployment package (250 MB).
MAX_UNZIPPED_BYTES = 262_144_000
TOO_LARGE_MESSAGE = f"Unzipped size must be smaller than {MAX_UNZIPPED_BYTES} bytes"
UNZIP_FAILED_MESSAGE = "Could not unzip uploaded file. Please check your file, then try to upload again."
COMPLETE_MARKER = ".complete"
_CHUNK = 1 << 20
_PATH_MAX = 4096


class PackageError(ValueError):
    """A deployment package Lambda refuses; ``str()`` is AWS's message."""


class PackageTooLarge(PackageError):
    def __init__(self) -> None:
        super().__init__(TOO_LARGE_MESSAGE)


class PackageUnreadable(PackageError):
    def __init__(self) -> None:
        super().__init__(UNZIP_FAILED_MESSAGE)


def safe_name(name: str) -> str | None:
    """The entry's path inside the code folder (``/``-separated), or None when nothing is left of it."""
    parts = [part for part in name.split("/") if part not in ("", ".", "..")]
    if parts and len(parts[0]) == 2 and parts[0][1] == ":":  # a drive letter, as zipfile drops it
        parts = parts[1:]
    return "/".join(parts) or None


def is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def code_dir_name(code_sha256: str) -> str:
    """The folder name (under the code root) of the package whose base64 CodeSha256 is ``code_sha256``."""
    return code_sha256.replace("/", "_").replace("+", "-").rstrip("=")


class _Budget:
    """Counts the real bytes unpacked and stops past the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self, size: int) -> None:
        self.used += size
        if self.used > self.limit:
            raise PackageTooLarge()


def _entry_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> Iterator[bytes]:
    """The entry's bytes as they decompress, counted; a corrupt or encrypted entry is ``PackageUnreadable``."""
    if info.flag_bits & 0x1:
        raise PackageUnreadable()
    produced = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                produced += len(chunk)
                budget.take(len(chunk))
                yield chunk
    except PackageError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
        raise PackageUnreadable() from exc
    except Exception as exc:  # zlib.error and friends: whatever the decompressor says of a broken stream
        raise PackageUnreadable() from exc
    if produced != info.file_size:
        raise PackageUnreadable()


def _open_archive(code: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(code))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise PackageUnreadable() from exc


def check_package(code: bytes, limit: int = MAX_UNZIPPED_BYTES) -> int:
    """Raise ``PackageError`` when Lambda refuses ``code``; else return its real unzipped size.

    The headers' declared sizes are checked first (a cheap refusal), then every entry is decompressed and
    counted without being stored, stopping as soon as the count passes ``limit``. It runs where moto runs (on
    the local cloud's event loop): about 0.5 s for a 200 MB package on a workshop laptop, microseconds for a
    package the headers already put over the quota.
    """
    with _open_archive(code) as archive:
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > limit:
            raise PackageTooLarge()
        budget = _Budget(limit)
        for info in infos:
            if not info.is_dir():
                for _ in _entry_chunks(archive, info, budget):
                    pass
        return budget.used


def _inside(root: Path, path: str) -> bool:
    real = os.path.realpath(path)
    return real == str(root) or real.startswith(str(root) + os.sep)


def _write_file(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, budget: _Budget) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o644)
    with os.fdopen(fd, "wb") as out:
        for chunk in _entry_chunks(archive, info, budget):
            out.write(chunk)
    mode = (info.external_attr >> 16) & 0o777
    if mode:  # keep the execute bits Lambda keeps (an exec wrapper needs them)
        os.chmod(path, mode)


def _make_links(root: Path, links: list[tuple[Path, str]]) -> None:
    """Create the links, then drop each one that resolves outside ``root`` until none does."""
    made: list[Path] = []
    for path, target in links:
        if os.path.isabs(target) or not _inside(root, os.path.join(path.parent, target)):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or path.exists():
            continue  # a name taken by a file or an earlier link keeps what it has
        os.symlink(target, path)
        made.append(path)
    changed = True
    while changed:  # a link may resolve outside only through another link: check the whole set again
        changed = False
        for path in list(made):
            if not _inside(root, str(path)):
                path.unlink()
                made.remove(path)
                changed = True


def _unpack_into(archive: zipfile.ZipFile, tmp: Path, limit: int) -> None:
    root = tmp.resolve()
    budget = _Budget(limit)
    links: list[tuple[Path, str]] = []
    for info in archive.infolist():
        name = safe_name(info.filename)
        if name is None:
            continue
        path = root / name
        if info.is_dir():
            path.mkdir(parents=True, exist_ok=True)
        elif is_symlink(info):
            target = _link_target(archive, info, budget)
            if target:
                links.append((path, target))
        else:
            try:
                _write_file(archive, info, path, budget)
            except (IsADirectoryError, NotADirectoryError, FileExistsError):
                continue  # the name is taken by a folder, or a parent by a file: the first one keeps it
    _make_links(root, links)


def _link_target(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> str | None:
    """A link entry's target, or None when it is longer than a path may be (``PATH_MAX``)."""
    data = b""
    for chunk in _entry_chunks(archive, info, budget):
        data += chunk
        if len(data) > _PATH_MAX:
            return None
    return data.decode("utf-8", "surrogateescape")


def extract_package(code: bytes, code_sha256: str, root: Path, *, limit: int = MAX_UNZIPPED_BYTES) -> Path:
    """Unzip a deployment package once per CodeSha256 under ``root``; return the task root.

    The package is unpacked into a hidden temporary folder that is renamed into place only when complete,
    so a failure (``PackageError``, a full disk) leaves nothing behind.
    """
    target = root / code_dir_name(code_sha256)
    if (target / COMPLETE_MARKER).exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{code_dir_name(code_sha256)}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        with _open_archive(code) as archive:
            _unpack_into(archive, tmp, limit)
        (tmp / COMPLETE_MARKER).write_text(code_sha256)
        try:
            tmp.rename(target)
        except OSError:  # another extraction won the race, or a half-made folder is in the way
            if not (target / COMPLETE_MARKER).exists():
                shutil.rmtree(target, ignore_errors=True)
                tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
