"""QuerySendDetails as the fake answers it (PROVIDERS.md section 2; help.aliyun.com 419277).

Request: `PhoneNumber` (one; a mainland mobile as its 11 digits, any other number as country
code + number), `SendDate` yyyyMMdd (Beijing time, the last 30 days), `PageSize` 1-50 and
`CurrentPage` (required, as Alibaba's older reference has them), optional `BizId`.
Answer: the records of that number sent that day (of that BizId only, when given), oldest first,
one page: `TotalCount` (a string) and `SmsSendDetailDTOs.SmsSendDetailDTO[]` with PhoneNum
(written as pushes write it), SendStatus (1 awaiting the receipt, 2 failed, 3 delivered, as it
stands by the fake's clock), ErrCode, TemplateCode, Content, SendDate, ReceiveDate (once final)
and OutId. A bad parameter is refused with isv.INVALID_PARAMETERS (Alibaba's exact codes for
these are unconfirmed).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from bot.providers.numbers import to_e164
from bot.providers.alibaba.webhooks import BEIJING, format_push_time
from tests.provider_fakes.alibaba.fake_params import Refusal, required
from tests.provider_fakes.alibaba.fake_state import FakeAlibabaState, SentSms

MAX_PAGE_SIZE = 50
QUERY_WINDOW = timedelta(days=30)


def national(phone: str) -> str:
    """How Alibaba writes a number back: a mainland mobile bare, others as country code + number."""
    return phone[3:] if phone.startswith("+861") and len(phone) == 14 else phone.lstrip("+")


def query_send_details(params: dict[str, str], state: FakeAlibabaState, now: datetime) -> dict[str, Any]:
    phone = to_e164(required(params, "PhoneNumber"))
    send_date = _send_date(required(params, "SendDate"), now)
    page_size = _whole_number(params, "PageSize", MAX_PAGE_SIZE)
    page = _whole_number(params, "CurrentPage", None)
    if phone is None:
        raise Refusal("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
    biz_id = params.get("BizId")
    records = [message for message in state.messages_to(phone)
               if message.sent_at.astimezone(BEIJING).date() == send_date and biz_id in (None, "", message.biz_id)]
    shown = records[(page - 1) * page_size: page * page_size]
    state.record_query({name: params[name] for name in ("PhoneNumber", "SendDate", "BizId", "PageSize",
                                                         "CurrentPage") if name in params})
    return {"Code": "OK", "Message": "OK", "TotalCount": str(len(records)),
            "SmsSendDetailDTOs": {"SmsSendDetailDTO": [record_json(message, now) for message in shown]}}


def record_json(message: SentSms, now: datetime) -> dict[str, Any]:
    status = message.send_status(now)
    final = status != 1
    return {
        "PhoneNum": national(message.phone),
        "SendStatus": status,
        "ErrCode": message.err_code if final else "",
        "TemplateCode": message.template_code,
        # The fake keeps no template text: the content names the template and its variables.
        "Content": f"【{message.sign_name}】{message.template_code} {json.dumps(message.params, ensure_ascii=False)}",
        "SendDate": format_push_time(message.sent_at),
        "ReceiveDate": format_push_time(message.sent_at + timedelta(seconds=message.receipt_after)) if final else "",
        "OutId": message.out_id or "",
    }


def _send_date(value: str, now: datetime):
    try:
        day = datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise Refusal("isv.INVALID_PARAMETERS", "参数异常: SendDate must be yyyyMMdd") from None
    if day < (now - QUERY_WINDOW).astimezone(BEIJING).date():
        raise Refusal("isv.INVALID_PARAMETERS", "参数异常: SendDate must be within the last 30 days")
    return day


def _whole_number(params: dict[str, str], name: str, most: int | None) -> int:
    raw = required(params, name)
    number = int(raw) if raw.isdigit() else 0
    if number < 1 or (most is not None and number > most):
        raise Refusal("isv.INVALID_PARAMETERS", f"参数异常: {name} out of range")
    return number
