"""rag.generation.backends: both backends against real models, and the OpenAI backend's failure paths.

The slow tests talk to the bundled GGUF, in-process (LocalBackend) and through
llama-cpp-python's own OpenAI-compatible server (OpenAIBackend). Failure paths use real
sockets on 127.0.0.1: a closed port, a listener that never answers, a tiny HTTP server that
answers with error statuses, and a proxy that cuts a real server's stream halfway.
"""

from __future__ import annotations

import http.server
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.errors import BackendError
from rag.generation.backends import LocalBackend, OpenAIBackend, check_request

HANG_BOUND = 15.0  # seconds: not a speed target, only proof that a failure does not hang

SYSTEM = "你是一个文档问答助手。只根据用户给出的资料回答问题，回答要简短。"
QUESTION = [
    {"role": "system", "content": SYSTEM},
    {"role": "user", "content": "资料：星河图书馆于2015年开放，馆内共有藏书38600册，每天接待读者约1200人。\n"
                                "问题：星河图书馆共有多少册藏书？"},
]
EXPECTED_NUMBER = "38600"


def digits(text: str) -> str:
    """The text with thousands separators and spaces removed, so 38,600 reads as 38600."""
    return re.sub(r"[,，\s]", "", text)


# --------------------------------------------------------------------------- fast: no model


@pytest.mark.parametrize(
    ("messages", "kwargs", "match"),
    [
        ([], {}, "messages must not be empty"),
        ([{"role": "tool", "content": "x"}], {}, r"messages\[0\] must be a dict with role in"),
        ([{"role": "user", "content": None}], {}, r"messages\[0\]\['content'\] must be str, got NoneType"),
        ([{"role": "user", "content": "x"}], {"max_tokens": 0}, "max_tokens must be >= 1, got 0"),
        ([{"role": "user", "content": "x"}], {"temperature": 2.5}, r"temperature must be in \[0, 2\], got 2.5"),
    ],
)
def test_check_request_names_the_bad_value(messages: list, kwargs: dict, match: str) -> None:
    args = {"max_tokens": 16, "temperature": 0.0} | kwargs
    with pytest.raises(ValueError, match=match):
        check_request(messages, **args)


def test_make_generator_builds_each_backend_by_name_from_settings() -> None:
    from rag.api import make_generator
    from rag.config import Settings
    from rag.generation.extractive import ExtractiveGenerator

    settings = Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="m", llm_gguf="model.gguf", llm_threads=1)
    backend = make_generator("openai", settings, similarity=lambda q, texts: [0.0] * len(texts))
    assert isinstance(backend, OpenAIBackend) and backend.name == "openai" and backend.model_id == "m"
    local = make_generator("local", settings, similarity=lambda q, texts: [0.0] * len(texts))
    assert isinstance(local, LocalBackend) and local.model_id == "model"
    extractive = make_generator("extractive", settings, similarity=lambda q, texts: [0.0] * len(texts))
    assert isinstance(extractive, ExtractiveGenerator) and extractive.model_id == ""
    with pytest.raises(BackendError, match="needs an endpoint"):
        make_generator("openai", Settings(), similarity=lambda q, texts: [])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"base_url": ""}, "base_url must be set"), ({"timeout": 0}, "timeout must be > 0"),
     ({"retries": -1}, r"retries must be in \[0, 10\]")],
)
def test_openai_backend_rejects_bad_settings(kwargs: dict, match: str) -> None:
    args = {"base_url": "http://127.0.0.1:9/v1", "api_key": "k", "model": "m", "timeout": 5.0, "retries": 1}
    with pytest.raises(ValueError, match=match):
        OpenAIBackend(**(args | kwargs))


