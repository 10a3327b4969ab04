"""The route permission table: every route by name, with the roles that may use it.

`enforce_route_access` (web/auth.py) reads this table for every request; a route missing here is
refused to everybody, and tests/test_permissions.py fails on it. Where a row says `owner`, the
service also checks that the person acts for that object (a merchant only for their own shop).
"""

from __future__ import annotations

from typing import NamedTuple

from litestar.handlers.base import BaseRouteHandler

ANYONE = "anyone"
SIGNED_IN = "signed_in"
RESIDENT = "resident"
MERCHANT = "merchant"
COUNCIL = "council"
STAFF = "staff"


class Access(NamedTuple):
    roles: frozenset[str]
    owner: str | None = None


def _access(*roles: str, owner: str | None = None) -> Access:
    return Access(frozenset(roles), owner)


PUBLIC = _access(ANYONE)
MEMBERS = _access(SIGNED_IN)
STAFF_ONLY = _access(STAFF)

ROUTE_ACCESS: dict[str, Access] = {
    # system and shell
    "home": PUBLIC,
    "contact": PUBLIC,
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    "static": PUBLIC,
    "set_language": PUBLIC,
    # accounts
    "signup_form": PUBLIC,
    "signup": PUBLIC,
    "login_form": PUBLIC,
    "login": PUBLIC,
    "logout": MEMBERS,
    "me": MEMBERS,
    "update_profile": MEMBERS,
    "change_password": MEMBERS,
    "login_code_form": PUBLIC,  # the second step of a log-in: the session holds who passed the first
    "login_code": PUBLIC,
    "security": MEMBERS,
    "enable_second_factor": MEMBERS,
    "disable_second_factor": MEMBERS,
    "reset_form": PUBLIC,  # setting a new password with a code the workstation issued in person
    "reset_password": PUBLIC,
    "issue_reset_code": STAFF_ONLY,
    "reset_second_factor": STAFF_ONLY,
    # plans and proposals (the services check staff, authorship and statuses)
    "plans": PUBLIC,
    "plan": PUBLIC,
    "api_plans": PUBLIC,
    "api_plan": PUBLIC,
    "staff_plans": STAFF_ONLY,
    "save_plan": STAFF_ONLY,
    "move_plan": STAFF_ONLY,
    "archive_plan": STAFF_ONLY,
    "proposals": PUBLIC,
    "proposal": PUBLIC,
    "api_proposals": PUBLIC,
    "api_proposal": PUBLIC,
    "proposal_form": MEMBERS,
    "file_proposal": MEMBERS,
    "support_proposal": MEMBERS,
    "proposal_step": MEMBERS,
    "link_proposal_thread": MEMBERS,
    "ready_proposals": STAFF_ONLY,
    # shops
    "shops": PUBLIC,
    "shop": PUBLIC,
    "apply_form": MEMBERS,
    "apply": MEMBERS,
    "my_shops": MEMBERS,
    "todo_answer": _access(MERCHANT, owner="thread"),
    "shop_edit_form": _access(MERCHANT, STAFF, owner="shop"),
    "shop_edit": _access(MERCHANT, STAFF, owner="shop"),
    # groups (membership follows the shop registry; leaders are backed by the group's shops)
    "groups": PUBLIC,
    "group": PUBLIC,
    "road_segment": PUBLIC,
    "my_groups": _access(MERCHANT),
    "back_leader": _access(MERCHANT, owner="shop"),
    "withdraw_backing": _access(MERCHANT, owner="shop"),
    "open_group_thread": _access(MERCHANT, STAFF, owner="group"),
    # council and elections (ballots are cast for a shop by one of its merchants)
    "council": PUBLIC,
    "election": PUBLIC,
    "stand": _access(MERCHANT, owner="shop"),
    "nominate": _access(MERCHANT, owner="shop"),
    "accept_nomination": _access(MERCHANT, owner="nomination"),
    "withdraw_nomination": _access(MERCHANT, owner="nomination"),
    "cast_ballot": _access(MERCHANT, owner="shop"),
    "declare_interest": _access(COUNCIL),
    "withdraw_interest": _access(COUNCIL, owner="interest"),
    "resign_seat": _access(COUNCIL, owner="seat"),
    # council motions (the service checks the chair, the roll, the term and the close)
    "motions": PUBLIC,
    "motion": PUBLIC,
    "motion_vote": PUBLIC,
    "motion_form": _access(COUNCIL, STAFF),
    "create_motion": _access(COUNCIL, STAFF),
    "vote_motion": _access(COUNCIL, owner="motion"),
    "recuse_motion": _access(COUNCIL, owner="motion"),
    "withdraw_motion": _access(COUNCIL, STAFF),  # the council's chair or staff (the service decides)
    # workstation staff
    "applications": STAFF_ONLY,
    "approve_application": STAFF_ONLY,
    "reject_application": STAFF_ONLY,
    "people": STAFF_ONLY,
    "person": STAFF_ONLY,
    "disable_person": STAFF_ONLY,
    "enable_person": STAFF_ONLY,
    "grant_role": STAFF_ONLY,
    "revoke_role": STAFF_ONLY,
    "registry": STAFF_ONLY,
    "create_segment": STAFF_ONLY,
    "update_segment": STAFF_ONLY,
    "create_industry": STAFF_ONLY,
    "update_industry": STAFF_ONLY,
    "remove_merchant": STAFF_ONLY,
    "audit_log": STAFF_ONLY,
    "appoint_leader": STAFF_ONLY,
    "clear_leader": STAFF_ONLY,
    "staff_council": STAFF_ONLY,
    "create_term": STAFF_ONLY,
    "open_election": STAFF_ONLY,
    "open_voting": STAFF_ONLY,
    "close_election": STAFF_ONLY,
    "publish_turnout": STAFF_ONLY,
    "assign_position": STAFF_ONLY,
    "remove_seat": STAFF_ONLY,
    "fill_seat": STAFF_ONLY,
    # threads
    "threads": PUBLIC,
    "thread": PUBLIC,
    "thread_messages": PUBLIC,
    "thread_events": PUBLIC,
    "photo": PUBLIC,
    "photo_thumbnail": PUBLIC,
    "similar_threads": MEMBERS,
    # the guided report: visitors may fill it in; sending asks them to sign in (the draft waits for them)
    "thread_form": PUBLIC,
    "report_photo": PUBLIC,
    "report_place": PUBLIC,
    "report_category": PUBLIC,
    "report_details": PUBLIC,
    "report_privacy": PUBLIC,
    "report_send": PUBLIC,
    "report_restart": PUBLIC,
    "report_metoo": MEMBERS,
    "open_thread": MEMBERS,
    "my_threads": MEMBERS,
    "post_answer": MEMBERS,
    "change_status": MEMBERS,
    "metoo": MEMBERS,
    "mute": MEMBERS,
    "evaluate": MEMBERS,
    "flag_thread": MEMBERS,
    "flag_message": MEMBERS,
    "triage": STAFF_ONLY,
    "assign_thread": STAFF_ONLY,
    "moderation_queue": STAFF_ONLY,
    "moderate": STAFF_ONLY,
    "photo_queue": STAFF_ONLY,
    "approve_photo": STAFF_ONLY,
    "remove_photo": STAFF_ONLY,
    "categories": STAFF_ONLY,
    "create_category": STAFF_ONLY,
    "update_category": STAFF_ONLY,
    "create_template": STAFF_ONLY,
    "update_template": STAFF_ONLY,
    "template_answer": STAFF_ONLY,
    # the staff desk
    "staff_desk": STAFF_ONLY,
    "desk_assign": STAFF_ONLY,
    "set_due": STAFF_ONLY,
    "add_staff_note": STAFF_ONLY,
    "bulk_threads": STAFF_ONLY,
    "intake_form": STAFF_ONLY,
    "file_intake": STAFF_ONLY,
    # meetings: anyone reads them; staff and council members convene; the service checks the convener,
    # the secretary (minutes) and who is invited (answers)
    "meetings": PUBLIC,
    "meetings_ics": PUBLIC,
    "meeting": PUBLIC,
    "meeting_form": _access(STAFF, COUNCIL),
    "create_meeting": _access(STAFF, COUNCIL),
    "answer_meeting": MEMBERS,
    "add_agenda_item": _access(STAFF, COUNCIL, owner="meeting"),
    "invite": _access(STAFF, COUNCIL, owner="meeting"),
    "record_attendance": _access(STAFF, COUNCIL, owner="meeting"),
    "change_meeting": _access(STAFF, COUNCIL, owner="meeting"),
    "cancel_meeting": _access(STAFF, COUNCIL, owner="meeting"),
    "meeting_people": _access(STAFF, COUNCIL, owner="meeting"),
    "invite_picks": _access(STAFF, COUNCIL, owner="meeting"),
    "record_attendance_list": _access(STAFF, COUNCIL, owner="meeting"),
    "record_minutes": _access(STAFF, COUNCIL),
    "motion_from_item": _access(STAFF, COUNCIL),  # the council's chair or staff (council.motions decides)
    # notices from the workstation (the service checks that the notice was addressed to the merchant's shop),
    # the services directory, 门前三包 inspections (a shop's record: its merchants and staff)
    "notices": _access(MERCHANT, STAFF),
    "notice": _access(MERCHANT, STAFF, owner="notice"),
    "acknowledge_notice": _access(MERCHANT, owner="notice"),
    "notice_file": _access(MERCHANT, STAFF, owner="notice"),
    "api_notices": _access(MERCHANT, STAFF),
    "notice_form": STAFF_ONLY,
    "publish_notice": STAFF_ONLY,
    "notice_follow_up": STAFF_ONLY,
    "remind_notice": STAFF_ONLY,
    "notice_receipts_csv": STAFF_ONLY,
    "services": PUBLIC,
    "create_service": STAFF_ONLY,
    "update_service": STAFF_ONLY,
    "delete_service": STAFF_ONLY,
    "inspections": PUBLIC,
    "api_inspections": PUBLIC,  # per segment for everyone; a shop's own results for its merchants and staff
    "start_inspection_round": _access(STAFF, COUNCIL),
    "inspection_round": _access(STAFF, COUNCIL),
    "record_inspection": _access(STAFF, COUNCIL),
    "shop_inspections": _access(MERCHANT, STAFF, owner="shop"),
    # projects: staff or the council's chair start one (projects.access decides); staff and the project's
    # lead manage it; the people it serves evaluate it once
    "projects": PUBLIC,
    "project": PUBLIC,
    "project_form": _access(STAFF, COUNCIL),
    "create_project": _access(STAFF, COUNCIL),
    "add_milestone": _access(SIGNED_IN, owner="project"),
    "complete_milestone": _access(SIGNED_IN, owner="project"),
    "project_state": _access(SIGNED_IN, owner="project"),
    "project_stage": _access(SIGNED_IN, owner="project"),
    "project_maintainer": _access(SIGNED_IN, owner="project"),
    "add_project_worker": _access(SIGNED_IN, owner="project"),
    "link_project_meeting": _access(SIGNED_IN, owner="project"),
    "post_project_update": _access(SIGNED_IN, owner="project"),
    "attach_project_document": _access(SIGNED_IN, owner="project"),
    "evaluate_project": MEMBERS,
    "allocate_project_money": STAFF_ONLY,
    "record_project_spending": _access(SIGNED_IN, owner="project"),
    "set_project_goal": _access(SIGNED_IN, owner="project"),
    "project_document": PUBLIC,
    "project_photo": PUBLIC,
    "api_projects": PUBLIC,
    "api_project": PUBLIC,
    # inbox
    "inbox": MEMBERS,
    "mark_read": MEMBERS,
    "inbox_badge": MEMBERS,
    # personal data (PIPL): the notice, my data, deleting an account
    "privacy_notice": PUBLIC,
    "accept_privacy": MEMBERS,
    "my_data": MEMBERS,
    "download_my_data": MEMBERS,
    "delete_account_form": MEMBERS,
    "delete_account": MEMBERS,
    "staff_delete_person_form": STAFF_ONLY,
    "staff_delete_person": STAFF_ONLY,
    # JSON API
    "api_me": MEMBERS,
    "api_shops": PUBLIC,
    "api_shop": PUBLIC,
    "api_segments": PUBLIC,
    "api_industries": PUBLIC,
    "api_apply": MEMBERS,
    "api_applications": STAFF_ONLY,
    "api_groups": PUBLIC,
    "api_group": PUBLIC,
    "api_council": PUBLIC,
    "api_election": PUBLIC,
    "api_motion": PUBLIC,
    "api_threads": PUBLIC,
    "api_thread": PUBLIC,
    # offers: anyone reads them; a merchant publishes for a shop they act for (the service checks the shop)
    "offers": PUBLIC,
    "offer": PUBLIC,
    "offer_form": _access(MERCHANT),
    "publish_offer": _access(MERCHANT, owner="shop"),
    "offer_edit_form": _access(MERCHANT, owner="offer"),
    "offer_edit": _access(MERCHANT, owner="offer"),
    "withdraw_offer": _access(MERCHANT, STAFF, owner="offer"),
    "thank_offer": MEMBERS,
    "offer_report_form": MEMBERS,
    "report_offer": MEMBERS,
    "offer_kinds": STAFF_ONLY,
    "create_offer_kind": STAFF_ONLY,
    "update_offer_kind": STAFF_ONLY,
    "api_offers": PUBLIC,
    # needs: anyone reads them; anyone signed in posts one; the author (or staff) settles it (checked by the service)
    "needs": PUBLIC,
    "need": PUBLIC,
    "need_form": MEMBERS,
    "post_need": MEMBERS,
    "settle_need": _access(SIGNED_IN, owner="need"),
    "api_needs": PUBLIC,
    "api_need": PUBLIC,
    "api_offer": PUBLIC,
    "api_meetings": PUBLIC,
    "api_meeting": PUBLIC,
    "api_inbox": MEMBERS,
    # pledges (the service checks the pledger, the shop they act for, and the target's managers)
    "make_pledge": MEMBERS,
    "withdraw_pledge": MEMBERS,
    "deliver_pledge": MEMBERS,
    # the autonomous fund: public ledger; staff record income and corrections
    "funds": PUBLIC,
    "api_funds": PUBLIC,
    "staff_funds": STAFF_ONLY,
    "record_fund_income": STAFF_ONLY,
    "correct_fund_entry": STAFF_ONLY,
    # insights: the dashboard (staff's workload and breaches checked by the service), open data, stuck items
    "dashboard": PUBLIC,
    "dashboard_csv": PUBLIC,
    "api_dashboard": PUBLIC,
    "api_plan_indicators": PUBLIC,
    "open_data": PUBLIC,
    "open_data_package": PUBLIC,
    "open_data_file": PUBLIC,
    "staff_loop": STAFF_ONLY,
    # Handlers Litestar makes itself: the OpenAPI schema under /schema and automatic OPTIONS answers.
    "openapi": PUBLIC,
    "options": PUBLIC,
}

CLOSED = Access(frozenset())


def route_key(handler: BaseRouteHandler) -> str:
    """The table key of a handler: its name; Litestar's own handlers get a fixed key."""
    owner = getattr(handler, "owner", None)
    if owner is not None and getattr(owner, "path", "") == "/schema":
        return "openapi"
    if handler.handler_name == "options_handler" and not handler.name:
        return "options"
    if handler.name == "static/head":
        return "static"
    return handler.name or f"unnamed:{handler.handler_name}"


def access_for(handler: BaseRouteHandler) -> frozenset[str]:
    return ROUTE_ACCESS.get(route_key(handler), CLOSED).roles
