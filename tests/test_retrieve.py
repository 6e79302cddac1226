import math
from pathlib import Path

import pytest

from rag.retrieval.retriever import BM25Index, Retriever, rrf
from rag.store import DocumentEntry, IndexParams
from rag.store.faiss_store import FaissStore
from rag.types import Chunk, DocRecord, Document


def test_bm25_matches_hand_computed_scores():
    docs = [["a", "b"], ["a", "a", "c"], ["d"]]
    index = BM25Index(docs, k1=1.2, b=0.75)
    avg = 2.0
    idf_a = math.log(1 + (3 - 2 + 0.5) / (2 + 0.5))

    def term(tf, length):
        return idf_a * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * length / avg))

    assert index.scores(["a"]).tolist() == pytest.approx([term(1, 2), term(2, 3), 0.0])
    scores, rows = index.top(["a"], 5)
    assert rows.tolist() == [1, 0]  # doc 2 has no "a": not returned at all
    assert index.top(["zzz"], 5)[1].tolist() == []


def test_rrf_matches_hand_computation_and_weights():
    fused = dict(rrf([[1, 2, 3], [3, 1]], k=60))
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert fused[2] == pytest.approx(1 / 62)
    assert [item for item, _ in rrf([[1, 2], [2, 1]], weights=[0.8, 0.2])] == [1, 2]
    with pytest.raises(ValueError, match="2 weights for 1 rankings"):
        rrf([[1]], weights=[0.5, 0.5])


TEXT = "光明区推动7家科技支行落地。深圳市合成生物产业基金规模15亿元。光明區的合成生物企業總估值近400億元。"


def _retriever(embedder, tmp_path, rerank=None) -> Retriever:
    doc = Document(id="d", path=Path("d.txt"), title="T", text=TEXT)
    spans = [(0, 14), (14, 32), (32, len(TEXT))]
    chunks = [Chunk(id=f"d#{i}", doc_id="d", text=TEXT[s:e], start=s, end=e) for i, (s, e) in enumerate(spans)]
    vectors = embedder.embed_passages([c.text for c in chunks])
    store = FaissStore(tmp_path / "index")
    params = IndexParams("hash", embedder.dim, 100, 10)
    record = DocRecord(id="d", path="d.txt", title="T", sha256="h", chunks=3, indexed_at=1.0)
    with store.writing(params):
        store.write(add=[DocumentEntry(record=record, document=doc, chunks=chunks, vectors=vectors)])
    return Retriever(store, embed_query=embedder.embed_query, dense_weight=0.5, rerank=rerank)


def test_hybrid_finds_traditional_passage_for_simplified_query_and_keeps_original_script(tmp_path):
    from fakes import HashEmbedder

    retriever = _retriever(HashEmbedder(), tmp_path)
    for mode in ("bm25", "dense", "hybrid"):
        best = retriever.search("光明区合成生物企业总估值是多少", k=3, mode=mode)[0]
        assert best.chunk_id == "d#2", mode
        assert best.text == "光明區的合成生物企業總估值近400億元。"
        assert TEXT[best.start:best.end] == best.text


def test_hybrid_scores_are_scaled_so_larger_is_better_and_top_is_at_most_one(tmp_path):
    from fakes import HashEmbedder

    passages = _retriever(HashEmbedder(), tmp_path).search("科技支行落地", k=3)
    assert passages[0].chunk_id == "d#0"
    assert passages[0].score == pytest.approx(1.0)  # ranked first by both BM25 and dense
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    assert all(0 < p.score <= 1 for p in passages)


def test_search_rejects_unknown_mode(tmp_path):
    from fakes import HashEmbedder

    with pytest.raises(ValueError, match="mode must be"):
        _retriever(HashEmbedder(), tmp_path).search("x", k=1, mode="magic")


def test_a_reranker_reorders_hybrid_results_and_its_score_is_shown(tmp_path):
    from fakes import HashEmbedder

    retriever = _retriever(HashEmbedder(), tmp_path, rerank=lambda query, texts: [1.0 if "400" in t else 0.1 for t in texts])
    passages = retriever.search("科技支行落地", k=3)
    assert passages[0].chunk_id == "d#2" and passages[0].score == 1.0
    assert [p.score for p in passages[1:]] == [0.1, 0.1]
    assert retriever.search("科技支行落地", k=1, mode="bm25")[0].chunk_id == "d#0"  # only hybrid is reranked


def test_a_chunk_removed_between_ranking_and_fetching_is_replaced_by_the_next_candidate(tmp_path):
    """A document deleted while a question is in flight must not shorten the answer's passages."""
    from fakes import HashEmbedder

    retriever = _retriever(HashEmbedder(), tmp_path)
    store = retriever.store
    fetch = store.chunks
    ranked_first = retriever.search("科技支行落地", k=1)[0].chunk_id
    assert ranked_first == "d#0"

    def fetch_after_a_removal(keys):  # as if a writer removed the best chunk after the ranking
        return {key: chunk for key, chunk in fetch(keys).items() if chunk.chunk.id != "d#0"}

    store.chunks = fetch_after_a_removal
    passages = retriever.search("科技支行落地", k=2)
    assert len(passages) == 2 and {p.chunk_id for p in passages} == {"d#1", "d#2"}


class _RankedStore:
    """A store whose BM25 and dense halves return fixed rankings of chunks 0..n-1."""

    def __init__(self, lexical: list[int], dense: list[int]) -> None:
        self._lexical, self._dense = lexical, dense

    def chunk_count(self) -> int:
        return 20

    def lexical(self, query, depth):
        return self._lexical[:depth]

    def dense(self, vector, depth):
        return self._dense[:depth]

    def chunks(self, keys):
        from rag.store import StoredChunk

        return {key: StoredChunk(key=key, chunk=Chunk(id=f"d#{key}", doc_id="d", text=str(key), start=0, end=1),
                                 title="T", source="d.txt") for key in keys}


def test_each_halfs_first_result_stays_among_the_first_k():
    # BM25's only strong match (9) is missed by the dense half; 1..5 are ranked middling by both
    store = _RankedStore(lexical=[9, 1, 2, 3, 4, 5], dense=[8, 5, 4, 3, 2, 1])
    retriever = Retriever(store, embed_query=lambda q: None, dense_weight=0.5)
    ids = [p.chunk_id for p in retriever.search("q", k=3)]
    assert ids[2] in {"d#9", "d#8"} and {"d#9", "d#8"} <= set(ids)  # both leaders kept, in the last places
    scores = [p.score for p in retriever.search("q", k=5)]
    assert scores == sorted(scores, reverse=True)
    plain = rrf([store._lexical, store._dense], weights=[0.5, 0.5])
    assert {9, 8} - {row for row, _ in plain[:3]}  # plain fusion drops a leader
    assert [p.chunk_id for p in retriever.search("q", k=1)] == [f"d#{plain[0][0]}"]  # no room: fusion decides
