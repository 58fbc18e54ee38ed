"""Still images through open_source: alpha, gray, 16 bit, resizing, odd sizes."""

import cv2
import numpy as np
import pytest

from lensengine.sources import EndOfStream, StillImageSource, open_source


def test_png_with_alpha(tmp_path, astronaut_bgr):
    bgra = cv2.cvtColor(astronaut_bgr, cv2.COLOR_BGR2BGRA)
    bgra[:, :256, 3] = 0
    path = tmp_path / "alpha.png"
    assert cv2.imwrite(str(path), bgra)
    with open_source(str(path)) as source:
        assert isinstance(source, StillImageSource)
        assert (source.size, source.fps, source.live) == ((512, 512), 30.0, False)
        frame = source.read()
    np.testing.assert_array_equal(frame, astronaut_bgr)


def test_grayscale_png(tmp_path, hopper_bgr):
    gray = cv2.cvtColor(hopper_bgr, cv2.COLOR_BGR2GRAY)
    path = tmp_path / "gray.png"
    cv2.imwrite(str(path), gray)
    with open_source(str(path)) as source:
        frame = source.read()
    assert frame.shape == (600, 512, 3)
    np.testing.assert_array_equal(frame[..., 1], gray)


def test_16_bit_png(tmp_path, astronaut_bgr):
    deep = astronaut_bgr.astype(np.uint16) * 257
    path = tmp_path / "deep.png"
    cv2.imwrite(str(path), deep)
    with open_source(str(path)) as source:
        np.testing.assert_array_equal(source.read(), astronaut_bgr)


def test_resized_to_an_odd_size(tmp_path, astronaut_bgr):
    path = tmp_path / "face.png"
    cv2.imwrite(str(path), astronaut_bgr)
    with open_source(str(path), size=(641, 479), fps=10) as source:
        assert (source.size, source.fps) == ((641, 479), 10.0)
        frame = source.read()
    assert frame.shape == (479, 641, 3)
    np.testing.assert_array_equal(frame, cv2.resize(astronaut_bgr, (641, 479), interpolation=cv2.INTER_LINEAR))


def test_every_read_is_a_fresh_copy(tmp_path, astronaut_bgr):
    path = tmp_path / "face.png"
    cv2.imwrite(str(path), astronaut_bgr)
    with open_source(str(path)) as source:
        first = source.read()
        first[:] = 0
        second = source.read()
    np.testing.assert_array_equal(second, astronaut_bgr)


def test_closed_image_ends(tmp_path, astronaut_bgr):
    path = tmp_path / "face.png"
    cv2.imwrite(str(path), astronaut_bgr)
    source = open_source(str(path))
    with source:
        source.read()
    with pytest.raises(EndOfStream):
        source.read()
