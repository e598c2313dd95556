"""The shipped catalogues say what the source documents say."""

from collections import Counter

import pytest

from keiretsu.catalogue.models import CrossReference, Item, Section

pytestmark = pytest.mark.django_db


def test_factory_edition_has_63_items_in_17_labels(catalogue):
    factory = catalogue["jama-factory"]
    sections = Section.objects.filter(edition=factory)
    assert sections.count() == 17
    assert list(Item.objects.filter(edition=factory).values_list("number", flat=True)) == [str(n) for n in range(1, 64)]
    per_label = Counter(Item.objects.filter(edition=factory).values_list("section__code", flat=True))
    assert per_label == {
        "1": 3, "2": 3, "3": 1, "4": 6, "5": 5, "6": 5, "7": 5, "8": 3, "9": 1,
        "10": 5, "11": 1, "12": 5, "13": 6, "14": 3, "15": 4, "16": 3, "17": 4,
    }
    assert factory.level_codes == ()
    assert factory.rating_scale.codes == ("○", "□", "△", "×", "－")
    assert factory.rating_scale.achieved == {"○"}
    assert factory.rating_scale.examined == {"○", "□"}
    assert factory.rating_scale.not_applicable == {"－"}
    assert factory.rating_scale.requires_reason == {"□"}


def test_factory_items_1_35_63_match_the_document(catalogue):
    items = {i.number: i for i in Item.objects.filter(edition=catalogue["jama-factory"], number__in=["1", "12", "35", "63"])}
    one = items["1"]
    assert one.section.title == "体制(平時)"
    assert one.purpose == "情報/OT セキュリティに関する体制及び役割を明確化し、保護すべきデータの漏洩・サイバーセキュリティ対策の徹底、強化を図る"
    assert one.requirement == "平時の情報/OT セキュリティリスクを管理する体制を整備し、事故発生に至らないよう、情報収集と共有を行うこと"
    assert one.condition == "工場や生産技術内の情報/OT セキュリティ部門責任者を含む、平時の体制と責任と役割を部や課レベルまで明確化している"
    assert one.criteria == "【規則】\n・情報/OT セキュリティリスクは、経営に重大な影響を及ぼすことを理解し、組織的に経営判断できる体制を設置していること"

    thirty_five = items["35"]
    assert thirty_five.section.title == "外部への接続状況の把握"
    assert thirty_five.requirement == (
        "外部情報システム(顧客・子会社・関係会社・外部委託先・クラウドサービス・外部情報サービス等)を明確にし、利用状況を適切に管理していること"
    )
    assert thirty_five.condition == (
        "製造設備・機器の情報資産が接続する場合の外部情報システムの利用ルールを定めている(外部情報システムにはリモートメンテも含まれる)"
    )
    assert "・外部情報システムとの接続判定可否ルールを含む" in thirty_five.criteria
    assert "・外部の情報サービスの利用時にセキュリティ要件を満たしているかサービス内容を確認し、承認した証跡を保管している" in thirty_five.criteria

    sixty_three = items["63"]
    assert sixty_three.section.title == "バックアップ・復元(リストア)"
    assert sixty_three.condition == "サーバー等の設置エリアには、設備に災害対策、環境対策を実施している"
    assert sixty_three.criteria == "【規則】\n・火災、水害、停電に対する対策を行うこと\n・温湿度管理を行うこと"

    # Items 12-13 sit under label 4 with their own purpose and requirement.
    twelve = items["12"]
    assert twelve.section.code == "4"
    assert twelve.requirement.startswith("自組織内あるいは組織を跨いで影響する情報/OT セキュリティ事件・事故")
    assert twelve.purpose != Item.objects.get(edition=catalogue["jama-factory"], number="8").purpose


def test_factory_criteria_cite_enterprise_items_as_cross_references(catalogue):
    refs = {}
    for item_number, target in CrossReference.objects.filter(item__edition=catalogue["jama-factory"]).values_list(
        "item__number", "number"
    ):
        refs.setdefault(item_number, set()).add(target)
    assert refs["16"] == {"49", "50"}
    assert refs["58"] == {"136"}
    assert refs["32"] == {"54", "59"}
    assert set(CrossReference.objects.filter(item__edition=catalogue["jama-factory"]).values_list("guideline_slug", flat=True)) == {"jama-enterprise"}


