"""Reference data every installation needs; run after each migrate, idempotent."""

DISPUTE_TYPES = [
    ("family", "婚姻家庭", "Marriage and family"),
    ("neighbour", "邻里", "Neighbours"),
    ("housing", "房屋宅基地", "Housing and homestead"),
    ("contract", "合同", "Contract"),
    ("business", "生产经营", "Business operations"),
    ("damages", "损害赔偿", "Damages"),
    ("forest_land", "山林土地", "Forest and land"),
    ("land_contracting", "土地承包", "Land contracting"),
    ("requisition", "征地拆迁", "Land requisition and demolition"),
    ("pollution", "环境污染", "Environmental pollution"),
    ("labour", "劳动争议", "Labour (incl. unpaid wages)"),
    ("consumer", "消费", "Consumer"),
    ("medical", "医疗", "Medical"),
    ("traffic", "道路交通事故", "Road traffic accident"),
    ("property", "物业", "Property management"),
    ("other", "其他", "Other"),
]


def seed_dispute_types() -> None:
    from cases.core.models import DisputeType

    for index, (code, name, name_en) in enumerate(DISPUTE_TYPES):
        DisputeType.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "ordering": index}
        )
