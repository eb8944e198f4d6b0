"""UCloud's API signature (facts: PROVIDERS-HUAWEI-UCLOUD.md 2.5), as its official SDK computes
it (`ucloud.core.auth.Credential.verify_ac` over `ucloud.core.typesystem.encoder.encode`):

1. Parameters are flattened: a list becomes `Key.0`, `Key.1`…, a dict `Key.Sub`; booleans are
   `true`/`false`, a float without a fraction its integer; `None` is dropped.
2. `PublicKey` is added; the keys are sorted as plain strings (`Key.10` before `Key.2`).
3. `key + value` of each is concatenated, no separators, no URL-encoding, then the private key.
4. `Signature` = lowercase hex SHA-1 of that, in UTF-8.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def flatten(params: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if value is None:
            continue
        if isinstance(value, Mapping):
            flat |= flatten(value, f"{name}.")
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    flat |= flatten(item, f"{name}.{index}.")
                elif item is not None:
                    flat[f"{name}.{index}"] = _text(item)
        else:
            flat[name] = _text(value)
    return flat


def signature(flat: Mapping[str, str], private_key: str) -> str:
    """`flat`: the flattened parameters, `PublicKey` among them, `Signature` not."""
    signed = "".join(f"{key}{flat[key]}" for key in sorted(flat)) + private_key
    return hashlib.sha1(signed.encode("utf-8")).hexdigest()


def signed_form(params: Mapping[str, Any], public_key: str, private_key: str) -> dict[str, str]:
    """The form a request posts: its parameters flattened, with `PublicKey` and `Signature`."""
    flat = flatten(params) | {"PublicKey": public_key}
    return flat | {"Signature": signature(flat, private_key)}
