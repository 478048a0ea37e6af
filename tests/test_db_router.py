from mediation_center.db_router import ReplicaRouter, reporting_db, reporting_reads


def test_reads_go_to_the_replica_only_inside_reporting_blocks(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}
    router = ReplicaRouter()
    assert router.db_for_read(None) is None  # ordinary reads: the primary
    with reporting_reads():
        assert router.db_for_read(None) == "replica"
        assert router.db_for_write(None) == "default"
    assert router.db_for_read(None) is None
    assert not router.allow_migrate("replica", "cases")


def test_without_a_replica_reporting_reads_use_the_primary(settings):
    assert "replica" not in settings.DATABASES
    assert reporting_db() == "default"
    with reporting_reads():
        assert ReplicaRouter().db_for_read(None) == "default"
