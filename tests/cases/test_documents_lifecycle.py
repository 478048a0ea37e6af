"""The lifecycle's PDFs: text extracted with pypdf shows the Chinese content and the case number."""

import io

import pytest
from pypdf import PdfReader

from cases.documents.lifecycle import (
    DocumentNotAvailable,
    build_agreement_pdf,
    build_case_file_pdf,
    build_termination_notice_pdf,
)
from cases.lifecycle import services
from tests.cases.lifecycle_helpers import *  # noqa: F403
from tests.cases.lifecycle_helpers import draft


def text_of(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def test_agreement_pdf_reads_like_the_real_document(closed_case):
    text = text_of(build_agreement_pdf(closed_case))
    assert "人民调解协议书" in text
    assert closed_case.number in text
    for expected in (
        "纠纷的主要事实",
        "李四拖欠张三工资人民币三万元",
        "争议事项",
        "各方当事人的责任",
        "第1条",
        "李四向张三支付工资人民币两万元",
        "履行方式：银行转账",
        "第2条",
        "申请人（签名）",
        "被申请人（签名）",
        "人民调解员（签名）",
        "测试县矛调中心（印章）",
        "一式3份，当事人各执一份，调解组织留存一份",
        "三十日内共同向人民法院申请司法确认",
        "生效日期",
    ):
        assert expected in text, expected
    assert "11010519491231002X" not in text and "110105********002X" in text


def test_draft_agreement_prints_blank_signature_lines(mediating_case, mediator):
    draft(mediating_case, mediator)
    text = text_of(build_agreement_pdf(mediating_case))
    assert "人民调解协议书" in text and mediating_case.number in text
    assert "生效日期" not in text and "已签名" not in text


def test_termination_notice_pdf_states_why_and_the_routes(failed_case):
    text = text_of(build_termination_notice_pdf(failed_case))
    assert "终止调解通知书" in text and failed_case.number in text
    assert "被申请人不同意任何支付方案" in text
    assert "第二十六条" in text
    assert "申请仲裁" in text and "向人民法院提起诉讼" in text
    assert "申请行政处理" not in text


def test_case_file_bundles_receipt_sessions_agreement_evaluation_and_timeline(closed_case):
    text = text_of(build_case_file_pdf(closed_case))
    assert "人民调解卷宗" in text and closed_case.number in text
    for expected in (
        "受理登记",
        closed_case.tracking_code,
        "拖欠工资",
        "第1次调解",
        "双方陈述了欠薪经过",
        "人民调解协议书",
        "案件评估",
        "处理得当，文书齐全",
        "结案小结",
        "办理时间线",
        "登记受理",
        "结案",
        "达成书面调解协议",
    ):
        assert expected in text, expected


def test_documents_that_do_not_exist_are_refused(mediating_case):
    with pytest.raises(DocumentNotAvailable):
        build_agreement_pdf(mediating_case)
    with pytest.raises(DocumentNotAvailable):
        build_termination_notice_pdf(mediating_case)
    with pytest.raises(DocumentNotAvailable):
        build_case_file_pdf(mediating_case)


def test_case_file_of_a_failed_case_carries_the_notice(failed_case, supervisor, mediator):
    services.evaluate_case(
        failed_case,
        actor=supervisor,
        outcome_correct=True,
        documents_complete=True,
        on_time=False,
        comment="超期",
    )
    case = services.close_case(failed_case, actor=mediator, summary="调解不成，已告知诉讼途径。")
    text = text_of(build_case_file_pdf(case))
    assert "终止调解通知书" in text and "调解不成，已告知诉讼途径" in text
