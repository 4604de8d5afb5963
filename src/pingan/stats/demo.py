"""Synthetic bureau data for the demo: a Xiamen incident export in the bureau template's format.

Pure module (no Django). The rows are invented — no real case, place number or person — with a fixed seed:
two years of incidents over the demo organisation's stations, with the offence mix a Chinese city bureau
reports (theft the bulk, 扒窃 on buses, telecom fraud, a little robbery and snatching, economic crime with
amounts, traffic accidents with casualties), a winter dip and a weekend bump, and a handful of bad rows so
that the import shows its rejections. It exists to demonstrate the bureau path end to end; every figure the
demo prints from it is synthetic and says so.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random

#: (案由, weight per 1,000 incidents, share cleared, mean loss in yuan or 0, place hint)
OFFENCES: tuple[tuple[str, float, float, int, str], ...] = (
    ("盗窃", 330, 0.35, 2500, ""),
    ("入室盗窃", 40, 0.45, 6000, "小区"),
    ("扒窃", 60, 0.55, 900, "公交车上"),
    ("盗窃车内物品", 35, 0.30, 1500, ""),
    ("盗窃电动车", 60, 0.40, 2200, ""),
    ("电信网络诈骗", 150, 0.20, 35000, ""),
    ("诈骗", 60, 0.35, 8000, ""),
    ("故意伤害", 40, 0.90, 0, ""),
    ("故意毁坏财物", 30, 0.60, 1200, ""),
    ("寻衅滋事", 25, 0.85, 0, ""),
    ("抢劫", 3, 0.95, 3000, ""),
    ("抢夺", 2, 0.90, 1500, ""),
    ("故意杀人", 0.3, 1.0, 0, ""),
    ("强奸", 0.6, 0.98, 0, ""),
    ("贩卖毒品", 4, 1.0, 0, ""),
    ("合同诈骗", 6, 0.6, 400000, ""),
    ("非法吸收公众存款", 2, 0.7, 3000000, ""),
    ("职务侵占", 4, 0.75, 200000, ""),
    ("交通事故", 150, 0.0, 6000, "路口"),
)

ROADS = ("莲前东路", "嘉禾路", "湖滨南路", "江头北路", "仙岳路", "集美大道", "海沧大道", "环城南路", "马巷路",
         "鼓浪屿龙头路")
HEADER = ("案件编号", "接报时间", "发案时间", "案件类别", "案由", "发案地点", "辖区", "破案时间", "破案方式",
          "损失金额", "涉案金额", "挽回金额", "死亡人数", "受伤人数")


def demo_rows(stations: list[str], start: dt.date, end: dt.date, *, per_day: float = 20.0,
              seed: int = 2026) -> list[list[str]]:
    """Synthetic incident rows (the template's columns) for ``stations`` from ``start`` to ``end``.

    A few rows are deliberately bad (an unknown unit, an unknown charge, a clearance before the offence, a
    negative loss) so the import shows how rejections read.
    """
    rng = random.Random(seed)
    names = [o[0] for o in OFFENCES]
    weights = [o[1] for o in OFFENCES]
    by_name = {o[0]: o for o in OFFENCES}
    # Some stations are quieter: each gets a weight; 鼓浪屿 (a pedestrian island) sees almost no robbery.
    station_w = [rng.uniform(0.5, 1.5) for _ in stations]
    rows: list[list[str]] = []
    n = 0
    day = start
    while day <= end:
        season = 1 + 0.15 * math.sin((day.timetuple().tm_yday - 110) / 365 * 2 * math.pi)
        weekend = 1.1 if day.weekday() >= 5 else 1.0
        trend = 1 - 0.12 * ((day - start).days / 365)  # crime falling ~12 % a year
        count = rng.gauss(per_day * season * weekend * trend, math.sqrt(per_day))
        for _ in range(max(0, round(count))):
            n += 1
            charge = rng.choices(names, weights)[0]
            _c, _w, clear_p, loss_mean, hint = by_name[charge]
            station = rng.choices(stations, station_w)[0]
            if charge in ("抢劫", "抢夺") and "鼓浪屿" in station:
                station = stations[0]
            hour = rng.choices(range(24), [1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 8, 8, 7, 5, 3, 2])[0]
            occurred = dt.datetime.combine(day, dt.time(hour, rng.randrange(60)))
            reported = occurred + dt.timedelta(minutes=rng.randrange(5, 240))
            road = rng.choice(ROADS)
            place = f"厦门市{road}{rng.randrange(1, 400)}号{hint}"
            cleared = ""
            how = ""
            if rng.random() < clear_p:
                cleared = (reported + dt.timedelta(days=rng.expovariate(1 / 12))).strftime("%Y-%m-%d %H:%M")
                how = "抓获"
            loss = involved = recovered = ""
            if loss_mean:
                amount = round(rng.lognormvariate(math.log(loss_mean), 0.8), -1)
                if charge in ("合同诈骗", "非法吸收公众存款", "职务侵占", "电信网络诈骗"):
                    involved = f"{amount:.0f}"
                    if cleared:
                        recovered = f"{amount * rng.uniform(0.2, 0.7):.0f}"
                else:
                    loss = f"{amount:.0f}"
            killed = injured = ""
            kind = "刑事案件"
            if charge == "交通事故":
                kind = "交通事故"
                r = rng.random()
                injured = str(rng.choice([1, 1, 1, 2, 3])) if r < 0.35 else ""
                killed = "1" if r < 0.02 else ""
            if charge == "故意杀人":
                killed = "1"
            rows.append([f"XM{day:%Y%m%d}{n:05d}", reported.strftime("%Y-%m-%d %H:%M"),
                         occurred.strftime("%Y-%m-%d %H:%M"), kind, charge, place, station, cleared, how, loss,
                         involved, recovered, killed, injured])
        day += dt.timedelta(days=1)
    # the deliberately bad rows: unknown unit, unknown charge, clearance before the offence, negative loss
    bad_day = start + dt.timedelta(days=40)
    when = (f"{bad_day} 09:00", f"{bad_day} 08:00", "刑事案件")
    home = stations[0]
    rows.append(["XMBAD001", *when, "盗窃", "厦门市某路", "火星派出所", "", "", "100", "", "", "", ""])
    rows.append(["XMBAD002", *when, "偷东西", "厦门市某路", home, "", "", "", "", "", "", ""])
    rows.append(["XMBAD003", *when, "抢劫", "厦门市某路", home, f"{bad_day - dt.timedelta(days=3)} 10:00", "抓获",
                 "", "", "", "", ""])
    rows.append(["XMBAD004", *when, "盗窃", "厦门市某路", home, "", "", "-20", "", "", "", ""])
    return rows


def demo_csv(stations: list[str], start: dt.date, end: dt.date, **kw) -> bytes:
    """The rows of :func:`demo_rows` as a UTF-8 CSV with a title line above the header (as exports have)."""
    buf = io.StringIO()
    buf.write(f"厦门市公安局案件统计（合成演示数据） {start} 至 {end}\n")
    w = csv.writer(buf)
    w.writerow(HEADER)
    w.writerows(demo_rows(stations, start, end, **kw))
    return buf.getvalue().encode("utf-8")
