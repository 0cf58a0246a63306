"""infra/local/http/peers.py: the kernel's socket table names who is on the other end of a connection."""

from __future__ import annotations

import os
import socket

import pytest

from infra.local.http import peers

pytestmark = pytest.mark.skipif(not peers.supported(), reason="no /proc/net/tcp on this system")


def _pair() -> tuple[socket.socket, socket.socket]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        client = socket.create_connection(listener.getsockname())
        server, _ = listener.accept()
    return server, client


def test_the_peer_of_a_loopback_connection_is_this_process_and_its_socket() -> None:
    server, client = _pair()
    with server, client:
        found = peers.peer_socket(server.getsockname(), server.getpeername())
        assert found is not None
        assert found.uid == os.getuid()
        assert found.inode in peers.socket_inodes(os.getpid())
        assert peers.same_user(server.getsockname(), server.getpeername())


def test_a_peer_that_is_not_connected_is_not_found_and_not_admitted() -> None:
    assert peers.peer_socket(("127.0.0.1", 1), ("127.0.0.1", 2)) is None
    assert not peers.same_user(("127.0.0.1", 1), ("127.0.0.1", 2))


def test_netlink_and_the_proc_table_name_the_same_socket() -> None:
    server, client = _pair()
    with server, client:
        local, peer = server.getsockname(), server.getpeername()
        assert peers.peer_socket(local, peer) == peers._from_tables(local, peer)
