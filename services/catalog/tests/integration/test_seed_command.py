"""`python -m catalog.seed`, as `make run` calls it, is idempotent."""

import os
import subprocess
import sys

from servicekit.mongo import connect


def run_seed(env):
    result = subprocess.run(
        [sys.executable, "-m", "catalog.seed"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_seed_command_loads_everything_once(service_env, s3_endpoint, settings):
    env = {**service_env, "S3_ENDPOINT": s3_endpoint, "S3_BUCKET": settings.s3_bucket}
    first = run_seed(env)
    assert "procedures_published=15" in first and "agencies=64" in first
    assert "templates=10" in first and "provinces=34" in first
    second = run_seed(env)
    assert "procedures_published=0" in second and "agencies=0" in second
    assert "templates=0" in second
    db = connect(settings)
    assert db.procedures.count_documents({}) == 15
    assert db.procedures.count_documents({"latest_version": 1, "published_version": 1}) == 15


def test_a_changed_seed_updates_what_only_the_seed_wrote_and_keeps_admin_edits(
    client, seeded, admin, settings, storage
):
    import copy
    import dataclasses

    from catalog.seed.command import seed
    from catalog.seed.loader import load

    data = load()
    procedures = copy.deepcopy(data.procedures)
    agencies = copy.deepcopy(data.agencies)
    by_code = {p["code"]: p for p in procedures}
    agency_by_code = {a["code"]: a for a in agencies}

    # an administrator edits one procedure (draft v2) and renames one agency
    edited = copy.deepcopy(by_code["1.004222"])
    edited["result"] = "Kết quả do quản trị viên sửa"
    assert client.put("/admin/procedures/1.004222", json=edited, headers=admin).status_code == 200
    renamed = {**agency_by_code["000.00.22.H26"], "name": "Tên do quản trị viên đặt"}
    assert (
        client.put("/admin/agencies/000.00.22.H26", json=renamed, headers=admin).status_code == 200
    )

    # the seed files change for those two and for one the administrator never touched
    by_code["1.004222"]["result"] = "Kết quả mới trong tệp seed"
    by_code["1.000656"]["result"] = "Kết quả mới trong tệp seed"
    agency_by_code["000.00.22.H26"]["address"] = "Địa chỉ mới trong tệp seed"
    agency_by_code["000.00.23.H26"]["address"] = "Địa chỉ mới trong tệp seed"
    written = seed(
        connect(settings),
        storage,
        dataclasses.replace(data, procedures=procedures, agencies=agencies),
    )

    assert (written["procedures_published"], written["agencies"]) == (1, 1)
    untouched = client.get("/procedures/1.000656").get_json()
    assert (untouched["version"], untouched["result"]) == (2, "Kết quả mới trong tệp seed")
    versions = client.get("/admin/procedures/1.004222", headers=admin).get_json()["versions"]
    assert [(v["version"], v["status"]) for v in versions] == [(1, "published"), (2, "draft")]
    assert versions[1]["definition"]["result"] == "Kết quả do quản trị viên sửa"
    assert client.get("/agencies/000.00.22.H26").get_json()["name"] == "Tên do quản trị viên đặt"
    assert client.get("/agencies/000.00.23.H26").get_json()["address"] == (
        "Địa chỉ mới trong tệp seed"
    )
