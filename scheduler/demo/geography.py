"""Where things are: Ningbo's ten districts and counties with their townships and streets,
and generated villages and communities placed around them.

District centres are the real seats of government (rounded); townships are real names,
placed around the centre by a seeded draw (streets close in, towns further out), since the
demo needs plausible distances, not a survey.
"""
from __future__ import annotations

import math
import random

# Ningbo's land area, a little generous: every generated coordinate is clamped into it.
LAT_MIN, LAT_MAX = 28.85, 30.45
LON_MIN, LON_MAX = 120.90, 122.30

# code, id prefix, name, seat lat/lon (government), territory centre lat/lon, radius km,
# villages and people in the "city" world. Streets gather round the seat, towns round the
# territory's middle, so neighbouring districts do not pile onto one another.
DISTRICTS = (
    ("330203", "HS", "海曙区", 29.8597, 121.5510, 29.830, 121.400, 16, 300, 3000),
    ("330205", "JB", "江北区", 29.8867, 121.5550, 29.930, 121.520, 9, 150, 2000),
    ("330211", "ZH", "镇海区", 29.9490, 121.7160, 29.965, 121.630, 9, 110, 1400),
    ("330206", "BL", "北仑区", 29.8990, 121.8440, 29.860, 121.920, 14, 230, 2300),
    ("330212", "YZ", "鄞州区", 29.8166, 121.5469, 29.730, 121.650, 15, 300, 3200),
    ("330213", "FH", "奉化区", 29.6550, 121.4070, 29.610, 121.390, 18, 360, 2200),
    ("330281", "YY", "余姚市", 30.0370, 121.1550, 29.980, 121.180, 20, 300, 2800),
    ("330282", "CX", "慈溪市", 30.1700, 121.2660, 30.200, 121.300, 18, 350, 3300),
    ("330226", "NH", "宁海县", 29.2880, 121.4300, 29.300, 121.450, 20, 400, 2300),
    ("330225", "XS", "象山县", 29.4770, 121.8690, 29.400, 121.850, 16, 500, 2500),
)

TOWNSHIPS = {
    "330203": "鼓楼街道 南门街道 西门街道 江厦街道 月湖街道 白云街道 段塘街道 望春街道 石碶街道 "
              "高桥镇 集士港镇 古林镇 横街镇 鄞江镇 洞桥镇 章水镇 龙观乡",
    "330205": "中马街道 白沙街道 孔浦街道 文教街道 甬江街道 庄桥街道 洪塘街道 慈城镇",
    "330211": "招宝山街道 蛟川街道 骆驼街道 庄市街道 贵驷街道 澥浦镇 九龙湖镇",
    "330206": "新碶街道 小港街道 大碶街道 霞浦街道 柴桥街道 戚家山街道 春晓街道 梅山街道 "
              "大榭街道 白峰街道",
    "330212": "中河街道 首南街道 钟公庙街道 下应街道 潘火街道 白鹤街道 百丈街道 东胜街道 "
              "明楼街道 福明街道 东柳街道 东郊街道 新明街道 邱隘镇 五乡镇 云龙镇 东吴镇 "
              "横溪镇 姜山镇 塘溪镇 咸祥镇 瞻岐镇",
    "330213": "锦屏街道 岳林街道 江口街道 西坞街道 萧王庙街道 方桥街道 溪口镇 莼湖镇 尚田镇 "
              "大堰镇 松岙镇 裘村镇",
    "330281": "凤山街道 兰江街道 梨洲街道 阳明街道 低塘街道 朗霞街道 马渚镇 牟山镇 陆埠镇 "
              "丈亭镇 三七市镇 河姆渡镇 大隐镇 梁弄镇 大岚镇 四明山镇 鹿亭乡 临山镇 黄家埠镇 "
              "小曹娥镇 泗门镇",
    "330282": "浒山街道 古塘街道 白沙路街道 坎墩街道 宗汉街道 逍林镇 新浦镇 胜山镇 横河镇 "
              "掌起镇 观海卫镇 附海镇 桥头镇 匡堰镇 长河镇 周巷镇 天元镇 崇寿镇 龙山镇 庵东镇",
    "330226": "跃龙街道 桃源街道 梅林街道 桥头胡街道 长街镇 力洋镇 一市镇 岔路镇 前童镇 "
              "黄坛镇 大佳何镇 强蛟镇 西店镇 深甽镇 胡陈乡 茶院乡 越溪乡 桑洲镇",
    "330225": "丹东街道 丹西街道 爵溪街道 石浦镇 西周镇 鹤浦镇 贤庠镇 墙头镇 泗洲头镇 定塘镇 "
              "涂茨镇 大徐镇 新桥镇 东陈乡 晓塘乡 黄避岙乡 茅洋乡 高塘岛乡",
}

