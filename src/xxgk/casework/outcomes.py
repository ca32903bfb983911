"""Answer outcomes and applicant types, driven by the statutory report format (table 三).

The outcome categories *are* the result rows of the 2021 table 三 (``applications.granted`` …
``applications.other.other``), and the applicant types are its columns; both are read from
:mod:`xxgk.formats` rather than typed again here. What this module adds is casework knowledge the format
does not carry: the article each outcome rests on and the standard wording of the reply letter
(formats.md §6.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from xxgk.formats import get_format

__all__ = [
    "APPLICANT_TYPES",
    "CASE_FORMAT",
    "Outcome",
    "applicant_types",
    "outcome",
    "outcomes",
]

CASE_FORMAT = "2021"
_RESULT_PARENTS = {"results", "withheld", "unable", "not_processed", "other"}
_GROUP_LABELS = {
    "withheld": "不予公开",
    "unable": "无法提供",
    "not_processed": "不予处理",
    "other": "其他处理",
}

# row key (without "applications.") → (legal basis cited in the reply, standard reply paragraph)
_BASIS: dict[str, tuple[str, str]] = {
    "granted": (
        "《中华人民共和国政府信息公开条例》第三十六条第（二）项",
        "经审查，您申请获取的政府信息属于公开范围，现予以公开，具体获取方式见下文。",
    ),
    "partial": (
        "《中华人民共和国政府信息公开条例》第三十七条",
        "经审查，您申请获取的政府信息中含有不应当公开的内容，但能够作区分处理，现向您提供可以公开的部分，"
        "不予公开部分的理由见下文。",
    ),
    "withheld.state_secret": (
        "《中华人民共和国政府信息公开条例》第十四条、第三十六条第（三）项",
        "经审查，您申请获取的政府信息依法确定为国家秘密，不予公开。",
    ),
    "withheld.law_prohibited": (
        "《中华人民共和国政府信息公开条例》第十四条、第三十六条第（三）项",
        "经审查，您申请获取的政府信息属于法律、行政法规禁止公开的政府信息，不予公开。",
    ),
    "withheld.security_stability": (
        "《中华人民共和国政府信息公开条例》第十四条、第三十六条第（三）项",
        "经审查，您申请获取的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定，不予公开。",
    ),
    "withheld.third_party": (
        "《中华人民共和国政府信息公开条例》第十五条、第三十二条、第三十六条第（三）项",
        "经审查，您申请获取的政府信息涉及商业秘密、个人隐私等公开会对第三方合法权益造成损害，不予公开。",
    ),
    "withheld.internal_affairs": (
        "《中华人民共和国政府信息公开条例》第十六条第一款、第三十六条第（三）项",
        "经审查，您申请获取的信息属于人事管理、后勤管理、内部工作流程等内部事务信息，可以不予公开。",
    ),
    "withheld.process_info": (
        "《中华人民共和国政府信息公开条例》第十六条第二款、第三十六条第（三）项",
        "经审查，您申请获取的信息属于行政机关在履行行政管理职能过程中形成的过程性信息，可以不予公开。",
    ),
    "withheld.enforcement_file": (
        "《中华人民共和国政府信息公开条例》第十六条第二款、第三十六条第（三）项",
        "经审查，您申请获取的信息属于行政执法案卷信息，可以不予公开。",
    ),
    "withheld.query_matter": (
        "《中华人民共和国政府信息公开条例》第三十六条第（七）项",
        "经审查，您申请获取的信息属于工商、不动产登记资料等有关法律、行政法规对信息的获取有特别规定的情形，"
        "请按照有关法律、行政法规的规定办理。",
    ),
    "unable.not_held": (
        "《中华人民共和国政府信息公开条例》第三十六条第（四）项、第（五）项",
        "经检索查找，本机关未制作、获取您申请的政府信息，该政府信息不存在或不属于本机关负责公开。",
    ),
    "unable.needs_creation": (
        "《中华人民共和国政府信息公开条例》第三十八条",
        "您申请的信息需要本机关对现有政府信息进行加工、分析，本机关可以不予提供。",
    ),
    "unable.unclear": (
        "《中华人民共和国政府信息公开条例》第三十条",
        "经补正后，您的申请内容仍不明确，本机关无法确定所需政府信息，无法提供。",
    ),
    "not_processed.petition": (
        "《中华人民共和国政府信息公开条例》第三十九条第一款",
        "您以政府信息公开申请的形式进行信访、投诉、举报等活动，本机关不作为政府信息公开申请处理，请通过相应渠道提出。",
    ),
    "not_processed.duplicate": (
        "《中华人民共和国政府信息公开条例》第三十六条第（六）项",
        "本机关已就您申请公开的同一政府信息作出答复，您重复申请公开相同政府信息，本机关不予重复处理。",
    ),
    "not_processed.publication": (
        "《中华人民共和国政府信息公开条例》第三十九条第二款",
        "您申请的是政府公报、报刊、书籍等公开出版物，请通过相应渠道获取。",
    ),
    "not_processed.vexatious": (
        "《中华人民共和国政府信息公开条例》第三十五条",
        "您申请公开政府信息的数量、频次明显超过合理范围，且说明的理由不合理，本机关不予处理。",
    ),
    "not_processed.confirmation": (
        "《中华人民共和国政府信息公开条例》第三十九条",
        "您要求本机关确认或者重新出具已获取的信息，不属于政府信息公开申请，本机关不予处理。",
    ),
    "other.no_correction": (
        "《中华人民共和国政府信息公开条例》第三十条",
        "您无正当理由逾期未补正，视为放弃申请，本机关不再处理该政府信息公开申请。",
    ),
    "other.no_fee": (
        "《政府信息公开信息处理费管理办法》",
        "您逾期未按收费通知要求缴纳信息处理费，视为放弃申请，本机关不再处理该政府信息公开申请。",
    ),
    "other.other": (
        "《中华人民共和国政府信息公开条例》",
        "本申请已按其他方式处理（如申请人撤回申请），具体情况见下文。",
    ),
}


@dataclass(frozen=True, slots=True)
class Outcome:
    key: str  # row key without the "applications." prefix, e.g. "withheld.third_party"
    label: str  # the statutory row label
    group: str  # group label (不予公开 …) or "" for 予以公开 / 部分公开
    basis: str
    reply: str

    @property
    def row_key(self) -> str:
        return f"applications.{self.key}"

    @property
    def full_label(self) -> str:
        return f"{self.group}：{self.label}" if self.group else self.label


@cache
def outcomes() -> tuple[Outcome, ...]:
    """Every outcome category, in table order, from the casework format's table 三."""
    table = get_format(CASE_FORMAT).table("applications")
    out: list[Outcome] = []
    for row in table.rows:
        if row.parent not in _RESULT_PARENTS or row.optional or row.key.endswith("results_total"):
            continue
        key = row.key.removeprefix("applications.")
        if key not in _BASIS:
            raise KeyError(f"no legal basis recorded for outcome {key}")
        basis, reply = _BASIS[key]
        out.append(Outcome(key, row.labels[0], _GROUP_LABELS.get(row.parent or "", ""), basis, reply))
    return tuple(out)


def outcome(key: str) -> Outcome:
    for o in outcomes():
        if o.key == key:
            return o
    raise KeyError(f"未知的办理结果类别：{key}")


@cache
def applicant_types() -> tuple[tuple[str, str], ...]:
    """(column id, label) for the six applicant columns of table 三 (总计 left out)."""
    table = get_format(CASE_FORMAT).table("applications")
    return tuple((c.id, c.labels[0]) for c in table.columns if c.id != "total")


APPLICANT_TYPES = applicant_types
