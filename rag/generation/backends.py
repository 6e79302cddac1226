"""Answer generators behind one protocol, ``Generator``.

- ``OpenAIBackend``: any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp's server…).
- ``LocalBackend``: a GGUF file run in-process by llama-cpp-python.
- ``rag.generation.extractive.ExtractiveGenerator``: no model; answers with passage sentences.

Each takes OpenAI-style messages and either returns the whole answer (``complete``) or yields
text deltas (``stream``). ``evidence`` gives the question and the numbered passages that the
messages quote, for a generator that does not read prompts (the extractive one); models ignore
it. ``latin_only`` asks for text without CJK characters (English from Chinese sources): a model
run in this process cannot sample their tokens; an endpoint is only asked by the prompt. Failures
a user must act on raise ``rag.errors.BackendError``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import random
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from rag.errors import BackendError
from rag.types import ROLES, ChatMessage, Passage

logger = logging.getLogger(__name__)

_RETRY_DELAY = 0.5  # seconds before the first retry; doubles each time
_MAX_RETRY_DELAY = 8.0  # seconds; also caps a server's Retry-After
_CONNECT_TIMEOUT = 5.0  # seconds to open a connection (capped by the request timeout)
# llama.cpp's state cache of a local context: the states after its last prompts (about 30 kB a
# token), the one sharing the longest prefix with a new prompt restored instead of re-read
STATE_CACHE_BYTES = 128 << 20


@dataclass(frozen=True, slots=True)
class Evidence:
    """The question a prompt asks and the passages it numbers [1]..[n], as data."""

    question: str
    passages: Sequence[Passage]
    chosen: str | None = None  # the answer the chosen evidence sentences make ("" = none), if selected already


class Generator(Protocol):
    """Writes an answer for chat messages; an empty string means it has nothing to say."""

    name: str  # backend name, one of rag.types.BACKEND_NAMES
    model_id: str  # model name at the endpoint, the GGUF file name, or "" (no model)

    def complete(self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float,
                 evidence: Evidence | None = None, latin_only: bool = False) -> str: ...

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float,
               evidence: Evidence | None = None, latin_only: bool = False) -> Iterator[str]: ...


def check_request(messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float) -> None:
    """Reject malformed messages or generation settings, naming the bad value."""
    if not messages:
        raise ValueError("messages must not be empty")
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict) or msg.get("role") not in ROLES:
            raise ValueError(f"messages[{i}] must be a dict with role in {ROLES}, got {msg!r:.80}")
        if not isinstance(msg.get("content"), str):
            raise ValueError(f"messages[{i}]['content'] must be str, got {type(msg.get('content')).__name__}")
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be >= 1, got {max_tokens}")
    if not 0.0 <= temperature <= 2.0:
        raise ValueError(f"temperature must be in [0, 2], got {temperature}")


# --------------------------------------------------------------------------- OpenAI-compatible


class OpenAIBackend:
    """An OpenAI-compatible chat endpoint, with bounded timeouts and bounded retries.

    Retries (with exponential backoff) cover connection errors, timeouts, HTTP 408/409/429 and
    5xx; they happen only before the first text arrives. Worst case a call fails after about
    ``(retries + 1) * timeout`` plus at most ``retries * 8`` seconds of backoff.
    """

    name = "openai"

    def __init__(self, *, base_url: str, api_key: str, model: str, timeout: float = 60.0, retries: int = 2,
                 seed: int | None = 0) -> None:
        if not base_url:
            raise ValueError("base_url must be set, e.g. http://127.0.0.1:8000/v1")
        if timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
        if not 0 <= retries <= 10:
            raise ValueError(f"retries must be in [0, 10], got {retries}")
        try:
            import openai
        except ImportError as exc:
            raise ImportError("the openai backend needs the openai client: pip install openai") from exc
        self._openai = openai
        self.base_url = base_url
        self.model_id = model
        self.retries = retries
        self.seed = seed  # sent with each request; servers that support it sample reproducibly
        self._client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",  # local servers ignore it; the client insists on one
            timeout=openai.Timeout(timeout, connect=min(_CONNECT_TIMEOUT, timeout)),
            max_retries=0,  # we retry ourselves, so that Retry-After cannot stretch a call
        )

    def complete(self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float,
                 evidence: Evidence | None = None, latin_only: bool = False) -> str:
        check_request(messages, max_tokens=max_tokens, temperature=temperature)
        response = self._call(messages, max_tokens=max_tokens, temperature=temperature, stream=False)
        if not response.choices:
            raise BackendError(f"LLM endpoint {self.base_url} returned no choices for model {self.model_id!r}")
        return response.choices[0].message.content or ""

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float,
               evidence: Evidence | None = None, latin_only: bool = False) -> Iterator[str]:
        check_request(messages, max_tokens=max_tokens, temperature=temperature)
        return self._deltas(messages, max_tokens=max_tokens, temperature=temperature)

    def _deltas(self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float) -> Iterator[str]:
        chunks = self._call(messages, max_tokens=max_tokens, temperature=temperature, stream=True)
        received = 0
        try:
            for chunk in chunks:
                delta = chunk.choices[0].delta.content if chunk.choices else None
                if delta:
                    received += len(delta)
                    yield delta
        except self._openai.OpenAIError as exc:
            raise self._error(exc, during=f"streaming (after {received} characters)") from exc
        finally:
            chunks.close()

    def _call(self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float, stream: bool) -> Any:
        """One chat request, retried on transient failures; errors become BackendError."""
        for attempt in range(self.retries + 1):
            try:
                return self._client.chat.completions.create(
                    model=self.model_id,
                    messages=cast(Any, list(messages)),  # ChatMessage is the client's system/user/assistant shape
                    max_tokens=max_tokens,
                    temperature=temperature,
                    stream=stream,
                    seed=self.seed,
                )
            except self._openai.OpenAIError as exc:
                if attempt == self.retries or not self._retryable(exc):
                    raise self._error(exc, during="the request", attempts=attempt + 1) from exc
                delay = self._delay(attempt, exc)
                logger.warning("LLM endpoint %s: %s; retry %d/%d in %.1f s",
                               self.base_url, type(exc).__name__, attempt + 1, self.retries, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _retryable(self, exc: Exception) -> bool:
        if isinstance(exc, self._openai.APIConnectionError):  # includes timeouts
            return True
        status = getattr(exc, "status_code", None)
        return isinstance(status, int) and (status in (408, 409, 429) or status >= 500)

    @staticmethod
    def _delay(attempt: int, exc: Exception) -> float:
        response = getattr(exc, "response", None)
        retry_after = response.headers.get("retry-after") if response is not None else None
        try:
            wanted = float(retry_after) if retry_after else _RETRY_DELAY * 2**attempt
        except ValueError:
            wanted = _RETRY_DELAY * 2**attempt
        return min(max(wanted, 0.0), _MAX_RETRY_DELAY) * (1 - 0.25 * random.random())

    def _error(self, exc: Exception, *, during: str, attempts: int = 1) -> BackendError:
        reason = _describe(self._openai, exc)
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        return BackendError(
            f"LLM endpoint {self.base_url} (model {self.model_id!r}) failed during {during}{tries}: {reason}"
        )


def _describe(openai: Any, exc: Exception) -> str:
    """A short reason a person can act on, for an openai client exception."""
    hints: list[tuple[type, str]] = [
        (openai.APITimeoutError, "timed out; is the server overloaded, or the timeout too short?"),
        (openai.APIConnectionError, "cannot connect; is the server running and the URL right?"),
        (openai.AuthenticationError, "the API key was rejected (HTTP 401); check RAG_LLM_API_KEY"),
        (openai.PermissionDeniedError, "access denied (HTTP 403); check the key's permissions"),
        (openai.NotFoundError, "not found (HTTP 404); check the model name and that the URL ends in /v1"),
        (openai.RateLimitError, "rate limited or out of quota (HTTP 429)"),
        (openai.BadRequestError, "the server refused the request (HTTP 400)"),
    ]
    hint = next((text for kind, text in hints if isinstance(exc, kind)), None)
    if hint is None:
        status = getattr(exc, "status_code", None)
        hint = f"HTTP {status}" if status else type(exc).__name__
    cause = exc.__cause__ or exc.__context__
    detail = str(getattr(exc, "message", "") or exc) or type(exc).__name__
    if cause is not None and str(cause):
        detail = f"{detail} ({type(cause).__name__}: {cause})"
    return f"{hint} [{detail[:300]}]"


# --------------------------------------------------------------------------- local llama.cpp


class LocalBackend:
    """A GGUF chat model run in this process by llama-cpp-python.

    The model loads on first use (or on ``warm_up``), once per instance. One generation runs at a
    time (a lock), which also keeps llama.cpp's KV cache coherent: each call reuses the cached
    state of the longest token prefix it shares with the previous call, so prompts that start
    with a fixed system message skip re-reading it.
    """

    name = "local"

    def __init__(self, *, gguf_path: Path, threads: int = 2, n_ctx: int = 4096, seed: int = 0,
                 state_cache_bytes: int = 0) -> None:
        if threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        if n_ctx < 256:
            raise ValueError(f"n_ctx must be >= 256 tokens, got {n_ctx}")
        self.gguf_path = Path(gguf_path)
        self.model_id = self.gguf_path.stem
        self.threads = threads
        self.n_ctx = n_ctx
        self.seed = seed
        self.state_cache_bytes = state_cache_bytes
        self.load_seconds: float | None = None  # set once the model is loaded
        # prompt tokens llama.cpp had to read in the last call; the rest came from the KV cache
        self.last_prompt_tokens_read: int | None = None
        self._llama: Any = None
        self._non_latin: Any = None  # per vocabulary token: whether it holds CJK text (``_latin_only``)
        self._lock = threading.Lock()

    def warm_up(self, *, prefix_messages: Sequence[ChatMessage] = ()) -> None:
        """Load the model now; with ``prefix_messages``, also put their tokens in the KV cache."""
        with self._lock:
            llama = self._load()
            if prefix_messages:
                llama.create_chat_completion(messages=list(prefix_messages), max_tokens=1, temperature=0.0)

    def second_context(self, *, n_ctx: int = 2048, state_cache_bytes: int = STATE_CACHE_BYTES) -> LocalBackend:
        """The same model in a llama.cpp context of its own, for other kinds of prompt.

        Each context keeps the KV cache of its last prompt. Rewriting questions in the answering
        context evicted the answer prompt's cached system prefix, so the answer after a rewrite
        re-read it (on 2 cores, seconds). The weights file is read again (a second copy in memory).
        This context serves two prompts (condensing a follow-up, translating a question), each
        with a long fixed prefix; alternating, each evicted the other's, and a follow-up's rewrite
        re-read its 260-token examples (10 s). ``state_cache_bytes`` keeps the state after each
        prompt in memory (llama.cpp's state cache, about 30 kB per token) and restores the one
        sharing the longest prefix: rewrites took 2-3 s instead of 10-12, translations 1.5 instead of 4.4.
        """
        return LocalBackend(gguf_path=self.gguf_path, threads=self.threads, n_ctx=n_ctx, seed=self.seed,
                            state_cache_bytes=state_cache_bytes)

    def close(self) -> None:
        """Free the model's memory now; a later call loads it again."""
        with self._lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None

    def complete(self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float,
                 evidence: Evidence | None = None, latin_only: bool = False) -> str:
        check_request(messages, max_tokens=max_tokens, temperature=temperature)
        with self._lock:
            llama = self._load()
            before = _prompt_tokens_read(llama)
            try:
                result = llama.create_chat_completion(
                    messages=messages, max_tokens=max_tokens, temperature=temperature,
                    logits_processor=self._latin_only(llama) if latin_only else None,
                )
            except (ValueError, RuntimeError) as exc:
                raise BackendError(f"local model {self.gguf_path.name} failed: {exc}") from exc
            self._count_read(llama, before)
        return result["choices"][0]["message"]["content"] or ""

    def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float,
               evidence: Evidence | None = None, latin_only: bool = False) -> Iterator[str]:
        check_request(messages, max_tokens=max_tokens, temperature=temperature)
        return self._deltas(messages, max_tokens=max_tokens, temperature=temperature, latin_only=latin_only)

    def _deltas(self, messages: Sequence[ChatMessage], *, max_tokens: int, temperature: float,
                latin_only: bool) -> Iterator[str]:
        # The lock is held until the stream is exhausted or closed (closing a generator releases it).
        with self._lock:
            llama = self._load()
            before: int | None = _prompt_tokens_read(llama)
            try:
                for chunk in llama.create_chat_completion(
                    messages=messages, max_tokens=max_tokens, temperature=temperature, stream=True,
                    logits_processor=self._latin_only(llama) if latin_only else None,
                ):
                    delta = chunk["choices"][0]["delta"].get("content")
                    if delta:
                        if before is not None:  # the prompt has been read by now
                            self._count_read(llama, before)
                            before = None
                        yield delta
            except (ValueError, RuntimeError) as exc:
                raise BackendError(f"local model {self.gguf_path.name} failed: {exc}") from exc
            if before is not None:
                self._count_read(llama, before)

    def _latin_only(self, llama: Any) -> Any:
        """A logits processor that rules out every token holding a CJK character or a piece of one.

        Asked for English, the bundled model left words of its Chinese source in 8 of 16 rendered
        sentences (产业高地, 招商致远), which then stayed in Chinese; unable to write them, it
        translates or romanises them. A token's bytes are checked: a UTF-8 lead byte E3-E9 starts
        U+3000-U+9FFF (CJK punctuation, kana, ideographs), EF the full-width forms; byte-level
        tokens may hold only the start of a character. Caller holds the lock.
        """
        import numpy as np
        from llama_cpp import LogitsProcessorList

        if self._non_latin is None:
            self._non_latin = np.array([any(0xE3 <= b <= 0xE9 or b == 0xEF for b in llama.detokenize([i]))
                                        for i in range(llama.n_vocab())])
        banned = self._non_latin

        def mask(input_ids: Any, scores: Any) -> Any:
            scores[banned] = -np.inf
            return scores

        return LogitsProcessorList([mask])

    def _count_read(self, llama: Any, before: int) -> None:
        """Record how many prompt tokens the call had to read (``before`` = counter at its start)."""
        self.last_prompt_tokens_read = _prompt_tokens_read(llama) - before
        logger.debug("local model read %d prompt tokens (the rest came from the KV cache)",
                     self.last_prompt_tokens_read)

    def _load(self) -> Any:
        """The Llama object, loaded on first call. Caller holds the lock."""
        if self._llama is not None:
            return self._llama
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ImportError(
                'the local backend needs llama-cpp-python: CMAKE_ARGS="-DGGML_NATIVE=OFF" '
                "pip install llama-cpp-python==0.3.36"
            ) from exc
        if not self.gguf_path.is_file():
            raise BackendError(f"local model file {self.gguf_path} does not exist")
        started = time.monotonic()
        try:
            self._llama = _load_quietly(Llama, model_path=str(self.gguf_path), n_ctx=self.n_ctx, n_threads=self.threads,
                                        n_threads_batch=self.threads, seed=self.seed)
        except (ValueError, RuntimeError) as exc:
            raise BackendError(f"cannot load local model {self.gguf_path}: {exc}") from exc
        if self.state_cache_bytes:
            self._llama.set_cache(_lean_state_cache(self.state_cache_bytes))
        self.load_seconds = time.monotonic() - started
        logger.info("loaded %s in %.1f s (n_ctx=%d, threads=%d)",
                    self.gguf_path.name, self.load_seconds, self.n_ctx, self.threads)
        return self._llama


