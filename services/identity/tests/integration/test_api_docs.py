"""The API documents itself from its schemas, and the shared endpoints are there."""


def test_openapi_lists_the_contract_paths(client):
    spec = client.get("/openapi.json").json
    for path in (
        "/register",
        "/register/verify",
        "/login",
        "/login/verify",
        "/token/refresh",
        "/logout",
        "/me",
        "/me/export",
        "/me/contact/verify",
        "/me/totp",
        "/me/totp/confirm",
        "/.well-known/jwks.json",
        "/officers",
        "/otp/resend",
        "/me/password",
        "/password/forgot",
        "/password/reset",
    ):
        assert path in spec["paths"], path
    register = spec["paths"]["/register"]["post"]
    assert "202" in register["responses"]
    assert "cccd" in spec["components"]["schemas"]["Register"]["properties"]
    patch_me = spec["paths"]["/me"]["patch"]["responses"]
    assert {"200", "202"} <= set(patch_me)  # 202: a new phone/email waits for its code


def test_health_and_readiness(client):
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json
    assert ready.json["checks"] == {"mongo": "ok", "rabbitmq": "ok"}
