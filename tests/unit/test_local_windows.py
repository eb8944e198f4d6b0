"""Each recipient's own sending window (domain/local_windows.py)."""

from datetime import UTC, datetime

from domain.local_windows import RecipientWindows, WindowBasis, recipient_zone
from domain.schedule import SendWindow, WindowScope

WORKSPACE = SendWindow.parse("08:00-22:00", "Asia/Shanghai")
AT = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, 02:00 in London, 18:00 the day before in LA


def test_a_number_is_in_the_zone_its_country_and_area_map_to():
    assert recipient_zone("+14155550100", AT) == "America/Los_Angeles"
    assert recipient_zone("+12125550100", AT) == "America/New_York"
    assert recipient_zone("+6581234001", AT) == "Asia/Singapore"
    assert recipient_zone("+447911123456", AT) in ("Europe/Guernsey", "Europe/London")  # the same clock
    # a mobile range of a country with several zones: the westernmost, where the day starts last
    assert recipient_zone("+61412345678", AT) == "Indian/Cocos"


def test_an_international_number_waits_for_its_own_window_and_a_mainland_one_for_the_workspaces():
    windows = RecipientWindows(WORKSPACE)
    assert windows.opening_for("+447911123456", "notification", AT) == datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
    assert windows.opening_for("+14155550100", "notification", AT) is None  # 18:00 in LA: open
    assert windows.opening_for("+8613800138000", "notification", AT) is None  # the task's window holds it


def test_the_workspace_basis_and_the_windows_scope_turn_it_off():
    assert RecipientWindows(WORKSPACE, WindowBasis.WORKSPACE).opening_for("+447911123456", "notification", AT) is None
    promotional_only = RecipientWindows(WORKSPACE, scope=WindowScope.PROMOTIONAL)
    assert promotional_only.opening_for("+447911123456", "notification", AT) is None
    assert promotional_only.opening_for("+447911123456", "promotional", AT) is not None
    always = RecipientWindows(SendWindow.parse("00:00-24:00", "UTC"))
    assert always.opening_for("+447911123456", "notification", AT) is None
