"""Deployment packages: nothing an entry says reaches outside the code folder, and the size quota holds."""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from infra.local.lambda_.deployment_package import (
    MAX_UNZIPPED_BYTES,
    PackageTooLarge,
    PackageUnreadable,
    check_package,
    extract_package,
    safe_name,
)

SHA = "abc+def/ghi="


def make_zip(entries: list[tuple[str, bytes, int]], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of ``(name, data, st_mode)`` entries, names written exactly as given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = mode << 16
            info.compress_type = compression
            archive.writestr(info, data)
    return buffer.getvalue()


def zeros_zip(name: str, size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as out:
            block = bytes(1 << 20)
            left = size
            while left:
                out.write(block[: min(left, len(block))])
                left -= min(left, len(block))
    return buffer.getvalue()


def lie_about_size(code: bytes, declared: int) -> bytes:
    """Rewrite every local and central header so the (single) entry claims ``declared`` bytes unzipped."""
    data = bytearray(code)
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, declared)
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


def listing(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """``(root, victim)``: the code root and an existing file outside it, mode 0644."""
    root = tmp_path / "state" / "code"
    root.mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("original")
    victim.chmod(0o644)
    return root, victim


def test_names_lose_absolute_and_parent_parts() -> None:
    assert safe_name("/etc/passwd") == "etc/passwd"
    assert safe_name("../../x/./y") == "x/y"
    assert safe_name("a/../b") == "a/b"
    assert safe_name("C:/win/x") == "win/x"
    assert safe_name("../") is None
    assert safe_name("dir\\file") == "dir\\file"


def test_absolute_entry_lands_inside_and_chmods_nothing_outside(layout: tuple[Path, Path]) -> None:
    root, victim = layout
    code = make_zip([(str(victim), b"evil", 0o100777), ("fn.py", b"x = 1\n", 0o100644)])
    task_root = extract_package(code, SHA, root)
    assert victim.read_text() == "original" and stat.S_IMODE(victim.stat().st_mode) == 0o644
    inside = task_root / str(victim).lstrip("/")
    assert inside.read_bytes() == b"evil" and stat.S_IMODE(inside.stat().st_mode) == 0o777
    assert (task_root / "fn.py").read_text() == "x = 1\n"


def test_parent_entry_lands_inside_and_chmods_nothing_outside(layout: tuple[Path, Path]) -> None:
    root, victim = layout
    # From root/<sha-folder>/, "../../../victim.txt" is the victim.
    code = make_zip([("../../../victim.txt", b"evil", 0o100777)])
    task_root = extract_package(code, SHA, root)
    assert victim.read_text() == "original" and stat.S_IMODE(victim.stat().st_mode) == 0o644
    assert (task_root / "victim.txt").read_bytes() == b"evil"


def test_parent_entry_with_missing_outside_target_still_unpacks(layout: tuple[Path, Path]) -> None:
    root, _ = layout
    code = make_zip([("../../../nothing-here/x.sh", b"#!/bin/sh\n", 0o100755)])
    task_root = extract_package(code, SHA, root)
    assert (task_root / "nothing-here" / "x.sh").exists()
    assert not (root.parent.parent / "nothing-here").exists()
    assert not [p for p in root.iterdir() if p.name.startswith(".")]


def test_symlink_pointing_outside_is_not_created(layout: tuple[Path, Path]) -> None:
    root, victim = layout
    code = make_zip(
        [
            ("abs", str(victim).encode(), 0o120777),
            ("rel", b"../../../victim.txt", 0o120777),
            ("fn.py", b"", 0o100644),
        ]
    )
    task_root = extract_package(code, SHA, root)
    assert not os.path.lexists(task_root / "abs") and not os.path.lexists(task_root / "rel")
    assert victim.read_text() == "original"


def test_symlink_escaping_through_another_link_is_removed(layout: tuple[Path, Path]) -> None:
    root, _ = layout
    # "later/.." is the task root lexically, but "later" (made after) points at "." so it would be its parent.
    code = make_zip([("up", b"later/..", 0o120777), ("later", b".", 0o120777)])
    task_root = extract_package(code, SHA, root)
    assert not os.path.lexists(task_root / "up")
    for path in task_root.iterdir():
        assert os.path.realpath(path).startswith(str(task_root.resolve()))


def test_file_is_never_written_through_a_link(layout: tuple[Path, Path]) -> None:
    root, victim = layout
    code = make_zip([("d", str(victim.parent).encode(), 0o120777), ("d/victim.txt", b"evil", 0o100644)])
    task_root = extract_package(code, SHA, root)
    assert victim.read_text() == "original"
    assert (task_root / "d" / "victim.txt").read_bytes() == b"evil" and not (task_root / "d").is_symlink()


def test_symlink_inside_stays_a_symlink(layout: tuple[Path, Path]) -> None:
    root, _ = layout
    code = make_zip(
        [
            ("lib/libz.so.1.2", b"ELF", 0o100755),
            ("lib/libz.so", b"libz.so.1.2", 0o120777),
            ("node_modules/.bin/tool", b"../pkg/bin/tool", 0o120777),
            ("node_modules/pkg/bin/tool", b"#!/bin/sh\n", 0o100755),
        ]
    )
    task_root = extract_package(code, SHA, root)
    link = task_root / "lib" / "libz.so"
    assert link.is_symlink() and os.readlink(link) == "libz.so.1.2" and link.read_bytes() == b"ELF"
    assert (task_root / "node_modules" / ".bin" / "tool").read_text() == "#!/bin/sh\n"


def test_execute_bits_are_kept(layout: tuple[Path, Path]) -> None:
    root, _ = layout
    code = make_zip([("bootstrap", b"#!/bin/sh\n", 0o100755), ("fn.py", b"", 0o100644), ("plain", b"", 0)])
    task_root = extract_package(code, SHA, root)
    assert stat.S_IMODE((task_root / "bootstrap").stat().st_mode) == 0o755
    assert stat.S_IMODE((task_root / "fn.py").stat().st_mode) == 0o644
    assert (task_root / "plain").exists()


def test_bomb_with_lying_headers_is_refused(layout: tuple[Path, Path]) -> None:
    root, _ = layout
    code = lie_about_size(make_zip([("bomb.bin", bytes(8 << 20), 0o100644)]), 1000)
    assert len(code) < 64 << 10
    with pytest.raises(PackageUnreadable):
        check_package(code)
    with pytest.raises(PackageUnreadable):
        extract_package(code, SHA, root)
    assert listing(root) == set()


def test_real_bytes_are_counted_while_unpacking(layout: tuple[Path, Path]) -> None:
    root, _ = layout
    code = make_zip([("a.bin", bytes(600_000), 0o100644), ("b.bin", bytes(600_000), 0o100644)])
    with pytest.raises(PackageTooLarge):
        extract_package(code, SHA, root, limit=1_000_000)
    assert listing(root) == set()  # no .tmp folder, no half package


def test_limit_is_inclusive(layout: tuple[Path, Path]) -> None:
    root, _ = layout
    code = make_zip([("a", b"x" * 600, 0o100644), ("lnk", b"a", 0o120777), ("b", b"y" * 399, 0o100644)])
    assert check_package(code, limit=1000) == 1000
    assert extract_package(code, SHA, root, limit=1000).is_dir()
    with pytest.raises(PackageTooLarge):
        check_package(code, limit=999)
    with pytest.raises(PackageTooLarge):
        extract_package(code, "other", root, limit=999)


def test_lambda_quota_exactly_and_one_byte_over() -> None:
    assert check_package(zeros_zip("at.bin", MAX_UNZIPPED_BYTES)) == MAX_UNZIPPED_BYTES
    with pytest.raises(PackageTooLarge) as refused:
        check_package(zeros_zip("over.bin", MAX_UNZIPPED_BYTES + 1))
    assert str(refused.value) == "Unzipped size must be smaller than 262144000 bytes"


def test_not_a_zip_is_unreadable(layout: tuple[Path, Path]) -> None:
    root, _ = layout
    with pytest.raises(PackageUnreadable) as refused:
        check_package(b"not a zip at all")
    assert str(refused.value) == ("Could not unzip uploaded file. Please check your file, then try to upload again.")
    with pytest.raises(PackageUnreadable):
        extract_package(b"PK\x03\x04 truncated", SHA, root)
    assert listing(root) == set()


def test_encrypted_entry_is_unreadable() -> None:
    code = bytearray(make_zip([("fn.py", b"x", 0o100644)], compression=zipfile.ZIP_STORED))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = code.find(signature) + offset
        struct.pack_into("<H", code, at, struct.unpack_from("<H", code, at)[0] | 0x1)
    with pytest.raises(PackageUnreadable):
        check_package(bytes(code))


def test_second_extraction_reuses_the_first(layout: tuple[Path, Path]) -> None:
    root, _ = layout
    code = make_zip([("fn.py", b"x", 0o100644)])
    first = extract_package(code, SHA, root)
    (first / "fn.py").write_text("changed")
    assert extract_package(code, SHA, root) == first and (first / "fn.py").read_text() == "changed"
    assert sorted(p.name for p in root.iterdir()) == ["abc-def_ghi"]
