"""auditor: cross-checks the figures of Chinese budget-performance self-evaluation reports."""

__version__ = "0.1.0"
