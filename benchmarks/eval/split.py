#!/usr/bin/env python3
"""Split benchmarks/eval/questions.jsonl once, at random, into dev.jsonl and test.jsonl.

* item-level split (a conversation is one item, never split across halves);
* stratified by `type`: within each type the items are shuffled with one
  random.Random(20261201) generator (types processed in sorted order, items in
  file order) and the first half goes to dev, the rest to test; for an odd
  count the extra item goes to dev or test by a coin flip from the same
  generator;
* output keeps the original file order inside each half.
Re-running gives the identical split as long as questions.jsonl is unchanged.
"""
import collections
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20261201


def main():
    with open(os.path.join(HERE, "questions.jsonl"), encoding="utf-8") as f:
        items = [json.loads(line) for line in f if line.strip()]
    rng = random.Random(SEED)
    by_type = collections.defaultdict(list)
    for idx, it in enumerate(items):
        by_type[it["type"]].append(idx)
    dev_idx = set()
    for typ in sorted(by_type):
        idxs = list(by_type[typ])
        rng.shuffle(idxs)
        n_dev = len(idxs) // 2
        if len(idxs) % 2 and rng.random() < 0.5:
            n_dev += 1
        dev_idx.update(idxs[:n_dev])
    halves = {"dev": [], "test": []}
    for idx, it in enumerate(items):
        halves["dev" if idx in dev_idx else "test"].append(it)
    for name, rows in halves.items():
        with open(os.path.join(HERE, name + ".jsonl"), "w", encoding="utf-8") as f:
            for it in rows:
                f.write(json.dumps(it, ensure_ascii=False) + "\n")
    print(f"{'type':18s} {'dev':>5s} {'test':>5s}")
    for typ in sorted(by_type):
        d = sum(1 for it in halves["dev"] if it["type"] == typ)
        t = sum(1 for it in halves["test"] if it["type"] == typ)
        print(f"{typ:18s} {d:5d} {t:5d}")
    print(f"{'total':18s} {len(halves['dev']):5d} {len(halves['test']):5d}")


if __name__ == "__main__":
    main()