def test_unreachable_endpoint_raises_backend_error_quickly(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/v1"
    backend = OpenAIBackend(base_url=url, api_key="x", model="m", timeout=10.0, retries=2)
    started = time.monotonic()
    with pytest.raises(BackendError, match=rf"{re.escape(url)} .*after 3 attempts: cannot connect"):
        backend.complete(QUESTION, max_tokens=8, temperature=0.0)
    assert time.monotonic() - started < HANG_BOUND


def test_unreachable_endpoint_fails_the_stream_too(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/v1"
    backend = OpenAIBackend(base_url=url, api_key="x", model="m", timeout=10.0, retries=0)
    started = time.monotonic()
    with pytest.raises(BackendError, match=rf"{re.escape(url)} .*cannot connect"):
        list(backend.stream(QUESTION, max_tokens=8, temperature=0.0))
    assert time.monotonic() - started < HANG_BOUND


def test_silent_server_times_out_instead_of_hanging() -> None:
    with socket.socket() as listener:  # accepts connections (backlog) but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
        backend = OpenAIBackend(base_url=url, api_key="x", model="m", timeout=1.0, retries=1)
        started = time.monotonic()
        with pytest.raises(BackendError, match=rf"{re.escape(url)} .*after 2 attempts: timed out"):
            backend.complete(QUESTION, max_tokens=8, temperature=0.0)
        assert time.monotonic() - started < HANG_BOUND


class _StatusServer(http.server.ThreadingHTTPServer):
    """Answers every POST with one fixed HTTP error status and counts the requests."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.requests = 0
        super().__init__(("127.0.0.1", 0), _StatusHandler)


class _StatusHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.requests += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'{"error": {"message": "injected failure", "type": "test"}}'
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def status_server(request: pytest.FixtureRequest) -> Iterator[_StatusServer]:
    server = _StatusServer(request.param)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("status_server", "requests", "match"),
    [
        (500, 3, r"after 3 attempts: HTTP 500"),
        (429, 3, r"after 3 attempts: rate limited"),
        (401, 1, r"the request: the API key was rejected \(HTTP 401\)"),
        (404, 1, r"the request: not found \(HTTP 404\); check the model name"),
    ],
    indirect=["status_server"],
)
def test_error_statuses_retry_only_when_transient(status_server: _StatusServer, requests: int, match: str) -> None:
    url = f"http://127.0.0.1:{status_server.server_address[1]}/v1"
    backend = OpenAIBackend(base_url=url, api_key="bad-key", model="no-such-model", timeout=5.0, retries=2)
    started = time.monotonic()
    with pytest.raises(BackendError, match=re.escape(url) + ".*" + match):
        backend.complete(QUESTION, max_tokens=8, temperature=0.0)
    assert status_server.requests == requests
    assert time.monotonic() - started < HANG_BOUND


def test_local_backend_reports_a_missing_model_file(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    backend = LocalBackend(gguf_path=tmp_path / "absent.gguf", threads=1, n_ctx=512)
    with pytest.raises(BackendError, match="absent.gguf does not exist"):
        backend.complete(QUESTION, max_tokens=4, temperature=0.0)


def test_local_backend_refuses_a_file_that_is_not_a_model(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"GGUF but not really" * 100)
    backend = LocalBackend(gguf_path=bogus, threads=1, n_ctx=512)
    with pytest.raises(BackendError, match="cannot load local model .*bogus.gguf"):
        backend.complete(QUESTION, max_tokens=4, temperature=0.0)


# --------------------------------------------------------------------------- slow: real server


@pytest.fixture(scope="module")
def server_backend(llama_server: str) -> OpenAIBackend:
    return OpenAIBackend(base_url=llama_server, api_key="not-needed", model="local", timeout=120.0, retries=1)


@pytest.mark.slow
def test_openai_backend_complete_answers_from_the_passage(server_backend: OpenAIBackend) -> None:
    answer = server_backend.complete(QUESTION, max_tokens=48, temperature=0.0)
    assert EXPECTED_NUMBER in digits(answer)


@pytest.mark.slow
def test_openai_backend_streams_several_deltas(server_backend: OpenAIBackend) -> None:
    pieces = list(server_backend.stream(QUESTION, max_tokens=48, temperature=0.0))
    assert len(pieces) > 1
    assert all(isinstance(p, str) and p for p in pieces)
    assert EXPECTED_NUMBER in digits("".join(pieces))


class _CuttingProxy:
    """Forwards one TCP connection to ``upstream`` and drops it after ``limit`` response bytes."""

    def __init__(self, upstream_port: int, *, limit: int) -> None:
        self.limit = limit
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        client, _ = self.listener.accept()
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=120)
        threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
        sent = 0
        while sent < self.limit and (data := upstream.recv(min(4096, self.limit - sent))):
            client.sendall(data)
            sent += len(data)
        client.shutdown(socket.SHUT_RDWR)
        client.close()
        upstream.close()
        self.listener.close()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(4096):
                dst.sendall(data)
        except OSError:
            pass


@pytest.mark.slow
def test_a_stream_cut_midway_raises_backend_error(llama_server: str) -> None:
    port = int(llama_server.rsplit(":", 1)[1].split("/")[0])
    proxy = _CuttingProxy(port, limit=2000)  # past the headers and a few SSE events
    url = f"http://127.0.0.1:{proxy.port}/v1"
    backend = OpenAIBackend(base_url=url, api_key="x", model="local", timeout=60.0, retries=0)
    long_answer = [QUESTION[0], {"role": "user", "content": QUESTION[1]["content"] + "请详细介绍这座图书馆，至少写五句话。"}]
    received: list[str] = []
    with pytest.raises(BackendError, match=rf"{re.escape(url)} .*during streaming \(after \d+ characters\)"):
        for piece in backend.stream(long_answer, max_tokens=200, temperature=0.0):
            received.append(piece)
    assert received, "the cut should come after some text arrived"


# --------------------------------------------------------------------------- slow: in-process


LONG_PASSAGE = (
    "星河市立图书馆始建于2015年，位于星河市新区文化中心东侧，总建筑面积约为二万四千平方米，地上六层，地下两层。"
    "馆内现有纸质藏书三十八万六千册，电子图书十二万种，期刊报纸九百余种。图书馆实行全年无休的开放制度，"
    "周一至周五的开放时间为上午九点至晚上九点，周末和法定节假日为上午九点至下午六点。读者凭身份证即可免费办理借书证，"
    "每张借书证最多可同时借阅十册图书，借期为三十天，可在线续借一次。二〇二三年，图书馆共接待读者一百二十六万人次，"
    "全年举办各类讲座、展览和阅读推广活动共计432场。图书馆在四楼设有古籍修复中心，配备专业修复人员7名，"
    "当年完成修复古籍210册。为了方便市民，图书馆在全市设立了24个自助借还站点，读者可以在任意站点归还图书。"
)


def _ask(question: str) -> list[dict]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": f"资料：{LONG_PASSAGE}\n问题：{question}"}]


def _time_to_first_delta(backend: LocalBackend, messages: list[dict]) -> tuple[float, str]:
    started = time.monotonic()
    stream = backend.stream(messages, max_tokens=24, temperature=0.0)
    first = next(stream)
    ttft = time.monotonic() - started
    return ttft, first + "".join(stream)


@pytest.fixture(scope="module")
def local_backend(local_gguf: Path) -> Iterator[LocalBackend]:
    pytest.importorskip("llama_cpp")
    backend = LocalBackend(gguf_path=local_gguf, threads=2, n_ctx=2048)
    yield backend
    backend.close()


@pytest.mark.slow
def test_loading_the_model_leaves_other_threads_output_alone(local_gguf: Path, capfd: pytest.CaptureFixture) -> None:
    """A server loads the model in the background while it already logs requests."""
    pytest.importorskip("llama_cpp")
    backend = LocalBackend(gguf_path=local_gguf, threads=2, n_ctx=512)
    loading = threading.Thread(target=backend.warm_up)
    loading.start()
    written = 0
    while loading.is_alive() or written < 5:
        os.write(1, f"line {written} from another thread\n".encode())
        written += 1
        time.sleep(0.05)
    loading.join()
    backend.close()
    out, err = capfd.readouterr()
    assert out.splitlines() == [f"line {i} from another thread" for i in range(written)]  # none lost, no model chatter
    assert "llama" not in err.lower()


@pytest.mark.slow
def test_local_backend_complete_answers_from_the_passage(local_backend: LocalBackend) -> None:
    answer = local_backend.complete(QUESTION, max_tokens=48, temperature=0.0)
    assert EXPECTED_NUMBER in digits(answer)
    assert local_backend.load_seconds is not None and local_backend.load_seconds > 0


@pytest.mark.slow
def test_local_backend_streams_several_deltas(local_backend: LocalBackend) -> None:
    pieces = list(local_backend.stream(QUESTION, max_tokens=48, temperature=0.0))
    assert len(pieces) > 1
    assert all(isinstance(p, str) and p for p in pieces)
    assert EXPECTED_NUMBER in digits("".join(pieces))


@pytest.mark.slow
def test_latin_only_text_holds_no_chinese_even_when_asked_to_copy_it(local_backend: LocalBackend) -> None:
    copy = [{"role": "user", "content": "原样重复这句话，不要翻译：光明科学城的院士有59人。"}]
    assert re.search(r"[\u3400-\u9fff]", local_backend.complete(copy, max_tokens=32, temperature=0.0))
    for text in (local_backend.complete(copy, max_tokens=32, temperature=0.0, latin_only=True),
                 "".join(local_backend.stream(copy, max_tokens=32, temperature=0.0, latin_only=True))):
        assert text.strip() and not re.search(r"[\u3000-\u9fff\uff00-\uffef]", text)
        assert "59" in text


@pytest.mark.slow
def test_a_shared_prompt_prefix_is_not_read_again(local_backend: LocalBackend) -> None:
    cold, _ = _time_to_first_delta(local_backend, _ask("图书馆有几个自助借还站点？"))
    cold_read = local_backend.last_prompt_tokens_read
    warm, answer = _time_to_first_delta(local_backend, _ask("古籍修复中心有几名修复人员？"))
    warm_read = local_backend.last_prompt_tokens_read
    assert "7" in answer or "七" in answer
    # Only the question differs, so the ~300-token passage comes from the KV cache: llama.cpp
    # reads just the question and the template's tail. (Timings are reported, not asserted:
    # they depend on what else the machine is doing.)
    assert cold_read is not None and cold_read > 200  # the passage (the system prompt may be cached)
    assert warm_read is not None and warm_read < 40, f"read {warm_read} of {cold_read} tokens again"
    print(f"time to first token: cold {cold:.2f} s ({cold_read} tokens read), "
          f"warm {warm:.2f} s ({warm_read} tokens read)")


@pytest.mark.slow
def test_a_rewrite_in_the_second_context_leaves_the_answer_prefix_cached(local_backend: LocalBackend) -> None:
    rewrite = [{"role": "user", "content": "把问题翻译成英文，只输出译文：图书馆有几个自助借还站点？"}]
    _time_to_first_delta(local_backend, _ask("图书馆有几个自助借还站点？"))
    rewriter = local_backend.second_context()
    try:
        rewriter.complete(rewrite, max_tokens=24, temperature=0.0)
        _time_to_first_delta(local_backend, _ask("古籍修复中心有几名修复人员？"))
        kept = local_backend.last_prompt_tokens_read
        local_backend.complete(rewrite, max_tokens=24, temperature=0.0)  # the same rewrite, in the answering context
        _time_to_first_delta(local_backend, _ask("图书馆有几个自助借还站点？"))
        evicted = local_backend.last_prompt_tokens_read
    finally:
        rewriter.close()
    assert kept is not None and kept < 40, f"read {kept} tokens again after a rewrite in the second context"
    assert evicted is not None and evicted > 200  # the passage had to be read again


@pytest.mark.slow
def test_the_second_context_keeps_the_prefix_of_each_kind_of_prompt(local_backend: LocalBackend) -> None:
    examples = "".join(f"例{i}：图书馆第{i}层有{i + 3}个阅览室，开放时间为早上{i + 7}点。\n" for i in range(1, 9))
    condense = f"把追问改写成独立问题。\n{examples}追问："
    translate = f"Translate into Chinese, output only the translation.\n{examples}Q: "

    def ask(prefix: str, text: str) -> int | None:
        rewriter.complete([{"role": "user", "content": prefix + text}], max_tokens=8, temperature=0.0)
        return rewriter.last_prompt_tokens_read

    rewriter = local_backend.second_context()
    try:
        first = ask(condense, "那二层呢？")
        ask(translate, "How many reading rooms?")
        again = ask(condense, "三层呢？")  # after the other kind of prompt
    finally:
        rewriter.close()
    assert first is not None and first > 200
    assert again is not None and again < 40, f"read {again} of {first} tokens again"


@pytest.mark.slow
def test_concurrent_calls_are_serialised_and_both_answer(local_backend: LocalBackend) -> None:
    answers: list[str] = []
    threads = [
        threading.Thread(target=lambda: answers.append(local_backend.complete(QUESTION, max_tokens=32, temperature=0.0)))
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(answers) == 2
    assert all(EXPECTED_NUMBER in digits(a) for a in answers)


@pytest.mark.slow
def test_closing_a_stream_early_frees_the_model(local_backend: LocalBackend) -> None:
    stream = local_backend.stream(QUESTION, max_tokens=48, temperature=0.0)
    assert next(stream)
    stream.close()
    answers: list[str] = []
    worker = threading.Thread(target=lambda: answers.append(local_backend.complete(QUESTION, max_tokens=32, temperature=0.0)))
    worker.start()
    worker.join(timeout=120)
    assert answers and EXPECTED_NUMBER in digits(answers[0])


@pytest.mark.slow
def test_a_prompt_longer_than_the_context_raises_backend_error(local_backend: LocalBackend) -> None:
    too_long = [{"role": "user", "content": "藏书" * 3000}]
    with pytest.raises(BackendError, match="exceed context window of 2048"):
        local_backend.complete(too_long, max_tokens=8, temperature=0.0)
    with pytest.raises(BackendError, match="exceed context window of 2048"):
        list(local_backend.stream(too_long, max_tokens=8, temperature=0.0))


def test_the_state_cache_keeps_no_logits_and_counts_every_byte() -> None:
    llama = pytest.importorskip("llama_cpp")
    import numpy as np

    from rag.generation.backends import _lean_state_cache

    def state(tokens: int) -> object:
        return llama.llama.LlamaState(input_ids=np.zeros(64, np.intc), scores=np.ones((512, 1000), np.single),
                                      n_tokens=tokens, llama_state=b"\0" * 1000, llama_state_size=1000, seed=0)

    cache = _lean_state_cache(10_000)
    cache[(1, 2, 3)] = state(3)
    kept = cache[(1, 2, 3, 4)]  # the longest shared prefix
    assert kept.scores.shape == (1, 1000)  # 2 MB of logits dropped
    assert cache.cache_size == 1000 + 4000 + 256
    cache[(5, 6)] = state(2)  # two states exceed 10 kB: the older one goes
    assert (1, 2, 3) not in cache and (5, 6) in cache
