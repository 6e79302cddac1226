"""``rag index`` killed with SIGKILL at random moments: the index always opens and answers, and a
run that is left alone finishes the job (same documents and chunks as an uninterrupted build)."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakes import HashEmbedder

from rag import RAG
from rag.files import sha256_file
from rag.store import IndexParams
from rag.store.faiss_store import FaissStore

KILLS = 20
TOPICS = ["光明科学城", "合成生物", "科技金融", "人才公寓", "轨道交通", "医疗器械", "新能源汽车", "半导体"]
RUNNER = """
import sys
sys.path.insert(0, sys.argv[4])
from fakes import HashEmbedder
from rag import RAG
RAG(corpus=sys.argv[1], index_dir=sys.argv[2], cache_dir=sys.argv[3], embedder=HashEmbedder()).index()
"""


def write_doc(folder: Path, i: int, version: int) -> None:
    topic = TOPICS[i % len(TOPICS)]
    sentences = [f"第{version}版：{topic}项目{i}的第{j}项指标为{(i * 7 + j * 13 + version) % 997}亿元。" for j in range(60)]
    (folder / f"doc{i:03d}.txt").write_text("".join(sentences), encoding="utf-8")


def run_index(corpus: Path, index: Path, cache: Path) -> subprocess.Popen:
    tests = str(Path(__file__).parent)
    return subprocess.Popen([sys.executable, "-c", RUNNER, str(corpus), str(index), str(cache), tests],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def check_consistent(index: Path, params: IndexParams) -> int:
    """Open the store as a reader and check its tables agree; return the number of chunks."""
    store = FaissStore(index)
    store.open(params)
    conn = store._connection()
    for doc_id, record in store.records().items():
        n = conn.execute("SELECT COUNT(*) FROM chunks WHERE doc_id = ?", (doc_id,)).fetchone()[0]
        assert n == record.chunks, doc_id
    posted = dict(conn.execute("SELECT term, COUNT(*) FROM postings GROUP BY term").fetchall())
    df = dict(conn.execute("SELECT id, df FROM terms WHERE df > 0").fetchall())
    assert posted == df
    assert store._index().ntotal == store.chunk_count()
    count = store.chunk_count()
    store.close()
    return count


@pytest.mark.slow
def test_sigkill_at_random_moments_never_breaks_the_index_and_a_rerun_finishes(tmp_path):
    corpus, index, cache = tmp_path / "docs", tmp_path / "index", tmp_path / "cache"
    corpus.mkdir()
    versions = {i: 0 for i in range(60)}
    for i in versions:
        write_doc(corpus, i, 0)
    params = RAG(corpus=corpus, index_dir=index, cache_dir=cache, embedder=HashEmbedder()).params
    started = time.monotonic()
    run_index(corpus, tmp_path / "timing", cache).wait(timeout=300)
    window = time.monotonic() - started  # a whole build; the later, incremental runs are shorter
    rng = random.Random(20)
    kills_mid_run = 0
    for round_ in range(KILLS):
        for i in rng.sample(sorted(versions), 8):  # some documents change, some appear, one goes
            versions[i] += 1
            write_doc(corpus, i, versions[i])
        new = max(versions) + 1
        versions[new] = 0
        write_doc(corpus, new, 0)
        gone = rng.choice(sorted(versions))
        (corpus / f"doc{gone:03d}.txt").unlink()
        del versions[gone]
        proc = run_index(corpus, index, cache)
        time.sleep(rng.uniform(0.2, window))
        if proc.poll() is None:
            kills_mid_run += 1
        else:  # the run had finished: aim the next kills earlier, whatever the machine's load
            window = max(0.4, window * 0.7)
        proc.kill()
        proc.wait(timeout=60)
        if not (index / "CURRENT").exists():
            continue  # killed before the index was first created: nothing to open yet
        check_consistent(index, params)
        reader = RAG(corpus=corpus, index_dir=index, cache_dir=cache, embedder=HashEmbedder())
        passages = reader.retrieve("合成生物项目的指标", k=3)
        if reader.documents():  # empty only when killed before the first batch of a first build was committed
            assert passages and all(p.text in reader.document(p.doc_id).text for p in passages), round_
        else:
            assert passages == [], round_
    assert kills_mid_run >= KILLS // 2  # most kills landed while the indexer was working
    assert run_index(corpus, index, cache).wait(timeout=300) == 0
    records = RAG(corpus=corpus, index_dir=index, cache_dir=cache, embedder=HashEmbedder()).documents()
    assert {r.id: r.sha256 for r in records} == {f"doc{i:03d}": sha256_file(corpus / f"doc{i:03d}.txt") for i in versions}
    fresh = tmp_path / "fresh"
    assert run_index(corpus, fresh, cache).wait(timeout=300) == 0
    assert check_consistent(index, params) == check_consistent(fresh, params)
