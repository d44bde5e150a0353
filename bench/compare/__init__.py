"""Comparison benchmark: the 新旧対照表 of two years' guidelines, every view, every diff."""
