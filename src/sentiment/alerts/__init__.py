"""Alert rules (statistics on daily counts per scope) and notification (webhooks)."""

from sentiment.alerts.counts import DailyCounts, from_daily_rows
from sentiment.alerts.rules import RULES, Finding, find, make_alert

__all__ = ["RULES", "DailyCounts", "Finding", "find", "from_daily_rows", "make_alert"]
