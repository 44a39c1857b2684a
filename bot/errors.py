"""The bot's small vocabulary of failures, each caught at one boundary."""


class BotError(Exception):
    """Base of every error the bot raises on purpose."""


class ConfigError(BotError):
    """Invalid configuration; the message reads `file:line: what is wrong`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class FetchError(BotError):
    """A page or feed could not be fetched (network, HTTP status, size, type)."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


class ParseError(BotError):
    """A fetched page could not be read as a listing, feed or article."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


class DeliveryError(BotError):
    """An alert could not be delivered; `permanent` says whether retrying can help."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        self.reason = reason
        self.permanent = permanent
        super().__init__(reason)
