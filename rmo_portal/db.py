"""Database helpers that settings cannot express."""

import contextlib

from django.conf import settings


def pg_connect_params(db: dict, *, dbname: str | None = None) -> dict:
    """psycopg.connect() keywords for a DATABASES entry, optionally to another database on the same server."""
    params = {"dbname": dbname or db["NAME"], "host": db.get("HOST") or None, "port": db.get("PORT") or None}
    params.update({k.lower(): db[k] for k in ("USER", "PASSWORD") if db.get(k)})
    if db.get("OPTIONS", {}).get("sslmode"):
        params["sslmode"] = db["OPTIONS"]["sslmode"]
    return params


def ensure_icu_template() -> str | None:
    """Create the PostgreSQL template database with an ICU ru-RU locale, if missing.

    Django's test runner copies the test database from it (DATABASES TEST TEMPLATE), so that
    ORDER BY sorts Russian right: «Елисеева, Ёлкина, Яковлева» (C.UTF-8 puts Ё after Я).
    Production databases are created the same way (README). Returns the template's name.
    """
    db = settings.DATABASES["default"]
    template = db.get("TEST", {}).get("TEMPLATE")
    if db["ENGINE"] != "django.db.backends.postgresql" or not template:
        return None
    import psycopg
    from psycopg import sql

    with psycopg.connect(**pg_connect_params(db, dbname="postgres"), autocommit=True) as pg:
        exists = pg.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone()
        if not exists:
            # Another test process may make it a moment before us.
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                pg.execute(
                    sql.SQL(
                        "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' "
                        "LOCALE_PROVIDER icu ICU_LOCALE 'ru-RU' LOCALE 'C.UTF-8'"
                    ).format(sql.Identifier(template))
                )
    return template
