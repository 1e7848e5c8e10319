#!/usr/bin/env python3
"""Validate Bulwark's curated data files and print their counts.

Checks:
  data/lexicon/*.jsonl              the curated lexicon (see data/lexicon/README.md)
  data/lexicon/VERSION              present, one line, YYYY.MM.DD-N
  data/claims/known_false_claims.jsonl
  tests/golden/context_cases.jsonl

Category and target-group names are read from src/core/taxonomy.h (the comment lines that
list the names above CategoryName / TargetGroupName), and their number is checked against
kNumCategories / kNumTargetGroups, so the data can never drift from the taxonomy.

Exit status: 0 when everything is valid, 1 on any problem (every problem is printed).

Usage:
  python3 scripts/check_data.py            # validate and print counts
  python3 scripts/check_data.py --markdown # also print coverage tables (used in docs/lexicon.md)
  python3 scripts/check_data.py --root DIR # repository root (default: parent of scripts/)
"""

import argparse
import collections
import json
import os
import re
import sys
import unicodedata

LEXICON_FIELDS = {
    "id": str, "term": str, "match": str, "category": str, "targets": list, "severity": int,
    "kind": str, "reclaimed": bool, "counter_speech_risk": bool, "provenance": str, "note": str,
}
MATCH_MODES = {"word", "phrase", "prefix", "regex"}  # regex: curated Hyperscan regex (matcher docs)
KINDS = {"slur", "dehumanizing", "coded", "symbol", "slogan", "organization", "threat_phrase",
         "harassment_phrase", "misinfo_cue", "identity", "profanity"}
NEUTRAL_KINDS = {"identity", "profanity"}  # category "none", severity 0
# Tokens that mix letters and digits are normally leetspeak that the normaliser decodes, so a
# term must be written decoded ("kike", not "k1ke"). These tokens are real names or codes in
# which the digits belong; add to this list (with a reason in the entry's note) when needed.
# The matcher normalises every term with the same normaliser as the posts, so both sides get
# the same treatment (lone digits are leet-decoded on both sides: "5g" and "5G" -> "sg").
ALLOWED_ALNUM_TOKENS = {
    "c18", "o9a", "wwg1wga", "5g", "co2", "2nd", "19th",
}
ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*\.[0-9]{4}$")
CLAIM_ID_RE = re.compile(r"^claim\.[a-z_]+\.[0-9]{3}$")
GOLDEN_ID_RE = re.compile(r"^golden\.[a-z_]+\.[0-9]{3}$")
VERSION_RE = re.compile(r"^[0-9]{4}\.[0-9]{2}\.[0-9]{2}-[0-9]+$")
FAILURE_MODES = {"negation", "counter_speech", "quotation", "reclaimed", "identity_neutral",
                 "identity_positive", "profanity_not_hate", "threat_object", "threat_person",
                 "explicit_hate", "dehumanizing", "coded_hate", "harassment", "misinformation",
                 "evasion"}
URL_RE = re.compile(r"https?://|www\.", re.I)


class Problems:
    def __init__(self):
        self.items = []

    def add(self, where, msg):
        self.items.append(f"{where}: {msg}")


def names_from_header(header_text, func):
    """Quoted names in the // comment block directly above `std::string_view <func>(`."""
    lines = header_text.splitlines()
    for i, line in enumerate(lines):
        if re.search(r"std::string_view\s+%s\s*\(" % re.escape(func), line):
            j = i - 1
            block = []
            while j >= 0 and lines[j].strip().startswith("//"):
                block.insert(0, lines[j])
                j -= 1
            return re.findall(r'"([^"]+)"', "\n".join(block))
    return []


def load_taxonomy(root, problems):
    path = os.path.join(root, "src", "core", "taxonomy.h")
    try:
        text = open(path, encoding="utf-8").read()
    except OSError as e:
        problems.add(path, f"cannot read taxonomy: {e}")
        return set(), set()
    cats = names_from_header(text, "CategoryName")
    groups = names_from_header(text, "TargetGroupName")
    for what, names, const in (("categories", cats, "kNumCategories"),
                               ("target groups", groups, "kNumTargetGroups")):
        m = re.search(r"%s\s*=\s*(\d+)" % const, text)
        if not names:
            problems.add(path, f"could not find the list of {what} names")
        elif m and int(m.group(1)) != len(names):
            problems.add(path, f"{const} = {m.group(1)} but {len(names)} {what} names are listed")
    return set(cats), set(groups)


