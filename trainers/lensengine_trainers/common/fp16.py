"""convert_onnx_to_fp16: an FP16 ONNX graph for TensorRT's strongly typed FP16 engines.

TensorRT 11 networks are strongly typed: an FP32 ONNX builds an FP32 engine, so an FP16 engine needs a graph
whose tensors are FP16 (docs/packs.md). The conversion:

- float initializers and Constant values become float16 (clipped to +-65504, the float16 range);
- every node runs in FP16 unless its op is in ``keep_fp32_ops`` (numerically sensitive: normalisation
  statistics, softmax, exp/log/pow, reductions) or its ONNX schema has no float16 for it; those keep FP32
  inputs, outputs and parameters, with Cast nodes where they meet the FP16 part;
- inputs the schema fixes to float32 (Resize's ``scales``) stay float32;
- Cast(to=FLOAT) nodes cast to FLOAT16 where everything downstream is FP16;
- with ``keep_io_fp32`` the graph inputs and outputs keep FP32 and Casts at the edges do the conversion.

The result passes ``onnx.checker`` (full check) and shape inference. Graphs with subgraphs (If, Loop, Scan)
are refused.

Why not onnxconverter-common: ``onnxconverter_common.float16.convert_float_to_float16`` (1.16.0, with
``keep_io_types=True`` and ``op_block_list=DEFAULT_FP32_OPS``, tried against trainers/tests/common/test_fp16.py
with onnx 1.23 and onnxruntime 1.32) keeps FP32 I/O and InstanceNormalization in FP32 and is close enough on
the U-Nets and the ResNet generator, but breaks two guarantees:

- the Johnson style net (``lensengine.nets`` "johnson": Resize, and weights the torch exporter shares through
  Identity nodes) fails ``onnx.checker.check_model(full_check=True)``: "(op_type:Resize ...) ParseData type
  mismatch for tensor: . Expected:float Actual:float16" (Resize's ``scales`` was made float16) and
  "(op_type:Identity ...) Inferred elem type differs from existing elem type: (1) vs (10)"; ONNX Runtime
  refuses to load it: "Type (tensor(float16)) of output arg (model.21.bias) of node (Identity_66) does not
  match expected type (tensor(float))". Style packs could not have an FP16 model.
- a graph with a Cast(to=FLOAT), Constants and an initializer shared by a kept-FP32 Softmax and an FP16 Mul
  (``hand_made_model`` in the tests) fails the checker ("(op_type:Mul): B has inconsistent type
  tensor(float)") and ONNX Runtime ("Type (tensor(float16)) of output arg (steps_float) ... does not match
  expected type (tensor(float))"); it also clips weights to +-1e4 (its ``max_finite_val``), not float16's
  +-65504.

So this module stays, and onnxconverter-common is not a dependency.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from lensengine.errors import LensEngineError

log = logging.getLogger("lensengine.packs")

FLOAT = TensorProto.FLOAT
FLOAT16 = TensorProto.FLOAT16
FLOAT16_MAX = float(np.finfo(np.float16).max)

# Ops kept in FP32. Normalisation layers compute a mean and a variance over whole feature maps: in float16
# the sums lose precision and squares above 256 overflow (InstanceNormalization is the classic source of
# wrong FP16 output). Softmax, Exp and Log overflow or lose range; the reductions and Pow are the pieces of
# such statistics when an exporter writes a norm out by hand. Resize is safe in float16 (it interpolates).
DEFAULT_FP32_OPS = (
    "InstanceNormalization",
    "LayerNormalization",
    "GroupNormalization",
    "Softmax",
    "LogSoftmax",
    "ReduceMean",
    "ReduceSum",
    "ReduceSumSquare",
    "ReduceL2",
    "ReduceLogSumExp",
    "Pow",
    "Exp",
    "Log",
)

_FLOAT16_TYPE = "tensor(float16)"


def convert_onnx_to_fp16(
    src: str | Path,
    dst: str | Path,
    keep_fp32_ops: tuple[str, ...] = DEFAULT_FP32_OPS,
    keep_io_fp32: bool = True,
) -> Path:
    """Write the FP16 version of the ONNX model ``src`` to ``dst``; return ``dst``.

    ``keep_fp32_ops``: op types that stay FP32 (with their parameters). ``keep_io_fp32``: graph inputs and
    outputs stay float32, so callers feed and read the same arrays as for the FP32 model.
    """
    model = onnx.load(str(src))
    converted = model_to_fp16(model, tuple(keep_fp32_ops), keep_io_fp32, label=str(src))
    onnx.save(converted, str(dst))
    return Path(dst)


def model_to_fp16(
    model: onnx.ModelProto, keep_fp32_ops: tuple[str, ...], keep_io_fp32: bool, label: str = "model"
) -> onnx.ModelProto:
    """The FP16 copy of ``model`` (see the module docstring); ``label`` names it in errors."""
    _refuse_subgraphs(model.graph, label)
    if len(model.graph.sparse_initializer):
        raise LensEngineError(f"{label}: sparse initializers are not supported by the FP16 conversion")
    converted = onnx.ModelProto()
    converted.CopyFrom(model)
    _fold_identities(converted.graph)
    try:
        typed = onnx.shape_inference.infer_shapes(converted, strict_mode=True)
    except onnx.shape_inference.InferenceError as error:
        raise LensEngineError(f"{label}: ONNX shape inference fails, so it cannot be converted ({error})") from None
    opsets = {entry.domain or "ai.onnx": entry.version for entry in model.opset_import}
    _Conversion(converted.graph, typed.graph, opsets, set(keep_fp32_ops), keep_io_fp32, label).run()
    del converted.graph.value_info[:]
    try:
        onnx.checker.check_model(converted, full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as error:
        raise LensEngineError(f"{label}: the FP16 graph does not pass onnx.checker ({error})") from None
    return converted


def _refuse_subgraphs(graph: onnx.GraphProto, label: str) -> None:
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS):
                raise LensEngineError(
                    f"{label}: node {node.name or node.op_type} ({node.op_type}) holds a subgraph; "
                    "the FP16 conversion handles flat graphs only"
                )


def _fold_identities(graph: onnx.GraphProto) -> None:
    """Remove Identity nodes (not those making a graph output), wiring their consumers to their input.

    The legacy torch exporter shares equal weights through Identity nodes; folded, a weight used only by FP32
    ops (an InstanceNormalization's scale) stays float32 instead of taking a float16 round trip.
    """
    outputs = {info.name for info in graph.output}
    folded = {}
    kept = []
    for node in graph.node:
        _rename_in(node.input, folded)
        if node.op_type == "Identity" and node.output[0] not in outputs:
            folded[node.output[0]] = node.input[0]
        else:
            kept.append(node)
    del graph.node[:]
    graph.node.extend(kept)


class _Conversion:
    """One conversion of ``graph`` in place; ``typed`` is the same graph after shape inference."""

    def __init__(self, graph, typed, opsets, keep_fp32_ops, keep_io_fp32, label) -> None:
        self.graph = graph
        self.opsets = opsets
        self.keep_fp32_ops = keep_fp32_ops
        self.io_type = FLOAT if keep_io_fp32 else FLOAT16
        self.label = label
        self.float_tensors = self._float_tensors(typed)
        self.names = self._all_names()

    def run(self) -> None:
        needs = [self._input_needs(node) for node in self.graph.node]
        consumers = self._needs_by_tensor(needs)
        produced = self._produced_types(consumers)
        renamed = self._rename_mismatched_outputs(produced)
        self._retype_sources(produced)
        self._insert_casts(needs, produced, renamed)
        self._retype_graph_io()

    # --- what is float, who needs what -------------------------------------------------------------------

    def _float_tensors(self, typed: onnx.GraphProto) -> set[str]:
        types = {}
        for info in list(typed.input) + list(typed.output) + list(typed.value_info):
            types[info.name] = info.type.tensor_type.elem_type
        for initializer in typed.initializer:
            types[initializer.name] = initializer.data_type
        for node in self.graph.node:
            for name in node.output:
                if name and name not in types:
                    raise LensEngineError(
                        f"{self.label}: shape inference gives no type for {name!r} (output of "
                        f"{node.op_type}), so it cannot be converted to FP16"
                    )
        return {name for name, elem_type in types.items() if elem_type == FLOAT}

    def _all_names(self) -> set[str]:
        names = {info.name for info in list(self.graph.input) + list(self.graph.output)}
        names |= {initializer.name for initializer in self.graph.initializer}
        for node in self.graph.node:
            names |= set(node.input) | set(node.output) | {node.name}
        return names

    def _input_needs(self, node: onnx.NodeProto) -> list[int | None]:
        """Per input: the float type the node needs there, or None (not float, or either float will do)."""
        slots = [name in self.float_tensors for name in node.input]
        if node.op_type == "Cast" or not any(slots):
            return [None] * len(node.input)
        schema = self._schema(node)
        fp16 = self._node_runs_fp16(node)
        needs: list[int | None] = []
        for index, is_float in enumerate(slots):
            if not is_float:
                needs.append(None)
                continue
            if schema is None:
                needs.append(FLOAT)
                continue
            type_str = _formal(schema.inputs, index).type_str
            constraint = _constraint_use(schema, type_str)
            if constraint == "fixed" or (constraint == "alone" and not _allows_float16(schema, type_str)):
                needs.append(FLOAT)
            elif constraint == "alone":
                needs.append(None)
            else:
                needs.append(FLOAT16 if fp16 else FLOAT)
        return needs

    def _schema(self, node: onnx.NodeProto):
        domain = node.domain or "ai.onnx"
        try:
            return onnx.defs.get_schema(node.op_type, self.opsets.get(domain, 1), node.domain)
        except onnx.defs.SchemaError:
            return None

    def _runs_in_fp16(self, node: onnx.NodeProto, schema) -> bool:
        """Whether the schema allows float16 for every float input and output of ``node``."""
        constraints = {c.type_param_str for c in schema.type_constraints}
        tied_to_input = {formal.type_str for formal in schema.inputs}
        for index, name in enumerate(node.input):
            type_str = _formal(schema.inputs, index).type_str
            constrained = name in self.float_tensors and type_str in constraints
            if constrained and not _allows_float16(schema, type_str):
                return False
        for index, name in enumerate(node.output):
            if name not in self.float_tensors:
                continue
            type_str = _formal(schema.outputs, index).type_str
            # An output whose type an attribute decides (ConstantOfShape, RandomNormalLike) stays as it is.
            if type_str not in tied_to_input or not _allows_float16(schema, type_str):
                return False
        return True

    def _needs_by_tensor(self, needs: list[list[int | None]]) -> dict[str, list[int]]:
        consumers: dict[str, list[int]] = defaultdict(list)
        for node, node_needs in zip(self.graph.node, needs):
            for name, need in zip(node.input, node_needs):
                if need is not None:
                    consumers[name].append(need)
        for output in self.graph.output:
            if output.name in self.float_tensors:
                consumers[output.name].append(self.io_type)
        return consumers

    # --- what each float tensor will be -------------------------------------------------------------------

    def _produced_types(self, consumers: dict[str, list[int]]) -> dict[str, int]:
        """The float type each float tensor gets. Constants, initializers and Cast(to=FLOAT) results become
        float16 when every consumer wants float16; node outputs follow the node's precision."""
        produced = {}
        graph_inputs = {info.name for info in self.graph.input}
        for name in graph_inputs & self.float_tensors:
            produced[name] = self.io_type
        for initializer in self.graph.initializer:
            if initializer.name in self.float_tensors and initializer.name not in graph_inputs:
                produced[initializer.name] = _wanted(consumers[initializer.name])
        for node in self.graph.node:
            retypable = node.op_type in ("Constant", "Cast")
            node_type = FLOAT16 if self._node_runs_fp16(node) else FLOAT
            for name in node.output:
                if name in self.float_tensors:
                    produced[name] = _wanted(consumers[name]) if retypable else node_type
        return produced

    def _node_runs_fp16(self, node: onnx.NodeProto) -> bool:
        schema = self._schema(node)
        return (
            schema is not None
            and node.op_type not in self.keep_fp32_ops
            and any(name in self.float_tensors for name in node.input)
            and self._runs_in_fp16(node, schema)
        )

    def _rename_mismatched_outputs(self, produced: dict[str, int]) -> dict[str, str]:
        """Graph outputs made in the wrong float type get a new inner name; a final Cast makes the output."""
        renamed = {}
        for output in self.graph.output:
            name = output.name
            if name in self.float_tensors and produced[name] != self.io_type:
                inner = self._fresh_name(f"{name}_{_suffix(produced[name])}")
                renamed[name] = inner
                produced[inner] = produced[name]
        for node in self.graph.node:
            _rename_in(node.input, renamed)
            _rename_in(node.output, renamed)
        for initializer in self.graph.initializer:
            initializer.name = renamed.get(initializer.name, initializer.name)
        return renamed

    # --- rewriting ----------------------------------------------------------------------------------------

    def _retype_sources(self, produced: dict[str, int]) -> None:
        clipped = 0
        for index, initializer in enumerate(self.graph.initializer):
            if produced.get(initializer.name) == FLOAT16:
                tensor, count = _to_float16(initializer)
                self.graph.initializer[index].CopyFrom(tensor)
                clipped += count
        for node in self.graph.node:
            if node.op_type == "Constant" and produced.get(node.output[0]) == FLOAT16:
                clipped += _constant_to_float16(node)
            if node.op_type == "Cast" and produced.get(node.output[0]) == FLOAT16:
                for attribute in node.attribute:
                    if attribute.name == "to":
                        attribute.i = FLOAT16
        if clipped:
            log.warning("%s: %d weights beyond float16's range clipped", self.label, clipped)

    def _insert_casts(self, needs: list[list[int | None]], produced: dict[str, int], renamed: dict[str, str]):
        casts: dict[tuple[str, int], str] = {}
        nodes = []
        for node, node_needs in zip(self.graph.node, needs):
            for index, need in enumerate(node_needs):
                name = node.input[index]
                if need is None or produced[name] == need:
                    continue
                if (name, need) not in casts:
                    casts[(name, need)] = self._fresh_name(f"{name}_{_suffix(need)}")
                    nodes.append(self._cast(name, casts[(name, need)], need))
                node.input[index] = casts[(name, need)]
            nodes.append(node)
        for output, inner in renamed.items():
            nodes.append(self._cast(inner, output, self.io_type))
        del self.graph.node[:]
        self.graph.node.extend(nodes)

    def _cast(self, source: str, target: str, to: int) -> onnx.NodeProto:
        return helper.make_node("Cast", [source], [target], name=self._fresh_name(f"cast_{target}"), to=to)

    def _retype_graph_io(self) -> None:
        for info in list(self.graph.input) + list(self.graph.output):
            if info.name in self.float_tensors:
                info.type.tensor_type.elem_type = self.io_type

    def _fresh_name(self, wish: str) -> str:
        name, number = wish, 1
        while name in self.names:
            number += 1
            name = f"{wish}_{number}"
        self.names.add(name)
        return name


def _formal(formals, index: int):
    """The formal parameter that input/output ``index`` binds to (the last one when it is variadic)."""
    return formals[min(index, len(formals) - 1)]


def _constraint_use(schema, type_str: str) -> str:
    """How an input's type is set: "fixed" (a concrete type such as tensor(float)), "alone" (a constraint no
    other parameter shares, so either float type will do) or "shared" (must agree with others)."""
    if type_str not in {c.type_param_str for c in schema.type_constraints}:
        return "fixed"
    users = [f for f in list(schema.inputs) + list(schema.outputs) if f.type_str == type_str]
    variadic = any(f.option == onnx.defs.OpSchema.FormalParameterOption.Variadic for f in users)
    return "alone" if len(users) == 1 and not variadic else "shared"


def _allows_float16(schema, type_str: str) -> bool:
    """Whether the type constraint ``type_str`` of ``schema`` admits float16 tensors."""
    return any(c.type_param_str == type_str and _FLOAT16_TYPE in c.allowed_type_strs for c in schema.type_constraints)


def _wanted(needs: list[int]) -> int:
    """FLOAT16 when every consumer wants it (or there is none), else FLOAT."""
    return FLOAT16 if all(need == FLOAT16 for need in needs) else FLOAT


def _suffix(elem_type: int) -> str:
    return "fp16" if elem_type == FLOAT16 else "fp32"


def _rename_in(names, renamed: dict[str, str]) -> None:
    for index, name in enumerate(names):
        if name in renamed:
            names[index] = renamed[name]


def _to_float16(tensor: onnx.TensorProto) -> tuple[onnx.TensorProto, int]:
    """A float16 copy of a float32 tensor and how many of its values had to be clipped."""
    values = numpy_helper.to_array(tensor)
    clipped = int(np.count_nonzero(np.abs(values) > FLOAT16_MAX))
    halves = np.clip(values, -FLOAT16_MAX, FLOAT16_MAX).astype(np.float16)
    return numpy_helper.from_array(halves, tensor.name), clipped


def _constant_to_float16(node: onnx.NodeProto) -> int:
    """Make a Constant node's float value float16; return how many values were clipped."""
    for index, attribute in enumerate(node.attribute):
        if attribute.name == "value":
            tensor, clipped = _to_float16(attribute.t)
            attribute.t.CopyFrom(tensor)
            return clipped
        if attribute.name in ("value_float", "value_floats"):
            values = attribute.f if attribute.name == "value_float" else list(attribute.floats)
            tensor, clipped = _to_float16(numpy_helper.from_array(np.array(values, np.float32)))
            del node.attribute[index]
            node.attribute.append(helper.make_attribute("value", tensor))
            return clipped
    return 0
