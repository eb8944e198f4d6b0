"""Local fakes of the real providers' APIs, for the tests alone: each is checked with the
provider's official SDK (tests/providers), and the adapters are tested against them."""
