"""A loopback TCP proxy that forwards to a real server and can cut its first connection once
the server has sent a given number of bytes on it: a connection dropped in the middle of an
answer. Later connections pass untouched (the host is back)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class CuttingProxy:
    def __init__(self, upstream: tuple[str, int], cut_after: int | None = None) -> None:
        self.upstream, self.cut_after = upstream, cut_after
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sent_down = 0  # bytes the server sent to the client on the first connection
        self.cut = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            first = not self._sockets
            self._sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, first), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, counted: bool) -> None:
        try:
            while data := source.recv(65536):
                if counted:
                    with self._lock:
                        self.sent_down += len(data)
                        over = self.cut_after is not None and self.sent_down >= self.cut_after
                    if over:
                        self.cut.set()
                        break
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):  # one side gone: the whole connection goes
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self) -> None:
        self.listener.close()
        for s in self._sockets:
            s.close()


@contextmanager
def cutting_proxy(
    upstream: tuple[str, int], cut_after: int | None = None
) -> Iterator[CuttingProxy]:
    proxy = CuttingProxy(upstream, cut_after)
    threading.Thread(target=proxy.serve, daemon=True).start()
    try:
        yield proxy
    finally:
        proxy.close()
