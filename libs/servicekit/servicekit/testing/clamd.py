"""A tiny stand-in for clamd: it speaks the INSTREAM protocol over TCP and answers the way
clamd does (``stream: OK``, ``stream: <signature> FOUND``), finding the EICAR test string."""
from __future__ import annotations

import socket
import struct
import threading

from servicekit.testing.files import EICAR


class FakeClamd:
    """Accepts ``zINSTREAM\\0`` + length-prefixed chunks; answers like clamd does."""

    def __init__(self, reply: bytes | None = None) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.reply = reply
        self.received: list[bytes] = []
        self.commands: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                self._session(conn)

    @staticmethod
    def _exactly(conn: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            part = conn.recv(n - len(data))
            if not part:
                raise ConnectionError("client went away")
            data += part
        return data

    def _session(self, conn: socket.socket) -> None:
        command = self._exactly(conn, len(b"zINSTREAM\0"))
        self.commands.append(command)
        body = b""
        while True:
            (length,) = struct.unpack("!L", self._exactly(conn, 4))
            if length == 0:
                break
            body += self._exactly(conn, length)
        self.received.append(body)
        if self.reply is not None:
            conn.sendall(self.reply)
        elif EICAR in body:
            conn.sendall(b"stream: Win.Test.EICAR_HDB-1 FOUND\0")
        else:
            conn.sendall(b"stream: OK\0")

    def close(self) -> None:
        self.server.close()
