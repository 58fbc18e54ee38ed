"""Augmentation that keeps image pairs aligned: one set of random parameters, applied to both sides.

Three stages, each drawn from the numpy Generator it is given (so a sample is a pure function of its seed):

- geometry: pix2pix's resize-and-random-crop jitter (286 -> 256 is a zoom of up to 286/256), rotation about the
  centre and a left-right flip, composed into one 2x3 matrix and applied with a single warp. For a face crop the
  same matrix moves its landmarks, and a flip renumbers them (landmark_mirror), so a teacher lens run *after*
  the geometry sees a correct face: the pair is exact whatever the effect (``augment_face``). Flipping a
  finished A|B pair (``augment_pair``) is only right when the effect itself is left-right symmetric.
- colour: brightness, contrast, saturation and hue, a per-pixel function with the same parameters on A and B;
  optionally a colour tint (per-channel gains: skin tone and white balance, and colour for grey photos) and
  directional lighting (a linear brightness ramp across the crop, as from a window or a desk lamp).
- degradation: Gaussian blur, Gaussian noise and JPEG compression, applied (each half of the time) to the sides
  named in ``degrade``: normally the network's input only, so it learns to give clean output from a webcam's
  noisy picture. Both sides get the identical blur kernel, noise field and quality.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from lensengine.errors import LensEngineError
from lensengine_trainers.data.eyewear import draw_eyewear
from lensengine_trainers.data.landmark_mirror import MIRROR_PERMUTATION

PIX2PIX_ZOOM = 286 / 256
DEGRADE_PROBABILITY = 0.5


@dataclass(frozen=True)
class AugmentConfig:
    """Augmentation strengths; 0 (or 1 for ``zoom``, False for ``flip``) turns a stage off.

    zoom: largest zoom of the random resize-and-crop (pix2pix: 286/256).
    flip: flip left-right half of the time.
    rotate: largest rotation, degrees either way.
    brightness, contrast, saturation: largest relative change (0.2 scales by 0.8..1.2).
    hue: largest hue shift, as a fraction of the colour wheel (0..0.5).
    blur: largest Gaussian blur sigma, pixels. noise: largest noise std, 0..255 levels.
    jpeg: lowest JPEG quality (1..95; the quality is drawn up to 95).
    degrade: which sides blur, noise and JPEG hit: "A", "B" or "AB".
    tint: largest per-channel gain change, half of the time (0.15 scales B, G, R each by 0.85..1.15; a grey photo
        takes a colour cast, a face another skin tone).
    light: largest relative brightness change of a linear ramp across the crop in a random direction, half of
        the time (0.3: one side up to 30 % darker, the other 30 % lighter).
    eyewear: share of the faces that get a random pair of glasses (``eyewear.draw_eyewear``) after the geometry,
        before an on-the-fly teacher draws the target (face crops with landmarks only).
    """

    zoom: float = PIX2PIX_ZOOM
    flip: bool = True
    rotate: float = 0.0
    brightness: float = 0.0
    contrast: float = 0.0
    saturation: float = 0.0
    hue: float = 0.0
    blur: float = 0.0
    noise: float = 0.0
    jpeg: int = 0
    degrade: str = "A"
    tint: float = 0.0
    light: float = 0.0
    eyewear: float = 0.0

    def __post_init__(self) -> None:
        problems = []
        if not 1.0 <= self.zoom <= 2.0:
            problems.append(f"zoom {self.zoom} (1..2)")
        if not 0.0 <= self.rotate <= 180.0:
            problems.append(f"rotate {self.rotate} (0..180 degrees)")
        if not 0.0 <= self.eyewear <= 1.0:
            problems.append(f"eyewear {self.eyewear} (0..1)")
        for name in ("brightness", "contrast", "saturation", "tint", "light"):
            if not 0.0 <= getattr(self, name) < 1.0:
                problems.append(f"{name} {getattr(self, name)} (0..1)")
        if not 0.0 <= self.hue <= 0.5:
            problems.append(f"hue {self.hue} (0..0.5)")
        if self.blur < 0.0 or self.noise < 0.0:
            problems.append(f"blur {self.blur} / noise {self.noise} (>= 0)")
        if self.jpeg != 0 and not 1 <= self.jpeg <= 95:
            problems.append(f"jpeg {self.jpeg} (0 = off, else 1..95)")
        if self.degrade not in ("A", "B", "AB"):
            problems.append(f"degrade {self.degrade!r} ('A', 'B' or 'AB')")
        if problems:
            raise LensEngineError(f"bad augmentation settings: {', '.join(problems)}; see docs/training.md")


@dataclass(frozen=True)
class Geometry:
    """One draw of the geometric stage: the 2x3 warp (crop pixels to crop pixels) and whether it flips."""

    matrix: np.ndarray
    flipped: bool

    @property
    def is_identity(self) -> bool:
        return not self.flipped and np.allclose(self.matrix, np.eye(2, 3), atol=1e-9)


@dataclass(frozen=True)
class Photometric:
    """One draw of the colour and degradation stages."""

    brightness: float = 1.0
    contrast: float = 1.0
    saturation: float = 1.0
    hue_shift: int = 0  # OpenCV hue units (0..179 is the whole wheel)
    blur_sigma: float = 0.0
    noise_std: float = 0.0
    noise_seed: int = 0
    jpeg_quality: int = 0
    tint_gains: tuple[float, float, float] = (1.0, 1.0, 1.0)  # B, G, R
    light_ramp: tuple[float, float, float] = (0.0, 0.0, 0.0)  # strength, direction cos, direction sin


def _homogeneous(matrix_2x3: np.ndarray) -> np.ndarray:
    return np.vstack([matrix_2x3, [0.0, 0.0, 1.0]])


def sample_geometry(rng: np.random.Generator, size: int, config: AugmentConfig) -> Geometry:
    """Draw the warp for a ``size`` x ``size`` image: zoom-and-crop, then rotation, then flip."""
    zoom = rng.uniform(1.0, config.zoom)
    # Resize by `zoom` (pixel centres: x -> (x + 0.5) * zoom - 0.5), then crop `size` at a random offset.
    offset = rng.uniform(0.0, size * (zoom - 1.0), size=2)
    zoom_crop = np.array([[zoom, 0.0, 0.5 * zoom - 0.5 - offset[0]], [0.0, zoom, 0.5 * zoom - 0.5 - offset[1]]])
    angle = rng.uniform(-config.rotate, config.rotate)
    centre = ((size - 1) / 2.0, (size - 1) / 2.0)
    rotation = cv2.getRotationMatrix2D(centre, angle, 1.0)
    flipped = bool(config.flip and rng.random() < 0.5)
    flip = np.array([[-1.0, 0.0, size - 1.0], [0.0, 1.0, 0.0]]) if flipped else np.eye(2, 3)
    matrix = _homogeneous(flip) @ _homogeneous(rotation) @ _homogeneous(zoom_crop)
    return Geometry(matrix[:2], flipped)


def warp_image(image: np.ndarray, geometry: Geometry) -> np.ndarray:
    """``image`` under the drawn warp (edges replicated, as the aligner does)."""
    if geometry.is_identity:
        return image.copy()
    height, width = image.shape[:2]
    return cv2.warpAffine(
        image, geometry.matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def warp_landmarks(landmarks: np.ndarray, geometry: Geometry) -> np.ndarray:
    """(478, 2) landmarks moved by the drawn warp, renumbered when it flips."""
    moved = np.asarray(landmarks, np.float64) @ geometry.matrix[:, :2].T + geometry.matrix[:, 2]
    if geometry.flipped:
        moved = moved[MIRROR_PERMUTATION]
    return moved.astype(np.float32)


def sample_photometric(rng: np.random.Generator, config: AugmentConfig) -> Photometric:
    """Draw the colour change and the degradations (each degradation half of the time)."""
    brightness = rng.uniform(1.0 - config.brightness, 1.0 + config.brightness)
    contrast = rng.uniform(1.0 - config.contrast, 1.0 + config.contrast)
    saturation = rng.uniform(1.0 - config.saturation, 1.0 + config.saturation)
    hue_shift = int(round(rng.uniform(-config.hue, config.hue) * 180.0))
    blur = rng.uniform(0.0, config.blur) if rng.random() < DEGRADE_PROBABILITY else 0.0
    noise = rng.uniform(0.0, config.noise) if rng.random() < DEGRADE_PROBABILITY else 0.0
    noise_seed = int(rng.integers(0, 2**31))
    jpeg = int(rng.integers(config.jpeg, 96)) if config.jpeg and rng.random() < DEGRADE_PROBABILITY else 0
    # Drawn only when asked for, so that runs without them keep their random streams.
    tint = (1.0, 1.0, 1.0)
    if config.tint and rng.random() < DEGRADE_PROBABILITY:
        tint = tuple(float(g) for g in rng.uniform(1.0 - config.tint, 1.0 + config.tint, size=3))
    light = (0.0, 0.0, 0.0)
    if config.light and rng.random() < DEGRADE_PROBABILITY:
        angle = rng.uniform(0.0, 2.0 * np.pi)
        light = (float(rng.uniform(0.0, config.light)), float(np.cos(angle)), float(np.sin(angle)))
    return Photometric(brightness, contrast, saturation, hue_shift, blur, noise, noise_seed, jpeg, tint, light)


def apply_colour(image: np.ndarray, params: Photometric) -> np.ndarray:
    """Brightness, contrast (about mid-grey), saturation and hue: the same function for every pixel."""
    out = image
    if params.hue_shift:
        hsv = cv2.cvtColor(out, cv2.COLOR_BGR2HSV)
        hsv[..., 0] = ((hsv[..., 0].astype(np.int16) + params.hue_shift) % 180).astype(np.uint8)
        out = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)
    plain = (params.brightness, params.contrast, params.saturation) == (1.0, 1.0, 1.0)
    if plain and params.tint_gains == (1.0, 1.0, 1.0) and params.light_ramp[0] == 0.0:
        return out.copy() if out is image else out
    values = out.astype(np.float32) * params.brightness
    if params.tint_gains != (1.0, 1.0, 1.0):
        values *= np.asarray(params.tint_gains, np.float32)
    if params.light_ramp[0]:
        strength, cos, sin = params.light_ramp
        height, width = values.shape[:2]
        xs = (np.arange(width, dtype=np.float32) - (width - 1) / 2.0) / max(width, 1) * 2.0
        ys = (np.arange(height, dtype=np.float32)[:, None] - (height - 1) / 2.0) / max(height, 1) * 2.0
        values *= (1.0 + strength * (cos * xs + sin * ys))[..., None]
    values = (values - 127.5) * params.contrast + 127.5
    grey = values @ np.array([0.114, 0.587, 0.299], np.float32)
    values = grey[..., None] + (values - grey[..., None]) * params.saturation
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def apply_degradation(image: np.ndarray, params: Photometric) -> np.ndarray:
    """Blur, then noise, then JPEG round trip, as drawn."""
    out = image
    if params.blur_sigma > 0.0:
        out = cv2.GaussianBlur(out, (0, 0), params.blur_sigma, borderType=cv2.BORDER_REPLICATE)
    if params.noise_std > 0.0:
        noise = np.random.default_rng(params.noise_seed).normal(0.0, params.noise_std, out.shape)
        out = np.clip(np.rint(out + noise), 0, 255).astype(np.uint8)
    if params.jpeg_quality:
        ok, encoded = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, params.jpeg_quality])
        out = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
    return out.copy() if out is image else out


def finish_pair(
    a: np.ndarray, b: np.ndarray, rng: np.random.Generator, config: AugmentConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Colour (both sides) and degradation (the sides in ``config.degrade``) with one parameter draw."""
    params = sample_photometric(rng, config)
    a, b = apply_colour(a, params), apply_colour(b, params)
    if "A" in config.degrade:
        a = apply_degradation(a, params)
    if "B" in config.degrade:
        b = apply_degradation(b, params)
    return a, b


