"""Audit entries as sentences: a message id with its parameters per action, translated at the edge.

A describer never translates (domain code does not): it picks the English msgid and fills in what the
entry's before/after say. Parameters named in `labels` are codes the edge turns into words (a role, a
thread status). An action without a describer gets the fallback sentence, which names its code.
"""

from __future__ import annotations

from typing import Any

import msgspec

from block_service.i18n import N_


class Description(msgspec.Struct, kw_only=True):
    message: str
    params: dict[str, Any]
    # Parameter name -> kind of code ("role", "thread_status") the edge shows in the reader's words.
    labels: dict[str, str] = {}


# action -> (msgid, {parameter: key in after/before}, {parameter: label kind}). Every msgid may use
# %(actor)s (who did it) and %(object)s (the name of a person, else the object's number).
SENTENCES: dict[str, tuple[str, dict[str, str], dict[str, str]]] = {
    "account.created": (N_("%(actor)s signed up."), {}, {}),
    "account.profile_changed": (N_("%(actor)s changed their profile."), {}, {}),
    "account.password_changed": (N_("%(actor)s changed their password."), {}, {}),
    "account.password_reset": (N_("%(actor)s set a new password with a reset code."), {}, {}),
    "account.reset_code_issued": (N_("%(actor)s issued a password reset code for %(object)s."), {}, {}),
    "account.totp_enabled": (N_("%(actor)s turned on their second factor."), {}, {}),
    "account.totp_disabled": (N_("%(actor)s turned off their second factor."), {}, {}),
    "account.totp_reset": (N_("%(actor)s reset the second factor of %(object)s."), {}, {}),
    "account.recovery_code_used": (N_("%(actor)s logged in with a recovery code."), {}, {}),
    "account.disabled": (N_("%(actor)s disabled the account of %(object)s: %(reason)s"), {"reason": "reason"}, {}),
    "account.enabled": (N_("%(actor)s enabled the account of %(object)s again."), {}, {}),
    "account.deleted": (N_("%(actor)s deleted the account of %(object)s."), {}, {}),
    "role.granted": (N_("%(actor)s gave %(object)s the role %(role)s."), {"role": "role"}, {"role": "role"}),
    "role.revoked": (N_("%(actor)s took the role %(role)s from %(object)s."), {"role": "role"}, {"role": "role"}),
    "privacy.accepted": (N_("%(actor)s accepted the privacy notice."), {}, {}),
    "thread.opened": (N_("%(actor)s opened thread %(object)s: %(title)s"), {"title": "title"}, {}),
    "thread.status_changed": (
        N_("%(actor)s moved thread %(object)s to “%(status)s”."),
        {"status": "status"},
        {"status": "thread_status"},
    ),
    "thread.auto_closed": (N_("Thread %(object)s was closed a week after it was resolved."), {}, {}),
    "thread.assigned": (N_("%(actor)s assigned thread %(object)s."), {}, {}),
    "thread.due_changed": (N_("%(actor)s changed the due time of thread %(object)s."), {}, {}),
    "thread.note_added": (N_("%(actor)s added an internal note to thread %(object)s."), {}, {}),
    "thread.evaluated": (N_("%(actor)s rated how thread %(object)s was fixed."), {}, {}),
    "thread.flagged": (N_("%(actor)s flagged thread %(object)s."), {}, {}),
    "thread.hidden": (N_("%(actor)s hid thread %(object)s: %(reason)s"), {"reason": "reason"}, {}),
    "thread.restored": (N_("%(actor)s restored thread %(object)s."), {}, {}),
    "thread.photos_expired": (N_("The photos of thread %(object)s were deleted after the retention time."), {}, {}),
    "message.posted": (N_("%(actor)s answered in thread %(object)s."), {}, {}),
    "message.flagged": (N_("%(actor)s flagged message %(object)s."), {}, {}),
    "message.hidden": (N_("%(actor)s hid message %(object)s: %(reason)s"), {"reason": "reason"}, {}),
    "message.restored": (N_("%(actor)s restored message %(object)s."), {}, {}),
    "photo.approved": (N_("%(actor)s approved photo %(object)s."), {}, {}),
    "photo.removed": (N_("%(actor)s removed photo %(object)s."), {}, {}),
    "category.saved": (N_("%(actor)s saved category %(object)s."), {}, {}),
    "response_template.saved": (N_("%(actor)s saved prepared answer %(object)s."), {}, {}),
    "shop_application.submitted": (
        N_("%(actor)s applied to register the shop %(shop)s."),
        {"shop": "shop_name"},
        {},
    ),
    "shop_application.approved": (N_("%(actor)s approved shop application %(object)s."), {}, {}),
    "shop_application.rejected": (
        N_("%(actor)s rejected shop application %(object)s: %(reason)s"),
        {"reason": "reason"},
        {},
    ),
    "shop.registered": (N_("%(actor)s registered shop %(object)s."), {}, {}),
    "shop.updated": (N_("%(actor)s updated shop %(object)s."), {}, {}),
    "shop.merchant_removed": (N_("%(actor)s removed a merchant from shop %(object)s."), {}, {}),
    "segment.saved": (N_("%(actor)s saved road segment %(object)s."), {}, {}),
    "industry.saved": (N_("%(actor)s saved industry %(object)s."), {}, {}),
    "group.created": (N_("%(actor)s created group %(object)s."), {}, {}),
    "group.renamed": (N_("%(actor)s renamed group %(object)s."), {}, {}),
    "group.leader_appointed": (N_("%(actor)s appointed a leader of group %(object)s."), {}, {}),
    "group.leader_appointment_ended": (N_("%(actor)s ended the leader appointment of group %(object)s."), {}, {}),
    "group.leader_backed": (N_("%(actor)s backed a leader of group %(object)s."), {}, {}),
    "group.leader_backing_withdrawn": (N_("%(actor)s withdrew their backing in group %(object)s."), {}, {}),
    "council_term.created": (N_("%(actor)s created council term %(object)s."), {}, {}),
    "council_seat.position": (N_("%(actor)s gave council seat %(object)s a position."), {}, {}),
    "council_seat.filled": (N_("%(actor)s filled council seat %(object)s."), {}, {}),
    "council_seat.resigned": (N_("%(actor)s resigned council seat %(object)s."), {}, {}),
    "council_seat.removed": (N_("%(actor)s removed the holder of council seat %(object)s."), {}, {}),
    "election.opened": (N_("%(actor)s opened election %(object)s."), {}, {}),
    "election.voting_opened": (N_("%(actor)s opened voting in election %(object)s."), {}, {}),
    "election.closed": (N_("%(actor)s closed election %(object)s."), {}, {}),
    "election.turnout_published": (N_("%(actor)s published the turnout of election %(object)s."), {}, {}),
    "election.ballot_cast": (N_("A ballot was cast in election %(object)s."), {}, {}),
    "nomination.proposed": (N_("%(actor)s proposed nomination %(object)s."), {}, {}),
    "nomination.accepted": (N_("%(actor)s accepted nomination %(object)s."), {}, {}),
    "nomination.withdrawn": (N_("%(actor)s withdrew nomination %(object)s."), {}, {}),
    "interest.declared": (N_("%(actor)s declared an interest (%(object)s)."), {}, {}),
    "interest.withdrawn": (N_("%(actor)s withdrew an interest (%(object)s)."), {}, {}),
    "motion.opened": (N_("%(actor)s opened motion %(object)s."), {}, {}),
    "motion.closed": (N_("%(actor)s closed motion %(object)s."), {}, {}),
    "motion.vote_changed": (N_("A vote on motion %(object)s was changed."), {}, {}),
    "motion.recused": (N_("%(actor)s stood aside from motion %(object)s."), {}, {}),
    "meeting.created": (N_("%(actor)s called meeting %(object)s."), {}, {}),
    "meeting.invited": (N_("%(actor)s invited someone to meeting %(object)s."), {}, {}),
    "meeting.answered": (N_("%(actor)s answered the invitation to meeting %(object)s."), {}, {}),
    "meeting.agenda_item_added": (N_("%(actor)s added an agenda item to meeting %(object)s."), {}, {}),
    "meeting.attendance_recorded": (N_("%(actor)s recorded who attended meeting %(object)s."), {}, {}),
    "meeting.minutes_published": (N_("%(actor)s published the minutes of meeting %(object)s."), {}, {}),
    "plan.saved": (N_("%(actor)s saved plan %(object)s."), {}, {}),
    "plan.moved": (N_("%(actor)s moved plan %(object)s on."), {}, {}),
    "plan.archived": (N_("%(actor)s archived plan %(object)s."), {}, {}),
    "proposal.filed": (N_("%(actor)s filed proposal %(object)s."), {}, {}),
    "proposal.supported": (N_("%(actor)s supported proposal %(object)s."), {}, {}),
    "proposal.thread_linked": (N_("%(actor)s linked a thread to proposal %(object)s."), {}, {}),
}
FALLBACK = N_("%(actor)s: %(action)s (%(object_type)s %(object)s)")


def _decoded(text: str) -> dict:
    if not text:
        return {}
    try:
        value = msgspec.json.decode(text)
    except msgspec.DecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def describe(action: str, object_type: str, object_id: int | None, before: str, after: str) -> Description:
    """The sentence of one entry, without `actor` and `object` (the edge names them)."""
    known = SENTENCES.get(action)
    if known is None:
        if action.startswith("proposal."):  # each step of a proposal's life records proposal.<event>
            return Description(
                message=N_("%(actor)s moved proposal %(object)s to “%(step)s”."),
                params={"step": str(_decoded(after).get("status", action.split(".", 1)[1]))},
            )
        return Description(message=FALLBACK, params={"action": action, "object_type": object_type})
    message, keys, labels = known
    facts = {**_decoded(before), **_decoded(after)}
    params: dict[str, Any] = {}
    for name, key in keys.items():
        value = facts.get(key, "")
        params[name] = value[:200] if isinstance(value, str) else value
    return Description(message=message, params=params, labels=labels)
