"""Reference data every block needs (segments, industries) and the demo block for first runs."""

from __future__ import annotations

from block_service.accounts.roles import create_staff
from block_service.accounts.schemas import SignUpForm, Viewer
from block_service.accounts.signing_in import sign_up
from block_service.accounts.tables import Person
from block_service.accounts.two_factor import grouped, provisioning_uri, set_up_with_secret
from block_service.council.demo import seed_demo_council
from block_service.council.motion_demo import seed_demo_motions
from block_service.db import write_transaction
from block_service.funds.demo import seed_demo_funds
from block_service.groups.services import ensure_groups
from block_service.insights.demo import seed_demo_history
from block_service.meetings.demo import seed_demo_meetings
from block_service.needs.demo import seed_demo_needs
from block_service.notices.demo import seed_demo_notices
from block_service.offers.demo import seed_demo_offers
from block_service.offers.kinds import ensure_offer_reference_data
from block_service.plans.demo import seed_demo_plans
from block_service.plans.plans import ensure_plans
from block_service.projects.demo import seed_demo_projects
from block_service.shops.applications import apply_for_shop, approve_application, reject_application
from block_service.shops.schemas import ShopApplicationForm
from block_service.shops.tables import Industry, Segment
from block_service.threads.demo import seed_demo_threads
from block_service.threads.desk_demo import seed_demo_desk
from block_service.threads.tables import Category, ResponseTemplate

# House-number ranges of the block's part of Lingyan South Road, north to south; Lane 1141,
# where the workstation stands, is the busiest node and has a segment of its own.
SEGMENTS = [
    ("north", "北段", "North", 1001, 1099),
    ("upper-middle", "中北段", "Upper middle", 1100, 1139),
    ("lane-1141", "1141弄节点", "Lane 1141 node", 1140, 1160),
    ("lower-middle", "中南段", "Lower middle", 1161, 1229),
    ("south", "南段", "South", 1230, 1299),
]

INDUSTRIES = [
    ("catering", "餐饮", "Catering"),
    ("retail", "零售", "Retail"),
    ("daily-services", "生活服务", "Daily services"),
    ("education", "教育培训", "Education & training"),
    ("health", "医疗健康", "Health"),
    ("other", "其他", "Other"),
]

# (kind, code, Chinese, English, hours to acknowledge). Doorstep reports are answered within a day;
# merchants' matters for the workstation within three working days.
CATEGORIES = [
    ("report", "noise", "噪音扰民", "Noise", 24),
    ("report", "cooking-fumes", "油烟", "Cooking fumes", 24),
    ("report", "pavement", "占道经营", "Pavement occupation", 24),
    ("report", "garbage", "垃圾堆放", "Garbage", 24),
    ("report", "parking", "乱停车", "Parking", 24),
    ("report", "shop-front", "门前三包", "Shop-front hygiene (门前三包)", 24),
    ("report", "safety", "安全隐患", "Safety", 12),
    ("report", "other-report", "其他问题", "Other problem", 48),
    ("issue", "premises", "租金与房屋", "Rent & premises", 72),
    ("issue", "permits", "证照办理", "Permits", 72),
    ("issue", "delivery", "进货与配送", "Supply & delivery", 72),
    ("issue", "promotion", "宣传推广", "Promotion", 72),
    ("issue", "other-issue", "其他事项", "Other matter", 72),
]
# Emergencies: the report form tells people to call 119 / 110 / 120 first; staff see such reports as urgent.
# Added to a block that already has its categories too (by code, so a staff edit is never overwritten).
EMERGENCY_CATEGORIES = [
    ("report", "gas-leak", "燃气泄漏", "Gas leak", 2),
    ("report", "fire", "火情与烟雾", "Fire or smoke", 2),
    ("report", "injury", "有人受伤", "Someone injured", 2),
]
RESPONSE_TEMPLATES = {
    "pavement": [
        (
            "已受理·占道",
            "您好，工作站已收到您反映的占道问题，已通知相关商户按“门前三包”要求在24小时内清理，"
            "城管队员将于明日复查。感谢您对凌岩街区的关心。",
        ),
    ],
    "cooking-fumes": [
        (
            "已受理·油烟",
            "您好，工作站已收到油烟扰民反映，将联系商户检查油烟净化设备并约定清洗时间，处理进展会在此更新。",
        ),
    ],
    "noise": [
        ("已受理·噪音", "您好，工作站已收到噪音反映，将与商户沟通营业时段与音量，夜间22点后如仍有噪音请再次补充情况。"),
    ],
}

