import base64
import os

import pytest

from servicekit.sealing import (
    BlindIndex,
    PiiCipher,
    PiiKeyError,
    Sealer,
    generate_key,
    parse_keyring,
)

K1, K2 = os.urandom(32), os.urandom(32)


def test_round_trip_and_ciphertext_hides_value():
    cipher = PiiCipher({"k1": K1}, "k1")
    stored = cipher.encrypt("cccd", "001090012345")
    assert stored.startswith("k1:")
    assert "001090012345" not in stored
    assert cipher.decrypt("cccd", stored) == "001090012345"


def test_same_value_encrypts_differently_each_time():
    cipher = PiiCipher({"k1": K1}, "k1")
    assert cipher.encrypt("phone", "+84912345678") != cipher.encrypt("phone", "+84912345678")


def test_ciphertext_bound_to_its_field():
    cipher = PiiCipher({"k1": K1}, "k1")
    stored = cipher.encrypt("cccd", "001090012345")
    with pytest.raises(PiiKeyError):
        cipher.decrypt("phone", stored)


def test_tampered_ciphertext_rejected():
    cipher = PiiCipher({"k1": K1}, "k1")
    kid, body = cipher.encrypt("cccd", "001090012345").split(":")
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[-1] ^= 1
    tampered = kid + ":" + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(PiiKeyError):
        cipher.decrypt("cccd", tampered)


def test_rotation_old_values_readable_new_values_use_active_key():
    old = PiiCipher({"k1": K1}, "k1").encrypt("email", "a@b.vn")
    rotated = PiiCipher({"k1": K1, "k2": K2}, "k2")
    assert rotated.decrypt("email", old) == "a@b.vn"
    assert rotated.needs_reencrypt(old)
    fresh = rotated.encrypt("email", "a@b.vn")
    assert fresh.startswith("k2:") and not rotated.needs_reencrypt(fresh)


def test_unknown_key_id_rejected():
    stored = PiiCipher({"k1": K1}, "k1").encrypt("email", "a@b.vn")
    with pytest.raises(PiiKeyError, match="unknown"):
        PiiCipher({"k2": K2}, "k2").decrypt("email", stored)


def test_active_key_must_exist():
    with pytest.raises(PiiKeyError):
        PiiCipher({"k1": K1}, "k9")


def test_keyring_parsing():
    spec = f"k1:{generate_key()}, k2:{generate_key()}"
    assert set(parse_keyring(spec)) == {"k1", "k2"}
    with pytest.raises(PiiKeyError):
        parse_keyring("k1:c2hvcnQ")
    with pytest.raises(PiiKeyError):
        parse_keyring("nokey")


def test_blind_index_is_deterministic_keyed_and_field_scoped():
    index = BlindIndex({"h1": K1}, "h1")
    assert index.hash("cccd", "001090012345") == index.hash("cccd", "001090012345")
    assert index.hash("cccd", "001090012345") != index.hash("phone", "001090012345")
    assert index.hash("cccd", "001090012345") != BlindIndex({"h1": K2}, "h1").hash(
        "cccd", "001090012345"
    )
    assert "001090012345" not in index.hash("cccd", "001090012345")


def test_blind_index_candidates_cover_old_keys():
    old_hash = BlindIndex({"h1": K1}, "h1").hash("email", "a@b.vn")
    rotated = BlindIndex({"h1": K1, "h2": K2}, "h2")
    assert old_hash in rotated.candidates("email", "a@b.vn")
    assert rotated.hash("email", "a@b.vn").startswith("h2:")


def _sealer(active="k1", lookup_active="h1", keys=None, lookup=None) -> Sealer:
    return Sealer(PiiCipher(keys or {"k1": K1}, active),
                  BlindIndex(lookup or {"h1": K2}, lookup_active))


def test_sealer_json_round_trip_hides_every_value():
    sealer = _sealer()
    value = {"cccd": "001090012345", "full_name": "Nguyễn Văn An", "children": [1, 2]}
    stored = sealer.seal_json("dossier.applicant", value)
    assert "001090012345" not in stored and "Nguy" not in stored
    assert sealer.open_json("dossier.applicant", stored) == value
    with pytest.raises(PiiKeyError):
        sealer.open_json("dossier.form", stored)


def test_sealer_keeps_empty_values_empty():
    sealer = _sealer()
    assert sealer.seal("phone", "") is None and sealer.seal("phone", None) is None
    assert sealer.seal_json("form", {}) is None
    assert sealer.open("phone", None) is None
    assert sealer.open_json("form", None, default={}) == {}
    assert sealer.hash("cccd", None) is None


def test_sealer_from_specs_and_rotation_state():
    k1, k2, h1 = generate_key(), generate_key(), generate_key()
    old = Sealer.from_specs(f"k1:{k1}", "k1", f"h1:{h1}", "h1")
    sealed, hashed = old.seal("email", "a@b.vn"), old.hash("email", "a@b.vn")
    assert old.is_current(sealed, hashed)
    rotated = Sealer.from_specs(f"k1:{k1},k2:{k2}", "k2", f"h1:{h1},h2:{k2}", "h2")
    assert not rotated.is_current(sealed, None) and not rotated.is_current(None, hashed)
    assert rotated.open("email", sealed) == "a@b.vn"
    assert hashed in rotated.candidates("email", "a@b.vn")
    assert rotated.is_current(rotated.seal("email", "a@b.vn"), rotated.hash("email", "a@b.vn"))
