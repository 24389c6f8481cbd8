"""A development SMTP server (aiosmtpd) that stores each message as ``<dir>/<time>.eml``."""
from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path


class MaildirHandler:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        name = f"{time.time_ns()}.eml"
        header = f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n".encode()
        (self.directory / name).write_bytes(header + envelope.original_content)
        return "250 Message accepted"


def read_messages(directory: Path) -> list:
    """Parsed messages in the sink, oldest first."""
    from email import message_from_bytes, policy

    return [message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted(directory.glob("*.eml"))]


def main() -> None:
    from aiosmtpd.controller import Controller

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", default="var/mail")
    args = parser.parse_args()
    controller = Controller(MaildirHandler(Path(args.dir)), hostname="127.0.0.1",
                            port=args.port)
    controller.start()
    try:
        asyncio.run(asyncio.Event().wait())
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
