"""Demo threads for the demo block: a few dozen realistic reports and issues in every state."""

from __future__ import annotations

import datetime as dt

from block_service.accounts.schemas import Viewer
from block_service.accounts.tables import Person
from block_service.inbox.tables import InboxEntry
from block_service.shops.tables import Shop, ShopMerchant
from block_service.threads.categories import list_categories
from block_service.threads.opening import open_thread
from block_service.threads.reactions import evaluate, set_metoo
from block_service.threads.schemas import AnswerForm, EvaluationForm, StatusForm, ThreadForm
from block_service.threads.tables import Message, Thread
from block_service.threads.workflow import change_status, post_answer

# (reporter key, category, shop name or None, house number, title, body, anonymous, days ago, story)
# story: the steps after opening — "ack", "progress", "resolve", "close", "reopen", "reject", "dup"
REPORTS = [
    (
        "wang",
        "pavement",
        "老张生煎",
        "1143号",
        "生煎店门口纸箱堆到人行道上",
        "每天早上七点到九点，店门口的纸箱和蒸笼占了大半条人行道，推婴儿车只能走机动车道。",
        True,
        9,
        ["ack", "progress", "resolve", "close"],
    ),
    (
        "lin",
        "cooking-fumes",
        "川味小面馆",
        "1117号",
        "面馆油烟直排进小区窗户",
        "晚饭时间油烟很大，二楼住户不敢开窗，希望检查一下油烟净化器。",
        True,
        6,
        ["ack", "progress"],
    ),
    (
        "huang",
        "noise",
        None,
        "1141弄",
        "1141弄口夜里卸货噪音",
        "凌晨一点左右有货车在弄口卸货，推车声音很大，已经连续一周。",
        False,
        3,
        ["ack"],
    ),
    (
        "wang",
        "garbage",
        None,
        "1160号",
        "垃圾桶满溢没人清",
        "1160号旁边的垃圾桶周末两天没人清，味道很大。",
        False,
        2,
        [],
    ),
    (
        "lin",
        "parking",
        None,
        "1205号",
        "共享单车堆在花店门口",
        "花店门口停了二十多辆共享单车，挡住了盲道。",
        False,
        5,
        ["ack", "progress", "resolve"],
    ),
    (
        "huang",
        "shop-front",
        "凌岩水果店",
        "1021号",
        "水果店门前积水和烂果子",
        "下雨后门前积水，烂掉的水果没有及时清走，招苍蝇。",
        True,
        12,
        ["ack", "resolve", "close"],
    ),
    (
        "wang",
        "safety",
        None,
        "1188号",
        "药房旁边电线垂下来",
        "1188号旁边有一根电线垂到一人高的位置，下雨天很危险。",
        False,
        1,
        ["ack", "progress"],
    ),
    (
        "lin",
        "pavement",
        "快修电动车行",
        "1266号",
        "电动车行在人行道上修车",
        "修车的电动车摆满人行道，还有机油。",
        False,
        8,
        ["ack", "reject"],
    ),
    (
        "huang",
        "noise",
        "凌岩理发店",
        "1063号",
        "理发店音响声音太大",
        "白天放音乐声音很大，楼上老人午休受影响。",
        True,
        4,
        ["ack", "progress", "resolve", "reopen"],
    ),
    ("wang", "pavement", "老张生煎", "1143号", "生煎店门口又堆满了", "今天早上门口又是纸箱。", False, 1, ["dup"]),
    (
        "lin",
        "other-report",
        None,
        "1235号",
        "托管班放学时段接送拥堵",
        "下午四点半接孩子的电动车把路口堵住，希望有人疏导。",
        False,
        2,
        [],
    ),
    (
        "huang",
        "garbage",
        "好邻居便利店",
        "1152号",
        "便利店门口烟头很多",
        "门口没有烟灰桶，烟头扔了一地。",
        False,
        7,
        ["ack", "progress", "resolve", "close"],
    ),
    ("wang", "cooking-fumes", "老张生煎", "1143号", "早上煎锅油烟", "早上六点开始的油烟飘进对面住户。", False, 0, []),
    (
        "lin",
        "parking",
        None,
        "1099号",
        "北段路口机动车违停",
        "北段路口经常有车违停在斑马线上。",
        False,
        10,
        ["ack", "progress", "resolve", "close"],
    ),
    (
        "huang",
        "safety",
        None,
        "1141弄5号",
        "弄堂里路灯坏了",
        "1141弄5号附近两盏路灯不亮，晚上很黑。",
        False,
        3,
        ["ack", "progress", "resolve"],
    ),
    (
        "wang",
        "shop-front",
        "花语花店",
        "1205号",
        "花店门前绿化被踩坏",
        "门前的小花坛被来往顾客踩坏了。",
        False,
        15,
        ["ack", "resolve", "close"],
    ),
    ("lin", "noise", None, "1230号", "南段广场舞音量", "晚上八点后南段空地广场舞音响太响。", True, 2, ["ack"]),
    ("huang", "pavement", "东明社区药房", "1188号", "药房促销台摆到人行道", "周末促销台摆在人行道中间。", False, 1, []),
    (
        "wang",
        "garbage",
        None,
        "1127号",
        "装修垃圾堆在路边",
        "1127号装修，建筑垃圾堆了三天。",
        False,
        4,
        ["ack", "progress"],
    ),
    (
        "lin",
        "other-report",
        "小书童托管班",
        "1235号",
        "托管班门口需要一个等候区",
        "家长在门口等候时占用人行道，能否划一个等候区？",
        False,
        11,
        ["ack", "progress", "resolve", "close"],
    ),
]

