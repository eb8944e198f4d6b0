"""Opt-out words and fatigue control: promotional sends respect both; notifications neither. Pure."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.i18n import N_

# "R" is Huawei Cloud's opt-out reply (拒收请回复R), which its platform also honours itself.
DEFAULT_KEYWORDS = ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE", "TD", "T", "退订",
                    "R")
# Why a recipient was skipped: stored in English, translated where shown (_(OPTED_OUT)).
OPTED_OUT = N_("opted out")
FATIGUED = N_("fatigue limit reached")


def is_opt_out(text: str, keywords: Iterable[str]) -> bool:
    """Only a message that is one opt-out word (any case, full-width too) opts out:
    "STOP PLEASE" is a conversation, not an instruction."""
    word = unicodedata.normalize("NFKC", text).strip().strip(".!。！").upper()
    return word in {k.upper() for k in keywords}


@dataclass(frozen=True)
class FatiguePolicy:
    max_messages: int
    days: int

    def since(self, now: datetime) -> datetime:
        return now - timedelta(days=self.days)
