"""Abandoned and deleted drafts, and their files, are removed by the retention job."""
from submission import handlers


def objects(app, dossier_id):
    store = app.extensions["submission"].store
    return list(store.client.list_objects(store.bucket, prefix=f"dossiers/{dossier_id}/",
                                          recursive=True))


def test_retention_removes_old_and_deleted_drafts_only(api, app, client, clock, mongo_db):
    old = api.create()
    api.upload(old["id"])
    submitted = api.submitted()
    clock.set(2026, 3, 20, 9, 0)
    recent = api.create()
    api.upload(recent["id"])
    deleted = api.create()
    api.upload(deleted["id"])
    assert client.delete(f"/dossiers/{deleted['id']}", headers=api.citizen()).status_code == 204
    assert client.get(f"/dossiers/{deleted['id']}", headers=api.citizen()).status_code == 404

    # 2/3 + 30 days = 1/4: on 2/4 the draft untouched since 2/3 is past retention.
    clock.set(2026, 4, 2, 9, 0)
    assert handlers.purge_drafts(app.extensions["submission"]) == 2
    remaining = {d["_id"] for d in mongo_db.dossiers.find({}, {"_id": 1})}
    assert remaining == {submitted["id"], recent["id"]}
    assert objects(app, old["id"]) == [] and objects(app, deleted["id"]) == []
    assert len(objects(app, recent["id"])) == 1 and len(objects(app, submitted["id"])) == 1


def test_submitted_dossier_cannot_be_deleted(api, client):
    dossier = api.submitted()
    response = client.delete(f"/dossiers/{dossier['id']}", headers=api.citizen())
    assert response.status_code == 409


def test_drafts_of_a_deleted_user_are_purged(api, app, mongo_db):
    from submission import repository

    mine = api.create()
    api.upload(mine["id"])
    theirs = api.create(api.citizen("citizen-7"))
    assert repository.abandon_drafts_of(mongo_db, "citizen-1") == 1
    assert handlers.purge_drafts(app.extensions["submission"]) == 1
    assert {d["_id"] for d in mongo_db.dossiers.find({}, {"_id": 1})} == {theirs["id"]}
    assert objects(app, mine["id"]) == []
