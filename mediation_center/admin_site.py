"""The admin an administrator who is not a programmer can run: models grouped by task, each with a line
of Chinese help, instead of Django's list by app. Installed through ``mediation_center.apps.AdminConfig``
(the ``default_site`` of ``django.contrib.admin``), so every ``admin.register`` lands here unchanged.

A model registered later and missing from ``ADMIN_GROUPS`` is still shown, under 其他, and
``tests/test_admin_site.py`` names it, so its task and help line get written down."""

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (group, anchor, what the group is for, [(app_label.ModelName, name shown or None, help line)])
ADMIN_GROUPS = [
    (
        _("机构与人员"),
        "org",
        _("中心、部门、工作人员和他们的角色。"),
        [
            (
                "accounts.Center",
                None,
                _("三级矛调中心：名称、层级、地址、咨询电话和办公时间（显示在群众服务首页）。"),
            ),
            ("accounts.Department", None, _("常驻、轮驻或随叫随到的部门；分流“吹哨”按部门代码通知。")),
            ("accounts.User", None, _("工作人员、群众和外部系统的账号，以及每人在各中心的角色。")),
            ("routing.RotaEntry", None, _("各部门轮流进驻中心的星期、人员和起止日期。")),
            ("auth.Group", _("权限组"), _("Django 自带的权限组；本系统按角色授权，一般无需修改。")),
            (
                "mediators.MediatorProfile",
                None,
                _("调解专家库：每位调解员的类别、专长、服务范围、资质证书与有效期、是否公开。"),
            ),
            ("mediators.MediationGroup", None, _("品牌调解工作室和“1+1+N”调解团队：成员、角色和所在中心。")),
            ("mediators.DifficultyWeight", None, _("考核用的案件难度权重：按纠纷类型和风险等级加权计件。")),
        ],
    ),
    (
        _("分流规则"),
        "routing",
        _("新案件分到哪个渠道、哪一级、通知哪些部门。"),
        [
            (
                "routing.RoutingRule",
                None,
                _("按纠纷类型、来源、层级、金额、人数和风险标记建议分流；顺序数字小的先匹配。"),
            ),
            (
                "routing.Channel",
                None,
                _("五调联动的五个渠道（诉调、警调、网调、专调、访调），可开启自动指派。"),
            ),
            ("cases.DisputeType", None, _("登记、分流和统计使用的纠纷类型，可停用不再使用的类型。")),
        ],
    ),
    (
        _("期限与日历"),
        "deadlines",
        _("法定期限怎样计算：哪些时钟、多少天、哪些天上班。"),
        [
            (
                "cases.DeadlinePolicy",
                None,
                _("各类案件的法定期限及其时钟，如人民调解一个月、信访办理六十日。"),
            ),
            (
                "cases.CalendarDay",
                None,
                _("官方放假和调休上班日，以及管理员的更正；按工作日计算的期限以此为准。"),
            ),
            ("cases.CalendarYear", None, _("各年度是否已有官方放假安排；没有的年份，期限显示为“暂定”。")),
        ],
    ),
    (
        _("预警阈值"),
        "thresholds",
        _("人数、金额、次数、天数达到多少时亮黄、橙、红色。"),
        [
            (
                "cases.WarningSetting",
                None,
                _("四色预警的阈值和响应期限；填 0 表示不启用该项，修改后立即生效。"),
            ),
        ],
    ),
    (
        _("预约与服务"),
        "services",
        _("群众预约到访、上门服务、在线咨询和评价。"),
        [
            ("cases.AppointmentSchedule", None, _("各中心每天可预约的时段和每个时段的人数。")),
            ("cases.AppointmentSlot", None, _("按设置生成的具体预约时段和已约人数。")),
            ("cases.Consultation", None, _("群众在线提出的问题和中心的答复（在“在线咨询”页面答复）。")),
            ("cases.HomeVisitRequest", None, _("行动不便群众的上门服务申请及其处理状态。")),
            ("cases.Rating", None, _("群众对办结案件的好差评；差评须跟进，评价本身不可修改。")),
        ],
    ),
    (
        _("基层排查与研判"),
        "grassroots",
        _("网格、排查用的参考清单和跨案件的风险信号。"),
        [
            ("grassroots.GridArea", None, _("网格：网格员负责的村（社区）片区。")),
            ("grassroots.ReferenceList", None, _("三张清单（普法、法律服务、综合治理防控），可作排查任务的检查项。")),
            ("risk.RiskSignal", None, _("研判预警发现的风险信号；在“研判预警”页面处理，这里只供查看。")),
        ],
    ),
    (
        _("督办与记录"),
        "records",
        _("由业务操作写入的记录；多数只能查看和筛选。"),
        [
            ("records.ArchivedCase", None, _("超过保存年限移入归档的已结案案件：卷宗和证据保存在归档目录。")),
            ("records.RetentionRun", None, _("每次执行保存期限规则的记录：归档了哪些案件、删除了多少群众账户。")),
            ("cases.SupervisionOrder", None, _("督办单：督办人下发的办理要求、期限和反馈。")),
            ("cases.CaseConference", None, _("会商研判的时间、参加人和结论。")),
            ("cases.WarningChange", None, _("每次预警等级变化：由什么规则或谁设定、原因和响应期限。")),
            ("cases.Notification", None, _("发给工作人员的站内通知和邮件发送状态。")),
            ("routing.RouteDecision", None, _("每次分流的建议、匹配规则和受理员的最终选择。")),
            ("routing.CaseAssignment", None, _("案件指派给哪位调解员、怎样指派、何时结束。")),
            ("routing.Summons", None, _("部门协办（吹哨）通知及部门的报到和反馈。")),
            ("routing.InterestDeclaration", None, _("工作人员因利害关系回避的记录。")),
            (
                "cases.ApplicationConsent",
                None,
                _("网上申请人同意个人信息处理的告知书版本和时间（个人信息保护法第十四条）。"),
            ),
            (
                "accounts.SecurityAuditEvent",
                None,
                _("登录、查看完整证件号等安全审计记录，至少保存六个月，不可修改。"),
            ),
            (
                "axes.AccessAttempt",
                _("登录失败计数"),
                _("连续登录失败的账号和地址；删除一行即解除该账号的锁定。"),
            ),
            ("axes.AccessFailureLog", _("登录失败记录"), _("每一次登录失败的时间、账号和地址。")),
            ("axes.AccessLog", _("登录记录"), _("每一次成功登录和退出的时间与地址。")),
        ],
    ),
    (
        _("系统与接口"),
        "system",
        _("外部系统对接和后台定时任务；一般由技术人员维护。"),
        [
            ("accounts.ExternalSystem", None, _("12345 热线、网格、信访等外部系统的账号、来源和回推地址。")),
            ("authtoken.TokenProxy", _("接口令牌"), _("外部系统调用接口使用的令牌。")),
            ("cases.OutboundEvent", None, _("推送给外部系统的办理进展及其发送状态。")),
            ("cases.IntakeIdempotencyKey", None, _("接口重复提交的去重记录，可定期清理。")),
            ("django_celery_beat.PeriodicTask", None, _("后台定时任务，如每分钟的预警巡检和每晚的备份。")),
            ("django_celery_beat.IntervalSchedule", None, _("定时任务使用的间隔（如每 60 秒）。")),
            ("django_celery_beat.CrontabSchedule", None, _("定时任务使用的计划（如每天 2:30）。")),
            ("django_celery_beat.ClockedSchedule", None, _("只在某一时刻运行一次的定时任务。")),
            ("django_celery_beat.SolarSchedule", None, _("按日出日落运行的定时任务（本系统不使用）。")),
        ],
    ),
]
OTHER = _("其他")


