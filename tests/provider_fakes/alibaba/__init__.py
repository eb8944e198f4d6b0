"""A local fake of Alibaba Cloud's Dysmsapi and its SmsReport/SmsUp pushes."""

from tests.provider_fakes.alibaba.fake import create_fake_alibaba
from tests.provider_fakes.alibaba.fake_state import FAILURE_REASONS, FakeAlibabaConfig, FakeAlibabaState, SentSms

__all__ = ["FAILURE_REASONS", "FakeAlibabaConfig", "FakeAlibabaState", "SentSms", "create_fake_alibaba"]
