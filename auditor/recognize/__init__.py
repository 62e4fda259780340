"""Recognize figures: values, units, comparators, Chinese numerals, identifiers."""

from auditor.recognize.numbers import find_quantities

__all__ = ["find_quantities"]
