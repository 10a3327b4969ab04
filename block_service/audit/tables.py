"""The audit log table."""

from piccolo.columns import ForeignKey, Integer, LazyTableReference, Text, Timestamptz, Varchar
from piccolo.table import Table


class AuditEntry(Table, tablename="audit_entry"):
    at = Timestamptz(index=True)
    # Named, not imported: the audit log sits below accounts, whose services write to it.
    actor = ForeignKey(
        references=LazyTableReference("Person", module_path="block_service.accounts.tables"),
        null=True,
        default=None,
        index=True,
    )
    action = Varchar(length=40, index=True)
    object_type = Varchar(length=30, index=True)
    object_id = Integer(null=True, default=None, index=True)
    before = Text(default="")
    after = Text(default="")
