"""Which provider refusals fail a whole send, fail one number, or wait for later."""

import pytest

from domain.provider_errors import ErrorKind, classify, fatal_cause


@pytest.mark.parametrize(("provider", "status", "code", "kind"), [
    ("simulator", "transient", "unauthorized", ErrorKind.FATAL),
    ("simulator", "rejected", "invalid_number", ErrorKind.PER_NUMBER),
    ("simulator", "throttled", "rate_limited", ErrorKind.TRANSIENT),
    ("twilio", "transient", "20003", ErrorKind.FATAL),  # wrong credentials
    ("twilio", "rejected", "21211", ErrorKind.PER_NUMBER),  # an invalid To number
    ("twilio", "throttled", "20429", ErrorKind.TRANSIENT),
    ("twilio", "transient", "http_503", ErrorKind.TRANSIENT),
    ("alibaba", "transient", "isv.AMOUNT_NOT_ENOUGH", ErrorKind.FATAL),  # no balance
    ("alibaba", "rejected", "isv.SMS_TEMPLATE_ILLEGAL", ErrorKind.FATAL),  # template not approved
    ("alibaba", "transient", "MissingAccessKeyId", ErrorKind.FATAL),
    ("alibaba", "rejected", "isv.MOBILE_NUMBER_ILLEGAL", ErrorKind.PER_NUMBER),
    ("alibaba", "transient", "isp.SYSTEM_ERROR", ErrorKind.TRANSIENT),
    ("alibaba", "unknown", None, ErrorKind.TRANSIENT),
])
def test_each_providers_refusals_are_classified(provider, status, code, kind):
    assert classify(provider, status, code) is kind


def test_a_code_is_fatal_only_for_the_provider_that_means_it():
    assert classify("twilio", "transient", "unauthorized") is ErrorKind.TRANSIENT


def test_the_cause_names_the_error_once():
    assert fatal_cause("simulator", "unauthorized", "HTTP 401: check the simulator API key") == (
        "the provider refused the send: HTTP 401: check the simulator API key (unauthorized)")
    assert fatal_cause("alibaba", "isv.OUT_OF_SERVICE", None) == "the provider refused the send: isv.OUT_OF_SERVICE"