class MediationAdminSite(admin.AdminSite):
    site_header = _("矛调中心 · 系统配置")
    site_title = _("矛调中心")
    index_title = _("系统配置")

    def get_app_list(self, request, app_label=None):
        """By task on the index and in the sidebar; one app's own page (``/admin/<app>/``) stays that app's."""
        app_list = super().get_app_list(request, app_label)
        helps = {
            label: (name, help_line)
            for _group, _anchor, _about, rows in ADMIN_GROUPS
            for label, name, help_line in rows
        }
        for app in app_list:
            for model in app["models"]:
                name, help_line = helps.get(f"{app['app_label']}.{model['object_name']}", (None, ""))
                model["name"] = name or model["name"]
                model["help"] = help_line
        if app_label is not None:
            return app_list
        models = {f"{app['app_label']}.{m['object_name']}": m for app in app_list for m in app["models"]}
        index = reverse("admin:index", current_app=self.name)
        groups = []
        for title, anchor, about, rows in ADMIN_GROUPS:
            found = [models.pop(label) for label, _name, _help in rows if label in models]
            if found:
                groups.append(self._group(title, anchor, about, found, index))
        if models:
            groups.append(self._group(OTHER, "other", "", list(models.values()), index))
        return groups

    @staticmethod
    def _group(title, anchor, about, models, index) -> dict:
        return {
            "name": title,
            "app_label": f"group-{anchor}",
            "app_url": f"{index}#group-{anchor}",
            "has_module_perms": True,
            "models": models,
            "about": about,
        }