# Not "lingyan-staff-2026" any more: a password may not contain the account's email name ("staff").
DEMO_PASSWORD_STAFF = "lingyan-office-2026"
DEMO_PASSWORD_PEOPLE = "lingyan-demo-2026"
# The demo staff account's authenticator key: public, like the passwords, so anyone trying the demo can
# add it to an authenticator app. Only `serve --demo`, which needs BLOCK_DEBUG, loads it.
DEMO_STAFF_TOTP_SECRET = "LINGYANDEMOSTAFFTOTPKEY234567ABC"
DEMO_LOGINS = [
    ("staff", "staff@lingyan.example", DEMO_PASSWORD_STAFF),
    ("merchant", "13800001001", DEMO_PASSWORD_PEOPLE),
    ("chair", "13800001001", DEMO_PASSWORD_PEOPLE),  # the same merchant chairs the council (理事长)
    ("resident", "13900002001", DEMO_PASSWORD_PEOPLE),
]

# (merchant name, mobile, shop, house number, industry slug, licence)
DEMO_SHOPS = [
    ("张师傅", "13800001001", "老张生煎", "1143号", "catering", "91310115MA1K4AB12X"),
    ("李老板", "13800001002", "凌岩水果店", "1021号", "retail", "91310115MA1K4AB23Y"),
    ("王阿姨", "13800001003", "巧手裁缝铺", "1141弄3号", "daily-services", "92310115MA1K4AB34Z"),
    ("陈经理", "13800001004", "好邻居便利店", "1152号", "retail", "91310115MA1K4AB45A"),
    ("刘医生", "13800001005", "东明社区药房", "1188号", "health", "91310115MA1K4AB56B"),
    ("赵老师", "13800001006", "小书童托管班", "1235号", "education", "52310115MA1K4AB67C"),
    ("孙师傅", "13800001007", "快修电动车行", "1266号", "daily-services", "92310115MA1K4AB78D"),
    ("周老板", "13800001008", "川味小面馆", "1117号", "catering", "92310115MA1K4AB89E"),
    ("吴女士", "13800001009", "花语花店", "1205号", "retail", "92310115MA1K4AB90F"),
    ("郑师傅", "13800001010", "凌岩理发店", "1063号", "daily-services", "92310115MA1K4AC01G"),
]

DEMO_RESIDENTS = [
    ("1141弄居民 王先生", "13900002001"),
    ("退休教师 林阿姨", "13900002002"),
    ("上班族 小黄", "13900002003"),
]


async def _sign_up_resident(name: str, mobile: str):
    """A demo resident, signed up as anyone would be, with the demo password."""
    form = SignUpForm(
        display_name=name,
        contact=mobile,
        password=DEMO_PASSWORD_PEOPLE,
        password_again=DEMO_PASSWORD_PEOPLE,
        accept_privacy=True,
    )
    return await sign_up(form, language="zh-Hans")


async def ensure_reference_data() -> None:
    """Segments, industries, categories and the six plans, only into empty tables: staff edits are never overwritten."""
    async with write_transaction():
        if not await Segment.exists():
            for order, (slug, name_zh, name_en, first, last) in enumerate(SEGMENTS):
                await Segment.insert(
                    Segment(
                        slug=slug,
                        name_zh=name_zh,
                        name_en=name_en,
                        first_number=first,
                        last_number=last,
                        sort_order=order,
                    )
                )
        if not await Industry.exists():
            for order, (slug, name_zh, name_en) in enumerate(INDUSTRIES):
                await Industry.insert(Industry(slug=slug, name_zh=name_zh, name_en=name_en, sort_order=order))
        await ensure_groups()
        await _ensure_categories()
        await ensure_plans()
        await ensure_offer_reference_data()


