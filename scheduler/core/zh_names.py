"""Chinese names of the fixed vocabularies, for spreadsheets and printed notices: the words
coordinators write in their Excel files and read on a bulletin board."""
from __future__ import annotations

ROLE_ZH = {
    "lawyer": "律师",
    "trainee_lawyer": "实习律师",
    "notary": "公证员",
    "mediator": "人民调解员",
    "forensic_expert": "司法鉴定人",
    "grassroots_worker": "基层法律服务工作者",
    "legal_promoter": "法治宣传员",
    "volunteer": "志愿者",
}
ROLE_EN = {
    "lawyer": "lawyer",
    "trainee_lawyer": "trainee lawyer",
    "notary": "notary",
    "mediator": "mediator",
    "forensic_expert": "forensic expert",
    "grassroots_worker": "grassroots legal worker",
    "legal_promoter": "legal promoter",
    "volunteer": "volunteer",
}
SITE_KIND_ZH = {
    "village": "村（社区）",
    "window": "司法所窗口",
    "square": "广场",
    "centre": "公共法律服务中心",
    "station": "法律援助工作站",
}
SLOT_KIND_ZH = {"visit": "走访", "event": "广场活动", "shift": "值班"}
RULE_KIND_ZH = {"available": "可服务", "undesired": "尽量不排"}
WEEKDAY_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
WEEKDAY_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def roles_zh(roles: list[str] | tuple[str, ...]) -> str:
    return "、".join(ROLE_ZH.get(r, r) for r in roles)
