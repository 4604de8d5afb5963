"""The audit trail is append-only on PostgreSQL: UPDATE, DELETE and TRUNCATE of its records and their persons
index are refused by triggers for every role but a superuser (who could disable the triggers anyway).

A role that owns the tables can still drop or disable the triggers; the application should connect as a role
that does not own them (``pingan audit grants --app-role NAME`` prints the grants; docs/audit.md).
SQLite has no roles: nothing is installed there.
"""

from django.db import migrations

TABLES = ("core_auditrecord", "core_auditsubject")

FUNCTION = """
CREATE OR REPLACE FUNCTION pingan_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        IF TG_LEVEL = 'STATEMENT' THEN RETURN NULL; END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                              f"FOR EACH ROW EXECUTE FUNCTION pingan_audit_append_only()")
        schema_editor.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                              f"FOR EACH STATEMENT EXECUTE FUNCTION pingan_audit_append_only()")


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS pingan_audit_append_only()")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_audit_subjects_purpose_mac"),
    ]

    operations = [migrations.RunPython(install, remove)]
