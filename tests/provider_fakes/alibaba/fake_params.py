"""Reading the fake's RPC parameters the way Alibaba checks them; a `Refusal` refuses the whole call."""

from __future__ import annotations

import contextlib
import json
from typing import Any


class Refusal(Exception):
    """Refuses the whole call; `status` None = the configured status of business errors."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(code)
        self.code, self.message, self.status = code, message, status


def required(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise Refusal(f"Missing{name}", f"{name} is mandatory for this action.", 400)
    return value


def json_list(raw: str, name: str) -> list[Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, list):
        raise Refusal("isv.INVALID_PARAMETERS", f"参数异常: {name} must be a JSON array")
    return value


def string_list(params: dict[str, str], name: str, count: int) -> list[str]:
    values = json_list(required(params, name), name)
    if len(values) != count or not all(isinstance(v, str) and v for v in values):
        raise Refusal("isv.INVALID_PARAMETERS", f"参数异常: {name} needs {count} strings, one per number")
    return values


def variables_object(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise Refusal("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
    return value


def variables_list(raw: str | None, name: str, count: int) -> list[dict[str, str]]:
    if not raw:
        return [{} for _ in range(count)]
    values = json_list(raw, name)
    if len(values) != count:
        raise Refusal("isv.INVALID_PARAMETERS", f"参数异常: {name} has {len(values)} items for {count} numbers")
    return [variables_object(value) for value in values]


def numbers_in(params: dict[str, str]) -> int:
    with contextlib.suppress(ValueError, TypeError):
        if "PhoneNumberJson" in params:
            return len(json.loads(params["PhoneNumberJson"]))
    return len([n for n in params.get("PhoneNumbers", "").split(",") if n.strip()])


def json_object(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise Refusal("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值") from None
