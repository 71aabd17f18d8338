#!/usr/bin/env python3
"""Generates vocabularies.cpp from schema/vocab/*.csv (the default vocabularies).

Each CSV has a `code` and a `label` column; every other column becomes a
`key=value` line in the entry's details (legal_authorities.csv has no label:
it is "law, provision"). risk_factors.csv yields two kinds:
risk_category (from its category columns) and risk_factor (parent = category).
"""
import csv
import json
import os
import sys

KINDS = {
    "age_bands": "age_band",
    "closure_reasons": "closure_reason",
    "genders": "gender",
    "intervention_outcomes": "intervention_outcome",
    "legal_authorities": "legal_authority",
    "protective_factors": "protective_factor",
    "rejection_reasons": "rejection_reason",
    "sectors": "sector",
    "services": "service",
    "situation_types": "situation_type",
    "study_flags": "study_flag",
}


def c_string(value):
    return json.dumps(value, ensure_ascii=False)


def entries(vocab_dir):
    out = []
    for name in sorted(os.listdir(vocab_dir)):
        stem, ext = os.path.splitext(name)
        if ext != ".csv":
            continue
        with open(os.path.join(vocab_dir, name), newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        if stem == "risk_factors":
            seen = set()
            for r in rows:
                if r["category_code"] not in seen:
                    seen.add(r["category_code"])
                    out.append(("risk_category", r["category_code"], r["category"], "", ""))
                out.append(("risk_factor", r["factor_code"], r["factor"], r["category_code"], ""))
            continue
        if stem not in KINDS:
            sys.exit(f"embed_vocabularies: no kind for {name}")
        for r in rows:
            # A legal authority is named by its law and provision.
            label = r["label"] if "label" in r else f'{r["law"]}, {r["provision"]}'
            details = "\n".join(
                f"{k}={v}" for k, v in r.items() if k not in ("code", "label") and v
            )
            out.append((KINDS[stem], r["code"], label, "", details))
    return out


def main():
    out_path, vocab_dir = sys.argv[1], sys.argv[2]
    rows = entries(vocab_dir)
    body = "".join(
        "    {%s, %s, %s, %s, %s},\n" % tuple(c_string(v) for v in row) for row in rows
    )
    text = (
        "// Generated from schema/vocab/*.csv by embed_vocabularies.py. Do not edit.\n"
        '#include "schema/vocabularies.h"\n\n'
        "namespace hubtable::schema {\n\n"
        "std::span<const DefaultVocabularyEntry> default_vocabularies() {\n"
        "  static const DefaultVocabularyEntry kEntries[] = {\n"
        f"{body}"
        "  };\n"
        "  return kEntries;\n"
        "}\n\n"
        "}  // namespace hubtable::schema\n"
    )
    old = open(out_path, encoding="utf-8").read() if os.path.exists(out_path) else None
    if old != text:
        with open(out_path, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