_VILLAGE_FIRST = "上下东西南北前后大小新老高长石横湾塘桥山溪河岙岭洋沙马龙凤梅桃竹松金白青黄"
_VILLAGE_SECOND = "桥湾塘头岙岭山溪浦港河园庄田坑墩埠池洋口门堰岸林亭湖江里阳"
_CLAN = "陈王张李徐周吴林胡俞朱杨金应孙毛邬叶沈蒋董史戴竺虞翁鲍励忻乐舒袁邵"
_COMMUNITY_FIRST = "和丰安康泰华兴嘉锦福瑞景明春惠宁文育新东南江湖月"
_COMMUNITY_SECOND = "苑园庭城居湾府里苑家邻桥"


def clamp(lat: float, lon: float) -> tuple[float, float]:
    return (round(min(max(lat, LAT_MIN), LAT_MAX), 6), round(min(max(lon, LON_MIN), LON_MAX), 6))


def offset(lat: float, lon: float, km_north: float, km_east: float) -> tuple[float, float]:
    """Move by a few km; an equirectangular step is exact enough at this scale."""
    dlat = km_north / 111.2
    dlon = km_east / (111.2 * math.cos(math.radians(lat)))
    return clamp(lat + dlat, lon + dlon)


def scatter(rng: random.Random, lat: float, lon: float, max_km: float, min_km: float = 0.0):
    """A point uniformly spread over the ring between min_km and max_km around (lat, lon)."""
    r = math.sqrt(rng.uniform(min_km**2, max_km**2))
    a = rng.uniform(0, 2 * math.pi)
    return offset(lat, lon, r * math.cos(a), r * math.sin(a))


def township_positions(rng: random.Random, seat: tuple[float, float],
                       middle: tuple[float, float], radius: float,
                       names: list[str]) -> list[tuple[float, float]]:
    """Streets close round the seat, towns spread over the territory, each group turned
    evenly round its centre with jitter so neighbours do not land on top of each other."""
    out = []
    n_urban = sum(1 for n in names if n.endswith("街道"))
    n_rural = len(names) - n_urban
    inner = max(2.5, radius * 0.3)
    turn = rng.uniform(0, 2 * math.pi)
    i_urban = i_rural = 0
    for name in names:
        if name.endswith("街道"):
            a = turn + 2 * math.pi * (i_urban + rng.uniform(-0.3, 0.3)) / max(n_urban, 1)
            (lat, lon), r = seat, rng.uniform(0.8, inner)
            i_urban += 1
        else:
            a = turn + 2 * math.pi * (i_rural + rng.uniform(-0.3, 0.3)) / max(n_rural, 1)
            (lat, lon), r = middle, rng.uniform(radius * 0.3, radius)
            i_rural += 1
        out.append(offset(lat, lon, r * math.cos(a), r * math.sin(a)))
    return out


def village_name(rng: random.Random, urban: bool, taken: set[str]) -> str:
    """A village (村) or, in a street, a community (社区) name, unique within `taken`."""
    while True:
        if urban:
            core = rng.choice(_COMMUNITY_FIRST) + rng.choice(_COMMUNITY_SECOND)
            name = core + "社区"
        else:
            pick = rng.random()
            if pick < 0.2:
                core = rng.choice(_CLAN) + "家" + (rng.choice(_VILLAGE_SECOND) if pick < 0.08 else "")
            else:
                core = rng.choice(_VILLAGE_FIRST) + rng.choice(_VILLAGE_SECOND)
            name = core + "村"
        if name not in taken and core[0] != core[-1]:
            taken.add(name)
            return name
