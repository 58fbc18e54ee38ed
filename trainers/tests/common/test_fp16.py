"""FP16 conversion on real networks from lensengine.nets, run by ONNX Runtime against the FP32 model.

ONNX Runtime's CPU provider has no float16 kernels for Conv, ConvTranspose, InstanceNormalization, Relu, Tanh
and most other ops here: it inserts its own Casts and computes them in FP32. So these tests check that the
graph is valid, typed as intended and runs, and that float16 weights keep the output within 1e-2 relative;
the FP16 arithmetic itself is TensorRT's (or CUDA's) to do.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

from lensengine.errors import LensEngineError
from lensengine.nets import build_network
from lensengine_trainers.common.fp16 import convert_onnx_to_fp16

FLOAT, FLOAT16 = TensorProto.FLOAT, TensorProto.FLOAT16
NETS = {
    "unet_instance": ("unet", {"ngf": 8, "num_downs": 5, "norm": "instance"}),
    "unet_batch": ("unet", {"ngf": 8, "num_downs": 5, "norm": "batch"}),
    "resnet_generator": ("resnet_generator", {"ngf": 8, "n_blocks": 2}),
    "johnson": ("johnson", {"width": 8, "n_res": 1}),
}
SIZE = 64


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each net exported as the FP32 ONNX a pack holds (opset 17, legacy exporter, dynamic batch)."""
    folder = tmp_path_factory.mktemp("fp16")
    paths = {}
    torch.manual_seed(0)
    for key, (arch, config) in NETS.items():
        net = build_network(arch, **config).eval()
        paths[key] = folder / f"{key}.onnx"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                net,
                torch.zeros(1, 3, SIZE, SIZE),
                str(paths[key]),
                dynamo=False,
                opset_version=17,
                input_names=["input"],
                output_names=["output"],
                dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
            )
    return paths


def tensor_types(model: onnx.ModelProto) -> dict[str, int]:
    """Element type of every tensor in the model, from shape inference and the initializers."""
    graph = onnx.shape_inference.infer_shapes(model, strict_mode=True).graph
    types = {v.name: v.type.tensor_type.elem_type for v in [*graph.input, *graph.output, *graph.value_info]}
    types.update({t.name: t.data_type for t in graph.initializer})
    for node in graph.node:
        if node.op_type == "Constant":
            types[node.output[0]] = node.attribute[0].t.data_type
    return types


def run(path: Path, batch: np.ndarray) -> np.ndarray:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: batch})[0]


def relative_error(result: np.ndarray, reference: np.ndarray) -> float:
    return float(np.abs(result.astype(np.float32) - reference).max() / np.abs(reference).max())


@pytest.mark.parametrize("key", list(NETS))
def test_fp16_graph_is_valid_typed_and_close(exported: dict[str, Path], tmp_path: Path, key: str) -> None:
    fp16_path = convert_onnx_to_fp16(exported[key], tmp_path / "model_fp16.onnx")
    model = onnx.load(str(fp16_path))
    onnx.checker.check_model(model, full_check=True)
    types = tensor_types(model)

    assert [types[i.name] for i in model.graph.input] == [FLOAT]
    assert [types[o.name] for o in model.graph.output] == [FLOAT]
    convs = [n for n in model.graph.node if n.op_type in ("Conv", "ConvTranspose")]
    assert convs and {types[name] for n in convs for name in n.input} == {FLOAT16}  # data, weights, biases
    for node in model.graph.node:
        if node.op_type == "InstanceNormalization":
            assert [types[name] for name in [*node.input, *node.output]] == [FLOAT] * 4
        if node.op_type == "Resize":
            assert (types[node.input[0]], types[node.input[2]]) == (FLOAT16, FLOAT)  # scales stay float32

    producers = {name: node.op_type for node in model.graph.node for name in node.output}
    cast_chains = [n.name for n in model.graph.node if n.op_type == "Cast" and producers.get(n.input[0]) == "Cast"]
    assert not cast_chains  # no tensor takes a float16 round trip on its way between FP32 ops

    batch = np.random.default_rng(1).uniform(-1, 1, (3, 3, SIZE, SIZE)).astype(np.float32)
    reference = run(exported[key], batch)
    result = run(fp16_path, batch)
    assert result.dtype == np.float32 and result.shape == reference.shape
    assert relative_error(result, reference) < 1e-2
    assert fp16_path.stat().st_size < 0.6 * exported[key].stat().st_size


