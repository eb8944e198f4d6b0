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
    ("huawei", "transient", "E000045", ErrorKind.FATAL),  # the AK/SK signature: credentials
    ("huawei", "transient", "E000021", ErrorKind.FATAL),  # an X-WSSE field missing
    ("huawei", "transient", "E000112", ErrorKind.FATAL),  # account frozen: arrears, no balance
    ("huawei", "transient", "E000620", ErrorKind.FATAL),  # this server's IP not whitelisted
    ("huawei", "rejected", "E200030", ErrorKind.FATAL),  # template not approved
    ("huawei", "rejected", "E200028", ErrorKind.FATAL),  # variables not matching the template
    ("huawei", "rejected", "E200018", ErrorKind.FATAL),  # the sender is not the app's channel number
    ("huawei", "rejected", "kind_not_supported", ErrorKind.FATAL),  # a card: Huawei sends text only
    ("huawei", "rejected", "E200041", ErrorKind.PER_NUMBER),  # a duplicate number
    ("huawei", "rejected", "empty_variable", ErrorKind.PER_NUMBER),  # one recipient's empty value
    ("huawei", "throttled", "E200015", ErrorKind.TRANSIENT),  # too many pending
    ("huawei", "transient", "http_503", ErrorKind.TRANSIENT),
    ("huawei", "unknown", "no_answer", ErrorKind.TRANSIENT),
])
def test_each_providers_refusals_are_classified(provider, status, code, kind):
    assert classify(provider, status, code) is kind


def test_a_code_is_fatal_only_for_the_provider_that_means_it():
    assert classify("twilio", "transient", "unauthorized") is ErrorKind.TRANSIENT
    assert classify("alibaba", "rejected", "E200030") is ErrorKind.PER_NUMBER


def test_the_cause_names_the_error_once():
    assert fatal_cause("simulator", "unauthorized", "HTTP 401: check the simulator API key") == (
        "the provider refused the send: HTTP 401: check the simulator API key (unauthorized)")
    assert fatal_cause("alibaba", "isv.OUT_OF_SERVICE", None) == "the provider refused the send: isv.OUT_OF_SERVICE"
