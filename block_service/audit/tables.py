"""The audit log table."""

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from block_service.accounts.tables import Person


class AuditEntry(Table, tablename="audit_entry"):
    at = Timestamptz(index=True)
    actor = ForeignKey(references=Person, null=True, default=None, index=True)
    action = Varchar(length=40, index=True)
    object_type = Varchar(length=30, index=True)
    object_id = Integer(null=True, default=None, index=True)
    before = Text(default="")
    after = Text(default="")