ISSUES = [
    (
        "张师傅",
        "premises",
        "1143号",
        "门前三包责任区划分不清",
        "我和隔壁店的责任区界线不清楚，希望工作站帮忙划线。",
        6,
        ["ack", "progress"],
    ),
    (
        "李老板",
        "promotion",
        "1021号",
        "街区夜市能否统一宣传",
        "几家店想一起做周末夜市，希望工作站帮助统一宣传和申请。",
        9,
        ["ack"],
    ),
    ("周老板", "delivery", "1117号", "早上送货车没地方停", "每天早上送货车只能临时停在路边，经常被贴罚单。", 4, []),
    (
        "刘医生",
        "permits",
        "1188号",
        "药房招牌更换审批流程",
        "想更换门头招牌，不知道需要哪些审批。",
        13,
        ["ack", "progress", "resolve", "close"],
    ),
    ("吴女士", "other-issue", "1205号", "共享单车停放点建议", "建议在1200号附近设一个固定停放点。", 2, []),
]

ANSWERS = {
    "生煎店门口纸箱堆到人行道上": [("merchant", "不好意思，我们已经把纸箱改到店内后门堆放，每天九点前清走。")],
    "面馆油烟直排进小区窗户": [("merchant", "油烟净化器下周二清洗，已经约好师傅。")],
    "水果店门前积水和烂果子": [("merchant", "已经加了排水垫，烂果每天收摊前清走。")],
    "理发店音响声音太大": [("merchant", "已经把音量调小，中午十二点到两点不放音乐。")],
}