@pytest.mark.parametrize("key", ["unet_instance", "johnson"])  # scale/bias as Constant nodes; as initializers
def test_instance_norm_parameters_stay_float32(exported: dict[str, Path], tmp_path: Path, key: str) -> None:
    model = onnx.load(str(convert_onnx_to_fp16(exported[key], tmp_path / "m.onnx")))
    producers = {
        **{t.name: t.data_type for t in model.graph.initializer},
        **{n.output[0]: n.attribute[0].t.data_type for n in model.graph.node if n.op_type == "Constant"},
    }
    norms = [n for n in model.graph.node if n.op_type == "InstanceNormalization"]
    assert norms
    for node in norms:
        assert [producers[name] for name in node.input[1:]] == [FLOAT, FLOAT]


def test_without_fp32_ops_instance_norm_runs_in_fp16(exported: dict[str, Path], tmp_path: Path) -> None:
    model = onnx.load(str(convert_onnx_to_fp16(exported["unet_instance"], tmp_path / "m.onnx", keep_fp32_ops=())))
    types = tensor_types(model)
    norms = [n for n in model.graph.node if n.op_type == "InstanceNormalization"]
    assert norms and all(types[n.input[0]] == FLOAT16 for n in norms)
    assert sum(n.op_type == "Cast" for n in model.graph.node) == 2  # only the graph's input and output


def test_fp16_inputs_and_outputs(exported: dict[str, Path], tmp_path: Path) -> None:
    path = convert_onnx_to_fp16(exported["resnet_generator"], tmp_path / "m.onnx", keep_io_fp32=False)
    model = onnx.load(str(path))
    assert model.graph.input[0].type.tensor_type.elem_type == FLOAT16
    assert model.graph.output[0].type.tensor_type.elem_type == FLOAT16
    batch = np.random.default_rng(2).uniform(-1, 1, (2, 3, SIZE, SIZE)).astype(np.float32)
    result = run(path, batch.astype(np.float16))
    assert result.dtype == np.float16
    assert relative_error(result, run(exported["resnet_generator"], batch)) < 1e-2


def hand_made_model() -> onnx.ModelProto:
    """Constants (tensor and value_float), a Cast(to=FLOAT) from int64, a Softmax (kept FP32) and a Mul
    sharing one initializer, Shape of a float tensor, a Resize, and an output that is also used inside."""
    scale = numpy_helper.from_array(np.array([1.5, -2.0, 0.5], np.float32).reshape(1, 3, 1, 1), "scale")
    big = numpy_helper.from_array(np.array([1e6], np.float32), "big")  # beyond float16: clipped
    offset = numpy_helper.from_array(np.full((1, 3, 1, 1), 0.25, np.float32))
    nodes = [
        helper.make_node("Constant", [], ["half"], value_float=0.5),
        helper.make_node("Constant", [], ["offset"], value=offset),
        helper.make_node("Constant", [], ["steps"], value=numpy_helper.from_array(np.array([3], np.int64))),
        helper.make_node("Cast", ["steps"], ["steps_float"], to=FLOAT),
        helper.make_node("Mul", ["input", "scale"], ["scaled"]),
        helper.make_node("Softmax", ["scale"], ["soft"], axis=1),
        helper.make_node("Add", ["scaled", "soft"], ["mixed"]),
        helper.make_node("Mul", ["mixed", "half"], ["halved"]),
        helper.make_node("Add", ["halved", "offset"], ["shifted"]),
        helper.make_node("Div", ["shifted", "steps_float"], ["first"]),
        helper.make_node("Min", ["first", "big"], ["clamped"]),
        helper.make_node("Resize", ["clamped", "", "resize_scales"], ["second"], mode="nearest"),
        helper.make_node("Shape", ["second"], ["second_shape"]),
    ]
    graph = helper.make_graph(
        nodes,
        "hand_made",
        [helper.make_tensor_value_info("input", FLOAT, ["batch", 3, 4, 4])],
        [
            helper.make_tensor_value_info("first", FLOAT, ["batch", 3, 4, 4]),
            helper.make_tensor_value_info("second", FLOAT, ["batch", 3, 8, 8]),
            helper.make_tensor_value_info("second_shape", TensorProto.INT64, [4]),
        ],
        [scale, big, numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "resize_scales")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model, full_check=True)
    return model


