"""Chinese word segmentation for the case search index (jieba), with the center's own vocabulary.

One tokenizer per process, built on first use: jieba's prefix dictionary is cached under DATA_DIR (not in the
source tree), and the dispute-type names, department names and legal terms below are added to it so that
"劳动争议", "人力资源和社会保障局" or "调解协议书" stay one word. The index is written with the search-engine
cut (every word and the shorter words inside it), a query with the precise cut, so a query's words are always
among the index's words for the same text.
"""

import logging
import re
import threading
import unicodedata
from pathlib import Path

import jieba
from django.conf import settings

from cases.core.seed import DISPUTE_TYPES

jieba.setLogLevel(logging.WARNING)

# Departments stationed at or on call for a center (accounts.demo, bench/generate/org.py) and their short names.
DEPARTMENT_TERMS = (
    "人民法院", "公安局", "派出所", "交警大队", "信访局", "司法局", "司法所", "人力资源和社会保障局", "人社局",
    "劳动监察大队", "住房和城乡建设局", "住建局", "综合行政执法局", "卫生健康局", "医调委", "市场监督管理局",
    "市场监管局", "自然资源局", "农业农村局", "生态环境局", "妇联", "工会", "团委", "劳动人事争议仲裁委员会",
)  # fmt: skip
# Terms of the law and of mediation work that jieba's general dictionary cuts apart.
LEGAL_TERMS = (
    "人民调解", "人民调解委员会", "调解协议", "调解协议书", "口头协议", "司法确认", "诉前调解", "先行调解",
    "拖欠工资", "欠薪", "农民工", "劳务费", "工伤认定", "经济补偿金", "违约金", "抚养费", "赡养费", "彩礼",
    "宅基地", "承包经营权", "土地流转", "征地拆迁", "拆迁补偿", "安置补偿", "物业费", "公共收益", "业主委员会",
    "医疗纠纷", "医疗过错", "交通事故", "交强险", "商业险", "误工费", "护理费", "精神损害抚慰金", "民转刑",
    "群体性事件", "越级上访", "集体访", "被申请人", "申请人", "法定代表人", "统一社会信用代码", "劳动合同",
    "劳务合同", "买卖合同", "借款合同", "租赁合同", "质量问题", "退一赔三", "噪声污染", "废水排放",
)  # fmt: skip

# Disputes staff name by one term that summaries write out in pieces ("拖欠7名钢筋工工资"): the term is added to
# a case's words when all the words of one of its spellings are there, so it is found and compared by the term.
CONCEPTS = {
    "拖欠工资": (("拖欠", "工资"), ("欠薪",), ("讨薪",), ("拖欠", "工钱"), ("拖欠", "劳务费")),
    "抚养费": (("抚养", "费用"), ("子女", "抚养")),
    "宅基地": (("宅基", "边界"),),
    "交通事故": (("交通", "事故"), ("车祸",)),
    "物业费": (("物业", "费用"),),
    "噪声污染": (("噪声",), ("噪音",)),
}

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
# A word is a run of letters, digits and CJK characters: jieba keeps "3.5" or "A-1" whole, the index and the
# queries split them the same way, and no word carries a character either backend's query syntax reads.
_WORD = re.compile(r"[^\W_]+")


def vocabulary() -> list[str]:
    """The words added to jieba's dictionary: dispute types, departments, legal terms."""
    return [name for _code, name, _en in DISPUTE_TYPES] + list(DEPARTMENT_TERMS) + list(LEGAL_TERMS)


def tokenizer() -> jieba.Tokenizer:
    """The process's tokenizer, built (and the vocabulary added) once."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                built = jieba.Tokenizer()
                cache_dir = Path(settings.DATA_DIR) / "cache"
                cache_dir.mkdir(parents=True, exist_ok=True)
                built.tmp_dir = str(cache_dir)
                built.initialize()
                for word in vocabulary():
                    built.add_word(word, freq=200000)
                _tokenizer = built
    return _tokenizer


def normalize(text: str) -> str:
    """Full-width letters, digits and brackets as half-width, upper case ASCII folded to lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _words(cut) -> list[str]:
    return [part for word in cut for part in _WORD.findall(word)]


def index_tokens(text: str) -> list[str]:
    """The words of ``text`` as the index keeps them (search-engine cut, punctuation dropped)."""
    return _words(tokenizer().cut_for_search(normalize(text))) if text else []


def query_tokens(query: str) -> list[str]:
    """The distinct words of a query (precise cut of each space-separated part), in order."""
    seen: dict[str, None] = {}
    for part in normalize(query).split():
        words = _words(tokenizer().cut(part))
        if any(len(w) > 1 for w in words):
            # A single character beside longer words ("钢筋工" → 钢筋 + 工) is cut differently inside a text
            # ("钢筋工工资" → 钢筋 + 工工资); the longer words carry the meaning, and the whole part is still
            # matched by them. Alone ("张") it stays: a surname finds the person.
            words = [w for w in words if len(w) > 1 or w.isdigit()]
        for word in words:
            seen.setdefault(word, None)
    return list(seen)


def concepts(words) -> list[str]:
    """The CONCEPTS terms that ``words`` (a case's words) spell out."""
    have = set(words)
    return [term for term, spellings in CONCEPTS.items() if any(set(s) <= have for s in spellings)]


def query_groups(query: str) -> list[list[str]]:
    """The query's words, each with the shorter words inside it: a case matches a word when it has the word
    or all of its parts ("拖欠工资" or both "拖欠" and "工资"), and must match every word of the query."""
    groups = []
    for word in query_tokens(query):
        parts = [p for p in _words(tokenizer().cut_for_search(word)) if p != word and len(p) < len(word)]
        groups.append([word, *dict.fromkeys(parts)] if len(parts) > 1 else [word])
    return groups


def name_tokens(name: str) -> list[str]:
    """A party's name: the whole name as one word (when it is one), and the words inside it."""
    whole = normalize(name).strip()
    inner = index_tokens(whole)
    return ([whole] if _WORD.fullmatch(whole) and whole not in inner else []) + inner
