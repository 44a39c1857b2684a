"""News-alerting bot: watched pages -> events about tracked tickers -> Slack."""

__version__ = "0.1.0"