def test_constants_casts_and_shared_initializers(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    onnx.save(hand_made_model(), str(tmp_path / "fp32.onnx"))
    fp16_path = convert_onnx_to_fp16(tmp_path / "fp32.onnx", tmp_path / "fp16.onnx")
    assert "1 weights beyond float16's range clipped" in caplog.text
    model = onnx.load(str(fp16_path))
    types = tensor_types(model)
    nodes = {n.output[0]: n for n in model.graph.node}
    initializers = {t.name: t.data_type for t in model.graph.initializer}

    assert types["half"] == FLOAT16 and types["offset"] == FLOAT16  # both Constant forms converted
    assert nodes["steps_float"].attribute[0].i == FLOAT16  # Cast(to=FLOAT) now casts to FLOAT16
    assert initializers["scale"] == FLOAT  # a Softmax (FP32) uses it: kept, with a Cast for the Mul
    assert initializers["resize_scales"] == FLOAT and initializers["big"] == FLOAT16
    assert types[nodes["soft"].input[0]] == FLOAT and types[nodes["scaled"].input[1]] == FLOAT16
    assert types["mixed"] == FLOAT16 and types["soft"] == FLOAT
    assert [types[o.name] for o in model.graph.output] == [FLOAT, FLOAT, TensorProto.INT64]

    batch = np.random.default_rng(3).normal(size=(2, 3, 4, 4)).astype(np.float32)
    session32 = onnxruntime.InferenceSession(str(tmp_path / "fp32.onnx"), providers=["CPUExecutionProvider"])
    session16 = onnxruntime.InferenceSession(str(fp16_path), providers=["CPUExecutionProvider"])
    expected, got = session32.run(None, {"input": batch}), session16.run(None, {"input": batch})
    for reference, result in zip(expected[:2], got[:2]):
        assert result.dtype == np.float32
        assert relative_error(result, reference) < 1e-2
    assert list(got[2]) == list(expected[2]) == [2, 3, 8, 8]


def test_graph_with_a_subgraph_is_refused(tmp_path: Path) -> None:
    branch = helper.make_graph(
        [helper.make_node("Identity", ["input"], ["branch_out"])],
        "branch",
        [],
        [helper.make_tensor_value_info("branch_out", FLOAT, [1])],
    )
    graph = helper.make_graph(
        [helper.make_node("If", ["flag"], ["output"], then_branch=branch, else_branch=branch)],
        "with_if",
        [
            helper.make_tensor_value_info("flag", TensorProto.BOOL, []),
            helper.make_tensor_value_info("input", FLOAT, [1]),
        ],
        [helper.make_tensor_value_info("output", FLOAT, [1])],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(tmp_path / "if.onnx"))
    with pytest.raises(LensEngineError, match=r"node If \(If\) holds a subgraph; the FP16 conversion handles flat"):
        convert_onnx_to_fp16(tmp_path / "if.onnx", tmp_path / "out.onnx")
    assert not (tmp_path / "out.onnx").exists()
