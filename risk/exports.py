"""The 研判 page as an Excel workbook (openpyxl), from the same figures the page shows."""

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Font

from cases.core.models import WarningLevel


def _header(sheet, *titles) -> None:
    sheet.append([str(t) for t in titles])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def board_workbook(figures: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = gettext("风险信号")
    _header(
        sheet,
        gettext("等级"),
        gettext("类别"),
        gettext("标题"),
        gettext("研判依据"),
        gettext("状态"),
        gettext("所属中心"),
        gettext("案件数"),
        gettext("承办人"),
        gettext("最近检测"),
    )
    for s in figures["signals"]:
        sheet.append(
            [
                str(WarningLevel(s.level).label),
                str(s.get_kind_display()),
                s.title,
                s.explanation,
                str(s.get_state_display()),
                s.center.name,
                s.n_cases,
                str(s.assignee or ""),
                _fmt(s.last_detected_at),
            ]
        )
    grid = figures["grid"]
    sheet = book.create_sheet(gettext("热力网格"))
    _header(
        sheet,
        gettext("乡镇"),
        gettext("纠纷类型"),
        gettext("近7日"),
        gettext("近30日"),
        gettext("基线（件/周）"),
        gettext("升幅（倍于基线）"),
    )
    for c in grid["cells"]:
        sheet.append(
            [grid["towns"][c["y"]], grid["types"][c["x"]], c["k7"], c["k30"], c["baseline"], c["rise"]]
        )
    sheet = book.create_sheet(gettext("重点被申请人"))
    _header(sheet, gettext("被申请人"), gettext("在办件数"))
    for r in figures["respondents"]:
        sheet.append([r.name, r.open_count])
    sheet = book.create_sheet(gettext("群体性事件苗头"))
    _header(
        sheet,
        gettext("地点"),
        gettext("集体访"),
        gettext("群体性事件风险"),
        gettext("越级上访"),
        gettext("重复访"),
        gettext("合计"),
    )
    for p in figures["groups"]["places"]:
        sheet.append([p["name"], p["group"], p["mass"], p["upward"], p["repeat"], p["total"]])
    _header(
        sheet,
        gettext("反复来访人员（已脱敏）"),
        gettext("证件号"),
        gettext("电话"),
        gettext("案件数"),
        gettext("地点"),
    )
    for p in figures["groups"]["people"]:
        sheet.append([p["name"], p["id_number"], p["phone"], p["count"], p["places"]])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
