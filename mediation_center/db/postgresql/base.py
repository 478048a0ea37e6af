"""Django's PostgreSQL backend, with query logs that show a prepared read's own SQL.

A read sent through a prepared statement (mediation_center/prepared.py) reaches the server as
``EXECUTE p_…(values)``; psycopg2 reports that text as the cursor's last query, which is what Django's
query log and ``CaptureQueriesContext`` record. Here the log shows the statement the code ran, with
its values, as it would without prepared statements."""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        query = getattr(cursor, "query", None)
        if query is not None and query.startswith(b"EXECUTE p_") and params is not None:
            return cursor.mogrify(sql, params).decode()
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
