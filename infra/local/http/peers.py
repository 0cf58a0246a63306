"""Who is on the other end of a loopback TCP connection: the kernel's socket table says.

On Linux ``/proc/net/tcp`` (and ``tcp6``) lists every TCP socket with its owner's uid and its inode. The
client's end of a loopback connection is the row whose local address is the peer's address and whose
remote address is ours, so its uid is the uid of the process that connected. ``SO_PEERCRED`` would say the
same for a Unix socket; AWS SDKs and the Lambda runtime clients speak TCP, so the kit reads the table.

Elsewhere (macOS, Windows) there is no such table: ``peer_socket`` returns ``None`` and the callers fall
back to what SigV4 alone protects.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Address = tuple[str, int]
Admit = Callable[[Address, Address], bool]

_TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))


@dataclass(frozen=True)
class PeerSocket:
    """The client's socket of one connection: who owns it and which socket it is (``socket:[inode]``)."""

    uid: int
    inode: int


def supported() -> bool:
    """True where the kernel's socket table can be read (Linux)."""
    return _TABLES[0].exists()


def _hex_address(address: Address, *, v6: bool) -> str:
    """An address as ``/proc/net/tcp*`` writes it: the IP in host byte order words, the port big-endian."""
    ip = ipaddress.ip_address(address[0])
    if v6 and ip.version == 4:
        ip = ipaddress.IPv6Address(f"::ffff:{ip}")
    packed = ip.packed
    words = "".join(packed[i : i + 4][::-1].hex().upper() for i in range(0, len(packed), 4))
    return f"{words}:{address[1]:04X}"


def peer_socket(local: Address, peer: Address) -> PeerSocket | None:
    """The socket at the other end of the connection ``local`` <- ``peer``, or ``None`` if it is not found."""
    for table in _TABLES:
        v6 = table.name == "tcp6"
        try:
            want = (_hex_address(peer, v6=v6), _hex_address(local, v6=v6))
            with table.open("rb") as rows:
                next(rows, None)
                for row in rows:
                    fields = row.split()
                    if len(fields) > 9 and fields[1].decode() == want[0] and fields[2].decode() == want[1]:
                        return PeerSocket(uid=int(fields[7]), inode=int(fields[9]))
        except (OSError, ValueError):
            continue
    return None


def listener_uid(port: int) -> int | None:
    """The uid owning the socket listening on loopback ``port`` (``None`` if nothing listens there)."""
    for table in _TABLES:
        v6 = table.name == "tcp6"
        wanted = {_hex_address(("127.0.0.1", port), v6=v6), _hex_address(("0.0.0.0", port), v6=v6)}
        try:
            with table.open("rb") as rows:
                next(rows, None)
                for row in rows:
                    fields = row.split()
                    if len(fields) > 9 and fields[3] == b"0A" and fields[1].decode() in wanted:
                        return int(fields[7])
        except (OSError, ValueError):
            continue
    return None


def same_user(local: Address, peer: Address) -> bool:
    """Admit a connection only from a process of this process's own Unix user (everyone where unsupported).

    A peer that cannot be found in the table (it closed already) is refused: nothing is lost, as it is gone.
    """
    if not supported():
        return True
    found = peer_socket(local, peer)
    return found is not None and found.uid == os.getuid()


def socket_inodes(pid: int) -> set[int]:
    """The inodes of the sockets process ``pid`` has open (empty if it cannot be read)."""
    inodes: set[int] = set()
    try:
        for fd in os.scandir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(fd.path)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(int(target[8:-1]))
    except OSError:
        pass
    return inodes
