"""The authorization corpus: every route × role × object kind, with the status each cell must answer.

One seeded database per engine, walked by one test (a database per cell would cost minutes):
- roles: visitor, resident, merchant (of the shop the threads concern), other merchant, council member, staff;
- object kinds: own, another's, group-private (a regional group's discussion), hidden (by staff);
- object types: thread, message, photo, shop, shop application, group, election, nomination, seat,
  interest, person, category/template/segment/industry/term, and the inbox.

Expected classes: "login" (a visitor sent to log in: 303 to /login on GET, 401 otherwise), "forbidden"
(403), "missing" (404, with the very body of an object that does not exist, and nothing written) and
"reached" (the route got to its own rules: anything else below 500). The route table decides the first
two; the object kinds decide the rest. A route registered in the app without a row here fails the test.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass

from PIL import Image

from block_service import clock
from block_service.clock import now
from block_service.council import ballots, interests, nominations, seats
from block_service.council.motions import open_motion
from block_service.council.schemas import InterestForm, NominateForm
from block_service.groups.membership import group_ids_of
from block_service.meetings import services as meeting_services
from block_service.meetings.schemas import AgendaItemForm
from block_service.pledges import services as pledge_services
from block_service.pledges.schemas import PledgeForm
from block_service.projects import work
from block_service.projects.schemas import UpdateForm
from block_service.projects.tables import ProjectPhoto
from block_service.threads import moderation, opening, workflow
from block_service.threads import photos as photo_store
from block_service.threads.schemas import AnswerForm
from block_service.threads.tables import Evaluation, Flag, Message, MeToo, Mute, Photo
from block_service.web.permissions import ANYONE, ROUTE_ACCESS, SIGNED_IN, route_key
from tests.council_helpers import make_election, make_term, merchant, shop_of, staff_viewer, stand
from tests.helpers import make_person, make_thread, text_of, viewer_for
from tests.meeting_helpers import local, make_meeting
from tests.motion_helpers import motion_form
from tests.need_helpers import make_need
from tests.offer_helpers import make_offer
from tests.plans_helpers import file as file_proposal_for
from tests.pledges_helpers import trial
from tests.project_helpers import milestone, started_project

ROLES = ("visitor", "resident", "merchant", "other_merchant", "council", "staff")
ROLE_GRANTS = {
    "visitor": set(),
    "resident": {"resident"},
    "merchant": {"resident", "merchant"},
    "other_merchant": {"resident", "merchant"},
    "council": {"resident", "merchant", "council"},
    "staff": {"staff"},
}
KINDS = ("own", "another", "group", "hidden")
ALWAYS_OPEN = {"options", "openapi", "static"}
MISSING_ID = 987654

# Every route that names an object: the object type its path names, and a body that passes the form, so
# the cell reaches the object (an empty form would be refused before the object is looked at).
ANSWER = {"body": "语料测试的回复"}
OBJECT_ROUTES: dict[str, tuple[str, dict]] = {
    "thread": ("thread", {}),
    "thread_messages": ("thread", {}),
    "api_thread": ("thread", {}),
    "thread_events": ("thread", {}),
    "post_answer": ("thread", ANSWER),
    "change_status": ("thread", {"status": "acknowledged", "reason": "语料"}),
    "metoo": ("thread", {"on": "1"}),
    "mute": ("thread", {"muted": "1"}),
    "evaluate": ("thread", {"fixed": "yes", "score": "5"}),
    "flag_thread": ("thread", {"reason": "语料"}),
    "flag_message": ("message", {"reason": "语料"}),
    "todo_answer": ("thread", ANSWER),
    "photo": ("photo", {}),
    "photo_thumbnail": ("photo", {}),
    "shop": ("shop", {}),
    "api_shop": ("shop", {}),
    "shop_edit_form": ("shop", {}),
    "shop_edit": ("shop", {"phone": "021-58889999", "opening_hours": "8:00-20:00", "description": ""}),
    "group": ("group", {}),
    "api_group": ("group", {}),
    "road_segment": ("staff", {}),  # a segment of the road: public, its id from the staff objects' ids
    "open_group_thread": ("group", {"title": "语料讨论", "body": "语料讨论内容"}),
    "back_leader": ("group", {}),
    "withdraw_backing": ("group", {}),
    "election": ("election", {}),
    "api_election": ("election", {}),
    "stand": ("election", {}),
    "nominate": ("election", {}),
    "cast_ballot": ("election", {}),
    "accept_nomination": ("nomination", {"statement": "愿意服务"}),
    "withdraw_nomination": ("nomination", {}),
    "resign_seat": ("seat", {"reason": "语料"}),
    "withdraw_interest": ("interest", {}),
    "plan": ("plan", {}),
    "api_plan": ("plan", {}),
    "api_plan_indicators": ("plan", {}),
    # The dashboard's staff-only chart (workload) and an open data file: named by the path, not by an id.
    "dashboard_csv": ("chart", {}),
    "open_data_file": ("data_file", {}),
    "proposal": ("proposal", {}),
    "api_proposal": ("proposal", {}),
    "support_proposal": ("proposal", {"on": "1"}),
    "proposal_step": ("proposal", {"step": "accept", "reason": "语料"}),
    "link_proposal_thread": ("proposal", {}),
    "motion": ("motion", {}),
    "motion_vote": ("motion", {}),
    "api_motion": ("motion", {}),
    "vote_motion": ("motion", {"choice": "yes"}),
    "recuse_motion": ("motion", {"reason": "语料"}),
    "withdraw_motion": ("motion", {}),  # without a reason: reaches the rule and changes nothing
    # Meetings: "own" is the council member's meeting (they convene it), "another" is the staff's.
    "meeting": ("meeting", {}),
    "api_meeting": ("meeting", {}),
    "answer_meeting": ("meeting", {"answer": "yes"}),
    "add_agenda_item": ("meeting", {"title": "语料议程"}),
    "invite": ("meeting", {"invitee_type": "shop", "invitee_id": "1"}),
    "record_attendance": ("meeting", {"attendee_type": "shop", "attendee_id": "1"}),
    "record_minutes": ("meeting", {"minutes": "语料纪要"}),
    "change_meeting": ("meeting", {}),  # without a title or times: reaches the rule and changes nothing
    "cancel_meeting": ("meeting", {}),  # without a reason: likewise
    "meeting_people": ("meeting", {}),
    "invite_picks": ("meeting", {}),  # nothing chosen: reaches the rule and changes nothing
    "record_attendance_list": ("meeting", {}),  # nothing marked: likewise
    "motion_from_item": ("meeting", {"title": "语料动议标题", "text": "语料动议"}),
    # Offers: "own" is the merchant's shop's offer, "another" is 许老板's. Needs: each role's own, the neighbour's.
    "offer": ("offer", {}),
    "api_offer": ("offer", {}),
    "offer_edit_form": ("offer", {}),
    "offer_edit": ("offer", {"description": "语料服务", "valid_until": "2099-01-01", "hours_0": "09:00-10:00"}),
    "withdraw_offer": ("offer", {}),
    "thank_offer": ("offer", {}),
    "offer_report_form": ("offer", {}),
    "report_offer": ("offer", {"body": "语料：没有兑现"}),
    "need": ("need", {}),
    "api_need": ("need", {}),
    "settle_need": ("need", {"outcome": "met"}),
    # Pledges on a "trial" target whose only manager is staff: "own" is the role's pledge, "another" a neighbour's.
    "withdraw_pledge": ("pledge", {}),
    "deliver_pledge": ("pledge", {}),
    # Notices: "own" is a notice to the merchant's shop (with an attachment), "another" one to 许老板's shop only.
    "notice": ("notice", {}),
    "acknowledge_notice": ("notice", {}),
    "notice_file": ("notice", {}),
    "shop_inspections": ("shop", {}),
    # Projects: "own" is the council member's (they lead it), "another" is staff's. Nobody here is invited to
    # evaluate, so evaluating is refused to every role (403).
    "project": ("project", {}),
    "api_project": ("project", {}),
    "add_milestone": ("project", {"title": "语料节点", "due_on": "2099-01-01", "weight": "1"}),
    "complete_milestone": ("project", {}),
    "project_state": ("project", {"state": "stalled", "reason": "语料"}),
    "project_stage": ("project", {"stage": "submitted", "reference_number": "语料", "submitted_on": "2026-11-20"}),
    "project_maintainer": ("project", {"maintainer_type": "person", "maintainer_id": "1", "duties": "语料职责"}),
    "add_project_worker": ("project", {"person_id": "1"}),
    "link_project_meeting": ("project", {"meeting_id": "1"}),
    "post_project_update": ("project", {"body": "语料进展"}),
    "attach_project_document": ("project", {"document_title": "语料材料"}),
    "evaluate_project": ("project", {"solved": "yes", "satisfaction": "5"}),
    "project_document": ("project", {}),
    "project_photo": ("projectphoto", {}),
    "allocate_project_money": ("staff", {"allocation_amount": "1"}),
    "record_project_spending": ("project", {"amount": "1", "category": "语料", "spent_on": "2026-11-01"}),
    "set_project_goal": ("project", {"kind": "hours", "quantity": "1"}),
    # Staff only: the route table is the whole rule; staff reach the object, and a missing one is a 404.
    "person": ("staff", {}),
    "disable_person": ("staff", {"reason": "语料"}),
    "enable_person": ("staff", {}),
    "grant_role": ("staff", {"role": "resident"}),
    "revoke_role": ("staff", {}),
    "approve_application": ("staff", {}),
    "reject_application": ("staff", {"reason": "语料"}),
    "remove_merchant": ("staff", {}),
    "update_segment": ("staff", {}),
    "update_industry": ("staff", {}),
    "update_offer_kind": ("staff", {}),
    "appoint_leader": ("staff", {}),
    "clear_leader": ("staff", {}),
    "open_election": ("staff", {}),
    "open_voting": ("staff", {}),
    "close_election": ("staff", {}),
    "publish_turnout": ("staff", {}),
    "assign_position": ("staff", {}),
    "remove_seat": ("staff", {"reason": "语料"}),
    "fill_seat": ("staff", {}),
    "assign_thread": ("staff", {"staff_id": ""}),
    "desk_assign": ("staff", {"staff_id": ""}),
    "set_due": ("staff", {"due_at": "2030-01-02T18:00"}),
    "add_staff_note": ("staff", {"body": "语料"}),
    "issue_reset_code": ("staff", {}),
    "moderate": ("staff", {"reason": "语料", "action": "restore"}),
    "update_category": ("staff", {}),
    "update_template": ("staff", {}),
    "template_answer": ("staff", {}),
    # Without the form's confirmation or reason these reach the rule and change nothing.
    "reset_second_factor": ("staff", {}),
    "staff_delete_person_form": ("staff", {}),
    "staff_delete_person": ("staff", {}),
    "approve_photo": ("staff", {}),
    "remove_photo": ("staff", {}),
    "save_plan": ("staff", {}),
    "move_plan": ("staff", {}),
    "archive_plan": ("staff", {}),
    "notice_follow_up": ("staff", {}),
    "remind_notice": ("staff", {}),
    "notice_receipts_csv": ("staff", {}),
    "update_service": ("staff", {"topic": "waste", "title": "语料服务"}),
    "delete_service": ("staff", {}),
    # Staff and council members: the route table is the rule; other roles are refused there.
    "inspection_round": ("staff", {}),
    "record_inspection": ("staff", {"shop_id": "1", "clean": "1", "green": "1", "orderly": "1"}),
}
# Where a route acts for its object's owner: on another's object the service refuses with 403.
OWNER_ONLY = {
    "shop_edit_form",
    "shop_edit",
    "accept_nomination",
    "withdraw_nomination",
    "resign_seat",
    "withdraw_interest",
    "open_group_thread",
    "link_proposal_thread",
    "add_agenda_item",
    "invite",
    "record_attendance",
    "offer_edit_form",
    "offer_edit",
    "withdraw_offer",
    "settle_need",
    "change_meeting",
    "cancel_meeting",
    "meeting_people",
    "invite_picks",
    "record_attendance_list",
    "withdraw_pledge",
    "notice",
    "acknowledge_notice",
    "notice_file",
    "shop_inspections",
    "add_milestone",
    "complete_milestone",
    "project_state",
    "project_stage",
    "project_maintainer",
    "add_project_worker",
    "link_project_meeting",
    "post_project_update",
    "attach_project_document",
    "record_project_spending",
    "set_project_goal",
}
# Walked last, in this order: they change roles and phases the other cells rely on.
LAST = ("recuse_motion", "withdraw_interest", "resign_seat")
# Routes the table opens to the council whose service admits only its chair (the corpus's member is not).
CHAIR_ONLY = {"motion_form", "create_motion", "project_form", "create_project"}
# Forms with files: sent as multipart, as a browser sends them.
MULTIPART = {"post_project_update", "attach_project_document", "record_project_spending"}
# The second log-in step exists only between the password and the code: without one, back to /login.
SECOND_STEP = {"login_code_form", "login_code"}
# Bodies of routes without an object in the path (valid, so an allowed role reaches the service).
BODIES = {"open_thread": {}, "declare_interest": {"object_type": "shop", "object_id": "1", "note": "语料"}}
# Written by the thread and message actions: a "missing" cell must leave every count as it was.
WRITTEN = (Flag, Mute, MeToo, Message, Evaluation)


@dataclass
class Seed:
    people: dict[str, int]
    browsers: dict
    objects: dict[str, dict[str, dict[str, object]]]  # type -> kind -> role (or "*") -> path values
    visible_group: set[str]


def _jpeg() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 140, 200)).save(output, "JPEG")
    return output.getvalue()


async def _seed(app, browser_factory) -> Seed:
    staff = await staff_viewer("staff@test.example")
    resident = viewer_for(await make_person("居民", "13900000001"), "resident")
    neighbour = viewer_for(await make_person("邻居", "13900000002"), "resident")
    zhang = await merchant("张师傅", "1143号", "老张生煎", contact="13800000001")
    li = await merchant("李老板", "1021号", "凌岩水果店", contact="13800000002")
    zhao = await merchant("赵老师", "1235号", "小书童托管班", contact="13800000004")
    xu = await merchant("许老板", "1160号", "许记面馆", contact="13800000005")
    # The council: 赵老师 and 许老板 elected in term 1; term 2's nominations are open.
    first = await make_election(staff, await make_term(staff, number=1, seats=2))
    await stand(zhao, first)
    await stand(xu, first)
    await ballots.open_voting(staff, first)
    await ballots.close_election(staff, first)
    zhao = viewer_for(zhao.person_id, "resident", "merchant", "council", shops=tuple(zhao.shop_ids))
    xu = viewer_for(xu.person_id, "resident", "merchant", "council", shops=tuple(xu.shop_ids))
    election = await make_election(staff, await make_term(staff, number=2, seats=3, started_days_ago=-800))
    viewers = {"resident": resident, "merchant": zhang, "other_merchant": li, "council": zhao, "staff": staff}
    people = {role: viewer.person_id for role, viewer in viewers.items()} | {
        "neighbour": neighbour.person_id,
        "xu": xu.person_id,
    }

    # Threads: one of each role's own, another's (the neighbour's), the merchant's group discussion, a hidden one.
    own_shop = shop_of(zhang)
    thread = {"own": {}, "another": {}, "group": {}, "hidden": {}}
    for role, viewer in viewers.items():
        roles = tuple(viewer.roles)
        thread["own"][role] = await make_thread(viewer.person_id, shop_id=own_shop, title=f"{role}的反映", roles=roles)
    thread["another"]["*"] = await make_thread(neighbour.person_id, shop_id=own_shop, title="邻居的反映")
    group_id = next(iter((await group_ids_of(zhang)) - await group_ids_of(li)))
    thread["group"]["*"] = await opening.open_group_thread(zhang, group_id, "组内商量", "只给组里看")
    thread["hidden"]["*"] = await make_thread(neighbour.person_id, shop_id=own_shop, title="待核实的反映")
    # Messages: each role's own answer and the neighbour's on the neighbour's thread; one in the group; one hidden.
    another = thread["another"]["*"]
    message = {"own": {}, "another": {}, "group": {}, "hidden": {}}
    for role, viewer in viewers.items():
        message["own"][role] = await workflow.post_answer(viewer, another, AnswerForm(body=f"{role}的回复"))
    message["another"]["*"] = await workflow.post_answer(neighbour, another, AnswerForm(body="邻居的回复"))
    message["group"]["*"] = await workflow.post_answer(zhang, thread["group"]["*"], AnswerForm(body="组内回复"))
    message["hidden"]["*"] = await workflow.post_answer(neighbour, another, AnswerForm(body="待核实的回复"))
    await moderation.moderate(staff, "message", message["hidden"]["*"], True, "待核实")
    await moderation.moderate(staff, "thread", thread["hidden"]["*"], True, "待核实")
    # Photos on the neighbour's thread, the group's and the hidden one (stored files, as uploads are).
    var_dir = app.state.settings.var_dir
    photo = {}
    for kind in ("another", "group", "hidden"):
        name = photo_store.store_photo(var_dir, photo_store.prepare_photo(_jpeg()))
        await Photo.insert(
            Photo(thread=thread[kind]["*"], file_name=name, width=40, height=30, size_bytes=100, created_at=clock.now())
        )
        photo[kind] = {"*": name}
    # Nominations in term 2: each merchant role is proposed by another shop; 许老板's is nobody's here.
    nomination = {"own": {}, "another": {}}
    for role, nominator in (("merchant", li), ("other_merchant", zhang), ("council", zhang)):
        nominee = viewers[role]
        nomination["own"][role] = await nominations.nominate(
            nominator, election, NominateForm(nominee=f"{shop_of(nominee)}:{nominee.person_id}")
        )
    nomination["another"]["*"] = await nominations.nominate(
        li, election, NominateForm(nominee=f"{shop_of(xu)}:{xu.person_id}")
    )
    seat_of = {seat.person_id: seat.id for seat in await seats.seats_of_term(1)}
    interest_form = InterestForm(object_type="shop", object_id=own_shop, note="语料")
    from block_service.shops.applications import apply_for_shop
    from block_service.shops.schemas import ShopApplicationForm
    from block_service.shops.segments import list_industries

    industry = (await list_industries())[0]
    from block_service.groups.tables import OrgGroup

    ours = set()
    for viewer in (zhang, li, zhao):
        ours |= await group_ids_of(viewer)
    foreign_group = (await OrgGroup.select(OrgGroup.id).where(OrgGroup.id.not_in(sorted(ours))).first())["id"]
    application = await apply_for_shop(
        resident,
        ShopApplicationForm(
            shop_name="居民小店",
            house_number="1170号",
            industry_id=industry.id,
            licence_number="91310115AB12345678",
            phone="021-58881111",
        ),
    )
    # Proposals: each role's own, the neighbour's, and the neighbour's draft (hidden from all but staff).
    proposal = {"own": {}, "another": {}, "hidden": {}}
    for role, viewer in viewers.items():
        proposal["own"][role] = await file_proposal_for(viewer, title=f"{role}的提议内容")
    proposal["another"]["*"] = await file_proposal_for(neighbour, title="邻居的提议内容")
    proposal["hidden"]["*"] = await file_proposal_for(neighbour, title="邻居的提议草稿", submit=False)
    meetings = {}
    for owner, convener in (("own", zhao), ("another", staff)):
        meeting_id = await make_meeting(convener, kind="coordination", open_to_residents=True)
        item_id = await meeting_services.add_agenda_item(convener, meeting_id, AgendaItemForm(title="语料议程"))
        meetings[owner] = {"meeting_id": meeting_id, "item_id": item_id}
    offers = {"own": {}, "another": {"*": await make_offer(xu, shop_of(xu), every_day="00:00-24:00")}}
    for role in ("merchant", "other_merchant", "council"):
        offers["own"][role] = await make_offer(viewers[role], shop_of(viewers[role]), every_day="00:00-24:00")
    needs = {"own": {}, "another": {"*": await make_need(neighbour, title="邻居的需求")}}
    for role, viewer in viewers.items():
        needs["own"][role] = await make_need(viewer, title=f"{role}的需求")

    project = {}
    for owner, lead in (("own", zhao), ("another", staff)):
        project_id = await started_project(staff, size="large", budget_cap=None, lead=lead)
        document_id = await work.attach_document(staff, project_id, var_dir, "语料材料", b"%PDF-1.4\n%%EOF\n")
        milestone_id = await milestone(staff, project_id)
        project[owner] = {"project_id": project_id, "milestone_id": milestone_id, "document_id": document_id}
    update_id = await work.post_update(staff, project["another"]["project_id"], UpdateForm(body="语料进展"))
    project_photo = photo_store.store_photo(var_dir, photo_store.prepare_photo(_jpeg()))
    await ProjectPhoto.insert(
        ProjectPhoto(update=update_id, file_name=project_photo, width=40, height=30, size_bytes=100, created_at=now())
    )
    subject = trial(managers=(staff.person_id,))
    pledge = {"own": {}, "another": {}}
    for role, viewer in viewers.items():
        pledge["own"][role] = await pledge_services.pledge(viewer, subject, PledgeForm(kind="hours", quantity=2))
    pledge["another"]["*"] = await pledge_services.pledge(neighbour, subject, PledgeForm(kind="hours", quantity=1))
    notices = await _notices(app, staff, shop_of(zhang), shop_of(xu))
    objects = {
        "offer": offers,
        "need": needs,
        "pledge": pledge,
        "notice": notices["objects"],
        "project": {"own": {"council": project["own"]}, "another": {"*": project["another"]}},
        "projectphoto": {"another": {"*": {"file_name": project_photo}}},
        "meeting": {"own": {"council": meetings["own"]}, "another": {"*": meetings["another"]}},
        "thread": thread,
        "message": message,
        "photo": photo,
        "shop": {
            "own": {role: shop_of(viewers[role]) for role in ("merchant", "other_merchant", "council")},
            "another": {"*": shop_of(xu)},
        },
        "group": {"own": {"merchant": group_id}, "another": {"*": foreign_group}},
        "election": {"another": {"*": election}},
        "plan": {"another": {"*": "environment"}},
        "chart": {"another": {"*": {"chart": "workload.csv"}}},
        "data_file": {"another": {"*": {"data_file": "threads.csv"}}},
        "proposal": proposal,
        # A motion of term 1 (赵老师 and 许老板 on its roll), opened by staff.
        "motion": {"another": {"*": await open_motion(staff, motion_form())}},
        "nomination": nomination,
        "seat": {"own": {"council": seat_of[zhao.person_id]}, "another": {"*": seat_of[xu.person_id]}},
        "interest": {
            "own": {"council": await interests.declare_interest(zhao, interest_form)},
            "another": {"*": await interests.declare_interest(xu, interest_form)},
        },
        "staff": {
            "another": {
                "*": {
                    "person_id": neighbour.person_id,
                    "application_id": application,
                    "segment_id": 1,
                    "industry_id": 1,
                    "role": "resident",
                    "term_id": 1,
                    "election_id": first,
                    "seat_id": seat_of[xu.person_id],
                    "category_id": 1,
                    "template_id": 1,
                    "group_id": group_id,
                    "shop_id": shop_of(xu),
                    "object_type": "thread",
                    "object_id": thread["hidden"]["*"],
                    "thread_id": another,
                    "photo_id": (await Photo.select(Photo.id).order_by(Photo.id).first())["id"],
                    "slug": "culture",
                    "notice_id": notices["objects"]["another"]["*"]["notice_id"],
                    "round_id": notices["round_id"],
                    "service_id": notices["service_id"],
                    "kind_id": 1,
                    "project_id": project["another"]["project_id"],
                }
            }
        },
    }
    people["spare_service"] = notices["spare_service"]
    visible_group = {"staff"} | {role for role, viewer in viewers.items() if group_id in await group_ids_of(viewer)}
    browsers = {"visitor": browser_factory("en")}
    for role, contact in (
        ("resident", "13900000001"),
        ("merchant", "13800000001"),
        ("other_merchant", "13800000002"),
        ("council", "13800000004"),
        ("staff", "staff@test.example"),
    ):
        browsers[role] = browser_factory("en")
        await browsers[role].log_in(contact)
        await browsers[role].post("/language", {"language": "en", "next": "/"})
    return Seed(people=people, browsers=browsers, objects=objects, visible_group=visible_group)


async def _notices(app, staff, own_shop: int, other_shop: int) -> dict:
    """A notice to the merchant's shop with a stored PDF, one to 许老板's shop only, a round, two directory entries."""
    from block_service.notices import attachments
    from block_service.notices.directory import save_service
    from block_service.notices.inspections import start_round
    from block_service.notices.publishing import publish_notice
    from block_service.notices.schemas import NoticeForm, RoundForm, ServiceForm

    var_dir = app.state.settings.var_dir
    pdf = b"%PDF-1.4\n%%EOF\n"
    (attachments.files_dir(var_dir) / ("a" * 32 + ".pdf")).write_bytes(pdf)
    stored = [("a" * 32 + ".pdf", "通知.pdf", attachments.PDF, len(pdf))]
    objects = {}
    for kind, shop in (("own", own_shop), ("another", other_shop)):
        form = NoticeForm(
            title="语料通知", body="语料通知正文", audience_kind="shops", shop_ids=[shop], ack_required=True
        )
        notice_id = await publish_notice(staff, form, stored)
        from block_service.notices.tables import NoticeAttachment

        attachment = (
            await NoticeAttachment.select(NoticeAttachment.id).where(NoticeAttachment.notice == notice_id).first()
        )
        value = {"notice_id": notice_id, "attachment_id": attachment["id"]}
        objects[kind] = {"merchant": value} if kind == "own" else {"*": value}
    round_id = await start_round(staff, RoundForm(month=now().astimezone(clock.BLOCK_TIMEZONE).strftime("%Y-%m")))
    return {
        "objects": objects,
        "round_id": round_id,
        "service_id": await save_service(staff, ServiceForm(topic="waste", title="语料服务")),
        "spare_service": await save_service(staff, ServiceForm(topic="other", title="语料备用")),
    }


def _routes(app):
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                if route_key(handler) not in ALWAYS_OPEN:
                    yield route.path, method, handler


def _gate(role: str, key: str) -> str | None:
    """The route table's answer: None when the role passes it."""
    roles = ROUTE_ACCESS[key].roles
    if ANYONE in roles or (role != "visitor" and (SIGNED_IN in roles or ROLE_GRANTS[role] & roles)):
        return None
    return "login" if role == "visitor" else "forbidden"


