"""Service points and the work they generate: the district centre and its windows,
township windows, legal-aid stations, squares with their weekend events, and villages'
visit requests."""
from __future__ import annotations

import random
from datetime import date, time, timedelta

from scheduler.demo.geography import scatter
from scheduler.demo.model import (
    DemandLine,
    District,
    ShiftTemplate,
    Site,
    SquareEvent,
    TimeWindow,
    Township,
    VisitRequest,
)

AM = (time(8, 30), time(12, 0))
PM = (time(13, 30), time(17, 0))
LAWYER = DemandLine(("lawyer",), 1)
WINDOW_WORKER = DemandLine(("lawyer", "grassroots_worker"), 1)

# suffix, name, demand, priority, open on Saturday morning
CENTRE_WINDOWS = (
    ("CW1", "法律援助窗口", LAWYER, 4, True),
    ("CW2", "公证窗口", DemandLine(("notary",), 1), 3, True),
    ("CW3", "人民调解窗口", DemandLine(("mediator",), 1), 3, True),
    ("CW4", "值班律师窗口", LAWYER, 4, False),
)
# suffix, host, weekly (weekday, half-day) openings, skills the station's lawyer needs
STATIONS = (
    ("S1", "人民法院", ((0, "am"), (1, "am"), (2, "am"), (3, "am"), (4, "am")), ()),
    ("S2", "看守所", ((1, "am"), (3, "am")), ("criminal",)),
    ("S3", "总工会", ((2, "pm"),), ("labour",)),
    ("S4", "妇女联合会", ((3, "pm"),), ("family",)),
)

EVENT_TITLES = ("民法典宣传进广场", "法律服务进万家", "以案释法·防范电信网络诈骗",
                "劳动者权益保护咨询日", "老年人权益保障法律咨询", "宪法宣传周广场服务",
                "平安建设法治宣传", "未成年人保护法律宣传")
TOPICS = {
    "consultation": ("土地承包经营权流转咨询", "婚姻家庭与继承法律咨询", "劳动合同与欠薪维权咨询",
                     "民法典进村宣讲与咨询", "征地拆迁补偿政策解读", "防范电信网络诈骗法律讲座",
                     "老年人权益保障咨询", "宅基地使用权咨询"),
    "legal_opinion": ("村规民约合法性审查", "村集体经济合同审查", "村级工程招投标合同审查",
                      "集体土地租赁协议审查", "村务重大决策法律意见"),
    "mediation": ("邻里宅基地边界纠纷调解", "赡养老人家庭纠纷调解", "土地承包合同纠纷调解",
                  "山林权属纠纷调解", "拖欠工程款纠纷调解", "交通事故赔偿纠纷调解"),
}


def _half(half_day: str) -> tuple[time, time]:
    return AM if half_day == "am" else PM


