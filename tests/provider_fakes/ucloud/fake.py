"""A local fake of UCloud USMS that behaves as UCloud documents it
(/work/shared/PROVIDERS-HUAWEI-UCLOUD.md section 2).

`POST /` with a form: `Action`, the action's parameters flattened, `PublicKey` and `Signature`,
checked with UCloud's own SDK (`ucloud.core.auth.Credential.verify_ac`), so that a client
signing otherwise is refused (RetCode 171) as UCloud would. Actions:
- `SendBatchUSMSMessage`: `TaskContent` (Base64 JSON of template and signature groups), at most
  200 numbers (18019 past that). A group whose template or signature is not approved is refused
  whole (`FailureDetails` on the group); a number on `config.blacklist`, or whose parameters do
  not match its template's count, is refused alone. `SessionNo` when any number was taken;
  RetCode 18046 with `FailContent` when some were refused.
- `SendUSMSMessage`: the same content for every number (`PhoneNumbers.N`, `TemplateParams.N`).
- `GetUSMSSendReceipt`: `SessionNoSet.N`; each message's receipt once `receipt_latency` passed:
  `Success`, `Fail`, or `Unknow` for the silent share (and before it is known).
Faults: `forced_ret_code` (nothing sent), `http_status` (an answer without a body, nothing sent).
With `config.push_url`, status reports are pushed there as `{"MsgType": 2, "Data": [...]}`;
`POST /fake/inbound {"phone", "content"}` pushes a reply as `{"MsgType": 0, ...}`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import time
import uuid
from urllib.parse import parse_qsl

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from ucloud.core.auth import Credential

from bot.providers.numbers import to_e164
from tests.provider_fakes.ucloud.fake_state import FakeUCloudConfig, FakeUCloudState, SentSms

MAX_BATCH = 200
BLACKLISTED = "phone in the black list"


def answer(action: str, ret_code: int = 0, message: str = "", **fields) -> JSONResponse:
    return JSONResponse({"RetCode": ret_code, "Action": f"{action}Response", "Message": message, **fields})


def indexed(form: dict[str, str], name: str) -> list[str]:
    """`Name.0`, `Name.1`… in index order."""
    found = {int(key.rsplit(".", 1)[1]): value for key, value in form.items()
             if key.startswith(f"{name}.") and key.rsplit(".", 1)[1].isdigit()}
    return [found[index] for index in sorted(found)]


class FakeUCloud:
    def __init__(self, config: FakeUCloudConfig, state: FakeUCloudState) -> None:
        self.config, self.state = config, state
        self._rng = random.Random(config.seed)
        self._credential = Credential(config.public_key, config.private_key)

    async def api(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
        action = form.get("Action", "")
        with self.state.lock:
            self.state.requests[action] += 1
        signature = form.pop("Signature", "")
        if form.get("PublicKey") != self.config.public_key or self._credential.verify_ac(dict(form)) != signature:
            with self.state.lock:
                self.state.bad_signatures += 1
            return answer(action, 171, "Signature VerifyAC Error")
        if self.config.project_id and form.get("ProjectId") != self.config.project_id:
            return answer(action, 292, "Project not exists")
        handler = {"SendBatchUSMSMessage": self.send_batch, "SendUSMSMessage": self.send_same,
                   "GetUSMSSendReceipt": self.receipts}.get(action)
        if handler is None:
            return answer(action, 161, "Action not exists")
        return await handler(action, form)

    def _fault(self, action: str) -> Response | None:
        if self.config.http_status is not None:
            return Response(status_code=self.config.http_status)
        if self.config.forced_ret_code is not None:
            return answer(action, self.config.forced_ret_code, "forced by the test")
        return None

    async def send_batch(self, action: str, form: dict[str, str]) -> Response:
        if (fault := self._fault(action)) is not None:
            return fault
        groups = json.loads(base64.b64decode(form["TaskContent"]))
        if sum(len(group.get("Target", [])) for group in groups) > MAX_BATCH:
            return answer(action, 18019, "phone numbers exceed the limit")
        session, taken, failed = uuid.uuid4().hex, [], []
        for group in groups:
            template, sign = group.get("TemplateId"), group.get("SigContent")
            problem = ("template not approved" if template not in self.config.templates else
                       "signature not approved" if sign not in self.config.signatures else None)
            refused = []
            for target in group.get("Target", []):
                reason = problem or self._number_problem(template, target)
                if reason:
                    refused.append({**target, **({} if problem else {"FailureDetails": reason})})
                else:
                    taken.append(self._sent(session, template, sign, target))
            if refused:
                failed.append({"TemplateId": template, "SigContent": sign, "Target": refused,
                               **({"FailureDetails": problem} if problem else {})})
        return self._batch_answer(action, session, taken, failed)

    def _number_problem(self, template: str, target: dict) -> str | None:
        if to_e164(target.get("Phone")) in self.config.blacklist:
            return BLACKLISTED
        if len(target.get("TemplateParams") or []) != self.config.templates[template]:
            return "template params not match"
        return None

    def _batch_answer(self, action: str, session: str, taken: list[SentSms], failed: list[dict]) -> Response:
        self._record(taken)
        fields = {"SuccessCount": len(taken), "FailContent": failed, "ReqUuid": uuid.uuid4().hex}
        if taken:
            fields["SessionNo"] = session
        return answer(action, 18046 if failed else 0, "some failed" if failed else "", **fields)

    async def send_same(self, action: str, form: dict[str, str]) -> Response:
        if (fault := self._fault(action)) is not None:
            return fault
        template, sign = form.get("TemplateId"), form.get("SigContent")
        if template not in self.config.templates:
            return answer(action, 18017, "template not exists")
        session, params = uuid.uuid4().hex, indexed(form, "TemplateParams")
        taken = [self._sent(session, template, sign, {"Phone": phone, "TemplateParams": params,
                                                      "UserId": form.get("UserId", "")})
                 for phone in indexed(form, "PhoneNumbers")]
        self._record(taken)
        return answer(action, 0, "", SessionNo=session, UserId=form.get("UserId", ""))

    def _sent(self, session: str, template: str, sign: str, target: dict) -> SentSms:
        roll = self._rng.random()
        outcome = ("delivered" if roll < self.config.deliver_ratio else
                   "failed" if roll < self.config.deliver_ratio + self.config.fail_ratio else "silent")
        return SentSms(session, to_e164(target.get("Phone")) or str(target.get("Phone")), str(target.get("UserId", "")),
                       template, sign, list(target.get("TemplateParams") or []), outcome, time.monotonic())

    def _record(self, taken: list[SentSms]) -> None:
        with self.state.lock:
            self.state.messages.extend(taken)
        if taken and self.config.push_url:
            asyncio.get_running_loop().create_task(self._push_reports(taken))

    def _report(self, sms: SentSms, known: bool) -> dict:
        result = {"delivered": "Success", "failed": "Fail"}.get(sms.outcome, "Unknow") if known else "Unknow"
        return {"SessionNo": sms.session_no, "Phone": sms.phone.removeprefix("+86"), "CostCount": 1,
                "ReceiptResult": result, "ReceiptCode": {"Success": "DELIVRD", "Fail": "MSBLACK"}.get(result, ""),
                "ReceiptDesc": {"Fail": "on the carrier's blacklist"}.get(result, ""), "ReceiptTime": int(time.time()),
                "UserId": sms.user_id}

    async def receipts(self, action: str, form: dict[str, str]) -> Response:
        wanted, now = set(indexed(form, "SessionNoSet")), time.monotonic()
        with self.state.lock:
            messages = [m for m in self.state.messages if m.session_no in wanted]
        data: dict[str, list] = {}
        for sms in messages:
            data.setdefault(sms.session_no, []).append(self._report(sms, now - sms.sent_at >= self.config.receipt_latency))
        return answer(action, 0, "", Data=[{"SessionNo": s, "ReceiptSet": items} for s, items in data.items()])

    async def _push_reports(self, taken: list[SentSms]) -> None:
        await asyncio.sleep(self.config.receipt_latency)
        items = [self._report(sms, True) for sms in taken if sms.outcome != "silent"]
        if items:
            await self._push({"MsgType": 2, "Data": items})

    async def _push(self, body: dict) -> None:
        async with httpx.AsyncClient() as client:
            try:
                await client.post(self.config.push_url, json=body, timeout=5)
            except httpx.HTTPError:
                pass  # UCloud retries three times a second apart, then gives up; a test sees it missing

    async def inbound(self, request: Request) -> Response:
        sent = await request.json()
        reply = {"ExtendCode": "", "UserId": "", "Phone": sent["phone"], "ReplyContent": sent["content"],
                 "ReplyTime": int(time.time())}
        await self._push({"MsgType": 0, "Data": [reply]})
        return JSONResponse({"posted": True})


def create_fake_ucloud(config: FakeUCloudConfig) -> tuple[Starlette, FakeUCloudState]:
    state = FakeUCloudState()
    fake = FakeUCloud(config, state)
    return Starlette(routes=[Route("/", fake.api, methods=["POST"]),
                             Route("/fake/inbound", fake.inbound, methods=["POST"])]), state
