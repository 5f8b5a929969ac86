#!/usr/bin/env python3
"""Where a run's query bigrams come from: the distinct-bigram ratio of records.jsonl, its most
frequent bigrams, and what the ratio would be if the named free-text argument values (names,
titles, cities, ...) were drawn from larger vocabularies (each word one of K variants).

Usage: scripts/bigram-report.py RECORDS.jsonl [K]      (K defaults to 4)
Tokens are lowercase runs of letters and digits, as `hardgen stats` counts them.
"""
import collections
import json
import random
import re
import sys

# Free-text fields whose values the world draws from pools (not enums, ids or codes).
NAMED = {
    "city", "title", "tariff_name", "drive_name", "calendar_name", "product_name",
    "folder_name", "site_name", "file_name", "course_title", "full_name", "nickname",
    "hotel_name", "group_name", "merchant", "carrier", "clinic_name", "airport_name",
    "job_title", "depot_name", "team_name", "employer", "subject",
}


def tokens(q):
    return [t.lower() for t in re.split(r"[^0-9A-Za-z]+", q) if t]


def ratio(queries):
    seen, total = set(), 0
    for q in queries:
        w = tokens(q)
        pairs = list(zip(w, w[1:]))
        seen.update(pairs)
        total += len(pairs)
    return len(seen) / max(total, 1), len(seen), total


def main():
    path = sys.argv[1]
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    rounds = []
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        for x in r["rounds"]:
            vals = {
                v
                for g in x["gold"]
                for a, v in g["arguments"].items()
                if a in NAMED and isinstance(v, str) and v in x["query"]
            }
            rounds.append((x["query"], vals))
    r, d, t = ratio(q for q, _ in rounds)
    print(f"queries {len(rounds)}  bigrams {t}  distinct {d}  ratio {r:.4f}")
    counts = collections.Counter()
    for q, _ in rounds:
        w = tokens(q)
        counts.update(zip(w, w[1:]))
    top = ", ".join(f"{a} {b} ({c})" for (a, b), c in counts.most_common(15))
    print(f"most frequent: {top}")
    rng = random.Random(1)
    varied = []
    for q, vals in rounds:
        for v in vals:
            q = q.replace(v, " ".join(f"{w}v{rng.randrange(k)}" for w in v.split()))
        varied.append(q)
    print(f"with {k}x vocabularies for named values: ratio {ratio(varied)[0]:.4f}")


if __name__ == "__main__":
    main()
