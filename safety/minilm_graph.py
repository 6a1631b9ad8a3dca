"""Keep the int8 MiniLM's word-embedding table int8 in memory: look rows up first, then dequantize them.

Why: the int8 export stores each weight as ``Mul(Cast(int8 table), scale)``. onnxruntime's constant folding
turns every such product into a float32 copy when it builds the session, which is what makes a 23 MB model
take ~110 MB resident; 47 MB of that is the word-embedding table (30,522 x 384), of which a message reads a
few hundred rows. Here the graph is changed from

    Gather(Mul(Cast(table_q), scale), input_ids)
to  Mul(Cast(Gather(table_q, input_ids)), Gather(scale, input_ids))

the same elementwise operations, in the same order, on the rows looked up only: every vector is identical,
bit for bit (``tests/safety/test_embedding_memory.py``), and the session is ~34 MB smaller in every process
that embeds (the web app's gateway and the Rasa featurizer). The other weights stay folded: keeping them int8
would recompute them on every message (~5x the CPU; README, "Where the web app's memory goes").

The model is a protobuf (ONNX ``ModelProto``); the ``onnx`` package is not installed, so the few fields
needed are read and written here in protobuf's wire format (ModelProto.graph = 7; GraphProto.node = 1;
NodeProto input = 1, output = 2, op_type = 4, attribute = 5; AttributeProto name = 1, i = 3, type = 20).
Anything unexpected leaves the model as it is.
"""
from __future__ import annotations

from typing import Iterator, NamedTuple, Optional

_LEN = 2  # protobuf wire type of strings, bytes and embedded messages
_FLOAT = 1  # onnx TensorProto.FLOAT
_ATTRIBUTE_INT = 2  # onnx AttributeProto.INT


class _Field(NamedTuple):
    number: int
    wire: int
    raw: bytes  # the whole field as it was: key and value
    value: bytes  # the payload of a length-delimited field


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def _fields(data: bytes) -> Iterator[_Field]:
    at = 0
    while at < len(data):
        start = at
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        value = b""
        if wire == 0:
            _, at = _varint(data, at)
        elif wire == 1:
            at += 8
        elif wire == _LEN:
            length, at = _varint(data, at)
            value = data[at:at + length]
            at += length
        elif wire == 5:
            at += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        if at > len(data):
            raise ValueError("truncated protobuf")
        yield _Field(number, wire, data[start:at], value)


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _len_field(number: int, payload: bytes) -> bytes:
    return _encode_varint(number << 3 | _LEN) + _encode_varint(len(payload)) + payload


class _Node(NamedTuple):
    raw: bytes
    op_type: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]


def _node(raw_field: _Field) -> _Node:
    inputs, outputs, op_type = [], [], ""
    for f in _fields(raw_field.value):
        if f.number == 1 and f.wire == _LEN:
            inputs.append(f.value.decode())
        elif f.number == 2 and f.wire == _LEN:
            outputs.append(f.value.decode())
        elif f.number == 4 and f.wire == _LEN:
            op_type = f.value.decode()
    return _Node(raw_field.raw, op_type, tuple(inputs), tuple(outputs))


def _make_node(op_type: str, inputs: list[str], outputs: list[str], cast_to: Optional[int] = None) -> bytes:
    body = b"".join(_len_field(1, name.encode()) for name in inputs)
    body += b"".join(_len_field(2, name.encode()) for name in outputs)
    body += _len_field(4, op_type.encode())
    if cast_to is not None:  # attribute "to" (INT)
        attribute = _len_field(1, b"to") + _encode_varint(3 << 3) + _encode_varint(cast_to)
        attribute += _encode_varint(20 << 3) + _encode_varint(_ATTRIBUTE_INT)
        body += _len_field(5, attribute)
    return _len_field(1, body)


def embedding_rows_int8(model: bytes) -> bytes:
    """The model with its word-embedding lookup rewritten as in the module docstring, or ``model`` itself
    when the graph does not have that shape (another export)."""
    try:
        top = list(_fields(model))
        graphs = [f for f in top if f.number == 7 and f.wire == _LEN]
        if len(graphs) != 1:
            return model
        graph_fields = list(_fields(graphs[0].value))
        nodes = [_node(f) for f in graph_fields if f.number == 1 and f.wire == _LEN]
    except (ValueError, IndexError, UnicodeDecodeError):
        return model
    producer = {out: node for node in nodes for out in node.outputs}
    readers: dict[str, list[_Node]] = {}
    for node in nodes:
        for name in node.inputs:
            readers.setdefault(name, []).append(node)
    for gather in nodes:
        if gather.op_type != "Gather" or len(gather.inputs) != 2 or len(gather.outputs) != 1:
            continue
        table, ids = gather.inputs
        mul = producer.get(table)
        if mul is None or mul.op_type != "Mul" or len(mul.inputs) != 2 or len(readers.get(table, [])) != 1:
            continue
        casts = [producer.get(name) for name in mul.inputs]
        which = [i for i, node in enumerate(casts) if node is not None and node.op_type == "Cast"]
        if len(which) != 1:
            continue
        cast = casts[which[0]]
        assert cast is not None
        if len(cast.inputs) != 1 or cast.inputs[0] in producer or len(readers.get(cast.outputs[0], [])) != 1:
            continue  # the table must be a stored (initializer) tensor read only here
        if _int_attribute(gather, "axis") not in (None, 0) or mul.inputs[1 - which[0]] in producer:
            continue  # a Gather on another axis, or a scale computed in the graph: leave it alone
        if _int_attribute(cast, "to") != _FLOAT:
            continue
        scale = mul.inputs[1 - which[0]]
        rows_q, rows_f, rows_scale = (f"{table}__rows_int8", f"{table}__rows_float", f"{table}__rows_scale")
        operands = [rows_f, rows_scale] if which[0] == 0 else [rows_scale, rows_f]
        new_nodes = (_make_node("Gather", [cast.inputs[0], ids], [rows_q])
                     + _make_node("Gather", [scale, ids], [rows_scale])
                     + _make_node("Cast", [rows_q], [rows_f], cast_to=_FLOAT)
                     + _make_node("Mul", operands, list(gather.outputs)))
        removed = {gather.raw, mul.raw, cast.raw}
        body = new_nodes + b"".join(f.raw for f in graph_fields
                                    if not (f.number == 1 and f.wire == _LEN and f.raw in removed))
        return b"".join(_len_field(7, body) if f is graphs[0] else f.raw for f in top)
    return model


def _int_attribute(node: _Node, name: str) -> Optional[int]:
    """The value of the node's integer attribute ``name``, or None when it has none."""
    for f in _fields(next(_fields(node.raw)).value):
        if f.number == 5 and f.wire == _LEN:
            attribute = {a.number: a for a in _fields(f.value)}
            if 1 in attribute and attribute[1].value == name.encode() and 3 in attribute:
                return _varint(attribute[3].raw, 1)[0]
    return None