async def _ensure_categories() -> None:
    known = {row["slug"] for row in await Category.select(Category.slug)}
    for order, (kind, slug, name_zh, name_en, hours) in enumerate(EMERGENCY_CATEGORIES, start=90):
        if slug not in known:
            await Category.insert(
                Category(
                    kind=kind,
                    slug=slug,
                    name_zh=name_zh,
                    name_en=name_en,
                    response_hours=hours,
                    sort_order=order,
                    emergency=True,
                )
            )
    if known:
        return
    for order, (kind, slug, name_zh, name_en, hours) in enumerate(CATEGORIES):
        rows = await Category.insert(
            Category(kind=kind, slug=slug, name_zh=name_zh, name_en=name_en, response_hours=hours, sort_order=order)
        ).returning(Category.id)
        for title, body in RESPONSE_TEMPLATES.get(slug, []):
            await ResponseTemplate.insert(ResponseTemplate(category=rows[0]["id"], title=title, body=body))


async def seed_demo() -> bool:
    """The demo block: staff, verified merchants with their shops, residents. False if people exist."""
    await ensure_reference_data()
    if await Person.exists():
        return False
    staff_id = await create_staff(DEMO_LOGINS[0][1], DEMO_PASSWORD_STAFF, "工作站 小凌")
    await set_up_with_secret(staff_id, DEMO_STAFF_TOTP_SECRET)
    staff = Viewer(person_id=staff_id, display_name="工作站 小凌", roles=frozenset({"staff"}))
    industries = {row["slug"]: row["id"] for row in await Industry.select(Industry.id, Industry.slug)}
    for name, mobile, shop, house_number, industry, licence in DEMO_SHOPS:
        signed_in = await _sign_up_resident(name, mobile)
        applicant = Viewer(person_id=signed_in.person_id, display_name=name, roles=frozenset({"resident"}))
        application_id = await apply_for_shop(
            applicant,
            ShopApplicationForm(
                shop_name=shop,
                house_number=house_number,
                industry_id=industries[industry],
                licence_number=licence,
                phone=f"021-5888{mobile[-4:]}",
            ),
        )
        await approve_application(staff, application_id)
    for name, mobile in DEMO_RESIDENTS:
        await _sign_up_resident(name, mobile)
    # One application waiting in the staff queue and one already turned down, so both states show.
    waiting = await _sign_up_resident("马老板", "13800001011")
    await apply_for_shop(
        Viewer(person_id=waiting.person_id, roles=frozenset({"resident"})),
        ShopApplicationForm(
            shop_name="马记烧烤",
            house_number="1147号",
            industry_id=industries["catering"],
            licence_number="92310115MA1K4AC12H",
            phone="021-58881011",
        ),
    )
    turned_down = await apply_for_shop(
        Viewer(person_id=waiting.person_id, roles=frozenset({"resident"})),
        ShopApplicationForm(
            shop_name="马记夜宵摊",
            house_number="1149号",
            industry_id=industries["catering"],
            licence_number="92310115MA1K4AC23J",
            phone="021-58881011",
        ),
    )
    await reject_application(staff, turned_down, "营业执照照片上的地址与门牌号不一致，请核对后重新申请。")
    await seed_demo_threads(staff)
    colleague_id = await create_staff("desk@lingyan.example", DEMO_PASSWORD_STAFF, "工作站 小周")
    await set_up_with_secret(colleague_id, DEMO_STAFF_TOTP_SECRET)
    colleague = Viewer(person_id=colleague_id, display_name="工作站 小周", roles=frozenset({"staff"}))
    await seed_demo_desk(staff, colleague)
    await seed_demo_council(staff)
    await seed_demo_plans(staff)
    await seed_demo_motions(staff)
    await seed_demo_meetings(staff)
    await seed_demo_offers()
    await seed_demo_needs(staff)
    await seed_demo_funds(staff)

    await seed_demo_notices(staff)

    await seed_demo_history(staff)

    await seed_demo_projects(staff)
    return True


def demo_logins_text() -> str:
    lines = ["Demo logins (password after the slash):"]
    for role, login, password in DEMO_LOGINS:
        lines.append(f"  {role:<9} {login} / {password}")
    uri = provisioning_uri(DEMO_STAFF_TOTP_SECRET, DEMO_LOGINS[0][1])
    lines += [
        "Staff log in with a second factor: add this key to an authenticator app (demo only, never in production):",
        f"  key  {grouped(DEMO_STAFF_TOTP_SECRET)}",
        f"  URI  {uri}",
    ]
    return "\n".join(lines)