def read_jsonl(path, problems):
    rows = []
    try:
        f = open(path, encoding="utf-8")
    except OSError as e:
        problems.add(path, f"cannot read: {e}")
        return rows
    with f:
        for n, line in enumerate(f, 1):
            where = f"{os.path.relpath(path)}:{n}"
            if not line.strip():
                problems.add(where, "blank line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                problems.add(where, f"invalid JSON: {e}")
                continue
            if not isinstance(obj, dict):
                problems.add(where, "line is not a JSON object")
                continue
            rows.append((where, obj))
    return rows


def check_types(where, obj, fields, problems):
    ok = True
    for k, t in fields.items():
        if k not in obj:
            problems.add(where, f"missing field '{k}'")
            ok = False
        elif t is int and (isinstance(obj[k], bool) or not isinstance(obj[k], int)):
            problems.add(where, f"field '{k}' must be an integer")
            ok = False
        elif t is not int and not isinstance(obj[k], t):
            problems.add(where, f"field '{k}' must be {t.__name__}")
            ok = False
    for k in obj:
        if k not in fields:
            problems.add(where, f"unknown field '{k}'")
    return ok


def normalised(term):
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", term).casefold())


def check_term(where, e, problems):
    """The term must already be in the form text::Normalizer produces (docs/text-normalization.md),
    approximated here: lower-case NFKC case-folded, accents dropped, tokens of letters and digits
    separated by single spaces (punctuation, symbols and the apostrophe are boundaries), the
    bracket tokens '(((' / ')))', no squeezable repeats, no runs of single-character tokens."""
    term = e["term"]
    if e["match"] == "regex":
        if not term.strip():
            problems.add(where, "empty regex")
        return
    if not term or term != term.strip() or "  " in term:
        problems.add(where, f"term {term!r} has leading/trailing or double spaces")
    if normalised(term) != term:
        problems.add(where, f"term {term!r} is not in normalised form (NFKC case-folded, "
                     f"lower-case): expected {normalised(term)!r}")
    tokens = term.split(" ")
    if e["match"] == "word" and len(tokens) != 1:
        problems.add(where, f"match 'word' but term {term!r} has several tokens (use 'phrase')")
    if e["match"] == "phrase" and len(tokens) < 2:
        problems.add(where, f"match 'phrase' but term {term!r} is one token (use 'word')")
    single_run = 0
    for tok in tokens:
        single_run = single_run + 1 if len(tok) == 1 else 0
        if single_run == 3:
            problems.add(where, f"term {term!r}: three single-character tokens in a row are "
                         "joined by the normaliser; write them as one token")
        if tok in ("(((", ")))"):
            continue  # the normaliser's bracket tokens (the antisemitic echo)
        bad = [c for c in tok if not (c.isalnum() and unicodedata.category(c) != "No")]
        if bad:
            problems.add(where, f"term {term!r}: character {bad[0]!r} is a token boundary for "
                         "the normaliser; write the term with a space instead")
            continue
        if any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", tok)) and tok.isascii() is False \
                and all(ord(c) < 0x250 or unicodedata.combining(c) for c in unicodedata.normalize("NFD", tok)):
            problems.add(where, f"term {term!r}: accents on Latin letters are dropped by the "
                         f"normaliser; write {strip_accents(tok)!r}")
        letters = any(c.isalpha() for c in tok)
        digits = any(c.isdigit() for c in tok)
        if letters and digits and tok not in ALLOWED_ALNUM_TOKENS:
            problems.add(where, f"term {term!r}: token {tok!r} mixes letters and digits; write "
                         "leetspeak decoded or add the token to ALLOWED_ALNUM_TOKENS")
        if letters and re.search(r"(.)\1\1", tok):
            problems.add(where, f"term {term!r}: token {tok!r} has a run of 3+ equal characters, "
                         "which the normaliser squeezes to 2")


def strip_accents(tok):
    return "".join(c for c in unicodedata.normalize("NFD", tok) if not unicodedata.combining(c))


def check_lexicon(root, cats, groups, problems, stats):
    lexdir = os.path.join(root, "data", "lexicon")
    files = sorted(f for f in os.listdir(lexdir) if f.endswith(".jsonl")) if os.path.isdir(lexdir) else []
    if not files:
        problems.add(lexdir, "no .jsonl files")
    vpath = os.path.join(lexdir, "VERSION")
    try:
        v = open(vpath, encoding="utf-8").read().strip()
        if not VERSION_RE.match(v):
            problems.add(vpath, f"version {v!r} does not look like YYYY.MM.DD-N")
        stats["version"] = v
    except OSError:
        problems.add(vpath, "missing")
    ids = {}
    seen_terms = {}
    entries = []
    for fname in files:
        for where, e in read_jsonl(os.path.join(lexdir, fname), problems):
            if not check_types(where, e, LEXICON_FIELDS, problems):
                continue
            e["_file"] = fname
            entries.append(e)
            if not ID_RE.match(e["id"]):
                problems.add(where, f"id {e['id']!r} does not look like 'area.kind.0001'")
            if e["id"] in ids:
                problems.add(where, f"duplicate id {e['id']!r} (first at {ids[e['id']]})")
            ids[e["id"]] = where
            if e["match"] not in MATCH_MODES:
                problems.add(where, f"match {e['match']!r} not one of {sorted(MATCH_MODES)}")
            if e["kind"] not in KINDS:
                problems.add(where, f"kind {e['kind']!r} not one of {sorted(KINDS)}")
            if e["kind"] in NEUTRAL_KINDS:
                if e["category"] != "none":
                    problems.add(where, f"kind {e['kind']!r} must have category 'none'")
                if e["severity"] != 0:
                    problems.add(where, f"kind {e['kind']!r} must have severity 0")
            else:
                if e["category"] not in cats:
                    problems.add(where, f"category {e['category']!r} is not a taxonomy category")
                if not 1 <= e["severity"] <= 4:
                    problems.add(where, f"severity {e['severity']} must be 1..4")
            if e["kind"] == "identity" and not e["targets"]:
                problems.add(where, "identity term without a target group")
            if fname == "identity_terms.jsonl" and e["kind"] != "identity":
                problems.add(where, "identity_terms.jsonl holds only kind 'identity'")
            if fname == "profanity.jsonl" and e["kind"] != "profanity":
                problems.add(where, "profanity.jsonl holds only kind 'profanity'")
            for t in e["targets"]:
                if t not in groups:
                    problems.add(where, f"target {t!r} is not a taxonomy target group")
            if len(set(e["targets"])) != len(e["targets"]):
                problems.add(where, "duplicate target group")
            if not e["provenance"].strip() or URL_RE.search(e["provenance"]):
                problems.add(where, "provenance must name a publication (no URLs)")
            if not e["note"].strip():
                problems.add(where, "empty note")
            check_term(where, e, problems)
            key = (e["term"], e["match"], e["category"])
            if key in seen_terms:
                problems.add(where, f"same term/match/category as {seen_terms[key]}")
            seen_terms[key] = where
    stats["lexicon"] = entries
    return entries


def check_claims(root, cats, problems, stats):
    path = os.path.join(root, "data", "claims", "known_false_claims.jsonl")
    fields = {"id": str, "category": str, "claim": str, "variants": list, "fact_check": str,
              "note": str}
    ids = set()
    claims_seen = set()
    rows = []
    for where, c in read_jsonl(path, problems):
        if not check_types(where, c, fields, problems):
            continue
        rows.append(c)
        if not CLAIM_ID_RE.match(c["id"]):
            problems.add(where, f"id {c['id']!r} does not look like 'claim.subtype.001'")
        if c["id"] in ids:
            problems.add(where, f"duplicate id {c['id']!r}")
        ids.add(c["id"])
        if not c["category"].startswith("misinformation.") or c["category"] not in cats:
            problems.add(where, f"category {c['category']!r} is not a misinformation category")
        elif c["id"].split(".")[1] != c["category"].split(".", 1)[1]:
            problems.add(where, "id subtype does not match category")
        if not 2 <= len(c["variants"]) <= 4 or not all(isinstance(v, str) and v.strip() for v in c["variants"]):
            problems.add(where, "variants must be 2-4 non-empty strings")
        if c["claim"].strip().lower() in claims_seen:
            problems.add(where, "duplicate claim text")
        claims_seen.add(c["claim"].strip().lower())
        if not c["fact_check"].strip() or URL_RE.search(c["fact_check"]):
            problems.add(where, "fact_check must name a publication (no URLs)")
    per = collections.Counter(c["category"] for c in rows)
    for cat in sorted(x for x in cats if x.startswith("misinformation.")):
        if per[cat] < 25:
            problems.add(path, f"{cat}: {per[cat]} claims, at least 25 expected")
    stats["claims"] = rows


def check_golden(root, cats, groups, problems, stats):
    path = os.path.join(root, "tests", "golden", "context_cases.jsonl")
    fields = {"id": str, "text": str, "failure_mode": str, "expect": dict, "targets": list,
              "note": str}
    ids = set()
    texts = set()
    rows = []
    for where, g in read_jsonl(path, problems):
        if not check_types(where, g, fields, problems):
            continue
        rows.append(g)
        if not GOLDEN_ID_RE.match(g["id"]):
            problems.add(where, f"id {g['id']!r} does not look like 'golden.mode.001'")
        if g["id"] in ids:
            problems.add(where, f"duplicate id {g['id']!r}")
        ids.add(g["id"])
        if g["text"] in texts:
            problems.add(where, "duplicate text")
        texts.add(g["text"])
        if g["failure_mode"] not in FAILURE_MODES:
            problems.add(where, f"failure_mode {g['failure_mode']!r} unknown")
        for k, v in g["expect"].items():
            if k not in cats:
                problems.add(where, f"expect key {k!r} is not a taxonomy category")
            if v is not True:
                problems.add(where, f"expect[{k!r}] must be true (omit categories not expected)")
        for t in g["targets"]:
            if t not in groups:
                problems.add(where, f"target {t!r} is not a taxonomy target group")
    if len(rows) < 250:
        problems.add(path, f"{len(rows)} cases, at least 250 expected")
    stats["golden"] = rows


def table(title, counter, header=("name", "entries"), by_key=False):
    out = [f"| {header[0]} | {header[1]} |", "|---|---:|"]
    order = (lambda kv: kv[0]) if by_key else (lambda kv: (-kv[1], kv[0]))
    for k, v in sorted(counter.items(), key=order):
        out.append(f"| {k} | {v} |")
    out.append(f"| **total** | **{sum(counter.values())}** |")
    return f"{title}\n\n" + "\n".join(out) + "\n"


def report(stats, groups, markdown):
    lex = stats.get("lexicon", [])
    per_file = collections.Counter(e["_file"] for e in lex)
    per_cat = collections.Counter(e["category"] for e in lex)
    per_kind = collections.Counter(e["kind"] for e in lex)
    per_sev = collections.Counter(str(e["severity"]) for e in lex)
    violations = [e for e in lex if e["kind"] not in NEUTRAL_KINDS]
    per_target = collections.Counter()
    per_target_ident = collections.Counter()
    for e in lex:
        for t in e["targets"]:
            (per_target_ident if e["kind"] == "identity" else per_target)[t] += 1
    print(f"lexicon version {stats.get('version', '?')}: {len(lex)} entries")
    for name, c in (("file", per_file), ("category", per_cat), ("kind", per_kind),
                    ("severity", per_sev)):
        print(f"  by {name}: " + ", ".join(f"{k}={v}" for k, v in sorted(c.items())))
    print("  by target group (violation entries / identity terms):")
    for g in sorted(groups):
        print(f"    {g:22s} {per_target[g]:4d} / {per_target_ident[g]:4d}")
    rec = sum(e["reclaimed"] for e in lex)
    csr = sum(e["counter_speech_risk"] for e in lex)
    print(f"  reclaimed={rec}, counter_speech_risk={csr}, untargeted violation entries="
          f"{sum(1 for e in violations if not e['targets'])}")
    claims = stats.get("claims", [])
    cc = collections.Counter(c["category"] for c in claims)
    print(f"claims: {len(claims)} (" + ", ".join(f"{k}={v}" for k, v in sorted(cc.items())) +
          f"), variants={sum(len(c['variants']) for c in claims)}")
    golden = stats.get("golden", [])
    gm = collections.Counter(g["failure_mode"] for g in golden)
    flagged = sum(1 for g in golden if g["expect"])
    print(f"golden: {len(golden)} cases ({flagged} expect a flag, {len(golden) - flagged} expect none)")
    print("  by failure_mode: " + ", ".join(f"{k}={v}" for k, v in sorted(gm.items())))
    if markdown:
        print()
        print(table("Entries per file", per_file, ("file", "entries")))
        print(table("Entries per category", per_cat, ("category", "entries")))
        print(table("Entries per kind", per_kind, ("kind", "entries")))
        print(table("Entries per severity", per_sev, ("severity", "entries"), by_key=True))
        out = ["| target group | violation entries | identity terms |", "|---|---:|---:|"]
        for g in sorted(groups):
            out.append(f"| {g} | {per_target[g]} | {per_target_ident[g]} |")
        print("Entries per target group (an entry with several targets counts once for each)\n")
        print("\n".join(out) + "\n")
        # category x target for violation entries
        cross = collections.defaultdict(collections.Counter)
        for e in violations:
            for t in e["targets"]:
                cross[t][e["_file"].replace(".jsonl", "")] += 1
        files = sorted({e["_file"].replace(".jsonl", "") for e in violations})
        out = ["| target group | " + " | ".join(files) + " |",
               "|---|" + "---:|" * len(files)]
        for g in sorted(groups):
            out.append(f"| {g} | " + " | ".join(str(cross[g][f]) for f in files) + " |")
        print("Violation entries per target group and file\n")
        print("\n".join(out) + "\n")
        print(table("Known false claims per category", cc, ("category", "claims")))
        print(table("Golden cases per failure mode", gm, ("failure_mode", "cases")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--markdown", action="store_true", help="print coverage tables as Markdown")
    args = ap.parse_args()
    os.chdir(args.root)
    problems = Problems()
    stats = {}
    cats, groups = load_taxonomy(".", problems)
    if cats and groups:
        check_lexicon(".", cats, groups, problems, stats)
        check_claims(".", cats, problems, stats)
        check_golden(".", cats, groups, problems, stats)
    report(stats, groups, args.markdown)
    if problems.items:
        print(f"\n{len(problems.items)} problem(s):", file=sys.stderr)
        for p in problems.items:
            print("  " + p, file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
