"""Build the METI SCS catalogue file from the transcribed CSV files.

    python tools/meti_scs_catalogue.py ../shared/reference/meti-scs-2026-03 \
        > keiretsu/catalogue/data/meti-scs-2026-03.yaml

The CSV files are a third party's transcription of METI's scheme (see SOURCE_NOTE); this script
only reshapes them into the catalogue format (docs/catalogue-format.md), so the YAML can be
regenerated and reviewed against them.
"""

import csv
import sys
from pathlib import Path

import yaml

# The 19 enterprise Lv1 items of JAMA/JAPIA's priority-items guide (see jama-priority-items-1.0.yaml).
PRIORITY_ENTERPRISE_NOS = {
    "16", "18", "19", "20", "24", "26", "148", "149", "150",
    "124", "136", "137", "115", "49", "51", "52", "76", "77", "78",
}

SOURCE_NOTE = """\
経済産業省「サプライチェーン強化に向けたセキュリティ対策評価制度 制度構築方針」(2026-03-27) の
要求事項・評価基準。政府著作物（出典を記載して再利用可）。
本カタログは第三者による転記 (GitHub: slash-level/SupplyChain, SC_Security.csv,
commit 3a54ace88a65f133c2296c6d5a30e7f4ac472672) を基にしている。原典は経済産業省の公表資料を参照のこと。
参照列「自工会/部工会・サイバーセキュリティガイドライン 2.3 版」の項目番号を相互参照 (jama-enterprise) とした。
Source: METI, Supply-chain security evaluation scheme, policy of 2026-03-27 (government material,
reusable with attribution), as transcribed by a third party (slash-level/SupplyChain,
SC_Security.csv @3a54ace88a65f133c2296c6d5a30e7f4ac472672).
"""

ATTRIBUTES = [
    ("category2", "中分類", "Sub-category"),
    ("nist_csf_function", "NIST CSF 2.0 機能", "NIST CSF 2.0 function"),
    ("ref_cyber_essentials_v16", "Cyber Essentials v16", "Cyber Essentials v16"),
    ("ref_cmmc", "CMMC", "CMMC"),
    ("ref_iso27001_2022", "ISO/IEC 27001:2022", "ISO/IEC 27001:2022"),
    ("ref_gov_unified_std_R7", "政府統一基準 (令和7年度版)", "Japanese government unified standards (R7)"),
    ("ref_jama_japia_gl_2_3", "自工会/部工会ガイドライン 2.3 版", "JAMA/JAPIA guideline 2.3"),
]

SCALE = {
    "symbols": [
        {"symbol": "○", "label": "達成", "label_en": "Achieved",
         "meaning": "評価基準を満たしている", "meaning_en": "The criterion is met",
         "aliases": ["〇", "◯"]},
        {"symbol": "×", "label": "未達成", "label_en": "Not achieved",
         "meaning": "評価基準を満たしていない", "meaning_en": "The criterion is not met",
         "aliases": ["✕", "✖", "x", "X"]},
        {"symbol": "－", "label": "対象外", "label_en": "Not applicable",
         "meaning": "評価基準の対象となる資産・業務がない",
         "meaning_en": "No asset or activity the criterion applies to",
         "aliases": ["-", "ー", "—", "‐", "−"]},
    ],
    "achieved": ["○"],
    "examined": ["○"],
    "not_applicable": ["－"],
    "requires_reason": [],
}


def clean(text):
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def build(reference_dir):
    requirements = list(csv.DictReader((reference_dir / "requirements.csv").open(encoding="utf-8")))
    criteria = list(csv.DictReader((reference_dir / "criteria.csv").open(encoding="utf-8")))
    by_requirement = {}
    for criterion in criteria:
        by_requirement.setdefault(criterion["requirement_id"], []).append(criterion)

    categories = {}
    for requirement in requirements:
        category = categories.setdefault(requirement["category1_no"], {
            "code": requirement["category1_no"],
            "title": requirement["category1"],
            "sections": [],
        })
        items = []
        for criterion in by_requirement[requirement["requirement_id"]]:
            jama_nos = [n for n in criterion["jama_nos"].split(";") if n]
            item = {
                "no": criterion["criterion_id"],
                "level": criterion["min_star"],
                "requirement": clean(requirement["requirement_text"]),
                "criteria": clean(criterion["criterion_text"]),
            }
            if PRIORITY_ENTERPRISE_NOS.intersection(jama_nos):
                item["priority"] = True
            if jama_nos:
                item["refs"] = {"jama-enterprise": jama_nos}
            attributes = {"category2": f"{requirement['category2_no']} {requirement['category2']}"}
            for key, _, _ in ATTRIBUTES[1:]:
                column = "ref_jama_japia_gl_2_3_raw" if key == "ref_jama_japia_gl_2_3" else key
                value = " ".join(criterion[column].split())
                if value:
                    attributes[key] = value
            item["attributes"] = attributes
            items.append(item)
        category["sections"].append({
            "code": requirement["requirement_id"],
            "title": requirement["requirement_name"],
            "description": clean(requirement["requirement_text"]),
            "items": items,
        })

    return {
        "format": 1,
        "guideline": {
            "id": "meti-scs",
            "title": "サプライチェーン強化に向けたセキュリティ対策評価制度",
            "title_en": "METI supply-chain security evaluation scheme",
            "publisher": "経済産業省",
        },
        "edition": {
            "id": "2026-03",
            "title": "制度構築方針 (2026年3月) 要求事項・評価基準",
            "title_en": "Scheme policy of March 2026: requirements and criteria",
            "published": "2026-03-27",
            "assessed_per": "company",
            "source": SOURCE_NOTE,
            "attributes": [
                {"key": key, "label": label, "label_en": label_en}
                for key, label, label_en in ATTRIBUTES
            ],
        },
        "scale": SCALE,
        "levels": [
            {"code": "★3", "title": "★3 (自己評価: 全ての企業が最低限実施すべき対策)",
             "title_en": "★3 (self-assessment: the minimum for every company)"},
            {"code": "★4", "title": "★4 (第三者評価: 標準的に目指すべき対策)",
             "title_en": "★4 (third-party evaluation: the standard target)"},
        ],
        "sections": list(categories.values()),
    }


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def main():
    document = build(Path(sys.argv[1]))
    sys.stdout.write("# Generated by tools/meti_scs_catalogue.py from the transcribed CSV files.\n")
    yaml.dump(document, sys.stdout, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=200)


if __name__ == "__main__":
    main()
