"""Uploads: one bounded path for every file field.

Django keeps an uploaded file in memory up to 2.5 MB and on disk beyond, whatever its size.
`BoundedUploadHandler` stands first in FILE_UPLOAD_HANDLERS, so it sees every upload of every
view (also when the CSRF check parses the body before the view runs): it lets a file's chunks
through until the file passes the limit, then reads the rest and throws it away, and hands the
form an `OversizeUpload` (no content, the size it had). `UploadField`, the one file field the
forms use, refuses that with a message for a person, and refuses any file over its own limit.

The limit while streaming is the view's (`bounded_upload(FormClass)` takes it from the form's
upload fields), else the largest upload accepted anywhere (INTERCHANGE_MAX_UPLOAD_BYTES).
"""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def largest_upload_bytes() -> int:
    """The largest file accepted by any form (a workbook)."""
    return settings.INTERCHANGE_MAX_UPLOAD_BYTES


def too_large_message(size: int, limit: int) -> str:
    return _("The file is too large (%(size)s MB). The limit is %(limit)s MB.") % {
        "size": f"{size / 1_048_576:.1f}",
        "limit": f"{limit / 1_048_576:.0f}",
    }


def _bytes(limit) -> int:
    return limit() if callable(limit) else limit


class OversizeUpload(UploadedFile):
    """What arrived in place of a file past the limit: its name and size, none of its content."""

    def __init__(self, name, content_type, size, limit):
        super().__init__(io.BytesIO(), name, content_type, size)
        self.limit = limit


class BoundedUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        match = getattr(request, "resolver_match", None)
        self.limit = (
            _bytes(getattr(match.func, "upload_max_bytes", largest_upload_bytes)) if match else largest_upload_bytes()
        )
        self.received = 0
        self.oversize = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received, self.oversize = 0, False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.oversize = True
            return None  # read on to the end of this file, keep nothing, pass nothing on
        return raw_data

    def file_complete(self, file_size):
        if self.oversize:
            return OversizeUpload(self.file_name, self.content_type, self.received, self.limit)
        return None  # the next handler (memory or temporary file) has the file


class UploadField(forms.FileField):
    """A file field with a size limit (bytes, or a callable giving them) checked before anything reads it."""

    default_error_messages = {"empty": gettext_lazy("The file is empty.")}

    def __init__(self, *, max_bytes=largest_upload_bytes, **kwargs):
        self.max_bytes = max_bytes
        super().__init__(**kwargs)

    def to_python(self, data):
        if isinstance(data, OversizeUpload):
            raise ValidationError(
                too_large_message(data.size, min(data.limit, _bytes(self.max_bytes))), code="too_large"
            )
        data = super().to_python(data)
        if data is not None and data.size > _bytes(self.max_bytes):
            raise ValidationError(too_large_message(data.size, _bytes(self.max_bytes)), code="too_large")
        return data


def bounded_upload(*form_classes):
    """Bound the view's uploads while they stream, by its forms' upload fields (outermost decorator)."""

    def limit():
        return max(
            _bytes(field.max_bytes)
            for form_class in form_classes
            for field in form_class.base_fields.values()
            if isinstance(field, UploadField)
        )

    def decorate(view):
        view.upload_max_bytes = limit
        return view

    return decorate
