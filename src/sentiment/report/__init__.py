"""The analyst's report: one self-contained HTML page per night (issue 13), from the store's report queries."""

from sentiment.report.page import gather, render, report_day, report_path, write_report

__all__ = ["gather", "render", "report_day", "report_path", "write_report"]
