"""Who is on the other end of a loopback TCP connection: the kernel's socket table says.

On Linux the kernel's socket table lists every TCP socket with its owner's uid and its inode. The
client's end of a loopback connection is the socket whose local address is the peer's address and whose
remote address is ours, so its uid is the uid of the process that connected. The kit asks for exactly that
socket over netlink (``sock_diag``, what ``ss`` uses: about 20 µs whatever the number of sockets) and reads
``/proc/net/tcp`` (and ``tcp6``) only where netlink is not available (that scan costs milliseconds once a
thousand sockets are open, and it ran for every new connection). ``SO_PEERCRED`` would say the
same for a Unix socket; AWS SDKs and the Lambda runtime clients speak TCP, so the kit reads the table.

Elsewhere (macOS, Windows) there is no such table: ``peer_socket`` returns ``None`` and the callers fall
back to what SigV4 alone protects.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import struct
from collections.abc import Callable, Iterator
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


_SOCK_DIAG = 4  # NETLINK_SOCK_DIAG
_SOCK_DIAG_BY_FAMILY = 20
_NLM_F_REQUEST = 1
_NO_COOKIE = 0xFFFFFFFF
_DIAG_MSG_UID = 16 + 4 + 48 + 12  # nlmsghdr, inet_diag_msg's head and socket id, expires/rqueue/wqueue


def _diag_address(ip: str) -> bytes:
    return ipaddress.ip_address(ip).packed.ljust(16, b"\0")


def _sock_diag(source: Address, destination: Address) -> PeerSocket | None:
    """The TCP socket bound to ``source`` and connected to ``destination``, asked of the kernel by netlink.

    Raises ``OSError`` where netlink's socket diagnostics are not there (the caller falls back to /proc).
    """
    family = socket.AF_INET6 if ":" in source[0] else socket.AF_INET
    socket_id = (
        struct.pack("!HH", source[1], destination[1])
        + _diag_address(source[0])
        + _diag_address(destination[0])
        + struct.pack("=III", 0, _NO_COOKIE, _NO_COOKIE)
    )
    request = struct.pack("=BBBBI", family, socket.IPPROTO_TCP, 0, 0, 0xFFFFFFFF) + socket_id
    header = struct.pack("=IHHII", 16 + len(request), _SOCK_DIAG_BY_FAMILY, _NLM_F_REQUEST, 1, 0)
    with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, _SOCK_DIAG) as netlink:
        netlink.settimeout(1.0)
        netlink.sendto(header + request, (0, 0))
        answer = netlink.recv(65536)
    (kind,) = struct.unpack_from("=H", answer, 4)
    if kind != _SOCK_DIAG_BY_FAMILY or len(answer) < _DIAG_MSG_UID + 8:
        return None  # NLMSG_ERROR: no such socket
    uid, inode = struct.unpack_from("=II", answer, _DIAG_MSG_UID)
    return PeerSocket(uid=uid, inode=inode)


def peer_socket(local: Address, peer: Address) -> PeerSocket | None:
    """The socket at the other end of the connection ``local`` <- ``peer``, or ``None`` if it is not found."""
    if hasattr(socket, "AF_NETLINK"):
        try:
            return _sock_diag(peer, local)
        except OSError:
            pass
    return _from_tables(local, peer)


def _table_rows() -> Iterator[tuple[bool, list[bytes]]]:
    """Every socket row of ``/proc/net/tcp`` then ``tcp6`` (whether it is the v6 table, its fields)."""
    for table in _TABLES:
        try:
            with table.open("rb") as rows:
                next(rows, None)
                for row in rows:
                    fields = row.split()
                    if len(fields) > 9:
                        yield table.name == "tcp6", fields
        except OSError:
            continue


def _from_tables(local: Address, peer: Address) -> PeerSocket | None:
    wanted = {v6: (_hex_address(peer, v6=v6).encode(), _hex_address(local, v6=v6).encode()) for v6 in (False, True)}
    for v6, fields in _table_rows():
        if (fields[1], fields[2]) == wanted[v6]:
            return PeerSocket(uid=int(fields[7]), inode=int(fields[9]))
    return None


def listener_uid(port: int) -> int | None:
    """The uid owning the socket listening on loopback ``port`` (``None`` if nothing listens there)."""
    wanted = {
        v6: {_hex_address(("127.0.0.1", port), v6=v6).encode(), _hex_address(("0.0.0.0", port), v6=v6).encode()}
        for v6 in (False, True)
    }
    for v6, fields in _table_rows():
        if fields[3] == b"0A" and fields[1] in wanted[v6]:
            return int(fields[7])
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
