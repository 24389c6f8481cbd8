"""identity as deployed: gunicorn with several workers sharing one development key."""

import requests

from servicekit.testing import ServiceProcess


def test_workers_agree_on_the_signing_key_and_serve_the_api(service_env, tmp_path):
    env = {
        **service_env,
        "IDENTITY_JWT_DEV_KEY_FILE": str(tmp_path / "var" / "jwt.pem"),
        "IDENTITY_ARGON2_MEMORY_KIB": "8192",
        "IDENTITY_ARGON2_TIME_COST": "1",
    }
    with ServiceProcess.gunicorn(
        "identity.app:create_app()", env, workers=3, log_path=tmp_path / "gunicorn.log"
    ) as service:
        kids = {
            tuple(
                k["kid"]
                for k in requests.get(f"{service.url}/.well-known/jwks.json", timeout=5).json()[
                    "keys"
                ]
            )
            for _ in range(20)
        }
        assert len(kids) == 1
        response = requests.post(
            f"{service.url}/register",
            timeout=10,
            json={
                "cccd": "001090012345",
                "full_name": "Nguyễn Thị Hoa",
                "date_of_birth": "1990-05-01",
                "phone": "0912345678",
                "email": "hoa@example.vn",
                "password": "Hoa-Sen-2026!",
            },
        )
        assert response.status_code == 202, response.text