def test_meti_scheme_counts(catalogue):
    meti = catalogue["meti-scs"]
    top = Section.objects.filter(edition=meti, parent=None)
    requirements = Section.objects.filter(edition=meti, parent__isnull=False)
    assert top.count() == 7
    assert requirements.count() == 43
    items = Item.objects.filter(edition=meti)
    assert items.count() == 153
    assert Counter(items.values_list("level", flat=True)) == {"★3": 81, "★4": 72}
    assert meti.level_codes == ("★3", "★4")
    criterion = items.get(number="1-1-1-1")
    assert criterion.attributes["nist_csf_function"] == "統治(GV)"
    assert set(criterion.cross_references.values_list("number", flat=True)) == {"9", "10"}
    assert "slash-level/SupplyChain" in meti.source and "経済産業省" in meti.source


def test_priority_items_edition_covers_the_19_enterprise_items(catalogue):
    priority = catalogue["jama-priority-items"]
    assert Section.objects.filter(edition=priority).count() == 2
    items = Item.objects.filter(edition=priority)
    assert items.count() == 8
    assert all(items.values_list("is_priority", flat=True))
    targets = set(CrossReference.objects.filter(item__edition=priority).values_list("number", flat=True))
    assert targets == {"16", "18", "19", "20", "24", "26", "148", "149", "150", "124", "136", "137", "115",
                       "49", "51", "52", "76", "77", "78"}
    assert Counter(items.values_list("section__code", flat=True)) == {"1": 3, "2": 5}


LABEL_13_SENTENCE = "サイバー攻撃、内部情報漏えいを防止するため、情報システム・情報機器や不正な Web サイトへの通信制御を行っていること"


def test_factory_label_13_keeps_the_documents_words_when_split_into_purpose_and_requirement(catalogue):
    # The source has one sentence in the purpose column; split in two, not a word is lost.
    items = Item.objects.filter(edition=catalogue["jama-factory"], section__code="13").order_by("position")
    assert [item.number for item in items] == ["44", "45", "46", "47", "48", "49"]
    for item in items:
        assert item.purpose == "サイバー攻撃、内部情報漏えいを防止するため、", item.number
        assert item.purpose + item.requirement == LABEL_13_SENTENCE, item.number


def test_an_installation_with_the_earlier_label_13_text_is_repaired_by_its_migration(catalogue):
    import importlib

    from django.apps import apps as global_apps

    from keiretsu.catalogue.services import catalogue_load_files

    migration = importlib.import_module("keiretsu.catalogue.migrations.0002_factory_label_13_wording")
    titles = importlib.import_module("keiretsu.catalogue.migrations.0004_edition_titles")
    factory = catalogue["jama-factory"]
    titles.undo(global_apps, None)  # as an installation that loaded the earlier files has them
    migration.undo(global_apps, None)
    factory.refresh_from_db()
    assert factory.content_hash == migration.BEFORE_HASH and factory.title == "工場領域版 0.9 版"
    migration.repair(global_apps, None)
    factory.refresh_from_db()
    assert factory.content_hash == migration.AFTER_HASH
    assert set(Item.objects.filter(edition=factory, section__code="13").values_list("purpose", flat=True)) == {migration.AFTER}
    titles.repair(global_apps, None)
    factory.refresh_from_db()
    priority = catalogue["jama-priority-items"]
    priority.refresh_from_db()
    assert (factory.title, factory.title_en) == ("0.9版", "0.9")
    assert priority.title == "1.0版（8つの対策：事故に備える8項目・侵入を防ぐ11項目）"
    assert str(factory) == "自工会/部工会・サイバーセキュリティガイドライン 工場領域版 0.9版"  # no repeated name
    assert all(not result.created for result in catalogue_load_files())  # the shipped files are the loaded editions
