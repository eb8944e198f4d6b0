"""The simulator: the embedded default SMS gateway (`gateway`) and its provider (`provider`)."""

from bot.providers.simulator.config import FAILURE_REASONS, MAX_BATCH, OPT_OUT_KEYWORDS, SimulatorConfig
from bot.providers.simulator.gateway import create_gateway_app, run_gateway
from bot.providers.simulator.provider import SimulatorProvider
from bot.providers.simulator.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_headers
from bot.providers.simulator.state import SentMessage, SimulatorState

__all__ = [
    "FAILURE_REASONS",
    "MAX_BATCH",
    "OPT_OUT_KEYWORDS",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "SentMessage",
    "SimulatorConfig",
    "SimulatorProvider",
    "SimulatorState",
    "create_gateway_app",
    "run_gateway",
    "signed_headers",
]
