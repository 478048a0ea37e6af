"""Segmentation of typical summaries: the center's vocabulary stays whole, queries cut the way the index does."""

from pathlib import Path

from django.conf import settings

from search.segment import (
    concepts,
    index_tokens,
    name_tokens,
    normalize,
    query_groups,
    query_tokens,
    tokenizer,
    vocabulary,
)

ROOT = Path(__file__).resolve().parents[2]


def test_dispute_types_departments_and_legal_terms_stay_one_word():
    words = query_tokens("劳动争议由人力资源和社会保障局协办，双方签订调解协议书后申请司法确认")
    assert {"劳动争议", "人力资源和社会保障局", "调解协议书", "司法确认"} <= set(words)
    assert {"宅基地", "征地拆迁"} <= set(query_tokens("宅基地边界纠纷引发征地拆迁补偿争议"))
    assert "婚姻家庭" in vocabulary() and "人社局" in vocabulary()


def test_typical_summaries_segment_into_their_words():
    words = index_tokens("张伟等12名工人反映某某建设工程有限公司拖欠工资，要求支付欠薪3.5万元。")
    # the search-engine cut keeps each word and the shorter words inside it
    assert {
        "张伟",
        "工人",
        "建设工程",
        "建设",
        "工程",
        "有限公司",
        "拖欠工资",
        "拖欠",
        "工资",
        "欠薪",
    } <= set(words)
    assert "，" not in words and "。" not in words  # punctuation is no word
    assert {"3", "5", "万元"} <= set(words)  # "3.5" split the same way in index and query
    traffic = index_tokens("王某驾驶电动车与李某发生交通事故，就误工费、护理费赔偿产生争议。")
    assert {"交通事故", "误工费", "护理费"} <= set(traffic)


def test_a_query_drops_a_lone_character_beside_longer_words_but_keeps_a_surname():
    assert query_tokens("钢筋工") == ["钢筋"]  # "钢筋工工资" is cut 钢筋 + 工工资 in a text
    assert query_tokens("张") == ["张"]
    assert query_tokens("张伟  工资 张伟") == ["张伟", "工资"]  # distinct, in order


def test_a_query_word_matches_by_its_parts_too():
    assert query_groups("拖欠工资") == [["拖欠工资", "拖欠", "工资"]]
    assert query_groups("工资") == [["工资"]]


def test_summaries_that_spell_a_term_out_carry_the_term():
    assert concepts(index_tokens("某公司拖欠7名钢筋工工资约8万元")) == ["拖欠工资"]
    assert "拖欠工资" in concepts(index_tokens("农民工到项目部讨薪"))
    assert concepts(index_tokens("邻居装修噪音扰民")) == ["噪声污染"]
    assert concepts(index_tokens("合同货款结算纠纷")) == []


def test_names_are_whole_words_and_full_width_input_is_folded():
    assert name_tokens("王秀英")[0] == "王秀英"
    assert "建设工程" in name_tokens("某某建设工程有限公司")
    assert normalize("（２０２６）ＡＢＣ") == "(2026)abc"


def test_the_dictionary_cache_lives_under_data_dir_not_the_source_tree():
    cache_dir = Path(tokenizer().tmp_dir).resolve()
    assert cache_dir == (Path(settings.DATA_DIR) / "cache").resolve()
    assert tokenizer() is tokenizer()  # built once per process
