"""The sending's share of the tick, for a test that runs the tick itself."""

from bot.providers.roster import ProviderRoster
from bot.sending import Sending


def ticking(runtime, client, provider) -> Sending:
    """With `provider` as the deployment's own."""
    return Sending.build(runtime, client, ProviderRoster(runtime.settings, provider, own_url="http://127.0.0.1",
                                                         uow=runtime.uow))
