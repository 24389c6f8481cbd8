"""The client address: X-Forwarded-For believed only from TRUSTED_PROXIES, read right to left."""
import pytest
from flask import Flask, jsonify, request

from servicekit.client_address import TrustedProxies, client_address, parse_networks
from servicekit.config import ConfigError, ServiceSettings
from servicekit.web import create_service_app

GATEWAY = parse_networks("127.0.0.1/32")
CLUSTER = parse_networks("10.0.0.0/8, fd00::/8")


@pytest.mark.parametrize("peer, forwarded, trusted, expected", [
    ("203.0.113.9", "1.2.3.4", (), "203.0.113.9"),             # default: trust nobody
    ("203.0.113.9", "1.2.3.4", GATEWAY, "203.0.113.9"),         # peer not a proxy of ours
    ("127.0.0.1", "198.51.100.7", GATEWAY, "198.51.100.7"),     # behind the gateway
    ("127.0.0.1", None, GATEWAY, "127.0.0.1"),                  # nothing forwarded
    ("10.1.2.3", "6.6.6.6, 198.51.100.7, 10.9.9.9", CLUSTER, "198.51.100.7"),  # spoof left
    ("10.1.2.3", "10.5.5.5, 10.9.9.9", CLUSTER, "10.5.5.5"),    # all ours: the first one
    ("10.1.2.3", "6.6.6.6, garbage, 10.9.9.9", CLUSTER, "10.9.9.9"),  # stop at garbage
    ("10.1.2.3", "198.51.100.7:51234", CLUSTER, "198.51.100.7"),  # with a port
    ("fd00::1", "[2001:db8::5]:443", CLUSTER, "2001:db8::5"),
    ("::ffff:10.1.2.3", "198.51.100.7", CLUSTER, "198.51.100.7"),  # IPv4-mapped peer
])
def test_client_address_walks_past_trusted_hops_only(peer, forwarded, trusted, expected):
    assert client_address(peer, forwarded, trusted) == expected


def _echo(trusted):
    app = Flask("echo")

    @app.get("/")
    def who():
        return jsonify(addr=request.remote_addr, scheme=request.scheme,
                       peer=request.environ["motcua.peer"])

    app.wsgi_app = TrustedProxies(app.wsgi_app, trusted)
    return app.test_client()


def test_middleware_sets_remote_addr_and_scheme_from_a_trusted_peer_only():
    headers = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
    trusted = _echo(GATEWAY).get("/", headers=headers, environ_base={
        "REMOTE_ADDR": "127.0.0.1"}).json
    assert trusted == {"addr": "198.51.100.7", "scheme": "https", "peer": "127.0.0.1"}
    outsider = _echo(GATEWAY).get("/", headers=headers, environ_base={
        "REMOTE_ADDR": "203.0.113.9"}).json
    assert outsider == {"addr": "203.0.113.9", "scheme": "http", "peer": "203.0.113.9"}


def test_every_service_app_uses_it_and_trusts_nobody_by_default(jwks_issuer):
    def app_with(**overrides):
        settings = ServiceSettings.from_env({}, jwks_url=jwks_issuer.url, **overrides)
        app, _api = create_service_app(settings, title="sample")
        app.add_url_rule("/whoami", "whoami", lambda: {"addr": request.remote_addr})
        return app.test_client()

    spoofed = {"X-Forwarded-For": "6.6.6.6"}
    assert app_with().get("/whoami", headers=spoofed).json == {"addr": "127.0.0.1"}
    behind = app_with(trusted_proxies="127.0.0.1").get("/whoami", headers=spoofed).json
    assert behind == {"addr": "6.6.6.6"}


def test_an_unreadable_trusted_proxies_setting_refuses_to_start():
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        ServiceSettings.from_env({"TRUSTED_PROXIES": "10.0.0.0/8, gateway"})