async def seed_demo_threads(staff: Viewer) -> int:
    """Open the demo threads through the real services, then spread their dates over the past weeks."""
    people = {row["display_name"]: row["id"] for row in await Person.select(Person.id, Person.display_name)}
    residents = {"wang": "1141弄居民 王先生", "lin": "退休教师 林阿姨", "huang": "上班族 小黄"}
    shops = {row["name"]: row["id"] for row in await Shop.select(Shop.id, Shop.name)}
    merchants_of: dict[int, int] = {}
    for row in await ShopMerchant.select(ShopMerchant.shop, ShopMerchant.person):
        merchants_of.setdefault(row["shop"], row["person"])
    categories = {c.slug: c.id for c in await list_categories()}
    now = dt.datetime.now(dt.UTC)
    opened = 0

    async def play(thread_id: int, reporter: Viewer, merchant: Viewer | None, story: list[str], first: int) -> None:
        for step in story:
            if step == "ack":
                await change_status(
                    staff, thread_id, StatusForm(status="acknowledged", reason="工作站已受理，正在联系相关方。")
                )
            elif step == "progress":
                actor = merchant or staff
                await change_status(actor, thread_id, StatusForm(status="in_progress", reason="已安排处理。"))
            elif step == "resolve":
                actor = merchant or staff
                await change_status(actor, thread_id, StatusForm(status="resolved", reason="已处理完毕，请确认。"))
            elif step == "close":
                # The reporter confirms and rates in one step (issue 13): 已解决 closes the thread.
                form = EvaluationForm(fixed="yes", score=5, comment="确认已经解决，处理很及时。")
                await evaluate(reporter, thread_id, form)
            elif step == "reopen":
                await evaluate(reporter, thread_id, EvaluationForm(fixed="no", score=2, comment="这两天音量又大了。"))
            elif step == "reject":
                await change_status(
                    staff, thread_id, StatusForm(status="rejected", reason="该店已搬离，原址在装修，转交城管处理。")
                )
            elif step == "dup":
                await change_status(
                    staff,
                    thread_id,
                    StatusForm(status="duplicate", reason="与第1号反映相同，请在原帖跟进。", duplicate_of=first),
                )

    first_thread = None
    for key, category, shop_name, house, title, body, anonymous, days_ago, story in REPORTS:
        reporter = Viewer(person_id=people[residents[key]], display_name=residents[key], roles=frozenset({"resident"}))
        shop_id = shops.get(shop_name) if shop_name else None
        merchant = None
        if shop_id is not None:
            merchant_id = merchants_of[shop_id]
            merchant = Viewer(
                person_id=merchant_id, display_name="", roles=frozenset({"merchant"}), shop_ids=frozenset({shop_id})
            )
        thread_id = await open_thread(
            reporter,
            ThreadForm(
                kind="report",
                title=title,
                body=body,
                category_id=categories[category],
                house_number=house,
                shop_id=shop_id,
                anonymous=anonymous,
                name_to_shop=anonymous and key == "wang",
            ),
        )
        first_thread = first_thread or thread_id
        for who, text in ANSWERS.get(title, []):
            await post_answer(merchant if who == "merchant" and merchant else staff, thread_id, AnswerForm(body=text))
        for other in residents:
            if other != key and (thread_id % 3 == 0 or title.startswith("生煎")):
                await set_metoo(
                    Viewer(person_id=people[residents[other]], roles=frozenset({"resident"})), thread_id, True
                )
        await play(thread_id, reporter, merchant, story, first_thread)
        await _backdate(thread_id, now - dt.timedelta(days=days_ago, hours=thread_id % 7))
        opened += 1
    for name, category, house, title, body, days_ago, story in ISSUES:
        author_id = people[name]
        shop_ids = frozenset(shop for shop, person in merchants_of.items() if person == author_id)
        author = Viewer(
            person_id=author_id, display_name=name, roles=frozenset({"resident", "merchant"}), shop_ids=shop_ids
        )
        thread_id = await open_thread(
            author,
            ThreadForm(kind="issue", title=title, body=body, category_id=categories[category], house_number=house),
        )
        await play(thread_id, author, None, story, first_thread)
        await _backdate(thread_id, now - dt.timedelta(days=days_ago, hours=3))
        opened += 1
    return opened


async def _backdate(thread_id: int, opened_at: dt.datetime) -> None:
    """Spread the story over time: the thread opened then, each later step a few hours after the last."""
    thread = await Thread.select(Thread.created_at, Thread.due_at).where(Thread.id == thread_id).first()
    # Whole seconds: Piccolo keeps interval arithmetic to the millisecond.
    shift = dt.timedelta(seconds=int((thread["created_at"] - opened_at).total_seconds()))
    await Thread.update(
        {
            Thread.created_at: Thread.created_at - shift,
            Thread.due_at: Thread.due_at - shift,
            Thread.last_activity_at: Thread.last_activity_at - shift,
        }
    ).where(Thread.id == thread_id)
    messages = await Message.select(Message.id).where(Message.thread == thread_id).order_by(Message.id)
    for step, message in enumerate(messages, start=1):
        await Message.update({Message.created_at: opened_at + dt.timedelta(hours=5 * step)}).where(
            Message.id == message["id"]
        )
    await InboxEntry.update({InboxEntry.created_at: InboxEntry.created_at - shift}).where(
        (InboxEntry.kind == "thread") & (InboxEntry.object_id == thread_id)
    )
