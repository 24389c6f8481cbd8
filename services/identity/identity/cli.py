"""Operator commands: ``motcua-identity create-admin --email … --full-name …``.

The password is read from the terminal (or from stdin with ``--password-stdin``), never from
the command line, so it does not end up in shell history or ``ps``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from identity.bootstrap import build_services
from identity.config import IdentitySettings
from identity.domain.errors import DomainError
from identity.profile import CreateStaff, create_staff
from servicekit.logging import configure_logging
from servicekit.mongo import connect


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mật khẩu quản trị viên: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise SystemExit("Hai lần nhập mật khẩu không khớp.")
    return first


def create_admin(args: argparse.Namespace, settings: IdentitySettings) -> int:
    db = connect(settings)
    services = build_services(settings, db, settings.signing_keys())
    services.repo.ensure_indexes()
    if services.repo.count_users("admin") and not args.another:
        print("Đã có quản trị viên; dùng --another để tạo thêm.", file=sys.stderr)
        return 1
    command = CreateStaff(
        full_name=args.full_name,
        email=args.email,
        phone=args.phone,
        role="admin",
        password=_password(args.password_stdin),
        created_by="cli",
    )
    try:
        created = create_staff(services, command)
    except DomainError as exc:
        print(
            json.dumps({"message": exc.message, "errors": exc.errors}, ensure_ascii=False),
            file=sys.stderr,
        )
        return 2
    print(json.dumps({"id": created["id"], "role": "admin"}))
    print("Lần đăng nhập đầu tiên sẽ yêu cầu đăng ký ứng dụng xác thực (TOTP).", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="motcua-identity")
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="tạo tài khoản quản trị viên")
    admin.add_argument("--email", required=True)
    admin.add_argument("--full-name", required=True)
    admin.add_argument("--phone")
    admin.add_argument("--password-stdin", action="store_true")
    admin.add_argument("--another", action="store_true", help="cho phép khi đã có quản trị viên")
    commands.add_parser(
        "republish-identities",
        help="gửi lại danh tính đã xác thực của mọi công dân cho dịch vụ nộp hồ sơ (một lần)")
    args = parser.parse_args(argv)
    settings = IdentitySettings.from_env()
    configure_logging(settings.service_name, "WARNING")
    if args.command == "republish-identities":
        return republish_identities(settings)
    return create_admin(args, settings)


def republish_identities(settings: IdentitySettings) -> int:
    """Accounts registered before events carried ``verified_identity`` (issue 20)."""
    from identity.backfill import republish_verified_identities

    db = connect(settings)
    services = build_services(settings, db, settings.signing_keys())
    print(json.dumps({"published": republish_verified_identities(services)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