def stem(name: str) -> str:
    """鄞州区 -> 鄞州, 邱隘镇 -> 邱隘, 中河街道 -> 中河."""
    for suffix in ("街道", "镇", "乡", "区", "市", "县"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def centre_sites(rng: random.Random, d: District, compact: bool):
    """The district centre, its windows (same place) and, unless compact (the tiny test
    world), its duty-lawyer window, Saturday mornings and legal-aid stations."""
    lat, lon = scatter(rng, d.lat, d.lon, 1.5)
    centre_name = f"{d.name}公共法律服务中心"
    sites = [Site(f"{d.prefix}-C", d.code, None, "centre", centre_name, lat, lon)]
    templates = []
    for suffix, label, line, priority, saturday in CENTRE_WINDOWS:
        if compact and suffix == "CW4":
            continue
        sid = f"{d.prefix}-{suffix}"
        sites.append(Site(sid, d.code, None, "window", centre_name + label, lat, lon))
        for day in range(5):
            for start, end in (AM, PM):
                if compact and end == PM[1] and day not in (1, 3):
                    continue  # a small centre opens afternoons on Tuesday and Thursday only
                templates.append(ShiftTemplate(sid, day, start, end, priority, (line,)))
        if saturday and not compact:
            templates.append(ShiftTemplate(sid, 5, time(9), time(12), priority, (line,)))
    if not compact:
        for suffix, host, openings, skills in STATIONS:
            sid = f"{d.prefix}-{suffix}"
            slat, slon = scatter(rng, d.lat, d.lon, 5.0, 1.0)
            sites.append(Site(sid, d.code, None, "station", f"{d.name}{host}法律援助工作站",
                              slat, slon))
            for day, half in openings:
                templates.append(ShiftTemplate(sid, day, *_half(half), 3,
                                               (DemandLine(("lawyer",), 1, skills),)))
    return sites, templates


def township_window(rng: random.Random, d: District, t: Township, number: int):
    """A township's window: every weekday morning; streets, being busier, also on Tuesday
    and Thursday afternoons; towns and rural townships also on Wednesday afternoons."""
    sid = f"{d.prefix}-W{number:02d}"
    lat, lon = scatter(rng, t.lat, t.lon, 0.5)
    site = Site(sid, d.code, t.code, "window", f"{t.name}公共法律服务工作站窗口", lat, lon)
    openings = [(day, "am") for day in range(5)]
    openings += [(1, "pm"), (3, "pm")] if t.urban else [(2, "pm")]
    templates = [ShiftTemplate(sid, day, *_half(half), 2 if half == "am" else 1,
                               (WINDOW_WORKER,)) for day, half in openings]
    return site, templates


def squares(rng: random.Random, d: District, townships: list[Township], count: int) -> list[Site]:
    urban = [t for t in townships if t.urban] or townships
    out = []
    for k in range(count):
        t = urban[rng.randrange(len(urban))]
        name = f"{d.name}市民广场" if k == 0 else f"{stem(t.name)}文化广场"
        lat, lon = scatter(rng, t.lat, t.lon, 1.0)
        out.append(Site(f"{d.prefix}-Q{k + 1}", d.code, t.code, "square", name, lat, lon))
    return out


def square_events(rng: random.Random, d: District, squares_: list[Site], first_monday: date,
                  weeks: int, per_weekend: tuple[int, ...]) -> list[SquareEvent]:
    """One or two outreach events per weekend; the trainee line needs a lawyer alongside."""
    out = []
    for w in range(weeks):
        monday = first_monday + timedelta(weeks=w)
        year, week, _ = monday.isocalendar()
        used = set()
        for n in range(rng.choice(per_weekend)):
            day = monday + timedelta(days=rng.choice((5, 5, 5, 6)))
            start, end = rng.choice(((time(9), time(11, 30)), (time(14), time(16, 30))))
            site = rng.choice(squares_)
            if (site.external_id, day, start) in used:
                continue
            used.add((site.external_id, day, start))
            lines = [DemandLine(("lawyer",), 2)]
            if rng.random() < 0.5:
                lines.append(DemandLine(("lawyer",), 1, (rng.choice(("labour", "family")),)))
            if rng.random() < 0.6:
                lines.append(DemandLine(("notary",), 1))
            lines += [DemandLine(("mediator",), 2),
                      DemandLine(("volunteer", "legal_promoter"), rng.choice((2, 3, 4))),
                      DemandLine(("trainee_lawyer",), 1)]
            out.append(SquareEvent(f"{d.prefix}-E{year % 100:02d}{week:02d}-{n + 1}",
                                   site.external_id, rng.choice(EVENT_TITLES), day, start,
                                   end, 4, tuple(lines)))
    return out


def visit_requests(rng: random.Random, d: District, villages: list[Site], first_monday: date,
                   weeks: int, per_week: int) -> list[VisitRequest]:
    """Villages asking for a visit (及时): 2-4 acceptable half-days, best first."""
    out = []
    for w in range(weeks):
        monday = first_monday + timedelta(weeks=w)
        year, week, _ = monday.isocalendar()
        for n in range(max(1, round(per_week * rng.uniform(0.7, 1.3)))):
            village = villages[rng.randrange(len(villages))]
            kind = rng.choices(("consultation", "legal_opinion", "mediation"), (5, 2, 3))[0]
            halves = rng.sample([(day, h) for day in range(5) for h in ("am", "pm")],
                                rng.choice((2, 3, 3, 4)))
            windows = []
            for day, h in halves:
                start = time(9) if h == "am" else time(14)
                end = time(11, 30) if h == "am" else time(rng.choice((16, 17)), 0)
                windows.append(TimeWindow(monday + timedelta(days=day), start, end))
            people = {"consultation": rng.randint(5, 40), "legal_opinion": rng.randint(1, 5),
                      "mediation": rng.randint(2, 8)}[kind]
            out.append(VisitRequest(
                f"{d.prefix}-R{year % 100:02d}{week:02d}-{n + 1:02d}", village.external_id,
                rng.choice(TOPICS[kind]), kind, people, tuple(windows),
                "urgent" if rng.random() < 0.15 else "normal",
                rng.choices(("web", "phone", "in_person"), (5, 4, 1))[0],
                monday - timedelta(days=rng.randint(1, 6))))
    return out
