"""The manifest writer: tomllib reads back exactly what dumps_toml wrote."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest

from lensengine.packs.toml_writer import dumps_toml


def test_round_trip_of_every_kind_of_value() -> None:
    document = {
        "schema": 1,
        "text": 'quotes " and \\ backslash, tab\t, newline\n, bell\x07, delete\x7f, unicode é 顔 🙂',
        "negative": -3,
        "big": 2**63 - 1,
        "ratio": 0.1,
        "tiny": 1e-300,
        "huge": -1.5e300,
        "infinite": float("inf"),
        "flag": False,
        "list": [1, 2.5, "three", [4, [5]], {"six": 6}],
        "empty_list": [],
        "key with spaces": "quoted key",
        "model": {"arch": "unet", "config": {"ngf": 8, "nested": {"deep": [1, 2]}, "empty": {}}},
        "provenance": {
            "trainer": "pix2pix",
            "quality": {"psnr": 21.5, "per_face": {"astronaut": 22.0, "grace.hopper": 20.5}},
            "empty": {},
        },
    }
    text = dumps_toml(document, inline_tables=[("model", "config")])
    assert tomllib.loads(text) == document
    assert "config = { ngf = 8" in text  # the inline table stays inline
    assert "[provenance.quality.per_face]" in text and '"grace.hopper" = 20.5' in text


def test_nan_survives() -> None:
    assert math.isnan(tomllib.loads(dumps_toml({"loss": float("nan")}))["loss"])


def test_numpy_numbers_are_written_as_plain_numbers() -> None:
    text = dumps_toml({"psnr": np.float32(21.5), "steps": np.int64(1200), "flag": True})
    assert tomllib.loads(text) == {"psnr": 21.5, "steps": 1200, "flag": True}


def test_tuples_become_arrays() -> None:
    assert tomllib.loads(dumps_toml({"size": (256, 256)})) == {"size": [256, 256]}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"provenance": {"when": object()}}, "provenance.when: TOML cannot hold a object"),
        ({"data": {"photos": [None]}}, "data.photos.0: TOML cannot hold a NoneType"),
        ({"table": {3: "x"}}, "table: TOML keys must be strings"),
        ({"steps": 2**64}, "steps: 18446744073709551616 does not fit"),
    ],
)
def test_values_toml_cannot_hold_are_refused_by_key_path(document: dict, message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        dumps_toml(document)
