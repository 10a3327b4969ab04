"""A database filled before meetings could be changed or cancelled, attendance marked and motions withdrawn
upgrades with every row kept: meetings scheduled at sequence 0, attendance present, motions not withdrawn."""

from __future__ import annotations

from tests.test_council_secrecy import _empty_database, _migrate, _query
from tests.test_inbox_upgrade import _migration_before

MIGRATION = "2026-11-29T09:10:00:000000"
PEOPLE = (
    "INSERT INTO person (id, display_name, phone) VALUES (1, '工作站', '13800000000'), (2, '王阿姨', '13900000001')"
)
MEETINGS = (
    "INSERT INTO meeting (id, kind, title, starts_at, ends_at, place, convener, created_at) VALUES "
    "(1, 'hearing', '夜间外摆听证会', '2026-11-01 11:00:00+00:00', '2026-11-01 13:00:00+00:00', '凌岩南路1141弄', 1, "
    "'2026-10-20 08:00:00+00:00')"
)
ATTENDANCE = (
    "INSERT INTO meeting_attendance (id, meeting, attendee_type, attendee_id, recorded_by, recorded_at) "
    "VALUES (1, 1, 'person', 2, 1, '2026-11-01 13:10:00+00:00')"
)


async def test_meetings_and_attendance_keep_their_rows(_schema, tmp_path):
    async with _empty_database(tmp_path):
        await _migrate(_migration_before(MIGRATION))
        await _query(PEOPLE)
        await _query(MEETINGS)
        await _query(ATTENDANCE)
        await _migrate("all")
        meetings = await _query("SELECT id, title, status, cancel_reason, sequence FROM meeting")
        assert [dict(row) for row in meetings] == [
            {"id": 1, "title": "夜间外摆听证会", "status": "scheduled", "cancel_reason": "", "sequence": 0}
        ]
        rows = await _query("SELECT attendee_id, status FROM meeting_attendance")
        assert [dict(row) for row in rows] == [{"attendee_id": 2, "status": "present"}]
        columns = await _query("SELECT withdrawn_reason FROM council_motion")
        assert columns == []