def _expected(key: str, object_type: str, kind: str, role: str, seed: Seed) -> str:
    gate = _gate(role, key)
    if gate:
        return gate
    if object_type in ("thread", "message", "photo"):
        if kind == "group" and role not in seed.visible_group:
            return "missing"
        if kind == "hidden" and object_type != "message" and role != "staff":
            return "missing"
        return "reached"
    if object_type == "proposal" and kind == "hidden" and role != "staff":
        return "missing"  # a draft is its author's alone
    if key in OWNER_ONLY and kind == "another" and role != "staff":
        return "forbidden"
    return "reached"


def _business(key: str, object_type: str, kind: str, role: str, expected: str) -> str:
    """Rules past the object's visibility: who may acknowledge a thread, where "me too" applies."""
    if expected != "reached":
        return expected
    if key == "change_status" and role != "staff":
        return "forbidden"  # acknowledging is staff's step; the service says so with a 403
    if key == "dashboard_csv" and role != "staff":
        return "forbidden"  # the workload per staff member: the service refuses everyone but staff with a 403
    if key == "proposal_step" and role != "staff":
        return "forbidden"  # accepting a proposal is staff's step; the service says so with a 403
    if key == "evaluate_project":
        return "forbidden"  # only the people a completed project serves are invited to evaluate it
    if key in ("record_minutes", "motion_from_item") and role != "staff":
        return "forbidden"  # the secretary (minutes) and the chair (motions) are nobody in this seed
    if key in ("thank_offer", "report_offer") and object_type == "offer" and kind == "own":
        return "forbidden"  # a shop neither thanks nor reports itself: the service says so with a 403

    if key == "withdraw_motion" and role != "staff":
        return "forbidden"  # the chair withdraws a motion, and the chair is nobody in this seed
    if key == "withdraw_pledge" and kind == "another":
        return "forbidden"  # only the pledger withdraws a pledge, staff included
    if key == "deliver_pledge" and role != "staff":
        return "forbidden"  # only the target's managers mark pledges delivered (staff in this seed)
    if key == "metoo" and kind in ("group", "hidden"):
        return "missing"  # "me too" joins public reports only: the others are not there to join
    if key == "metoo" and role == "merchant":
        return "forbidden"  # the merchants of the shop a complaint is about do not join it (issue 13)
    if key == "flag_thread" and role == "merchant" and kind in ("own", "another"):
        return "forbidden"  # nor flag it (issue 13)
    if key == "todo_answer" and (role != "merchant" or kind == "group"):
        return "forbidden"  # the to-do answers only the threads about one's own shop
    return expected


