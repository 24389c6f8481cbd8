from catalog.seed.command import fingerprint, seed_may_write


def test_fingerprint_ignores_key_order_but_not_content():
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


def test_seed_writes_new_records_and_its_own_changed_ones_only():
    assert seed_may_write(None, "x") is True
    assert seed_may_write({"seed_sha": "x", "last_source": "seed"}, "x") is None
    assert seed_may_write({"seed_sha": "old", "last_source": "seed"}, "x") is True
    assert seed_may_write({"seed_sha": "old", "last_source": "admin"}, "x") is False
    assert seed_may_write({"last_source": "admin"}, "x") is False
