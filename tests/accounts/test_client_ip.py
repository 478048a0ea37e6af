from django.test import RequestFactory, override_settings

from accounts.services import client_ip


def _request(forwarded=""):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR="10.1.1.1", **extra)


def test_forwarded_header_is_ignored_without_a_trusted_proxy():
    assert client_ip(_request("1.2.3.4")) == "10.1.1.1"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_it_saw_counts_not_what_the_client_claims():
    assert client_ip(_request("6.6.6.6, 1.2.3.4")) == "1.2.3.4"
    assert client_ip(_request()) == "10.1.1.1"
