"""The peer baseline: the loop a user would write with the same MediaPipe model and the same ONNX lens model.

One thread, per frame: MediaPipe FaceLandmarker (VIDEO mode) on the whole frame; per face, the landmarks' box
enlarged to a square, cropped, resized to the model's size, run through ONNX Runtime, resized back and blended
in with a float32 feathered mask over the whole frame. No alignment, no batching, no overlap. Imported by
``benchmarks/pipeline.py``, which runs it on the same frames as lensengine and prints the ratio.
"""

from __future__ import annotations

import time

import cv2
import mediapipe as mp
import numpy as np
import onnxruntime as ort
from mediapipe.tasks.python import BaseOptions, vision

from lensengine.face.model_file import resolve_face_model
from lensengine.packs import load_pack

BOX_ENLARGE = 1.6  # the square around the landmarks, a bit larger than the face
FEATHER = 0.15  # feather width as a share of the crop side


def feather_mask(side: int) -> np.ndarray:
    ramp = np.clip(np.minimum(np.arange(side), np.arange(side)[::-1]) / (FEATHER * side), 0.0, 1.0)
    return np.minimum.outer(ramp, ramp).astype(np.float32)[..., None]


class NaiveLoop:
    """``process(frame, timestamp_ms)`` -> the frame with the lens pasted on every face."""

    def __init__(self, pack_path, max_faces: int = 4) -> None:
        pack = load_pack(pack_path)
        self.size, self.rgb = pack.crop_size, pack.color_order == "RGB"
        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        self.session = ort.InferenceSession(str(pack.file("onnx_fp32")), options, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name
        landmarker_options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(resolve_face_model())),
            running_mode=vision.RunningMode.VIDEO,
            num_faces=max_faces,
        )
        self.landmarker = vision.FaceLandmarker.create_from_options(landmarker_options)

    def process(self, frame: np.ndarray, timestamp_ms: int) -> np.ndarray:
        height, width = frame.shape[:2]
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        result = self.landmarker.detect_for_video(image, timestamp_ms)
        out = frame.astype(np.float32)
        for face in result.face_landmarks:
            xy = np.array([(p.x * width, p.y * height) for p in face])
            centre, side = (xy.min(0) + xy.max(0)) / 2, int((xy.max(0) - xy.min(0)).max() * BOX_ENLARGE)
            x0, y0 = int(centre[0] - side / 2), int(centre[1] - side / 2)
            if side < 8 or x0 < 0 or y0 < 0 or x0 + side > width or y0 + side > height:
                continue  # a face at the edge: a naive loop leaves it alone
            crop = cv2.resize(frame[y0 : y0 + side, x0 : x0 + side], (self.size, self.size))
            pixels = cv2.cvtColor(crop, cv2.COLOR_BGR2RGB) if self.rgb else crop
            batch = (pixels.astype(np.float32).transpose(2, 0, 1)[None] / 127.5) - 1.0
            result_chw = self.session.run(None, {self.input_name: batch})[0][0]
            drawn = np.clip((result_chw[:3].transpose(1, 2, 0) + 1.0) * 127.5, 0, 255).astype(np.uint8)
            if self.rgb:
                drawn = cv2.cvtColor(drawn, cv2.COLOR_RGB2BGR)
            if result_chw.shape[0] == 4:  # a lens that draws colour + alpha: composite over the crop
                alpha = np.clip((result_chw[3] + 1.0) / 2.0, 0, 1)[..., None]
                drawn = (drawn * alpha + crop * (1 - alpha)).astype(np.uint8)
            big = cv2.resize(drawn, (side, side)).astype(np.float32)
            mask = np.zeros((height, width, 1), np.float32)
            mask[y0 : y0 + side, x0 : x0 + side] = feather_mask(side)
            layer = np.zeros_like(out)
            layer[y0 : y0 + side, x0 : x0 + side] = big
            out = out * (1.0 - mask) + layer * mask
        return out.astype(np.uint8)

    def close(self) -> None:
        self.landmarker.close()


def run_naive(frames: list[np.ndarray], pack_path, fps: float = 30.0, max_faces: int = 4) -> dict:
    """fps and per-frame latency (median, p95 ms) of the naive loop over ``frames``, every frame processed."""
    loop = NaiveLoop(pack_path, max_faces)
    try:
        loop.process(frames[0], 0)  # warm-up
        times = []
        start = time.perf_counter()
        for index, frame in enumerate(frames[1:], start=1):
            t0 = time.perf_counter()
            loop.process(frame, int(index * 1000.0 / fps))
            times.append((time.perf_counter() - t0) * 1000.0)
        elapsed = time.perf_counter() - start
    finally:
        loop.close()
    return {
        "fps": len(times) / elapsed,
        "latency_median_ms": float(np.median(times)),
        "latency_p95_ms": float(np.percentile(times, 95)),
    }
