"""Every upload is bounded while it arrives: one handler for every file field, a form field that
says why, and no view that reads a whole request into memory."""

import importlib
import tracemalloc

import pytest
from django import forms
from django.apps import apps
from django.urls import reverse

from keiretsu.conftest import client_for
from keiretsu.lib.uploads import UploadField
from keiretsu.supplychain.models import Supplier

pytestmark = pytest.mark.django_db

BOUNDARY = "keiretsu-boundary"


class LazyBody:
    """A multipart body of `size` bytes of file content, produced as it is read (never held whole)."""

    def __init__(self, field, name, size):
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.size = size
        self.length = len(self.head) + size + len(self.tail)
        self.position = 0

    def read(self, n=-1):
        if n is None or n < 0:
            n = self.length - self.position
        out = bytearray()
        while n > 0 and self.position < self.length:
            p = self.position
            if p < len(self.head):
                piece = self.head[p : p + n]
            elif p < len(self.head) + self.size:
                piece = b"x" * min(n, len(self.head) + self.size - p)
            else:
                start = p - len(self.head) - self.size
                piece = self.tail[start : start + n]
            out += piece
            self.position += len(piece)
            n -= len(piece)
        return bytes(out)

    def readline(self, *args):
        return self.read(*args)


def post_lazily(client, url, field, name, size):
    body = LazyBody(field, name, size)
    return client.generic(
        "POST",
        url,
        **{
            "wsgi.input": body,
            "CONTENT_LENGTH": str(body.length),
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        },
    )


def test_a_huge_supplier_list_is_refused_while_it_arrives_without_being_kept(alpha, alice):
    client = client_for(alice)
    url = reverse("supplychain:supplier_import", args=[alpha.pk])
    tracemalloc.start()
    response = post_lazily(client, url, "file", "suppliers.csv", 40 * 1024 * 1024)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 400
    assert "ファイルが大きすぎます（40.0 MB）。2 MB までです。" in response.content.decode()
    assert peak < 8 * 1024 * 1024  # the 40 MB were read and thrown away, not kept
    assert not Supplier.objects.filter(customer=alpha).exists()


def test_an_upload_at_the_limit_goes_through_to_the_check_of_its_content(alpha, alice):
    response = post_lazily(
        client_for(alice), reverse("supplychain:supplier_import", args=[alpha.pk]), "file", "s.csv", 2 * 1024 * 1024
    )
    assert response.status_code == 400
    assert "大きすぎます" not in response.content.decode()  # read, and refused for what it says


def every_form_class():
    for config in apps.get_app_configs():
        if not config.name.startswith("keiretsu."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                yield value


def test_every_file_field_is_a_bounded_upload_field():
    file_fields = [
        (form.__name__, name, field)
        for form in every_form_class()
        for name, field in getattr(form, "base_fields", {}).items()
        if isinstance(field, forms.FileField)
    ]
    assert len(file_fields) >= 3  # the checksheet, the official checksheet, the supplier list
    for form_name, name, field in file_fields:
        assert isinstance(field, UploadField), f"{form_name}.{name} is not an UploadField"