def _classify(method: str, response) -> str:
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if status == 401 or (status == 303 and response.headers.get("location", "").startswith("/login")):
        return "login"
    return {403: "forbidden", 404: "missing"}.get(status, "reached")


def _fill(path: str, object_type: str, value, seed: Seed) -> str:
    def one(match: re.Match) -> str:
        name = match.group(1)
        if isinstance(value, dict):
            return str(value[name])
        if object_type == "group" and name == "ref":
            return str(value)
        if name in (
            "thread_id",
            "message_id",
            "file_name",
            "shop_id",
            "group_id",
            "ref",
            "election_id",
            "nomination_id",
            "seat_id",
            "interest_id",
            "proposal_id",
            "slug",
            "motion_id",
            "offer_id",
            "need_id",
            "pledge_id",
        ):
            return str(value)
        raise AssertionError(f"no value for {name} in {path}")

    return re.sub(r"\{(\w+)(?::\w+)?\}", one, path)


def _body(key: str, body: dict, role: str, seed: Seed) -> dict:
    """Bodies that name the role's own shop, where the form asks for one."""
    own_shop = seed.objects["shop"]["own"].get(role, seed.objects["shop"]["another"]["*"])
    if key == "link_proposal_thread":
        body = {"thread_id": str(seed.objects["thread"]["another"]["*"]), **body}
    if key == "offer_edit":
        body = {"shop_id": str(own_shop), "kind_id": "1", **body}
    if key == "record_minutes":
        body = {"item_id": str(seed.objects["meeting"]["another"]["*"]["item_id"]), **body}
    if key == "motion_from_item":
        body = {"closes_at": local(now() + dt.timedelta(days=3)), **body}
    if key in ("stand", "back_leader", "withdraw_backing", "cast_ballot", "nominate"):
        body = {
            "shop_id": str(own_shop),
            "statement": "语料",
            "candidate_id": str(seed.people["merchant"]),
            "nominee": f"{seed.objects['shop']['another']['*']}:{seed.people['neighbour']}",
            **body,
        }
    return body


