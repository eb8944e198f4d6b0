"""A local fake of UCloud USMS: its send and receipt APIs, and its status report and reply pushes."""

from tests.provider_fakes.ucloud.fake import FakeUCloudConfig, FakeUCloudState, SentSms, create_fake_ucloud

__all__ = ["FakeUCloudConfig", "FakeUCloudState", "SentSms", "create_fake_ucloud"]
