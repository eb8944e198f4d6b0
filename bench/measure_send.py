"""Measuring every recipient's message when a send is submitted: `create_task` on a list of N
recipients (1,000,000 by default) on SQLite or PostgreSQL, which renders and measures each
message (length against the limit, segments) before the task is stored. Timed cold (nothing
remembered) and warm (the modal's preview measured the same list and template a moment before),
with the measuring alone timed apart from the rest of the submission.

    python bench/measure_send.py [--recipients 1000000] [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    from bot.app import utc_now
    from domain.approvers import Actor
    from domain.content import Purpose, TemplateDraft, TemplateKind
    from domain.phones import PhoneNormalizer
    from domain.recipient_files import Limits
    from domain.schedule import SendWindow
    from domain.segments import SignatureStyle
    from domain.tasks import Composition, TaskDraft
    from domain.use_cases import send_previews
    from domain.use_cases import tasks as task_cases
    from domain.use_cases.content import ContentKind, add_signature, add_template, decide_content
    from domain.use_cases.recipients import ImportSource, import_file
    from storage.engine import make_engine, make_session_factory
    from storage.migrate import upgrade
    from storage.uow import SqlUnitOfWork

    workdir = tempfile.mkdtemp()
    url = args.database_url or f"sqlite:///{workdir}/bench.db"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    uow = lambda: SqlUnitOfWork(factory)  # noqa: E731
    sender, approver = Actor("U0SENDER01"), Actor("U0APPROVER", is_approver=True)
    signature = add_signature(uow(), "Acme", "shop", sender)
    decide_content(uow(), ContentKind.SIGNATURE, signature.id, approver, approve=True, reason=None,
                   allow_self_approval=False, now=utc_now())
    template = add_template(uow(), TemplateDraft(name="Coupon", kind=TemplateKind.TEXT, purpose=Purpose.PROMOTIONAL,
                                                 body="Hi ${name}, your code ${coupon} is ready"), sender)
    decide_content(uow(), ContentKind.TEMPLATE, template.id, approver, approve=True, reason=None,
                   allow_self_approval=False, now=utc_now())
    csv = "phone,name,coupon\n" + "".join(f"{13800000000 + i},N{i},C{i:07d}\n" for i in range(args.recipients))
    listed = import_file(uow(), csv.encode(), ImportSource("U0SENDER01", "C0GENERAL1", "file", "bench.csv"),
                         limits=Limits(1 << 31, args.recipients), normalizer=PhoneNormalizer("CN")).list_id
    draft = TaskDraft(name="Bench", purpose=None, kind=TemplateKind.TEXT, recipient_list_id=listed,
                      signature_id=signature.id, template_id=template.id)
    composition = Composition(SignatureStyle.BRACKETS, "Reply STOP to opt out")
    window = SendWindow.parse("00:00-23:59", "UTC")

    def submit() -> float:
        started = time.perf_counter()
        task_cases.create_task(uow(), draft, sender, origin_channel="C0GENERAL1", now=utc_now(), window=window,
                               composition=composition)
        return time.perf_counter() - started

    cold = submit()
    warm = submit()  # the same list and message: remembered since the first
    send_previews._MEASURES.clear()
    with uow() as work:
        recipient_list = work.recipient_lists.get(listed)
        plan = send_previews.message_plan_for(work.templates.get(template.id), work.signatures.get(signature.id), None,
                                Purpose.PROMOTIONAL, composition, recipient_list.variables)
        started = time.perf_counter()
        measured = send_previews.measured_send(work, recipient_list, plan)
        measuring = time.perf_counter() - started
    assert measured.recipients == args.recipients and measured.too_long == 0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kind = "postgresql" if url.startswith("postgresql") else "sqlite"
    print(f"bench measure_send: database={kind} recipients={args.recipients} submit_cold_s={cold:.2f} "
          f"submit_warm_s={warm:.2f} measure_s={measuring:.2f} segments={measured.segments} peak_rss_mb={rss:.0f}")


if __name__ == "__main__":
    main()
