import io
import logging

from bot.logs import configure_logging


def test_log_lines_never_carry_a_full_number_or_a_secret():
    stream = io.StringIO()
    configure_logging("INFO", secrets=["signing-secret-value"], stream=stream)
    log = logging.getLogger("smsbot.test")
    log.info("sent to %s with %s", "+8613800138000", "signing-secret-value")
    try:
        raise ValueError("bad number 13912345678")
    except ValueError:
        log.exception("failed for %s", "+15558675310")
    output = stream.getvalue()
    assert "13800138000" not in output and "•••8000" in output
    assert "1391234" not in output and "•••5678" in output
    assert "555867" not in output and "•••5310" in output
    assert "signing-secret-value" not in output and "[redacted]" in output
    assert "Traceback" in output


def test_json_log_lines_are_one_object_each_and_as_private():
    import json

    stream = io.StringIO()
    configure_logging("INFO", secrets=["signing-secret-value"], stream=stream, log_format="json")
    log = logging.getLogger("smsbot.test")
    log.info("sent to %s with %s", "+8613800138000", "signing-secret-value")
    try:
        raise ValueError("bad number 13912345678")
    except ValueError:
        log.exception("failed")
    first, second = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert (first["level"], first["logger"], first["message"]) == ("INFO", "smsbot.test", "sent to •••8000 with [redacted]")
    assert "Traceback" in second["traceback"] and "•••5678" in second["traceback"]
    assert "13912345678" not in stream.getvalue()
