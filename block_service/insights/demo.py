"""The demo's past year: closed reports month by month, so the plan indicators and the dashboard have a history.

The threads' own demo tells this month's stories through the services; these older reports are written
directly with their past dates (the services stamp the present), each with its status steps and the reporter's
one-step evaluation, as the services would have left them.
"""

from __future__ import annotations

import datetime as dt

from block_service.accounts.schemas import Viewer
from block_service.accounts.tables import Person
from block_service.clock import now
from block_service.shops.segments import segment_for_number
from block_service.threads.tables import Category, Evaluation, Message, Thread

# (category, title, house number, days to resolve, the reporter's answer)
PAST_REPORTS = [
    ("garbage", "垃圾桶满了没人清运", "1143号", 3, "yes"),
    ("shop-front", "门前三包区域有油污", "1151号", 6, "yes"),
    ("parking", "非机动车乱停堵住盲道", "1021号", 4, "partly"),
    ("pavement", "人行道地砖松动", "1089号", 12, "yes"),
    ("noise", "夜宵店深夜音响扰民", "1141弄12号", 9, "no"),
    ("cooking-fumes", "烧烤油烟飘进楼道", "1163号", 15, "partly"),
    ("safety", "弄堂口路灯不亮", "1141弄3号", 5, "yes"),
    ("garbage", "装修垃圾堆在路边", "1201号", 8, "yes"),
]
REPORTERS = ("1141弄居民 王先生", "退休教师 林阿姨", "上班族 小黄")


async def seed_demo_history(staff: Viewer, months: int = 11) -> int:
    """Two to four closed reports in each of the past `months` months (fewer long ago), rated by their reporters."""
    people = {row["display_name"]: row["id"] for row in await Person.select(Person.id, Person.display_name)}
    reporters = [people[name] for name in REPORTERS if name in people]
    categories = {
        row["slug"]: row for row in await Category.select(Category.id, Category.slug, Category.response_hours)
    }
    if not reporters:
        return 0
    moment = now()
    written = 0
    for month in range(months, 0, -1):
        for index in range(2 + (months - month) % 3):
            slug, title, house, days, fixed = PAST_REPORTS[(month * 3 + index) % len(PAST_REPORTS)]
            if slug not in categories:
                continue
            opened = moment - dt.timedelta(days=30 * month + 7 * index + 2)
            resolved = opened + dt.timedelta(days=days + index, hours=5)
            closed = resolved + dt.timedelta(days=1)
            number = int("".join(ch for ch in house.split("弄")[0] if ch.isdigit()))
            reporter = reporters[(month + index) % len(reporters)]
            rows = await Thread.insert(
                Thread(
                    kind="report",
                    title=title,
                    body="（往期反映）" + title + "，已处理完毕。",
                    category=categories[slug]["id"],
                    house_number=house,
                    street_number=number,
                    segment=await segment_for_number(number),
                    author=reporter,
                    anonymous=index % 2 == 1,
                    status="closed",
                    message_count=2,
                    created_at=opened,
                    last_activity_at=closed,
                    due_at=opened + dt.timedelta(hours=categories[slug]["response_hours"]),
                    acknowledged_at=opened + dt.timedelta(hours=6 + 10 * (month % 3)),
                    resolved_at=resolved,
                    closed_at=closed,
                )
            ).returning(Thread.id)
            thread_id = rows[0]["id"]
            steps = (("in_progress", "resolved", staff.person_id, "已协调相关商户处理。", resolved),
                     ("resolved", "closed", reporter, "", closed))  # fmt: skip
            await Message.insert(
                *(
                    Message(thread=thread_id, author=author, kind="status", official=author == staff.person_id,
                            body=body, status_from=before, status_to=after, created_at=at)
                    for before, after, author, body, at in steps
                )
            )  # fmt: skip
            score = {"yes": 5, "partly": 3, "no": 2}[fixed]
            await Evaluation.insert(
                Evaluation(thread=thread_id, person=reporter, fixed=fixed, score=score, created_at=closed)
            )
            written += 1
    return written
