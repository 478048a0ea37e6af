"""Sessions kept in the database and read through the cache: a cache outage costs a query, never a session.

Django's ``cached_db`` store survives a failed cache read and a failed write after saving, but still raises
on the others an unreachable Redis answers with: the cache fill after a database read (every request while
Redis is down), the existence check when a new key is made (every sign-in) and the delete of the old key
(sign-in's key rotation, sign-out). Here each of those falls back to the database and logs a warning.

A cached copy lives no longer than the session may stay idle after its last recorded activity
(``SESSION_IDLE_TIMEOUT``): a copy that outlived an outage (Redis cut off, not restarted) can then neither
carry a ``last_activity`` that would end the session by mistake nor keep a session that was ended during
the outage alive longer than an idle one would live.
"""

import logging
import time

from django.conf import settings
from django.contrib.sessions.backends import cached_db

from accounts.middleware import SESSION_KEY as LAST_ACTIVITY
from mediation_center.errors import CACHE_DOWN

log = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    def _cache_timeout(self, data: dict, age: int) -> int:
        timeout = min(age, settings.SESSION_IDLE_TIMEOUT)
        last = data.get(LAST_ACTIVITY)
        if isinstance(last, (int, float)):  # no longer than the session may stay idle from its last activity
            timeout = min(timeout, int(settings.SESSION_IDLE_TIMEOUT - (time.time() - last)))
        return max(1, timeout)

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except CACHE_DOWN:
            log.warning("session cache unavailable; session read from the database")
            return self._load_from_db(fill_cache=False)
        except Exception:  # as Django's: a backend that refuses the key (#17810) means "not cached"
            data = None
        return self._load_from_db() if data is None else data

    def _load_from_db(self, *, fill_cache: bool = True) -> dict:
        s = self._get_session_from_db()
        if not s:
            return {}
        data = self.decode(s.session_data)
        if fill_cache:
            try:
                self._cache.set(
                    self.cache_key, data, self._cache_timeout(data, self.get_expiry_age(expiry=s.expire_date))
                )
            except CACHE_DOWN:
                log.warning("session cache unavailable; session not cached")
        return data

    def exists(self, session_key):
        if session_key:
            try:
                if (self.cache_key_prefix + session_key) in self._cache:
                    return True
            except CACHE_DOWN:
                log.warning("session cache unavailable; key checked in the database only")
        return super(cached_db.SessionStore, self).exists(session_key)

    def save(self, must_create=False):
        super(cached_db.SessionStore, self).save(must_create)  # the database first: the row is the session
        try:
            self._cache.set(
                self.cache_key, self._session, self._cache_timeout(self._session, self.get_expiry_age())
            )
        except CACHE_DOWN:
            log.warning("session cache unavailable; session saved to the database only")
        except Exception:  # as Django's cached_db: the session is saved, the cache copy is a nicety
            log.exception("could not cache the session")

    def delete(self, session_key=None):
        super(cached_db.SessionStore, self).delete(session_key)
        session_key = session_key or self.session_key
        if session_key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except CACHE_DOWN:
            log.warning(
                "session cache unavailable; a cached copy may outlive the session by the idle timeout"
            )