def _load_quietly(llama_class: Any, **params: Any) -> Any:
    """``llama_class(**params)`` with llama.cpp's messages in this module's debug log.

    With ``verbose=False``, llama-cpp-python silences a load by pointing the process's file
    descriptors 1 and 2 at /dev/null for its duration: in a server loading the model in the
    background, every other thread's output (the access log) was lost for those seconds. Here the
    C library's messages go through a log callback and the few Python-level ones are captured;
    the descriptors stay where they are.
    """
    import llama_cpp

    global _llama_log_callback
    if _llama_log_callback is None:  # a module global: the C side must never call a collected callback
        _llama_log_callback = llama_cpp.llama_log_callback(_log_llama)
    llama_cpp.llama_log_set(_llama_log_callback, None)
    captured = io.StringIO()
    with contextlib.redirect_stderr(captured):
        llama = llama_class(**params, verbose=True)
    llama.verbose = False  # no timings printed after each answer
    logger.debug("llama.cpp while loading:\n%s", captured.getvalue())
    return llama


_llama_log_callback: Any = None


def _log_llama(level: int, text: bytes, user_data: Any) -> None:
    logger.debug("llama.cpp: %s", text.decode("utf-8", errors="replace").rstrip())


def _lean_state_cache(capacity_bytes: int) -> Any:
    """llama-cpp-python's RAM state cache, keeping states without their logits and counting every
    byte it keeps.

    Each saved state carries a copy of the context's whole logits buffer (512 × the vocabulary in
    floats: 311 MB for the bundled model), which the stock cache leaves out of its size: a 128 MB
    cache held gigabytes (an evaluation process reached 11 GB). A restored prompt re-evaluates its
    last token before sampling, so the saved logits are never read; one row is kept (restoring
    broadcasts it into the buffer).
    """
    from llama_cpp import LlamaRAMCache

    class LeanStateCache(LlamaRAMCache):
        @property
        def cache_size(self) -> int:
            return sum(s.llama_state_size + s.scores.nbytes + s.input_ids.nbytes for s in self.cache_state.values())

        def __setitem__(self, key: Any, value: Any) -> None:
            value.scores = value.scores[-1:].copy()
            super().__setitem__(key, value)

    return LeanStateCache(capacity_bytes=capacity_bytes)


def _prompt_tokens_read(llama: Any) -> int:
    """llama.cpp's running count of prompt tokens decoded by this context (its perf counter)."""
    import llama_cpp

    return int(llama_cpp.llama_perf_context(llama.ctx).n_p_eval)
