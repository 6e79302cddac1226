"""Settings: defaults, then an optional TOML file, then ``RAG_*`` environment variables.

Only the edges (``RAG``, the CLI, ``ui.py``) read settings; stage modules take plain values.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from rag.types import BACKEND_NAMES

STORE_NAMES = ("faiss", "milvus")  # index engines: embedded FAISS + SQLite, or Milvus (Lite or a server)

PROJECT_DIR = Path(__file__).resolve().parent.parent
# In a source checkout the bundled corpus and its index live beside the package; an installed
# package (a wheel in site-packages) uses ./corpus and ./index of the working directory instead.
HOME_DIR = PROJECT_DIR if (PROJECT_DIR / "pyproject.toml").is_file() else Path.cwd()


def _env(*names: str) -> dict:
    return {"env": names}


@dataclass(frozen=True)
class Settings:
    # --- documents and index ---
    corpus: Path = field(default=HOME_DIR / "corpus", metadata=_env("RAG_CORPUS"))  # folder of documents
    index_dir: Path = field(default=HOME_DIR / "index", metadata=_env("RAG_INDEX_DIR"))  # where the index lives
    cache_dir: Path = field(
        default=Path.home() / ".cache" / "rag-chatbot", metadata=_env("RAG_CACHE_DIR")
    )  # built models and the embedding cache
    # --- chunking (changing these requires a rebuild: the index refuses other values) ---
    chunk_tokens: int = field(default=160, metadata=_env("RAG_CHUNK_TOKENS"))  # max tokens per chunk (cl100k)
    chunk_overlap: int = field(default=32, metadata=_env("RAG_CHUNK_OVERLAP"))  # tokens shared by neighbours
    # weight of the neighbouring chunks' vectors mixed into each chunk's (0 = off; news with many
    # near-duplicate passages gains, detail questions over long passages lose: see docs/measurements.md)
    chunk_context: float = field(default=0.0, metadata=_env("RAG_CHUNK_CONTEXT"))
    # --- index engine ---
    store: str = field(default="faiss", metadata=_env("RAG_STORE"))  # faiss (embedded) | milvus
    milvus_uri: str = field(default="", metadata=_env("RAG_MILVUS_URI"))  # file path = Milvus Lite; http://host:19530
    milvus_collection: str = field(default="", metadata=_env("RAG_MILVUS_COLLECTION"))  # "" = named after index_dir
    # --- embeddings ---
    embed_model: str = field(default="", metadata=_env("RAG_EMBED_MODEL"))  # "" = bundled multilingual-e5-small
    embed_base_url: str = field(default="", metadata=_env("RAG_EMBED_BASE_URL"))  # OpenAI-compatible /v1; "" = in-process
    embed_api_key: str = field(default="", repr=False, metadata=_env("RAG_EMBED_API_KEY"))  # never shown
    embed_query_prefix: str = field(default="query: ", metadata=_env("RAG_EMBED_QUERY_PREFIX"))  # endpoint only (E5)
    embed_passage_prefix: str = field(default="passage: ", metadata=_env("RAG_EMBED_PASSAGE_PREFIX"))  # endpoint only
    embed_batch_size: int = field(default=16, metadata=_env("RAG_EMBED_BATCH_SIZE"))  # passages per batch
    # --- retrieval ---
    top_k: int = field(default=5, metadata=_env("RAG_TOP_K"))  # passages handed to the answerer
    dense_weight: float = field(default=0.5, metadata=_env("RAG_DENSE_WEIGHT"))  # 0 = BM25 only, 1 = dense only
    min_score: float = field(default=0.0, metadata=_env("RAG_MIN_SCORE"))  # below this fused score: "nothing relevant"
    rerank_model: str = field(default="", metadata=_env("RAG_RERANK_MODEL"))  # cross-encoder path; "" = off
    # --- answering ---
    backend: str = field(default="", metadata=_env("RAG_BACKEND"))  # openai | local | extractive | "" = auto
    llm_base_url: str = field(default="", metadata=_env("RAG_LLM_BASE_URL", "OPENAI_BASE_URL"))
    llm_api_key: str = field(default="", repr=False, metadata=_env("RAG_LLM_API_KEY", "OPENAI_API_KEY"))  # never shown
    llm_model: str = field(default="gpt-4o-mini", metadata=_env("RAG_LLM_MODEL"))  # model name at the endpoint
    llm_timeout: float = field(default=60.0, metadata=_env("RAG_LLM_TIMEOUT"))  # seconds per request
    llm_retries: int = field(default=2, metadata=_env("RAG_LLM_RETRIES"))  # retries after a failed request
    llm_gguf: str = field(default="", metadata=_env("RAG_LLM_GGUF"))  # "" = bundled Qwen2.5-1.5B GGUF
    llm_threads: int = field(default=2, metadata=_env("RAG_LLM_THREADS"))  # CPU threads of the local model
    llm_context: int = field(default=4096, metadata=_env("RAG_LLM_CONTEXT"))  # local model context, tokens
    context_tokens: int = field(default=500, metadata=_env("RAG_CONTEXT_TOKENS"))  # passage budget in the prompt, cl100k tokens
    max_answer_tokens: int = field(default=320, metadata=_env("RAG_MAX_ANSWER_TOKENS"))
    temperature: float = field(default=0.0, metadata=_env("RAG_TEMPERATURE"))  # 0 = the same answer every time
    seed: int = field(default=0, metadata=_env("RAG_SEED"))  # sampling seed of the local model and endpoints
    # extractive backend: English questions are rendered in Chinese by the local model when it is
    # installed (False: never load it; English questions then match by meaning only)
    rewrite_with_local: bool = field(default=True, metadata=_env("RAG_REWRITE_WITH_LOCAL"))
    # the local model also condenses follow-ups no rule resolves (an endpoint always does). Off: the
    # bundled 1.5B model's rewrites answered no more turns on the development conversations than
    # joining the follow-up to the previous question, and each cost about 1.8 s
    condense_with_local: bool = field(default=False, metadata=_env("RAG_CONDENSE_WITH_LOCAL"))
    # --- limits and front ends ---
    max_question_chars: int = field(default=2000, metadata=_env("RAG_MAX_QUESTION_CHARS"))
    max_upload_mb: float = field(default=20.0, metadata=_env("RAG_MAX_UPLOAD_MB"))  # per uploaded file
    feedback_path: Path = field(
        default=HOME_DIR / "index" / "feedback.jsonl", metadata=_env("RAG_FEEDBACK_PATH")
    )
    ui_host: str = field(default="127.0.0.1", metadata=_env("RAG_UI_HOST"))  # where rag serve / rag ui listen
    ui_port: int = field(default=7860, metadata=_env("RAG_UI_PORT"))
    # --- serving a team (rag serve) ---
    max_queue: int = field(default=8, metadata=_env("RAG_MAX_QUEUE"))  # questions waiting per backend; more get 429
    answer_slots: int = field(default=4, metadata=_env("RAG_ANSWER_SLOTS"))  # answers at once (local: always 1)
    rate_limit_per_minute: int = field(default=60, metadata=_env("RAG_RATE_LIMIT_PER_MINUTE"))  # per key or user; 0 = off
    max_request_kb: int = field(default=256, metadata=_env("RAG_MAX_REQUEST_KB"))  # request body, uploads excepted


def _coerce(name: str, value: Any, kind: type | str) -> Any:
    kind_name = kind if isinstance(kind, str) else kind.__name__
    try:
        if kind_name == "int":
            return int(value)
        if kind_name == "float":
            return float(value)
        if kind_name == "bool":
            if isinstance(value, bool):
                return value
            if str(value).strip().lower() in ("1", "true", "yes", "on"):
                return True
            if str(value).strip().lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if kind_name == "Path":
            return Path(str(value)).expanduser()
        return str(value)
    except (TypeError, ValueError):
        raise ValueError(f"setting {name!r}: cannot read {value!r} as {kind_name}") from None


def load_settings(path: Path | None = None, **overrides: object) -> Settings:
    """Defaults, then TOML (``path`` or ``$RAG_CONFIG``), then env vars, then ``overrides``."""
    values: dict[str, object] = {}
    config_path = path or (Path(os.environ["RAG_CONFIG"]) if os.environ.get("RAG_CONFIG") else None)
    known = {f.name: f for f in fields(Settings)}
    if config_path is not None:
        with open(config_path, "rb") as fh:
            data = tomllib.load(fh)
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"{config_path}: unknown settings {unknown}; known: {sorted(known)}")
        values.update(data)
    for f in fields(Settings):
        for var in f.metadata.get("env", ()):
            if os.environ.get(var):
                values[f.name] = os.environ[var]
                break
    return settings_with(Settings(), **{**values, **{k: v for k, v in overrides.items() if v is not None}})


def settings_with(base: Settings, **changes: Any) -> Settings:
    """A validated copy of ``base`` with ``changes`` applied (``None`` values are ignored)."""
    known = {f.name: f for f in fields(Settings)}
    unknown = sorted(set(changes) - set(known))
    if unknown:
        raise ValueError(f"unknown settings {unknown}; known: {sorted(known)}")
    coerced = {k: _coerce(k, v, known[k].type) for k, v in changes.items() if v is not None}
    return validate(replace(base, **coerced))


def validate(s: Settings) -> Settings:
    """Reject values outside their range, naming the setting and the range."""
    if s.chunk_tokens < 16:
        raise ValueError(f"chunk_tokens must be >= 16, got {s.chunk_tokens}")
    if not 0 <= s.chunk_overlap < s.chunk_tokens:
        raise ValueError(f"chunk_overlap must be in [0, chunk_tokens={s.chunk_tokens}), got {s.chunk_overlap}")
    if not 0.0 <= s.chunk_context <= 1.0:
        raise ValueError(f"chunk_context must be in [0, 1], got {s.chunk_context}")
    if s.store not in STORE_NAMES:
        raise ValueError(f"store must be one of {', '.join(STORE_NAMES)}, got {s.store!r}")
    if s.embed_base_url and not s.embed_model:
        raise ValueError("embed_base_url needs embed_model: the model name the endpoint serves")
    if s.top_k < 1:
        raise ValueError(f"top_k must be >= 1, got {s.top_k}")
    if not 0.0 <= s.dense_weight <= 1.0:
        raise ValueError(f"dense_weight must be in [0, 1], got {s.dense_weight}")
    if s.backend not in ("", *BACKEND_NAMES):
        raise ValueError(f"backend must be one of {', '.join(BACKEND_NAMES)} (or empty for auto), got {s.backend!r}")
    if s.context_tokens < 64:
        raise ValueError(f"context_tokens must be >= 64, got {s.context_tokens}")
    if s.max_upload_mb <= 0:
        raise ValueError(f"max_upload_mb must be > 0, got {s.max_upload_mb}")
    if s.max_queue < 0:
        raise ValueError(f"max_queue must be >= 0, got {s.max_queue}")
    if s.answer_slots < 1:
        raise ValueError(f"answer_slots must be >= 1, got {s.answer_slots}")
    if s.rate_limit_per_minute < 0:
        raise ValueError(f"rate_limit_per_minute must be >= 0 (0 = no limit), got {s.rate_limit_per_minute}")
    if s.max_request_kb < 1:
        raise ValueError(f"max_request_kb must be >= 1, got {s.max_request_kb}")
    return s