async def _counts() -> tuple:
    return tuple([await table.count() for table in WRITTEN])


async def _ask(browser, method: str, url: str, body: dict, multipart: bool = False):
    if method == "GET":
        return await browser.get(url)
    if multipart:
        files = {"attachment": ("corpus.txt", b"corpus", "text/plain")}
        headers = {"x-csrftoken": await browser.csrf_token()}
        return await browser.client.post(url, data=body, files=files, headers=headers)
    return await browser.post(url, body)


async def test_every_route_role_and_object_kind_answers_as_the_rules_say(app, browser_factory):
    seed = await _seed(app, browser_factory)
    routes = list(_routes(app))
    keys = {route_key(handler) for _path, _method, handler in routes}
    with_objects = {route_key(handler) for path, _method, handler in routes if "{" in path}
    unlisted = sorted(with_objects - set(OBJECT_ROUTES))
    assert not unlisted, f"add these routes to OBJECT_ROUTES in tests/test_authorization_corpus.py: {unlisted}"
    assert not set(OBJECT_ROUTES) - keys, f"the corpus names routes that do not exist: {set(OBJECT_ROUTES) - keys}"
    order = sorted(
        routes,
        key=lambda r: (
            ROUTE_ACCESS[route_key(r[2])].roles == {"staff"},
            LAST.index(route_key(r[2])) + 1 if route_key(r[2]) in LAST else 0,
        ),
    )
    cells, failures, by_class = 0, [], Counter()
    routes_checked = set()
    for path, method, handler in order:
        key = route_key(handler)
        routes_checked.add((method, path))
        if key not in OBJECT_ROUTES:
            for role in ROLES:
                expected = "login" if key in SECOND_STEP else _gate(role, key) or "reached"
                if key in CHAIR_ONLY and role == "council":
                    expected = "forbidden"  # the route admits the council; of its members, only the chair
                if key == "report_send" and role == "visitor":
                    expected = "login"  # a visitor fills in the guided report; sending asks them to sign in
                if key in ("logout",) and expected == "reached":
                    continue  # logging out would end the session the rest of the walk uses
                response = await _ask(seed.browsers[role], method, path, BODIES.get(key, {}))
                actual = _classify(method, response)
                cells += 1
                by_class[expected] += 1
                if actual != expected and not (expected == "reached" and actual == "forbidden" and method != "GET"):
                    failures.append(f"{role} {method} {path}: expected {expected}, got {response.status_code}")
            continue
        object_type, body = OBJECT_ROUTES[key]
        kinds = seed.objects[object_type]
        for kind in KINDS:
            if kind not in kinds:
                continue
            for role in ROLES:
                value = kinds[kind].get(role, kinds[kind].get("*"))
                if key == "remove_merchant":
                    value = {**value, "person_id": seed.people["xu"]}  # a merchant of that shop
                if key == "delete_service":
                    value = {**value, "service_id": seed.people["spare_service"]}  # the others still use theirs
                if value is None:
                    continue  # this role has no object of this kind (a visitor owns nothing)
                if key == "thread_events" and _expected(key, object_type, kind, role, seed) == "reached":
                    continue  # an open stream never ends; tests/test_live_updates.py covers the reached cells
                expected = _business(key, object_type, kind, role, _expected(key, object_type, kind, role, seed))
                url = _fill(path, object_type, value, seed)
                before = None
                if expected == "missing":
                    before = await _counts()
                    await seed.browsers[role].get("/")  # shows (and so clears) any flash an earlier cell left
                response = await _ask(seed.browsers[role], method, url, _body(key, body, role, seed), key in MULTIPART)
                actual = _classify(method, response)
                cells += 1
                by_class[expected] += 1
                where = f"{role} {method} {url} ({object_type}, {kind})"
                if actual != expected:
                    failures.append(f"{where}: expected {expected}, got {response.status_code}")
                    continue
                if expected == "missing":
                    if await _counts() != before:
                        failures.append(f"{where}: a 404 that wrote something")
                    nowhere = re.sub(r"/\d+(?=/|$)", f"/{MISSING_ID}", url, count=1)
                    if object_type == "photo":
                        nowhere = url[:-10] + "0123456789"
                        if key == "photo_thumbnail":
                            nowhere = re.sub(r"[0-9a-f]{32}\.jpg", "0" * 32 + ".jpg", url)
                    await seed.browsers[role].get("/")
                    same = await _ask(seed.browsers[role], method, nowhere, _body(key, body, role, seed))
                    if same.status_code != 404 or text_of(same.text) != text_of(response.text):
                        words = set(text_of(same.text).split()) ^ set(text_of(response.text).split())
                        failures.append(f"{where}: its 404 differs from that of {nowhere}: {sorted(words)[:10]}")
    assert not failures, f"{len(failures)} of {cells} cells:\n" + "\n".join(failures)
    # Every route of the app was walked (the schema's own pages and static files aside).
    assert len(routes_checked) == len(routes) and len(routes) > 100, (len(routes_checked), len(routes))
    print(f"authorization corpus: {len(routes)} routes, {cells} cells {dict(by_class)}")
    assert cells > 600


async def test_inbox_entries_are_their_owners_only(app, browser_factory):
    """IDOR on the inbox: entries are listed, counted and marked read only for the person they are for."""
    from block_service.inbox.tables import InboxEntry

    merchant_viewer = await merchant("张师傅", "1143号", "老张生煎", contact="13800000001")
    resident = await make_person("居民", "13900000001")
    thread = await make_thread(resident, shop_id=shop_of(merchant_viewer), title="门口纸箱占道的私事")
    assert await InboxEntry.count().where(InboxEntry.person == merchant_viewer.person_id) == 1
    other = browser_factory("en")
    await make_person("路人", "13900000003")
    await other.log_in("13900000003")
    assert "门口纸箱占道的私事" not in text_of((await other.get("/inbox")).text)
    assert (await other.post("/inbox/read", {})).status_code == 303
    unread = await InboxEntry.count().where(
        (InboxEntry.person == merchant_viewer.person_id) & InboxEntry.read_at.is_null()
    )
    assert unread == 1, "another person's 'mark all read' reached the merchant's inbox"
    owner = browser_factory("en")
    await owner.log_in("13800000001")
    assert "门口纸箱占道的私事" in text_of((await owner.get("/inbox")).text)
    assert thread
