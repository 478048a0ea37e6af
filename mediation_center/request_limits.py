"""A form post past Django's request limits gets a page that says what happened, not a bare "Bad Request".

Django raises these while parsing ``request.POST`` (in CsrfViewMiddleware, before any view runs), so no
view can answer them; this middleware parses the post first and answers the error itself. The API
(``/api/``) parses its own bodies and answers in its JSON error shape.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.shortcuts import render
from django.utils.translation import gettext as _

from mediation_center.api_limits import is_api_path


class FormLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and not is_api_path(request):
            try:
                request.POST  # noqa: B018 - parsed here so the limit errors below can be answered
            except TooManyFieldsSent:
                return self._refuse(
                    request,
                    400,
                    _(
                        "提交的表单字段过多（超过 %(fields)d 个），系统未保存。一个案件最多登记 %(parties)d 名当事人，"
                        "请返回上一页，删除多余的当事人或分批登记后再提交。"
                    )
                    % {
                        "fields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
                        "parties": settings.CASE_MAX_PARTIES,
                    },
                )
            except TooManyFilesSent:
                return self._refuse(
                    request,
                    400,
                    _("一次上传的文件过多（超过 %(files)d 个），系统未保存。请返回上一页，分批上传。")
                    % {"files": settings.DATA_UPLOAD_MAX_NUMBER_FILES},
                )
            except RequestDataTooBig:
                return self._refuse(
                    request,
                    413,
                    _("提交的内容过大（文字内容超过 %(mb)d MB），系统未保存。请返回上一页，精简后再提交。")
                    % {"mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20},
                )
        return self.get_response(request)

    def _refuse(self, request, status: int, message: str):
        return render(request, "request_refused.html", {"message": message}, status=status)
