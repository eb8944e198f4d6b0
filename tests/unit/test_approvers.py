from domain.approvers import is_approver


def test_approver_by_user_id_or_group_membership():
    assert is_approver("U1", ["U1"], [])
    assert is_approver("U2", ["U1"], ["U2", "U3"])
    assert not is_approver("U4", ["U1"], ["U2"])
