"""Virus scanning of uploads: a port and its two adapters.

``NoScanner`` (the default: nothing to run locally) accepts every file; ``ClamdScanner``
streams the file to a clamd daemon with the INSTREAM command over TCP and is switched on by
setting ``CLAMD_ADDRESS`` (``host:port``). A scanner that is configured but unreachable, or
that answers with an error, refuses the upload (503): once production turns scanning on, no
file is stored unscanned.
"""
from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from submission.domain.errors import UploadRefused

INFECTED = ("Tệp “{name}” bị phát hiện chứa mã độc nên không được chấp nhận. Vui lòng "
            "kiểm tra lại máy tính của bạn và gửi bản sạch.")


class ScannerUnavailable(Exception):
    """The scanner could not give a verdict (down, timed out, answered an error)."""


class Scanner(Protocol):
    def scan(self, name: str, stream: BinaryIO) -> None:
        """Return when the file is clean; raise ``UploadRefused`` when it is infected and
        ``ScannerUnavailable`` when no verdict could be had. The stream is left at 0."""


class NoScanner:
    """No virus scanner configured (local runs and tests): every file passes."""

    def scan(self, name: str, stream: BinaryIO) -> None:
        stream.seek(0)


@dataclass(frozen=True)
class ClamdScanner:
    """clamd's INSTREAM over TCP: ``zINSTREAM\\0``, then chunks each prefixed by its length
    (4 bytes, network order), a zero-length chunk to end; the answer is
    ``stream: OK``, ``stream: <signature> FOUND`` or ``… ERROR`` (NUL-terminated)."""

    host: str
    port: int
    timeout: float = 10.0
    chunk_size: int = 64 * 1024

    @classmethod
    def from_address(cls, address: str, timeout: float = 10.0) -> ClamdScanner:
        host, _, port = address.strip().rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"CLAMD_ADDRESS must be host:port, got {address!r}")
        return cls(host.strip("[]"), int(port), timeout)

    def scan(self, name: str, stream: BinaryIO) -> None:
        stream.seek(0)
        try:
            reply = self._instream(stream)
        except OSError as exc:
            raise ScannerUnavailable(f"clamd {self.host}:{self.port}: {exc}") from exc
        finally:
            stream.seek(0)
        if reply.endswith(" FOUND"):
            raise UploadRefused(INFECTED.format(name=name), http_status=422)
        if not reply.endswith(" OK"):
            raise ScannerUnavailable(f"clamd answered {reply[:200]!r}")

    def _instream(self, stream: BinaryIO) -> str:
        with socket.create_connection((self.host, self.port), timeout=self.timeout) as conn:
            conn.sendall(b"zINSTREAM\0")
            while chunk := stream.read(self.chunk_size):
                conn.sendall(struct.pack("!L", len(chunk)) + chunk)
            conn.sendall(struct.pack("!L", 0))
            answer = bytearray()
            while not answer.endswith(b"\0"):
                received = conn.recv(4096)
                if not received:
                    break
                answer += received
        return answer.rstrip(b"\0").decode("utf-8", "replace").strip()


def scanner_from_settings(address: str, timeout: float) -> Scanner:
    return ClamdScanner.from_address(address, timeout) if address.strip() else NoScanner()
