"""Alert detection (pure statistics) and notification (webhooks)."""

from sentiment.alerts.rules import RULE_SENTIMENT_DROP, WindowRow, detect_drops, windows

__all__ = ["RULE_SENTIMENT_DROP", "WindowRow", "detect_drops", "windows"]
