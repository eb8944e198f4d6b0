"""A local fake of Huawei Cloud Message & SMS: its two send APIs and its status report and uplink pushes."""

from tests.provider_fakes.huawei.fake import create_fake_huawei, is_real_number
from tests.provider_fakes.huawei.fake_state import FAILURE_REASONS, FakeHuaweiConfig, FakeHuaweiState, SentSms

__all__ = ["FAILURE_REASONS", "FakeHuaweiConfig", "FakeHuaweiState", "SentSms", "create_fake_huawei",
           "is_real_number"]
