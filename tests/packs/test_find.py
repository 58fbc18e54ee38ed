from lensengine.packs import packs_in


def test_packs_are_folders_with_a_manifest_or_zips(tmp_path):
    for name in ("b_pack", "a_pack", "no_manifest"):
        (tmp_path / name).mkdir()
    (tmp_path / "a_pack" / "lens.toml").write_text('name = "a"\n')
    (tmp_path / "b_pack" / "lens.toml").write_text('name = "b"\n')
    (tmp_path / "c_pack.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    (tmp_path / "notes.txt").write_text("not a pack")
    assert packs_in(tmp_path) == [tmp_path / "a_pack", tmp_path / "b_pack", tmp_path / "c_pack.zip"]
    assert packs_in(tmp_path / "missing") == []
