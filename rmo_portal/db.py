"""Database helpers that settings cannot express."""

import contextlib

from django.conf import settings


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

    params = {"dbname": "postgres", "host": db.get("HOST") or None, "port": db.get("PORT") or None}
    params.update({k.lower(): db[k] for k in ("USER", "PASSWORD") if db.get(k)})
    with psycopg.connect(**params, autocommit=True) as pg:
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
