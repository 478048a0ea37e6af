"""Excel (.xlsx) exports, built with openpyxl from the same figures the page and the API show."""

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _t
from openpyxl import Workbook
from openpyxl.styles import Font

from cases.core.models import WarningLevel


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _header(sheet, *titles) -> None:
    sheet.append([str(t) for t in titles])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def dashboard_workbook(figures: dict) -> bytes:
    book = Workbook()
    period = figures["period"]

    sheet = book.active
    sheet.title = _t("考核指标")
    sheet.append([_t("统计期间"), f"{period.start} — {period.end}"])
    _header(sheet, _t("指标"), _t("数值（%）"), _t("分子"), _t("分母"))
    for row in figures["measures"]:
        sheet.append(
            [
                row["label"],
                row["value"] if not row["pending"] else _t("待接入"),
                row["numerator"],
                row["denominator"],
            ]
        )
    sheet.append([_t("协议涉及金额（元）"), float(figures["money_covered"])])

    sheet = book.create_sheet(_t("等级×渠道"))
    _header(sheet, _t("预警等级"), *figures["by_channel"]["columns"], _t("合计"))
    for row in figures["by_channel"]["rows"]:
        sheet.append([row["label"], *row["cells"], row["total"]])

    sheet = book.create_sheet(_t("按中心"))
    _header(sheet, _t("中心"), *[WarningLevel(level).label for level in (4, 3, 2, 1)], _t("在办合计"))
    for row in figures["by_center"]:
        sheet.append([row["center"], *row["levels"], row["total"]])

    sheet = book.create_sheet(_t("红橙预警"))
    _header(sheet, _t("案号"), _t("预警等级"), _t("承办中心"), _t("响应期限"), _t("办理期限"))
    for case in figures["red_orange"]:
        sheet.append(
            [
                case.number,
                case.get_warning_level_display(),
                case.center.name,
                _fmt(case.response_due_at),
                _fmt(case.due_at),
            ]
        )

    sheet = book.create_sheet(_t("逾期"))
    _header(sheet, _t("类别"), _t("案号"), _t("期限"))
    for case in figures["overdue_cases"]:
        sheet.append([_t("逾期案件"), case.number, _fmt(case.due_at)])
    for order in figures["overdue_orders"]:
        sheet.append([_t("逾期督办单"), order.case.number, _fmt(order.deadline)])

    sheet = book.create_sheet(_t("近30日"))
    _header(sheet, _t("日期"), _t("登记"), _t("化解"))
    for day in figures["series"]:
        sheet.append([day["day"].isoformat(), day["registered"], day["resolved"]])

    out = BytesIO()
    book.save(out)
    return out.getvalue()
