"""The one public entry point. Every front end (UI, CLI, evaluation, Python callers) uses ``RAG``.

Example::

    from rag import RAG
    bot = RAG()                                   # bundled corpus, index in index/
    bot.index()                                   # IndexReport: added / updated / removed / ...
    for p in bot.retrieve("光明区推动了多少家科技支行落地?", k=5):
        print(p.score, p.doc_id, p.text[:40])
    answer = bot.ask("光明区连续几年获评“全国工业百强区”?")
    print(answer.text, answer.citations)
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from rag.config import Settings, load_settings, settings_with
from rag.errors import BackendError, IndexMissingError, LoadError, QueryError
from rag.files import atomic_write
from rag.generation.backends import STATE_CACHE_BYTES, Generator, LocalBackend
from rag.generation.cite import Similarity
from rag.generation.evidence import finish_sentences, with_credits
from rag.generation.pipeline import AnswerPipeline
from rag.ingest.indexer import Progress, sync, update_folder
from rag.models.embedder import Embedder
from rag.models.remote_embedder import RemoteEmbedder
from rag.retrieval.rerank import Reranker
from rag.retrieval.retriever import Retriever
from rag.store import IndexParams, Store
from rag.text import fold_script
from rag.types import Answer, BackendName, ChatMessage, DocRecord, Document, IndexReport, Passage, RetrievalMode, backend_name

logger = logging.getLogger(__name__)

def available_backends(settings: Settings) -> list[BackendName]:
    """Backends that can run with these settings, best first."""
    from rag.models.gguf import local_model_installed

    names: list[BackendName] = ["openai"] if settings.llm_base_url else []
    if settings.llm_gguf or local_model_installed(settings.cache_dir):
        names.append("local")
    return [*names, "extractive"]


def choose_backend(settings: Settings, requested: str | None = None) -> BackendName:
    """The backend asked for, else the best available one (openai, then local, then extractive)."""
    return backend_name(requested) if requested else available_backends(settings)[0]


def make_generator(name: BackendName, settings: Settings, *, similarity: Similarity) -> Generator:
    """The generator named ``name``, configured from ``settings``; the one place backends are built."""
    if name == "extractive":
        from rag.generation.extractive import ExtractiveGenerator

        return ExtractiveGenerator(similarity=similarity)
    from rag.generation.backends import OpenAIBackend

    if name == "openai":
        if not settings.llm_base_url:
            raise BackendError("backend 'openai' needs an endpoint: set RAG_LLM_BASE_URL (or OPENAI_BASE_URL)")
        return OpenAIBackend(base_url=settings.llm_base_url, api_key=settings.llm_api_key or "not-needed",
                             model=settings.llm_model, timeout=settings.llm_timeout, retries=settings.llm_retries,
                             seed=settings.seed)
    from rag.models.gguf import ensure_local_gguf

    gguf = Path(settings.llm_gguf) if settings.llm_gguf else ensure_local_gguf(settings.cache_dir)
    # a state cache keeps both system prompts read: a question in the other language restores its
    # own instead of re-reading it (an English answer after a Chinese one: first text 4.3 -> 2.9 s)
    return LocalBackend(gguf_path=gguf, threads=settings.llm_threads, n_ctx=settings.llm_context, seed=settings.seed,
                        state_cache_bytes=STATE_CACHE_BYTES)


def make_store(settings: Settings) -> Store:
    """The index engine named by the ``store`` setting; the one place stores are built."""
    if settings.store == "milvus":
        from rag.store.milvus_store import MilvusStore

        return MilvusStore(settings.milvus_uri or str(settings.index_dir / "milvus.db"),
                           collection=settings.milvus_collection or None, index_dir=settings.index_dir)
    from rag.store.faiss_store import FaissStore

    return FaissStore(settings.index_dir)


def make_embedder(settings: Settings) -> Embedder | RemoteEmbedder:
    """The in-process sentence-transformers model, or an OpenAI-compatible endpoint when
    ``embed_base_url`` is set (``embed_model`` then names the model the endpoint serves)."""
    if settings.embed_base_url:
        from rag.models.remote_embedder import RemoteEmbedder

        return RemoteEmbedder(settings.embed_base_url, settings.embed_model, cache_dir=settings.cache_dir,
                              api_key=settings.embed_api_key, batch_size=settings.embed_batch_size,
                              query_prefix=settings.embed_query_prefix, passage_prefix=settings.embed_passage_prefix)
    return Embedder(settings.embed_model, cache_dir=settings.cache_dir, batch_size=settings.embed_batch_size)


UPLOADS = "uploads"  # sub-folder of the index folder that holds documents added through the API
EXCLUDED = "excluded.json"  # ids of corpus documents a user removed from the index


class RAG:
    """Index a folder of documents, retrieve passages, and answer questions with citations."""

    def __init__(
        self,
        corpus: str | Path | None = None,
        index_dir: str | Path | None = None,
        *,
        backend: str | None = None,
        settings: Settings | None = None,
        embedder: Embedder | RemoteEmbedder | None = None,
        llm: Generator | None = None,
        **overrides: object,
    ) -> None:
        """``corpus``/``index_dir``/``backend`` and ``overrides`` replace single settings;
        ``embedder`` replaces the embedding model (anything with ``model_id``, ``dim``,
        ``embed_passages`` and ``embed_query``); ``llm`` is the generator used when a call names
        no backend (any ``rag.generation.backends.Generator``)."""
        self.settings = settings_with(settings or load_settings(), corpus=corpus, index_dir=index_dir,
                                      backend=backend, **overrides)
        self.store: Store = make_store(self.settings)
        self.embedder = embedder or make_embedder(self.settings)
        self._lock = threading.RLock()
        # Questions repeat (same-script and converted forms fold to one text): embed each once.
        self._query_vector = functools.lru_cache(maxsize=1024)(self.embedder.embed_query)
        self._retriever: Retriever | None = None
        self._reranker: Reranker | None = None  # optional cross-encoder, loaded when rerank_model is set
        self._pipelines: dict[str, AnswerPipeline] = {}
        self._generators: dict[str, Generator] = {}
        self._default_llm = llm
        self._warming = 0  # warm_up calls running: a question asked meanwhile waits for the models
        self._warming_lock = threading.Lock()

    # ----- indexing -----
    @property
    def params(self) -> IndexParams:
        return IndexParams(
            embed_model=self.embedder.model_id, dim=self.embedder.dim,
            chunk_tokens=self.settings.chunk_tokens, chunk_overlap=self.settings.chunk_overlap,
            chunk_context=self.settings.chunk_context,
        )

    @property
    def uploads_dir(self) -> Path:
        return self.settings.index_dir / UPLOADS

    def index(self, *, rebuild: bool = False, progress: Progress | None = None) -> IndexReport:
        """Bring the index in line with the corpus folder (and uploads); embeds only changes."""
        corpus = Path(self.settings.corpus)
        if not corpus.is_dir():
            raise LoadError(f"corpus folder not found: {corpus}")
        with self._lock:
            report = sync(
                [corpus, self.uploads_dir], store=self.store, params=self.params, embedder=self.embedder,
                rebuild=rebuild, exclude=frozenset(self._excluded()), progress=progress,
            )
            self._use()
        return report

    def add_file(self, path: str | Path, *, name: str | None = None,
                 progress: Progress | None = None) -> IndexReport:
        """Copy a document into the uploads folder and index it; a bad file changes nothing.

        Costs what the document costs: only the uploads folder is listed and only this file (and
        an upload whose id it takes, if any) is read; the corpus folder is not scanned.
        """
        from rag.ingest.load import validate_upload

        source = Path(path)
        name = name or source.name
        limit_mb = self.settings.max_upload_mb
        size_mb = source.stat().st_size / 2**20 if source.is_file() else 0.0
        if size_mb > limit_mb:
            raise LoadError(f"{name}: {size_mb:.1f} MB is over the upload limit of {limit_mb:g} MB "
                            "(setting max_upload_mb, env RAG_MAX_UPLOAD_MB)")
        target = self.uploads_dir / validate_upload(source, name=name, max_bytes=int(limit_mb * 2**20))
        data = source.read_bytes()
        self._get_retriever()  # a missing index is built first, from the corpus folder (as a question would)
        with self._lock:
            with self.store.writing(self.params):
                previous = target.read_bytes() if target.is_file() else None
                self.uploads_dir.mkdir(parents=True, exist_ok=True)
                atomic_write(target, data)
                try:
                    report = self._update_uploads(changed=[target], progress=progress)
                except BaseException:
                    self._restore(target, previous)
                    raise
                if any(Path(e.path) == target for e in report.errors):
                    self._restore(target, previous)  # nothing was written to the index
            self._use()
        return report

    def remove_document(self, doc_id: str) -> IndexReport:
        """Drop a document from the index: delete it if uploaded, else exclude it from the corpus."""
        self._get_retriever()
        with self._lock:
            with self.store.writing(self.params):
                record = self.store.records([doc_id]).get(doc_id)
                if record is None:
                    raise LoadError(f"no indexed document with id {doc_id!r}")
                path = Path(record.path)
                if path.parent == self.uploads_dir:
                    path.unlink(missing_ok=True)
                    report = self._update_uploads(gone=[doc_id])
                else:
                    started = time.monotonic()
                    self._write_excluded(self._excluded() | {doc_id})
                    self.store.write(remove=[doc_id])
                    report = IndexReport(added=[], updated=[], removed=[doc_id], unchanged=[], errors=[],
                                         seconds=round(time.monotonic() - started, 3))
            self._use()
        return report

    def _update_uploads(self, *, changed: Sequence[Path] = (), gone: Sequence[str] = (),
                        progress: Progress | None = None) -> IndexReport:
        """Index a change to the uploads folder alone (inside ``store.writing``): see ``update_folder``."""
        return update_folder(self.uploads_dir, store=self.store, params=self.params, embedder=self.embedder,
                             changed=changed, gone=gone, reserved=self._excluded(), progress=progress)

    @staticmethod
    def _restore(target: Path, previous: bytes | None) -> None:
        """Put back the upload ``target`` replaced, or delete it when it was new."""
        if previous is None:
            target.unlink(missing_ok=True)
        else:
            atomic_write(target, previous)

    def documents(self, ids: Sequence[str] | None = None) -> list[DocRecord]:
        """The indexed documents, in id order; with ``ids``, only those of them that are indexed
        (a lookup that does not read every record)."""
        self._get_retriever()
        records = self.store.records() if ids is None else self.store.records(list(ids))
        return [records[k] for k in sorted(records)]

    def document(self, doc_id: str) -> Document:
        """One indexed document with its full original text."""
        self._get_retriever()
        doc = self.store.document(doc_id)
        if doc is None:
            raise LoadError(f"no indexed document with id {doc_id!r}")
        return doc

    # ----- retrieval and answers -----
    def retrieve(self, question: str, *, k: int | None = None, mode: RetrievalMode = "hybrid") -> list[Passage]:
        """The ``k`` best passages (original script), best first; ``Passage.score`` is 0..1."""
        question = self._check_question(question)
        return self._search(question, k=k or self.settings.top_k, mode=mode)

    def ask(self, question: str, *, history: Sequence[ChatMessage] = (), backend: BackendName | None = None,
            k: int | None = None) -> Answer:
        """Answer from the documents, with citations; refuses when they do not say."""
        result = None
        for event in self.stream(question, history=history, backend=backend, k=k):
            if isinstance(event, Answer):
                result = event
        assert result is not None  # stream always ends with an Answer
        return result

    def stream(self, question: str, *, history: Sequence[ChatMessage] = (), backend: BackendName | None = None,
               k: int | None = None) -> Iterator[str | Answer]:
        """Yield text deltas as they are generated, then one final ``Answer``.

        ``history`` is OpenAI-style ``{"role": "user"|"assistant", "content": ...}`` messages;
        ``k`` overrides ``top_k`` (passages retrieved) for this call.
        """
        question = self._check_question(question)
        if k is not None and k < 1:
            raise QueryError(f"k must be >= 1, got {k}")
        pipeline = self._pipeline(backend)
        return pipeline.stream(question, history=list(history), search=self._search_whole_sentences,
                               k=k or self.settings.top_k)

    def warm_up(self, *, backend: BackendName | None = None) -> None:
        """Open the index and load every model ``backend``'s answers need now, reading the fixed
        start of each prompt, so that the first question (and the first English question or
        follow-up) does not wait for them. Servers call it in the background at start."""
        with self._warming_lock:
            self._warming += 1
        try:
            self._get_retriever()
            self._embed_question("warm up")
            self._pipeline(backend).warm_up()
        finally:
            with self._warming_lock:
                self._warming -= 1

    @property
    def warming_up(self) -> bool:
        """Whether ``warm_up`` is loading the models now (a question asked meanwhile waits for it)."""
        return self._warming > 0

    @property
    def backend_name(self) -> str:
        """The backend used when a call names none."""
        return self._pipeline(None).generator.name

    def available_backends(self) -> list[str]:
        """Backends that can run here: openai if an endpoint is set, local if its model is installed."""
        return list(dict.fromkeys([self.backend_name, *available_backends(self.settings)]))

    # ----- internals -----
    def _search(self, question: str, *, k: int, mode: RetrievalMode = "hybrid") -> list[Passage]:
        return self._get_retriever().search(question, k=k, mode=mode)

    def _romanised(self, question: str) -> list[tuple[str, str, float]]:
        return self._get_retriever().romanised(question)

    def _documents_word(self, english: str) -> str | None:
        return self._get_retriever().documents_word(english)

    def _search_whole_sentences(self, question: str, *, k: int, mode: RetrievalMode = "hybrid") -> list[Passage]:
        """Passages to answer from: each runs on to the end of the sentence it was cut in, and knows
        the year of the heading above it; with its documents' credit lines for a question about them."""
        passages = finish_sentences(self._search(question, k=k, mode=mode), self._document_text)
        return with_credits(question, passages, self._document_text)

    def _document_text(self, doc_id: str) -> str | None:
        doc = self.store.document(doc_id)
        return doc.text if doc else None

    def _check_question(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise QueryError("the question is empty; type a question about the documents")
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise QueryError(f"the question is {len(question):,} characters long; the limit is {limit:,}")
        return question.strip()

    def _get_retriever(self) -> Retriever:
        with self._lock:
            if self._retriever is None:
                try:
                    self.store.open(self.params)
                except IndexMissingError:
                    logger.info("no index in %s yet: building it", self.settings.index_dir)
                    self.index()
                else:
                    self._use()
            assert self._retriever is not None  # index() and _use() both set it
            return self._retriever

    def _embed_question(self, question: str):
        """The question's vector, from its simplified-script form; repeated questions hit a cache."""
        return self._query_vector(fold_script(question))

    def _use(self) -> None:
        if self.settings.rerank_model and self._reranker is None:
            self._reranker = Reranker(self.settings.rerank_model)
        self._retriever = Retriever(
            self.store, embed_query=self._embed_question,
            dense_weight=self.settings.dense_weight,
            rerank=self._reranker.score if self._reranker else None,
        )

    def _pipeline(self, backend: str | None) -> AnswerPipeline:
        """One pipeline per backend name, kept for the life of this object (models load once)."""
        with self._lock:
            if backend is None and self._default_llm is not None:
                key, generator = "", self._default_llm
            else:
                key = choose_backend(self.settings, backend or self.settings.backend)
                generator = self._generator(key)
            if key not in self._pipelines:
                s = self.settings
                rewriter = self._rewriter(generator)
                self._pipelines[key] = AnswerPipeline(
                    generator, similarity=self._similarity, context_tokens=s.context_tokens,
                    max_answer_tokens=s.max_answer_tokens, temperature=s.temperature, min_score=s.min_score,
                    rewriter=rewriter, condense=s.condense_with_local or not isinstance(rewriter, LocalBackend),
                    english_answers=generator.name != "extractive",  # the extractive answer is the documents' words
                    romanised=self._romanised, documents_word=self._documents_word)
            return self._pipelines[key]

    def _generator(self, name: BackendName) -> Generator:
        """One generator per backend name, shared by the pipelines that use it."""
        if name not in self._generators:
            self._generators[name] = make_generator(name, self.settings, similarity=self._similarity)
        return self._generators[name]

    def _rewriter(self, generator: Generator) -> Generator:
        """What rewrites questions for ``generator``'s pipeline: an endpoint does it itself; the
        local model does it in a second context (``LocalBackend.second_context``), so that the
        answer prompt's cached prefix survives a rewrite; the extractive generator borrows that
        context when the local model is installed (English questions need a Chinese rendering to
        match Chinese documents word for word)."""
        if generator.name == "extractive" and self.settings.rewrite_with_local \
                and "local" in available_backends(self.settings):
            generator = self._generator("local")
        if not isinstance(generator, LocalBackend):
            return generator
        if "local-rewriter" not in self._generators:
            self._generators["local-rewriter"] = generator.second_context()
        return self._generators["local-rewriter"]

    def _similarity(self, question: str, sentences: Sequence[str]) -> list[float]:
        """Cosine of each sentence to the question (script-folded), for citation checks."""
        if not sentences:
            return []
        query = self._embed_question(question)
        vectors = self.embedder.embed_passages([fold_script(s) for s in sentences])
        return (vectors @ query).astype("float64").tolist()

    def _excluded(self) -> set[str]:
        path = self.settings.index_dir / EXCLUDED
        return set(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else set()

    def _write_excluded(self, ids: set[str]) -> None:
        self.settings.index_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(self.settings.index_dir / EXCLUDED, json.dumps(sorted(ids), ensure_ascii=False))