def degrade_sides(
    a: np.ndarray, b: np.ndarray, params: Photometric, config: AugmentConfig
) -> tuple[np.ndarray, np.ndarray]:
    """The degradation drawn in ``params`` on the sides ``config.degrade`` names (A: input, B: target)."""
    if "A" in config.degrade:
        a = apply_degradation(a, params)
    if "B" in config.degrade:
        b = apply_degradation(b, params)
    return a, b


def finish_face(image: np.ndarray, rng: np.random.Generator, config: AugmentConfig) -> np.ndarray:
    """Colour and degradation of a lone input face (no B side)."""
    params = sample_photometric(rng, config)
    return apply_degradation(apply_colour(image, params), params)


def augment_pair(
    a: np.ndarray, b: np.ndarray, rng: np.random.Generator, config: AugmentConfig
) -> tuple[np.ndarray, np.ndarray]:
    """A finished A|B pair: the same warp, colour and degradation parameters on both sides."""
    geometry = sample_geometry(rng, a.shape[0], config)
    return finish_pair(warp_image(a, geometry), warp_image(b, geometry), rng, config)


def augment_face(
    crop: np.ndarray, landmarks: np.ndarray, rng: np.random.Generator, config: AugmentConfig
) -> tuple[np.ndarray, np.ndarray]:
    """The geometric stage for a face crop and its landmarks, then (``config.eyewear`` of the time) a pair of
    glasses on it, before a teacher lens makes the B side."""
    geometry = sample_geometry(rng, crop.shape[0], config)
    face, landmarks = warp_image(crop, geometry), warp_landmarks(landmarks, geometry)
    if config.eyewear and rng.random() < config.eyewear:  # no draw when off: runs without it stay as they were
        face = draw_eyewear(face, landmarks, rng)
    return face, landmarks
