"""The portal's URLs plus two test-only pages: one with an injected inline script, one that breaks."""

from django.http import HttpResponse
from django.urls import path

from rmo_portal.urls import handler400, handler403, handler404, handler500  # noqa: F401 (the error views)
from rmo_portal.urls import urlpatterns as portal_urlpatterns

# What an attacker would get into a page if some template printed their text unescaped.
INJECTED_PAGE = """<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Проверка</title></head>
<body><p id="page">Страница портала</p><script>window.injected = true;</script></body></html>"""


def injected(request):
    return HttpResponse(INJECTED_PAGE)


def broken(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [
    path("test/injected/", injected),
    path("test/broken/", broken),
    *portal_urlpatterns,
]
