"""Reference data every installation needs; run after each migrate, idempotent."""

from django.db import transaction

CHANNELS = [
    ("court", "诉调", "Court-linked mediation", "诉前调解、司法确认"),
    ("police", "警调", "Police-linked mediation", "派出所、交警；可能民转刑的纠纷移交"),
    ("online", "网调", "Online mediation", "在线申请、远程调解与咨询"),
    ("specialist", "专调", "Specialist committees", "劳动、医疗、交通、物业、消费、土地等行业性专业性调委会"),
    ("petition", "访调", "Petition mediation", "依《信访工作条例》开展的信访调解"),
]


def seed_channels() -> None:
    from .models import Channel

    for index, (code, name, name_en, description) in enumerate(CHANNELS):
        Channel.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "description": description, "ordering": index},
        )


def seed_reference_data(sender=None, **kwargs) -> None:
    with transaction.atomic():
        seed_channels()
