"""An upload handler that stops keeping a file once it passes the size limit.

Django keeps an uploaded file in memory up to 2.5 MB and on disk beyond, whatever its size.
Placed first in the chain, this handler lets chunks through until the file passes
INTERCHANGE_MAX_UPLOAD_BYTES, then skips the rest of it (read and thrown away, never kept),
so a 2 GB upload costs neither memory nor disk, and the page can say why.
"""

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from .workbooks import max_upload_bytes


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.limit = max_upload_bytes()
        self.received = 0
        self.request_length = 0
        self.refused_size = None

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request_length = content_length or 0  # returning nothing: the other handlers parse the body

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.refused_size = max(self.received, self.request_length)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def limited_upload(view):
    """Install the handler before the body is read; CSRF is checked after (as Django's docs show)."""
    protected = csrf_protect(view)

    @csrf_exempt
    def wrapped(request, *args, **kwargs):
        handler = LimitedUploadHandler(request)
        request.upload_handlers.insert(0, handler)
        request.upload_limit = handler
        return protected(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped
