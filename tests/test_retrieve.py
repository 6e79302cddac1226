import math
from pathlib import Path

import pytest

from rag.retrieval.retriever import MAX_NAME_CHUNKS, BM25Index, Retriever, rrf
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
    """A store whose BM25 and dense halves return fixed rankings of chunks 0..n-1, with the given
    scores or, without them, evenly falling ones."""

    def __init__(self, lexical: list[int], dense: list[int], *, lexical_scores: list[float] | None = None,
                 dense_scores: list[float] | None = None) -> None:
        self._lexical = list(zip(lexical, lexical_scores or [10.0 - i for i in range(len(lexical))]))
        self._dense = list(zip(dense, dense_scores or [0.9 - 0.01 * i for i in range(len(dense))]))

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
    plain = rrf([[9, 1, 2, 3, 4, 5], [8, 5, 4, 3, 2, 1]], weights=[0.5, 0.5])
    assert {9, 8} - {row for row, _ in plain[:3]}  # plain fusion drops a leader
    assert [p.chunk_id for p in retriever.search("q", k=1)] == [f"d#{plain[0][0]}"]  # no room: fusion decides


def test_a_leader_fusion_placed_last_of_the_k_stays_when_the_other_leader_is_moved_in():
    # fusion puts BM25's leader (9) 3rd of 3 and leaves out the dense half's (8): room for 8 is made
    # by the fused row of least score that leads nothing (2), not by 9, which moving 8 in used to push out
    lexical, dense = [9, 1, 2, 3, 4, 5, 6], [8, 1, 2, 3, 4, 9, 5, 6, 7]
    plain = [row for row, _ in rrf([lexical, dense], weights=[0.5, 0.5])]
    assert plain[:4] == [1, 2, 9, 3] and 8 not in plain[:5]
    assert _first_ids(_RankedStore(lexical, dense)) == ["d#1", "d#9", "d#8"]
    assert _first_ids(_RankedStore(lexical, dense), k=5) == ["d#1", "d#2", "d#9", "d#3", "d#8"]


def _first_ids(store: _RankedStore, k: int = 3) -> list[str]:
    return [p.chunk_id for p in Retriever(store, embed_query=lambda q: None, dense_weight=0.5).search("q", k=k)]


def test_disjoint_halves_put_the_dense_leader_first_unless_bm25s_stands_out_more():
    # no chunk in both top-10s: RRF scores the leaders 0 and 10 alike and the lower key (BM25's 0) would win
    store = _RankedStore(list(range(10)), list(range(10, 20)),
                         lexical_scores=[10, 8, 7.9, 7.8, 7.7, 7.6, 7.5, 7.4, 7.3, 7.2],  # margin 2.3 / 2.8 = 0.82
                         dense_scores=[0.9, 0.7, 0.69, 0.68, 0.67, 0.66, 0.65, 0.64, 0.63, 0.5])  # 0.23 / 0.4 = 0.575
    assert rrf([list(range(10)), list(range(10, 20))], weights=[0.5, 0.5])[0][0] == 0
    assert _first_ids(store)[:2] == ["d#10", "d#0"]  # BM25's margin is larger, but under 1.5 times dense's
    passages = Retriever(store, embed_query=lambda q: None, dense_weight=0.5).search("q", k=5)
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True) and passages[0].score <= 1


def test_disjoint_halves_put_bm25s_leader_first_when_it_stands_out_one_and_a_half_times_more():
    # here the dense leader has the lower key, so plain RRF would put it first
    store = _RankedStore(list(range(10, 20)), list(range(10)),
                         lexical_scores=[10, 3, 2.9, 2.8, 2.7, 2.6, 2.5, 2.4, 2.3, 2.2],  # margin 7.3 / 7.8 = 0.94
                         dense_scores=[0.9 - 0.05 * i for i in range(10)])  # 0.2 / 0.45 = 0.44
    assert _first_ids(store)[:2] == ["d#10", "d#0"]


def test_halves_sharing_a_chunk_in_their_top_10_keep_the_plain_fusion_order():
    lexical, dense = [0, *range(1, 10)], [*range(10, 19), 1]  # chunk 1: BM25's 2nd and dense's 10th
    store = _RankedStore(lexical, dense, lexical_scores=[10, 3, 2.9, 2.8, 2.7, 2.6, 2.5, 2.4, 2.3, 2.2])
    plain = [f"d#{row}" for row, _ in rrf([lexical, dense], weights=[0.5, 0.5])]
    assert plain[:3] == ["d#1", "d#0", "d#10"]
    assert _first_ids(store, k=5) == plain[:5]


class _WordStore(_RankedStore):
    """A store of ``chunks`` chunks whose vocabulary is given; counts the times it is read."""

    def __init__(self, words: dict[str, int], *, chunks: int) -> None:
        super().__init__(lexical=[], dense=[])
        self.words, self.chunks_held, self.reads = words, chunks, 0

    def chunk_count(self) -> int:
        return self.chunks_held

    def vocabulary(self) -> dict[str, int]:
        self.reads += 1
        return self.words


def test_names_in_pinyin_are_read_from_the_index_words_once_per_vocabulary() -> None:
    store = _WordStore({"河套": 2, "光明": 10}, chunks=20)
    retriever = Retriever(store, embed_query=lambda q: None)
    assert retriever.romanised("Is the Hetao centre in Guangming?") == [("Hetao", "河套", 0.1), ("Guangming", "光明", 0.5)]
    keys = retriever._word_keys["pinyin"]
    assert retriever.romanised("What is Hetao?") == [("Hetao", "河套", 0.1)] and retriever._word_keys["pinyin"] is keys
    store.words = {"河套": 2}  # a write: a new vocabulary object, its keys read again
    assert retriever.romanised("Is Guangming near Hetao?") == [("Hetao", "河套", 0.1)]


def test_an_index_too_large_to_read_every_words_pinyin_looks_no_name_up() -> None:
    store = _WordStore({"河套": 2}, chunks=MAX_NAME_CHUNKS + 1)
    assert Retriever(store, embed_query=lambda q: None).romanised("What is the Hetao centre?") == []
    assert store.reads == 0


def test_english_words_are_read_as_the_index_words_a_dictionary_gives_for_them() -> None:
    # 书记 and 秘书 both translate "secretary": the one the documents use is the one found
    store = _WordStore({"书记": 3, "石墨": 1, "营收": 1, "收入": 4}, chunks=20)
    retriever = Retriever(store, embed_query=lambda q: None)
    assert retriever.documents_word("Secretary") == "书记"
    assert retriever.documents_word("revenues") == "收入"  # an inflection; of two words, the commoner
    assert retriever.documents_word("graphene") is None  # 石墨烯: not an index word
    keys = retriever._word_keys["english"]
    assert retriever.documents_word("secretary") == "书记" and retriever._word_keys["english"] is keys
    store.words = {"秘书": 1}  # a write: a new vocabulary object, its keys read again
    assert retriever.documents_word("secretary") == "秘书"
    store.chunks_held = MAX_NAME_CHUNKS + 1
    assert retriever.documents_word("secretary") is None
