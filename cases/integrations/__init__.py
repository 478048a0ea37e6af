"""Integrations: what flows back to the external systems that push cases (12345, grid, petition system).

Architecture: a timeline event of a case pushed by an external system is mapped to outbound event types
(``events.OUTBOUND_TYPES``) where it is recorded (``cases.core.timeline`` calls the hook this package
registers), and an ``OutboundEvent`` row is written in the same transaction as the change. After commit a
Celery task delivers the case's queue in order (``delivery``); the periodic sweep retries what is due, so a
broker or receiver outage only delays delivery. Nothing here is called by the services that make changes.
"""
