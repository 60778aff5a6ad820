"""What can be wrong with an import file: one `CellError` per bad cell (or row, or file),
each with a machine code and its parameters. The web layer words the codes in the reader's
language; `describe` gives the command line's Chinese / English text."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CellError:
    """A problem at a place in the file. `row` is the spreadsheet row number (the header is
    usually row 1); `column` the column letter (A, B, ...), `header` its heading as written.
    File-level problems have neither row nor column."""

    sheet: str
    row: int | None
    column: str | None
    header: str | None
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def place(self) -> str:
        """Sheet!C5 (heading), as a spreadsheet user reads a cell address."""
        where = self.sheet
        if self.row is not None:
            where += f"!{self.column or ''}{self.row}"
        elif self.column:
            where += f"!{self.column}1"
        if self.header:
            where += f" ({self.header})"
        return where


class UnreadableValue(ValueError):
    """A cell value that cannot be read; raised by the parsers, turned into a CellError."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# Code -> (Chinese, English); placeholders are the error's params.
WORDING: dict[str, tuple[str, str]] = {
    "unreadable": ("无法读取文件：请上传 .xlsx 或 .csv 文件", "cannot read the file: upload an .xlsx or .csv file"),
    "old_excel": ("这是旧版 .xls 文件：请在 Excel 中另存为 .xlsx 后再上传",
                  "this is an old .xls file: save it as .xlsx in Excel and upload that"),
    "bad_encoding": ("CSV 文件编码无法识别：请保存为 UTF-8", "the CSV file's encoding is unknown: save it as UTF-8"),
    "empty": ("文件中没有数据行", "the file has no data rows"),
    "too_many_rows": ("行数过多：每个文件最多 {limit} 行（读到此处停止）",
                      "too many rows: a file holds at most {limit} (reading stopped here)"),
    "too_many_columns": ("第 {column} 列超出范围：每行最多 {limit} 列（到 {last} 列），请删除右侧多余的内容",
                         "column {column} is out of range: a row has at most {limit} columns (up to {last}); "
                         "delete what lies further right"),
    "line_too_long": ("第 {row} 行过长（超过 {limit} 个字符）", "line {row} is too long (more than {limit} characters)"),
    "too_large": ("文件过大：最多 {limit} MB", "the file is too large: at most {limit} MB"),
    "too_many_parts": ("文件包含的部件过多（超过 {limit} 个），不是正常的 Excel 文件",
                       "the file holds too many parts (more than {limit}) for an Excel workbook"),
    "unpacked_too_large": ("文件解压后过大（超过 {limit} MB）：请删除不需要的工作表或格式后再上传",
                           "the file is too large once unpacked (more than {limit} MB): remove sheets or formatting "
                           "you do not need"),
    "zip_bomb": ("文件压缩比异常（超过 {ratio} 倍），疑似压缩炸弹，已拒绝",
                 "the file is packed more than {ratio} times tighter than a workbook ever is: refused as a possible "
                 "zip bomb"),
    "xml_entities": ("文件含有 XML 实体或文档类型声明（DOCTYPE），出于安全原因拒绝读取：请在 Excel 中另存为 .xlsx",
                     "the file declares XML entities or a document type (DOCTYPE), which are refused for safety: "
                     "save it again as .xlsx in Excel"),
    "unknown_kind": ("无法判断文件内容类型：请选择导入类型（人员、地点、每周时间或结对）",
                     "cannot tell what the file holds: choose the kind (people, sites, availability or pairings)"),
    "unknown_column": ("无法识别的列标题“{header}”", "unknown column heading \"{header}\""),
    "duplicate_column": ("列标题“{header}”重复出现", "the column heading \"{header}\" appears twice"),
    "missing_column": ("缺少必填列“{column}”", "the required column \"{column}\" is missing"),
    "required": ("必填，不能为空", "required: must not be empty"),
    "too_long": ("过长：最多 {max} 个字符", "too long: at most {max} characters"),
    "not_a_number": ("不是数字：“{value}”", "not a number: \"{value}\""),
    "not_an_integer": ("不是整数：“{value}”", "not a whole number: \"{value}\""),
    "out_of_range": ("应在 {min} 到 {max} 之间：“{value}”", "must be between {min} and {max}: \"{value}\""),
    "bad_phone": ("电话号码只能包含数字、空格、+、- 和括号：“{value}”",
                  "a phone number holds digits, spaces, +, - and brackets only: \"{value}\""),
    "bad_email": ("不是有效的电子邮箱：“{value}”", "not an email address: \"{value}\""),
    "bad_id": ("编号不能含空格：“{value}”", "an id must not contain spaces: \"{value}\""),
    "unknown_role": ("未知角色“{value}”，可用：{choices}", "unknown role \"{value}\"; use one of: {choices}"),
    "unknown_skill": ("未知专长“{value}”：请填写专长的代码、中文名或英文名，或先在专长页面添加",
                      "unknown skill \"{value}\": write a skill's code, Chinese or English name, or add it on "
                      "the skills page first"),
    "bad_choice": ("无法识别“{value}”，可用：{choices}", "\"{value}\" is not one of: {choices}"),
    "bad_weekday": ("不是星期几：“{value}”（可写 周一 至 周日，或 1 至 7）",
                    "not a weekday: \"{value}\" (write Mon to Sun, or 1 to 7)"),
    "bad_time": ("不是时间：“{value}”（格式 09:00）", "not a time of day: \"{value}\" (write 09:00)"),
    "bad_date": ("不是日期：“{value}”（格式 2026-03-02）", "not a date: \"{value}\" (write 2026-03-02)"),
    "duplicate_id": ("编号“{value}”重复，已在第 {first_row} 行出现", "the id \"{value}\" already appears in row {first_row}"),
    "duplicate_row": ("与第 {first_row} 行完全相同", "the same as row {first_row}"),
    "unknown_district": ("没有名为“{value}”的区县", "no district named \"{value}\""),
    "other_district": ("“{value}”不是本次导入的区县（{district}）",
                       "\"{value}\" is not the district of this import ({district})"),
    "id_in_other_district": ("编号“{value}”已属于其他区县", "the id \"{value}\" belongs to another district"),
    "unknown_township": ("本区县没有名为“{value}”的镇（街道）", "no township \"{value}\" in this district"),
    "unknown_organisation": ("本区县没有名为或编号为“{value}”的机构",
                             "no organisation named or numbered \"{value}\" in this district"),
    "unknown_person": ("本区县没有编号为“{value}”的人员", "no person with the id \"{value}\" in this district"),
    "unknown_village": ("本区县没有编号为“{value}”的村（社区）", "no village with the id \"{value}\" in this district"),
    "not_a_village": ("“{value}”不是村（社区），而是{kind}", "\"{value}\" is not a village but a {kind}"),
    "kind_changed": ("地点“{value}”已登记为{old}，不能通过导入改为{new}",
                     "the site \"{value}\" is a {old}; an import cannot make it a {new}"),
    "end_before_start": ("结束时间应晚于开始时间", "the end must come after the start"),
    "valid_to_before_from": ("有效期止应不早于有效期起", "valid until must not come before valid from"),
    "overlap": ("与第 {other_row} 行的时间重叠", "overlaps the time in row {other_row}"),
    "target_above_max": ("目标小时数超过每周最多小时数（{max}）", "the target hours exceed the weekly maximum ({max})"),
    "rhythm_incomplete": ("定时来访需同时填写：{columns}", "a visit rhythm needs all of: {columns}"),
    "inactive_person": ("人员“{value}”已停用，不能结对", "\"{value}\" is deactivated and cannot be paired"),
    "not_a_lawyer": ("“{value}”不是律师，不能担任村法律顾问", "\"{value}\" is not a lawyer and cannot advise a village"),
    "person_other_district": ("人员“{value}”与该村不在同一区县", "\"{value}\" works in another district than the village"),
    "excluded_site": ("“{value}”与该村存在利益冲突（{reason}）",
                      "\"{value}\" has a conflict of interest with this village ({reason})"),
    "too_many_villages": ("“{value}”最多结对 {max} 个村，导入后将有 {count} 个",
                          "\"{value}\" advises at most {max} villages; this import would make {count}"),
    "before_current": ("开始日期早于现任顾问的开始日期（{current}）",
                       "the start date is before the current adviser's ({current})"),
}


def describe(error: CellError, language: str = "both") -> str:
    """The error's text: "zh", "en" or "both" ("<Chinese> / <English>")."""
    zh, en = WORDING.get(error.code, (error.code, error.code))
    params = {k: _text(v) for k, v in error.params.items()}
    try:
        zh, en = zh.format(**params), en.format(**params)
    except (KeyError, IndexError):
        pass
    return {"zh": zh, "en": en}.get(language, f"{zh} / {en}")


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


class ImportRefused(Exception):
    """The whole file is refused: nothing was written. `errors` lists every problem."""

    def __init__(self, errors: list[CellError]) -> None:
        super().__init__(f"{len(errors)} problems in the file")
        self.errors = errors
